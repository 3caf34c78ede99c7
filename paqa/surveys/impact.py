"""The agencies' annual impact assessment: one return per invited organisation.

Writes: creating a year's survey from the shipped pack, inviting organisations (each gets one
draft response, its return), saving and submitting a return, reminding organisations that have
not returned. Reads: the return rate, and one organisation's return under this access policy:

- an agency lead (ANSWER_ORGANISATION_SURVEYS, own organisation) sees and edits their own
  organisation's return, draft or submitted; another organisation's return does not exist for
  them (404), even once submitted;
- the partnership (MANAGE_SURVEYS, or VIEW_SURVEY_RESULTS for people who answer for no
  organisation) sees a return once it is submitted, and never a draft (404);
- a submitted return is locked: nobody changes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from paqa.accounts.models import User
from paqa.core.access import Access, Capability, Role, access_for, require
from paqa.core.history import stamp_actor
from paqa.partnership.models import Membership, Organisation
from paqa.surveys import engine
from paqa.surveys.models import Page, Question, Response, Survey, SurveyInvitation
from paqa.surveys.services import (
    SurveyPackError,
    answers_by_code,
    answers_save,
    new_submission_key,
    response_submit,
    survey_from_yaml,
)

IMPACT_SERIES = "impact-assessment"
IMPACT_PACK = Path(__file__).resolve().parent / "packs" / "impact-assessment.yaml"


def _date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# Creating a year's survey ------------------------------------------------------------------


def impact_survey_create(
    *, year: str, opens_on: date, closes_on: date, actor: User | None, path: Path = IMPACT_PACK
) -> Survey:
    """A year's impact assessment, built from the shipped questionnaire (or another pack)."""
    year = str(year).strip()
    if not year:
        raise ValidationError({"year": "Enter the year, like 2018-19"})
    if closes_on < opens_on:
        raise ValidationError(
            {"closes_on": "The closing date must be on or after the opening date"}
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SurveyPackError(f"{path.name}: {error}") from error
    if not isinstance(data, dict):
        raise SurveyPackError(f"{path.name} must describe one survey")
    if data.get("kind") != Survey.Kind.ORGANISATION:
        raise SurveyPackError(f"{path.name} is not a survey with one return per organisation")
    series = data.get("series") or IMPACT_SERIES
    if Survey.objects.filter(series=series, year=year).exists():
        raise ValidationError({"year": f"There is already an impact assessment for {year}"})
    data.update(
        series=series,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        public_slug=slugify(f"{series}-{year}"),
    )
    return survey_from_yaml(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), actor=actor)


def impact_survey_get(pk: int) -> Survey:
    """A survey with one return per organisation, or 404."""
    survey = Survey.objects.filter(pk=pk, kind=Survey.Kind.ORGANISATION).first()
    if survey is None:
        raise Http404("No such impact assessment.")
    return survey


def _check_organisation_survey(survey: Survey) -> None:
    if survey.kind != Survey.Kind.ORGANISATION:
        raise ValidationError("Only a survey with one return per organisation takes invitations")


# Inviting and reminding --------------------------------------------------------------------


def _agency_lead_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation=organisation,
            role=Role.AGENCY_LEAD,
            archived_at__isnull=True,
            user__is_active=True,
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    transaction.on_commit(partial(send_mail, subject, body, None, recipients))


def _where(return_url: str) -> str:
    if return_url:
        return f"Sign in to PAQA to complete it: {return_url}\n"
    return "Sign in to PAQA to complete it.\n"


