"""Charts for dashboards, PDFs and Word documents, drawn once on the server.

One module builds every chart as a Vega-Lite spec (with Altair) and renders it to SVG with
vl-convert, so the web page, the PDF and the DOCX show the same picture, and no page needs
JavaScript to draw it. Each chart comes with a title, a text description and (through
`trend_table` or `bar_table`) a data table, because a picture alone is not accessible (WCAG 2.2 AA).

Text on a chart comes from users (area names, titles, period labels), so it is untrusted:

- it goes into the spec only as data or plain strings, never as field names or expressions;
- characters that XML forbids are dropped and whitespace is collapsed, so the SVG stays
  well-formed;
- Vega escapes it when it writes the SVG, and `_check_inert` refuses any SVG that would still
  hold a script, an event handler, a link or a DOCTYPE;
- vl-convert may load no data from outside the spec (``allowed_base_urls=[]``).

Lines differ by colour, dash and point shape, so they can be told apart without colour; bars
carry their values as text, so they can be read without it. The colours are GOV.UK ones with
at least 3:1 contrast against white (WCAG 1.4.11); GOV.UK orange (#f47738, 2.8:1) is left out
for that reason.

Drawing a chart (building the spec with Altair, then vl-convert) takes 50-150 ms, so each chart
is drawn once: `trend_chart` and `bar_chart` keep what they drew in the "charts" cache, keyed by
a hash of everything the picture depends on (the kind of chart, every argument: titles, series
and their values, target, and the renderer's version). Every process shares that cache (the
shared cache named by CACHE_URL, or files in var/chart-cache: see settings), so a page drawn
by one web worker is not drawn again by another. A changed figure changes the key, so a stale
picture is never shown; old entries are simply no longer asked for and expire. The PNG of a
chart (for Word) is kept the same way, by its spec and scale.

vl-convert takes about 0.4 s to start on its first call and some tens of milliseconds after
that; call `warm_up` at start-up to pay the start-up cost early.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, ParamSpec
from xml.sax.saxutils import escape

import altair as alt
import vl_convert as vlc
from django.core.cache import caches

__all__ = [
    "ChartSeries",
    "ChartTable",
    "RenderedChart",
    "bar_chart",
    "bar_table",
    "describe_bars",
    "describe_trend",
    "trend_chart",
    "trend_table",
    "warm_up",
]

FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
TEXT_COLOUR = "#0b0c0c"  # GOV.UK text
SECONDARY_COLOUR = "#505a5f"  # GOV.UK secondary text: axis lines and ticks
GRID_COLOUR = "#b1b4b6"  # GOV.UK border: grid lines are only a guide, so they may be faint
# Series colours, in order of use. Each has at least 3:1 contrast against white.
PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#505a5f", "#4c2c92", "#d53880")
# Dash patterns and point shapes, so a series is identifiable in greyscale or by people who
# cannot tell the colours apart. Different lengths, so combinations repeat as late as possible.
DASHES = ((1, 0), (8, 4), (2, 3), (8, 3, 2, 3), (14, 4), (4, 2, 1, 2), (1, 5))
SHAPES = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "triangle-right")
TARGET_DASH = (6, 4)

WIDTH = 560
HEIGHT = 280
TITLE_FONT_SIZE = 19
TEXT_FONT_SIZE = 14
NO_DATA = "No data"

_CONFIG = alt.Config(
    font=FONT,
    background="white",
    title=alt.TitleConfig(font=FONT, fontSize=TITLE_FONT_SIZE, color=TEXT_COLOUR, offset=12),
    axis=alt.AxisConfig(
        labelFont=FONT,
        titleFont=FONT,
        labelFontSize=TEXT_FONT_SIZE,
        titleFontSize=TEXT_FONT_SIZE,
        labelColor=TEXT_COLOUR,
        titleColor=TEXT_COLOUR,
        domainColor=SECONDARY_COLOUR,
        tickColor=SECONDARY_COLOUR,
        gridColor=GRID_COLOUR,
        labelLimit=0,
    ),
    legend=alt.LegendConfig(
        labelFont=FONT,
        titleFont=FONT,
        labelFontSize=TEXT_FONT_SIZE,
        labelColor=TEXT_COLOUR,
        labelLimit=0,
        symbolSize=150,
        symbolStrokeWidth=0,  # filled shapes only: a dashed outline around them looks broken
    ),
    view=alt.ViewConfig(stroke=None),
)

# Characters XML 1.0 forbids (and C1 controls, which it discourages); Vega would copy them
# into the SVG as they are and make it unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ROOT_START_TAG = re.compile(r"<svg\b[^>]*>")
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# Pixels kept free above the tallest bar (below the lowest negative one) for its value label.
BAR_LABEL_ROOM = TEXT_FONT_SIZE + 8


@dataclass(frozen=True)
class ChartSeries:
    """One line on a chart: a name (such as an area) and its values in time order."""

    name: str
    points: list[tuple[str, float]]


@dataclass(frozen=True)
class ChartTable:
    """The chart's numbers as a table: the accessible equivalent of the picture.

    One row per period, one column per series, values already formatted as text.
    """

    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class RenderedChart:
    """A chart drawn as SVG, with the text a reader needs when they cannot see it."""

    title: str
    description: str
    spec: dict[str, Any]
    svg: str

    @property
    def data_uri(self) -> str:
        """The SVG as a data URI for ``<img src>``: an SVG loaded as an image never runs script,
        so this is the safest way to put it on a page (give the ``<img>`` an ``alt``)."""
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"

    def png(self, scale: float = 2.0) -> bytes:
        """The chart as PNG, for Word documents, which do not all show SVG, at `scale` times
        the SVG's pixel size (2 looks sharp when printed). Drawn once per spec and scale."""
        key = _cache_key("png", {"spec": self.spec, "scale": scale})
        cached = caches[CHART_CACHE].get(key)
        if isinstance(cached, bytes):
            return cached
        png: bytes = vlc.vegalite_to_png(self.spec, scale=scale, allowed_base_urls=[])
        caches[CHART_CACHE].set(key, png, timeout=CACHE_SECONDS)
        return png


