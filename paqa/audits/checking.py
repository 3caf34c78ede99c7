"""Check your answers before submitting: the token that ties a submission to the page checked.

An organisation's section of a case and an agency's own audit return are submitted from a
"Check your answers" page. That page carries a signed token: a fingerprint of exactly what it
showed (the record, its version or time of change, and every answer), for the person who looked
at it. Submitting verifies the token against the record as it is now, with the record locked: a
missing token (or one this page did not make) means the answers were not checked, a different
fingerprint that the record changed since they were. Either way nothing is submitted and the
person checks again. The record's own rules (a summary written, not already submitted) refuse a
submission as they always have.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from typing import Any

from django.core import signing
from django.db import transaction

from paqa.accounts.models import User
from paqa.audits import agency_services, services
from paqa.audits.models import AgencyAudit, CaseSection

SALT = "paqa.audits.check-answers"
SECTION = "section"
AGENCY_AUDIT = "agency-audit"


class Checked(enum.Enum):
    """What a submitted token says about the record."""

    VALID = "valid"
    MISSING = "missing"  # no token, or not one the check page made: the answers were not checked
    STALE = "stale"  # checked, but the record has changed since


MESSAGES = {
    SECTION: {
        Checked.MISSING: "Check your answers before you submit your section",
        Checked.STALE: "Your section changed since you checked it. Check your answers again "
        "before you submit it",
    },
    AGENCY_AUDIT: {
        Checked.MISSING: "Check your answers before you submit the audit",
        Checked.STALE: "The audit changed since you checked it. Check your answers again "
        "before you submit it",
    },
}


def _when(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _hash(state: dict[str, Any]) -> str:
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def section_fingerprint(section: CaseSection) -> str:
    """A hash of everything the section's check page shows and its submission sends."""
    return _hash(
        {
            "section": section.pk,
            "case": section.case_id,
            "organisation": section.organisation_id,
            "status": section.status,
            "version": section.version,
            "answers": section.answers,
            "summary": section.summary,
            "updated_at": _when(section.updated_at),
        }
    )


def agency_audit_fingerprint(agency_audit: AgencyAudit) -> str:
    """A hash of everything the return's check page shows and its submission sends."""
    return _hash(
        {
            "agency_audit": agency_audit.pk,
            "status": agency_audit.status,
            "organisation": agency_audit.organisation_id,
            "service": agency_audit.service_id,
            "year": agency_audit.year,
            "topic": agency_audit.topic,
            "audit_date": _when(agency_audit.audit_date),
            "sample_size": agency_audit.sample_size,
            "grade_counts": agency_audit.grade_counts,
            "strengths": agency_audit.strengths,
            "areas_for_development": agency_audit.areas_for_development,
            "themes": agency_audit.themes,
            "updated_at": _when(agency_audit.updated_at),
        }
    )


def _token(kind: str, pk: int, user: Any, shown: str) -> str:
    return signing.dumps({"kind": kind, "pk": pk, "user": user.pk, "shown": shown}, salt=SALT)


def _verify(kind: str, pk: int, user: Any, token: str | None, now: str) -> Checked:
    if not token:
        return Checked.MISSING
    try:
        shown = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return Checked.MISSING
    if (
        not isinstance(shown, dict)
        or shown.get("kind") != kind
        or shown.get("pk") != pk
        or shown.get("user") != user.pk
        or not isinstance(shown.get("shown"), str)
    ):
        return Checked.MISSING
    if not hmac.compare_digest(shown["shown"], now):
        return Checked.STALE
    return Checked.VALID


# A section of a case -----------------------------------------------------------------------------


def section_check_token(*, section: CaseSection, user: Any) -> str:
    """The token the section's check page sends with its form."""
    return _token(SECTION, section.pk, user, section_fingerprint(section))


def section_check_verify(*, section: CaseSection, user: Any, token: str | None) -> Checked:
    return _verify(SECTION, section.pk, user, token, section_fingerprint(section))


@transaction.atomic
def section_submit_checked(
    *, section: CaseSection, actor: User, token: str | None
) -> tuple[Checked, CaseSection]:
    """Submit the section only if it is exactly as its check page showed it to `actor`.

    The section is locked first, so nothing changes between the comparison and the submission.
    Anything but Checked.VALID submits nothing; the service's own refusals raise ValidationError.
    """
    locked = CaseSection.objects.select_for_update().get(pk=section.pk)
    checked = section_check_verify(section=locked, user=actor, token=token)
    if checked is Checked.VALID:
        locked = services.section_submit(section=locked, actor=actor)
    return checked, locked


# An agency's own audit return ---------------------------------------------------------------------


def agency_audit_check_token(*, agency_audit: AgencyAudit, user: Any) -> str:
    """The token the return's check page sends with its form."""
    return _token(AGENCY_AUDIT, agency_audit.pk, user, agency_audit_fingerprint(agency_audit))


def agency_audit_check_verify(
    *, agency_audit: AgencyAudit, user: Any, token: str | None
) -> Checked:
    return _verify(
        AGENCY_AUDIT, agency_audit.pk, user, token, agency_audit_fingerprint(agency_audit)
    )


@transaction.atomic
def agency_audit_submit_checked(
    *, agency_audit: AgencyAudit, actor: User, token: str | None
) -> tuple[Checked, AgencyAudit]:
    """Submit the return only if it is exactly as its check page showed it to `actor` (locked
    first, as above). Anything but Checked.VALID submits nothing."""
    locked = AgencyAudit.objects.select_for_update().get(pk=agency_audit.pk)
    checked = agency_audit_check_verify(agency_audit=locked, user=actor, token=token)
    if checked is Checked.VALID:
        locked = agency_services.agency_audit_submit(agency_audit=locked, actor=actor)
    return checked, locked
