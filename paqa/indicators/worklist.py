"""The local data set on board members' worklists: indicators in exception."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from paqa.core.access import Access, Capability, Role
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source
from paqa.indicators.selectors import ExceptionEntry, exceptions


def red_exceptions(user: Any, access: Access, today: date) -> list[ExceptionEntry]:
    return exceptions(user=user)


def _item(entry: ExceptionEntry, today: date) -> WorkItem:
    summary = entry.summary
    latest = summary.latest
    return WorkItem(
        kind="Indicator",
        title=summary.indicator.name,
        url=reverse("indicators:indicator", args=[summary.indicator.code]),
        year=latest.period.label if latest is not None else "",
        status="Exception",
        detail=f"Latest: {summary.text(latest)}. {entry.reason}",
        tone="red",
    )


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="indicators.exceptions",
            section=Section.BOARD,
            heading="Indicators in exception",
            capabilities=(Capability.VIEW_DATA,),
            items=red_exceptions,
            item=_item,
            list_url=lambda: reverse("indicators:exceptions"),
            roles=(Role.BOARD_MEMBER,),
            order=30,
        )
    )
