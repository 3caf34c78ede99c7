"""The escalation register's evidence for other parts, registered in core at start-up: the
year's escalations by theme.

Evidence linked to an escalation is named by keys that the owning parts resolve for each viewer
(`paqa.core.evidence`), so this part never reads another part's records itself.
"""

from __future__ import annotations

from django.urls import reverse

from paqa.core.access import Capability
from paqa.core.evidence import (
    EvidenceItem,
    Readings,
    YearPass,
    YearSource,
    by_theme,
    register_year_source,
)
from paqa.core.taxonomy import canonical_themes
from paqa.escalations.models import Escalation
from paqa.escalations.selectors import escalation_list


def year_readings(year_pass: YearPass) -> Readings:
    readings: Readings = {}
    for escalation in escalation_list(user=year_pass.user, year=year_pass.year):
        item = EvidenceItem(
            text=escalation.title,
            tag=escalation.get_status_display(),
            url=reverse("escalations:detail", args=[escalation.pk]),
        )
        for reading in by_theme(readings, canonical_themes(escalation.themes)):
            reading.items.append(item)
    return readings


def _years() -> list[str]:
    return list(Escalation.objects.order_by().values_list("year", flat=True).distinct())


def register() -> None:
    register_year_source(
        YearSource(
            key="escalations",
            label="Escalations and actions",
            order=70,
            capability=Capability.VIEW_ESCALATIONS,
            read=year_readings,
            years=_years,
        )
    )
