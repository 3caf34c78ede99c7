"""Check your answers before sending an impact-assessment return: the token that ties sending
to the page checked.

The check page carries a signed token: a fingerprint of exactly what it showed (each visible
question's wording and answer, page by page) and of what sending sends (every stored answer, the
return's status, the questionnaire's version), for the person who looked at it. Sending verifies
the token against the return as it is now: a missing token means the answers were not checked, a
different fingerprint that the return changed since they were (a colleague saved a page, the
questionnaire was edited). Either way nothing is sent and the person checks again.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import json
from typing import Any

from django.core import signing
from django.db import transaction

from paqa.accounts.models import User
from paqa.surveys import selectors, services
from paqa.surveys.impact import ImpactReturn
from paqa.surveys.models import Response, Survey

SALT = "paqa.surveys.impact-check-answers"


class Checked(enum.Enum):
    """What a sent token says about the return."""

    VALID = "valid"
    MISSING = "missing"  # no token, or not one the check page made: the answers were not checked
    STALE = "stale"  # checked, but the return has changed since


MESSAGES = {
    Checked.MISSING: "Check your answers before you send the return",
    Checked.STALE: "Your answers changed since you checked them. Check them again before you "
    "send the return",
}


def fingerprint(*, impact_return: ImpactReturn, user: Any) -> str:
    """A hash of everything the check page shows and sending sends."""
    response = impact_return.response
    stored = [
        [question_id, json.dumps(value, sort_keys=True, ensure_ascii=False)]
        for question_id, value in response.answers.order_by("question_id").values_list(
            "question_id", "value"
        )
    ]
    shown = [
        [part.number, part.page.pk, part.page.title, [[q.pk, q.text, a] for q, a in part.items]]
        for part in selectors.return_summary(user=user, impact_return=impact_return)
    ]
    state = {
        "response": response.pk,
        "status": response.status,
        "survey": impact_return.survey.pk,
        "version": Survey.objects.values_list("version", flat=True).get(pk=impact_return.survey.pk),
        "stored": stored,
        "shown": shown,
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def check_token(*, impact_return: ImpactReturn, user: Any) -> str:
    """The token the check page sends with its form."""
    return signing.dumps(
        {
            "response": impact_return.response.pk,
            "user": user.pk,
            "shown": fingerprint(impact_return=impact_return, user=user),
        },
        salt=SALT,
    )


def check_token_verify(*, impact_return: ImpactReturn, user: Any, token: str | None) -> Checked:
    """Is the token from a check page of this return, shown to this user, as it is now?"""
    if not token:
        return Checked.MISSING
    try:
        shown = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return Checked.MISSING
    if (
        not isinstance(shown, dict)
        or shown.get("response") != impact_return.response.pk
        or shown.get("user") != user.pk
        or not isinstance(shown.get("shown"), str)
    ):
        return Checked.MISSING
    if not hmac.compare_digest(shown["shown"], fingerprint(impact_return=impact_return, user=user)):
        return Checked.STALE
    return Checked.VALID


@transaction.atomic
def impact_return_submit_checked(
    *, impact_return: ImpactReturn, actor: User, token: str | None
) -> Checked:
    """Send the return only if it is exactly as the check page showed it to `actor`.

    The response is locked first, so nothing is saved between the comparison and the sending.
    Anything but Checked.VALID sends nothing; the service's own refusals (a required question
    unanswered, the survey closed) raise ValidationError as ever.
    """
    locked = Response.objects.select_for_update().get(pk=impact_return.response.pk)
    current = dataclasses.replace(impact_return, response=locked)
    checked = check_token_verify(impact_return=current, user=actor, token=token)
    if checked is Checked.VALID:
        services.impact_return_submit(impact_return=current, actor=actor)
    return checked
