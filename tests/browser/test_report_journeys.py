"""The annual report in a real browser: a PAQA member starts the 2018-19 report, changes the
words of a section, makes PDF and Word files of the draft and publishes it; a board member then
reads the published version and cannot reach the draft. Every page either person reaches is
checked by axe."""

import io
import re
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from paqa.reports.models import Report
from paqa.reports.sections import GUIDE_BY_KEY, GUIDES, SectionKey
from paqa.reports.services import section_update
from tests.browser.conftest import Journey, assert_no_axe_violations
from tests.browser.test_assessment_journeys import expect_success, open_menu
from tests.browser.test_sign_in_journeys import expect_heading, sign_in
from tests.conftest import Cast
from tests.factories import PASSWORD

YEAR = "2018-19"
TITLE = re.compile(rf"PAQA annual report {YEAR}$")
AUDITS = SectionKey.AUDITS.label  # "Quality assurance audits on working together"
# Untrusted words: they must show as written, neither run nor read as a template.
COMMENTARY = (
    "Browser test: <script>alert(1)</script> {{ x }} audits found slow information sharing."
)
IMPACT = "Browser test: children referred by schools were seen by police within a week."
NOTE = "Browser test: the first version for the board."


def section(page: Page, title: str):
    """A section of the report, found by its heading."""
    return page.locator("section.paqa-report-section").filter(
        has=page.get_by_role("heading", level=2, name=title, exact=True)
    )


def missing_impact(page: Page):
    return page.locator(".govuk-inset-text li")


def paqa_member_starts_the_report(journey: Journey, cast: Cast) -> None:
    page = journey.page
    sign_in(journey, cast.paqa_member.email, PASSWORD)
    open_menu(journey, "Annual report")
    expect_heading(journey, "Annual report")
    expect(page.get_by_text("No report has been started yet.", exact=True)).to_be_visible()

    journey.submit({"Reporting year": YEAR}, button="Start the report")
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text("Draft, not published", exact=True)).to_be_visible()
    expect_success(page, f"The report for {YEAR} has been started.")
    # Every section that asks for impact on children and families is listed as missing it.
    expect(missing_impact(page)).to_have_text(
        [guide.key.label for guide in GUIDES if guide.asks_for_impact]
    )
    # Drafted from the evidence, of which the test cast has little.
    expect(section(page, SectionKey.PRACTITIONERS.label)).to_contain_text(
        f"No practitioner survey was run for {YEAR}"
    )


def write_impact_for_all_but_the_audits(cast: Cast) -> None:
    """Shortens the journey: the words of every other section are saved as the service would."""
    report = Report.objects.get(year=YEAR)
    for saved in report.sections.all():
        if saved.key != SectionKey.AUDITS and GUIDE_BY_KEY[saved.key].asks_for_impact:
            section_update(
                section=saved,
                narrative="",
                impact=f"Browser test: what changed for children ({saved.get_key_display()}).",
                revision=saved.revision,
                actor=cast.paqa_member,
            )


def paqa_member_cannot_publish_without_every_impact(journey: Journey) -> None:
    page = journey.page
    journey.goto(f"/reports/{YEAR}/draft/")
    expect(missing_impact(page)).to_have_text([AUDITS])
    expect(section(page, AUDITS)).to_contain_text("Not yet written.")

    journey.click(page.get_by_role("link", name="Publish this version", exact=True))
    expect_heading(journey, "Publish the report")
    journey.submit(button="Publish this version")
    expect_heading(journey, "Publish the report")
    assert page.title().startswith("Error: "), page.title()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Write the impact on children and families for ‘{AUDITS}’ before publishing"
    )
    journey.click(page.get_by_role("link", name="Cancel", exact=True))
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()


