"""Escalations in real browsers: a PAQA member raises an escalation from an indicator exception,
links an audit finding as evidence, records the owner's response, the partnership's assurance and
the outcome; a board member then reads the register and the escalation, and opens its evidence.
Every page either person reaches is checked by axe."""

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from paqa.audits.demo import demo_audits_load
from paqa.core.access import Role
from paqa.escalations.demo import demo_escalations_load
from paqa.indicators.demo import demo_indicators_load
from paqa.partnership.demo import DEMO_PEOPLE, DemoPerson
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, Journey
from tests.browser.test_assessment_journeys import expect_success, open_menu, summary_value
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

INDICATOR = "CAMHS referrals seen within 12 weeks"
TITLE = "Browser test: waits for a first CAMHS appointment"
FINDING = (
    "Browser test: fewer than half of children referred to CAMHS were seen within 12 weeks, "
    "and the figure has fallen every month this year."
)
ESCALATED_TO = "Chair of the Safeguarding Children Board"
OWNER = "Oxfordshire Clinical Commissioning Group"
AUDIT = "Young people who engage in harmful behaviour"
AUDIT_FINDING = "Information sharing between police and schools was slow."
RESPONSE = "Browser test: the CCG has funded a waiting-list initiative and weekly reporting."
ASSURANCE = "Browser test: three months of weekly figures show waits falling."
PLACEMENTS = "Placements for children with complex mental health needs"
OUTCOME = "Browser test: 68% are now seen within 12 weeks; monitored on the dashboard."


@pytest.fixture
def demo_evidence(demo_partnership: Any) -> Any:
    """The demo partnership with its figures and audits (and no escalations yet)."""
    demo_indicators_load(partnership=demo_partnership)
    demo_audits_load(partnership=demo_partnership)
    return demo_partnership


