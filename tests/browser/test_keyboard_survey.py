"""The practitioner survey answered with the keyboard alone: Tab to move, Space to choose,
arrows within a set of options, typing into the focused field and Enter to go on. Nothing is
clicked or filled by the test.

On every page the first Tab stop is the skip link, every control reached shows where the focus
is (an outline, a box shadow or a change of background, on the control or, for a radio, on its
drawn circle), and axe finds nothing (the `journey` harness checks each page it reaches).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from paqa.surveys.models import Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
from tests.browser.conftest import Journey

YEAR = "2019-20"
SLUG = f"practitioner-survey-{YEAR}"
CHANGE_TEXT = "Shorter training with real case studies, & feedback after a referral"
MAX_TABS = 40

# What the focused element is, for messages and for finding a control by Tab.
DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {tag: 'body'};
    const group = el.closest('fieldset');
    const legend = group && group.querySelector('legend');
    const label = el.labels && el.labels[0];
    return {
        tag: el.tagName.toLowerCase(),
        type: el.type || '',
        name: el.name || '',
        value: el.value || '',
        checked: !!el.checked,
        id: el.id || '',
        classes: el.className || '',
        text: (el.innerText || '').trim(),
        label: label ? label.innerText.trim() : '',
        legend: legend ? legend.innerText.trim() : '',
    };
}"""

# Whether the focused element shows its focus: its look (outline, box shadow, background,
# border) differs from its look without focus. A radio's input is invisible (opacity 0), so its
# focus must show on the circle drawn on its label (::before, ::after).
FOCUS_IS_VISIBLE = """() => {
    const el = document.activeElement;
    const radio = el.type === 'radio' || el.type === 'checkbox';
    const label = el.labels && el.labels[0];
    const looks = () => {
        const styles = radio
            ? [getComputedStyle(label, '::before'), getComputedStyle(label, '::after')]
            : [getComputedStyle(el)];
        return JSON.stringify(styles.map((style) => [
            style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
            style.backgroundColor, style.borderTopWidth, style.borderTopColor,
        ]));
    };
    if (radio && !label) return false;
    const focused = looks();
    el.blur();
    const unfocused = looks();
    el.focus();
    return focused !== unfocused && document.activeElement === el;
}"""


# Whether the focused element is in the main content or after it (past the header).
AFTER_THE_HEADER = """() => {
    const main = document.getElementById('main-content');
    const el = document.activeElement;
    return main.contains(el)
        || !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


@pytest.fixture
def practitioner_survey(demo_partnership: Any) -> Survey:
    today = timezone.localdate()
    survey = survey_from_pack(
        path=PRACTITIONER_PACK,
        year=YEAR,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    assert survey.public_slug == SLUG
    return survey


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(DESCRIBE_FOCUS)


def expect_focus_visible(page: Page) -> None:
    assert page.evaluate(FOCUS_IS_VISIBLE), f"The focus cannot be seen on {focused(page)}"


def tab_to(page: Page, wanted: dict[str, Any]) -> dict[str, Any]:
    """Press Tab until the focused element has every property in `wanted` (see
    DESCRIBE_FOCUS); each control passed on the way must show its focus."""
    passed = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        passed.append(now)
        if now["tag"] != "body":
            expect_focus_visible(page)
        if all(now.get(key) == value for key, value in wanted.items()):
            return now
    raise AssertionError(f"Tab never reached {wanted}; it went through {passed}")


def first_tab_is_the_skip_link(page: Page) -> None:
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["tag"] == "a", now
    assert "govuk-skip-link" in now["classes"], now
    assert now["text"] == "Skip to main content", now
    expect_focus_visible(page)


def press_and_follow(journey: Journey, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, then check the page it loads."""
    with journey.page.expect_navigation() as navigation:
        journey.page.keyboard.press(key)
    journey.check(navigation.value)


