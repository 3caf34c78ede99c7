"""Check your answers before submitting a self-assessment return: the check page shows everything
that will be sent, and the submission is refused unless it comes from that page, unchanged."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from paqa.assessments import checking
from paqa.assessments.models import Cycle, Return
from paqa.assessments.services import answer_save, return_sign_off, return_submit
from paqa.core.access import Role
from tests.assessments.conftest import answer_of, complete
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("evidence")</script>'


def check_url(assessment_return):
    return reverse("assessments:check", args=[assessment_return.pk])


def submit_url(assessment_return):
    return reverse("assessments:submit", args=[assessment_return.pk])


def token_on(page) -> str:
    found = re.search(r'name="check_token" value="([^"]+)"', page.content.decode())
    assert found, "The check page has no check token"
    return found.group(1)


def signed_off(cast, assessment_return, role_title="Head of safeguarding"):
    complete(assessment_return)
    return return_sign_off(
        assessment_return=assessment_return, actor=cast.agency_lead, role_title=role_title
    )


def submissions(assessment_return) -> int:
    """History records of the return as submitted: one per submission."""
    return assessment_return.history.filter(status=Return.Status.SUBMITTED).count()


def assert_not_submitted(assessment_return, status=Return.Status.SIGNED_OFF):
    assessment_return.refresh_from_db()
    assert assessment_return.status == status
    assert assessment_return.submitted_at is None
    assert assessment_return.submitted_by is None
    assert submissions(assessment_return) == 0


# The check page ---------------------------------------------------------------------------------


def test_the_return_page_leads_to_the_check_page_not_straight_to_submitting(
    cast, client_for, police_return
):
    signed_off(cast, police_return)
    page = client_for(cast.agency_lead).get(reverse("assessments:return", args=[police_return.pk]))
    html = page.content.decode()
    assert f'href="{check_url(police_return)}"' in html
    assert "Check your answers and submit" in html
    assert submit_url(police_return) not in html


def test_the_check_page_shows_every_answer_and_the_sign_off(cast, client_for, police_return):
    complete(police_return)
    eight = answer_of(police_return, 8)
    eight.rating = "amber"
    eight.evidence = "Police attended two thirds of strategy meetings"
    eight.save()
    one = answer_of(police_return, 1)
    one.rating = "blue"
    one.example = "Joint briefings with children's social care"
    one.save()
    return_sign_off(
        assessment_return=police_return,
        actor=cast.agency_lead,
        role_title="Detective Superintendent",
    )
    page = client_for(cast.agency_lead).get(check_url(police_return))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Check your answers before submitting your return" in html
    for answer in police_return.answers.select_related("standard"):
        number = answer.standard.number
        assert f'id="standard-{number}"' in html
        assert escape(str(answer.standard)) in html
        assert escape(answer.evidence) in html
        answer_url = reverse("assessments:answer", args=[police_return.pk, number])
        assert f'href="{answer_url}">Change<span class="govuk-visually-hidden"> ' in html
    card_8 = html.split('id="standard-8"')[1].split('govuk-summary-card"')[0]
    assert ">Amber<" in card_8
    assert "Police attended two thirds of strategy meetings" in card_8
    card_1 = html.split('id="standard-1"')[1].split('govuk-summary-card"')[0]
    assert ">Blue<" in card_1
    assert "Joint briefings with children&#x27;s social care" in card_1
    # The sign-off, with a way back to change it.
    assert cast.agency_lead.full_name in html
    assert "Detective Superintendent" in html
    assert reverse("assessments:sign-off", args=[police_return.pk]) in html
    # The confirmation: a warning, a button, and the token of what was shown.
    assert "govuk-warning-text" in html
    assert "cannot be undone" in html
    assert ">Submit return</button>" in html
    assert f'action="{submit_url(police_return)}"' in html
    assert token_on(page)


def test_the_check_page_escapes_what_people_typed(cast, client_for, police_return):
    complete(police_return)
    one = answer_of(police_return, 1)
    one.rating = "blue"
    one.evidence = HOSTILE
    one.example = '"><img src=x onerror=alert(1)>'
    one.save()
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title=HOSTILE)
    html = client_for(cast.agency_lead).get(check_url(police_return)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert html.count("&lt;script&gt;alert(&quot;evidence&quot;)&lt;/script&gt;") == 2
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_incomplete_return_shows_what_is_missing(cast, client_for, police_return):
    complete(police_return)
    answer = answer_of(police_return, 4)
    answer.evidence = ""
    answer.save()
    html = client_for(cast.agency_lead).get(check_url(police_return)).content.decode()
    assert "Before you can submit the return" in html
    assert "Standard 4: Describe the evidence for rating this standard Green" in html
    assert reverse("assessments:answer", args=[police_return.pk, 4]) in html
    assert "A senior lead must sign off the return before it is submitted" in html


def test_a_submitted_return_has_nothing_to_check(cast, client_for, police_return):
    signed_off(cast, police_return)
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    page = client_for(cast.agency_lead).get(check_url(police_return))
    assert page["Location"] == reverse("assessments:return", args=[police_return.pk])


def test_the_check_page_keeps_the_access_rules(cast, client_for, police_return, health_return):
    signed_off(cast, police_return)
    # Another organisation's draft does not exist for its lead, nor for the partnership.
    for user in (cast.other_agency_lead, cast.admin, cast.paqa_member):
        assert client_for(user).get(check_url(police_return)).status_code == 404
        assert client_for(user).post(submit_url(police_return)).status_code == 404
    # Once submitted the partnership reads it but may not submit it: 403.
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    for user in (cast.admin, cast.paqa_member):
        assert client_for(user).get(check_url(police_return)).status_code == 403
        assert client_for(user).post(submit_url(police_return)).status_code == 403
    assert client_for(cast.agency_lead).get(check_url(health_return)).status_code == 404


# Submitting -----------------------------------------------------------------------------------


def test_submitting_without_checking_is_refused(cast, client_for, police_return):
    signed_off(cast, police_return)
    client = client_for(cast.agency_lead)
    for data in ({}, {"check_token": ""}, {"check_token": "made-up"}):
        reply = client.post(submit_url(police_return), data)
        assert reply.status_code == 302
        assert reply["Location"] == check_url(police_return)
        assert_not_submitted(police_return)
    page = client.get(check_url(police_return)).content.decode()
    assert "Check your answers before you submit the return" in page


def test_a_token_for_another_return_or_person_is_refused(
    cast, client_for, police_return, health_return
):
    signed_off(cast, police_return)
    complete(health_return)
    return_sign_off(
        assessment_return=health_return, actor=cast.other_agency_lead, role_title="Head"
    )
    health_token = token_on(client_for(cast.other_agency_lead).get(check_url(health_return)))
    reply = client_for(cast.agency_lead).post(
        submit_url(police_return), {"check_token": health_token}
    )
    assert reply["Location"] == check_url(police_return)
    # Another lead of the same organisation checks; the token is theirs alone.
    colleague = UserFactory(email="deputy@example.org")
    MembershipFactory(user=colleague, organisation=cast.agency, role=Role.AGENCY_LEAD)
    theirs = token_on(client_for(colleague).get(check_url(police_return)))
    reply = client_for(cast.agency_lead).post(submit_url(police_return), {"check_token": theirs})
    assert reply["Location"] == check_url(police_return)
    assert_not_submitted(police_return)
    assert_not_submitted(health_return)


def test_answers_changed_since_they_were_checked_are_not_submitted(cast, client_for, police_return):
    signed_off(cast, police_return)
    client = client_for(cast.agency_lead)
    token = token_on(client.get(check_url(police_return)))
    # A colleague changes standard 3 and signs the return off again: still signed off, but not
    # what was checked.
    answer = answer_of(police_return, 3)
    answer_save(
        answer=answer,
        actor=cast.agency_lead,
        rating="amber",
        evidence="Changed after the check",
        example="",
        based_on_version=answer.version,
    )
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    reply = client.post(submit_url(police_return), {"check_token": token})
    assert reply.status_code == 302
    assert reply["Location"] == check_url(police_return)
    assert_not_submitted(police_return)
    again = client.get(check_url(police_return))
    html = again.content.decode()
    assert "Your answers changed since you checked them. Check them again" in html
    assert "Changed after the check" in html
    # Checked again, it goes.
    reply = client.post(submit_url(police_return), {"check_token": token_on(again)})
    assert reply["Location"] == reverse("assessments:submitted", args=[police_return.pk])
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.SUBMITTED


def test_a_new_sign_off_or_document_after_the_check_makes_it_stale(cast, client_for, police_return):
    signed_off(cast, police_return, role_title="Head")
    token = checking.check_token(assessment_return=police_return, user=cast.agency_lead)
    assert (
        checking.check_token_verify(
            assessment_return=police_return, user=cast.agency_lead, token=token
        )
        is checking.Checked.VALID
    )
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Director")
    police_return.refresh_from_db()
    assert (
        checking.check_token_verify(
            assessment_return=police_return, user=cast.agency_lead, token=token
        )
        is checking.Checked.STALE
    )


def test_a_checked_return_is_submitted(cast, client_for, police_return):
    signed_off(cast, police_return)
    client = client_for(cast.agency_lead)
    token = token_on(client.get(check_url(police_return)))
    reply = client.post(submit_url(police_return), {"check_token": token})
    assert reply.status_code == 302
    assert reply["Location"] == reverse("assessments:submitted", args=[police_return.pk])
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.SUBMITTED
    assert police_return.submitted_by == cast.agency_lead
    assert submissions(police_return) == 1
    done = client.get(reply["Location"])
    html = done.content.decode()
    assert 'class="govuk-panel govuk-panel--confirmation"' in html
    assert "Return submitted" in html
    assert reverse("assessments:pdf", args=[police_return.pk]) in html
    # Sending the same page again submits nothing more.
    again = client.post(submit_url(police_return), {"check_token": token})
    assert again["Location"] == reverse("assessments:submitted", args=[police_return.pk])
    assert submissions(police_return) == 1


def test_the_confirmation_waits_for_a_submission(cast, client_for, police_return):
    reply = client_for(cast.agency_lead).get(
        reverse("assessments:submitted", args=[police_return.pk])
    )
    assert reply["Location"] == reverse("assessments:return", args=[police_return.pk])


def test_problems_are_still_refused_with_the_error_summary(cast, client_for, police_return):
    """A checked token does not get round the rules: not signed off, nothing is submitted."""
    complete(police_return)
    client = client_for(cast.agency_lead)
    token = token_on(client.get(check_url(police_return)))
    reply = client.post(submit_url(police_return), {"check_token": token})
    assert reply.status_code == 200
    html = reply.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert "A senior lead must sign off the return before it is submitted" in html
    assert_not_submitted(police_return, status=Return.Status.DRAFT)


# Dates: the GOV.UK date input --------------------------------------------------------------------


def test_dates_are_typed_as_day_month_and_year(cast, client_for, framework):
    client = client_for(cast.admin)
    page = client.get(reverse("assessments:cycle-create")).content.decode()
    assert 'class="govuk-date-input"' in page
    assert 'name="deadline_0"' in page
    assert 'name="deadline_2"' in page
    assert "For example, 31 5 2027" in page
    base = {"framework": framework.pk, "year": "2020-21", "organisations": [cast.agency.pk]}
    missing = client.post(reverse("assessments:cycle-create"), base).content.decode()
    assert "Enter the deadline for returns" in missing
    unreal = client.post(
        reverse("assessments:cycle-create"),
        {**base, "deadline_0": "31", "deadline_1": "2", "deadline_2": "2021"},
    ).content.decode()
    assert "The deadline for returns must be a real date" in unreal
    partial = client.post(
        reverse("assessments:cycle-create"), {**base, "deadline_0": "31", "deadline_2": "2021"}
    ).content.decode()
    assert "The deadline for returns must include a month" in partial
    made = client.post(
        reverse("assessments:cycle-create"),
        {**base, "deadline_0": "31", "deadline_1": "5", "deadline_2": "2021"},
    )
    assert made.status_code == 302
    assert Cycle.objects.get(year="2020-21").deadline == date(2021, 5, 31)


def test_an_extension_shows_the_current_deadline_in_the_date_input(cast, client_for, health_return):
    page = client_for(cast.admin).get(reverse("assessments:extend", args=[health_return.pk]))
    html = page.content.decode()
    assert re.search(r'name="deadline_0"[^>]* value="31"', html)
    assert re.search(r'name="deadline_1"[^>]* value="5"', html)
    assert re.search(r'name="deadline_2"[^>]* value="2019"', html)
    refused = client_for(cast.admin).post(
        reverse("assessments:extend", args=[health_return.pk]),
        {"deadline_0": "1", "deadline_1": "5", "deadline_2": "2019"},
    )
    assert "An extension must be on or after the cycle&#x27;s deadline" in refused.content.decode()


def test_an_action_for_a_gap_has_a_due_date(cast, client_for, police_return):
    url = reverse("assessments:action-add", args=[police_return.pk, 8])
    client = client_for(cast.agency_lead)
    refused = client.post(url, {"title": "Audit attendance", "owner_name": "DI Jones"})
    assert refused.status_code == 400
    assert "Enter the due date" in refused.content.decode()
    added = client.post(
        url,
        {
            "title": "Audit attendance",
            "owner_name": "DI Jones",
            "due_date_0": "30",
            "due_date_1": "9",
            "due_date_2": "2030",
        },
    )
    assert added.status_code == 302
    from paqa.actions.models import Action

    assert Action.objects.get(title="Audit attendance").due_date == date(2030, 9, 30)
