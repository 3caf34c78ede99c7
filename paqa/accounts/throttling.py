"""Throttling of failed sign-ins, built so that an attacker cannot use it to lock a victim out.

Three counters over a sliding window (PAQA_SIGN_IN_WINDOW_SECONDS), read from SignInEvent so that
every app server sees the same numbers:

1. failures from one address, whatever the account: stops one machine guessing widely;
2. failures for one account from one address: stops one machine guessing one password;
3. failures for one account from anywhere: stops a spread-out attack on one account — but only
   for browsers that have never signed in to that account. A browser where the person has signed
   in before carries a signed "known device" cookie and is let through, so the real person keeps
   getting in however hard the account is attacked (the device-cookie pattern in OWASP's
   guidance on blocking brute-force attacks).

Checks run before the password is tested, so a throttled attempt reveals nothing about it.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from paqa.accounts.models import SignInEvent, normalise_email

DEVICE_COOKIE = "paqa_device"
_DEVICE_SALT = "paqa.accounts.known-device"
_DEVICE_MAX_AGE = 60 * 60 * 24 * 365
_MAX_ACCOUNTS_PER_DEVICE = 10


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    reason: str = ""


def _account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def known_device_accounts(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        accounts = signing.loads(raw, salt=_DEVICE_SALT, max_age=_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [str(a) for a in accounts] if isinstance(accounts, list) else []


def is_known_device(request: HttpRequest, email: str) -> bool:
    return _account_key(email) in known_device_accounts(request)


def remember_device(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """After a full sign-in, mark this browser as one the account's owner uses."""
    key = _account_key(email)
    accounts = [a for a in known_device_accounts(request) if a != key]
    accounts = [key, *accounts][:_MAX_ACCOUNTS_PER_DEVICE]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(accounts, salt=_DEVICE_SALT),
        max_age=_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _failures_since(**filters: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.PAQA_SIGN_IN_WINDOW_SECONDS)
    return SignInEvent.objects.filter(
        kind__in=SignInEvent.FAILURES, created_at__gte=since, **filters
    ).count()


def check_sign_in_allowed(request: HttpRequest, *, email: str, ip_address: str) -> ThrottleDecision:
    email = normalise_email(email)
    if _failures_since(ip_address=ip_address) >= settings.PAQA_SIGN_IN_MAX_FAILURES_PER_IP:
        return ThrottleDecision(False, "too many failures from this address")
    if (
        _failures_since(ip_address=ip_address, email=email)
        >= settings.PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT_AND_IP
    ):
        return ThrottleDecision(False, "too many failures for this account from this address")
    if not is_known_device(request, email) and (
        _failures_since(email=email) >= settings.PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT
    ):
        return ThrottleDecision(False, "too many failures for this account from new devices")
    return ThrottleDecision(True)
