"""The partnership's indicators computed from the minimised return records, by the DfE's
definitions (docs/statutory-returns.md §3). Pure functions: records in, figures out, each
figure with the pseudonymous children behind it, so it can be drilled down to them.

A collection year runs from 1 April to 31 March and is named by the year it ends in ("2019":
1 April 2018 to 31 March 2019). "At 31 March" counts what started on or before 31 March and
ended after it, or has not ended.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from paqa.returns.records import CareEpisode, ChildInNeed, MissingEpisode, ProtectionPlan

SHORT_BREAKS = frozenset({"V3", "V4"})  # agreed series of short-term placements: not counted
CATEGORIES = {
    "NEG": "neglect",
    "PHY": "physical abuse",
    "SAB": "sexual abuse",
    "EMO": "emotional abuse",
    "MUL": "multiple categories",
}
ASSESSMENT_WORKING_DAYS = 45
CONFERENCE_WORKING_DAYS = 15


@dataclass(frozen=True)
class Year:
    """A collection year: 1 April to 31 March."""

    ends: int  # 2019 for 2018-19

    @property
    def start(self) -> date:
        return date(self.ends - 1, 4, 1)

    @property
    def end(self) -> date:
        return date(self.ends, 3, 31)

    @property
    def code(self) -> str:
        return f"{self.ends - 1}-{self.ends % 100:02d}"

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass
class Figure:
    """One computed figure and the pseudonymous children behind it."""

    value: float
    children: set[str] = field(default_factory=set)
    numerator: int | None = None
    denominator: int | None = None


def percent(numerator: int, denominator: int) -> float:
    return round(100 * numerator / denominator, 1) if denominator else 0.0


# Working days ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 on the same day), leaving out
    weekends and England and Wales bank holidays, as the DfE's duration bands count them."""
    if end <= start:
        return 0
    return _working_days_to(end) - _working_days_to(start)


_BASE_YEAR = 2000


@lru_cache(maxsize=256)
def _year_running_totals(year: int) -> tuple[int, ...]:
    """Working days from 1 January of `year` up to each day of it (index 1 = 1 January)."""
    totals = [0]
    day = date(year, 1, 1)
    while day.year == year:
        totals.append(totals[-1] + is_working_day(day))
        day += timedelta(days=1)
    return tuple(totals)


@lru_cache(maxsize=256)
def _working_days_before(year: int) -> int:
    """Working days from 1 January _BASE_YEAR to the end of the year before `year` (negative
    before the base year): with it, a span of any length is two look-ups, not a day-by-day
    walk, which matters for 100,000 children's assessments."""
    if year >= _BASE_YEAR:
        return sum(_year_running_totals(y)[-1] for y in range(_BASE_YEAR, year))
    return -sum(_year_running_totals(y)[-1] for y in range(year, _BASE_YEAR))


def forget_working_days() -> None:
    """Drop the cached running totals (after the bank holidays are changed, as tests do)."""
    _year_running_totals.cache_clear()
    _working_days_before.cache_clear()


def _working_days_to(day: date) -> int:
    return _working_days_before(day.year) + _year_running_totals(day.year)[day.timetuple().tm_yday]


# Children looked after (SSDA903) ----------------------------------------------------------------


def looked_after_at(episodes: Iterable[CareEpisode], day: date) -> Figure:
    """Children looked after on `day`, leaving out agreed short breaks (LS V3, V4)."""
    children = {
        episode.child
        for episode in episodes
        if episode.legal_status not in SHORT_BREAKS
        and episode.start <= day
        and (episode.end is None or episode.end > day)
    }
    return Figure(len(children), children)


def looked_after_during(episodes: Iterable[CareEpisode], year: Year) -> set[str]:
    return {
        episode.child
        for episode in episodes
        if episode.legal_status not in SHORT_BREAKS
        and episode.start <= year.end
        and (episode.end is None or episode.end >= year.start)
    }


def missing(
    incidents: Iterable[MissingEpisode], year: Year, *, kind: str = "M", at_least: int = 1
) -> Figure:
    """Children with at least `at_least` incidents of `kind` starting in the year ("M" missing,
    "A" away from placement without authorisation)."""
    counts = Counter(i.child for i in incidents if i.kind == kind and year.holds(i.start))
    children = {child for child, count in counts.items() if count >= at_least}
    return Figure(len(children), children)


# Child protection (CIN census) --------------------------------------------------------------------


def _plans(children: Iterable[ChildInNeed]) -> Iterable[tuple[str, ProtectionPlan]]:
    for child in children:
        for referral in child.referrals:
            for plan in referral.plans:
                yield child.child, plan


def plans_at(children: Iterable[ChildInNeed], day: date) -> dict[str, ProtectionPlan]:
    """The plan each child was subject to on `day` (the latest started, if records overlap)."""
    open_plans: dict[str, ProtectionPlan] = {}
    for child, plan in _plans(children):
        is_open = plan.start <= day and (plan.end is None or plan.end > day)
        if is_open and (child not in open_plans or plan.start > open_plans[child].start):
            open_plans[child] = plan
    return open_plans


def on_plan_at(children: Iterable[ChildInNeed], day: date) -> Figure:
    plans = plans_at(children, day)
    return Figure(len(plans), set(plans))


