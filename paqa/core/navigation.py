"""The service navigation: one entry per part that exists, shown to those who may use it.

Each app adds its own entries from its AppConfig.ready(), so core names no higher floor.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from paqa.core.access import Capability, access_for
from paqa.core.worklist import navigation_counts


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url_name: str
    capability: Capability | None = None
    order: int = 50


NAVIGATION: list[NavigationItem] = [
    NavigationItem("Home", "core:home", order=0),
    NavigationItem("Change history", "core:history", Capability.VIEW_HISTORY, order=90),
]


def register_navigation(item: NavigationItem) -> None:
    if item not in NAVIGATION:
        NAVIGATION.append(item)
        NAVIGATION.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class NavigationLink:
    label: str
    href: str
    active: bool
    count: int = 0  # items on the viewer's worklist behind this entry


def navigation_for(request: HttpRequest) -> list[NavigationLink]:
    access = access_for(request.user)
    counts = navigation_counts(request)
    links = []
    for item in NAVIGATION:
        if item.capability is not None and not access.can_anywhere(item.capability):
            continue
        href = reverse(item.url_name)
        active = request.path == href if href == "/" else request.path.startswith(href)
        links.append(NavigationLink(item.label, href, active, counts.get(item.url_name, 0)))
    return links
