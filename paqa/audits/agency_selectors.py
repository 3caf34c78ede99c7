"""Reads for single-agency audit returns, for an acting user.

A draft stays inside its organisation: only those who submit the organisation's audits see it.
Once submitted, a return is seen by everyone who may view audits (the partnership, board
members, other agencies): what it holds is a summary of cases, not the cases themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from paqa.audits.models import AgencyAudit, GradeLevel
from paqa.core.access import Capability, access_for, require
from paqa.core.taxonomy import THEMES, canonical_themes, theme_label
from paqa.partnership.models import Organisation, Service

SUBMIT = Capability.SUBMIT_AGENCY_AUDITS
VIEW = Capability.VIEW_AUDITS
LEAD = Capability.LEAD_AUDITS
SEEN_BY_PARTNERSHIP = (AgencyAudit.Status.SUBMITTED, AgencyAudit.Status.REVIEWED)


def agency_audits_visible(*, user: Any) -> QuerySet[AgencyAudit]:
    """Every return the user may read: their organisations' at every stage, others' once
    submitted."""
    access = access_for(user)
    own = access.organisation_ids(SUBMIT)
    seen = access.organisation_ids(VIEW)
    audits = AgencyAudit.objects.select_related("organisation", "service", "scale", "reviewed_by")
    if own is None:
        return audits
    visible = Q(organisation_id__in=own)
    submitted = Q(status__in=SEEN_BY_PARTNERSHIP)
    if seen is None:
        visible |= submitted
    elif seen:
        visible |= submitted & Q(organisation_id__in=seen)
    return audits.filter(visible)


def agency_audit_get(*, user: Any, pk: Any, for_change: bool = False) -> AgencyAudit:
    """One return: 404 outside the user's reach, 403 if they may read it but not change it."""
    try:
        agency_audit = agency_audits_visible(user=user).get(pk=pk)
    except (AgencyAudit.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such audit return in your reach.") from missing
    if for_change and not access_for(user).can(SUBMIT, agency_audit.organisation_id):
        raise PermissionDenied("Your role lets you read this audit return but not change it.")
    return agency_audit


def agency_audit_list(*, user: Any, year: str) -> list[AgencyAudit]:
    """The year's returns the user may read, by organisation and service."""
    require(user, VIEW)
    return list(
        agency_audits_visible(user=user)
        .filter(year=year)
        .prefetch_related("scale__levels")
        .order_by("organisation__name", "service__name", "topic", "pk")
    )


def agency_audit_years(*, user: Any) -> list[str]:
    """The years with a return the user may read, newest first."""
    return sorted(
        set(agency_audits_visible(user=user).values_list("year", flat=True).distinct()),
        reverse=True,
    )


def submit_organisations(*, user: Any) -> QuerySet[Organisation]:
    """The live organisations whose audits the user may return."""
    organisations = Organisation.objects.filter(archived_at__isnull=True).order_by("name")
    reached = access_for(user).organisation_ids(SUBMIT)
    if reached is None:
        return organisations
    return organisations.filter(pk__in=reached)


def submit_services(*, user: Any) -> QuerySet[Service]:
    """The live services of those organisations."""
    return (
        Service.objects.filter(
            archived_at__isnull=True, organisation__in=submit_organisations(user=user)
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def grade_levels(*, audits: Iterable[AgencyAudit]) -> list[GradeLevel]:
    """The grades of the scales these audits use, best first (one entry per grade code)."""
    levels: dict[str, GradeLevel] = {}
    scales = {audit.scale_id: audit.scale for audit in audits}
    for scale in scales.values():
        for level in scale.levels.all():
            levels.setdefault(level.code, level)
    return sorted(levels.values(), key=lambda level: (-level.rank, level.code))


def grade_row(*, agency_audit: AgencyAudit, levels: list[GradeLevel]) -> list[int]:
    """The audit's number of cases at each grade, in the order of `levels`."""
    counts = agency_audit.grade_counts or {}
    return [int(counts.get(level.code, 0)) for level in levels]


def theme_labels(*, themes: Iterable[str]) -> list[str]:
    return [theme_label(theme) for theme in canonical_themes(list(themes))]


# The summary -------------------------------------------------------------------------------

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_words(*, number: int) -> str:
    """One to ten in words, as the annual report writes them; larger numbers in digits."""
    return NUMBER_WORDS[number] if 0 <= number <= 10 else str(number)


def _plural(number: int, one: str, many: str) -> str:
    return one if number == 1 else many


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class GradeTotal:
    level: GradeLevel
    cases: int
    percent: int


@dataclass(frozen=True)
class ThemeCount:
    slug: str
    label: str
    audits: int


@dataclass
class AgencyAuditSummary:
    year: str
    audits: list[AgencyAudit]
    organisations: int
    services: int
    total_cases: int
    grades: list[GradeTotal] = field(default_factory=list)
    themes: list[ThemeCount] = field(default_factory=list)

    @property
    def returned(self) -> int:
        return len(self.audits)

    @property
    def sentences(self) -> list[str]:
        """Drafted from the submitted returns, for the annual report."""
        if not self.audits:
            return [f"No agency has returned a safeguarding audit for {self.year} yet."]
        drafted = [
            f"PAQA reviewed safeguarding audits from {number_words(number=self.services)} "
            f"{_plural(self.services, 'service', 'services')} within "
            f"{number_words(number=self.organisations)} "
            f"{_plural(self.organisations, 'agency', 'agencies')}."
        ]
        graded = [grade for grade in self.grades if grade.cases]
        if graded:
            first_grade, *other_grades = graded
            listed_grades = [
                f"{first_grade.cases} {_plural(first_grade.cases, 'was', 'were')} graded "
                f"{first_grade.level.label.lower()}"
            ] + [f"{grade.cases} {grade.level.label.lower()}" for grade in other_grades]
            drafted.append(
                f"Of the {self.total_cases} {_plural(self.total_cases, 'case', 'cases')} "
                f"audited, {_join(listed_grades)}."
            )
        if self.themes:
            first, *rest = self.themes
            listed = [
                f"{first.label.lower()} ({first.audits} {_plural(first.audits, 'audit', 'audits')})"
            ] + [f"{theme.label.lower()} ({theme.audits})" for theme in rest[:2]]
            if len(self.themes) == 1:
                drafted.append(f"The most common theme for development was {listed[0]}.")
            else:
                drafted.append(f"The most common themes for development were {_join(listed)}.")
        return drafted


def agency_audit_summary(*, user: Any, year: str) -> AgencyAuditSummary:
    """What the partnership saw returned for the year: submitted and reviewed returns only.

    Services are counted once each; an audit of a whole organisation (no service named) counts
    that organisation as one service.
    """
    require(user, VIEW)
    audits = list(
        agency_audits_visible(user=user)
        .filter(year=year, status__in=SEEN_BY_PARTNERSHIP)
        .prefetch_related("scale__levels")
        .order_by("organisation__name", "service__name", "topic", "pk")
    )
    services = {
        ("service", audit.service_id)
        if audit.service_id is not None
        else ("organisation", audit.organisation_id)
        for audit in audits
    }
    levels = grade_levels(audits=audits)
    totals = [0] * len(levels)
    for audit in audits:
        totals = [
            a + b for a, b in zip(totals, grade_row(agency_audit=audit, levels=levels), strict=True)
        ]
    total_cases = sum(audit.sample_size for audit in audits)
    graded = sum(totals)
    theme_counter: Counter[str] = Counter()
    for audit in audits:
        theme_counter.update(set(canonical_themes(audit.themes or [])))
    order = {slug: position for position, slug in enumerate(THEMES)}
    themes = sorted(
        theme_counter.items(), key=lambda item: (-item[1], order.get(item[0], len(order)), item[0])
    )
    return AgencyAuditSummary(
        year=year,
        audits=audits,
        organisations=len({audit.organisation_id for audit in audits}),
        services=len(services),
        total_cases=total_cases,
        grades=[
            GradeTotal(level, cases, round(100 * cases / graded) if graded else 0)
            for level, cases in zip(levels, totals, strict=True)
        ],
        themes=[ThemeCount(slug, theme_label(slug), count) for slug, count in themes],
    )
