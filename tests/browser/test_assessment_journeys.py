"""Self-assessment in real browsers: an agency lead updates last year's return, signs it off and
submits it; a PAQA member challenges and moderates a rating; the cycle's heat map and its data
show both ratings. Every page either person reaches is checked by axe."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from paqa.assessments.demo import demo_assessments_load
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

ORGANISATION = "Thames Valley Police"
CYCLE = "Section 11 self-assessment 2019-20"
RETURN_LINK = f"{ORGANISATION}, {CYCLE}"
STANDARD_1 = "1. Senior management commitment"
STANDARD_8 = "8. Information sharing"
NEW_EVIDENCE = (
    "Browser test: the information-sharing protocol was revised this year, but the audit of "
    "strategy meetings found police attended only two thirds of them."
)
EXAMPLE = "Browser test: joint briefings with children's social care, shared across the force."
CHALLENGE = "Browser test: the strategy-meeting audit shows the protocol is not yet followed."
DRAFTED = (
    "Peer challenge changed 1 rating (Information sharing for Thames Valley Police, Amber to Red)."
)


@pytest.fixture
def demo_assessments(demo_partnership: Any) -> Any:
    """The demo partnership with its self-assessment cycles, as `paqa demo` loads them."""
    demo_assessments_load(partnership=demo_partnership)
    return demo_partnership


@pytest.fixture
def second_journey(browser: Browser, live_server: Any, page: Page) -> Iterator[Journey]:
    """Another person's journey, in a browser context of its own so the sessions do not mix."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield Journey(context.new_page(), live_server.url)
    finally:
        context.close()


def open_menu(journey: Journey, label: str) -> None:
    """The menu entry, which may carry a count of the person's work (e.g. "Self-assessment 1")."""
    menu = journey.page.locator('nav[aria-label="Menu"]')
    journey.click(menu.get_by_role("link", name=re.compile(rf"^{re.escape(label)}(\s|$)")))


def summary_value(page: Page, key: str) -> Locator:
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )
    return row.locator("dd")


def expect_success(page: Page, text: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(text)


def rating(page: Page, label: str) -> Locator:
    """The radio whose label starts with the rating's name, e.g. "Amber: Partly met; ..."."""
    return page.get_by_role("radio", name=re.compile(rf"^{re.escape(label)}\b"))


def heat_map_cell(page: Page, organisation: str, number: int) -> Locator:
    heat_map = page.get_by_role("table", name=re.compile(r"^Self and moderated ratings"))
    row = heat_map.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=organisation, exact=True)
    )
    expect(row).to_have_count(1)
    return row.locator("td").nth(number - 1)


def lead_updates_signs_off_and_submits(journey: Journey) -> None:
    page = journey.page
    sign_in(journey, "lead.police@demo.example")
    open_menu(journey, "Self-assessment")
    expect_heading(journey, "Self-assessment")
    expect(page.get_by_role("heading", name="Your organisation’s returns")).to_be_visible()
    journey.click(page.get_by_role("link", name=RETURN_LINK, exact=True))
    expect_heading(journey, ORGANISATION)
    expect(summary_value(page, "Status")).to_have_text("Draft")
    expect(summary_value(page, "Started from")).to_contain_text("The 2018-19 return")

    # Standard 8 starts from last year's answer; the lead marks it down to Amber.
    journey.click(page.get_by_role("link", name=STANDARD_8, exact=True))
    expect_heading(journey, STANDARD_8)
    expect(page.locator(".govuk-inset-text")).to_contain_text("Carried forward from 2018-19")
    evidence = page.get_by_label("Evidence", exact=True)
    expect(evidence).not_to_have_value("")
    expect(page.locator('input[name="rating"]:checked')).to_have_count(1)
    rating(page, "Amber").check()
    evidence.fill(NEW_EVIDENCE)
    journey.click(page.get_by_role("button", name="Save and continue", exact=True))
    expect_heading(journey, ORGANISATION)
    expect_success(page, "Standard 8 has been saved.")
    expect(page.locator("#standard-8-status")).to_contain_text("Amber")

    # Blue needs a best-practice example: without one, an accessible error summary.
    journey.click(page.get_by_role("link", name=STANDARD_1, exact=True))
    expect_heading(journey, STANDARD_1)
    rating(page, "Blue").check()
    page.get_by_label("Best-practice example (needed for Blue)", exact=True).fill("")
    journey.click(page.get_by_role("button", name="Save and continue", exact=True))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        summary.get_by_role(
            "link", name=re.compile(r"^Give a best-practice example to rate this standard Blue")
        )
    ).to_be_visible()
    assert page.title().startswith("Error: "), page.title()
    expect(rating(page, "Blue")).to_be_checked()
    page.get_by_label("Best-practice example (needed for Blue)", exact=True).fill(EXAMPLE)
    journey.click(page.get_by_role("button", name="Save and continue", exact=True))
    expect_heading(journey, ORGANISATION)
    expect_success(page, "Standard 1 has been saved.")
    expect(page.locator("#standard-1-status")).to_contain_text("Blue")

    # Sign off, then submit.
    journey.click(page.get_by_role("link", name="Sign off", exact=True))
    expect_heading(journey, "Sign off the return")
    page.get_by_label("Your job title", exact=True).fill("Detective Superintendent, Safeguarding")
    page.get_by_label(re.compile(r"^I confirm that this return is accurate")).check()
    journey.click(page.get_by_role("button", name="Sign off", exact=True))
    expect_heading(journey, ORGANISATION)
    expect_success(page, "The return is signed off.")
    expect(summary_value(page, "Status")).to_have_text("Signed off")
    expect(summary_value(page, "Signed off")).to_contain_text(
        "Detective Superintendent, Safeguarding"
    )

    # Submitting goes through checking the answers, then a confirmation.
    journey.click(page.get_by_role("link", name="Check your answers and submit", exact=True))
    expect_heading(journey, "Check your answers before submitting your return")
    expect(page.locator(".govuk-summary-card").filter(has_text=STANDARD_8)).to_contain_text(
        NEW_EVIDENCE
    )
    journey.click(page.get_by_role("button", name="Submit return", exact=True))
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("Return submitted")
    journey.click(page.get_by_role("link", name="View the return", exact=True))
    expect_heading(journey, ORGANISATION)
    expect(summary_value(page, "Status")).to_have_text("Submitted")
    pdf_link = page.get_by_role("link", name="Download as PDF", exact=True)
    expect(pdf_link).to_be_visible()
    href = pdf_link.get_attribute("href")
    assert href, "The PDF link has no address"
    pdf = page.request.get(journey.url(href))
    assert pdf.ok, f"{href} answered {pdf.status} {pdf.status_text}"
    assert pdf.headers["content-type"].startswith("application/pdf"), pdf.headers
    assert pdf.body().startswith(b"%PDF"), pdf.body()[:20]


