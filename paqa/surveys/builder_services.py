"""Writes for building and running a survey: creating it from a pack or an earlier survey, the
question builder (pages, questions, branching rules), and opening, scheduling, closing and
reopening it.

Every change is made as one person, kept in the history, and raises the survey's `version`: a
change based on an older version than the one saved raises `SurveyConflict` and nothing is
written, so two people building the same survey never overwrite each other. No change may
leave the survey with a problem it did not have (a rule pointing forwards or at nothing, a code
used twice); once anyone has answered, its questions are locked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from paqa.accounts.models import User
from paqa.core.taxonomy import THEMES
from paqa.surveys import builder_selectors
from paqa.surveys.impact import IMPACT_PACK
from paqa.surveys.models import Answer, Code, Page, Question, Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK
from paqa.surveys.rules import NEEDS_CHOICES, dates_problem, structure_problems
from paqa.surveys.services import survey_from_yaml

#: Where a new survey's questions come from: a shipped pack, by name.
PACKS: dict[str, tuple[str, Path]] = {
    "practitioner-survey": (
        "The practitioner survey pack (anonymous, by public link)",
        PRACTITIONER_PACK,
    ),
    "impact-assessment": (
        "The annual impact assessment pack (one return per organisation)",
        IMPACT_PACK,
    ),
}
BLANK = "blank"
NO_QUESTIONS = "The survey has no questions: add at least one question"


class SurveyConflict(Exception):
    """Someone else changed the survey since this form was shown. Nothing was written."""

    def __init__(self, survey: Survey, yours: Mapping[str, Any]) -> None:
        super().__init__(f"{survey} was changed by someone else")
        self.survey = survey
        self.yours = dict(yours)


class SurveyLocked(ValidationError):
    pass


@dataclass(frozen=True)
class Schedule:
    opens_on: date
    opens_time: time
    closes_on: date
    closes_time: time

    def opens_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.opens_on, self.opens_time))

    def closes_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.closes_on, self.closes_time))


def _check_schedule(schedule: Schedule) -> None:
    problem = dates_problem(schedule.opens_at(), schedule.closes_at())
    if problem:
        raise ValidationError({"closes_on": problem})


def _save(record: Any, actor: User | None, reason: str = "") -> None:
    record._history_user = actor
    if reason:
        record._change_reason = reason
    record.save()


def _delete(record: Any, actor: User | None) -> None:
    record._history_user = actor
    record.delete()


def _claim(survey: Survey, based_on_version: int, yours: Mapping[str, Any]) -> Survey:
    """Lock the survey's row; raise SurveyConflict if it moved on since the form was shown."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.version != based_on_version:
        raise SurveyConflict(locked, yours)
    return locked


def _bump(survey: Survey, actor: User | None, reason: str = "") -> Survey:
    survey.version += 1
    _save(survey, actor, reason)
    return survey


def _check_not_locked(survey: Survey, what: str) -> None:
    if builder_selectors.has_responses(survey=survey):
        raise SurveyLocked(
            f"People have already answered this survey, so its questions are locked: {what}. "
            "You can still change a question’s wording, giving a reason."
        )


def _check_no_new_problems(survey: Survey, before: Sequence[str]) -> None:
    """Refuse a change that gives the survey a problem it did not have (rolled back)."""
    after = structure_problems(builder_selectors.structure(survey=survey))
    new = [problem for problem in after if problem not in before and problem != NO_QUESTIONS]
    if new:
        raise ValidationError(new)


# Creating --------------------------------------------------------------------------------


def _check_year(series: str, year: str) -> None:
    if not year:
        raise ValidationError({"year": "Enter the reporting year, like 2026-27"})
    if Survey.objects.filter(series=series, year=year).exists():
        raise ValidationError({"year": f"There is already a survey of this series for {year}"})


