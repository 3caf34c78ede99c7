"""Charts: the spec, the SVG it renders to, and the words and table that go with it.

The SVG reaches dashboards, PDFs and Word documents with user-typed text in it, so the
escaping tests parse it as XML and look for anything that could run.
"""

import base64
import json
import math
import struct
import xml.etree.ElementTree as ET
from typing import Any

import altair as alt
import pytest

from paqa.core import charts
from paqa.core.charts import (
    ChartSeries,
    RenderedChart,
    bar_chart,
    bar_table,
    describe_bars,
    describe_trend,
    trend_chart,
    trend_table,
)

PERIODS = ["2012-13", "2013-14", "2014-15"]
SERIES = [
    ChartSeries("Oxfordshire", [("2012-13", 33.8), ("2013-14", 40.1), ("2014-15", 48.6)]),
    ChartSeries("South East", [("2012-13", 51.0), ("2013-14", 52.4), ("2014-15", 53.2)]),
    ChartSeries("England", [("2012-13", 42.1), ("2013-14", 42.9), ("2014-15", 43.1)]),
]
NASTY = '"><img src=x onerror=alert(1)> & <script>alert("x")</script> \'quoted\''


def _chart(**overrides: Any) -> RenderedChart:
    arguments: dict[str, Any] = {
        "title": "Children on a plan",
        "description": "Oxfordshire rose from 34 to 49.",
        "y_title": "Rate per 10,000",
        "series": SERIES,
    }
    arguments.update(overrides)
    return trend_chart(**arguments)


@pytest.fixture(scope="module")
def chart() -> RenderedChart:
    return _chart(target=50.0, target_label="Target")


def _marks(spec: dict[str, Any]) -> list[str]:
    marks = []
    for layer in spec["layer"]:
        mark = layer["mark"]
        marks.append(mark if isinstance(mark, str) else mark["type"])
    return marks


def _layer(spec: dict[str, Any], mark_type: str) -> dict[str, Any]:
    return next(layer for layer in spec["layer"] if layer["mark"]["type"] == mark_type)


def _parse(svg: str) -> ET.Element:
    # Our own output, just rendered: no DOCTYPE (checked), so nothing for expat to expand.
    assert "<!" not in svg
    return ET.fromstring(svg)  # noqa: S314


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


# The spec


def test_spec_draws_a_line_and_points_per_series(chart: RenderedChart) -> None:
    spec = chart.spec
    assert "line" in _marks(spec)
    assert "point" in _marks(spec)
    names = {row["series"] for row in spec["data"]["values"]}
    assert names == {"Oxfordshire", "South East", "England"}
    assert len(spec["data"]["values"]) == 9
    line = _layer(spec, "line")["encoding"]
    assert line["x"]["type"] == "ordinal"
    assert line["y"]["type"] == "quantitative"
    assert line["y"]["scale"]["zero"] is True
    assert line["color"]["field"] == "series"


def test_spec_keeps_the_period_order_given(chart: RenderedChart) -> None:
    for mark_type in ("line", "point"):
        assert _layer(chart.spec, mark_type)["encoding"]["x"]["sort"] == PERIODS


