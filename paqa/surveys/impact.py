"""The agencies' annual impact assessment: one return per invited organisation.

Writes (creating a year's survey from the shipped pack, inviting, saving and submitting a
return, reminding) are in `services`; reads (the return rate, one organisation's return) in
`selectors`. Here: the access policy for returns and the shapes the pages show.

- an agency lead (ANSWER_ORGANISATION_SURVEYS, own organisation) sees and edits their own
  organisation's return, draft or submitted; another organisation's return does not exist for
  them (404), even once submitted;
- the partnership (MANAGE_SURVEYS, or VIEW_SURVEY_RESULTS for people who answer for no
  organisation) sees a return once it is submitted, and never a draft (404);
- a submitted return is locked: nobody changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from paqa.core.access import Access, Capability, Role
from paqa.partnership.models import Organisation
from paqa.surveys.models import Page, Question, Response, Survey, SurveyInvitation

IMPACT_SERIES = "impact-assessment"
IMPACT_PACK = Path(__file__).resolve().parent / "packs" / "impact-assessment.yaml"


# The access policy ---------------------------------------------------------------------------


def answers_for(access: Access, organisation_id: int) -> bool:
    """May the user see and edit this organisation's return (their own organisation)?"""
    own = access.organisation_ids(Capability.ANSWER_ORGANISATION_SURVEYS)
    return own is None or organisation_id in own


def _reads_submitted(access: Access) -> bool:
    """Does the user see every organisation's return once it is submitted? Those who run the
    impact assessment for the partnership (the business unit and PAQA) and the board it reports
    to; agency staff see their own organisation's return and the partnership's results, as
    with self-assessment."""
    return access.can_everywhere(Capability.MANAGE_SURVEYS) or access.has_role(Role.BOARD_MEMBER)


def may_read(access: Access, organisation_id: int, submitted: bool) -> bool:
    return answers_for(access, organisation_id) or (submitted and _reads_submitted(access))


# What the pages show -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    """One invited organisation on the return-rate page."""

    invitation: SurveyInvitation
    readable: bool  # the user may open this return
    editable: bool  # the user may answer it (their organisation's, still a draft)

    @property
    def organisation(self) -> Organisation:
        return self.invitation.organisation

    @property
    def returned(self) -> bool:
        response = self.invitation.response
        return response is not None and response.status == Response.Status.SUBMITTED

    @property
    def submitted_on(self) -> date | None:
        response = self.invitation.response
        return response.submitted_on if response is not None else None

    @property
    def reminders_sent(self) -> int:
        return self.invitation.reminders_sent

    @property
    def last_reminded_at(self) -> datetime | None:
        return self.invitation.last_reminded_at


@dataclass(frozen=True)
class ReturnRate:
    invited: int
    returned: int

    @property
    def not_returned(self) -> int:
        return self.invited - self.returned

    @property
    def percent(self) -> int:
        return round(100 * self.returned / self.invited) if self.invited else 0


def return_rate(rows: list[ReturnRow]) -> ReturnRate:
    return ReturnRate(invited=len(rows), returned=sum(1 for row in rows if row.returned))


@dataclass(frozen=True)
class ImpactReturn:
    """One organisation's return, as the user may reach it."""

    invitation: SurveyInvitation
    response: Response
    can_edit: bool
    may_answer: bool  # the user answers for this organisation (even if the return is sent)

    @property
    def survey(self) -> Survey:
        return self.invitation.survey

    @property
    def organisation(self) -> Organisation:
        return self.invitation.organisation

    @property
    def submitted(self) -> bool:
        return self.response.status == Response.Status.SUBMITTED


@dataclass(frozen=True)
class SummaryPage:
    number: int
    page: Page
    items: list[tuple[Question, str]]  # each visible question and its answer, as text


def shown(value: Any) -> str:
    """An answer as the summary shows it (empty text: not answered)."""
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
