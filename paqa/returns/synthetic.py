"""Synthetic statutory returns with known answers: a seeded generator of CIN census XML and
SSDA903 (CSV tables, and the XML form) whose indicators are known before anything parses them.

Every child is generated from a *scenario* ("on a plan at 31 March", "re-referred exactly 12
months after a referral closed in the previous year", "assessment authorised on the 46th working
day across Christmas", "missing three times", "short breaks only (V3)" ...). A scenario chooses
its dates inside ranges that make its outcome certain, writes the child, and declares, as it
goes, what the child adds to each indicator. The known answers are the sum of those
declarations: nothing here calls paqa.returns.compute, and working days are counted on this
module's own table of England and Wales bank holidays (BANK_HOLIDAYS), written out by hand.

    generate_cin(path, children=..., year_ends=2019, seed=1, previous=path2) -> KnownCIN
    generate_903(directory, children=..., year_ends=2019, seed=1, xml=True) -> Known903

The first children of a return take each scenario once, in order (PINNED_CIN, PINNED_903: the
edge cases and the fillers alike); the rest are fillers, drawn by weight from the scenarios that
can vary (CIN_SCENARIOS, SSDA903_SCENARIOS: weight above 0), with random dates.
Children are written one at a time as they are made: memory stays flat whatever the size, apart
from the known answers' sets of child identifiers.

Identifiers are fake: LAchildID "SYN000001" (CIN), CHILD "SYL000001" (SSDA903); UPNs "X" and 12
digits; full postcodes (so that minimisation can be checked) from a list of real-looking
outward codes and random inward codes. `previous` writes the linked previous year's CIN census
(the same children, the same identifiers): each child's history is generated once, and each
return shows what was recorded by its own 31 March.
"""

from __future__ import annotations

import csv
import io
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, BinaryIO, TypedDict, TypeVar

from paqa.returns.parsing.ssda903 import TABLES_903

CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")
ASSESSMENT_WORKING_DAYS = 45
CONFERENCE_WORKING_DAYS = 15

# England and Wales bank holidays on weekdays (gov.uk/bank-holidays), by year, written out by
# hand: New Year's Day, Good Friday, Easter Monday, the early May bank holiday, the spring bank
# holiday, the summer bank holiday, Christmas Day and Boxing Day (or their substitute days), and
# the one-off days: the royal wedding (29 April 2011), the Diamond Jubilee (5 June 2012), the
# Platinum Jubilee (3 June 2022), the state funeral of Queen Elizabeth II (19 September 2022),
# the coronation (8 May 2023); VE Day's 75th anniversary moved the early May bank holiday to
# 8 May 2020. Good Friday and Easter Monday are always the 2nd and 3rd days of a year's list.
_HOLIDAYS = {
    2010: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2011: "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27",
    2012: "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
    2013: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2014: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2015: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2016: "01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27",
    2017: "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2018: "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    2019: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    2020: "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28",
    2021: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2022: "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
    2023: "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2027: "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
    2028: "01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
}
BANK_HOLIDAYS: dict[int, tuple[date, ...]] = {
    year: tuple(date(year, int(day[:2]), int(day[3:])) for day in days.split())
    for year, days in _HOLIDAYS.items()
}
# A collection year reaches back (long plans, their enquiries, the previous year's return) up
# to five calendar years before it ends; every date of a return is in the table's years.
SUPPORTED_YEARS = range(min(BANK_HOLIDAYS) + 5, max(BANK_HOLIDAYS) + 1)


class SyntheticError(Exception):
    """A scenario broke its own design (a date outside the range it promised): a bug here."""


# Working days: this module's own count, from its own table ----------------------------------

_FIRST = date(min(BANK_HOLIDAYS), 1, 1)
_LAST = date(max(BANK_HOLIDAYS), 12, 31)


def _working_day_table() -> tuple[list[date], list[int]]:
    """Every working day in the table's years, and for each calendar day since _FIRST how many
    working days there are up to and including it: made by stepping day by day."""
    holidays = {day for days in BANK_HOLIDAYS.values() for day in days}
    working: list[date] = []
    up_to: list[int] = []
    day = _FIRST
    while day <= _LAST:
        if day.weekday() < 5 and day not in holidays:
            working.append(day)
        up_to.append(len(working))
        day += timedelta(days=1)
    return working, up_to


_WORKING, _UP_TO = _working_day_table()


def _rank(day: date) -> int:
    if not _FIRST <= day <= _LAST:
        raise SyntheticError(f"{day} is outside the bank-holiday table ({_FIRST}..{_LAST})")
    return _UP_TO[(day - _FIRST).days]


def count_working_days(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after it)."""
    return _rank(end) - _rank(start) if end > start else 0


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself for 0)."""
    if days == 0:
        return start
    index = _rank(start) + days - 1
    if index >= len(_WORKING):
        raise SyntheticError(f"{days} working days after {start} is past the table")
    return _WORKING[index]


def subtract_working_days(end: date, days: int) -> date:
    """The working day that `end` is the `days`-th working day after (`end` itself for 0)."""
    if days == 0:
        return end
    index = _rank(end) - days - 1
    if index < 0:
        raise SyntheticError(f"{days} working days before {end} is before the table")
    return _WORKING[index]


def _span(working_days: int) -> int:
    """Calendar days that `working_days` working days can take at most (weekends, and up to
    four bank holidays in a row of weeks), for choosing dates with room to spare."""
    return working_days * 7 // 5 + 12


# Known answers ---------------------------------------------------------------------------------


@dataclass
class Answer:
    """One known figure: a count (denominator None) or numerator out of denominator, and the
    children (local identifiers, as written in the return) behind it."""

    numerator: int = 0
    denominator: int | None = None
    children: set[str] = field(default_factory=set)

    @property
    def value(self) -> float:
        if self.denominator is None:
            return float(self.numerator)
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else 0.0

    def __str__(self) -> str:
        if self.denominator is None:
            return f"{self.numerator:,}"
        return f"{self.numerator:,} / {self.denominator:,} = {self.value:.1f}%"


@dataclass
class KnownCIN:
    """What the CIN census written by generate_cin must give (paqa.returns.compute's figures):
    the collection year ending 31 March `year_ends`."""

    year_ends: int
    children: int = 0  # in the return
    previous_children: int = 0  # in the previous year's return, if written
    on_plan: Answer = field(default_factory=Answer)  # on a plan at 31 March
    initial_category: dict[str, Answer] = field(
        default_factory=lambda: {code: Answer(denominator=0) for code in CATEGORIES}
    )
    latest_category: dict[str, Answer] = field(
        default_factory=lambda: {code: Answer(denominator=0) for code in CATEGORIES}
    )
    # Of the children with a plan starting in the year: a second or later plan (DfE: ever),
    # and within two years of the previous plan's end; from this return alone, and with the
    # previous year's return as history.
    repeat_plans: Answer = field(default_factory=lambda: Answer(denominator=0))
    repeat_plans_with_history: Answer = field(default_factory=lambda: Answer(denominator=0))
    repeat_within_two_years: Answer = field(default_factory=lambda: Answer(denominator=0))
    repeat_within_two_years_with_history: Answer = field(
        default_factory=lambda: Answer(denominator=0)
    )
    plans_ended_two_years: Answer = field(default_factory=lambda: Answer(denominator=0))
    re_referrals: Answer = field(default_factory=lambda: Answer(denominator=0))
    re_referrals_with_history: Answer = field(default_factory=lambda: Answer(denominator=0))
    assessments_on_time: Answer = field(default_factory=lambda: Answer(denominator=0))
    assessments_on_time_from_referral: Answer = field(default_factory=lambda: Answer(denominator=0))
    section47_started: Answer = field(default_factory=Answer)
    conferences_on_time: Answer = field(default_factory=lambda: Answer(denominator=0))
    scenarios: Counter[str] = field(default_factory=Counter)  # children by scenario

    def figures(self) -> dict[str, Answer]:
        """Every known figure by a short name (the names the command prints)."""
        return {
            "on a plan at 31 March": self.on_plan,
            **{f"initial category {code}": self.initial_category[code] for code in CATEGORIES},
            **{f"latest category {code}": self.latest_category[code] for code in CATEGORIES},
            "second or subsequent plan (ever)": self.repeat_plans,
            "second or subsequent plan (ever), with previous year": self.repeat_plans_with_history,
            "repeat plan within two years": self.repeat_within_two_years,
            "repeat plan within two years, with previous year": (
                self.repeat_within_two_years_with_history
            ),
            "plans ended in the year lasting 2+ years": self.plans_ended_two_years,
            "re-referrals within 12 months": self.re_referrals,
            "re-referrals within 12 months, with previous year": self.re_referrals_with_history,
            "assessments within 45 working days": self.assessments_on_time,
            "assessments within 45 working days of referral": (
                self.assessments_on_time_from_referral
            ),
            "section 47 enquiries started": self.section47_started,
            "ICPCs within 15 working days": self.conferences_on_time,
        }


@dataclass
class Known903:
    """What the SSDA903 return written by generate_903 must give."""

    year_ends: int
    children: int = 0
    looked_after_at_31_march: Answer = field(default_factory=Answer)  # V3/V4 left out
    looked_after_during: Answer = field(default_factory=Answer)
    missing: Answer = field(default_factory=Answer)  # children with 1+ "M" in the year
    missing_3_or_more: Answer = field(default_factory=Answer)
    away: Answer = field(default_factory=Answer)  # children with 1+ "A" in the year
    away_3_or_more: Answer = field(default_factory=Answer)
    rows: Counter[str] = field(default_factory=Counter)  # rows written, by table
    files: list[Path] = field(default_factory=list)
    scenarios: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, Answer]:
        return {
            "looked after at 31 March": self.looked_after_at_31_march,
            "looked after during the year": self.looked_after_during,
            "missing (M) at least once": self.missing,
            "missing (M) 3 or more times": self.missing_3_or_more,
            "away without authorisation (A) at least once": self.away,
            "away without authorisation (A) 3 or more times": self.away_3_or_more,
        }


