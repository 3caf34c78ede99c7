"""The data set's evidence for other parts, registered in core at start-up: each indicator
tagged with a theme, with its figure at the end of the year, and indicators as linkable
evidence."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from paqa.core.access import Capability, access_for
from paqa.core.evidence import (
    ChoiceGroup,
    EvidenceItem,
    KeyKind,
    Readings,
    ResolvedEvidence,
    YearPass,
    YearSource,
    by_theme,
    register_key_kind,
    register_year_source,
)
from paqa.core.taxonomy import canonical_themes
from paqa.indicators.selectors import indicator_get, indicator_queryset, year_end_summaries


def year_readings(year_pass: YearPass) -> Readings:
    readings: Readings = {}
    _benchmarks, summaries = year_end_summaries(year_pass=year_pass)
    for summary in summaries:
        if summary.latest is None or not summary.indicator.themes:
            continue
        item = EvidenceItem(
            text=f"{summary.indicator.name}: {summary.latest_text} "
            f"({summary.latest.period.label}); {summary.change_text}",
            direction=summary.direction.value if summary.direction else "",
            url=reverse("indicators:indicator", args=[summary.indicator.code]),
        )
        for reading in by_theme(readings, canonical_themes(summary.indicator.themes)):
            reading.items.append(item)
    return readings


def _indicator(user: Any, ident: str) -> ResolvedEvidence:
    detail = indicator_get(user=user, code=ident)
    indicator, summary = detail.indicator, detail.summary
    figure = ""
    if summary.latest is not None:
        figure = f"Latest: {summary.latest_text} ({summary.latest.period.label})"
        if summary.rag is not None:
            figure += f", {summary.rag.value} against target"
    return ResolvedEvidence(
        key="",
        label=indicator.name,
        url=reverse("indicators:indicator", args=[indicator.code]),
        kind="Indicator",
        detail=figure,
        themes=tuple(indicator.themes or ()),
    )


def _indicator_choices(user: Any) -> list[ChoiceGroup]:
    if not access_for(user).can(Capability.VIEW_DATA):
        return []
    return [
        (
            "Indicators",
            [
                (f"indicators.indicator:{indicator.code}", indicator.name)
                for indicator in indicator_queryset().order_by("name")
            ],
        )
    ]


def register() -> None:
    register_year_source(
        YearSource(
            key="data",
            label="The data",
            order=10,
            capability=Capability.VIEW_DATA,
            read=year_readings,
        )
    )
    register_key_kind(
        KeyKind(
            prefix="indicators.indicator",
            resolve=_indicator,
            choices=_indicator_choices,
            order=10,
        )
    )
