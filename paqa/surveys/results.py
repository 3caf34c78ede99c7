"""Survey results: the arithmetic and the shapes of counts, percentages with 95% intervals,
breakdowns and year on year. The counting itself is done in the database (`counting`) and
read through `selectors`; everything here works on counts already made.

- Percentages are of the people who answered the question (for questions with several
  choices they can add up to more than 100%), shown as whole numbers, as in the report.
- Intervals are Wilson score intervals, which behave at 0% and 100% and with few answers.
- Breakdowns (by organisation or role) never show a count of 1 to 4: such a cell says
  "fewer than 5". Groups with fewer than 5 people are merged into one "Other" group when
  together they reach 5, and suppressed whole when they do not.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from paqa.surveys.engine import choices_for
from paqa.surveys.models import Code, Question, Survey

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
    "as_number",
    "breakdown_table",
    "choice_result",
    "compare",
    "export_value",
    "headline",
    "is_given",
    "number_result",
    "options_in",
    "page_headlines",
    "percent_text",
    "text_result",
    "whole_percent",
    "wilson_interval",
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


def is_given(value: Any) -> bool:
    """Whether a stored answer says anything: an empty text or list, or null, does not."""
    return value not in (None, "", [])


def options_in(value: Any) -> set[str]:
    """The options an answer with choices names: a list's texts, or a single text; empty texts
    and nulls are not options, and a list naming one twice names it once."""
    if isinstance(value, list):
        return {str(item) for item in value if is_given(item)}
    return {str(value)} if is_given(value) else set()


def as_number(value: Any) -> float | None:
    """A number question's answer as a number, if it reads as one (true and false do not)."""
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


def option_names(question: Question, counts: Mapping[str, int]) -> list[str]:
    """The question's options in their order, then any answer no longer among them (a choice
    renamed after people answered), most chosen first, so no answer is silently dropped."""
    options = [str(choice) for choice in choices_for(question)]
    for value in sorted(counts, key=lambda option: (-counts[option], option)):
        if value not in options:
            options.append(value)
    return options


def choice_result(
    question: Question, *, answered: int, counts: Mapping[str, int]
) -> QuestionResult:
    """A question with choices, from how many people answered it and how many of them picked
    each option (each person counts once per option)."""
    options = []
    for option in option_names(question, counts):
        count = counts.get(option, 0)
        low, high = wilson_interval(count, answered)
        options.append(
            OptionResult(option=option, count=count, answered=answered, low=low, high=high)
        )
    return QuestionResult(question=question, answered=answered, options=options)


def number_result(question: Question, numbers: list[float]) -> QuestionResult:
    """A number question, from the answers that read as numbers."""
    return QuestionResult(
        question=question,
        answered=len(numbers),
        mean=statistics.fmean(numbers) if numbers else None,
        median=float(statistics.median(numbers)) if numbers else None,
    )


def text_result(question: Question, *, answered: int) -> QuestionResult:
    return QuestionResult(question=question, answered=answered)


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


def page_headlines(survey_results: list[QuestionResult]) -> list[str]:
    """One sentence per answered question with choices: on "Yes" for yes/no questions, else on
    the option most chosen."""
    sentences = []
    for result in survey_results:
        if not result.is_choice or not result.answered:
            continue
        if result.question.kind == Question.Kind.YES_NO:
            option = "Yes"
        else:
            option = max(result.options, key=lambda o: o.count).option
        sentences.append(headline(survey_results, result.code, option))
    return [sentence for sentence in sentences if sentence]


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


def check_breakdown(question: Question, by: Question | None) -> None:
    if question.kind not in CHOICE_KINDS:
        raise ValueError("Only questions with choices can be broken down")
    if by is not None and by.kind not in CHOICE_KINDS:
        raise ValueError("Results can only be broken down by a question with choices")


def _cell(count: int) -> BreakdownCell:
    return BreakdownCell(None if 0 < count < SUPPRESS_BELOW else count)


def breakdown_table(
    result: QuestionResult,
    by: Question | None,
    *,
    sizes: Mapping[str, int],
    counts: Mapping[str, Mapping[str, int]],
) -> BreakdownTable:
    """The breakdown of a question's result by `by`'s answers (or, None, by organisation),
    from each group's size (people in it who answered the question) and its counts per option,
    with small cells suppressed and small groups merged."""
    question = result.question
    check_breakdown(question, by)
    options = [option.option for option in result.options]
    group_order = [str(choice) for choice in choices_for(by)] if by is not None else []
    ordered = [g for g in group_order if g in sizes] + sorted(
        g for g in sizes if g not in group_order
    )
    rows: list[BreakdownRow] = []
    small = [g for g in ordered if sizes[g] < SUPPRESS_BELOW]
    for group in ordered:
        if group in small:
            continue
        cells = [_cell(counts.get(group, {}).get(o, 0)) for o in options]
        rows.append(BreakdownRow(group=group, cells=cells))
    if small:
        if sum(sizes[g] for g in small) >= SUPPRESS_BELOW:
            merged = [sum(counts.get(g, {}).get(o, 0) for g in small) for o in options]
            rows.append(
                BreakdownRow(group=OTHER_GROUP, cells=[_cell(n) for n in merged], merged=True)
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


# Year on year -------------------------------------------------------------------------------


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


def compare(
    current: list[QuestionResult], previous: list[QuestionResult], earlier: Survey
) -> list[QuestionComparison]:
    """Each question with choices asked in both (same code), option by option."""
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


# The results page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsPage:
    survey: Survey
    respondents: int
    results: list[QuestionResult]
    previous_survey: Survey | None
    comparisons: dict[str, QuestionComparison]  # by question code
    breakdowns: dict[str, list[BreakdownTable]]  # by question code
    headlines: list[str]


# Exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    number: int  # 1, 2, 3… in the order received: not the database id
    organisation: str
    values: list[Any]  # one per question, in the survey's order
    codes: list[str]  # labels of the codes given to its free-text answers


def export_value(question: Question, value: Any) -> Any:
    """An answer as a spreadsheet cell: several choices joined with "; ", numbers as numbers."""
    if not is_given(value):
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if question.kind == Question.Kind.NUMBER and isinstance(value, int | float):
        return value
    return str(value)


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    code: Code
    answers: int  # submitted free-text answers given this code