def test_periods_are_not_sorted_alphabetically() -> None:
    months = ["January 2019", "February 2019", "March 2019"]
    series = [
        ChartSeries("A", [(months[0], 1.0), (months[1], 2.0)]),
        ChartSeries("B", [(months[1], 2.0), (months[2], 3.0)]),  # adds a later period
    ]
    rendered = _chart(series=series)
    assert _layer(rendered.spec, "line")["encoding"]["x"]["sort"] == months
    labels = [
        "".join(text.itertext())
        for text in _parse(rendered.svg).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert [label for label in labels if label in months] == months


def test_target_draws_a_dashed_labelled_rule(chart: RenderedChart) -> None:
    rule = _layer(chart.spec, "rule")
    assert rule["mark"]["strokeDash"]
    assert rule["data"]["values"][0]["value"] == 50.0
    label = _layer(chart.spec, "text")
    assert label["data"]["values"][0]["label"] == "Target: 50"
    assert "Target: 50" in chart.svg


def test_no_target_no_rule() -> None:
    assert _marks(_chart().spec) == ["line", "point"]
    assert _marks(_chart(target=float("nan")).spec) == ["line", "point"]


def test_target_label_uses_decimals() -> None:
    rendered = _chart(target=1234.5, target_label="Goal", decimals=1)
    assert _layer(rendered.spec, "text")["data"]["values"][0]["label"] == "Goal: 1,234.5"


def test_spec_is_valid_vega_lite_and_plain_json(chart: RenderedChart) -> None:
    alt.LayerChart.from_dict(chart.spec)  # raises if the spec breaks the Vega-Lite schema
    json.dumps(chart.spec, allow_nan=False)


def test_spec_has_title_description_size_font_and_background(chart: RenderedChart) -> None:
    spec = chart.spec
    assert spec["title"]["text"] == "Children on a plan"
    assert spec["description"] == "Oxfordshire rose from 34 to 49."
    assert (spec["width"], spec["height"]) == (560, 280)
    config = spec["config"]
    assert config["background"] == "white"
    font = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
    assert config["axis"]["labelFont"] == config["axis"]["titleFont"] == font
    assert config["legend"]["labelFont"] == font
    assert config["title"]["font"] == font


def test_long_title_wraps_onto_lines() -> None:
    title = "Children who became the subject of a child protection plan per 10,000 children"
    rendered = _chart(title=title)
    lines = rendered.spec["title"]["text"]
    assert isinstance(lines, list)
    assert len(lines) > 1
    assert " ".join(lines) == title
    assert rendered.title == title


def test_series_differ_by_colour_dash_and_shape(chart: RenderedChart) -> None:
    line = _layer(chart.spec, "line")["encoding"]
    point = _layer(chart.spec, "point")["encoding"]
    names = ["Oxfordshire", "South East", "England"]
    for channel in (line["color"], line["strokeDash"], point["shape"]):
        assert channel["scale"]["domain"] == names
        values = [json.dumps(value) for value in channel["scale"]["range"]]
        assert len(set(values)) == len(names)
    assert line["color"]["scale"]["range"] == ["#1d70b8", "#d4351c", "#00703c"]


def test_more_series_than_colours_still_render() -> None:
    series = [ChartSeries(f"Area {n}", [("2019", n), ("2020", n + 1.0)]) for n in range(9)]
    encoding = _layer(_chart(series=series).spec, "line")["encoding"]
    assert len(encoding["color"]["scale"]["range"]) == 9
    pairs = {
        (json.dumps(colour), json.dumps(dash))
        for colour, dash in zip(
            encoding["color"]["scale"]["range"],
            encoding["strokeDash"]["scale"]["range"],
            strict=True,
        )
    }
    assert len(pairs) == 9


def _contrast_with_white(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_series_colours_have_3_to_1_contrast_with_white(colour: str) -> None:
    assert _contrast_with_white(colour) >= 3.0  # WCAG 1.4.11 non-text contrast


def test_text_colour_has_4_5_to_1_contrast_with_white() -> None:
    assert _contrast_with_white(charts.TEXT_COLOUR) >= 4.5


def test_series_names_must_differ() -> None:
    with pytest.raises(ValueError, match="must differ"):
        _chart(series=[ChartSeries("A", [("2019", 1.0)]), ChartSeries("A", [("2020", 2.0)])])


def test_missing_values_are_left_out() -> None:
    series = [ChartSeries("A", [("2019", 1.0), ("2020", float("nan")), ("2021", float("inf"))])]
    rendered = _chart(series=series)
    assert rendered.spec["data"]["values"] == [{"series": "A", "period": "2019", "value": 1.0}]
    json.dumps(rendered.spec, allow_nan=False)


@pytest.mark.parametrize(
    "series",
    [[], [ChartSeries("A", [])], [ChartSeries("A", [("2019", float("nan"))])]],
)
def test_a_chart_without_data_still_renders(series: list[ChartSeries]) -> None:
    rendered = _chart(series=series)
    _parse(rendered.svg)


# The SVG


def test_svg_is_well_formed_with_title_and_description(chart: RenderedChart) -> None:
    root = _parse(chart.svg)
    assert _local(root.tag) == "svg"
    children = list(root)
    assert _local(children[0].tag) == "title"
    assert children[0].text == "Children on a plan"
    assert _local(children[1].tag) == "desc"
    assert children[1].text == "Oxfordshire rose from 34 to 49."
    texts = {
        "".join(element.itertext()) for element in root.iter() if _local(element.tag) == "text"
    }
    assert "Children on a plan" in texts  # drawn as well
    assert {"Oxfordshire", "South East", "England"} <= texts  # the legend
    assert "Rate per 10,000" in texts


def test_svg_uses_the_system_font_stack(chart: RenderedChart) -> None:
    assert 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"' in (
        chart.svg
    )


def test_user_text_is_escaped_and_nothing_can_run() -> None:
    rendered = trend_chart(
        title=NASTY,
        description=NASTY,
        y_title=NASTY,
        x_title=NASTY,
        series=[
            ChartSeries(NASTY, [(NASTY, 1.0), ("2020", 2.0)]),
            ChartSeries("Plain & simple", [(NASTY, 3.0), ("2020", 4.0)]),
        ],
        target=2.0,
        target_label=NASTY,
    )
    svg = rendered.svg
    assert "<script" not in svg.lower()
    assert "<img" not in svg.lower()
    assert "&lt;script&gt;" in svg

    root = _parse(svg)  # well-formed XML, or this raises
    for element in root.iter():
        assert not _local(element.tag).lower().endswith("script")
        assert _local(element.tag).lower() not in {"foreignobject", "img", "a", "image"}
        for attribute in element.attrib:
            name = _local(attribute).lower()
            assert not name.startswith("on"), f"{element.tag} has {attribute}"
            assert name != "href"

    # The nasty text survives only as text: exactly as typed, once unescaped.
    texts = ["".join(element.itertext()) for element in root.iter()]
    assert NASTY in texts  # <title>, <desc>, the drawn title, axis titles, legend label
    assert f"{NASTY}: 2" in texts  # the target label
    assert "Plain & simple" in texts
    assert "Plain &amp; simple" in svg

    # And the spec keeps it as data, not as a field name or expression.
    assert {row["series"] for row in rendered.spec["data"]["values"]} == {NASTY, "Plain & simple"}
    for layer in rendered.spec["layer"]:
        for channel in layer["encoding"].values():
            assert channel.get("field") in {None, "series", "period", "value", "label"}


def test_text_xml_cannot_hold_is_dropped() -> None:
    rendered = _chart(
        title="Bad\x00 \x0b title\ud800",
        description="Line one\nline two\x1b",
        series=[ChartSeries("Area\x07", [("2019\x01", 1.0)])],
    )
    root = _parse(rendered.svg)
    assert rendered.title == "Bad title"
    assert rendered.description == "Line one line two"
    assert root[0].text == "Bad title"
    assert rendered.spec["data"]["values"] == [{"series": "Area", "period": "2019", "value": 1.0}]


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)">x</a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject></foreignObject></svg>',
        '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        "<svg><text>unclosed</svg>",
    ],
)
def test_unsafe_svg_is_refused(svg: str) -> None:
    with pytest.raises(ValueError, match=r"^Chart SVG"):
        charts._check_inert(svg)


