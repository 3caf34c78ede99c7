"""Series of values by indicator and area, with derived series (rates, population) worked out.

Everything needed for a page is fetched in a fixed number of queries, however many
observations there are: observations for all the indicators and areas at once, then the
populations once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from paqa.core.models import Area
from paqa.core.periods import Period, PeriodKind, parse_period
from paqa.indicators.metrics import Point, rate_per_10000
from paqa.indicators.models import Indicator, Observation, Population

SeriesKey = tuple[int, int]  # (indicator id, area id)


def _period(code: str, kind: str, start: date, end: date) -> Period:
    return Period(end=end, start=start, kind=PeriodKind(kind), code=code)


class PopulationTable:
    """Mid-year population estimates, to work out rates per 10,000."""

    def __init__(self, rows: Iterable[tuple[int, int, str, int]]) -> None:
        self._by_area: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        for area_id, year, band, value in rows:
            self._by_area[(area_id, band)].append((year, value))
        for years in self._by_area.values():
            years.sort()

    def at(self, area_id: int, band: str, period: Period) -> tuple[int, int] | None:
        """The latest estimate (year, value) whose mid-year date falls on or before the period's
        end: a rate at 31 March 2019 uses the mid-2018 estimate."""
        best = None
        for year, value in self._by_area.get((area_id, band), []):
            if date(year, 6, 30) <= period.end:
                best = (year, value)
        return best

    def series(self, area_id: int, band: str) -> list[Point]:
        return [
            Point(parse_period(str(year)), Decimal(value))
            for year, value in self._by_area.get((area_id, band), [])
        ]


def load_series(
    indicators: Iterable[Indicator], areas: Iterable[Area]
) -> dict[SeriesKey, list[Point]]:
    """Every indicator's series in every area, oldest first."""
    indicators = list(indicators)
    area_ids = [area.pk for area in areas]
    reported_ids = {
        indicator.count_indicator_id if indicator.derivation == "rate" else indicator.pk
        for indicator in indicators
        if indicator.derivation != "population"
    }
    reported_ids.discard(None)
    raw: dict[SeriesKey, list[Point]] = defaultdict(list)
    rows = (
        Observation.objects.filter(indicator_id__in=reported_ids, area_id__in=area_ids)
        .order_by("period_end")
        .values_list(
            "indicator_id",
            "area_id",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "value",
            "status",
            "note",
        )
    )
    for indicator_id, area_id, code, kind, start, end, value, status, note in rows:
        raw[(indicator_id, area_id)].append(
            Point(_period(code, kind, start, end), value, status, note)
        )
    needs_population = any(indicator.is_derived for indicator in indicators)
    populations = PopulationTable(
        Population.objects.filter(area_id__in=area_ids).values_list(
            "area_id", "year", "age_band", "value"
        )
        if needs_population
        else []
    )
    result: dict[SeriesKey, list[Point]] = {}
    for indicator in indicators:
        for area_id in area_ids:
            key = (indicator.pk, area_id)
            if indicator.derivation == "population":
                result[key] = populations.series(area_id, indicator.population_age_band)
            elif indicator.derivation == "rate":
                result[key] = _rates(
                    raw.get((indicator.count_indicator_id or 0, area_id), []),
                    populations,
                    area_id,
                    indicator.population_age_band,
                )
            else:
                result[key] = raw.get(key, [])
    return result


def _rates(
    counts: list[Point], populations: PopulationTable, area_id: int, band: str
) -> list[Point]:
    rates = []
    for point in counts:
        estimate = populations.at(area_id, band, point.period)
        if estimate is None:
            continue  # no population yet for that period: no rate rather than a wrong one
        year, population = estimate
        rates.append(
            Point(
                point.period,
                rate_per_10000(point.value, population),
                point.status,
                f"{point.value:,.0f} children ÷ {population:,} aged {band} (mid-{year}) × 10,000",
            )
        )
    return rates