def _unique_slug(series: str, year: str) -> str:
    base = slugify(f"{series}-{year}")[:70] or "survey"
    slug, number = base, 2
    while Survey.objects.filter(public_slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _apply_details(survey: Survey, *, title: str, schedule: Schedule, kind: str) -> None:
    survey.title = title
    survey.opens_on, survey.opens_time = schedule.opens_on, schedule.opens_time
    survey.closes_on, survey.closes_time = schedule.closes_on, schedule.closes_time
    if kind:
        survey.kind = kind


def _copy_structure(source: Survey, survey: Survey, actor: User | None) -> None:
    for page in source.pages.prefetch_related("questions"):
        new_page = Page(survey=survey, order=page.order, title=page.title, show_if=page.show_if)
        _save(new_page, actor)
        for question in page.questions.all():
            copy = Question(
                page=new_page,
                order=question.order,
                code=question.code,
                kind=question.kind,
                text=question.text,
                help_text=question.help_text,
                required=question.required,
                choices=list(question.choices),
                show_if=dict(question.show_if),
                themes=list(question.themes),
                breakdown=question.breakdown,
            )
            _save(copy, actor)
    for code in source.codes.all():
        _save(
            Code(
                survey=survey,
                slug=code.slug,
                label=code.label,
                theme=code.theme,
                keywords=list(code.keywords),
            ),
            actor,
        )


@transaction.atomic
def survey_create(
    *,
    source: str,
    title: str,
    year: str,
    schedule: Schedule,
    kind: str = "",
    actor: User | None,
) -> Survey:
    """A new draft survey for a year. `source` is a pack's name, `survey:<pk>` to copy an
    earlier survey with its questions, themes and codebook, or `blank`. `kind` replaces the
    source's kind when given (a blank survey needs one)."""
    title, year = " ".join(title.split()), year.strip()
    if not title:
        raise ValidationError({"title": "Enter the survey’s title"})
    _check_schedule(schedule)
    if kind and kind not in Survey.Kind.values:
        raise ValidationError({"kind": "Choose how people answer the survey"})
    if source in PACKS:
        data = yaml.safe_load(PACKS[source][1].read_text(encoding="utf-8"))
        _check_year(data["series"], year)
        data.update(
            year=year,
            title=title,
            opens_on=schedule.opens_on,
            closes_on=schedule.closes_on,
            public_slug=_unique_slug(data["series"], year),
        )
        survey = survey_from_yaml(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), actor=actor
        )
        survey.status = Survey.Status.DRAFT
        _apply_details(survey, title=title, schedule=schedule, kind=kind)
        _save(survey, actor)
        return survey
    if source == BLANK:
        if not kind:
            raise ValidationError({"kind": "Choose how people answer a survey that starts blank"})
        series = slugify(title)[:60] or "survey"
        _check_year(series, year)
        survey = Survey(series=series, year=year, public_slug=_unique_slug(series, year))
        survey.status = Survey.Status.DRAFT
        _apply_details(survey, title=title, schedule=schedule, kind=kind)
        _save(survey, actor)
        return survey
    earlier = None
    if source.startswith("survey:") and source[7:].isdigit():
        earlier = Survey.objects.filter(pk=int(source[7:])).first()
    if earlier is None:
        raise ValidationError({"source": "Choose what the survey starts from"})
    _check_year(earlier.series, year)
    survey = Survey(
        series=earlier.series,
        year=year,
        introduction=earlier.introduction,
        kind=earlier.kind,
        public_slug=_unique_slug(earlier.series, year),
        status=Survey.Status.DRAFT,
    )
    _apply_details(survey, title=title, schedule=schedule, kind=kind)
    _save(survey, actor)
    _copy_structure(earlier, survey, actor)
    return survey


@transaction.atomic
def survey_details_update(
    *,
    survey: Survey,
    based_on_version: int,
    title: str,
    introduction: str,
    schedule: Schedule,
    actor: User | None,
) -> Survey:
    title = " ".join(title.split())
    yours = {"Title": title, "Introduction": introduction}
    locked = _claim(survey, based_on_version, yours)
    if not title:
        raise ValidationError({"title": "Enter the survey’s title"})
    _check_schedule(schedule)
    locked.introduction = introduction.strip()
    _apply_details(locked, title=title, schedule=schedule, kind="")
    return _bump(locked, actor)


# Pages ---------------------------------------------------------------------------------------


def _check_rule_shape(show_if: Mapping[str, Any]) -> dict[str, Any]:
    if not show_if:
        return {}
    return {"question": str(show_if["question"]), "in": list(show_if["in"])}


