"""`paqa retention`: words about individual children's cases and survey free text are kept only
for the configured years (PAQA_RETENTION_AUDIT_CASE_YEARS, PAQA_RETENTION_SURVEY_TEXT_YEARS);
older ones are replaced by a marker. Statutory returns' pseudonymous child records are deleted
PAQA_RETENTION_RETURN_YEARS after their collection year. Dry run unless applied; every run is
recorded and logged."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paqa.audits.retention import case_words_anonymise
from paqa.operations.models import RetentionRun
from paqa.returns.services import returns_delete_expired
from paqa.surveys.retention import free_text_anonymise

logger = logging.getLogger("paqa.retention")


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@transaction.atomic
def retention_run(*, apply: bool, today: date | None = None) -> RetentionRun:
    today = today or timezone.localdate()
    audit_cutoff = _years_before(today, settings.PAQA_RETENTION_AUDIT_CASE_YEARS)
    survey_cutoff = _years_before(today, settings.PAQA_RETENTION_SURVEY_TEXT_YEARS)
    marker = f"[Removed on {today.isoformat()} under the retention policy]"
    counts = {
        **case_words_anonymise(
            before=timezone.make_aware(datetime.combine(audit_cutoff, time.min)),
            marker=marker,
            apply=apply,
        ),
        **free_text_anonymise(before=survey_cutoff, marker=marker, apply=apply),
        **returns_delete_expired(today=today, apply=apply),
    }
    run = RetentionRun.objects.create(
        applied=apply,
        cutoffs={
            "case audits started before": audit_cutoff.isoformat(),
            "survey answers given before": survey_cutoff.isoformat(),
            "statutory returns' child records kept until": (
                f"{settings.PAQA_RETENTION_RETURN_YEARS} years after their collection year"
            ),
        },
        counts=counts,
    )
    logger.info(
        "Retention %s: %s",
        "applied" if apply else "dry run",
        ", ".join(f"{kind} {count}" for kind, count in counts.items()),
    )
    return run
