"""Check your answers before sending an impact-assessment return: the check page shows every
answer, and the return is sent only from that page, unchanged since it was shown."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from paqa.surveys import impact_checking, selectors, services
from paqa.surveys.models import Response, Survey, SurveyInvitation
from tests.surveys.test_impact import (
    PAGE_1,
    PAGE_2,
    PAGE_3,
    check_token,
    check_url,
    page_url,
    response_of,
    view_url,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("impact")</script>'


@pytest.fixture
def survey(cast) -> Survey:
    today = timezone.localdate()
    survey = services.impact_survey_create(
        year="2018-19",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=30),
        actor=cast.admin,
    )
    services.invitations_send(survey=survey, organisations=[cast.agency], actor=cast.admin)
    return survey


@pytest.fixture
def lead(cast, client_for):
    """The police agency's lead, signed in."""
    return client_for(cast.agency_lead)


def answer_every_page(client, survey, organisation, **changes) -> None:
    for number, data in enumerate((PAGE_1, PAGE_2, PAGE_3), start=1):
        reply = client.post(
            page_url(survey, organisation, number), {**data, **changes.get(str(number), {})}
        )
        assert reply.status_code == 302, reply.content.decode()[:2000]


def submissions(survey, organisation) -> int:
    """History records of the invitation: sending the return stamps it once."""
    return SurveyInvitation.history.filter(survey=survey, organisation=organisation).count()


def test_the_check_page_shows_every_answer_with_a_way_to_change_it(cast, lead, survey):
    answer_every_page(lead, survey, cast.agency)
    page = lead.get(check_url(survey, cast.agency))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Check your answers before sending your return" in html
    summary = selectors.return_summary(
        user=cast.agency_lead,
        impact_return=selectors.organisation_return(
            user=cast.agency_lead, survey=survey, organisation=cast.agency
        ),
    )
    questions = [question for part in summary for question, _answer in part.items]
    assert len(questions) >= 9
    for part in summary:
        for question, answer in part.items:
            assert escape(question.text) in html
            assert answer, f"{question.code} has no answer"
    for text in (
        "Recruitment and retention, Increasing demand for services",
        "Vacancies in frontline teams",
        "Attendance at strategy meetings",
        "Strongly agree",
        "The neglect toolkit is used in every team",
    ):
        assert text in html
    for number in (1, 2, 3):
        assert f'href="{page_url(survey, cast.agency, number)}">Change' in html
    assert "govuk-warning-text" in html
    assert "cannot be undone" in html
    assert ">Accept and send</button>" in html
    assert check_token(lead, survey, cast.agency)


def test_the_check_page_escapes_what_people_typed(cast, lead, survey):
    answer_every_page(lead, survey, cast.agency, **{"1": {"pressures-detail": HOSTILE}})
    html = lead.get(check_url(survey, cast.agency)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;impact&quot;)&lt;/script&gt;" in html


def test_sending_without_checking_is_refused(cast, lead, survey):
    answer_every_page(lead, survey, cast.agency)
    before = submissions(survey, cast.agency)
    for data in ({}, {"check_token": ""}, {"check_token": "made-up"}):
        reply = lead.post(check_url(survey, cast.agency), data)
        assert reply.status_code == 302
        assert reply["Location"] == check_url(survey, cast.agency)
    response = response_of(survey, cast.agency)
    assert response.status == Response.Status.DRAFT
    assert response.submitted_on is None
    assert submissions(survey, cast.agency) == before
    page = lead.get(check_url(survey, cast.agency)).content.decode()
    assert "Check your answers before you send the return" in page


def test_answers_changed_since_they_were_checked_are_not_sent(cast, lead, survey):
    answer_every_page(lead, survey, cast.agency)
    token = check_token(lead, survey, cast.agency)
    before = submissions(survey, cast.agency)
    # A colleague changes page 2 after the check.
    changed = {**PAGE_2, "improvement-detail": "Changed after the check"}
    assert lead.post(page_url(survey, cast.agency, 2), changed).status_code == 302
    reply = lead.post(check_url(survey, cast.agency), {"check_token": token})
    assert reply.status_code == 302
    assert reply["Location"] == check_url(survey, cast.agency)
    assert response_of(survey, cast.agency).status == Response.Status.DRAFT
    assert submissions(survey, cast.agency) == before
    again = lead.get(check_url(survey, cast.agency)).content.decode()
    assert "Your answers changed since you checked them. Check them again" in again
    assert "Changed after the check" in again


def test_a_checked_return_is_sent(cast, lead, survey):
    answer_every_page(lead, survey, cast.agency)
    before = submissions(survey, cast.agency)
    token = check_token(lead, survey, cast.agency)
    reply = lead.post(check_url(survey, cast.agency), {"check_token": token})
    assert reply.status_code == 302
    assert reply["Location"] == view_url(survey, cast.agency)
    response = response_of(survey, cast.agency)
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_on == timezone.localdate()
    assert submissions(survey, cast.agency) == before + 1
    # The same page sent again: the return is locked, nothing more happens.
    again = lead.post(check_url(survey, cast.agency), {"check_token": token})
    assert again["Location"] == view_url(survey, cast.agency)
    assert submissions(survey, cast.agency) == before + 1


def test_a_token_is_for_one_person_and_one_return(cast, survey):
    impact_return = selectors.organisation_return(
        user=cast.agency_lead, survey=survey, organisation=cast.agency
    )
    token = impact_checking.check_token(impact_return=impact_return, user=cast.agency_lead)
    verify = impact_checking.check_token_verify
    assert (
        verify(impact_return=impact_return, user=cast.agency_lead, token=token)
        is impact_checking.Checked.VALID
    )
    assert (
        verify(impact_return=impact_return, user=cast.admin, token=token)
        is impact_checking.Checked.MISSING
    )
    services.invitations_send(survey=survey, organisations=[cast.other_agency], actor=cast.admin)
    other = selectors.organisation_return(
        user=cast.other_agency_lead, survey=survey, organisation=cast.other_agency
    )
    assert (
        verify(impact_return=other, user=cast.agency_lead, token=token)
        is impact_checking.Checked.MISSING
    )


def test_unanswered_questions_are_still_refused_with_the_error_summary(cast, lead, survey):
    lead.post(page_url(survey, cast.agency, 1), PAGE_1)
    token = check_token(lead, survey, cast.agency)
    reply = lead.post(check_url(survey, cast.agency), {"check_token": token})
    assert reply.status_code == 200
    html = reply.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert "before you send the return" in html
    assert response_of(survey, cast.agency).status == Response.Status.DRAFT