def plans_by_category(
    children: Iterable[ChildInNeed], day: date, *, latest: bool = False
) -> dict[str, Figure]:
    """Children on a plan at `day` by category of abuse: initial (the DfE headline) or latest."""
    plans = plans_at(children, day)
    grouped: dict[str, set[str]] = defaultdict(set)
    for child, plan in plans.items():
        grouped[plan.latest_category if latest else plan.initial_category].add(child)
    return {
        code: Figure(
            percent(len(grouped[code]), len(plans)), grouped[code], len(grouped[code]), len(plans)
        )
        for code in CATEGORIES
    }


def second_or_subsequent(
    children: Iterable[ChildInNeed], year: Year, *, history: Iterable[ChildInNeed] = ()
) -> tuple[Figure, Figure]:
    """Plans starting in the year that are a child's second or later: (DfE: ever before, by
    NumberOfPreviousCPP or an earlier plan in these or earlier returns; within two years of the
    previous plan's end, which needs earlier years' returns)."""
    children = list(children)
    earlier: dict[str, list[ProtectionPlan]] = defaultdict(list)
    for child, plan in [*_plans(history), *_plans(children)]:
        earlier[child].append(plan)
    starting = [(child, plan) for child, plan in _plans(children) if year.holds(plan.start)]
    ever: set[str] = set()
    within_two_years: set[str] = set()
    for child, plan in starting:
        before = [p for p in earlier[child] if p.start < plan.start]
        if before or (plan.previous_plans or 0) > 0:
            ever.add(child)
        ended = [p.end for p in before if p.end is not None and p.end <= plan.start]
        if ended and plan.start - max(ended) <= timedelta(days=_two_years_days(max(ended))):
            within_two_years.add(child)
    new_children = {child for child, _ in starting}
    return (
        Figure(percent(len(ever), len(new_children)), ever, len(ever), len(new_children)),
        Figure(
            percent(len(within_two_years), len(new_children)),
            within_two_years,
            len(within_two_years),
            len(new_children),
        ),
    )


def _two_years_days(day: date) -> int:
    try:
        return (day.replace(year=day.year + 2) - day).days
    except ValueError:  # 29 February
        return (date(day.year + 2, 3, 1) - day).days


def _lasted_two_years(plan: ProtectionPlan) -> bool:
    if plan.end is None:
        return False
    return plan.end - plan.start >= timedelta(days=_two_years_days(plan.start))


def plans_ended_lasting_two_years(children: Iterable[ChildInNeed], year: Year) -> Figure:
    """Of plans ending in the year, the share that had lasted two years or more (CIN D7)."""
    ended = [(child, plan) for child, plan in _plans(children) if year.holds(plan.end)]
    long = {child for child, plan in ended if _lasted_two_years(plan)}
    long_count = sum(1 for _, plan in ended if _lasted_two_years(plan))
    return Figure(percent(long_count, len(ended)), long, long_count, len(ended))


def re_referrals(
    children: Iterable[ChildInNeed], year: Year, *, history: Iterable[ChildInNeed] = ()
) -> Figure:
    """Referrals in the year within 12 months of the same child's previous referral."""
    dates: dict[str, set[date]] = defaultdict(set)
    for record in [*history, *children]:
        for referral in record.referrals:
            dates[record.child].add(referral.referral_date)
    in_year = [(child, day) for child, days in dates.items() for day in days if year.holds(day)]
    repeat: set[str] = set()
    repeat_count = 0
    for child, day in in_year:
        year_before = _year_before(day)
        if any(year_before <= earlier < day for earlier in dates[child]):
            repeat.add(child)
            repeat_count += 1
    return Figure(percent(repeat_count, len(in_year)), repeat, repeat_count, len(in_year))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return date(day.year - 1, 2, 28)


def assessments_on_time(
    children: Iterable[ChildInNeed], year: Year, *, from_referral: bool = False
) -> Figure:
    """Assessments authorised in the year within 45 working days of their start (or, for
    partnerships that measure it so, of the referral)."""
    on_time, total = 0, 0
    timely: set[str] = set()
    for child in children:
        for referral in child.referrals:
            for assessment in referral.assessments:
                if assessment.authorised is None or not year.holds(assessment.authorised):
                    continue
                start = referral.referral_date if from_referral else assessment.start
                if start is None:
                    continue
                total += 1
                if working_days(start, assessment.authorised) <= ASSESSMENT_WORKING_DAYS:
                    on_time += 1
                    timely.add(child.child)
    return Figure(percent(on_time, total), timely, on_time, total)


def conferences_on_time(children: Iterable[ChildInNeed], year: Year) -> tuple[Figure, Figure]:
    """Section 47 enquiries starting in the year; and initial child protection conferences held
    in the year within 15 working days of the enquiry's start."""
    enquiries, on_time, held = 0, 0, 0
    enquiry_children: set[str] = set()
    timely: set[str] = set()
    for child in children:
        for referral in child.referrals:
            for enquiry in referral.enquiries:
                if year.holds(enquiry.start):
                    enquiries += 1
                    enquiry_children.add(child.child)
                if (
                    enquiry.start is not None
                    and enquiry.conference
                    and year.holds(enquiry.conference)
                ):
                    held += 1
                    if working_days(enquiry.start, enquiry.conference) <= CONFERENCE_WORKING_DAYS:
                        on_time += 1
                        timely.add(child.child)
    return (
        Figure(enquiries, enquiry_children, enquiries, None),
        Figure(percent(on_time, held), timely, on_time, held),
    )
