"""Children's and families' views for other parts, registered in core at start-up: what they
said in a year by theme, and their records as linkable evidence."""

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
    key_pk,
    register_key_kind,
    register_year_source,
    short_text,
)
from paqa.core.taxonomy import canonical_themes
from paqa.voice.models import VoiceRecord
from paqa.voice.selectors import voice_get, voice_list

# A theme's page shows a sample of what was said, not every record of a busy year.
PER_THEME = 10


def year_readings(year_pass: YearPass) -> Readings:
    readings: Readings = {}
    records = voice_list(user=year_pass.user, year=year_pass.year).exclude(quote="")
    for record in records.only("pk", "quote", "is_summary", "source", "themes", "year"):
        item = EvidenceItem(
            text=record.quote if record.is_summary else f"“{record.quote}”",
            tag=record.get_source_display(),
            url=reverse("voice:detail", args=[record.pk]),
        )
        for reading in by_theme(readings, canonical_themes(record.themes)):
            if len(reading.items) < PER_THEME:
                reading.items.append(item)
    return readings


def _years() -> list[str]:
    return list(VoiceRecord.objects.order_by().values_list("year", flat=True).distinct())


def _record(user: Any, ident: str) -> ResolvedEvidence:
    record = voice_get(user=user, pk=key_pk(ident))
    return ResolvedEvidence(
        key="",
        label=short_text(str(record), 160),
        url=reverse("voice:detail", args=[record.pk]),
        kind="Children’s and families’ views",
        detail=str(record.year or ""),
        themes=tuple(record.themes or ()),
    )


def _record_choices(user: Any) -> list[ChoiceGroup]:
    if not access_for(user).can(Capability.VIEW_VOICE):
        return []
    records = voice_list(user=user)
    return [
        (
            "Children’s and families’ views",
            [(f"voice.record:{record.pk}", short_text(str(record))) for record in records],
        )
    ]


def register() -> None:
    register_year_source(
        YearSource(
            key="voice",
            label="Children and families",
            order=60,
            capability=Capability.VIEW_VOICE,
            read=year_readings,
            years=_years,
        )
    )
    register_key_kind(
        KeyKind(prefix="voice.record", resolve=_record, choices=_record_choices, order=60)
    )