# The cache of drawn charts -------------------------------------------------------------------

CHART_CACHE = "charts"
# Entries are never stale (the key names everything the picture depends on), so the timeout only
# clears out pictures of figures that have since changed.
CACHE_SECONDS = 60 * 60 * 24 * 30
# Raise when this module draws charts differently, so pictures drawn the old way are not reused.
STYLE_VERSION = 1
_VL_CONVERT = getattr(vlc, "__version__", "?")
_RENDERER = f"altair {alt.__version__}, vl-convert {_VL_CONVERT}, style {STYLE_VERSION}"

Arguments = ParamSpec("Arguments")


def _plain(value: Any) -> Any:
    """Arguments as JSON can hold them, so equal arguments always give the same key."""
    if is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: asdict(value)}
    raise TypeError(f"A chart argument of type {type(value).__name__} cannot be part of its key")


def _cache_key(kind: str, payload: Any) -> str:
    text = json.dumps(
        [_RENDERER, kind, payload], sort_keys=True, separators=(",", ":"), default=_plain
    )
    return f"paqa-chart:{kind}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def _drawn_once(
    draw: Callable[Arguments, RenderedChart],
) -> Callable[Arguments, RenderedChart]:
    """Keep what `draw` drew in the shared chart cache, keyed by its arguments."""

    @functools.wraps(draw)
    def cached(*args: Arguments.args, **kwargs: Arguments.kwargs) -> RenderedChart:
        key = _cache_key(draw.__name__, {"args": list(args), "kwargs": kwargs})
        hit = caches[CHART_CACHE].get(key)
        if isinstance(hit, dict) and isinstance(hit.get("svg"), str):
            # The cache is outside this process: the SVG is checked again before any page
            # gets it, as when it was drawn.
            _check_inert(hit["svg"])
            return RenderedChart(
                title=hit["title"], description=hit["description"], spec=hit["spec"], svg=hit["svg"]
            )
        chart = draw(*args, **kwargs)
        caches[CHART_CACHE].set(
            key,
            {
                "title": chart.title,
                "description": chart.description,
                "spec": chart.spec,
                "svg": chart.svg,
            },
            timeout=CACHE_SECONDS,
        )
        return chart

    return cached