def paqa_member_changes_the_words_of_the_audits_section(journey: Journey) -> None:
    page = journey.page
    journey.click(page.get_by_role("link", name=f"Change the words of ‘{AUDITS}’", exact=True))
    expect_heading(journey, AUDITS)
    page.get_by_label("Commentary", exact=True).fill(COMMENTARY)
    page.get_by_label("Impact on children and families", exact=True).fill(IMPACT)
    journey.click(page.get_by_role("button", name="Save the section", exact=True))

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect_success(page, f"‘{AUDITS}’ has been saved.")
    assert page.url.endswith("#section-audits"), page.url
    audits = section(page, AUDITS)
    expect(audits.get_by_text(COMMENTARY, exact=True)).to_be_visible()
    expect(audits.get_by_text(IMPACT, exact=True)).to_be_visible()
    expect(audits.locator("script")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_have_count(0)  # nothing missing now


def paqa_member_makes_a_file(journey: Journey, label: str) -> bytes:
    """Press "Make a … file" on the draft, download the file when it is ready, and return."""
    page = journey.page
    journey.click(page.get_by_role("button", name=f"Make a {label} file", exact=True))
    # Tasks run inline in the tests: the file is made before the progress page is shown.
    expect_heading(journey, f"Your {label} file is ready")
    expect(page.get_by_text(re.compile(rf"PAQA annual report {YEAR} \(draft\)"))).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download the {label} file", exact=True).click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    data = Path(download.path()).read_bytes()
    journey.click(page.get_by_role("link", name="Back to the report", exact=True))
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    return data


def paqa_member_exports_pdf_and_docx(journey: Journey) -> None:
    pdf = paqa_member_makes_a_file(journey, "PDF")
    assert pdf.startswith(b"%PDF"), pdf[:20]

    word = paqa_member_makes_a_file(journey, "Word (DOCX)")
    assert word.startswith(b"PK"), word[:20]
    document = docx.Document(io.BytesIO(word))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings, [p.style.name for p in document.paragraphs][:20]
    assert any(COMMENTARY in p.text for p in document.paragraphs)

    recent = journey.page.get_by_role("table", name="Recent files")
    expect(recent.get_by_role("link", name=re.compile(r"^Download the "))).to_have_count(2)


def paqa_member_publishes(journey: Journey) -> None:
    page = journey.page
    journey.click(page.get_by_role("link", name="Publish this version", exact=True))
    expect_heading(journey, "Publish the report")
    expect(
        page.get_by_text("This publishes the draft as it reads now as version 1.")
    ).to_be_visible()
    journey.submit(
        {"What changed since the last version (optional)": NOTE}, button="Publish this version"
    )
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator(".govuk-caption-xl")).to_have_text(re.compile(r"^Version 1, published "))
    expect_success(page, "Version 1 has been published.")
    assert page.url.endswith(f"/reports/{YEAR}/versions/1/"), page.url
    journey.click(page.get_by_role("button", name="Sign out", exact=True))
    expect_heading(journey, "Sign in")


def board_member_reads_the_published_version(journey: Journey, cast: Cast) -> None:
    page = journey.page
    sign_in(journey, cast.board_member.email, PASSWORD)
    open_menu(journey, "Annual report")
    expect_heading(journey, "Annual report")
    reports = page.get_by_role("table", name="Reports")
    # A reader is not offered the draft: the title is not a link.
    expect(reports.get_by_role("link", name=re.compile(r"\(draft\)"))).to_have_count(0)
    journey.click(reports.get_by_role("link", name=f"Version 1 of the {YEAR} report", exact=True))

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text(f"What changed in this version: {NOTE}", exact=True)).to_be_visible()
    # Who published it is named, not shown by email address.
    expect(page.get_by_role("listitem").filter(has_text="Version 1, published")).to_contain_text(
        f"by {cast.paqa_member.full_name}: {NOTE}"
    )
    audits = section(page, AUDITS)
    expect(audits).to_be_visible()
    expect(audits.get_by_text(COMMENTARY, exact=True)).to_be_visible()
    expect(audits.get_by_text(IMPACT, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Change the words"))).to_have_count(0)
    expect(page.get_by_text("Not yet written.")).to_have_count(0)

    # The draft does not exist for a reader.
    response = page.goto(journey.url(f"/reports/{YEAR}/draft/"))
    assert response is not None
    assert response.status == 404, response.status
    expect_heading(journey, "Page not found")
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_paqa_member_drafts_exports_and_publishes_the_report_and_a_board_member_reads_it(
    journey: Journey, cast: Cast, settings
):
    settings.PAQA_REQUIRE_MFA = False

    paqa_member_starts_the_report(journey, cast)
    write_impact_for_all_but_the_audits(cast)
    paqa_member_cannot_publish_without_every_impact(journey)
    paqa_member_changes_the_words_of_the_audits_section(journey)
    paqa_member_exports_pdf_and_docx(journey)
    paqa_member_publishes(journey)
    board_member_reads_the_published_version(journey, cast)


@pytest.mark.browser
def test_the_demonstration_report_reads_accessibly_in_full(journey: Journey, settings):
    """The whole demonstration 2018-19 report (every table, chart, quote and list), as the
    draft a PAQA member sees and as the version 1 a board member reads: axe checks each page."""
    from paqa.demo.loader import demo_everything_load
    from paqa.partnership.demo import DEMO_PASSWORD

    settings.PAQA_REQUIRE_MFA = False
    demo_everything_load()
    page = journey.page

    sign_in(journey, "paqa@demo.example", DEMO_PASSWORD)
    journey.goto(f"/reports/{YEAR}/draft/")
    expect(
        page.get_by_role("img", name=re.compile(r"^Children looked after, rate per 10,000: "))
    ).to_have_count(1)
    expect(
        section(page, SectionKey.ESCALATIONS.label).locator("ol.paqa-entries > li")
    ).to_have_count(4)
    journey.click(page.get_by_role("button", name="Sign out", exact=True))

    sign_in(journey, "board@demo.example", DEMO_PASSWORD)
    journey.goto(f"/reports/{YEAR}/versions/1/")
    expect(
        section(page, SectionKey.CONCLUSIONS.label).locator("ol.paqa-entries > li")
    ).to_have_count(5)
    expect(page.get_by_text("ten services within seven agencies", exact=False)).to_be_visible()
