"""Reads for building and running a survey, given the acting user: the survey to manage, its
structure as the rules see it, the builder's view of its pages and questions, and what a new
survey can start from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from paqa.core.access import Capability, require
from paqa.core.taxonomy import theme_label
from paqa.surveys import selectors
from paqa.surveys.models import Page, Question, Response, Survey
from paqa.surveys.rules import (
    BRANCHABLE,
    PageSpec,
    QuestionSpec,
    answers_offered,
    rule_summary,
    structure_problems,
)


def survey_to_manage(*, user: Any, pk: Any) -> Survey:
    """A survey the user may build and run (403 without the capability, 404 if none)."""
    require(user, Capability.MANAGE_SURVEYS)
    survey = Survey.objects.filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


def page_to_manage(*, user: Any, survey: Survey, pk: Any) -> Page:
    require(user, Capability.MANAGE_SURVEYS)
    page = Page.objects.filter(survey=survey, pk=pk).select_related("survey").first()
    if page is None:
        raise Http404("No such page.")
    return page


def question_to_manage(*, user: Any, survey: Survey, pk: Any) -> Question:
    require(user, Capability.MANAGE_SURVEYS)
    question = (
        Question.objects.filter(page__survey=survey, pk=pk).select_related("page__survey").first()
    )
    if question is None:
        raise Http404("No such question.")
    return question


def copy_sources(*, user: Any) -> list[Survey]:
    """Earlier surveys a new one can copy, newest first."""
    require(user, Capability.MANAGE_SURVEYS)
    return list(Survey.objects.order_by("-year", "title"))


def has_responses(*, survey: Survey) -> bool:
    return Response.objects.filter(survey=survey).exists()


def _pages(survey: Survey) -> list[Page]:
    return list(survey.pages.order_by("order").prefetch_related("questions"))


def _specs(pages: list[Page]) -> list[PageSpec]:
    return [
        PageSpec(
            title=page.title,
            show_if=page.show_if,
            questions=[
                QuestionSpec(
                    code=q.code, kind=q.kind, text=q.text, choices=q.choices, show_if=q.show_if
                )
                for q in page.questions.all()
            ],
        )
        for page in pages
    ]


def structure(*, survey: Survey) -> list[PageSpec]:
    """The survey's pages and questions as the structure rules check them (two queries)."""
    return _specs(_pages(survey))


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    number: int
    rule: str
    answers: int
    first: bool
    last: bool

    @property
    def theme_labels(self) -> list[str]:
        return [theme_label(slug) for slug in self.question.themes]


@dataclass(frozen=True)
class PageRow:
    page: Page
    number: int
    rule: str
    questions: list[QuestionRow]
    first: bool
    last: bool


@dataclass(frozen=True)
class Builder:
    survey: Survey
    pages: list[PageRow]
    problems: list[str]
    responses: int
    submitted: int

    @property
    def locked(self) -> bool:
        return self.responses > 0

    @property
    def question_count(self) -> int:
        return sum(len(page.questions) for page in self.pages)


def builder(*, user: Any, survey: Survey) -> Builder:
    """Everything the survey's management page shows, in a fixed number of queries."""
    require(user, Capability.MANAGE_SURVEYS)
    pages = _pages(survey)
    answered = dict(
        Question.objects.filter(page__survey=survey)
        .annotate(n=Count("answers"))
        .values_list("pk", "n")
    )
    by_code = {q.code: q for page in pages for q in page.questions.all()}
    counts = Response.objects.filter(survey=survey).aggregate(
        all=Count("pk"), sent=Count("pk", filter=Q(status=Response.Status.SUBMITTED))
    )
    rows = []
    for page_number, page in enumerate(pages, start=1):
        questions = list(page.questions.all())
        rows.append(
            PageRow(
                page=page,
                number=page_number,
                rule=rule_summary(page.show_if, by_code),
                first=page_number == 1,
                last=page_number == len(pages),
                questions=[
                    QuestionRow(
                        question=q,
                        number=i,
                        rule=rule_summary(q.show_if, by_code),
                        answers=answered.get(q.pk, 0),
                        first=page_number == 1 and i == 1,
                        last=page_number == len(pages) and i == len(questions),
                    )
                    for i, q in enumerate(questions, start=1)
                ],
            )
        )
    return Builder(
        survey=survey,
        pages=rows,
        problems=structure_problems(_specs(pages)),
        responses=counts["all"] or 0,
        submitted=counts["sent"] or 0,
    )


def rule_options(
    *,
    user: Any,
    survey: Survey,
    before_page: Page | None = None,
    include_page: bool = False,
    before_question: Question | None = None,
) -> list[tuple[str, str, list[str]]]:
    """The questions a rule may depend on: those answered from a list that come before the page
    (with the page's own questions when `include_page`, for a new question on it) or before the
    question, as (code, wording, answers)."""
    require(user, Capability.MANAGE_SURVEYS)
    options: list[tuple[str, str, list[str]]] = []
    for page in _pages(survey):
        if before_page is not None and page.pk == before_page.pk and not include_page:
            break
        for question in page.questions.all():
            if before_question is not None and question.pk == before_question.pk:
                return options
            if question.kind in BRANCHABLE:
                options.append(
                    (question.code, question.text, answers_offered(question.kind, question.choices))
                )
        if before_page is not None and page.pk == before_page.pk:
            break
    return options


def surveys_listed(*, user: Any, can_manage: bool) -> list[Survey]:
    """The surveys page's list: drafts only for those who build surveys."""
    surveys = selectors.survey_list(user=user)
    if not can_manage:
        surveys = surveys.exclude(status=Survey.Status.DRAFT)
    return list(surveys)
