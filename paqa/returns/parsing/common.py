"""What the return parsers share: dates, codes, yes/no flags and postcodes checked field by field;
problems collected with where they are; keyed pseudonyms; and the safety checks on a file's first
bytes before any XML parser sees it.

Nothing here keeps a raw value: a checked value comes back as a date, a code from the code list,
a flag or a postcode district, and a problem's message repeats a value only when the field cannot
identify a child (never a child identifier, a date of birth or a postcode).
"""

from __future__ import annotations

import hmac
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, BinaryIO

from lxml import etree

from paqa.returns.records import ReturnProblem, birth_month

MAX_PROBLEMS = 1000  # listed one by one; past that, one line says how many more there were
HEAD_BYTES = 64 * 1024  # how much of a file is read to decide what it is, before parsing it


# Problems ---------------------------------------------------------------------------------------


class Problems:
    """The problems found in one return, up to `limit` of them listed, then a count of the rest
    (a file that is wrong on every row would otherwise grow a list as long as itself)."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.items: list[ReturnProblem] = []
        self.unlisted = 0

    def add(self, table: str, row: int, field: str, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(ReturnProblem(table, row, field, message))
        else:
            self.unlisted += 1

    def result(self) -> list[ReturnProblem]:
        if self.unlisted:
            more = f"{self.unlisted:,} more problem{'s' if self.unlisted > 1 else ''} not listed"
            return [*self.items, ReturnProblem("", 0, "", more)]
        return list(self.items)


# Values -----------------------------------------------------------------------------------------

_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*[0-9][A-Z]{2})?")
_FLAGS = {"0": False, "1": True, "false": False, "true": True}


def parse_dmy(text: str) -> date | None:
    """`dd/mm/yyyy` (the SSDA903's form; a single-digit day or month is accepted) as a date, or
    None when it is not a real date."""
    match = _DMY.fullmatch(text)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_iso(text: str) -> date | None:
    """`yyyy-mm-dd` (xs:date, the CIN census's form, a time zone allowed) as a date, or None."""
    match = _ISO.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


# The same, remembering recent answers: for dates that cannot identify anyone (an episode's
# start, a referral's date) and repeat from row to row. Dates of birth go uncached, so none stays
# in memory after the parse.
dmy_date = lru_cache(maxsize=8192)(parse_dmy)
iso_date = lru_cache(maxsize=8192)(parse_iso)


def postcode_or_district(text: str) -> str | None:
    """The district of a full postcode (as records.postcode_district cuts it), or an outward
    code given alone ("OX1"), or None when `text` is neither: free text in a postcode field is
    never kept, even cut."""
    text = text.strip()
    match = _POSTCODE.fullmatch(text if text.isupper() else text.upper())
    return match.group(1) if match else None


def code_list(codes: str | Iterable[str]) -> dict[str, str]:
    """A code list (given as a space-separated string, or the codes) as a lookup from each code
    to itself, so a checked value is replaced by the list's own string: one object per code
    however many rows carry it."""
    return {code: code for code in (codes.split() if isinstance(codes, str) else codes)}


class Pseudonyms:
    """Keyed pseudonyms (the same as records.pseudonym, computed in one call to OpenSSL) and the
    other short strings of the records, each kept once however many records share it."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._strings: dict[str, str] = {}
        self._months: dict[date, str] = {}
        self._last = ("", "")  # the last child asked for: a child's rows tend to come together

    def child(self, child_id: str) -> str:
        child_id = child_id.strip()
        if child_id and child_id == self._last[0]:
            return self._last[1]
        digest = hmac.digest(self._key, child_id.encode("utf-8"), "sha256").hex()
        pseudonym = self._strings.setdefault(digest, digest)
        self._last = (child_id, pseudonym)
        return pseudonym

    def share(self, text: str) -> str:
        return self._strings.setdefault(text, text)

    def month(self, born: date | None) -> str:
        if born is None:
            return ""
        month = self._months.get(born)
        if month is None:
            month = self._months[born] = self.share(birth_month(born))
        return month


class Check:
    """Checks the fields of one row (CSV) or one element (XML), adding a problem for each wrong
    field; `ok` says whether all were right. `where` is added to field names in problems (the
    XML forms say which EPISODE or CINdetails), `names` renames fields for them (CHILDID)."""

    def __init__(
        self,
        problems: Problems,
        table: str,
        row: int,
        values: Mapping[str, str],
        *,
        where: str = "",
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.problems = problems
        self.table = table
        self.row = row
        self.values = values
        self.where = where
        self.names = names or {}
        self.ok = True

    def problem(self, field: str, message: str) -> None:
        self.ok = False
        name = self.names.get(field, field)
        self.problems.add(
            self.table, self.row, f"{name} ({self.where})" if self.where else name, message
        )

    def text(self, field: str, *, required: bool = False) -> str:
        value = (self.values.get(field) or "").strip()
        if required and not value:
            self.problem(field, "is required but empty or missing")
        return value

    def dmy(self, field: str, *, required: bool = False, identifying: bool = False) -> date | None:
        parse = parse_dmy if identifying else dmy_date
        return self._date(field, parse, "dd/mm/yyyy", required, identifying)

    def iso(self, field: str, *, required: bool = False, identifying: bool = False) -> date | None:
        parse = parse_iso if identifying else iso_date
        return self._date(field, parse, "yyyy-mm-dd", required, identifying)

    def _date(
        self, field: str, parse: Any, form: str, required: bool, identifying: bool
    ) -> date | None:
        value = self.text(field, required=required)
        if not value:
            return None
        day: date | None = parse(value)
        if day is None:
            shown = "the value" if identifying else f"'{value}'"
            self.problem(field, f"{shown} is not a date ({form})")
        return day

    def code(self, field: str, codes: Mapping[str, str], *, required: bool = False) -> str:
        value = self.text(field, required=required)
        if not value:
            return ""
        code = codes.get(value) or codes.get(value.upper())
        if code is None:
            listed = ", ".join(codes)
            name = self.names.get(field, field)
            self.problem(field, f"'{value}' is not one of the {name} codes ({listed})")
            return ""
        return code

    def flag(self, field: str) -> bool:
        value = self.text(field)
        if not value:
            return False
        flag = _FLAGS.get(value.lower())
        if flag is None:
            self.problem(field, f"'{value}' is not a yes/no value (0, 1, true or false)")
            return False
        return flag

    def count(self, field: str) -> int | None:
        value = self.text(field)
        if not value:
            return None
        if not value.isdigit() or not value.isascii():
            self.problem(field, f"'{value}' is not a whole number")
            return None
        return int(value)

    def postcode(self, field: str) -> str:
        value = self.text(field)
        if not value:
            return ""
        district = postcode_or_district(value)
        if district is None:
            self.problem(field, "the value is not a postcode")
            return ""
        return district

    def not_before(
        self, later: str, later_day: date | None, earlier: str, day: date | None
    ) -> None:
        if later_day is not None and day is not None and later_day < day:
            name = self.names.get(earlier, earlier)
            self.problem(later, f"is before {name}")


# Files ------------------------------------------------------------------------------------------


class Prefixed(io.RawIOBase):
    """A stream that gives back the bytes already read from it (`head`) before the rest, so a
    file can be looked at before it is parsed without being read twice or held. Closing it
    leaves the underlying stream open: that belongs to the caller."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def read_head(stream: BinaryIO, size: int = HEAD_BYTES) -> bytes:
    """Up to `size` bytes from the start of `stream` (reading more than once if it gives less)."""
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
DOCTYPE_REFUSED = "the file has a document type declaration (DOCTYPE), which is not allowed"
_XML_NAME = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")


def head_text(head: bytes) -> str:
    """The start of a file as text, for looking at (not parsing): by its byte-order mark, else
    UTF-16 when every other byte is NUL, else UTF-8; undecodable bytes replaced."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return head[len(mark) :].decode(encoding, errors="replace")
    if head[:1] == b"<" and head[1:2] == b"\x00":
        return head.decode("utf-16-le", errors="replace")
    if head[:1] == b"\x00" and head[1:2] == b"<":
        return head.decode("utf-16-be", errors="replace")
    return head.decode("utf-8", errors="replace")


def xml_root(head: bytes) -> tuple[str, str]:
    """(root element's local name, "") when the start of a file is an XML prolog followed by a
    root element; ("", why not) otherwise. A document type declaration is refused outright: a
    return never needs one, and entity definitions in it are the way to XML entity attacks."""
    text = head_text(head).lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return "", "the file is not XML"
    position = 0
    while True:
        position = _skip_space(text, position)
        if text.startswith("<?", position):
            end = text.find("?>", position)
            if end < 0:
                break
            position = end + 2
        elif text.startswith("<!--", position):
            end = text.find("-->", position)
            if end < 0:
                break
            position = end + 3
        elif text.startswith("<!", position):
            return "", DOCTYPE_REFUSED
        else:
            match = _XML_NAME.match(text, position)
            if not match:
                return "", "the file is not XML"
            return match.group(1).rpartition(":")[2], ""
    return "", "no root element in the first part of the file: it is not an XML return"


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def safe_iterparse(head: bytes, rest: BinaryIO, names: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """lxml's iterparse over a file whose prolog xml_root has accepted, with every way out of
    the document closed: no DTD loaded, no entity resolved, no network, no huge text nodes.
    Events ("start", "end") come only for the elements of those local `names`, in any
    namespace."""
    return etree.iterparse(
        Prefixed(head, rest),
        events=("start", "end"),
        tag=[f"{{*}}{name}" for name in names],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def has_doctype(element: Any) -> bool:
    """Whether the document an element belongs to has a document type declaration."""
    info = element.getroottree().docinfo
    return bool(info.doctype) or info.internalDTD is not None


def refusal(element: Any, root: str) -> str:
    """The second look, at the first element the parser gives: why the document must not be
    read further ("" when it may), should the parser have seen it otherwise than xml_root did
    (a DOCTYPE; another root element)."""
    if has_doctype(element):
        return DOCTYPE_REFUSED
    found = local_name(element.getroottree().getroot().tag)
    return "" if found == root else f"the root element is {found}, not {root}"


def local_name(tag: Any) -> str:
    """An element's name without its namespace ("" for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def values_of(element: Any) -> dict[str, str]:
    """The text of the first child element of each local name (split without the groups)."""
    values: dict[str, str] = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            name = tag.rpartition("}")[2] if tag[:1] == "{" else tag
            if name not in values:
                values[name] = child.text or ""
    return values


def split(element: Any) -> tuple[dict[str, str], dict[str, list[Any]]]:
    """The child elements of `element` in one pass, by local name: the text of the first of
    each name, and all of each name, in order."""
    values: dict[str, str] = {}
    groups: dict[str, list[Any]] = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = tag.rpartition("}")[2] if tag[:1] == "{" else tag
        if name not in values:
            values[name] = child.text or ""
            groups[name] = [child]
        else:
            groups[name].append(child)
    return values, groups


def forget(element: Any) -> None:
    """Free an element the parse has finished with, and the siblings before it, so a streamed
    document's memory stays flat whatever its length."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def syntax_message(error: etree.XMLSyntaxError) -> str:
    line = f" (line {error.lineno})" if error.lineno else ""
    return f"the XML is not well-formed from here{line}: {error.msg}"