@_drawn_once
def trend_chart(
    *,
    title: str,
    description: str,
    y_title: str,
    series: list[ChartSeries],
    target: float | None = None,
    target_label: str = "Target",
    x_title: str = "Period",
    decimals: int = 0,
) -> RenderedChart:
    """A line chart of how values changed over time, one line per series, drawn as SVG.

    Periods stay in the order the series give them (the first series first), not in
    alphabetical order. Values that are not finite numbers (NaN, infinity) are left out, as if
    missing. `target`, when given (and finite), is drawn as a dashed line labelled with
    `target_label`.
    `decimals` sets how values are shown on the y axis and in the target label.

    Series names must differ, or their points would join into one line.
    """
    names = [_clean(s.name) for s in series]
    if len(set(names)) != len(names):
        raise ValueError(f"Series names must differ: {names}")
    title, description = _clean(title), _clean(description)
    periods = _periods(series)
    rows = [
        {"series": name, "period": period, "value": value}
        for name, s in zip(names, series, strict=True)
        for period, value in _finite_points(s)
    ]
    number_format = f",.{decimals}f"

    x = alt.X(
        "period:O",
        sort=periods,
        title=_wrap(_clean(x_title), 70),
        axis=alt.Axis(labelAngle=_label_angle(periods), labelOverlap=True),
    )
    y = alt.Y(
        "value:Q",
        title=_wrap(_clean(y_title), 36),
        axis=alt.Axis(format=number_format),
        scale=alt.Scale(zero=True),
    )
    legend = alt.Legend(title=None, orient="bottom", columns=_legend_columns(names))
    colour = alt.Color(
        "series:N",
        sort=names,
        legend=legend,
        scale=alt.Scale(domain=names, range=_cycle(PALETTE, names)),
    )
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=3, strokeJoin="round")
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash(
                "series:N",
                sort=names,
                legend=None,
                scale=alt.Scale(domain=names, range=[list(d) for d in _cycle(DASHES, names)]),
            ),
        )
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=80, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            shape=alt.Shape(
                "series:N",
                sort=names,
                legend=legend,
                scale=alt.Scale(domain=names, range=list(_cycle(SHAPES, names))),
            ),
        )
    )
    layers: list[alt.Chart] = []
    if target is not None and math.isfinite(target):
        # Drawn first, so the series lines and points are never hidden behind it.
        layers.extend(_target_layers(target, _clean(target_label), decimals, y))
    layers.extend([lines, points])

    # Built in one step: Altair deep-copies the whole chart for each .properties() or
    # .configure_*() call, which would cost more than drawing it.
    chart = alt.LayerChart(
        layer=layers,
        data=alt.Data(values=rows),  # once for both lines and points; the target has its own
        title=alt.TitleParams(text=_wrap(title, 55), anchor="start"),
        description=description,
        width=WIDTH,
        height=HEIGHT,
        config=_CONFIG,
    )
    # Not validated against the Vega-Lite schema here: that takes longer than drawing the
    # chart, and the spec's shape does not depend on the data. The tests validate it.
    spec = chart.to_dict(validate=False)
    return RenderedChart(
        title=title, description=description, spec=spec, svg=_render(spec, title, description)
    )


def describe_trend(series: list[ChartSeries], *, decimals: int = 0, unit_suffix: str = "") -> str:
    """A plain-English description of each line, from first value to last, for alt text.

    It compares the first and last values only, which is what a reader glancing at the chart
    takes away; the data table carries the detail. A value that shows the same at `decimals`
    places "stayed at" it, so the words never contradict the numbers. Series without points
    are left out; with none at all the result is "".
    """
    sentences = []
    for s in series:
        points = _finite_points(s)
        if not points:
            continue
        name = _clean(s.name)
        (first_period, first_value), (last_period, last_value) = points[0], points[-1]
        first = _format_number(first_value, decimals) + unit_suffix
        last = _format_number(last_value, decimals) + unit_suffix
        if len(points) == 1:
            sentences.append(f"{name} was {first} in {first_period}.")
        elif first == last:
            sentences.append(f"{name} stayed at {first} from {first_period} to {last_period}.")
        else:
            verb = "rose" if last_value > first_value else "fell"
            sentences.append(
                f"{name} {verb} from {first} in {first_period} to {last} in {last_period}."
            )
    return " ".join(sentences)


