"""The key to a cohort: when a lead chooses cases from their own references, PAQA offers the
pairs (their reference, PAQA's) as a CSV download once, and never stores the outside reference."""

import csv
import io
import re
import time
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from paqa.audits import case_keys
from paqa.audits.models import Case
from paqa.audits.services import fingerprint

pytestmark = pytest.mark.django_db

REFERENCES = ["LCS-70001", "LCS-70002", "=CMD|' /C calc'!A0", "LCS-70004"]
WARNING = (
    "Download this key now and keep it in your own case system. PAQA does not keep your case "
    "references, so this is the only time you can download it."
)


def _choose(client, audit, count: int = 3):
    return client.post(
        reverse("audits:case-select", args=[audit.pk]),
        {"references": "\n".join(REFERENCES), "count": count, "seed": "key", "confirm": "yes"},
    )


def _token(response) -> str:
    found = re.search(r"/cases/key/([^/]+)/$", response["Location"])
    assert found, response["Location"]
    return found.group(1)


def _rows_mentioning(text: str) -> list[str]:
    """Every row of every table of the database that holds `text` anywhere."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                if text in " ".join(str(value) for value in row):
                    found.append(f"{table}: {row}")
    return found


def test_the_key_is_offered_once_with_both_references(cast, client_for, audit):
    client = client_for(cast.paqa_member)
    response = _choose(client, audit)
    assert response.status_code == 302
    token = _token(response)
    key_url = reverse("audits:case-key", args=[audit.pk, token])
    assert response["Location"] == key_url

    page = client.get(key_url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert WARNING in text
    assert "govuk-warning-text" in text
    assert "3 cases were added to the audit" in text

    download = reverse("audits:case-key-download", args=[audit.pk, token])
    assert client.get(download).status_code == 405  # downloading is a POST: it removes the key
    response = client.post(download)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="case-key-SM-2019-20')
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Your case reference", "PAQA reference"]
    cases = {case.reference: case for case in Case.objects.filter(audit=audit)}
    assert len(rows) == 4
    assert len(cases) == 3
    for outside, paqa in rows[1:]:
        assert paqa in cases
        # The pair is right: PAQA's case holds the fingerprint of the lead's reference.
        assert cases[paqa].source_fingerprint == fingerprint(outside.lstrip("'"))
        assert outside.lstrip("'") in REFERENCES

    # Once downloaded it is gone: the download and its page both say so.
    again = client.post(download)
    assert again.status_code == 404
    assert "already been downloaded" in again.content.decode()
    assert client.get(key_url).status_code == 404


def test_the_key_neutralises_spreadsheet_formulas(cast, client_for, audit):
    client = client_for(cast.paqa_member)
    token = _token(_choose(client, audit, count=4))
    response = client.post(reverse("audits:case-key-download", args=[audit.pk, token]))
    outside = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert "'=CMD|' /C calc'!A0" in outside
    assert not any(value.startswith("=") for value in outside)


def test_paqa_never_stores_the_outside_reference(cast, client_for, audit):
    client = client_for(cast.paqa_member)
    token = _token(_choose(client, audit, count=4))
    assert Case.objects.filter(audit=audit).count() == 4
    # The search finds what is stored: PAQA's own references, in the cases and their history.
    assert len(_rows_mentioning(Case.objects.filter(audit=audit).first().reference)) >= 2
    # Not in any table (cases, their history, sessions, messages...) while the key waits,
    for reference in REFERENCES:
        assert _rows_mentioning(reference) == [], reference
    client.get(reverse("audits:case-key", args=[audit.pk, token]))
    client.post(reverse("audits:case-key-download", args=[audit.pk, token]))
    # nor once it has been downloaded: and then not in the cache either.
    for reference in REFERENCES:
        assert _rows_mentioning(reference) == [], reference
    assert case_keys.case_key_waiting(audit=audit, user=cast.paqa_member, token=token) is None


def test_the_key_is_only_for_the_lead_who_chose_the_cases(cast, client_for, audit):
    token = _token(_choose(client_for(cast.paqa_member), audit))
    download = reverse("audits:case-key-download", args=[audit.pk, token])
    # Another lead of audits cannot take it (nor destroy it); other people are not let in.
    assert client_for(cast.admin).post(download).status_code == 404
    assert client_for(cast.agency_lead).post(download).status_code == 403
    assert client_for(cast.paqa_member).post(download).status_code == 200


def test_the_key_waits_15_minutes_at_most(cast, client_for, audit):
    client = client_for(cast.paqa_member)
    token = _token(_choose(client, audit))
    assert case_keys.KEY_SECONDS == 15 * 60
    later = mock.Mock(time=mock.Mock(return_value=time.time() + case_keys.KEY_SECONDS + 1))
    with mock.patch("django.core.cache.backends.locmem.time", later):
        response = client.post(reverse("audits:case-key-download", args=[audit.pk, token]))
    assert response.status_code == 404
