"""The throwaway databases the benchmarks measure on: a temporary SQLite file, or a database
made (and dropped after) on a PostgreSQL server; and Django set up and migrated on one."""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DATABASES = ("sqlite", "postgres")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432"


class Skipped(Exception):
    """The database cannot be used here (e.g. no PostgreSQL server): report it and go on."""


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value at least `fraction` of them reach."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


def query_range(queries: Sequence[int]) -> str:
    """ "12", or "12-14" when the count varied between requests."""
    low, high = min(queries), max(queries)
    return f"{low}" if low == high else f"{low}-{high}"


class Timed:
    """Mixed into a benchmark's figure: the timings (ms) and SQL query counts of its requests."""

    timings_ms: list[float]
    queries: list[int]

    def percentile(self, fraction: float) -> float:
        return nearest_rank(self.timings_ms, fraction)

    @property
    def query_text(self) -> str:
        return query_range(self.queries)


class BenchmarkBroken(Exception):
    """The benchmark did not measure what it claims to: fail loudly."""


def add_database_arguments(parser: argparse.ArgumentParser, *, postgres_database: str) -> None:
    """--database (one of them; default both, each in a process of its own), --postgres-url,
    and --results (where a one-database run writes its report for the run of both)."""
    parser.add_argument("--database", choices=DATABASES, help="one database (default: both)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PAQA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help=f"the PostgreSQL server (its database {postgres_database} is created and dropped)",
    )
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)


def run_main(
    args: argparse.Namespace,
    *,
    run_all: Callable[[argparse.Namespace], int],
    run_database: Callable[[argparse.Namespace], Any],
    show: Callable[[list[Any]], None],
) -> int:
    """Both databases (each by `run_all`, in processes of their own), or the one asked for: its
    report written for the run of both, or shown."""
    if args.database is None:
        return run_all(args)
    try:
        report = run_database(args)
    except BenchmarkBroken as error:
        print(f"[{args.database}] BENCHMARK BROKEN: {error}", file=sys.stderr)
        return 1
    if args.results:
        args.results.write_text(report.to_json())
    else:
        show([report])
    return 0


def _close_django_connections() -> None:
    if "django.db" in sys.modules:  # Django's connections hold the database open
        from django.db import connections

        connections.close_all()


@contextmanager
def sqlite_database(prefix: str = "paqa-bench-") -> Iterator[str]:
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".sqlite3")
    os.close(handle)
    try:
        yield f"sqlite:///{name}"  # an absolute path: sqlite:////tmp/paqa-bench-....sqlite3
    finally:
        _close_django_connections()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)


@contextmanager
def postgres_database(server_url: str, database: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    admin_url = urlsplit(server_url)._replace(path="/postgres").geturl()
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(drop)
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise Skipped(f"no usable PostgreSQL server at {server_url} ({reason})") from error
    try:
        yield urlsplit(server_url)._replace(path=f"/{database}").geturl()
    finally:
        _close_django_connections()
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(drop)


def django_setup(database_url: str, settings_module: str = "paqa.settings.test") -> str:
    """Configure Django for the database; migrate it. Returns the server's name and version."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "sqlite":
        import sqlite3

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
        return f"SQLite {sqlite3.sqlite_version} (journal_mode={journal})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def results_per_database(
    script: str, databases: Sequence[str], passed_on: Sequence[str], prefix: str
) -> tuple[list[str], list[str]]:
    """Run `script --database D --results FILE ...` for each database, one after the other,
    each in a process of its own (so settings are fresh); returns the JSON each wrote and a
    line for each that failed."""
    written: list[str] = []
    failed: list[str] = []
    for database in databases:
        with tempfile.TemporaryDirectory(prefix=prefix) as directory:
            results = Path(directory) / "report.json"
            command = [
                sys.executable,
                script,
                "--database",
                database,
                "--results",
                str(results),
                *passed_on,
            ]
            finished = subprocess.run(command, check=False)  # noqa: S603 - our own script
            if finished.returncode != 0 or not results.exists():
                failed.append(f"{database}: the benchmark failed (exit {finished.returncode})")
                continue
            written.append(results.read_text())
    return written, failed
