"""The local safeguarding data in a real browser: importing figures, the dashboard and an
indicator's page, with every page checked by axe."""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from paqa.indicators.demo import ILLUSTRATIVE, demo_indicators_load
from tests.browser.conftest import Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in

DASHBOARD_HEADING = "The local safeguarding data"
IMPORT_TIMEOUT_MS = 30_000
COLUMNS = "indicator,area,period,value,numerator,denominator,status,note"

# Row 2 is fine; row 3 names an area that does not exist; row 4 is a percentage over 100.
BAD_FILE = "\n".join(
    [
        COLUMNS,
        "cla,E10000025,2020-03-31,800,,,provisional,demo",
        "cla,E99999999,2020-03-31,800,,,provisional,demo",
        "camhs-seen-12-weeks,E10000025,2019-04,120,,,provisional,demo",
    ]
)
# Row 2 is new; row 3 changes the South East's 10,850 at 31 March 2019; row 4 is already held.
GOOD_FILE = "\n".join(
    [
        COLUMNS,
        "cla,E10000025,2020-03-31,800,,,provisional,demo",
        "cla,E12000008,2019-03-31,10900,,,final,demo",
        f'cla,E92000001,2019-03-31,78150,,,final,"{ILLUSTRATIVE}"',
    ]
)


@pytest.fixture
def demo_data(demo_partnership: Any) -> Any:
    """The demo partnership with its local safeguarding data, as `paqa demo` loads it."""
    demo_indicators_load(partnership=demo_partnership)
    return demo_partnership


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def upload(journey: Journey, path: Path) -> None:
    journey.page.get_by_label("File of figures", exact=True).set_input_files(path)
    journey.click(journey.page.get_by_role("button", name="Upload and check", exact=True))


def cells_of(row: Any) -> list[str]:
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


@pytest.mark.browser
def test_an_analyst_uploads_sees_errors_then_a_preview_imports_and_sees_the_chart(
    journey: Journey, settings, demo_data: Any, tmp_path: Path
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    page = journey.page

    sign_in(journey, "analyst@demo.example")
    journey.click(page.locator('nav[aria-label="Menu"]').get_by_role("link", name="Data"))
    expect_heading(journey, DASHBOARD_HEADING)
    journey.click(page.get_by_role("link", name="Import figures", exact=True))
    expect_heading(journey, "Import figures")

    # A file with problems: each is listed with its row, and nothing is imported.
    upload(journey, write(tmp_path, "figures-with-problems.csv", BAD_FILE))
    expect(
        page.get_by_role("heading", name="There are problems with the file: nothing was imported")
    ).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
    journey.check()  # again, as it settled
    problems = page.get_by_role("table", name="2 problems")
    expect(problems).to_be_visible()
    rows = problems.locator("tbody tr")
    expect(rows).to_have_count(2)
    first, second = cells_of(rows.nth(0)), cells_of(rows.nth(1))
    assert first[:2] == ["3", "area"], first
    assert "unknown area 'E99999999'" in first[2], first
    assert second[:2] == ["4", "value"], second
    assert "120 is not a percentage between 0 and 100" in second[2], second

    # A good file: the preview counts and shows what each row will do.
    journey.click(page.get_by_role("link", name="Upload a corrected file", exact=True))
    expect_heading(journey, "Import figures")
    upload(journey, write(tmp_path, "figures.csv", GOOD_FILE))
    expect(
        page.get_by_role("heading", name="Check the figures before you import them")
    ).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
    journey.check()
    counts = page.locator(".govuk-summary-list")
    for key, value in [
        ("Rows", "3"),
        ("New figures", "1"),
        ("Changed figures", "1"),
        ("Already held, unchanged", "1"),
    ]:
        row = counts.locator(".govuk-summary-list__row").filter(
            has=page.locator("dt", has_text=key)
        )
        expect(row.locator("dd")).to_have_text(value)
    preview = page.get_by_role("table", name="Preview")
    preview_rows = preview.locator("tbody tr")
    expect(preview_rows).to_have_count(3)
    assert cells_of(preview_rows.nth(0))[0] == "2"
    assert cells_of(preview_rows.nth(0))[-1] == "New"
    assert cells_of(preview_rows.nth(1))[0] == "3"
    assert cells_of(preview_rows.nth(1))[-1] == "Changed from 10850"

    # Importing: the page may say "Importing" and reload itself until the work is done.
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Import 2 figures", exact=True).click()
    assert navigation.value is not None
    assert navigation.value.ok, navigation.value.status
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", name="Figures imported")).to_be_visible(
        timeout=IMPORT_TIMEOUT_MS
    )
    journey.check()
    expect(panel).to_contain_text("1 new, 1 changed, 1 unchanged")

    # The new figure on the dashboard and on the indicator's page: chart, table and sentence.
    journey.click(page.get_by_role("link", name="See the data", exact=True))
    expect_heading(journey, DASHBOARD_HEADING)
    journey.click(page.get_by_role("link", name="Children looked after", exact=True))
    expect_heading(journey, "Children looked after")
    chart = page.locator("figure.paqa-chart img")
    expect(chart).to_be_visible()
    alt = chart.get_attribute("alt") or ""
    assert alt.startswith("Children looked after. "), alt
    assert chart.evaluate("(img) => img.complete && img.naturalWidth > 0")

    table = page.get_by_role("table", name="The figures behind the chart")
    expect(table).to_be_visible()
    header = cells_of(table.locator("thead tr"))
    assert header[0] == "Period", header
    assert "Oxfordshire" in header, header
    new_row = table.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name="31 March 2020", exact=True)
    )
    expect(new_row).to_have_count(1)
    cells = cells_of(new_row)
    assert cells[header.index("Oxfordshire")] == "800", cells
    changed_row = table.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name="31 March 2019", exact=True)
    )
    assert cells_of(changed_row)[header.index("South East")] == "10,900", cells_of(changed_row)

    sentences = page.locator(".paqa-drafted").all_inner_texts()
    assert any(re.search(r"(?<![\d,.])800\b", sentence) for sentence in sentences), sentences

    # sign-in, home, dashboard, import, problems, import, preview, done, dashboard, indicator
    assert len(journey.visited) >= 10, journey.visited


