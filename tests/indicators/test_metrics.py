"""The arithmetic and the drafted sentences, on the reference report's own figures."""

from decimal import Decimal as D

import pytest

from paqa.core.periods import parse_period
from paqa.indicators.metrics import (
    Direction,
    Point,
    Rag,
    Wording,
    change_sentence,
    compare,
    direction,
    percent_change,
    rag,
    rate_per_10000,
    round_half_up,
    target_sentence,
    ten_year_growth_sentence,
    ten_year_sentence,
)


def point(period: str, value: str) -> Point:
    return Point(parse_period(period), D(value))


def test_rate_per_10000_children():
    assert round_half_up(rate_per_10000(D(780), 143_400), 1) == D("54.4")
    assert round_half_up(rate_per_10000(D(690), 143_400), 1) == D("48.1")


def test_percentage_change():
    assert round_half_up(percent_change(D(690), D(780))) == D(13)
    assert round_half_up(percent_change(D(566), D(697))) == D(23)
    assert percent_change(D(0), D(5)) is None


def test_change_on_ten_years_ago():
    assert round_half_up(percent_change(D(134_000), D(143_400))) == D(7)
    assert round_half_up(percent_change(D(250), D(605))) == D(142)


@pytest.mark.parametrize(
    ("old", "new", "polarity", "expected"),
    [
        ("34", "40", "higher_is_better", Direction.BETTER),
        ("40", "34", "higher_is_better", Direction.WORSE),
        ("20", "25", "lower_is_better", Direction.WORSE),
        ("25", "20", "lower_is_better", Direction.BETTER),
        ("690", "780", "neutral", Direction.UP),
        ("664", "605", "neutral", Direction.DOWN),
        ("5", "5", "higher_is_better", Direction.SAME),
    ],
)
def test_direction_follows_polarity(old, new, polarity, expected):
    assert direction(D(old), D(new), polarity) is expected


@pytest.mark.parametrize(
    ("value", "target", "amber", "polarity", "expected"),
    [
        ("34", "75", "65", "higher_is_better", Rag.RED),
        ("70", "75", "65", "higher_is_better", Rag.AMBER),
        ("75", "75", "65", "higher_is_better", Rag.GREEN),
        ("34", "75", None, "higher_is_better", Rag.RED),
        ("22", "20", "25", "lower_is_better", Rag.AMBER),
        ("26", "20", "25", "lower_is_better", Rag.RED),
        ("20", "20", "25", "lower_is_better", Rag.GREEN),
        ("50", None, None, "higher_is_better", None),
        ("50", "40", None, "neutral", None),
    ],
)
def test_rag_against_target(value, target, amber, polarity, expected):
    result = rag(D(value), D(target) if target else None, D(amber) if amber else None, polarity)
    assert result is expected


def test_position_against_a_benchmark():
    assert compare(D("54.4"), D("65.2"), "neutral") is Direction.DOWN
    assert compare(D(34), D(60), "higher_is_better") is Direction.WORSE


# The sentences the reference report prints, word for word --------------------------------------

CLA = Wording("The number of children looked after", "count", 0, "neutral")
CP = Wording("The number of children subject to a child protection plan", "count", 0, "neutral")
CAMHS = Wording(
    "The proportion of CAMHS referrals seen within 12 weeks",
    "percent",
    0,
    "higher_is_better",
    D(75),
)


def test_children_looked_after_sentence():
    sentence = change_sentence(CLA, point("2019-03-31", "780"), point("2018-03-31", "690"))
    assert "rose by 13% from 690 last year to 780 at the end of March 2019" in sentence
    assert sentence == (
        "The number of children looked after rose by 13% from 690 last year to 780 at the end "
        "of March 2019."
    )


def test_child_protection_ten_year_sentence():
    sentence = ten_year_sentence(
        CP, point("2019-03-31", "605"), point("2018-03-31", "664"), point("2009-03-31", "250")
    )
    assert (
        "decreased from last year (605 at year end), still high compared to ten years ago "
        "(250 in 2009)" in sentence
    )


def test_camhs_target_sentence():
    sentence = target_sentence(CAMHS, point("2019-03", "34"))
    assert "34% compared with a target of 75%" in sentence


def test_child_population_growth_sentence():
    population = Wording("The child population", "count", 0, "neutral")
    sentence = ten_year_growth_sentence(
        population, point("2017", "143400"), point("2007", "134000")
    )
    assert sentence == "The child population grew by 7% in the last ten years, to 143,400 in 2017."


def test_sentences_for_other_shapes_of_change():
    rising = ten_year_sentence(
        CP, point("2019-03-31", "700"), point("2018-03-31", "650"), point("2009-03-31", "250")
    )
    assert rising.endswith(
        "increased from last year (700 at year end), higher than ten years ago (250 in 2009)."
    )
    falling_low = ten_year_sentence(
        CP, point("2019-03-31", "200"), point("2018-03-31", "150"), point("2009-03-31", "250")
    )
    assert "still low compared to ten years ago" in falling_low
    unchanged = change_sentence(CLA, point("2019-03-31", "780"), point("2018-03-31", "780"))
    assert (
        unchanged
        == "The number of children looked after was unchanged at 780 at the end of March 2019."
    )
    percent = change_sentence(CAMHS, point("2019-03", "34"), point("2019-02", "38"))
    assert "fell by 4 percentage points from 38% in February 2019 to 34% in March 2019" in percent
    assert target_sentence(CLA, point("2019-03-31", "780")) is None
