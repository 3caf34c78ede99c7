"""Generated returns with known answers (paqa.returns.synthetic), parsed by the real parsers and
computed by paqa.returns.compute: every indicator equals what the generator built, for several
seeds, sizes and years, with the edge cases (working days across bank holidays, plans starting
or ending on 31 March, repeat plans, re-referrals at exactly 12 months) present in every return.

The generator never calls compute: its answers are declared scenario by scenario, and it counts
working days on its own hand-written bank-holiday table (checked here against `holidays`).

Pure Python: no database."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from django.core.management import call_command

from paqa.returns import compute, synthetic
from paqa.returns.compute import Year
from paqa.returns.parsing import Parsed903, ParsedCIN, parse_903_csv, parse_903_xml, parse_cin_xml
from paqa.returns.records import pseudonym
from paqa.returns.synthetic import (
    CATEGORIES,
    CIN_SCENARIOS,
    PINNED_903,
    PINNED_CIN,
    SSDA903_SCENARIOS,
    Answer,
    Known903,
    KnownCIN,
    generate_903,
    generate_cin,
)

KEY = b"a test installation key"

# (seed, children, year the collection ends): a leap year, the 2022 and 2023 one-off bank
# holidays, the 2025 change of SEX codes and the 2026 Sex element. The smallest holds every
# edge-case scenario once.
CIN_CASES = [(11, 120, 2019), (12, 700, 2023), (13, 2500, 2024)]
SSDA903_CASES = [(21, 60, 2020), (22, 400, 2026), (23, 1500, 2019)]


@dataclass
class CINReturn:
    year: Year
    known: KnownCIN
    parsed: ParsedCIN
    previous: ParsedCIN
    data: bytes


@dataclass
class SSDA903Return:
    year: Year
    known: Known903
    csv: Parsed903
    xml: Parsed903


def make_cin(seed: int, children: int, year: int) -> CINReturn:
    current, previous = io.BytesIO(), io.BytesIO()
    known = generate_cin(current, children=children, year_ends=year, seed=seed, previous=previous)
    data = current.getvalue()
    current.seek(0)
    previous.seek(0)
    return CINReturn(
        Year(year), known, parse_cin_xml(current, KEY), parse_cin_xml(previous, KEY), data
    )


def make_903(directory: Path, seed: int, children: int, year: int) -> SSDA903Return:
    known = generate_903(directory, children=children, year_ends=year, seed=seed, xml=True)
    files = [(path.name, path.open("rb")) for path in known.files if path.suffix == ".csv"]
    try:
        parsed_csv = parse_903_csv(files, KEY)
    finally:
        for _, stream in files:
            stream.close()
    with (directory / "ssda903.xml").open("rb") as stream:
        parsed_xml = parse_903_xml(stream, KEY)
    return SSDA903Return(Year(year), known, parsed_csv, parsed_xml)


@pytest.fixture(scope="module", params=CIN_CASES, ids=lambda case: "-".join(map(str, case)))
def cin(request) -> CINReturn:
    return make_cin(*request.param)


@pytest.fixture(scope="module", params=SSDA903_CASES, ids=lambda case: "-".join(map(str, case)))
def ssda903(request, tmp_path_factory) -> SSDA903Return:
    seed, children, year = request.param
    return make_903(tmp_path_factory.mktemp(f"ssda903-{seed}"), seed, children, year)


def assert_figure(figure: compute.Figure, answer: Answer) -> None:
    """The computed figure is the known one: the count, or numerator, denominator and
    percentage; and the same children, by pseudonym."""
    if answer.denominator is None:
        assert figure.value == answer.numerator
    else:
        assert (figure.numerator, figure.denominator) == (answer.numerator, answer.denominator)
        assert figure.value == answer.value
    assert figure.children == {pseudonym(child, KEY) for child in answer.children}


# The CIN census: each indicator, with and without the previous year's return -----------------


def _category(code: str, *, latest: bool) -> Callable[[CINReturn], compute.Figure]:
    def figure(r: CINReturn) -> compute.Figure:
        return compute.plans_by_category(r.parsed.children, r.year.end, latest=latest)[code]

    return figure


CIN_INDICATORS: dict[str, tuple[Callable[[CINReturn], Any], Callable[[KnownCIN], Answer]]] = {
    "on a plan at 31 March": (
        lambda r: compute.on_plan_at(r.parsed.children, r.year.end),
        lambda k: k.on_plan,
    ),
    **{
        f"initial category {code}": (
            _category(code, latest=False),
            lambda k, code=code: k.initial_category[code],
        )
        for code in CATEGORIES
    },
    **{
        f"latest category {code}": (
            _category(code, latest=True),
            lambda k, code=code: k.latest_category[code],
        )
        for code in CATEGORIES
    },
    "second or subsequent plans (ever)": (
        lambda r: compute.second_or_subsequent(r.parsed.children, r.year)[0],
        lambda k: k.repeat_plans,
    ),
    "second or subsequent plans (ever), with the previous year": (
        lambda r: compute.second_or_subsequent(
            r.parsed.children, r.year, history=r.previous.children
        )[0],
        lambda k: k.repeat_plans_with_history,
    ),
    "repeat plans within two years": (
        lambda r: compute.second_or_subsequent(r.parsed.children, r.year)[1],
        lambda k: k.repeat_within_two_years,
    ),
    "repeat plans within two years, with the previous year": (
        lambda r: compute.second_or_subsequent(
            r.parsed.children, r.year, history=r.previous.children
        )[1],
        lambda k: k.repeat_within_two_years_with_history,
    ),
    "plans ended lasting two years or more": (
        lambda r: compute.plans_ended_lasting_two_years(r.parsed.children, r.year),
        lambda k: k.plans_ended_two_years,
    ),
    "re-referrals within 12 months": (
        lambda r: compute.re_referrals(r.parsed.children, r.year),
        lambda k: k.re_referrals,
    ),
    "re-referrals within 12 months, with the previous year": (
        lambda r: compute.re_referrals(r.parsed.children, r.year, history=r.previous.children),
        lambda k: k.re_referrals_with_history,
    ),
    "assessments within 45 working days of their start": (
        lambda r: compute.assessments_on_time(r.parsed.children, r.year),
        lambda k: k.assessments_on_time,
    ),
    "assessments within 45 working days of the referral": (
        lambda r: compute.assessments_on_time(r.parsed.children, r.year, from_referral=True),
        lambda k: k.assessments_on_time_from_referral,
    ),
    "section 47 enquiries started in the year": (
        lambda r: compute.conferences_on_time(r.parsed.children, r.year)[0],
        lambda k: k.section47_started,
    ),
    "initial conferences within 15 working days": (
        lambda r: compute.conferences_on_time(r.parsed.children, r.year)[1],
        lambda k: k.conferences_on_time,
    ),
}


@pytest.mark.parametrize("indicator", list(CIN_INDICATORS))
def test_cin_indicator_equals_the_known_answer(cin, indicator):
    computed, known = CIN_INDICATORS[indicator]

    assert_figure(computed(cin), known(cin.known))


def test_cin_known_answers_are_not_trivial(cin):
    """Every figure has something in it, and the previous year's return changes the figures
    that look back: the comparisons above cannot pass on empty sets."""
    k = cin.known
    for name, answer in k.figures().items():
        if not name.endswith(("SAB", "MUL")):  # rarer categories: present, but not always
            assert answer.numerator > 0, name
        assert answer.denominator is None or answer.denominator > answer.numerator, name
    assert k.repeat_plans_with_history.numerator > k.repeat_plans.numerator
    assert k.repeat_within_two_years_with_history.numerator > k.repeat_within_two_years.numerator
    assert k.re_referrals_with_history.numerator > k.re_referrals.numerator
    assert k.assessments_on_time.numerator != k.assessments_on_time_from_referral.numerator


def test_cin_returns_parse_without_problems_and_hold_every_child(cin):
    assert cin.parsed.problems == []
    assert cin.previous.problems == []
    assert len(cin.parsed.children) == cin.known.children == sum(cin.known.scenarios.values())
    assert len(cin.previous.children) == cin.known.previous_children > 0
    assert (cin.parsed.collection_year, cin.parsed.reference_date) == (
        cin.year.ends,
        cin.year.end,
    )
    assert (cin.previous.collection_year, cin.previous.reference_date) == (
        cin.year.ends - 1,
        date(cin.year.ends - 1, 3, 31),
    )
    # The previous year's children are among this year's, by the same pseudonym.
    assert {c.child for c in cin.previous.children} <= {c.child for c in cin.parsed.children}


def test_cin_every_edge_case_scenario_is_in_every_return(cin):
    assert set(PINNED_CIN) <= set(cin.known.scenarios)
    fillers = {name for name, _, weight in CIN_SCENARIOS if weight > 0}
    assert len(fillers & set(cin.known.scenarios)) >= len(fillers) // 2


# The edge cases, found in the parsed records themselves --------------------------------------


def bank_holidays_between(start: date, end: date) -> list[date]:
    """England and Wales bank holidays on weekdays after `start` up to `end`, from the
    `holidays` package (not the generator's table)."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, end.year + 1))
    return [day for day in days if start < day <= end and day.weekday() < 5]


def plans(parsed: ParsedCIN):
    for child in parsed.children:
        for referral in child.referrals:
            for plan in referral.plans:
                yield child.child, referral, plan


def test_cin_edge_cases_are_in_the_records(cin):
    ye = cin.year.end
    all_plans = list(plans(cin.parsed))
    assert any(plan.start == ye for _, _, plan in all_plans)  # starting on 31 March
    assert any(plan.end == ye for _, _, plan in all_plans)  # ending on 31 March
    assert any(plan.end == date(ye.year - 1, 3, 31) for _, _, plan in all_plans)
    # Plans that ended in the year after exactly two years, and two years less a day.
    durations = {
        (plan.start.replace(year=plan.start.year + 2) - plan.end).days
        for _, _, plan in all_plans
        if plan.end and cin.year.holds(plan.end) and (plan.start.month, plan.start.day) != (2, 29)
    }
    assert {0, 1} <= durations
    # Repeat plans: by NumberOfPreviousCPP; and a previous plan that ended exactly two years,
    # and two years and a day, before a new plan, found in the previous year's return only.
    assert any(plan.previous_plans and cin.year.holds(plan.start) for _, _, plan in all_plans)
    ended_before = {
        (child, plan.end) for child, _, plan in plans(cin.previous) if plan.end is not None
    }
    current = {(child, plan.end) for child, _, plan in all_plans}
    new = [(child, plan.start) for child, _, plan in all_plans if cin.year.holds(plan.start)]
    gaps = {
        (start - end.replace(year=end.year + 2)).days
        for child, start in new
        for other, end in ended_before - current
        if other == child and (end.month, end.day) != (2, 29)
    }
    assert {0, 1} <= gaps


def test_cin_working_day_edges_across_bank_holidays_are_in_the_records(cin):
    assessments: dict[int, list[tuple[date, date]]] = {45: [], 46: []}
    conferences: dict[int, list[tuple[date, date]]] = {15: [], 16: []}
    for child in cin.parsed.children:
        for referral in child.referrals:
            for a in referral.assessments:
                if a.start and a.authorised and cin.year.holds(a.authorised):
                    days = compute.working_days(a.start, a.authorised)
                    assessments.get(days, []).append((a.start, a.authorised))
            for e in referral.enquiries:
                if e.start and e.conference and cin.year.holds(e.conference):
                    days = compute.working_days(e.start, e.conference)
                    conferences.get(days, []).append((e.start, e.conference))
    for found in (*assessments.values(), *conferences.values()):
        holidays_crossed = {
            day for start, end in found for day in bank_holidays_between(start, end)
        }
        assert any(day.month == 12 for day in holidays_crossed)  # Christmas
    for found in assessments.values():  # Easter for the assessments, May for the conferences
        assert any(
            day.month in (3, 4) for start, end in found for day in bank_holidays_between(start, end)
        )
    for found in conferences.values():
        assert any(
            day.month == 5 for start, end in found for day in bank_holidays_between(start, end)
        )


def test_cin_re_referral_edges_are_in_the_records(cin):
    """Referred exactly 12 months, and 12 months and a day, after an earlier referral that
    only the previous year's return holds; and two CINdetails on the same day."""
    before = {(c.child, r.referral_date) for c in cin.previous.children for r in c.referrals}
    now = {(c.child, r.referral_date) for c in cin.parsed.children for r in c.referrals}
    in_year = [(child, day) for child, day in now if cin.year.holds(day)]
    gaps = {
        (day.replace(year=day.year - 1) - earlier).days
        for child, day in in_year
        for other, earlier in before - now
        if other == child and (day.month, day.day) != (2, 29)
    }
    assert {0, 1} <= gaps
    assert any(
        len(c.referrals) != len({r.referral_date for r in c.referrals}) for c in cin.parsed.children
    )


# The SSDA903: CSV and XML ----------------------------------------------------------------------


SSDA903_INDICATORS: dict[str, tuple[Callable[[Parsed903, Year], Any], str]] = {
    "looked after at 31 March": (
        lambda p, y: compute.looked_after_at(p.episodes, y.end),
        "looked_after_at_31_march",
    ),
    "missing (M) at least once": (lambda p, y: compute.missing(p.missing, y), "missing"),
    "missing (M) 3 or more times": (
        lambda p, y: compute.missing(p.missing, y, at_least=3),
        "missing_3_or_more",
    ),
    "away (A) at least once": (lambda p, y: compute.missing(p.missing, y, kind="A"), "away"),
    "away (A) 3 or more times": (
        lambda p, y: compute.missing(p.missing, y, kind="A", at_least=3),
        "away_3_or_more",
    ),
}


@pytest.mark.parametrize("form", ["csv", "xml"])
@pytest.mark.parametrize("indicator", list(SSDA903_INDICATORS))
def test_903_indicator_equals_the_known_answer(ssda903, indicator, form):
    computed, name = SSDA903_INDICATORS[indicator]
    parsed = getattr(ssda903, form)

    assert_figure(computed(parsed, ssda903.year), getattr(ssda903.known, name))


@pytest.mark.parametrize("form", ["csv", "xml"])
def test_903_looked_after_during_the_year_equals_the_known_answer(ssda903, form):
    during = compute.looked_after_during(getattr(ssda903, form).episodes, ssda903.year)
    known = ssda903.known.looked_after_during

    assert during == {pseudonym(child, KEY) for child in known.children}
    assert len(during) == known.numerator


def test_903_returns_parse_without_problems(ssda903):
    assert ssda903.csv.problems == []
    assert ssda903.xml.problems == []
    assert ssda903.csv.tables == dict(ssda903.known.rows)
    assert ssda903.xml.tables == {name: n for name, n in ssda903.known.rows.items() if n}
    assert sorted(ssda903.csv.episodes, key=repr) == sorted(ssda903.xml.episodes, key=repr)
    assert sorted(ssda903.csv.missing, key=repr) == sorted(ssda903.xml.missing, key=repr)
    assert all(episode.birth_month for episode in ssda903.csv.episodes)
    k = ssda903.known
    assert k.looked_after_at_31_march.numerator > 0
    assert k.looked_after_during.numerator > k.looked_after_at_31_march.numerator


def test_903_edge_cases_are_in_the_records(ssda903):
    ye, ys = ssda903.year.end, ssda903.year.start
    episodes = ssda903.csv.episodes
    assert set(PINNED_903) <= set(ssda903.known.scenarios)
    assert any(e.start == ye for e in episodes)
    assert any(e.end == ye for e in episodes)
    assert any(e.end == ys for e in episodes)
    assert any(e.end is None and e.legal_status == "V3" for e in episodes)
    assert any(e.end is None and e.legal_status == "V4" for e in episodes)
    missing = [(i.child, i.kind, i.start) for i in ssda903.csv.missing]
    assert any(start == ys for _, kind, start in missing if kind == "M")
    assert any(start == ye for _, kind, start in missing if kind == "M")
    assert any(start == ys - timedelta(days=1) for _, _, start in missing)
    away_only = {c for c, kind, _ in missing if kind == "A"} - {
        c for c, kind, _ in missing if kind == "M"
    }
    assert away_only
    # Postcodes are full in the file, and cut to their district in the records.
    episodes_csv = ssda903.known.files[1].read_text(encoding="utf-8")
    assert re.search(r",[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2},", episodes_csv)
    districts = {e.home_district for e in episodes} | {e.placement_district for e in episodes}
    assert all(re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", district) for district in districts)


# Determinism, identifiers, years ---------------------------------------------------------------


def test_the_same_seed_gives_the_same_returns_and_another_seed_others(tmp_path):
    first, again, other = (io.BytesIO() for _ in range(3))
    known = generate_cin(first, children=150, year_ends=2021, seed=5)
    assert generate_cin(again, children=150, year_ends=2021, seed=5) == known
    generate_cin(other, children=150, year_ends=2021, seed=6)
    assert first.getvalue() == again.getvalue() != other.getvalue()

    a = generate_903(tmp_path / "a", children=80, year_ends=2021, seed=5, xml=True)
    b = generate_903(tmp_path / "b", children=80, year_ends=2021, seed=5, xml=True)
    c = generate_903(tmp_path / "c", children=80, year_ends=2021, seed=6)
    assert a.figures() == b.figures()
    assert a.scenarios == b.scenarios
    for path in a.files:
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    assert (tmp_path / "a" / "episodes.csv").read_bytes() != c.files[1].read_bytes()


def test_identifiers_are_fake_and_postcodes_and_births_are_present(cin):
    text = cin.data.decode("utf-8")
    assert "<LAchildID>SYN000001</LAchildID>" in text
    assert text.count("<LAchildID>SYN") == cin.known.children
    assert text.count("<PersonBirthDate>") == cin.known.children
    assert all(child.birth_month for child in cin.parsed.children)


@pytest.mark.parametrize("year", [synthetic.SUPPORTED_YEARS.start, 2026, 2028])
def test_small_returns_for_other_years_match_too(year, tmp_path):
    """The first and last years of the bank-holiday table, and 2026 (Sex instead of
    GenderCurrent): every edge-case scenario once, with the indicators of each kind."""
    r = make_cin(year, len(CIN_SCENARIOS), year)
    assert r.parsed.problems == r.previous.problems == []
    for computed, known in CIN_INDICATORS.values():
        assert_figure(computed(r), known(r.known))
    s = make_903(tmp_path, year, len(SSDA903_SCENARIOS), year)
    assert s.csv.problems == s.xml.problems == []
    for computed, name in SSDA903_INDICATORS.values():
        assert_figure(computed(s.xml, s.year), getattr(s.known, name))


def test_unsupported_years_are_refused(tmp_path):
    with pytest.raises(ValueError, match="year_ends must be from"):
        generate_cin(
            io.BytesIO(), children=1, year_ends=synthetic.SUPPORTED_YEARS.start - 1, seed=1
        )
    with pytest.raises(ValueError, match="year_ends must be from"):
        generate_903(tmp_path, children=1, year_ends=2040, seed=1)


# The generator's own working days --------------------------------------------------------------


@pytest.mark.parametrize("year", list(synthetic.BANK_HOLIDAYS))
def test_the_generators_bank_holidays_are_englands(year):
    """The hand-written table against the `holidays` package (weekdays: a holiday on a weekend
    has a substitute weekday, which both list)."""
    weekdays = {
        day
        for day in holidays.country_holidays("GB", subdiv="ENG", years=year)
        if day.weekday() < 5
    }
    assert set(synthetic.BANK_HOLIDAYS[year]) == weekdays


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (date(2019, 4, 11), 15, date(2019, 5, 7)),  # Good Friday, Easter Monday, early May
        (date(2018, 12, 21), 5, date(2019, 1, 2)),  # Christmas, Boxing Day and New Year
        (date(2022, 9, 16), 1, date(2022, 9, 20)),  # the Queen's state funeral
        (date(2019, 3, 4), 0, date(2019, 3, 4)),
        (date(2019, 3, 9), 1, date(2019, 3, 11)),  # from a Saturday
    ],
)
def test_the_generators_working_days(start, days, end):
    assert synthetic.add_working_days(start, days) == end
    assert synthetic.count_working_days(start, end) == days
    if start.weekday() < 5:
        assert synthetic.subtract_working_days(end, days) == start


