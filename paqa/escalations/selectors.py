"""Reads about escalations, always for an acting user, through the access policy.

The register is partnership-wide: every staff role reads it (board members included). Managing
it (raise, link evidence, assure, close, re-escalate) is the partnership's; responding is the
owner organisation's agency lead's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from paqa.actions.selectors import Action, actions_for_source
from paqa.core.access import Capability, access_for, get_for_user, require, scope_queryset
from paqa.core.evidence import ResolvedEvidence, resolve_evidence
from paqa.escalations.models import Escalation, EscalationUpdate, EvidenceLink
from paqa.partnership.models import Organisation

VIEW = Capability.VIEW_ESCALATIONS
MANAGE = Capability.MANAGE_ESCALATIONS
RESPOND = Capability.RESPOND_ESCALATIONS
ORGANISATION_FIELD = "owner_organisation"


def _scoped(user: Any) -> QuerySet[Escalation]:
    return scope_queryset(
        Escalation.objects.select_related("owner_organisation", "raised_by"),
        user,
        VIEW,
        organisation_field=ORGANISATION_FIELD,
    )


def escalation_list(
    *, user: Any, year: str = "", status: str = "", overdue_only: bool = False
) -> QuerySet[Escalation]:
    """The register as the user may read it, newest year first, soonest response first."""
    require(user, VIEW)
    escalations = _scoped(user)
    if year:
        escalations = escalations.filter(year=year)
    if status:
        escalations = escalations.filter(status=status)
    if overdue_only:
        escalations = escalations.overdue()  # type: ignore[attr-defined]
    return escalations.order_by("-year", "response_due", "pk")


def escalation_years(*, user: Any) -> list[str]:
    require(user, VIEW)
    return sorted(set(_scoped(user).values_list("year", flat=True)), reverse=True)


def escalation_get(*, user: Any, pk: Any) -> Escalation:
    """One escalation: 404 outside the user's reach."""
    require(user, VIEW)
    return get_for_user(
        Escalation.objects.select_related("owner_organisation", "raised_by"),
        user,
        read=VIEW,
        organisation_field=ORGANISATION_FIELD,
        pk=pk,
    )


@dataclass(frozen=True)
class EscalationPermissions:
    """What the user may do to one escalation."""

    manage: bool
    respond: bool

    @property
    def update(self) -> bool:
        return self.manage or self.respond


def permissions_for(*, user: Any, escalation: Escalation) -> EscalationPermissions:
    access = access_for(user)
    return EscalationPermissions(
        manage=access.can(MANAGE),
        respond=access.can(RESPOND, escalation.owner_organisation_id),
    )


def escalation_updates(*, escalation: Escalation) -> QuerySet[EscalationUpdate]:
    """The timeline of an escalation the caller has already been allowed to see."""
    return escalation.updates.select_related("author").order_by("date", "created_at", "pk")


@dataclass
class EvidenceItem:
    link: EvidenceLink
    resolved: ResolvedEvidence


@dataclass
class EvidenceView:
    """The evidence one viewer may see, and how many items they may not."""

    items: list[EvidenceItem] = field(default_factory=list)
    hidden: int = 0

    @property
    def total(self) -> int:
        return len(self.items) + self.hidden


def evidence_for(*, user: Any, escalation: Escalation) -> EvidenceView:
    """Each linked record resolved for the viewer; those they cannot see are only counted."""
    view = EvidenceView()
    for link in escalation.evidence.order_by("created_at", "pk"):
        resolved = resolve_evidence(user, link.key)
        if resolved is None:
            view.hidden += 1
        else:
            view.items.append(EvidenceItem(link=link, resolved=resolved))
    return view


def evidence_link_get(*, escalation: Escalation, pk: Any) -> EvidenceLink:
    from django.http import Http404

    try:
        return escalation.evidence.get(pk=pk)
    except (EvidenceLink.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such evidence link.") from missing


def escalation_actions(*, user: Any, escalation: Escalation) -> list[Action]:
    """Actions raised from the escalation, in the user's reach of the action plan."""
    if not access_for(user).can(Capability.VIEW_ACTIONS):
        return []
    return actions_for_source(user=user, source_key=escalation.source_key)


def organisation_choices() -> QuerySet[Organisation]:
    """Live organisations an escalation can be owned by."""
    return Organisation.objects.filter(archived_at__isnull=True).order_by("name")


def action_organisation_choices(*, user: Any, escalation: Escalation) -> QuerySet[Organisation]:
    """Who an action from this escalation can be given to: any organisation for those who manage
    escalations, the owner organisation for its agency lead."""
    if access_for(user).can(MANAGE):
        return organisation_choices()
    return organisation_choices().filter(pk=escalation.owner_organisation_id)
