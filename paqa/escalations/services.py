"""Writes about escalations: raise, update, respond, assure, close, re-escalate; link evidence;
raise actions; remind owners of overdue responses.

Each function is keyword-only, runs in one transaction and records who made the change
(django-simple-history). Who may call which is checked by the views (through selectors); these
functions keep the rules of the record: the order of the statuses, the dates, the outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from paqa.accounts.models import User
from paqa.actions.services import Action, action_create
from paqa.core.access import Role
from paqa.core.evidence import KEY_HINT, parse_key, resolve_evidence
from paqa.core.history import stamp_actor
from paqa.core.taxonomy import ALIASES, THEMES
from paqa.escalations.models import Escalation, EscalationUpdate, EvidenceLink
from paqa.partnership.models import Membership, Organisation

CLOSED_MESSAGE = "This escalation is closed"
#: An overdue escalation is reminded about at most once in this many days.
REMIND_EVERY_DAYS = 7

Status = Escalation.Status
Kind = EscalationUpdate.Kind


def _save(record: Any, actor: User | None) -> None:
    record.full_clean()
    stamp_actor(record, actor)
    record.save()


def _today() -> date:
    return timezone.localdate()


def _check_not_closed(escalation: Escalation) -> None:
    if escalation.is_closed:
        raise ValidationError(CLOSED_MESSAGE)


def _check_date(on: date | None, *, field: str = "date", what: str = "date") -> date:
    if on is None:
        raise ValidationError({field: f"Enter the {what}"})
    if on > _today():
        raise ValidationError({field: f"The {what} must be today or in the past"})
    return on


def _clean_themes(themes: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for slug in themes:
        slug = ALIASES.get(slug, slug)
        if slug not in THEMES:
            raise ValidationError({"themes": f"‘{slug}’ is not one of the partnership’s themes"})
        if slug not in cleaned:
            cleaned.append(slug)
    return cleaned


def _add_update(
    *, escalation: Escalation, actor: User | None, on: date, text: str, kind: str
) -> EscalationUpdate:
    update = EscalationUpdate(escalation=escalation, date=on, text=text, author=actor, kind=kind)
    _save(update, actor)
    return update


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# Raising ---------------------------------------------------------------------------------------


@transaction.atomic
def escalation_raise(
    *,
    year: str,
    title: str,
    finding: str,
    escalated_to: str,
    escalated_on: date | None,
    owner_organisation: Organisation,
    response_due: date | None,
    rag: str,
    themes: Iterable[str] = (),
    evidence_keys: Iterable[str] = (),
    actor: User | None,
) -> Escalation:
    """Put an escalation on the register, with any evidence the person raising it can see."""
    errors: dict[str, str] = {}
    if escalated_on is None:
        errors["escalated_on"] = "Enter the date it was escalated"
    elif escalated_on > _today():
        errors["escalated_on"] = "The date it was escalated must be today or in the past"
    if response_due is None:
        errors["response_due"] = "Enter the date a response is required by"
    elif escalated_on is not None and response_due < escalated_on:
        errors["response_due"] = "The response date must be on or after the date it was escalated"
    if errors or escalated_on is None or response_due is None:
        raise ValidationError(errors)
    escalation = Escalation(
        year=year.strip(),
        title=_required(title, "title", "Enter a title"),
        finding=_required(finding, "finding", "Enter what was found"),
        escalated_to=_required(escalated_to, "escalated_to", "Enter who it was escalated to"),
        escalated_on=escalated_on,
        owner_organisation=owner_organisation,
        response_due=response_due,
        rag=rag,
        themes=_clean_themes(themes),
        raised_by=actor,
        status=Status.OPEN,
    )
    _save(escalation, actor)
    for key in evidence_keys:
        if key:
            evidence_link_add(escalation=escalation, key=key, note="", actor=actor)
    return escalation


# The lifecycle -------------------------------------------------------------------------------


@transaction.atomic
def escalation_update(
    *,
    escalation: Escalation,
    actor: User | None,
    date: date | None,
    text: str,
    rag: str = "",
) -> EscalationUpdate:
    """A dated note of progress; it may change the RAG rating too."""
    _check_not_closed(escalation)
    on = _check_date(date, what="date of the update")
    text = _required(text, "text", "Enter the update")
    if rag and rag != escalation.rag:
        if rag not in Escalation.Rag.values:
            raise ValidationError({"rag": "Choose red, amber or green"})
        text = f"{text}\n\nRAG changed from {escalation.get_rag_display()} to "
        text += f"{Escalation.Rag(rag).label}."
        escalation.rag = rag
        _save(escalation, actor)
    return _add_update(escalation=escalation, actor=actor, on=on, text=text, kind=Kind.UPDATE)


@transaction.atomic
def response_record(
    *, escalation: Escalation, actor: User | None, date: date | None, text: str
) -> EscalationUpdate:
    """The owner organisation's response: open or re-escalated → response received."""
    _check_not_closed(escalation)
    if escalation.status not in Escalation.RESPONDABLE:
        raise ValidationError(
            "A response has already been received: add an update, or re-escalate it"
        )
    on = _check_date(date, what="date of the response")
    if on < escalation.escalated_on:
        raise ValidationError({"date": "The response cannot be before the date it was escalated"})
    text = _required(text, "text", "Enter the response")
    escalation.status = Status.RESPONSE_RECEIVED
    _save(escalation, actor)
    return _add_update(escalation=escalation, actor=actor, on=on, text=text, kind=Kind.RESPONSE)


