"""Loading a statutory return: read it whole, check it, and only if nothing is wrong keep its
minimised records, compute its figures and write them to the data set as provisional
observations, all in one transaction. Also: confirming the figures, and deleting child records
when their time is up (or by hand).

A later load of the same return (kind and collection year) replaces the earlier one: the
earlier one's child records are deleted and its figures are no longer current.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from paqa.core.bulk import insert_rows
from paqa.core.history import stamp_actor
from paqa.indicators.services import (
    ImportSummary,
    SuppliedFigure,
    supplied_figures_apply,
    supplied_figures_confirm,
)
from paqa.partnership.selectors import partnership_current
from paqa.returns import figures as figure_rules
from paqa.returns import storage
from paqa.returns.compute import Figure, Year
from paqa.returns.models import ComputedFigure, ReturnChild, StatutoryReturn
from paqa.returns.parsing import parse_903_csv, parse_903_xml, parse_cin_xml, sniff_return
from paqa.returns.parsing.common import read_head
from paqa.returns.records import CareEpisode, ChildInNeed, MissingEpisode, ReturnProblem

if TYPE_CHECKING:
    from paqa.accounts.models import User

KIND_NAMES = {
    "903-csv": "SSDA903 CSV table",
    "903-xml": "SSDA903 XML",
    "cin-xml": "CIN census XML",
}


def pseudonym_key() -> bytes:
    """The installation's key for children's pseudonyms (PAQA_PSEUDONYM_KEY, or one derived
    from SECRET_KEY so an installation without the setting still never stores identifiers)."""
    if settings.PAQA_PSEUDONYM_KEY:
        return str(settings.PAQA_PSEUDONYM_KEY).encode("utf-8")
    return hmac.new(
        str(settings.SECRET_KEY).encode("utf-8"), b"paqa.returns.pseudonym", hashlib.sha256
    ).digest()


@dataclass
class Loaded:
    """What reading (and, unless a dry run or something was wrong, storing) a return gave."""

    kind: str = ""  # StatutoryReturn.Kind
    file_format: str = ""
    year: Year | None = None
    problems: list[ReturnProblem] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    children: int = 0
    figures: dict[str, Figure] = field(default_factory=dict)
    statutory_return: StatutoryReturn | None = None
    observations: ImportSummary | None = None
    replaced: int = 0
    refreshed: list[StatutoryReturn] = field(default_factory=list)  # later years recomputed

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Parsed:
    kind: str
    file_format: str
    episodes: list[CareEpisode] = field(default_factory=list)
    missing: list[MissingEpisode] = field(default_factory=list)
    children: list[ChildInNeed] = field(default_factory=list)
    collection_year: int | None = None


def _problem(where: str, message: str, field_name: str = "") -> ReturnProblem:
    return ReturnProblem(table=where, row=0, field=field_name, message=message)


def _sniffed(files: Sequence[tuple[str, BinaryIO]], loaded: Loaded) -> str:
    """The one kind of return the files make up, or "" with the problems added to `loaded`."""
    kinds: dict[str, list[str]] = {}
    for name, stream in files:
        head = read_head(stream)
        stream.seek(0)
        kind = sniff_return(name, head)
        if not kind and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            loaded.problems.append(
                _problem(name, "this XML is neither an SSDA903 return nor a CIN census")
            )
            continue
        # A CSV that is no SSDA903 table is explained by the CSV reader (which columns).
        kinds.setdefault(kind or "903-csv", []).append(name)
    if len(kinds) > 1:
        found = "; ".join(f"{KIND_NAMES[k]}: {', '.join(names)}" for k, names in kinds.items())
        loaded.problems.append(
            _problem("Files", f"load one return at a time; these files are of kinds ({found})")
        )
        return ""
    if not kinds:
        if not loaded.problems:
            loaded.problems.append(_problem("Files", "choose the return's files"))
        return ""
    (kind, names), *_ = kinds.items()
    if kind != "903-csv" and len(names) > 1:
        loaded.problems.append(
            _problem("Files", f"an XML return is one file; {len(names)} were given")
        )
        return ""
    return kind


def _parse(files: Sequence[tuple[str, BinaryIO]], loaded: Loaded) -> _Parsed | None:
    kind = _sniffed(files, loaded)
    if loaded.problems:
        return None
    key = pseudonym_key()
    if kind == "cin-xml":
        cin = parse_cin_xml(files[0][1], key)
        loaded.problems.extend(cin.problems)
        loaded.rows_read = {"Child": len(cin.children)}
        return _Parsed(
            StatutoryReturn.Kind.CIN_CENSUS,
            "xml",
            children=cin.children,
            collection_year=cin.collection_year,
        )
    parsed = parse_903_xml(files[0][1], key) if kind == "903-xml" else parse_903_csv(files, key)
    loaded.problems.extend(parsed.problems)
    loaded.rows_read = dict(parsed.tables)
    return _Parsed(
        StatutoryReturn.Kind.SSDA903,
        "xml" if kind == "903-xml" else "csv",
        episodes=parsed.episodes,
        missing=parsed.missing,
    )


def _latest_day(parsed: _Parsed) -> date | None:
    days = [d for e in parsed.episodes for d in (e.start, e.end) if d]
    days += [d for m in parsed.missing for d in (m.start, m.end) if d]
    return max(days, default=None)


def _collection_year(parsed: _Parsed, asked: int | None, loaded: Loaded) -> Year | None:
    if parsed.kind == StatutoryReturn.Kind.CIN_CENSUS:
        found = parsed.collection_year
        if found is None:
            loaded.problems.append(
                _problem("CIN census", "the header gives no collection year", "Year")
            )
            return None
        if asked and asked != found:
            loaded.problems.append(
                _problem(
                    "CIN census",
                    f"the header says the collection year ends in {found}, not {asked}",
                    "Year",
                )
            )
            return None
        return Year(found)
    if asked:
        return Year(asked)
    latest = _latest_day(parsed)
    hint = (
        f" (its latest date, {latest:%d/%m/%Y}, is in {Year(figure_rules.year_of(latest)).code})"
        if latest
        else ""
    )
    loaded.problems.append(
        _problem(
            "SSDA903",
            f"an SSDA903 return does not say its collection year: give it{hint}",
            "Collection year",
        )
    )
    return None


def _earlier_children(year: Year) -> list[ChildInNeed]:
    """The children of the current CIN censuses of the two years before `year`, if loaded."""
    earlier = StatutoryReturn.objects.filter(
        kind=StatutoryReturn.Kind.CIN_CENSUS,
        state=StatutoryReturn.State.CURRENT,
        collection_year__in=[year.ends - 1, year.ends - 2],
    )
    return [
        storage.child_in_need_from(row.child, row.birth_month, row.records)
        for row in ReturnChild.objects.filter(statutory_return__in=earlier).iterator(2000)
    ]


def _compute(parsed: _Parsed, year: Year, assessment_start: str) -> dict[str, Figure]:
    if parsed.kind == StatutoryReturn.Kind.SSDA903:
        return figure_rules.figures_903(parsed.episodes, parsed.missing, year)
    return figure_rules.figures_cin(
        parsed.children,
        year,
        history=_earlier_children(year),
        assessment_start=assessment_start,
    )


def return_load(
    *,
    files: Sequence[tuple[str, BinaryIO]],
    actor: User | None,
    year: int | None = None,
    assessment_start: str = "assessment",
    dry_run: bool = False,
) -> Loaded:
    """Read and check the whole return; if nothing is wrong (and not a dry run) store it,
    compute its figures and write them as provisional observations, in one transaction."""
    loaded = Loaded()
    if assessment_start not in figure_rules.ASSESSMENT_STARTS:
        loaded.problems.append(
            _problem("Settings", "the assessment start point must be assessment or referral")
        )
        return loaded
    parsed = _parse(files, loaded)
    if parsed is None or loaded.problems:
        return loaded
    loaded.kind, loaded.file_format = parsed.kind, parsed.file_format
    loaded.year = _collection_year(parsed, year, loaded)
    if loaded.year is None:
        return loaded
    if parsed.kind == StatutoryReturn.Kind.SSDA903:
        grouped = list(storage.children_903(parsed.episodes, parsed.missing))
        rows = [ReturnChild(child=c, birth_month=b, records=r) for c, b, r in grouped]
    else:
        rows = [
            ReturnChild(
                child=child.child,
                birth_month=child.birth_month,
                records=storage.child_in_need_records(child),
            )
            for child in parsed.children
        ]
    loaded.children = len(rows)
    loaded.figures = _compute(parsed, loaded.year, assessment_start)
    if dry_run:
        return loaded
    try:
        _store(loaded, parsed, rows, files, actor, assessment_start)
    except IntegrityError:
        # Only the one-current-load constraint can fail here: another load of the same
        # return finished while this one was being stored. Nothing of this one was kept.
        loaded.statutory_return, loaded.observations, loaded.replaced = None, None, 0
        loaded.refreshed = []
        loaded.problems.append(
            _problem(
                "Files",
                f"another load of the {loaded.year.code} return finished while this one was "
                "being stored; nothing of this one was kept: load it again to replace that one",
            )
        )
    return loaded


def _store(
    loaded: Loaded,
    parsed: _Parsed,
    rows: list[ReturnChild],
    files: Sequence[tuple[str, BinaryIO]],
    actor: User | None,
    assessment_start: str,
) -> None:
    assert loaded.year is not None  # noqa: S101 - checked by the caller
    with transaction.atomic():
        loaded.replaced = _replace_earlier(parsed.kind, loaded.year, actor)
        stored = StatutoryReturn(
            kind=parsed.kind,
            collection_year=loaded.year.ends,
            file_names=[name for name, _ in files],
            file_format=parsed.file_format,
            loaded_by=actor,
            children_count=len(rows),
            rows_read=loaded.rows_read,
            assessment_start=assessment_start if parsed.kind == "cin_census" else "",
            delete_after=_delete_after(loaded.year),
        )
        stamp_actor(stored, actor)
        stored.save()
        # Straight to the driver (COPY on PostgreSQL): bulk_create's compilation of 100,000
        # JSON values was most of a large census's load (bench/README.md).
        insert_rows(
            ReturnChild,
            ("statutory_return", "child", "birth_month", "records"),
            ((stored.pk, row.child, row.birth_month, row.records) for row in rows),
        )
        _store_figures(stored, loaded.figures, loaded.year)
        loaded.observations = _write_observations(stored, actor)
        loaded.statutory_return = stored
        if parsed.kind == StatutoryReturn.Kind.CIN_CENSUS:
            loaded.refreshed = _refresh_later_censuses(loaded.year, actor)


def _refresh_later_censuses(year: Year, actor: User | None) -> list[StatutoryReturn]:
    """The two following years' censuses look back into this one (repeat plans within two
    years, re-referrals): compute their figures again now it is here."""
    later = list(
        StatutoryReturn.objects.filter(
            kind=StatutoryReturn.Kind.CIN_CENSUS,
            state=StatutoryReturn.State.CURRENT,
            collection_year__in=[year.ends + 1, year.ends + 2],
        ).order_by("collection_year")
    )
    for census in later:
        census_year = Year(census.collection_year)
        children = [
            storage.child_in_need_from(row.child, row.birth_month, row.records)
            for row in ReturnChild.objects.filter(statutory_return=census).iterator(2000)
        ]
        figures = figure_rules.figures_cin(
            children,
            census_year,
            history=_earlier_children(census_year),
            assessment_start=census.assessment_start or "assessment",
        )
        census.figures.all().delete()
        _store_figures(census, figures, census_year)
        _write_observations(census, actor)
    return later


def _delete_after(year: Year) -> date:
    return date(year.ends + settings.PAQA_RETENTION_RETURN_YEARS, 3, 31)


def _replace_earlier(kind: str, year: Year, actor: User | None) -> int:
    earlier = list(
        StatutoryReturn.objects.select_for_update().filter(
            kind=kind, collection_year=year.ends, state=StatutoryReturn.State.CURRENT
        )
    )
    for old in earlier:
        _forget_children(old)
        old.state = StatutoryReturn.State.REPLACED
        stamp_actor(old, actor)
        old.save()
    return len(earlier)


def _forget_children(statutory_return: StatutoryReturn) -> None:
    ReturnChild.objects.filter(statutory_return=statutory_return).delete()
    ComputedFigure.objects.filter(statutory_return=statutory_return).update(children=[])
    statutory_return.deleted_at = timezone.now()


def _store_figures(stored: StatutoryReturn, figures: dict[str, Figure], year: Year) -> None:
    ComputedFigure.objects.bulk_create(
        ComputedFigure(
            statutory_return=stored,
            code=code,
            period=figure_rules.period_code(figure_rules.BY_CODE[code], year),
            value=Decimal(str(figure.value)),
            numerator=figure.numerator,
            denominator=figure.denominator,
            children=sorted(figure.children),
            sort_order=position,
        )
        for position, (code, figure) in enumerate(figures.items())
    )


def _supplied(stored: StatutoryReturn) -> list[SuppliedFigure]:
    """The load's figures for the data set; a share of nothing is no figure."""
    return [
        SuppliedFigure(
            code=figure.code,
            period=figure.period,
            value=figure.value,
            numerator=Decimal(figure.numerator) if figure.numerator is not None else None,
            denominator=Decimal(figure.denominator) if figure.denominator is not None else None,
        )
        for figure in stored.figures.all()
        if figure.denominator != 0
    ]


