"""The key to a cohort: which of the lead's own case references is which PAQA reference.

PAQA never stores an outside case reference (ADR 0009): cases are known by the references PAQA
makes up. When a lead chooses the cohort from their own references, the pairs are held once, for
one download, in the cache (not the database's tables, not the session): under a hash of a random
token that only the lead's next page knows, for 15 minutes at most, for that lead and that audit
alone. Downloading the key removes it, so it can be downloaded once; after that, or once 15
minutes have passed, it is gone. The cache is the one the rate limits use (settings.CACHES
"default"): memory for one process, or the store several app servers share.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from paqa.audits.models import Audit

#: How long a key waits to be downloaded, in seconds.
KEY_SECONDS = 15 * 60
_PREFIX = "paqa.audits.case-key:"


@dataclass(frozen=True)
class CaseKey:
    """Each chosen case: the lead's own reference beside the one PAQA gave it."""

    audit_id: int
    user_id: int
    pairs: list[tuple[str, str]]


def _cache_key(token: str) -> str:
    return _PREFIX + hashlib.sha256(token.encode()).hexdigest()


def case_key_keep(*, audit: Audit, user: Any, pairs: list[tuple[str, str]]) -> str:
    """Hold the key for one download; the token names it (and is stored nowhere)."""
    token = secrets.token_urlsafe(32)
    cache.set(
        _cache_key(token),
        {"audit": audit.pk, "user": user.pk, "pairs": [list(pair) for pair in pairs]},
        KEY_SECONDS,
    )
    return token


def _read(*, audit: Audit, user: Any, token: str) -> CaseKey | None:
    held = cache.get(_cache_key(token))
    if not isinstance(held, dict) or held.get("audit") != audit.pk or held.get("user") != user.pk:
        return None
    return CaseKey(
        audit_id=audit.pk,
        user_id=user.pk,
        pairs=[(str(outside), str(paqa)) for outside, paqa in held.get("pairs", [])],
    )


def case_key_waiting(*, audit: Audit, user: Any, token: str) -> int | None:
    """How many cases the key holds, if it is still waiting for this user; None once gone."""
    key = _read(audit=audit, user=user, token=token)
    return None if key is None else len(key.pairs)


def case_key_take(*, audit: Audit, user: Any, token: str) -> CaseKey | None:
    """The key, removed as it is read: the first download has it, any later one has nothing.
    Another person's token (or another audit's) reads and removes nothing."""
    key = _read(audit=audit, user=user, token=token)
    if key is None:
        return None
    # Whoever removes it first has it: two downloads at once cannot both succeed.
    if not cache.delete(_cache_key(token)):
        return None
    return key
