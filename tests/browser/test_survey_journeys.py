"""The practitioner survey in real browsers: a practitioner answers it anonymously, saving half
way and carrying on from another device with the resume code; an analyst codes the free-text
answers with the suggestions offered and gets the ranked themes and the drafted top-three
sentence. Every page either person reaches is checked by axe."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from paqa.accounts.models import User
from paqa.surveys import services
from paqa.surveys.models import Answer, Code, Question, Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

YEAR = "2019-20"
SLUG = f"practitioner-survey-{YEAR}"
SURVEY = f"Practitioner survey {YEAR}"

ORGANISATION = "Which kind of organisation do you work for?"
ROLE = "What is your role?"
TRAINED = "Have you had safeguarding training in the last three years?"
TRAINING_USEFUL = "The training helped me in my work"
DISCUSS = "Do you have the opportunity to discuss safeguarding within your organisation?"
CONFIDENT = "I know what to do if I am worried about a child"
CHANGE = "If you could change one thing about how agencies keep children safe, what would it be?"

JOINT = "Better joint working between partners"
TRAINING = "Better training"
PROFILE = "A more positive profile of safeguarding work"
CODEBOOK = {
    JOINT: ["joint working", "partners"],
    TRAINING: ["training"],
    PROFILE: ["profile", "positive"],
}
EARLIER_ANSWERS = [
    "Better joint working between partners",
    "More joint working with partners please",
    "Shorter training",
    "Training with case studies",
    "A positive profile for safeguarding",
]
# The practitioner's own answer: markup in it must come back as text, never run.
SCRIPT_ANSWER = "Better joint working between partners and <script>alert(1)</script>"
# Each answer coded one at a time, with the code the app suggests for it.
CODED_ONE_BY_ONE = {
    "Shorter training": TRAINING,
    "Training with case studies": TRAINING,
    "A positive profile for safeguarding": PROFILE,
}
# The answers the app groups as similar, coded together.
JOINT_GROUP = [EARLIER_ANSWERS[0], EARLIER_ANSWERS[1], SCRIPT_ANSWER]
SENTENCE = (
    f"When asked “{CHANGE}”, the top three responses were: 1. {JOINT}; 2. {TRAINING}; 3. {PROFILE}."
)
REDRAFTED = (
    f"When asked what they would change, the top three responses were: "
    f"1. {JOINT}; 2. {TRAINING}; 3. {PROFILE}."
)
RESUME_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@pytest.fixture
def practitioner_survey(demo_partnership: Any) -> Survey:
    """This year's practitioner survey, open today, with a small codebook for the 'change'
    question and five responses already sent."""
    today = timezone.localdate()
    survey = survey_from_pack(
        path=PRACTITIONER_PACK,
        year=YEAR,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    assert survey.public_slug == SLUG
    paqa_member = User.objects.get(email="paqa@demo.example")
    for label, keywords in CODEBOOK.items():
        services.code_create(survey=survey, label=label, keywords=keywords, actor=paqa_member)
    change = Question.objects.get(page__survey=survey, code="change")
    for number, text in enumerate(EARLIER_ANSWERS, start=1):
        response = Response.objects.create(
            survey=survey,
            submission_key=f"browser-test-earlier-{number}",
            status=Response.Status.SUBMITTED,
            submitted_on=today,
        )
        Answer.objects.create(response=response, question=change, value=text)
    return survey


@pytest.fixture
def new_journey(browser: Browser, live_server: Any, page: Page) -> Iterator[Callable[[], Journey]]:
    """Makes journeys in browser contexts of their own (another device, another person)."""
    contexts = []

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


def question(page: Page, text: str) -> Locator:
    """The fieldset of a question answered with radios, by its legend."""
    return page.get_by_role("group", name=text, exact=True)


def radio(page: Page, text: str, option: str) -> Locator:
    return question(page, text).get_by_role("radio", name=option, exact=True)


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def expect_survey_page(journey: Journey, title: str, number: int) -> None:
    expect_heading(journey, title)
    expect(journey.page.locator(".govuk-caption-l")).to_have_text(
        f"Practitioner survey: page {number} of 4"
    )


def expect_success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def summary_value(page: Page, key: str) -> Locator:
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )
    expect(row).to_have_count(1)
    return row.locator("dd.govuk-summary-list__value")


def answer_card(page: Page, text: str) -> Locator:
    """The card of one answer on the coding page (not a group of similar answers)."""
    return page.locator('.govuk-summary-card[id^="answer-"]').filter(
        has=page.locator("p.paqa-answer").get_by_text(text, exact=True)
    )


def watch_for_dialogs(page: Page) -> list[str]:
    """Any alert() the page shows (there should be none: answers are text, not markup)."""
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def practitioner_starts_and_saves(journey: Journey, survey: Survey) -> str:
    """On the first device: the first two pages, then 'Save and come back later'. Returns the
    resume code the saved page shows."""
    page = journey.page
    journey.goto(f"/s/{SLUG}/")
    expect_heading(journey, "Practitioner survey")
    expect(page.get_by_text(f"The survey closes at {survey.closes_at_words}.")).to_be_visible()
    assert survey.closes_at_words == f"11:59pm on {survey.closes_on:%-d %B %Y}"
    journey.click(button(page, "Start now"))

    expect_survey_page(journey, "About you", 1)
    radio(page, ORGANISATION, "Health").check()
    radio(page, ROLE, "Practitioner").check()
    journey.click(button(page, "Continue"))

    # Same-page branching: answering Yes brings the follow-up question onto this page, shown
    # again without an error.
    expect_survey_page(journey, "Training", 2)
    expect(question(page, TRAINING_USEFUL)).to_have_count(0)
    radio(page, TRAINED, "Yes").check()
    journey.click(button(page, "Continue"))  # the re-rendered page is checked by axe here
    expect_survey_page(journey, "Training", 2)
    assert not page.title().startswith("Error"), page.title()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator(".govuk-error-message")).to_have_count(0)
    expect(radio(page, TRAINED, "Yes")).to_be_checked()
    expect(question(page, TRAINING_USEFUL)).to_be_visible()
    expect(question(page, TRAINING_USEFUL).get_by_role("radio")).to_have_count(5)
    radio(page, TRAINING_USEFUL, "Agree").check()

    journey.click(button(page, "Save and come back later"))
    expect(page.get_by_role("heading", level=1, name="Your answers are saved")).to_be_visible()
    code = page.locator(".paqa-resume-code").inner_text().strip()
    assert RESUME_CODE.match(code), code
    expect(page.get_by_text(f"closes at {survey.closes_at_words}")).to_be_visible()
    return code


def practitioner_carries_on_and_sends(journey: Journey, code: str) -> None:
    """On another device: the resume code, the last two pages, the check page, sending."""
    page = journey.page
    dialogs = watch_for_dialogs(page)
    journey.goto(f"/s/{SLUG}/")
    expect_heading(journey, "Practitioner survey")
    expect(page.get_by_role("heading", name="Carry on where you left off")).to_be_visible()
    journey.submit({"Your resume code": code}, button="Carry on")

    # Back where they left off: the page after the one they saved, with what they had
    # answered kept.
    expect_survey_page(journey, "Support", 3)
    journey.click(page.get_by_role("link", name="Back", exact=True))
    expect_survey_page(journey, "Training", 2)
    expect(radio(page, TRAINED, "Yes")).to_be_checked()
    expect(radio(page, TRAINING_USEFUL, "Agree")).to_be_checked()
    journey.click(button(page, "Continue"))

    expect_survey_page(journey, "Support", 3)
    radio(page, DISCUSS, "Yes").check()
    radio(page, CONFIDENT, "Strongly agree").check()
    journey.click(button(page, "Continue"))

    expect_survey_page(journey, "What would you change", 4)
    page.get_by_label(CHANGE, exact=True).fill(SCRIPT_ANSWER)
    journey.click(button(page, "Continue"))

    expect_heading(journey, "Check your answers before sending them")
    for key, value in {
        ORGANISATION: "Health",
        ROLE: "Practitioner",
        TRAINED: "Yes",
        TRAINING_USEFUL: "Agree",
        DISCUSS: "Yes",
        CONFIDENT: "Strongly agree",
        CHANGE: SCRIPT_ANSWER,  # the markup shown as text
    }.items():
        expect(summary_value(page, key)).to_have_text(value)
    expect(page.locator("main script")).to_have_count(0)

    journey.click(button(page, "Send my answers"))
    expect(page.get_by_role("heading", level=1, name="Your answers have been sent")).to_be_visible()
    assert dialogs == [], dialogs


def analyst_codes_the_answers(journey: Journey) -> None:
    page = journey.page
    dialogs = watch_for_dialogs(page)
    sign_in(journey, "analyst@demo.example")
    menu = page.locator('nav[aria-label="Menu"]')
    # The menu entry carries the count of the analyst's work behind it ("Surveys 1 item for you").
    journey.click(menu.get_by_role("link", name=re.compile(r"^Surveys\b")))
    expect_heading(journey, "Surveys")
    journey.click(page.get_by_role("link", name=f"Free-text answers of {SURVEY}", exact=True))

    expect_heading(journey, "Free-text answers")
    questions = page.get_by_role("table", name=re.compile(r"^Free-text questions"))
    row = questions.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=CHANGE, exact=True)
    )
    expect(row.get_by_role("cell")).to_have_text(["6", "0", re.compile(r"Code the answers")])
    journey.click(row.get_by_role("link", name=f"Code the answers to ‘{CHANGE}’", exact=True))

    expect_heading(journey, "Code the answers")
    expect(page.get_by_text("0 of 6 answers coded.")).to_be_visible()
    # Each answer is suggested the code whose keywords it uses; the practitioner's markup is
    # shown as text.
    for text, label in {**CODED_ONE_BY_ONE, SCRIPT_ANSWER: JOINT}.items():
        expect(answer_card(page, text)).to_have_count(1)
        expect(answer_card(page, text).get_by_text("Suggested:")).to_have_count(1)
        expect(answer_card(page, text)).to_contain_text(f"Suggested: {label}")
    expect(page.locator("main script")).to_have_count(0)

    # One answer at a time: tick the suggested code and save.
    for text, label in CODED_ONE_BY_ONE.items():
        card = answer_card(page, text)
        box = card.get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} Suggested$"))
        expect(box).not_to_be_checked()
        box.check()
        answer_id = (card.get_attribute("id") or "").removeprefix("answer-")
        journey.click(card.get_by_role("button", name=f"Save the codes for answer {answer_id}"))
        expect_heading(journey, "Code the answers")
        expect_success(page, f"Answer {answer_id} is coded: {label}.")
        card = answer_card(page, text)
        expect(card).to_contain_text(f"Coded: {label} (by Ana Analyst,")
        expect(card.get_by_role("checkbox", name=label, exact=True)).to_be_checked()
    expect(page.get_by_text("3 of 6 answers coded.")).to_be_visible()

    # The three answers about joint working are grouped: code them all at once.
    groups = page.locator('.govuk-summary-card[id^="group-"]')
    expect(groups).to_have_count(1)
    group = groups.first
    expect(group.get_by_role("heading")).to_have_text("Group 1: 3 similar answers")
    expect(group.locator("li.paqa-answer")).to_have_text(JOINT_GROUP)
    expect(group).to_contain_text(f"Suggested: {JOINT}")
    group.get_by_role("checkbox", name=f"{JOINT} Suggested", exact=True).check()
    journey.click(group.get_by_role("button", name="Apply to all 3 similar answers", exact=True))
    expect_heading(journey, "Code the answers")
    expect_success(page, f"3 similar answers are coded: {JOINT}.")
    expect(page.get_by_text("6 of 6 answers coded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Similar answers not yet coded")).to_have_count(0)
    for text in JOINT_GROUP:
        expect(answer_card(page, text)).to_contain_text(f"Coded: {JOINT} (by Ana Analyst,")

    # The ranked themes and the sentence drafted for the report.
    journey.click(page.get_by_role("link", name="See the themes", exact=True))
    expect_heading(journey, "Themes in the answers")
    expect(page.get_by_text("6 of 6 answers coded.")).to_be_visible()
    themes = page.get_by_role("table", name="Themes, most common first")
    rows = themes.locator("tbody tr")
    expect(rows.get_by_role("rowheader")).to_have_text([JOINT, TRAINING, PROFILE])
    expect(rows.nth(0).get_by_role("cell")).to_have_text(["1", "This survey only", "3", "50%"])
    expect(rows.nth(1).get_by_role("cell")).to_have_text(["2", "This survey only", "2", "33%"])
    expect(rows.nth(2).get_by_role("cell")).to_have_text(["3", "This survey only", "1", "17%"])
    drafted = page.locator(".paqa-drafted")
    expect(drafted).to_have_text(SENTENCE)
    assert drafted.inner_text().startswith("When asked")
    assert "the top three responses were" in drafted.inner_text()

    # Quotes to choose from, the practitioner's among them, still as text.
    page.get_by_text(f"Choose quotes from the answers coded ‘{JOINT}’", exact=True).click()
    joint_section = page.locator(f"#theme-{Code.objects.get(label=JOINT).slug}")
    expect(joint_section.get_by_text(SCRIPT_ANSWER, exact=True)).to_be_visible()
    journey.check()  # again, with the candidate quotes revealed

    journey.submit(
        {"How the sentence words the question (optional)": "what they would change"},
        button="Redraft the sentence",
    )
    expect_heading(journey, "Themes in the answers")
    expect(page.locator(".paqa-drafted")).to_have_text(REDRAFTED)
    expect(page.locator("main script")).to_have_count(0)
    assert dialogs == [], dialogs


@pytest.mark.browser
def test_a_practitioner_answers_with_a_resume_and_an_analyst_codes_the_answers(
    journey: Journey,
    new_journey: Callable[[], Journey],
    settings,
    practitioner_survey: Survey,
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs

    code = practitioner_starts_and_saves(journey, practitioner_survey)
    other_device = new_journey()
    practitioner_carries_on_and_sends(other_device, code)

    # Sent once, anonymously, with the answer stored as typed.
    sent = Response.objects.filter(survey=practitioner_survey, status=Response.Status.SUBMITTED)
    assert sent.count() == len(EARLIER_ANSWERS) + 1
    mine = sent.exclude(submission_key__startswith="browser-test-earlier-").get()
    assert mine.organisation is None
    assert mine.resume_code_hash == ""
    assert {answer.question.code: answer.value for answer in mine.answers.all()} == {
        "organisation": "Health",
        "role": "Practitioner",
        "trained-3-years": "Yes",
        "training-useful": "Agree",
        "discuss-safeguarding": "Yes",
        "confident": "Strongly agree",
        "change": SCRIPT_ANSWER,
    }

    analyst = new_journey()
    analyst_codes_the_answers(analyst)

    # Every page each person reached was checked by axe, the re-rendered page with the
    # follow-up question and the revealed candidate quotes included.
    assert len(journey.visited) == 5, journey.visited
    assert len(other_device.visited) == 7, other_device.visited
    assert len(analyst.visited) == 12, analyst.visited
