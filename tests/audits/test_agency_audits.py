"""Single-agency audit returns: rules, who sees what, the summary, export and history."""

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from paqa.actions.models import Action
from paqa.audits.agency_selectors import agency_audit_summary, number_words
from paqa.audits.agency_services import (
    agency_audit_create,
    agency_audit_review,
    agency_audit_submit,
    agency_audit_update,
)
from paqa.audits.models import AgencyAudit, GradeLevel, GradeScale
from paqa.core.history import history_entries
from tests.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audits.agency_test_urls")]

YEAR = "2018-19"
GRADES = {"outstanding": 1, "good": 5, "requires-improvement": 3, "inadequate": 1}


@pytest.fixture(autouse=True)
def scale(db) -> GradeScale:
    """The Ofsted scale, as the audit tool pack defines it (made here, so these tests do not
    depend on the rest of the pack)."""
    ofsted, _ = GradeScale.objects.get_or_create(code="ofsted", defaults={"name": "Ofsted grades"})
    for code, label, rank in (
        ("outstanding", "Outstanding", 4),
        ("good", "Good", 3),
        ("requires-improvement", "Requires improvement", 2),
        ("inadequate", "Inadequate", 1),
    ):
        GradeLevel.objects.get_or_create(
            scale=ofsted, code=code, defaults={"label": label, "rank": rank, "tag_colour": "grey"}
        )
    return ofsted


def make_audit(cast, **overrides: Any) -> AgencyAudit:
    values: dict[str, Any] = {
        "organisation": cast.agency,
        "service": None,
        "year": YEAR,
        "topic": "Neglect of children under five",
        "audit_date": date(2019, 1, 15),
        "sample_size": 10,
        "grade_counts": GRADES,
        "strengths": "Thorough assessments",
        "areas_for_development": "Chronologies were missing",
        "themes": ["think-family"],
        "actor": cast.agency_lead,
    }
    values.update(overrides)
    return agency_audit_create(**values)


def submitted(cast, **overrides: Any) -> AgencyAudit:
    agency_audit = make_audit(cast, **overrides)
    return agency_audit_submit(
        agency_audit=agency_audit, actor=overrides.get("actor", cast.agency_lead)
    )


def form_data(cast, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation": cast.agency.pk,
        "service": "",
        "year": YEAR,
        "topic": "Strategy discussions",
        "audit_date_0": "15",
        "audit_date_1": "1",
        "audit_date_2": "2019",
        "sample_size": "10",
        "grade_outstanding": "1",
        "grade_good": "5",
        "grade_requires_improvement": "3",
        "grade_inadequate": "1",
        "strengths": "Prompt strategy discussions",
        "areas_for_development": "The child's voice was not recorded",
        "themes": ["voice-of-the-child", "neglect"],
    }
    data.update(overrides)
    return data


def _detail(agency_audit: AgencyAudit) -> str:
    return reverse("audits:agency-detail", args=[agency_audit.pk])


# Validation -------------------------------------------------------------------------------


def test_the_grades_must_add_up_to_the_sample(cast):
    with pytest.raises(ValidationError) as raised:
        make_audit(cast, grade_counts={**GRADES, "good": 4})
    assert raised.value.message_dict["grade_counts"] == [
        "The grades add up to 9 but the sample is 10 cases"
    ]
    assert not AgencyAudit.objects.exists()


def test_the_service_must_belong_to_the_organisation(cast):
    clinic = ServiceFactory(organisation=cast.other_agency, name="Sexual health clinic")
    with pytest.raises(ValidationError) as raised:
        make_audit(cast, service=clinic)
    assert raised.value.message_dict["service"] == [
        "Choose a service of Police Agency: Sexual health clinic is part of Health Agency"
    ]


def test_grade_counts_are_whole_numbers_of_zero_or_more(cast):
    with pytest.raises(ValidationError) as raised:
        make_audit(cast, grade_counts={**GRADES, "good": -1, "inadequate": 2.5})
    assert raised.value.message_dict["grade_counts"] == [
        "The number of cases graded Good must be 0 or more",
        "Enter the number of cases graded Inadequate as a whole number, like 3",
    ]