@transaction.atomic
def escalation_assure(
    *, escalation: Escalation, actor: User | None, date: date | None, text: str
) -> EscalationUpdate:
    """The partnership is assured by the response: response received → assured."""
    _check_not_closed(escalation)
    if escalation.status != Status.RESPONSE_RECEIVED:
        raise ValidationError("Only an escalation with a response received can be assured")
    on = _check_date(date, what="date of assurance")
    text = _required(text, "text", "Enter what gives the partnership assurance")
    escalation.status = Status.ASSURED
    _save(escalation, actor)
    return _add_update(escalation=escalation, actor=actor, on=on, text=text, kind=Kind.ASSURANCE)


@transaction.atomic
def escalation_close(
    *, escalation: Escalation, actor: User | None, date: date | None, outcome: str
) -> Escalation:
    """Close it, recording the outcome (needed)."""
    _check_not_closed(escalation)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "Enter the outcome of the escalation"})
    on = _check_date(date, what="date it was closed")
    escalation.status = Status.CLOSED
    escalation.outcome = outcome
    escalation.closed_on = on
    _save(escalation, actor)
    _add_update(escalation=escalation, actor=actor, on=on, text=outcome, kind=Kind.CLOSURE)
    return escalation


@transaction.atomic
def escalation_reescalate(
    *,
    escalation: Escalation,
    actor: User | None,
    date: date | None,
    reason: str,
    response_due: date | None,
    escalated_to: str = "",
) -> EscalationUpdate:
    """Escalate it again (further, or afresh), saying why, with a new date for a response."""
    _check_not_closed(escalation)
    on = _check_date(date, what="date it was re-escalated")
    reason = _required(reason, "reason", "Enter why it is re-escalated")
    if response_due is None:
        raise ValidationError({"response_due": "Enter the date a response is now required by"})
    if response_due < on:
        raise ValidationError(
            {"response_due": "The new response date must be on or after the re-escalation"}
        )
    text = reason
    escalated_to = (escalated_to or "").strip()
    if escalated_to and escalated_to != escalation.escalated_to:
        text += f"\n\nNow escalated to {escalated_to} (before: {escalation.escalated_to})."
        escalation.escalated_to = escalated_to
    text += f"\n\nResponse required by {response_due:%-d %B %Y}."
    escalation.status = Status.RE_ESCALATED
    escalation.response_due = response_due
    escalation.last_reminded_on = None
    _save(escalation, actor)
    return _add_update(
        escalation=escalation, actor=actor, on=on, text=text, kind=Kind.RE_ESCALATION
    )