# Dates and codes -------------------------------------------------------------------------------


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last < first:
        raise SyntheticError(f"empty range {first}..{last}")
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _not_leap_day(day: date) -> date:
    """29 February moved to the 28th: for dates whose anniversaries must be exact."""
    return day - timedelta(days=1) if (day.month, day.day) == (2, 29) else day


def _years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (callers never pass 29 February)."""
    return day.replace(year=day.year - years)


_OUTWARD = (
    "OX1",
    "OX2",
    "OX4",
    "OX14",
    "OX16",
    "OX26",
    "RG9",
    "HP9",
    "MK1",
    "SN1",
    "B15",
    "M14",
    "LS6",
    "NE4",
    "SW1A",
    "EC1A",
    "BS3",
    "CB2",
    "NR1",
    "PL4",
    "EX4",
    "TR1",
    "LE1",
    "NG7",
    "S10",
    "L8",
    "CH1",
    "YO1",
    "DN1",
    "HU3",
)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_ETHNIC = ("WBRI", "WBRI", "WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "AIND", "APKN", "BAFR", "BCRB")
_SOURCES = ("1A", "1B", "2A", "2B", "3A", "3B", "3E", "4", "5A", "5C", "5D", "6", "7", "8", "9")
_NEEDS_CIN = ("N1", "N1", "N1", "N2", "N3", "N4", "N5", "N5", "N6", "N7", "N8")
_FACTORS = ("1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "6A", "7A", "8B", "21")
_DISABILITY = ("NONE",) * 9 + ("LD", "AUT", "BEH", "COMM", "MOB", "HEAR")
_CATEGORY_CODES = ("NEG", "PHY", "SAB", "EMO", "MUL")
_CATEGORY_WEIGHTS = (50, 8, 4, 35, 3)

# SSDA903 codes valid in every year from 2017 (docs/statutory-returns.md §2.1).
_LEGAL_STATUS = ("C2", "C2", "C2", "C2", "C2", "C2", "C1", "C1", "E1", "D1", "J1", "J2")
_PLACEMENT = ("U1", "U1", "U2", "U3", "U4", "U5", "U6", "K2", "R1", "P1", "S1", "T1", "A3", "Z1")
_NEED_903 = ("N1", "N1", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
_LEAVING = ("E11", "E12", "E13", "E41", "E2", "E3", "E4A", "E5", "E6", "E8", "E14", "E15")
_PLACE_CHANGE = ("CARPL", "CLOSE", "STAND", "CREQB", "LAREQ", "PLACE", "OTHER")


def _postcode(rng: random.Random) -> str:
    letters = _INWARD_LETTERS
    return f"{rng.choice(_OUTWARD)} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _birth_date(rng: random.Random, earliest_event: date, year_end: date) -> date:
    """A date of birth before the child's earliest event, the child under 18 at 31 March."""
    youngest = earliest_event - timedelta(days=20)
    oldest = max(year_end - timedelta(days=365 * 17 + 100), earliest_event - timedelta(days=4500))
    return _day_between(rng, min(oldest, youngest), youngest)


# CIN census: a child's history -----------------------------------------------------------------


@dataclass(slots=True)
class _Assessment:
    start: date
    authorised: date | None
    factors: tuple[str, ...]


@dataclass(slots=True)
class _Enquiry:
    start: date
    target: date
    conference: date | None
    not_required: bool


@dataclass(slots=True)
class _Plan:
    start: date
    end: date | None
    initial: str
    latest: str
    previous: int | None  # NumberOfPreviousCPP; None: not given


@dataclass(slots=True)
class _Details:
    """One CINdetails: a referral and what followed it."""

    referral: date
    source: str
    need: str
    closure: date | None = None
    reason: str = ""
    nfa: bool = False
    assessments: list[_Assessment] = field(default_factory=list)
    cin_plans: list[tuple[date, date | None]] = field(default_factory=list)
    enquiries: list[_Enquiry] = field(default_factory=list)
    plans: list[_Plan] = field(default_factory=list)

    def as_at(self, day: date) -> _Details | None:
        """What a return made on `day` shows of these details (None: not referred yet)."""
        if self.referral > day:
            return None
        closed = self.closure is not None and self.closure <= day
        return _Details(
            self.referral,
            self.source,
            self.need,
            self.closure if closed else None,
            self.reason if closed else "",
            self.nfa,
            [
                _Assessment(a.start, _known(a.authorised, day), a.factors if a.authorised else ())
                for a in self.assessments
                if a.start <= day
            ],
            [(start, _known(end, day)) for start, end in self.cin_plans if start <= day],
            [
                _Enquiry(e.start, e.target, _known(e.conference, day), e.not_required)
                for e in self.enquiries
                if e.start <= day
            ],
            [
                _Plan(p.start, _known(p.end, day), p.initial, p.latest, p.previous)
                for p in self.plans
                if p.start <= day
            ],
        )

    def dates(self) -> Iterator[date]:
        yield self.referral
        if self.closure:
            yield self.closure
        for assessment in self.assessments:
            yield assessment.start
            if assessment.authorised:
                yield assessment.authorised
        for enquiry in self.enquiries:
            yield enquiry.start
            if enquiry.conference:
                yield enquiry.conference
        for plan in self.plans:
            yield plan.start
            if plan.end:
                yield plan.end


def _known(day: date | None, as_at: date) -> date | None:
    return day if day is not None and day <= as_at else None


class _Steps(TypedDict):
    k: int
    m: int
    j: int
    n: int


@dataclass(slots=True)
class _Pathway:
    """Referral → assessment → section 47 enquiry → initial conference → plan, by working days:
    the assessment starts k after the referral and is authorised m after its start; the enquiry
    starts j after the assessment's start; the conference is n after the enquiry's start."""

    details: _Details
    k: int
    m: int
    j: int
    n: int
    assessment: _Assessment
    enquiry: _Enquiry
    plan: _Plan | None

    @property
    def cpp(self) -> _Plan:
        """The plan the pathway led to (for pathways made with one)."""
        if self.plan is None:
            raise SyntheticError("this pathway has no plan")
        return self.plan


