"""What the figures say: change, direction, RAG, comparison, and sentences drafted from them.

Pure functions on numbers, so every rule is tested without a database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from paqa.core.periods import Period, PeriodKind

HUNDRED = Decimal(100)
TEN_THOUSAND = Decimal(10_000)


class Direction(enum.StrEnum):
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    UP = "up"  # for indicators where neither way is better
    DOWN = "down"


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass(frozen=True)
class Point:
    """One value of a series, at a period."""

    period: Period
    value: Decimal
    status: str = "final"
    note: str = ""


def rate_per_10000(count: Decimal, population: int) -> Decimal:
    return Decimal(count) * TEN_THOUSAND / Decimal(population)


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    """Change from old to new as a percentage of old; None when old is zero."""
    if old == 0:
        return None
    return (Decimal(new) - Decimal(old)) * HUNDRED / Decimal(old)


def direction(old: Decimal, new: Decimal, polarity: str) -> Direction:
    if new == old:
        return Direction.SAME
    went_up = new > old
    if polarity == "higher_is_better":
        return Direction.BETTER if went_up else Direction.WORSE
    if polarity == "lower_is_better":
        return Direction.WORSE if went_up else Direction.BETTER
    return Direction.UP if went_up else Direction.DOWN


def rag(
    value: Decimal, target: Decimal | None, amber_threshold: Decimal | None, polarity: str
) -> Rag | None:
    """Green when the target is met; amber between target and threshold; red beyond."""
    if target is None or polarity == "neutral":
        return None
    if polarity == "higher_is_better":
        if value >= target:
            return Rag.GREEN
        return Rag.AMBER if amber_threshold is not None and value >= amber_threshold else Rag.RED
    if value <= target:
        return Rag.GREEN
    return Rag.AMBER if amber_threshold is not None and value <= amber_threshold else Rag.RED


def compare(value: Decimal, benchmark: Decimal, polarity: str) -> Direction:
    """Where a value stands against a benchmark (region, England): better, worse, up or down."""
    return direction(benchmark, value, polarity)


def round_half_up(value: Decimal, decimals: int = 0) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: Decimal, decimals: int = 0) -> str:
    rounded = round_half_up(value, decimals)
    return f"{rounded:,.{decimals}f}"


def format_value(value: Decimal, unit: str, decimals: int = 0) -> str:
    text = format_number(value, decimals)
    return f"{text}%" if unit == "percent" else text


def format_percent(value: Decimal) -> str:
    return f"{format_number(abs(value))}%"


def _when(period: Period) -> str:
    """How a sentence says when: 'at the end of March 2019', 'in 2018-19', 'in March 2019'."""
    if period.kind is PeriodKind.SNAPSHOT:
        return f"at the end of {period.end:%B %Y}"
    if period.kind is PeriodKind.MONTH:
        return f"in {period.end:%B %Y}"
    return f"in {period.code}"


def _year_of(period: Period) -> str:
    if period.kind in (PeriodKind.FINANCIAL_YEAR, PeriodKind.QUARTER):
        return period.code
    return str(period.end.year)


@dataclass(frozen=True)
class Wording:
    """What the sentences need to know about an indicator."""

    subject: str
    unit: str
    decimals: int
    polarity: str
    target: Decimal | None = None


def change_sentence(wording: Wording, latest: Point, previous: Point) -> str:
    """e.g. 'The number of children looked after rose by 13% from 690 last year to 780 at the
    end of March 2019.'"""
    value = lambda point: format_value(point.value, wording.unit, wording.decimals)  # noqa: E731
    change = percent_change(previous.value, latest.value)
    last_year = (
        "last year"
        if latest.period.shifted(-1) == previous.period
        else (_when(previous.period).replace("at the end of", "in"))
    )
    if latest.value == previous.value:
        return f"{wording.subject} was unchanged at {value(latest)} {_when(latest.period)}."
    verb = "rose" if latest.value > previous.value else "fell"
    if change is None or wording.unit == "percent":
        by = ""
        if wording.unit == "percent":
            points = format_number(abs(latest.value - previous.value), wording.decimals)
            by = f" by {points} percentage point{'s' if points != '1' else ''}"
        return (
            f"{wording.subject} {verb}{by} from {value(previous)} {last_year} to {value(latest)} "
            f"{_when(latest.period)}."
        )
    return (
        f"{wording.subject} {verb} by {format_percent(change)} from {value(previous)} "
        f"{last_year} to {value(latest)} {_when(latest.period)}."
    )


def ten_year_sentence(
    wording: Wording, latest: Point, previous: Point | None, ten_years_ago: Point
) -> str:
    """e.g. 'The number of children subject to a child protection plan decreased from last year
    (605 at year end), still high compared to ten years ago (250 in 2009).'"""
    value = lambda point: format_value(point.value, wording.unit, wording.decimals)  # noqa: E731
    at = "at year end" if latest.period.kind is PeriodKind.SNAPSHOT else _when(latest.period)
    then = f"{value(ten_years_ago)} in {_year_of(ten_years_ago.period)}"
    higher = latest.value > ten_years_ago.value
    if previous is None or previous.value == latest.value:
        last_year = f"is {value(latest)} {at}"
        moved = None
    else:
        moved = "increased" if latest.value > previous.value else "decreased"
        last_year = f"{moved} from last year ({value(latest)} {at})"
    if latest.value == ten_years_ago.value:
        return f"{wording.subject} {last_year}, the same as ten years ago ({then})."
    if (moved == "decreased" and higher) or (moved == "increased" and not higher):
        level = "high" if higher else "low"
        return f"{wording.subject} {last_year}, still {level} compared to ten years ago ({then})."
    comparison = "higher" if higher else "lower"
    return f"{wording.subject} {last_year}, {comparison} than ten years ago ({then})."


def ten_year_growth_sentence(wording: Wording, latest: Point, ten_years_ago: Point) -> str:
    """e.g. 'The child population grew by 7% in the last ten years, to 143,400 in 2017.'"""
    change = percent_change(ten_years_ago.value, latest.value)
    value = format_value(latest.value, wording.unit, wording.decimals)
    if change is None or change == 0:
        return f"{wording.subject} was {value} in {_year_of(latest.period)}, as ten years before."
    verb = "grew" if change > 0 else "fell"
    return (
        f"{wording.subject} {verb} by {format_percent(change)} in the last ten years, to {value} "
        f"in {_year_of(latest.period)}."
    )


def target_sentence(wording: Wording, latest: Point) -> str | None:
    """e.g. 'In March 2019 this was 34% compared with a target of 75%.'"""
    if wording.target is None:
        return None
    value = format_value(latest.value, wording.unit, wording.decimals)
    target = format_value(wording.target, wording.unit, wording.decimals)
    when = _when(latest.period)
    when = when[0].upper() + when[1:]
    return f"{when} this was {value} compared with a target of {target}."