def trend_table(
    series: list[ChartSeries], *, x_title: str = "Period", decimals: int = 0, unit_suffix: str = ""
) -> ChartTable:
    """The numbers behind `trend_chart`, as a table to show with (or instead of) the picture.

    Periods are in the same order as on the chart. A period that a series has no value for
    shows "No data", so a screen reader does not read an empty cell.
    """
    by_series = [dict(_finite_points(s)) for s in series]
    rows = [
        [period]
        + [
            _format_number(values[period], decimals) + unit_suffix if period in values else NO_DATA
            for values in by_series
        ]
        for period in _periods(series)
    ]
    return ChartTable(columns=[_clean(x_title)] + [_clean(s.name) for s in series], rows=rows)


@_drawn_once
def bar_chart(
    *,
    title: str,
    description: str,
    y_title: str,
    categories: list[str],
    series: list[ChartSeries],
    x_title: str = "",
    stacked: bool = False,
    colours: dict[str, str] | None = None,
    decimals: int = 0,
) -> RenderedChart:
    """A bar chart of values by category, one bar per series, drawn as SVG.

    Series points are (category, value) pairs. Categories stay in the order given (grades
    such as "Outstanding", "Good", "Requires improvement", "Inadequate" have an order that
    alphabetical sorting would lose); a category a series names that is not in `categories`
    is added after them, so no value is silently dropped. Values that are not finite numbers
    are left out, as if missing.

    By default the series' bars stand side by side in each category (grouped), to compare
    them, such as one audit against its re-audit. With ``stacked=True`` they stack, the first
    series at the bottom, to show how each category's total is made up.

    Every bar carries its value as text, so the numbers can be read without telling the
    colours apart: on top of each bar when grouped; inside each segment tall enough to hold
    it, and the category's total on top, when stacked. `decimals` sets how values are shown.

    `colours` maps series names to "#rrggbb" colours, to keep a series the same colour across
    charts; other series take the palette's colours in turn. A colour with less than 3:1
    contrast against white (WCAG 1.4.11) is refused with ValueError, as are series names
    that repeat and a category that appears twice in one series.
    """
    names = [_clean(s.name) for s in series]
    if len(set(names)) != len(names):
        raise ValueError(f"Series names must differ: {names}")
    title, description = _clean(title), _clean(description)
    values = [_category_values(s) for s in series]
    order = _categories(categories, values)
    axis_labels = _axis_label_lines(order)
    colour_range = _bar_colours(names, colours or {})
    inks = {name: _ink(colour) for name, colour in zip(names, colour_range, strict=True)}

    rows: list[dict[str, Any]] = []
    up: dict[str, float] = dict.fromkeys(order, 0.0)
    down: dict[str, float] = dict.fromkeys(order, 0.0)
    for name, by_category in zip(names, values, strict=True):
        for category in order:
            if category not in by_category:
                continue
            value = by_category[category]
            # Stacked like Vega-Lite stacks: positive values upwards, negative ones downwards.
            # Done here so the labels can sit in the middle of the segments they belong to.
            stack = up if value >= 0 else down
            start, stack[category] = stack[category], stack[category] + value
            rows.append(
                {
                    "series": name,
                    "category": axis_labels[category],  # as the x axis shows it
                    "value": value,
                    "start": start,
                    "end": stack[category],
                    "label": _format_number(value, decimals),
                    "ink": inks[name],
                }
            )
    if stacked:
        low, high = min(down.values(), default=0.0), max(up.values(), default=0.0)
    else:
        low = min((row["value"] for row in rows), default=0.0)
        high = max((row["value"] for row in rows), default=0.0)
    domain = _bar_domain(min(low, 0.0), max(high, 0.0))

    x = alt.X(
        "category:N",
        sort=[axis_labels[c] for c in order],
        title=_wrap(_clean(x_title), 70) if _clean(x_title) else None,
        # The domain is given, so a category no series has a value for still has its place.
        scale=alt.Scale(
            domain=[axis_labels[c] for c in order], paddingInner=0.25, paddingOuter=0.15
        ),
        # Long category names are given as lines joined by newlines (see _axis_label_lines):
        # this constant expression splits them. No user text is ever part of an expression.
        axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, '\\n')", labelPadding=6),
    )
    y_scale = alt.Scale(domain=list(domain), nice=False, zero=True)
    y_axis = alt.Axis(format=f",.{decimals}f", tickMinStep=10.0**-decimals)
    y_title_text = _wrap(_clean(y_title), 36)
    colour = alt.Color(
        "series:N",
        sort=names,
        legend=alt.Legend(
            title=None,
            orient="bottom",
            columns=_legend_columns(names),
            symbolType="square",
        ),
        scale=alt.Scale(domain=names, range=colour_range),
    )
    layers: list[alt.Chart] = []
    if stacked:
        layers.extend(
            _stacked_layers(x, y_scale, y_axis, y_title_text, colour, rows, domain, decimals)
        )
    else:
        layers.extend(_grouped_layers(x, y_scale, y_axis, y_title_text, colour, names))

    chart = alt.LayerChart(
        layer=layers,
        data=alt.Data(values=rows),
        title=alt.TitleParams(text=_wrap(title, 55), anchor="start"),
        description=description,
        width=WIDTH,
        height=HEIGHT,
        config=_CONFIG,
    )
    spec = chart.to_dict(validate=False)  # validated by the tests, as for trend_chart
    return RenderedChart(
        title=title, description=description, spec=spec, svg=_render(spec, title, description)
    )


