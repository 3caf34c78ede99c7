"""Every page a demo role reaches from the menu, and the pages those link to, fetched as that
person through Django's test client: what the scale generator must not break."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from django.test import Client

from paqa.accounts.models import User
from paqa.core.navigation import NAVIGATION
from paqa.partnership.demo import DEMO_PEOPLE
from tests.conftest import signed_in_client

_HREF = re.compile(r'href="([^"#]*)"')
# Links that change something or only make sense once: signing out, starting exports.
SKIPPED = re.compile(r"^/(static|media)/|sign-out|/export|/download|\.(pdf|docx|csv|xlsx)$")


@dataclass
class Crawl:
    fetched: dict[str, int] = field(default_factory=dict)  # "email path" → status
    failures: list[str] = field(default_factory=list)

    def record(self, who: str, path: str, status: int, came_from: str) -> None:
        self.fetched[f"{who} {path}"] = status
        if status != 200:
            self.failures.append(f"{who} {path}: {status} (linked from {came_from})")


def shape(path: str) -> str:
    """The page a link is an instance of: /audits/12/ and /audits/13/ are the same page."""
    return re.sub(r"\d+", "N", path)


def links(html: str) -> Iterable[str]:
    for href in _HREF.findall(html):
        href = unescape(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIPPED.search(parts.path):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def crawl_demo(*, per_shape: int = 2, depth: int = 1, people: Iterable[str] | None = None) -> Crawl:
    """Each demo person's menu pages, then (to `depth`) the pages they link to: of the links
    of each shape, the first and the last (and evenly between, up to `per_shape`; only the last
    when it is 1), so both the demo's own records and the newest, made-up ones are read. A
    redirect is followed; any status but 200 is a failure. `people` limits it to those demo
    people (by email)."""
    result = Crawl()
    chosen = set(people) if people is not None else None
    for person in DEMO_PEOPLE:
        if chosen is not None and person.email not in chosen:
            continue
        client = signed_in_client(User.objects.get(email=person.email))
        client.raise_request_exception = False  # an error is a 500 in the list, not the end
        menu = [item.url_name for item in NAVIGATION]
        html = _get(client, "/", person.email, result, "the address bar")
        wanted = {path: "/" for path in links(html or "") if _in_menu(path, menu)}
        seen: set[str] = {"/"}
        for _ in range(depth + 1):
            found: dict[str, str] = {}
            for path in _spread(list(wanted), seen, per_shape):
                seen.add(path)
                page = _get(client, path, person.email, result, wanted[path])
                for link in links(page or ""):
                    found.setdefault(link, path)
            wanted = found
    return result


def _spread(paths: list[str], seen: set[str], per_shape: int) -> list[str]:
    groups: dict[str, list[str]] = {}
    for path in paths:
        if path not in seen and path not in groups.setdefault(shape(path), []):
            groups[shape(path)].append(path)
    chosen = []
    for group in groups.values():
        if per_shape == 1:
            chosen.append(group[-1])  # the last: in lists, the newest (made-up) record
        elif len(group) <= per_shape:
            chosen.extend(group)
        else:
            step = (len(group) - 1) / max(1, per_shape - 1)
            chosen.extend(group[round(i * step)] for i in range(per_shape))
    return chosen


def _in_menu(path: str, url_names: list[str]) -> bool:
    from django.urls import reverse

    return path in {reverse(name) for name in url_names}


def _get(client: Client, path: str, who: str, result: Crawl, came_from: str) -> str | None:
    response = client.get(path, follow=True)
    result.record(who, path, response.status_code, came_from)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    return response.content.decode()
