"""The demonstration data carries the reference report's published figures exactly."""

import pytest

from paqa.indicators.selectors import indicator_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_reader(db):
    from paqa.accounts.models import User
    from paqa.indicators.demo import demo_indicators_load
    from paqa.partnership.demo import demo_load

    demo_indicators_load(partnership=demo_load())
    return User.objects.get(email="board@demo.example")


def _summary(user, code):
    return indicator_get(user=user, code=code).summary


def test_child_protection_figures(demo_reader):
    summary = _summary(demo_reader, "cp-plans")
    assert summary.latest_text == "605"
    assert summary.ten_years_ago.period.code == "2009-03-31"
    assert summary.text(summary.ten_years_ago) == "250"
    assert (
        "decreased from last year (605 at year end), still high compared to ten years ago "
        "(250 in 2009)" in " ".join(summary.sentences)
    )
    assert _summary(demo_reader, "cp-plans-neglect").latest_text == "70%"
    assert _summary(demo_reader, "conference-attendance-fathers").latest_text == "44%"


def test_children_looked_after_figures(demo_reader):
    summary = _summary(demo_reader, "cla")
    assert (summary.text(summary.previous), summary.latest_text) == ("690", "780")
    assert "rose by 13% from 690 last year to 780 at the end of March 2019" in " ".join(
        summary.sentences
    )
    rates = indicator_get(user=demo_reader, code="cla-rate")
    by_area = {
        area.name: [p.period.short_label for p in points] for area, points in rates.series_by_area
    }
    for area in ("Oxfordshire", "South East", "England"):
        assert by_area[area][:6] == [
            "2012-13",
            "2013-14",
            "2014-15",
            "2015-16",
            "2016-17",
            "2017-18",
        ]
    # Lower than the national average, as the report says.
    assert rates.summary.comparisons["England"][1].value == "down"


def test_camhs_figures(demo_reader):
    seen = _summary(demo_reader, "camhs-seen-12-weeks")
    assert "34% compared with a target of 75%" in " ".join(seen.sentences)
    assert seen.rag.value == "red"
    referrals = _summary(demo_reader, "camhs-referrals-a-month")
    assert (referrals.text(referrals.previous), referrals.latest_text) == ("566", "697")


def test_child_population_figures(demo_reader):
    population = _summary(demo_reader, "child-population")
    assert population.latest_text == "143,400"
    assert population.sentences == [
        "The child population grew by 7% in the last ten years, to 143,400 in 2017."
    ]


def test_every_demo_figure_says_whether_it_is_reported_or_illustrative(demo_reader):
    from paqa.indicators.models import Observation

    notes = set(Observation.objects.values_list("note", flat=True))
    assert notes == {
        "2018-19 PAQA annual report",
        "Illustrative: demonstration figure, not in the 2018-19 report",
    }