def _home_area_id() -> int | None:
    partnership = partnership_current()
    return partnership.home_area_id if partnership else None


def _write_observations(stored: StatutoryReturn, actor: User | None) -> ImportSummary | None:
    """The figures as provisional observations of the partnership's own area. Figures whose
    indicator is not in the data set (archived, or a pack without it) are kept here only."""
    area_id = _home_area_id()
    if area_id is None:
        return None
    return supplied_figures_apply(
        area_id=area_id,
        figures=_supplied(stored),
        note=f"Computed from the {stored.short_name} {stored.year_label} "
        f"(load {stored.pk}); provisional until confirmed",
        actor=actor,
        reason=f"Computed from {stored}",
    )


@transaction.atomic
def return_figures_confirm(*, statutory_return: StatutoryReturn, actor: User) -> int:
    """Make this return's figures final in the data set, where they still hold the computed
    value (a figure corrected by hand since is left as it is). Returns how many changed."""
    if statutory_return.state != StatutoryReturn.State.CURRENT:
        raise ValueError("Only the current load of a return can have its figures confirmed")
    area_id = _home_area_id()
    changed = 0
    if area_id is not None:
        changed = supplied_figures_confirm(
            area_id=area_id,
            figures=_supplied(statutory_return),
            note=f"Computed from the {statutory_return.short_name} "
            f"{statutory_return.year_label}; confirmed",
            actor=actor,
        )
    statutory_return.confirmed_at = timezone.now()
    statutory_return.confirmed_by = actor
    stamp_actor(statutory_return, actor)
    statutory_return.save()
    return changed


@transaction.atomic
def return_records_delete(*, statutory_return: StatutoryReturn, actor: User | None) -> int:
    """Delete a return's child records now (its figures stay, without the children behind
    them). Returns how many children's records were deleted."""
    count = ReturnChild.objects.filter(statutory_return=statutory_return).count()
    _forget_children(statutory_return)
    if statutory_return.state == StatutoryReturn.State.CURRENT:
        statutory_return.state = StatutoryReturn.State.DELETED
    stamp_actor(statutory_return, actor)
    statutory_return.save()
    return count


def returns_delete_expired(*, today: date, apply: bool) -> dict[str, int]:
    """For `paqa retention`: child records of returns past their delete-after day."""
    due = StatutoryReturn.objects.filter(delete_after__lte=today, deleted_at__isnull=True)
    children = ReturnChild.objects.filter(statutory_return__in=due).count()
    returns = due.count()
    if apply:
        for statutory_return in due:
            return_records_delete(statutory_return=statutory_return, actor=None)
    return {"statutory returns past their period": returns, "children's return records": children}
