"""Writes for surveys: building from YAML, responding and submitting exactly once, coding
free-text answers, and the agencies' impact assessment (invitations, returns, reminders).

Writes that change a record people are accountable for are given the acting person and keep
it in the history; views check the capability first.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.core.history import stamp_actor
from paqa.partnership.models import Membership, Organisation
from paqa.surveys import selectors, yaml_io
from paqa.surveys.coding import clean_keywords
from paqa.surveys.impact import IMPACT_PACK, IMPACT_SERIES, ImpactReturn
from paqa.surveys.models import (
    Answer,
    AnswerCode,
    Code,
    Page,
    Question,
    Response,
    Survey,
    SurveyInvitation,
)

_RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class SurveyPackError(ValueError):
    """A survey file that cannot be built: `problems` lists every one, each naming its line."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# Building ----------------------------------------------------------------------------------


def _free_public_slug(wanted: str, series: str, year: str) -> str:
    """The public link's slug: the one the file asks for if no survey has it, else one made
    from the series and year (numbered if that is taken too)."""
    if wanted and not Survey.objects.filter(public_slug=wanted).exists():
        return wanted
    base = slugify(f"{series}-{year}")[:70].strip("-") or "survey"
    slug, number = base, 2
    while Survey.objects.filter(public_slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _stamped(record: Any, actor: User | None, reason: str) -> Any:
    stamp_actor(record, actor)
    if reason:
        record._change_reason = reason
    record.save()
    return record


@transaction.atomic
def survey_from_yaml(
    text: str,
    *,
    actor: User | None = None,
    status: str = Survey.Status.PUBLISHED,
    reason: str = "",
) -> Survey:
    """Build a survey, its pages, questions and codebook from its YAML description (the format
    `survey_to_yaml` writes; see `yaml_io`). The file is checked whole first: if anything is
    wrong, nothing is written and SurveyPackError lists every problem, each with its line.
    Every record made is in the history as made by `actor` (with `reason`, if given)."""
    data, problems = yaml_io.read_survey(text)
    if data.series and data.year:
        existing = Survey.objects.filter(series=data.series, year=data.year).first()
        if existing is not None:
            problems.append(
                yaml_io.Problem(
                    f"There is already a survey of the series ‘{data.series}’ for {data.year} "
                    f"(‘{existing.title}’). Change ‘year’, or ‘series’ for a new series",
                    data.line_of("year"),
                )
            )
    if problems:
        raise SurveyPackError(yaml_io.in_file_order(problems))
    if data.opens_on is None or data.closes_on is None:  # reported as problems above
        raise SurveyPackError("The survey needs ‘opens_on’ and ‘closes_on’")
    survey = Survey(
        series=data.series,
        year=data.year,
        title=data.title,
        kind=data.kind,
        introduction=data.introduction,
        opens_on=data.opens_on,
        opens_time=data.opens_time,
        closes_on=data.closes_on,
        closes_time=data.closes_time,
        public_slug=_free_public_slug(data.public_slug, data.series, data.year),
        status=status,
    )
    try:
        with transaction.atomic():
            _stamped(survey, actor, reason)
    except IntegrityError as clash:  # the same series and year, saved a moment ago
        raise SurveyPackError(
            str(
                yaml_io.Problem(
                    "A survey of this series and year has just been made by someone else",
                    data.line_of("year"),
                )
            )
        ) from clash
    for page_number, page_data in enumerate(data.pages, start=1):
        page = _stamped(
            Page(
                survey=survey,
                order=page_number,
                title=page_data.title,
                show_if=page_data.show_if,
            ),
            actor,
            reason,
        )
        for order, question in enumerate(page_data.questions, start=1):
            _stamped(
                Question(
                    page=page,
                    order=order,
                    code=question.code,
                    kind=question.kind,
                    text=question.text,
                    help_text=question.help_text,
                    required=question.required,
                    choices=question.choices,
                    show_if=question.show_if,
                    themes=question.themes,
                    breakdown=question.breakdown,
                ),
                actor,
                reason,
            )
    for code in data.codes:
        _stamped(
            Code(
                survey=survey,
                slug=code.slug,
                label=code.label,
                theme=code.theme,
                keywords=code.keywords,
            ),
            actor,
            reason,
        )
    return survey


def survey_to_yaml(survey: Survey) -> str:
    """The survey as a YAML file: everything needed to build the same survey again (its
    details, pages, questions, rules, themes and codebook), in three queries."""
    data: dict[str, Any] = {
        "series": survey.series,
        "year": survey.year,
        "title": survey.title,
        "kind": survey.kind,
        "introduction": survey.introduction,
        "opens_on": survey.opens_on,
        "opens_time": survey.opens_time,
        "closes_on": survey.closes_on,
        "closes_time": survey.closes_time,
        "public_slug": survey.public_slug,
        "pages": [],
    }
    for page in survey.pages.order_by("order").prefetch_related("questions"):
        entry: dict[str, Any] = {"title": page.title}
        if page.show_if:
            entry["show_if"] = dict(page.show_if)
        entry["questions"] = []
        for question in sorted(page.questions.all(), key=lambda each: each.order):
            item: dict[str, Any] = {
                "code": question.code,
                "kind": question.kind,
                "text": question.text,
            }
            if question.help_text:
                item["help_text"] = question.help_text
            if question.required:
                item["required"] = True
            for key in ("choices", "show_if", "themes"):
                value = getattr(question, key)
                if value:
                    item[key] = list(value) if isinstance(value, list) else dict(value)
            if question.breakdown:
                item["breakdown"] = question.breakdown
            entry["questions"].append(item)
        data["pages"].append(entry)
    codes = [
        {
            "slug": code.slug,
            "label": code.label,
            **({"theme": code.theme} if code.theme else {}),
            **({"keywords": list(code.keywords)} if code.keywords else {}),
        }
        for code in survey.codes.order_by("label", "slug")
    ]
    if codes:
        data["codes"] = codes
    return yaml_io.dump(data)


# Responding --------------------------------------------------------------------------------


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def response_for_key(
    *, survey: Survey, key: str, organisation: Organisation | None = None
) -> Response:
    """The response this key belongs to, made on first use. Two requests with the same key
    (a double click, a resent form) always land on the same response."""
    if not key or len(key) > 64:
        raise ValidationError("This link is not valid")
    existing = Response.objects.filter(submission_key=key).first()
    if existing is not None:
        if existing.survey_id != survey.pk:
            raise ValidationError("This link is not valid")
        return existing
    try:
        with transaction.atomic():
            return Response.objects.create(
                survey=survey, submission_key=key, organisation=organisation
            )
    except IntegrityError:
        return Response.objects.get(submission_key=key, survey=survey)


@transaction.atomic
def answers_save(
    *, response: Response, values: dict[str, Any], questions: list[Question], page_number: int
) -> Response:
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.status == Response.Status.SUBMITTED:
        return locked
    for question in questions:
        value = values.get(question.code)
        empty = value in (None, "", [])
        Answer.objects.filter(response=locked, question=question).delete()
        if not empty:
            Answer.objects.create(response=locked, question=question, value=value)
    locked.reached_page = max(locked.reached_page, page_number + 1)
    locked.save(update_fields=["reached_page"])
    return locked


def resume_code_issue(*, response: Response) -> str:
    """A short code to come back with; only its hash is kept, and it replaces any earlier one."""
    code = "".join(secrets.choice(_RESUME_ALPHABET) for _ in range(8))
    Response.objects.filter(pk=response.pk).update(resume_code_hash=_hash(code))
    return f"{code[:4]}-{code[4:]}"


def response_for_resume_code(*, survey: Survey, code: str) -> Response | None:
    cleaned = code.strip()
    if not cleaned:
        return None
    return Response.objects.filter(
        survey=survey, resume_code_hash=_hash(cleaned), status=Response.Status.DRAFT
    ).first()


@transaction.atomic
def response_submit(*, response: Response) -> tuple[Response, bool]:
    """Submit once. Returns the response and whether this call submitted it."""
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.status == Response.Status.SUBMITTED:
        return locked, False
    locked.status = Response.Status.SUBMITTED
    locked.submitted_on = timezone.localdate()
    locked.resume_code_hash = ""
    locked.save(update_fields=["status", "submitted_on", "resume_code_hash"])
    return locked, True


# Coding free text --------------------------------------------------------------------------


@transaction.atomic
def code_create(
    *,
    survey: Survey,
    label: str,
    theme: str = "",
    keywords: Sequence[str] = (),
    actor: User | None,
) -> Code:
    """Add a code to the survey's codebook. `theme` is the slug of the shared theme it belongs
    to (blank for a code of this survey only); `keywords` suggest it for answers using them."""
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter a name for the code"})
    if len(label) > 200:
        raise ValidationError({"label": "The name must be 200 characters or fewer"})
    slug = slugify(label)[:60].strip("-")
    if not slug:
        raise ValidationError({"label": "The name must include letters or numbers"})
    existing = Code.objects.filter(survey=survey, slug=slug).first()
    if existing is not None:
        raise ValidationError({"label": f"There is already a code called ‘{existing.label}’"})
    code = Code(
        survey=survey,
        slug=slug,
        label=label,
        theme=slugify(theme)[:60],
        keywords=clean_keywords(keywords),
    )
    code._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError as clash:
        raise ValidationError({"label": f"There is already a code called ‘{label}’"}) from clash
    return code


def _check_codable(answer: Answer, codes: Iterable[Code]) -> Survey:
    question = answer.question
    if question.kind != Question.Kind.TEXT:
        raise ValidationError("Only free-text answers are coded")
    survey = question.page.survey
    if answer.response.status != Response.Status.SUBMITTED:
        raise ValidationError("Only answers from submitted responses are coded")
    if any(code.survey_id != survey.pk for code in codes):
        raise ValidationError("A code from another survey’s codebook cannot be used")
    return survey


@transaction.atomic
def answer_code_set(*, answer: Answer, codes: Sequence[Code], actor: User) -> list[AnswerCode]:
    """Make `codes` the answer's codes. Codes kept keep who coded them and when; new ones are
    recorded as coded by `actor` now; dropped ones are deleted, the deletion kept in history."""
    answer = Answer.objects.select_related("question__page__survey", "response").get(pk=answer.pk)
    _check_codable(answer, codes)
    wanted = {code.pk: code for code in codes}
    current = {
        row.code_id: row for row in AnswerCode.objects.select_for_update().filter(answer=answer)
    }
    for code_id, row in current.items():
        if code_id not in wanted:
            row._history_user = actor  # type: ignore[attr-defined]
            row.delete()
    now = timezone.now()
    for code_id, code in wanted.items():
        if code_id not in current:
            row = AnswerCode(answer=answer, code=code, coded_by=actor, coded_at=now)
            row._history_user = actor  # type: ignore[attr-defined]
            row.save()
    return list(
        AnswerCode.objects.filter(answer=answer)
        .select_related("code", "coded_by")
        .order_by("code__label")
    )


@transaction.atomic
def quote_mark(*, answer_code: AnswerCode, representative: bool, actor: User) -> AnswerCode:
    """Mark (or unmark) a coded answer as a quote that speaks for its theme."""
    if answer_code.representative != representative:
        answer_code.representative = representative
        answer_code._history_user = actor  # type: ignore[attr-defined]
        answer_code.save(update_fields=["representative"])
    return answer_code


# The impact assessment ---------------------------------------------------------------------


def _date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
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


def _check_organisation_survey(survey: Survey) -> None:
    if survey.kind != Survey.Kind.ORGANISATION:
        raise ValidationError("Only a survey with one return per organisation takes invitations")
    if survey.status == Survey.Status.DRAFT:
        raise ValidationError(
            "The survey is still a draft: open or schedule it before inviting organisations"
        )


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
    problems = selectors.return_problems(user=actor, impact_return=impact_return)
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
