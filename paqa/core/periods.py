"""Reporting periods, written the way partnerships write them.

    2018-19        financial year (1 April 2018 – 31 March 2019)
    2018-19 Q4     quarter of a financial year (Q1 = April–June … Q4 = January–March)
    2019-03        calendar month
    2019-03-31     a snapshot on one day ("at 31 March 2019")
    2017           calendar year (e.g. a mid-year population estimate)

"2011-12" is the financial year, not December 2011: from 2012 on the two never clash.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date


class PeriodKind(enum.StrEnum):
    FINANCIAL_YEAR = "financial_year"
    QUARTER = "quarter"
    MONTH = "month"
    SNAPSHOT = "snapshot"
    YEAR = "year"


_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SNAPSHOT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")

PERIOD_FORMATS = "2018-19, 2018-19 Q4, 2019-03, 2019-03-31 or 2017"


class PeriodError(ValueError):
    pass


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    end: date
    start: date
    kind: PeriodKind
    code: str

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.SNAPSHOT:
            return f"{self.end.day} {self.end:%B %Y}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.end:%B %Y}"
        return self.code

    @property
    def short_label(self) -> str:
        """For chart axes: a count at 31 March reads as the financial year it closes."""
        if self.kind is PeriodKind.SNAPSHOT and (self.end.month, self.end.day) == (3, 31):
            return f"{self.end.year - 1}-{self.end.year % 100:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.end:%b %Y}"
        return self.label

    def shifted(self, years: int) -> Period:
        """The same period `years` earlier (negative) or later."""
        if self.kind is PeriodKind.FINANCIAL_YEAR:
            first = self.start.year + years
            return parse_period(f"{first}-{(first + 1) % 100:02d}")
        if self.kind is PeriodKind.QUARTER:
            first = int(self.code[:4]) + years
            return parse_period(f"{first}-{(first + 1) % 100:02d} {self.code[-2:]}")
        if self.kind is PeriodKind.MONTH:
            return parse_period(f"{self.end.year + years}-{self.end.month:02d}")
        if self.kind is PeriodKind.YEAR:
            return parse_period(str(self.end.year + years))
        day = min(self.end.day, calendar.monthrange(self.end.year + years, self.end.month)[1])
        return parse_period(f"{self.end.year + years}-{self.end.month:02d}-{day:02d}")

    def previous(self, frequency: str) -> Period:
        """The period before this one, for an indicator reported at `frequency`."""
        if frequency == "monthly" and self.kind is PeriodKind.MONTH:
            year, month = (
                (self.end.year, self.end.month - 1)
                if self.end.month > 1
                else (
                    self.end.year - 1,
                    12,
                )
            )
            return parse_period(f"{year}-{month:02d}")
        if frequency == "quarterly" and self.kind is PeriodKind.QUARTER:
            quarter = int(self.code[-1])
            first = int(self.code[:4])
            if quarter == 1:
                return parse_period(f"{first - 1}-{first % 100:02d} Q4")
            return parse_period(f"{first}-{(first + 1) % 100:02d} Q{quarter - 1}")
        return self.shifted(-1)


def parse_period(code: str) -> Period:
    """Parse a period code; PeriodError says what is wrong with it."""
    text = (code or "").strip()
    if match := _QUARTER.match(text):
        first, second, quarter = int(match[1]), int(match[2]), int(match[3])
        _check_financial_year(first, second, text)
        start_month = (4 + 3 * (quarter - 1) - 1) % 12 + 1
        start_year = first if quarter < 4 else first + 1
        end_month = start_month + 2
        return Period(
            end=_month_end(start_year, end_month),
            start=date(start_year, start_month, 1),
            kind=PeriodKind.QUARTER,
            code=text,
        )
    # "2011-12" reads as the financial year; a two-digit part above 12 cannot be a month.
    match = _FINANCIAL_YEAR.match(text)
    if match and (int(match[2]) == (int(match[1]) + 1) % 100 or int(match[2]) > 12):
        first, second = int(match[1]), int(match[2])
        _check_financial_year(first, second, text)
        return Period(
            end=date(first + 1, 3, 31),
            start=date(first, 4, 1),
            kind=PeriodKind.FINANCIAL_YEAR,
            code=text,
        )
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{text}' is not a month or a financial year ({PERIOD_FORMATS})")
        return Period(
            end=_month_end(year, month),
            start=date(year, month, 1),
            kind=PeriodKind.MONTH,
            code=text,
        )
    if match := _SNAPSHOT.match(text):
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as error:
            raise PeriodError(f"'{text}' is not a real date") from error
        return Period(end=day, start=day, kind=PeriodKind.SNAPSHOT, code=text)
    if match := _YEAR.match(text):
        year = int(match[1])
        return Period(
            end=date(year, 12, 31), start=date(year, 1, 1), kind=PeriodKind.YEAR, code=text
        )
    raise PeriodError(f"'{text}' is not a period we recognise (use {PERIOD_FORMATS})")


def _check_financial_year(first: int, second: int, text: str) -> None:
    if (first + 1) % 100 != second:
        raise PeriodError(
            f"'{text}' is not a financial year: the second year must follow the first, "
            f"like {first}-{(first + 1) % 100:02d}"
        )
