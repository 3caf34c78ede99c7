from datetime import date

import pytest

from paqa.core.periods import PeriodError, PeriodKind, parse_period


@pytest.mark.parametrize(
    ("code", "kind", "start", "end"),
    [
        ("2018-19", PeriodKind.FINANCIAL_YEAR, date(2018, 4, 1), date(2019, 3, 31)),
        ("2018-19 Q1", PeriodKind.QUARTER, date(2018, 4, 1), date(2018, 6, 30)),
        ("2018-19 Q4", PeriodKind.QUARTER, date(2019, 1, 1), date(2019, 3, 31)),
        ("2019-03", PeriodKind.MONTH, date(2019, 3, 1), date(2019, 3, 31)),
        ("2019-02", PeriodKind.MONTH, date(2019, 2, 1), date(2019, 2, 28)),
        ("2019-03-31", PeriodKind.SNAPSHOT, date(2019, 3, 31), date(2019, 3, 31)),
        ("2017", PeriodKind.YEAR, date(2017, 1, 1), date(2017, 12, 31)),
        ("1999-00", PeriodKind.FINANCIAL_YEAR, date(1999, 4, 1), date(2000, 3, 31)),
    ],
)
def test_periods_parse(code, kind, start, end):
    period = parse_period(code)
    assert (period.kind, period.start, period.end, period.code) == (kind, start, end, code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2018-20", "the second year must follow the first"),
        ("2019-13", "the second year must follow the first"),
        ("2019-02-30", "is not a real date"),
        ("March 2019", "is not a period we recognise"),
        ("", "is not a period we recognise"),
        ("2018-19 Q5", "is not a period we recognise"),
    ],
)
def test_bad_periods_say_what_is_wrong(code, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(code)


@pytest.mark.parametrize(
    ("code", "frequency", "previous", "ten_years_ago"),
    [
        ("2018-19", "annual", "2017-18", "2008-09"),
        ("2019-03-31", "annual", "2018-03-31", "2009-03-31"),
        ("2019-03", "monthly", "2019-02", "2009-03"),
        ("2019-01", "monthly", "2018-12", "2009-01"),
        ("2018-19 Q1", "quarterly", "2017-18 Q4", "2008-09 Q1"),
        ("2018-19 Q3", "quarterly", "2018-19 Q2", "2008-09 Q3"),
        ("2017", "annual", "2016", "2007"),
    ],
)
def test_previous_and_ten_years_ago(code, frequency, previous, ten_years_ago):
    period = parse_period(code)
    assert period.previous(frequency).code == previous
    assert period.shifted(-10).code == ten_years_ago


def test_labels():
    assert parse_period("2019-03-31").label == "31 March 2019"
    assert parse_period("2019-03-31").short_label == "2018-19"
    assert parse_period("2019-03").label == "March 2019"
    assert parse_period("2018-19").label == "2018-19"