def describe_bars(
    categories: list[str], series: list[ChartSeries], *, decimals: int = 0, unit_suffix: str = ""
) -> str:
    """A plain-English description of a bar chart, one sentence per series, for alt text.

    For example "Strategy meetings 2018-19: Outstanding 1, Good 4, Requires improvement 3,
    Inadequate 0." Categories come in the chart's order; one a series has no value for says
    "(no data)" rather than 0, because a missing count is not a zero count.
    """
    values = [_category_values(s) for s in series]
    order = _categories(categories, values)
    sentences = []
    for s, by_category in zip(series, values, strict=True):
        if not by_category:
            sentences.append(f"{_clean(s.name)}: no data.")
            continue
        parts = [
            f"{category} {_format_number(by_category[category], decimals)}{unit_suffix}"
            if category in by_category
            else f"{category} (no data)"
            for category in order
        ]
        sentences.append(f"{_clean(s.name)}: {', '.join(parts)}.")
    return " ".join(sentences)


def bar_table(
    categories: list[str],
    series: list[ChartSeries],
    *,
    x_title: str = "Category",
    decimals: int = 0,
    unit_suffix: str = "",
) -> ChartTable:
    """The numbers behind `bar_chart`, as a table: one row per category, one column per series.

    Categories are in the chart's order; a value a series lacks shows "No data". `x_title`
    heads the first column (give the chart's x title): a header cell should never be empty.
    """
    values = [_category_values(s) for s in series]
    rows = [
        [category]
        + [
            _format_number(by_category[category], decimals) + unit_suffix
            if category in by_category
            else NO_DATA
            for by_category in values
        ]
        for category in _categories(categories, values)
    ]
    return ChartTable(columns=[_clean(x_title)] + [_clean(s.name) for s in series], rows=rows)


