"""Drafts stay inside their organisation; the partnership sees returns once submitted."""

import pytest
from django.urls import reverse

from paqa.assessments.services import return_sign_off, return_submit
from tests.assessments.conftest import complete

pytestmark = pytest.mark.django_db


def _url(assessment_return, name="assessments:return"):
    return reverse(name, args=[assessment_return.pk])


def test_agency_lead_sees_own_draft(cast, client_for, police_return):
    assert client_for(cast.agency_lead).get(_url(police_return)).status_code == 200


def test_another_organisations_draft_is_a_404_for_an_agency_lead(cast, client_for, health_return):
    client = client_for(cast.agency_lead)
    assert client.get(_url(health_return)).status_code == 404
    answer_url = reverse("assessments:answer", args=[health_return.pk, 1])
    assert client.get(answer_url).status_code == 404
    assert (
        client.post(answer_url, {"version": 1, "rating": "red", "evidence": "x"}).status_code == 404
    )


@pytest.mark.parametrize("role", ["admin", "paqa_member", "board_member"])
def test_the_partnership_cannot_see_a_draft(cast, client_for, police_return, role):
    client = client_for(getattr(cast, role))
    assert client.get(_url(police_return)).status_code == 404
    assert client.get(reverse("assessments:answer", args=[police_return.pk, 1])).status_code == 404


def test_the_partnership_sees_a_submitted_return(cast, client_for, police_return):
    complete(police_return)
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    assert client_for(cast.paqa_member).get(_url(police_return)).status_code == 200
    page = client_for(cast.board_member).get(
        reverse("assessments:cycle", args=[police_return.cycle_id])
    )
    assert "Police Agency" in page.content.decode()


def test_board_members_see_the_summary_only(cast, client_for, police_return):
    complete(police_return)
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    client = client_for(cast.board_member)
    assert client.get(_url(police_return)).status_code == 404
    challenge = reverse("assessments:challenge", args=[police_return.pk, 1])
    assert client.post(challenge, {"challenge": "x", "moderated_rating": "red"}).status_code == 403
    assert client.get(reverse("assessments:cycle-create")).status_code == 403


def test_board_members_cannot_edit(cast, client_for, police_return):
    client = client_for(cast.board_member)
    url = reverse("assessments:answer", args=[police_return.pk, 1])
    response = client.post(url, {"version": 1, "rating": "red", "evidence": "x"})
    assert response.status_code == 404  # a draft does not exist for them at all
    assert police_return.answers.get(standard__number=1).rating == ""


def test_auditors_of_the_same_organisation_cannot_edit_its_return(cast, client_for, police_return):
    url = reverse("assessments:answer", args=[police_return.pk, 1])
    assert client_for(cast.auditor).post(url, {"version": 1, "rating": "red"}).status_code == 404


def test_agency_lead_cannot_challenge(cast, client_for, police_return):
    complete(police_return)
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    url = reverse("assessments:challenge", args=[police_return.pk, 1])
    assert client_for(cast.agency_lead).get(url).status_code == 403