# Wrong definitions give other answers --------------------------------------------------------


def _plans_at_including_the_end_day(children, day):
    """A plan ending on the day counted as open that day: wrong."""
    open_plans = {}
    for child in children:
        for referral in child.referrals:
            for plan in referral.plans:
                if plan.start <= day and (plan.end is None or plan.end >= day):
                    open_plans[child.child] = plan
    return open_plans


MUTANTS: dict[str, tuple[str, Any, list[str]]] = {
    # name: (compute's attribute, its wrong replacement, the indicators that must then differ)
    "bank holidays counted as working days": (
        "is_working_day",
        lambda day: day.weekday() < 5,
        [
            "assessments within 45 working days of their start",
            "initial conferences within 15 working days",
        ],
    ),
    "46 working days allowed for an assessment": (
        "ASSESSMENT_WORKING_DAYS",
        46,
        [
            "assessments within 45 working days of their start",
            "assessments within 45 working days of the referral",
        ],
    ),
    "14 working days allowed for a conference": (
        "CONFERENCE_WORKING_DAYS",
        14,
        ["initial conferences within 15 working days"],
    ),
    "a plan ending on 31 March still open that day": (
        "plans_at",
        _plans_at_including_the_end_day,
        ["on a plan at 31 March"],
    ),
    "two years one day longer": (
        "_two_years_days",
        lambda day: (day.replace(year=day.year + 2) - day).days + 1,
        [
            "plans ended lasting two years or more",
            "repeat plans within two years, with the previous year",
        ],
    ),
    "two years one day shorter": (
        "_two_years_days",
        lambda day: (day.replace(year=day.year + 2) - day).days - 1,
        [
            "plans ended lasting two years or more",
            "repeat plans within two years, with the previous year",
        ],
    ),
    "12 months back leaving out the day itself": (
        "_year_before",
        lambda day: day.replace(year=day.year - 1) + timedelta(days=1),
        ["re-referrals within 12 months, with the previous year"],
    ),
}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_a_wrong_definition_disagrees_with_the_known_answers(monkeypatch, mutant):
    """The generated edge cases tell the right definition from a nearly right one: with one of
    compute's rules bent, the figures it should change no longer equal the known answers."""
    r = make_cin(*CIN_CASES[0])
    attribute, replacement, changed = MUTANTS[mutant]
    monkeypatch.setattr(compute, attribute, replacement)
    compute.forget_working_days()  # the running totals were built with the right rule
    try:
        for indicator in changed:
            computed, known = CIN_INDICATORS[indicator]
            with pytest.raises(AssertionError):
                assert_figure(computed(r), known(r.known))
    finally:
        monkeypatch.undo()
        compute.forget_working_days()


