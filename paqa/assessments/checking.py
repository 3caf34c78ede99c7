"""Check your answers before submitting: the token that ties a submission to the page checked.

The check page carries a signed token: a fingerprint of exactly what it showed (the return's
status and sign-off, each standard's rating, evidence, example, version and time of change, and
the documents attached), for the person who looked at it. Submitting verifies the token against
the return as it is now: a missing token means the answers were not checked, a different
fingerprint that the return changed since they were (someone saved an answer, signed off again,
attached a document). Either way nothing is submitted and the person checks again.
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
from paqa.assessments import services
from paqa.assessments.models import Answer, Return

SALT = "paqa.assessments.check-answers"


class Checked(enum.Enum):
    """What a submitted token says about the return."""

    VALID = "valid"
    MISSING = "missing"  # no token, or not one this page made: the answers were not checked
    STALE = "stale"  # checked, but the return has changed since


MESSAGES = {
    Checked.MISSING: "Check your answers before you submit the return",
    Checked.STALE: "Your answers changed since you checked them. Check them again before you "
    "submit the return",
}


def _when(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def fingerprint(assessment_return: Return) -> str:
    """A hash of everything the check page shows and the submission sends."""
    answers = [
        [
            answer.pk,
            answer.standard_id,
            answer.rating,
            answer.evidence,
            answer.example,
            answer.version,
            _when(answer.updated_at),
        ]
        for answer in assessment_return.answers.order_by("pk")
    ]
    documents = [
        [attachment.pk, attachment.standard_id, attachment.name]
        for attachment in assessment_return.attachments.filter(archived_at__isnull=True).order_by(
            "pk"
        )
    ]
    state = {
        "return": assessment_return.pk,
        "status": assessment_return.status,
        "signed_off_by": assessment_return.signed_off_by_id,
        "signed_off_role": assessment_return.signed_off_role,
        "signed_off_at": _when(assessment_return.signed_off_at),
        "answers": answers,
        "documents": documents,
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def check_token(*, assessment_return: Return, user: Any) -> str:
    """The token the check page sends with its form."""
    return signing.dumps(
        {"return": assessment_return.pk, "user": user.pk, "shown": fingerprint(assessment_return)},
        salt=SALT,
    )


def check_token_verify(*, assessment_return: Return, user: Any, token: str | None) -> Checked:
    """Is the token from a check page of this return, shown to this user, as it is now?"""
    if not token:
        return Checked.MISSING
    try:
        shown = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return Checked.MISSING
    if (
        not isinstance(shown, dict)
        or shown.get("return") != assessment_return.pk
        or shown.get("user") != user.pk
        or not isinstance(shown.get("shown"), str)
    ):
        return Checked.MISSING
    if not hmac.compare_digest(shown["shown"], fingerprint(assessment_return)):
        return Checked.STALE
    return Checked.VALID


@transaction.atomic
def return_submit_checked(*, assessment_return: Return, actor: User, token: str | None) -> Checked:
    """Submit the return only if it is exactly as the check page showed it to `actor`.

    The return and its answers are locked first, so nothing changes between the comparison and
    the submission. Anything but Checked.VALID submits nothing; the service's own refusals
    (not signed off, a standard incomplete, already submitted) raise ValidationError as ever.
    """
    locked = Return.objects.select_for_update().get(pk=assessment_return.pk)
    list(Answer.objects.select_for_update().filter(assessment_return=locked).values_list("pk"))
    checked = check_token_verify(assessment_return=locked, user=actor, token=token)
    if checked is Checked.VALID:
        services.return_submit(assessment_return=locked, actor=actor)
    return checked