@transaction.atomic
def invitations_send(
    *,
    survey: Survey,
    organisations: Iterable[Organisation],
    actor: User | None,
    return_url: str = "",
) -> list[SurveyInvitation]:
    """Invite each organisation once, each with its own draft return (a response with a new
    submission key). Inviting again changes nothing. Returns the invitations this call made;
    their agency leads are emailed once the transaction commits."""
    _check_organisation_survey(survey)
    made: list[SurveyInvitation] = []
    for organisation in dict.fromkeys(organisations):
        if organisation.is_archived:
            raise ValidationError(f"{organisation.name} is archived, so it cannot be invited")
        invitation = (
            SurveyInvitation.objects.select_for_update()
            .filter(survey=survey, organisation=organisation)
            .first()
        )
        if invitation is None:
            try:
                with transaction.atomic():
                    response = Response.objects.create(
                        survey=survey,
                        organisation=organisation,
                        submission_key=new_submission_key(),
                    )
                    invitation = SurveyInvitation(
                        survey=survey, organisation=organisation, response=response
                    )
                    stamp_actor(invitation, actor)
                    invitation.save()
            except IntegrityError:
                continue  # invited at the same moment by someone else
            made.append(invitation)
            recipients = _agency_lead_emails(organisation)
            if recipients:
                _mail(
                    f"{survey}: please send {organisation.name}'s return by "
                    f"{_date(survey.closes_on)}",
                    f"{organisation.name} is asked to send one return for the {survey}. "
                    f"It opens on {_date(survey.opens_on)} and closes on "
                    f"{_date(survey.closes_on)}.\n\n{_where(return_url)}",
                    recipients,
                )
        elif invitation.response_id is None:
            invitation.response = Response.objects.create(
                survey=survey, organisation=organisation, submission_key=new_submission_key()
            )
            stamp_actor(invitation, actor)
            invitation.save()
    return made


def _not_returned(survey: Survey) -> QuerySet[SurveyInvitation]:
    return (
        SurveyInvitation.objects.filter(survey=survey)
        .exclude(response__status=Response.Status.SUBMITTED)
        .select_related("organisation")
        .order_by("organisation__name")
    )


@transaction.atomic
def impact_reminders_send(
    *, survey: Survey, actor: User | None, return_url: str = ""
) -> list[SurveyInvitation]:
    """Email the agency leads of every invited organisation that has not submitted its return.
    Each reminder is counted on the invitation; organisations without an agency lead are
    skipped (and not counted). Returns the invitations reminded."""
    _check_organisation_survey(survey)
    reminded = []
    now = timezone.now()
    for invitation in _not_returned(survey).select_for_update(of=("self",)):
        recipients = _agency_lead_emails(invitation.organisation)
        if not recipients:
            continue
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now
        stamp_actor(invitation, actor)
        invitation.save()
        reminded.append(invitation)
        _mail(
            f"Reminder: {invitation.organisation.name}'s {survey} return is due "
            f"{_date(survey.closes_on)}",
            f"{invitation.organisation.name}'s return for the {survey} has not been sent yet. "
            f"The survey closes on {_date(survey.closes_on)}.\n\n{_where(return_url)}",
            recipients,
        )
    return reminded


# The access policy ---------------------------------------------------------------------------


def _answers_for(access: Access, organisation_id: int) -> bool:
    """May the user see and edit this organisation's return (their own organisation)?"""
    own = access.organisation_ids(Capability.ANSWER_ORGANISATION_SURVEYS)
    return own is None or organisation_id in own


def _reads_submitted(access: Access) -> bool:
    """Does the user see every organisation's return once it is submitted? Those who run the
    impact assessment for the partnership (the business unit and PAQA) and the board it reports
    to; agency staff see their own organisation's return and the partnership's results, as
    with self-assessment."""
    return access.can_everywhere(Capability.MANAGE_SURVEYS) or access.has_role(Role.BOARD_MEMBER)


def _may_read(access: Access, organisation_id: int, submitted: bool) -> bool:
    return _answers_for(access, organisation_id) or (submitted and _reads_submitted(access))


# Reading -------------------------------------------------------------------------------------


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


