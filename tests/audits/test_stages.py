"""An audit's stages: the meeting waits for every organisation's sections unless a lead records
why it goes ahead without them (kept in history, shown on the audit's page); grades are agreed
at the meeting and nowhere else; the date sections are due by is set, changed and shown."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from paqa.audits.models import Audit, CaseSection, Domain, DomainGrade
from paqa.audits.services import (
    audit_advance,
    case_add,
    grade_record,
    section_save,
    section_submit,
)

pytestmark = pytest.mark.django_db

REASON = "Health records were held up by a system change; health will report at the meeting."


def _submit(section: CaseSection, actor) -> CaseSection:
    section = section_save(
        section=section,
        actor=actor,
        answers={},
        summary="Our records were reviewed",
        based_on_version=section.version,
    )
    return section_submit(section=section, actor=actor)


def _collecting(audit: Audit, actor) -> Audit:
    return audit_advance(audit=audit, actor=actor)


def _overall(audit: Audit) -> Domain:
    return Domain.objects.get(tool=audit.tool, code="overall")


# The meeting waits for the sections -------------------------------------------------------------


def test_the_meeting_waits_for_every_section_unless_a_reason_is_recorded(cast, audit, case):
    second = case_add(audit=audit, actor=cast.paqa_member, age_band="10-15")
    _collecting(audit, cast.paqa_member)
    _submit(case.sections.get(organisation=cast.agency), cast.agency_lead)

    with pytest.raises(ValidationError) as refused:
        audit_advance(audit=audit, actor=cast.paqa_member)
    assert refused.value.message_dict["reason"] == [
        "Enter why the meeting is going ahead without 2 sections from Health Agency and "
        "1 section from Police Agency"
    ]
    with pytest.raises(ValidationError):
        audit_advance(audit=audit, actor=cast.paqa_member, reason="   ")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COLLECTING

    audit = audit_advance(audit=audit, actor=cast.paqa_member, reason=REASON)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.MEETING
    assert audit.meeting_without_sections_reason == REASON
    assert audit.meeting_missing_sections == [
        {"organisation": "Health Agency", "sections": 2},
        {"organisation": "Police Agency", "sections": 1},
    ]
    latest = audit.history.latest()
    assert (latest.status, latest.meeting_without_sections_reason) == ("meeting", REASON)
    assert latest.history_user == cast.paqa_member
    assert latest.meeting_missing_sections == audit.meeting_missing_sections
    earlier = audit.history.filter(status=Audit.Status.COLLECTING).earliest()
    assert earlier.meeting_without_sections_reason == ""
    assert second.sections.filter(status=CaseSection.Status.DRAFT).count() == 2


def test_with_every_section_in_the_meeting_needs_no_reason(cast, audit, case):
    _collecting(audit, cast.paqa_member)
    _submit(case.sections.get(organisation=cast.agency), cast.agency_lead)
    _submit(case.sections.get(organisation=cast.other_agency), cast.other_agency_lead)
    audit = audit_advance(audit=audit, actor=cast.paqa_member, reason="Not needed")
    assert audit.status == Audit.Status.MEETING
    assert audit.meeting_without_sections_reason == ""
    assert audit.meeting_missing_sections == []


def test_the_reason_is_refused_if_it_identifies_a_child(cast, audit, case):
    _collecting(audit, cast.paqa_member)
    with pytest.raises(ValidationError, match="looks like it contains an NHS number"):
        audit_advance(audit=audit, actor=cast.paqa_member, reason="Waiting on NHS 943 476 5919")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COLLECTING


def test_the_lead_sees_whose_sections_are_outstanding_and_gives_a_reason(
    cast, client_for, audit, case
):
    client = client_for(cast.paqa_member)
    url = reverse("audits:advance", args=[audit.pk])
    # Planned to collecting asks for nothing.
    page = client.get(url).content.decode()
    assert "Move the audit to: Collecting" in page
    assert 'name="reason"' not in page
    assert client.post(url).status_code == 302
    _submit(case.sections.get(organisation=cast.agency), cast.agency_lead)

    page = client.get(url).content.decode()
    assert "Move the audit to: Audit meeting" in page
    assert "Sections still to be submitted" in page
    assert "Health Agency" in page
    assert "Police Agency</th>" not in page  # its sections are all in
    assert 'name="reason"' in page

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "Enter why the meeting is going ahead without 1 section from Health Agency" in page
    assert 'href="#id_reason"' in page
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COLLECTING

    assert client.post(url, {"reason": REASON}).status_code == 302
    page = client_for(cast.board_member).get(reverse("audits:audit", args=[audit.pk]))
    assert (
        f"The meeting went ahead without 1 section from Health Agency: {REASON}"
        in page.content.decode()
    )


def test_only_leads_move_an_audit_on(cast, client_for, audit):
    for user in (cast.agency_lead, cast.auditor, cast.board_member):
        assert client_for(user).post(reverse("audits:advance", args=[audit.pk])).status_code == 403
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PLANNED


# Grades at the meeting only ----------------------------------------------------------------------


def test_grades_are_refused_before_and_after_the_meeting(cast, audit, case):
    overall = _overall(audit)
    with pytest.raises(ValidationError, match="Grades are agreed at the audit meeting"):
        grade_record(case=case, domain=overall, grade="good", actor=cast.paqa_member)
    _collecting(audit, cast.paqa_member)
    with pytest.raises(ValidationError, match="stage ‘Collecting’"):
        grade_record(case=case, domain=overall, grade="good", actor=cast.paqa_member)
    audit_advance(audit=audit, actor=cast.paqa_member, reason=REASON)
    grade_record(case=case, domain=overall, grade="good", actor=cast.paqa_member)
    audit_advance(audit=audit, actor=cast.paqa_member)
    with pytest.raises(ValidationError, match="The audit meeting is over"):
        grade_record(case=case, domain=overall, grade="inadequate", actor=cast.paqa_member)
    assert list(DomainGrade.objects.values_list("grade", flat=True)) == ["good"]


def test_grading_is_not_offered_before_the_meeting_and_a_grade_sent_is_refused(
    cast, client_for, audit, case
):
    client = client_for(cast.paqa_member)
    case_url = reverse("audits:case", args=[audit.pk, case.pk])
    grades_url = reverse("audits:grades", args=[audit.pk, case.pk])
    assert "Record grades" not in client.get(case_url).content.decode()
    page = client.get(grades_url).content.decode()
    assert "Save grades" not in page
    assert "Grades are agreed at the audit meeting" in page
    assert "There is a problem" not in page

    overall = _overall(audit)
    refused = client.post(grades_url, {f"grade_{overall.pk}": "good"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "Grades are agreed at the audit meeting" in page
    assert "<title>Error: " in page
    assert not DomainGrade.objects.exists()

    _collecting(audit, cast.paqa_member)
    audit_advance(audit=audit, actor=cast.paqa_member, reason=REASON)
    assert "Record grades" in client.get(case_url).content.decode()
    assert client.post(grades_url, {f"grade_{overall.pk}": "good"}).status_code == 302
    assert DomainGrade.objects.get().grade == "good"


# When sections are due --------------------------------------------------------------------------


def test_the_date_sections_are_due_is_set_shown_and_kept_in_history(cast, client_for, audit, case):
    client = client_for(cast.paqa_member)
    url = reverse("audits:audit-edit", args=[audit.pk])
    form = client.get(url).content.decode()
    assert 'name="sections_due_0"' in form
    assert 'name="tool"' not in form  # the tool and organisations stay as set up
    data = {
        "title": audit.title,
        "theme": audit.theme,
        "year": audit.year,
        "terms_of_reference": audit.terms_of_reference,
        "key_lines_of_enquiry": audit.key_lines_of_enquiry,
        "period_start_0": "1",
        "period_start_1": "4",
        "period_start_2": "2019",
        "period_end_0": "31",
        "period_end_1": "3",
        "period_end_2": "2020",
        "sections_due_0": "30",
        "sections_due_1": "6",
        "sections_due_2": "2020",
        "themes": ["information-sharing", "neglect"],
    }
    assert client.post(url, data).status_code == 302
    audit.refresh_from_db()
    assert audit.sections_due == date(2020, 6, 30)
    assert audit.themes == ["information-sharing", "neglect"]
    assert audit.history.latest().sections_due == date(2020, 6, 30)
    assert audit.history.latest().history_user == cast.paqa_member

    page = client.get(reverse("audits:audit", args=[audit.pk])).content.decode()
    assert "Sections due by" in page
    assert "30 June 2020" in page
    section = case.sections.get(organisation=cast.agency)
    page = client_for(cast.agency_lead).get(reverse("audits:section", args=[section.pk]))
    assert "Sections are due by <strong>30 June 2020</strong>" in page.content.decode()

    assert client_for(cast.agency_lead).post(url, data).status_code == 403
