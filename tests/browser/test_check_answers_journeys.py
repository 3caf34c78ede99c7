"""Check your answers in a real browser: an agency lead opens their signed-off self-assessment
return, checks every answer on one page (axe finds nothing wrong with it), confirms, and sees the
confirmation panel."""

from typing import Any

import pytest
from playwright.sync_api import expect

from paqa.accounts.models import User
from paqa.assessments.demo import demo_assessments_load
from paqa.assessments.models import Return
from paqa.assessments.services import return_sign_off
from tests.browser.conftest import Journey, assert_no_axe_violations
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

LEAD = "lead.police@demo.example"
ORGANISATION = "Thames Valley Police"
CYCLE = "Section 11 self-assessment 2019-20"
JOB_TITLE = "Detective Superintendent, Safeguarding"


@pytest.fixture
def signed_off_return(demo_partnership: Any) -> Return:
    """The police's 2019-20 draft, signed off by their lead and ready to submit."""
    demo_assessments_load(partnership=demo_partnership)
    assessment_return = Return.objects.get(
        organisation__name=ORGANISATION, cycle__year="2019-20", status=Return.Status.DRAFT
    )
    return return_sign_off(
        assessment_return=assessment_return,
        actor=User.objects.get(email=LEAD),
        role_title=JOB_TITLE,
    )


@pytest.mark.browser
def test_a_lead_checks_their_answers_then_submits(
    journey: Journey, settings, signed_off_return: Return
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    page = journey.page
    sign_in(journey, LEAD)
    journey.goto(f"/self-assessment/returns/{signed_off_return.pk}/")
    expect_heading(journey, ORGANISATION)

    journey.click(page.get_by_role("link", name="Check your answers and submit", exact=True))
    expect_heading(journey, "Check your answers before submitting your return")
    assert_no_axe_violations(page)
    cards = page.locator(".govuk-summary-card")
    expect(cards).to_have_count(signed_off_return.answers.count())
    for answer in signed_off_return.answers.select_related("standard"):
        card = cards.filter(has=page.get_by_role("heading", name=str(answer.standard), exact=True))
        expect(card).to_have_count(1)
        expect(card.locator(".govuk-summary-list__value").nth(1)).to_have_text(answer.evidence)
        expect(card.get_by_role("link", name=f"Change ({answer.standard})")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text("cannot be undone")
    expect(page.get_by_text(JOB_TITLE, exact=True)).to_be_visible()

    journey.click(page.get_by_role("button", name="Submit return", exact=True))
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Return submitted")
    expect(panel).to_contain_text(f"{ORGANISATION}: {CYCLE}")
    signed_off_return.refresh_from_db()
    assert signed_off_return.status == Return.Status.SUBMITTED
    assert len(journey.visited) == 5, journey.visited
