import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from paqa.core.access import access_for
from paqa.core.navigation import navigation_for

# The session key the accounts app keeps the idle clock in (read here, written there).
IDLE_CLOCK_SESSION_KEY = "paqa_last_seen"


def _idle_seconds_left(request: HttpRequest) -> int:
    """What the server's idle clock has left, so the page's warning agrees with it."""
    last_seen = request.session.get(IDLE_CLOCK_SESSION_KEY, time.time())
    return max(0, int(settings.PAQA_IDLE_TIMEOUT_SECONDS - (time.time() - last_seen)))


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "paqa_demo": settings.PAQA_DEMO,
        "paqa_require_mfa": settings.PAQA_REQUIRE_MFA,
        "paqa_idle_timeout_seconds": settings.PAQA_IDLE_TIMEOUT_SECONDS,
        "paqa_idle_warning_seconds": settings.PAQA_IDLE_WARNING_SECONDS,
        "paqa_idle_seconds_left": _idle_seconds_left(request) if signed_in else 0,
        "paqa_navigation": navigation_for(request) if signed_in else [],
        "paqa_access": access_for(user) if signed_in else None,
    }
