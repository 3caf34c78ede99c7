"""Importing observations: all or nothing, every bad row named, idempotent, history kept."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from paqa.indicators.importing import ImportFileError, check_rows, read_rows
from paqa.indicators.models import Observation
from paqa.indicators.services import observations_import_file

HEADER = "indicator,area,period,value,numerator,denominator,status,note\n"

pytestmark = pytest.mark.django_db


def _thousand_rows(bad_row: int | None = None) -> str:
    lines = [HEADER]
    for number, year in enumerate(range(1000, 2000), start=2):
        value = "abc" if number == bad_row else str(year)
        lines.append(f"referrals,E10000025,{year}-{(year + 1) % 100:02d},{value},,,final,\n")
    return "".join(lines)


def _import(text: str, **options):
    return observations_import_file(name="figures.csv", stream=io.BytesIO(text.encode()), **options)


def _write(tmp_path, text: str, name: str = "figures.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_one_bad_row_in_a_thousand_writes_nothing_and_names_row_and_reason(pack, tmp_path):
    path = _write(tmp_path, _thousand_rows(bad_row=500))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-indicators", str(path), stderr=(errors := io.StringIO()))
    assert Observation.objects.count() == 0
    assert f"{path}: row 500, value: 'abc' is not a number" in errors.getvalue()


def test_dry_run_writes_nothing(pack, tmp_path):
    path = _write(tmp_path, _thousand_rows())
    call_command("import-indicators", str(path), "--dry-run", stdout=(out := io.StringIO()))
    assert Observation.objects.count() == 0
    assert "would create 1000" in out.getvalue()
    assert "nothing written (dry run)" in out.getvalue()


def test_good_file_imports_and_the_same_file_again_changes_nothing(pack, tmp_path):
    path = _write(tmp_path, _thousand_rows())
    call_command("import-indicators", str(path), stdout=(first := io.StringIO()))
    assert "created 1000, changed 0, 0 unchanged" in first.getvalue()
    assert Observation.objects.count() == 1000
    history_rows = Observation.history.count()
    call_command("import-indicators", str(path), stdout=(again := io.StringIO()))
    assert "created 0, changed 0, 1000 unchanged" in again.getvalue()
    assert Observation.objects.count() == 1000
    assert Observation.history.count() == history_rows


def test_a_changed_value_keeps_the_previous_value_in_history(pack):
    _import(HEADER + "cla,E10000025,2019-03-31,780,,,provisional,first count\n")
    _, summary = _import(HEADER + "cla,E10000025,2019-03-31,781,,,final,corrected\n")
    assert (summary.created, summary.changed) == (0, 1)
    observation = Observation.objects.get()
    assert (observation.value, observation.status) == (Decimal("781"), "final")
    previous = observation.history.order_by("history_date", "history_id").first()
    assert previous.value == Decimal("780")
    assert previous.status == "provisional"
    assert observation.history.latest().history_change_reason == "Imported from figures.csv"


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("nosuch,E10000025,2018-19,1", "indicator", "unknown indicator 'nosuch'"),
        ("referrals,E99999999,2018-19,1", "area", "unknown area 'E99999999'"),
        ("referrals,E10000025,2018-20,1", "period", "the second year must follow the first"),
        ("referrals,E10000025,2019-03-31,1", "period", "is reported by a financial year"),
        ("referrals,E10000025,2018-19,lots", "value", "'lots' is not a number"),
        ("referrals,E10000025,2018-19,", "value", "is empty"),
        ("referrals,E10000025,2018-19,-4", "value", "is negative"),
        ("mash-timeliness,E10000025,2018-19,101", "value", "not a percentage between 0 and 100"),
        ("mash-timeliness,E10000025,2018-19,40,44,100", "value", "does not match numerator"),
        ("mash-timeliness,E10000025,2018-19,40,4,0", "denominator", "must be more than 0"),
        ("referrals,E10000025,2018-19,1,,,draft", "status", "is not provisional or final"),
        ("cla-rate,E10000025,2019-03-31,54.4", "indicator", "import the count"),
        ("child-population,E10000025,2017,143400", "indicator", "population estimates"),
    ],
)
def test_each_kind_of_bad_row_is_explained(pack, line, column, reason):
    result, summary = _import(HEADER + line + "\n")
    assert summary is None
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert (error.row, error.column) == (2, column)
    assert reason in error.message


def test_duplicate_rows_are_named(pack):
    text = HEADER + "referrals,E10000025,2018-19,1\nreferrals,e10000025,2018-19,2\n"
    result, _ = _import(text)
    assert [str(e) for e in result.errors] == [
        "row 3, period: duplicate of row 2 (same indicator, area and period)"
    ]


def test_every_bad_row_is_reported_not_just_the_first(pack):
    text = HEADER + "x,E10000025,2018-19,1\nreferrals,E10000025,2018-19,1\nreferrals,Z,bad,q\n"
    result, _ = _import(text)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "indicator"),
        (4, "area"),
        (4, "period"),
        (4, "value"),
    ]
    assert Observation.objects.count() == 0


def test_missing_columns_are_reported_against_the_header():
    with pytest.raises(ImportFileError, match=r"row 1: .* missing: period, value"):
        list(read_rows("x.csv", io.BytesIO(b"indicator,area\nreferrals,E10000025\n")))


def test_other_file_types_are_refused():
    with pytest.raises(ImportFileError, match="is not a CSV or XLSX file"):
        list(read_rows("figures.pdf", io.BytesIO(b"%PDF")))


def test_xlsx_imports_like_csv(pack):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["indicator", "area", "period", "value", "numerator", "denominator", "status", "note"]
    )
    sheet.append(["cla", "E10000025", "2019-03-31", 780, None, None, "final", "from Excel"])
    sheet.append(["camhs-seen-12-weeks", "E10000025", "2019-03", 34.0, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result, summary = observations_import_file(name="figures.xlsx", stream=buffer)
    assert result.ok, result.errors
    assert summary.created == 2
    assert Observation.objects.get(indicator__code="camhs-seen-12-weeks").value == Decimal(34)


def test_status_defaults_to_final_and_notes_are_kept(pack):
    result = check_rows(
        read_rows(
            "x.csv", io.BytesIO((HEADER + "cla,E10000025,2019-03-31,780,,,,a note\n").encode())
        )
    )
    assert (result.rows[0].status, result.rows[0].note) == ("final", "a note")


def test_new_figures_get_a_creation_history_row_with_who_and_why(pack):
    from paqa.indicators.importing import plan_changes
    from paqa.indicators.services import observations_apply

    text = HEADER + "cla,E10000025,2019-03-31,780\ncla,E10000025,2018-03-31,690\n"
    result = check_rows(read_rows("x.csv", io.BytesIO(text.encode())))
    observations_apply(plan=plan_changes(result.rows), actor=pack.analyst, reason="Test import")
    for observation in Observation.objects.all():
        created = observation.history.get()
        assert created.history_type == "+"
        assert created.history_user == pack.analyst
        assert created.history_change_reason == "Test import"
        assert (created.value, created.period) == (observation.value, observation.period)