class _CINStory:
    """One child being made: the scenario builds the history with these helpers and declares
    what the child adds to the known answers."""

    def __init__(self, rng: random.Random, year_ends: int, child: str, known: KnownCIN) -> None:
        self.rng = rng
        self.ys = date(year_ends - 1, 4, 1)  # the year's first day
        self.ye = date(year_ends, 3, 31)  # its last: the reference date
        self.py_s = date(year_ends - 2, 4, 1)  # the previous year's
        self.py_e = date(year_ends - 1, 3, 31)
        self.year_ends = year_ends
        self.child = child
        self.known = known
        self.details: list[_Details] = []
        self._new_plan = False
        self._referrals: list[bool] = []

    # Checks of the scenario's own design ---------------------------------------------------

    def in_year(self, *days: date) -> None:
        for day in days:
            if not self.ys <= day <= self.ye:
                raise SyntheticError(f"{self.child}: {day} was meant to be in the year")

    def before_year(self, *days: date) -> None:
        for day in days:
            if day >= self.ys:
                raise SyntheticError(f"{self.child}: {day} was meant to be before the year")

    def in_previous_year(self, *days: date) -> None:
        for day in days:
            if not self.py_s <= day <= self.py_e:
                raise SyntheticError(f"{self.child}: {day} was meant to be in the previous year")

    # Building ------------------------------------------------------------------------------

    def day(self, first: date, last: date) -> date:
        return _day_between(self.rng, first, last)

    def referral(self, day: date, *, nfa: bool = False) -> _Details:
        details = _Details(day, self.rng.choice(_SOURCES), self.rng.choice(_NEEDS_CIN), nfa=nfa)
        self.details.append(details)
        return details

    def close(self, details: _Details, day: date, reason: str = "RC8") -> None:
        details.closure, details.reason = day, reason

    def assess(self, details: _Details, start: date, authorised: date | None) -> _Assessment:
        factors = tuple(sorted(self.rng.sample(_FACTORS, self.rng.randint(1, 3))))
        assessment = _Assessment(start, authorised, factors if authorised else ())
        details.assessments.append(assessment)
        return assessment

    def enquire(
        self, details: _Details, start: date, conference: date | None, *, not_required: bool = False
    ) -> _Enquiry:
        target = add_working_days(start, CONFERENCE_WORKING_DAYS)
        enquiry = _Enquiry(start, target, conference, not_required)
        details.enquiries.append(enquiry)
        return enquiry

    def categories(self) -> tuple[str, str]:
        initial = self.rng.choices(_CATEGORY_CODES, _CATEGORY_WEIGHTS)[0]
        if self.rng.random() < 0.85:
            return initial, initial
        return initial, self.rng.choices(_CATEGORY_CODES, _CATEGORY_WEIGHTS)[0]

    def plan(
        self,
        details: _Details,
        start: date,
        end: date | None = None,
        *,
        previous: int | None = 0,
        categories: tuple[str, str] | None = None,
    ) -> _Plan:
        initial, latest = categories or self.categories()
        plan = _Plan(start, end, initial, latest, previous)
        details.plans.append(plan)
        return plan

    def forward(
        self,
        details: _Details,
        *,
        k: int | None = None,
        m: int | None = None,
        j: int | None = None,
        n: int | None = None,
        plan: bool = True,
        previous: int | None = 0,
    ) -> _Pathway:
        """The pathway from the details' referral, forwards; a plan from the conference."""
        rng = self.rng
        k = rng.randint(0, 3) if k is None else k
        m = rng.randint(5, 60) if m is None else m
        j = rng.randint(0, 5) if j is None else j
        n = rng.randint(4, 25) if n is None else n
        start = add_working_days(details.referral, k)
        assessment = self.assess(details, start, add_working_days(start, m))
        enquiry_start = add_working_days(start, j)
        conference = add_working_days(enquiry_start, n)
        enquiry = self.enquire(details, enquiry_start, conference)
        made = self.plan(details, conference, previous=previous) if plan else None
        return _Pathway(details, k, m, j, n, assessment, enquiry, made)

    def backward(
        self, plan_start: date, *, n: int | None = None, previous: int | None = 0
    ) -> _Pathway:
        """A pathway that ends in a plan starting on `plan_start` (any day), built backwards:
        new details, referred k working days before the assessment started."""
        rng = self.rng
        k, j, m = rng.randint(0, 3), rng.randint(0, 5), rng.randint(5, 60)
        n = rng.randint(4, 25) if n is None else n
        enquiry_start = subtract_working_days(plan_start, n)
        start = subtract_working_days(enquiry_start, j)
        details = self.referral(subtract_working_days(start, k))
        assessment = self.assess(details, start, add_working_days(start, m))
        enquiry = self.enquire(details, enquiry_start, plan_start)
        made = self.plan(details, plan_start, previous=previous)
        return _Pathway(details, k, m, j, n, assessment, enquiry, made)

    def in_year_pathway_room(self) -> tuple[date, _Steps]:
        """A referral date in the year, and k, m, j, n for `forward`, with the whole pathway
        (to the assessment's authorisation and the conference) inside the year."""
        rng = self.rng
        steps = _Steps(
            k=rng.randint(0, 3), m=rng.randint(5, 70), j=rng.randint(0, 5), n=rng.randint(4, 25)
        )
        longest = max(steps["k"] + steps["m"], steps["k"] + steps["j"] + steps["n"])
        return self.day(self.ys, self.ye - timedelta(days=_span(longest))), steps

    # Declaring what the child adds -------------------------------------------------------

    def count_referral(self, *, re_referral: bool, with_history: bool | None = None) -> None:
        """A referral in the year: a re-referral (within 12 months of an earlier referral of
        the child's) in this return alone, and with the previous year's return as history."""
        known, child = self.known, self.child
        with_history = re_referral if with_history is None else with_history
        for answer, repeat in (
            (known.re_referrals, re_referral),
            (known.re_referrals_with_history, with_history),
        ):
            answer.denominator = (answer.denominator or 0) + 1
            if repeat:
                answer.numerator += 1
                answer.children.add(child)

    def count_assessment(self, *, on_time: bool, on_time_from_referral: bool) -> None:
        """An assessment authorised in the year, within 45 working days of its start or not,
        and of its referral or not."""
        for answer, timely in (
            (self.known.assessments_on_time, on_time),
            (self.known.assessments_on_time_from_referral, on_time_from_referral),
        ):
            answer.denominator = (answer.denominator or 0) + 1
            if timely:
                answer.numerator += 1
                answer.children.add(self.child)

    def count_pathway(self, pathway: _Pathway, *, conference: bool = True) -> None:
        """A forward pathway wholly in the year: its assessment, enquiry and conference."""
        self.count_assessment(
            on_time=pathway.m <= ASSESSMENT_WORKING_DAYS,
            on_time_from_referral=pathway.k + pathway.m <= ASSESSMENT_WORKING_DAYS,
        )
        self.count_enquiry()
        if conference:
            self.count_conference(on_time=pathway.n <= CONFERENCE_WORKING_DAYS)

    def count_enquiry(self) -> None:
        """A section 47 enquiry started in the year."""
        self.known.section47_started.numerator += 1
        self.known.section47_started.children.add(self.child)

    def count_conference(self, *, on_time: bool) -> None:
        """An initial conference held in the year, on an enquiry with a start date."""
        answer = self.known.conferences_on_time
        answer.denominator = (answer.denominator or 0) + 1
        if on_time:
            answer.numerator += 1
            answer.children.add(self.child)

    def count_on_plan(self, plan: _Plan) -> None:
        """On a plan at 31 March: `plan`, the latest started of the child's open plans."""
        self.known.on_plan.numerator += 1
        self.known.on_plan.children.add(self.child)
        self.known.initial_category[plan.initial].numerator += 1
        self.known.initial_category[plan.initial].children.add(self.child)
        self.known.latest_category[plan.latest].numerator += 1
        self.known.latest_category[plan.latest].children.add(self.child)

    def count_new_plan(
        self,
        *,
        ever: bool,
        within_two_years: bool,
        ever_with_history: bool | None = None,
        within_two_years_with_history: bool | None = None,
    ) -> None:
        """The child has a plan (or plans) starting in the year: whether one of them is a
        second or later plan, and one within two years of the end of the one before; from this
        return alone, and with the previous year's return."""
        if self._new_plan:
            raise SyntheticError(f"{self.child}: new plans are declared once per child")
        self._new_plan = True
        known = self.known
        for answer, repeat in (
            (known.repeat_plans, ever),
            (
                known.repeat_plans_with_history,
                ever if ever_with_history is None else ever_with_history,
            ),
            (known.repeat_within_two_years, within_two_years),
            (
                known.repeat_within_two_years_with_history,
                within_two_years
                if within_two_years_with_history is None
                else within_two_years_with_history,
            ),
        ):
            answer.denominator = (answer.denominator or 0) + 1
            if repeat:
                answer.numerator += 1
                answer.children.add(self.child)

    def count_plan_ended(self, *, lasted_two_years: bool) -> None:
        """A plan that ended in the year, having lasted two years or more or not."""
        answer = self.known.plans_ended_two_years
        answer.denominator = (answer.denominator or 0) + 1
        if lasted_two_years:
            answer.numerator += 1
            answer.children.add(self.child)


# CIN scenarios ---------------------------------------------------------------------------------
# Each builds one child and declares what it adds. "Filler" scenarios draw their dates at random
# within ranges that keep their outcome; the edge cases use fixed dates near the boundaries.


def _referral_no_further_action(s: _CINStory) -> None:
    referred = s.day(s.ys, s.ye)
    details = s.referral(referred, nfa=True)
    s.close(details, min(referred + timedelta(days=s.rng.randint(0, 3)), s.ye), "RC7")
    s.count_referral(re_referral=False)


def _assessment_in_year(s: _CINStory) -> None:
    k, m = s.rng.randint(0, 3), s.rng.randint(0, 75)
    referred = s.day(s.ys, s.ye - timedelta(days=_span(k + m) + 10))
    details = s.referral(referred)
    start = add_working_days(referred, k)
    authorised = add_working_days(start, m)
    s.assess(details, start, authorised)
    s.in_year(referred, authorised)
    outcome = s.rng.random()
    if outcome < 0.5:
        s.close(details, authorised + timedelta(days=s.rng.randint(0, 10)), "RC8")
    elif outcome < 0.7:
        s.close(details, authorised + timedelta(days=s.rng.randint(0, 10)), "RC9")
    else:
        details.cin_plans.append((authorised, None))
    s.count_referral(re_referral=False)
    s.count_assessment(
        on_time=m <= ASSESSMENT_WORKING_DAYS,
        on_time_from_referral=k + m <= ASSESSMENT_WORKING_DAYS,
    )


def _assessment_in_progress(s: _CINStory) -> None:
    referred = s.day(s.ye - timedelta(days=20), s.ye)
    details = s.referral(referred)
    s.assess(details, referred, None)
    s.count_referral(re_referral=False)


def _open_case_from_before(s: _CINStory) -> None:
    k, m = s.rng.randint(0, 3), s.rng.randint(5, 75)
    referred = s.day(s.ys - timedelta(days=3 * 365), s.ys - timedelta(days=_span(k + m) + 1))
    details = s.referral(referred)
    start = add_working_days(referred, k)
    authorised = add_working_days(start, m)
    s.assess(details, start, authorised)
    s.before_year(authorised)
    details.cin_plans.append((authorised, None))
    if s.rng.random() < 0.4:
        s.close(details, s.day(s.ys, s.ye), "RC7")  # closed in the year: still in the return


def _assessment_across_year_start(s: _CINStory) -> None:
    """Referred before the year; the assessment authorised in it."""
    k, m = s.rng.randint(0, 3), s.rng.randint(35, 60)
    referred = s.day(s.ys - timedelta(days=40), s.ys - timedelta(days=1))
    details = s.referral(referred)
    start = add_working_days(referred, k)
    authorised = add_working_days(start, m)
    s.assess(details, start, authorised)
    s.before_year(referred)
    s.in_year(authorised)
    details.cin_plans.append((authorised, None))
    s.count_assessment(
        on_time=m <= ASSESSMENT_WORKING_DAYS,
        on_time_from_referral=k + m <= ASSESSMENT_WORKING_DAYS,
    )


def _in_previous_return_only(s: _CINStory, referred: date, closed: date) -> _Details:
    """Details referred and closed before this year, closed in the previous year: they are in
    the previous year's return and not in this one."""
    details = s.referral(referred, nfa=True)
    s.close(details, closed, "RC7")
    s.in_previous_year(closed)
    return details


def _re_referral_in_year(s: _CINStory) -> None:
    first = s.day(s.ys, s.ye - timedelta(days=60))
    details = s.referral(first, nfa=True)
    closed = first + timedelta(days=s.rng.randint(0, 3))
    s.close(details, closed, "RC7")
    second = s.referral(s.day(closed + timedelta(days=1), s.ye), nfa=True)
    s.close(second, min(second.referral + timedelta(days=2), s.ye), "RC7")
    s.count_referral(re_referral=False)
    s.count_referral(re_referral=True)


