"""`paqa backup` and `paqa restore`, for the embedded SQLite database and for PostgreSQL.

A backup is a folder: the database (SQLite's own backup copy, or `pg_dump`'s custom format),
a copy of the uploaded files, and a manifest with every table's row count and checksum taken
from the same moment as the copy. A restore checks the copy against the manifest before it
touches anything, keeps a safety backup of what it replaces, and after restoring compares the
database with the manifest again: the restore is proved, not assumed.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from paqa.operations.inventory import differences, file_sha256, inventory

FORMAT_VERSION = 1
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


class BackupError(Exception):
    pass


def _postgres_env() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore, from Django's settings (the password goes in
    the environment, never on the command line)."""
    params = connection.settings_dict
    options = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        options += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        options += ["--port", str(params["PORT"])]
    if params.get("USER"):
        options += ["--username", str(params["USER"])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return options, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is needed for PostgreSQL (apt-get install postgresql-client)")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _copy_database(working: Path) -> tuple[str, dict[str, Any]]:
    """The database copied into `working`, and the inventory of that same moment."""
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            raise BackupError("A backup cannot be made inside another transaction")
        target = working / SQLITE_FILE
        connection.ensure_connection()
        raw = connection.connection
        # One read transaction: the inventory and the copy both see the same moment (in WAL
        # mode others may go on writing meanwhile).
        raw.execute("BEGIN DEFERRED")
        try:
            tables = inventory()
            destination = sqlite3.connect(target)
            try:
                raw.backup(destination)
            finally:
                destination.close()
        finally:
            raw.execute("COMMIT")
        return SQLITE_FILE, tables
    if connection.vendor == "postgresql":
        options, env = _postgres_env()
        if connection.in_atomic_block:
            raise BackupError("A backup cannot be made inside another transaction")
        connection.ensure_connection()  # its set-up queries must not open the transaction
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            # pg_dump reads the same snapshot as this transaction's inventory.
            _run(
                [
                    _tool("pg_dump"),
                    *options,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={working / POSTGRES_FILE}",
                ],
                env,
            )
            tables = inventory()
        return POSTGRES_FILE, tables
    raise BackupError(f"Backups are made for SQLite and PostgreSQL, not {connection.vendor}")


def _uploads_listing(root: Path) -> list[dict[str, Any]]:
    if not root.is_dir():
        return []
    return [
        {"path": str(path.relative_to(root)), "sha256": file_sha256(path)}
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]


def backup(output_dir: Path) -> tuple[Path, dict[str, Any]]:
    """Make a backup folder inside `output_dir`; return its path and manifest."""
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    final = output_dir / f"paqa-backup-{stamp}"
    working = Path(tempfile.mkdtemp(prefix=".paqa-backup-", dir=output_dir))
    try:
        dump_name, tables = _copy_database(working)
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            shutil.copytree(media, working / "uploads")
        dump = working / dump_name
        manifest = {
            "paqa_backup": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "dump": {"file": dump_name, "bytes": dump.stat().st_size, "sha256": file_sha256(dump)},
            "uploads": _uploads_listing(working / "uploads"),
            "migrations": sorted(
                MigrationRecorder(connection).migration_qs.values_list("app", "name")
            ),
            "tables": tables,
        }
        (working / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        working.rename(final)
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    return final, manifest


def check_backup(folder: Path) -> tuple[list[str], dict[str, Any]]:
    """Problems with a backup's files (missing, or not what the manifest says), and its
    manifest. Nothing is changed."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return [f"{folder}: no manifest.json: not a PAQA backup"], {}
    manifest = json.loads(manifest_path.read_text())
    problems = []
    dump = folder / manifest["dump"]["file"]
    if not dump.is_file():
        problems.append(f"{dump}: missing")
    elif file_sha256(dump) != manifest["dump"]["sha256"]:
        problems.append(f"{dump}: its checksum differs from the manifest (damaged?)")
    for entry in manifest["uploads"]:
        path = folder / "uploads" / entry["path"]
        if not path.is_file() or file_sha256(path) != entry["sha256"]:
            problems.append(f"uploads/{entry['path']}: missing or changed")
    return problems, manifest


def _restore_database(folder: Path, manifest: dict[str, Any]) -> None:
    dump = folder / manifest["dump"]["file"]
    if manifest["database"] == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    options, env = _postgres_env()
    for each in connections.all():
        each.close()
    _run(
        [
            _tool("pg_restore"),
            *options,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            str(dump),
        ],
        env,
    )


def _restore_uploads(folder: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    source = folder / "uploads"
    if media.exists():
        shutil.rmtree(media)
    if source.is_dir():
        shutil.copytree(source, media)


def restore(folder: Path, *, safety_dir: Path | None) -> tuple[Path | None, list[str]]:
    """Replace the database and uploaded files with the backup's, after checking it, and keep a
    safety backup of what is replaced in `safety_dir` (None: no safety backup). Returns that
    safety backup and the differences between the restored database and the manifest."""
    problems, manifest = check_backup(folder)
    if problems:
        raise BackupError("The backup is not sound; nothing was changed: " + "; ".join(problems))
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"This is a {manifest['database']} backup; the database here is {connection.vendor}"
        )
    safety = backup(safety_dir)[0] if safety_dir is not None else None
    _restore_database(folder, manifest)
    _restore_uploads(folder)
    return safety, differences(manifest["tables"], inventory())