@pytest.fixture
def board_journey(browser: Browser, live_server: Any, page: Page) -> Iterator[Journey]:
    """A board member's journey, in a browser context of its own so the sessions do not mix."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield Journey(context.new_page(), live_server.url)
    finally:
        context.close()


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def evidence_links(page: Page) -> Locator:
    return page.locator("h2#evidence + ul li a")


def status(page: Page) -> Locator:
    return summary_value(page, "Status")


def paqa_member_raises_it_from_the_exception(journey: Journey) -> None:
    page = journey.page
    sign_in(journey, "paqa@demo.example")
    open_menu(journey, "Data")
    expect_heading(journey, "The local safeguarding data")
    journey.click(page.get_by_role("link", name="Exceptions", exact=True))
    expect_heading(journey, "Exceptions")
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=INDICATOR, exact=True))
    expect(row).to_have_count(1)
    journey.click(row.get_by_role("link", name=f"Raise an escalation about {INDICATOR}"))
    expect_heading(journey, "Raise an escalation")
    inset = page.locator(".govuk-inset-text")
    expect(inset).to_contain_text("The escalation will be linked to this evidence")
    expect(inset.get_by_role("link", name=INDICATOR, exact=True)).to_be_visible()
    # The indicator's theme is chosen already, the year and the date escalated filled in.
    themes = page.get_by_role("group", name="Themes (optional)", exact=True)
    expect(themes.get_by_role("checkbox", name="Workload and complexity")).to_be_checked()
    expect(page.get_by_label("Reporting year", exact=True)).not_to_have_value("")

    # Without a response date: an accessible error summary, and nothing else lost.
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("What was found", exact=True).fill(FINDING)
    page.get_by_label("Escalated to", exact=True).fill(ESCALATED_TO)
    page.get_by_label("Organisation that owns the response", exact=True).select_option(label=OWNER)
    page.get_by_role("group", name="RAG rating", exact=True).get_by_role(
        "radio", name="Red", exact=True
    ).check()
    themes.get_by_role("checkbox", name="Mental health", exact=True).check()
    journey.click(page.get_by_role("button", name="Raise escalation", exact=True))
    expect_heading(journey, "Raise an escalation")
    assert page.title().startswith("Error: "), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_role("link", name="Enter the response required by", exact=True)
    ).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)
    expect(page.locator(".govuk-inset-text")).to_contain_text(INDICATOR)

    due = timezone.localdate() + timedelta(days=28)
    fill_date(page, "Response required by", due)
    journey.click(page.get_by_role("button", name="Raise escalation", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, f"The escalation ‘{TITLE}’ has been raised.")
    expect(status(page)).to_have_text("Open")
    expect(summary_value(page, "RAG")).to_have_text("Red")
    expect(summary_value(page, "Owner organisation")).to_have_text(OWNER)
    expect(summary_value(page, "Escalated to")).to_have_text(ESCALATED_TO)
    expect(summary_value(page, "Response required by")).to_have_text(due.strftime("%-d %B %Y"))
    expect(summary_value(page, "Themes")).to_have_text("Mental health, Workload and complexity")
    expect(evidence_links(page)).to_have_text([INDICATOR])


def paqa_member_links_an_audit_finding(journey: Journey) -> None:
    page = journey.page
    journey.click(page.get_by_role("link", name="Link evidence", exact=True))
    expect_heading(journey, "Link evidence")
    evidence = page.get_by_label("Evidence", exact=True)
    expect(evidence.locator(f'optgroup[label="Audit findings: {AUDIT}, 2018-19"]')).to_have_count(1)
    evidence.select_option(label=AUDIT_FINDING)
    page.get_by_label("Why it is evidence (optional)", exact=True).fill(
        "Browser test: schools did not hear of police concerns in time."
    )
    journey.click(page.get_by_role("button", name="Link evidence", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The evidence has been linked.")
    expect(evidence_links(page)).to_have_text([INDICATOR, AUDIT_FINDING])


def paqa_member_records_the_response_assurance_and_outcome(journey: Journey) -> None:
    page = journey.page
    journey.click(page.get_by_role("link", name="Record the response", exact=True))
    expect_heading(journey, "Record the response")
    page.get_by_label("The owner organisation’s response", exact=True).fill(RESPONSE)
    journey.click(page.get_by_role("button", name="Record response", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The response has been recorded.")
    expect(status(page)).to_have_text("Response received")

    journey.click(page.get_by_role("link", name="Record assurance", exact=True))
    expect_heading(journey, "Record assurance")
    page.get_by_label("What gives the partnership assurance", exact=True).fill(ASSURANCE)
    journey.click(page.get_by_role("button", name="Record assurance", exact=True))
    expect_heading(journey, TITLE)
    expect(status(page)).to_have_text("Assured")

    journey.click(page.get_by_role("link", name="Close the escalation", exact=True))
    expect_heading(journey, "Close the escalation")
    journey.click(page.get_by_role("button", name="Close escalation", exact=True))
    expect_heading(journey, "Close the escalation")
    error = page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter the outcome of the escalation", exact=True
    )
    expect(error).to_be_visible()
    error.click()
    outcome = page.get_by_label("Outcome", exact=True)
    expect(outcome).to_be_focused()
    outcome.fill(OUTCOME)
    journey.click(page.get_by_role("button", name="Close escalation", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The escalation has been closed.")
    expect(status(page)).to_have_text("Closed")
    expect(summary_value(page, "Outcome")).to_have_text(OUTCOME)
    timeline = page.locator("ol.paqa-timeline > li h3")
    today = timezone.localdate().strftime("%-d %B %Y")
    expect(timeline).to_have_text([f"Response, {today}", f"Assurance, {today}", f"Closed, {today}"])
    expect(page.get_by_role("link", name="Record the response")).to_have_count(0)


def board_member_reads_the_register_and_the_evidence(journey: Journey) -> None:
    page = journey.page
    sign_in(journey, "board@demo.example")
    open_menu(journey, "Escalations")
    expect_heading(journey, "Escalations")
    expect(page.get_by_role("link", name="Raise an escalation")).to_have_count(0)
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=TITLE, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(OWNER)
    expect(row.locator(".govuk-tag").first).to_have_text("Closed")
    expect(row.locator(".govuk-tag").last).to_have_text("Red")

    page.get_by_label("Status", exact=True).select_option(label="Closed")
    journey.click(page.get_by_role("button", name="Filter", exact=True))
    expect_heading(journey, "Escalations")
    assert "status=closed" in page.url, page.url
    journey.click(page.get_by_role("link", name=TITLE, exact=True))
    expect_heading(journey, TITLE)
    expect(status(page)).to_have_text("Closed")
    expect(evidence_links(page)).to_have_text([INDICATOR, AUDIT_FINDING])
    expect(page.get_by_text("you cannot see")).to_have_count(0)
    expect(page.get_by_text(RESPONSE, exact=True)).to_be_visible()
    for words in ("Add an update", "Re-escalate", "Link evidence", "Add an action"):
        expect(page.get_by_role("link", name=words)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Unlink"))).to_have_count(0)

    # Each piece of evidence opens the record it names.
    journey.click(evidence_links(page).filter(has_text=AUDIT_FINDING))
    expect_heading(journey, AUDIT)
    assert re.search(r"/audits/\d+/#finding-\d+$", page.url), page.url
    page.go_back()
    expect_heading(journey, TITLE)
    journey.click(evidence_links(page).filter(has_text=INDICATOR))
    expect_heading(journey, INDICATOR)


@pytest.mark.browser
def test_a_paqa_member_escalates_an_exception_and_a_board_member_reads_it(
    journey: Journey, board_journey: Journey, settings, demo_evidence: Any
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs

    paqa_member_raises_it_from_the_exception(journey)
    paqa_member_links_an_audit_finding(journey)
    paqa_member_records_the_response_assurance_and_outcome(journey)
    board_member_reads_the_register_and_the_evidence(board_journey)

    # Every page each person reached was checked by axe, the error pages included.
    assert len(journey.visited) == 16, journey.visited
    assert len(board_journey.visited) == 7, board_journey.visited


@pytest.mark.browser
@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=lambda person: person.email)
def test_each_demo_person_reads_the_demo_register_and_an_escalation(
    journey: Journey, settings, demo_partnership: Any, person: DemoPerson
):
    """The register and a demo escalation, as every role sees them, checked by axe."""
    settings.PAQA_REQUIRE_MFA = False
    demo_indicators_load(partnership=demo_partnership)
    demo_escalations_load(partnership=demo_partnership)
    page = journey.page
    sign_in(journey, person.email)
    open_menu(journey, "Escalations")
    expect_heading(journey, "Escalations")
    expect(page.locator("tbody tr")).to_have_count(4)
    expect(page.get_by_role("link", name="Raise an escalation")).to_have_count(
        1 if person.role in (Role.PARTNERSHIP_ADMIN, Role.PAQA_MEMBER) else 0
    )
    journey.click(page.get_by_role("link", name=PLACEMENTS, exact=True))
    expect_heading(journey, PLACEMENTS)
    expect(status(page)).to_contain_text("Re-escalated")
    expect(evidence_links(page)).to_have_text([INDICATOR])
    assert len(journey.visited) == 4, journey.visited
