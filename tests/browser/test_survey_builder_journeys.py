"""Running a survey from start to finish in the browser: a PAQA member copies last year's
practitioner survey, adds a follow-up question with a branch, previews it on a phone-sized
screen, schedules it, opens it, and a practitioner answers it from the public link; the
response count shows 1. Every page either person reaches is checked by axe."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from paqa.surveys.models import Answer, Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

LAST_YEAR, THIS_YEAR = "2025-26", "2026-27"
DISCUSS = "Do you have the opportunity to discuss safeguarding within your organisation?"
FOLLOW_UP = "What stops you discussing safeguarding at work?"
TRAINING_USEFUL = "The training helped me in my work"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def last_years_survey(demo_partnership: Any) -> Survey:
    today = timezone.localdate()
    return survey_from_pack(
        path=PRACTITIONER_PACK,
        year=LAST_YEAR,
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=370),
    )


def _fill_date(journey: Journey, name: str, day: date) -> None:
    for part, value in enumerate((day.day, day.month, day.year)):
        journey.page.locator(f"input[name='{name}_{part}']").fill(str(value))


@pytest.mark.browser
def test_a_paqa_member_builds_schedules_and_opens_a_survey_and_a_practitioner_answers_it(
    journey: Journey, browser: Browser, live_server: Any, settings, last_years_survey: Survey
):
    settings.PAQA_REQUIRE_MFA = False
    page = journey.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(journey, "paqa@demo.example")

    # Copy last year's survey, with its questions, themes and codebook.
    journey.goto("/surveys/")
    journey.click(page.get_by_role("link", name="Create a survey"))
    expect_heading(journey, "Create a survey")
    page.get_by_label(f"A copy of Practitioner survey {LAST_YEAR}", exact=False).check()
    page.get_by_label("Title", exact=True).fill("Practitioner survey")
    page.get_by_label("Reporting year", exact=True).fill(THIS_YEAR)
    tomorrow = timezone.localdate() + timedelta(days=1)
    _fill_date(journey, "opens_on", tomorrow)
    page.get_by_label("Opening time", exact=True).fill("9:00")
    _fill_date(journey, "closes_on", tomorrow + timedelta(weeks=4))
    page.get_by_label("Closing time", exact=True).fill("5pm")
    journey.click(page.get_by_role("button", name="Create the survey"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Practitioner survey {THIS_YEAR}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")

    # A follow-up question, shown only to people who cannot discuss safeguarding.
    journey.click(page.get_by_role("link", name="Add a question to page 3"))
    page.get_by_label("Question", exact=True).fill(FOLLOW_UP)
    page.get_by_label("Free text", exact=True).check()
    page.get_by_label(f"‘{DISCUSS}’: No", exact=True).check()
    journey.click(page.get_by_role("button", name="Save the question"))
    expect(page.get_by_text("The question has been saved.")).to_be_visible()
    expect(page.locator("#questions")).to_be_visible()
    expect(page.get_by_text(f"Only for people who answered ‘No’ to ‘{DISCUSS}’")).to_be_visible()

    # The phone-sized frame, then the preview itself on a phone-sized screen.
    journey.click(page.get_by_role("link", name="Preview it on a phone-sized screen"))
    frame = page.frame_locator("iframe.paqa-phone-frame")
    expect(frame.get_by_role("heading", level=1, name="About you")).to_be_visible()
    page.set_viewport_size(PHONE)
    journey.goto(f"/surveys/{Survey.objects.get(year=THIS_YEAR).pk}/preview/")
    expect_heading(journey, "About you")
    expect(page.get_by_text("Sign out")).to_have_count(0)
    journey.submit(button="Continue")
    page.get_by_label("Yes", exact=True).check()
    journey.submit(button="Continue")
    expect(page.get_by_role("group", name=TRAINING_USEFUL)).to_be_visible()  # its own branch
    journey.submit(button="Continue")
    expect_heading(journey, "Support")
    expect(page.get_by_label(FOLLOW_UP)).to_have_count(0)
    page.get_by_role("group", name=DISCUSS).get_by_label("No", exact=True).check()
    journey.submit(button="Continue")
    expect(page.get_by_label(FOLLOW_UP)).to_be_visible()  # the branch, on the same page
    page.get_by_label(FOLLOW_UP).fill("No time in supervision")
    journey.submit(button="Continue")
    expect_heading(journey, "What would you change")
    assert Response.objects.filter(survey__year=THIS_YEAR).count() == 0  # nothing stored
    page.set_viewport_size({"width": 1280, "height": 900})

    # Schedule it (opening tomorrow), then open it now after all.
    journey.click(page.get_by_role("link", name="Back to the survey"))
    journey.click(page.get_by_role("link", name="Schedule it"))
    journey.click(page.get_by_role("button", name="Schedule it"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scheduled")
    journey.click(page.get_by_role("link", name="Open it now"))
    journey.click(page.get_by_role("button", name="Open it now"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    link = page.locator(".govuk-summary-list__row", has_text="Public link").get_by_role("link")
    public_url = link.first.get_attribute("href")
    assert public_url is not None
    assert f"/s/practitioner-survey-{THIS_YEAR}/" in public_url

    # A practitioner, in another browser with no account, answers it from the public link.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    respondent = Journey(context.new_page(), live_server.url)
    them = respondent.page
    respondent.goto(public_url)
    expect_heading(respondent, "Practitioner survey")
    respondent.click(them.get_by_role("button", name="Start now"))
    respondent.submit(button="Continue")
    them.get_by_label("Yes", exact=True).check()
    respondent.submit(button="Continue")
    respondent.submit(button="Continue")
    them.get_by_role("group", name=DISCUSS).get_by_label("No", exact=True).check()
    respondent.submit(button="Continue")
    them.get_by_label(FOLLOW_UP).fill("Caseloads leave no time to talk")
    respondent.submit(button="Continue")
    respondent.submit(button="Continue")
    expect(them.get_by_text("Caseloads leave no time to talk")).to_be_visible()
    respondent.click(them.get_by_role("button", name="Send my answers"))
    context.close()

    survey = Survey.objects.get(series="practitioner-survey", year=THIS_YEAR)
    sent = Response.objects.get(survey=survey, status=Response.Status.SUBMITTED)
    assert Answer.objects.get(response=sent, question__text=FOLLOW_UP).value == (
        "Caseloads leave no time to talk"
    )

    # The count shows the response.
    journey.goto(f"/surveys/{survey.pk}/manage/")
    responses = page.locator(".govuk-summary-list__row", has_text="Responses")
    expect(responses.locator(".govuk-summary-list__value")).to_have_text("1 sent")
    assert len(journey.visited) >= 15
    # Building, previewing (the phone frame included) and opening asked nothing of another site.
    elsewhere = [
        url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))
    ]
    assert elsewhere == []
