"""Each demo person's home page in a real browser: their worklist (what is due from them, what
waits for them, the board's reading), checked by axe, with the counts in the menu."""

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from paqa.partnership.demo import DEMO_PEOPLE
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

#: What each person's home page must list (in the section named), from the demo.
EXPECTED = {
    "lead.police@demo.example": [
        ("#worklist-due", "Thames Valley Police: Section 11 self-assessment 2019-20"),
        ("#worklist-due", "Late by 7 days"),
        ("#worklist-due", "Thames Valley Police: Neglect of older children in police referrals"),
    ],
    "lead.health@demo.example": [
        ("#worklist-due", "Oxford Health NHS Foundation Trust: Section 11 self-assessment 2019-20"),
        ("#worklist-due", "Due in 14 days"),
    ],
    "auditor@demo.example": [("#worklist-due", "(Oxford Health NHS Foundation Trust)")],
    "paqa@demo.example": [
        ("#worklist-waiting", "Submitted: challenge or accept"),
        ("#worklist-due", "free-text answers to code"),
    ],
    "admin@demo.example": [("#worklist-waiting", "Submitted: challenge or accept")],
    "analyst@demo.example": [("#worklist-due", "free-text answers to code")],
    "board@demo.example": [
        ("#worklist-reports-latest-published", "annual report 2018-19"),
        ("#worklist-escalations-open", "Placements for children with complex mental health"),
        ("#worklist-indicators-exceptions", "CAMHS referrals seen within 12 weeks"),
    ],
}


@pytest.mark.browser
def test_each_person_is_told_what_is_theirs_to_do(
    browser: Browser, live_server: Any, transactional_db: None, settings: Any
):
    from tests.demo_snapshot import demo_into_database

    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    demo_into_database()
    assert set(EXPECTED) == {person.email for person in DEMO_PEOPLE}
    for email, expected in EXPECTED.items():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        journey = Journey(context.new_page(), live_server.url)
        sign_in(journey, email)  # the home page is checked by axe as it loads
        expect_heading(journey, "Your work")
        page = journey.page
        for where, text in expected:
            expect(page.locator(where)).to_contain_text(text)
        if email == "lead.police@demo.example":
            # Late first, and the menu counts what is behind each entry.
            first = page.locator("#worklist-due .govuk-task-list__item").first
            expect(first).to_contain_text("Late by 7 days")
            menu = page.locator('nav[aria-label="Menu"]')
            expect(menu.get_by_role("link", name="Self-assessment 1 item for you")).to_be_visible()
            journey.click(first.get_by_role("link"))
            expect_heading(journey, "Thames Valley Police")
        context.close()