# Evidence -------------------------------------------------------------------------------------


@transaction.atomic
def evidence_link_add(
    *, escalation: Escalation, key: str, note: str = "", actor: User | None
) -> EvidenceLink:
    """Link a record as evidence. The person linking must be able to see it."""
    key = (key or "").strip()
    if parse_key(key) is None:
        raise ValidationError({"key": f"Enter the evidence’s key, {KEY_HINT}"})
    if actor is not None and resolve_evidence(actor, key) is None:
        raise ValidationError({"key": "There is no record with that key that you can see"})
    if escalation.evidence.filter(key=key).exists():
        raise ValidationError({"key": "That evidence is already linked to this escalation"})
    link = EvidenceLink(escalation=escalation, key=key, note=(note or "").strip(), added_by=actor)
    _save(link, actor)
    return link


@transaction.atomic
def evidence_link_remove(*, link: EvidenceLink, actor: User | None) -> None:
    stamp_actor(link, actor)
    link.delete()


# Actions --------------------------------------------------------------------------------------


def escalation_action_create(
    *,
    escalation: Escalation,
    owner_organisation: Organisation,
    title: str,
    owner_name: str,
    due_date: date | None,
    actor: User | None,
) -> Action:
    """An action arising from the escalation, tracked in the shared action plan."""
    _check_not_closed(escalation)
    return action_create(
        owner_organisation=owner_organisation,
        title=title,
        owner_name=owner_name,
        due_date=due_date,
        source_key=escalation.source_key,
        source_label=f"Escalation {escalation.year}: {escalation.title}"[:300],
        source_url=reverse("escalations:detail", args=[escalation.pk]),
        actor=actor,
    )


# Overdue reminders ------------------------------------------------------------------------------


def _agency_lead_emails(organisation_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id,
            role=Role.AGENCY_LEAD,
            archived_at__isnull=True,
            user__is_active=True,
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def escalations_remind_overdue(
    *, actor: User | None, today: date | None = None, base_url: str = ""
) -> list[Escalation]:
    """Email the owner organisation's agency leads about each overdue escalation (once a week
    at most per escalation) and log the reminder on its timeline. Returns those reminded.

    `base_url` (like "https://paqa.example.org") makes the link in the email a full address."""
    today = today or _today()
    recently = today - timedelta(days=REMIND_EVERY_DAYS)
    overdue = (
        Escalation.objects.overdue(today)
        .exclude(last_reminded_on__gt=recently)
        .select_related("owner_organisation")
        .select_for_update()
        .order_by("response_due", "pk")
    )
    reminded = []
    for escalation in overdue:
        recipients = _agency_lead_emails(escalation.owner_organisation_id)
        if not recipients:
            continue
        late = (today - escalation.response_due).days
        subject = f"Overdue: your response to the escalation ‘{escalation.title}’"
        body = (
            f"The partnership escalated ‘{escalation.title}’ to {escalation.escalated_to} on "
            f"{escalation.escalated_on:%-d %B %Y}. {escalation.owner_organisation.name}'s "
            f"response was required by {escalation.response_due:%-d %B %Y} and is {late} "
            f"day{'s' if late != 1 else ''} overdue.\n\n"
            "Sign in to PAQA to record your response: "
            + base_url.rstrip("/")
            + reverse("escalations:detail", args=[escalation.pk])
            + "\n"
        )
        escalation.last_reminded_on = today
        stamp_actor(escalation, actor)
        escalation.save(update_fields=["last_reminded_on", "updated_at"])
        _add_update(
            escalation=escalation,
            actor=actor,
            on=today,
            text=f"Reminder that the response is overdue sent to {', '.join(recipients)}.",
            kind=Kind.REMINDER,
        )
        transaction.on_commit(partial(send_mail, subject, body, None, recipients))
        reminded.append(escalation)
    return reminded
