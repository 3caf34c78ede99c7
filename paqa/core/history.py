"""Reading the change history that django-simple-history keeps for every domain record."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model
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


def history_record_types() -> dict[str, type[Model]]:
    """Every model with history, keyed by 'app_label.model_name'."""
    return {
        f"{model._meta.app_label}.{model._meta.model_name}": model
        for model in registered_models.values()
        # Many-to-many links are recorded on their parent's history, not as models of their own.
        if hasattr(model, "history")
    }


def _display(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    return str(value)


def _field_changes(record: Any, previous: Any) -> list[FieldChange]:
    if record.history_type != "~" or previous is None:
        return []
    delta = record.diff_against(previous)
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
    return changes


def history_entries(
    *, record_type: str | None = None, record_id: int | None = None, limit: int = 200
) -> list[HistoryEntry]:
    """The newest changes across every recorded model (or one type, or one record)."""
    types = history_record_types()
    if record_type is not None:
        types = {record_type: types[record_type]} if record_type in types else {}
    rows: list[tuple[Any, str, type[Model]]] = []
    previous_of: dict[tuple[str, int], Any] = {}
    for key, model in types.items():
        history_model = model.history.model  # type: ignore[attr-defined]
        # Labels are drawn from the historical rows themselves (model.__str__ on them), so the
        # records they point at are joined in here rather than fetched row by row.
        related = [
            field.name
            for field in history_model._meta.fields
            if field.many_to_one and field.name != "history_user"
        ]
        history = model.history.select_related(  # type: ignore[attr-defined]
            "history_user", *related
        )
        if record_id is not None:
            history = history.filter(id=record_id)
        newest = list(history.order_by("-history_date", "-history_id")[:limit])
        rows.extend((record, key, model) for record in newest)
        # One more query per type finds each change's previous version (no query per row).
        earlier = model.history.filter(  # type: ignore[attr-defined]
            id__in={record.id for record in newest}
        ).order_by("id", "history_date", "history_id")
        last_seen: dict[int, Any] = {}
        for version in earlier:
            if version.id in last_seen:
                previous_of[(key, version.history_id)] = last_seen[version.id]
            last_seen[version.id] = version
    rows.sort(key=lambda row: row[0].history_date, reverse=True)
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
                changes=_field_changes(record, previous_of.get((key, record.history_id))),
            )
        )
    return entries


def stamp_actor(record: Any, actor: Any) -> None:
    """Record who is making the next save of `record` in its history (simple-history reads
    `_history_user`), so changes made outside a request — commands, tasks — name their actor."""
    record._history_user = actor
