"""`paqa export-all`: every record of every part, as CSV (for people) and JSON (exact), with a
manifest of counts and checksums, so a partnership can take all of its data with it.

Secrets are not exported: password hashes and the hashes of one-time codes and keys. Files
people uploaded are copied beside the tables. The export is written to a new folder next to
the one asked for and renamed into place at the end, so a stopped export leaves nothing that
looks finished.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from paqa.core.exports import neutralise
from paqa.operations.inventory import canonical, columns, file_sha256, paqa_models, row_bytes

FORMAT_VERSION = 1
SECRET_COLUMNS = {"password", "token_hash", "code_hash", "resume_code_hash"}
REDACTED = "(not exported: a secret)"


class ExportError(Exception):
    pass


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"base64"}:
        return f"({len(value['base64']) * 3 // 4} bytes of data: see the JSON file)"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralise(value)


@dataclass
class TableExport:
    count: int = 0
    sha256: str = ""  # of the rows as exported (secrets left out), in primary-key order
    files: dict[str, dict[str, str]] = field(default_factory=dict)


def _export_table(model: type[models.Model], folder: Path) -> TableExport:
    label = model._meta.label_lower
    names = columns(model)
    kept = [index for index, name in enumerate(names) if name not in SECRET_COLUMNS]
    header = [names[index] for index in kept]
    csv_path = folder / "csv" / f"{label}.csv"
    json_path = folder / "json" / f"{label}.json"
    rows_sha = hashlib.sha256()
    count = 0
    queryset = model._default_manager.order_by("pk").values_list(*names)
    with (
        csv_path.open("w", newline="", encoding="utf-8") as csv_stream,
        json_path.open("w", encoding="utf-8") as json_stream,
    ):
        writer = csv.writer(csv_stream)
        writer.writerow(header)
        json_stream.write("[")
        for raw in queryset.iterator(2000):
            row = [canonical(raw[index]) for index in kept]
            rows_sha.update(row_bytes(row) + b"\n")
            writer.writerow([_csv_cell(value) for value in row])
            json_stream.write(("," if count else "") + "\n")
            json_stream.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False))
            count += 1
        json_stream.write("\n]\n")
    return TableExport(
        count=count,
        sha256=rows_sha.hexdigest(),
        files={
            "csv": {"path": f"csv/{label}.csv", "sha256": file_sha256(csv_path)},
            "json": {"path": f"json/{label}.json", "sha256": file_sha256(json_path)},
        },
    )


def _uploaded_files(folder: Path) -> list[dict[str, Any]]:
    """Copies of every file people uploaded (attachments, imported files)."""
    copied = []
    root = Path(settings.MEDIA_ROOT)
    for model in paqa_models():
        for file_field in model._meta.concrete_fields:
            if not isinstance(file_field, models.FileField):
                continue
            names = model._default_manager.exclude(**{file_field.attname: ""}).values_list(
                file_field.attname, flat=True
            )
            for name in names.order_by(file_field.attname).distinct():
                source = (root / name).resolve()
                if root.resolve() not in source.parents or not source.is_file():
                    copied.append({"path": f"files/{name}", "missing": True})
                    continue
                target = folder / "files" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                copied.append(
                    {
                        "path": f"files/{name}",
                        "bytes": target.stat().st_size,
                        "sha256": file_sha256(target),
                    }
                )
    return copied


def export_all(output: Path) -> dict[str, Any]:
    """Write the export to `output` (a folder that must not exist yet); return the manifest."""
    output = output.resolve()
    if output.exists():
        raise ExportError(f"{output} already exists: name a new folder")
    if not output.parent.is_dir():
        raise ExportError(f"{output.parent} is not a folder")
    working = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        (working / "csv").mkdir()
        (working / "json").mkdir()
        tables: dict[str, Any] = {}
        # One transaction: every table as it was at one moment.
        # A repeatable-read snapshot needs a transaction of its own (not one inside another).
        snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
        connection.ensure_connection()  # its set-up queries must not open the transaction
        with transaction.atomic():
            if snapshot:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for model in paqa_models():
                tables[model._meta.label_lower] = _export_table(model, working).__dict__
            files = _uploaded_files(working)
        manifest = {
            "paqa_export": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "database": connection.vendor,
            "secrets_left_out": sorted(SECRET_COLUMNS),
            "tables": tables,
            "files": files,
        }
        (working / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        working.rename(output)
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    return manifest


def check_export(folder: Path) -> tuple[list[str], dict[str, Any]]:
    """Problems found checking an export against its manifest (files present, checksums, row
    counts in the CSV and JSON files) and against the database now; and the manifest."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return [f"{manifest_path}: no manifest"], {}
    manifest = json.loads(manifest_path.read_text())
    problems = []
    for table in manifest["tables"].values():
        for kind, entry in table["files"].items():
            path = folder / entry["path"]
            if not path.is_file():
                problems.append(f"{entry['path']}: missing")
                continue
            if file_sha256(path) != entry["sha256"]:
                problems.append(f"{entry['path']}: checksum differs from the manifest")
            if kind == "csv":
                with path.open(newline="", encoding="utf-8") as stream:
                    found = sum(1 for _ in csv.reader(stream)) - 1
            else:
                found = len(json.loads(path.read_text(encoding="utf-8")))
            if found != table["count"]:
                problems.append(
                    f"{entry['path']}: {found} rows, the manifest says {table['count']}"
                )
    for entry in manifest["files"]:
        path = folder / entry["path"]
        if entry.get("missing"):
            problems.append(f"{entry['path']}: was missing from the storage when exported")
        elif not path.is_file() or file_sha256(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: missing or changed")
    live = {model._meta.label_lower: model for model in paqa_models()}
    for label, table in manifest["tables"].items():
        model = live.get(label)
        if model is None:
            problems.append(f"{label}: no longer a table in the database")
        elif (count := model._default_manager.count()) != table["count"]:
            problems.append(
                f"{label}: the database now has {count} rows, the export {table['count']}"
            )
    return problems, manifest
