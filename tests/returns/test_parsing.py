"""The statutory-return parsers on the public fake samples (tests/returns/samples) and on
hand-made files: tables known by their columns, every problem found with where it is, nothing
that identifies a child kept, XML attacks refused, and memory flat on long files.

Pure Python: no database."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from paqa.returns.parsing import (
    TABLES_903,
    explain_903_header,
    identify_903_table,
    parse_903_csv,
    parse_903_xml,
    parse_cin_xml,
    sniff_return,
)
from paqa.returns.parsing.common import (
    DOCTYPE_REFUSED,
    has_doctype,
    postcode_or_district,
    refusal,
    safe_iterparse,
)
from paqa.returns.records import (
    Assessment,
    ProtectionPlan,
    ReturnProblem,
    Section47,
    postcode_district,
    pseudonym,
)

KEY = b"a test installation key"
# Fake returns from data-to-insight's validators (MIT; licences and sources in samples/).
SAMPLES = Path(__file__).resolve().parent / "samples"
SSDA903 = SAMPLES / "ssda903-fake-2017-18"
CIN = SAMPLES / "cin-census-fixtures"
MARCH_2018 = date(2018, 3, 31)


EPISODES_HEADER = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
HEADER_HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"


def sample_csvs() -> list[tuple[str, io.BufferedReader]]:
    return [(path.name, path.open("rb")) for path in sorted(SSDA903.glob("*.csv"))]


def looked_after_at(episodes, day: date) -> int:
    """Children looked after on `day` (docs/statutory-returns.md §3, indicator 3), counted here from
    the parsed records rather than through paqa.returns.compute."""
    return len(
        {
            episode.child
            for episode in episodes
            if episode.start <= day
            and (episode.end is None or episode.end > day)
            and episode.legal_status not in {"V3", "V4"}
        }
    )


def table(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def string_fields(record) -> list[str]:
    """Every string held anywhere in a record (nested records and lists included)."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(record)
    return found


FULL_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}")
FULL_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}")


def assert_nothing_identifying(records, raw_ids: set[str], raw_values: set[str]) -> int:
    """No string in any record is a raw child identifier, holds a full date (a date of birth
    would be one) or a full postcode, or equals any other raw identifying value."""
    checked = 0
    for record in records:
        for text in string_fields(record):
            checked += 1
            assert text not in raw_ids
            assert text not in raw_values
            assert not FULL_DATE.search(text), text
            assert not FULL_POSTCODE.search(text), text
    assert checked
    return checked


# SSDA903 CSV: the samples -----------------------------------------------------------------------


def test_903_csv_samples_parse_without_problems():
    parsed = parse_903_csv(sample_csvs(), KEY)

    assert parsed.problems == []
    assert parsed.tables == {
        "AD1": 29,
        "DoLo": 1,
        "Episodes": 5050,
        "Header": 2675,
        "Missing": 43,
        "OC2": 2675,
        "OC3": 53,
        "PlacedAdoption": 59,  # placed_for_adoption.csv and placed_for_adoption_errors.csv
        "PrevPerm": 2675,
        "Reviews": 12582,
        "SWEpisodes": 1,
        "UASC": 132,
    }
    assert len(parsed.episodes) == 5050
    assert len(parsed.missing) == 43
    assert {incident.kind for incident in parsed.missing} == {"M", "A"}
    assert all(episode.birth_month for episode in parsed.episodes)  # every child in Header


def test_903_csv_children_looked_after_at_31_march_2018_is_1201():
    """The acceptance figure (docs/statutory-returns.md §3, indicator 3) on the D2I fake data."""
    parsed = parse_903_csv(sample_csvs(), KEY)

    assert looked_after_at(parsed.episodes, MARCH_2018) == 1201


def test_903_csv_first_episode_is_minimised_faithfully():
    parsed = parse_903_csv(sample_csvs(), KEY)

    # episodes.csv row 3: 566910,14/08/2017,T,C2,N3,A3,PR3,,X1,,EG19 7TT,WV27 9FW,8969628
    # header.csv: 566910,2,27/03/2008,...
    episode = parsed.episodes[1]
    assert episode.child == pseudonym("566910", KEY)
    assert episode.birth_month == "2008-03"
    assert (episode.start, episode.end) == (date(2017, 8, 14), None)
    assert (episode.reason_new_episode, episode.legal_status) == ("T", "C2")
    assert (episode.need_code, episode.placement, episode.reason_ended) == ("N3", "A3", "X1")
    assert (episode.home_district, episode.placement_district) == ("EG19", "WV27")
    assert parsed.episodes[0].home_district == ""  # HOME_POST empty on row 2


