"""Writes about actions: raise them, change them, record progress, close them, carry them forward.

Each function is keyword-only, runs in one transaction and records who made the change
(django-simple-history). Access is checked by the caller (views fetch the action through
`selectors.action_get(..., for_change=True)`); these functions check the rules of the record.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User

# Action is part of this part's interface: other parts are given the actions it makes.
from paqa.actions.models import Action, ActionUpdate
from paqa.core.history import stamp_actor
from paqa.core.net import is_site_path
from paqa.partnership.models import Organisation

CLOSED_MESSAGE = "This action is closed: it is done or cancelled"


def _label(source_label: str) -> str:
    """The source's name, shortened to fit: it is made from names people chose, which may be
    long, and an action must never be refused for a reason its author cannot fix."""
    text = " ".join(source_label.split())
    limit = Action._meta.get_field("source_label").max_length or 300
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _check_source_url(source_url: str) -> str:
    """A path inside PAQA only: never another site, never a javascript: link."""
    source_url = source_url.strip()
    if source_url and not is_site_path(source_url):
        raise ValidationError({"source_url": "The link to the source must be a path like /a/b/"})
    return source_url


def _check_details(*, title: str, owner_name: str, due_date: date | None) -> date:
    """What, who and when are all needed; gives back the due date, known to be there."""
    errors = {}
    if not title:
        errors["title"] = "Enter what will be done"
    if not owner_name:
        errors["owner_name"] = "Enter the name of the person responsible"
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due"
    if errors or due_date is None:
        raise ValidationError(errors)
    return due_date


def _check_open(action: Action) -> None:
    if not action.is_open:
        raise ValidationError(CLOSED_MESSAGE)


def _add_update(*, action: Action, actor: User | None, text: str) -> ActionUpdate:
    update = ActionUpdate(action=action, author=actor, text=text)
    update.full_clean()
    stamp_actor(update, actor)
    update.save()
    return update


@transaction.atomic
def action_create(
    *,
    owner_organisation: Organisation,
    title: str,
    owner_name: str,
    due_date: date | None,
    source_key: str,
    source_label: str,
    source_url: str = "",
    actor: User | None,
) -> Action:
    """Raise an action for an organisation, from a source named by key, label and link."""
    title, owner_name = title.strip(), owner_name.strip()
    due_date = _check_details(title=title, owner_name=owner_name, due_date=due_date)
    action = Action(
        owner_organisation=owner_organisation,
        title=title,
        owner_name=owner_name,
        due_date=due_date,
        source_key=source_key.strip(),
        source_label=_label(source_label),
        source_url=_check_source_url(source_url),
        created_by=actor,
    )
    action.full_clean()
    stamp_actor(action, actor)
    action.save()
    return action


@transaction.atomic
def action_update(
    *, action: Action, actor: User, title: str, owner_name: str, due_date: date | None
) -> Action:
    """Change what will be done, who does it, or by when (open actions only)."""
    _check_open(action)
    title, owner_name = title.strip(), owner_name.strip()
    due_date = _check_details(title=title, owner_name=owner_name, due_date=due_date)
    action.title = title
    action.owner_name = owner_name
    action.due_date = due_date
    action.full_clean()
    stamp_actor(action, actor)
    action.save()
    return action


@transaction.atomic
def action_progress(*, action: Action, actor: User, text: str, status: str) -> ActionUpdate:
    """Record progress and, if it changed, whether work has started. Done needs evidence."""
    _check_open(action)
    text = text.strip()
    if status == Action.Status.DONE:
        raise ValidationError(
            {"status": "Mark the action done with evidence, not with a progress update"}
        )
    if status not in Action.OPEN_STATUSES:
        raise ValidationError({"status": "Choose whether work on the action has started"})
    if not text:
        raise ValidationError({"text": "Enter the progress made"})
    if action.status != status:
        action.status = status
        stamp_actor(action, actor)
        action.save(update_fields=["status", "updated_at"])
    return _add_update(action=action, actor=actor, text=text)


@transaction.atomic
def action_complete(*, action: Action, actor: User, evidence: str) -> Action:
    """Mark the action done, with the evidence that it is."""
    _check_open(action)
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError({"evidence": "Describe the evidence that the action is done"})
    action.status = Action.Status.DONE
    action.completion_evidence = evidence
    action.completed_at = timezone.now()
    stamp_actor(action, actor)
    action.save()
    _add_update(action=action, actor=actor, text="Marked done")
    return action


@transaction.atomic
def action_cancel(*, action: Action, actor: User, reason: str) -> Action:
    """Close the action without doing it, saying why."""
    _check_open(action)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the action is cancelled"})
    action.status = Action.Status.CANCELLED
    stamp_actor(action, actor)
    action.save()
    _add_update(action=action, actor=actor, text=f"Cancelled: {reason}")
    return action


@transaction.atomic
def actions_copy_open(
    *,
    source_key_from: str,
    source_key_to: str,
    source_label: str,
    source_url: str,
    actor: User | None,
) -> list[Action]:
    """Carry the open actions of one source forward to a new one (like last year's return).

    Each copy keeps what, who, when and the organisation, and remembers the action it carries
    forward; the original stays as it was, out of the live action plan. Running it again
    carries nothing twice.
    """
    if source_key_from == source_key_to:
        raise ValidationError("Actions can only be carried forward to a different source")
    source_url = _check_source_url(source_url)
    already = set(
        Action.objects.live()
        .filter(source_key=source_key_to, carried_from__isnull=False)
        .values_list("carried_from_id", flat=True)
    )
    originals = (
        Action.objects.live()
        .open()
        .filter(source_key=source_key_from)
        .exclude(pk__in=already)
        .order_by("pk")
    )
    copies = []
    for original in originals:
        copy = Action(
            owner_organisation_id=original.owner_organisation_id,
            title=original.title,
            owner_name=original.owner_name,
            due_date=original.due_date,
            status=original.status,
            source_key=source_key_to,
            source_label=_label(source_label),
            source_url=source_url,
            carried_from=original,
            created_by=actor,
        )
        copy.full_clean()
        stamp_actor(copy, actor)
        copy.save()
        _add_update(action=copy, actor=actor, text=f"Carried forward from {original.source_label}")
        copies.append(copy)
    return copies