def invitations_for(user: Any, survey: Survey) -> list[ReturnRow]:
    """Every invited organisation and whether it has returned (statuses only, no answers)."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    if survey.kind != Survey.Kind.ORGANISATION:
        raise Http404("No such impact assessment.")
    access = access_for(user)
    rows = []
    for invitation in (
        SurveyInvitation.objects.filter(survey=survey)
        .select_related("organisation", "response")
        .order_by("organisation__name")
    ):
        submitted = (
            invitation.response is not None
            and invitation.response.status == Response.Status.SUBMITTED
        )
        rows.append(
            ReturnRow(
                invitation=invitation,
                readable=_may_read(access, invitation.organisation_id, submitted),
                editable=_answers_for(access, invitation.organisation_id) and not submitted,
            )
        )
    return rows


def return_rate(rows: list[ReturnRow]) -> ReturnRate:
    return ReturnRate(invited=len(rows), returned=sum(1 for row in rows if row.returned))


def organisations_to_invite(survey: Survey) -> QuerySet[Organisation]:
    """Live organisations not yet invited to this survey."""
    invited = SurveyInvitation.objects.filter(survey=survey).values("organisation_id")
    return Organisation.objects.filter(archived_at__isnull=True).exclude(pk__in=invited)


def own_invitations(user: Any, survey: Survey) -> list[SurveyInvitation]:
    """The invitations of the organisations the user answers for."""
    own = access_for(user).organisation_ids(Capability.ANSWER_ORGANISATION_SURVEYS)
    invitations = SurveyInvitation.objects.filter(
        survey=survey, response__isnull=False
    ).select_related("organisation", "response")
    if own is not None:
        invitations = invitations.filter(organisation_id__in=own)
    return list(invitations.order_by("organisation__name"))


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


def organisation_return(user: Any, survey: Survey, organisation: Organisation) -> ImpactReturn:
    """The organisation's return, or 404: another organisation's return for an agency lead,
    a draft for the partnership, or an organisation that was not invited."""
    invitation = (
        SurveyInvitation.objects.filter(survey=survey, organisation=organisation)
        .select_related("survey", "organisation", "response")
        .first()
    )
    if invitation is None or invitation.response is None:
        raise Http404("No such return.")
    access = access_for(user)
    submitted = invitation.response.status == Response.Status.SUBMITTED
    if not _may_read(access, organisation.pk, submitted):
        raise Http404("No such return in your reach.")
    return ImpactReturn(
        invitation=invitation,
        response=invitation.response,
        can_edit=_answers_for(access, organisation.pk) and not submitted,
        may_answer=_answers_for(access, organisation.pk),
    )


def survey_pages(survey: Survey) -> list[Page]:
    return list(survey.pages.prefetch_related("questions"))


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class SummaryPage:
    number: int
    page: Page
    items: list[tuple[Question, str]]  # each visible question and its answer, as text


def return_summary(response: Response) -> list[SummaryPage]:
    """The visible pages and questions with their answers (empty text: not answered)."""
    answers = answers_by_code(response)
    return [
        SummaryPage(
            number=number,
            page=page,
            items=[
                (question, _shown(answers.get(question.code)))
                for question in engine.visible_questions(page, answers)
            ],
        )
        for number, page in enumerate(
            engine.visible_pages(survey_pages(response.survey), answers), start=1
        )
    ]


def return_problems(response: Response) -> list[tuple[int, Question]]:
    """Required questions still unanswered, with the number of the page they are on."""
    answers = answers_by_code(response)
    problems = []
    for number, page in enumerate(
        engine.visible_pages(survey_pages(response.survey), answers), start=1
    ):
        for question in engine.visible_questions(page, answers):
            if question.required and answers.get(question.code) in (None, "", []):
                problems.append((number, question))
    return problems


# Answering -----------------------------------------------------------------------------------


def _check_editable(impact_return: ImpactReturn) -> None:
    if not impact_return.can_edit:
        raise ValidationError(
            "This return has been sent, so it cannot be changed. Ask the partnership’s business "
            "unit if something needs correcting."
            if impact_return.submitted
            else "Only the organisation’s agency lead can change its return"
        )
    if not impact_return.survey.is_open():
        raise ValidationError(f"The {impact_return.survey} is closed")


def impact_answers_save(
    *,
    impact_return: ImpactReturn,
    values: dict[str, Any],
    questions: list[Question],
    page_number: int,
) -> Response:
    """Save one page of a draft return (answers_save does nothing once it is submitted)."""
    _check_editable(impact_return)
    return answers_save(
        response=impact_return.response,
        values=values,
        questions=questions,
        page_number=page_number,
    )


@transaction.atomic
def impact_return_submit(*, impact_return: ImpactReturn, actor: User) -> tuple[Response, bool]:
    """Send the return, once; it is locked from then on. Who sent it is kept in the
    invitation's history. Returns the response and whether this call submitted it."""
    locked = Response.objects.select_for_update().get(pk=impact_return.response.pk)
    if locked.status == Response.Status.SUBMITTED:
        return locked, False
    _check_editable(impact_return)
    problems = return_problems(locked)
    if problems:
        raise ValidationError(
            [f"Answer ‘{question.text}’ (page {number})" for number, question in problems]
        )
    response, submitted = response_submit(response=locked)
    if submitted:
        invitation = impact_return.invitation
        stamp_actor(invitation, actor)
        invitation.save()
    return response, submitted
