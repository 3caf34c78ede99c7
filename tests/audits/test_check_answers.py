"""Check your answers: a case section and an agency's own audit return are submitted only from
the page that showed what will be sent. A submission without that page's token, or after the
record changed since, sends nothing and goes back to the page; the records' own rules still
refuse what they always refused."""

import re
from datetime import date

import pytest
from django.urls import reverse

from paqa.audits.agency_services import agency_audit_create, agency_audit_update
from paqa.audits.models import AgencyAudit, CaseSection, GradeLevel, GradeScale, Question
from paqa.audits.services import section_assign, section_save

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="check_token" value="([^"]+)"')


def _token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "The check page carries no token"
    return found.group(1)


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# A section of a case -----------------------------------------------------------------------------


@pytest.fixture
def section(cast, case) -> CaseSection:
    return case.sections.get(organisation=cast.agency)


def _questions(case) -> list[Question]:
    return list(Question.objects.filter(domain__tool=case.audit.tool).order_by("domain", "order"))


def _save_and_continue(client, section: CaseSection, summary: str) -> None:
    first = _questions(section.case)[0]
    response = client.post(
        reverse("audits:section", args=[section.pk]),
        {"version": section.version, f"q{first.pk}": "partly", "summary": summary, "submit": "yes"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:section-check", args=[section.pk])


def test_the_check_page_shows_every_answer_with_a_way_to_change_it(cast, client_for, section):
    client = client_for(cast.agency_lead)
    _save_and_continue(client, section, "Strategy meeting attended; shared late")
    section.refresh_from_db()
    assert section.status == CaseSection.Status.DRAFT  # saved, not sent

    response = client.get(reverse("audits:section-check", args=[section.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check your answers before submitting your section" in page
    assert page.count('class="govuk-summary-list__row"') == len(_questions(section.case)) + 1
    first = _questions(section.case)[0]
    assert first.text.replace("'", "&#x27;") in page
    assert "Partly" in page
    assert "Not answered" in page
    assert "Strategy meeting attended; shared late" in page
    edit = reverse("audits:section", args=[section.pk])
    assert f'href="{edit}#id_q{first.pk}_0"' in page
    assert f'href="{edit}#id_summary"' in page
    assert "Submitting cannot be undone" in page
    assert _token(page)


def test_a_section_is_submitted_only_with_the_check_pages_token(cast, client_for, section):
    client = client_for(cast.agency_lead)
    _save_and_continue(client, section, "Reviewed against the tool")
    check = reverse("audits:section-check", args=[section.pk])
    submit = reverse("audits:section-submit", args=[section.pk])
    for data in ({}, {"check_token": ""}, {"check_token": "forged:token"}):
        response = client.post(submit, data, follow=True)
        assert response.redirect_chain == [(check, 302)]
        assert "Check your answers before you submit your section" in _messages(response)
        section.refresh_from_db()
        assert section.status == CaseSection.Status.DRAFT

    token = _token(client.get(check).content.decode())
    response = client.post(submit, {"check_token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "audits:case", args=[section.case.audit_id, section.case_id]
    )
    section.refresh_from_db()
    assert section.status == CaseSection.Status.SUBMITTED
    assert section.submitted_by == cast.agency_lead
    assert section.history.latest().status == CaseSection.Status.SUBMITTED


def test_a_stale_token_submits_nothing(cast, client_for, section):
    client = client_for(cast.agency_lead)
    _save_and_continue(client, section, "First look")
    check = reverse("audits:section-check", args=[section.pk])
    token = _token(client.get(check).content.decode())
    section.refresh_from_db()
    # Someone else changes the section after it was checked.
    section_assign(section=section, auditors=[cast.auditor], actor=cast.agency_lead)
    section_save(
        section=section,
        actor=cast.auditor,
        answers={},
        summary="Changed by the auditor",
        based_on_version=section.version,
    )
    response = client.post(
        reverse("audits:section-submit", args=[section.pk]), {"check_token": token}, follow=True
    )
    assert response.redirect_chain == [(check, 302)]
    assert "Your section changed since you checked it" in _messages(response)
    section.refresh_from_db()
    assert section.status == CaseSection.Status.DRAFT
    page = response.content.decode()
    assert "Changed by the auditor" in page  # what will now be sent is shown again

    # Another person's token for the same page is not theirs to send.
    auditor = client_for(cast.auditor)
    response = auditor.post(
        reverse("audits:section-submit", args=[section.pk]), {"check_token": _token(page)}
    )
    assert response["Location"] == check
    section.refresh_from_db()
    assert section.status == CaseSection.Status.DRAFT
    assert (
        client.post(
            reverse("audits:section-submit", args=[section.pk]), {"check_token": _token(page)}
        ).status_code
        == 302
    )
    section.refresh_from_db()
    assert section.status == CaseSection.Status.SUBMITTED


def test_a_section_without_a_summary_is_still_refused(cast, client_for, section):
    client = client_for(cast.agency_lead)
    _save_and_continue(client, section, "")
    page = client.get(reverse("audits:section-check", args=[section.pk])).content.decode()
    assert "Before you can submit your section" in page
    response = client.post(
        reverse("audits:section-submit", args=[section.pk]), {"check_token": _token(page)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Write the summary of your agency&#x27;s practice before submitting" in page
    section.refresh_from_db()
    assert section.status == CaseSection.Status.DRAFT


def test_a_submitted_section_is_not_checked_or_sent_again(cast, client_for, section):
    client = client_for(cast.agency_lead)
    _save_and_continue(client, section, "Done")
    check = reverse("audits:section-check", args=[section.pk])
    token = _token(client.get(check).content.decode())
    submit = reverse("audits:section-submit", args=[section.pk])
    assert client.post(submit, {"check_token": token}).status_code == 302
    for response in (client.get(check), client.post(submit, {"check_token": token})):
        assert response["Location"] == reverse("audits:section", args=[section.pk])
    assert section.history.filter(status=CaseSection.Status.SUBMITTED).count() == 1


def test_only_those_who_complete_the_section_reach_its_check_page(cast, client_for, case, section):
    check = reverse("audits:section-check", args=[section.pk])
    assert client_for(cast.other_agency_lead).get(check).status_code == 404
    assert client_for(cast.board_member).get(check).status_code == 404
    assert client_for(cast.auditor).get(check).status_code == 403  # not assigned to them
    other = case.sections.get(organisation=cast.other_agency)
    assert (
        client_for(cast.agency_lead)
        .post(reverse("audits:section-submit", args=[other.pk]))
        .status_code
        == 404
    )


# An agency's own audit return -------------------------------------------------------------------


@pytest.fixture
def draft(cast) -> AgencyAudit:
    scale, _ = GradeScale.objects.get_or_create(code="ofsted", defaults={"name": "Ofsted grades"})
    for code, label, rank in (
        ("outstanding", "Outstanding", 4),
        ("good", "Good", 3),
        ("requires-improvement", "Requires improvement", 2),
        ("inadequate", "Inadequate", 1),
    ):
        GradeLevel.objects.get_or_create(
            scale=scale, code=code, defaults={"label": label, "rank": rank, "tag_colour": "grey"}
        )
    return agency_audit_create(
        organisation=cast.agency,
        service=None,
        year="2018-19",
        topic="Neglect of children under five",
        audit_date=date(2019, 1, 15),
        sample_size=10,
        grade_counts={"outstanding": 1, "good": 5, "requires-improvement": 3, "inadequate": 1},
        strengths="Thorough assessments",
        areas_for_development="Chronologies were missing",
        themes=["think-family", "neglect"],
        actor=cast.agency_lead,
    )


def test_the_return_is_checked_then_submitted(cast, client_for, draft):
    client = client_for(cast.agency_lead)
    detail = client.get(reverse("audits:agency-detail", args=[draft.pk])).content.decode()
    check = reverse("audits:agency-check", args=[draft.pk])
    assert f'href="{check}"' in detail
    assert reverse("audits:agency-submit", args=[draft.pk]) not in detail

    page = client.get(check).content.decode()
    assert "Check your answers before submitting the audit" in page
    for shown in (
        "Neglect of children under five",
        "15 January 2019",
        "Whole organisation",
        "Requires improvement",
        "3 cases",
        "1 case<",
        "Chronologies were missing",
        "Think family",
        "Neglect",
    ):
        assert shown in page, shown
    edit = reverse("audits:agency-edit", args=[draft.pk])
    assert f'href="{edit}#id_topic"' in page
    assert f'href="{edit}#id_grade_requires_improvement"' in page
    assert "Submitting cannot be undone" in page

    response = client.post(
        reverse("audits:agency-submit", args=[draft.pk]), {"check_token": _token(page)}
    )
    assert response["Location"] == reverse("audits:agency-detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == AgencyAudit.Status.SUBMITTED
    assert client.get(check)["Location"] == reverse("audits:agency-detail", args=[draft.pk])


def test_a_return_is_not_submitted_without_the_check_pages_token(cast, client_for, draft):
    client = client_for(cast.agency_lead)
    check = reverse("audits:agency-check", args=[draft.pk])
    submit = reverse("audits:agency-submit", args=[draft.pk])
    for data in ({}, {"check_token": "made-up"}):
        response = client.post(submit, data, follow=True)
        assert response.redirect_chain == [(check, 302)]
        assert "Check your answers before you submit the audit" in _messages(response)
    draft.refresh_from_db()
    assert draft.status == AgencyAudit.Status.DRAFT
    assert draft.submitted_at is None


def test_a_return_changed_since_it_was_checked_is_not_submitted(cast, client_for, draft):
    client = client_for(cast.agency_lead)
    check = reverse("audits:agency-check", args=[draft.pk])
    token = _token(client.get(check).content.decode())
    agency_audit_update(
        agency_audit=draft,
        service=None,
        year="2018-19",
        topic="Neglect, changed after checking",
        audit_date=date(2019, 1, 15),
        sample_size=10,
        grade_counts={"good": 10},
        strengths="Thorough assessments",
        areas_for_development="Chronologies were missing",
        themes=["think-family"],
        actor=cast.agency_lead,
    )
    response = client.post(
        reverse("audits:agency-submit", args=[draft.pk]), {"check_token": token}, follow=True
    )
    assert response.redirect_chain == [(check, 302)]
    assert "The audit changed since you checked it" in _messages(response)
    assert "Neglect, changed after checking" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == AgencyAudit.Status.DRAFT

    # A token from another return's check page is no token for this one.
    other = agency_audit_create(
        organisation=cast.agency,
        service=None,
        year="2018-19",
        topic="Another",
        audit_date=date(2019, 1, 15),
        sample_size=1,
        grade_counts={"good": 1},
        strengths="S",
        areas_for_development="A",
        themes=[],
        actor=cast.agency_lead,
    )
    others = _token(client.get(reverse("audits:agency-check", args=[other.pk])).content.decode())
    client.post(reverse("audits:agency-submit", args=[draft.pk]), {"check_token": others})
    draft.refresh_from_db()
    assert draft.status == AgencyAudit.Status.DRAFT


def test_only_the_organisations_leads_reach_the_returns_check_page(cast, client_for, draft):
    check = reverse("audits:agency-check", args=[draft.pk])
    assert client_for(cast.other_agency_lead).get(check).status_code == 404
    assert client_for(cast.paqa_member).get(check).status_code == 404
    assert client_for(cast.agency_lead).get(check).status_code == 200
