"""Writes for multi-agency case audits: set-up, cohort, sections, meeting, findings."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.actions.services import Action, action_create
from paqa.audits.identifiers import identifier_message, personal_identifier_in
from paqa.audits.models import (
    Audit,
    AuditTool,
    Case,
    CaseFeedback,
    CaseSection,
    Domain,
    DomainGrade,
    Finding,
    UnsafeFlag,
)
from paqa.audits.selectors import outstanding_sections
from paqa.core.access import Role
from paqa.core.history import stamp_actor
from paqa.core.taxonomy import canonical_themes
from paqa.partnership.models import Membership, Organisation

RECENT_AUDIT_DAYS = 365
CASE_FIELDS = {
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "legal_status": "Legal status",
}


def _refuse_identifiers(values: dict[str, str], labels: dict[str, str]) -> None:
    problems = {}
    for name, value in values.items():
        kind = personal_identifier_in(value or "")
        if kind:
            problems[name] = identifier_message(labels.get(name, name), kind)
    if problems:
        raise ValidationError(problems)


# Setting up -------------------------------------------------------------------------------


def _prefix(title: str) -> str:
    letters = "".join(word[0] for word in re.findall(r"[A-Za-z]+", title) if len(word) > 2)
    return (letters.upper() or "CA")[:4]


@transaction.atomic
def audit_create(
    *,
    title: str,
    theme: str,
    year: str,
    terms_of_reference: str,
    key_lines_of_enquiry: str,
    period_start: date,
    period_end: date,
    tool: AuditTool,
    lead: User,
    organisations: list[Organisation],
    themes: list[str],
    actor: User,
    sections_due: date | None = None,
) -> Audit:
    if period_end < period_start:
        raise ValidationError({"period_end": "The end of the period must be after its start"})
    if not organisations:
        raise ValidationError({"organisations": "Choose the organisations taking part"})
    audit = Audit(
        title=title.strip(),
        theme=theme.strip(),
        year=year,
        terms_of_reference=terms_of_reference.strip(),
        key_lines_of_enquiry=key_lines_of_enquiry.strip(),
        period_start=period_start,
        period_end=period_end,
        tool=tool,
        lead=lead,
        themes=canonical_themes(themes),
        reference_prefix=_prefix(title),
        sections_due=sections_due,
    )
    stamp_actor(audit, actor)
    audit.save()
    audit.organisations.set(organisations)
    return audit


@transaction.atomic
def audit_update(
    *,
    audit: Audit,
    title: str,
    theme: str,
    year: str,
    terms_of_reference: str,
    key_lines_of_enquiry: str,
    period_start: date,
    period_end: date,
    sections_due: date | None,
    themes: list[str],
    actor: User,
) -> Audit:
    """Change what the audit is about and when its sections are due. Its tool, organisations and
    cases' references stay as they were set up."""
    if period_end < period_start:
        raise ValidationError({"period_end": "The end of the period must be after its start"})
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    locked.title = title.strip()
    locked.theme = theme.strip()
    locked.year = year
    locked.terms_of_reference = terms_of_reference.strip()
    locked.key_lines_of_enquiry = key_lines_of_enquiry.strip()
    locked.period_start = period_start
    locked.period_end = period_end
    locked.sections_due = sections_due
    locked.themes = canonical_themes(themes)
    stamp_actor(locked, actor)
    locked.save()
    return locked


NEXT_STATUS = {
    Audit.Status.PLANNED: Audit.Status.COLLECTING,
    Audit.Status.COLLECTING: Audit.Status.MEETING,
    Audit.Status.MEETING: Audit.Status.REPORTING,
    Audit.Status.REPORTING: Audit.Status.COMPLETE,
}


def _sections(count: int) -> str:
    return f"{count} section{'' if count == 1 else 's'}"


def missing_sections_text(missing: list[dict[str, Any]]) -> str:
    """The sections outstanding, in words: "3 sections from Thames Valley Police"."""
    parts = [f"{_sections(int(item['sections']))} from {item['organisation']}" for item in missing]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@transaction.atomic
