"""`paqa retention`: old case-level audit words and survey free text are replaced by a marker
(dry run first), history included; figures, grades and codes stay."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from paqa.audits.models import Case, CaseSection, DomainGrade
from paqa.operations.models import RetentionRun
from paqa.operations.retention import retention_run
from paqa.surveys.models import Answer, AnswerCode, Response

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def _age_everything(demo_cases_days: int) -> None:
    Case.objects.update(created_at=timezone.now() - timedelta(days=demo_cases_days))


def test_a_dry_run_counts_and_changes_nothing(demo):
    _age_everything(7 * 365)
    before = list(Answer.objects.order_by("pk").values_list("value", flat=True))
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert "dry run" in out.getvalue()
    run = RetentionRun.objects.get()
    assert run.applied is False
    assert run.counts["survey free-text answers"] > 1000
    assert run.counts["case audit sections"] > 0
    assert list(Answer.objects.order_by("pk").values_list("value", flat=True)) == before


def test_applying_replaces_old_words_everywhere_and_keeps_the_figures(demo):
    _age_everything(7 * 365)
    section = CaseSection.objects.exclude(summary="").first()
    assert section is not None
    old_summary = section.summary
    grades_before = list(DomainGrade.objects.order_by("pk").values_list("grade", flat=True))
    codes_before = AnswerCode.objects.count()
    run = retention_run(apply=True, today=TODAY)
    marker = "[Removed on 2026-11-26 under the retention policy]"
    section.refresh_from_db()
    assert section.summary == marker
    assert all(old.summary in ("", marker) for old in CaseSection.history.filter(id=section.pk))
    assert not CaseSection.history.filter(summary=old_summary).exists()
    assert list(DomainGrade.objects.order_by("pk").values_list("grade", flat=True)) == grades_before
    text_answers = Answer.objects.filter(
        question__kind="text", response__submitted_on__lt=date(2023, 11, 26)
    )
    assert text_answers.exists()
    assert set(text_answers.values_list("value", flat=True)) == {marker}
    assert AnswerCode.objects.count() == codes_before  # the ranked themes stay
    choice = Answer.objects.filter(question__code="trained-3-years").first()
    assert choice.value in ("Yes", "No")
    again = retention_run(apply=True, today=TODAY)
    assert set(again.counts.values()) == {0}  # nothing left to change
    assert run.applied
    assert RetentionRun.objects.count() == 2


def test_words_younger_than_the_period_are_kept(demo):
    before = list(Answer.objects.order_by("pk").values_list("value", flat=True))
    # Three years before 1 January 2019 is 2016: every demo answer is younger.
    run = retention_run(apply=True, today=date(2019, 1, 1))
    assert set(run.counts.values()) == {0}
    assert list(Answer.objects.order_by("pk").values_list("value", flat=True)) == before
    assert Response.objects.filter(submitted_on__lt=date(2016, 1, 1)).count() == 0
