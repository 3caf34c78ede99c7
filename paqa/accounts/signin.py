"""The sign-in sequence: password, then (when required) the second factor, then the session.

Between the password and the second factor the person is *not* signed in: the session only holds
a short-lived note of who passed the password step, so no page can be reached half-way.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from paqa.accounts.models import SignInEvent, User
from paqa.accounts.services import sign_in_event_record
from paqa.accounts.throttling import remember_device
from paqa.core.context_processors import IDLE_CLOCK_SESSION_KEY

PENDING_USER = "paqa_pending_user_id"
PENDING_SINCE = "paqa_pending_since"
PENDING_NEXT = "paqa_pending_next"
MFA_VERIFIED = "paqa_mfa_verified"
LAST_SEEN = IDLE_CLOCK_SESSION_KEY
NEW_RECOVERY_CODES = "paqa_new_recovery_codes"
PENDING_LIFETIME_SECONDS = 5 * 60


def safe_next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def start_pending(request: HttpRequest, user: User, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_SINCE] = time.time()
    request.session[PENDING_NEXT] = next_url


def pending_user(request: HttpRequest) -> User | None:
    """Who passed the password step in this browser in the last few minutes, if anyone."""
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if user_id is None or time.time() - since > PENDING_LIFETIME_SECONDS:
        clear_pending(request)
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT):
        request.session.pop(key, None)


def complete_sign_in(
    request: HttpRequest, user: User, *, mfa_verified: bool, redirect_to: str | None = None
) -> HttpResponse:
    next_url = redirect_to or request.session.get(PENDING_NEXT) or ""
    clear_pending(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[MFA_VERIFIED] = mfa_verified
    request.session[LAST_SEEN] = time.time()
    sign_in_event_record(request=request, kind=SignInEvent.Kind.SIGNED_IN, user=user)
    response = HttpResponseRedirect(safe_next_url(request, next_url))
    remember_device(request, response, user.email)
    return response


def session_touch(request: HttpRequest) -> None:
    request.session[LAST_SEEN] = time.time()


def session_context(request: HttpRequest) -> dict[str, Any]:
    return {"pending_user": pending_user(request)}


def acting_user(request: HttpRequest) -> User:
    """The signed-in person making this request (login is required before any view runs)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
