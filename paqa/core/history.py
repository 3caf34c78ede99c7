"""Reading the change history that django-simple-history keeps for every domain record."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import IntegerField, Model, OuterRef, Q, Subquery, Value
from simple_history.models import registered_models

CHANGE_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}
HIDDEN_FIELDS = {"password", "last_login", "updated_at", "token_hash"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    record_type: str
    record_type_key: str
    record_id: int
    record: str
    change: str
    reason: str
    changes: list[FieldChange]


@functools.cache
def _record_types() -> tuple[tuple[str, type[Model], type[Model]], ...]:
    """(key, model, its historical model) for every model with history: fixed once the apps
    are loaded, and slow to find (simple-history makes a new manager class on each access)."""
    return tuple(
        (f"{model._meta.app_label}.{model._meta.model_name}", model, model.history.model)
        for model in registered_models.values()
        # Many-to-many links are recorded on their parent's history, not as models of their own.
        if hasattr(model, "history")
    )


def history_record_types() -> dict[str, type[Model]]:
    """Every model with history, keyed by 'app_label.model_name'."""
    return {key: model for key, model, _history in _record_types()}


def _history_model(model: type[Model]) -> Any:
    return next(history for _key, each, history in _record_types() if each is model)


def _display(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    return str(value)


M2MLinks = dict[tuple[str, int], list[int]]  # (field, history id) -> ids of linked records


def _m2m_fields(model: type[Model]) -> list[Any]:
    """The many-to-many fields whose links the model's history keeps."""
    return list(getattr(_history_model(model), "_history_m2m_fields", ()))


def _m2m_links(model: type[Model], history_ids: set[int]) -> M2MLinks:
    """For each many-to-many field the model's history keeps, the records each version linked
    to: one query per field for every version at once (not one per version and field)."""
    links: M2MLinks = {}
    history_model = _history_model(model)
    for field in _m2m_fields(model):
        # The historical rows of the links, as simple-history keeps them for each version.
        through = getattr(history_model, field.name).model
        linked = field.m2m_reverse_field_name()
        rows = (
            through.objects.filter(history_id__in=history_ids)
            .order_by(linked)
            .values_list("history_id", f"{linked}_id")
        )
        for history_id, linked_id in rows:
            links.setdefault((field.name, history_id), []).append(linked_id)
    return links


def _field_changes(
    record: Any, previous: Any, model: type[Model], links: M2MLinks
) -> list[FieldChange]:
    if record.history_type != "~" or previous is None:
        return []
    m2m_fields = _m2m_fields(model)
    delta = record.diff_against(previous, excluded_fields=[f.name for f in m2m_fields])
    changes = []
    for change in delta.changes:
        if change.field in HIDDEN_FIELDS:
            continue
        field = record.instance_type._meta.get_field(change.field)
        changes.append(
            FieldChange(
                field=str(getattr(field, "verbose_name", change.field)).capitalize(),
                old=_display(change.old),
                new=_display(change.new),
            )
        )
    for m2m in m2m_fields:
        old = links.get((m2m.name, previous.history_id), [])
        new = links.get((m2m.name, record.history_id), [])
        if old != new:
            changes.append(
                FieldChange(
                    field=str(m2m.verbose_name).capitalize(),
                    old=", ".join(map(str, old)) or "(none)",
                    new=", ".join(map(str, new)) or "(none)",
                )
            )
    return changes


