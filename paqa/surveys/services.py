"""Writes for surveys: building from YAML, responding, submitting exactly once."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from paqa.accounts.models import User
from paqa.core.taxonomy import THEMES
from paqa.partnership.models import Organisation
from paqa.surveys.models import Answer, Page, Question, Response, Survey

_RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class SurveyPackError(ValueError):
    pass


# Building ----------------------------------------------------------------------------------


def _themes(slugs: list[str], code: str) -> list[str]:
    unknown = [slug for slug in slugs if slug not in THEMES]
    if unknown:
        raise SurveyPackError(f"Question '{code}': unknown theme {', '.join(unknown)}")
    return list(slugs)


@transaction.atomic
def survey_from_yaml(text: str, *, actor: User | None = None) -> Survey:
    """Build a survey from its YAML description (the format survey_to_yaml writes)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SurveyPackError(f"The file is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise SurveyPackError("The file must describe one survey")
    for key in ("series", "year", "title", "kind", "opens_on", "closes_on", "pages"):
        if key not in data:
            raise SurveyPackError(f"The survey needs '{key}'")
    if data["kind"] not in Survey.Kind.values:
        raise SurveyPackError(f"kind must be one of {', '.join(Survey.Kind.values)}")
    survey = Survey(
        series=data["series"],
        year=str(data["year"]),
        title=data["title"],
        kind=data["kind"],
        introduction=data.get("introduction", ""),
        opens_on=data["opens_on"],
        closes_on=data["closes_on"],
        public_slug=data.get("public_slug") or slugify(f"{data['series']}-{data['year']}"),
    )
    survey._history_user = actor  # type: ignore[attr-defined]
    survey.save()
    codes: set[str] = set()
    for page_number, page_data in enumerate(data["pages"], start=1):
        page = Page.objects.create(
            survey=survey,
            order=page_number,
            title=page_data["title"],
            show_if=page_data.get("show_if", {}),
        )
        for order, question in enumerate(page_data.get("questions", []), start=1):
            code = question["code"]
            if code in codes:
                raise SurveyPackError(f"Question code '{code}' is used twice")
            if question["kind"] not in Question.Kind.values:
                raise SurveyPackError(f"Question '{code}': unknown kind '{question['kind']}'")
            for condition in (question.get("show_if") or {}, page_data.get("show_if") or {}):
                if condition and condition.get("question") not in codes:
                    raise SurveyPackError(
                        f"'{code}' depends on '{condition.get('question')}', "
                        "which must come earlier"
                    )
            codes.add(code)
            Question.objects.create(
                page=page,
                order=order,
                code=code,
                kind=question["kind"],
                text=question["text"],
                help_text=question.get("help_text", ""),
                required=bool(question.get("required")),
                choices=question.get("choices", []),
                show_if=question.get("show_if", {}),
                breakdown=question.get("breakdown", ""),
                themes=_themes(question.get("themes", []), code),
            )
    return survey


def survey_to_yaml(survey: Survey) -> str:
    data: dict[str, Any] = {
        "series": survey.series,
        "year": survey.year,
        "title": survey.title,
        "kind": survey.kind,
        "introduction": survey.introduction,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "public_slug": survey.public_slug,
        "pages": [],
    }
    for page in survey.pages.prefetch_related("questions"):
        entry: dict[str, Any] = {"title": page.title, "questions": []}
        if page.show_if:
            entry["show_if"] = page.show_if
        for question in page.questions.all():
            item: dict[str, Any] = {
                "code": question.code,
                "kind": question.kind,
                "text": question.text,
            }
            for key in ("help_text", "choices", "show_if", "breakdown", "themes"):
                if getattr(question, key):
                    item[key] = getattr(question, key)
            if question.required:
                item["required"] = True
            entry["questions"].append(item)
        data["pages"].append(entry)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


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


def answers_by_code(response: Response) -> dict[str, Any]:
    return {
        answer.question.code: answer.value for answer in response.answers.select_related("question")
    }


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
