"""Each person's worklist: what is due from them or their organisation, what waits for them, and
what a board member reads first.

Parts never import each other, so each part registers its worklist sources here at start-up (from
its AppConfig.ready). A source reads one kind of item through the part's own selectors, with the
viewer's access, so nothing outside their reach is counted or named. Each source runs a fixed
number of queries (one to count, one to list at most `LIMIT` items) whatever the number of items,
and only for viewers whose roles could have such items.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from paqa.core.access import Access, Capability, access_for

#: A source lists at most this many items on the home page and links to the rest.
LIMIT = 20


class Section(enum.StrEnum):
    DUE = "due"  # due from me or my organisation
    WAITING = "waiting"  # waiting for me: to challenge, review, assure, grade
    BOARD = "board"  # what a board member reads first


@dataclass(frozen=True)
class WorkItem:
    """One thing on a person's worklist, in the words of the part it belongs to."""

    kind: str  # "Self-assessment return"
    title: str  # "Thames Valley Police — Section 11 2019-20"
    url: str
    year: str = ""
    due: date | None = None
    status: str = ""  # "Draft", "Submitted on 3 December 2026"
    detail: str = ""
    tone: str = "grey"  # the colour of the status tag: a GOV.UK tag colour (red for RAG red)

    def late_by(self, today: date) -> int:
        """Whole days past the due date (0 when not late, or when nothing is due)."""
        if self.due is None or self.due >= today:
            return 0
        return (today - self.due).days


def _days(count: int) -> str:
    return f"{count:,} day" if count == 1 else f"{count:,} days"


@dataclass(frozen=True)
class ShownItem:
    """An item as a page or an email says it on one day: due when, and how late."""

    item: WorkItem
    today: date

    @property
    def late_by(self) -> int:
        return self.item.late_by(self.today)

    @property
    def due_words(self) -> str:
        due = self.item.due
        return f"Due {due.day} {due:%B %Y}" if due is not None else ""

    @property
    def timing(self) -> str:
        """'Late by 7 days', 'Due today', 'Due in 3 days' (within a fortnight), or nothing."""
        due = self.item.due
        if due is None:
            return ""
        if self.late_by:
            return f"Late by {_days(self.late_by)}"
        left = (due - self.today).days
        if left == 0:
            return "Due today"
        return f"Due in {_days(left)}" if left <= 14 else ""

    @property
    def hint(self) -> str:
        """What, which year and by when, in one line."""
        status = self.item.status if self.timing else ""
        parts = [self.item.kind, self.item.year, self.due_words, status, self.item.detail]
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class WorklistSource:
    """One kind of item a part puts on worklists.

    `items` is the part's selector: the viewer's items, through the access policy, as a queryset
    (so the worklist can count them in one query and list the first `LIMIT` in another) or as a
    list when the part has already bounded it. `item` words one record. `capabilities`: the source
    runs only for viewers holding at least one of them, so most people pay nothing for it.
    `list_url` names the part's page that lists them all (shown when there are more than LIMIT).
    """

    key: str
    section: Section
    heading: str
    capabilities: tuple[Capability, ...]
    items: Callable[[Any, Access, date], QuerySet[Any] | list[Any]]
    item: Callable[[Any, date], WorkItem]
    list_url: Callable[[], str] | None = None
    navigation: str = ""  # the url name of the navigation entry whose count includes these
    order: int = 50
    roles: tuple[str, ...] = ()  # when given, only for viewers holding one of these roles

    @property
    def anchor(self) -> str:
        """The key as an HTML id: 'reports.latest-published' → 'reports-latest-published'."""
        return self.key.replace(".", "-")


_SOURCES: dict[str, WorklistSource] = {}


def register_worklist_source(source: WorklistSource) -> None:
    _SOURCES[source.key] = source


def worklist_sources() -> list[WorklistSource]:
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.key))


