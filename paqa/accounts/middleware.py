import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from paqa.accounts import signin
from paqa.accounts.models import SignInEvent
from paqa.accounts.services import sign_in_event_record

# Writing the session on every request would cost a database write per page; a minute's slack
# in the idle clock costs nothing.
_TOUCH_INTERVAL_SECONDS = 60


class SessionSecurityMiddleware:
    """Signs out idle sessions, and sessions that skipped a second factor that is now required.

    (A deactivated person's session already stops working: their account no longer loads.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(signin.LAST_SEEN, now)
            if now - last_seen > settings.PAQA_IDLE_TIMEOUT_SECONDS:
                sign_in_event_record(request=request, kind=SignInEvent.Kind.TIMED_OUT, user=user)
                logout(request)
                return HttpResponseRedirect(
                    reverse("accounts:sign-in") + "?" + urlencode({"timed_out": 1})
                )
            if settings.PAQA_REQUIRE_MFA and not request.session.get(signin.MFA_VERIFIED):
                logout(request)
                messages.info(request, "Sign in again with your security code.")
                return HttpResponseRedirect(reverse("accounts:sign-in"))
            if (
                now - last_seen >= _TOUCH_INTERVAL_SECONDS
                or signin.LAST_SEEN not in request.session
            ):
                request.session[signin.LAST_SEEN] = now
        return self.get_response(request)