def test_short_breaks_counted_disagree_with_the_known_answers(monkeypatch, tmp_path):
    s = make_903(tmp_path, *SSDA903_CASES[0])
    monkeypatch.setattr(compute, "SHORT_BREAKS", frozenset())

    with pytest.raises(AssertionError):
        assert_figure(
            compute.looked_after_at(s.csv.episodes, s.year.end), s.known.looked_after_at_31_march
        )


# The management command ------------------------------------------------------------------------


def test_generate_returns_command_writes_the_files_and_prints_the_known_answers(tmp_path):
    out = io.StringIO()
    call_command(
        "generate-returns",
        str(tmp_path),
        "--children",
        "90",
        "--year",
        "2020",
        "--seed",
        "4",
        "--with-previous-year",
        "--903-xml",
        stdout=out,
    )
    printed = out.getvalue()

    current, previous = io.BytesIO(), io.BytesIO()
    known = generate_cin(current, children=90, year_ends=2020, seed=4, previous=previous)
    assert (tmp_path / "cin-2020.xml").read_bytes() == current.getvalue()
    assert (tmp_path / "cin-2019.xml").read_bytes() == previous.getvalue()
    lac = generate_903(tmp_path / "again", children=90, year_ends=2020, seed=4, xml=True)
    for path in lac.files:
        assert (tmp_path / "ssda903-2020" / path.name).read_bytes() == path.read_bytes()
    for figures in (known.figures(), lac.figures()):
        for name, answer in figures.items():
            line = next(line for line in printed.splitlines() if line.strip().startswith(name))
            assert f"{answer.numerator:,}" in line.split(name, 1)[1]
            if answer.denominator is not None:
                assert f"{answer.value}%" in line
    assert "CIN census 2019-20: known answers" in printed
    assert "SSDA903 2019-20: known answers" in printed