def audit_advance(*, audit: Audit, actor: User, reason: str = "") -> Audit:
    """Move the audit on a stage: planned → collecting → meeting → reporting → complete.

    The meeting is held once every organisation taking part has submitted its section of every
    case. A lead may hold it without some, recording why: the reason and the sections missing are
    kept on the audit (and in its history) and shown on its page."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    following = NEXT_STATUS.get(Audit.Status(locked.status))
    if following is None:
        raise ValidationError("This audit is complete")
    if following == Audit.Status.MEETING:
        missing = [
            {"organisation": item.organisation.name, "sections": item.sections}
            for item in outstanding_sections(audit=locked)
        ]
        reason = reason.strip()
        if missing:
            if not reason:
                raise ValidationError(
                    {
                        "reason": "Enter why the meeting is going ahead without "
                        + missing_sections_text(missing)
                    }
                )
            _refuse_identifiers({"reason": reason}, {"reason": "The reason"})
            locked.meeting_without_sections_reason = reason
            locked.meeting_missing_sections = missing
        else:
            locked.meeting_without_sections_reason = ""
            locked.meeting_missing_sections = []
    locked.status = following
    stamp_actor(locked, actor)
    locked.save()
    audit.status = locked.status
    audit.meeting_without_sections_reason = locked.meeting_without_sections_reason
    audit.meeting_missing_sections = locked.meeting_missing_sections
    return locked


# The cohort --------------------------------------------------------------------------------


def fingerprint(reference: str) -> str:
    """A keyed hash of an outside case reference: recognises a case again, reveals nothing."""
    normalised = re.sub(r"\s+", "", reference).upper()
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"paqa-audit-case:{normalised}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Selection:
    chosen: list[str]
    skipped_recent: list[str]
    duplicates: list[str]


def cases_select(
    *, references: list[str], count: int, seed: str, today: date | None = None
) -> Selection:
    """Pick `count` references at random (the same seed picks the same ones), skipping any
    audited in the last 12 months."""
    if count < 1:
        raise ValidationError({"count": "Choose at least 1 case"})
    seen: set[str] = set()
    unique, duplicates = [], []
    for reference in (r.strip() for r in references):
        if not reference:
            continue
        key = re.sub(r"\s+", "", reference).upper()
        if key in seen:
            duplicates.append(reference)
            continue
        seen.add(key)
        unique.append(reference)
    today = today or timezone.localdate()
    since = timezone.make_aware(
        datetime.combine(today - timedelta(days=RECENT_AUDIT_DAYS), datetime.min.time())
    )
    recent = set(
        Case.objects.filter(
            source_fingerprint__in=[fingerprint(r) for r in unique], created_at__gte=since
        ).values_list("source_fingerprint", flat=True)
    )
    skipped = [r for r in unique if fingerprint(r) in recent]
    eligible = sorted((r for r in unique if fingerprint(r) not in recent), key=str.upper)
    chosen = random.Random(seed).sample(eligible, min(count, len(eligible)))  # noqa: S311 - sampling, not security
    return Selection(chosen=chosen, skipped_recent=skipped, duplicates=duplicates)


@transaction.atomic
def case_add(
    *,
    audit: Audit,
    actor: User,
    lead_organisation: Organisation | None = None,
    source_reference: str = "",
    **fields: str,
) -> Case:
    """Add a case with a reference PAQA makes up, and a section for each organisation."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown case fields: {', '.join(sorted(unknown))}")
    _refuse_identifiers(fields, CASE_FIELDS)
    number = audit.cases.count() + 1
    reference = f"{audit.reference_prefix}-{audit.year[:4]}-{number:02d}"
    while Case.objects.filter(reference=reference).exists():
        number += 1
        reference = f"{audit.reference_prefix}-{audit.year[:4]}-{number:02d}"
    case = Case(
        audit=audit,
        reference=reference,
        source_fingerprint=fingerprint(source_reference) if source_reference.strip() else "",
        lead_organisation=lead_organisation,
        **{name: value.strip() for name, value in fields.items()},
    )
    stamp_actor(case, actor)
    case.save()
    for organisation in audit.organisations.all():
        section = CaseSection(case=case, organisation=organisation)
        stamp_actor(section, actor)
        section.save()
    return case