def _newest_sql(
    types: tuple[tuple[str, type[Model]], ...], record_id: int | None, limit: int
) -> tuple[str, list[Any]]:
    branches, parameters = [], []
    for position, (_key, model) in enumerate(types):
        history = _history_model(model).objects.all()
        if record_id is not None:
            history = history.filter(id=record_id)
        newest = (
            history.annotate(paqa_history_kind=Value(position, output_field=IntegerField()))
            .values_list("paqa_history_kind", "history_id", "history_date")
            .order_by("-history_date", "-history_id")[:limit]
        )
        sql, params = newest.query.get_compiler(connection=connection).as_sql()
        # Wrapped, because a compound SELECT may not order or limit its parts directly.
        branches.append(f"SELECT * FROM ({sql}) AS newest_{position}")  # noqa: S608 (ORM SQL)
        parameters.extend(params)
    union = " UNION ALL ".join(branches)
    return (
        f"SELECT * FROM ({union}) AS newest ORDER BY 3 DESC, 2 DESC LIMIT %s",  # noqa: S608
        [*parameters, limit],
    )


# The whole history's query is the same on every visit: made once per database vendor.
_cached_newest_sql = functools.cache(lambda types, limit, vendor: _newest_sql(types, None, limit))


def _newest(
    types: dict[str, type[Model]], record_id: int | None, limit: int
) -> dict[str, list[int]]:
    """The history ids of the `limit` newest changes across every type, by type: one query,
    each type's newest rows taken from its own date index, then the newest of them all."""
    if not types:
        return {}
    ordered = tuple(types.items())
    if record_id is None:
        sql, parameters = _cached_newest_sql(ordered, limit, connection.vendor)
    else:
        sql, parameters = _newest_sql(ordered, record_id, limit)
    chosen: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        for kind, history_id, _when in cursor.fetchall():
            chosen.setdefault(ordered[kind][0], []).append(history_id)
    return chosen


def history_entries(
    *, record_type: str | None = None, record_id: int | None = None, limit: int = 200
) -> list[HistoryEntry]:
    """The newest changes across every recorded model (or one type, or one record), in a few
    queries for each type of record among them, however long the history."""
    types = history_record_types()
    if record_type is not None:
        types = {record_type: types[record_type]} if record_type in types else {}
    rows: list[tuple[Any, str, type[Model]]] = []
    previous_of: dict[tuple[str, int], Any] = {}
    links: dict[str, M2MLinks] = {}
    for key, history_ids in _newest(types, record_id, limit).items():
        model = types[key]
        history_model = _history_model(model)
        # Labels are drawn from the historical rows themselves (model.__str__ on them), so the
        # records they point at are joined in here rather than fetched row by row.
        related = [
            field.name
            for field in history_model._meta.fields
            if field.many_to_one and field.name != "history_user"
        ]
        # Each change's previous version of the same record, found by the database.
        earlier = (
            history_model.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        newest = list(
            history_model.objects.filter(history_id__in=history_ids)
            .select_related("history_user", *related)
            .annotate(previous_history_id=Subquery(earlier))
        )
        rows.extend((record, key, model) for record in newest)
        wanted = {record.previous_history_id for record in newest if record.previous_history_id}
        if wanted:
            previous = history_model.objects.in_bulk(wanted)
            for record in newest:
                if record.previous_history_id in previous:
                    previous_of[(key, record.history_id)] = previous[record.previous_history_id]
        changed = [r for r in newest if r.history_type == "~" and r.previous_history_id]
        if changed:
            links[key] = _m2m_links(
                model, {r.history_id for r in changed} | {r.previous_history_id for r in changed}
            )
    rows.sort(key=lambda row: (row[0].history_date, row[0].history_id), reverse=True)
    entries = []
    for record, key, model in rows[:limit]:
        who = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(who.full_name or who.email) if who is not None else "System",
                record_type=str(model._meta.verbose_name).capitalize(),
                record_type_key=key,
                record_id=record.id,
                record=model.__str__(record),
                change=CHANGE_TYPES.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=_field_changes(
                    record,
                    previous_of.get((key, record.history_id)),
                    model,
                    links.get(key, {}),
                ),
            )
        )
    return entries


def stamp_actor(record: Any, actor: Any) -> None:
    """Record who is making the next save of `record` in its history (simple-history reads
    `_history_user`), so changes made outside a request — commands, tasks — name their actor."""
    record._history_user = actor
