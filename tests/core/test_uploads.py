"""Attachment checks: size limits, type decided by content, archive bombs refused.

Every file is built in memory. A refusal raises before the caller could store anything, so
"nothing is stored" follows from check_upload raising; these tests pin the reasons and messages.
"""

import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Iterable

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paqa.core import uploads
from paqa.core.uploads import (
    ALLOWED_EXTENSIONS,
    MAX_UPLOAD_BYTES,
    CheckedUpload,
    UploadRejected,
    check_upload,
    human_size,
    safe_name,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

TYPE_MESSAGE = (
    "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, image, text or CSV "
    "file"
)
BOMB_MESSAGE = "The selected file is too large when unpacked, so it could not be checked"
TOO_LARGE_10MB = "The selected file must be smaller than 10 MB"

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64) + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _png() -> bytes:
    """A 1x1 greyscale PNG: signature, IHDR, IDAT, IEND with real CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _zip(entries: Iterable[tuple[str, bytes]], *, stored: Iterable[str] = ()) -> bytes:
    """A ZIP of (name, content) pairs in order, deflated unless the name is in ``stored``."""
    keep = set(stored)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            kind = zipfile.ZIP_STORED if name in keep else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=kind)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def _docx(*extra: tuple[str, bytes]) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document/>"),
            *extra,
        ]
    )


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Section 11"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _odf(mimetype: bytes, *, stored: bool = True, manifest: bool = True) -> bytes:
    entries = [("mimetype", mimetype), ("content.xml", b"<office:document-content/>")]
    if manifest:
        entries.append(("META-INF/manifest.xml", b"<manifest:manifest/>"))
    return _zip(entries, stored=["mimetype"] if stored else [])


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _refusal(upload: SimpleUploadedFile, **kwargs: object) -> str:
    with pytest.raises(UploadRejected) as error:
        check_upload(upload, **kwargs)  # type: ignore[arg-type]
    return str(error.value)


class CountingBytesIO(io.BytesIO):
    """Remembers how many bytes were read, to prove reading is bounded."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


# --- Accepted files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Evidence.pdf", PDF, "application/pdf"),
        ("Policy.docx", _docx(), DOCX),
        ("Audit.xlsx", _xlsx(), XLSX),
        (
            "Briefing.pptx",
            _zip([("[Content_Types].xml", CONTENT_TYPES), ("ppt/presentation.xml", b"<p/>")]),
            PPTX,
        ),
        ("Minutes.odt", _odf(ODT.encode()), ODT),
        ("Figures.ods", _odf(ODS.encode()), ODS),
        ("Chart.png", _png(), "image/png"),
        ("Photo.jpg", JPEG, "image/jpeg"),
        ("Photo.JPEG", JPEG, "image/jpeg"),
        ("Notes.txt", "Safeguarding lead: Siân Jones\r\n\tSee §4.\n".encode(), "text/plain"),
        ("Figures.csv", b"\xef\xbb\xbfagency,score\nPolice,4\n", "text/csv"),
    ],
)
def test_real_files_of_each_allowed_type_are_accepted(
    name: str, content: bytes, content_type: str
) -> None:
    checked = check_upload(_upload(name, content))

    assert checked.content_type == content_type
    assert checked.size == len(content)


def test_the_type_comes_from_the_content_not_the_browser() -> None:
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="text/html")

    assert check_upload(upload).content_type == "application/pdf"


def test_the_file_is_rewound_so_the_caller_can_save_it() -> None:
    upload = _upload("report.pdf", PDF)
    upload.read(5)

    check_upload(upload)

    assert upload.tell() == 0
    assert upload.read() == PDF


def test_the_file_is_rewound_after_a_refusal_too() -> None:
    upload = _upload("report.pdf", EXE)

    _refusal(upload)

    assert upload.tell() == 0