@transaction.atomic
def page_add(
    *,
    survey: Survey,
    based_on_version: int,
    title: str,
    show_if: Mapping[str, Any],
    actor: User | None,
) -> Page:
    title = " ".join(title.split())
    locked = _claim(survey, based_on_version, {"Page title": title})
    _check_not_locked(locked, "pages cannot be added")
    if not title:
        raise ValidationError({"title": "Enter the page’s title"})
    before = structure_problems(builder_selectors.structure(survey=locked))
    last = locked.pages.aggregate(last=Max("order"))["last"] or 0
    page = Page(survey=locked, order=last + 1, title=title, show_if=_check_rule_shape(show_if))
    _save(page, actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)
    return page


@transaction.atomic
def page_update(
    *,
    page: Page,
    based_on_version: int,
    title: str,
    show_if: Mapping[str, Any],
    actor: User | None,
) -> Page:
    title = " ".join(title.split())
    locked = _claim(page.survey, based_on_version, {"Page title": title})
    page = Page.objects.get(pk=page.pk)
    if not title:
        raise ValidationError({"title": "Enter the page’s title"})
    rule = _check_rule_shape(show_if)
    if rule != page.show_if:
        _check_not_locked(locked, "a page’s rule cannot change")
    before = structure_problems(builder_selectors.structure(survey=locked))
    page.title, page.show_if = title, rule
    _save(page, actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)
    return page


def _renumber(records: Sequence[Any], actor: User | None) -> None:
    for order, record in enumerate(records, start=1):
        if record.order != order:
            record.order = order
            _save(record, actor)


@transaction.atomic
def page_move(*, page: Page, based_on_version: int, direction: int, actor: User | None) -> Page:
    locked = _claim(page.survey, based_on_version, {"Move": page.title})
    _check_not_locked(locked, "pages cannot be moved")
    before = structure_problems(builder_selectors.structure(survey=locked))
    pages = list(locked.pages.order_by("order"))
    index = next(i for i, p in enumerate(pages) if p.pk == page.pk)
    target = index + direction
    if not 0 <= target < len(pages):
        raise ValidationError("The page is already at that end of the survey")
    pages[index], pages[target] = pages[target], pages[index]
    # Orders are unique only by convention; move through a free number to keep them distinct.
    _renumber(pages, actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)
    return pages[target]


def _answer_count(questions: Sequence[Question]) -> int:
    return Answer.objects.filter(question__in=questions).count()


@transaction.atomic
def page_remove(*, page: Page, based_on_version: int, actor: User | None) -> None:
    locked = _claim(page.survey, based_on_version, {"Remove page": page.title})
    questions = list(page.questions.all())
    if _answer_count(questions):
        raise SurveyLocked(
            f"‘{page.title}’ cannot be removed: its questions have answers. Answers are never "
            "thrown away."
        )
    before = structure_problems(builder_selectors.structure(survey=locked))
    for question in questions:
        _delete(question, actor)
    _delete(page, actor)
    _renumber(list(locked.pages.order_by("order")), actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)


# Questions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    kind: str
    code: str = ""
    help_text: str = ""
    required: bool = False
    choices: Sequence[str] = ()
    themes: Sequence[str] = ()
    breakdown: str = ""
    show_if: Mapping[str, Any] | None = None

    def as_shown(self) -> dict[str, Any]:
        return {
            "Question": self.text,
            "Type": self.kind,
            "Hint": self.help_text,
            "Answers": "; ".join(self.choices),
        }


