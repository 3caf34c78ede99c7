"""Writes about API keys: an organisation's own systems call the API with one.

The key is made here and shown once; only its SHA-256 hash is kept.
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.partnership.models import ApiToken, Organisation

PREFIX_LENGTH = 8


def api_key_hash(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, organisation: Organisation, name: str, actor: User) -> tuple[ApiToken, str]:
    """Make a key for an organisation. Returns the token and the key (shown once, never kept)."""
    if organisation.is_archived:
        raise ValidationError("This organisation is archived: restore it before making API keys")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the key"})
    key = secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation,
        name=name,
        token_hash=api_key_hash(key),
        prefix=key[:PREFIX_LENGTH],
        created_by=actor,
    )
    token.full_clean()
    token._history_user = actor  # type: ignore[attr-defined]
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Stop a key working at once. Revoking a revoked key changes nothing."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token._history_user = actor  # type: ignore[attr-defined]
    token.save()
    return token
