"""Phone width (WCAG 2.2, 1.4.10 Reflow): at 320 CSS pixels wide no page scrolls sideways.

Each role of the demonstration partnership signs in, in a browser window 320 × 640, and opens
every page its journeys reach: home, each entry of its menu, and the detail pages of the demo's
records (a return, an audit and a case section, an agency's audit, an escalation, a survey's
results and management pages, the data dashboard and an indicator, the themes, the draft and the
published report, the change history), and the public survey page. A page fails when the whole
document is wider than the window (`scrollWidth > innerWidth`): wide tables scroll inside their
own focusable region (`.paqa-scroll`), not the page. No screenshots and no axe here: the
journeys check accessibility; this only measures, so it stays quick.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import resolve, reverse
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

WIDTH, HEIGHT = 320, 640
YEAR = "2018-19"
LEAD = "lead.police@demo.example"
AUDITOR = "auditor@demo.example"

#: Pages still too wide, by route, with why: their tables are not yet in a scrolling region.
#: Each entry must still be needed: the test fails when the page is put right, so it goes.
NOT_YET: dict[str, str] = {}

# What makes a page wider than the window: the widest elements sticking out on the right.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const scrolled = document.documentElement.scrollWidth;
    if (scrolled <= width) return null;
    const culprits = [];
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.right > width + 1 && box.width > 0) {
            let inside = element.parentElement;
            let clipped = false;
            while (inside && inside !== document.body) {
                const style = getComputedStyle(inside);
                if (style.overflowX !== "visible") { clipped = true; break; }
                inside = inside.parentElement;
            }
            if (!clipped) {
                const name = element.tagName.toLowerCase()
                    + (element.id ? "#" + element.id : "")
                    + (element.className && typeof element.className === "string"
                        ? "." + element.className.trim().split(/\\s+/).join(".") : "");
                culprits.push([Math.round(box.right), name]);
            }
        }
    }
    culprits.sort((a, b) => b[0] - a[0]);
    return {scrollWidth: scrolled, culprits: culprits.slice(0, 4)};
}"""


def _demo_pages() -> dict[str, list[str]]:
    """The pages each demo person's journeys reach besides home and the menu, by email. The
    pages every role reads (the data, the themes, an escalation, the published report) are
    opened by the admin and the board member."""
    from paqa.actions.models import Action
    from paqa.assessments.models import Cycle, Return
    from paqa.audits.models import AgencyAudit, Audit, CaseSection
    from paqa.escalations.models import Escalation
    from paqa.indicators.models import Indicator
    from paqa.partnership.models import Membership
    from paqa.reports.models import ReportVersion
    from paqa.surveys.models import Survey
    from paqa.voice.models import VoiceRecord

    police = Membership.objects.get(user__email=LEAD).organisation
    audit = Audit.objects.filter(year=YEAR).order_by("pk").first()
    case = audit.cases.order_by("pk").first()
    sent_section = case.sections.filter(status=CaseSection.Status.SUBMITTED).first()
    survey = Survey.objects.filter(year=YEAR, kind=Survey.Kind.ANONYMOUS).order_by("pk").first()
    version = ReportVersion.objects.filter(report__year=YEAR).order_by("number").first()
    cycle = Cycle.objects.order_by("-year").first()
    seen_return = Return.objects.filter(status__in=Return.SEEN_BY_PARTNERSHIP).order_by("pk")[0]
    sent_agency_audit = (
        AgencyAudit.objects.exclude(status=AgencyAudit.Status.DRAFT).order_by("pk").first()
    )
    reading = [
        reverse("indicators:dashboard"),
        reverse("indicators:indicator", args=[Indicator.objects.order_by("pk").first().code]),
        reverse("themes:overview", args=[YEAR]),
        reverse("themes:theme", args=[YEAR, "information-sharing"]),
        reverse("escalations:detail", args=[Escalation.objects.order_by("pk").first().pk]),
        reverse("reports:version", args=[YEAR, version.number]),
    ]
    admin = [
        *reading,
        reverse("assessments:cycle", args=[cycle.pk]),
        reverse("assessments:return", args=[seen_return.pk]),
        reverse("audits:audit", args=[audit.pk]),
        reverse("audits:case", args=[audit.pk, case.pk]),
        reverse("audits:section", args=[sent_section.pk]),
        reverse("audits:agency-detail", args=[sent_agency_audit.pk]),
        reverse("audits:themes", args=[YEAR]),
        reverse("surveys:results", args=[survey.pk]),
        reverse("surveys:manage", args=[survey.pk]),
        reverse("surveys:share", args=[survey.pk]),
        reverse("voice:detail", args=[VoiceRecord.objects.order_by("pk").first().pk]),
        reverse("reports:draft", args=[YEAR]),
        reverse("core:history"),
    ]
    if action := Action.objects.order_by("pk").first():
        admin.append(reverse("actions:detail", args=[action.pk]))
    lead = [
        reverse(
            "assessments:return", args=[Return.objects.get(cycle=cycle, organisation=police).pk]
        ),
        reverse(
            "audits:section",
            args=[CaseSection.objects.filter(organisation=police).order_by("pk")[0].pk],
        ),
    ]
    if own_audit := AgencyAudit.objects.filter(organisation=police).order_by("pk").first():
        lead.append(reverse("audits:agency-detail", args=[own_audit.pk]))
    assigned = CaseSection.objects.filter(auditors__email=AUDITOR).order_by("pk")
    auditor = [reverse("audits:section", args=[section.pk]) for section in assigned[:1]]
    return {
        "admin@demo.example": admin,
        LEAD: lead,
        AUDITOR: auditor,
        "board@demo.example": reading,
        "analyst@demo.example": [
            reverse("indicators:indicator", args=["cla"]),
            reverse("returns:list"),
            reverse("indicators:import"),
        ],
    }


