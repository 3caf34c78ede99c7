"""Drawing the report's charts from their stored data: the same data draws the same chart, so a
published version's charts never change."""

from __future__ import annotations

from paqa.core.charts import ChartSeries, RenderedChart, trend_chart
from paqa.reports.content import Chart


def draw(chart: Chart) -> RenderedChart:
    return trend_chart(
        title=chart.title,
        description=chart.description,
        y_title=chart.y_title,
        series=[ChartSeries(line.name, list(line.points)) for line in chart.lines],
        target=chart.target,
        decimals=chart.decimals,
    )
