"""Acceptance: no child identifier, full date of birth or full postcode is stored anywhere.

The returns are loaded the way a person loads them (the upload page), as SSDA903 CSV tables,
SSDA903 XML and a CIN census; then every column of every table in the database (history tables
included) and every file in storage is read and searched for the returns' identifiers, dates of
birth and postcodes. The sample SSDA903's children have plain numbers for identifiers, so they
are given distinctive ones first (a number could be any count)."""

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from lxml import etree

from paqa.returns.models import ReturnChild
from tests.returns.conftest import CIN_SAMPLE, SSDA903_CSV

pytestmark = pytest.mark.django_db

DATE_TOKEN = re.compile(r"\b(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})\b")
POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b")
WORD = re.compile(r"[A-Za-z0-9]+")
ID_COLUMNS = {"CHILD", "CHILDID", "UPN", "LAchildID", "FormerUPN"}
BIRTH_COLUMNS = {"DOB", "MC_DOB", "PersonBirthDate", "ExpectedPersonBirthDate"}
POSTCODE_COLUMNS = {"HOME_POST", "PL_POST"}


class Secrets:
    """What must never be stored: identifiers, full dates of birth (ISO) and postcodes."""

    def __init__(self) -> None:
        self.identifiers: set[str] = set()
        self.births: set[str] = set()
        self.postcodes: set[str] = set()

    def add(self, column: str, value: str) -> None:
        value = value.strip()
        if not value:
            return
        if column in ID_COLUMNS:
            self.identifiers.add(value)
        elif column in BIRTH_COLUMNS:
            self.births.add(_iso(value))
        elif column in POSTCODE_COLUMNS and POSTCODE.fullmatch(value.upper()):
            self.postcodes.add("".join(value.split()).upper())


def _iso(text: str) -> str:
    if "/" in text:
        return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    return date.fromisoformat(text).isoformat()


def _distinct_903(tmp_path: Path, secrets: Secrets) -> list[Path]:
    """The sample SSDA903 tables with each CHILD given an identifier no count could be."""
    written = []
    for path in SSDA903_CSV:
        with path.open(newline="") as source:
            rows = list(csv.reader(source))
        header = rows[0]
        for row in rows[1:]:
            for position, column in enumerate(header):
                if position >= len(row):
                    continue
                if column == "CHILD" and row[position]:
                    row[position] = f"LA{row[position]}Q"
                secrets.add(column, row[position])
        target = tmp_path / path.name
        with target.open("w", newline="") as out:
            csv.writer(out).writerows(rows)
        written.append(target)
    return written


def _xml_secrets(path: Path, secrets: Secrets, out: Path) -> Path:
    """The return's secrets; numeric child identifiers made distinctive as for the tables."""
    tree = etree.parse(str(path))
    for element in tree.iter():
        if isinstance(element.tag, str) and element.text:
            name = etree.QName(element).localname
            if name == "CHILDID" and element.text.strip().isdigit():
                element.text = f"LA{element.text.strip()}Q"
            secrets.add(name, element.text)
    tree.write(str(out), xml_declaration=True, encoding="utf-8")
    return out


def _stored_text() -> list[tuple[str, str]]:
    """(table.column, text) for every non-empty value of every table, history included."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # The names come from the database itself, quoted: no outside text reaches SQL.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value not in (None, ""):
                        found.append((f"{table}.{column}", str(value)))
    return found


def _stored_files(folder: str = "") -> list[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = [f"{folder}/{name}" if folder else name for name in files]
    for child in folders:
        found += _stored_files(f"{folder}/{child}" if folder else child)
    return found


def _event_dates() -> set[str]:
    """Dates the minimised records keep on purpose (episode, incident, referral dates...): a
    date of birth that happens to equal one of them cannot be told apart, so is not a leak."""
    kept: set[str] = set()
    for records in ReturnChild.objects.values_list("records", flat=True):
        kept.update(DATE_TOKEN.findall(str(records)))
    return kept


def _leaks(secrets: Secrets) -> list[str]:
    leaks = []
    allowed_dates = _event_dates()
    for where, text in _stored_text():
        for word in WORD.findall(text):
            if word in secrets.identifiers:
                leaks.append(f"identifier {word} in {where}")
        for day in DATE_TOKEN.findall(text):
            if _iso(day) in secrets.births and _iso(day) not in allowed_dates:
                leaks.append(f"date of birth {day} in {where}")
        for outward, inward in POSTCODE.findall(text.upper()):
            if outward + inward in secrets.postcodes:
                leaks.append(f"postcode {outward} {inward} in {where}")
    return leaks


def _upload(client, paths, **data):
    files = [io.BytesIO(path.read_bytes()) for path in paths]
    for stream, path in zip(files, paths, strict=True):
        stream.name = path.name
    return client.post(
        reverse("returns:list"), {"return_files": files, "load": "", **data}, format="multipart"
    )


def test_no_identifier_birth_date_or_postcode_is_stored_anywhere(pack, client_for, tmp_path):
    secrets = Secrets()
    tables = _distinct_903(tmp_path, secrets)
    xml_903 = _xml_secrets(SSDA903_CSV[0].parent / "fake_903.xml", secrets, tmp_path / "903.xml")
    census = _xml_secrets(CIN_SAMPLE, secrets, tmp_path / "census.xml")
    # The search has something to find: thousands of each.
    assert len(secrets.identifiers) > 2000
    assert len(secrets.births) > 1000
    assert len(secrets.postcodes) > 1000
    files_before = _stored_files()
    client = client_for(pack.analyst)

    for paths, year in (([xml_903], "2018"), ([census], ""), (tables, "2018")):
        response = _upload(client, paths, collection_year=year)
        assert response.status_code == 302, response.content.decode()[-3000:]
    # A check without loading, and a load with problems, keep nothing either.
    assert _upload(client, tables, collection_year="2018", check="").status_code == 200

    assert ReturnChild.objects.count() > 2000
    assert _leaks(secrets) == []
    assert _stored_files() == files_before


def test_the_search_finds_what_it_looks_for(pack):
    """The search above can fail: an identifier, a date of birth and a postcode written into
    ordinary records are each found, wherever they are."""
    secrets = Secrets()
    secrets.add("CHILD", "LA566910Q")
    secrets.add("DOB", "27/03/2008")
    secrets.add("HOME_POST", "EG19 7TT")
    assert _leaks(secrets) == []
    pack.partnership.name = "Child LA566910Q, born 2008-03-27, of EG197TT"
    pack.partnership.save()

    leaks = _leaks(secrets)

    assert any("identifier LA566910Q" in leak for leak in leaks)
    assert any("date of birth 2008-03-27" in leak for leak in leaks)
    assert any("postcode EG19 7TT" in leak for leak in leaks)