def choose(page: Page, legend: str, option: str) -> None:
    """Tab into a set of radios and choose an option: Space on the first, arrows for others."""
    first = tab_to(page, {"type": "radio", "legend": legend})
    if first["label"] != option:
        for _ in range(10):
            page.keyboard.press("ArrowDown")
            if focused(page)["label"] == option:
                break
    page.keyboard.press("Space")
    now = focused(page)
    assert now["label"] == option, now
    assert now["checked"], now
    expect_focus_visible(page)


def expect_page(page: Page, title: str, number: int) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".govuk-caption-l")).to_have_text(
        f"Practitioner survey: page {number} of 4"
    )


@pytest.mark.browser
def test_a_practitioner_answers_the_survey_with_the_keyboard_only(
    journey: Journey, practitioner_survey: Survey
):
    page = journey.page
    journey.goto(f"/s/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Practitioner survey")

    first_tab_is_the_skip_link(page)
    start = tab_to(page, {"tag": "button"})
    assert start["text"] == "Start now", start
    press_and_follow(journey)

    expect_page(page, "About you", 1)
    first_tab_is_the_skip_link(page)
    choose(page, "Which kind of organisation do you work for?", "Health")
    choose(page, "What is your role?", "Practitioner")
    tab_to(page, {"tag": "button", "text": "Continue"})
    press_and_follow(journey)

    # Yes brings the follow-up question onto the same page: it is shown again with it.
    expect_page(page, "Training", 2)
    first_tab_is_the_skip_link(page)
    choose(page, "Have you had safeguarding training in the last three years?", "Yes")
    tab_to(page, {"tag": "button", "text": "Continue"})
    press_and_follow(journey)
    expect_page(page, "Training", 2)
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    first_tab_is_the_skip_link(page)
    # Tab lands on the chosen radio of a set that has one.
    back_in = tab_to(page, {"type": "radio", "name": "trained-3-years"})
    assert back_in["label"] == "Yes", back_in
    assert back_in["checked"], back_in
    choose(page, "The training helped me in my work", "Agree")
    tab_to(page, {"tag": "button", "text": "Continue"})
    press_and_follow(journey)

    expect_page(page, "Support", 3)
    first_tab_is_the_skip_link(page)
    choose(
        page,
        "Do you have the opportunity to discuss safeguarding within your organisation?",
        "Yes",
    )
    choose(page, "I know what to do if I am worried about a child", "Strongly agree")
    tab_to(page, {"tag": "button", "text": "Continue"})
    press_and_follow(journey)

    expect_page(page, "What would you change", 4)
    first_tab_is_the_skip_link(page)
    tab_to(page, {"tag": "textarea", "name": "change"})
    page.keyboard.type(CHANGE_TEXT)
    tab_to(page, {"tag": "button", "text": "Continue"})
    press_and_follow(journey)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending them"
    )
    first_tab_is_the_skip_link(page)
    tab_to(page, {"tag": "button", "text": "Send my answers"})
    press_and_follow(journey)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been sent")
    # Following the skip link puts the focus on the main content, so the next Tab skips the
    # header. (Done last: the #main-content it adds to the address would carry over to the
    # next page, whose first Tab would then start in the main content.)
    first_tab_is_the_skip_link(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    # (GOV.UK draws no focus on the main content itself: the check above can tell.)
    assert not page.evaluate(FOCUS_IS_VISIBLE)
    page.keyboard.press("Tab")
    assert page.evaluate(AFTER_THE_HEADER), focused(page)
    expect_focus_visible(page)

    # Sent once, with what was chosen and typed.
    sent = Response.objects.filter(survey=practitioner_survey)
    assert sent.count() == 1
    response = sent.get()
    assert response.status == Response.Status.SUBMITTED
    assert {answer.question.code: answer.value for answer in response.answers.all()} == {
        "organisation": "Health",
        "role": "Practitioner",
        "trained-3-years": "Yes",
        "training-useful": "Agree",
        "discuss-safeguarding": "Yes",
        "confident": "Strongly agree",
        "change": CHANGE_TEXT,
    }
    # Every page reached was checked by axe: start, four pages (one twice), check, sent.
    assert len(journey.visited) == 8, journey.visited