def _clean_draft(draft: QuestionDraft, survey: Survey, question: Question | None) -> dict:
    text = " ".join(draft.text.split())
    if not text:
        raise ValidationError({"text": "Enter the question"})
    if draft.kind not in Question.Kind.values:
        raise ValidationError({"kind": "Choose the type of question"})
    choices = [" ".join(str(choice).split()) for choice in draft.choices if str(choice).strip()]
    if draft.kind in NEEDS_CHOICES and len(choices) < 2:
        raise ValidationError({"choices": "Enter at least two answers, one on each line"})
    if len(set(choices)) != len(choices):
        raise ValidationError({"choices": "Enter each answer once"})
    if draft.kind not in (*NEEDS_CHOICES, Question.Kind.LIKERT):
        choices = []
    unknown = [theme for theme in draft.themes if theme not in THEMES]
    if unknown:
        raise ValidationError({"themes": f"Unknown theme {', '.join(unknown)}"})
    code = slugify(draft.code or text)[:60].strip("-")
    if not code:
        raise ValidationError({"code": "The short name must include letters or numbers"})
    clash = Question.objects.filter(page__survey=survey, code=code)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        if draft.code:
            raise ValidationError({"code": f"Another question already uses ‘{code}’"})
        base, number = code[:56], 2
        while Question.objects.filter(page__survey=survey, code=f"{base}-{number}").exists():
            number += 1
        code = f"{base}-{number}"
    return {
        "text": text,
        "kind": draft.kind,
        "code": code,
        "help_text": " ".join(draft.help_text.split()),
        "required": draft.required,
        "choices": choices,
        "themes": list(dict.fromkeys(draft.themes)),
        "breakdown": draft.breakdown,
        "show_if": _check_rule_shape(draft.show_if or {}),
    }


@transaction.atomic
def question_add(
    *, page: Page, based_on_version: int, draft: QuestionDraft, actor: User | None
) -> Question:
    locked = _claim(page.survey, based_on_version, draft.as_shown())
    _check_not_locked(locked, "questions cannot be added")
    fields = _clean_draft(draft, locked, None)
    before = structure_problems(builder_selectors.structure(survey=locked))
    last = page.questions.aggregate(last=Max("order"))["last"] or 0
    question = Question(page=page, order=last + 1, **fields)
    _save(question, actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)
    return question


#: What may change in a question once people have answered: only its wording.
WORDING = ("text", "help_text")


@transaction.atomic
def question_update(
    *,
    question: Question,
    based_on_version: int,
    draft: QuestionDraft,
    actor: User | None,
    reason: str = "",
) -> Question:
    """Change a question. Once people have answered the survey only its wording (question and
    hint) may change, and only with a reason, which is kept in the history."""
    locked = _claim(question.page.survey, based_on_version, draft.as_shown())
    question = Question.objects.get(pk=question.pk)
    fields = _clean_draft(draft, locked, question)
    changed = [name for name, value in fields.items() if getattr(question, name) != value]
    if not changed:
        return question
    reason = " ".join(reason.split())
    if builder_selectors.has_responses(survey=locked):
        others = [name for name in changed if name not in WORDING]
        if others:
            raise SurveyLocked(
                f"People have already answered this survey, so only the wording of "
                f"‘{question.text}’ can change, not its {', '.join(_label(n) for n in others)}"
            )
        if not reason:
            raise ValidationError(
                {
                    "reason": "Give a reason for changing the wording of a question people have "
                    "already answered"
                }
            )
    before = structure_problems(builder_selectors.structure(survey=locked))
    for name in changed:
        setattr(question, name, fields[name])
    _save(question, actor, reason)
    _check_no_new_problems(locked, before)
    _bump(locked, actor, reason)
    return question


def _label(field: str) -> str:
    return {
        "kind": "type",
        "code": "short name",
        "choices": "answers",
        "show_if": "rule",
        "themes": "themes",
        "required": "required setting",
        "breakdown": "breakdown",
    }.get(field, field)


