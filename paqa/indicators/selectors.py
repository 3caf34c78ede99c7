"""Reads for the local safeguarding data set, always for an acting user."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db.models import QuerySet

from paqa.core.access import Capability, require
from paqa.core.evidence import YearPass
from paqa.core.models import Area
from paqa.indicators.metrics import (
    Direction,
    Point,
    Rag,
    Wording,
    change_sentence,
    compare,
    direction,
    format_value,
    percent_change,
    rag,
    target_sentence,
    ten_year_growth_sentence,
    ten_year_sentence,
)
from paqa.indicators.models import Indicator, Observation, ObservationImport
from paqa.indicators.series import load_series
from paqa.indicators.sparkline import sparkline_data_uri
from paqa.partnership.selectors import partnership_current

TREND_POINTS = 10


@dataclass(frozen=True)
class Benchmarks:
    """The partnership's own area and the areas it compares itself with."""

    home: Area | None
    region: Area | None
    country: Area | None
    neighbours: Area | None
    shown_comparators: list[Area] | None = None

    @property
    def areas(self) -> list[Area]:
        return [area for area in (self.home, self.region, self.country, self.neighbours) if area]

    @property
    def comparators(self) -> list[Area]:
        return [area for area in (self.region, self.country, self.neighbours) if area]


def benchmark_areas() -> Benchmarks:
    partnership = partnership_current()
    home = partnership.home_area if partnership else None
    region = home.parent if home else None
    country = region.parent if region else None
    neighbours = (
        Area.objects.filter(kind=Area.Kind.STATISTICAL_NEIGHBOURS, parent=home).first()
        if home
        else None
    )
    return Benchmarks(home=home, region=region, country=country, neighbours=neighbours)


def wording_for(*, indicator: Indicator) -> Wording:
    return Wording(
        subject=indicator.subject,
        unit=indicator.unit,
        decimals=indicator.decimals,
        polarity=indicator.polarity,
        target=indicator.target,
    )


def _at(points: list[Point], period_code: str) -> Point | None:
    return next((point for point in points if point.period.code == period_code), None)


@dataclass
class IndicatorSummary:
    indicator: Indicator
    series: list[Point]
    latest: Point | None = None
    previous: Point | None = None
    ten_years_ago: Point | None = None
    change_percent: Decimal | None = None
    direction: Direction | None = None
    rag: Rag | None = None
    comparisons: dict[str, tuple[Point | None, Direction | None]] = field(default_factory=dict)

    def text(self, point: Point | None) -> str:
        if point is None:
            return "No data"
        return format_value(point.value, self.indicator.unit, self.indicator.decimals)

    @property
    def latest_text(self) -> str:
        return self.text(self.latest)

    @property
    def comparison_cells(self) -> list[tuple[str, str]]:
        """(figure, where we stand) for each comparator, e.g. ('64.0', 'We are lower')."""
        words = {
            Direction.BETTER: "We are better",
            Direction.WORSE: "We are worse",
            Direction.UP: "We are higher",
            Direction.DOWN: "We are lower",
            Direction.SAME: "The same",
        }
        return [
            (self.text(point), words[where] if where else "") if point else ("No figure", "")
            for point, where in self.comparisons.values()
        ]

    @property
    def target_text(self) -> str:
        target = self.indicator.target
        if target is None:
            return ""
        return format_value(target, self.indicator.unit, self.indicator.decimals)

    @property
    def sparkline(self) -> str:
        return sparkline_data_uri([point.value for point in self.trend])

    @property
    def change_text(self) -> str:
        if self.latest is None or self.previous is None:
            return "No earlier figure"
        if self.indicator.unit == Indicator.Unit.PERCENT:
            points = self.latest.value - self.previous.value
            return f"{points:+.{self.indicator.decimals}f} points on {self.previous.period.label}"
        if self.change_percent is None:
            return f"From {self.text(self.previous)} in {self.previous.period.label}"
        return f"{self.change_percent:+.0f}% on {self.previous.period.label}"

    @property
    def trend(self) -> list[Point]:
        return self.series[-TREND_POINTS:]

    @property
    def sentences(self) -> list[str]:
        """Sentences drafted from the data (never typed), ready for the annual report."""
        wording = wording_for(indicator=self.indicator)
        drafted: list[str] = []
        if self.latest is None:
            return drafted
        if self.indicator.derivation == Indicator.Derivation.POPULATION:
            if self.ten_years_ago is not None:
                drafted.append(ten_year_growth_sentence(wording, self.latest, self.ten_years_ago))
            return drafted
        if self.previous is not None:
            drafted.append(change_sentence(wording, self.latest, self.previous))
        if self.ten_years_ago is not None:
            drafted.append(
                ten_year_sentence(wording, self.latest, self.previous, self.ten_years_ago)
            )
        if (target := target_sentence(wording, self.latest)) is not None:
            drafted.append(target)
        return drafted


