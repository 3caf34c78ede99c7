"""Every URL needs sign-in, except the pages on the public allow-list below."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The public pages, and why each is public. Adding a public page means adding it here.
PUBLIC_URL_NAMES = {
    "core:healthz": "load balancers and monitoring",
    "core:accessibility": "must be readable before signing in",
    "core:cookies": "must be readable before signing in",
    "accounts:sign-in": "the way in",
    "accounts:mfa-verify": "second step of signing in (needs a fresh password step)",
    "accounts:mfa-recovery": "second step of signing in (needs a fresh password step)",
    "accounts:mfa-set-up": "first sign-in sets up the second factor",
    "accounts:sign-out": "signing out must work whatever the session state",
    "accounts:password-reset": "for people who cannot sign in",
    "accounts:password-reset-sent": "for people who cannot sign in",
    "accounts:password-reset-confirm": "the emailed one-time link",
    "accounts:password-reset-complete": "for people who cannot sign in",
    "partnership:invitation-accept": "the emailed one-time link for a new person",
    "partnership:brand-css": "the partnership's colour, needed by the sign-in page",
    "surveys:public-start": "the anonymous practitioner survey: no account",
    "surveys:public-page": "the anonymous practitioner survey: no account",
    "surveys:public-check": "the anonymous practitioner survey: no account",
    "surveys:public-done": "the anonymous practitioner survey: no account",
    "api:schema": "token-authenticated API: its public OpenAPI description",
    "api:indicators": "token-authenticated API",
    "api:observations": "token-authenticated API",
}

_SAMPLE_ARGUMENT = {"int": "1", "str": "sample", "slug": "sample", "uuid": "0" * 32, "path": "x"}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child_namespace = namespace
            if entry.namespace:
                child_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), child_namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern), entry.callback


def _sample_path(route: str) -> str:
    path = re.sub(
        r"<(?:(\w+):)?\w+>", lambda match: _SAMPLE_ARGUMENT[match.group(1) or "str"], route
    )
    return "/" + path.lstrip("^").rstrip("$")


ALL_URLS = sorted(set(_walk(get_resolver())), key=lambda entry: entry[1])


def test_every_url_has_a_name():
    assert [route for name, route, _ in ALL_URLS if not name] == []


def test_allow_list_names_real_urls():
    names = {name for name, _, _ in ALL_URLS}
    assert set(PUBLIC_URL_NAMES) <= names


def test_only_allow_listed_views_are_marked_public():
    marked_public = {
        name for name, _, view in ALL_URLS if getattr(view, "login_required", True) is False
    }
    assert marked_public == set(PUBLIC_URL_NAMES)


@pytest.mark.parametrize(
    ("name", "route"),
    [(name, route) for name, route, _ in ALL_URLS if name not in PUBLIC_URL_NAMES],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_private_url_sends_anonymous_visitor_to_sign_in(client, db, name, route, method):
    path = _sample_path(route)
    response = getattr(client, method)(path)
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert response["Location"].startswith("/sign-in/?next="), response["Location"]


@pytest.mark.parametrize("name", sorted(PUBLIC_URL_NAMES))
def test_public_url_does_not_ask_for_sign_in(client, db, name):
    route = next(route for url_name, route, _ in ALL_URLS if url_name == name)
    response = client.get(_sample_path(route))
    location = response.get("Location", "")
    assert not location.startswith("/sign-in/?next="), f"{name} asked for sign-in"
