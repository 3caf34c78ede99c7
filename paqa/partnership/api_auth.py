"""How the API knows who is calling: an organisation's key, sent as `Authorization: Bearer <key>`.

A key acts for its organisation only, never for a person: the caller is an ApiClient, which holds
no roles, so the access policy gives it nothing beyond what the API's own views allow.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from paqa.partnership.api_tokens import api_key_hash
from paqa.partnership.models import ApiToken, Organisation

# Writing the time of last use on every call would cost a write per call; a minute is plenty.
LAST_USED_INTERVAL = timedelta(minutes=1)
SCHEME = b"bearer"


class ApiClient:
    """The caller behind a valid key: an organisation's system, not a person."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, organisation: Organisation, token: ApiToken) -> None:
        self.organisation = organisation
        self.token = token

    def __str__(self) -> str:
        return f"API key {self.token.name} ({self.organisation.name})"


class OrganisationTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`, for a live key of a live organisation."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != SCHEME:
            return None  # no key: the view's permissions answer 401
        if len(parts) != 2:
            raise AuthenticationFailed("Send the key after 'Bearer ', with nothing else.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The API key is not valid or has been revoked.") from None
        token = (
            ApiToken.objects.select_related("organisation")
            .filter(
                token_hash=api_key_hash(key),
                revoked_at__isnull=True,
                organisation__archived_at__isnull=True,
            )
            .first()
        )
        if token is None:
            raise AuthenticationFailed("The API key is not valid or has been revoked.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return ApiClient(token.organisation, token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
