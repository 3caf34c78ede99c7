"""Security headers, cookies and page markup, swept over every URL of the site.

Three sweeps, each collecting every problem before failing, so one run lists them all:

* every URL pattern (as tests/core/test_login_required.py walks them), requested with GET and
  POST, anonymously and signed in, with the demonstration partnership loaded so that sample
  ids such as 1 reach real records;
* every page reachable by following links from the home page (signed in as the admin and as an
  agency lead), from the sign-in page, and through the public survey: the same headers, and
  markup that the Content Security Policy lets run as written (no inline script, event handler
  or style); and every template, for pages no link reaches;
* the same URL walk and a whole sign-in with production's security settings (read from
  paqa/settings/production.py itself): HSTS on every response, plain HTTP redirected, and
  every cookie Secure, HttpOnly and SameSite.

`manage.py check --deploy` with the production settings is tested in test_settings_and_health.py.
"""

import re
import runpy
from collections import Counter, deque
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from paqa.accounts.models import User
from paqa.accounts.signin import MFA_VERIFIED
from paqa.surveys.models import Survey
from tests.conftest import signed_in_client
from tests.core.test_login_required import ALL_URLS, _sample_path
from tests.factories import PASSWORD
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

ADMIN = "admin@demo.example"
# The admin reaches nearly every page; an agency lead adds the pages of editing a return.
# (The other roles reach no page these two do not, so crawling as them too only costs time.)
ROLES = [ADMIN, "lead.police@demo.example"]
REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"}
ONE_YEAR = 365 * 24 * 60 * 60
# Pages a crawler follows at most this many links to per role (lists link to many records of
# the same page; a couple of each is enough to see how the page is built).
PAGES_PER_URL_NAME = 2

# Server errors the sweeps found in other parts of the site, by URL name. Each must still fail
# (so the entry is removed once it is fixed); nothing else may.
KNOWN_SERVER_ERRORS: dict[str, str] = {}  # route name → why it still answers 500


# --- Checks ----------------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response, *, signed_in: bool) -> list[str]:
    """What is missing or weak in one response's security headers."""
    problems = []
    policy = response.get("Content-Security-Policy")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        directives = _directives(policy)
        script_sources = directives.get("script-src", directives.get("default-src"))
        if script_sources is None:
            problems.append("CSP has neither script-src nor default-src")
        elif unsafe := UNSAFE_SCRIPT_SOURCES.intersection(script_sources):
            problems.append(f"CSP lets scripts run from {sorted(unsafe)}")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append("CSP lacks frame-ancestors 'none'")
        if directives.get("object-src") != ["'none'"]:
            problems.append("CSP lacks object-src 'none'")
        if "base-uri" not in directives:
            problems.append("CSP lacks base-uri")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options: DENY")
    cache_control = {
        part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part
    }
    if signed_in and cache_control != {"no-store"}:
        problems.append(f"signed in but Cache-Control is {response.get('Cache-Control')!r}")
    if not signed_in and "no-store" not in cache_control and "public" not in cache_control:
        # Pages before sign-in can be private too; only a deliberately public file may be kept.
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r}")
    return problems


def hsts_problems(response) -> list[str]:
    hsts = response.get("Strict-Transport-Security")
    if not hsts:
        return ["no Strict-Transport-Security"]
    parts = {part.strip().lower() for part in hsts.split(";")}
    ages = [int(part.split("=", 1)[1]) for part in parts if part.startswith("max-age=")]
    problems = []
    if not ages or ages[0] < ONE_YEAR:
        problems.append(f"HSTS max-age under a year: {hsts!r}")
    if not {"includesubdomains", "preload"} <= parts:
        problems.append(f"HSTS without includeSubDomains and preload: {hsts!r}")
    return problems


