"""The annual impact assessment: invitations, one return per organisation, drafts, submission,
reminders, the return rate and who sees what."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from paqa.core.access import Role
from paqa.surveys import impact, selectors, services
from paqa.surveys.models import Response, Survey, SurveyInvitation
from paqa.surveys.services import answers_save
from tests.factories import MembershipFactory, UserFactory

PAGE_1 = {
    "pressures": ["Recruitment and retention", "Increasing demand for services"],
    "pressures-detail": "Vacancies in frontline teams",
}
PAGE_2 = {
    "improvement": ["Information sharing, working agreements and communication"],
    "improvement-detail": "Attendance at strategy meetings",
}
PAGE_3 = {
    "priority-neglect": "Agree",
    "priority-exploitation": "Strongly agree",
    "priority-domestic-abuse": "Neither agree nor disagree",
    "priority-early-help": "Agree",
    "priorities-impact": "The neglect toolkit is used in every team",
}


@pytest.fixture
def survey(cast) -> Survey:
    today = timezone.localdate()
    return services.impact_survey_create(
        year="2018-19",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=30),
        actor=cast.admin,
    )


@pytest.fixture
def invited(cast, survey) -> list[SurveyInvitation]:
    return services.invitations_send(
        survey=survey, organisations=[cast.agency, cast.other_agency], actor=cast.admin
    )


def page_url(survey, organisation, number):
    return reverse("surveys:impact-return-page", args=[survey.pk, organisation.pk, number])


def check_url(survey, organisation):
    return reverse("surveys:impact-return-check", args=[survey.pk, organisation.pk])


def view_url(survey, organisation):
    return reverse("surveys:impact-return-view", args=[survey.pk, organisation.pk])


def response_of(survey, organisation) -> Response:
    return SurveyInvitation.objects.get(survey=survey, organisation=organisation).response


def complete_and_submit(client, survey, organisation) -> None:
    for number, data in enumerate((PAGE_1, PAGE_2, PAGE_3), start=1):
        reply = client.post(page_url(survey, organisation, number), data)
        assert reply.status_code == 302, reply.content.decode()[:2000]
    reply = client.post(
        check_url(survey, organisation), {"check_token": check_token(client, survey, organisation)}
    )
    assert reply.status_code == 302
    assert reply["Location"] == view_url(survey, organisation)


def check_token(client, survey, organisation) -> str:
    """The token the check page gives its form: sending needs the answers checked first."""
    page = client.get(check_url(survey, organisation))
    assert page.status_code == 200
    found = re.search(r'name="check_token" value="([^"]+)"', page.content.decode())
    assert found, "The check page has no check token"
    return found.group(1)


# The questionnaire ---------------------------------------------------------------------------


def test_the_default_pack_loads(survey):
    assert survey.series == impact.IMPACT_SERIES == "impact-assessment"
    assert survey.year == "2018-19"
    assert survey.kind == Survey.Kind.ORGANISATION
    assert survey.public_slug == "impact-assessment-2018-19"
    pages = list(survey.pages.prefetch_related("questions"))
    assert [page.title for page in pages] == [
        "Pressures",
        "Areas for improvement",
        "Impact of the partnership’s priorities",
    ]
    codes = [question.code for page in pages for question in page.questions.all()]
    assert len(codes) == len(set(codes))
    pressures = pages[0].questions.get(code="pressures")
    for choice in (
        "Recruitment and retention",
        "Increasing demand for services",
        "Homelessness",
        "Funding",
        "Other",
    ):
        assert choice in pressures.choices
    assert pages[0].questions.filter(kind="text", text="Tell us more").exists()
    improvement = pages[1].questions.get(code="improvement")
    assert "Information sharing, working agreements and communication" in improvement.choices
    assert "Commitment to and engagement with multi-agency work" in improvement.choices
    assert pages[1].questions.filter(kind="text").exists()
    assert pages[2].questions.filter(kind="likert").count() >= 2
    assert pages[2].questions.filter(kind="text").exists()


def test_a_year_is_created_once(cast, survey):
    with pytest.raises(ValidationError):
        services.impact_survey_create(
            year="2018-19", opens_on=survey.opens_on, closes_on=survey.closes_on, actor=cast.admin
        )
    later = services.impact_survey_create(
        year="2019-20", opens_on=survey.opens_on, closes_on=survey.closes_on, actor=cast.admin
    )
    assert later.series == survey.series
    assert later.public_slug == "impact-assessment-2019-20"


# Invitations -----------------------------------------------------------------------------------


def test_invitations_are_idempotent(cast, survey, invited):
    assert [invitation.organisation for invitation in invited] == [cast.agency, cast.other_agency]
    again = services.invitations_send(
        survey=survey,
        organisations=[cast.agency, cast.other_agency, cast.agency],
        actor=cast.admin,
    )
    assert again == []
    assert SurveyInvitation.objects.filter(survey=survey).count() == 2
    responses = Response.objects.filter(survey=survey)
    assert responses.count() == 2
    assert {response.status for response in responses} == {Response.Status.DRAFT}
    assert len({response.submission_key for response in responses}) == 2
    for invitation in SurveyInvitation.objects.filter(survey=survey):
        assert invitation.response.organisation_id == invitation.organisation_id


def test_invitations_email_agency_leads_once(
    cast, survey, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(survey=survey, organisations=[cast.agency], actor=cast.admin)
        services.invitations_send(survey=survey, organisations=[cast.agency], actor=cast.admin)
    assert [message.to for message in mailoutbox] == [[cast.agency_lead.email]]


def test_only_organisation_surveys_take_invitations(cast):
    anonymous = Survey.objects.create(
        series="practitioner-survey",
        year="2018",
        title="Practitioner survey",
        kind=Survey.Kind.ANONYMOUS,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        public_slug="practitioner-survey-2018",
    )
    with pytest.raises(ValidationError):
        services.invitations_send(survey=anonymous, organisations=[cast.agency], actor=cast.admin)


def test_one_return_per_organisation(cast, client_for, survey, invited):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyInvitation.objects.create(survey=survey, organisation=cast.agency)
    client = client_for(cast.agency_lead)
    client.post(page_url(survey, cast.agency, 1), PAGE_1)
    client_for(cast.agency_lead).post(page_url(survey, cast.agency, 1), PAGE_1)
    assert Response.objects.filter(survey=survey, organisation=cast.agency).count() == 1
    assert (
        selectors.answers_by_code(response=response_of(survey, cast.agency))["pressures"]
        == PAGE_1["pressures"]
    )


def test_inviting_from_the_page(cast, client_for, survey):
    reply = client_for(cast.admin).post(
        reverse("surveys:impact-invite", args=[survey.pk]),
        {"organisations": [cast.agency.pk, cast.other_agency.pk]},
    )
    assert reply.status_code == 302
    assert SurveyInvitation.objects.filter(survey=survey).count() == 2
    page = client_for(cast.admin).get(reverse("surveys:impact-rate", args=[survey.pk]))
    assert "Invite organisations" in page.content.decode()
    refused = client_for(cast.admin).post(
        reverse("surveys:impact-invite", args=[survey.pk]), {"organisations": []}
    )
    assert "Select at least one organisation to invite" in refused.content.decode()
    for user in (cast.agency_lead, cast.board_member):
        reply = client_for(user).post(
            reverse("surveys:impact-invite", args=[survey.pk]),
            {"organisations": [cast.business_unit.pk]},
        )
        assert reply.status_code == 403
    assert not SurveyInvitation.objects.filter(organisation=cast.business_unit).exists()


# Drafts ----------------------------------------------------------------------------------------


def test_draft_saved_and_resumed_by_the_same_organisation(cast, client_for, survey, invited):
    client = client_for(cast.agency_lead)
    start = client.get(reverse("surveys:impact-return", args=[survey.pk]))
    assert start["Location"] == reverse(
        "surveys:impact-return-organisation", args=[survey.pk, cast.agency.pk]
    )
    assert client.get(start["Location"])["Location"] == page_url(survey, cast.agency, 1)
    assert client.post(page_url(survey, cast.agency, 1), PAGE_1)["Location"] == page_url(
        survey, cast.agency, 2
    )
    saved = client.post(
        page_url(survey, cast.agency, 2),
        {"improvement-detail": "Half written", "save_and_leave": "yes"},
    )
    assert saved.status_code == 200
    assert "Your answers are saved" in saved.content.decode()

    # Later, in a new session: back where they left off, with their answers.
    later = client_for(cast.agency_lead)
    resume = later.get(
        reverse("surveys:impact-return-organisation", args=[survey.pk, cast.agency.pk])
    )
    assert resume["Location"] == page_url(survey, cast.agency, 2)
    page = later.get(page_url(survey, cast.agency, 2)).content.decode()
    assert "Half written" in page
    first = later.get(page_url(survey, cast.agency, 1)).content.decode()
    assert re.search(r'value="Recruitment and retention"[^>]*checked', first)
    assert not re.search(r'value="Homelessness"[^>]*checked', first)
    response = response_of(survey, cast.agency)
    assert response.status == Response.Status.DRAFT
    assert selectors.answers_by_code(response=response)["improvement-detail"] == "Half written"


def test_another_organisations_draft_is_a_404_for_an_agency_lead(cast, client_for, survey, invited):
    client_for(cast.agency_lead).post(page_url(survey, cast.agency, 1), PAGE_1)
    other = client_for(cast.other_agency_lead)
    for url in (
        reverse("surveys:impact-return-organisation", args=[survey.pk, cast.agency.pk]),
        page_url(survey, cast.agency, 1),
        check_url(survey, cast.agency),
        view_url(survey, cast.agency),
    ):
        assert other.get(url).status_code == 404, url
    assert (
        other.post(page_url(survey, cast.agency, 1), {"pressures": ["Funding"]}).status_code == 404
    )
    assert other.post(check_url(survey, cast.agency)).status_code == 404
    response = response_of(survey, cast.agency)
    assert response.status == Response.Status.DRAFT
    assert selectors.answers_by_code(response=response)["pressures"] == PAGE_1["pressures"]
    with pytest.raises(Http404):
        selectors.organisation_return(
            user=cast.other_agency_lead, survey=survey, organisation=cast.agency
        )
    # Their own return is theirs to answer.
    assert selectors.organisation_return(
        user=cast.other_agency_lead, survey=survey, organisation=cast.other_agency
    ).can_edit


def test_the_partnership_sees_a_return_only_once_submitted(cast, client_for, survey, invited):
    lead = client_for(cast.agency_lead)
    lead.post(page_url(survey, cast.agency, 1), PAGE_1)
    partnership = [cast.admin, cast.paqa_member, cast.board_member]
    for user in partnership:
        client = client_for(user)
        assert client.get(view_url(survey, cast.agency)).status_code == 404
        assert client.get(page_url(survey, cast.agency, 1)).status_code == 404
        assert client.get(check_url(survey, cast.agency)).status_code == 404
        with pytest.raises(Http404):
            selectors.organisation_return(user=user, survey=survey, organisation=cast.agency)

    complete_and_submit(lead, survey, cast.agency)

    for user in partnership:
        page = client_for(user).get(view_url(survey, cast.agency))
        assert page.status_code == 200
        assert "Vacancies in frontline teams" in page.content.decode()
        assert not selectors.organisation_return(
            user=user, survey=survey, organisation=cast.agency
        ).can_edit
    # Another organisation's lead still cannot read it; its own lead can.
    assert client_for(cast.other_agency_lead).get(view_url(survey, cast.agency)).status_code == 404
    assert lead.get(view_url(survey, cast.agency)).status_code == 200


def test_a_submitted_return_cannot_be_changed(cast, client_for, survey, invited):
    lead = client_for(cast.agency_lead)
    complete_and_submit(lead, survey, cast.agency)
    response = response_of(survey, cast.agency)
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_on == timezone.localdate()
    before = selectors.answers_by_code(response=response)

    changed = lead.post(page_url(survey, cast.agency, 1), {"pressures": ["Funding"]})
    assert changed["Location"] == view_url(survey, cast.agency)
    assert lead.post(check_url(survey, cast.agency))["Location"] == view_url(survey, cast.agency)
    assert lead.get(
        reverse("surveys:impact-return-organisation", args=[survey.pk, cast.agency.pk])
    )["Location"] == view_url(survey, cast.agency)

    impact_return = selectors.organisation_return(
        user=cast.agency_lead, survey=survey, organisation=cast.agency
    )
    assert not impact_return.can_edit
    questions = list(survey.pages.get(order=1).questions.all())
    with pytest.raises(ValidationError):
        services.impact_answers_save(
            impact_return=impact_return,
            values={"pressures": ["Funding"]},
            questions=questions,
            page_number=1,
        )
    answers_save(
        response=response, values={"pressures": ["Funding"]}, questions=questions, page_number=1
    )
    assert selectors.answers_by_code(response=response) == before
    assert (
        services.impact_return_submit(impact_return=impact_return, actor=cast.agency_lead)[1]
        is False
    )
    view = lead.get(view_url(survey, cast.agency)).content.decode()
    assert "Change" not in view


def test_a_return_with_required_questions_unanswered_is_not_sent(cast, client_for, survey, invited):
    lead = client_for(cast.agency_lead)
    lead.post(page_url(survey, cast.agency, 1), PAGE_1)
    refused = lead.post(
        check_url(survey, cast.agency), {"check_token": check_token(lead, survey, cast.agency)}
    )
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert response_of(survey, cast.agency).status == Response.Status.DRAFT


def test_the_return_is_closed_outside_its_dates(cast, client_for, survey, invited):
    survey.closes_on = timezone.localdate() - timedelta(days=1)
    survey.save()
    lead = client_for(cast.agency_lead)
    closed = lead.post(page_url(survey, cast.agency, 1), PAGE_1)
    assert "This return is closed" in closed.content.decode()
    assert selectors.answers_by_code(response=response_of(survey, cast.agency)) == {}


def test_a_lead_of_several_organisations_is_asked_which(cast, client_for, survey, invited):
    MembershipFactory(user=cast.agency_lead, organisation=cast.other_agency, role=Role.AGENCY_LEAD)
    page = client_for(cast.agency_lead).get(reverse("surveys:impact-return", args=[survey.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Which organisation are you answering for?" in text
    assert cast.agency.name in text
    assert cast.other_agency.name in text
    assert (
        client_for(cast.admin).get(reverse("surveys:impact-return", args=[survey.pk])).status_code
        == 403
    )


# Reminders and the return rate ------------------------------------------------------------------


def test_reminders_go_only_to_organisations_that_have_not_returned(
    cast, client_for, survey, invited, django_capture_on_commit_callbacks, mailoutbox
):
    complete_and_submit(client_for(cast.agency_lead), survey, cast.agency)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client_for(cast.admin).post(reverse("surveys:impact-remind", args=[survey.pk]))
    assert reply.status_code == 302
    assert [message.to for message in mailoutbox] == [[cast.other_agency_lead.email]]
    assert cast.other_agency.name in mailoutbox[0].subject
    returned = SurveyInvitation.objects.get(survey=survey, organisation=cast.agency)
    waiting = SurveyInvitation.objects.get(survey=survey, organisation=cast.other_agency)
    assert (returned.reminders_sent, returned.last_reminded_at) == (0, None)
    assert waiting.reminders_sent == 1
    assert waiting.last_reminded_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.impact_reminders_send(survey=survey, actor=cast.paqa_member)
    waiting.refresh_from_db()
    assert waiting.reminders_sent == 2
    assert len(mailoutbox) == 2

    assert (
        client_for(cast.agency_lead)
        .post(reverse("surveys:impact-remind", args=[survey.pk]))
        .status_code
        == 403
    )


def test_return_rate_counts(cast, client_for, survey, invited):
    services.invitations_send(survey=survey, organisations=[cast.business_unit], actor=cast.admin)
    complete_and_submit(client_for(cast.agency_lead), survey, cast.agency)
    client_for(cast.other_agency_lead).post(page_url(survey, cast.other_agency, 1), PAGE_1)

    rows = selectors.invitations_for(user=cast.admin, survey=survey)
    assert [(row.organisation.name, row.returned) for row in rows] == [
        ("Business Unit", False),
        ("Health Agency", False),
        ("Police Agency", True),
    ]
    rate = impact.return_rate(rows)
    assert (rate.invited, rate.returned, rate.not_returned, rate.percent) == (3, 1, 2, 33)
    assert [row.readable for row in rows] == [False, False, True]

    page = client_for(cast.admin).get(reverse("surveys:impact-rate", args=[survey.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 of 3" in text
    assert "Remind organisations that have not returned" in text
    assert view_url(survey, cast.agency) in text
    assert view_url(survey, cast.other_agency) not in text

    # An agency lead sees the statuses, and a link to their own organisation's return only.
    lead_rows = selectors.invitations_for(user=cast.other_agency_lead, survey=survey)
    assert [(row.readable, row.editable) for row in lead_rows] == [
        (False, False),
        (True, True),
        (False, False),
    ]
    lead_page = client_for(cast.other_agency_lead).get(
        reverse("surveys:impact-rate", args=[survey.pk])
    )
    assert "Remind organisations" not in lead_page.content.decode()
    assert "Invite organisations" not in lead_page.content.decode()


def test_the_rate_page_needs_an_organisation_survey(cast, client_for, survey):
    with pytest.raises(PermissionDenied):
        selectors.invitations_for(user=UserFactory(email="nobody@example.org"), survey=survey)
    assert client_for(cast.admin).get(reverse("surveys:impact-rate", args=[999])).status_code == 404
