"""Writes for single-agency audit returns: an organisation's own audit, returned to the partnership.

An organisation drafts its return (topic, sample, how many cases got each grade, strengths,
areas for development, themes), submits it, and from then on it is locked; the partnership
reviews it. Each function is keyword-only, runs in one transaction and records who made the
change (django-simple-history). Access is checked by the caller (views fetch the return through
`agency_selectors.agency_audit_get(..., for_change=True)`); these functions check the record's
own rules and give their problems in GOV.UK wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.audits.models import AgencyAudit, GradeLevel, GradeScale
from paqa.core.history import stamp_actor
from paqa.core.taxonomy import THEMES, canonical_themes
from paqa.partnership.models import Organisation, Service

Status = AgencyAudit.Status

#: The scale single-agency audits are graded on (loaded from the audit tool pack).
AGENCY_SCALE_CODE = "ofsted"

YEAR_PATTERN = re.compile(r"^\d{4}-\d{2}$")
SUBMITTED_MESSAGE = (
    "This audit has been submitted, so it cannot be changed. "
    "Ask the partnership's business unit if something needs correcting."
)


def agency_scale() -> GradeScale:
    """The Ofsted scale, loading the audit tool pack the first time it is needed."""
    scale = GradeScale.objects.filter(code=AGENCY_SCALE_CODE).first()
    if scale is None:
        from paqa.audits.packs import audit_tool_load

        audit_tool_load()
        scale = GradeScale.objects.get(code=AGENCY_SCALE_CODE)
    return scale


def scale_levels(scale: GradeScale) -> list[GradeLevel]:
    """The scale's grades, best first."""
    return list(scale.levels.order_by("-rank", "code"))


def agency_audit_label(agency_audit: AgencyAudit) -> str:
    """How an action names the audit it arose from."""
    where = agency_audit.organisation.name
    if agency_audit.service_id is not None and agency_audit.service is not None:
        where = f"{where}, {agency_audit.service.name}"
    return f"Single-agency audit {agency_audit.year}, {where}: {agency_audit.topic}"


# Checking a return ---------------------------------------------------------------------------


def grade_count_not_whole_message(level_label: str) -> str:
    return f"Enter the number of cases graded {level_label} as a whole number, like 3"


def grade_count_negative_message(level_label: str) -> str:
    return f"The number of cases graded {level_label} must be 0 or more"


def grades_sum_message(total: int, sample_size: int) -> str:
    cases = "case" if sample_size == 1 else "cases"
    return f"The grades add up to {total} but the sample is {sample_size} {cases}"


def _check_grade_counts(
    grade_counts: Mapping[str, Any], levels: list[GradeLevel], sample_size: int | None
) -> tuple[dict[str, int], list[str]]:
    """Every grade of the scale with its count (0 when not given), and the problems found."""
    problems: list[str] = []
    by_code = {level.code: level for level in levels}
    for code in grade_counts:
        if code not in by_code:
            problems.append(f"'{code}' is not a grade on this scale")
    counts: dict[str, int] = {}
    for level in levels:
        value = grade_counts.get(level.code, 0)
        if value is None or value == "":
            value = 0
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(grade_count_not_whole_message(level.label))
            continue
        if value < 0:
            problems.append(grade_count_negative_message(level.label))
            continue
        counts[level.code] = value
    if not problems and sample_size is not None and sample_size > 0:
        total = sum(counts.values())
        if total != sample_size:
            problems.append(grades_sum_message(total, sample_size))
    return counts, problems


def _check_return(
    *,
    organisation: Organisation,
    service: Service | None,
    year: str,
    topic: str,
    audit_date: date | None,
    sample_size: Any,
    grade_counts: Mapping[str, Any],
    strengths: str,
    areas_for_development: str,
    themes: Iterable[str],
    levels: list[GradeLevel],
) -> tuple[date, dict[str, int], list[str]]:
    """Raise every problem with the return at once; give back its date, counts and themes."""
    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if organisation.archived_at is not None:
        problem("organisation", f"{organisation.name} no longer takes part in the partnership")
    if service is not None:
        if service.organisation_id != organisation.pk:
            problem(
                "service",
                f"Choose a service of {organisation.name}: {service.name} is part of "
                f"{service.organisation.name}",
            )
        elif service.archived_at is not None:
            problem("service", f"{service.name} has closed: choose a current service")
    if not year:
        problem("year", "Enter the reporting year")
    elif not YEAR_PATTERN.match(year):
        problem("year", "Enter the year like 2018-19")
    if not topic:
        problem("topic", "Enter what the audit looked at")
    if audit_date is None:
        problem("audit_date", "Enter the date of the audit")
    elif audit_date > timezone.localdate():
        problem("audit_date", "The date of the audit must be today or in the past")
    sample: int | None = None
    if isinstance(sample_size, bool) or not isinstance(sample_size, int):
        problem("sample_size", "Enter the number of cases audited as a whole number, like 10")
    elif sample_size < 1:
        problem("sample_size", "The sample must be at least 1 case")
    else:
        sample = sample_size
    counts, grade_problems = _check_grade_counts(grade_counts, levels, sample)
    for message in grade_problems:
        problem("grade_counts", message)
    if not strengths:
        problem("strengths", "Enter the strengths the audit found")
    if not areas_for_development:
        problem("areas_for_development", "Enter the areas for development the audit found")
    chosen = canonical_themes(list(themes))
    unknown = [theme for theme in chosen if theme not in THEMES]
    if unknown:
        problem("themes", "Choose themes from the list")
    if errors or audit_date is None:
        raise ValidationError(errors)
    # Kept in the shared taxonomy's order, so the same themes always read the same way.
    return audit_date, counts, [slug for slug in THEMES if slug in chosen]


