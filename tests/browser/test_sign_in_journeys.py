"""Signing in and out in a real browser, as each demo person, with every page checked by axe."""

import base64

import pytest
from playwright.sync_api import expect

from paqa.core.access import Role
from paqa.partnership.demo import DEMO_PASSWORD, DEMO_PEOPLE, DemoPerson
from tests.browser.conftest import Journey, assert_no_axe_violations
from tests.totp import key_from_secret, totp_code

HOME_HEADING = "Your work"
DIRECTORY = [
    "Home",
    "Data",
    "Audits",
    "Self-assessment",
    "Surveys",
    "Children's views",
    "Escalations",
    "Themes",
    "Annual report",
    "Actions",
    "Organisations",
    "People",
]
NAVIGATION_BY_ROLE = {
    Role.PARTNERSHIP_ADMIN: [*DIRECTORY, "Change history"],
    Role.PAQA_MEMBER: DIRECTORY,
    Role.AGENCY_LEAD: DIRECTORY,
    Role.AUDITOR: DIRECTORY,
    Role.ANALYST: DIRECTORY,
    Role.BOARD_MEMBER: DIRECTORY,
}


def totp_now(secret: str, *, at: float | None = None, digits: int = 6) -> str:
    """The RFC 6238 time-based code (HMAC-SHA1) an authenticator app would show."""
    return totp_code(key_from_secret(secret), at=at, digits=digits)


def test_totp_now_matches_rfc_6238_test_vectors():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_now(secret, at=59, digits=8) == "94287082"
    assert totp_now(secret, at=1111111109, digits=8) == "07081804"
    assert totp_now(secret, at=2000000000, digits=8) == "69279037"


def expect_heading(journey: Journey, name: str) -> None:
    expect(journey.page.get_by_role("heading", level=1, name=name, exact=True)).to_be_visible()


def sign_in(journey: Journey, email: str, password: str = DEMO_PASSWORD) -> None:
    """From the service root to the other side of the sign-in form."""
    journey.goto("/")
    expect_heading(journey, "Sign in")
    journey.submit({"Email address": email, "Password": password}, button="Sign in")


@pytest.mark.browser
@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=lambda person: person.email)
def test_each_demo_person_signs_in_visits_every_menu_page_and_signs_out(
    journey: Journey, settings, person: DemoPerson
):
    settings.PAQA_REQUIRE_MFA = False  # as `paqa demo` runs
    page = journey.page

    sign_in(journey, person.email)

    expect_heading(journey, HOME_HEADING)
    expect(page.get_by_role("heading", name="Your roles")).to_be_visible()
    roles = page.locator(".govuk-summary-list__row").filter(
        has=page.get_by_role("term").filter(has_text=person.organisation)
    )
    expect(roles.get_by_role("definition")).to_have_text(Role(person.role).label)

    menu = page.locator('nav[aria-label="Menu"]')
    labels = [label.strip() for label in menu.locator("a").all_inner_texts()]
    assert labels == NAVIGATION_BY_ROLE[person.role]
    for label in labels:
        link = menu.get_by_role("link", name=label, exact=True)
        journey.click(link)
        expect(link).to_have_attribute("aria-current", "true")

    journey.click(page.get_by_role("button", name="Sign out", exact=True))
    expect_heading(journey, "Sign in")
    expect(page.get_by_text("You have signed out.", exact=True)).to_be_visible()

    # sign-in page, home page, each menu page, and the sign-in page again
    assert len(journey.visited) == 2 + len(labels) + 1, journey.visited


@pytest.mark.browser
def test_first_sign_in_sets_up_two_factor_authentication(journey: Journey, settings):
    settings.PAQA_REQUIRE_MFA = True
    page = journey.page

    sign_in(journey, "admin@demo.example")

    expect_heading(journey, "Set up two-factor authentication")
    page.get_by_text("I cannot scan the QR code", exact=True).click()
    secret = page.locator("code.paqa-secret")
    expect(secret).to_be_visible()
    journey.check()  # again, with the key revealed
    key = secret.inner_text().replace(" ", "")
    assert len(key) >= 16, key

    journey.submit({"Security code": totp_now(key)}, button="Continue")

    expect_heading(journey, "Save your recovery codes")
    codes = page.locator("ul.paqa-recovery-codes li")
    expect(codes).to_have_count(10)
    assert len(set(codes.all_inner_texts())) == 10

    journey.click(page.get_by_role("link", name="I have saved my codes", exact=True))
    expect_heading(journey, HOME_HEADING)
    expect(page.locator(".govuk-summary-list__value")).to_have_text("Partnership admin")
    assert len(journey.visited) == 5, journey.visited


@pytest.mark.browser
def test_empty_sign_in_form_shows_an_accessible_error_summary(journey: Journey):
    page = journey.page

    journey.goto("/sign-in/")
    expect_heading(journey, "Sign in")
    journey.submit(button="Sign in")

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your email address", exact=True)).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your password", exact=True)).to_be_visible()
    assert page.title().startswith("Error: "), page.title()

    # Each error links to its field.
    summary.get_by_role("link", name="Enter your password", exact=True).click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    assert len(journey.visited) == 2, journey.visited


@pytest.mark.browser
def test_the_axe_check_reports_each_violation_readably(page):
    page.set_content('<html lang="en"><title>t</title><main><input id="nameless"></main></html>')
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    assert "label" in str(failure.value)
    assert '<input id="nameless">' in str(failure.value)
    assert "#nameless" in str(failure.value)


@pytest.mark.browser
def test_the_demo_banner_is_inside_a_landmark(journey: Journey, settings):
    settings.PAQA_DEMO = True
    journey.goto("/sign-in/")


@pytest.mark.browser
def test_idle_warning_lets_the_person_stay_signed_in_and_otherwise_signs_them_out(
    journey: Journey, settings
):
    """WCAG 2.2.1: warned before the idle sign-out, with a way to extend the session."""
    settings.PAQA_REQUIRE_MFA = False
    settings.PAQA_IDLE_TIMEOUT_SECONDS = 8
    settings.PAQA_IDLE_WARNING_SECONDS = 6
    page = journey.page
    sign_in(journey, "board@demo.example")
    expect_heading(journey, HOME_HEADING)

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=5_000)
    assert_no_axe_violations(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    # The server's idle clock was reset too: the next page is served, not the sign-in page.
    journey.goto("/people/")
    expect_heading(journey, "People")

    # Left alone, the page goes to the sign-in page with a notice, and the session is over.
    expect(page.get_by_text("You were signed out because you had not done anything")).to_be_visible(
        timeout=12_000
    )
    journey.goto("/people/")
    expect_heading(journey, "Sign in")