def test_903_csv_tables_are_known_by_their_columns_not_their_names():
    named = parse_903_csv(sample_csvs(), KEY)
    # Renamed, in another order, and each table under another table's name.
    paths = sorted(SSDA903.glob("*.csv"), reverse=True)
    names = [path.name for path in sorted(SSDA903.glob("*.csv"))]
    renamed = parse_903_csv(
        [(f"upload-{index}-{names[index]}", path.open("rb")) for index, path in enumerate(paths)],
        KEY,
    )

    assert renamed.problems == []
    assert renamed.tables == named.tables
    assert sorted(renamed.episodes, key=repr) == sorted(named.episodes, key=repr)
    assert sorted(renamed.missing, key=repr) == sorted(named.missing, key=repr)


def test_903_csv_columns_in_another_order_read_the_same():
    with (SSDA903 / "episodes.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    shuffled = io.StringIO()
    writer = csv.writer(shuffled, lineterminator="\r\n")
    for row in rows:
        writer.writerow(list(reversed(row)))
    files = [
        ("e.csv", io.BytesIO(("\ufeff" + shuffled.getvalue()).encode("utf-8"))),
        ("h.csv", (SSDA903 / "header.csv").open("rb")),
    ]
    reordered = parse_903_csv(files, KEY)
    original = parse_903_csv(
        [(name, (SSDA903 / name).open("rb")) for name in ("episodes.csv", "header.csv")], KEY
    )

    assert reordered.problems == []
    assert reordered.episodes == original.episodes


def test_903_csv_records_hold_nothing_identifying():
    raw_ids: set[str] = set()
    raw_values: set[str] = set()
    for path in SSDA903.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as file:
            for row in csv.DictReader(file):
                raw_ids.add(row["CHILD"])
                for column in ("DOB", "UPN", "HOME_POST", "PL_POST", "MC_DOB"):
                    if row.get(column):
                        raw_values.add(row[column])
                        raw_values.add(row[column].replace(" ", ""))
    parsed = parse_903_csv(sample_csvs(), KEY)

    checked = assert_nothing_identifying([*parsed.episodes, *parsed.missing], raw_ids, raw_values)
    assert checked == 9 * 5050 + 2 * 43  # the string fields of CareEpisode, MissingEpisode
    assert all(re.fullmatch(r"[0-9a-f]{64}", episode.child) for episode in parsed.episodes)
    assert all(re.fullmatch(r"\d{4}-\d{2}", episode.birth_month) for episode in parsed.episodes)


# SSDA903 CSV: tables and problems ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(TABLES_903))
def test_identify_903_table_by_set_of_columns(name):
    columns = list(TABLES_903[name])

    assert identify_903_table(columns) == name
    assert identify_903_table(list(reversed(columns))) == name
    assert identify_903_table([f" {column.lower()} " for column in columns]) == name
    assert identify_903_table([*columns, "EXTRA"]) is None
    assert identify_903_table(columns[:-1]) is None
    assert identify_903_table([*columns, columns[0]]) is None


def test_explain_903_header_says_what_is_missing_or_unexpected():
    episodes = EPISODES_HEADER.split(",")
    without = [column for column in episodes if column not in {"URN", "PL_POST"}]

    assert explain_903_header(without) == (
        "the columns are not exactly those of an SSDA903 table: nearest is Episodes, "
        "missing PL_POST, URN"
    )
    assert explain_903_header([*episodes, "NOTES"]) == (
        "the columns are not exactly those of an SSDA903 table: nearest is Episodes, "
        "not expected: NOTES"
    )
    assert explain_903_header([*episodes, "CHILD"]) == "the columns CHILD appear more than once"
    # A first row of data rather than a header: its values are not repeated back.
    message = explain_903_header(["566910", "15/02/2016", "L", "C2", "N3", "T2"])
    assert message.startswith("the first row is not the column names of an SSDA903 table")
    assert "566910" not in message


def test_903_csv_one_bad_date_names_table_row_and_field_and_all_problems_are_found():
    episodes = "\r\n".join(
        [
            EPISODES_HEADER,
            "A1,31/02/2018,P,C2,N1,U1,PR1,,,,,,",  # 2: DECOM is not a date
            "A1,01/03/2018,P,C2,N1,U1,PR1,,,,ox1 2jd,OX1,",  # 3: fine
            "",  # a blank line: skipped, not counted
            "A2,01/04/2018,P,XX,N1,U1,PR1,01/03/2018,E11,,,,",  # 5: LS code; DEC before DECOM
            "A2,01/04/2018,P,C2,N1,U1,PR1,02/04/2018,,,,,",  # 6: REC missing though DEC given
            "A3,01/04/2018,p,c2,n1,u1,PR1,,,,,,",  # 7: fine (codes in lower case)
            "A3,01/04/2018,P,C2,N1,U1,PR1,,,,10 Downing St,,",  # 8: not a postcode
            "A1,01/04/2018,P,C2",  # 9: too few values
            ",01/04/2018,,C2,N1,U1,PR1,,,,,,",  # 10: CHILD and RNE missing
            "",
        ]
    )
    header = "\n".join(
        [
            HEADER_HEADER,
            "A1,1,01/02/2010,WBRI,,,",
            "A2,3,30/02/2011,WBRI,,,",  # 3: SEX code; DOB not a date (its value not repeated)
            "A1,1,01/02/2010,WBRI,,,",  # 4: A1 again
        ]
    )
    missing = "\n".join(
        [
            "CHILD,DOB,MISSING,MIS_START,MIS_END",
            "A1,01/02/2010,M,01/03/2018,02/03/2018",
            "A1,01/02/2010,X,2018-03-05,01/03/2018",  # 3: code; date form; (end not checked)
            "A1,01/02/2010,A,05/03/2018,01/03/2018",  # 4: MIS_END before MIS_START
        ]
    )
    parsed = parse_903_csv(
        [("e.csv", table(episodes)), ("h.csv", table(header)), ("m.csv", table(missing))], KEY
    )

    where = [(problem.table, problem.row, problem.field) for problem in parsed.problems]
    assert where == [
        ("Episodes", 2, "DECOM"),
        ("Episodes", 5, "LS"),
        ("Episodes", 5, "DEC"),
        ("Episodes", 6, "REC"),
        ("Episodes", 8, "HOME_POST"),
        ("Episodes", 9, ""),
        ("Episodes", 10, "CHILD"),
        ("Episodes", 10, "RNE"),
        ("Header", 3, "SEX"),
        ("Header", 3, "DOB"),
        ("Header", 4, "CHILD"),
        ("Missing", 3, "MISSING"),
        ("Missing", 3, "MIS_START"),
        ("Missing", 4, "MIS_END"),
        ("Episodes", 7, "CHILD"),  # A3 is not in Header
    ]
    messages = {(problem.row, problem.field): problem.message for problem in parsed.problems}
    assert messages[2, "DECOM"] == "'31/02/2018' is not a date (dd/mm/yyyy)"
    assert str(parsed.problems[0]) == (
        "Episodes, row 2, DECOM: '31/02/2018' is not a date (dd/mm/yyyy)"
    )
    assert messages[5, "LS"] == (
        "'XX' is not one of the LS codes (C1, C2, D1, E1, V2, V3, V4, L1, L2, L3, J1, J2, J3)"
    )
    assert messages[5, "DEC"] == "is before DECOM"
    assert messages[6, "REC"] == "is required when DEC is given"
    assert messages[8, "HOME_POST"] == "the value is not a postcode"
    assert messages[9, ""] == "the row has 4 values; the header has 13"
    assert messages[10, "CHILD"] == "is required but empty or missing"
    assert messages[3, "DOB"] == "the value is not a date (dd/mm/yyyy)"
    assert messages[4, "CHILD"] == "the child is in the Header table more than once (row 2)"
    assert messages[7, "CHILD"] == (
        "the child is not in the Header table: the birth month is unknown"
    )
    assert parsed.tables == {"Episodes": 8, "Header": 3, "Missing": 3}

    # The rows without problems are kept; the others are not.
    kept = [(episode.child, episode.start, episode.birth_month) for episode in parsed.episodes]
    assert kept == [
        (pseudonym("A1", KEY), date(2018, 3, 1), "2010-02"),  # Header read after Episodes
        (pseudonym("A3", KEY), date(2018, 4, 1), ""),
    ]
    assert (parsed.episodes[0].home_district, parsed.episodes[0].placement_district) == (
        "OX1",
        "OX1",
    )
    assert (parsed.episodes[1].reason_new_episode, parsed.episodes[1].legal_status) == ("P", "C2")
    assert [(incident.kind, incident.start) for incident in parsed.missing] == [
        ("M", date(2018, 3, 1))
    ]


def test_903_csv_without_header_table_says_birth_months_are_unknown():
    parsed = parse_903_csv(
        [("e.csv", table(EPISODES_HEADER + "\nA1,01/03/2018,P,C2,N1,U1,PR1,,,,,,\n"))], KEY
    )

    assert [episode.birth_month for episode in parsed.episodes] == [""]
    assert parsed.problems == [
        ReturnProblem("Header", 0, "", "no Header table among the files: birth months are unknown")
    ]


def test_903_csv_refuses_what_is_not_a_csv_table_and_reads_the_other_files():
    good = HEADER_HEADER + "\nA1,1,01/02/2010,WBRI,,,\n"
    episodes = EPISODES_HEADER + "\nA1,01/03/2018,P,C2,N1,U1,PR1,,,,,,\nA2,01/03/2018,P,C2,N1,U1"
    files = [
        ("empty.csv", io.BytesIO(b"")),
        ("workbook.csv", io.BytesIO(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))),
        ("binary.csv", io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")),
        ("return.csv", io.BytesIO(b'<?xml version="1.0"?><EXPSSDA903/>')),
        ("notes.csv", table("Name,Notes\nsomeone,something\n")),
        ("latin1.csv", io.BytesIO((HEADER_HEADER + "\nA9,1,01/02/2010,é,,,").encode("latin-1"))),
        ("header.csv", table(good)),
        ("episodes.csv", table(episodes)),
    ]
    parsed = parse_903_csv(files, KEY)

    assert [str(problem) for problem in parsed.problems] == [
        "empty.csv: the file is empty",
        "workbook.csv: the file is a spreadsheet workbook, not CSV: save each table as CSV UTF-8",
        "binary.csv: the file is not CSV text",
        "return.csv: the file is XML, not CSV: upload it as an XML return",
        "notes.csv, row 1: the first row is not the column names of an SSDA903 table (Header,"
        " Episodes, UASC, Missing, OC2, OC3, AD1, PlacedAdoption, Reviews, PrevPerm, SWEpisodes,"
        " DoLo); a file must hold one table with its header row",
        # Decoded a block at a time: the bad byte is at or after the row named.
        "latin1.csv, row 1: not UTF-8 text at this row or a later one: save the file as CSV UTF-8",
        "Episodes, row 3: the row has 6 values; the header has 13",
    ]
    assert [episode.birth_month for episode in parsed.episodes] == ["2010-02"]
    assert all(not stream.closed for _name, stream in files)  # the caller's to close


def test_903_csv_problems_past_the_limit_are_counted_not_listed():
    rows = [EPISODES_HEADER] + [f"A{n},01/13/2018,P,C2,N1,U1,PR1,,,,,," for n in range(30)]
    parsed = parse_903_csv([("e.csv", table("\n".join(rows)))], KEY, max_problems=10)

    assert len(parsed.problems) == 11
    assert parsed.problems[9] == ReturnProblem(
        "Episodes", 11, "DECOM", "'01/13/2018' is not a date (dd/mm/yyyy)"
    )
    # 30 bad dates and the missing Header table: 10 listed, 21 counted.
    assert parsed.problems[10] == ReturnProblem("", 0, "", "21 more problems not listed")


def test_postcodes_are_cut_to_their_district_as_records_does():
    for postcode in ("OX1 2JD", "ox12jd", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH"):
        assert postcode_or_district(postcode) == postcode_district(postcode)
    assert postcode_or_district(" OX10 ") == "OX10"  # an outward code alone
    assert postcode_or_district("10 Downing Street, London SW1A 2AA") is None
    assert postcode_or_district("unknown") is None


# SSDA903 XML ------------------------------------------------------------------------------------


def test_903_xml_sample_parses():
    with (SSDA903 / "fake_903.xml").open("rb") as file:
        parsed = parse_903_xml(file, KEY)

    assert parsed.problems == []
    assert parsed.tables == {"Header": 253, "Episodes": 459, "Missing": 6}
    assert len(parsed.episodes) == 459
    assert len(parsed.missing) == 6
    # A different cohort from the CSVs: 110 looked after at 31 March 2018, counted from the
    # file with ElementTree when this test was written.
    assert looked_after_at(parsed.episodes, MARCH_2018) == 110

    # The first CHILD: CHILDID 907440, DOB 28/07/2010; its first EPISODE: 06/01/2017, T, J3,
    # N4, PL R5, PL_POST E7 5YR, HOME_POST B15 8PZ, DEC 06/10/2017, REC X1.
    first = parsed.episodes[0]
    assert first.child == pseudonym("907440", KEY)
    assert first.birth_month == "2010-07"
    assert (first.start, first.end) == (date(2017, 1, 6), date(2017, 10, 6))
    assert (first.reason_new_episode, first.legal_status, first.need_code) == ("T", "J3", "N4")
    assert (first.placement, first.reason_ended) == ("R5", "X1")
    assert (first.home_district, first.placement_district) == ("B15", "E7")


def test_903_xml_records_hold_nothing_identifying():
    text = (SSDA903 / "fake_903.xml").read_text(encoding="ascii")
    raw_ids = set(re.findall(r"<CHILDID>([^<]*)</CHILDID>", text))
    raw_values = {
        value
        for tag in ("DOB", "UPN", "HOME_POST", "PL_POST", "MC_DOB")
        for value in re.findall(rf"<{tag}>([^<]*)</{tag}>", text)
    }
    assert len(raw_ids) == 253
    with (SSDA903 / "fake_903.xml").open("rb") as file:
        parsed = parse_903_xml(file, KEY)

    assert_nothing_identifying([*parsed.episodes, *parsed.missing], raw_ids, raw_values)


def test_903_xml_problems_name_the_child_and_the_episode():
    xml = b"""<?xml version="1.0" encoding="utf-8"?>
<EXPSSDA903>
  <CHILD><HEADER><CHILDID>X1</CHILDID><SEX>1</SEX><DOB>01/02/2010</DOB></HEADER>
    <EPISODE><DECOM>01/03/2018</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>
      <DEC /><REC /></EPISODE>
  </CHILD>
  <CHILD><HEADER><CHILDID>X2</CHILDID><SEX>2</SEX><DOB>01/02/2011</DOB>
      <AMISSING><MISSING>Q</MISSING><MIS_START>01/03/2018</MIS_START></AMISSING></HEADER>
    <EPISODE><DECOM>01/03/2018</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>
    <EPISODE><DECOM>01/04/2018</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>Q9</PL>
      <DEC>31/04/2018</DEC><REC>E11</REC></EPISODE>
  </CHILD>
  <CHILD><HEADER><SEX>2</SEX></HEADER></CHILD>
</EXPSSDA903>"""
    parsed = parse_903_xml(io.BytesIO(xml), KEY)

    where = [(problem.table, problem.row, problem.field) for problem in parsed.problems]
    assert where == [
        ("Episodes", 2, "PL (EPISODE 2)"),
        ("Episodes", 2, "DEC (EPISODE 2)"),
        ("Missing", 2, "MISSING (AMISSING 1)"),
        ("Header", 3, "CHILDID"),
        ("Header", 3, "DOB"),
    ]
    assert parsed.problems[1].message == "'31/04/2018' is not a date (dd/mm/yyyy)"
    assert parsed.problems[0].message.startswith("'Q9' is not one of the PL codes (A3, A4,")
    assert [(episode.child, episode.birth_month) for episode in parsed.episodes] == [
        (pseudonym("X1", KEY), "2010-02"),
        (pseudonym("X2", KEY), "2011-02"),
    ]
    assert parsed.tables == {"Header": 3, "Episodes": 3, "Missing": 1}


# CIN census -------------------------------------------------------------------------------------

CIN_FIXTURES = {
    # file: (children, problems)
    "fake_CIN_data.xml": (332, []),
    "CIN2rows.xml": (1, []),
    "CIN_Census_2021.xml": (1, []),
    "CIN_Census_2021_copy.xml": (1, []),
    "CIN_Census_2021_no_assessment_factors.xml": (1, []),
    "CIN_header_issues_100.xml": (1, []),
    "CIN_la_issues_2887Q.xml": (1, []),
    # Both hold an assessment authorised (2020-09-19) before it started (2028-04-28).
    "CIN_Census_2024.xml": (2, ["AssessmentAuthorisationDate (CINdetails 1, Assessments 1)"]),
    "CIN_Census_2026.xml": (2, ["AssessmentAuthorisationDate (CINdetails 1, Assessments 1)"]),
}


@pytest.mark.parametrize(("name", "expected"), list(CIN_FIXTURES.items()))
def test_cin_fixtures_parse(name, expected):
    children, problem_fields = expected
    with (CIN / name).open("rb") as file:
        parsed = parse_cin_xml(file, KEY)

    assert len(parsed.children) == children
    assert [problem.field for problem in parsed.problems] == problem_fields
    assert all(problem.row == 1 for problem in parsed.problems)
    assert parsed.collection_year is not None
    assert parsed.reference_date is not None


def test_cin_fake_data_in_detail():
    with (CIN / "fake_CIN_data.xml").open("rb") as file:
        parsed = parse_cin_xml(file, KEY)

    assert (parsed.collection_year, parsed.reference_date) == (2022, date(2022, 7, 21))
    referrals = [referral for child in parsed.children for referral in child.referrals]
    assert len(referrals) == 402
    assert sum(referral.closure_date is None for referral in referrals) == 150
    assert not any(referral.plans or referral.assessments for referral in referrals)
    first = parsed.children[0]
    assert first.child == pseudonym("RND000215205141", KEY)
    assert first.birth_month == "2019-12"
    assert first.referrals[0].referral_date == date(2020, 7, 13)
    assert (first.referrals[0].source, first.referrals[0].need_code) == ("4", "N6")
    assert (first.referrals[0].closure_reason, first.referrals[0].no_further_action) == (
        "RC2",
        True,
    )


def test_cin_plan_bearing_fixture_in_detail():
    with (CIN / "CIN_Census_2021.xml").open("rb") as file:
        parsed = parse_cin_xml(file, KEY)

    (child,) = parsed.children
    assert child.child == pseudonym("DfEX0000001", KEY)
    assert child.birth_month == "1965-03"
    (referral,) = child.referrals
    assert referral.referral_date == date(1970, 10, 6)
    assert (referral.source, referral.need_code) == ("1A", "N4")
    assert (referral.closure_date, referral.closure_reason) == (date(1971, 2, 27), "RC1")
    assert referral.initial_conference == date(1970, 12, 6)
    assert referral.no_further_action is False
    assert referral.assessments == [Assessment(date(1970, 6, 3), date(1971, 7, 18))]
    assert referral.enquiries == [
        Section47(date(1970, 6, 2), date(1970, 6, 23), date(1970, 6, 17), False)
    ]
    assert referral.plans == [
        ProtectionPlan(date(1970, 2, 17), date(1971, 3, 14), "PHY", "PHY", 10)
    ]


def test_cin_records_hold_nothing_identifying():
    for path in sorted(CIN.glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        raw_ids = set(re.findall(r"<LAchildID>([^<]*)</LAchildID>", text))
        raw_values = {
            value
            for tag in ("UPN", "FormerUPN", "PersonBirthDate", "ExpectedPersonBirthDate")
            for value in re.findall(rf"<{tag}>([^<]*)</{tag}>", text)
        }
        with path.open("rb") as file:
            parsed = parse_cin_xml(file, KEY)
        assert_nothing_identifying(parsed.children, raw_ids, raw_values)


CIN_HEAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<Message xmlns="http://www.example.org/cin">
  <Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
    <ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails></Header>
  <Children>
"""


def test_cin_problems_are_found_and_the_faulty_part_left_out():
    xml = (
        CIN_HEAD
        + b"""
    <Child><ChildIdentifiers><LAchildID>C1</LAchildID>
        <PersonBirthDate>2019-02-30</PersonBirthDate></ChildIdentifiers>
      <CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>5D</ReferralSource>
        <PrimaryNeedCode>N0</PrimaryNeedCode><ReferralNFA>maybe</ReferralNFA></CINdetails>
      <CINdetails><CINreferralDate>2023-06-01</CINreferralDate><PrimaryNeedCode>N1</PrimaryNeedCode>
        <ReasonForClosure>RC8</ReasonForClosure><CINclosureDate>2023-07-01</CINclosureDate>
        <Section47><S47ActualStartDate>2023-06-02</S47ActualStartDate>
          <ICPCnotRequired>1</ICPCnotRequired></Section47>
        <ChildProtectionPlans><CPPendDate>2024-01-01</CPPendDate></ChildProtectionPlans>
        <ChildProtectionPlans><CPPstartDate>2023-06-20</CPPstartDate>
          <InitialCategoryOfAbuse>NEGLECT</InitialCategoryOfAbuse></ChildProtectionPlans>
        <ChildProtectionPlans><CPPstartDate>2023-06-20</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>emo</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>2</NumberOfPreviousCPP></ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child><ChildIdentifiers><UPN>A123</UPN></ChildIdentifiers>
      <CINdetails><ReferralSource>6</ReferralSource></CINdetails></Child>
    <Child><ChildIdentifiers><LAchildID>C1</LAchildID></ChildIdentifiers></Child>
  </Children>
</Message>"""
    )
    parsed = parse_cin_xml(io.BytesIO(xml), KEY)

    assert [(problem.row, problem.field, problem.message) for problem in parsed.problems] == [
        (1, "PersonBirthDate", "the value is not a date (yyyy-mm-dd)"),
        (1, "ReferralNFA (CINdetails 1)", "'maybe' is not a yes/no value (0, 1, true or false)"),
        (
            1,
            "CPPstartDate (CINdetails 2, ChildProtectionPlans 1)",
            "is required but empty or missing",
        ),
        (
            1,
            "InitialCategoryOfAbuse (CINdetails 2, ChildProtectionPlans 2)",
            "'NEGLECT' is not one of the InitialCategoryOfAbuse codes (NEG, PHY, SAB, EMO, MUL)",
        ),
        (2, "LAchildID", "is required but empty or missing"),
        (2, "CINreferralDate (CINdetails 1)", "is required but empty or missing"),
        (3, "LAchildID", "the child is in the return more than once (child 1)"),
    ]
    first, again = parsed.children  # the child without an LAchildID is left out
    assert first.child == again.child == pseudonym("C1", KEY)
    assert first.birth_month == ""
    (referral,) = first.referrals  # CINdetails 1 left out (ReferralNFA)
    assert (referral.referral_date, referral.need_code, referral.closure_reason) == (
        date(2023, 6, 1),
        "N1",
        "RC8",
    )
    assert referral.enquiries == [Section47(date(2023, 6, 2), None, None, True)]
    assert referral.plans == [ProtectionPlan(date(2023, 6, 20), None, "NEG", "EMO", 2)]
    assert (parsed.collection_year, parsed.reference_date) == (2024, date(2024, 3, 31))


def test_cin_another_collection_is_refused():
    xml = CIN_HEAD.replace(b"<Collection>CIN<", b"<Collection>School Census<") + (
        b"<Child><ChildIdentifiers><LAchildID>C1</LAchildID></ChildIdentifiers></Child>"
        b"</Children></Message>"
    )
    parsed = parse_cin_xml(io.BytesIO(xml), KEY)

    assert parsed.children == []
    assert [str(problem) for problem in parsed.problems] == [
        "CIN census, Collection: the return is a 'School Census' collection, not CIN"
    ]


def test_cin_without_header_or_children_says_so():
    stream = io.BytesIO(b"<Message><Children/></Message>")
    parsed = parse_cin_xml(stream, KEY)

    assert [str(problem) for problem in parsed.problems] == [
        "CIN census, Header: the return has no Header",
        "CIN census, Child: the return holds no Child",
    ]
    assert not stream.closed  # the caller's to close
    assert [
        str(problem) for problem in parse_903_xml(io.BytesIO(b"<EXPSSDA903/>"), KEY).problems
    ] == ["SSDA903, CHILD: the return holds no CHILD"]


def test_cin_truncated_file_keeps_what_came_before_and_says_where_it_broke():
    data = (CIN / "fake_CIN_data.xml").read_bytes()
    parsed = parse_cin_xml(io.BytesIO(data[: len(data) // 2]), KEY)

    assert 100 < len(parsed.children) < 332
    (problem,) = parsed.problems
    assert problem.row == len(parsed.children) + 1
    assert problem.message.startswith("the XML is not well-formed from here (line ")


# Refusals and XML attacks -----------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Message><Header/><Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID>
</ChildIdentifiers></Child></Children></Message>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&lol3;</CHILDID></HEADER></CHILD></EXPSSDA903>"""
HIDDEN = b"""\xef\xbb\xbf<?xml version="1.0"?><!-- a comment -->
<?some instruction?>
<!DOCTYPE Message SYSTEM "http://example.org/evil.dtd"><Message/>"""


@pytest.mark.parametrize(
    "data",
    [XXE, LAUGHS, HIDDEN, XXE.decode().encode("utf-16")],
    ids=["xxe", "laughs", "hidden", "utf16"],
)
@pytest.mark.parametrize("parse", [parse_903_xml, parse_cin_xml])
def test_xml_with_a_doctype_is_refused(parse, data):
    parsed = parse(io.BytesIO(data), KEY)

    assert len(parsed.problems) == 1
    assert (parsed.problems[0].row, parsed.problems[0].message) == (0, DOCTYPE_REFUSED)
    assert not getattr(parsed, "episodes", None)
    assert not getattr(parsed, "children", None)


def test_the_xml_parser_itself_neither_loads_nor_expands_entities():
    """The second line, should a DOCTYPE ever get past the first look at the file."""
    document = b'<!DOCTYPE r [<!ENTITY a "expanded">]><r><c>&a;</c></r>'
    events = list(safe_iterparse(document, io.BytesIO(b""), ["r", "c"]))
    root = events[0][1]

    assert has_doctype(root)
    assert refusal(root, "r") == DOCTYPE_REFUSED
    assert "expanded" not in (root.find("c").text or "")
    plain = next(safe_iterparse(b"<r><c/></r>", io.BytesIO(b""), ["c"]))[1]
    assert refusal(plain, "r") == ""
    assert refusal(plain, "Message") == "the root element is r, not Message"


@pytest.mark.parametrize(
    ("parse", "data", "message"),
    [
        (parse_cin_xml, b"", "the file is not XML"),
        (parse_cin_xml, b"CHILD,SEX,DOB\n1,2,3\n", "the file is not XML"),
        (parse_903_xml, b"\x00\x01\x02binary", "the file is not XML"),
        (parse_903_xml, b"<<<", "the file is not XML"),
        (
            parse_cin_xml,
            b"<EXPSSDA903></EXPSSDA903>",
            "the root element is EXPSSDA903, not Message: this is not a CIN census return",
        ),
        (
            parse_903_xml,
            b"<?xml version='1.0'?>\n<Message/>",
            "the root element is Message, not EXPSSDA903: this is not an SSDA903 return",
        ),
    ],
)
def test_xml_parsers_refuse_what_is_not_their_return(parse, data, message):
    parsed = parse(io.BytesIO(data), KEY)

    assert [(problem.row, problem.message) for problem in parsed.problems] == [(0, message)]


def test_malformed_903_xml_is_a_problem_not_an_exception():
    xml = b"<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID></HEADER></CHILD><CHILD><HEADER></CHILD>"
    parsed = parse_903_xml(io.BytesIO(xml), KEY)

    assert [(problem.table, problem.row, problem.field) for problem in parsed.problems] == [
        ("Header", 1, "SEX"),
        ("Header", 1, "DOB"),
        ("SSDA903", 2, ""),
    ]
    assert parsed.problems[-1].message.startswith("the XML is not well-formed from here")


# Sniffing ---------------------------------------------------------------------------------------


def test_sniff_return_on_the_samples_by_content():
    for path in SSDA903.glob("*.csv"):
        assert sniff_return("renamed.xml", path.read_bytes()[:2048]) == "903-csv", path.name
    assert sniff_return("x.csv", (SSDA903 / "fake_903.xml").read_bytes()[:2048]) == "903-xml"
    for path in CIN.glob("*.xml"):
        assert sniff_return("x.csv", path.read_bytes()[:2048]) == "cin-xml", path.name
    assert sniff_return("LICENSE.csv", (SSDA903 / "LICENSE").read_bytes()) == ""


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"", ""),
        (b"\xef\xbb\xbfCHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n1,2", "903-csv"),
        (
            b"child, decom, rne, ls, cin, place, place_provider, dec, rec, reason_place_change,"
            b" home_post, pl_post, urn,,\n",
            "903-csv",
        ),
        (b"Name,Notes\n", ""),
        (b"PK\x03\x04\x14\x00", ""),
        (b'<?xml version="1.0"?>\n<!-- x --><EXPSSDA903>', "903-xml"),
        (b"<cin:Message xmlns:cin='urn:x'>", "cin-xml"),
        (XXE, ""),
        (b"<html><body>", ""),
    ],
)
def test_sniff_return(head, kind):
    assert sniff_return("upload", head) == kind


