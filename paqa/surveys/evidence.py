"""The surveys' evidence for other parts, registered in core at start-up: what practitioners
said on each theme in a year (coded comments, theme-tagged questions, quotes), what agencies
named in their impact assessment, and survey results as linkable evidence."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count
from django.urls import reverse

from paqa.core.access import Capability, access_for
from paqa.core.evidence import (
    ChoiceGroup,
    EvidenceItem,
    KeyKind,
    Readings,
    ResolvedEvidence,
    YearPass,
    YearSource,
    by_theme,
    key_pk,
    register_key_kind,
    register_year_source,
)
from paqa.core.taxonomy import canonical_themes
from paqa.surveys.models import AnswerCode, Question, Response, Survey
from paqa.surveys.results import headline
from paqa.surveys.selectors import question_results_in_pass, survey_get

IMPACT_SERIES = "impact-assessment"
# Impact assessment answers name pressures and areas for improvement in their own words.
IMPACT_CHOICE_THEMES = {
    "Information sharing, working agreements and communication": "information-sharing",
    "Commitment to and engagement with multi-agency work": "co-ordinated-work",
    "Recruitment and retention": "recruitment-and-retention",
    "Increasing demand for services": "workload",
}
QUOTES_PER_THEME = 3


def _submitted_in_year(year: str) -> dict[str, Any]:
    return {
        "answer__response__survey__year": year,
        "answer__response__status": Response.Status.SUBMITTED,
    }


def practitioner_readings(year_pass: YearPass) -> Readings:
    """Comments coded with a theme's codes (each a concern), survey questions tagged with the
    theme and what people answered, and the comments chosen as representative."""
    readings: Readings = {}
    coded = (
        AnswerCode.objects.filter(**_submitted_in_year(year_pass.year))
        .exclude(code__theme="")
        .values_list("code__theme", "code__label", "code__survey__title")
        .annotate(count=Count("pk"))
        .order_by("-count", "code__label", "code__survey__title")
    )
    for theme, label, survey_title, count in coded:
        for reading in by_theme(readings, canonical_themes([theme])):
            reading.concerns += count
            reading.items.append(
                EvidenceItem(text=f"{survey_title}: {count} comments coded ‘{label}’")
            )
    tagged: dict[int, list[Question]] = defaultdict(list)
    surveys: dict[int, Survey] = {}
    for question in Question.objects.filter(page__survey__year=year_pass.year).select_related(
        "page__survey"
    ):
        if canonical_themes(question.themes):
            tagged[question.page.survey_id].append(question)
            surveys[question.page.survey_id] = question.page.survey
    for survey in sorted(surveys.values(), key=lambda each: each.title):
        results = question_results_in_pass(year_pass=year_pass, survey=survey)
        for question in tagged[survey.pk]:
            sentence = headline(results, question.code, "Yes") or headline(
                results, question.code, "Agree"
            )
            if not sentence:
                continue
            for reading in by_theme(readings, canonical_themes(question.themes)):
                reading.items.append(EvidenceItem(text=f"{survey.title}: {sentence}"))
    quotes = (
        AnswerCode.objects.filter(representative=True, **_submitted_in_year(year_pass.year))
        .exclude(code__theme="")
        .select_related("answer", "code")
        .order_by("pk")
    )
    quoted: Counter[str] = Counter()
    for quote in quotes:
        for theme in canonical_themes([quote.code.theme]):
            if quoted[theme] < QUOTES_PER_THEME:
                quoted[theme] += 1
                by_theme(readings, [theme])[0].items.append(
                    EvidenceItem(text=f"“{quote.answer.value}”", tag="Quote")
                )
    return readings


def impact_readings(year_pass: YearPass) -> Readings:
    """How many organisations named each pressure or area for improvement that stands for a
    theme, in the year's impact assessment."""
    readings: Readings = {}
    for survey in Survey.objects.published().filter(series=IMPACT_SERIES, year=year_pass.year):
        for result in question_results_in_pass(year_pass=year_pass, survey=survey):
            if result.question.kind != Question.Kind.MULTIPLE:
                continue
            for option in result.options:
                theme = IMPACT_CHOICE_THEMES.get(option.option)
                if theme is None or not option.count:
                    continue
                question = result.question.text.rstrip("?")
                by_theme(readings, [theme])[0].items.append(
                    EvidenceItem(
                        text=f"{option.count} organisations named ‘{option.option}’ ({question})"
                    )
                )
    return readings


def _comments(count: int) -> str:
    return f"practitioners made {count} {'comment' if count == 1 else 'comments'} about it"


def _years() -> list[str]:
    return list(Survey.objects.published().order_by().values_list("year", flat=True).distinct())


def _survey(user: Any, ident: str) -> ResolvedEvidence:
    survey = survey_get(user=user, pk=key_pk(ident))
    return ResolvedEvidence(
        key="",
        label=str(survey),
        url=reverse("surveys:results", args=[survey.pk]),
        kind="Survey results",
    )


def _survey_choices(user: Any) -> list[ChoiceGroup]:
    if not access_for(user).can(Capability.VIEW_SURVEY_RESULTS):
        return []
    surveys = Survey.objects.published().order_by("-year", "title")
    return [
        ("Survey results", [(f"surveys.survey:{survey.pk}", str(survey)) for survey in surveys])
    ]


def register() -> None:
    register_year_source(
        YearSource(
            key="practitioners",
            label="Practitioners",
            order=40,
            capability=Capability.VIEW_SURVEY_RESULTS,
            read=practitioner_readings,
            concerns=_comments,
            years=_years,
        )
    )
    register_year_source(
        YearSource(
            key="impact-assessment",
            label="Agencies' impact assessment",
            order=50,
            capability=Capability.VIEW_SURVEY_RESULTS,
            read=impact_readings,
        )
    )
    register_key_kind(
        KeyKind(prefix="surveys.survey", resolve=_survey, choices=_survey_choices, order=40)
    )
