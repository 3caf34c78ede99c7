"""One taxonomy, one date pattern: every form PAQA shows, walked.

Every page the access matrix (tests/core/test_access_matrix.py) says a person may GET is opened
with its records (tests/access_matrix_fixtures.py), as the partnership admin and as the agency
lead and the auditor of the Police Agency (their own forms), and as a visitor (the public pages).
In every page's HTML:

- a theme is offered by the shared taxonomy's name for it (`paqa.core.taxonomy.THEMES`): every
  tick box, radio button and option named `themes` or `theme` has a taxonomy slug for its value
  and exactly that slug's label for its words; a theme is never typed in a text box;
- a date is asked for only by the GOV.UK date input (`paqa.core.forms.DateField`: day, month and
  year in a `.govuk-date-input`): no `<input type="date">`, and no other box whose name says it
  holds a date (`…_on`, `…_date`, `deadline`, `…_due`, `period_start`…) or whose hint shows one
  (`For example, 31/3/2019`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse

from paqa.core.taxonomy import THEMES
from tests.access_matrix_fixtures import ANY, OWN, World, access_world
from tests.core.test_access_matrix import MATRIX

__all__ = ["access_world"]  # the module-wide records, as a fixture of this module

#: Who opens the pages: the admin sees every form; the agency lead and the auditor their own
#: organisation's records (which can differ: no organisation to choose, their own sections) and
#: the pages only they reach; a visitor the public ones.
WHO = ("adm", "lead", "aud", "anon")

#: Routes that answer with a file, not a page.
FILES = {
    "assessments:attachment",
    "assessments:pdf",
    "audits:brief-docx",
    "audits:brief-pdf",
    "core:healthz",
    "partnership:brand-css",
    "reports:export-download",
    "surveys:export",
    "surveys:qr",
    "surveys:results-responses",
    "surveys:results-themes",
}

#: Text boxes named `theme` that are not the shared taxonomy, by route: what they hold.
NOT_THE_TAXONOMY = {
    # An audit's own subject in its words ("strategy meetings"); its findings carry themes.
    ("audits:audit-create", "theme"): "the audit's subject",
    ("audits:audit-edit", "theme"): "the audit's subject",
}

#: Pages still asking for a theme or a date the old way, with who is changing them. Each entry
#: must still be needed: the test fails when the page is put right, so the entry goes.
NOT_YET: dict[tuple[str, str], str] = {}

THEME_NAMES = re.compile(r"(^|[-_])themes?$")
DATE_NAMES = re.compile(
    r"(^|[-_])(date|dates|deadline|due|dob|on|start|starts|end|ends|from|until)$|date"
)
DATE_HINT = re.compile(r"\b\d{1,2}\s*[/ .-]\s*\d{1,2}\s*[/ .-]\s*\d{4}\b|dd/mm|DD/MM")
TEXT_TYPES = {"", "text", "number", "tel", "search"}
DATE_TYPES = {"date", "datetime-local", "month", "week"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}


# A small DOM, enough to find labels, hints and the date input around a field ----------------------


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def words(self) -> str:
        """The element's text, as a person reads it (visually hidden words included)."""
        parts = list(self.text)
        for child in self.children:
            parts.append(child.words())
        return " ".join(" ".join(parts).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


# The checks --------------------------------------------------------------------------------------


def _labels(root: Node) -> dict[str, str]:
    return {
        node.attrs["for"]: node.words()
        for node in root.walk()
        if node.tag == "label" and node.attrs.get("for")
    }


def _hints(root: Node, field_node: Node) -> str:
    ids = set(field_node.attrs.get("aria-describedby", "").split())
    return " ".join(
        node.words() for node in root.walk() if node.attrs.get("id") in ids and node.tag != "input"
    )


@dataclass
class Seen:
    """What the checks found on one page: problems, and what they looked at."""

    #: (the field's name, what is wrong with it)
    problems: list[tuple[str, str]] = field(default_factory=list)
    theme_choices: int = 0
    date_inputs: int = 0


def check_page(html: str, *, route: str = "") -> Seen:
    root = parse(html)
    labels = _labels(root)
    seen = Seen()
    for node in root.walk():
        name = node.attrs.get("name", "")
        kind = node.attrs.get("type", "").lower()
        in_date_input = any("govuk-date-input" in a.classes() for a in node.ancestors())
        if node.tag == "input" and kind in {"checkbox", "radio"} and THEME_NAMES.search(name):
            seen.theme_choices += 1
            words = labels.get(node.attrs.get("id", ""), "")
            value = node.attrs.get("value", "")
            if THEMES.get(value) != words:
                seen.problems.append(
                    (
                        name,
                        f"theme {kind} {name}={value!r} reads {words!r}, not the taxonomy's "
                        f"{THEMES.get(value, '(no such theme)')!r}",
                    )
                )
        elif node.tag == "select" and THEME_NAMES.search(name):
            for option in (n for n in node.walk() if n.tag == "option"):
                value = option.attrs.get("value", "")
                if not value:
                    continue  # "All themes", "Choose a theme"
                seen.theme_choices += 1
                if THEMES.get(value) != option.words():
                    seen.problems.append(
                        (
                            name,
                            f"theme option {name}={value!r} reads {option.words()!r}, not the "
                            f"taxonomy's {THEMES.get(value, '(no such theme)')!r}",
                        )
                    )
        elif (
            node.tag in {"input", "textarea"}
            and kind in TEXT_TYPES
            and THEME_NAMES.search(name)
            and (route, name) not in NOT_THE_TAXONOMY
        ):
            seen.problems.append((name, f"a theme is typed in a text box ({name}): offer a choice"))
        if node.tag == "input" and kind in DATE_TYPES:
            seen.problems.append((name, f'<input type="{kind}">: use the GOV.UK date input'))
        elif node.tag == "input" and kind in TEXT_TYPES:
            if in_date_input:
                seen.date_inputs += 1
            elif DATE_NAMES.search(name.lower()):
                seen.problems.append(
                    (name, "a date typed in one box: use the GOV.UK date input (DateField)")
                )
            elif DATE_HINT.search(_hints(root, node)):
                seen.problems.append(
                    (
                        name,
                        f"a date typed in one box (its hint: {_hints(root, node)!r}): "
                        "use the GOV.UK date input (DateField)",
                    )
                )
    return seen


# The walk ----------------------------------------------------------------------------------------


def _pdf_stub(**_: Any) -> bytes:
    return b"%PDF-1.7\n"


def _get(client: Client, url: str) -> tuple[int, str, str]:
    """A GET, undone afterwards (pages that draft or count write nothing that lasts)."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = client.get(url)
            content = b"".join(response) if getattr(response, "streaming", False) else b""
            body = content or response.content
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response.status_code, response.get("Content-Type", ""), body.decode(errors="replace")


def _pages(world: World) -> Iterator[tuple[str, str, str]]:
    """(route, who, url) for every page a person may GET, once each."""
    asked: set[tuple[str, str]] = set()
    for row in MATRIX:
        if row.method != "GET" or row.route in FILES:
            continue
        for who in WHO:
            if row.expect[who] != "200":
                continue
            if who in {"lead", "aud"} and row.side != OWN and row.expect["adm"] == "200":
                continue  # the admin's look at the same page is enough
            url = reverse(row.route, args=world.targets[row.target][row.side])
            if (who, url) not in asked:
                asked.add((who, url))
                yield row.route, who, url


def test_the_checks_catch_what_they_look_for():
    page = """
    <form>
      <div class="govuk-checkboxes">
        <input id="t1" name="themes" type="checkbox" value="neglect"><label for="t1">Neglect</label>
        <input id="t2" name="themes" type="checkbox" value="exploitation">
        <label for="t2">Exploitation</label>
        <input id="t3" name="themes" type="checkbox" value="made-up"><label for="t3">Made up</label>
      </div>
      <select name="theme"><option value="">All themes</option>
        <option value="think-family">Think Family</option></select>
      <input name="theme" type="text">
      <input name="deadline" type="date">
      <input name="escalated_on" type="text">
      <input name="period_start">
      <input name="when" aria-describedby="when-hint">
      <div id="when-hint">For example, 31/3/2019</div>
      <div class="govuk-date-input"><input name="due_date_0" type="text" inputmode="numeric"></div>
    </form>"""
    seen = check_page(page)
    assert seen.theme_choices == 4
    assert seen.date_inputs == 1
    assert [(name, problem.split(" (")[0]) for name, problem in seen.problems] == [
        (
            "themes",
            "theme checkbox themes='exploitation' reads 'Exploitation', not the "
            "taxonomy's 'Exploitation and missing'",
        ),
        (
            "themes",
            "theme checkbox themes='made-up' reads 'Made up', not the taxonomy's '(no such theme)'",
        ),
        (
            "theme",
            "theme option theme='think-family' reads 'Think Family', not the taxonomy's "
            "'Think family'",
        ),
        ("theme", "a theme is typed in a text box"),
        ("deadline", '<input type="date">: use the GOV.UK date input'),
        ("escalated_on", "a date typed in one box: use the GOV.UK date input"),
        ("period_start", "a date typed in one box: use the GOV.UK date input"),
        ("when", "a date typed in one box"),
    ]
    right = """
      <input id="a" name="themes" type="checkbox" value="exploitation">
      <label for="a">Exploitation and missing</label>
      <select name="theme"><option value="">All</option><option value="neglect">Neglect</option>
      </select>
      <div class="govuk-date-input"><input name="deadline_0"><input name="deadline_1"></div>"""
    assert check_page(right).problems == []


def test_every_form_offers_the_taxonomys_themes_and_asks_dates_the_govuk_way(
    access_world: World, db, monkeypatch
):
    monkeypatch.setattr("paqa.assessments.views.render_pdf", _pdf_stub)
    monkeypatch.setattr("paqa.audits.views.render_pdf", _pdf_stub)
    problems: list[str] = []
    with_themes: set[str] = set()
    with_dates: set[str] = set()
    still_wrong: set[tuple[str, str]] = set()
    pages = 0
    for route, who, url in _pages(access_world):
        status, content_type, html = _get(access_world.clients[who], url)
        if status != 200 or not content_type.startswith("text/html"):
            continue  # the access matrix says what each person gets
        pages += 1
        seen = check_page(html, route=route)
        if seen.theme_choices:
            with_themes.add(route)
        if seen.date_inputs:
            with_dates.add(route)
        for name, problem in seen.problems:
            if (route, name) in NOT_YET:
                still_wrong.add((route, name))
            else:
                problems.append(f"{url} ({route}, as {who}): {problem}")

    assert problems == [], "\n".join(sorted(set(problems)))
    assert set(NOT_YET) - still_wrong == set(), "put right: take these out of NOT_YET"
    # The walk reached the forms that ask for themes and for dates.
    assert pages > 150, pages
    assert {
        "audits:agency-create",
        "escalations:raise",
        "surveys:question-edit",
        "themes:key-message-add",
        "voice:create",
        "voice:list",
    } <= with_themes, sorted(with_themes)
    assert {
        "actions:edit",
        "assessments:cycle-create",
        "audits:agency-create",
        "audits:audit-create",
        "escalations:raise",
        "surveys:manage-schedule",
        "voice:detail",
    } <= with_dates, sorted(with_dates)


def _summary_value(html: str, key: str) -> str:
    """The words of a summary list's row, found by its key."""
    for node in parse(html).walk():
        if node.tag == "dt" and node.words() == key and node.parent is not None:
            return " ".join(
                child.words() for child in node.parent.children if child.tag == "dd"
            ).strip()
    raise AssertionError(f"No row ‘{key}’")


def test_records_name_their_themes_as_the_taxonomy_does(access_world: World, db):
    targets = access_world.targets
    named = {
        reverse("indicators:indicator", args=targets["indicator"][ANY]): "Exploitation and missing",
        reverse("voice:detail", args=targets["voice"][ANY]): "Voice of the child",
        reverse("escalations:detail", args=targets["escalation"][OWN]): "Voice of the child",
    }
    for url, label in named.items():
        status, _, html = _get(access_world.clients["adm"], url)
        assert status == 200, url
        assert _summary_value(html, "Themes") == label, url
