"""Reads of the annual report, always for an acting user.

Published versions are for everyone in the partnership who reads reports; drafts, and the
evidence assembled into them, only for those who draft the report (404 for anyone else).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from paqa.core.access import Capability, access_for, require
from paqa.core.evidence import YearPass
from paqa.partnership.selectors import partnership_current
from paqa.reports import drafting
from paqa.reports.content import ReportContent, Section
from paqa.reports.models import Report, ReportExport, ReportSection, ReportVersion
from paqa.reports.sections import GUIDES, SectionKey

Progress = Callable[[int, str], None]


def can_draft(*, user: Any) -> bool:
    return access_for(user).can(Capability.DRAFT_REPORTS)


def report_list(*, user: Any) -> QuerySet[Report]:
    """Reports the user may open: every report for drafters; published ones for readers."""
    require(user, Capability.VIEW_PUBLISHED_REPORTS)
    reports = Report.objects.all()
    if not can_draft(user=user):
        reports = reports.filter(versions__isnull=False).distinct()
    return reports.prefetch_related("versions")


def report_get(*, user: Any, year: str) -> Report:
    try:
        return report_list(user=user).get(year=year)
    except Report.DoesNotExist as missing:
        raise Http404("No such report in your reach.") from missing


def report_for_drafting(*, user: Any, year: str) -> Report:
    """The report to draft: 404 for readers, who may not know a draft exists."""
    if not can_draft(user=user):
        raise Http404("No such report in your reach.")
    return report_get(user=user, year=year)


def versions(*, report: Report) -> QuerySet[ReportVersion]:
    return report.versions.select_related("published_by").order_by("-number")


def version_get(*, user: Any, year: str, number: Any) -> ReportVersion:
    report = report_get(user=user, year=year)
    try:
        return report.versions.select_related("report").get(number=number)
    except (ReportVersion.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such version of this report.") from missing


def section_get(*, user: Any, year: str, key: str) -> ReportSection:
    report = report_for_drafting(user=user, year=year)
    try:
        return report.sections.select_related("report").get(key=key)
    except ReportSection.DoesNotExist as missing:
        raise Http404("No such section.") from missing


_DRAFTERS: dict[str, Callable[..., Section]] = {
    SectionKey.INTRODUCTION: drafting.introduction,
    SectionKey.AUDITS: drafting.audits,
    SectionKey.AGENCY_AUDITS: drafting.agency_audits,
    SectionKey.IMPACT_ASSESSMENT: drafting.impact_assessment,
    SectionKey.SELF_ASSESSMENT: drafting.self_assessment,
    SectionKey.PRACTITIONERS: drafting.practitioners,
    SectionKey.CHILDREN: drafting.children,
    SectionKey.DATA: drafting.data,
    SectionKey.ESCALATIONS: drafting.escalations,
    SectionKey.CONCLUSIONS: drafting.conclusions,
}


def _drafted(year_pass: YearPass, report: Report, key: SectionKey) -> Section:
    extra = {"chart_codes": report.chart_indicators} if key == SectionKey.DATA else {}
    return _DRAFTERS[key](year_pass=year_pass, **extra)


def _with_words(drafted: Section, saved: ReportSection | None) -> Section:
    return Section(
        **{
            **drafted.__dict__,
            "narrative": saved.narrative if saved else "",
            "impact": saved.impact if saved else "",
        }
    )


def draft_content(*, user: Any, report: Report, progress: Progress | None = None) -> ReportContent:
    """The report as it reads now: each section drafted from the evidence the user can see,
    with the people's words saved for it. One pass over the year serves every section, so
    what several sections read is read once."""
    require(user, Capability.DRAFT_REPORTS)
    words = {section.key: section for section in report.sections.all()}
    partnership = partnership_current()
    year_pass = YearPass(user=user, year=report.year)
    sections = []
    for index, guide in enumerate(GUIDES):
        if progress is not None:
            progress(round(100 * index / len(GUIDES)), f"Reading the evidence: {guide.key.label}")
        drafted = _drafted(year_pass, report, guide.key)
        sections.append(_with_words(drafted, words.get(guide.key.value)))
    return ReportContent(
        title=report.title,
        year=report.year,
        partnership=partnership.name if partnership else "",
        sections=sections,
        assembled_at=timezone.now().isoformat(timespec="seconds"),
    )


def draft_section(*, user: Any, section: ReportSection) -> Section:
    """One section as it reads now, drafted alone (for its editing page)."""
    require(user, Capability.DRAFT_REPORTS)
    report = section.report
    drafted = _drafted(YearPass(user=user, year=report.year), report, SectionKey(section.key))
    return _with_words(drafted, section)


def version_content(*, version: ReportVersion) -> ReportContent:
    return ReportContent.from_json(version.content)


def export_get(*, user: Any, year: str, pk: Any) -> ReportExport:
    """An export the user may fetch: a published version's for readers, any for drafters."""
    report = report_get(user=user, year=year)
    exports = report.exports.select_related("report", "version")
    if not can_draft(user=user):
        exports = exports.filter(version__isnull=False)
    try:
        return exports.get(pk=pk)
    except (ReportExport.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such export.") from missing


def recent_exports(
    *, user: Any, report: Report, version: ReportVersion | None
) -> list[ReportExport]:
    exports = report.exports.defer("data").filter(version=version)
    if version is None and not can_draft(user=user):
        return []
    return list(exports.order_by("-created_at", "-pk")[:6])