def _re_referral_after_previous_year(s: _CINStory, *, still_open: bool) -> None:
    """Referred in the year within 12 months of a referral made in the previous year; that
    case closed in the previous year (only its return shows it) or in this one."""
    referred = _not_leap_day(s.day(s.ys + timedelta(days=31), s.ye))
    earlier = s.day(_years_before(referred, 1), s.ys - timedelta(days=1))
    if still_open:
        closed = s.day(s.ys, referred - timedelta(days=1))
        s.close(s.referral(earlier, nfa=False), closed, "RC8")
    else:
        _in_previous_return_only(s, earlier, s.day(earlier, s.py_e))
    details = s.referral(referred, nfa=True)
    s.close(details, referred, "RC7")
    s.count_referral(re_referral=still_open, with_history=True)


def _re_referral_exact(s: _CINStory, *, extra_day: bool, still_open: bool) -> None:
    """Referred exactly 12 months (or 12 months and a day) after an earlier referral."""
    referred = s.ys + timedelta(days=100)  # early July: never 29 February
    earlier = _years_before(referred, 1) - timedelta(days=1 if extra_day else 0)
    if still_open:
        s.close(s.referral(earlier), s.ys + timedelta(days=20), "RC8")
    else:
        _in_previous_return_only(s, earlier, earlier + timedelta(days=10))
    details = s.referral(referred, nfa=True)
    s.close(details, referred + timedelta(days=1), "RC7")
    within = not extra_day
    s.count_referral(re_referral=within and still_open, with_history=within)


def _same_day_referrals(s: _CINStory) -> None:
    """Two CINdetails with the same referral date: one referral (a duplicate record)."""
    referred = s.day(s.ys, s.ye - timedelta(days=10))
    for _ in range(2):
        details = s.referral(referred, nfa=True)
        s.close(details, referred + timedelta(days=1), "RC7")
    s.count_referral(re_referral=False)


def _old_referral_then_new(s: _CINStory) -> None:
    """A long case closed in the year, then a new referral: more than 12 months apart."""
    first = s.day(s.ys - timedelta(days=3 * 365), s.ys - timedelta(days=400))
    details = s.referral(first)
    authorised = add_working_days(first, s.rng.randint(10, 40))
    s.assess(details, first, authorised)
    details.cin_plans.append((authorised, None))
    closed = s.day(s.ys, s.ye - timedelta(days=30))
    s.close(details, closed, "RC7")
    later = s.referral(s.day(closed + timedelta(days=1), s.ye), nfa=True)
    s.close(later, later.referral, "RC7")
    s.before_year(authorised)
    s.count_referral(re_referral=False)


def _plan_open_from_before(s: _CINStory) -> None:
    referred = s.day(s.ys - timedelta(days=3 * 365), s.ys - timedelta(days=_span(100)))
    pathway = s.forward(s.referral(referred))
    s.before_year(pathway.assessment.authorised or s.ye, pathway.cpp.start)
    s.count_on_plan(pathway.cpp)


def _plan_started_in_year(s: _CINStory, *, previous: int = 0) -> None:
    referred, steps = s.in_year_pathway_room()
    pathway = s.forward(s.referral(referred), previous=previous, **steps)
    s.in_year(referred, pathway.assessment.authorised or s.ys, pathway.cpp.start)
    s.count_referral(re_referral=False)
    s.count_pathway(pathway)
    s.count_new_plan(ever=previous > 0, within_two_years=False)
    s.count_on_plan(pathway.cpp)


def _repeat_plan_by_previous_count(s: _CINStory) -> None:
    _plan_started_in_year(s, previous=s.rng.randint(1, 3))


def _plan_starts_31_march(s: _CINStory) -> None:
    referred = s.ye - timedelta(days=40)
    details = s.referral(referred)
    s.assess(details, referred, add_working_days(referred, 10))
    enquiry_start = s.ye - timedelta(days=20)
    s.enquire(details, enquiry_start, s.ye)
    plan = s.plan(details, s.ye)
    s.in_year(referred, enquiry_start)
    s.count_referral(re_referral=False)
    s.count_assessment(on_time=True, on_time_from_referral=True)
    s.count_enquiry()
    # 20 calendar days: at most 15 working days, whatever day 31 March falls on.
    s.count_conference(on_time=count_working_days(enquiry_start, s.ye) <= CONFERENCE_WORKING_DAYS)
    s.count_new_plan(ever=False, within_two_years=False)
    s.count_on_plan(plan)


def _plan_ends_31_march(s: _CINStory) -> None:
    pathway = s.forward(s.referral(s.ys - timedelta(days=300)))
    pathway.cpp.end = s.ye
    s.before_year(pathway.cpp.start, pathway.assessment.authorised or s.ye)
    s.count_plan_ended(lasted_two_years=False)  # started within the last year and a bit


def _plan_ended_after(s: _CINStory, *, years: int, extra_days: int) -> None:
    """A plan ended in the year that started exactly `years` years (plus `extra_days`) before."""
    ended = s.ys + timedelta(days=150)  # late August: never 29 February
    start = _years_before(ended, years) + timedelta(days=extra_days)
    pathway = s.backward(start)
    pathway.cpp.end = ended
    s.close(pathway.details, ended + timedelta(days=20), "RC7")
    s.before_year(pathway.assessment.authorised or s.ye)
    s.count_plan_ended(lasted_two_years=extra_days == 0)


def _plan_ended_long(s: _CINStory) -> None:
    ended = _not_leap_day(s.day(s.ys, s.ye))
    start = _not_leap_day(s.day(_years_before(ended, 3), _years_before(ended, 2)))
    pathway = s.backward(start)
    pathway.cpp.end = ended
    if s.rng.random() < 0.5:
        s.close(pathway.details, ended, "RC7")
    s.before_year(pathway.assessment.authorised or s.ye)
    s.count_plan_ended(lasted_two_years=True)


def _plan_ended_short(s: _CINStory) -> None:
    ended = _not_leap_day(s.day(s.ys, s.ye))
    first = _years_before(ended, 2) + timedelta(days=1)
    start = s.day(first, s.ys - timedelta(days=_span(60) + 5))
    pathway = s.backward(start)
    pathway.cpp.end = ended
    s.before_year(pathway.assessment.authorised or s.ye)
    s.count_plan_ended(lasted_two_years=False)


def _plan_started_and_ended_in_year(s: _CINStory) -> None:
    referred = s.day(s.ys, s.ye - timedelta(days=200))
    pathway = s.forward(s.referral(referred), m=s.rng.randint(5, 60))
    pathway.cpp.end = s.day(pathway.cpp.start + timedelta(days=20), s.ye)
    s.in_year(pathway.assessment.authorised or s.ye, pathway.cpp.start)
    s.count_referral(re_referral=False)
    s.count_pathway(pathway)
    s.count_new_plan(ever=False, within_two_years=False)
    s.count_plan_ended(lasted_two_years=False)


def _two_plans_in_year(s: _CINStory) -> None:
    """A plan started and ended in the year, then a second plan in the same case."""
    referred = s.day(s.ys, s.ys + timedelta(days=60))
    pathway = s.forward(s.referral(referred))
    first = pathway.cpp
    first.end = first.start + timedelta(days=s.rng.randint(40, 80))
    second_start = first.end + timedelta(days=s.rng.randint(30, 60))
    n = s.rng.randint(4, 25)
    enquiry_start = subtract_working_days(second_start, n)
    s.enquire(pathway.details, enquiry_start, second_start)
    second = s.plan(pathway.details, second_start, previous=1)
    s.in_year(pathway.assessment.authorised or s.ye, first.start, enquiry_start, second_start)
    s.count_referral(re_referral=False)
    s.count_pathway(pathway)
    s.count_enquiry()
    s.count_conference(on_time=n <= CONFERENCE_WORKING_DAYS)
    s.count_new_plan(ever=True, within_two_years=True)
    s.count_plan_ended(lasted_two_years=False)
    s.count_on_plan(second)


def _repeat_plan_same_case(s: _CINStory) -> None:
    """A plan that ended shortly before the year; a new plan in the year in the same case."""
    referred = s.day(s.ys - timedelta(days=2 * 365), s.ys - timedelta(days=500))
    pathway = s.forward(s.referral(referred))
    first = pathway.cpp
    first.end = s.day(s.ys - timedelta(days=100), s.ys - timedelta(days=1))
    second_start = s.day(max(first.end + timedelta(days=30), s.ys + timedelta(days=50)), s.ye)
    n = s.rng.randint(4, 25)
    enquiry_start = subtract_working_days(second_start, n)
    s.enquire(pathway.details, enquiry_start, second_start)
    second = s.plan(pathway.details, second_start, previous=1)
    s.before_year(first.end, pathway.assessment.authorised or s.ye)
    s.in_year(enquiry_start, second_start)
    s.count_enquiry()
    s.count_conference(on_time=n <= CONFERENCE_WORKING_DAYS)
    s.count_new_plan(ever=True, within_two_years=True)
    s.count_on_plan(second)


def _repeat_plan_in_previous_return(s: _CINStory, *, previous: int | None) -> None:
    """The earlier plan's case closed in the previous year: only that year's return shows it.
    NumberOfPreviousCPP on the new plan says so (1), or was left blank (None)."""
    first_referred = s.day(s.py_s - timedelta(days=400), s.py_s - timedelta(days=200))
    first = s.forward(s.referral(first_referred))
    first.cpp.end = s.day(s.py_s + timedelta(days=10), s.py_e - timedelta(days=40))
    s.close(first.details, first.cpp.end + timedelta(days=s.rng.randint(0, 30)), "RC7")
    s.in_previous_year(first.cpp.end, first.details.closure or s.ye)
    referred, steps = s.in_year_pathway_room()
    pathway = s.forward(s.referral(referred), previous=previous, **steps)
    s.in_year(referred, pathway.assessment.authorised or s.ys, pathway.cpp.start)
    s.count_referral(re_referral=False)  # more than a year after the first referral
    s.count_pathway(pathway)
    s.count_new_plan(
        ever=bool(previous),
        ever_with_history=True,
        within_two_years=False,
        within_two_years_with_history=True,
    )
    s.count_on_plan(pathway.cpp)


