"""Every table PAQA holds, with a count and a checksum of its rows: what an export, a backup and
a restore are checked against.

A table's checksum is SHA-256 over its rows in primary-key order, each row written the same way
whatever the database (SQLite or PostgreSQL): so the same data gives the same checksum, and a
restore is proved by comparing two inventories.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, models

# Framework tables a backup also carries (sign-in devices, sessions, the task queue), beside
# PAQA's own.
FRAMEWORK_APPS = (
    "auth",
    "contenttypes",
    "sessions",
    "otp_totp",
    "otp_static",
    "django_tasks_database",
)
# Live state of running processes, not records: workers' heartbeats change every few seconds,
# so no export or backup could be checked against them (the whole database is still copied).
LIVE_STATE = ("core.taskworker",)
CHUNK = 2000


def paqa_models() -> list[type[models.Model]]:
    """PAQA's own tables (and their many-to-many tables), in a fixed order."""
    return _models(lambda config: config.name.startswith("paqa."))


def all_models() -> list[type[models.Model]]:
    """Every table a backup must bring back: PAQA's and the framework's that hold data."""
    return _models(lambda config: config.name.startswith("paqa.") or config.label in FRAMEWORK_APPS)


def _models(wanted: Any) -> list[type[models.Model]]:
    found = [
        model
        for config in apps.get_app_configs()
        if wanted(config)
        for model in config.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in LIVE_STATE
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def columns(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def canonical(value: Any) -> Any:
    """A value as JSON can hold it, the same from either database."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, UUID):
        return str(value)
    return value


def rows(model: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> Iterator[list[Any]]:
    """Every row of the table as canonical values, in primary-key order."""
    names = columns(model)
    table = model._default_manager.using(using).order_by("pk").values_list(*names)
    for row in table.iterator(CHUNK):
        yield [canonical(value) for value in row]


def row_bytes(row: list[Any]) -> bytes:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class TableDigest:
    count: int
    sha256: str


def digest(model: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> TableDigest:
    sha = hashlib.sha256()
    count = 0
    for row in rows(model, using):
        sha.update(row_bytes(row))
        sha.update(b"\n")
        count += 1
    return TableDigest(count, sha.hexdigest())


def inventory(
    models_to_read: list[type[models.Model]] | None = None, using: str = DEFAULT_DB_ALIAS
) -> dict[str, dict[str, Any]]:
    """label → {"count", "sha256"} for every table (all of them unless given)."""
    return {
        model._meta.label_lower: digest(model, using).__dict__
        for model in (models_to_read if models_to_read is not None else all_models())
    }


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read a megabyte at a time."""
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Each table whose count or checksum differs, in words."""
    problems = []
    for label in sorted(set(expected) | set(found)):
        want, have = expected.get(label), found.get(label)
        if want is None or have is None:
            problems.append(f"{label}: only in the {'database' if want is None else 'backup'}")
        elif want["count"] != have["count"]:
            problems.append(f"{label}: {have['count']} rows, expected {want['count']}")
        elif want["sha256"] != have["sha256"]:
            problems.append(f"{label}: same {have['count']} rows, different contents")
    return problems
