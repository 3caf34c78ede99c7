from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the entry our trusted proxies added to X-Forwarded-For.

    Only the last PAQA_TRUSTED_PROXY_COUNT hops are believed; anything to their left was written
    by the client and could be forged to dodge per-address throttling.
    """
    proxies = settings.PAQA_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies <= 0:
        return remote
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote


def is_site_path(url: str) -> bool:
    """A path on this site ("/data/…"): never another site ("//host", and "/\\host", which
    browsers also follow off the site), nor a scheme such as javascript:."""
    text = str(url or "").strip()
    return text.startswith("/") and not text.startswith(("//", "/\\"))
