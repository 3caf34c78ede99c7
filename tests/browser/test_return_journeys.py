"""Statutory returns in a real browser: an analyst checks an SSDA903 return with a bad row,
loads the corrected one, reads its figures with their definitions, drills down to the children
behind one and confirms the figures; a partnership admin cannot see the children. axe checks
every page."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from paqa.indicators.demo import demo_indicators_load
from paqa.returns.models import StatutoryReturn
from tests.browser.conftest import Journey
from tests.browser.test_sign_in_journeys import expect_heading, sign_in
from tests.returns.conftest import SSDA903_CSV

LOAD_TIMEOUT_MS = 60_000


@pytest.fixture
def demo_data(demo_partnership: Any) -> Any:
    demo_indicators_load(partnership=demo_partnership)
    return demo_partnership


def _tables_with_a_bad_date(tmp_path: Path) -> list[Path]:
    for path in SSDA903_CSV:
        shutil.copy(path, tmp_path / path.name)
    episodes = tmp_path / "episodes.csv"
    lines = episodes.read_text().splitlines()
    lines[4] = lines[4].replace(lines[4].split(",")[1], "30/02/2017", 1)
    episodes.write_text("\n".join(lines) + "\n")
    return sorted(tmp_path.glob("*.csv"))


def _choose(journey: Journey, paths: list[Path], year: str) -> None:
    page = journey.page
    page.get_by_label("The return's files", exact=True).set_input_files(paths)
    page.get_by_label("Collection year (SSDA903 only)", exact=True).fill(year)


@pytest.mark.browser
def test_an_analyst_loads_a_return_reads_its_figures_and_the_children_behind_one(
    journey: Journey, settings, demo_data: Any, tmp_path: Path
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    page = journey.page
    sign_in(journey, "analyst@demo.example")
    journey.click(page.locator('nav[aria-label="Menu"]').get_by_role("link", name="Data"))
    journey.click(page.get_by_role("link", name="Statutory returns", exact=True))
    expect_heading(journey, "Statutory returns")

    # A bad date in row 5 of the episodes: named, and nothing stored.
    _choose(journey, _tables_with_a_bad_date(tmp_path), "2018")
    journey.click(page.get_by_role("button", name="Load the return", exact=True))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The return has 1 problem: nothing was stored", timeout=LOAD_TIMEOUT_MS
    )
    problems = page.get_by_role("table", name="1 problem")
    cells = [c.strip() for c in problems.locator("tbody tr").first.locator("td").all_inner_texts()]
    assert cells[:3] == ["Episodes", "5", "DECOM"], cells
    assert StatutoryReturn.objects.count() == 0

    # The sample as it is: checked first, then loaded.
    _choose(journey, SSDA903_CSV, "2018")
    journey.click(page.get_by_role("button", name="Check it without loading", exact=True))
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("Nothing was stored")
    checked = page.get_by_role("table", name="The figures it would give")
    expect(
        checked.get_by_role("row", name="Children looked after at 31 March 1,201")
    ).to_be_visible()
    assert StatutoryReturn.objects.count() == 0

    _choose(journey, SSDA903_CSV, "2018")
    journey.click(page.get_by_role("button", name="Load the return", exact=True))
    expect_heading(journey, "SSDA903 (children looked after) 2017-18")
    figures = page.get_by_role("table", name="Figures computed from this return")
    cla = figures.get_by_role("row").filter(has_text="Children looked after at 31 March")
    expect(cla).to_contain_text("1,201")
    expect(cla).to_contain_text("legal status V3 or V4")
    expect(cla).to_contain_text("Provisional")

    # The children behind the missing figure, by pseudonym.
    journey.click(figures.get_by_role("link", name="Children looked after who went missing"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("the children behind it")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Child ")
    journey.click(page.get_by_role("link", name="Back to the return", exact=True))

    journey.click(page.get_by_role("button", name="Confirm these figures", exact=True))
    expect(page.locator(".govuk-notification-banner, .govuk-panel")).to_contain_text(
        "are now final"
    )
    expect(
        figures.get_by_role("row").filter(has_text="Children looked after at 31 March")
    ).to_contain_text("Final")
