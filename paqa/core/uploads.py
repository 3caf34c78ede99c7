"""Checks for evidence documents people attach to Section 11 self-assessment returns.

An attachment is read by other people in the partnership, on their own machines, so we accept
only the everyday document and image types, and we check that what arrived really is the type
its name claims: a renamed program, web page or archive is refused. ZIP-based documents (Word,
Excel, PowerPoint, OpenDocument) are also checked for archive bombs by reading only their
central directory, so nothing is ever unpacked here.

``check_upload`` raises ``UploadRejected`` with a message to show the person (GOV.UK error
message style); callers store the file only when it returns.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import puremagic
from django.core.files.uploadedfile import UploadedFile

logger = logging.getLogger("paqa.uploads")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MB default

# Archive bomb limits for ZIP-based documents. A large real spreadsheet unpacks to tens of MB
# and compresses XML about 10 to 20 times; these leave ample room for that.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # small entries can compress absurdly well, harmlessly
MAX_ARCHIVE_ENTRIES = 10_000
# Archives inside the document: no real document needs them, and unpacking tools recurse into
# them (the classic nested "42.zip" bomb). Embedded Office documents (for example the .xlsx
# behind a chart in a .docx) are normal and stay allowed; the size and ratio limits cover them.
NESTED_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst")

MAX_NAME_LENGTH = 150
_READ_CHUNK = 64 * 1024

_PDF = "application/pdf"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_ODT = "application/vnd.oasis.opendocument.text"
_ODS = "application/vnd.oasis.opendocument.spreadsheet"


class UploadRejected(ValueError):
    """The file was refused; ``str(error)`` is the message to show the person who chose it."""


@dataclass(frozen=True)
class CheckedUpload:
    """What we know about an accepted file, from its content rather than what the browser said."""

    name: str  # safe to store and to put in a Content-Disposition header
    content_type: str  # determined from content, never the browser's claim
    size: int  # bytes actually read


class _NotThisType(Exception):
    """Internal: the content does not match the extension (turned into a user message)."""


class _ArchiveBomb(Exception):
    """Internal: the ZIP would unpack to far more than is reasonable."""


@dataclass(frozen=True)
class _Kind:
    """One accepted extension: how to describe it and how to recognise its content."""

    group: str  # the word in "must be a PDF, Word, … file"
    label: str  # the word in "is not a real … file"
    content_type: str
    check: Callable[[bytes], None]  # raises _NotThisType or _ArchiveBomb


def human_size(n: int) -> str:
    """A size as people read it: "512 KB", "10 MB", "1.5 GB" (1 KB = 1,024 bytes)."""
    if n < 1024:
        return "1 byte" if n == 1 else f"{n} bytes"
    units = ("KB", "MB", "GB", "TB")
    value, index = n / 1024, 0
    while round(value, 1) >= 1024 and index < len(units) - 1:  # 1023.99 KB reads "1 MB"
        value, index = value / 1024, index + 1
    return f"{value:.1f}".removesuffix(".0") + " " + units[index]


# --- File names ------------------------------------------------------------------------------

_RESERVED_CHARS = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def safe_name(name: str) -> str:
    """A file name that is safe to store and to send back in a download header.

    Browsers may send a full path (old Internet Explorer), and a name is chosen by the person
    uploading, so it can carry '..', control characters, or right-to-left overrides that make
    "evil<U+202E>fdp.exe" display as "evilexe.pdf". We keep the base name only, drop control and
    formatting characters, replace characters Windows forbids, remove leading dots (hidden
    files) and runs of dots, and shorten long names to MAX_NAME_LENGTH while keeping the
    extension (lower-cased, as we match on it).
    """
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"})
    name = _RESERVED_CHARS.sub("_", name)
    name = " ".join(name.split())
    name = re.sub(r"\.{2,}", ".", name)
    name = name.lstrip(". ").rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16 or " " in extension:
        stem, extension = name, ""
    else:
        extension = "." + extension.lower()
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(". ")
    return (stem or "upload") + extension


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return "." + extension if dot and stem else ""


# --- Content checks --------------------------------------------------------------------------


def _check_pdf(data: bytes) -> None:
    # ISO 32000 puts the header first; "%PDF-" then a version such as 1.7 or 2.0.
    if not re.match(rb"%PDF-\d\.\d", data):
        raise _NotThisType


def _check_png(data: bytes) -> None:
    # The 8-byte signature, then the IHDR chunk, which the PNG spec requires to come first.
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") and data[8:16] == b"\x00\x00\x00\x0dIHDR"):
        raise _NotThisType


def _check_jpeg(data: bytes) -> None:
    # Start-of-image marker followed by the next marker's 0xFF.
    if not data.startswith(b"\xff\xd8\xff"):
        raise _NotThisType


# C0 controls other than tab, line feed, form feed and carriage return; DEL; C1 controls.
_BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _check_text(data: bytes) -> None:
    """UTF-8 text (a byte order mark is allowed) with no binary control characters."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _NotThisType from None
    if _BINARY_CHARACTERS.search(text):
        raise _NotThisType


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """Open a ZIP held in memory, after the cheap checks that need no parsing.

    ``data`` is already at most max_bytes long, so parsing the central directory is bounded;
    the entry count in the end record lets us refuse a huge directory before parsing it.
    """
    if not data.startswith(b"PK\x03\x04"):
        raise _NotThisType
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end == -1 or len(data) - end < 22:
        raise _NotThisType
    total_entries = struct.unpack_from("<H", data, end + 10)[0]
    if total_entries != 0xFFFF and total_entries > MAX_ARCHIVE_ENTRIES:  # 0xFFFF: see ZIP64
        raise _ArchiveBomb
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _NotThisType from None