# Memory stays flat ------------------------------------------------------------------------------


# tracemalloc makes parsing 4-5 times slower: on a 2-core VM this test takes ~8 s.
LONG_903_ROWS = 100_000
LONG_CIN_CHILDREN = 10_000


def test_long_returns_are_streamed_in_flat_memory(tmp_path):
    """100,000 episode rows and 10,000 CIN children, each parsed with tracemalloc's peak
    well under what holding the files' rows would take (~180 MB for the episodes as csv rows),
    and little above what the records kept take."""
    episodes_path, header_path, cin_path = (
        tmp_path / "episodes.csv",
        tmp_path / "header.csv",
        tmp_path / "cin.xml",
    )
    children = LONG_903_ROWS // 4
    with episodes_path.open("w", encoding="utf-8", newline="") as file:
        file.write(EPISODES_HEADER + "\r\n")
        for row in range(4 * children):
            child, day, month = row // 4, 1 + row % 28, 1 + row % 12
            file.write(
                f"L{child:09d},{day:02d}/{month:02d}/2017,P,C2,N1,U1,PR1,{day:02d}/{month:02d}/2018,"
                f"E11,CLOSE,AB{child % 99} 1CD,XY{child % 50} 2EF,1234567\r\n"
            )
    with header_path.open("w", encoding="utf-8", newline="") as file:
        file.write(HEADER_HEADER + "\r\n")
        for child in range(children):
            file.write(f"L{child:09d},1,{1 + child % 28:02d}/{1 + child % 12:02d}/2010,WBRI,,,\r\n")
    with cin_path.open("wb") as file:
        file.write(CIN_HEAD.replace(b' xmlns="http://www.example.org/cin"', b""))
        for child in range(LONG_CIN_CHILDREN):
            file.write(
                f"<Child><ChildIdentifiers><LAchildID>L{child:09d}</LAchildID>"
                f"<PersonBirthDate>2015-0{1 + child % 9}-1{child % 9}</PersonBirthDate>"
                "</ChildIdentifiers><CINdetails><CINreferralDate>2023-05-01</CINreferralDate>"
                "<ReferralSource>6</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
                "<Assessments><AssessmentActualStartDate>2023-05-02</AssessmentActualStartDate>"
                "<AssessmentAuthorisationDate>2023-06-02</AssessmentAuthorisationDate>"
                "</Assessments><ChildProtectionPlans><CPPstartDate>2023-05-19</CPPstartDate>"
                "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
                "<NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>"
                "</CINdetails></Child>\n".encode()
            )
        file.write(b"</Children></Message>\n")
    tracemalloc.start()
    try:
        with episodes_path.open("rb") as episodes, header_path.open("rb") as header:
            parsed = parse_903_csv([("episodes.csv", episodes), ("header.csv", header)], KEY)
        kept_903, peak_903 = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with cin_path.open("rb") as file:
            parsed_cin = parse_cin_xml(file, KEY)
        kept_both, peak_cin = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert parsed.problems == []
    assert len(parsed.episodes) == LONG_903_ROWS
    assert parsed.episodes[-1].birth_month == f"2010-{1 + (children - 1) % 12:02d}"
    assert parsed_cin.problems == []
    assert len(parsed_cin.children) == LONG_CIN_CHILDREN
    megabytes = 1024 * 1024
    assert peak_903 < 150 * megabytes, peak_903
    assert peak_cin < 150 * megabytes, peak_cin
    # Above what the records themselves hold, the parse needs little, whatever the length.
    assert peak_903 - kept_903 < 40 * megabytes, (peak_903, kept_903)
    assert peak_cin - kept_both < 40 * megabytes, (peak_cin, kept_both)