def test_data_uri_decodes_to_the_svg(chart: RenderedChart) -> None:
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_uri.startswith(prefix)
    assert base64.b64decode(chart.data_uri.removeprefix(prefix)).decode("utf-8") == chart.svg


def test_data_uri_round_trips_non_ascii_text() -> None:
    rendered = _chart(series=[ChartSeries("Ynys Môn – “North”", [("2019", 1.0)])])
    encoded = rendered.data_uri.removeprefix("data:image/svg+xml;base64,")
    assert base64.b64decode(encoded).decode("utf-8") == rendered.svg
    assert "Ynys Môn – “North”" in rendered.svg


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    return width, height


def test_png_is_a_png_scaled_as_asked(chart: RenderedChart) -> None:
    png = chart.png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width_at_1, _ = _png_size(chart.png(scale=1.0))
    width_at_2, _ = _png_size(png)
    assert width_at_2 == pytest.approx(2 * width_at_1, abs=2)


def test_warm_up_renders_without_error() -> None:
    assert charts.warm_up() is None


# The words


@pytest.mark.parametrize(
    ("points", "decimals", "suffix", "expected"),
    [
        (
            [("2012-13", 33.8), ("2015-16", 40.0), ("2017-18", 48.6)],
            1,
            "",
            "Oxfordshire rose from 33.8 in 2012-13 to 48.6 in 2017-18.",
        ),
        (
            [("2012-13", 48.6), ("2017-18", 33.8)],
            0,
            "",
            "Oxfordshire fell from 49 in 2012-13 to 34 in 2017-18.",
        ),
        (
            [("2012-13", 50.0), ("2013-14", 70.0), ("2017-18", 50.0)],
            0,
            "%",
            "Oxfordshire stayed at 50% from 2012-13 to 2017-18.",
        ),
        (  # equal once rounded: "rose from 34 to 34" would contradict itself
            [("2012-13", 33.81), ("2017-18", 33.84)],
            0,
            "",
            "Oxfordshire stayed at 34 from 2012-13 to 2017-18.",
        ),
        (
            [("2019", 1234.5), ("2020", 12345.678)],
            2,
            "%",
            "Oxfordshire rose from 1,234.50% in 2019 to 12,345.68% in 2020.",
        ),
        (
            [("2019", -0.2), ("2020", 5.0)],
            0,
            "",
            "Oxfordshire rose from 0 in 2019 to 5 in 2020.",
        ),
        ([("2019", 7.25)], 1, "%", "Oxfordshire was 7.2% in 2019."),
    ],
)
def test_describe_trend_wording(
    points: list[tuple[str, float]], decimals: int, suffix: str, expected: str
) -> None:
    series = [ChartSeries("Oxfordshire", points)]
    assert describe_trend(series, decimals=decimals, unit_suffix=suffix) == expected


