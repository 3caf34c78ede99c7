"""The demonstration partnership's local safeguarding data.

Figures the 2018-19 report publishes are exact and noted as such; the rest are illustrative,
made to be plausible and consistent with the report's words ("rose", "increased significantly"),
and every one says so in its note.
"""

from __future__ import annotations

import csv
import io

from django.db import transaction

from paqa.core.models import Area
from paqa.indicators.models import Population
from paqa.indicators.services import indicator_pack_load, observations_import_file
from paqa.partnership.models import Partnership

REPORTED = "2018-19 PAQA annual report"
ILLUSTRATIVE = "Illustrative: demonstration figure, not in the 2018-19 report"

OXFORDSHIRE = ("E10000025", "Oxfordshire", Area.Kind.LOCAL_AUTHORITY)
SOUTH_EAST = ("E12000008", "South East", Area.Kind.REGION)
ENGLAND = ("E92000001", "England", Area.Kind.COUNTRY)
NEIGHBOURS = (
    "SN-E10000025",
    "Oxfordshire's statistical neighbours",
    Area.Kind.STATISTICAL_NEIGHBOURS,
)

# Mid-year estimates of people aged 0-17. Oxfordshire 2017 (143,400) is the report's (ONS) and
# its latest: rates at 31 March 2018 and 2019 use it. 2007 is set so the ten-year growth is the
# report's 7%; the years between are illustrative.
POPULATION_0_17: dict[str, dict[int, int]] = {
    "E10000025": {
        2007: 134_000,
        **{2007 + n: 134_000 + 940 * n for n in range(1, 10)},
        2017: 143_400,
    },
    "E12000008": {2012 + n: 1_950_000 + 10_000 * n for n in range(7)},
    "E92000001": {2012 + n: 11_440_000 + 90_000 * n for n in range(7)},
}
REPORTED_POPULATION = {("E10000025", 2017)}

# (indicator, area, period, value, note)
Row = tuple[str, str, str, str, str]


def _cla_rows() -> list[Row]:
    oxfordshire = {2013: 470, 2014: 480, 2015: 520, 2016: 575, 2017: 630, 2018: 690, 2019: 780}
    south_east = {
        2013: 9_950,
        2014: 10_000,
        2015: 10_050,
        2016: 10_180,
        2017: 10_350,
        2018: 10_640,
        2019: 10_850,
    }
    england = {
        2013: 68_060,
        2014: 68_810,
        2015: 69_480,
        2016: 70_440,
        2017: 72_670,
        2018: 75_420,
        2019: 78_150,
    }
    rows: list[Row] = []
    for code, counts in (
        ("E10000025", oxfordshire),
        ("E12000008", south_east),
        ("E92000001", england),
    ):
        for year, count in counts.items():
            reported = code == "E10000025" and year in (2018, 2019)
            rows.append(
                ("cla", code, f"{year}-03-31", str(count), REPORTED if reported else ILLUSTRATIVE)
            )
    return rows


def _cp_rows() -> list[Row]:
    counts = {
        2009: 250,
        2010: 300,
        2011: 340,
        2012: 380,
        2013: 420,
        2014: 480,
        2015: 540,
        2016: 590,
        2017: 640,
        2018: 664,
        2019: 605,
    }
    rows: list[Row] = [
        (
            "cp-plans",
            "E10000025",
            f"{year}-03-31",
            str(count),
            REPORTED if year in (2009, 2019) else ILLUSTRATIVE,
        )
        for year, count in counts.items()
    ]
    rows += [
        ("cp-plans", "E12000008", "2018-03-31", "7950", ILLUSTRATIVE),
        ("cp-plans", "E12000008", "2019-03-31", "7800", ILLUSTRATIVE),
        ("cp-plans", "E92000001", "2018-03-31", "53790", ILLUSTRATIVE),
        ("cp-plans", "E92000001", "2019-03-31", "52260", ILLUSTRATIVE),
    ]
    categories = {
        "cp-plans-neglect": {2017: 60, 2018: 64, 2019: 70},
        "cp-plans-physical": {2017: 10, 2018: 9, 2019: 8},
        "cp-plans-sexual": {2017: 5, 2018: 5, 2019: 4},
        "cp-plans-emotional": {2017: 20, 2018: 17, 2019: 14},
        "cp-plans-multiple": {2017: 5, 2018: 5, 2019: 4},
    }
    for code, values in categories.items():
        for year, value in values.items():
            reported = code == "cp-plans-neglect" and year == 2019
            rows.append(
                (
                    code,
                    "E10000025",
                    f"{year}-03-31",
                    str(value),
                    REPORTED if reported else ILLUSTRATIVE,
                )
            )
    rows += [
        ("cp-plans-neglect", "E12000008", "2019-03-31", "45", ILLUSTRATIVE),
        ("cp-plans-neglect", "E92000001", "2019-03-31", "48", ILLUSTRATIVE),
    ]
    return rows