def _sign_in(page: Page, email: str) -> None:
    from paqa.partnership.demo import DEMO_PASSWORD

    page.goto(reverse("accounts:sign-in"))
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def _menu(page: Page) -> list[str]:
    return page.locator('nav[aria-label="Menu"] a').evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )


def _measure(page: Page, path: str) -> str:
    """What is wrong with the page at this width ("" for nothing)."""
    response = page.goto(path)
    if response is None or not response.ok:
        return f"did not open ({response and response.status})"
    found = page.evaluate(OVERFLOW)
    if not found:
        return ""
    culprits = ", ".join(f"{name} (to {right} px)" for right, name in found["culprits"])
    return f"{found['scrollWidth']} px wide; {culprits}"


def _context(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport={"width": WIDTH, "height": HEIGHT}
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.mark.browser
def test_no_page_scrolls_sideways_at_320_pixels(
    browser: Browser, live_server: Any, transactional_db: None, settings: Any
):
    from paqa.surveys.demo import open_public_surveys
    from tests.demo_snapshot import demo_into_database

    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    demo_into_database()
    people = _demo_pages()
    (survey, *_) = open_public_surveys()
    wide: dict[str, str] = {}
    visited = 0

    def measure(page: Page, path: str, who: str) -> None:
        nonlocal visited
        visited += 1
        if problem := _measure(page, path):
            wide.setdefault(path, f"{path} (as {who}): {problem}")

    for email, paths in people.items():
        context = _context(browser, live_server.url)
        page = context.new_page()
        _sign_in(page, email)
        for path in dict.fromkeys([reverse("core:home"), *_menu(page), *paths]):
            measure(page, path, email)
        context.close()
    context = _context(browser, live_server.url)
    measure(
        context.new_page(), reverse("surveys:public-start", args=[survey.public_slug]), "anyone"
    )
    context.close()

    assert visited > 60, visited  # home and the menu of five roles, and the records' pages
    known = {path for path in wide if resolve(path).view_name in NOT_YET}
    problems = [wide[path] for path in wide if path not in known or "did not open" in wide[path]]
    assert problems == [], "Pages wider than a 320 px window:\n" + "\n".join(problems)
    put_right = set(NOT_YET) - {resolve(path).view_name for path in known}
    assert put_right == set(), f"These fit the window now: take them out of NOT_YET: {put_right}"