def dashboard_headings(journey: Journey) -> list[str]:
    return [text.strip() for text in journey.page.locator("main h2").all_inner_texts()]


@pytest.mark.browser
def test_a_board_member_filters_the_dashboard_by_rag_and_opens_the_exceptions(
    journey: Journey, settings, demo_data: Any
):
    settings.PAQA_REQUIRE_MFA = False
    page = journey.page

    sign_in(journey, "board@demo.example")
    journey.click(page.locator('nav[aria-label="Menu"]').get_by_role("link", name="Data"))
    expect_heading(journey, DASHBOARD_HEADING)
    expect(page.get_by_role("link", name="Import figures")).to_have_count(0)
    expect(page.locator(".govuk-tag--green").first).to_be_visible()  # before filtering

    page.get_by_label("RAG", exact=True).select_option(label="Red")
    journey.click(page.get_by_role("button", name="Filter", exact=True))
    expect_heading(journey, DASHBOARD_HEADING)
    assert "rag=red" in page.url, page.url
    expect(page.get_by_label("RAG", exact=True)).to_have_value("red")
    expect(
        page.get_by_role("link", name="CAMHS referrals seen within 12 weeks", exact=True)
    ).to_be_visible()
    expect(page.locator(".govuk-tag--green")).to_have_count(0)
    expect(page.locator(".govuk-tag--orange")).to_have_count(0)
    expect(page.locator(".govuk-tag--red").first).to_be_visible()
    for table in page.locator("table.paqa-dashboard-table").all():
        for row in table.locator("tbody tr").all():
            expect(row.locator(".govuk-tag")).to_have_text("Red")

    journey.click(page.get_by_role("link", name="Exceptions", exact=True))
    expect_heading(journey, "Exceptions")
    expect(page.get_by_role("table").first).to_be_visible()
    assert len(journey.visited) == 5, journey.visited


@pytest.mark.browser
def test_the_dashboard_filter_works_from_the_keyboard(journey: Journey, settings, demo_data: Any):
    settings.PAQA_REQUIRE_MFA = False
    page = journey.page
    keyboard = page.keyboard

    sign_in(journey, "board@demo.example")
    journey.goto("/data/")
    expect_heading(journey, DASHBOARD_HEADING)
    all_headings = dashboard_headings(journey)
    assert len(all_headings) > 1, all_headings

    def tab_to(selector: str, limit: int = 60) -> None:
        target = page.locator(selector)
        for _ in range(limit):
            keyboard.press("Tab")
            if target.evaluate("(element) => element === document.activeElement"):
                return
        pytest.fail(f"{limit} presses of Tab never reached {selector}")

    tab_to("#filter-priority")
    priority_select = page.locator("#filter-priority")
    expect(priority_select).to_be_focused()
    keyboard.press("ArrowDown")  # from "All priorities" to the first priority
    chosen = priority_select.input_value()
    assert chosen, "ArrowDown did not move off “All priorities”"
    assert chosen in all_headings, (chosen, all_headings)

    tab_to("button.govuk-button--secondary")
    filter_button = page.get_by_role("button", name="Filter", exact=True)
    expect(filter_button).to_be_focused()
    with page.expect_navigation() as navigation:
        keyboard.press("Enter")
    journey.check(navigation.value)

    expect_heading(journey, DASHBOARD_HEADING)
    assert dashboard_headings(journey) == [chosen], dashboard_headings(journey)
    expect(page.locator("#filter-priority")).to_have_value(chosen)
