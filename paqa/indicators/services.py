"""Writes for the local safeguarding data set: the indicator pack, observations, commentary."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import yaml
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from simple_history.utils import bulk_update_with_history

from paqa.accounts.models import User
from paqa.core.bulk import insert_rows
from paqa.core.history import stamp_actor
from paqa.core.periods import PeriodKind, parse_period
from paqa.indicators.importing import (
    COMPARED_FIELDS,
    CheckedRow,
    CheckResult,
    ImportFileError,
    Plan,
    check_rows,
    plan_changes,
    read_rows,
)
from paqa.indicators.models import Commentary, Indicator, Observation, ObservationImport
from paqa.partnership.models import Organisation, Partnership

PACK_DIR = Path(__file__).resolve().parent / "packs"
CORE_PACK = PACK_DIR / "core.yaml"
BATCH_SIZE = 2000
PREVIEW_ROWS = 25

# The indicator pack ----------------------------------------------------------------------------

_PACK_FIELDS = (
    "name",
    "subject",
    "definition",
    "unit",
    "polarity",
    "frequency",
    "period_kind",
    "decimals",
    "target",
    "target_period",
    "amber_threshold",
    "priority",
    "themes",
    "derivation",
)


class PackError(ValueError):
    pass


def _pack_values(entry: dict[str, Any], position: int) -> dict[str, Any]:
    code = entry.get("code") or f"(entry {position})"
    missing = [
        key
        for key in (
            "code",
            "name",
            "subject",
            "definition",
            "unit",
            "polarity",
            "frequency",
            "period_kind",
            "priority",
        )
        if not entry.get(key)
    ]
    if missing:
        raise PackError(f"indicator {code}: missing {', '.join(missing)}")
    values = {key: entry.get(key) for key in _PACK_FIELDS if key in entry}
    values.setdefault("derivation", "")
    values.setdefault("themes", [])
    for number in ("target", "amber_threshold"):
        if values.get(number) is not None:
            values[number] = Decimal(str(values[number]))
    checks = {
        "unit": Indicator.Unit.values,
        "polarity": Indicator.Polarity.values,
        "frequency": Indicator.Frequency.values,
        "period_kind": [kind.value for kind in PeriodKind],
        "derivation": Indicator.Derivation.values,
    }
    for key, allowed in checks.items():
        if values.get(key, "") not in allowed:
            raise PackError(f"indicator {code}: {key} '{values.get(key)}' is not one of {allowed}")
    return values


@dataclass
class PackResult:
    version: str
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def indicator_pack_load(
    *,
    partnership: Partnership | None,
    path: Path = CORE_PACK,
    update: bool = False,
    actor: User | None = None,
) -> PackResult:
    """Create the pack's indicators. With update, also refresh definitions changed by the pack."""
    try:
        pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PackError(f"{path}: {error}") from error
    version = str(pack.get("version", ""))
    entries = pack.get("indicators") or []
    organisations: dict[str, Organisation] = {}
    if partnership is not None:
        for organisation in partnership.organisations.filter(archived_at__isnull=True).order_by(
            "pk"
        ):
            organisations.setdefault(organisation.kind, organisation)
    existing = {indicator.code: indicator for indicator in Indicator.objects.all()}
    created = updated = unchanged = 0
    for position, entry in enumerate(entries, start=1):
        values = _pack_values(entry, position)
        code = entry["code"]
        indicator = existing.get(code)
        if indicator is None:
            indicator = Indicator(code=code, sort_order=position, pack_version=version, **values)
            indicator.source_organisation = organisations.get(entry.get("source", ""))
            created += 1
        elif update and indicator.pack_version != version:
            for key, value in values.items():
                setattr(indicator, key, value)
            indicator.pack_version = version
            updated += 1
        else:
            unchanged += 1
            continue
        if entry.get("count"):
            count = existing.get(entry["count"])
            if count is None:
                raise PackError(
                    f"indicator {code}: its count '{entry['count']}' comes later or is missing"
                )
            indicator.count_indicator = count
        indicator._history_user = actor  # type: ignore[attr-defined]
        indicator.save()
        existing[code] = indicator
    return PackResult(version=version, created=created, updated=updated, unchanged=unchanged)


# Editing -------------------------------------------------------------------------------------


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor: User, **values: Any) -> Indicator:
    for key, value in values.items():
        setattr(indicator, key, value)
    indicator.full_clean()
    indicator._history_user = actor  # type: ignore[attr-defined]
    indicator.save()
    return indicator


@transaction.atomic
def commentary_save(*, indicator: Indicator, actor: User, text: str) -> Commentary:
    commentary = Commentary.objects.filter(indicator=indicator).first() or Commentary(
        indicator=indicator
    )
    commentary.text = text.strip()
    commentary._history_user = actor  # type: ignore[attr-defined]
    commentary.save()
    return commentary


# Importing observations ------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: int
    changed: int
    unchanged: int


