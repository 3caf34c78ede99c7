"""The indicators computed from return records, on hand-made records with known answers:
bank holidays, plans starting or ending on 31 March, repeat plans, short breaks."""

from datetime import date

import pytest

from paqa.returns import compute
from paqa.returns.compute import Year
from paqa.returns.records import (
    Assessment,
    CareEpisode,
    ChildInNeed,
    MissingEpisode,
    ProtectionPlan,
    Referral,
    Section47,
)

YEAR = Year(2019)  # 1 April 2018 to 31 March 2019


def episode(child: str, start: date, end: date | None = None, legal_status: str = "C2"):
    return CareEpisode(child, "2010-01", start, "S", legal_status, "N1", "U1", end, "", "", "")


def plan(start: date, end: date | None = None, initial="NEG", latest="NEG", previous=0):
    return ProtectionPlan(start, end, initial, latest, previous)


def child(name: str, *referrals: Referral) -> ChildInNeed:
    return ChildInNeed(name, "2012-05", list(referrals))


def referral(day: date, **parts) -> Referral:
    return Referral(day, "6", "N1", None, "", None, False, **parts)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2019, 3, 4), date(2019, 3, 4), 0),  # the same day
        (date(2019, 3, 4), date(2019, 3, 8), 4),  # Monday to Friday
        (date(2019, 3, 8), date(2019, 3, 11), 1),  # over a weekend
        (date(2018, 3, 29), date(2018, 4, 3), 1),  # Good Friday and Easter Monday 2018
        (date(2018, 12, 21), date(2019, 1, 2), 5),  # Christmas, Boxing Day and New Year
        (date(2022, 9, 16), date(2022, 9, 20), 1),  # the Queen's state funeral, 19 Sept 2022
        (date(2020, 12, 24), date(2020, 12, 29), 1),  # Boxing Day moved to Monday 28th
    ],
)
def test_working_days_leave_out_weekends_and_bank_holidays(start, end, days):
    assert compute.working_days(start, end) == days


def test_looked_after_at_31_march_counts_starts_that_day_and_leaves_out_short_breaks():
    episodes = [
        episode("a", date(2019, 3, 31)),  # started on the day: counted
        episode("b", date(2018, 1, 1), date(2019, 3, 31)),  # ended on the day: not counted
        episode("c", date(2018, 1, 1), date(2019, 4, 1)),  # ended after: counted
        episode("d", date(2018, 6, 1), legal_status="V3"),  # short breaks: not counted
        episode("e", date(2018, 6, 1), legal_status="V4"),
        episode("c", date(2017, 1, 1), date(2017, 12, 31)),  # an earlier episode: once only
        episode("f", date(2019, 4, 1)),  # after the day
    ]
    figure = compute.looked_after_at(episodes, YEAR.end)
    assert figure.value == 2
    assert figure.children == {"a", "c"}


def test_children_missing_three_or_more_times_in_the_year_and_away_separately():
    incidents = [MissingEpisode("a", "M", date(2018, 4, d), None) for d in (1, 2, 3)]
    incidents += [MissingEpisode("b", "M", date(2018, 5, d), None) for d in (1, 2)]
    incidents += [MissingEpisode("b", "M", date(2018, 3, 31), None)]  # the year before
    incidents += [MissingEpisode("c", "A", date(2018, 6, d), None) for d in (1, 2, 3)]
    assert compute.missing(incidents, YEAR).children == {"a", "b"}
    assert compute.missing(incidents, YEAR, at_least=3).children == {"a"}
    assert compute.missing(incidents, YEAR, kind="A", at_least=3).children == {"c"}


def test_plans_at_31_march_and_their_categories():
    children = [
        child("a", referral(date(2019, 3, 1), plans=[plan(date(2019, 3, 31))])),  # starts that day
        child("b", referral(date(2018, 1, 1), plans=[plan(date(2018, 2, 1), date(2019, 3, 31))])),
        child(
            "c",
            referral(date(2018, 1, 1), plans=[plan(date(2018, 2, 1), initial="EMO", latest="NEG")]),
        ),
        child(
            "d",
            referral(date(2018, 1, 1), plans=[plan(date(2018, 2, 1), initial="PHY", latest="PHY")]),
        ),
    ]
    assert compute.on_plan_at(children, YEAR.end).children == {"a", "c", "d"}
    initial = compute.plans_by_category(children, YEAR.end)
    assert (initial["NEG"].numerator, initial["EMO"].numerator, initial["PHY"].numerator) == (
        1,
        1,
        1,
    )
    assert initial["NEG"].value == pytest.approx(33.3)
    latest = compute.plans_by_category(children, YEAR.end, latest=True)
    assert latest["NEG"].children == {"a", "c"}


