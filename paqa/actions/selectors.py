"""Reads about actions, always for an acting user, through the access policy."""

from typing import Any, cast

from django.db.models import QuerySet

# Action is part of this part's interface: other parts are given the actions it makes.
from paqa.actions.models import Action, ActionQuerySet, ActionUpdate
from paqa.core.access import Capability, get_for_user, scope_queryset
from paqa.partnership.models import Organisation

VIEW = Capability.VIEW_ACTIONS
MANAGE = Capability.MANAGE_ACTIONS
ORGANISATION_FIELD = "owner_organisation"


def _scoped(user: Any) -> ActionQuerySet:
    actions = Action.objects.live().select_related("owner_organisation")
    scoped = scope_queryset(actions, user, VIEW, organisation_field=ORGANISATION_FIELD)
    return cast(ActionQuerySet, scoped)


def action_list(
    *,
    user: Any,
    organisation: Organisation | int | None = None,
    status: str | None = None,
    overdue_only: bool = False,
    source_prefix: str = "",
    include_carried_forward: bool = False,
) -> QuerySet[Action]:
    """The live action plan the user may see, soonest due first.

    Actions carried forward to a newer source are left out unless asked for: their copies are
    tracked instead (ask for them to show an earlier source's plan as it was).
    """
    actions = _scoped(user)
    if not include_carried_forward:
        actions = actions.current()
    if organisation is not None:
        actions = actions.filter(owner_organisation_id=getattr(organisation, "pk", organisation))
    if status:
        actions = actions.filter(status=status)
    if overdue_only:
        actions = actions.overdue()
    if source_prefix:
        actions = actions.filter(source_key__startswith=source_prefix)
    return actions.order_by("due_date", "pk")


def actions_for_source(*, user: Any, source_key: str) -> list[Action]:
    """Every live action raised from one source (carried-forward ones too), in the user's reach."""
    return list(_scoped(user).filter(source_key=source_key).order_by("due_date", "pk"))


def action_get(*, user: Any, pk: Any, for_change: bool = False) -> Action:
    """One live action: 404 outside the user's reach, 403 if they may only read it."""
    return get_for_user(
        Action.objects.live().select_related("owner_organisation", "carried_from", "created_by"),
        user,
        read=VIEW,
        write=MANAGE if for_change else None,
        organisation_field=ORGANISATION_FIELD,
        pk=pk,
    )


def action_updates(*, action: Action) -> QuerySet[ActionUpdate]:
    """The progress updates of an action the caller has already been allowed to see."""
    return action.updates.select_related("author").order_by("created_at", "pk")


def action_carried_to(*, user: Any, action: Action) -> list[Action]:
    """The newer copies of an action, where it was carried forward (in the user's reach)."""
    return list(_scoped(user).filter(carried_from=action).order_by("pk"))


def organisation_choices(*, user: Any) -> QuerySet[Organisation]:
    """Live organisations whose actions the user may see, for the filter."""
    return scope_queryset(
        Organisation.objects.filter(archived_at__isnull=True).order_by("name"),
        user,
        VIEW,
        organisation_field="",
    )