def _repeat_plan_two_years_after(s: _CINStory, *, extra_day: bool) -> None:
    """A new plan exactly two years (or two years and a day) after the previous plan ended;
    that plan's case closed in the previous year."""
    start = s.ys + timedelta(days=120)  # late July
    first_end = _years_before(start, 2) - timedelta(days=1 if extra_day else 0)
    first = s.backward(first_end - timedelta(days=300))
    first.cpp.end = first_end
    s.close(first.details, s.py_s + timedelta(days=30), "RC7")
    pathway = s.backward(start, previous=1)
    s.in_year(
        pathway.details.referral, pathway.enquiry.start, pathway.assessment.authorised or s.ye
    )
    s.count_referral(re_referral=False)
    s.count_assessment(
        on_time=pathway.m <= ASSESSMENT_WORKING_DAYS,
        on_time_from_referral=pathway.k + pathway.m <= ASSESSMENT_WORKING_DAYS,
    )
    s.count_enquiry()
    s.count_conference(on_time=pathway.n <= CONFERENCE_WORKING_DAYS)
    s.count_new_plan(
        ever=True,
        ever_with_history=True,
        within_two_years=False,
        within_two_years_with_history=not extra_day,
    )
    s.count_on_plan(pathway.cpp)


def _overlapping_open_plans(s: _CINStory) -> None:
    """Two open plans (overlapping records): one child on a plan, in the later plan's
    categories."""
    pathway = s.forward(s.referral(s.ys - timedelta(days=400)))
    pathway.cpp.initial, pathway.cpp.latest = "NEG", "NEG"
    later = s.plan(pathway.details, s.ys - timedelta(days=100), categories=("PHY", "EMO"))
    s.before_year(pathway.cpp.start, pathway.assessment.authorised or s.ye)
    s.count_on_plan(later)


def _plan_ended_before_year(s: _CINStory) -> None:
    start = s.day(s.ys - timedelta(days=2 * 365), s.ys - timedelta(days=400))
    pathway = s.backward(start)
    pathway.cpp.end = s.day(start + timedelta(days=60), s.ys - timedelta(days=1))
    pathway.details.cin_plans.append((pathway.cpp.end, None))
    s.before_year(pathway.assessment.authorised or s.ye)


def _plan_ended_31_march_previous_year(s: _CINStory) -> None:
    pathway = s.backward(s.py_e - timedelta(days=300))
    pathway.cpp.end = s.py_e
    s.before_year(pathway.assessment.authorised or s.ye)


def _enquiry_no_conference_needed(s: _CINStory) -> None:
    m = s.rng.randint(5, ASSESSMENT_WORKING_DAYS)
    referred = s.day(s.ys, s.ye - timedelta(days=_span(m) + 5))
    details = s.referral(referred)
    s.assess(details, referred, add_working_days(referred, m))
    enquiry_start = add_working_days(referred, s.rng.randint(0, 5))
    s.enquire(details, enquiry_start, None, not_required=True)
    s.in_year(enquiry_start)
    s.count_referral(re_referral=False)
    s.count_assessment(on_time=True, on_time_from_referral=True)
    s.count_enquiry()


def _conference_no_plan(s: _CINStory) -> None:
    referred, steps = s.in_year_pathway_room()
    pathway = s.forward(s.referral(referred), plan=False, **steps)
    pathway.details.cin_plans.append((pathway.enquiry.conference or s.ye, None))
    s.in_year(pathway.assessment.authorised or s.ys, pathway.enquiry.conference or s.ys)
    s.count_referral(re_referral=False)
    s.count_pathway(pathway)


def _enquiry_awaiting_conference(s: _CINStory) -> None:
    referred = s.day(s.ye - timedelta(days=15), s.ye - timedelta(days=5))
    details = s.referral(referred)
    s.assess(details, referred, None)
    s.enquire(details, referred, None)
    s.count_referral(re_referral=False)
    s.count_enquiry()


def _enquiry_before_year_conference_in_year(s: _CINStory) -> None:
    referred = s.ys - timedelta(days=10)
    details = s.referral(referred)
    s.assess(details, referred, add_working_days(referred, 30))
    enquiry_start = s.ys - timedelta(days=5)
    conference = add_working_days(enquiry_start, 10)
    s.enquire(details, enquiry_start, conference)
    plan = s.plan(details, conference)
    s.before_year(enquiry_start)
    s.in_year(conference, details.assessments[0].authorised or s.ys)
    s.count_assessment(on_time=True, on_time_from_referral=True)
    s.count_conference(on_time=True)
    s.count_new_plan(ever=False, within_two_years=False)
    s.count_on_plan(plan)


def _conference_across_holiday(s: _CINStory, enquiry_start: date, days: int) -> None:
    """An initial conference on the `days`-th working day after the enquiry started; no plan."""
    referred = enquiry_start - timedelta(days=3)
    details = s.referral(referred)
    s.assess(details, referred, add_working_days(referred, 40))
    conference = add_working_days(enquiry_start, days)
    s.enquire(details, enquiry_start, conference)
    details.cin_plans.append((conference, None))
    s.in_year(referred, conference, details.assessments[0].authorised or s.ys)
    s.count_referral(re_referral=False)
    s.count_assessment(on_time=True, on_time_from_referral=True)
    s.count_enquiry()
    s.count_conference(on_time=days <= CONFERENCE_WORKING_DAYS)


def _conference_christmas(s: _CINStory, days: int) -> None:
    _conference_across_holiday(s, date(s.year_ends - 1, 12, 17), days)


def _conference_may(s: _CINStory, days: int) -> None:
    early_may = next(day for day in BANK_HOLIDAYS[s.year_ends - 1] if day.month == 5)
    _conference_across_holiday(s, early_may - timedelta(days=6), days)


def _assessment_easter(s: _CINStory, days: int) -> None:
    """Started ten days before Good Friday (the Easter at the start of the year), authorised on
    the `days`-th working day after; referred on 1 March, before the year."""
    good_friday = BANK_HOLIDAYS[s.year_ends - 1][1]
    start = good_friday - timedelta(days=10)
    referred = date(s.year_ends - 1, 3, 1)
    details = s.referral(referred)
    authorised = add_working_days(start, days)
    s.assess(details, start, authorised)
    s.close(details, authorised + timedelta(days=5), "RC8")
    s.before_year(referred)
    s.in_year(authorised)
    s.count_assessment(
        on_time=days <= ASSESSMENT_WORKING_DAYS,
        on_time_from_referral=count_working_days(referred, start) + days <= ASSESSMENT_WORKING_DAYS,
    )


def _assessment_christmas(s: _CINStory, days: int) -> None:
    referred = date(s.year_ends - 1, 12, 8)
    details = s.referral(referred)
    authorised = add_working_days(referred, days)
    s.assess(details, referred, authorised)
    s.close(details, authorised + timedelta(days=5), "RC8")
    s.in_year(authorised)
    s.count_referral(re_referral=False)
    s.count_assessment(
        on_time=days <= ASSESSMENT_WORKING_DAYS,
        on_time_from_referral=days <= ASSESSMENT_WORKING_DAYS,
    )


def _assessment_from_referral(s: _CINStory, after_referral: int) -> None:
    """Started `after_referral` working days after the referral, authorised 40 after that."""
    referred = s.ys + timedelta(days=200)
    details = s.referral(referred)
    start = add_working_days(referred, after_referral)
    authorised = add_working_days(start, 40)
    s.assess(details, start, authorised)
    s.close(details, authorised, "RC9")
    s.in_year(authorised)
    s.count_referral(re_referral=False)
    s.count_assessment(
        on_time=True, on_time_from_referral=after_referral + 40 <= ASSESSMENT_WORKING_DAYS
    )


def _assessment_same_day(s: _CINStory) -> None:
    referred = s.ys + timedelta(days=50)
    details = s.referral(referred)
    s.assess(details, referred, referred)
    s.close(details, referred, "RC8")
    s.count_referral(re_referral=False)
    s.count_assessment(on_time=True, on_time_from_referral=True)


def _assessment_authorised_on(s: _CINStory, authorised: date, *, counted: bool) -> None:
    """Started 35 days before `authorised` (at most 25 working days), referred then."""
    referred = authorised - timedelta(days=35)
    details = s.referral(referred)
    s.assess(details, referred, authorised)
    details.cin_plans.append((authorised, None))
    if counted:
        if s.ys <= referred:
            s.count_referral(re_referral=False)
        s.count_assessment(on_time=True, on_time_from_referral=True)


CINScenario = Callable[[_CINStory], None]

