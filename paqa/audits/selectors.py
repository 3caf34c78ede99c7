"""Reads for multi-agency audits, for an acting user. Sections stay inside their organisation
until submitted; an auditor changes only the sections assigned to them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from paqa.audits.models import Audit, Case, CaseSection, DomainGrade, Finding, GradeLevel
from paqa.core import taxonomy
from paqa.core.access import Capability, Role, access_for, require
from paqa.partnership.models import Organisation

OVERALL = "overall"


def theme_label(*, slug: str) -> str:
    """A theme's name, from the one shared taxonomy."""
    return taxonomy.theme_label(slug)


def in_sentence(label: str) -> str:
    """A theme's name as it reads in the middle of a sentence ("information sharing")."""
    return label[:1].lower() + label[1:]


def audit_list(*, user: Any, year: str = "") -> QuerySet[Audit]:
    require(user, Capability.VIEW_AUDITS)
    audits = Audit.objects.select_related("lead", "tool").prefetch_related("organisations")
    return audits.filter(year=year) if year else audits


def audit_get(*, user: Any, pk: Any, for_change: bool = False) -> Audit:
    require(user, Capability.VIEW_AUDITS)
    if for_change:
        require(user, Capability.LEAD_AUDITS)
    try:
        return Audit.objects.select_related("lead", "tool__scale").get(pk=pk)
    except (Audit.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such audit.") from missing


def case_get(*, user: Any, audit: Audit, pk: Any) -> Case:
    try:
        return audit.cases.select_related("lead_organisation").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such case.") from missing


def sections_visible(*, user: Any) -> QuerySet[CaseSection]:
    """Own organisation's sections at any stage; other organisations' once submitted."""
    access = access_for(user)
    own = access.organisation_ids(Capability.COMPLETE_AUDIT_SECTIONS)
    seen = access.organisation_ids(Capability.VIEW_AUDIT_SECTIONS)
    sections = CaseSection.objects.select_related("case__audit", "organisation")
    visible = Q(pk__in=[])
    if own is None:
        return sections
    if own:
        visible |= Q(organisation_id__in=own)
    submitted = Q(status=CaseSection.Status.SUBMITTED)
    if seen is None:
        return sections.filter(visible | submitted)
    if seen:
        # Organisations taking part in an audit see each other's submitted sections: the audit
        # meeting works from all of them.
        taking_part = Audit.objects.filter(organisations__in=seen).values("pk")
        visible |= submitted & Q(case__audit__in=taking_part)
    return sections.filter(visible)


def can_edit_section(*, user: Any, section: CaseSection) -> bool:
    """Agency leads edit their organisation's sections; auditors only those assigned to them."""
    access = access_for(user)
    if section.status != CaseSection.Status.DRAFT:
        return False
    if not access.can(Capability.COMPLETE_AUDIT_SECTIONS, section.organisation_id):
        return False
    roles_here = {
        grant.role for grant in access.grants if grant.organisation_id == section.organisation_id
    }
    if Role.AGENCY_LEAD in roles_here:
        return True
    return section.auditors.filter(pk=user.pk).exists()


def section_get(*, user: Any, pk: Any, for_edit: bool = False) -> CaseSection:
    try:
        section = sections_visible(user=user).get(pk=pk)
    except (CaseSection.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such section in your reach.") from missing
    if for_edit and not can_edit_section(user=user, section=section):
        raise PermissionDenied("You can read this section but not change it.")
    return section


def cohort(*, user: Any, audit: Audit) -> list[dict[str, Any]]:
    """Each case with its sections' states (the partnership sees who has submitted; contents of
    drafts stay private)."""
    cases = list(
        audit.cases.select_related("lead_organisation").prefetch_related(
            "sections__organisation", "unsafe_flags"
        )
    )
    visible_ids = set(
        sections_visible(user=user).filter(case__audit=audit).values_list("pk", flat=True)
    )
    return [
        {
            "case": case,
            "sections": [
                {"section": section, "visible": section.pk in visible_ids}
                for section in case.sections.all()
            ],
            "open_flags": [flag for flag in case.unsafe_flags.all() if flag.resolved_at is None],
        }
        for case in cases
    ]


@dataclass(frozen=True)
class Outstanding:
    organisation: Organisation
    sections: int


def outstanding_sections(*, audit: Audit) -> list[Outstanding]:
    """The organisations taking part with case sections not yet submitted, and how many each.

    Counts only, no contents: the audit's page shows every section's state to everyone who reads
    the audit, so this needs no acting user (the stage gate in services reads it too)."""
    counts = dict(
        CaseSection.objects.filter(
            case__audit=audit,
            status=CaseSection.Status.DRAFT,
            organisation__in=audit.organisations.all(),
        )
        .values("organisation_id")
        .annotate(sections=Count("pk"))
        .order_by()
        .values_list("organisation_id", "sections")
    )
    return [
        Outstanding(organisation=organisation, sections=counts[organisation.pk])
        for organisation in audit.organisations.order_by("name")
        if counts.get(organisation.pk)
    ]


# Outputs ------------------------------------------------------------------------------------


@dataclass
class Distribution:
    label: str
    counts: dict[str, int]  # grade code → cases
    total: int


def grade_distribution(*, audit: Audit, domain_code: str = OVERALL) -> Distribution:
    counts = Counter(
        DomainGrade.objects.filter(case__audit=audit, domain__code=domain_code).values_list(
            "grade", flat=True
        )
    )
    return Distribution(
        label=f"{audit.title} {audit.year}", counts=dict(counts), total=sum(counts.values())
    )


def levels_of(*, audit: Audit) -> list[GradeLevel]:
    return list(audit.tool.scale.levels.all())


def earlier_audits_on_theme(*, audit: Audit) -> list[Audit]:
    """Earlier audits on the same theme: a re-audit shows the change."""
    return list(
        Audit.objects.filter(theme__iexact=audit.theme, year__lt=audit.year)
        .exclude(pk=audit.pk)
        .select_related("tool__scale")
        .order_by("year")
    )


@dataclass
class ThemeCount:
    slug: str
    label: str
    findings: list[Finding]


def cross_cutting_themes(*, user: Any, year: str) -> list[ThemeCount]:
    """Themes across every audit of a year, with the findings behind each, most common first."""
    require(user, Capability.VIEW_AUDITS)
    by_theme: dict[str, list[Finding]] = {}
    findings = (
        Finding.objects.filter(audit__year=year).select_related("audit").order_by("audit__title")
    )
    for finding in findings:
        for slug in taxonomy.canonical_themes(finding.themes):
            by_theme.setdefault(slug, []).append(finding)
    counts = [ThemeCount(slug, theme_label(slug=slug), items) for slug, items in by_theme.items()]
    counts.sort(key=lambda theme: (-len({f.audit_id for f in theme.findings}), theme.label))
    return counts


def year_sentences(
    *,
    user: Any,
    year: str,
    audits: Sequence[Audit] | None = None,
    themes: list[ThemeCount] | None = None,
) -> list[str]:
    """Sentences for the annual report, drafted from the year's audits (in the order they were
    set up) and their cross-cutting themes, read here unless the caller has them already."""
    if audits is None:
        audits = list(audit_list(user=user, year=year).prefetch_related(None).order_by("pk"))
    if themes is None:
        themes = cross_cutting_themes(user=user, year=year)
    if not audits:
        return []
    numbers = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    count = numbers[len(audits)] if len(audits) <= 10 else str(len(audits))
    covered = [audit.theme for audit in audits]
    listed = covered[0] if len(covered) == 1 else ", ".join(covered[:-1]) + " and " + covered[-1]
    plural = "s" if len(audits) != 1 else ""
    drafted = [f"{count.capitalize()} multi-agency audit{plural} covered {listed}."]
    cross = [theme for theme in themes if len({f.audit_id for f in theme.findings}) > 1]
    if cross:
        drafted.append(
            "Cross-cutting themes across the audits were "
            + ", ".join(in_sentence(theme.label) for theme in cross[:-1])
            + (" and " if len(cross) > 1 else "")
            + in_sentence(cross[-1].label)
            + "."
        )
    grades = Counter(
        DomainGrade.objects.filter(case__audit__in=audits, domain__code=OVERALL).values_list(
            "grade", flat=True
        )
    )
    total = sum(grades.values())
    if total:
        good = grades.get("good", 0) + grades.get("outstanding", 0)
        drafted.append(f"Of {total} cases graded overall, {good} were good or outstanding.")
    return drafted
