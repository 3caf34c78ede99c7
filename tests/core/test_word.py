"""Word documents: real Word styles, a repeating table header, alt text, title and language,
and user text that stays text however hostile it is.

Each test builds a document, saves it, and opens the saved bytes again with python-docx (and,
for the raw XML, as the zip it is), so what is checked is what a user downloads.
"""

import io
import re
import struct
import zipfile
import zlib
from datetime import UTC, datetime, timedelta

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm

from paqa.core import word
from paqa.core.word import DocxBuilder, docx_response

SCRIPT = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
FORMULA = "=cmd|'/c calc'!A0"
CONTROLS = "Bad\x00 \x01text\x07 with\x1b controls\x0b\x0c\x7f\ud800\ufffe"
CONTROLS_CLEANED = "Bad text with controls"


def _png(width: int = 4, height: int = 3) -> bytes:
    """A tiny valid PNG (white, 8-bit greyscale), so these tests need no chart renderer."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def _build() -> DocxBuilder:
    builder = DocxBuilder(title=f"Learning brief {SCRIPT}\x00")
    builder.heading("What happened")
    builder.paragraph(f"First paragraph {SCRIPT}.\n\nSecond paragraph,\nwith a line break.")
    builder.heading(f"Findings {SCRIPT}", level=2)
    builder.heading("Finding 1", level=3)
    builder.paragraph(CONTROLS)
    builder.bullets([FORMULA, "", "   ", f"Item {SCRIPT}", CONTROLS])
    builder.heading("Grades", level=2)
    builder.table(
        ["Grade", f"Cases {SCRIPT}"],
        [["Good", "4"], [FORMULA, CONTROLS], ["Inadequate", ""]],
        caption=f"Grades of {SCRIPT}",
    )
    builder.image(PNG, alt_text=f"Bar chart: {SCRIPT}\x00", width_cm=12)
    return builder


@pytest.fixture(scope="module")
def data() -> bytes:
    return _build().to_bytes()


@pytest.fixture(scope="module")
def document(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def _xml(data: bytes, part: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(part).decode("utf-8")


def test_the_file_is_a_docx_package(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        assert {"word/document.xml", "word/styles.xml", "docProps/core.xml"} <= names
        content_types = package.read("[Content_Types].xml").decode()
    assert "wordprocessingml.document.main+xml" in content_types


def test_the_title_comes_first_in_the_title_style(document: DocxDocument) -> None:
    first = document.paragraphs[0]
    assert first.style.name == "Title"
    assert first.text == f"Learning brief {SCRIPT}"


def test_headings_use_word_heading_styles(document: DocxDocument) -> None:
    headings = [
        (paragraph.style.name, paragraph.text)
        for paragraph in document.paragraphs
        if paragraph.style.name.startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "What happened"),
        ("Heading 2", f"Findings {SCRIPT}"),
        ("Heading 3", "Finding 1"),
        ("Heading 2", "Grades"),
    ]


def test_paragraphs_round_trip_with_blank_lines_as_new_paragraphs(
    document: DocxDocument,
) -> None:
    normal = [p.text for p in document.paragraphs if p.style.name == "Normal" and p.text]
    assert normal == [
        f"First paragraph {SCRIPT}.",
        "Second paragraph,\nwith a line break.",  # python-docx reads <w:br/> as "\n"
        CONTROLS_CLEANED,
    ]


def test_bullets_are_a_word_list_without_blank_items(document: DocxDocument) -> None:
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == [FORMULA, f"Item {SCRIPT}", CONTROLS_CLEANED]


def test_a_formula_is_only_text(data: bytes) -> None:
    body = _xml(data, "word/document.xml")
    assert "<w:t>=cmd|'/c calc'!A0</w:t>" in body
    for field_element in ("w:fldSimple", "w:instrText", "w:fldChar", "w:ddeLink"):
        assert field_element not in body


def test_the_table_has_a_repeating_bold_header_row(document: DocxDocument) -> None:
    (table,) = document.tables
    assert table.style.name == "Table Grid"
    header = table.rows[0]
    row_properties = header._tr.trPr
    assert row_properties is not None
    assert row_properties.find(qn("w:tblHeader")) is not None
    for row in table.rows[1:]:
        assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
    assert [cell.text for cell in header.cells] == ["Grade", f"Cases {SCRIPT}"]
    for cell in header.cells:
        assert all(run.bold for run in cell.paragraphs[0].runs)


def test_the_table_cells_round_trip(document: DocxDocument) -> None:
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows[1:]] == [
        ["Good", "4"],
        [FORMULA, CONTROLS_CLEANED],
        ["Inadequate", ""],
    ]
    for row in table.rows[1:]:
        for cell in row.cells:
            assert not any(run.bold for run in cell.paragraphs[0].runs)


def test_the_table_caption_is_above_it_and_its_alt_text(document: DocxDocument) -> None:
    body = list(document.element.body.iterchildren())
    (table,) = document.tables
    caption = body[body.index(table._tbl) - 1]
    assert caption.tag == qn("w:p")
    paragraph = next(p for p in document.paragraphs if p._p is caption)
    assert paragraph.style.name == "Caption"
    assert paragraph.text == f"Grades of {SCRIPT}"
    assert paragraph.paragraph_format.keep_with_next is True
    table_caption = table._tbl.tblPr.find(qn("w:tblCaption"))
    assert table_caption is not None
    assert table_caption.get(qn("w:val")) == f"Grades of {SCRIPT}"
    # The schema puts w:tblCaption after w:tblLook; Word rejects other orders.
    names = [child.tag.rsplit("}", 1)[-1] for child in table._tbl.tblPr]
    assert names.index("tblCaption") == len(names) - 1


def test_a_table_without_caption_has_none() -> None:
    builder = DocxBuilder(title="Plain")
    builder.table(["A"], [["1"]])
    document = docx.Document(io.BytesIO(builder.to_bytes()))
    assert [p.style.name for p in document.paragraphs] == ["Title"]
    assert document.tables[0]._tbl.tblPr.find(qn("w:tblCaption")) is None


def test_the_image_has_alt_text_and_the_width_asked_for(
    document: DocxDocument, data: bytes
) -> None:
    (shape,) = document.inline_shapes
    assert shape._inline.docPr.get("descr") == f"Bar chart: {SCRIPT}"
    assert shape.width == Cm(12)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        media = [name for name in package.namelist() if name.startswith("word/media/")]
        assert [package.read(name) for name in media] == [PNG]


def test_an_image_is_never_wider_than_the_page_allows() -> None:
    builder = DocxBuilder(title="Wide")
    builder.image(PNG, alt_text="A wide chart", width_cm=40)
    (shape,) = docx.Document(io.BytesIO(builder.to_bytes())).inline_shapes
    assert shape.width == Cm(word.TEXT_WIDTH_CM)


@pytest.mark.parametrize(
    ("alt_text", "width_cm", "message"),
    [
        ("", 15, "alt text"),
        (" \x00\n ", 15, "alt text"),
        ("A chart", 0, "positive"),
        ("A chart", float("nan"), "positive"),
    ],
)
def test_an_image_needs_alt_text_and_a_width(alt_text: str, width_cm: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DocxBuilder(title="T").image(PNG, alt_text=alt_text, width_cm=width_cm)


def test_core_properties_have_title_and_language_and_no_template_leftovers(
    document: DocxDocument,
) -> None:
    properties = document.core_properties
    assert properties.title == f"Learning brief {SCRIPT}"
    assert properties.language == "en-GB"
    assert properties.author == ""
    assert properties.last_modified_by == ""
    assert properties.comments == ""
    assert properties.created is not None
    assert abs(datetime.now(UTC) - properties.created) < timedelta(minutes=5)


def test_the_language_is_set_on_the_normal_style(document: DocxDocument) -> None:
    normal = document.styles["Normal"].element
    languages = normal.xpath("w:rPr/w:lang/@w:val")
    assert languages == ["en-GB"]
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert defaults == ["en-GB"]
    assert document.settings.element.xpath("w:themeFontLang/@w:val") == ["en-GB"]


def test_another_language_can_be_asked_for() -> None:
    document = docx.Document(io.BytesIO(DocxBuilder(title="T", language="cy-GB").to_bytes()))
    assert document.styles["Normal"].element.xpath("w:rPr/w:lang/@w:val") == ["cy-GB"]
    assert document.core_properties.language == "cy-GB"


@pytest.mark.parametrize("language", ["", "en GB", 'en"><x', "english-language-tag-x"])
def test_a_language_must_be_a_bcp_47_tag(language: str) -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        DocxBuilder(title="T", language=language)


def test_the_page_is_a4(document: DocxDocument) -> None:
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 2) == round(section.right_margin.cm, 2) == 2.54


def test_hostile_text_stays_text_in_every_part(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    for name, content in parts.items():
        if not name.endswith((".xml", ".rels")):
            continue
        text = content.decode("utf-8")
        assert "<script" not in text, name
        assert "<img" not in text, name
        # No control character survived anywhere (the XML declaration's newline aside).
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text), name
    body = parts["word/document.xml"].decode()
    assert "&lt;script&gt;" in body
    assert 'descr="Bar chart: &lt;script&gt;alert(&quot;x&quot;)' in body


def test_control_characters_are_dropped_everywhere() -> None:
    builder = DocxBuilder(title=CONTROLS)
    builder.heading(CONTROLS)
    builder.paragraph(CONTROLS)
    builder.bullets([CONTROLS])
    builder.table([CONTROLS], [[CONTROLS]], caption=CONTROLS)
    builder.image(PNG, alt_text=CONTROLS)
    document = docx.Document(io.BytesIO(builder.to_bytes()))
    assert document.core_properties.title == CONTROLS_CLEANED
    assert {p.text for p in document.paragraphs if p.text} == {CONTROLS_CLEANED}
    assert document.tables[0].cell(0, 0).text == CONTROLS_CLEANED
    assert document.tables[0].cell(1, 0).text == CONTROLS_CLEANED
    assert document.inline_shapes[0]._inline.docPr.get("descr") == CONTROLS_CLEANED


def test_carriage_returns_become_line_breaks() -> None:
    builder = DocxBuilder(title="T")
    builder.paragraph("One\r\ntwo\rthree\r\n\r\nFour")
    texts = [p.text for p in docx.Document(io.BytesIO(builder.to_bytes())).paragraphs[1:]]
    assert texts == ["One\ntwo\nthree", "Four"]


def test_headings_and_titles_are_one_line() -> None:
    builder = DocxBuilder(title="A\n title\tover lines")
    builder.heading("A heading\nover two lines")
    paragraphs = docx.Document(io.BytesIO(builder.to_bytes())).paragraphs
    assert [p.text for p in paragraphs] == ["A title over lines", "A heading over two lines"]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([2], "level 2 heading cannot follow a level 0"),
        ([1, 3], "level 3 heading cannot follow a level 1"),
        ([0], "1 to 3"),
        ([1, 2, 3, 4], "1 to 3"),
    ],
)
def test_heading_levels_cannot_be_skipped(levels: list[int], message: str) -> None:
    builder = DocxBuilder(title="T")
    *allowed, refused = levels
    for level in allowed:
        builder.heading("Heading", level=level)
    with pytest.raises(ValueError, match=message):
        builder.heading("Heading", level=refused)


def test_heading_levels_can_go_back_up() -> None:
    builder = DocxBuilder(title="T")
    for level in (1, 2, 3, 1, 2, 2, 3):
        builder.heading(f"Level {level}", level=level)


def test_a_heading_needs_text() -> None:
    with pytest.raises(ValueError, match="needs text"):
        DocxBuilder(title="T").heading(" \x00 ")


@pytest.mark.parametrize("title", ["", "   ", "\x00\x07"])
def test_a_document_needs_a_title(title: str) -> None:
    with pytest.raises(ValueError, match="needs a title"):
        DocxBuilder(title=title)


def test_table_rows_must_match_the_header() -> None:
    builder = DocxBuilder(title="T")
    with pytest.raises(ValueError, match="Row 2 has 1 cells; the header has 2"):
        builder.table(["A", "B"], [["1", "2"], ["3"]])
    with pytest.raises(ValueError, match="needs a header row"):
        builder.table([], [])


def test_blank_paragraphs_add_nothing() -> None:
    builder = DocxBuilder(title="T")
    builder.paragraph("")
    builder.paragraph(" \n\n \x00")
    builder.bullets([])
    assert len(docx.Document(io.BytesIO(builder.to_bytes())).paragraphs) == 1


def test_to_bytes_can_be_called_again() -> None:
    builder = _build()
    first = docx.Document(io.BytesIO(builder.to_bytes()))
    builder.paragraph("More")
    second = docx.Document(io.BytesIO(builder.to_bytes()))
    assert "More" not in [p.text for p in first.paragraphs]
    assert second.paragraphs[-1].text == "More"


# The download


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("learning-brief-2024.docx", "learning-brief-2024.docx"),
        ("Learning brief 2024", "Learning-brief-2024.docx"),
        ('../../etc/"passwd"\r\nX-Evil: 1', "etc-passwd-X-Evil-1.docx"),
        ("Adolygiad Ymarfer Plant – Ynys Môn.docx", "Adolygiad-Ymarfer-Plant-Ynys-Mon.docx"),
        ("Report.DOCX", "Report.docx"),
        ("", "document.docx"),
        ("...", "document.docx"),
        ("a" * 300, "a" * 100 + ".docx"),
    ],
)
def test_docx_response_is_a_download_with_a_safe_name(filename: str, expected: str) -> None:
    response = docx_response(b"PK\x03\x04 test", filename)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert response["Content-Length"] == "9"
    assert response.content == b"PK\x03\x04 test"


def test_docx_response_carries_a_built_document(data: bytes) -> None:
    response = docx_response(data, "Learning brief")
    assert docx.Document(io.BytesIO(response.content)).core_properties.title.startswith(
        "Learning brief"
    )