_NEW_COLUMNS = (
    "indicator",
    "area",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "status",
    "note",
    "source_import",
    "created_at",
    "updated_at",
)


def _insert_new(
    rows: list[CheckedRow],
    *,
    actor: User | None,
    reason: str,
    source_import: ObservationImport | None,
) -> None:
    """Insert new observations and their "created" history rows, fast (see core/bulk.py)."""
    now = timezone.now()
    source_id = source_import.pk if source_import else None
    values = [
        (
            row.indicator_id,
            row.area_id,
            row.period,
            row.period_kind,
            row.period_start,
            row.period_end,
            row.value,
            row.numerator,
            row.denominator,
            row.status,
            row.note,
            source_id,
            now,
            now,
        )
        for row in rows
    ]
    insert_rows(Observation, _NEW_COLUMNS, values)
    # The new ids, to give each history row the id of its observation.
    wanted = {row.key for row in rows}
    ids = {}
    for pk, indicator_id, area_id, period in Observation.objects.filter(
        indicator_id__in={row.indicator_id for row in rows},
        area_id__in={row.area_id for row in rows},
        created_at=now,
    ).values_list("pk", "indicator_id", "area_id", "period"):
        if (indicator_id, area_id, period) in wanted:
            ids[(indicator_id, area_id, period)] = pk
    history_columns = (
        "id",
        *_NEW_COLUMNS,
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user",
    )
    actor_id = actor.pk if actor else None
    insert_rows(
        Observation.history.model,
        history_columns,
        (
            (ids[row.key], *value, now, reason, "+", actor_id)
            for row, value in zip(rows, values, strict=True)
        ),
    )


def observations_apply(
    *, plan: Plan, actor: User | None, reason: str, source_import: ObservationImport | None = None
) -> ImportSummary:
    """Write a checked plan in one transaction: new rows, and changed rows with their history."""
    with transaction.atomic():
        if plan.new:
            _insert_new(plan.new, actor=actor, reason=reason, source_import=source_import)
        changed = []
        now = timezone.now()
        for row, stored in plan.changed:
            for name in COMPARED_FIELDS:
                setattr(stored, name, getattr(row, name))
            stored.source_import = source_import
            stored.updated_at = now
            changed.append(stored)
        if changed:
            bulk_update_with_history(
                changed,
                Observation,
                [*COMPARED_FIELDS, "source_import", "updated_at"],
                batch_size=BATCH_SIZE,
                default_user=actor,
                default_change_reason=reason,
            )
    return ImportSummary(created=len(plan.new), changed=len(changed), unchanged=plan.unchanged)


def observations_import_file(
    *, name: str, stream: IO[bytes], actor: User | None = None, dry_run: bool = False
) -> tuple[CheckResult, ImportSummary | None]:
    """Check a whole file, then (unless dry_run, or it has errors) write it all."""
    result = check_rows(read_rows(name, stream))
    if not result.ok:
        return result, None
    plan = plan_changes(result.rows)
    if dry_run:
        return result, ImportSummary(len(plan.new), len(plan.changed), plan.unchanged)
    summary = observations_apply(plan=plan, actor=actor, reason=f"Imported from {name}")
    return result, summary


def observation_import_start(*, actor: User, upload: File) -> ObservationImport:
    """Keep the uploaded file and check it in the background; the page shows the progress."""
    batch = ObservationImport(uploaded_by=actor, original_name=Path(upload.name or "upload").name)
    batch.file.save(batch.original_name, upload, save=False)
    batch.save()
    transaction.on_commit(lambda: observation_import_check.enqueue(batch.pk))
    return batch


def _describe(row: Any, indicators: dict[int, str], areas: dict[int, str]) -> dict[str, Any]:
    return {
        "row": row.row,
        "indicator": indicators.get(row.indicator_id, ""),
        "area": areas.get(row.area_id, ""),
        "period": row.period,
        "value": str(row.value.normalize())
        if row.value == row.value.to_integral()
        else str(row.value),
        "status": row.status,
    }


