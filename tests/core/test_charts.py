"""Charts: the spec, the SVG it renders to, and the words and table that go with it.

The SVG reaches dashboards, PDFs and Word documents with user-typed text in it, so the
escaping tests parse it as XML and look for anything that could run.
"""

import base64
import json
import struct
import xml.etree.ElementTree as ET
from typing import Any

import altair as alt
import pytest

from paqa.core import charts
from paqa.core.charts import (
    ChartSeries,
    RenderedChart,
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
