"""The report's content as plain data: what every format (page, HTML, PDF, Word) draws from.

A draft's content is assembled from the evidence when it is asked for; a published version's
is stored as JSON (`to_json`) and read back (`from_json`), so it reads the same for ever.
Every text here is untrusted text: each format shows it as text and never as markup.
Links are site paths ("/data/indicators/cla/"); a format that leaves the site adds the host.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Statement:
    """A sentence drafted from the evidence, with the record it came from."""

    text: str
    source: str = ""  # what the evidence is, e.g. "Children looked after (indicator)"
    url: str = ""


@dataclass(frozen=True)
class Entry:
    """A titled item: an escalated matter, a key message, a quote with who said it."""

    title: str
    text: str = ""
    detail: str = ""  # a status, or who said it
    url: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)  # right-align these columns
    row_urls: list[str] = field(default_factory=list)  # the record behind each row's first cell

    def row_url(self, index: int) -> str:
        return self.row_urls[index] if index < len(self.row_urls) else ""


@dataclass(frozen=True)
class ChartLine:
    name: str
    points: list[tuple[str, float]]


@dataclass(frozen=True)
class Chart:
    """A trend chart's data (drawn when a format needs it), with its text equivalent."""

    title: str
    description: str
    y_title: str
    lines: list[ChartLine]
    table: Table
    decimals: int = 0
    target: float | None = None
    url: str = ""


@dataclass(frozen=True)
class Group:
    """Drafted sentences under a sub-heading (the data section groups by board priority)."""

    title: str
    statements: list[Statement]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    statements: list[Statement] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    entries_title: str = ""
    numbered_entries: bool = False
    quotes: list[Entry] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    narrative: str = ""
    impact: str = ""
    asks_for_impact: bool = False

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


@dataclass(frozen=True)
class ReportContent:
    title: str
    year: str
    partnership: str
    sections: list[Section]
    version: int | None = None  # None: a draft
    published_on: str = ""  # ISO date of publication
    assembled_at: str = ""  # ISO date and time the evidence was read

    @property
    def is_draft(self) -> bool:
        return self.version is None

    def section(self, key: str) -> Section | None:
        return next((section for section in self.sections if section.key == key), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportContent:
        return cls(
            title=data["title"],
            year=data["year"],
            partnership=data["partnership"],
            version=data.get("version"),
            published_on=data.get("published_on", ""),
            assembled_at=data.get("assembled_at", ""),
            sections=[_section(item) for item in data["sections"]],
        )


def _table(data: dict[str, Any]) -> Table:
    return Table(
        caption=data["caption"],
        header=list(data["header"]),
        rows=[list(row) for row in data["rows"]],
        numeric=list(data.get("numeric", [])),
        row_urls=list(data.get("row_urls", [])),
    )


def _chart(data: dict[str, Any]) -> Chart:
    return Chart(
        title=data["title"],
        description=data["description"],
        y_title=data["y_title"],
        lines=[
            ChartLine(line["name"], [(str(p), float(v)) for p, v in line["points"]])
            for line in data["lines"]
        ],
        table=_table(data["table"]),
        decimals=int(data.get("decimals", 0)),
        target=data.get("target"),
        url=data.get("url", ""),
    )


def _section(data: dict[str, Any]) -> Section:
    return Section(
        key=data["key"],
        title=data["title"],
        statements=[Statement(**item) for item in data.get("statements", [])],
        groups=[
            Group(group["title"], [Statement(**item) for item in group["statements"]])
            for group in data.get("groups", [])
        ],
        entries=[Entry(**item) for item in data.get("entries", [])],
        entries_title=data.get("entries_title", ""),
        numbered_entries=bool(data.get("numbered_entries", False)),
        quotes=[Entry(**item) for item in data.get("quotes", [])],
        tables=[_table(item) for item in data.get("tables", [])],
        charts=[_chart(item) for item in data.get("charts", [])],
        narrative=data.get("narrative", ""),
        impact=data.get("impact", ""),
        asks_for_impact=bool(data.get("asks_for_impact", False)),
    )