def _unsafe_entry_name(name: str) -> bool:
    """Absolute paths, drive letters and '..' let a careless unpacker write outside its folder."""
    if "\x00" in name:
        return True
    parts = name.replace("\\", "/")
    if parts.startswith("/") or re.match(r"[A-Za-z]:", parts):
        return True
    return ".." in parts.split("/")


def _check_zip_safety(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Refuse archive bombs and path tricks, from the central directory alone (no unpacking).

    The sizes checked are those the archive declares. A reader that honours them (Python's
    zipfile stops at the declared size) cannot be made to unpack more than we checked.
    """
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise _ArchiveBomb
    total = 0
    for entry in entries:
        if _unsafe_entry_name(entry.filename):
            raise _NotThisType
        if entry.filename.lower().endswith(NESTED_ARCHIVE_SUFFIXES):
            raise _ArchiveBomb
        total += entry.file_size
        if total > MAX_UNPACKED_BYTES:
            raise _ArchiveBomb
        if entry.file_size > RATIO_CHECK_FROM_BYTES and (
            entry.compress_size == 0
            or entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO
        ):
            raise _ArchiveBomb
    # Overlapping entries (many names sharing one compressed stream) are a known bomb shape;
    # each local header is at least 30 bytes before its compressed data.
    ordered = sorted(entries, key=lambda e: e.header_offset)
    for current, following in itertools.pairwise(ordered):
        if current.header_offset + 30 + current.compress_size > following.header_offset:
            raise _ArchiveBomb
    return entries


def _ooxml_checker(folder: str) -> Callable[[bytes], None]:
    """Office Open XML: a ZIP with [Content_Types].xml and the application's own folder."""

    def check(data: bytes) -> None:
        with _open_zip(data) as archive:
            names = {entry.filename for entry in _check_zip_safety(archive)}
        if "[Content_Types].xml" not in names:
            raise _NotThisType
        if not any(name.startswith(folder) for name in names):
            raise _NotThisType
        # Macros make it a .docm/.xlsm/.pptm renamed; Office itself refuses to open those.
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise _NotThisType

    return check


def _odf_checker(mimetype: str) -> Callable[[bytes], None]:
    """OpenDocument: the first entry is an uncompressed "mimetype" holding the exact type."""

    def check(data: bytes) -> None:
        with _open_zip(data) as archive:
            entries = _check_zip_safety(archive)
            if not entries or entries[0].filename != "mimetype":
                raise _NotThisType
            first = entries[0]
            if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
                raise _NotThisType
            try:
                content = archive.read(first)  # at most 100 bytes, checked above
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                raise _NotThisType from None
            if content != mimetype.encode("ascii"):
                raise _NotThisType
            if "META-INF/manifest.xml" not in {entry.filename for entry in entries}:
                raise _NotThisType

    return check


_KINDS: dict[str, _Kind] = {
    ".pdf": _Kind("PDF", "PDF", _PDF, _check_pdf),
    ".docx": _Kind("Word", "Word", _DOCX, _ooxml_checker("word/")),
    ".xlsx": _Kind("Excel", "Excel", _XLSX, _ooxml_checker("xl/")),
    ".pptx": _Kind("PowerPoint", "PowerPoint", _PPTX, _ooxml_checker("ppt/")),
    ".odt": _Kind("OpenDocument", "OpenDocument text", _ODT, _odf_checker(_ODT)),
    ".ods": _Kind("OpenDocument", "OpenDocument spreadsheet", _ODS, _odf_checker(_ODS)),
    ".png": _Kind("image", "PNG", "image/png", _check_png),
    ".jpg": _Kind("image", "JPEG", "image/jpeg", _check_jpeg),
    ".jpeg": _Kind("image", "JPEG", "image/jpeg", _check_jpeg),
    ".txt": _Kind("text", "text", "text/plain", _check_text),
    ".csv": _Kind("CSV", "CSV", "text/csv", _check_text),
}

ALLOWED_EXTENSIONS: frozenset[str] = frozenset(_KINDS)


def _type_message(allowed: frozenset[str]) -> str:
    """The "must be a PDF, Word, … or CSV file" message, listing only the allowed kinds."""
    groups: list[str] = []
    for extension, kind in _KINDS.items():
        if extension in allowed and kind.group not in groups:
            groups.append(kind.group)
    listed = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " or " + groups[-1]
    article = "an" if listed[0] in "AEIOUaeiou" else "a"
    return f"The selected file must be {article} {listed} file"


def _sniff(data: bytes) -> str:
    """What puremagic thinks the content is, for the log only: its guesses are not decisive
    (it calls any ZIP a .docx), so the decision rests on the explicit checks above."""
    try:
        matches = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        return "unknown"
    if not matches:
        return "unknown"
    best = matches[0]
    return " ".join(part for part in (best.name, best.extension, best.mime_type) if part)


def _read_bounded(upload: UploadedFile, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes: enough to know the file is too large, never more."""
    upload.seek(0)
    buffer = bytearray()
    while len(buffer) <= max_bytes:
        chunk = upload.read(min(_READ_CHUNK, max_bytes + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def check_upload(
    upload: UploadedFile,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    allowed: frozenset[str] = ALLOWED_EXTENSIONS,
) -> CheckedUpload:
    """Accept the file or raise UploadRejected; nothing is stored or unpacked here.

    The browser's size and content type are claims, so the size is counted while reading and
    the type is decided from the bytes. The file position is put back to the start either way,
    so the caller can save the same upload object.
    """
    unknown = allowed - ALLOWED_EXTENSIONS
    if unknown or not allowed:  # a programming error, not the user's
        raise ValueError(f"Cannot check uploads for {sorted(unknown) or 'no extensions'}")
    too_large = f"The selected file must be smaller than {human_size(max_bytes)}"

    name = safe_name(upload.name or "")
    if upload.size == 0:
        raise UploadRejected("The selected file is empty")
    if upload.size is not None and upload.size > max_bytes:
        raise UploadRejected(too_large)
    extension = _extension(name)
    if extension not in allowed:
        logger.info("Upload refused: extension %r not allowed", extension)
        raise UploadRejected(_type_message(allowed))
    kind = _KINDS[extension]

    try:
        data = _read_bounded(upload, max_bytes)
    finally:
        upload.seek(0)
    if len(data) > max_bytes:
        raise UploadRejected(too_large)
    if not data or (kind.check is _check_text and data == b"\xef\xbb\xbf"):  # BOM only
        raise UploadRejected("The selected file is empty")

    try:
        kind.check(data)
    except _NotThisType:
        logger.info("Upload refused: %s content looks like %s", extension, _sniff(data))
        raise UploadRejected(f"The selected file is not a real {kind.label} file") from None
    except _ArchiveBomb:
        logger.warning("Upload refused: %s would unpack too large", extension)
        raise UploadRejected(
            "The selected file is too large when unpacked, so it could not be checked"
        ) from None
    return CheckedUpload(name=name, content_type=kind.content_type, size=len(data))
