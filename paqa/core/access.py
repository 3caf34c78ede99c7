"""The access policy: which organisations a user sees, and what each role may do there.

This module is the one home of that rule. Selectors, views and API endpoints ask it; none of
them decide for themselves. Roles are held per organisation through memberships (the model named
by settings.PAQA_MEMBERSHIP_MODEL, which lives on a higher floor and is looked up by name).

Two kinds of reach:
- partnership-wide: the capability applies to every organisation in the partnership;
- own organisation: only to organisations where the user holds that role.

Outside your reach a record does not exist for you (404). Inside your reach for reading but
not for writing, the answer is 403.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404


class Role(models.TextChoices):
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership admin"
    PAQA_MEMBER = "paqa_member", "PAQA member"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    AUDITOR = "auditor", "Auditor"
    ANALYST = "analyst", "Analyst"
    BOARD_MEMBER = "board_member", "Board member"


ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.PARTNERSHIP_ADMIN: "Configures everything; sees and edits everything.",
    Role.PAQA_MEMBER: "Sees everything submitted; challenges, moderates, codes free text and "
    "drafts the report.",
    Role.AGENCY_LEAD: "Edits and signs off their own organisation's returns and audit sections.",
    Role.AUDITOR: "Completes the case audit sections assigned to them in their own organisation.",
    Role.ANALYST: "Imports and corrects data; edits indicator definitions.",
    Role.BOARD_MEMBER: "Reads dashboards, published reports and escalations.",
}


class Capability(enum.StrEnum):
    VIEW_DIRECTORY = "view_directory"  # organisations, services, people, memberships
    MANAGE_DIRECTORY = "manage_directory"  # change them, invite people
    VIEW_HISTORY = "view_history"  # the change history of every record
    VIEW_DATA = "view_data"  # the local safeguarding data set: dashboard, indicators, exports
    MANAGE_DATA = "manage_data"  # import and correct observations, edit indicator definitions
    WRITE_COMMENTARY = "write_commentary"  # the impact narrative beside the figures
    VIEW_ACTIONS = "view_actions"  # action plans and their progress
    MANAGE_ACTIONS = "manage_actions"  # change actions, record progress, mark them done
    VIEW_ASSESSMENT_SUMMARY = "view_assessment_summary"  # heat map, year on year, sentences
    VIEW_RETURNS = "view_returns"  # self-assessment returns (others' only once submitted)
    EDIT_RETURNS = "edit_returns"  # answer, sign off, submit and respond for the organisation
    CHALLENGE_RETURNS = "challenge_returns"  # peer challenge, moderation, acceptance
    MANAGE_CYCLES = "manage_cycles"  # open cycles, remind, extend deadlines
    VIEW_AUDITS = "view_audits"  # audit summaries, findings, themes, learning briefs
    LEAD_AUDITS = "lead_audits"  # set up audits and cohorts, record meetings, findings
    VIEW_AUDIT_SECTIONS = "view_audit_sections"  # case sections (others' once submitted)
    COMPLETE_AUDIT_SECTIONS = "complete_audit_sections"  # an organisation's case sections
    SUBMIT_AGENCY_AUDITS = "submit_agency_audits"  # an organisation's own audit returns
    VIEW_SURVEY_RESULTS = "view_survey_results"  # results, breakdowns, coded themes
    MANAGE_SURVEYS = "manage_surveys"  # build surveys, invite, remind
    CODE_FREE_TEXT = "code_free_text"  # code free-text answers with themes
    ANSWER_ORGANISATION_SURVEYS = "answer_organisation_surveys"  # an organisation's returns
    VIEW_VOICE = "view_voice"  # what children, young people and families said
    MANAGE_VOICE = "manage_voice"  # record it, and the "you said, we did" responses
    VIEW_ESCALATIONS = "view_escalations"  # the escalation register
    MANAGE_ESCALATIONS = "manage_escalations"  # raise, link evidence, assure, close
    RESPOND_ESCALATIONS = "respond_escalations"  # an owner organisation's response and updates
    VIEW_THEMES = "view_themes"  # the system-wide view by theme, key messages
    MANAGE_CONCLUSIONS = "manage_conclusions"  # write the year's key messages
    VIEW_PUBLISHED_REPORTS = "view_published_reports"  # published annual reports, every version
    DRAFT_REPORTS = "draft_reports"  # see and edit drafts of the annual report, export, publish
    VIEW_CHILD_RECORDS = "view_child_records"  # pseudonymous records behind computed figures


class Reach(enum.Enum):
    PARTNERSHIP = "partnership"
    OWN_ORGANISATION = "own_organisation"


_PARTNERSHIP_DATA = {
    Capability.VIEW_DATA: Reach.PARTNERSHIP,
    Capability.VIEW_ASSESSMENT_SUMMARY: Reach.PARTNERSHIP,
    Capability.VIEW_AUDITS: Reach.PARTNERSHIP,
    Capability.VIEW_SURVEY_RESULTS: Reach.PARTNERSHIP,
    Capability.VIEW_VOICE: Reach.PARTNERSHIP,
    Capability.VIEW_ESCALATIONS: Reach.PARTNERSHIP,
    Capability.VIEW_THEMES: Reach.PARTNERSHIP,
    Capability.VIEW_PUBLISHED_REPORTS: Reach.PARTNERSHIP,
}

ROLE_CAPABILITIES: dict[str, dict[Capability, Reach]] = {
    Role.PARTNERSHIP_ADMIN: {
        Capability.DRAFT_REPORTS: Reach.PARTNERSHIP,
        Capability.MANAGE_VOICE: Reach.PARTNERSHIP,
        Capability.MANAGE_ESCALATIONS: Reach.PARTNERSHIP,
        Capability.MANAGE_CONCLUSIONS: Reach.PARTNERSHIP,
        Capability.MANAGE_SURVEYS: Reach.PARTNERSHIP,
        Capability.CODE_FREE_TEXT: Reach.PARTNERSHIP,
        Capability.LEAD_AUDITS: Reach.PARTNERSHIP,
        Capability.VIEW_AUDIT_SECTIONS: Reach.PARTNERSHIP,
        Capability.VIEW_DIRECTORY: Reach.PARTNERSHIP,
        Capability.MANAGE_DIRECTORY: Reach.PARTNERSHIP,
        Capability.VIEW_HISTORY: Reach.PARTNERSHIP,
        **_PARTNERSHIP_DATA,
        Capability.MANAGE_DATA: Reach.PARTNERSHIP,
        Capability.WRITE_COMMENTARY: Reach.PARTNERSHIP,
        Capability.VIEW_ACTIONS: Reach.PARTNERSHIP,
        Capability.MANAGE_ACTIONS: Reach.PARTNERSHIP,
        Capability.VIEW_RETURNS: Reach.PARTNERSHIP,
        Capability.CHALLENGE_RETURNS: Reach.PARTNERSHIP,
        Capability.MANAGE_CYCLES: Reach.PARTNERSHIP,
    },
    Role.PAQA_MEMBER: {
        Capability.DRAFT_REPORTS: Reach.PARTNERSHIP,
        Capability.MANAGE_VOICE: Reach.PARTNERSHIP,
        Capability.MANAGE_ESCALATIONS: Reach.PARTNERSHIP,
        Capability.MANAGE_CONCLUSIONS: Reach.PARTNERSHIP,
        Capability.MANAGE_SURVEYS: Reach.PARTNERSHIP,
        Capability.CODE_FREE_TEXT: Reach.PARTNERSHIP,
        Capability.LEAD_AUDITS: Reach.PARTNERSHIP,
        Capability.VIEW_AUDIT_SECTIONS: Reach.PARTNERSHIP,
        Capability.VIEW_DIRECTORY: Reach.PARTNERSHIP,
        **_PARTNERSHIP_DATA,
        Capability.WRITE_COMMENTARY: Reach.PARTNERSHIP,
        Capability.VIEW_ACTIONS: Reach.PARTNERSHIP,
        Capability.VIEW_RETURNS: Reach.PARTNERSHIP,
        Capability.CHALLENGE_RETURNS: Reach.PARTNERSHIP,
    },
    Role.BOARD_MEMBER: {
        Capability.VIEW_DIRECTORY: Reach.PARTNERSHIP,
        **_PARTNERSHIP_DATA,
        Capability.VIEW_ACTIONS: Reach.PARTNERSHIP,
    },
    Role.AGENCY_LEAD: {
        Capability.RESPOND_ESCALATIONS: Reach.OWN_ORGANISATION,
        Capability.ANSWER_ORGANISATION_SURVEYS: Reach.OWN_ORGANISATION,
        Capability.VIEW_AUDIT_SECTIONS: Reach.OWN_ORGANISATION,
        Capability.COMPLETE_AUDIT_SECTIONS: Reach.OWN_ORGANISATION,
        Capability.SUBMIT_AGENCY_AUDITS: Reach.OWN_ORGANISATION,
        Capability.VIEW_DIRECTORY: Reach.OWN_ORGANISATION,
        **_PARTNERSHIP_DATA,
        Capability.VIEW_ACTIONS: Reach.OWN_ORGANISATION,
        Capability.MANAGE_ACTIONS: Reach.OWN_ORGANISATION,
        Capability.VIEW_RETURNS: Reach.OWN_ORGANISATION,
        Capability.EDIT_RETURNS: Reach.OWN_ORGANISATION,
    },
    Role.AUDITOR: {
        # Only the sections they are assigned to (see audits.selectors).
        Capability.VIEW_AUDIT_SECTIONS: Reach.OWN_ORGANISATION,
        Capability.COMPLETE_AUDIT_SECTIONS: Reach.OWN_ORGANISATION,
        Capability.VIEW_DIRECTORY: Reach.OWN_ORGANISATION,
        **_PARTNERSHIP_DATA,
        Capability.VIEW_ACTIONS: Reach.OWN_ORGANISATION,
    },
    # The data set is the partnership's: its analysts import and correct all of it.
    Role.ANALYST: {
        Capability.CODE_FREE_TEXT: Reach.PARTNERSHIP,
        Capability.VIEW_DIRECTORY: Reach.OWN_ORGANISATION,
        **_PARTNERSHIP_DATA,
        Capability.MANAGE_DATA: Reach.PARTNERSHIP,
        # Only analysts see the (pseudonymous) children behind a figure from a statutory return.
        Capability.VIEW_CHILD_RECORDS: Reach.PARTNERSHIP,
        Capability.WRITE_COMMENTARY: Reach.PARTNERSHIP,
        Capability.VIEW_ACTIONS: Reach.OWN_ORGANISATION,
    },
}


@dataclass(frozen=True)
class Grant:
    organisation_id: int
    role: str


@dataclass(frozen=True)
class Access:
    """What one user may reach. Built once per request from their live memberships."""

    user_id: int | None
    grants: frozenset[Grant] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.grants)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def organisation_ids(self, capability: Capability) -> frozenset[int] | None:
        """Organisations where `capability` applies: None means every organisation."""
        reached: set[int] = set()
        for grant in self.grants:
            reach = ROLE_CAPABILITIES.get(grant.role, {}).get(capability)
            if reach is Reach.PARTNERSHIP:
                return None
            if reach is Reach.OWN_ORGANISATION:
                reached.add(grant.organisation_id)
        return frozenset(reached)

    def can(self, capability: Capability, organisation_id: int | None = None) -> bool:
        """May the user do this at all (organisation_id None) or in this organisation?"""
        reached = self.organisation_ids(capability)
        if reached is None:
            return True
        if organisation_id is None:
            return bool(reached)
        return organisation_id in reached

    def can_anywhere(self, capability: Capability) -> bool:
        return self.can(capability)

    def can_everywhere(self, capability: Capability) -> bool:
        """Partnership-wide reach: needed for records that belong to no one organisation."""
        return self.organisation_ids(capability) is None


_ANONYMOUS = Access(user_id=None)
_CACHE_ATTRIBUTE = "_paqa_access"


def membership_model() -> type[models.Model]:
    return apps.get_model(settings.PAQA_MEMBERSHIP_MODEL)


def access_for(user: Any) -> Access:
    """The user's Access, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return _ANONYMOUS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    rows: Iterable[tuple[int, str]] = (
        membership_model()
        .objects.filter(  # type: ignore[attr-defined]
            user_id=user.pk, archived_at__isnull=True, organisation__archived_at__isnull=True
        )
        .values_list("organisation_id", "role")
    )
    access = Access(user_id=user.pk, grants=frozenset(Grant(o, r) for o, r in rows))
    setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def forget_access(user: Any) -> None:
    """Drop the cached Access after the user's memberships change within one request."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


ModelT = TypeVar("ModelT", bound=models.Model)


def scope_queryset(
    queryset: QuerySet[ModelT],
    user: Any,
    capability: Capability,
    *,
    organisation_field: str = "organisation",
) -> QuerySet[ModelT]:
    """Only the rows whose organisation the user reaches with `capability`."""
    reached = access_for(user).organisation_ids(capability)
    if reached is None:
        return queryset
    if not reached:
        return queryset.none()
    lookup = "id__in" if organisation_field == "" else f"{organisation_field}__in"
    return queryset.filter(Q(**{lookup: reached})).distinct()


def get_for_user(
    queryset: QuerySet[ModelT],
    user: Any,
    *,
    read: Capability,
    write: Capability | None = None,
    organisation_field: str = "organisation",
    organisation_of: Any = None,
    **lookup: Any,
) -> ModelT:
    """Fetch one record the user may read: 404 outside their reach, 403 if they may not write.

    `organisation_of(record) -> int` names the organisation a write is checked against when it
    is not simply `record.<organisation_field>_id` (for records reached through memberships).
    """
    try:
        record = scope_queryset(queryset, user, read, organisation_field=organisation_field).get(
            **lookup
        )
    except (ObjectDoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such record in your reach.") from missing
    if write is not None:
        if organisation_of is not None:
            organisation_id = organisation_of(record)
        elif organisation_field == "":
            organisation_id = record.pk
        else:
            organisation_id = getattr(record, f"{organisation_field}_id")
        if not access_for(user).can(write, organisation_id):
            raise PermissionDenied("Your role lets you read this record but not change it.")
    return record


def require(user: Any, capability: Capability, organisation_id: int | None = None) -> None:
    """403 unless the user has the capability (somewhere, or in the given organisation)."""
    if not access_for(user).can(capability, organisation_id):
        raise PermissionDenied("Your role does not allow this.")
