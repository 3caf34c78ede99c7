"""The audits' evidence for other parts, registered in core at start-up: the year's findings
and agencies' own audits by theme, and audit findings as linkable evidence."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from paqa.audits.agency_selectors import SEEN_BY_PARTNERSHIP, agency_audits_visible
from paqa.audits.models import Audit, Finding
from paqa.audits.selectors import audit_get, audit_list
from paqa.core.access import Capability, access_for, require
from paqa.core.evidence import (
    ChoiceGroup,
    EvidenceItem,
    EvidenceUnseen,
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


def year_readings(year_pass: YearPass) -> Readings:
    """Every finding of the year's multi-agency audits and every agency audit returned to the
    partnership, under each of its themes; areas for development count as concerns."""
    readings: Readings = {}
    kinds = dict(Finding.Kind.choices)
    findings = (
        Finding.objects.filter(audit__in=audit_list(user=year_pass.user, year=year_pass.year))
        .order_by("audit__title", "audit_id", "kind", "pk")
        .values_list("pk", "audit_id", "audit__title", "kind", "text", "themes")
    )
    for pk, audit_id, title, kind, text, themes in findings:
        for reading in by_theme(readings, canonical_themes(themes)):
            if kind == Finding.Kind.DEVELOPMENT:
                reading.concerns += 1
            reading.items.append(
                EvidenceItem(
                    text=f"{title}: {text}",
                    tag=kinds.get(kind, kind),
                    url=reverse("audits:audit", args=[audit_id]) + f"#finding-{pk}",
                )
            )
    returned = (
        agency_audits_visible(user=year_pass.user)
        .filter(year=year_pass.year, status__in=SEEN_BY_PARTNERSHIP)
        .order_by("organisation__name", "service__name", "topic", "pk")
        .values_list("pk", "organisation__name", "service__name", "topic", "themes")
    )
    for pk, organisation, service, topic, themes in returned:
        where = organisation + (f", {service}" if service else "")
        for reading in by_theme(readings, canonical_themes(themes)):
            reading.concerns += 1
            reading.items.append(
                EvidenceItem(
                    text=f"{where}: {topic} (an area for development)",
                    tag="Agency's own audit",
                    url=reverse("audits:agency-detail", args=[pk]),
                )
            )
    return readings


def _areas_for_development(count: int) -> str:
    return f"audits found {count} {'area' if count == 1 else 'areas'} for development"


def _years() -> list[str]:
    return list(Audit.objects.order_by().values_list("year", flat=True).distinct())


def _finding(user: Any, ident: str) -> ResolvedEvidence:
    require(user, Capability.VIEW_AUDITS)
    audit_id = Finding.objects.filter(pk=key_pk(ident)).values_list("audit_id", flat=True).first()
    if audit_id is None:
        raise EvidenceUnseen
    audit = audit_get(user=user, pk=audit_id)
    finding = audit.findings.get(pk=key_pk(ident))
    return ResolvedEvidence(
        key="",
        label=short_text(finding.text, 160),
        url=reverse("audits:audit", args=[audit.pk]) + f"#finding-{finding.pk}",
        kind=f"Audit finding ({finding.get_kind_display().lower()})",
        detail=f"{audit.title}, {audit.year}",
        themes=tuple(finding.themes or ()),
    )


def _finding_choices(user: Any) -> list[ChoiceGroup]:
    if not access_for(user).can(Capability.VIEW_AUDITS):
        return []
    audits = audit_list(user=user).prefetch_related("findings").order_by("-year", "title")
    return [
        (
            f"Audit findings: {audit.title}, {audit.year}",
            [
                (f"audits.finding:{finding.pk}", short_text(finding.text))
                for finding in audit.findings.all()
            ],
        )
        for audit in audits
    ]


def register() -> None:
    register_year_source(
        YearSource(
            key="audits",
            label="Audits",
            order=20,
            capability=Capability.VIEW_AUDITS,
            read=year_readings,
            concerns=_areas_for_development,
            years=_years,
        )
    )
    register_key_kind(
        KeyKind(prefix="audits.finding", resolve=_finding, choices=_finding_choices, order=20)
    )