# (name, scenario, weight as a filler: 0 for the edge cases, made once each)
CIN_SCENARIOS: tuple[tuple[str, CINScenario, float], ...] = (
    ("referral, no further action", _referral_no_further_action, 18),
    ("referral and assessment in the year", _assessment_in_year, 28),
    ("assessment in progress at 31 March", _assessment_in_progress, 3),
    ("case open from before the year", _open_case_from_before, 14),
    ("referred before the year, assessed in it", _assessment_across_year_start, 3),
    ("re-referral within the year", _re_referral_in_year, 4),
    (
        "re-referral, earlier case closed in the previous year (history only)",
        lambda s: _re_referral_after_previous_year(s, still_open=False),
        3,
    ),
    (
        "re-referral, earlier case closed in the year",
        lambda s: _re_referral_after_previous_year(s, still_open=True),
        1.5,
    ),
    (
        "re-referral exactly 12 months after, earlier case in the previous return only",
        lambda s: _re_referral_exact(s, extra_day=False, still_open=False),
        0,
    ),
    (
        "re-referral exactly 12 months after, earlier case in both returns",
        lambda s: _re_referral_exact(s, extra_day=False, still_open=True),
        0,
    ),
    (
        "referral 12 months and a day after, earlier case in the previous return only",
        lambda s: _re_referral_exact(s, extra_day=True, still_open=False),
        0,
    ),
    (
        "referral 12 months and a day after, earlier case in both returns",
        lambda s: _re_referral_exact(s, extra_day=True, still_open=True),
        0,
    ),
    ("two CINdetails on the same day", _same_day_referrals, 0.3),
    ("new referral more than 12 months after an old one", _old_referral_then_new, 2),
    ("on a plan since before the year", _plan_open_from_before, 7),
    ("plan started in the year, open", _plan_started_in_year, 5),
    ("repeat plan (NumberOfPreviousCPP > 0)", _repeat_plan_by_previous_count, 1.5),
    ("plan starting 31 March", _plan_starts_31_march, 0),
    ("plan ending 31 March", _plan_ends_31_march, 0),
    (
        "plan ended lasting exactly 2 years",
        lambda s: _plan_ended_after(s, years=2, extra_days=0),
        0,
    ),
    (
        "plan ended lasting 2 years less a day",
        lambda s: _plan_ended_after(s, years=2, extra_days=1),
        0,
    ),
    ("plan ended in the year after 2+ years", _plan_ended_long, 1.5),
    ("plan ended in the year under 2 years", _plan_ended_short, 3),
    ("plan started and ended in the year", _plan_started_and_ended_in_year, 1),
    ("two plans starting in the year", _two_plans_in_year, 0.3),
    ("repeat plan within two years, same case", _repeat_plan_same_case, 0.5),
    (
        "repeat plan within two years found only in the previous return",
        lambda s: _repeat_plan_in_previous_return(s, previous=1),
        1,
    ),
    (
        "repeat plan in the previous return only, NumberOfPreviousCPP blank",
        lambda s: _repeat_plan_in_previous_return(s, previous=None),
        0.3,
    ),
    (
        "repeat plan exactly two years after the last ended",
        lambda s: _repeat_plan_two_years_after(s, extra_day=False),
        0,
    ),
    (
        "repeat plan two years and a day after the last ended",
        lambda s: _repeat_plan_two_years_after(s, extra_day=True),
        0,
    ),
    ("two open plans (overlapping records)", _overlapping_open_plans, 0),
    ("plan ended before the year, case open", _plan_ended_before_year, 1),
    ("plan ended 31 March of the previous year", _plan_ended_31_march_previous_year, 0),
    ("section 47, conference not required", _enquiry_no_conference_needed, 2),
    ("section 47 and conference, no plan", _conference_no_plan, 1.5),
    ("section 47 awaiting its conference at 31 March", _enquiry_awaiting_conference, 0.5),
    (
        "section 47 before the year, conference in it",
        _enquiry_before_year_conference_in_year,
        0,
    ),
    ("ICPC on the 15th working day across Christmas", lambda s: _conference_christmas(s, 15), 0),
    ("ICPC on the 16th working day across Christmas", lambda s: _conference_christmas(s, 16), 0),
    ("ICPC on the 15th working day across May bank holidays", lambda s: _conference_may(s, 15), 0),
    ("ICPC on the 16th working day across May bank holidays", lambda s: _conference_may(s, 16), 0),
    ("assessment on the 45th working day across Easter", lambda s: _assessment_easter(s, 45), 0),
    ("assessment on the 46th working day across Easter", lambda s: _assessment_easter(s, 46), 0),
    (
        "assessment on the 45th working day across Christmas",
        lambda s: _assessment_christmas(s, 45),
        0,
    ),
    (
        "assessment on the 46th working day across Christmas",
        lambda s: _assessment_christmas(s, 46),
        0,
    ),
    (
        "assessment 45 working days from referral (40 from its start)",
        lambda s: _assessment_from_referral(s, 5),
        0,
    ),
    (
        "assessment 46 working days from referral (40 from its start)",
        lambda s: _assessment_from_referral(s, 6),
        0,
    ),
    ("assessment authorised the day it started", _assessment_same_day, 0),
    (
        "assessment authorised on 31 March",
        lambda s: _assessment_authorised_on(s, s.ye, counted=True),
        0,
    ),
    (
        "assessment authorised on 1 April",
        lambda s: _assessment_authorised_on(s, s.ys, counted=True),
        0,
    ),
    (
        "assessment authorised on 31 March of the previous year",
        lambda s: _assessment_authorised_on(s, s.py_e, counted=False),
        0,
    ),
)
PINNED_CIN = tuple(name for name, _, _ in CIN_SCENARIOS)  # each made once, first, in order


# CIN census: writing ---------------------------------------------------------------------------


def _iso(day: date) -> str:
    return day.isoformat()


def _cin_header(year_ends: int) -> str:
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        "<Message>\n"
        "  <Header>\n"
        "    <CollectionDetails>\n"
        "      <Collection>CIN</Collection>\n"
        f"      <Year>{year_ends}</Year>\n"
        f"      <ReferenceDate>{year_ends}-03-31</ReferenceDate>\n"
        "    </CollectionDetails>\n"
        "    <Source>\n"
        "      <SourceLevel>L</SourceLevel>\n"
        "      <LEA>999</LEA>\n"
        "      <SoftwareCode>PAQA synthetic returns</SoftwareCode>\n"
        "      <Release>1</Release>\n"
        "      <SerialNo>001</SerialNo>\n"
        f"      <DateTime>{year_ends}-05-01T09:00:00</DateTime>\n"
        "    </Source>\n"
        "  </Header>\n"
        "  <Children>\n"
    )


_CIN_FOOTER = "  </Children>\n</Message>\n"


@dataclass(slots=True)
class _CINChild:
    child_id: str
    upn: str
    born: date
    sex: str  # 1 male, 2 female (GenderCurrent); M/F from 2026 (Sex)
    ethnicity: str
    disabilities: tuple[str, ...]


def _cin_child_xml(child: _CINChild, details: list[_Details], year_ends: int) -> str:
    out = [
        "    <Child>\n      <ChildIdentifiers>\n",
        f"        <LAchildID>{child.child_id}</LAchildID>\n",
        f"        <UPN>{child.upn}</UPN>\n",
        f"        <PersonBirthDate>{_iso(child.born)}</PersonBirthDate>\n",
    ]
    if year_ends >= 2026:
        out.append(f"        <Sex>{'M' if child.sex == '1' else 'F'}</Sex>\n")
    else:
        out.append(f"        <GenderCurrent>{child.sex}</GenderCurrent>\n")
    out.append("      </ChildIdentifiers>\n      <ChildCharacteristics>\n")
    out.append(f"        <Ethnicity>{child.ethnicity}</Ethnicity>\n        <Disabilities>\n")
    out.extend(f"          <Disability>{code}</Disability>\n" for code in child.disabilities)
    out.append("        </Disabilities>\n      </ChildCharacteristics>\n")
    for d in details:
        out.append("      <CINdetails>\n")
        out.append(f"        <CINreferralDate>{_iso(d.referral)}</CINreferralDate>\n")
        out.append(f"        <ReferralSource>{d.source}</ReferralSource>\n")
        out.append(f"        <PrimaryNeedCode>{d.need}</PrimaryNeedCode>\n")
        if d.closure:
            out.append(f"        <CINclosureDate>{_iso(d.closure)}</CINclosureDate>\n")
            out.append(f"        <ReasonForClosure>{d.reason}</ReasonForClosure>\n")
        conference = next((e.conference for e in d.enquiries if e.conference), None)
        if conference:
            out.append(f"        <DateOfInitialCPC>{_iso(conference)}</DateOfInitialCPC>\n")
        for a in d.assessments:
            out.append("        <Assessments>\n")
            out.append(
                "          <AssessmentActualStartDate>"
                f"{_iso(a.start)}</AssessmentActualStartDate>\n"
            )
            if a.authorised:
                out.append(
                    "          <AssessmentAuthorisationDate>"
                    f"{_iso(a.authorised)}</AssessmentAuthorisationDate>\n"
                )
                out.append("          <FactorsIdentifiedAtAssessment>\n")
                out.extend(
                    f"            <AssessmentFactors>{f}</AssessmentFactors>\n" for f in a.factors
                )
                out.append("          </FactorsIdentifiedAtAssessment>\n")
            out.append("        </Assessments>\n")
        for start, end in d.cin_plans:
            out.append("        <CINPlanDates>\n")
            out.append(f"          <CINPlanStartDate>{_iso(start)}</CINPlanStartDate>\n")
            if end:
                out.append(f"          <CINPlanEndDate>{_iso(end)}</CINPlanEndDate>\n")
            out.append("        </CINPlanDates>\n")
        for e in d.enquiries:
            out.append("        <Section47>\n")
            out.append(f"          <S47ActualStartDate>{_iso(e.start)}</S47ActualStartDate>\n")
            out.append(f"          <InitialCPCtarget>{_iso(e.target)}</InitialCPCtarget>\n")
            if e.conference:
                out.append(f"          <DateOfInitialCPC>{_iso(e.conference)}</DateOfInitialCPC>\n")
            out.append(
                f"          <ICPCnotRequired>{'true' if e.not_required else 'false'}"
                "</ICPCnotRequired>\n"
            )
            out.append("        </Section47>\n")
        out.append(f"        <ReferralNFA>{1 if d.nfa else 0}</ReferralNFA>\n")
        for p in d.plans:
            out.append("        <ChildProtectionPlans>\n")
            out.append(f"          <CPPstartDate>{_iso(p.start)}</CPPstartDate>\n")
            if p.end:
                out.append(f"          <CPPendDate>{_iso(p.end)}</CPPendDate>\n")
            out.append(f"          <InitialCategoryOfAbuse>{p.initial}</InitialCategoryOfAbuse>\n")
            out.append(f"          <LatestCategoryOfAbuse>{p.latest}</LatestCategoryOfAbuse>\n")
            if p.previous is not None:
                out.append(f"          <NumberOfPreviousCPP>{p.previous}</NumberOfPreviousCPP>\n")
            reviews = _reviews(p, date(year_ends, 3, 31))
            if reviews:
                out.append("          <Reviews>\n")
                out.extend(
                    f"            <CPPreviewDate>{_iso(r)}</CPPreviewDate>\n" for r in reviews
                )
                out.append("          </Reviews>\n")
            out.append("        </ChildProtectionPlans>\n")
        out.append("      </CINdetails>\n")
    out.append("    </Child>\n")
    return "".join(out)