def summarise(
    *, indicator: Indicator, series: list[Point], comparator_series: dict[str, list[Point]]
) -> IndicatorSummary:
    summary = IndicatorSummary(indicator=indicator, series=series)
    if not series:
        summary.comparisons = {name: (None, None) for name in comparator_series}
        return summary
    latest = series[-1]
    summary.latest = latest
    summary.previous = _at(series, latest.period.previous(indicator.frequency).code)
    summary.ten_years_ago = _at(series, latest.period.shifted(-10).code)
    if summary.previous is not None:
        summary.change_percent = percent_change(summary.previous.value, latest.value)
        summary.direction = direction(summary.previous.value, latest.value, indicator.polarity)
    summary.rag = rag(latest.value, indicator.target, indicator.amber_threshold, indicator.polarity)
    for name, points in comparator_series.items():
        benchmark = _at(points, latest.period.code)
        summary.comparisons[name] = (
            benchmark,
            compare(latest.value, benchmark.value, indicator.polarity) if benchmark else None,
        )
    return summary


def indicator_queryset(*, priority: str = "", source_id: int | None = None) -> QuerySet[Indicator]:
    indicators = Indicator.objects.filter(archived_at__isnull=True).select_related(
        "source_organisation", "count_indicator"
    )
    if priority:
        indicators = indicators.filter(priority=priority)
    if source_id:
        indicators = indicators.filter(source_organisation_id=source_id)
    return indicators


def indicator_summaries(
    *,
    user: Any,
    priority: str = "",
    source_id: int | None = None,
    rag_filter: str = "",
    as_at: date | None = None,
) -> tuple[Benchmarks, list[IndicatorSummary]]:
    """Every indicator's headline figures for the partnership's area, in a fixed few queries.

    With `as_at`, only periods ending on or before that day count, so a year's report reads
    the figures as they stood at the end of that year, not the latest ones.
    """
    require(user, Capability.VIEW_DATA)
    benchmarks = benchmark_areas()
    indicators = list(indicator_queryset(priority=priority, source_id=source_id))
    if benchmarks.home is None:
        return benchmarks, [IndicatorSummary(indicator=i, series=[]) for i in indicators]
    series = load_series(indicators, benchmarks.areas)
    if as_at is not None:
        for key, points in series.items():
            series[key] = [point for point in points if point.period.end <= as_at]
    summaries = []
    for indicator in indicators:
        summary = summarise(
            indicator=indicator,
            series=series[(indicator.pk, benchmarks.home.pk)],
            comparator_series={
                area.name: series[(indicator.pk, area.pk)] for area in benchmarks.comparators
            },
        )
        if rag_filter and (summary.rag.value if summary.rag else "none") != rag_filter:
            continue
        summaries.append(summary)
    # Comparators with no figure for any indicator shown would only add empty columns.
    shown = [
        area
        for area in benchmarks.comparators
        if any(summary.comparisons.get(area.name, (None, None))[0] for summary in summaries)
    ]
    for summary in summaries:
        summary.comparisons = {area.name: summary.comparisons[area.name] for area in shown}
    return replace(benchmarks, shown_comparators=shown), summaries


def group_by_priority(
    *,
    summaries: list[IndicatorSummary],
) -> list[tuple[str, list[IndicatorSummary]]]:
    groups: dict[str, list[IndicatorSummary]] = {}
    for summary in summaries:
        groups.setdefault(summary.indicator.priority, []).append(summary)
    return list(groups.items())