def test_describe_trend_joins_series_and_skips_empty_ones() -> None:
    series = [
        ChartSeries("Oxfordshire", [("2012-13", 33.8), ("2017-18", 48.6)]),
        ChartSeries("Nowhere", []),
        ChartSeries("Unknown", [("2012-13", float("nan"))]),
        ChartSeries("South East", [("2012-13", 51.0), ("2017-18", 53.2)]),
    ]
    assert describe_trend(series, decimals=1) == (
        "Oxfordshire rose from 33.8 in 2012-13 to 48.6 in 2017-18. "
        "South East rose from 51.0 in 2012-13 to 53.2 in 2017-18."
    )


def test_describe_trend_of_nothing_is_empty() -> None:
    assert describe_trend([]) == ""
    assert describe_trend([ChartSeries("Nowhere", [])]) == ""


# The table


def test_trend_table_has_a_row_per_period_and_a_column_per_series() -> None:
    series = [
        ChartSeries("Oxfordshire", [("2012-13", 33.8), ("2013-14", 1234.56)]),
        ChartSeries("England", [("2013-14", 42.0), ("2014-15", 43.0)]),
    ]
    table = trend_table(series, x_title="Year", decimals=1, unit_suffix="%")
    assert table.columns == ["Year", "Oxfordshire", "England"]
    assert table.rows == [
        ["2012-13", "33.8%", "No data"],
        ["2013-14", "1,234.6%", "42.0%"],
        ["2014-15", "No data", "43.0%"],
    ]


# Bar charts

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
MEETINGS = [
    ChartSeries(
        "Strategy meetings 2018-19",
        [("Outstanding", 1), ("Good", 4), ("Requires improvement", 3), ("Inadequate", 0)],
    ),
    ChartSeries(
        "Strategy meetings 2019-20",
        [("Good", 5), ("Outstanding", 2), ("Requires improvement", 1), ("Inadequate", 0)],
    ),
]


def _bars(**overrides: Any) -> RenderedChart:
    arguments: dict[str, Any] = {
        "title": "Audit grades: strategy meetings",
        "description": "More cases were good in 2019-20.",
        "y_title": "Number of cases",
        "categories": GRADES,
        "series": MEETINGS,
    }
    arguments.update(overrides)
    return bar_chart(**arguments)


@pytest.fixture(scope="module")
def grouped() -> RenderedChart:
    return _bars(x_title="Grade")


@pytest.fixture(scope="module")
def stacked() -> RenderedChart:
    return _bars(stacked=True)


def _svg_texts(svg: str) -> list[str]:
    """Every <text>'s whole text (the lines of a multi-line label run together)."""
    return [
        "".join(element.itertext())
        for element in _parse(svg).iter()
        if _local(element.tag) == "text"
    ]


def _drawn_labels(svg: str) -> list[str]:
    """The text drawn by text marks (value labels), not by axes, legend or title."""
    return [
        "".join(text.itertext())
        for group in _parse(svg).iter()
        if "role-mark" in group.get("class", "") and "mark-text" in group.get("class", "")
        for text in group.iter()
        if _local(text.tag) == "text"
    ]


