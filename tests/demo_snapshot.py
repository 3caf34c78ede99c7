"""The demonstration partnership for the tests that read it, loaded once per test process.

The first module that asks for the demo runs the real loader (`demo_everything_load`); every
table's rows are then copied out of the database, as the database holds them. Later modules get
the same rows put back in a fraction of the time (COPY on PostgreSQL, one INSERT per table on
SQLite) instead of running the loader again. Between modules the database is emptied as before,
so a module's changes never reach the next one.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class TableRows:
    table: str
    columns: tuple[str, ...]
    rows: bytes | list[tuple[object, ...]]  # COPY text on PostgreSQL, values on SQLite


_snapshot: list[TableRows] | None = None


def _tables() -> list[str]:
    seen: dict[str, None] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            seen.setdefault(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    return [table for table in seen if table in existing]


def _copy_out() -> list[TableRows]:
    quote = connection.ops.quote_name
    copied = []
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} LIMIT 0")  # noqa: S608 (our tables)
            columns = tuple(column[0] for column in cursor.description)
            if connection.vendor == "postgresql":
                buffer = io.BytesIO()
                with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                    for data in copy:
                        buffer.write(data)
                if buffer.tell():
                    copied.append(TableRows(table, columns, buffer.getvalue()))
            else:
                cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (our tables)
                # SQLite hands back TIME columns as datetime.time, which it cannot take back.
                rows = [
                    tuple(v.isoformat() if isinstance(v, datetime.time) else v for v in row)
                    for row in cursor.fetchall()
                ]
                if rows:
                    copied.append(TableRows(table, columns, rows))
    return copied


def _copy_in(snapshot: list[TableRows]) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign keys are checked when the transaction commits, so the order is free.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Emptying the database puts back what migrations make (content types, permissions):
        # the snapshot has them as the loader left them.
        for table in snapshot:
            cursor.execute(f"DELETE FROM {quote(table.table)}")  # noqa: S608 (our tables)
        if connection.vendor == "postgresql":
            for table in snapshot:
                with cursor.cursor.copy(f"COPY {quote(table.table)} FROM STDIN") as copy:
                    copy.write(table.rows)
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        else:
            for table in snapshot:
                marks = ", ".join(["%s"] * len(table.columns))
                names = ", ".join(quote(column) for column in table.columns)
                cursor.executemany(
                    f"INSERT INTO {quote(table.table)} ({names}) VALUES ({marks})",  # noqa: S608
                    table.rows,
                )


def demo_into_database() -> None:
    """The demonstration partnership in the (empty) test database."""
    global _snapshot
    if _snapshot is None:
        from paqa.demo.loader import demo_everything_load

        demo_everything_load()
        _snapshot = _copy_out()
    else:
        _copy_in(_snapshot)