def _reviews(plan: _Plan, as_at: date) -> list[date]:
    """Review conferences three months after the start, then every six, while the plan lasts."""
    last = min(plan.end or as_at, as_at)
    reviews = []
    review = plan.start + timedelta(days=91)
    while review <= last:
        reviews.append(review)
        review += timedelta(days=182)
    return reviews


def _open_text(stack: ExitStack, target: str | Path | BinaryIO) -> IO[str]:
    if isinstance(target, str | Path):
        return stack.enter_context(Path(target).open("w", encoding="utf-8", newline=""))
    wrapper = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    stack.callback(wrapper.detach)  # the caller's stream stays open
    stack.callback(wrapper.flush)
    return wrapper


_Make = TypeVar("_Make")


def _check_year(year_ends: int) -> None:
    if year_ends not in SUPPORTED_YEARS:
        raise ValueError(
            f"year_ends must be from {SUPPORTED_YEARS.start} to {SUPPORTED_YEARS.stop - 1} "
            "(the years of the bank-holiday table)"
        )


def _scenario_order(
    rng: random.Random, count: int, scenarios: tuple[tuple[str, _Make, float], ...]
) -> Iterator[tuple[str, _Make]]:
    """Each scenario once, in order, then fillers drawn by weight."""
    fillers = [(name, make) for name, make, weight in scenarios if weight > 0]
    weights = [weight for _, _, weight in scenarios if weight > 0]
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    for index in range(count):
        if index < len(scenarios):
            name, make, _ = scenarios[index]
            yield name, make
        else:
            yield fillers[bisect_right(cumulative, rng.random() * total)]


def generate_cin(
    target: str | Path | BinaryIO,
    *,
    children: int,
    year_ends: int,
    seed: int,
    previous: str | Path | BinaryIO | None = None,
) -> KnownCIN:
    """Write a CIN census for the year ending 31 March `year_ends` with `children` children
    (and, with `previous`, the previous year's census of the same children, as it was at its
    own 31 March) and return its known answers. The same seed gives the same files."""
    _check_year(year_ends)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    known = KnownCIN(year_ends)
    ys, ye = date(year_ends - 1, 4, 1), date(year_ends, 3, 31)
    py_s, py_e = date(year_ends - 2, 4, 1), date(year_ends - 1, 3, 31)
    with ExitStack() as stack:
        out = _open_text(stack, target)
        out.write(_cin_header(year_ends))
        before = _open_text(stack, previous) if previous is not None else None
        if before is not None:
            before.write(_cin_header(year_ends - 1))
        for index, (name, make) in enumerate(_scenario_order(rng, children, CIN_SCENARIOS), 1):
            story = _CINStory(rng, year_ends, f"SYN{index:06d}", known)
            make(story)
            known.scenarios[name] += 1
            earliest = min(details.referral for details in story.details)
            child = _CINChild(
                story.child,
                f"X{rng.randrange(10**12):012d}",
                _birth_date(rng, earliest, ye),
                rng.choice("12"),
                rng.choice(_ETHNIC),
                (rng.choice(_DISABILITY),),
            )
            for details in story.details:
                late = [day for day in details.dates() if day > ye]
                if late:
                    raise SyntheticError(f"{story.child} ({name}): {late[0]} is after 31 March")
            shown = [d for d in story.details if d.closure is None or d.closure >= ys]
            if not shown:
                raise SyntheticError(f"{story.child} ({name}) has no case open in the year")
            out.write(_cin_child_xml(child, shown, year_ends))
            known.children += 1
            if before is not None:
                earlier = [
                    as_at
                    for details in story.details
                    if (as_at := details.as_at(py_e)) is not None
                    and (as_at.closure is None or as_at.closure >= py_s)
                ]
                if earlier:
                    before.write(_cin_child_xml(child, earlier, year_ends - 1))
                    known.previous_children += 1
        out.write(_CIN_FOOTER)
        if before is not None:
            before.write(_CIN_FOOTER)
    on_plan = known.on_plan.numerator
    for code in CATEGORIES:
        known.initial_category[code].denominator = on_plan
        known.latest_category[code].denominator = on_plan
    return known


# SSDA903 ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Episode:
    start: date
    new_episode: str  # RNE
    legal_status: str
    need: str
    placement: str
    provider: str
    end: date | None
    reason: str  # REC
    change: str  # REASON_PLACE_CHANGE
    home: str
    placed: str
    urn: str


@dataclass(slots=True)
class _Absence:
    kind: str
    start: date
    end: date | None


class _LookedAfterStory:
    """One looked-after child being made; the scenario declares what it adds."""

    def __init__(self, rng: random.Random, year_ends: int, child: str, known: Known903) -> None:
        self.rng = rng
        self.ys = date(year_ends - 1, 4, 1)
        self.ye = date(year_ends, 3, 31)
        self.child = child
        self.known = known
        self.episodes: list[_Episode] = []
        self.absences: list[_Absence] = []
        self.home = _postcode(rng)

    def day(self, first: date, last: date) -> date:
        return _day_between(self.rng, first, last)

    def period(
        self,
        start: date,
        end: date | None,
        *,
        legal_status: str | None = None,
        changes: int | None = None,
        reason: str | None = None,
    ) -> None:
        """A period of care from `start` to `end` (open: None), its placements changing
        `changes` times on days strictly inside it (episodes ending X1 and the next starting
        the same day)."""
        rng = self.rng
        last = end or self.ye
        room = (last - start).days
        changes = min(rng.choice((0, 0, 1, 1, 2, 3)) if changes is None else changes, room - 1)
        days = sorted(rng.sample(range(1, room), changes) if changes > 0 and room > 1 else [])
        changed = [start + timedelta(days=d) for d in days]
        status = legal_status or rng.choice(_LEGAL_STATUS)
        need = rng.choice(_NEED_903)
        starts, ends = [start, *changed], [*changed, end]
        for number, (first, until) in enumerate(zip(starts, ends, strict=True)):
            final = number == len(starts) - 1
            ended = (reason or rng.choice(_LEAVING)) if final else "X1"
            self.episodes.append(
                _Episode(
                    start=first,
                    new_episode="S" if number == 0 else rng.choice("PPT"),
                    legal_status=status,
                    need=need,
                    placement=rng.choice(_PLACEMENT),
                    provider=rng.choice(("PR1", "PR1", "PR2", "PR4", "PR5")),
                    end=until,
                    reason=(ended if until is not None else ""),
                    change=rng.choice(_PLACE_CHANGE) if not final else "",
                    home=self.home,
                    placed=_postcode(rng),
                    urn=f"SC{rng.randrange(10**6):06d}",
                )
            )

    def absent(self, kind: str, days: list[date]) -> None:
        for start in days:
            end = min(start + timedelta(days=self.rng.randint(0, 4)), self.ye)
            self.absences.append(_Absence(kind, start, end))

    def year_days(self, count: int) -> list[date]:
        return [self.day(self.ys, self.ye) for _ in range(count)]

    # Declaring ---------------------------------------------------------------------------

    def count(self, *, at_31_march: bool, during: bool) -> None:
        for answer, counted in (
            (self.known.looked_after_at_31_march, at_31_march),
            (self.known.looked_after_during, during),
        ):
            if counted:
                answer.numerator += 1
                answer.children.add(self.child)

    def count_absences(self, *, missing: int, away: int) -> None:
        """Incidents starting in the year: `missing` of "M", `away` of "A"."""
        for answer, counted in (
            (self.known.missing, missing >= 1),
            (self.known.missing_3_or_more, missing >= 3),
            (self.known.away, away >= 1),
            (self.known.away_3_or_more, away >= 3),
        ):
            if counted:
                answer.numerator += 1
                answer.children.add(self.child)


def _looked_after_all_year(s: _LookedAfterStory) -> None:
    """Looked after since before the year and still at 31 March; absences drawn at random."""
    s.period(s.day(s.ye - timedelta(days=6 * 365), s.ys - timedelta(days=10)), None)
    s.count(at_31_march=True, during=True)
    draw = s.rng.random()
    missing = s.rng.randint(1, 2) if draw < 0.1 else s.rng.randint(3, 6) if draw < 0.15 else 0
    away = s.rng.randint(1, 4) if 0.15 <= draw < 0.2 else 0
    s.absent("M", s.year_days(missing))
    s.absent("A", s.year_days(away))
    s.count_absences(missing=missing, away=away)


def _started_in_year(s: _LookedAfterStory) -> None:
    s.period(s.day(s.ys, s.ye), None)
    s.count(at_31_march=True, during=True)


def _ceased_in_year(s: _LookedAfterStory) -> None:
    ended = s.day(s.ys, s.ye - timedelta(days=1))
    s.period(s.day(ended - timedelta(days=5 * 365), ended - timedelta(days=1)), ended)
    s.count(at_31_march=False, during=True)


