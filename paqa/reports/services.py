"""Writes for the annual report: start it, change its words, choose its charts, publish a
version, and export it in the background."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from paqa.core.access import Capability, require
from paqa.core.history import stamp_actor
from paqa.core.periods import PeriodError, PeriodKind, parse_period
from paqa.partnership.selectors import partnership_current
from paqa.reports import drafting
from paqa.reports.models import Report, ReportExport, ReportSection, ReportVersion
from paqa.reports.rendering import render
from paqa.reports.sections import GUIDE_BY_KEY, GUIDES

logger = logging.getLogger(__name__)


class StaleSection(Exception):
    """The section was saved by someone else after this copy of it was opened."""

    def __init__(self, section: ReportSection) -> None:
        super().__init__("This section was changed by someone else since you opened it.")
        self.section = section


def _check_year(year: str) -> str:
    year = (year or "").strip()
    try:
        period = parse_period(year)
    except PeriodError as error:
        raise ValidationError({"year": f"Enter the year like 2018-19 ({error})"}) from error
    if period.kind is not PeriodKind.FINANCIAL_YEAR:
        raise ValidationError({"year": "Enter a reporting year like 2018-19"})
    return period.code


@transaction.atomic
def report_create(*, year: str, actor: Any, title: str = "") -> Report:
    """Start the report for a year, with an empty page of words for each section."""
    require(actor, Capability.DRAFT_REPORTS)
    year = _check_year(year)
    if Report.objects.filter(year=year).exists():
        raise ValidationError({"year": f"There is already a report for {year}"})
    partnership = partnership_current()
    name = (partnership.short_name or partnership.name) if partnership else "PAQA"
    report = Report(
        year=year,
        title=(title or "").strip() or f"{name} PAQA annual report {year}",
        chart_indicators=drafting.default_chart_codes(user=actor, year=year),
        created_by=actor,
    )
    stamp_actor(report, actor)
    report.save()
    for guide in GUIDES:
        section = ReportSection(report=report, key=guide.key.value, updated_by=actor)
        stamp_actor(section, actor)
        section.save()
    return report


@transaction.atomic
def section_update(
    *, section: ReportSection, narrative: str, impact: str, revision: int, actor: Any
) -> ReportSection:
    """Save people's words for a section. A save made on an older copy than the one stored is
    refused with StaleSection, so nobody's words are overwritten unseen."""
    require(actor, Capability.DRAFT_REPORTS)
    current = ReportSection.objects.select_for_update().get(pk=section.pk)
    if current.revision != revision:
        raise StaleSection(current)
    current.narrative = narrative.strip()
    current.impact = impact.strip() if GUIDE_BY_KEY[current.key].asks_for_impact else ""
    current.revision += 1
    current.updated_by = actor
    stamp_actor(current, actor)
    current.save()
    return current


@transaction.atomic
def charts_set(*, report: Report, codes: list[str], actor: Any) -> Report:
    require(actor, Capability.DRAFT_REPORTS)
    report.chart_indicators = list(dict.fromkeys(codes))
    stamp_actor(report, actor)
    report.save(update_fields=["chart_indicators", "updated_at"])
    return report


def missing_impact(report: Report) -> list[str]:
    """Titles of the sections that ask for impact on children and families and have none."""
    written = {section.key for section in report.sections.all() if section.impact.strip()}
    return [
        guide.key.label
        for guide in GUIDES
        if guide.asks_for_impact and guide.key.value not in written
    ]


@transaction.atomic
def report_publish(*, report: Report, actor: Any, note: str = "") -> ReportVersion:
    """Publish the draft as it reads now, as the next version. The version keeps its own copy of
    every word, figure, table and chart's data, so later corrections change only later versions.
    Refused while a section that asks for impact on children and families has none."""
    from paqa.reports.selectors import draft_content

    require(actor, Capability.DRAFT_REPORTS)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    missing = missing_impact(locked)
    if missing:
        raise ValidationError(
            [
                f"Write the impact on children and families for ‘{title}’ before publishing"
                for title in missing
            ]
        )
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    published_on = timezone.localdate()
    content = replace(
        draft_content(user=actor, report=locked),
        version=number,
        published_on=published_on.isoformat(),
    )
    version = ReportVersion(
        report=locked,
        number=number,
        content=content.to_json(),
        note=(note or "").strip(),
        published_by=actor,
    )
    stamp_actor(version, actor)
    version.save()
    return version


def export_request(
    *,
    report: Report,
    version: ReportVersion | None,
    file_format: str,
    actor: Any,
    site_url: str,
) -> ReportExport:
    """Queue an export of the draft (version None) or of a published version; it is made in
    the background and its page shows its progress."""
    require(
        actor, Capability.DRAFT_REPORTS if version is None else Capability.VIEW_PUBLISHED_REPORTS
    )
    if file_format not in ReportExport.Format.values:
        raise ValidationError({"format": "Choose PDF, Word or HTML"})
    # Pressing the button again while the file is being made gives the same export, so
    # repeated presses cannot pile up work on the server.
    unfinished = ReportExport.objects.filter(
        report=report,
        version=version,
        format=file_format,
        requested_by=actor,
        status__in=[ReportExport.Status.QUEUED, ReportExport.Status.RUNNING],
        updated_at__gte=timezone.now() - ReportExport.STALLED_AFTER,
    ).first()
    if unfinished is not None:
        return unfinished
    export = ReportExport.objects.create(
        report=report, version=version, format=file_format, requested_by=actor
    )
    transaction.on_commit(lambda: export_run.enqueue(export.pk, site_url))
    return export


def _progress(export_id: int, percent: int, step: str) -> None:
    ReportExport.objects.filter(pk=export_id).update(
        progress=max(0, min(percent, 99)), step=step[:200], updated_at=timezone.now()
    )


@task
def export_run(export_id: int, site_url: str) -> None:
    """Make the file for a queued export; on failure the export says so, and nothing else
    changes."""
    from paqa.reports.selectors import draft_content, version_content

    export = ReportExport.objects.select_related("report", "version", "requested_by").get(
        pk=export_id
    )
    ReportExport.objects.filter(pk=export_id).update(
        status=ReportExport.Status.RUNNING, updated_at=timezone.now()
    )
    try:
        if export.version is not None:
            content = version_content(version=export.version)
        else:
            content = draft_content(
                user=export.requested_by,
                report=export.report,
                progress=lambda percent, step: _progress(export_id, percent * 4 // 10, step),
            )
        data = render(
            content,
            export.format,
            site_url=site_url,
            progress=lambda percent, step: _progress(export_id, 40 + percent * 6 // 10, step),
        )
    except Exception:
        logger.exception("Report export %s failed", export_id)
        ReportExport.objects.filter(pk=export_id).update(
            status=ReportExport.Status.FAILED,
            error="The file could not be made. Try again; if it fails again, tell the "
            "partnership's administrator (the error is in the server's log).",
            finished_at=timezone.now(),
        )
        return
    ReportExport.objects.filter(pk=export_id).update(
        status=ReportExport.Status.DONE,
        progress=100,
        step="Ready",
        data=data,
        finished_at=timezone.now(),
    )
