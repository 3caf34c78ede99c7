"""Made-up records written straight to their tables, with their history, many at a time.

The scale generator makes a hundred thousand rows or more. Saving them one by one (signals,
history, a query each) would take minutes, so rows are gathered here and written with
`paqa.core.bulk.insert_rows` (executemany on SQLite, COPY on PostgreSQL), each table once.

Ids are given here, after the largest already in the table, so that records can point at each
other before anything is written, and the same generator gives the same ids on either database.
Every record of a model that keeps history gets its "created" history row, dated when the
record says it was made and carrying the reason given, as a save would have written it (and
the history rows of its many-to-many links, as simple-history keeps them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from paqa.core.bulk import insert_rows
from paqa.operations.inventory import canonical, row_bytes

_WHEN = object()  # a timestamp field: the moment the record says it was made
_REQUIRED = object()  # no default: the generator must give it

HISTORY_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type")


def _default_of(model_field: Any) -> Any:
    clock = model_field.default in (timezone.now, timezone.localdate, datetime.now)
    if isinstance(model_field, models.DateTimeField) and (
        model_field.auto_now or model_field.auto_now_add or clock
    ):
        return _WHEN
    if clock:  # today's date would make the rows differ from one run to the next
        return _REQUIRED
    if model_field.has_default():
        return model_field.get_default if callable(model_field.default) else model_field.default
    if model_field.null:
        return None
    if model_field.empty_strings_allowed and isinstance(
        model_field, models.CharField | models.TextField
    ):
        return ""
    return _REQUIRED


def _pk_name(model: type[models.Model]) -> str:
    pk = model._meta.pk
    if pk is None:  # an abstract model: never given here
        raise ValueError(f"{model.__name__} has no table")
    return pk.attname


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    manager = model._meta.__dict__.get("simple_history_manager_attribute")
    if not manager:
        return None
    history_model: type[models.Model] = getattr(model, manager).model
    return history_model


@dataclass
class _Table:
    """The rows of one table to be written, in the order of its concrete fields."""

    model: type[models.Model]
    attnames: list[str]
    defaults: list[Any]
    next_id: int
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    # copy → [first id, last id] of the rows it wrote
    spans: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, model: type[models.Model]) -> _Table:
        fields = list(model._meta.concrete_fields)
        largest = model._default_manager.order_by().aggregate(largest=Max(_pk_name(model)))[
            "largest"
        ]
        return cls(
            model=model,
            attnames=[f.attname for f in fields],
            defaults=[_default_of(f) for f in fields],
            next_id=(largest or 0) + 1,
        )

    def take_id(self, copy: int) -> int:
        pk = self.next_id
        self.next_id += 1
        span = self.spans.setdefault(copy, [pk, pk])
        span[1] = pk
        return pk


@dataclass
class _History:
    """How a record's row becomes its history row: which record column fills each column."""

    table: _Table
    sources: list[int | str]  # a record column's index, or the name of a history column
    ids: dict[int, int] = field(default_factory=dict)  # record id → its history row's id


