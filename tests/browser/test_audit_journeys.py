"""A multi-agency case audit in real browsers: a PAQA member sets up the audit (sections due by
a date) and chooses its cases at random, downloading the key to them once; the police and health
agency leads each complete their own section, which stays private to their organisation until
they have checked their answers and submitted it; the lead moves the audit to its meeting,
recording why it goes ahead without the sections still to come; the meeting's grades are
recorded; a finding becomes an action; the learning brief downloads as PDF and Word. Every page
is checked by axe."""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from paqa.audits.packs import audit_tool_load
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, Journey
from tests.browser.test_assessment_journeys import expect_success, open_menu, summary_value
from tests.browser.test_escalation_journeys import fill_date
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

POLICE = "Thames Valley Police"
HEALTH = "Oxford Health NHS Foundation Trust"
TITLE = "Browser test: strategy meetings for children at risk"
THEME = "Strategy meetings"
YEAR = "2019-20"
TOOL = "Multi-agency case audit (2026.1)"
TERMS = "Browser test: how well agencies worked together at strategy meetings in 2019-20."
ENQUIRY = "Browser test: were the right agencies invited, and did they attend and share?"
REFERENCES = ["CS-1001", "CS-1002", "CS-1003", "CS-1004", "CS-1005"]
DATE_OF_BIRTH = "DOB 12/03/2010"
DATE_OF_BIRTH_ERROR = (
    "Legal status looks like it contains a date of birth. Audit records must not identify a "
    "child: use the case reference and the age band instead"
)
POLICE_SUMMARY = "Browser test: police attended the strategy meeting but shared late."
HEALTH_SUMMARY = "Browser test: the health visitor's chronology was shared before the meeting."
MODERATION = "Browser test: agreed at the meeting, with police and health present."
FINDING = (
    "Browser test: information from health reached the strategy meeting late in both cases, "
    "so decisions were made without it."
)
ACTION = "Browser test: share health chronologies two days before every strategy meeting"
ACTION_OWNER = "Head of Safeguarding, Thames Valley Police"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECOGNITION = "Was the child's need or risk recognised promptly?"
SHARING = "Was information shared with the right agencies at the right time?"
CHRONOLOGY = "Was there a multi-agency chronology?"
SECTIONS_DUE = date(2020, 5, 29)
KEY_WARNING = (
    "Download this key now and keep it in your own case system. PAQA does not keep your case "
    "references, so this is the only time you can download it."
)
MEETING_REASON = "Browser test: the other cases' sections are late; the meeting starts with one."


@pytest.fixture
def audit_tool(demo_partnership: Any) -> Any:
    """The demo partnership and the multi-agency case audit tool, without the demo audits."""
    return audit_tool_load()


@pytest.fixture
def other_journey(
    browser: Browser, live_server: Any, page: Page
) -> Iterator[Callable[[], Journey]]:
    """Makes another person's journey, each in a browser context of its own."""
    contexts: list[BrowserContext] = []

    def make() -> Journey:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return Journey(context.new_page(), live_server.url)

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def table(page: Page, caption: str) -> Locator:
    found = page.get_by_role("table", name=caption, exact=True)
    expect(found).to_have_count(1)
    return found


def table_row(page: Page, caption: str, header: str) -> Locator:
    """The row of a table whose first cell (a header or a plain cell) reads exactly `header`."""
    assert '"' not in header, header
    row = table(page, caption).locator(f'xpath=tbody/tr[normalize-space(*[1])="{header}"]')
    expect(row).to_have_count(1)
    return row


def section_row(page: Page, organisation: str) -> Locator:
    return table_row(page, "Sections", organisation)


def question(page: Page, text: str) -> Locator:
    return page.get_by_role("group", name=text, exact=True)


# 1. The audit lead sets up the audit and its cohort ------------------------------------------


