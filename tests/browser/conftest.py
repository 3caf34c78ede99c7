"""Browser-test harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a journey reaches is checked with axe-core (WCAG 2.0/2.1/2.2 A and AA, and best
practice) and must also raise no JavaScript error or Content-Security-Policy violation.

    def test_something(journey):
        journey.goto("/")                                   # visits and checks the page
        journey.submit({"Email address": "x@y.z"}, button="Sign in")  # fills, submits, checks
        journey.click(journey.page.get_by_role("link", name="People"))  # follows, checks
        assert len(journey.visited) == 3
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

# Sync Playwright keeps an asyncio event loop on the main thread; without this Django refuses
# to touch the database from it (SynchronousOnlyOperation) in fixtures and teardown.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules/axe-core/axe.min.js"
CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DEFAULT_TIMEOUT_MS = 15_000


# --- axe-core -------------------------------------------------------------------------------


@cache
def axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is missing: {AXE_PATH} does not exist. Run `make install`.")
    return AXE_PATH.read_text(encoding="utf-8")


def format_axe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']}\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {', '.join(map(str, node['target']))}")
            lines.append(f"    html:   {node['html']}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n            ")
                lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now and return its violations.

    The app's Content-Security-Policy (script-src 'self') blocks an injected inline <script>,
    so the library is evaluated through the DevTools protocol instead, which CSP does not cover.
    Every rule still runs; `resultTypes` only spares axe from detailing every passing node
    (which more than halves the time a page takes to check).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })).violations""",
        AXE_TAGS,
    )


def assert_no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], format_axe_violations(page.url, violations)


# --- journeys -------------------------------------------------------------------------------


class Journey:
    """One person's way through the service in one browser tab.

    After every navigation (goto, click, submit) the new page is checked: the response must be
    successful, axe must find no violations, and the page must have logged no JavaScript error
    or CSP violation. `visited` lists the URL of every page checked, in order.
    """

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.visited: list[str] = []
        self._browser_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._browser_errors.append(f"page error: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self._browser_errors.append(f"console error: {message.text} ({message.location})")

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None, f"No response for {path}"
        self.check(response)
        return response

    def click(self, target: Locator) -> Response:
        """Click a link or button that loads a new page, then check that page."""
        with self.page.expect_navigation() as navigation:
            target.click()
        response = navigation.value
        assert response is not None, f"Clicking {target} loaded nothing"
        self.check(response)
        return response

    def submit(self, fields: dict[str, str] | None = None, *, button: str) -> Response:
        """Fill fields found by their labels, press the named button and check the result."""
        for label, value in (fields or {}).items():
            self.page.get_by_label(label, exact=True).fill(value)
        return self.click(self.page.get_by_role("button", name=button, exact=True))

    def check(self, response: Response | None = None) -> None:
        """Check the page as it is now (called after every navigation; call again after
        revealing content, e.g. opening a <details>)."""
        self.page.wait_for_load_state("load")
        if response is not None:
            assert response.ok, f"{response.url} answered {response.status} {response.status_text}"
        assert_no_axe_violations(self.page)
        errors, self._browser_errors = self._browser_errors, []
        assert errors == [], f"The browser reported problems on {self.page.url}:\n" + "\n".join(
            errors
        )
        self.visited.append(self.page.url)


def visit(page: Page, url: str) -> Response:
    """Open a URL in a page and check it with axe (for tests that need no Journey)."""
    response = page.goto(url)
    assert response is not None, f"No response for {url}"
    assert response.ok, f"{url} answered {response.status} {response.status_text}"
    assert_no_axe_violations(page)
    return response


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not CHROMIUM_PATH.exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM_PATH}, which does not exist. "
            "Install it with `apt-get install chromium` (do not use `playwright install`).",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def demo_partnership(transactional_db: None) -> Any:
    """The demonstration partnership, as `paqa demo` loads it."""
    from paqa.partnership.demo import demo_load

    return demo_load()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, demo_partnership: Any
) -> Iterator[Page]:
    """A fresh browser context (no cookies) and tab, aimed at the live server."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail(f"{request.node.nodeid} uses a browser: mark it @pytest.mark.browser")
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def journey(page: Page, live_server: Any) -> Journey:
    return Journey(page, live_server.url)
