"""The annual report on board members' worklists: the latest published version."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format

from paqa.core.access import Access, Capability, Role
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source
from paqa.reports.models import ReportVersion
from paqa.reports.selectors import report_list


def latest_published(user: Any, access: Access, today: date) -> list[ReportVersion]:
    """The newest version of the newest year that has one (one query)."""
    latest = (
        ReportVersion.objects.filter(report__in=report_list(user=user))
        .select_related("report")
        .order_by("-report__year", "-number")
        .first()
    )
    return [latest] if latest is not None else []


def _item(version: ReportVersion, today: date) -> WorkItem:
    return WorkItem(
        kind="Annual report",
        title=f"{version.report.title}, version {version.number}",
        url=reverse("reports:report", args=[version.report.year]),
        year=version.report.year,
        status=f"Published on {date_format(version.created_at, 'j F Y')}",
    )


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="reports.latest-published",
            section=Section.BOARD,
            heading="The latest published annual report",
            capabilities=(Capability.VIEW_PUBLISHED_REPORTS,),
            items=latest_published,
            item=_item,
            list_url=lambda: reverse("reports:home"),
            roles=(Role.BOARD_MEMBER,),
            order=10,
        )
    )
