"""The demonstration's audits: this reporting year's work in progress (a multi-agency audit
collecting sections, with Ade Auditor's due in ten days; Thames Valley Police's own audits, one
a draft and one waiting for review), all labelled as demonstration data, beside the reference
year's audits, which keep their figures."""

from collections import Counter
from datetime import date, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from paqa.accounts.models import User
from paqa.audits import demo as audits_demo
from paqa.audits.agency_forms import current_year
from paqa.audits.models import AgencyAudit, Audit, CaseSection, DomainGrade

pytestmark = pytest.mark.django_db

HEALTH = "Oxford Health NHS Foundation Trust"
POLICE = "Thames Valley Police"


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 3, 31), "2025-26"),
        (date(2026, 4, 1), "2026-27"),
        (date(2026, 12, 8), "2026-27"),
        (date(2099, 5, 1), "2099-00"),
    ],
)
def test_the_reporting_year_is_the_financial_year_today_falls_in(today, year):
    with mock.patch("paqa.audits.agency_forms.timezone.localdate", return_value=today):
        assert current_year() == year


def _today_audit() -> Audit:
    return Audit.objects.get(title=audits_demo.TODAY_TITLE)


def test_this_years_audit_is_collecting_sections_from_the_auditor(demo):
    audit = _today_audit()
    assert audit.year == current_year()
    assert audit.status == Audit.Status.COLLECTING
    assert audit.sections_due == timezone.localdate() + timedelta(days=10)
    assert HEALTH in set(audit.organisations.values_list("name", flat=True))
    assert audit.terms_of_reference.startswith("Demonstration: ")
    assert audit.key_lines_of_enquiry.startswith("Demonstration: ")

    auditor = User.objects.get(email="auditor@demo.example")
    health = CaseSection.objects.filter(case__audit=audit, organisation__name=HEALTH)
    assert 3 <= health.count() <= 4
    for section in health:
        assert section.status == CaseSection.Status.DRAFT
        assert list(section.auditors.all()) == [auditor]
    others = Counter(
        CaseSection.objects.filter(case__audit=audit)
        .exclude(organisation__name=HEALTH)
        .values_list("status", flat=True)
    )
    assert others[CaseSection.Status.SUBMITTED] > 0
    assert others[CaseSection.Status.DRAFT] > 0
    for section in CaseSection.objects.filter(
        case__audit=audit, status=CaseSection.Status.SUBMITTED
    ):
        assert section.summary.startswith("Demonstration: ")
    assert not DomainGrade.objects.filter(case__audit=audit).exists()


def test_the_police_have_a_draft_and_a_return_waiting_for_review_this_year(demo):
    returns = AgencyAudit.objects.filter(organisation__name=POLICE, year=current_year())
    assert sorted(returns.values_list("status", flat=True)) == ["draft", "submitted"]
    for agency_audit in returns:
        assert agency_audit.topic.endswith("(demonstration)")
        assert agency_audit.strengths.startswith("Demonstration: ")
        assert agency_audit.reviewed_by is None
        assert sum(agency_audit.grade_counts.values()) == agency_audit.sample_size


def test_the_reference_years_audits_keep_their_figures(demo):
    audits = list(Audit.objects.filter(year="2018-19").order_by("pk"))
    assert [audit.title for audit in audits] == [entry.title for entry in audits_demo.AUDITS]
    assert [audit.status for audit in audits] == ["complete", "complete", "reporting"]
    for audit, entry in zip(audits, audits_demo.AUDITS, strict=True):
        grades = DomainGrade.objects.filter(case__audit=audit, domain__code="overall")
        assert Counter(grades.values_list("grade", flat=True)) == Counter(entry.grades)
        assert audit.meeting_without_sections_reason == ""  # every section was in
        # Taken through its stages, one at a time, as a lead would.
        stages = list(audit.history.order_by("history_id").values_list("status", flat=True))
        assert list(dict.fromkeys(stages))[:4] == ["planned", "collecting", "meeting", "reporting"]
    returned = AgencyAudit.objects.filter(year="2018-19")
    assert returned.count() == 10
    assert set(returned.values_list("status", flat=True)) == {"reviewed"}


def test_the_auditor_sees_when_their_sections_are_due(demo, client_for):
    audit = _today_audit()
    auditor = User.objects.get(email="auditor@demo.example")
    client = client_for(auditor)
    due = f"{audit.sections_due:%-d %B %Y}"
    assert due in client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    section = CaseSection.objects.filter(case__audit=audit, organisation__name=HEALTH).first()
    page = client.get(reverse("audits:section", args=[section.pk])).content.decode()
    assert f"Sections are due by <strong>{due}</strong>" in page
    assert "Save and check your answers" in page
    home = client.get(reverse("audits:home")).content.decode()
    assert f"{audits_demo.TODAY_TITLE}, {HEALTH} (due by {due})" in home
    lead = client_for(User.objects.get(email="paqa@demo.example"))
    page = lead.get(reverse("audits:advance", args=[audit.pk])).content.decode()
    assert "Sections still to be submitted" in page
    assert HEALTH in page
