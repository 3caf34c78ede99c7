"""`paqa export-all`: every record of every part, counted and checksummed, secrets left out,
spreadsheet-safe CSV."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paqa.operations.inventory import paqa_models
from paqa.themes.models import KeyMessage

pytestmark = pytest.mark.django_db


def _export(tmp_path: Path) -> tuple[Path, dict]:
    folder = tmp_path / "export"
    call_command("export-all", "--output", str(folder), stdout=io.StringIO())
    return folder, json.loads((folder / "manifest.json").read_text())


def test_the_export_has_every_table_with_the_database_counts(demo, tmp_path):
    folder, manifest = _export(tmp_path)
    labels = {model._meta.label_lower for model in paqa_models()}
    assert set(manifest["tables"]) == labels
    for model in paqa_models():
        table = manifest["tables"][model._meta.label_lower]
        assert table["count"] == model._default_manager.count(), model._meta.label
    assert manifest["tables"]["surveys.response"]["count"] > 1000
    out = io.StringIO()
    call_command("export-all", "--check", str(folder), stdout=out)
    assert "every checksum and count matches" in out.getvalue()


def test_a_changed_file_or_a_changed_database_is_found_by_the_check(demo, tmp_path):
    folder, _manifest = _export(tmp_path)
    (folder / "csv" / "themes.keymessage.csv").write_text("id\n1\n")
    KeyMessage.objects.create(year="2030-31", order=1, title="New", text="New")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("export-all", "--check", str(folder), stderr=errors)
    reported = errors.getvalue()
    assert "csv/themes.keymessage.csv: checksum differs" in reported
    assert "themes.keymessage: the database now has 6 rows, the export 5" in reported


def test_secrets_are_left_out_and_csv_cells_cannot_run_as_formulas(cast, tmp_path):
    KeyMessage.objects.create(year="2031-32", order=1, title="=SUM(1)+cmd|' /C calc'!A0", text="-2")
    folder, manifest = _export(tmp_path)
    users = (folder / "csv" / "accounts.user.csv").read_text()
    assert "password" not in users.splitlines()[0]
    assert "argon2" not in users
    assert "password" in manifest["secrets_left_out"]
    rows = list(csv.DictReader((folder / "csv" / "themes.keymessage.csv").open()))
    assert "'=SUM(1)+cmd|' /C calc'!A0" in [row["title"] for row in rows]
    exact = json.loads((folder / "json" / "themes.keymessage.json").read_text())
    assert "=SUM(1)+cmd|' /C calc'!A0" in [row["title"] for row in exact]  # exact text kept


def test_an_existing_folder_is_never_overwritten(cast, tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        call_command("export-all", "--output", str(tmp_path / "taken"))
    assert list((tmp_path / "taken").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no half-written folder left