def lead_sets_up_the_audit_and_cohort(journey: Journey) -> list[str]:
    page = journey.page
    sign_in(journey, "paqa@demo.example")
    open_menu(journey, "Audits")
    expect_heading(journey, "Audits")
    journey.click(page.get_by_role("link", name="Set up a multi-agency audit", exact=True))
    expect_heading(journey, "Set up a multi-agency audit")
    for label, value in {
        "Title": TITLE,
        "Theme": THEME,
        "Reporting year": YEAR,
        "Terms of reference": TERMS,
        "Key lines of enquiry": ENQUIRY,
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    fill_date(page, "Work looked at from", date(2019, 4, 1))
    fill_date(page, "Work looked at until", date(2020, 3, 31))
    fill_date(page, "Sections due by (optional)", SECTIONS_DUE)
    organisations = page.get_by_role("group", name="Organisations taking part", exact=True)
    organisations.get_by_role("checkbox", name=POLICE, exact=True).check()
    organisations.get_by_role("checkbox", name=HEALTH, exact=True).check()
    page.get_by_role("group", name="Audit tool", exact=True).get_by_role(
        "radio", name=TOOL, exact=True
    ).check()
    journey.click(page.get_by_role("button", name="Set up audit", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, f"The audit ‘{TITLE}’ has been set up.")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"Multi-agency audit, {YEAR}")
    expect(summary_value(page, "Theme")).to_have_text(THEME)
    expect(summary_value(page, "Stage")).to_have_text("Planned")
    expect(summary_value(page, "Lead")).to_have_text("Pat Paqa")
    expect(summary_value(page, "Work looked at")).to_have_text("1 April 2019 to 31 March 2020")
    expect(summary_value(page, "Sections due by")).to_have_text("29 May 2020")
    expect(summary_value(page, "Organisations")).to_contain_text(POLICE)
    expect(summary_value(page, "Organisations")).to_contain_text(HEALTH)
    expect(page.get_by_text("No cases yet.", exact=True)).to_be_visible()

    # Two cases chosen at random from five; the seed makes the choice repeatable.
    journey.click(page.get_by_role("link", name="Choose cases at random", exact=True))
    expect_heading(journey, "Choose cases at random")
    page.get_by_label("Case references to choose from", exact=True).fill("\n".join(REFERENCES))
    page.get_by_label("How many cases", exact=True).fill("2")
    page.get_by_label("Selection seed", exact=True).fill("browser")
    journey.click(page.get_by_role("button", name="Choose cases", exact=True))
    expect_heading(journey, "Choose cases at random")
    selection = page.locator(".govuk-inset-text")
    expect(selection).to_contain_text("Chosen: 2.")
    chosen = selection.locator("ol li")
    expect(chosen).to_have_count(2)
    picked = {text.strip() for text in chosen.all_inner_texts()}
    assert picked <= set(REFERENCES), picked
    journey.click(page.get_by_role("button", name="Add these 2 cases", exact=True))

    # The key to the cases, once: the lead's references beside PAQA's.
    expect_heading(journey, "Download the key to your cases")
    expect_success(page, "2 cases have been added.")
    expect(page.locator(".govuk-warning-text")).to_contain_text(KEY_WARNING)
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the key (CSV)", exact=True).click()
    key_file = downloading.value.path()
    assert key_file is not None
    with open(key_file, encoding="utf-8", newline="") as opened:
        key = list(csv.reader(opened))
    assert key[0] == ["Your case reference", "PAQA reference"], key
    keyed = dict(key[1:])
    assert set(keyed) == picked, key
    # Downloaded once, it is gone.
    again = page.request.post(
        page.url.rstrip("/") + "/download/",
        headers={
            "X-CSRFToken": page.locator(
                "#main-content input[name=csrfmiddlewaretoken]"
            ).input_value()
        },
    )
    assert again.status == 404, again.status
    journey.click(page.get_by_role("link", name="Back to the audit", exact=True))
    expect_heading(journey, TITLE)
    cohort = table(page, "The cases and each organisation’s section")
    case_links = cohort.locator("tbody tr td:first-child a")
    expect(case_links).to_have_count(2)
    cases = [text.strip() for text in case_links.all_inner_texts()]
    for reference in cases:
        assert re.fullmatch(r"[A-Z]{2,4}-2019-\d{2}", reference), cases
        assert reference not in REFERENCES, "PAQA must not show the outside reference"
    assert set(keyed.values()) == set(cases), (keyed, cases)
    for row in cohort.locator("tbody tr").all():
        expect(row).to_contain_text(f"{POLICE}: Draft")
        expect(row).to_contain_text(f"{HEALTH}: Draft")

    # A case by hand: a date of birth is refused with an accessible error summary.
    journey.click(page.get_by_role("link", name="Add a case", exact=True))
    expect_heading(journey, "Add a case")
    page.get_by_label("Age band", exact=True).select_option("10-15")
    page.get_by_label("Legal status (optional)", exact=True).fill(DATE_OF_BIRTH)
    journey.click(page.get_by_role("button", name="Add case", exact=True))
    expect_heading(journey, "Add a case")
    assert page.title().startswith("Error: "), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    error_link = summary.get_by_role("link", name=DATE_OF_BIRTH_ERROR, exact=True)
    expect(error_link).to_be_visible()
    legal_status = page.get_by_label("Legal status (optional)", exact=True)
    expect(legal_status).to_have_value(DATE_OF_BIRTH)
    error_link.click()
    expect(legal_status).to_be_focused()
    legal_status.fill("Child protection plan")
    page.get_by_label("Lead organisation for this case (optional)", exact=True).select_option(
        label=POLICE
    )
    journey.click(page.get_by_role("button", name="Add case", exact=True))
    expect_heading(journey, TITLE)
    expect(case_links).to_have_count(3)
    third = case_links.nth(2).inner_text().strip()
    assert third not in cases, third
    assert re.fullmatch(r"[A-Z]{2,4}-2019-03", third), third
    expect_success(page, f"Case {third} has been added.")

    # The cohort chosen, the organisations collect their sections.
    journey.click(page.get_by_role("link", name="Move to: Collecting", exact=True))
    expect_heading(journey, "Move the audit to: Collecting")
    journey.click(page.get_by_role("button", name="Move to: Collecting", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The audit is now at the stage: Collecting.")
    expect(summary_value(page, "Stage")).to_have_text("Collecting")
    return cases


# 2 and 3. Each agency lead completes their own section -----------------------------------------


def open_own_section(journey: Journey, email: str, organisation: str, case: str) -> None:
    page = journey.page
    sign_in(journey, email)
    open_menu(journey, "Audits")
    expect_heading(journey, "Audits")
    to_do = page.locator("h2:text-is('Case sections for you to complete') + ul")
    expect(to_do.locator("li")).to_have_count(3)  # one for each case: their organisation's
    item = to_do.locator("li").filter(has=page.get_by_role("link", name=case, exact=True))
    expect(item).to_contain_text(f"{TITLE}, {organisation}")
    journey.click(item.get_by_role("link", name=case, exact=True))
    expect_heading(journey, f"{organisation}’s audit of this case")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{TITLE}, case {case}")
    expect(
        page.get_by_text(f"only {organisation} can see it until it is submitted")
    ).to_be_visible()


def summary_box(page: Page) -> Locator:
    # Two textareas share the label "Summary of your agency's practice in this case" (the
    # Overall domain's question and the section summary), so the summary is found by its id.
    return page.locator("textarea#id_summary")


def summary_row(page: Page, key: str) -> Locator:
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )


def check_answers(journey: Journey, answers: dict[str, str], summary: str) -> None:
    """Save the section and check what will be sent: each answer with its Change link."""
    page = journey.page
    journey.click(page.get_by_role("button", name="Save and check your answers", exact=True))
    expect_heading(journey, "Check your answers before submitting your section")
    for text, answer in answers.items():
        row = summary_row(page, text)
        expect(row.locator(".govuk-summary-list__value")).to_have_text(answer)
        expect(row.get_by_role("link", name=f"Change {text}", exact=True)).to_be_visible()
    written = page.locator("h2:text-is('Summary') + dl .govuk-summary-list__value")
    expect(written).to_have_text(summary)
    expect(page.locator(".govuk-warning-text")).to_contain_text("Submitting cannot be undone")


def submit_checked_section(journey: Journey, case: str) -> None:
    page = journey.page
    journey.click(page.get_by_role("button", name="Submit section", exact=True))
    expect_heading(journey, f"Case {case}")
    expect_success(page, f"Your section of case {case} has been submitted.")


def health_lead_saves_a_draft(journey: Journey, case: str) -> str:
    page = journey.page
    open_own_section(journey, "lead.health@demo.example", HEALTH, case)
    section_url = page.url
    question(page, RECOGNITION).get_by_role("radio", name="Yes", exact=True).check()
    question(page, CHRONOLOGY).get_by_role("radio", name="Yes", exact=True).check()
    summary_box(page).fill(HEALTH_SUMMARY)
    journey.click(page.get_by_role("button", name="Save as draft", exact=True))
    expect_heading(journey, f"Case {case}")
    expect_success(page, "Your section has been saved.")
    expect(section_row(page, HEALTH)).to_contain_text("Draft")
    return section_url


def police_lead_submits(journey: Journey, case: str, health_section_url: str) -> None:
    page = journey.page
    open_own_section(journey, "lead.police@demo.example", POLICE, case)
    question(page, RECOGNITION).get_by_role("radio", name="Partly", exact=True).check()
    question(page, SHARING).get_by_role("radio", name="No", exact=True).check()
    question(page, CHRONOLOGY).get_by_role("radio", name="No", exact=True).check()
    summary_box(page).fill(POLICE_SUMMARY)
    check_answers(journey, {RECOGNITION: "Partly", SHARING: "No", CHRONOLOGY: "No"}, POLICE_SUMMARY)
    submit_checked_section(journey, case)
    police = section_row(page, POLICE)
    expect(police.locator("td").nth(1)).to_have_text("Submitted")
    expect(police.get_by_role("link", name=POLICE, exact=True)).to_be_visible()

    # Health's draft is not the police's to see: its name, with no link, and no auditors shown.
    health = section_row(page, HEALTH)
    expect(health.locator("td").first).to_have_text(HEALTH)
    expect(health.get_by_role("link")).to_have_count(0)
    expect(health.locator("td").nth(1)).to_have_text("Draft")
    expect(health.locator("td").nth(2)).to_have_text("—")
    expect(page.get_by_text(HEALTH_SUMMARY)).to_have_count(0)
    # Nor can the police lead reach it by its address.
    response = page.request.get(health_section_url)
    assert response.status == 404, f"{health_section_url} answered {response.status}"
    assert HEALTH_SUMMARY not in response.text()


def health_lead_submits(journey: Journey, case: str) -> None:
    page = journey.page
    open_menu(journey, "Audits")
    item = page.locator("h2:text-is('Case sections for you to complete') + ul li").filter(
        has=page.get_by_role("link", name=case, exact=True)
    )
    journey.click(item.get_by_role("link", name=case, exact=True))
    expect_heading(journey, f"{HEALTH}’s audit of this case")
    # The draft was kept.
    expect(summary_box(page)).to_have_value(HEALTH_SUMMARY)
    expect(question(page, RECOGNITION).get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    question(page, SHARING).get_by_role("radio", name="No", exact=True).check()
    check_answers(journey, {RECOGNITION: "Yes", SHARING: "No"}, HEALTH_SUMMARY)
    # Changing an answer from the check page goes back to it, then checks again.
    journey.click(summary_row(page, SHARING).get_by_role("link", name=f"Change {SHARING}"))
    expect_heading(journey, f"{HEALTH}’s audit of this case")
    question(page, SHARING).get_by_role("radio", name="Partly", exact=True).check()
    check_answers(journey, {RECOGNITION: "Yes", SHARING: "Partly"}, HEALTH_SUMMARY)
    submit_checked_section(journey, case)
    expect(section_row(page, HEALTH).locator("td").nth(1)).to_have_text("Submitted")
    # The police's submitted section is now open to health to read.
    expect(section_row(page, POLICE).get_by_role("link", name=POLICE, exact=True)).to_be_visible()


def police_lead_reads_the_submitted_health_section(journey: Journey, case: str) -> None:
    page = journey.page
    journey.goto(page.url)  # the case page again, now health has submitted
    expect_heading(journey, f"Case {case}")
    journey.click(section_row(page, HEALTH).get_by_role("link", name=HEALTH, exact=True))
    expect_heading(journey, f"{HEALTH}’s audit of this case")
    expect(page.get_by_role("button", name="Save and check your answers")).to_have_count(0)
    expect(summary_value(page, RECOGNITION)).to_have_text("Yes")
    expect(summary_value(page, SHARING)).to_have_text("Partly")
    expect(page.get_by_text(HEALTH_SUMMARY, exact=True)).to_be_visible()


# 4. The audit meeting, a finding and its action ------------------------------------------------


def lead_holds_the_meeting_without_the_late_sections(journey: Journey) -> None:
    page = journey.page
    journey.click(page.get_by_role("link", name="Move to: Audit meeting", exact=True))
    expect_heading(journey, "Move the audit to: Audit meeting")
    expect(page.get_by_text("Sections were due by 29 May 2020.", exact=True)).to_be_visible()
    expect(table_row(page, "Sections still to be submitted", HEALTH).locator("td")).to_have_text(
        "2"
    )
    expect(table_row(page, "Sections still to be submitted", POLICE).locator("td")).to_have_text(
        "2"
    )
    # Going ahead without them needs a reason.
    journey.click(page.get_by_role("button", name="Move to: Audit meeting", exact=True))
    expect_heading(journey, "Move the audit to: Audit meeting")
    missing = f"2 sections from {HEALTH} and 2 sections from {POLICE}"
    error = page.locator(".govuk-error-summary").get_by_role(
        "link", name=f"Enter why the meeting is going ahead without {missing}", exact=True
    )
    expect(error).to_be_visible()
    page.get_by_label("Why the meeting is going ahead without them", exact=True).fill(
        MEETING_REASON
    )
    journey.click(page.get_by_role("button", name="Move to: Audit meeting", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The audit is now at the stage: Audit meeting.")
    expect(page.locator("#meeting-without-sections")).to_contain_text(
        f"The meeting went ahead without {missing}: {MEETING_REASON}"
    )


def lead_records_grades_a_finding_and_an_action(journey: Journey, case: str) -> str:
    page = journey.page
    lead_holds_the_meeting_without_the_late_sections(journey)
    journey.click(page.get_by_role("link", name=case, exact=True))
    expect_heading(journey, f"Case {case}")
    expect(section_row(page, POLICE).locator("td").nth(1)).to_have_text("Submitted")
    expect(section_row(page, HEALTH).locator("td").nth(1)).to_have_text("Submitted")
    journey.click(page.get_by_role("link", name="Record grades", exact=True))
    expect_heading(journey, "Grades agreed at the audit meeting")
    page.get_by_label("Recognition of need and risk", exact=True).select_option(label="Good")
    page.get_by_label("Joint working and information sharing", exact=True).select_option(
        label="Requires improvement"
    )
    page.get_by_label("Overall", exact=True).select_option(label="Good")
    page.get_by_label("Moderation notes (optional)", exact=True).fill(MODERATION)
    journey.click(page.get_by_role("button", name="Save grades", exact=True))
    expect_heading(journey, f"Case {case}")
    expect_success(page, f"The grades for {case} have been saved.")
    for domain, grade in {
        "Recognition of need and risk": "Good",
        "Joint working and information sharing": "Requires improvement",
        "Overall": "Good",
        "Assessment": "Not graded",
    }.items():
        expect(table_row(page, "Grades by domain", domain).locator("td")).to_have_text(grade)
    expect(page.get_by_text(f"Moderation: {MODERATION}", exact=True)).to_be_visible()

    journey.click(page.get_by_role("link", name="Back to the audit", exact=True))
    expect_heading(journey, TITLE)
    chart = page.get_by_role("img", name=re.compile(rf"^Overall grades: {re.escape(THEME)}\. "))
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("src", re.compile(r"^data:image/"))
    grades = table(page, "Overall grades")
    expect(grades.locator("thead th")).to_have_text(
        ["Audit", "Outstanding", "Good", "Requires improvement", "Inadequate", "Cases"]
    )
    row = table_row(page, "Overall grades", f"{TITLE} {YEAR}")
    expect(row.locator("td")).to_have_text(["0", "1", "0", "0", "1"])

    journey.click(page.get_by_role("link", name="Add a finding", exact=True))
    expect_heading(journey, "Add a finding")
    page.get_by_role("group", name="Kind of finding", exact=True).get_by_role(
        "radio", name="Area for development", exact=True
    ).check()
    page.get_by_label("Finding", exact=True).fill(FINDING)
    page.get_by_label("Domain (optional)", exact=True).select_option(
        label="Joint working and information sharing"
    )
    page.get_by_role("group", name="Themes", exact=True).get_by_role(
        "checkbox", name="Information sharing", exact=True
    ).check()
    journey.click(page.get_by_role("button", name="Add finding", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The finding has been added.")
    card = page.locator(".govuk-summary-card").filter(has_text=FINDING)
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", level=3)).to_have_text(
        "Area for development: Joint working and information sharing"
    )
    expect(card).to_contain_text("Themes: Information sharing")
    expect(card.get_by_role("link", name=ACTION)).to_have_count(0)

    journey.click(card.get_by_role("link", name=re.compile(r"^Turn into an action\b")))
    expect_heading(journey, "Turn the finding into an action")
    due = timezone.localdate() + timedelta(days=90)
    page.get_by_label("Organisation responsible", exact=True).select_option(label=POLICE)
    page.get_by_label("What will be done", exact=True).fill(ACTION)
    page.get_by_label("Who is responsible", exact=True).fill(ACTION_OWNER)
    fill_date(page, "Due by", due)
    journey.click(page.get_by_role("button", name="Add action", exact=True))
    expect_heading(journey, TITLE)
    expect_success(page, "The action has been added to the action plan.")
    card = page.locator(".govuk-summary-card").filter(has_text=FINDING)
    action = card.locator("li").filter(has=page.get_by_role("link", name=ACTION, exact=True))
    expect(action).to_have_count(1)
    expect(action).to_contain_text(f"{POLICE}, due {due.day} {due:%b %Y}")
    return due.strftime("%-d %B %Y")


# 5. The learning brief ------------------------------------------------------------------------


def download(journey: Journey, name: str, content_type: str) -> bytes:
    page = journey.page
    link = page.get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href, f"The link {name!r} has no address"
    response = page.request.get(journey.url(href))
    assert response.ok, f"{href} answered {response.status} {response.status_text}"
    assert response.headers["content-type"].startswith(content_type), response.headers
    return response.body()


def lead_downloads_the_learning_brief(journey: Journey, due: str) -> None:
    pdf = download(journey, "Learning brief (PDF)", "application/pdf")
    assert pdf.startswith(b"%PDF"), pdf[:20]

    docx = download(journey, "Learning brief (Word)", DOCX)
    assert docx.startswith(b"PK"), docx[:20]
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        text = archive.read("word/document.xml").decode("utf-8")
    for expected in (TERMS, FINDING, ACTION, POLICE, due, "Areas for development"):
        assert expected in text, f"{expected!r} is not in the Word learning brief"


@pytest.mark.browser
def test_a_lead_sets_up_an_audit_two_agencies_complete_sections_and_the_meeting_grades_it(
    journey: Journey, other_journey: Callable[[], Journey], settings, audit_tool: Any
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs

    cases = lead_sets_up_the_audit_and_cohort(journey)
    case = cases[0]

    health = other_journey()
    health_section_url = health_lead_saves_a_draft(health, case)
    police = other_journey()
    police_lead_submits(police, case, health_section_url)
    health_lead_submits(health, case)
    police_lead_reads_the_submitted_health_section(police, case)

    due = lead_records_grades_a_finding_and_an_action(journey, case)
    lead_downloads_the_learning_brief(journey, due)

    # Every page each person reached was checked by axe, the error page included.
    assert len(journey.visited) == 25, journey.visited
    assert len(health.visited) == 11, health.visited
    assert len(police.visited) == 8, police.visited
