"""Per-address rate limiting for public pages, in the cache (never in the database).

The address is hashed before it is used as a key and the counters expire with their window, so
nothing of it outlives a few minutes. In production use a shared cache (Django's database cache
or Redis) so that every app server counts together.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from paqa.core.net import client_ip


def over_limit(request: HttpRequest, *, scope: str, limit: int, window_seconds: int = 60) -> bool:
    """Count this request; True once the address has made more than `limit` in the window."""
    address = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    key = f"paqa-rate:{scope}:{address}"
    if cache.add(key, 1, timeout=window_seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return False
    return count > limit