@transaction.atomic
def cases_add_selected(
    *, audit: Audit, actor: User, references: list[str]
) -> list[tuple[str, Case]]:
    """Add the chosen cases, all or none. Gives each outside reference beside its case, for the
    lead's key; PAQA keeps only each reference's fingerprint."""
    return [
        (reference, case_add(audit=audit, actor=actor, source_reference=reference))
        for reference in references
    ]


@transaction.atomic
def case_update(
    *, case: Case, actor: User, lead_organisation: Organisation | None, **fields: str
) -> Case:
    _refuse_identifiers(fields, CASE_FIELDS)
    for name, value in fields.items():
        if name in CASE_FIELDS:
            setattr(case, name, value.strip())
    case.lead_organisation = lead_organisation
    stamp_actor(case, actor)
    case.save()
    return case


# Sections ------------------------------------------------------------------------------------


class SectionConflict(Exception):
    """The section was saved by someone else since this form was opened."""


@transaction.atomic
def section_assign(*, section: CaseSection, auditors: list[User], actor: User) -> CaseSection:
    allowed = set(
        Membership.objects.filter(
            organisation=section.organisation,
            role__in=[Role.AUDITOR, Role.AGENCY_LEAD],
            archived_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    strangers = [user for user in auditors if user.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"auditors": f"Only auditors of {section.organisation.name} can be assigned"}
        )
    section.auditors.set(auditors)
    stamp_actor(section, actor)
    section.save()
    return section


def _answer_labels(section: CaseSection) -> dict[str, str]:
    return {
        f"q{question.pk}": question.text
        for domain in section.case.audit.tool.domains.prefetch_related("questions")
        for question in domain.questions.all()
    }


@transaction.atomic
def section_save(
    *,
    section: CaseSection,
    actor: User,
    answers: dict[str, str],
    summary: str,
    based_on_version: int,
) -> CaseSection:
    locked = CaseSection.objects.select_for_update().get(pk=section.pk)
    if locked.status == CaseSection.Status.SUBMITTED:
        raise ValidationError("This section has been submitted, so it cannot be changed")
    if locked.version != based_on_version:
        raise SectionConflict
    _refuse_identifiers(
        {**answers, "summary": summary}, {**_answer_labels(locked), "summary": "The summary"}
    )
    locked.answers = answers
    locked.summary = summary.strip()
    locked.version += 1
    stamp_actor(locked, actor)
    locked.save()
    return locked


@transaction.atomic
def section_submit(*, section: CaseSection, actor: User) -> CaseSection:
    if section.status == CaseSection.Status.SUBMITTED:
        raise ValidationError("This section has already been submitted")
    if not section.summary.strip():
        raise ValidationError("Write the summary of your agency's practice before submitting")
    section.status = CaseSection.Status.SUBMITTED
    section.submitted_at = timezone.now()
    section.submitted_by = actor
    stamp_actor(section, actor)
    section.save()
    return section


# The audit meeting --------------------------------------------------------------------------


def grading_open(*, audit: Audit) -> None:
    """Grades are agreed at the audit meeting: refused before it, and once it is over."""
    if audit.status == Audit.Status.MEETING:
        return
    if audit.status in (Audit.Status.PLANNED, Audit.Status.COLLECTING):
        raise ValidationError(
            "Grades are agreed at the audit meeting. This audit is at the stage "
            f"‘{audit.get_status_display()}’: move it on to the audit meeting first"
        )
    raise ValidationError(
        f"The audit meeting is over (this audit is at the stage ‘{audit.get_status_display()}’), "
        "so its grades can no longer be changed"
    )


@transaction.atomic
def grade_record(
    *,
    case: Case,
    domain: Domain,
    grade: str,
    actor: User,
    moderation_notes: str = "",
    dissent: str = "",
) -> DomainGrade:
    grading_open(audit=Audit.objects.select_for_update().get(pk=case.audit_id))
    levels = set(case.audit.tool.scale.levels.values_list("code", flat=True))
    if grade not in levels:
        raise ValidationError({"grade": "Choose a grade from the scale"})
    _refuse_identifiers(
        {"moderation_notes": moderation_notes, "dissent": dissent},
        {"moderation_notes": "The moderation notes", "dissent": "The dissent"},
    )
    record = DomainGrade.objects.filter(case=case, domain=domain).first() or DomainGrade(
        case=case, domain=domain
    )
    record.grade = grade
    record.moderation_notes = moderation_notes.strip()
    record.dissent = dissent.strip()
    stamp_actor(record, actor)
    record.save()
    return record


def _unsafe_recipients(case: Case) -> list[str]:
    leads: set[str] = {case.audit.lead.email}
    if case.lead_organisation_id:
        leads.update(
            Membership.objects.filter(
                organisation_id=case.lead_organisation_id,
                role=Role.AGENCY_LEAD,
                archived_at__isnull=True,
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
    return sorted(leads)


@transaction.atomic
def unsafe_flag_raise(*, case: Case, actor: User, reason: str) -> UnsafeFlag:
    """Flag a case as unsafe: the partnership's audit lead and the case's lead organisation are
    told at once, and the flag is kept until someone resolves it with a note."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is unsafe"})
    _refuse_identifiers({"reason": reason}, {"reason": "The reason"})
    recipients = _unsafe_recipients(case)
    flag = UnsafeFlag(
        case=case, raised_by=actor, reason=reason.strip(), notified=", ".join(recipients)
    )
    stamp_actor(flag, actor)
    flag.save()
    subject = f"Unsafe case in audit: {case.reference}"
    body = (
        f"{actor.full_name} has flagged case {case.reference} in the audit '{case.audit.title}' as "
        f"unsafe.\n\nReason: {flag.reason}\n\nAct on it now through your own case records. The "
        "flag stays open in PAQA until it is resolved with a note of what was done.\n"
    )
    transaction.on_commit(partial(send_mail, subject, body, None, recipients))
    return flag


@transaction.atomic
def unsafe_flag_resolve(*, flag: UnsafeFlag, actor: User, resolution: str) -> UnsafeFlag:
    if flag.resolved_at is not None:
        raise ValidationError("This flag has already been resolved")
    if not resolution.strip():
        raise ValidationError({"resolution": "Record what was done to make the child safe"})
    _refuse_identifiers({"resolution": resolution}, {"resolution": "The resolution"})
    flag.resolution = resolution.strip()
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    stamp_actor(flag, actor)
    flag.save()
    return flag


@transaction.atomic
def feedback_add(*, case: Case, from_whom: str, summary: str, actor: User) -> CaseFeedback:
    if not summary.strip():
        raise ValidationError({"summary": "Enter what they said"})
    _refuse_identifiers({"summary": summary}, {"summary": "The feedback"})
    feedback = CaseFeedback(
        case=case, from_whom=from_whom, summary=summary.strip(), recorded_by=actor
    )
    stamp_actor(feedback, actor)
    feedback.save()
    return feedback


# Findings and actions ------------------------------------------------------------------------


@transaction.atomic
def finding_add(
    *,
    audit: Audit,
    kind: str,
    text: str,
    actor: User,
    domain: Domain | None = None,
    themes: list[str] | None = None,
    cases: list[Case] | None = None,
) -> Finding:
    if not text.strip():
        raise ValidationError({"text": "Describe the finding"})
    _refuse_identifiers({"text": text}, {"text": "The finding"})
    finding = Finding(audit=audit, kind=kind, domain=domain, text=text.strip(), themes=themes or [])
    stamp_actor(finding, actor)
    finding.save()
    if cases:
        finding.cases.set(cases)
    return finding


def finding_action(
    *,
    finding: Finding,
    owner_organisation: Organisation,
    title: str,
    owner_name: str,
    due_date: date | None,
    actor: User,
) -> Action:
    """A recommendation from a finding, tracked to completion in the shared action plan."""
    return action_create(
        owner_organisation=owner_organisation,
        title=title,
        owner_name=owner_name,
        due_date=due_date,
        source_key=finding.action_source_key,
        source_label=f"{finding.audit}: {finding.text[:120]}",
        source_url=f"/audits/{finding.audit_id}/#finding-{finding.pk}",
        actor=actor,
    )
