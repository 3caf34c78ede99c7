"""`paqa backup` → wipe → `paqa restore` gives back every table with the same counts and
checksums, on SQLite and on PostgreSQL (whichever the suite runs on)."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paqa.demo.loader import demo_everything_load
from paqa.operations.inventory import inventory
from paqa.reports.models import Report
from paqa.surveys.models import Response


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"
    (tmp_path / "var" / "uploads" / "imports").mkdir(parents=True)
    (tmp_path / "var" / "uploads" / "imports" / "figures.csv").write_text("indicator,area\n")
    return tmp_path / "var"


def _backup(tmp_path: Path) -> Path:
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=io.StringIO())
    (folder,) = (tmp_path / "backups").iterdir()
    return folder


@pytest.mark.django_db(transaction=True)
def test_backup_then_wipe_then_restore_gives_identical_counts_and_checksums(tmp_path, var_dir):
    demo_everything_load()
    before = inventory()
    folder = _backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"] == before
    assert manifest["tables"]["surveys.response"]["count"] > 1000

    call_command("flush", interactive=False, verbosity=0)
    (var_dir / "uploads" / "imports" / "figures.csv").unlink()
    assert not Report.objects.exists()
    assert inventory() != before

    out = io.StringIO()
    call_command("restore", str(folder), "--yes", stdout=out)
    assert "every table's count and checksum matches" in out.getvalue()
    assert inventory() == before
    assert Response.objects.count() == before["surveys.response"]["count"]
    assert (var_dir / "uploads" / "imports" / "figures.csv").read_text() == "indicator,area\n"
    safety = [p for p in (var_dir / "backups").iterdir() if p.name.startswith("paqa-backup-")]
    assert len(safety) == 1  # what the restore replaced (the wiped data) was kept first


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path, var_dir, cast):
    folder = _backup(tmp_path)
    dump = next(p for p in folder.iterdir() if p.name.startswith("database."))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    before = inventory()
    errors = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(folder), "--yes", stderr=errors)
    assert "checksum differs from the manifest" in errors.getvalue()
    assert inventory() == before
    with pytest.raises(CommandError):
        call_command("restore", str(folder), "--check", stderr=io.StringIO())