@dataclass
class WorkGroup:
    """One source's items for one viewer: the first LIMIT, and how many there are in all."""

    source: WorklistSource
    items: list[WorkItem]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Worklist:
    today: date
    groups: list[WorkGroup] = field(default_factory=list)

    def section(self, section: Section) -> list[WorkGroup]:
        return [group for group in self.groups if group.source.section is section and group.total]

    def items(self, section: Section) -> list[ShownItem]:
        """Every listed item of a section, the latest first, then the soonest due."""
        listed = [item for group in self.section(section) for item in group.items]
        ordered = sorted(listed, key=lambda item: _urgency(item, self.today))
        return [ShownItem(item, self.today) for item in ordered]

    def total(self, *sections: Section) -> int:
        return sum(group.total for group in self.groups if group.source.section in sections)

    @property
    def due(self) -> list[ShownItem]:
        return self.items(Section.DUE)

    @property
    def waiting(self) -> list[ShownItem]:
        return self.items(Section.WAITING)

    def more(self, section: Section) -> list[WorkGroup]:
        """Groups with more items than the home page lists."""
        return [group for group in self.section(section) if group.more > 0]

    @property
    def due_more(self) -> list[WorkGroup]:
        return self.more(Section.DUE)

    @property
    def waiting_more(self) -> list[WorkGroup]:
        return self.more(Section.WAITING)

    @property
    def is_empty(self) -> bool:
        return not self.total(Section.DUE, Section.WAITING, Section.BOARD)

    @property
    def board(self) -> list[WorkGroup]:
        return self.section(Section.BOARD)

    @property
    def late(self) -> int:
        return sum(1 for shown in self.due if shown.late_by)

    def counts_by_navigation(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for group in self.groups:
            if group.source.navigation and group.source.section is not Section.BOARD:
                name = group.source.navigation
                counts[name] = counts.get(name, 0) + group.total
        return counts


def _urgency(item: WorkItem, today: date) -> tuple[int, int, str]:
    late = item.late_by(today)
    if late:
        return (0, -late, item.title)
    if item.due is not None:
        return (1, (item.due - today).days, item.title)
    return (2, 0, item.title)


def _applies(source: WorklistSource, access: Access) -> bool:
    if source.roles and not access.has_role(*source.roles):
        return False
    return any(access.can_anywhere(capability) for capability in source.capabilities)


def _group(source: WorklistSource, user: Any, access: Access, today: date) -> WorkGroup:
    found = source.items(user, access, today)
    if isinstance(found, QuerySet):
        # Always both queries, so the page asks as many questions however many items there are.
        total = found.count()
        first = list(found[:LIMIT])
    else:
        first, total = list(found), len(found)
    return WorkGroup(source, [source.item(record, today) for record in first[:LIMIT]], total)


def worklist_for(
    user: Any, *, today: date | None = None, sections: Iterable[Section] | None = None
) -> Worklist:
    """The user's worklist, from every source that applies to them."""
    day = today or timezone.localdate()
    access = access_for(user)
    wanted = set(sections) if sections is not None else set(Section)
    worklist = Worklist(today=day)
    for source in worklist_sources():
        if source.section in wanted and _applies(source, access):
            worklist.groups.append(_group(source, user, access, day))
    return worklist


_REQUEST_ATTRIBUTE = "_paqa_worklist"


def worklist_for_request(request: HttpRequest) -> Worklist:
    """Read once per request: the home page and the navigation's counts share it."""
    cached = getattr(request, _REQUEST_ATTRIBUTE, None)
    if cached is None:
        cached = worklist_for(request.user)
        setattr(request, _REQUEST_ATTRIBUTE, cached)
    return cached


def _count(source: WorklistSource, user: Any, access: Access, today: date) -> int:
    found = source.items(user, access, today)
    return found.count() if isinstance(found, QuerySet) else len(found)


def navigation_counts(request: HttpRequest) -> dict[str, int]:
    """How many items wait behind each navigation entry, for this viewer: one count query per
    source that applies to them, or none when the page has already read their worklist."""
    cached = getattr(request, _REQUEST_ATTRIBUTE, None)
    if cached is not None:
        return cached.counts_by_navigation()
    access = access_for(request.user)
    today = timezone.localdate()
    counts: dict[str, int] = {}
    for source in worklist_sources():
        if source.section is Section.BOARD or not source.navigation:
            continue
        if _applies(source, access):
            total = _count(source, request.user, access, today)
            counts[source.navigation] = counts.get(source.navigation, 0) + total
    return counts
