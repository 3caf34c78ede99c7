"""The annual report as a Word document, for partners who edit, print or circulate it.

It is built from the same `ReportContent` as the page, so the two never disagree, and in the
same order: per section the drafted statements, groups, entries, quotes, tables and charts,
then people's commentary and the impact on children and families. Word's own structures carry
the meaning (a table of contents field, Heading 1 per section and Heading 2 below, the "Quote"
style, real tables, charts with alt text followed by their figures as a table), so the
document stays accessible after people edit it; see `paqa.core.word`.

Every text in the content is untrusted. It only ever reaches the document through
`DocxBuilder`, which writes it as text, and links become hyperlinks only when they are site
paths (made absolute with the site's address, since the file is read away from the site) or
http(s) addresses.

Drawing the charts is the slow part (tens of milliseconds each), so progress is counted in
sections and charts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.utils import dateformat, timezone

from paqa.core.net import is_site_path
from paqa.core.word import DocxBuilder, Link, is_web_address
from paqa.reports.charts import draw
from paqa.reports.content import Chart, Entry, ReportContent, Section, Statement, Table

__all__ = ["report_docx"]

Progress = Callable[[int, str], None]


def report_docx(
    content: ReportContent, *, site_url: str, progress: Progress | None = None
) -> bytes:
    """The report as a .docx file.

    `site_url` (such as "https://paqa.example.org") turns the content's site paths into
    addresses that work from a saved file. `progress`, when given, is called with a percentage
    (0 to 100, never going down) and what is being done, so a background job can show how far
    it has got; 100 comes once the file is made.
    """
    tracker = _Tracker(content, progress)
    builder = DocxBuilder(title=content.title)
    builder.paragraph(_standfirst(content))
    builder.table_of_contents([section.title for section in content.sections])
    for section in content.sections:
        tracker.step(f"Writing {_one_line(section.title)}")
        _section(builder, section, content=content, site_url=site_url, tracker=tracker)
    tracker.step("Saving the document")
    data = builder.to_bytes()
    tracker.done()
    return data


class _Tracker:
    """Reports progress as a share of the work: one unit per section, per chart and for
    saving, since drawing a chart takes longer than writing a whole section of text."""

    def __init__(self, content: ReportContent, progress: Progress | None) -> None:
        self._progress = progress
        self._total = sum(1 + len(section.charts) for section in content.sections) + 1
        self._done = 0

    def step(self, text: str) -> None:
        """Starting the next unit of work: the percentage is of the units already finished,
        so 100 is only ever reported by `done`."""
        if self._progress is not None:
            self._progress(min(99, self._done * 100 // self._total), text)
        self._done += 1

    def done(self) -> None:
        if self._progress is not None:
            self._progress(100, "Done")


def _standfirst(content: ReportContent) -> str:
    """The lines under the title: whose report, which year, and which version it is, so a
    printed or forwarded copy says whether it is a draft."""
    if content.is_draft:
        when = _date_text(content.assembled_at)
        status = f"Draft assembled on {when}" if when else "Draft"
    else:
        when = _date_text(content.published_on)
        status = f"Version {content.version}"
        if when:
            status += f", published {when}"
    lines = [_one_line(content.partnership), f"Annual report {_one_line(content.year)}", status]
    return "\n".join(line for line in lines if line)


def _date_text(iso: str) -> str:
    """An ISO date or date and time as "12 June 2019", on the site's local calendar (a draft
    assembled just after midnight in summer is dated that day, not the UTC one). Text that is
    not a date is shown as it is rather than stopping the export."""
    iso = iso.strip()
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return _one_line(iso)
    day: date = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return dateformat.format(day, "j F Y")


def _section(
    builder: DocxBuilder,
    section: Section,
    *,
    content: ReportContent,
    site_url: str,
    tracker: _Tracker,
) -> None:
    builder.heading(section.title, level=1)
    for statement in section.statements:
        _statement(builder, statement, site_url)
    for group in section.groups:
        builder.heading(group.title, level=2)
        for statement in group.statements:
            _statement(builder, statement, site_url)
    if section.entries:
        if section.entries_title.strip():
            builder.heading(section.entries_title, level=2)
        for number, entry in enumerate(section.entries, start=1):
            _entry(builder, entry, site_url, number=number if section.numbered_entries else None)
    if section.quotes:
        builder.heading("In their words", level=2)
        for quote in section.quotes:
            _quote(builder, quote)
    for table in section.tables:
        _table(builder, table)
    for chart in section.charts:
        tracker.step(f"Drawing the chart {_one_line(chart.title)}")
        _chart(builder, chart)
    if section.narrative.strip():
        builder.heading("Commentary", level=2)
        builder.paragraph(section.narrative)
    if section.asks_for_impact:
        if section.impact.strip():
            builder.heading("Impact on children and families", level=2)
            builder.paragraph(section.impact)
        elif content.is_draft:
            builder.heading("Impact on children and families", level=2)
            builder.paragraph("Not yet written.")


def _statement(builder: DocxBuilder, statement: Statement, site_url: str) -> None:
    """The sentence, then its source as a link to the evidence, so a reader can check it. A
    named source whose address cannot be linked is still named; an unnamed one is left out."""
    parts: list[str | Link] = [statement.text]
    address = _address(site_url, statement.url)
    label = statement.source.strip() or ("evidence" if address else "")
    if label:
        parts += [" (source: ", Link(label, address) if address else label, ")"]
    builder.paragraph_with_links(parts)


def _entry(builder: DocxBuilder, entry: Entry, site_url: str, *, number: int | None) -> None:
    """A bold title (linked to its record when it has one), its text, then its detail (a
    status) in italics. Numbers are written into the title rather than left to Word's list
    numbering, which would run on from one section's list into the next."""
    prefix = f"{number}. " if number is not None else ""
    address = _address(site_url, entry.url)
    title: str | Link = Link(entry.title, address) if address else entry.title
    builder.paragraph_with_links([prefix, title], bold=True)
    builder.paragraph(entry.text)
    builder.paragraph_with_links([entry.detail], italic=True)


def _quote(builder: DocxBuilder, quote: Entry) -> None:
    """The words in Word's "Quote" style, then who said them."""
    builder.paragraph_with_links([quote.text or quote.title], style="Quote")
    if quote.detail.strip():
        builder.paragraph_with_links(["— ", quote.detail])


def _table(builder: DocxBuilder, table: Table) -> None:
    if table.header:
        builder.table(table.header, table.rows, caption=table.caption, numeric=table.numeric)


def _chart(builder: DocxBuilder, chart: Chart) -> None:
    """The chart as a picture whose alt text gives its title and what it shows, then its
    figures as a table, for readers who cannot see the picture or want the numbers."""
    rendered = draw(chart)
    title = _one_line(rendered.title or chart.title).rstrip(".")
    description = _one_line(rendered.description or chart.description)
    alt_text = f"{title}. {description}" if title and description else title or description
    builder.image(
        rendered.png(), alt_text=alt_text or "A chart. Its figures are in the table below."
    )
    _table(builder, chart.table)


def _address(site_url: str, url: str) -> str:
    """The address a link in the document should go to, or "" when it must not be a link.

    Site paths ("/data/...") are joined to `site_url`; http(s) addresses are kept; anything
    else (``javascript:``, ``data:``, a path relative to wherever the file is saved) is
    refused, as is any address `is_web_address` refuses.
    """
    url = url.strip()
    if is_site_path(url):
        url = site_url.strip().rstrip("/") + url
    return url if is_web_address(url) else ""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