class Batch:
    """Rows to write: `add` gives each record its id at once; `write` inserts them all."""

    def __init__(self, *, reason: Callable[[int], str]) -> None:
        self._reason = reason
        self._tables: dict[type[models.Model], _Table] = {}
        self._histories: dict[type[models.Model], _History | None] = {}

    def _table(self, model: type[models.Model]) -> _Table:
        table = self._tables.get(model)
        if table is None:
            table = self._tables[model] = _Table.of(model)
        return table

    def _history(self, model: type[models.Model], table: _Table) -> _History | None:
        if model in self._histories:
            return self._histories[model]
        history_model = _history_model(model)
        history = None
        if history_model is not None:
            history_table = self._table(history_model)
            position = {name: index for index, name in enumerate(table.attnames)}
            sources: list[int | str] = []
            for name in history_table.attnames:
                if name in position:
                    sources.append(position[name])
                elif name in (*HISTORY_FIELDS, "history_user_id"):
                    sources.append(name)
                else:
                    raise ValueError(f"{history_model.__name__}.{name}: not in {model.__name__}")
            history = _History(table=history_table, sources=sources)
        self._histories[model] = history
        return history

    def add(
        self, model: type[models.Model], *, copy: int, when: datetime | None, **values: Any
    ) -> int:
        """A record (values by attname, like `organisation_id`), made at `when` (its timestamps
        and its history's date); gives back its id."""
        table = self._table(model)
        pk = table.take_id(copy)
        values[_pk_name(model)] = pk
        row = []
        for name, default in zip(table.attnames, table.defaults, strict=True):
            if name in values:
                row.append(values.pop(name))
            elif default is _WHEN:
                if when is None:
                    raise ValueError(f"{model.__name__}.{name}: say when the record was made")
                row.append(when)
            elif default is _REQUIRED:
                raise ValueError(f"{model.__name__}.{name} is needed")
            elif callable(default):
                row.append(default())
            else:
                row.append(default)
        if values:
            raise ValueError(f"{model.__name__} has no {', '.join(sorted(values))}")
        record = tuple(row)
        table.rows.append(record)
        history = self._history(model, table)
        if history is not None:
            if when is None:
                raise ValueError(f"{model.__name__} keeps history: say when it was made")
            history_id = history.table.take_id(copy)
            history.ids[pk] = history_id
            made = {
                "history_id": history_id,
                "history_date": when,
                "history_change_reason": self._reason(copy),
                "history_type": "+",
                "history_user_id": None,
            }
            history.table.rows.append(
                tuple(
                    record[source] if isinstance(source, int) else made[source]
                    for source in history.sources
                )
            )
        return pk

    def add_many(
        self, model: type[models.Model], *, copy: int, columns: list[str], rows: Iterable[list[Any]]
    ) -> list[int]:
        """Many records of a model without history, given as lists of `columns` (the fast path
        for survey answers; other columns take their defaults); gives back their ids."""
        if _history_model(model) is not None:
            raise ValueError(f"{model.__name__} keeps history: add its records one by one")
        table = self._table(model)
        pk_name = _pk_name(model)
        unknown = set(columns) - set(table.attnames) | ({pk_name} & set(columns))
        if unknown:
            raise ValueError(f"{model.__name__}: cannot give {', '.join(sorted(unknown))}")
        given = {name: index for index, name in enumerate(columns)}
        for name, default in zip(table.attnames, table.defaults, strict=True):
            if name not in given and name != pk_name and default in (_WHEN, _REQUIRED):
                raise ValueError(f"{model.__name__}.{name} is needed")
        ids = []
        for row in rows:
            pk = table.take_id(copy)
            ids.append(pk)
            table.rows.append(
                tuple(
                    pk
                    if name == pk_name
                    else row[given[name]]
                    if name in given
                    else default()
                    if callable(default)
                    else default
                    for name, default in zip(table.attnames, table.defaults, strict=True)
                )
            )
        return ids

    def link(
        self,
        model: type[models.Model],
        field_name: str,
        *,
        copy: int,
        owner_id: int,
        target_ids: list[int],
    ) -> None:
        """Many-to-many links from one record (saved earlier in this batch), and their history
        rows beside its history row when the model keeps history of that field."""
        many = model._meta.get_field(field_name)
        through = many.remote_field.through  # type: ignore[union-attr]
        source = many.m2m_field_name()  # type: ignore[union-attr]
        target = many.m2m_reverse_field_name()  # type: ignore[union-attr]
        history_model = _history_model(model)
        m2m_history = None
        if history_model is not None and hasattr(history_model, field_name):
            m2m_history = getattr(history_model, field_name).model
        history = self._histories.get(model)
        for target_id in target_ids:
            link_id = self.add(
                through,
                copy=copy,
                when=None,  # link tables have no timestamps
                **{f"{source}_id": owner_id, f"{target}_id": target_id},
            )
            if m2m_history is not None and history is not None:
                self.add(
                    m2m_history,
                    copy=copy,
                    when=None,
                    id=link_id,
                    history_id=history.ids[owner_id],
                    **{f"{source}_id": owner_id, f"{target}_id": target_id},
                )

    def write(self) -> None:
        """Insert every table's rows (in the order the tables were first used), then move
        PostgreSQL's sequences past the ids given here."""
        for table in self._tables.values():
            if table.rows:
                insert_rows(table.model, table.attnames, table.rows)
        if connection.vendor == "postgresql":
            statements = connection.ops.sequence_reset_sql(no_style(), list(self._tables))
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    def counts(self) -> dict[str, int]:
        """Rows written, by model label."""
        return {
            table.model._meta.label_lower: len(table.rows)
            for table in self._tables.values()
            if table.rows
        }

    def spans(self) -> dict[int, dict[str, tuple[int, int]]]:
        """copy → model label → (first id, last id) of the rows that copy wrote."""
        found: dict[int, dict[str, tuple[int, int]]] = {}
        for table in self._tables.values():
            for copy, (first, last) in table.spans.items():
                found.setdefault(copy, {})[table.model._meta.label_lower] = (first, last)
        return found


def checksum(spans: dict[str, tuple[int, int]], models_by_label: dict[str, Any]) -> str:
    """SHA-256 over the rows of one copy as the database gives them back, table by table in
    label order, each row's columns canonical (as `paqa export-all` writes them), so the same
    rows give the same checksum on SQLite and PostgreSQL."""
    sha = hashlib.sha256()
    for label in sorted(spans):
        model = models_by_label[label]
        first, last = spans[label]
        names = [f.attname for f in model._meta.concrete_fields]
        pk = _pk_name(model)
        sha.update(f"{label}\n".encode())
        rows = (
            model._default_manager.filter(**{f"{pk}__range": (first, last)})
            .order_by(pk)
            .values_list(*names)
        )
        for row in rows.iterator(chunk_size=5000):
            sha.update(row_bytes([canonical(value) for value in row]))
            sha.update(b"\n")
    return sha.hexdigest()