@dataclass
class IndicatorDetail:
    indicator: Indicator
    benchmarks: Benchmarks
    summary: IndicatorSummary
    series_by_area: list[tuple[Area, list[Point]]]

    @property
    def table(self) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """The data table behind the chart: one row per period, one column per area."""
        periods: dict[str, Point] = {}
        for _, points in self.series_by_area:
            for point in points:
                periods.setdefault(point.period.code, point)
        ordered = sorted(periods.values(), key=lambda point: point.period)
        header = [area.name for area, _ in self.series_by_area]
        rows = []
        for point in ordered:
            cells = []
            for _, points in self.series_by_area:
                found = _at(points, point.period.code)
                cells.append(self.summary.text(found) if found else "")
            rows.append((point.period.label, cells))
        return header, rows


def indicator_get(*, user: Any, code: str) -> IndicatorDetail:
    require(user, Capability.VIEW_DATA)
    from django.shortcuts import get_object_or_404

    # Indicators are partnership-wide: everyone who may view data may see every one.
    indicator = get_object_or_404(
        Indicator.objects.select_related("source_organisation", "count_indicator"),
        code=code,
        archived_at__isnull=True,
    )
    benchmarks = benchmark_areas()
    series = load_series([indicator], benchmarks.areas)
    by_area = [(area, series[(indicator.pk, area.pk)]) for area in benchmarks.areas]
    home_points = by_area[0][1] if benchmarks.home else []
    # A comparator with no figures for this indicator would only add an empty column.
    by_area = [
        (area, points) for index, (area, points) in enumerate(by_area) if index == 0 or points
    ]
    summary = summarise(
        indicator=indicator,
        series=home_points,
        comparator_series={area.name: points for area, points in by_area[1:]},
    )
    return IndicatorDetail(
        indicator=indicator, benchmarks=benchmarks, summary=summary, series_by_area=by_area
    )


@dataclass(frozen=True)
class ExceptionEntry:
    summary: IndicatorSummary
    reason: str


RUN_LENGTH = 3


def exceptions(*, user: Any) -> list[ExceptionEntry]:
    """Indicators red against target, or worse than the period before, three periods running."""
    _, summaries = indicator_summaries(user=user)
    found = []
    for summary in summaries:
        indicator, series = summary.indicator, summary.series
        recent = series[-RUN_LENGTH:]
        if len(recent) == RUN_LENGTH and all(
            rag(p.value, indicator.target, indicator.amber_threshold, indicator.polarity) is Rag.RED
            for p in recent
        ):
            found.append(
                ExceptionEntry(summary, f"Red against target for the last {RUN_LENGTH} periods")
            )
            continue
        steps = series[-(RUN_LENGTH + 1) :]
        if len(steps) == RUN_LENGTH + 1 and all(
            direction(before.value, after.value, indicator.polarity) is Direction.WORSE
            for before, after in pairwise(steps)
        ):
            found.append(
                ExceptionEntry(
                    summary, f"Worse than the period before, {RUN_LENGTH} periods running"
                )
            )
    return found


def import_list(*, user: Any) -> QuerySet[ObservationImport]:
    require(user, Capability.MANAGE_DATA)
    return ObservationImport.objects.select_related("uploaded_by")[:20]


def import_get(*, user: Any, pk: int) -> ObservationImport:
    require(user, Capability.MANAGE_DATA)
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ObservationImport.objects.select_related("uploaded_by"), pk=pk)


def year_end_summaries(*, year_pass: YearPass) -> tuple[Benchmarks, list[IndicatorSummary]]:
    """Every indicator's headline figures as they stood at the end of the pass's year, worked
    out once per pass however many sections or themes read them."""
    return year_pass.once(
        ("indicators", "year-end-summaries"),
        lambda: indicator_summaries(user=year_pass.user, as_at=year_pass.as_at),
    )


def observation_statuses(*, area_id: int, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The status (provisional or final) of each (indicator code, period) the area has a
    figure for, among `keys`: for parts that supply figures to the data set."""
    found = Observation.objects.filter(
        area_id=area_id,
        indicator__code__in={code for code, _ in keys},
        period__in={period for _, period in keys},
    ).values_list("indicator__code", "period", "status")
    return {(code, period): status for code, period, status in found if (code, period) in keys}
