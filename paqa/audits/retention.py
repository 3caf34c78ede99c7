"""Retention: the words recorded about individual children's cases, once old enough, are
replaced by a marker. Grades, yes/no answers, findings and themes stay, so the audit's figures
and learning are unchanged; the history of each record loses the same words."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from paqa.audits.models import Case, CaseFeedback, CaseSection, DomainGrade, Question, UnsafeFlag


def _free_text_keys() -> set[str]:
    return {
        f"q{pk}"
        for pk in Question.objects.filter(answer_type=Question.AnswerType.TEXT).values_list(
            "pk", flat=True
        )
    }


def _scrubbed_answers(answers: dict[str, object], keys: set[str], marker: str) -> dict[str, object]:
    return {
        key: (marker if (key in keys or key == "summary") and value else value)
        for key, value in (answers or {}).items()
    }


@transaction.atomic
def case_words_anonymise(*, before: datetime, marker: str, apply: bool) -> dict[str, int]:
    """Replace the free text of cases that entered an audit before `before` with `marker`.
    With `apply` False, only count what would change. Returns counts by kind of record."""
    cases = Case.objects.filter(created_at__lt=before)
    keys = _free_text_keys()
    sections = CaseSection.objects.filter(case__in=cases)
    changed_sections = [
        section
        for section in sections.only("pk", "answers", "summary")
        if section.summary != marker
        and (section.summary or _scrubbed_answers(section.answers, keys, marker) != section.answers)
    ]
    feedback = CaseFeedback.objects.filter(case__in=cases).exclude(summary=marker)
    flags = UnsafeFlag.objects.filter(case__in=cases).exclude(reason=marker)
    grades = DomainGrade.objects.filter(case__in=cases).filter(
        (Q(moderation_notes__gt="") & ~Q(moderation_notes=marker)) | Q(dissent__gt="")
    )
    counts = {
        "case audit sections": len(changed_sections),
        "family feedback": feedback.count(),
        "unsafe-case flags": flags.count(),
        "grade notes": grades.count(),
    }
    if not apply:
        return counts
    for section in changed_sections:
        scrubbed = _scrubbed_answers(section.answers, keys, marker)
        summary = marker if section.summary else ""
        CaseSection.objects.filter(pk=section.pk).update(answers=scrubbed, summary=summary)
        for old in CaseSection.history.filter(id=section.pk):
            old.answers = _scrubbed_answers(old.answers, keys, marker)
            old.summary = marker if old.summary else ""
            old.save(update_fields=["answers", "summary"])
    feedback_ids = list(feedback.values_list("pk", flat=True))
    feedback.update(summary=marker)
    CaseFeedback.history.filter(id__in=feedback_ids).update(summary=marker)
    flag_ids = list(flags.values_list("pk", flat=True))
    flags.update(reason=marker, notified=marker, resolution=marker)
    UnsafeFlag.history.filter(id__in=flag_ids).update(
        reason=marker, notified=marker, resolution=marker
    )
    grade_ids = list(grades.values_list("pk", flat=True))
    grades.update(moderation_notes=marker, dissent="")
    DomainGrade.history.filter(id__in=grade_ids).update(moderation_notes=marker, dissent="")
    return counts