def paqa_member_challenges_and_moderates(journey: Journey) -> None:
    page = journey.page
    sign_in(journey, "paqa@demo.example")
    open_menu(journey, "Self-assessment")
    expect_heading(journey, "Self-assessment")
    journey.click(page.get_by_role("link", name=CYCLE, exact=True))
    expect_heading(journey, CYCLE)
    cell = heat_map_cell(page, ORGANISATION, 8)
    expect(cell).to_contain_text("Amber")
    expect(cell).not_to_contain_text("Moderated:")

    journey.click(page.get_by_role("rowheader", name=ORGANISATION).get_by_role("link"))
    expect_heading(journey, ORGANISATION)
    expect(summary_value(page, "Status")).to_have_text("Submitted")
    journey.click(page.get_by_role("link", name=STANDARD_8, exact=True))
    expect_heading(journey, STANDARD_8)
    expect(summary_value(page, "Rating")).to_have_text("Amber")
    expect(summary_value(page, "Evidence")).to_have_text(NEW_EVIDENCE)
    journey.click(page.get_by_role("link", name="Challenge or moderate this rating", exact=True))
    expect_heading(journey, f"Challenge: {STANDARD_8}")
    page.get_by_label("Challenge", exact=True).fill(CHALLENGE)
    rating(page, "Red").check()
    journey.click(page.get_by_role("button", name="Save challenge", exact=True))
    expect_heading(journey, ORGANISATION)
    expect_success(page, "The challenge on standard 8 has been saved.")
    expect(summary_value(page, "Status")).to_have_text("Challenged")
    expect(page.locator("#standard-8-status")).to_contain_text("Moderated")

    # The heat map shows both ratings, and the drafted sentence says what changed.
    journey.click(page.get_by_role("link", name=f"Back to {CYCLE}", exact=True))
    expect_heading(journey, CYCLE)
    cell = heat_map_cell(page, ORGANISATION, 8)
    expect(cell.locator(".govuk-tag")).to_have_text(["Amber", "Red"])
    expect(cell).to_contain_text("Moderated:")
    expect(heat_map_cell(page, ORGANISATION, 1).locator(".govuk-tag")).to_have_text(["Blue"])
    expect(page.locator(".paqa-drafted").filter(has_text=DRAFTED)).to_have_count(1)
    expect(page.get_by_text(DRAFTED, exact=True)).to_be_visible()

    # The same figures as data: the CSV has the self and the moderated rating side by side.
    csv_link = page.get_by_role("link", name="Download CSV", exact=True)
    expect(csv_link).to_have_attribute("href", "?format=csv")
    csv = page.request.get(f"{page.url.split('?')[0]}?format=csv")
    assert csv.ok, f"The CSV answered {csv.status} {csv.status_text}"
    assert csv.headers["content-type"].startswith("text/csv"), csv.headers
    lines = [line for line in csv.text().splitlines() if line.startswith(ORGANISATION)]
    assert len(lines) == 1, csv.text()
    # Standard 8 is the last pair of columns: self Amber, moderated Red.
    assert "Amber,Red" in lines[0], lines[0]
    assert lines[0].rstrip().endswith("Amber,Red"), lines[0]


@pytest.mark.browser
def test_a_lead_updates_last_years_return_and_submits_then_paqa_challenges_and_moderates(
    journey: Journey, second_journey: Journey, settings, demo_assessments: Any
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs

    lead_updates_signs_off_and_submits(journey)
    paqa_member_challenges_and_moderates(second_journey)

    # Every page each person reached was checked by axe, the error page included.
    assert len(journey.visited) == 14, journey.visited
    assert len(second_journey.visited) == 9, second_journey.visited
