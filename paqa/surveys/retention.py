"""Retention: what people wrote in their own words in surveys, once old enough, is replaced by
a marker. Choices, numbers and the codes given to the words stay, so results and ranked themes
are unchanged."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from paqa.surveys.models import Answer, Question, Response


@transaction.atomic
def free_text_anonymise(*, before: date, marker: str, apply: bool) -> dict[str, int]:
    """Replace free-text answers of responses submitted (or, never submitted, started) before
    `before` with `marker`. With `apply` False, only count what would change."""
    old_responses = Response.objects.filter(
        Q(submitted_on__lt=before) | Q(submitted_on__isnull=True, started_on__lt=before)
    )
    answers = Answer.objects.filter(
        response__in=old_responses, question__kind=Question.Kind.TEXT
    ).exclude(value=marker)
    counts = {"survey free-text answers": answers.count()}
    if apply:
        answers.update(value=marker)
    return counts