# Writes ------------------------------------------------------------------------------------


@transaction.atomic
def agency_audit_create(
    *,
    organisation: Organisation,
    service: Service | None,
    year: str,
    topic: str,
    audit_date: date | None,
    sample_size: int,
    grade_counts: Mapping[str, Any],
    strengths: str,
    areas_for_development: str,
    themes: Iterable[str],
    actor: User | None,
) -> AgencyAudit:
    """Start an organisation's audit return, as a draft only the organisation sees."""
    scale = agency_scale()
    year, topic = year.strip(), topic.strip()
    strengths, areas_for_development = strengths.strip(), areas_for_development.strip()
    audit_date, counts, chosen = _check_return(
        organisation=organisation,
        service=service,
        year=year,
        topic=topic,
        audit_date=audit_date,
        sample_size=sample_size,
        grade_counts=grade_counts,
        strengths=strengths,
        areas_for_development=areas_for_development,
        themes=themes,
        levels=scale_levels(scale),
    )
    agency_audit = AgencyAudit(
        organisation=organisation,
        service=service,
        year=year,
        topic=topic,
        audit_date=audit_date,
        sample_size=sample_size,
        scale=scale,
        grade_counts=counts,
        strengths=strengths,
        areas_for_development=areas_for_development,
        themes=chosen,
        status=Status.DRAFT,
    )
    agency_audit.full_clean()
    stamp_actor(agency_audit, actor)
    agency_audit.save()
    return agency_audit


@transaction.atomic
def agency_audit_update(
    *,
    agency_audit: AgencyAudit,
    service: Service | None,
    year: str,
    topic: str,
    audit_date: date | None,
    sample_size: int,
    grade_counts: Mapping[str, Any],
    strengths: str,
    areas_for_development: str,
    themes: Iterable[str],
    actor: User | None,
) -> AgencyAudit:
    """Change a draft return. The organisation it belongs to stays the same."""
    locked = (
        AgencyAudit.objects.select_for_update()
        .select_related("organisation", "scale")
        .get(pk=agency_audit.pk)
    )
    if locked.status != Status.DRAFT:
        raise ValidationError(SUBMITTED_MESSAGE)
    year, topic = year.strip(), topic.strip()
    strengths, areas_for_development = strengths.strip(), areas_for_development.strip()
    audit_date, counts, chosen = _check_return(
        organisation=locked.organisation,
        service=service,
        year=year,
        topic=topic,
        audit_date=audit_date,
        sample_size=sample_size,
        grade_counts=grade_counts,
        strengths=strengths,
        areas_for_development=areas_for_development,
        themes=themes,
        levels=scale_levels(locked.scale),
    )
    for name, value in {
        "service": service,
        "year": year,
        "topic": topic,
        "audit_date": audit_date,
        "sample_size": sample_size,
        "grade_counts": counts,
        "strengths": strengths,
        "areas_for_development": areas_for_development,
        "themes": chosen,
    }.items():
        setattr(agency_audit, name, value)
    agency_audit.status = locked.status
    agency_audit.full_clean()
    stamp_actor(agency_audit, actor)
    agency_audit.save()
    return agency_audit


@transaction.atomic
def agency_audit_submit(*, agency_audit: AgencyAudit, actor: User | None) -> AgencyAudit:
    """Return the audit to the partnership. From now on it cannot be changed."""
    locked = AgencyAudit.objects.select_for_update().get(pk=agency_audit.pk)
    if locked.status != Status.DRAFT:
        raise ValidationError("This audit has already been submitted")
    agency_audit.status = Status.SUBMITTED
    agency_audit.submitted_at = timezone.now()
    stamp_actor(agency_audit, actor)
    agency_audit.save(update_fields=["status", "submitted_at", "updated_at"])
    return agency_audit


@transaction.atomic
def agency_audit_review(*, agency_audit: AgencyAudit, actor: User, notes: str) -> AgencyAudit:
    """The partnership's review of a submitted audit, with what it found."""
    locked = AgencyAudit.objects.select_for_update().get(pk=agency_audit.pk)
    if locked.status == Status.DRAFT:
        raise ValidationError("This audit has not been submitted yet, so it cannot be reviewed")
    if locked.status == Status.REVIEWED:
        raise ValidationError("This audit has already been reviewed")
    notes = notes.strip()
    if not notes:
        raise ValidationError({"review_notes": "Enter what the partnership's review found"})
    agency_audit.status = Status.REVIEWED
    agency_audit.reviewed_by = actor
    agency_audit.review_notes = notes
    stamp_actor(agency_audit, actor)
    agency_audit.save(update_fields=["status", "reviewed_by", "review_notes", "updated_at"])
    return agency_audit
