"""The SSDA903 return (children looked after), as CSV tables or as the XML form, streamed into
the minimised records of paqa.returns.records (docs/statutory-returns.md §2.1).

PAQA needs three tables: Header (a child's date of birth, kept as its month), Episodes and
Missing. The other tables are recognised, counted and left unread. A CSV table is known by its
set of columns, in any order, never by its file name.

A row with a problem gives no record: the figures are computed only from rows that passed, and
the problems say what was left out and why. Problems are found on every row, not only the first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, BinaryIO

from lxml import etree

from paqa.returns.parsing.common import (
    MAX_PROBLEMS,
    Check,
    Prefixed,
    Problems,
    Pseudonyms,
    code_list,
    dmy_date,
    forget,
    local_name,
    postcode_or_district,
    read_head,
    refusal,
    safe_iterparse,
    split,
    syntax_message,
    values_of,
    xml_root,
)
from paqa.returns.records import CareEpisode, MissingEpisode, ReturnProblem

# The tables and their exact columns (csc-validator-be-903, lac_validator/config.py).
TABLES_903: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "PlacedAdoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}
_BY_COLUMNS = {frozenset(columns): table for table, columns in TABLES_903.items()}

# Code lists (liia-tools-pipeline SSDA903 schemas, 2017 and the yearly differences to 2026);
# where a list changed over the years, the union, so any year's return is read.
RNE = code_list("S L P T B U")
LEGAL_STATUS = code_list("C1 C2 D1 E1 V2 V3 V4 L1 L2 L3 J1 J2 J3")
NEED = code_list(f"N{n}" for n in range(1, 9))
PLACEMENT = code_list(
    "A3 A4 A5 A6 H5 K1 K2 K3 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1"
    " Z11 Z12 Z13 Z14"
)
REASON_ENDED = code_list(
    "X1 E11 E12 E2 E3 E4A E4B E13 E41 E43 E44 E45 E46 E47 E48 E5 E6 E7 E9 E14 E15 E16 E17 E8"
)
MISSING_KIND = code_list("M A")
SEX = code_list("1 2 M F U")

_COLUMN_LIKE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789")


@dataclass
class Parsed903:
    episodes: list[CareEpisode] = field(default_factory=list)
    missing: list[MissingEpisode] = field(default_factory=list)
    problems: list[ReturnProblem] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # rows read, by table


def _columns(header: Iterable[str]) -> list[str]:
    return [column.strip().lstrip("\ufeff").upper() for column in header]


def identify_903_table(header: list[str]) -> str | None:
    """The SSDA903 table whose columns are exactly `header` (in any order, case and surrounding
    spaces aside), or None; explain_903_header says why not."""
    columns = _columns(header)
    if len(set(columns)) != len(columns):
        return None
    return _BY_COLUMNS.get(frozenset(columns))


def explain_903_header(header: list[str]) -> str:
    """Why `header` is not an SSDA903 table: the nearest table and the columns missing from it
    or not expected in it. Column names that are not shaped like one (perhaps a first row of
    data rather than a header) are counted, not repeated."""
    columns = [column for column in _columns(header) if column]
    twice = sorted({column for column in columns if columns.count(column) > 1})
    if twice:
        return f"the columns {', '.join(_shown(twice))} appear more than once"
    given = set(columns)

    def closeness(table: str) -> tuple[int, int]:
        expected = set(TABLES_903[table])
        return len(given & expected), -len(given ^ expected)

    nearest = max(TABLES_903, key=closeness)
    if len(given & set(TABLES_903[nearest])) < 2:
        return (
            "the first row is not the column names of an SSDA903 table ("
            + ", ".join(TABLES_903)
            + "); a file must hold one table with its header row"
        )
    missing = [column for column in TABLES_903[nearest] if column not in given]
    unexpected = [column for column in columns if column not in TABLES_903[nearest]]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if unexpected:
        parts.append("not expected: " + ", ".join(_shown(unexpected)))
    return (
        f"the columns are not exactly those of an SSDA903 table: nearest is {nearest}, "
        + "; ".join(parts)
    )


def _shown(columns: list[str]) -> list[str]:
    named = [c for c in columns if len(c) <= 40 and set(c) <= _COLUMN_LIKE and not c[0].isdigit()]
    others = len(columns) - len(named)
    return [*named, f"{others} other value{'s' if others > 1 else ''}"] if others else named


class _Reader:
    """One parse: the records so far, the problems, and per child what the tables share (the
    birth month from Header; where a child first appeared in Episodes)."""

    def __init__(self, key: bytes, max_problems: int) -> None:
        self.names = Pseudonyms(key)
        self.problems = Problems(max_problems)
        self.result = Parsed903()
        self.births: dict[str, tuple[str, int]] = {}  # child → (birth month, Header row)
        self.first_episode: dict[str, int] = {}  # child → Episodes row where first seen
        self.pending: list[Any] = []  # the episodes, as tuples until done

    def counted(self, table: str) -> None:
        self.result.tables[table] = self.result.tables.get(table, 0) + 1

    # Rows, in either form ---------------------------------------------------------------------

    def header(self, check: Check) -> tuple[str, str] | None:
        """(child, birth month) from a Header row, or None when the child is unknown."""
        child_id = check.text("CHILD", required=True)
        check.code("SEX", SEX, required=True)
        born = check.dmy("DOB", required=True, identifying=True)
        if not child_id:
            return None
        child = self.names.child(child_id)
        month = self.names.month(born)
        if child in self.births:
            first = self.births[child][1]
            check.problem("CHILD", f"the child is in the Header table more than once (row {first})")
        else:
            self.births[child] = (month, check.row)
        return child, month

    def episode(self, check: Check, birth: str | None) -> None:
        """An Episodes row; `birth` is the child's birth month when the form gives it alongside
        (XML), None when it is to be found in the Header table (CSV)."""
        child_id = check.text("CHILD", required=True)
        start = check.dmy("DECOM", required=True)
        new_episode = check.code("RNE", RNE, required=True)
        legal_status = check.code("LS", LEGAL_STATUS, required=True)
        need = check.code("CIN", NEED, required=True)
        placement = check.code("PLACE", PLACEMENT, required=True)
        end = check.dmy("DEC")
        reason = check.code("REC", REASON_ENDED)
        if end is not None and not check.text("REC"):
            check.problem("REC", "is required when DEC is given")
        check.not_before("DEC", end, "DECOM", start)
        home = check.postcode("HOME_POST")
        placed = check.postcode("PL_POST")
        if check.ok and start is not None:
            self.add_episode(
                child_id, check.row, birth, start, new_episode, legal_status, need, placement,
                end, reason, home, placed,
            )  # fmt: skip

    def add_episode(
        self,
        child_id: str,
        row: int,
        birth: str | None,
        start: date,
        new_episode: str,
        legal_status: str,
        need: str,
        placement: str,
        end: date | None,
        reason: str,
        home: str,
        placed: str,
    ) -> None:
        child = self.names.child(child_id)
        if birth is None and child not in self.births:
            self.first_episode.setdefault(child, row)
        # Kept as a tuple until the end, when every birth month is known (done).
        self.pending.append(
            (
                child,
                birth,
                start,
                new_episode,
                legal_status,
                need,
                placement,
                end,
                reason,
                self.names.share(home),
                self.names.share(placed),
            )
        )

    def missing(self, check: Check) -> None:
        child_id = check.text("CHILD", required=True)
        kind = check.code("MISSING", MISSING_KIND, required=True)
        start = check.dmy("MIS_START", required=True)
        end = check.dmy("MIS_END")
        check.not_before("MIS_END", end, "MIS_START", start)
        if not check.ok or start is None:
            return
        self.result.missing.append(MissingEpisode(self.names.child(child_id), kind, start, end))

    # CSV --------------------------------------------------------------------------------------

    def csv_file(self, name: str, stream: BinaryIO) -> None:
        head = read_head(stream)
        why = _not_csv(head)
        if why:
            self.problems.add(name, 0, "", why)
            return
        text = io.TextIOWrapper(
            io.BufferedReader(Prefixed(head, stream)), encoding="utf-8-sig", newline=""
        )
        with text:
            rows = csv.reader(text)
            try:
                header = next(rows, None)
            except (UnicodeDecodeError, csv.Error) as error:
                self.problems.add(name, 1, "", _unreadable(error))
                return
            while header and not header[-1].strip():
                header = header[:-1]  # empty trailing columns, as spreadsheets leave them
            if not header:
                self.problems.add(name, 1, "", "the file has no header row")
                return
            table = identify_903_table(header)
            if table is None:
                self.problems.add(name, 1, "", explain_903_header(header))
                return
            self.result.tables.setdefault(table, 0)
            self._csv_rows(table, _columns(header), rows)

    def _csv_rows(self, table: str, columns: list[str], rows: Iterator[list[str]]) -> None:
        """Each row of one table. Episodes, the long table, are checked first by a quick path
        that takes only rows exactly right (codes as listed, nothing to report); any other row
        goes through Check, which reports what is wrong (or keeps it, if nothing is)."""
        handle = {"Header": self.header, "Missing": self.missing}.get(table)
        width = len(columns)
        is_episodes = table == "Episodes"
        if is_episodes:
            fields = itemgetter(*(columns.index(column) for column in _QUICK_FIELDS))
        read = 0
        row_number = 1
        try:
            for row_number, row in enumerate(rows, start=2):
                if not any(row):
                    continue  # a blank line
                read += 1
                if len(row) != width:
                    if len(row) > width and not any(cell.strip() for cell in row[width:]):
                        row = row[:width]
                    else:
                        message = f"the row has {len(row)} values; the header has {width}"
                        self.problems.add(table, row_number, "", message)
                        continue
                if is_episodes:
                    if not self._quick_episode(row, row_number, fields):
                        values = dict(zip(columns, row, strict=True))
                        self.episode(Check(self.problems, table, row_number, values), None)
                elif handle is not None:
                    handle(
                        Check(
                            self.problems, table, row_number, dict(zip(columns, row, strict=True))
                        )
                    )
        except (UnicodeDecodeError, csv.Error) as error:
            self.problems.add(table, row_number + 1, "", _unreadable(error))
        self.result.tables[table] += read

    def _quick_episode(self, row: list[str], row_number: int, fields: Any) -> bool:
        """Keep an Episodes row that is exactly right; False for any other (values with spaces
        around them included), to go through Check."""
        (
            child_id,
            started,
            new_episode_given,
            legal_status_given,
            need_given,
            placement_given,
            ended,
            reason_given,
            home_given,
            placed_given,
        ) = fields(row)
        child_id = child_id.strip()
        start = dmy_date(started)
        new_episode = RNE.get(new_episode_given)
        legal_status = LEGAL_STATUS.get(legal_status_given)
        need = NEED.get(need_given)
        placement = PLACEMENT.get(placement_given)
        end = dmy_date(ended) if ended else None
        reason = REASON_ENDED.get(reason_given) if reason_given else ""
        home = postcode_or_district(home_given) if home_given else ""
        placed = postcode_or_district(placed_given) if placed_given else ""
        if not (
            child_id
            and start
            and new_episode
            and legal_status
            and need
            and placement
            and (end or not ended)
            and reason is not None
            and (reason or end is None)
            and (end is None or end >= start)
            and home is not None
            and placed is not None
        ):
            return False
        self.add_episode(
            child_id, row_number, None, start, new_episode, legal_status, need, placement,
            end, reason, home, placed,
        )  # fmt: skip
        return True

    def csv_finish(self) -> None:
        tables = self.result.tables
        if "Header" not in tables and "Episodes" in tables:
            self.problems.add(
                "Header", 0, "", "no Header table among the files: birth months are unknown"
            )
        elif "Header" in tables:
            for child, row in self.first_episode.items():
                if child not in self.births:
                    message = "the child is not in the Header table: the birth month is unknown"
                    self.problems.add("Episodes", row, "CHILD", message)

    # XML --------------------------------------------------------------------------------------

    def xml_child(self, element: Any, position: int) -> None:
        groups = split(element)[1]
        headers = groups.get("HEADER")
        self.counted("Header")
        if not headers:
            self.problems.add("Header", position, "HEADER", "the CHILD has no HEADER")
            return
        values, header_groups = split(headers[0])
        child_id = values.get("CHILDID", values.get("CHILD", ""))
        values["CHILD"] = child_id
        known = self.header(Check(self.problems, "Header", position, values, names=_XML_NAMES))
        if known is None:
            return  # no CHILDID: reported; the episodes cannot be anyone's
        birth = known[1]
        for number, episode in enumerate(groups.get("EPISODE", ()), start=1):
            self.counted("Episodes")
            values = values_of(episode)
            values.setdefault("PLACE", values.get("PL", ""))
            values["CHILD"] = child_id
            where = f"EPISODE {number}"
            self.episode(
                Check(self.problems, "Episodes", position, values, where=where, names=_XML_NAMES),
                birth,
            )
        absences = [*header_groups.get("AMISSING", ()), *groups.get("AMISSING", ())]
        for number, absence in enumerate(absences, start=1):
            self.counted("Missing")
            values = values_of(absence)
            values["CHILD"] = child_id
            where = f"AMISSING {number}"
            self.missing(
                Check(self.problems, "Missing", position, values, where=where, names=_XML_NAMES)
            )

    def done(self) -> Parsed903:
        """The records: each episode made a CareEpisode with its birth month (from the Header
        table when the CSV form is read), in place, one at a time, so memory does not double."""
        episodes = self.pending
        births = self.births
        for index, e in enumerate(episodes):
            birth = e[1]
            if birth is None:
                known = births.get(e[0])
                birth = known[0] if known else ""
            episodes[index] = CareEpisode(
                e[0], birth, e[2], e[3], e[4], e[5], e[6], e[7], e[8], e[9], e[10]
            )
        self.pending = []
        self.result.episodes = episodes
        self.result.problems = self.problems.result()
        return self.result


_QUICK_FIELDS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "DEC",
    "REC",
    "HOME_POST",
    "PL_POST",
)
_XML_NAMES: Mapping[str, str] = {"CHILD": "CHILDID", "PLACE": "PL"}


def _unreadable(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text at this row or a later one: save the file as CSV UTF-8"
    return f"the file cannot be read as CSV here: {error}"


def _not_csv(head: bytes) -> str:
    """Why the start of a file shows it is not a CSV table ("" when it may be one)."""
    if not head.strip():
        return "the file is empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "the file is a spreadsheet workbook, not CSV: save each table as CSV UTF-8"
    if b"\x00" in head[:4096]:
        return "the file is not CSV text"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "the file is XML, not CSV: upload it as an XML return"
    return ""


def parse_903_csv(
    files: Iterable[tuple[str, BinaryIO]], key: bytes, *, max_problems: int = MAX_PROBLEMS
) -> Parsed903:
    """Read an SSDA903 return's CSV tables, each file `(name, binary stream)` in any order, row
    by row; the streams are read but not closed. `key` is the installation's pseudonym key.

    Row numbers count the header as row 1. A file that is not a recognised table is one problem
    (table: the file name); the other files are still read."""
    reader = _Reader(key, max_problems)
    for name, stream in files:
        reader.csv_file(name, stream)
    reader.csv_finish()
    return reader.done()


def parse_903_xml(stream: BinaryIO, key: bytes, *, max_problems: int = MAX_PROBLEMS) -> Parsed903:
    """Read an SSDA903 return in its XML form (EXPSSDA903 / CHILD / HEADER and EPISODEs),
    one CHILD at a time; a problem's row is the CHILD's position (the first is 1)."""
    reader = _Reader(key, max_problems)
    head = read_head(stream)
    root, why = xml_root(head)
    if not why and root != "EXPSSDA903":
        why = f"the root element is {root}, not EXPSSDA903: this is not an SSDA903 return"
    if why:
        reader.problems.add("SSDA903", 0, "", why)
        return reader.done()
    position = 0
    looked = False  # at the document as the parser sees it
    try:
        for event, element in safe_iterparse(head, stream, ("EXPSSDA903", "CHILD")):
            if not looked:
                looked, why = True, refusal(element, "EXPSSDA903")
                if why:
                    reader.problems.add("SSDA903", 0, "", why)
                    return reader.done()
            if event == "start":
                continue
            parent = element.getparent()
            if parent is not None and parent.getparent() is None:
                if local_name(element.tag) == "CHILD":
                    position += 1
                    reader.xml_child(element, position)
                forget(element)
    except etree.XMLSyntaxError as error:
        reader.problems.add("SSDA903", position + 1, "", syntax_message(error))
        return reader.done()
    if position == 0:
        reader.problems.add("SSDA903", 0, "CHILD", "the return holds no CHILD")
    return reader.done()