def test_grouped_bars_stand_side_by_side(grouped: RenderedChart) -> None:
    spec = grouped.spec
    assert _marks(spec) == ["bar", "text", "text"]
    bar = _layer(spec, "bar")["encoding"]
    assert (bar["x"]["field"], bar["x"]["type"]) == ("category", "nominal")
    assert bar["xOffset"]["field"] == "series"
    assert bar["xOffset"]["sort"] == ["Strategy meetings 2018-19", "Strategy meetings 2019-20"]
    assert bar["y"]["field"] == "value"
    assert bar["y"]["type"] == "quantitative"
    assert "y2" not in bar
    assert bar["color"]["field"] == "series"
    assert len(spec["data"]["values"]) == 8
    assert {
        (row["series"], row["category"], row["value"], row["label"])
        for row in spec["data"]["values"]
    } >= {
        ("Strategy meetings 2018-19", "Good", 4.0, "4"),
        ("Strategy meetings 2019-20", "Good", 5.0, "5"),
        ("Strategy meetings 2019-20", "Inadequate", 0.0, "0"),
    }


def test_grouped_bars_have_their_values_above_them(grouped: RenderedChart) -> None:
    above, below = (layer for layer in grouped.spec["layer"] if layer["mark"]["type"] == "text")
    for layer in (above, below):
        assert layer["encoding"]["text"]["field"] == "label"
        assert layer["encoding"]["xOffset"]["field"] == "series"
        assert layer["encoding"]["y"]["field"] == "value"
        assert layer["mark"]["color"] == charts.TEXT_COLOUR
    assert above["mark"]["baseline"] == "bottom"
    assert above["transform"] == [{"filter": {"field": "value", "gte": 0}}]
    assert below["mark"]["baseline"] == "top"
    assert below["transform"] == [{"filter": {"field": "value", "lt": 0}}]
    # Drawn: each value, zero included, so a zero bar still says 0.
    assert sorted(_drawn_labels(grouped.svg)) == ["0", "0", "1", "1", "2", "3", "4", "5"]


def test_stacked_bars_stack_with_segment_and_total_labels(stacked: RenderedChart) -> None:
    spec = stacked.spec
    assert _marks(spec) == ["bar", "text", "text"]
    bar = _layer(spec, "bar")["encoding"]
    assert "xOffset" not in bar
    assert bar["y"]["field"] == "start"
    assert bar["y2"]["field"] == "end"
    rows = {(row["series"], row["category"]): row for row in spec["data"]["values"]}
    # The first series at the bottom, the next on top of it.
    assert (
        rows["Strategy meetings 2018-19", "Good"]["start"],
        rows["Strategy meetings 2018-19", "Good"]["end"],
    ) == (0.0, 4.0)
    assert (
        rows["Strategy meetings 2019-20", "Good"]["start"],
        rows["Strategy meetings 2019-20", "Good"]["end"],
    ) == (4.0, 9.0)
    segments, totals = (layer for layer in spec["layer"] if layer["mark"]["type"] == "text")
    assert {
        (row["category"], row["middle"], row["label"]) for row in segments["data"]["values"]
    } >= {
        ("Good", 2.0, "4"),
        ("Good", 6.5, "5"),
    }
    assert segments["encoding"]["color"] == {"field": "ink", "type": "nominal", "scale": None}
    assert {(row["category"], row["top"], row["label"]) for row in totals["data"]["values"]} == {
        ("Outstanding", 3.0, "Total 3"),
        ("Good", 9.0, "Total 9"),
        ("Requires\nimprovement", 4.0, "Total 4"),  # the axis label (see the order test)
        ("Inadequate", 0.0, "Total 0"),
    }
    assert sorted(_drawn_labels(stacked.svg)) == sorted(
        ["1", "2", "4", "5", "3", "1", "Total 3", "Total 9", "Total 4", "Total 0"]
    )


def test_stacked_segments_too_thin_for_a_label_go_without() -> None:
    series = [
        ChartSeries("Big", [("A", 100.0)]),
        ChartSeries("Small", [("A", 1.0)]),
    ]
    rendered = _bars(categories=["A"], series=series, stacked=True)
    segments = next(layer for layer in rendered.spec["layer"][1:] if "middle" in json.dumps(layer))
    assert [row["label"] for row in segments["data"]["values"]] == ["100"]
    totals = rendered.spec["layer"][2]["data"]["values"]
    assert totals == [{"category": "A", "top": 101.0, "label": "Total 101"}]