class MarkupChecker(HTMLParser):
    """Finds markup the Content Security Policy would block or that runs script inline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("<script> without src (inline script)")
        if tag == "style":
            self.problems.append("<style> element (inline style)")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style=…> (inline style)")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")


def markup_problems(html: str) -> list[str]:
    checker = MarkupChecker()
    checker.feed(html)
    checker.close()
    return sorted(set(checker.problems))


def _url_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            href = urldefrag(href)[0]
            if href.startswith("/") and not href.startswith(("//", "/static/")):
                self.links.append(href)


def _is_page(response) -> bool:
    """An HTML page shown in the browser (not a download, such as the report's HTML export)."""
    return response.get("Content-Type", "").startswith("text/html") and not response.get(
        "Content-Disposition", ""
    ).startswith("attachment")


class Findings:
    """Problems by where they were seen, and server errors, for one failure message."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.server_errors: dict[str, str] = {}  # URL name -> where

    def check(self, where: str, response, *, signed_in: bool, html: bool = True) -> None:
        problems = header_problems(response, signed_in=signed_in)
        if html and response.status_code == 200 and _is_page(response):
            problems += markup_problems(response.content.decode())
        if problems:
            self.problems[where] = problems
        if response.status_code >= 500:
            name = _url_name(where.split(" ", 2)[1]) or "?"
            self.server_errors.setdefault(name, where)

    def assert_clean(self) -> None:
        unexpected = {
            name: where
            for name, where in self.server_errors.items()
            if name not in KNOWN_SERVER_ERRORS
        }
        lines = [f"{where}: {'; '.join(problems)}" for where, problems in self.problems.items()]
        lines += [f"{where}: server error" for where in unexpected.values()]
        assert not lines, f"{len(lines)} responses with problems:\n" + "\n".join(lines)


def _signed_in(email: str, **client_options) -> Client:
    client = signed_in_client(User.objects.get(email=email))
    with_options = Client(raise_request_exception=False, **client_options)
    with_options.cookies = client.cookies
    return with_options


def _request(client: Client, method: str, path: str):
    """One request whose database changes are undone and whose cookies are forgotten, so a POST
    (such as signing out or deactivating someone) cannot affect the next request."""
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(path)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


# --- Every URL pattern -----------------------------------------------------------------------


ROUTES = [(name, _sample_path(route)) for name, route, _ in ALL_URLS]


def test_every_url_pattern_sends_the_security_headers(demo):
    findings = Findings()
    anonymous, signed_in = Client(raise_request_exception=False), _signed_in(ADMIN)
    statuses: Counter[int] = Counter()
    for _, path in ROUTES:
        for method in ("get", "post"):
            response = _request(anonymous, method, path)
            findings.check(f"{method.upper()} {path} anonymous", response, signed_in=False)
            response = _request(signed_in, method, path)
            findings.check(f"{method.upper()} {path} signed in", response, signed_in=True)
            statuses[response.status_code] += 1
    findings.assert_clean()
    assert statuses[200] >= 50, statuses  # sample ids reach demo records, so pages render


# --- Every page reachable by links -----------------------------------------------------------


def _crawl(client: Client, start: list[str], findings: Findings, *, signed_in: bool, label: str):
    """Follow same-site links breadth first; returns {URL name: status} of what was fetched."""
    seen: set[str] = set()
    queued_per_name: Counter[str | None] = Counter()
    queue = deque(start)
    reached: dict[str | None, int] = {}
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        name = _url_name(path)
        reached[name] = min(reached.get(name, 999), response.status_code)
        findings.check(f"GET {path} {label}", response, signed_in=signed_in)
        if response.status_code != 200 or not _is_page(response):
            continue
        links = LinkCollector()
        links.feed(response.content.decode())
        for link in links.links:
            link_name = _url_name(link)
            if link in seen or link_name in {None, "accounts:sign-out"}:
                continue
            if queued_per_name[link_name] >= PAGES_PER_URL_NAME:
                continue
            queued_per_name[link_name] += 1
            queue.append(link)
    return reached


def test_every_linked_page_has_the_headers_and_no_inline_script(demo):
    findings = Findings()
    reached: dict[str | None, int] = {}
    for email in ROLES:
        pages = _crawl(_signed_in(email), ["/"], findings, signed_in=True, label=email)
        for name, status in pages.items():
            reached[name] = min(reached.get(name, 999), status)
    anonymous = Client(raise_request_exception=False)
    pages = _crawl(
        anonymous, ["/sign-in/", "/password-reset/"], findings, signed_in=False, label="anonymous"
    )
    for name, status in pages.items():
        reached[name] = min(reached.get(name, 999), status)
    # A practitioner answering the public survey (opened for the test): no links lead there.
    survey = Survey.objects.filter(kind=Survey.Kind.ANONYMOUS).first()
    assert survey is not None, "the demo has a public survey"
    today = timezone.localdate()
    survey.opens_on, survey.closes_on = today, today + timedelta(days=7)
    survey.save()
    start = f"/s/{survey.public_slug}/"
    findings.check(f"GET {start} anonymous", anonymous.get(start), signed_in=False)
    started = anonymous.post(start)
    findings.check(f"POST {start} anonymous", started, signed_in=False)
    first_page = started["Location"]
    check_page = first_page.rsplit("/", 2)[0] + "/check/"
    for path in (first_page, check_page, f"/s/{survey.public_slug}/thank-you/"):
        response = anonymous.get(path)
        reached[_url_name(path)] = min(reached.get(_url_name(path), 999), response.status_code)
        findings.check(f"GET {path} anonymous", response, signed_in=False)
    assert reached["surveys:public-page"] == 200

    findings.assert_clean()
    for name, why in KNOWN_SERVER_ERRORS.items():
        assert name in findings.server_errors, f"{name} no longer fails: remove it ({why})"
    # The crawl must keep reaching most of the site; a drop means links stopped being followed.
    rendered = {name for name, status in reached.items() if status == 200}
    assert len(rendered) >= 90, sorted(str(name) for name in rendered)


TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "paqa"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def _is_document_template(text: str) -> bool:
    """Documents (PDF, Word, the report's HTML export) are files, not pages of the site."""
    return '{% extends "documents/base.html" %}' in text


def test_no_template_has_inline_script_or_style():
    """The crawl sees the pages it can reach; this sees every template, reached or not."""
    problems = []
    templates = sorted(TEMPLATE_ROOT.glob("*/templates/**/*.html"))
    assert len(templates) > 100
    for template in templates:
        text = template.read_text()
        if _is_document_template(text) or template.match("documents/base.html"):
            continue
        for pattern, what in (
            (INLINE_SCRIPT, "inline <script>"),
            (EVENT_HANDLER, "inline event handler"),
            (SCRIPT_URL, "javascript: URL"),
            (INLINE_STYLE, "inline style"),
        ):
            problems += [
                f"{template.relative_to(TEMPLATE_ROOT)}: {what}: {match.group(0)[:80]}"
                for match in pattern.finditer(text)
            ]
    assert problems == []


def test_the_second_step_of_signing_in_is_never_stored(demo):
    """Between password and security code nobody is signed in, yet the page shows a new
    authenticator's secret: it must not be kept by the browser or a proxy either."""
    user = User.objects.get(email=ADMIN)
    TOTPDevice.objects.filter(user=user).delete()
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post("/sign-in/", {"email": ADMIN, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:mfa-set-up")
    page = client.get(reverse("accounts:mfa-set-up"))
    assert page.status_code == 200
    assert header_problems(page, signed_in=False) == []
    assert "no-store" in page["Cache-Control"]
    assert markup_problems(page.content.decode()) == []


# --- Production settings ---------------------------------------------------------------------


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-sweep-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "testserver",
}


@pytest.fixture
def production_security(settings, monkeypatch):
    """The security settings paqa/settings/production.py sets, applied to the test settings."""
    for key in ("DJANGO_DEBUG", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("DJANGO_SECURE_HSTS_PRELOAD", raising=False)
    for key, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(key, value)
    production = runpy.run_module("paqa.settings.production", run_name="production_probe")
    applied = {
        name: value
        for name, value in production.items()
        if name.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_"))
    }
    for name, value in applied.items():
        setattr(settings, name, value)
    assert settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS >= ONE_YEAR
    assert settings.SESSION_COOKIE_SECURE
    assert settings.CSRF_COOKIE_SECURE
    return applied


HTTPS = {"headers": {"X-Forwarded-Proto": "https"}}  # as the proxy in front of the app says


def _cookies(response) -> Iterator[Morsel]:
    cookies: SimpleCookie = response.cookies
    yield from cookies.values()


def cookie_problems(morsel: Morsel) -> list[str]:
    problems = []
    # Django deletes a cookie (the messages cookie once read, the session on signing out) with
    # an empty value that expires at once; that carries nothing to protect.
    deleted = str(morsel["max-age"]) == "0" and morsel.value == ""
    if not morsel["secure"] and not deleted:
        problems.append("not Secure")
    if not morsel["httponly"] and not deleted:
        problems.append("not HttpOnly")
    if str(morsel["samesite"]).lower() not in {"lax", "strict"}:
        problems.append(f"SameSite is {morsel['samesite']!r}")
    if morsel.key.startswith("__Host-") and (morsel["path"] != "/" or morsel["domain"]):
        problems.append("__Host- cookie with a Domain or a Path other than /")
    return problems


def test_production_sends_hsts_everywhere_and_redirects_plain_http(demo, production_security):
    findings = Findings()
    for _, path in ROUTES:
        anonymous = Client(raise_request_exception=False, **HTTPS).get(path)
        findings.check(f"GET {path} anonymous", anonymous, signed_in=False, html=False)
        signed_in = _request(_signed_in(ADMIN, **HTTPS), "get", path)
        findings.check(f"GET {path} signed in", signed_in, signed_in=True, html=False)
        for label, response in (("anonymous", anonymous), ("signed in", signed_in)):
            if problems := hsts_problems(response):
                findings.problems.setdefault(f"GET {path} {label}", []).extend(problems)
    findings.assert_clean()

    plain = Client().get("/sign-in/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/sign-in/"


def test_production_cookies_are_secure_httponly_and_samesite(demo, production_security):
    """Every cookie set on the way in, while signed in and on the way out."""
    user = User.objects.get(email=ADMIN)
    user.set_password(PASSWORD)
    user.save()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(**HTTPS)
    responses = {
        "GET sign-in": client.get("/sign-in/"),
        "POST password": client.post("/sign-in/", {"email": ADMIN, "password": PASSWORD}),
    }
    responses["POST code"] = client.post(
        reverse("accounts:mfa-verify"), {"code": totp_code(device.bin_key)}
    )
    assert responses["POST code"]["Location"] == "/", "signed in"
    assert client.session.get(MFA_VERIFIED)
    responses["GET home"] = client.get("/")
    responses["POST extend session"] = client.post(reverse("accounts:session-extend"))
    responses["POST sign out"] = client.post(reverse("accounts:sign-out"))
    responses["GET sign-in after"] = client.get("/sign-in/")
    survey = Survey.objects.filter(kind=Survey.Kind.ANONYMOUS).first()
    responses["GET public survey"] = Client(**HTTPS).get(f"/s/{survey.public_slug}/")

    seen: dict[str, list[str]] = {}
    problems = []
    for step, response in responses.items():
        for morsel in _cookies(response):
            seen.setdefault(morsel.key, []).append(step)
            problems += [f"{step}: {morsel.key} {problem}" for problem in cookie_problems(morsel)]
    assert problems == []
    session_name = production_security["SESSION_COOKIE_NAME"]
    csrf_name = production_security["CSRF_COOKIE_NAME"]
    assert {session_name, csrf_name} <= set(seen), seen


def test_the_checks_catch_what_they_look_for():
    """The sweeps pass only because pages are right, not because the checks see nothing."""
    from django.http import HttpResponse

    bare = HttpResponse("<p>hello</p>")
    assert len(header_problems(bare, signed_in=True)) == 5
    bare["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    assert "CSP lets scripts run from [\"'unsafe-inline'\"]" in header_problems(
        bare, signed_in=False
    )
    assert hsts_problems(bare) == ["no Strict-Transport-Security"]
    page = (
        '<script>alert(1)</script><script type="module" src="/static/a.mjs"></script>'
        '<a href="javascript:go()" onclick="go()">Go</a><p style="color: red">red</p>'
    )
    assert markup_problems(page) == [
        "<a href=javascript:…>",
        "<a onclick=…> (inline event handler)",
        "<p style=…> (inline style)",
        "<script> without src (inline script)",
    ]
    assert markup_problems('<script src="/static/paqa/js/js-enabled.js"></script>') == []
