"""The system-wide view: every source's evidence on one theme, side by side, and where the
sources disagree.

This app is on the top floor. It reads the other parts only through the evidence registry in
core (`paqa.core.evidence`): each part registers a reader of its evidence of a year by theme,
and one `YearPass` reads every source once, for every theme, as the viewer may see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from paqa.core.access import Capability, require
from paqa.core.evidence import EvidenceItem, ThemeReading, YearPass, YearSource
from paqa.core.periods import PeriodError
from paqa.core.taxonomy import THEMES, theme_label

MET_SHARE_FOR_DISAGREEMENT = 0.5


@dataclass
class Evidence:
    source: str  # e.g. "The data", "Audits"
    items: list[EvidenceItem] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.items)


@dataclass
class ThemeView:
    theme: str
    label: str
    year: str
    sources: list[Evidence]
    disagreements: list[str]

    @property
    def sources_with_evidence(self) -> list[Evidence]:
        return [source for source in self.sources if source.items]

    @property
    def weight(self) -> int:
        return sum(source.weight for source in self.sources)


def _disagreements(readings: list[tuple[YearSource, ThemeReading]]) -> list[str]:
    """Where agencies' own ratings say a standard is met while other sources raise concerns on
    the same theme, and where peer challenge lowered agencies' ratings."""
    against = [
        source.concerns(reading.concerns)
        for source, reading in readings
        if reading.concerns and source.concerns is not None
    ]
    sentences = []
    for _source, reading in readings:
        for picture in reading.ratings:
            share = picture.met / picture.rated if picture.rated else 0
            if share >= MET_SHARE_FOR_DISAGREEMENT and against:
                sentences.append(
                    f"Agencies rated ‘{picture.standard}’ as met ({picture.met} of "
                    f"{picture.rated}), but " + " and ".join(against) + "."
                )
            if picture.moderated_down:
                whose = "agency's" if picture.moderated_down == 1 else "agencies'"
                sentences.append(
                    f"Peer challenge lowered {picture.moderated_down} {whose} own rating of "
                    f"‘{picture.standard}’."
                )
    return sentences


def _view(year_pass: YearPass, theme: str) -> ThemeView:
    readings = year_pass.for_theme(theme)
    return ThemeView(
        theme=theme,
        label=theme_label(theme),
        year=year_pass.year,
        sources=[Evidence(source.label, list(reading.items)) for source, reading in readings],
        disagreements=_disagreements(readings),
    )


def year_pass_for(*, user: Any, year: str, year_pass: YearPass | None = None) -> YearPass:
    """The pass to read from: the caller's (a report reuses its own), or a new one."""
    if year_pass is not None and year_pass.user is user and year_pass.year == year:
        return year_pass
    try:
        return YearPass(user=user, year=year)
    except PeriodError as error:
        raise Http404("No such reporting year.") from error


def theme_view(*, user: Any, theme: str, year: str, year_pass: YearPass | None = None) -> ThemeView:
    require(user, Capability.VIEW_THEMES)
    return _view(year_pass_for(user=user, year=year, year_pass=year_pass), theme)


def year_overview(*, user: Any, year: str, year_pass: YearPass | None = None) -> list[ThemeView]:
    """Every theme ranked by the weight of evidence: how many sources speak to it, then how much."""
    require(user, Capability.VIEW_THEMES)
    shared = year_pass_for(user=user, year=year, year_pass=year_pass)
    views = [_view(shared, theme) for theme in THEMES]
    views = [view for view in views if view.weight]
    views.sort(key=lambda view: (-len(view.sources_with_evidence), -view.weight, view.label))
    return views