@task
def observation_import_check(import_id: int) -> None:
    batch = ObservationImport.objects.get(pk=import_id)

    def progress(count: int) -> None:
        ObservationImport.objects.filter(pk=import_id).update(processed_rows=count)

    try:
        with batch.file.open("rb") as stream:
            result = check_rows(read_rows(batch.original_name, stream), progress=progress)
    except ImportFileError as error:
        batch.state = ObservationImport.State.INVALID
        batch.errors = [{"row": 1, "column": "file", "message": str(error)}]
        batch.finished_at = timezone.now()
        batch.save()
        return
    except Exception as error:
        batch.state = ObservationImport.State.FAILED
        batch.failure = f"{type(error).__name__}: {error}"
        batch.finished_at = timezone.now()
        batch.save()
        raise
    total = len(result.rows) + len({error.row for error in result.errors})
    batch.total_rows = total
    batch.processed_rows = total
    if not result.ok:
        batch.state = ObservationImport.State.INVALID
        batch.errors = [error.as_dict() for error in result.errors]
        batch.finished_at = timezone.now()
        batch.save()
        return
    plan = plan_changes(result.rows)
    indicators = dict(Indicator.objects.values_list("pk", "code"))
    from paqa.core.models import Area

    areas = dict(Area.objects.values_list("pk", "code"))
    preview = []
    changed = {id(row): stored for row, stored in plan.changed}
    new_rows = {id(row) for row in plan.new}
    for row in result.rows[:PREVIEW_ROWS]:
        entry = _describe(row, indicators, areas)
        if id(row) in new_rows:
            entry["action"] = "New"
        elif id(row) in changed:
            entry["action"] = f"Changed from {changed[id(row)].value.normalize():f}"
        else:
            entry["action"] = "Unchanged"
        preview.append(entry)
    batch.preview = preview
    batch.created_count = len(plan.new)
    batch.changed_count = len(plan.changed)
    batch.unchanged_count = plan.unchanged
    batch.state = ObservationImport.State.READY
    batch.save()


@transaction.atomic
def observation_import_confirm(*, batch: ObservationImport, actor: User) -> ObservationImport:
    locked = ObservationImport.objects.select_for_update().get(pk=batch.pk)
    if locked.state != ObservationImport.State.READY:
        raise ValidationError("This import is not waiting to be confirmed")
    locked.state = ObservationImport.State.IMPORTING
    locked.processed_rows = 0
    locked.save()
    transaction.on_commit(lambda: observation_import_apply.enqueue(locked.pk))
    return locked


@task
def observation_import_apply(import_id: int) -> None:
    """Check the file again (the data may have changed since) and write it, all or nothing."""
    batch = ObservationImport.objects.select_related("uploaded_by").get(pk=import_id)
    try:
        with batch.file.open("rb") as stream:
            result = check_rows(read_rows(batch.original_name, stream))
        if not result.ok:
            batch.state = ObservationImport.State.INVALID
            batch.errors = [error.as_dict() for error in result.errors]
        else:
            summary = observations_apply(
                plan=plan_changes(result.rows),
                actor=batch.uploaded_by,
                reason=f"Imported from {batch.original_name}",
                source_import=batch,
            )
            batch.created_count = summary.created
            batch.changed_count = summary.changed
            batch.unchanged_count = summary.unchanged
            batch.processed_rows = batch.total_rows
            batch.state = ObservationImport.State.DONE
    except Exception as error:
        batch.state = ObservationImport.State.FAILED
        batch.failure = f"{type(error).__name__}: {error}"
        raise
    finally:
        batch.finished_at = timezone.now()
        batch.save()


# Figures other parts work out (statutory returns) -----------------------------------------------


@dataclass(frozen=True)
class SuppliedFigure:
    """A figure another part worked out for the data set, such as one computed from a
    statutory return: an indicator code, a period code and the value with its parts."""

    code: str
    period: str
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def supplied_figures_apply(
    *,
    area_id: int,
    figures: list[SuppliedFigure],
    note: str,
    actor: User | None,
    reason: str,
) -> ImportSummary:
    """Write supplied figures as provisional observations of one area, through the importer's
    own checks and history. Figures whose indicator is not in the data set (archived, or a pack
    without it) are left out."""
    indicators = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            archived_at__isnull=True, code__in={figure.code for figure in figures}
        )
    }
    rows = []
    for position, figure in enumerate(figures, start=1):
        indicator = indicators.get(figure.code)
        if indicator is None:
            continue
        period = parse_period(figure.period)
        rows.append(
            CheckedRow(
                row=position,
                indicator_id=indicator.pk,
                area_id=area_id,
                period=period.code,
                period_kind=period.kind.value,
                period_start=period.start,
                period_end=period.end,
                value=figure.value,
                numerator=figure.numerator,
                denominator=figure.denominator,
                status=Observation.Status.PROVISIONAL,
                note=note,
            )
        )
    return observations_apply(plan=plan_changes(rows), actor=actor, reason=reason)


@transaction.atomic
def supplied_figures_confirm(
    *, area_id: int, figures: list[SuppliedFigure], note: str, actor: User | None
) -> int:
    """Make supplied figures final where the data set still holds them as supplied and
    provisional (a figure corrected by hand since is left as it is). Returns how many changed."""
    supplied = {(figure.code, figure.period): figure.value for figure in figures}
    found = Observation.objects.filter(
        area_id=area_id,
        indicator__code__in={code for code, _ in supplied},
        period__in={period for _, period in supplied},
    ).select_related("indicator")
    changed = 0
    for observation in found:
        value = supplied.get((observation.indicator.code, observation.period))
        if value is None or value != observation.value:
            continue
        if observation.status == Observation.Status.PROVISIONAL:
            observation.status = Observation.Status.FINAL
            observation.note = note
            stamp_actor(observation, actor)
            observation.save()
            changed += 1
    return changed