def test_themes_come_from_the_list_and_grades_from_the_scale(cast):
    with pytest.raises(ValidationError) as raised:
        make_audit(cast, themes=["think-family", "astrology"], grade_counts={**GRADES, "meh": 0})
    assert raised.value.message_dict["themes"] == ["Choose themes from the list"]
    assert raised.value.message_dict["grade_counts"] == ["'meh' is not a grade on this scale"]


def test_a_valid_return_is_a_draft_with_every_grade_counted(cast):
    agency_audit = make_audit(
        cast,
        grade_counts={"good": 10},
        themes=["neglect", "think-family", "think-family", "exploitation-and-missing"],
    )
    assert agency_audit.status == AgencyAudit.Status.DRAFT
    assert agency_audit.scale.code == "ofsted"
    assert agency_audit.grade_counts == {
        "outstanding": 0,
        "good": 10,
        "requires-improvement": 0,
        "inadequate": 0,
    }
    # In the shared taxonomy's order, each once, an old slug named as the taxonomy names it.
    assert agency_audit.themes == ["think-family", "neglect", "exploitation"]


def test_the_form_shows_the_sum_and_negative_count_problems(cast, client_for):
    client = client_for(cast.agency_lead)
    url = reverse("audits:agency-create")
    response = client.post(url, form_data(cast, grade_good="4", topic=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter what the audit looked at" in page
    assert "The grades add up to 9 but the sample is 10 cases" in page
    assert 'href="#id_grade_outstanding"' in page
    response = client.post(url, form_data(cast, grade_good="-1"))
    assert "The number of cases graded Good must be 0 or more" in response.content.decode()
    assert not AgencyAudit.objects.exists()


def test_the_form_refuses_what_the_service_or_choices_refuse(cast, client_for):
    clinic = ServiceFactory(organisation=cast.other_agency, name="Sexual health clinic")
    response = client_for(cast.agency_lead).post(
        reverse("audits:agency-create"), form_data(cast, service=clinic.pk)
    )
    assert response.status_code == 200
    assert "Choose a service from the list" in response.content.decode()
    response = client_for(cast.agency_lead).post(
        reverse("audits:agency-create"), form_data(cast, organisation=cast.other_agency.pk)
    )
    assert "Choose an organisation from the list" in response.content.decode()
    response = client_for(cast.agency_lead).post(
        reverse("audits:agency-create"),
        form_data(cast, audit_date_0="1", audit_date_1="1", audit_date_2="2999"),
    )
    assert "The date of the audit must be today or in the past" in response.content.decode()
    assert 'href="#id_audit_date"' in response.content.decode()
    assert not AgencyAudit.objects.exists()


def test_an_agency_lead_returns_an_audit_through_the_form(cast, client_for):
    custody = ServiceFactory(organisation=cast.agency, name="Custody")
    client = client_for(cast.agency_lead)
    form = client.get(reverse("audits:agency-create"))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'name="grade_requires_improvement"' in page
    assert 'type="checkbox" name="themes" value="think-family"' in page
    assert "csrfmiddlewaretoken" in page
    response = client.post(reverse("audits:agency-create"), form_data(cast, service=custody.pk))
    agency_audit = AgencyAudit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(agency_audit)
    assert (agency_audit.organisation, agency_audit.service) == (cast.agency, custody)
    assert agency_audit.grade_counts["requires-improvement"] == 3
    assert agency_audit.themes == ["voice-of-the-child", "neglect"]
    assert agency_audit.audit_date == date(2019, 1, 15)


def test_only_those_who_return_audits_may_start_one(cast, client_for):
    for user in (cast.board_member, cast.paqa_member, cast.auditor):
        assert client_for(user).get(reverse("audits:agency-create")).status_code == 403


# Who sees what ----------------------------------------------------------------------------


def test_another_organisations_draft_is_not_found(cast, client_for):
    draft = make_audit(cast)
    client = client_for(cast.other_agency_lead)
    assert client.get(_detail(draft)).status_code == 404
    assert client.post(reverse("audits:agency-edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("audits:agency-submit", args=[draft.pk])).status_code == 404
    assert client_for(cast.agency_lead).get(_detail(draft)).status_code == 200


def test_the_partnership_cannot_see_drafts(cast, client_for):
    draft = make_audit(cast, topic="A draft nobody else sees")
    for user in (cast.admin, cast.paqa_member, cast.board_member):
        client = client_for(user)
        assert client.get(_detail(draft)).status_code == 404
        assert client.post(reverse("audits:agency-review", args=[draft.pk])).status_code == 404
        listing = client.get(reverse("audits:agency-list"), {"year": YEAR})
        assert "A draft nobody else sees" not in listing.content.decode()
    summary = agency_audit_summary(user=cast.agency_lead, year=YEAR)
    assert summary.returned == 0


def test_a_board_member_reads_submitted_returns_but_changes_nothing(cast, client_for):
    agency_audit = submitted(cast)
    client = client_for(cast.board_member)
    page = client.get(_detail(agency_audit))
    assert page.status_code == 200
    assert "Neglect of children under five" in page.content.decode()
    assert "Mark as reviewed" not in page.content.decode()
    edit = client.post(reverse("audits:agency-edit", args=[agency_audit.pk]), form_data(cast))
    assert edit.status_code == 403
    review = client.post(
        reverse("audits:agency-review", args=[agency_audit.pk]), {"review_notes": "Fine"}
    )
    assert review.status_code == 403
    action = client.post(
        reverse("audits:agency-action-add", args=[agency_audit.pk]),
        {
            "title": "Train staff",
            "owner_name": "A Person",
            "due_date_0": "1",
            "due_date_1": "6",
            "due_date_2": "2019",
        },
    )
    assert action.status_code == 403
    agency_audit.refresh_from_db()
    assert agency_audit.status == AgencyAudit.Status.SUBMITTED
    assert agency_audit.topic == "Neglect of children under five"
    assert not Action.objects.exists()


def test_other_agencies_read_submitted_returns_but_cannot_change_them(cast, client_for):
    agency_audit = submitted(cast)
    client = client_for(cast.other_agency_lead)
    assert client.get(_detail(agency_audit)).status_code == 200
    assert client.post(reverse("audits:agency-submit", args=[agency_audit.pk])).status_code == 403


def test_a_submitted_return_cannot_be_changed(cast, client_for):
    agency_audit = submitted(cast)
    assert agency_audit.submitted_at is not None
    with pytest.raises(ValidationError, match="cannot be changed"):
        agency_audit_update(
            agency_audit=agency_audit,
            service=None,
            year=YEAR,
            topic="Changed afterwards",
            audit_date=date(2019, 1, 15),
            sample_size=10,
            grade_counts=GRADES,
            strengths="s",
            areas_for_development="a",
            themes=[],
            actor=cast.agency_lead,
        )
    with pytest.raises(ValidationError, match="already been submitted"):
        agency_audit_submit(agency_audit=agency_audit, actor=cast.agency_lead)
    client = client_for(cast.agency_lead)
    url = reverse("audits:agency-edit", args=[agency_audit.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(cast, topic="Changed afterwards")).status_code == 403
    agency_audit.refresh_from_db()
    assert agency_audit.topic == "Neglect of children under five"


def test_a_draft_is_changed_then_submitted_through_the_pages(cast, client_for):
    agency_audit = make_audit(cast)
    client = client_for(cast.agency_lead)
    url = reverse("audits:agency-edit", args=[agency_audit.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="grade_good" value="5"' in form.content.decode()
    response = client.post(url, form_data(cast, topic="Neglect, revisited", sample_size="11"))
    assert "The grades add up to 10 but the sample is 11 cases" in response.content.decode()
    response = client.post(url, form_data(cast, topic="Neglect, revisited"))
    assert response.status_code == 302
    agency_audit.refresh_from_db()
    assert agency_audit.topic == "Neglect, revisited"
    assert agency_audit.organisation == cast.agency
    check = client.get(reverse("audits:agency-check", args=[agency_audit.pk])).content.decode()
    token = re.search(r'name="check_token" value="([^"]+)"', check)
    assert token
    response = client.post(
        reverse("audits:agency-submit", args=[agency_audit.pk]), {"check_token": token.group(1)}
    )
    assert response.status_code == 302
    agency_audit.refresh_from_db()
    assert agency_audit.status == AgencyAudit.Status.SUBMITTED


def test_the_partnership_reviews_a_submitted_return(cast, client_for):
    draft = make_audit(cast)
    with pytest.raises(ValidationError, match="not been submitted"):
        agency_audit_review(agency_audit=draft, actor=cast.paqa_member, notes="Too early")
    agency_audit = agency_audit_submit(agency_audit=draft, actor=cast.agency_lead)
    client = client_for(cast.paqa_member)
    assert "Mark as reviewed" in client.get(_detail(agency_audit)).content.decode()
    url = reverse("audits:agency-review", args=[agency_audit.pk])
    empty = client.post(url, {"review_notes": ""})
    assert "Enter what the partnership&#x27;s review found" in empty.content.decode()
    assert client_for(cast.agency_lead).post(url, {"review_notes": "Mine"}).status_code == 403
    response = client.post(url, {"review_notes": "A thorough audit; follow up on chronologies"})
    assert response.status_code == 302
    agency_audit.refresh_from_db()
    assert agency_audit.status == AgencyAudit.Status.REVIEWED
    assert agency_audit.reviewed_by == cast.paqa_member
    with pytest.raises(ValidationError, match="already been reviewed"):
        agency_audit_review(agency_audit=agency_audit, actor=cast.admin, notes="Again")


def test_an_agency_lead_adds_an_action_for_the_audit(cast, client_for):
    agency_audit = submitted(cast)
    client = client_for(cast.agency_lead)
    response = client.post(
        reverse("audits:agency-action-add", args=[agency_audit.pk]),
        {
            "title": "Train staff on chronologies",
            "owner_name": "Sam Lead",
            "due_date_0": "1",
            "due_date_1": "6",
            "due_date_2": "2019",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.source_key == agency_audit.action_source_key
    assert action.owner_organisation == cast.agency
    assert action.source_url == _detail(agency_audit)
    assert "Train staff on chronologies" in client.get(_detail(agency_audit)).content.decode()
    missing = client.post(reverse("audits:agency-action-add", args=[agency_audit.pk]), {})
    assert missing.status_code == 400
    assert "Enter what will be done" in missing.content.decode()


# The summary ------------------------------------------------------------------------------


def test_the_summary_counts_services_and_organisations(cast):
    custody = ServiceFactory(organisation=cast.agency, name="Custody")
    public_protection = ServiceFactory(organisation=cast.agency, name="Public protection")
    submitted(cast, service=custody, themes=["think-family", "voice-of-the-child"])
    submitted(cast, service=custody, topic="Second custody audit", themes=["think-family"])
    submitted(
        cast,
        service=public_protection,
        themes=["voice-of-the-child", "think-family", "training"],
    )
    submitted(
        cast,
        organisation=cast.other_agency,
        actor=cast.other_agency_lead,
        themes=["think-family", "voice-of-the-child"],
    )
    make_audit(cast, service=ServiceFactory(organisation=cast.agency, name="Drafting"))
    summary = agency_audit_summary(user=cast.board_member, year=YEAR)
    assert (summary.returned, summary.services, summary.organisations) == (4, 3, 2)
    assert summary.total_cases == 40
    assert [(g.level.code, g.cases) for g in summary.grades] == [
        ("outstanding", 4),
        ("good", 20),
        ("requires-improvement", 12),
        ("inadequate", 4),
    ]
    assert [(t.slug, t.audits) for t in summary.themes] == [
        ("think-family", 4),
        ("voice-of-the-child", 3),
        ("training", 1),
    ]
    assert summary.sentences == [
        "PAQA reviewed safeguarding audits from three services within two agencies.",
        "Of the 40 cases audited, 4 were graded outstanding, 20 good, 12 requires improvement "
        "and 4 inadequate.",
        "The most common themes for development were think family (4 audits), voice of the "
        "child (3) and training (1).",
    ]


def test_the_summary_speaks_singular_and_spells_out_small_numbers(cast):
    submitted(cast, themes=["neglect"], sample_size=1, grade_counts={"good": 1})
    summary = agency_audit_summary(user=cast.paqa_member, year=YEAR)
    assert summary.sentences == [
        "PAQA reviewed safeguarding audits from one service within one agency.",
        "Of the 1 case audited, 1 was graded good.",
        "The most common theme for development was neglect (1 audit).",
    ]
    words = [number_words(number=n) for n in (1, 7, 10, 11, 24)]
    assert words == ["one", "seven", "ten", "11", "24"]
    assert agency_audit_summary(user=cast.paqa_member, year="2017-18").sentences == [
        "No agency has returned a safeguarding audit for 2017-18 yet."
    ]


def test_the_list_page_shows_the_sentences_returns_and_themes(cast, client_for):
    submitted(cast, themes=["think-family", "working-together"])
    response = client_for(cast.board_member).get(reverse("audits:agency-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "PAQA reviewed safeguarding audits from one service within one agency." in page
    assert "Police Agency" in page
    assert "Whole organisation" in page
    assert "Understanding of safeguarding duties" in page
    assert "Return an audit" not in page
    assert (
        "Return an audit"
        in client_for(cast.agency_lead).get(reverse("audits:agency-list")).content.decode()
    )


# Export and history -----------------------------------------------------------------------


def test_the_export_neutralises_formulas(cast, client_for):
    submitted(cast, topic='=HYPERLINK("http://example.com","Click")')
    client = client_for(cast.board_member)
    url = reverse("audits:agency-list")
    response = client.get(url, {"year": YEAR, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Organisation", "Service", "Topic", "Date of audit", "Cases audited"]
    assert rows[1][2] == '\'=HYPERLINK("http://example.com","Click")'
    assert rows[1][5:9] == ["1", "5", "3", "1"]
    workbook = load_workbook(io.BytesIO(client.get(url, {"year": YEAR, "format": "xlsx"}).content))
    sheet = workbook.active
    assert sheet is not None
    assert str(sheet["C2"].value).startswith("'=")
    assert sheet["E2"].value == 10


def test_history_records_who_changed_what(cast):
    agency_audit = make_audit(cast)
    agency_audit_update(
        agency_audit=agency_audit,
        service=None,
        year=YEAR,
        topic="Neglect, revisited",
        audit_date=date(2019, 1, 15),
        sample_size=10,
        grade_counts=GRADES,
        strengths="Thorough assessments",
        areas_for_development="Chronologies were missing",
        themes=["think-family"],
        actor=cast.agency_lead,
    )
    agency_audit_submit(agency_audit=agency_audit, actor=cast.agency_lead)
    agency_audit_review(agency_audit=agency_audit, actor=cast.paqa_member, notes="Good audit")
    versions = list(agency_audit.history.order_by("history_date", "history_id"))
    assert [(v.history_type, v.history_user, v.status) for v in versions] == [
        ("+", cast.agency_lead, "draft"),
        ("~", cast.agency_lead, "draft"),
        ("~", cast.agency_lead, "submitted"),
        ("~", cast.paqa_member, "reviewed"),
    ]
    entries = history_entries(record_type="audits.agencyaudit", record_id=agency_audit.pk)
    topic_change = next(
        change
        for entry in entries
        for change in entry.changes
        if change.field == "Topic" and entry.who == cast.agency_lead.full_name
    )
    assert (topic_change.old, topic_change.new) == (
        "Neglect of children under five",
        "Neglect, revisited",
    )