def test_second_or_subsequent_plans_ever_and_within_two_years():
    last_year = [
        child("a", referral(date(2017, 5, 1), plans=[plan(date(2017, 6, 1), date(2017, 12, 1))])),
        child("b", referral(date(2015, 1, 1), plans=[plan(date(2015, 2, 1), date(2016, 1, 1))])),
    ]
    this_year = [
        child("a", referral(date(2018, 9, 1), plans=[plan(date(2018, 10, 1))])),  # within 2 years
        child("b", referral(date(2018, 9, 1), plans=[plan(date(2018, 10, 1))])),  # more than 2
        child("c", referral(date(2018, 9, 1), plans=[plan(date(2018, 10, 1), previous=1)])),
        child("d", referral(date(2018, 9, 1), plans=[plan(date(2018, 10, 1))])),  # first plan
    ]
    ever, within = compute.second_or_subsequent(this_year, YEAR, history=last_year)
    assert ever.children == {"a", "b", "c"}
    assert (ever.numerator, ever.denominator, ever.value) == (3, 4, 75.0)
    assert within.children == {"a"}


def test_plans_ending_in_the_year_that_lasted_two_years():
    children = [
        child("a", referral(date(2016, 1, 1), plans=[plan(date(2016, 6, 1), date(2018, 6, 1))])),
        child("b", referral(date(2016, 1, 1), plans=[plan(date(2016, 6, 2), date(2018, 6, 1))])),
        child("c", referral(date(2016, 1, 1), plans=[plan(date(2016, 6, 1), date(2019, 4, 1))])),
    ]
    figure = compute.plans_ended_lasting_two_years(children, YEAR)
    assert figure.children == {"a"}
    assert (figure.numerator, figure.denominator) == (1, 2)


def test_re_referrals_within_twelve_months_look_back_into_last_years_return():
    last_year = [child("a", referral(date(2017, 10, 1)))]
    this_year = [
        child("a", referral(date(2018, 9, 30))),  # 12 months to the day after: a re-referral
        child("b", referral(date(2018, 5, 1)), referral(date(2019, 5, 2))),  # second is later
        child("c", referral(date(2018, 5, 1)), referral(date(2018, 11, 1))),
    ]
    figure = compute.re_referrals(this_year, YEAR, history=last_year)
    assert figure.children == {"a", "c"}
    assert (figure.numerator, figure.denominator) == (2, 4)


def test_assessments_within_45_working_days_from_start_or_referral():
    # 45 working days after Monday 3 September 2018 is Monday 5 November 2018.
    on_time = Assessment(date(2018, 9, 3), date(2018, 11, 5))
    late = Assessment(date(2018, 9, 3), date(2018, 11, 6))
    last_year = Assessment(date(2018, 1, 3), date(2018, 3, 30))  # authorised before the year
    children = [
        child("a", referral(date(2018, 8, 1), assessments=[on_time])),
        child("b", referral(date(2018, 9, 3), assessments=[late])),
        child("c", referral(date(2018, 1, 1), assessments=[last_year])),
    ]
    figure = compute.assessments_on_time(children, YEAR)
    assert (figure.numerator, figure.denominator) == (1, 2)
    assert figure.children == {"a"}
    from_referral = compute.assessments_on_time(children, YEAR, from_referral=True)
    assert from_referral.numerator == 0  # a's referral was a month earlier


def test_conferences_within_15_working_days_over_easter():
    # From Thursday 11 April 2019, 15 working days (Good Friday, Easter Monday and the early
    # May bank holiday off) is Tuesday 7 May.
    in_time = Section47(date(2019, 4, 11), None, date(2019, 5, 7), False)
    children = [
        child(
            "a",
            referral(
                date(2018, 6, 1),
                enquiries=[Section47(date(2018, 6, 1), None, date(2018, 6, 22), False)],
            ),
        ),
        child(
            "b",
            referral(
                date(2018, 6, 1),
                enquiries=[Section47(date(2018, 6, 1), None, date(2018, 6, 25), False)],
            ),
        ),
    ]
    enquiries, on_time = compute.conferences_on_time(children, YEAR)
    assert enquiries.value == 2
    assert on_time.children == {"a"}
    assert compute.working_days(in_time.start, in_time.conference) == 15
    assert compute.working_days(in_time.start, date(2019, 5, 8)) == 16


def test_working_days_from_running_totals_equal_a_day_by_day_count():
    """The fast count (two look-ups in cached running totals) agrees with walking the days,
    across year ends, bank holidays and the years either side of the tables' base year."""
    import random
    from datetime import timedelta

    from paqa.returns.compute import is_working_day, working_days

    def walked(start, end):
        days = (end - start).days
        return sum(is_working_day(start + timedelta(days=n)) for n in range(1, days + 1))

    chosen = random.Random(20190331)
    for _ in range(2000):
        start = date(1990, 1, 1) + timedelta(days=chosen.randrange(0, 14_000))
        end = start + timedelta(days=chosen.randrange(-30, 800))
        assert working_days(start, end) == walked(start, end), (start, end)
