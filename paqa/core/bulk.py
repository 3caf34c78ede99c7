"""Fast inserts for large imports.

`bulk_create` compiles every value of every row through the ORM; for a 100,000-row import that
compilation, not the database, is most of the time (bench/README.md). Here each column's
adapter is chosen once and rows go to the driver with executemany.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any] | None


def _adapter(field: Any) -> Adapter:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return None  # both drivers take Decimal as it is
    if isinstance(field, models.CharField | models.TextField | models.IntegerField):
        return None
    if isinstance(field, models.ForeignKey):
        return None  # ids are integers
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
) -> int:
    """INSERT the rows (values in the order of `columns`, field names); returns how many.

    No signals, no save(), no primary keys returned: callers that need ids select them after.
    """
    fields: list[Any] = [model._meta.get_field(name) for name in columns]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    # Only model metadata goes into the statement (quoted); every value is a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, adapters, rows)
    count = 0
    chunk: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(
                tuple(
                    value if adapt is None or value is None else adapt(value)
                    for adapt, value in zip(adapters, row, strict=True)
                )
            )
            if len(chunk) >= batch_size:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _copy_rows(
    model: type[models.Model], fields: list[Any], adapters: list[Adapter], rows: Iterable[Any]
) -> int:
    """PostgreSQL: COPY is many times faster than even a pipelined executemany."""
    quote = connection.ops.quote_name
    statement = (
        f"COPY {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                tuple(
                    value if adapt is None or value is None else adapt(value)
                    for adapt, value in zip(adapters, row, strict=True)
                )
            )
            count += 1
    return count