def test_stacked_negative_values_stack_downwards() -> None:
    series = [ChartSeries("A", [("X", -2.0)]), ChartSeries("B", [("X", -3.0)])]
    rows = _bars(categories=["X"], series=series, stacked=True).spec["data"]["values"]
    assert [(row["start"], row["end"]) for row in rows] == [(0.0, -2.0), (-2.0, -5.0)]


@pytest.mark.parametrize("fixture", ["grouped", "stacked"])
def test_bar_categories_keep_the_order_given(fixture: str, request: pytest.FixtureRequest) -> None:
    rendered: RenderedChart = request.getfixturevalue(fixture)
    x = _layer(rendered.spec, "bar")["encoding"]["x"]
    # Not alphabetical ("Good" < "Inadequate" < "Outstanding" < ...), and not as the
    # second series lists them either.
    expected = ["Outstanding", "Good", "Requires\nimprovement", "Inadequate"]
    assert x["sort"] == expected
    assert x["scale"]["domain"] == expected
    # Drawn in that order; the long one as two lines (<tspan>s of one <text>).
    lines = [
        [tspan.text for tspan in text if _local(tspan.tag) == "tspan"] or [text.text]
        for text in _parse(rendered.svg).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert [line for line in lines if " ".join(map(str, line)) in GRADES] == [
        ["Outstanding"],
        ["Good"],
        ["Requires", "improvement"],
        ["Inadequate"],
    ]


def test_categories_without_values_keep_their_place_and_extra_ones_follow() -> None:
    series = [ChartSeries("A", [("Extra", 2.0), ("Good", 1.0)])]
    rendered = _bars(series=series)
    x = _layer(rendered.spec, "bar")["encoding"]["x"]
    assert x["scale"]["domain"] == [
        "Outstanding",
        "Good",
        "Requires\nimprovement",
        "Inadequate",
        "Extra",
    ]
    assert "Inadequate" in _svg_texts(rendered.svg)  # drawn, though it has no bar


def test_long_category_labels_wrap_only_at_spaces() -> None:
    categories = ["abcdefghijklmnopqrst", "abcdefghij klmnopqrst", "self-assessment and review"]
    labels = charts._axis_label_lines(categories * 4)
    assert labels["abcdefghijklmnopqrst"] == "abcdefghijklmnopqrst"
    assert labels["abcdefghij klmnopqrst"] == "abcdefghij\nklmnopqrst"
    # Eight characters a line for twelve categories, yet never "self-" / "assessment".
    assert labels["self-assessment and review"] == "self-assessment\nand\nreview"
    assert len(set(labels.values())) == len(categories)
    rendered = _bars(categories=categories, series=[ChartSeries("A", [])])
    assert _layer(rendered.spec, "bar")["encoding"]["x"]["axis"]["labelExpr"] == (
        "split(datum.label, '\\n')"
    )


def test_bar_spec_is_valid_vega_lite_with_title_size_font_and_background(
    grouped: RenderedChart, stacked: RenderedChart
) -> None:
    for rendered in (grouped, stacked):
        alt.LayerChart.from_dict(rendered.spec)
        json.dumps(rendered.spec, allow_nan=False)
        spec = rendered.spec
        assert spec["title"]["text"] == "Audit grades: strategy meetings"
        assert spec["description"] == "More cases were good in 2019-20."
        assert (spec["width"], spec["height"]) == (560, 280)
        assert spec["config"]["background"] == "white"
        assert spec["config"]["axis"]["labelFont"] == charts.FONT
        assert f'font-family="{charts.FONT}"' in rendered.svg
        root = _parse(rendered.svg)
        assert root[0].text == "Audit grades: strategy meetings"
        assert root[1].text == "More cases were good in 2019-20."


def test_bar_axis_titles(grouped: RenderedChart) -> None:
    encoding = _layer(grouped.spec, "bar")["encoding"]
    assert encoding["x"]["title"] == "Grade"
    assert encoding["y"]["title"] == "Number of cases"
    assert _layer(_bars().spec, "bar")["encoding"]["x"]["title"] is None


def test_bar_colours_default_to_the_palette(grouped: RenderedChart) -> None:
    colour = _layer(grouped.spec, "bar")["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Strategy meetings 2018-19", "Strategy meetings 2019-20"]
    assert colour["scale"]["range"] == ["#1d70b8", "#d4351c"]


def test_bar_colours_can_be_chosen_per_series() -> None:
    series = [ChartSeries(name, [("Good", 1.0)]) for name in ("A", "B", "C")]
    rendered = _bars(series=series, colours={"B": "#1D70B8", "Not shown": "#00703c"})
    colour = _layer(rendered.spec, "bar")["encoding"]["color"]
    # B keeps its colour; the others take the palette's next colours, never B's.
    assert colour["scale"]["range"] == ["#d4351c", "#1d70b8", "#00703c"]


@pytest.mark.parametrize(
    ("colour", "message"),
    [
        ("#f47738", "3:1 contrast"),  # GOV.UK orange: 2.8:1
        ("#ffdd00", "3:1 contrast"),  # GOV.UK yellow
        ("red", "must look like"),
        ("#12345", "must look like"),
        ("#1d70b8; fill:url(x)", "must look like"),
    ],
)
def test_bar_colours_must_be_hex_with_enough_contrast(colour: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _bars(colours={"Strategy meetings 2018-19": colour})


@pytest.mark.parametrize("colour", [*charts.PALETTE, "#6f72af", "#28a197", "#767676", "#949494"])
def test_labels_on_bars_have_4_5_to_1_contrast(colour: str) -> None:
    ink = charts._ink(colour)
    ink_luminance = {"white": 1.0, "black": 0.0}[ink]
    bar_luminance = charts._relative_luminance(colour)
    lighter, darker = max(ink_luminance, bar_luminance), min(ink_luminance, bar_luminance)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5


@pytest.mark.parametrize(
    ("low", "high"),
    [(0, 1), (0, 4), (0, 5), (0, 9), (0, 10), (0, 99), (0, 0.3), (-3.5, 12.25), (-7, 0), (0, 1e6)],
)
def test_bar_domain_is_round_and_leaves_room_for_labels(low: float, high: float) -> None:
    bottom, top = charts._bar_domain(low, high)
    assert bottom <= low
    assert top >= high
    pixels = charts.HEIGHT / (top - bottom)
    if high > 0:
        assert (top - high) * pixels >= charts.BAR_LABEL_ROOM
    if low < 0:
        assert (low - bottom) * pixels >= charts.BAR_LABEL_ROOM
    for end in (top, bottom):
        if end:
            mantissa = abs(end) / 10 ** math.floor(math.log10(abs(end)))
            assert round(mantissa, 6) in {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8}


def test_bar_domain_of_nothing() -> None:
    assert charts._bar_domain(0.0, 0.0) == (0.0, 1.0)


def test_bar_y_axis_uses_decimals() -> None:
    rendered = _bars(decimals=1, series=[ChartSeries("A", [("Good", 1.25)])])
    axis = _layer(rendered.spec, "bar")["encoding"]["y"]["axis"]
    assert axis["format"] == ",.1f"
    assert axis["tickMinStep"] == pytest.approx(0.1)
    assert rendered.spec["data"]["values"][0]["label"] == "1.2"
    # Counts: no ticks at fractions, which would show as repeated whole numbers.
    assert _layer(_bars().spec, "bar")["encoding"]["y"]["axis"]["tickMinStep"] == 1


@pytest.mark.parametrize("is_stacked", [False, True])
def test_bar_user_text_is_escaped_and_nothing_can_run(is_stacked: bool) -> None:
    rendered = bar_chart(
        title=NASTY,
        description=NASTY,
        y_title=NASTY,
        x_title=NASTY,
        categories=[NASTY, "datum.label", "Good"],
        series=[
            ChartSeries(NASTY, [(NASTY, 1.0), ("Good", 2.0)]),
            ChartSeries("Plain & simple", [("datum.label", 3.0), ("Good", 4.0)]),
        ],
        stacked=is_stacked,
        colours={NASTY: "#4c2c92"},
    )
    svg = rendered.svg
    assert "<script" not in svg.lower()
    assert "<img" not in svg.lower()
    assert "&lt;script&gt;" in svg
    root = _parse(svg)
    for element in root.iter():
        assert _local(element.tag).lower() not in {"script", "foreignobject", "img", "a", "image"}
        for attribute in element.attrib:
            assert not _local(attribute).lower().startswith("on")
            assert _local(attribute).lower() != "href"
    texts = ["".join(element.itertext()) for element in root.iter()]
    assert NASTY in texts  # <title>, <desc>, drawn title, axis titles, legend
    assert "Plain & simple" in texts
    assert "datum.label" in texts  # a category, drawn as typed, not evaluated

    # User text is only ever data: every field is one of ours, and the one expression is ours.
    assert {row["series"] for row in rendered.spec["data"]["values"]} == {NASTY, "Plain & simple"}
    for layer in rendered.spec["layer"]:
        for name, channel in layer["encoding"].items():
            assert channel.get("field") in {
                "series",
                "category",
                "value",
                "start",
                "end",
                "middle",
                "top",
                "label",
                "ink",
            }, name
    assert NASTY not in json.dumps(
        [layer["encoding"]["x"]["axis"] for layer in rendered.spec["layer"] if "axis" in layer]
    )
    assert _layer(rendered.spec, "bar")["encoding"]["x"]["axis"]["labelExpr"] == (
        "split(datum.label, '\\n')"
    )


def test_bar_text_xml_cannot_hold_is_dropped() -> None:
    rendered = _bars(
        title="Bad\x00 title\ud800",
        categories=["Good\x07"],
        series=[ChartSeries("Area\x1b", [("Good\x01", 1.0)])],
    )
    assert rendered.title == "Bad title"
    row = rendered.spec["data"]["values"][0]
    assert (row["series"], row["category"]) == ("Area", "Good")
    _parse(rendered.svg)


def test_bar_series_names_must_differ() -> None:
    with pytest.raises(ValueError, match="must differ"):
        _bars(series=[ChartSeries("A", [("Good", 1.0)]), ChartSeries("A ", [("Good", 2.0)])])


def test_a_category_twice_in_one_series_is_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        _bars(series=[ChartSeries("A", [("Good", 1.0), ("Good", 2.0)])])


def test_bar_missing_values_are_left_out() -> None:
    series = [ChartSeries("A", [("Good", float("nan")), ("Inadequate", 2.0)])]
    rendered = _bars(series=series)
    assert [row["category"] for row in rendered.spec["data"]["values"]] == ["Inadequate"]
    json.dumps(rendered.spec, allow_nan=False)


@pytest.mark.parametrize("is_stacked", [False, True])
@pytest.mark.parametrize("series", [[], [ChartSeries("A", [])]])
def test_a_bar_chart_without_data_still_renders(
    series: list[ChartSeries], is_stacked: bool
) -> None:
    rendered = _bars(categories=[], series=series, stacked=is_stacked)
    alt.LayerChart.from_dict(rendered.spec)
    _parse(rendered.svg)


def test_bar_png_renders(grouped: RenderedChart) -> None:
    assert grouped.png(scale=1.0).startswith(b"\x89PNG\r\n\x1a\n")


def test_describe_bars_wording() -> None:
    assert describe_bars(GRADES, MEETINGS) == (
        "Strategy meetings 2018-19: Outstanding 1, Good 4, Requires improvement 3, "
        "Inadequate 0. "
        "Strategy meetings 2019-20: Outstanding 2, Good 5, Requires improvement 1, "
        "Inadequate 0."
    )


def test_describe_bars_says_when_there_is_no_data() -> None:
    series = [
        ChartSeries("Re-audit", [("Good", 2.0), ("Outstanding", float("nan"))]),
        ChartSeries("Not yet audited", []),
    ]
    assert describe_bars(["Outstanding", "Good"], series) == (
        "Re-audit: Outstanding (no data), Good 2. Not yet audited: no data."
    )
    assert describe_bars(["Outstanding"], []) == ""


def test_describe_bars_decimals_suffix_extra_categories_and_clean_text() -> None:
    series = [ChartSeries("Area\x00 one", [("Met\n", 12.345), ("Other", -0.01)])]
    assert describe_bars(["Met", "Not met"], series, decimals=1, unit_suffix="%") == (
        "Area one: Met 12.3%, Not met (no data), Other 0.0%."
    )


def test_bar_table_has_a_row_per_category_and_a_column_per_series() -> None:
    table = bar_table(GRADES, [MEETINGS[0], ChartSeries("New", [("Good", 1.5)])], x_title="Grade")
    assert table.columns == ["Grade", "Strategy meetings 2018-19", "New"]
    assert table.rows == [
        ["Outstanding", "1", "No data"],
        ["Good", "4", "2"],
        ["Requires improvement", "3", "No data"],
        ["Inadequate", "0", "No data"],
    ]