def test_an_embedded_spreadsheet_in_a_word_document_is_fine() -> None:
    # Word keeps the data behind a chart as word/embeddings/*.xlsx: a ZIP, but a normal one.
    content = _docx(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", _xlsx()))

    assert check_upload(_upload("chart.docx", content)).content_type == DOCX


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    content = b"a" * 1000

    assert check_upload(_upload("notes.txt", content), max_bytes=1000).size == 1000


# --- Size ------------------------------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    assert _refusal(_upload("report.pdf", b"")) == "The selected file is empty"


def test_a_text_file_holding_only_a_byte_order_mark_is_empty() -> None:
    assert _refusal(_upload("notes.csv", b"\xef\xbb\xbf")) == "The selected file is empty"


def test_an_oversized_file_is_refused_on_its_declared_size_without_reading_it() -> None:
    upload = _upload("report.pdf", PDF + b"x" * 2000)
    upload.file = None  # reading or seeking would fail: the declared size is enough

    assert _refusal(upload, max_bytes=1024) == "The selected file must be smaller than 1 KB"


def test_a_file_that_claims_to_be_small_is_counted_while_reading() -> None:
    stream = CountingBytesIO(PDF + b"x" * 5000)
    upload = SimpleUploadedFile("report.pdf", b"")
    upload.file = stream
    upload.size = 10  # the claim; the stream holds far more

    assert _refusal(upload, max_bytes=1024) == "The selected file must be smaller than 1 KB"
    assert stream.bytes_read == 1025
    assert upload.tell() == 0


def test_the_default_limit_is_10_mb_and_counted_too() -> None:
    stream = CountingBytesIO(b"a" * (MAX_UPLOAD_BYTES + 4096))
    upload = SimpleUploadedFile("notes.txt", b"")
    upload.file = stream
    upload.size = 100

    assert _refusal(upload) == TOO_LARGE_10MB
    assert stream.bytes_read == MAX_UPLOAD_BYTES + 1


def test_the_default_limit_by_declared_size() -> None:
    upload = _upload("report.pdf", PDF)
    upload.size = MAX_UPLOAD_BYTES + 1

    assert _refusal(upload) == TOO_LARGE_10MB


# --- Extension -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", EXE),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
        ("page.html", HTML),
        ("archive.zip", _docx()),
        ("report", PDF),
        (".pdf", PDF),
        ("report.pdf.exe", EXE),
    ],
)
def test_other_extensions_are_refused(name: str, content: bytes) -> None:
    assert _refusal(_upload(name, content)) == TYPE_MESSAGE


def test_the_type_message_lists_only_what_the_caller_allows() -> None:
    upload = _upload("notes.txt", b"hello")

    assert _refusal(upload, allowed=frozenset({".pdf"})) == "The selected file must be a PDF file"
    assert (
        _refusal(upload, allowed=frozenset({".png", ".jpg", ".jpeg"}))
        == "The selected file must be an image file"
    )
    assert (
        _refusal(upload, allowed=frozenset({".pdf", ".docx", ".xlsx"}))
        == "The selected file must be a PDF, Word or Excel file"
    )


def test_allowing_an_extension_we_cannot_check_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match=r"\.gif") as error:
        check_upload(_upload("a.gif", b"GIF89a"), allowed=frozenset({".gif"}))
    assert not isinstance(error.value, UploadRejected)


def test_allowed_extensions_are_the_documented_set() -> None:
    assert {
        ".pdf",
        ".docx",
        ".xlsx",
        ".pptx",
        ".odt",
        ".ods",
        ".png",
        ".jpg",
        ".jpeg",
        ".txt",
        ".csv",
    } == ALLOWED_EXTENSIONS