def _short_breaks_only(s: _LookedAfterStory) -> None:
    s.period(
        s.day(s.ye - timedelta(days=3 * 365), s.ye - timedelta(days=10)),
        None,
        legal_status=s.rng.choice(("V3", "V4")),
        changes=0,
    )
    s.count(at_31_march=False, during=False)


def _returned_to_care(s: _LookedAfterStory) -> None:
    """An earlier period ended before the year; a new one started in it, open."""
    ended = s.day(s.ys - timedelta(days=3 * 365), s.ys - timedelta(days=30))
    s.period(ended - timedelta(days=s.rng.randint(30, 700)), ended)
    s.period(s.day(s.ys, s.ye), None)
    s.count(at_31_march=True, during=True)


def _short_breaks_after_care_ended_before(s: _LookedAfterStory) -> None:
    ended = s.day(s.ys - timedelta(days=2 * 365), s.ys - timedelta(days=30))
    s.period(ended - timedelta(days=s.rng.randint(30, 700)), ended)
    s.period(s.day(ended + timedelta(days=10), s.ye), None, legal_status="V3", changes=0)
    s.count(at_31_march=False, during=False)


def _started_31_march(s: _LookedAfterStory) -> None:
    s.period(s.ye, None)
    s.count(at_31_march=True, during=True)


def _ended_31_march(s: _LookedAfterStory) -> None:
    s.period(s.ye - timedelta(days=400), s.ye, reason="E11")
    s.count(at_31_march=False, during=True)


def _ended_1_april(s: _LookedAfterStory) -> None:
    s.period(s.ys - timedelta(days=300), s.ys, reason="E13")
    s.count(at_31_march=False, during=True)


def _placement_change_31_march(s: _LookedAfterStory) -> None:
    start = s.ye - timedelta(days=200)
    s.period(start, None, changes=0)
    first = s.episodes[-1]
    first.end, first.reason, first.change = s.ye, "X1", "CARPL"
    s.period(s.ye, None, changes=0)
    s.episodes[-1].new_episode = "P"
    s.count(at_31_march=True, during=True)


def _short_break_after_care_in_year(s: _LookedAfterStory) -> None:
    ended = s.ys + timedelta(days=120)
    s.period(ended - timedelta(days=500), ended, changes=1)
    s.period(ended + timedelta(days=30), None, legal_status="V4", changes=0)
    s.count(at_31_march=False, during=True)


def _absences(
    s: _LookedAfterStory, missing: list[date], away: list[date], *, missing_in_year: int
) -> None:
    """Looked after since before the year, with these absences; `missing_in_year` of the
    "M" ones start in the year (all the "A" ones do)."""
    s.period(s.ys - timedelta(days=500), None, changes=1)
    s.count(at_31_march=True, during=True)
    s.absent("M", missing)
    s.absent("A", away)
    s.count_absences(missing=missing_in_year, away=len(away))


def _missing_first_and_last_days(s: _LookedAfterStory) -> None:
    _absences(s, [s.ys, s.ys + timedelta(days=150), s.ye], [], missing_in_year=3)


def _missing_twice_and_day_before(s: _LookedAfterStory) -> None:
    days = [s.ys - timedelta(days=1), s.ys + timedelta(days=40), s.ys + timedelta(days=90)]
    _absences(s, days, [], missing_in_year=2)


def _missing_twice_away_once(s: _LookedAfterStory) -> None:
    missing = [s.ys + timedelta(days=40), s.ys + timedelta(days=90)]
    _absences(s, missing, [s.ys + timedelta(days=91)], missing_in_year=2)


def _away_three_times(s: _LookedAfterStory) -> None:
    _absences(s, [], [s.ys + timedelta(days=d) for d in (10, 20, 30)], missing_in_year=0)


LookedAfterScenario = Callable[[_LookedAfterStory], None]

SSDA903_SCENARIOS: tuple[tuple[str, LookedAfterScenario, float], ...] = (
    ("looked after all year (absences at random)", _looked_after_all_year, 55),
    ("started care in the year", _started_in_year, 12),
    ("ceased care in the year", _ceased_in_year, 18),
    ("short breaks only (V3/V4)", _short_breaks_only, 5),
    ("returned to care in the year", _returned_to_care, 5),
    ("short breaks after care ended before the year", _short_breaks_after_care_ended_before, 2),
    ("started care on 31 March", _started_31_march, 0),
    ("episode ended exactly 31 March", _ended_31_march, 0),
    ("episode ended on 1 April", _ended_1_april, 0),
    ("placement change on 31 March", _placement_change_31_march, 0),
    (
        "short break (V4) at 31 March after care ended in the year",
        _short_break_after_care_in_year,
        0,
    ),
    ("missing on the year's first and last days (3 times)", _missing_first_and_last_days, 0),
    ("missing twice in the year and the day before it", _missing_twice_and_day_before, 0),
    ("missing twice and away once", _missing_twice_away_once, 0),
    ("away without authorisation only, 3 times", _away_three_times, 0),
)
PINNED_903 = tuple(name for name, _, _ in SSDA903_SCENARIOS)


def _dmy(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


# The columns are the format's (the parser's table of them); the real samples test that table.
HEADER_COLUMNS = TABLES_903["Header"]
EPISODE_COLUMNS = TABLES_903["Episodes"]
MISSING_COLUMNS = TABLES_903["Missing"]


def _xml_903_child(
    child: str, sex: str, born: str, ethnic: str, upn: str, story: _LookedAfterStory
) -> str:
    out = [
        f"<CHILD><HEADER><CHILDID>{child}</CHILDID><UPN>{upn}</UPN><SEX>{sex}</SEX>"
        f"<DOB>{born}</DOB><ETHNIC>{ethnic}</ETHNIC><UASC /><MOTHER /><MC_DOB />"
    ]
    for a in story.absences:
        out.append(
            f"<AMISSING><MISSING>{a.kind}</MISSING><MIS_START>{_dmy(a.start)}</MIS_START>"
            f"<MIS_END>{_dmy(a.end)}</MIS_END></AMISSING>"
        )
    out.append("</HEADER>")
    for e in story.episodes:
        out.append(
            f"<EPISODE><DECOM>{_dmy(e.start)}</DECOM><RNE>{e.new_episode}</RNE>"
            f"<LS>{e.legal_status}</LS><CIN>{e.need}</CIN><PL>{e.placement}</PL>"
            f"<PL_POST>{e.placed}</PL_POST><HOME_POST>{e.home}</HOME_POST><URN>{e.urn}</URN>"
            f"<PLACE_PROVIDER>{e.provider}</PLACE_PROVIDER><DEC>{_dmy(e.end)}</DEC>"
            f"<REC>{e.reason}</REC><REASON_PLACE_CHANGE>{e.change}</REASON_PLACE_CHANGE>"
            "</EPISODE>"
        )
    out.append("</CHILD>\n")
    return "".join(out)


def generate_903(
    directory: str | Path, *, children: int, year_ends: int, seed: int, xml: bool = False
) -> Known903:
    """Write an SSDA903 return for the year ending 31 March `year_ends`: header.csv,
    episodes.csv and missing.csv in `directory` (made if need be), and with `xml` the same
    children as ssda903.xml; return its known answers. The same seed gives the same files."""
    _check_year(year_ends)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    known = Known903(year_ends)
    ye = date(year_ends, 3, 31)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "header.csv", folder / "episodes.csv", folder / "missing.csv"]
    if xml:
        paths.append(folder / "ssda903.xml")
    known.files = paths
    with ExitStack() as stack:
        files = [
            stack.enter_context(path.open("w", encoding="utf-8", newline="")) for path in paths
        ]
        header, episodes, missing = (csv.writer(file, lineterminator="\r\n") for file in files[:3])
        header.writerow(HEADER_COLUMNS)
        episodes.writerow(EPISODE_COLUMNS)
        missing.writerow(MISSING_COLUMNS)
        if xml:
            files[3].write("<?xml version='1.0' encoding='utf-8'?>\n<EXPSSDA903>\n")
        for index, (name, make) in enumerate(_scenario_order(rng, children, SSDA903_SCENARIOS), 1):
            story = _LookedAfterStory(rng, year_ends, f"SYL{index:06d}", known)
            make(story)
            known.scenarios[name] += 1
            late = [e.start for e in story.episodes if e.start > ye]
            late += [e.end for e in story.episodes if e.end and e.end > ye]
            if late:
                raise SyntheticError(f"{story.child} ({name}): {late[0]} is after 31 March")
            earliest = min(e.start for e in story.episodes)
            born = _dmy(_birth_date(rng, earliest, ye))
            sex = rng.choice(("M", "F") if year_ends >= 2025 else ("1", "2"))
            ethnic = rng.choice(_ETHNIC)
            upn = f"X{rng.randrange(10**12):012d}"
            header.writerow((story.child, sex, born, ethnic, upn, "", ""))
            for e in story.episodes:
                episodes.writerow(
                    (
                        story.child,
                        _dmy(e.start),
                        e.new_episode,
                        e.legal_status,
                        e.need,
                        e.placement,
                        e.provider,
                        _dmy(e.end),
                        e.reason,
                        e.change,
                        e.home,
                        e.placed,
                        e.urn,
                    )
                )
            for a in story.absences:
                missing.writerow((story.child, born, a.kind, _dmy(a.start), _dmy(a.end)))
            if xml:
                files[3].write(_xml_903_child(story.child, sex, born, ethnic, upn, story))
            known.children += 1
            known.rows["Header"] += 1
            known.rows["Episodes"] += len(story.episodes)
            known.rows["Missing"] += len(story.absences)
        if xml:
            files[3].write("</EXPSSDA903>\n")
    return known
