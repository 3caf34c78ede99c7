"""Survey results: counts, percentages with 95% intervals, breakdowns and year on year.

Selectors, given the acting user. Only submitted responses count; drafts never do.

- Percentages are of the people who answered the question (for questions with several
  choices they can add up to more than 100%), shown as whole numbers, as in the report.
- Intervals are Wilson score intervals, which behave at 0% and 100% and with few answers.
- Breakdowns (by organisation or role) never show a count of 1 to 4: such a cell says
  "fewer than 5". Groups with fewer than 5 people are merged into one "Other" group when
  together they reach 5, and suppressed whole when they do not.
- Each survey's answers are loaded in one query, whatever the number of responses.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import Http404

from paqa.core.access import Capability, require
from paqa.surveys.engine import choices_for
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Response, Survey

__all__ = [
    "CHOICE_KINDS",
    "OTHER_GROUP",
    "SUPPRESSED_TEXT",
    "SUPPRESS_BELOW",
    "BreakdownCell",
    "BreakdownRow",
    "BreakdownTable",
    "OptionChange",
    "OptionResult",
    "QuestionComparison",
    "QuestionResult",
    "ResponseRow",
    "ResultsPage",
    "ThemeCount",
    "breakdown",
    "breakdown_sources",
    "headline",
    "percent_text",
    "previous_survey",
    "question_results",
    "response_rows",
    "results_page",
    "survey_get",
    "theme_counts",
    "whole_percent",
    "wilson_interval",
    "year_on_year",
]

Z_95 = 1.959964
SUPPRESS_BELOW = 5
SUPPRESSED_TEXT = "fewer than 5"
OTHER_GROUP = f"Other ({SUPPRESSED_TEXT} each)"
CHOICE_KINDS = frozenset(
    {
        Question.Kind.YES_NO,
        Question.Kind.SINGLE,
        Question.Kind.MULTIPLE,
        Question.Kind.LIKERT,
    }
)


# Arithmetic ---------------------------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for `successes` out of `n`, as proportions (0 to 1).

    With no answers at all there is nothing to estimate: (0.0, 0.0).
    """
    if n <= 0:
        return (0.0, 0.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n, not {successes} of {n}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == n else min(1.0, centre + half_width)
    return (low, high)


def whole_percent(proportion: float) -> int:
    """A proportion as a whole percentage, halves rounded up (0.725 is 73, not 72)."""
    return int(Decimal(f"{proportion * 100:.9f}").quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_text(proportion: float) -> str:
    """0.9612 as "96%"."""
    return f"{whole_percent(proportion)}%"


# Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionResult:
    option: str
    count: int
    answered: int  # people who answered the question: the base of the percentage
    low: float
    high: float

    @property
    def proportion(self) -> float:
        return self.count / self.answered if self.answered else 0.0

    @property
    def percent(self) -> int:
        return whole_percent(self.proportion)

    @property
    def percent_text(self) -> str:
        return percent_text(self.proportion)

    @property
    def interval_text(self) -> str:
        return f"{percent_text(self.low)} to {percent_text(self.high)}"


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionResult] = field(default_factory=list)  # choice questions
    mean: float | None = None  # number questions
    median: float | None = None

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def is_choice(self) -> bool:
        return self.question.kind in CHOICE_KINDS

    @property
    def is_number(self) -> bool:
        return self.question.kind == Question.Kind.NUMBER

    @property
    def is_text(self) -> bool:
        return self.question.kind == Question.Kind.TEXT

    def option(self, name: str) -> OptionResult | None:
        return next((o for o in self.options if o.option == name), None)

    @property
    def mean_text(self) -> str:
        return "" if self.mean is None else f"{self.mean:,.1f}"

    @property
    def median_text(self) -> str:
        return "" if self.median is None else f"{self.median:,.1f}".removesuffix(".0")


@dataclass
class _Loaded:
    """One survey's questions and submitted answers, loaded once."""

    survey: Survey
    questions: list[Question]
    answers: dict[int, dict[int, Any]]  # response id -> question id -> value
    organisations: dict[int, str]  # response id -> organisation name, where there is one

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


def _load(survey: Survey) -> _Loaded:
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
    return _Loaded(
        survey=survey, questions=questions, answers=dict(answers), organisations=organisations
    )


def _given(value: Any) -> bool:
    return value not in (None, "", [])


def _as_list(value: Any) -> list[str]:
    """A choice answer as the list of options it picks (one for all but 'several choices')."""
    if isinstance(value, list):
        return [str(item) for item in value if _given(item)]
    return [str(value)] if _given(value) else []


def _options(question: Question, seen: Iterable[str]) -> list[str]:
    """The question's options in their order, then any answer no longer among them (a choice
    renamed after people answered), so no answer is silently dropped."""
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


def _results(loaded: _Loaded) -> list[QuestionResult]:
    by_question: dict[int, list[Any]] = defaultdict(list)
    for answers in loaded.answers.values():
        for question_id, value in answers.items():
            by_question[question_id].append(value)
    return [_question_result(q, by_question.get(q.pk, [])) for q in loaded.questions]


def survey_get(*, user: Any, pk: int) -> Survey:
    """The survey whose results the user wants to see (404 when there is none)."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    survey = Survey.objects.filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


def survey_for_year(*, user: Any, series: str, year: str) -> Survey | None:
    """The survey of a series (like "practitioner-survey") run in a reporting year, if any."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    return Survey.objects.filter(series=series, year=year).first()


def survey_respondents(*, user: Any, survey: Survey) -> int:
    """How many people submitted the survey."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    return Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).count()


def question_results(*, user: Any, survey: Survey) -> list[QuestionResult]:
    """Every question's results, in the survey's order, over submitted responses only."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    return _results(_load(survey))


def headline(survey_results: list[QuestionResult], code: str, option: str) -> str:
    """A drafted sentence for one option of one question, for example "96% of respondents said
    yes to ‘Have you had safeguarding training in the last three years?’ (95% interval 95% to
    97%)." Empty when the survey has no such question or option."""
    result = next((r for r in survey_results if r.code == code), None)
    if result is None:
        return ""
    text = " ".join(result.question.text.split())
    if not result.answered:
        return f"No one has answered ‘{text}’ yet."
    found = result.option(option)
    if found is None:
        return ""
    if result.question.kind == Question.Kind.YES_NO:
        said = f"said {found.option.lower()} to"
    else:
        said = f"chose ‘{found.option}’ in answer to"
    return (
        f"{found.percent_text} of respondents {said} ‘{text}’ (95% interval {found.interval_text})."
    )


# Breakdowns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownCell:
    count: int | None  # None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.count is None

    @property
    def text(self) -> str:
        return SUPPRESSED_TEXT if self.count is None else f"{self.count:,}"


@dataclass(frozen=True)
class BreakdownRow:
    group: str
    cells: list[BreakdownCell]
    merged: bool = False  # the "Other" row of groups with fewer than 5 people each
    suppressed: bool = False  # too few people even together: every cell suppressed


@dataclass(frozen=True)
class BreakdownTable:
    question: Question
    by: Question | None  # None: by the organisation that sent the response
    options: list[str]
    rows: list[BreakdownRow]

    @property
    def by_label(self) -> str:
        if self.by is None:
            return "Organisation"
        return self.by.get_breakdown_display() or self.by.text

    def row(self, group: str) -> BreakdownRow | None:
        return next((r for r in self.rows if r.group == group), None)

    def cell(self, group: str, option: str) -> BreakdownCell | None:
        row = self.row(group)
        if row is None or option not in self.options:
            return None
        return row.cells[self.options.index(option)]


def _cell(count: int) -> BreakdownCell:
    return BreakdownCell(None if 0 < count < SUPPRESS_BELOW else count)


def _breakdown(loaded: _Loaded, question: Question, by: Question | None) -> BreakdownTable:
    if question.kind not in CHOICE_KINDS:
        raise ValueError("Only questions with choices can be broken down")
    if by is not None and by.kind not in CHOICE_KINDS:
        raise ValueError("Results can only be broken down by a question with choices")
    group_order: list[str] = []
    if by is not None:
        group_order = [str(choice) for choice in choices_for(by)]
    # group -> people in it who answered the question, and their counts per option
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


def breakdown(
    *, user: Any, survey: Survey, question: Question, by: Question | None = None
) -> BreakdownTable:
    """Counts of each option of `question` per group. The groups are the answers to `by` (a
    question marked as a breakdown, such as role), or with `by=None` the organisations that
    sent the responses (for surveys with one return per organisation).

    Counts of 1 to 4 are suppressed (value None, shown as "fewer than 5"); groups with fewer
    than 5 people are merged into "Other (fewer than 5 each)", itself suppressed whole when
    even together they are fewer than 5.
    """
    require(user, Capability.VIEW_SURVEY_RESULTS)
    return _breakdown(_load(survey), question, by)


def _sources(loaded: _Loaded) -> list[Question | None]:
    sources: list[Question | None] = [q for q in loaded.questions if q.breakdown]
    if loaded.survey.kind == Survey.Kind.ORGANISATION:
        sources.append(None)
    return sources


def breakdown_sources(*, user: Any, survey: Survey) -> list[Question | None]:
    """What the survey's results can be broken down by: its breakdown questions, and (None)
    the responding organisation for surveys with one return per organisation."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    return _sources(_load(survey))


# Year on year -------------------------------------------------------------------------------


def previous_survey(survey: Survey) -> Survey | None:
    """The latest survey of the same series from an earlier year, if there is one."""
    return (
        Survey.objects.filter(series=survey.series, year__lt=survey.year)
        .exclude(pk=survey.pk)
        .order_by("-year")
        .first()
    )


@dataclass(frozen=True)
class OptionChange:
    option: str
    current: OptionResult | None
    previous: OptionResult | None

    @property
    def change(self) -> int | None:
        """The change in percentage points, from the whole percentages as shown."""
        if self.current is None or self.previous is None:
            return None
        if not self.current.answered or not self.previous.answered:
            return None
        return self.current.percent - self.previous.percent

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "Not comparable"
        if change == 0:
            return "No change"
        points = "percentage point" if abs(change) == 1 else "percentage points"
        return f"{'Up' if change > 0 else 'Down'} {abs(change)} {points}"

    @property
    def intervals_separate(self) -> bool:
        """Whether the two 95% intervals do not overlap: a change unlikely to be chance alone
        (a cautious test; overlapping intervals do not prove there was no change)."""
        now, then = self.current, self.previous
        if self.change is None or now is None or then is None:
            return False
        return now.low > then.high or now.high < then.low


@dataclass(frozen=True)
class QuestionComparison:
    code: str
    current: QuestionResult
    previous: QuestionResult
    previous_survey: Survey
    options: list[OptionChange]

    def option(self, name: str) -> OptionChange | None:
        return next((o for o in self.options if o.option == name), None)


def _compare(
    current: list[QuestionResult], previous: list[QuestionResult], earlier: Survey
) -> list[QuestionComparison]:
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


def year_on_year(*, user: Any, survey: Survey) -> list[QuestionComparison]:
    """Each question with choices that the previous survey of the series also asked (same
    code), with the percentage choosing each option then and now. Empty without one."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    earlier = previous_survey(survey)
    if earlier is None:
        return []
    return _compare(_results(_load(survey)), _results(_load(earlier)), earlier)


# The results page, loaded once -----------------------------------------------------------------


@dataclass(frozen=True)
class ResultsPage:
    survey: Survey
    respondents: int
    results: list[QuestionResult]
    previous_survey: Survey | None
    comparisons: dict[str, QuestionComparison]  # by question code
    breakdowns: dict[str, list[BreakdownTable]]  # by question code
    headlines: list[str]


def results_page(*, user: Any, survey: Survey) -> ResultsPage:
    """Everything the results page shows, in a fixed number of queries."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    loaded = _load(survey)
    results = _results(loaded)
    earlier = previous_survey(survey)
    comparisons = (
        {c.code: c for c in _compare(results, _results(_load(earlier)), earlier)}
        if earlier is not None
        else {}
    )
    sources = _sources(loaded)
    breakdowns: dict[str, list[BreakdownTable]] = {}
    for result in results:
        if not result.is_choice or not result.answered:
            continue
        tables = [
            _breakdown(loaded, result.question, by)
            for by in sources
            if by is None or by.pk != result.question.pk
        ]
        if tables:
            breakdowns[result.code] = tables
    headlines = []
    for result in results:
        if not result.is_choice or not result.answered:
            continue
        if result.question.kind == Question.Kind.YES_NO:
            option = "Yes"
        else:
            option = max(result.options, key=lambda o: o.count).option
        headlines.append(headline(results, result.code, option))
    return ResultsPage(
        survey=survey,
        respondents=len(loaded.answers),
        results=results,
        previous_survey=earlier,
        comparisons=comparisons,
        breakdowns=breakdowns,
        headlines=[h for h in headlines if h],
    )


# Exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    number: int  # 1, 2, 3… in the order received: not the database id
    organisation: str
    values: list[Any]  # one per question, in the survey's order
    codes: list[str]  # labels of the codes given to its free-text answers


def _cell_value(question: Question, value: Any) -> Any:
    if not _given(value):
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if question.kind == Question.Kind.NUMBER and isinstance(value, int | float):
        return value
    return str(value)


def response_rows(*, user: Any, survey: Survey) -> tuple[list[Question], list[ResponseRow]]:
    """The survey's questions, and one row per submitted response with its answers and the
    codes given to its free-text answers."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    loaded = _load(survey)
    responses = list(
        Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
        .order_by("submitted_on", "pk")
        .values_list("pk", "organisation__name")
    )
    coded: dict[int, set[str]] = defaultdict(set)
    for response_id, label in AnswerCode.objects.filter(
        answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
    ).values_list("answer__response_id", "code__label"):
        coded[response_id].add(label)
    rows = []
    for number, (response_id, organisation) in enumerate(responses, start=1):
        answers = loaded.answers.get(response_id, {})
        rows.append(
            ResponseRow(
                number=number,
                organisation=organisation or "",
                values=[_cell_value(q, answers.get(q.pk)) for q in loaded.questions],
                codes=sorted(coded.get(response_id, set()), key=str.casefold),
            )
        )
    return loaded.questions, rows


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    code: Code
    answers: int  # submitted free-text answers given this code


def theme_counts(*, user: Any, survey: Survey) -> list[ThemeCount]:
    """The survey's codebook with how many submitted answers each code was given to, by theme
    and then most used first."""
    require(user, Capability.VIEW_SURVEY_RESULTS)
    used = Counter(
        AnswerCode.objects.filter(
            code__survey=survey, answer__response__status=Response.Status.SUBMITTED
        ).values_list("code_id", flat=True)
    )
    counts = [
        ThemeCount(theme=code.theme, code=code, answers=used[code.pk])
        for code in Code.objects.filter(survey=survey)
    ]
    return sorted(counts, key=lambda t: (t.theme, -t.answers, t.code.label.casefold()))
