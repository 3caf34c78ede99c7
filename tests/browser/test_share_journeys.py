"""Giving out a survey and moving it as YAML, in a real browser: a PAQA member opens the sharing
page of the demo's 2018-19 practitioner survey, copies its link, downloads its QR code as PNG,
downloads the survey as YAML, and imports a copy with an unknown question type, which is
refused naming the line. Every page reached is checked by axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from paqa.surveys.demo import demo_surveys_load
from paqa.surveys.models import Survey
from tests.browser.conftest import Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in


@pytest.fixture
def demo_survey(demo_partnership: Any) -> Survey:
    """The demo's surveys, as `paqa demo` loads them; the 2018-19 practitioner survey."""
    demo_surveys_load()
    return Survey.objects.get(series="practitioner-survey", year="2018-19")


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.browser
def test_a_paqa_member_shares_a_survey_and_moves_it_as_yaml(
    journey: Journey, settings: Any, demo_survey: Survey, tmp_path: Path
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    page = journey.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(journey, "paqa@demo.example")

    journey.goto(f"/surveys/{demo_survey.pk}/share/")
    expect_heading(journey, "Share the survey and follow its responses")
    link = page.get_by_label("Public link to the survey", exact=True)
    public = f"{journey.base_url}/s/{demo_survey.public_slug}/"
    expect(link).to_have_value(public)
    expect(page.get_by_text("The survey has closed.")).to_be_visible()

    # The copy button is the script's; the link is on the clipboard and the page says so.
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == public
    journey.check()

    # The QR code is shown, and downloads as a PNG made by the server.
    qr_image = page.get_by_role("img", name=f"QR code of the public link to {demo_survey}")
    expect(qr_image).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr_image.element_handle())
    with page.expect_download() as png_download:
        page.get_by_role("link", name=re.compile("^Download the QR code as PNG")).click()
    png = png_download.value
    assert png.suggested_filename == "practitioner-survey-2018-19-qr-code.png"
    assert Path(png.path()).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    # Responses by day: the demo's 1,003 sent responses are counted.
    expect(page.locator('[data-paqa-count="submitted"]')).to_have_text("1,003")
    expect(page.get_by_role("table", name="Responses by day")).to_be_visible()

    # The survey as YAML.
    with page.expect_download() as yaml_download:
        page.get_by_role("link", name=re.compile("^Download the survey as YAML")).click()
    exported = yaml_download.value
    assert exported.suggested_filename == "practitioner-survey-2018-19.yaml"
    text = Path(exported.path()).read_text(encoding="utf-8")
    assert "code: training-useful" in text

    # A copy for another year, with a question type PAQA does not have.
    broken = text.replace("year: 2018-19", "year: 2030-31").replace(
        "  kind: likert\n    text: The training helped me",
        "  kind: slider\n    text: The training helped me",
    )
    assert broken != text.replace("year: 2018-19", "year: 2030-31")
    line = _line_of(broken, "code: training-useful")
    upload = tmp_path / "practitioner-survey-2030-31.yaml"
    upload.write_text(broken, encoding="utf-8")

    journey.click(page.get_by_role("link", name="Import a survey", exact=True))
    expect_heading(journey, "Import a survey")
    page.get_by_label("Upload a YAML file", exact=True).set_input_files(str(upload))
    journey.click(page.get_by_role("button", name="Import the survey", exact=True))

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_text(
        re.compile(rf"^Line {line}: Question ‘training-useful’ .*‘slider’ is not a question type")
    )
    expect(page).to_have_title(re.compile("^Error: Import a survey"))
    assert not Survey.objects.filter(year="2030-31").exists()