def warm_up() -> None:
    """Draw a tiny chart so vl-convert starts now (about 0.4 s) rather than on a user's request
    (past the chart cache, which would otherwise answer without starting it)."""
    trend_chart.__wrapped__(  # type: ignore[attr-defined]
        title="Warm-up",
        description="A chart drawn at start-up.",
        y_title="Value",
        series=[ChartSeries(name="Warm-up", points=[("1", 1.0), ("2", 2.0)])],
        target=1.5,
    )


def _clean(text: str) -> str:
    """Untrusted text, fit for one line of SVG: no characters XML forbids, single spaces."""
    return " ".join(_NOT_XML.sub("", str(text)).split())


def _finite_points(series: ChartSeries) -> list[tuple[str, float]]:
    """The points that have a number to show, with cleaned labels: NaN and infinity are gaps."""
    return [
        (_clean(label), float(value))
        for label, value in series.points
        if math.isfinite(float(value))
    ]


def _periods(series: list[ChartSeries]) -> list[str]:
    """Every period label, in the order first met: the given order is the time order."""
    seen: dict[str, None] = {}
    for s in series:
        for label, _ in _finite_points(s):
            seen.setdefault(label, None)
    return list(seen)


def _format_number(value: float, decimals: int) -> str:
    """1234.5 as "1,235" (decimals=0) or "1,234.5" (decimals=1); never "-0"."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]
    return text


def _wrap(text: str, width: int) -> str | list[str]:
    """Long titles as several lines (Vega does not wrap text), so the chart keeps its width."""
    lines = textwrap.wrap(text, width)
    return lines if len(lines) > 1 else text


def _label_angle(periods: list[str]) -> int:
    """Level period labels when they fit side by side, slanted when they do not."""
    longest = max((len(p) for p in periods), default=0)
    return 0 if len(periods) * (longest * 8 + 12) <= WIDTH else -45


def _legend_columns(names: list[str]) -> int:
    """As many legend entries per row as fit within the chart's width."""
    longest = max((len(n) for n in names), default=0)
    return max(1, min(len(names), WIDTH // (longest * 8 + 40)))


def _cycle(values: tuple[Any, ...], names: list[str]) -> list[Any]:
    """One value per series, starting again from the first when there are more series."""
    return [values[i % len(values)] for i in range(len(names))]


def _category_values(series: ChartSeries) -> dict[str, float]:
    """A series' finite values by cleaned category; a category given twice is an error, since
    two bars in one place would hide each other."""
    values: dict[str, float] = {}
    for category, value in _finite_points(series):
        if category in values:
            raise ValueError(f"Category {category!r} appears twice in series {series.name!r}")
        values[category] = value
    return values


def _categories(categories: list[str], values: list[dict[str, float]]) -> list[str]:
    """The categories in the order given, once each, then any others the series name."""
    seen: dict[str, None] = dict.fromkeys(_clean(c) for c in categories)
    for by_category in values:
        for category in by_category:
            seen.setdefault(category, None)
    return list(seen)


def _axis_label_lines(categories: list[str]) -> dict[str, str]:
    """Each category as the text its axis label shows: lines joined by newlines, so long names
    wrap to fit their share of the width instead of overlapping or slanting.

    Cleaned text holds no newlines, so the only ones are ours; the axis's ``labelExpr`` splits
    on them.
    """
    width = max(8, WIDTH // max(1, len(categories)) // 8)
    # Breaking only at spaces (never inside a word or after a hyphen) keeps every character,
    # so two different categories can never end up with the same label.
    return {
        category: "\n".join(
            textwrap.wrap(category, width, break_long_words=False, break_on_hyphens=False)
        )
        or category
        for category in categories
    }


def _bar_colours(names: list[str], colours: dict[str, str]) -> list[str]:
    """One colour per series: the one asked for, or the next palette colour not asked for."""
    chosen = {_clean(name): colour for name, colour in colours.items()}
    for name, colour in chosen.items():
        if not _HEX_COLOUR.fullmatch(colour):
            raise ValueError(f"Colour for {name!r} must look like #1d70b8, not {colour!r}")
        if _contrast_with_white(colour) < 3.0:
            raise ValueError(
                f"Colour {colour} for {name!r} has less than 3:1 contrast against white"
            )
    used = {chosen[name].lower() for name in names if name in chosen}
    spare = [colour for colour in PALETTE if colour not in used] or list(PALETTE)
    result = []
    for name in names:
        if name in chosen:
            result.append(chosen[name].lower())
        else:
            result.append(spare[0])
            spare = (
                spare[1:] or [colour for colour in PALETTE if colour not in used] or list(PALETTE)
            )
    return result


def _relative_luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of "#rrggbb" against white."""
    return 1.05 / (_relative_luminance(colour) + 0.05)


def _ink(colour: str) -> str:
    """The text colour for a label on a bar of `colour`: white when that has 4.5:1 contrast
    (WCAG 1.4.3), else black. Black, not our near-black text colour: a colour's contrasts
    with white and with black multiply to 21, so one of them is always at least 4.58:1."""
    return "white" if _contrast_with_white(colour) >= 4.5 else "black"


def _nice_step(value: float) -> float:
    """The smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten)
    at or above `value` (> 0): a y-axis end that tick labels can reach."""
    power = 10.0 ** math.floor(math.log10(value))
    for multiple in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if multiple * power >= value * (1 - 1e-9):
            return multiple * power
    return 10 * power  # pragma: no cover (the loop always returns)


def _bar_domain(low: float, high: float) -> tuple[float, float]:
    """The y axis's extent: round numbers beyond the data, with room for the value labels
    outside the bars (`BAR_LABEL_ROOM` pixels), so a label never runs into the title or the
    axis labels. Set here rather than left to Vega so the room is known to be there."""
    if low == high == 0:
        return 0.0, 1.0
    room = BAR_LABEL_ROOM / HEIGHT
    bottom = -_nice_step(-low) if low < 0 else 0.0
    top = _nice_step(high) if high > 0 else 0.0
    for _ in range(20):  # each pass moves one end out by a step; two or three passes suffice
        span = top - bottom
        if high > 0 and top - high < room * span:
            top = _nice_step(top * 1.01)
        elif low < 0 and low - bottom < room * span:
            bottom = -_nice_step(-bottom * 1.01)
        else:
            break
    return bottom, top


def _grouped_layers(
    x: alt.X,
    y_scale: alt.Scale,
    y_axis: alt.Axis,
    y_title: str | list[str],
    colour: alt.Color,
    names: list[str],
) -> list[alt.Chart]:
    """Bars side by side in each category, each with its value above (or below, if negative)."""
    x_offset = alt.XOffset("series:N", sort=names, scale=alt.Scale(domain=names, paddingInner=0.08))
    y = alt.Y("value:Q", title=y_title, scale=y_scale, axis=y_axis)
    bars = alt.Chart().mark_bar().encode(x=x, xOffset=x_offset, y=y, color=colour)
    above = (
        alt.Chart()
        .mark_text(baseline="bottom", dy=-4, font=FONT, fontSize=TEXT_FONT_SIZE, color=TEXT_COLOUR)
        .encode(x=x, xOffset=x_offset, y=y, text="label:N")
        .transform_filter(alt.FieldGTEPredicate(field="value", gte=0))
    )
    below = (
        alt.Chart()
        .mark_text(baseline="top", dy=4, font=FONT, fontSize=TEXT_FONT_SIZE, color=TEXT_COLOUR)
        .encode(x=x, xOffset=x_offset, y=y, text="label:N")
        .transform_filter(alt.FieldLTPredicate(field="value", lt=0))
    )
    return [bars, above, below]


def _stacked_layers(
    x: alt.X,
    y_scale: alt.Scale,
    y_axis: alt.Axis,
    y_title: str | list[str],
    colour: alt.Color,
    rows: list[dict[str, Any]],
    domain: tuple[float, float],
    decimals: int,
) -> list[alt.Chart]:
    """Stacked bars: each segment's value inside it when it fits, the total on top."""
    y = alt.Y("start:Q", title=y_title, scale=y_scale, axis=y_axis)
    bars = (
        alt.Chart()
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(x=x, y=y, y2="end:Q", color=colour)
    )
    pixels_per_unit = HEIGHT / (domain[1] - domain[0])
    inside = [
        {
            "category": row["category"],
            "middle": (row["start"] + row["end"]) / 2,
            "label": row["label"],
            "ink": row["ink"],
        }
        for row in rows
        if abs(row["value"]) * pixels_per_unit >= TEXT_FONT_SIZE + 4
    ]
    segment_labels = (
        alt.Chart(alt.Data(values=inside))
        .mark_text(baseline="middle", font=FONT, fontSize=TEXT_FONT_SIZE, fontWeight="bold")
        .encode(
            x=x,
            y=alt.Y("middle:Q", scale=y_scale),
            text="label:N",
            # Not user text: "white" or our text colour, chosen by _ink for contrast.
            color=alt.Color("ink:N", scale=None),
        )
    )
    totals: dict[str, float] = {}
    tops: dict[str, float] = {}
    for row in rows:
        totals[row["category"]] = totals.get(row["category"], 0.0) + row["value"]
        tops[row["category"]] = max(tops.get(row["category"], 0.0), row["end"])
    total_labels = (
        alt.Chart(
            alt.Data(
                values=[
                    {
                        "category": category,
                        "top": tops[category],
                        "label": f"Total {_format_number(total, decimals)}",
                    }
                    for category, total in totals.items()
                ]
            )
        )
        .mark_text(baseline="bottom", dy=-4, font=FONT, fontSize=TEXT_FONT_SIZE, color=TEXT_COLOUR)
        .encode(x=x, y=alt.Y("top:Q", scale=y_scale), text="label:N")
    )
    return [bars, segment_labels, total_labels]


def _target_layers(target: float, label: str, decimals: int, y: alt.Y) -> list[alt.Chart]:
    """A dashed line across the chart at the target, labelled just outside its right-hand end.

    Outside the plot, the label never sits on top of a series line, whatever the data.
    """
    value = _format_number(target, decimals)
    base = alt.Chart(
        alt.Data(values=[{"value": target, "label": f"{label}: {value}" if label else value}])
    )
    rule = base.mark_rule(color=TEXT_COLOUR, strokeWidth=2, strokeDash=list(TARGET_DASH)).encode(
        y=y
    )
    words = base.mark_text(
        align="left", baseline="middle", dx=6, font=FONT, fontSize=TEXT_FONT_SIZE, color=TEXT_COLOUR
    ).encode(y=y, x=alt.value(WIDTH), text="label:N")
    return [rule, words]


def _render(spec: dict[str, Any], title: str, description: str) -> str:
    """The spec as SVG, with its title and description inside it for screen readers.

    The SVG is checked before it is returned, so nothing unsafe can reach a page even if a
    future Vega version escaped text differently.
    """
    svg: str = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    start = _ROOT_START_TAG.match(svg)
    if start is None:
        raise ValueError("vl-convert returned something other than an SVG")
    accessible = f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    svg = svg[: start.end()] + accessible + svg[start.end() :]
    _check_inert(svg)
    return svg


def _check_inert(svg: str) -> None:
    """Refuse SVG that could run script or load anything, should it ever be put inline.

    Vega writes text as escaped text and attribute values; this is the proof of that at run
    time: well-formed XML with no DOCTYPE (so no entities), no script or foreignObject elements,
    no on… event attributes and no links.
    """
    if "<!" in svg:
        raise ValueError("Chart SVG must not contain a DOCTYPE, entity or CDATA section")
    # Safe to parse: no DOCTYPE means no entity expansion, and expat fetches nothing.
    try:
        root = ET.fromstring(svg)  # noqa: S314
    except ET.ParseError as error:
        raise ValueError(f"Chart SVG is not well-formed XML: {error}") from error
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject", "iframe", "object", "embed", "a", "use", "image"}:
            raise ValueError(f"Chart SVG must not contain <{tag}>")
        for attribute in element.attrib:
            name = attribute.rsplit("}", 1)[-1].lower()
            if name.startswith("on") or name == "href":
                raise ValueError(f"Chart SVG must not have a {name} attribute")
