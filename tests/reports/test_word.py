"""The annual report as a Word document: its structure (title, contents field, headings),
tables, charts with alt text, links to the evidence, and untrusted text that stays text.

Each test opens the saved bytes again with python-docx (and, for raw XML, as the zip it is),
so what is checked is what a user downloads.
"""

import io
import itertools
import zipfile
from dataclasses import replace

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from paqa.core.word import DocxBuilder, Link, is_web_address
from paqa.reports.content import (
    Chart,
    ChartLine,
    Entry,
    Group,
    ReportContent,
    Section,
    Statement,
    Table,
)
from paqa.reports.word import report_docx

SITE = "https://paqa.example.org/"
HOSTILE = "<script>alert(1)</script> {{ secret }} =SUM(1)"
PERIODS = ["2015-16", "2016-17", "2017-18", "2018-19"]


def _content(**changes: object) -> ReportContent:
    chart_table = Table(
        caption="Children looked after per 10,000 children",
        header=["Period", "Exampleshire", "England"],
        rows=[[p, str(60 + i), str(62 + i)] for i, p in enumerate(PERIODS)],
        numeric=[False, True, True],
    )
    content = ReportContent(
        title="Annual report 2018-19",
        year="2018-19",
        partnership="Exampleshire Safeguarding Partnership",
        assembled_at="2019-07-02T23:30:00+00:00",  # 3 July in London (BST)
        sections=[
            Section(
                key="audits",
                title="Quality assurance audits on working together",
                statements=[
                    Statement("Three audits were completed.", "Audit of neglect", "/audits/3/"),
                    Statement("A link that must not work.", "Bad link", "javascript:alert(1)"),
                    Statement("A source without a link.", "Survey of staff"),
                    Statement("A link without a named source.", url="/audits/4/"),
                ],
                entries=[
                    Entry("Neglect is seen late", "Seen in 4 of 6 cases.", "Agreed", "/audits/3/"),
                    Entry("Voice of the child", "Recorded well.", "Ongoing"),
                ],
                entries_title="Key messages",
                numbered_entries=True,
                narrative=f"First thoughts.\n\n{HOSTILE}",
                asks_for_impact=True,
            ),
            Section(
                key="data",
                title="The local safeguarding data",
                statements=[Statement("Demand rose.", "Contacts (indicator)", "/data/contacts/")],
                groups=[
                    Group(
                        "Priority: neglect",
                        [Statement("Fewer plans.", "Plans", "https://stats.example.org/plans")],
                    ),
                ],
                tables=[
                    Table(
                        caption="Audits by grade",
                        header=["Grade", "Cases"],
                        rows=[["Good", "4"], ["Requires improvement", "2"]],
                        numeric=[False, True],
                    )
                ],
                charts=[
                    Chart(
                        title="Children looked after",
                        description="Exampleshire rose from 60 to 63; England from 62 to 65.",
                        y_title="Rate per 10,000",
                        lines=[
                            ChartLine("Exampleshire", [(p, 60 + i) for i, p in enumerate(PERIODS)]),
                            ChartLine("England", [(p, 62 + i) for i, p in enumerate(PERIODS)]),
                        ],
                        table=chart_table,
                    )
                ],
                impact="Children waited less for a plan.",
                asks_for_impact=True,
            ),
            Section(
                key="children",
                title="Children and young people's views",
                quotes=[Entry("Quote", "They listened to me.", "Young person, 15")],
                entries=[Entry("You said, we did", "More youth workers.")],
            ),
        ],
    )
    return replace(content, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def progress_calls() -> list[tuple[int, str]]:
    return []


@pytest.fixture(scope="module")
def data(progress_calls: list[tuple[int, str]]) -> bytes:
    def progress(percent: int, text: str) -> None:
        progress_calls.append((percent, text))

    return report_docx(_content(), site_url=SITE, progress=progress)


@pytest.fixture(scope="module")
def document(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def _xml(data: bytes, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(part).decode("utf-8")


def _paragraph(document: DocxDocument, starts_with: str) -> Paragraph:
    return next(p for p in document.paragraphs if p.text.startswith(starts_with))


def _after(document: DocxDocument, paragraph: Paragraph, count: int) -> list[Paragraph]:
    index = [p._p for p in document.paragraphs].index(paragraph._p)
    return document.paragraphs[index + 1 : index + 1 + count]


def _external_targets(document: DocxDocument) -> set[str]:
    return {
        rel.target_ref
        for rel in document.part.rels.values()
        if rel.is_external and rel.reltype == RT.HYPERLINK
    }


# Structure


def test_the_title_then_whose_report_and_which_draft(document: DocxDocument) -> None:
    title, standfirst = document.paragraphs[:2]
    assert (title.style.name, title.text) == ("Title", "Annual report 2018-19")
    assert document.core_properties.title == "Annual report 2018-19"
    assert standfirst.text == (
        "Exampleshire Safeguarding Partnership\nAnnual report 2018-19\n"
        "Draft assembled on 3 July 2019"
    )


def test_a_published_version_says_its_version_and_date() -> None:
    content = _content(version=2, published_on="2019-06-12", assembled_at="")
    document = docx.Document(io.BytesIO(report_docx(content, site_url=SITE)))
    assert document.paragraphs[1].text.endswith("\nVersion 2, published 12 June 2019")


def test_headings_are_word_headings_in_order_without_skipping(document: DocxDocument) -> None:
    headings = [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert headings == [
        (1, "Quality assurance audits on working together"),
        (2, "Key messages"),
        (2, "Commentary"),
        (2, "Impact on children and families"),
        (1, "The local safeguarding data"),
        (2, "Priority: neglect"),
        (2, "Impact on children and families"),
        (1, "Children and young people's views"),
        (2, "In their words"),
    ]
    levels = [0] + [level for level, _ in headings]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_the_table_of_contents_is_a_word_field_listing_the_sections(
    document: DocxDocument, data: bytes
) -> None:
    body = _xml(data)
    instructions = [element.text for element in document.element.body.iter(qn("w:instrText"))]
    assert instructions == [' TOC \\o "1-3" \\h \\z \\u ']
    kinds = [e.get(qn("w:fldCharType")) for e in document.element.body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    assert "Update Field" in body

    contents = _paragraph(document, "Contents")
    assert contents.style.name == "TOC Heading"
    note, *entries = _after(document, contents, 4)
    assert "Right-click" in note.text
    assert [p.text for p in entries] == [
        "Quality assurance audits on working together",
        "The local safeguarding data",
        "Children and young people's views",
    ]
    # The field ends in the last entry, before the first section starts.
    assert entries[-1]._p.xpath("w:r/w:fldChar/@w:fldCharType") == ["end"]
    assert _after(document, entries[-1], 1)[0].style.name == "Heading 1"


# Sections' content


def test_statements_link_to_their_evidence_on_the_site(document: DocxDocument) -> None:
    paragraph = _paragraph(document, "Three audits were completed.")
    assert paragraph.text == "Three audits were completed. (source: Audit of neglect)"
    (hyperlink,) = paragraph.hyperlinks
    assert hyperlink.text == "Audit of neglect"
    assert hyperlink.address == "https://paqa.example.org/audits/3/"
    assert all(run.style.name == "Hyperlink" for run in hyperlink.runs)

    unnamed = _paragraph(document, "A link without a named source.")
    assert unnamed.text.endswith(" (source: evidence)")
    assert unnamed.hyperlinks[0].address == "https://paqa.example.org/audits/4/"

    plain = _paragraph(document, "A source without a link.")
    assert plain.text == "A source without a link. (source: Survey of staff)"
    assert plain.hyperlinks == []


def test_only_site_paths_and_web_addresses_become_links(
    document: DocxDocument, data: bytes
) -> None:
    assert _external_targets(document) == {
        "https://paqa.example.org/audits/3/",
        "https://paqa.example.org/audits/4/",
        "https://paqa.example.org/data/contacts/",
        "https://stats.example.org/plans",
    }
    bad = _paragraph(document, "A link that must not work.")
    assert bad.text == "A link that must not work. (source: Bad link)"
    assert bad.hyperlinks == []
    assert "javascript" not in _xml(data, "word/_rels/document.xml.rels")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "//evil.example/x",
        "relative/path",
        "/path with spaces",
        "/path\x00nul",
        "https://",
    ],
)
def test_hostile_or_unusable_addresses_are_never_linked(url: str) -> None:
    content = ReportContent(
        title="T",
        year="2018-19",
        partnership="P",
        sections=[Section("s", "S", statements=[Statement("Said.", "Evidence", url)])],
    )
    document = docx.Document(io.BytesIO(report_docx(content, site_url=SITE)))
    assert _external_targets(document) == set()
    assert _paragraph(document, "Said.").text == "Said. (source: Evidence)"


def test_site_paths_are_not_linked_without_a_site_address() -> None:
    content = ReportContent(
        title="T",
        year="2018-19",
        partnership="P",
        sections=[Section("s", "S", statements=[Statement("Said.", "Evidence", "/a/")])],
    )
    document = docx.Document(io.BytesIO(report_docx(content, site_url="")))
    assert _external_targets(document) == set()


def test_groups_are_sub_headings_over_their_statements(document: DocxDocument) -> None:
    group = _paragraph(document, "Priority: neglect")
    (statement,) = _after(document, group, 1)
    assert statement.text == "Fewer plans. (source: Plans)"
    assert statement.hyperlinks[0].address == "https://stats.example.org/plans"


def test_numbered_entries_have_bold_titles_text_and_italic_details(
    document: DocxDocument,
) -> None:
    first = _paragraph(document, "1. ")
    second = _paragraph(document, "2. ")
    assert first.text == "1. Neglect is seen late"
    assert second.text == "2. Voice of the child"
    assert all(run.bold for run in first.runs + first.hyperlinks[0].runs)
    assert first.hyperlinks[0].address == "https://paqa.example.org/audits/3/"
    text, detail = _after(document, first, 2)
    assert text.text == "Seen in 4 of 6 cases."
    assert detail.text == "Agreed"
    assert all(run.italic for run in detail.runs)


def test_unnumbered_entries_have_no_numbers(document: DocxDocument) -> None:
    title = _paragraph(document, "You said, we did")
    assert all(run.bold for run in title.runs)
    assert _after(document, title, 1)[0].text == "More youth workers."


def test_quotes_use_the_quote_style_then_who_said_them(document: DocxDocument) -> None:
    quote = _paragraph(document, "They listened to me.")
    assert quote.style.name == "Quote"
    assert _after(document, quote, 1)[0].text == "— Young person, 15"


def test_tables_have_their_header_rows_and_captions(document: DocxDocument) -> None:
    grades, chart_table = document.tables
    assert [c.text for c in grades.rows[0].cells] == ["Grade", "Cases"]
    assert [[c.text for c in row.cells] for row in grades.rows[1:]] == [
        ["Good", "4"],
        ["Requires improvement", "2"],
    ]
    assert grades._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == "Audits by grade"
    assert [c.text for c in chart_table.rows[0].cells] == ["Period", "Exampleshire", "England"]
    assert [row.cells[0].text for row in chart_table.rows[1:]] == PERIODS
    assert chart_table.rows[4].cells[1].text == "63"
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Audits by grade", "Children looked after per 10,000 children"]


def test_numeric_columns_are_right_aligned(document: DocxDocument) -> None:
    grades = document.tables[0]
    for row in grades.rows:
        assert row.cells[0].paragraphs[0].alignment is None
        assert row.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_charts_are_pictures_with_alt_text_followed_by_their_table(
    document: DocxDocument, data: bytes
) -> None:
    (shape,) = document.inline_shapes
    descriptions = [element.get("descr") for element in document.element.body.iter(qn("wp:docPr"))]
    assert descriptions == [
        "Children looked after. Exampleshire rose from 60 to 63; England from 62 to 65."
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        media = [name for name in package.namelist() if name.startswith("word/media/")]
        assert len(media) == 1
        assert package.read(media[0]).startswith(b"\x89PNG\r\n\x1a\n")
    body = list(document.element.body.iterchildren())
    picture = body.index(shape._inline.getparent().getparent().getparent())
    assert body[picture + 1].xpath("string(.)") == "Children looked after per 10,000 children"
    assert body[picture + 2] is document.tables[1]._tbl


def test_the_commentary_keeps_hostile_text_as_text(document: DocxDocument, data: bytes) -> None:
    commentary = _paragraph(document, "Commentary")
    first, second = _after(document, commentary, 2)
    assert (first.text, second.text) == ("First thoughts.", HOSTILE)
    body = _xml(data)
    assert "<script" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ secret }} =SUM(1)" in body


def test_impact_is_asked_for_in_a_draft_and_left_out_once_published() -> None:
    draft = docx.Document(io.BytesIO(report_docx(_content(), site_url=SITE)))
    heading = next(p for p in draft.paragraphs if p.text == "Impact on children and families")
    assert _after(draft, heading, 1)[0].text == "Not yet written."

    published = docx.Document(
        io.BytesIO(report_docx(_content(version=1, published_on="2019-06-12"), site_url=SITE))
    )
    impact = [p for p in published.paragraphs if p.text == "Impact on children and families"]
    assert len(impact) == 1  # only the data section, which has words
    assert _after(published, impact[0], 1)[0].text == "Children waited less for a plan."
    assert "Not yet written." not in [p.text for p in published.paragraphs]


def test_progress_goes_up_to_100_once_the_file_is_made(
    data: bytes, progress_calls: list[tuple[int, str]]
) -> None:
    percents = [percent for percent, _ in progress_calls]
    assert percents == sorted(percents)
    assert percents[0] == 0
    assert percents[-1] == 100
    assert percents.count(100) == 1
    steps = [text for _, text in progress_calls]
    assert "Drawing the chart Children looked after" in steps
    assert "Writing The local safeguarding data" in steps


def test_an_empty_report_is_still_a_document() -> None:
    content = ReportContent(title="Empty", year="2018-19", partnership="P", sections=[])
    document = docx.Document(io.BytesIO(report_docx(content, site_url=SITE)))
    assert document.paragraphs[0].text == "Empty"
    assert document.paragraphs[1].text == "P\nAnnual report 2018-19\nDraft"


# The builder's additions


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://paqa.example.org/a/", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("mailto:a@example.org", False),
        ("/relative/", False),
        ("https://exa mple.org/", False),
        ("https://example.org/\x07", False),
        ("https:///nohost", False),
        ("http://[::1", False),
        ("", False),
    ],
)
def test_is_web_address(url: str, allowed: bool) -> None:
    assert is_web_address(url) is allowed


def test_a_paragraph_with_links_keeps_spacing_and_refuses_bad_links() -> None:
    builder = DocxBuilder(title="T")
    builder.paragraph_with_links(
        [
            "See ",
            Link("<b>this</b>", "https://example.org/?a=1&b=2"),
            " and ",
            Link("that", "javascript:x"),
        ]
    )
    builder.paragraph_with_links(["  ", Link(" ", "https://example.org/")])
    document = docx.Document(io.BytesIO(builder.to_bytes()))
    (paragraph,) = document.paragraphs[1:]
    assert paragraph.text == "See <b>this</b> and that"
    (hyperlink,) = paragraph.hyperlinks
    assert hyperlink.address == "https://example.org/?a=1&b=2"
    assert document.styles["Hyperlink"].font.underline is True