@transaction.atomic
def question_move(
    *, question: Question, based_on_version: int, direction: int, actor: User | None
) -> Question:
    """Move a question up or down; past the top or bottom of its page it goes to the end of the
    page before or the start of the page after."""
    locked = _claim(question.page.survey, based_on_version, {"Move": question.text})
    _check_not_locked(locked, "questions cannot be moved")
    before = structure_problems(builder_selectors.structure(survey=locked))
    pages = list(locked.pages.order_by("order"))
    page_index = next(i for i, p in enumerate(pages) if p.pk == question.page_id)
    siblings = list(pages[page_index].questions.order_by("order"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    target = index + direction
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings, actor)
    else:
        next_index = page_index + direction
        if not 0 <= next_index < len(pages):
            raise ValidationError("The question is already at that end of the survey")
        moved = siblings.pop(index)
        _renumber(siblings, actor)
        others = list(pages[next_index].questions.order_by("order"))
        others = [*others, moved] if direction < 0 else [moved, *others]
        moved.page = pages[next_index]
        moved.order = 0  # renumbered below
        _renumber(others, actor)
        _save(moved, actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)
    return Question.objects.get(pk=question.pk)


@transaction.atomic
def question_remove(*, question: Question, based_on_version: int, actor: User | None) -> None:
    locked = _claim(question.page.survey, based_on_version, {"Remove": question.text})
    if question.answers.exists():
        raise SurveyLocked(
            f"‘{question.text}’ cannot be removed: people have answered it. Answers are never "
            "thrown away."
        )
    before = structure_problems(builder_selectors.structure(survey=locked))
    page = question.page
    _delete(question, actor)
    _renumber(list(page.questions.order_by("order")), actor)
    _check_no_new_problems(locked, before)
    _bump(locked, actor)


# Opening and closing ---------------------------------------------------------------------------


def _check_ready(survey: Survey) -> None:
    problems = structure_problems(builder_selectors.structure(survey=survey))
    if problems:
        raise ValidationError(problems)


def _now() -> tuple[date, time]:
    now = timezone.localtime()
    return now.date(), now.time()


@transaction.atomic
def survey_open(*, survey: Survey, based_on_version: int, actor: User | None) -> Survey:
    """Open now, keeping its closing date (which must still be ahead)."""
    locked = _claim(survey, based_on_version, {"Open": str(survey)})
    if locked.is_open():
        raise ValidationError("The survey is already open")
    _check_ready(locked)
    locked.opens_on, locked.opens_time = _now()
    if locked.closes_at <= timezone.now():
        raise ValidationError(
            {"closes_on": "The closing date has passed: reopen it with a new closing date"}
        )
    locked.status = Survey.Status.PUBLISHED
    return _bump(locked, actor)


@transaction.atomic
def survey_schedule(
    *, survey: Survey, based_on_version: int, schedule: Schedule, actor: User | None
) -> Survey:
    """Publish to open by itself at a time to come."""
    locked = _claim(survey, based_on_version, {"Schedule": str(survey)})
    if locked.is_open():
        raise ValidationError("The survey is already open: close it first")
    _check_schedule(schedule)
    if schedule.opens_at() <= timezone.now():
        raise ValidationError({"opens_on": "The opening date and time must be in the future"})
    _check_ready(locked)
    _apply_details(locked, title=locked.title, schedule=schedule, kind="")
    locked.status = Survey.Status.PUBLISHED
    return _bump(locked, actor)


@transaction.atomic
def survey_close(*, survey: Survey, based_on_version: int, actor: User | None) -> Survey:
    """Close now, before its closing date. Responses already sent are kept."""
    locked = _claim(survey, based_on_version, {"Close": str(survey)})
    if not locked.is_open():
        raise ValidationError("The survey is not open")
    locked.closes_on, locked.closes_time = _now()
    if locked.closes_at <= locked.opens_at:
        locked.closes_time = (locked.opens_at + timedelta(minutes=1)).timetz().replace(tzinfo=None)
    return _bump(locked, actor)


@transaction.atomic
def survey_reopen(
    *, survey: Survey, based_on_version: int, closes_on: date, closes_time: time, actor: User | None
) -> Survey:
    """Open a closed survey again until a new closing date."""
    locked = _claim(survey, based_on_version, {"Reopen": str(survey)})
    if locked.status != Survey.Status.PUBLISHED or locked.phase != "Closed":
        raise ValidationError("Only a closed survey can be reopened")
    closes_at = timezone.make_aware(datetime.combine(closes_on, closes_time))
    if closes_at <= timezone.now():
        raise ValidationError({"closes_on": "The new closing date and time must be in the future"})
    _check_ready(locked)
    locked.closes_on, locked.closes_time = closes_on, closes_time
    return _bump(locked, actor)


@transaction.atomic
def survey_unpublish(*, survey: Survey, based_on_version: int, actor: User | None) -> Survey:
    """Back to a draft, while nobody has answered it (a scheduled survey not yet open)."""
    locked = _claim(survey, based_on_version, {"Back to draft": str(survey)})
    if Response.objects.filter(survey=locked).exists():
        raise SurveyLocked("People have answered this survey, so it cannot go back to a draft")
    locked.status = Survey.Status.DRAFT
    return _bump(locked, actor)