def _financial_year_rows() -> list[Row]:
    series: dict[str, dict[str, str]] = {
        "referrals": {"2016-17": "6480", "2017-18": "6920", "2018-19": "7310"},
        "re-referrals-12-months": {"2016-17": "21.4", "2017-18": "22.0", "2018-19": "20.6"},
        "mash-timeliness": {"2016-17": "91", "2017-18": "93", "2018-19": "95"},
        "early-help-assessments": {"2016-17": "1450", "2017-18": "1800", "2018-19": "2600"},
        "troubled-families": {"2016-17": "900", "2017-18": "1150", "2018-19": "1420"},
        "s47-enquiries": {"2016-17": "2310", "2017-18": "2480", "2018-19": "2620"},
        "icpc-within-15-days": {"2016-17": "79", "2017-18": "83", "2018-19": "86"},
        "cp-second-or-subsequent": {"2016-17": "19.2", "2017-18": "20.1", "2018-19": "21.5"},
        "cp-plans-two-years": {"2016-17": "2.4", "2017-18": "3.1", "2018-19": "2.9"},
        "conference-attendance-fathers": {"2016-17": "39", "2017-18": "41", "2018-19": "44"},
        "conference-attendance-mothers": {"2016-17": "86", "2017-18": "88", "2018-19": "87"},
        "conference-attendance-police": {"2016-17": "78", "2017-18": "81", "2018-19": "84"},
        "conference-attendance-health": {"2016-17": "83", "2017-18": "85", "2018-19": "88"},
        "conference-attendance-education": {"2016-17": "80", "2017-18": "79", "2018-19": "82"},
        "cla-missing-three-times": {"2016-17": "38", "2017-18": "45", "2018-19": "57"},
        "missing-three-times": {"2016-17": "118", "2017-18": "140", "2018-19": "175"},
        "child-victims-of-crime": {"2016-17": "3150", "2017-18": "3480", "2018-19": "3920"},
        "domestic-abuse-involving-children": {
            "2016-17": "2210",
            "2017-18": "2460",
            "2018-19": "2790",
        },
        "camhs-referrals-a-month": {"2016-17": "512", "2017-18": "566", "2018-19": "697"},
        "reduced-timetables": {"2016-17": "310", "2017-18": "365", "2018-19": "420"},
        "permanent-exclusions": {"2016-17": "52", "2017-18": "61", "2018-19": "74"},
        "elective-home-education": {"2016-17": "610", "2017-18": "705", "2018-19": "820"},
    }
    reported = {
        ("conference-attendance-fathers", "2018-19"),
        ("camhs-referrals-a-month", "2017-18"),
        ("camhs-referrals-a-month", "2018-19"),
    }
    return [
        (code, "E10000025", period, value, REPORTED if (code, period) in reported else ILLUSTRATIVE)
        for code, values in series.items()
        for period, value in values.items()
    ]


def _camhs_rows() -> list[Row]:
    months = [
        "2018-04",
        "2018-05",
        "2018-06",
        "2018-07",
        "2018-08",
        "2018-09",
        "2018-10",
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
        "2019-03",
    ]
    values = ["52", "50", "47", "45", "44", "42", "40", "38", "37", "36", "35", "34"]
    return [
        (
            "camhs-seen-12-weeks",
            "E10000025",
            month,
            value,
            REPORTED if month == "2019-03" else ILLUSTRATIVE,
        )
        for month, value in zip(months, values, strict=True)
    ]


def demo_rows() -> list[Row]:
    return _cla_rows() + _cp_rows() + _financial_year_rows() + _camhs_rows()


def demo_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["indicator", "area", "period", "value", "numerator", "denominator", "status", "note"]
    )
    for indicator, area, period, value, note in demo_rows():
        writer.writerow([indicator, area, period, value, "", "", "final", note])
    return buffer.getvalue()


@transaction.atomic
def demo_indicators_load(*, partnership: Partnership) -> None:
    """Areas, populations, the core pack and the observations. Adds only what is missing."""
    england, _ = Area.objects.get_or_create(
        code=ENGLAND[0], defaults={"name": ENGLAND[1], "kind": ENGLAND[2]}
    )
    south_east, _ = Area.objects.get_or_create(
        code=SOUTH_EAST[0],
        defaults={"name": SOUTH_EAST[1], "kind": SOUTH_EAST[2], "parent": england},
    )
    oxfordshire, _ = Area.objects.get_or_create(
        code=OXFORDSHIRE[0],
        defaults={"name": OXFORDSHIRE[1], "kind": OXFORDSHIRE[2], "parent": south_east},
    )
    Area.objects.get_or_create(
        code=NEIGHBOURS[0],
        defaults={"name": NEIGHBOURS[1], "kind": NEIGHBOURS[2], "parent": oxfordshire},
    )
    if partnership.home_area_id is None:
        partnership.home_area = oxfordshire
        partnership.save(update_fields=["home_area"])
    areas = {area.code: area for area in Area.objects.all()}
    for code, years in POPULATION_0_17.items():
        for year, value in years.items():
            Population.objects.get_or_create(
                area=areas[code],
                year=year,
                age_band="0-17",
                defaults={
                    "value": value,
                    "note": "ONS mid-year estimate ("
                    + (REPORTED if (code, year) in REPORTED_POPULATION else ILLUSTRATIVE)
                    + ")",
                },
            )
    indicator_pack_load(partnership=partnership)
    result, _ = observations_import_file(name="demo.csv", stream=io.BytesIO(demo_csv().encode()))
    if not result.ok:  # the demo data is ours: a mistake in it is a bug, said loudly
        raise ValueError("; ".join(str(error) for error in result.errors))
