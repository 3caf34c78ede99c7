"""Coding at speed in a real browser: an analyst codes a hundred answers with one multi-select
and one Save (trying the keyboard shortcuts on the way), then codes a group of similar answers
at once; the coded counts and the report's top-three sentence follow. Every page is checked by
axe (the journey harness)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from paqa.accounts.models import User
from paqa.surveys import coding_services, services
from paqa.surveys.demo import CHANGES
from paqa.surveys.models import Answer, Code, Question, Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
from tests.browser.conftest import Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

YEAR = "2019-20"
CHANGE = "If you could change one thing about how agencies keep children safe, what would it be?"
LABELS = {slug: label for slug, label, *_ in CHANGES}
JOINT, TRAINING, PROFILE = LABELS["joint-working"], LABELS["training"], LABELS["profile"]
WORKLOAD, FEEDBACK = LABELS["workload"], LABELS["feedback"]

# Already coded: 30 about joint working, 20 about training, 10 about the profile of the work.
CODED = {"joint-working": 30, "training": 20, "profile": 10}
# Not yet coded, in this order: a hundred about caseloads (the first page of uncoded answers),
# then 42 alike about feedback after a referral (one group of similar answers).
CASELOADS = [
    "Smaller caseloads so we can spend time with children",
    "More capacity in teams; the workload is too high",
]
FEEDBACK_ANSWERS = [
    "Feedback from the MASH after I make a referral",
    "More feedback from the MASH after a referral",
    "Feedback from the MASH after making a referral",
]
UNCODED_CASELOADS, UNCODED_FEEDBACK = 100, 42
TOTAL = sum(CODED.values()) + UNCODED_CASELOADS + UNCODED_FEEDBACK


def sentence(*labels: str) -> str:
    listed = "; ".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))
    return f"When asked “{CHANGE}”, the top three responses were: {listed}."


@pytest.fixture
def survey_to_code(demo_partnership: Any) -> Survey:
    """A practitioner survey with the demo's codebook and 202 answers to 'change': 60 coded,
    then 100 about caseloads and 42 about feedback not yet coded."""
    today = timezone.localdate()
    survey = survey_from_pack(
        path=PRACTITIONER_PACK,
        year=YEAR,
        opens_on=today - timedelta(days=60),
        closes_on=today - timedelta(days=30),
    )
    member = User.objects.get(email="paqa@demo.example")
    codes = {
        slug: services.code_create(
            survey=survey, label=label, theme=theme, keywords=keywords, actor=member
        )
        for slug, label, theme, keywords, _count, _phrasings in CHANGES
    }
    phrasings = {slug: phrasings for slug, *_rest, phrasings in CHANGES}
    texts = [
        (slug, phrasings[slug][index % len(phrasings[slug])])
        for slug, count in CODED.items()
        for index in range(count)
    ]
    texts += [(None, CASELOADS[index % 2]) for index in range(UNCODED_CASELOADS)]
    texts += [(None, FEEDBACK_ANSWERS[index % 3]) for index in range(UNCODED_FEEDBACK)]
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            submission_key=f"coding-journey-{number}",
            status=Response.Status.SUBMITTED,
            submitted_on=today - timedelta(days=40),
        )
        for number in range(len(texts))
    )
    change = Question.objects.get(page__survey=survey, code="change")
    answers = Answer.objects.bulk_create(
        Answer(response=response, question=change, value=text)
        for response, (_slug, text) in zip(responses, texts, strict=True)
    )
    for slug in CODED:
        coding_services.answers_code_apply(
            answers=[a for a, (s, _) in zip(answers, texts, strict=True) if s == slug],
            codes=[codes[slug]],
            actor=member,
        )
    return survey


def coded_line(page: Page, coded: int) -> Locator:
    return page.get_by_text(f"{coded} of {TOTAL} answers coded.", exact=False)


def status(page: Page) -> Locator:
    return page.locator("[data-paqa-coding-status]")


def expect_success(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


@pytest.mark.browser
def test_an_analyst_codes_a_hundred_answers_at_once_then_a_group(
    journey: Journey, settings, survey_to_code: Survey
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    page = journey.page
    change = Question.objects.get(page__survey=survey_to_code, code="change")
    themes = reverse("surveys:coding-themes", args=[survey_to_code.pk, change.pk])
    workload_code = Code.objects.get(survey=survey_to_code, label=WORKLOAD)

    sign_in(journey, "analyst@demo.example")
    journey.goto(themes)
    expect_heading(journey, "Themes in the answers")
    expect(page.locator(".paqa-drafted")).to_have_text(sentence(JOINT, TRAINING, PROFILE))

    journey.goto(reverse("surveys:coding-survey", args=[survey_to_code.pk]))
    journey.click(page.get_by_role("link", name=f"Code the answers to ‘{CHANGE}’", exact=True))
    expect_heading(journey, "Code the answers")
    expect(coded_line(page, 60)).to_be_visible()

    # Only the answers not yet coded: the first hundred are about caseloads.
    page.get_by_label("Show", exact=True).select_option(label="Not yet coded")
    journey.click(page.get_by_role("button", name="Show these answers", exact=True))
    expect(page.locator("#answers-shown")).to_have_text(
        f"Answers 1 to 100 of {UNCODED_CASELOADS + UNCODED_FEEDBACK} that match."
    )
    cards = page.locator("[data-paqa-answer]")
    expect(cards).to_have_count(100)
    expect(cards.first).to_contain_text(f"Suggested: {WORKLOAD}")

    # The keyboard, on the first answer: x selects it and unselects it, s ticks its
    # suggested code, j goes on to the next answer.
    first = cards.first
    first_id = first.get_attribute("data-paqa-answer")
    first_select = first.get_by_role("checkbox", name=f"Select answer {first_id}", exact=True)
    first_select.focus()
    page.keyboard.press("x")
    expect(first_select).to_be_checked()
    expect(status(page)).to_have_text(f"Answer {first_id} selected; 1 answer selected.")
    page.keyboard.press("x")
    expect(first_select).not_to_be_checked()
    page.keyboard.press("s")
    suggested = first.get_by_role("checkbox", name=f"{WORKLOAD} Suggested", exact=True)
    expect(suggested).to_be_checked()
    expect(status(page)).to_contain_text(f"‘{WORKLOAD}’ ticked for answer {first_id}.")
    expect(first.get_by_text("Not saved", exact=True)).to_be_visible()
    page.keyboard.press("j")
    second_id = cards.nth(1).get_attribute("data-paqa-answer")
    expect(page.locator(f"#select-{second_id}")).to_be_focused()

    # One multi-select: every answer on the page, and the code ticked on them all here.
    page.get_by_label("Select all 100 answers on this page", exact=True).check()
    expect(status(page)).to_have_text("100 answers selected.")
    page.get_by_label("Code", exact=True).select_option(label=WORKLOAD)
    page.get_by_role("button", name="Apply to selected", exact=True).click()
    expect(status(page)).to_contain_text(
        f"‘{WORKLOAD}’ ticked on 99 answers of the 100 selected. 100 answers changed and "
        "not saved yet."
    )
    expect(
        page.locator(f'input[value="{workload_code.pk}"][name^="codes-"]:checked')
    ).to_have_count(100)
    assert page.url.endswith("?show=uncoded#answers") or "show=uncoded" in page.url
    journey.check()  # the page as changed by the toolbar, before it is saved

    # One Save.
    journey.click(page.get_by_role("button", name="Save", exact=True))
    expect_heading(journey, "Code the answers")
    expect_success(page, "The codes of 100 answers are saved (100 codes added, 0 removed).")
    expect(coded_line(page, 160)).to_be_visible()
    assert Answer.objects.filter(codes__code=workload_code).count() == UNCODED_CASELOADS

    # The similar answers left: one group about feedback, coded at once.
    groups = page.locator('.govuk-summary-card[id^="group-"]')
    expect(groups).to_have_count(1)
    group = groups.first
    expect(group.get_by_role("heading")).to_have_text(
        f"Group 1: {UNCODED_FEEDBACK} similar answers"
    )
    expect(group).to_contain_text(f"Suggested: {FEEDBACK}")
    group.get_by_role("checkbox", name=f"{FEEDBACK} Suggested", exact=True).check()
    journey.click(
        group.get_by_role(
            "button", name=f"Apply to all {UNCODED_FEEDBACK} similar answers", exact=True
        )
    )
    expect_success(page, f"{UNCODED_FEEDBACK} similar answers are coded: {FEEDBACK}.")
    expect(coded_line(page, TOTAL)).to_be_visible()
    expect(page.get_by_text("Every answer is coded.", exact=True)).to_be_visible()

    # The themes and the report's sentence follow: caseloads first, then feedback.
    journey.click(page.get_by_role("link", name="See the themes", exact=True))
    expect_heading(journey, "Themes in the answers")
    expect(page.get_by_text(f"{TOTAL} of {TOTAL} answers coded.")).to_be_visible()
    rows = page.get_by_role("table", name="Themes, most common first").locator("tbody tr")
    expect(rows.get_by_role("rowheader")).to_have_text(
        [WORKLOAD, FEEDBACK, JOINT, TRAINING, PROFILE]
    )
    expect(rows.nth(0).get_by_role("cell").nth(2)).to_have_text(str(UNCODED_CASELOADS))
    expect(rows.nth(1).get_by_role("cell").nth(2)).to_have_text(str(UNCODED_FEEDBACK))
    expect(page.locator(".paqa-drafted")).to_have_text(sentence(WORKLOAD, FEEDBACK, JOINT))
    assert re.search(r"/themes/$", page.url)
    assert len(journey.visited) == 10, journey.visited
