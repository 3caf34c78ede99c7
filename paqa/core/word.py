"""Word documents (learning briefs, the annual report) built with python-docx.

People take these documents on in Word and edit them, so they are made of what Word itself
would make: the built-in Title, "Heading 1/2/3", "List Bullet", "Caption" and "Table Grid"
styles, real tables with a header row that repeats on each page, and pictures with alt text,
never pictures of text. That is also what makes them accessible: a screen reader lists the
headings, announces the table headers and reads the alt text, which are also what Word's
accessibility checker looks for. The document's title and language (en-GB) are set in its
properties and on the Normal style, so spelling and speech use British English.

Text in a document comes from users, so it is untrusted. python-docx (lxml) escapes it as
XML text, so ``<script>`` stays those characters; but lxml refuses characters XML 1.0 cannot
hold, such as NUL or other control characters, so `_clean` drops them first and hostile
input cannot stop the document being made. Text starting with "=" is only text in Word:
Word runs fields only from field elements, and the only one written here is the table of
contents, whose instruction is fixed (user text is only ever its placeholder result).

Links leave the document, so only absolute http(s) addresses become hyperlinks (see
`is_web_address`); anything else, such as ``javascript:`` or ``data:``, stays plain text.

A short document with a chart and a table takes about 20 ms to build and save; rendering the
chart's PNG takes about 40 ms more (see `paqa.core.charts`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.http import HttpResponse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, RGBColor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.styles.style import CharacterStyle
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

__all__ = ["DOCX_CONTENT_TYPE", "DocxBuilder", "Link", "docx_response", "is_web_address"]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A4 with 2.54 cm margins: the UK paper size (python-docx's template is US Letter).
PAGE_WIDTH_CM = 21.0
PAGE_HEIGHT_CM = 29.7
MARGIN_CM = 2.54
TEXT_WIDTH_CM = PAGE_WIDTH_CM - 2 * MARGIN_CM  # 15.92 cm
MAX_HEADING_LEVEL = 3
# Word's own switches for the table of contents it inserts: heading levels 1-3, entries as
# links, no page numbers in web view, and outline levels used.
TOC_INSTRUCTION = r' TOC \o "1-3" \h \z \u '
# Word's default "Hyperlink" colour (6:1 against white).
HYPERLINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)

# Characters XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return,
# lone surrogates, U+FFFE and U+FFFF), and C1 controls, which it discourages.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
# A BCP 47 tag such as "en-GB" or "cy-GB", as Word's w:lang expects.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _clean(text: str) -> str:
    """Untrusted text fit for Word: no characters XML forbids; newlines as ``\\n`` only.

    Tabs and newlines stay: python-docx writes them as Word tabs and line breaks.
    """
    text = _NOT_XML.sub("", str(text))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(text: str) -> str:
    """Untrusted text for a single line (title, heading, caption, alt text): single spaces."""
    return " ".join(_NOT_XML.sub("", str(text)).split())


def _inline(text: str) -> str:
    """Untrusted text for part of a paragraph: like `_clean`, but the spaces at its ends stay,
    since they separate it from the parts either side."""
    return _NOT_XML.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")


def is_web_address(url: str) -> bool:
    """Whether `url` may be a hyperlink in a document: an absolute http or https address with
    a host, and no spaces or control characters.

    A link in a document is followed outside the site's protections (no CSP, no same-origin
    checks), so schemes such as ``javascript:``, ``data:`` or ``file:`` are refused, and so
    are relative addresses, which Word would resolve against wherever the file is saved.
    """
    if not url or any(c.isspace() for c in url) or _NOT_XML.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


@dataclass(frozen=True)
class Link:
    """Text in a paragraph that links to a web page (see `DocxBuilder.paragraph_with_links`)."""

    text: str
    url: str


@dataclass
class DocxBuilder:
    """A Word document built a block at a time, top to bottom, starting with its title.

    Each method adds one block at the end of the document. `to_bytes` gives the .docx file
    and may be called more than once.
    """

    title: str
    language: str = "en-GB"
    _document: DocxDocument = field(init=False, repr=False)
    _heading_level: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.title = _one_line(self.title)
        if not self.title:
            raise ValueError("A Word document needs a title (its properties and first line).")
        if not _LANGUAGE_TAG.fullmatch(self.language):
            raise ValueError(f"Not a BCP 47 language tag: {self.language!r}")
        self._document = Document()
        self._set_properties()
        self._set_language()
        self._set_page()
        self._document.add_heading(self.title, level=0)  # the "Title" style

    def heading(self, text: str, level: int = 1) -> None:
        """A heading in Word's "Heading 1", "Heading 2" or "Heading 3" style.

        Headings are how screen-reader users and Word's navigation pane move around a
        document, so a level may not be skipped (a Heading 3 straight after a Heading 1 is
        refused with ValueError), and a heading must have text.
        """
        if not 1 <= level <= MAX_HEADING_LEVEL:
            raise ValueError(f"Heading level must be 1 to {MAX_HEADING_LEVEL}, not {level}")
        if level > self._heading_level + 1:
            raise ValueError(
                f"A level {level} heading cannot follow a level {self._heading_level} one: "
                "heading levels must not be skipped"
            )
        text = _one_line(text)
        if not text:
            raise ValueError("A heading needs text: screen readers list headings by it")
        self._document.add_heading(text, level=level)
        self._heading_level = level

    def paragraph(self, text: str) -> None:
        """Text in the Normal style. Blank lines in it start new paragraphs, as the person who
        typed it meant; a single newline is a line break. Blank text adds nothing, since an
        empty paragraph is read out as "blank"."""
        for part in _BLANK_LINES.split(_clean(text)):
            if part.strip():
                self._document.add_paragraph(part)

    def paragraph_with_links(
        self,
        parts: Sequence[str | Link],
        *,
        style: str | None = None,
        bold: bool = False,
        italic: bool = False,
    ) -> None:
        """One paragraph made of text and hyperlinks, such as a sentence with its source.

        python-docx has no hyperlink API, so each `Link` is written as Word writes one: a
        ``w:hyperlink`` pointing at an external relationship, around a run in Word's
        "Hyperlink" character style (added to the document if its template lacks it). A link
        whose address `is_web_address` refuses is written as plain text, so hostile
        addresses never become links. Text is not split at blank lines (a newline is a line
        break), `style` is a paragraph style such as "Quote" (Normal by default), and `bold`
        and `italic` apply to every part. Blank text adds nothing.
        """
        texts = (part.text if isinstance(part, Link) else part for part in parts)
        if not "".join(_inline(text) for text in texts).strip():
            return
        paragraph = self._document.add_paragraph(style=style)
        for part in parts:
            if isinstance(part, Link):
                text = _one_line(part.text)
                if text and is_web_address(part.url):
                    self._add_hyperlink(paragraph, text, part.url, bold=bold, italic=italic)
                    continue
            else:
                text = _inline(part)
            if text:
                _format(paragraph.add_run(text), bold=bold, italic=italic)

    def table_of_contents(self, entries: list[str], *, heading: str = "Contents") -> None:
        """A table of contents Word can update, under `heading` in Word's "TOC Heading" style.

        It is a real Word field (the one Word's References > Table of Contents inserts), so
        Word fills in headings, page numbers and links when it is updated. Until then its
        result is a placeholder written here: a note saying how to update it, then `entries`
        (the section titles) one a paragraph, so the document reads right straight away and
        in programs that never update fields. "TOC Heading" is outside the outline, so the
        heading neither lists itself nor counts as a level for `heading`.
        """
        heading = _one_line(heading)
        if heading:
            self._document.add_paragraph(heading, style="TOC Heading")

        first = self._document.add_paragraph()
        first._p.append(_field_char("begin"))
        instruction_run = OxmlElement("w:r")
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = TOC_INSTRUCTION
        instruction_run.append(instruction)
        first._p.append(instruction_run)
        first._p.append(_field_char("separate"))
        first.add_run(
            "Right-click here and choose Update Field to add page numbers and links."
        ).italic = True

        last = first
        for entry in entries:
            if text := _one_line(entry):
                last = self._document.add_paragraph(text)
        last._p.append(_field_char("end"))

    def bullets(self, items: list[str]) -> None:
        """A bulleted list in Word's "List Bullet" style, one item a paragraph, so Word and
        screen readers know it as a list (not lines starting with "•"). Blank items are left
        out."""
        for item in items:
            text = _clean(item)
            if text:
                self._document.add_paragraph(text, style="List Bullet")

    def table(
        self,
        header: list[str],
        rows: list[list[str]],
        caption: str = "",
        *,
        numeric: Sequence[bool] = (),
    ) -> None:
        """A table in the "Table Grid" style, with `caption` in the "Caption" style above it.

        The header row is bold and marked as a header (``w:tblHeader``), so Word repeats it on
        each page and screen readers announce each cell with its column's header. The caption
        is also set as the table's alt-text title (``w:tblCaption``). Every row must have as
        many cells as the header: ValueError otherwise, rather than a misaligned table.
        Columns marked True in `numeric` are right-aligned, header included, so figures line
        up by their units as readers compare them.
        """
        if not header:
            raise ValueError("A table needs a header row")
        for number, row in enumerate(rows, start=1):
            if len(row) != len(header):
                raise ValueError(f"Row {number} has {len(row)} cells; the header has {len(header)}")
        caption = _one_line(caption)
        if caption:
            paragraph = self._document.add_paragraph(caption, style="Caption")
            paragraph.paragraph_format.keep_with_next = True  # never apart from its table

        table = self._document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self._document.styles["Table Grid"]
        if caption:
            table_caption = OxmlElement("w:tblCaption")
            table_caption.set(qn("w:val"), caption)
            table._tbl.tblPr.append(table_caption)  # last in w:tblPr, as the schema orders it

        header_row = table.rows[0]
        row_properties = header_row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:tblHeader"))
        for cell, text in zip(header_row.cells, header, strict=True):
            cell.paragraphs[0].add_run(_clean(text)).bold = True
        for table_row, row in zip(table.rows[1:], rows, strict=True):
            for cell, text in zip(table_row.cells, row, strict=True):
                if cleaned := _clean(text):
                    cell.paragraphs[0].add_run(cleaned)
        for index, is_numeric in enumerate(numeric[: len(header)]):
            if is_numeric:
                for cell in table.columns[index].cells:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def image(self, png: bytes, *, alt_text: str, width_cm: float = 15) -> None:
        """A picture (such as a chart's PNG) in its own paragraph, with alt text.

        The alt text goes where Word keeps it (the picture's ``descr``), so screen readers
        read it and Word's Alt Text pane shows it. It is required: ValueError without it. The
        picture is at most the width between the margins.
        """
        alt_text = _one_line(alt_text)
        if not alt_text:
            raise ValueError("A picture needs alt text, for people who cannot see it")
        if not width_cm > 0:
            raise ValueError(f"Picture width must be positive, not {width_cm}")
        run = self._document.add_paragraph().add_run()
        shape = run.add_picture(io.BytesIO(png), width=Cm(min(width_cm, TEXT_WIDTH_CM)))
        shape._inline.docPr.set("descr", alt_text)

    def to_bytes(self) -> bytes:
        """The document as a .docx file."""
        buffer = io.BytesIO()
        self._document.save(buffer)
        return buffer.getvalue()

    def _add_hyperlink(
        self, paragraph: Paragraph, text: str, url: str, *, bold: bool, italic: bool
    ) -> None:
        """`text` at the end of `paragraph` as a link to `url` (already checked as safe)."""
        relationship_id = self._document.part.relate_to(url, RT.HYPERLINK, is_external=True)
        hyperlink = OxmlElement(
            "w:hyperlink", attrs={qn("r:id"): relationship_id, qn("w:history"): "1"}
        )
        run = paragraph.add_run(text, style=self._hyperlink_style())
        _format(run, bold=bold, italic=italic)
        hyperlink.append(run._r)
        paragraph._p.append(hyperlink)

    def _hyperlink_style(self) -> CharacterStyle:
        """Word's built-in "Hyperlink" character style, added as Word defines it (blue,
        underlined) when the template lacks it, so links look like links and a reader's own
        Word styles apply to them."""
        styles = self._document.styles
        if "Hyperlink" in styles:
            existing: CharacterStyle = styles["Hyperlink"]
            return existing
        style: CharacterStyle = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER, builtin=True)
        style.base_style = styles["Default Paragraph Font"]
        style.font.color.rgb = HYPERLINK_COLOUR
        style.font.underline = True
        style.priority = 99
        style.unhide_when_used = True
        return style

    def _set_properties(self) -> None:
        """Title and language in the file's properties (Word's File > Info, and what a screen
        reader may announce), and none of the template's leftovers (author "python-docx",
        a 2013 creation date)."""
        properties = self._document.core_properties
        now = datetime.now(UTC).replace(microsecond=0)
        properties.title = self.title
        properties.language = self.language
        properties.author = ""
        properties.last_modified_by = ""
        properties.comments = ""
        properties.created = now
        properties.modified = now
        properties.revision = 1

    def _set_language(self) -> None:
        """The document's language on the Normal style (which every other style is based on),
        the defaults and the theme fonts, so Word checks spelling and reads aloud in it."""
        styles = self._document.styles
        normal_rpr = styles["Normal"].element.get_or_add_rPr()
        _set_lang(normal_rpr, self.language)
        for default_rpr in styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr"):
            _set_lang(default_rpr, self.language)
        theme_lang = self._document.settings.element.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            theme_lang.set(qn("w:val"), self.language)

    def _set_page(self) -> None:
        """A4 portrait with 2.54 cm margins, the UK page."""
        for section in self._document.sections:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width = Cm(PAGE_WIDTH_CM)
            section.page_height = Cm(PAGE_HEIGHT_CM)
            for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
                setattr(section, side, Cm(MARGIN_CM))


def _format(run: Run, *, bold: bool, italic: bool) -> None:
    """Bold and italic only where asked, so other runs inherit their paragraph's style."""
    if bold:
        run.bold = True
    if italic:
        run.italic = True


def _field_char(kind: str) -> BaseOxmlElement:
    """A run holding a complex field's ``w:fldChar`` ("begin", "separate" or "end")."""
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): kind}))
    return run


def _set_lang(rpr: BaseOxmlElement, language: str) -> None:
    """Set ``w:lang/@w:val`` in run properties, adding ``w:lang`` in its schema position."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        # w:lang comes after every other run property except these three.
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), language)


def _safe_filename(filename: str) -> str:
    """ASCII letters, digits, '-', '_' and '.', no leading dot, ending in '.docx': safe in a
    Content-Disposition header and on any file system."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem = re.sub(r"\.docx$", "", ascii_name, flags=re.IGNORECASE)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip(".-")[:100].strip(".-")
    return f"{stem or 'document'}.docx"


def docx_response(data: bytes, filename: str) -> HttpResponse:
    """The .docx as a download named `filename` (made safe; '.docx' is added if missing)."""
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}"'
    response["Content-Length"] = str(len(data))
    return response
