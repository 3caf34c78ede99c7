"""What crosses parts: each part's evidence of a year by theme, and evidence keys.

Parts never import each other's models. Instead each part registers here, at start-up (from
its AppConfig.ready), what the top floor needs of it:

- a **year source**: reads the part's evidence of one reporting year for every theme at once
  (a fixed number of queries, however many themes or records), as one viewer may see it;
- **key kinds**: turn an evidence key such as ``audits.finding:12`` into what one viewer may
  see of that record (a label and a link, or nothing), and offer the records a viewer may link.

The top floor (``themes``, ``reports``, the escalation register) reads other parts only through
here or their selectors. A ``YearPass`` is one viewer's pass over one year: every source is read
once per pass, and anything expensive that several readers need (the year's indicator figures,
a survey's results) is worked out once and shared through ``YearPass.once``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404

from paqa.core.access import Capability, access_for
from paqa.core.periods import parse_period

T = TypeVar("T")

# Year sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence on a theme, as the theme page and the report show it."""

    text: str
    url: str = ""
    tag: str = ""
    direction: str = ""


@dataclass(frozen=True)
class RatingPicture:
    """Agencies' own view of a standard: how many rated it met, and how many of those ratings
    peer challenge lowered. Set against the concerns other sources raise on the same theme."""

    standard: str
    met: int
    rated: int
    moderated_down: int


@dataclass
class ThemeReading:
    """What one source says on one theme: the evidence, how many concerns it raises (areas for
    development, critical comments), and agencies' self-ratings where the source has them."""

    items: list[EvidenceItem] = field(default_factory=list)
    concerns: int = 0
    ratings: list[RatingPicture] = field(default_factory=list)


Readings = dict[str, ThemeReading]


@dataclass(frozen=True)
class YearSource:
    """A part's evidence of a year, by theme.

    `read` returns a reading per theme (themes with no evidence may be left out). It runs at
    most once per pass and only for viewers with `capability`. `concerns` words a count of the
    source's concerns for the sentence that says where sources disagree ("audits found 3 areas
    for development"). `years` lists the reporting years the source holds evidence for.
    """

    key: str
    label: str
    order: int
    capability: Capability
    read: Callable[[YearPass], Readings]
    concerns: Callable[[int], str] | None = None
    years: Callable[[], Iterable[str]] | None = None


_YEAR_SOURCES: dict[str, YearSource] = {}


def register_year_source(source: YearSource) -> None:
    _YEAR_SOURCES[source.key] = source


def year_sources() -> list[YearSource]:
    return sorted(_YEAR_SOURCES.values(), key=lambda source: (source.order, source.key))


def evidence_years() -> list[str]:
    """Every reporting year some source holds evidence for, latest first."""
    years: set[str] = set()
    for source in year_sources():
        if source.years is not None:
            years.update(year for year in source.years() if year)
    return sorted(years, reverse=True)


class YearPass:
    """One viewer's pass over one reporting year.

    Figures are as they stood at the end of the year (`as_at`), so a year's pages and report
    keep that year's figures when later ones arrive. Each source is read once per pass, for
    every theme; `once` shares any other work between the readers and the report's sections.
    """

    def __init__(self, *, user: Any, year: str) -> None:
        period = parse_period(year)
        self.user = user
        self.year = year
        self.start: date = period.start
        self.as_at: date = period.end
        self._memo: dict[Hashable, Any] = {}

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` the first time `key` is asked for in this pass; the same value after."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def can(self, capability: Capability) -> bool:
        return self.once(("can", capability), lambda: access_for(self.user).can(capability))

    def readings(self) -> list[tuple[YearSource, Readings]]:
        """Every source's readings, in the sources' order; empty for a source the viewer may
        not see."""
        return self.once(
            ("readings",),
            lambda: [
                (source, source.read(self) if self.can(source.capability) else {})
                for source in year_sources()
            ],
        )

    def for_theme(self, theme: str) -> list[tuple[YearSource, ThemeReading]]:
        return [
            (source, readings.get(theme) or ThemeReading()) for source, readings in self.readings()
        ]


def by_theme(readings: Readings, themes: Iterable[str]) -> list[ThemeReading]:
    """The readings of each of `themes`, made when missing (for readers bucketing records)."""
    return [readings.setdefault(theme, ThemeReading()) for theme in dict.fromkeys(themes)]


# Evidence keys --------------------------------------------------------------------------------

KEY_PATTERN = re.compile(r"^(?P<prefix>[a-z_]+\.[a-z_]+):(?P<ident>[A-Za-z0-9_-]{1,60})$")
KEY_HINT = "like indicators.indicator:camhs-seen-12-weeks or audits.finding:12"


@dataclass(frozen=True)
class ResolvedEvidence:
    """What one viewer may see of one piece of evidence."""

    key: str
    label: str
    url: str
    kind: str
    detail: str = ""
    themes: tuple[str, ...] = field(default_factory=tuple)


class EvidenceUnseen(Exception):
    """The record is not there for this viewer (a resolver raises it rather than say why)."""


ChoiceGroup = tuple[str, list[tuple[str, str]]]


@dataclass(frozen=True)
class KeyKind:
    """One kind of record that can be linked as evidence, named "<app>.<kind>:<identifier>".

    `resolve(user, identifier)` asks the owning part's selectors for the record as that user,
    raising (`EvidenceUnseen`, `Http404`, `PermissionDenied`, `ObjectDoesNotExist`) when they may
    not see it; the registry fills in the key of what it returns. `choices(user)` offers the
    records they may link, grouped for a select.
    """

    prefix: str
    resolve: Callable[[Any, str], ResolvedEvidence]
    choices: Callable[[Any], list[ChoiceGroup]] | None = None
    order: int = 50


_KEY_KINDS: dict[str, KeyKind] = {}


def register_key_kind(kind: KeyKind) -> None:
    _KEY_KINDS[kind.prefix] = kind


def parse_key(key: str) -> tuple[str, str] | None:
    """(prefix, identifier) of a well-formed key, or None."""
    match = KEY_PATTERN.match((key or "").strip())
    if match is None:
        return None
    return match["prefix"], match["ident"]


def key_pk(ident: str) -> int:
    """The database id an identifier names, or EvidenceUnseen for one that names none."""
    if not ident.isdigit():
        raise EvidenceUnseen
    return int(ident)


def short_text(text: str, length: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def resolve_evidence(user: Any, key: str) -> ResolvedEvidence | None:
    """The evidence as `user` may see it, or None when they may not (or it is not there)."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    prefix, ident = parsed
    kind = _KEY_KINDS.get(prefix)
    if kind is None:
        return None
    try:
        resolved = kind.resolve(user, ident)
    except (EvidenceUnseen, Http404, PermissionDenied, ObjectDoesNotExist, ValueError, TypeError):
        return None
    return replace(resolved, key=f"{prefix}:{ident}")


def evidence_choices(user: Any) -> list[ChoiceGroup]:
    """Records the user may see and link, grouped for a select, part by part."""
    groups: list[ChoiceGroup] = []
    for kind in sorted(_KEY_KINDS.values(), key=lambda kind: (kind.order, kind.prefix)):
        if kind.choices is not None:
            groups.extend(group for group in kind.choices(user) if group[1])
    return groups
