"""Charts are drawn once: the same picture again comes from the shared chart cache, and a
changed figure draws a new one, so nothing stale is ever shown."""

import pytest
import vl_convert
from django.core.cache import caches

from paqa.core import charts
from paqa.core.charts import ChartSeries


@pytest.fixture
def drawings(monkeypatch):
    """Every time vl-convert is asked for a picture: the drawing a cache must save."""
    drawn: list[str] = []
    svg, png = vl_convert.vegalite_to_svg, vl_convert.vegalite_to_png

    def count_svg(*args, **kwargs):
        drawn.append("svg")
        return svg(*args, **kwargs)

    def count_png(*args, **kwargs):
        drawn.append("png")
        return png(*args, **kwargs)

    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", count_svg)
    monkeypatch.setattr(charts.vlc, "vegalite_to_png", count_png)
    return drawn


def _trend(value: float) -> charts.RenderedChart:
    return charts.trend_chart(
        title="Children looked after",
        description="A line for Oxfordshire.",
        y_title="Children",
        series=[ChartSeries("Oxfordshire", [("2018", 690.0), ("2019", value)])],
        target=700.0,
    )


def test_the_same_chart_is_drawn_once_and_a_changed_figure_draws_it_again(drawings):
    first = _trend(780.0)
    again = _trend(780.0)
    assert drawings == ["svg"]
    assert again == first
    changed = _trend(781.0)
    assert drawings == ["svg", "svg"]
    assert changed.svg != first.svg
    assert "781" in str(changed.spec)
    assert _trend(780.0).svg == first.svg  # the old figure's picture is still the old one
    assert drawings == ["svg", "svg"]


def test_every_argument_is_part_of_the_key(drawings):
    _trend(780.0)
    charts.trend_chart(
        title="Children looked after",
        description="A line for Oxfordshire.",
        y_title="Children",
        series=[ChartSeries("Oxfordshire", [("2018", 690.0), ("2019", 780.0)])],
        target=750.0,  # only the target differs
    )
    bars = {
        "title": "Grades",
        "description": "Bars.",
        "y_title": "Cases",
        "categories": ["Good", "Inadequate"],
        "series": [ChartSeries("Cases", [("Good", 3.0), ("Inadequate", 1.0)])],
    }
    charts.bar_chart(**bars)
    charts.bar_chart(**bars)
    charts.bar_chart(**{**bars, "stacked": True})
    assert drawings == ["svg", "svg", "svg", "svg"]


def test_a_pictures_png_is_drawn_once_per_scale(drawings):
    chart = _trend(780.0)
    assert chart.png() == chart.png()
    assert chart.png(scale=1) != chart.png()
    assert drawings == ["svg", "png", "png"]


def test_a_tampered_cache_entry_is_refused(drawings):
    chart = _trend(780.0)
    cache = caches[charts.CHART_CACHE]
    (stored_key,) = [key for key in cache._cache if "trend_chart" in key]
    key = stored_key.removeprefix(":1:")  # the cache's own version prefix
    stored = cache.get(key)
    assert stored["svg"] == chart.svg
    cache.set(key, {**stored, "svg": stored["svg"].replace("<desc>", "<script/><desc>")})
    with pytest.raises(ValueError, match="script"):
        _trend(780.0)
