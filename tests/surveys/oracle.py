"""The survey results as they were counted before the counting moved into the database: every
submitted answer loaded into Python and counted there. Kept only as the oracle the database
counting is compared with (tests/surveys/test_counting.py); nothing in the app uses it.

It builds the app's own result classes, so a whole results page compares with `==`.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from paqa.surveys.engine import choices_for
from paqa.surveys.models import Answer, Question, Response, Survey
from paqa.surveys.results import (
    CHOICE_KINDS,
    OTHER_GROUP,
    SUPPRESS_BELOW,
    BreakdownCell,
    BreakdownRow,
    BreakdownTable,
    OptionResult,
    QuestionComparison,
    QuestionResult,
    ResultsPage,
    headline,
    wilson_interval,
)


@dataclass
class Loaded:
    survey: Survey
    questions: list[Question]
    answers: dict[int, dict[int, Any]]  # response id -> question id -> value
    organisations: dict[int, str]  # response id -> organisation name, where there is one


def load(survey: Survey) -> Loaded:
    questions = list(
        Question.objects.filter(page__survey=survey)
        .select_related("page")
        .order_by("page__order", "order", "pk")
    )
    answers: dict[int, dict[int, Any]] = defaultdict(dict)
    organisations: dict[int, str] = {}
    rows = (
        Answer.objects.filter(response__survey=survey, response__status=Response.Status.SUBMITTED)
        .order_by("response_id", "pk")
        .values_list("response_id", "question_id", "value", "response__organisation__name")
    )
    for response_id, question_id, value, organisation in rows:
        answers[response_id][question_id] = value
        if organisation:
            organisations[response_id] = organisation
    return Loaded(
        survey=survey, questions=questions, answers=dict(answers), organisations=organisations
    )


def _given(value: Any) -> bool:
    return value not in (None, "", [])


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if _given(item)]
    return [str(value)] if _given(value) else []


def _options(question: Question, seen: Iterable[str]) -> list[str]:
    options = [str(choice) for choice in choices_for(question)]
    for value in seen:
        if value not in options:
            options.append(value)
    return options


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _question_result(question: Question, values: list[Any]) -> QuestionResult:
    given = [value for value in values if _given(value)]
    if question.kind in CHOICE_KINDS:
        picked = [_as_list(value) for value in given]
        picked = [items for items in picked if items]
        answered = len(picked)
        counts: Counter[str] = Counter(option for items in picked for option in set(items))
        seen = sorted(counts, key=lambda option: (-counts[option], option))
        options = []
        for option in _options(question, seen):
            low, high = wilson_interval(counts[option], answered)
            options.append(
                OptionResult(
                    option=option, count=counts[option], answered=answered, low=low, high=high
                )
            )
        return QuestionResult(question=question, answered=answered, options=options)
    if question.kind == Question.Kind.NUMBER:
        numbers = [n for n in (_number(value) for value in given) if n is not None]
        return QuestionResult(
            question=question,
            answered=len(numbers),
            mean=statistics.fmean(numbers) if numbers else None,
            median=float(statistics.median(numbers)) if numbers else None,
        )
    return QuestionResult(question=question, answered=len(given))


def results(loaded: Loaded) -> list[QuestionResult]:
    by_question: dict[int, list[Any]] = defaultdict(list)
    for answers in loaded.answers.values():
        for question_id, value in answers.items():
            by_question[question_id].append(value)
    return [_question_result(q, by_question.get(q.pk, [])) for q in loaded.questions]


def _cell(count: int) -> BreakdownCell:
    return BreakdownCell(None if 0 < count < SUPPRESS_BELOW else count)


def breakdown(loaded: Loaded, question: Question, by: Question | None) -> BreakdownTable:
    if question.kind not in CHOICE_KINDS:
        raise ValueError("Only questions with choices can be broken down")
    if by is not None and by.kind not in CHOICE_KINDS:
        raise ValueError("Results can only be broken down by a question with choices")
    group_order: list[str] = []
    if by is not None:
        group_order = [str(choice) for choice in choices_for(by)]
    sizes: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    seen: Counter[str] = Counter()
    for response_id, answers in loaded.answers.items():
        picked = _as_list(answers.get(question.pk))
        if not picked:
            continue
        if by is None:
            organisation = loaded.organisations.get(response_id)
            groups = [organisation] if organisation else []
        else:
            groups = _as_list(answers.get(by.pk))
        for group in set(groups):
            sizes[group] += 1
            for option in set(picked):
                counts[group][option] += 1
        seen.update(set(picked))
    options = _options(question, sorted(seen, key=lambda option: (-seen[option], option)))
    ordered = [g for g in group_order if g in sizes] + sorted(
        g for g in sizes if g not in group_order
    )
    rows: list[BreakdownRow] = []
    small = [g for g in ordered if sizes[g] < SUPPRESS_BELOW]
    for group in ordered:
        if group in small:
            continue
        rows.append(BreakdownRow(group=group, cells=[_cell(counts[group][o]) for o in options]))
    if small:
        together = sum(sizes[g] for g in small)
        if together >= SUPPRESS_BELOW:
            merged = Counter[str]()
            for group in small:
                merged.update(counts[group])
            rows.append(
                BreakdownRow(
                    group=OTHER_GROUP, cells=[_cell(merged[o]) for o in options], merged=True
                )
            )
        else:
            rows.append(
                BreakdownRow(
                    group=OTHER_GROUP,
                    cells=[BreakdownCell(None) for _ in options],
                    merged=True,
                    suppressed=True,
                )
            )
    return BreakdownTable(question=question, by=by, options=options, rows=rows)


def sources(loaded: Loaded) -> list[Question | None]:
    found: list[Question | None] = [q for q in loaded.questions if q.breakdown]
    if loaded.survey.kind == Survey.Kind.ORGANISATION:
        found.append(None)
    return found


def previous_survey(survey: Survey) -> Survey | None:
    return (
        Survey.objects.filter(series=survey.series, year__lt=survey.year)
        .exclude(pk=survey.pk)
        .order_by("-year")
        .first()
    )


def compare(
    current: list[QuestionResult], previous: list[QuestionResult], earlier: Survey
) -> list[QuestionComparison]:
    from paqa.surveys.results import OptionChange

    before = {r.code: r for r in previous if r.is_choice}
    comparisons = []
    for result in current:
        old = before.get(result.code)
        if not result.is_choice or old is None:
            continue
        names = [o.option for o in result.options]
        names += [o.option for o in old.options if o.option not in names]
        comparisons.append(
            QuestionComparison(
                code=result.code,
                current=result,
                previous=old,
                previous_survey=earlier,
                options=[OptionChange(n, result.option(n), old.option(n)) for n in names],
            )
        )
    return comparisons


def results_page(survey: Survey) -> ResultsPage:
    loaded = load(survey)
    found = results(loaded)
    earlier = previous_survey(survey)
    comparisons = (
        {c.code: c for c in compare(found, results(load(earlier)), earlier)}
        if earlier is not None
        else {}
    )
    breakdowns: dict[str, list[BreakdownTable]] = {}
    for result in found:
        if not result.is_choice or not result.answered:
            continue
        tables = [
            breakdown(loaded, result.question, by)
            for by in sources(loaded)
            if by is None or by.pk != result.question.pk
        ]
        if tables:
            breakdowns[result.code] = tables
    headlines = []
    for result in found:
        if not result.is_choice or not result.answered:
            continue
        if result.question.kind == Question.Kind.YES_NO:
            option = "Yes"
        else:
            option = max(result.options, key=lambda o: o.count).option
        headlines.append(headline(found, result.code, option))
    return ResultsPage(
        survey=survey,
        respondents=len(loaded.answers),
        results=found,
        previous_survey=earlier,
        comparisons=comparisons,
        breakdowns=breakdowns,
        headlines=[h for h in headlines if h],
    )
