"""Reading and checking observations in the long format (docs/design.md §5):

    indicator,area,period,value,numerator,denominator,status,note

from CSV or XLSX. Every row is checked before anything is written; one bad row means nothing is
written, and every bad row is reported with its row number, column and reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from openpyxl import load_workbook

from paqa.core.models import Area
from paqa.core.periods import PeriodError, PeriodKind, parse_period
from paqa.indicators.models import Indicator, Observation

COLUMNS = ["indicator", "area", "period", "value", "numerator", "denominator", "status", "note"]
REQUIRED_COLUMNS = ["indicator", "area", "period", "value"]
STATUSES = {"provisional", "final"}
MAX_NOTE = 500
MAX_ABS_VALUE = Decimal("1e12")
PERIOD_EXAMPLES = {
    PeriodKind.FINANCIAL_YEAR: "a financial year, like 2018-19",
    PeriodKind.QUARTER: "a quarter, like 2018-19 Q4",
    PeriodKind.MONTH: "a month, like 2019-03",
    PeriodKind.SNAPSHOT: "a snapshot date, like 2019-03-31",
    PeriodKind.YEAR: "a year, like 2017",
}
# A percentage given with its numerator and denominator may differ from theirs by rounding only.
PERCENT_TOLERANCE = Decimal("0.5")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


NOT_THE_SOURCE = "not_the_source"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    code: str = ""  # set for errors callers treat specially, like NOT_THE_SOURCE

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class CheckedRow:
    row: int
    indicator_id: int
    area_id: int
    period: str
    period_kind: str
    period_start: Any
    period_end: Any
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    note: str

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.indicator_id, self.area_id, self.period)


@dataclass
class CheckResult:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Reading ------------------------------------------------------------------------------------


def read_rows(name: str, stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {column: text}) for each data row."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        yield from _read_csv(stream)
    elif lowered.endswith(".xlsx"):
        yield from _read_xlsx(stream)
    else:
        raise ImportFileError(f"{name} is not a CSV or XLSX file (its name must end .csv or .xlsx)")


def _header(cells: Iterable[Any]) -> list[str]:
    header = [str(cell or "").strip().lower() for cell in cells]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            f"row 1: the header must name the columns {', '.join(COLUMNS)}; "
            f"missing: {', '.join(missing)}"
        )
    unknown = [column for column in header if column and column not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"row 1: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(the columns are {', '.join(COLUMNS)})"
        )
    return header


def _read_csv(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = _header(next(reader))
        except StopIteration:
            raise ImportFileError("the file is empty") from None
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield (
                number,
                {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(header)},
            )
    except UnicodeDecodeError as error:
        raise ImportFileError(f"the file is not UTF-8 text ({error.reason})") from error
    except csv.Error as error:
        raise ImportFileError(f"the file is not valid CSV ({error})") from error


def _read_xlsx(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise ImportFileError(f"the file is not a readable XLSX workbook ({error})") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = _header(next(rows))
        except StopIteration:
            raise ImportFileError("the first sheet is empty") from None
        for number, cells in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in cells):
                continue
            yield (
                number,
                {
                    column: _cell_text(cells[i]) if i < len(cells) else ""
                    for i, column in enumerate(header)
                },
            )
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


# Checking -----------------------------------------------------------------------------------


class RowChecker:
    """Checks rows one by one against the indicators and areas in the database."""

    def __init__(
        self, *, allowed_indicator_ids: set[int] | None = None, source_name: str = ""
    ) -> None:
        self.indicators = {
            indicator.code.lower(): indicator
            for indicator in Indicator.objects.filter(archived_at__isnull=True).select_related(
                "count_indicator"
            )
        }
        self.areas = {code.upper(): pk for code, pk in Area.objects.values_list("code", "pk")}
        self.allowed_indicator_ids = allowed_indicator_ids
        self.source_name = source_name
        self.seen: dict[tuple[int, int, str], int] = {}

    def check(
        self, number: int, cells: dict[str, str], errors: list[RowError]
    ) -> CheckedRow | None:
        problems: list[RowError] = []

        def problem(column: str, message: str, code: str = "") -> None:
            problems.append(RowError(number, column, message, code))

        code = (cells.get("indicator") or "").strip()
        indicator = self.indicators.get(code.lower())
        if not code:
            problem("indicator", "is empty")
        elif indicator is None:
            problem("indicator", f"unknown indicator '{code}'")
        elif indicator.derivation == "rate":
            source = indicator.count_indicator.code if indicator.count_indicator else "its count"
            problem(
                "indicator",
                f"'{code}' is worked out from '{source}' and the population: import the count",
            )
            indicator = None
        elif indicator.derivation == "population":
            problem("indicator", f"'{code}' comes from the population estimates, not observations")
            indicator = None
        elif (
            self.allowed_indicator_ids is not None
            and indicator.pk not in self.allowed_indicator_ids
        ):
            problem(
                "indicator", f"{self.source_name} is not the source of '{code}'", NOT_THE_SOURCE
            )
            indicator = None

        area_code = (cells.get("area") or "").strip()
        area_id = self.areas.get(area_code.upper())
        if not area_code:
            problem("area", "is empty")
        elif area_id is None:
            problem("area", f"unknown area '{area_code}' (use an ONS code such as E10000025)")

        period_text = (cells.get("period") or "").strip()
        period = None
        if not period_text:
            problem("period", "is empty")
        else:
            try:
                period = parse_period(period_text)
            except PeriodError as error:
                problem("period", str(error))
            else:
                if indicator is not None and period.kind != indicator.period_kind:
                    problem(
                        "period",
                        f"'{period_text}' is {PERIOD_EXAMPLES[period.kind].split(',')[0]} but "
                        f"'{indicator.code}' is reported by "
                        f"{PERIOD_EXAMPLES[PeriodKind(indicator.period_kind)]}",
                    )

        value = _number(cells.get("value"), "value", problem, required=True)
        numerator = _number(cells.get("numerator"), "numerator", problem)
        denominator = _number(cells.get("denominator"), "denominator", problem)
        if value is not None and indicator is not None:
            if indicator.unit == Indicator.Unit.PERCENT and not 0 <= value <= 100:
                problem("value", f"{value} is not a percentage between 0 and 100")
            elif indicator.unit in (Indicator.Unit.COUNT, Indicator.Unit.DAYS) and value < 0:
                problem(
                    "value",
                    f"{value} is negative; a {indicator.get_unit_display().lower()} cannot be",
                )
        if denominator is not None and denominator <= 0:
            problem("denominator", "must be more than 0")
        elif (
            value is not None
            and numerator is not None
            and denominator is not None
            and indicator is not None
            and indicator.unit == Indicator.Unit.PERCENT
        ):
            worked_out = numerator * 100 / denominator
            if abs(worked_out - value) > PERCENT_TOLERANCE:
                problem(
                    "value",
                    f"{value} does not match numerator ÷ denominator × 100 = {worked_out:.1f}",
                )

        status = (cells.get("status") or "").strip().lower() or "final"
        if status not in STATUSES:
            problem("status", f"'{cells.get('status')}' is not provisional or final")
        note = (cells.get("note") or "").strip()
        if len(note) > MAX_NOTE:
            problem("note", f"is {len(note)} characters long; the most is {MAX_NOTE}")

        if indicator is not None and area_id is not None and period is not None:
            key = (indicator.pk, area_id, period.code)
            if key in self.seen:
                problem(
                    "period",
                    f"duplicate of row {self.seen[key]} (same indicator, area and period)",
                )
            else:
                self.seen[key] = number

        if problems or indicator is None or area_id is None or period is None or value is None:
            errors.extend(problems)
            return None
        return CheckedRow(
            row=number,
            indicator_id=indicator.pk,
            area_id=area_id,
            period=period.code,
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
            value=value,
            numerator=numerator,
            denominator=denominator,
            status=status,
            note=note,
        )


def _number(
    text: str | None, column: str, problem: Callable[[str, str], None], *, required: bool = False
) -> Decimal | None:
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        if required:
            problem(column, "is empty")
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        problem(column, f"'{text}' is not a number")
        return None
    if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
        problem(column, f"'{text}' is not a number we can store")
        return None
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        number = number.quantize(Decimal("0.0001"))
    return number


def check_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    allowed_indicator_ids: set[int] | None = None,
    source_name: str = "",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 5000,
) -> CheckResult:
    checker = RowChecker(allowed_indicator_ids=allowed_indicator_ids, source_name=source_name)
    result = CheckResult()
    for count, (number, cells) in enumerate(rows, start=1):
        checked = checker.check(number, cells, result.errors)
        if checked is not None:
            result.rows.append(checked)
        if progress is not None and count % progress_every == 0:
            progress(count)
    return result


# Comparing with what is stored ----------------------------------------------------------------


COMPARED_FIELDS = ("value", "numerator", "denominator", "status", "note")


@dataclass
class Plan:
    """What an import would do: new observations, changed ones (with their old values), the rest."""

    new: list[CheckedRow] = field(default_factory=list)
    changed: list[tuple[CheckedRow, Observation]] = field(default_factory=list)
    unchanged: int = 0


def _same(row: CheckedRow, stored: Observation) -> bool:
    return all(getattr(row, name) == getattr(stored, name) for name in COMPARED_FIELDS)


def plan_changes(rows: list[CheckedRow]) -> Plan:
    plan = Plan()
    if not rows:
        return plan
    indicator_ids = {row.indicator_id for row in rows}
    area_ids = {row.area_id for row in rows}
    stored = {
        (obs.indicator_id, obs.area_id, obs.period): obs
        for obs in Observation.objects.filter(indicator_id__in=indicator_ids, area_id__in=area_ids)
    }
    for row in rows:
        existing = stored.get(row.key)
        if existing is None:
            plan.new.append(row)
        elif _same(row, existing):
            plan.unchanged += 1
        else:
            plan.changed.append((row, existing))
    return plan