# --- Content must match the extension --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", EXE, "The selected file is not a real PDF file"),
        ("invoice.pdf", b"PDF-1.4 but no percent sign", "The selected file is not a real PDF file"),
        ("letter.docx", HTML, "The selected file is not a real Word file"),
        ("letter.docx", _xlsx(), "The selected file is not a real Word file"),
        (
            "letter.docx",
            _zip([("word/document.xml", b"<w:document/>")]),  # no [Content_Types].xml
            "The selected file is not a real Word file",
        ),
        (
            "macros.docx",
            _docx(("word/vbaProject.bin", b"\x00" * 10)),  # a .docm renamed
            "The selected file is not a real Word file",
        ),
        (
            "figures.xlsx",
            _zip([("readme.txt", b"hello"), ("data.csv", b"a,b")]),
            "The selected file is not a real Excel file",
        ),
        ("figures.xlsx", _docx(), "The selected file is not a real Excel file"),
        ("figures.xlsx", b"PK\x03\x04 truncated", "The selected file is not a real Excel file"),
        ("slides.pptx", _docx(), "The selected file is not a real PowerPoint file"),
        (
            "minutes.odt",
            _odf(ODS.encode()),
            "The selected file is not a real OpenDocument text file",
        ),
        (
            "minutes.odt",
            _odf(ODT.encode(), stored=False),
            "The selected file is not a real OpenDocument text file",
        ),
        (
            "minutes.odt",
            _odf(ODT.encode(), manifest=False),
            "The selected file is not a real OpenDocument text file",
        ),
        (
            "minutes.odt",
            _zip([("content.xml", b"<x/>"), ("mimetype", ODT.encode())], stored=["mimetype"]),
            "The selected file is not a real OpenDocument text file",
        ),
        ("figures.ods", _docx(), "The selected file is not a real OpenDocument spreadsheet file"),
        ("chart.png", JPEG, "The selected file is not a real PNG file"),
        ("chart.png", b"\x89PNG\r\n\x1a\n" + bytes(20), "The selected file is not a real PNG file"),
        ("photo.jpg", _png(), "The selected file is not a real JPEG file"),
        ("photo.jpeg", HTML, "The selected file is not a real JPEG file"),
        ("figures.csv", EXE, "The selected file is not a real CSV file"),
        ("figures.csv", _xlsx(), "The selected file is not a real CSV file"),
        ("figures.csv", "a,b\n1,2\n".encode("utf-16"), "The selected file is not a real CSV file"),
        ("notes.txt", b"text with a \x1b[31m escape", "The selected file is not a real text file"),
        ("notes.txt", b"text\x00with a NUL", "The selected file is not a real text file"),
        ("notes.txt", b"\xff\xfe\xfd not UTF-8", "The selected file is not a real text file"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(
    name: str, content: bytes, message: str
) -> None:
    assert _refusal(_upload(name, content)) == message


def test_a_windows_1252_csv_is_refused_as_it_is_not_utf_8() -> None:
    # Excel's plain "CSV" on Windows saves £ as one byte; we ask for UTF-8 ("CSV UTF-8").
    content = "item,cost\nTraining,£40\n".encode("cp1252")

    assert _refusal(_upload("costs.csv", content)) == "The selected file is not a real CSV file"


def test_the_log_says_what_the_content_looked_like(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="paqa.uploads"):
        _refusal(_upload("invoice.pdf", HTML))

    assert "text/html" in caplog.text


# --- Archive bombs and path tricks -----------------------------------------------------------


def _docx_with_big_entry(entry_bytes: int, chunk: int = 1024 * 1024) -> bytes:
    """A docx whose media entry is ``entry_bytes`` of zeros, deflated as it is written.

    Level 1 deflates zeros about 230 times (level 6 manages 1,000) in half the time.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/image1.png", "w") as entry:
            zeros = bytes(chunk)
            for _ in range(entry_bytes // chunk):
                entry.write(zeros)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb_200mb() -> bytes:
    return _docx_with_big_entry(200 * 1024 * 1024)


def test_a_zip_bomb_is_refused(bomb_200mb: bytes) -> None:
    assert len(bomb_200mb) < 1024 * 1024  # 200 MB squeezed under 1 MB

    assert _refusal(_upload("policy.docx", bomb_200mb)) == BOMB_MESSAGE


def test_a_high_compression_ratio_is_refused_even_under_the_total_limit() -> None:
    content = _docx_with_big_entry(20 * 1024 * 1024)  # 20 MB of zeros, ratio about 230

    assert _refusal(_upload("policy.docx", content)) == BOMB_MESSAGE


def test_small_entries_that_compress_well_are_fine() -> None:
    # Under 1 MB unpacked, an extreme ratio does no harm (XML full of repeats is normal).
    content = _docx_with_big_entry(512 * 1024, chunk=64 * 1024)

    assert check_upload(_upload("policy.docx", content)).content_type == DOCX


def test_a_large_total_of_small_entries_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each entry is under the ratio threshold; together they unpack past the total limit.
    # The limit is lowered so the test builds 3 MB rather than 100 MB.
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    entries = [(f"word/media/part{i}.bin", bytes(900 * 1024)) for i in range(3)]
    content = _docx(*entries)

    assert _refusal(_upload("policy.docx", content)) == BOMB_MESSAGE


def test_the_total_limit_is_100_mb() -> None:
    assert uploads.MAX_UNPACKED_BYTES == 100 * 1024 * 1024


def test_too_many_entries_are_refused() -> None:
    entries = [(f"word/part{i}.xml", b"") for i in range(10_001)]
    content = _docx(*entries)

    assert _refusal(_upload("policy.docx", content)) == BOMB_MESSAGE


def test_ten_thousand_entries_are_allowed() -> None:
    entries = [(f"word/part{i}.xml", b"") for i in range(10_000 - 3)]
    content = _docx(*entries)

    assert check_upload(_upload("policy.docx", content)).content_type == DOCX


@pytest.mark.parametrize("inner", ["word/media/inner.zip", "xl/stuff.ZIP", "word/x.tar.gz"])
def test_nested_archives_are_refused(inner: str) -> None:
    content = _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", b"<w:document/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            (inner, _zip([("a.txt", b"a")])),
        ]
    )

    assert _refusal(_upload("file.docx", content)) == BOMB_MESSAGE


def test_overlapping_entries_are_refused() -> None:
    # The "better zip bomb" shape: central directory records that share one compressed stream.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/copy.xml", b"<w:document/>")
        archive.filelist[2].header_offset = archive.filelist[1].header_offset

    assert _refusal(_upload("policy.docx", buffer.getvalue())) == BOMB_MESSAGE


@pytest.mark.parametrize(
    "entry",
    ["../evil.txt", "word/../../evil.txt", "/etc/cron.d/evil", "C:/Windows/evil.dll"],
)
def test_entries_that_escape_the_folder_are_refused(entry: str) -> None:
    content = _docx((entry, b"evil"))

    assert _refusal(_upload("policy.docx", content)) == "The selected file is not a real Word file"


def test_a_backslash_traversal_entry_is_refused() -> None:
    content = _docx(("word/placeholder.xml", b"<x/>"))
    # zipfile would turn backslashes into slashes when writing on Windows only; patch the bytes
    # so the stored name really holds them (same length as the original name).
    content = content.replace(b"word/placeholder.xml", b"word\\..\\..\\..\\ev.xml")

    assert _refusal(_upload("policy.docx", content)) == "The selected file is not a real Word file"


# --- File names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Report.pdf", "Report.pdf"),
        ("C:\\Users\\sam\\Documents\\Report.PDF", "Report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\boot.ini.txt", "boot.ini.txt"),
        ("a..b...pdf", "a.b.pdf"),
        ("..hidden.pdf", "hidden.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("  spaced   out  .pdf", "spaced out.pdf"),
        ("tab\there\nnew\x00line\x7f.pdf", "tabherenewline.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override removed
        ('what<>:"|?*.pdf', "what_______.pdf"),
        ("CON.txt", "_CON.txt"),
        ("Siân’s report é.pdf", "Siân’s report é.pdf"),
        ("", "upload"),
        ("...", "upload"),
        ("../", "upload"),
    ],
)
def test_safe_name(given: str, expected: str) -> None:
    assert safe_name(given) == expected


def test_long_names_are_shortened_keeping_the_extension() -> None:
    name = safe_name("x" * 300 + ".docx")

    assert len(name) == 150
    assert name == "x" * 145 + ".docx"


def test_the_checked_upload_carries_the_safe_name() -> None:
    upload = _upload("report.pdf", PDF)
    upload.name = "C:\\fakepath\\..\\" + "é" * 200 + "\x01.PDF"  # as a browser might send

    checked = check_upload(upload)

    assert checked == CheckedUpload(
        name="é" * 146 + ".pdf", content_type="application/pdf", size=len(PDF)
    )


def test_django_strips_unix_paths_and_we_keep_the_rest_safe() -> None:
    checked = check_upload(_upload("../../../.env.csv", b"a,b\n"))

    assert checked.name == "env.csv"


# --- Sizes for people ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (512 * 1024, "512 KB"),
        (1536 * 1024, "1.5 MB"),
        (1024 * 1024 - 1, "1 MB"),
        (10 * 1024 * 1024, "10 MB"),
        (MAX_UPLOAD_BYTES, "10 MB"),
        (5 * 1024**3, "5 GB"),
    ],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_a_lower_limit_is_named_in_the_message() -> None:
    upload = _upload("notes.txt", b"a" * 600 * 1024)

    assert _refusal(upload, max_bytes=512 * 1024) == "The selected file must be smaller than 512 KB"


def test_the_entry_count_is_checked_before_the_directory_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = _docx(*[(f"word/part{i}.xml", b"") for i in range(10_001)])

    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(zipfile, "ZipFile", must_not_parse)

    assert _refusal(_upload("policy.docx", content)) == BOMB_MESSAGE
