"""Loading statutory returns: all or nothing, minimised, figures written as provisional
observations, confirmed, replaced and deleted when their time is up."""

import io
import shutil
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paqa.indicators.models import Observation
from paqa.operations.retention import retention_run
from paqa.returns.models import ComputedFigure, ReturnChild, StatutoryReturn
from paqa.returns.records import pseudonym
from paqa.returns.services import (
    pseudonym_key,
    return_figures_confirm,
    return_load,
    return_records_delete,
    returns_delete_expired,
)
from tests.returns.conftest import CIN_SAMPLE, SSDA903_CSV, tiny_census

pytestmark = pytest.mark.django_db


def _nothing_stored() -> None:
    assert StatutoryReturn.objects.count() == 0
    assert StatutoryReturn.history.count() == 0
    assert ReturnChild.objects.count() == 0
    assert ComputedFigure.objects.count() == 0
    assert Observation.objects.count() == 0
    assert Observation.history.count() == 0


def _load_903(open_files, actor=None, year=2018, paths=SSDA903_CSV):
    return return_load(files=open_files(paths), actor=actor, year=year)


def test_the_fake_ssda903_gives_1201_looked_after_at_31_march_2018(pack, open_files):
    loaded = _load_903(open_files, actor=pack.analyst)

    assert loaded.ok, loaded.problems[:5]
    assert loaded.figures["cla"].value == 1201
    stored = loaded.statutory_return
    assert stored.kind == "ssda903"
    assert stored.collection_year == 2018
    assert ReturnChild.objects.filter(statutory_return=stored).count() == loaded.children
    cla = Observation.objects.get(indicator__code="cla", period="2018-03-31")
    assert cla.value == 1201
    assert cla.status == Observation.Status.PROVISIONAL
    assert cla.area == pack.partnership.home_area
    assert cla.history.get().history_user == pack.analyst
    figure = stored.figures.get(code="cla")
    assert len(figure.children) == 1201
    assert set(figure.children) <= set(
        ReturnChild.objects.filter(statutory_return=stored).values_list("child", flat=True)
    )


def test_the_fake_ssda903_in_its_xml_form_loads_the_same_way(pack, open_files):
    xml = SSDA903_CSV[0].parent / "fake_903.xml"
    loaded = return_load(files=open_files([xml]), actor=None, year=2018)
    assert loaded.ok, loaded.problems[:5]
    assert loaded.file_format == "xml"
    assert loaded.figures["cla"].value > 0


def test_an_ssda903_return_needs_its_collection_year(pack, open_files):
    loaded = _load_903(open_files, year=None)
    assert not loaded.ok
    (problem,) = loaded.problems
    assert problem.field == "Collection year"
    assert "does not say its collection year" in problem.message
    _nothing_stored()


def _with_one_bad_cell(tmp_path, table_file, row_number, column, value):
    """Copies of the sample tables, with one cell of one row changed."""
    for path in SSDA903_CSV:
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / table_file
    lines = target.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row_number - 1].split(",")
    cells[header.index(column)] = value
    lines[row_number - 1] = ",".join(cells)
    target.write_text("\n".join(lines) + "\n")
    return sorted(tmp_path.glob("*.csv"))


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [("DECOM", "31/02/2017", "date"), ("LS", "ZZ", "ZZ"), ("DEC", "2017-08-14", "date")],
)
def test_one_bad_cell_stores_nothing_and_names_the_row_and_field(
    pack, open_files, tmp_path, column, value, expected
):
    paths = _with_one_bad_cell(tmp_path, "episodes.csv", 7, column, value)
    loaded = _load_903(open_files, paths=paths)

    assert not loaded.ok
    (problem,) = loaded.problems
    assert (problem.table, problem.row, problem.field) == ("Episodes", 7, column)
    assert expected in problem.message
    assert "Episodes, row 7, " + column in str(problem)
    _nothing_stored()


def test_a_bad_date_in_one_child_of_a_cin_census_stores_nothing(pack, open_files, tmp_path):
    text = CIN_SAMPLE.read_text()
    first = text.index("<CINreferralDate>")
    bad = text[:first] + text[first:].replace(
        text[first : text.index("</CINreferralDate>", first)],
        "<CINreferralDate>2021-02-30",
        1,
    )
    path = tmp_path / "census.xml"
    path.write_text(bad)
    loaded = return_load(files=open_files([path]), actor=None)

    assert not loaded.ok
    (problem,) = loaded.problems
    assert (problem.table, problem.row, problem.field) == (
        "CIN census",
        1,
        "CINreferralDate (CINdetails 1)",
    )
    _nothing_stored()


def test_a_cin_census_takes_its_year_from_its_header(pack, open_files):
    loaded = return_load(files=open_files([CIN_SAMPLE]), actor=None)
    assert loaded.ok, loaded.problems[:5]
    assert loaded.statutory_return.collection_year == 2022
    assert loaded.statutory_return.children_count == 332
    assert Observation.objects.filter(indicator__code="cp-plans", period="2022-03-31").exists()

    mismatch = return_load(files=open_files([CIN_SAMPLE]), actor=None, year=2020)
    assert [p.field for p in mismatch.problems] == ["Year"]


def test_a_share_of_nothing_is_not_written_as_a_figure(pack, open_files, tmp_path):
    """A census with no plans ending in the year has no 'plans lasting two years' figure."""
    loaded = return_load(files=open_files([CIN_SAMPLE]), actor=None)
    for code, figure in loaded.figures.items():
        written = Observation.objects.filter(indicator__code=code).exists()
        assert written == (figure.denominator != 0), code


def test_files_of_two_kinds_are_refused(pack, open_files):
    loaded = return_load(files=open_files([*SSDA903_CSV[:2], CIN_SAMPLE]), actor=None, year=2018)
    assert not loaded.ok
    assert "load one return at a time" in loaded.problems[0].message
    _nothing_stored()


def test_loading_a_return_again_replaces_the_earlier_load(pack, open_files):
    first = _load_903(open_files).statutory_return
    second = _load_903(open_files)

    first.refresh_from_db()
    assert first.state == StatutoryReturn.State.REPLACED
    assert ReturnChild.objects.filter(statutory_return=first).count() == 0
    assert all(not f.children for f in first.figures.all())
    assert second.replaced == 1
    assert second.observations.created == 0  # the same figures again change nothing
    assert StatutoryReturn.objects.filter(state="current").get() == second.statutory_return


def test_a_dry_run_computes_but_stores_nothing(pack, open_files):
    loaded = return_load(files=open_files(SSDA903_CSV), actor=None, year=2018, dry_run=True)
    assert loaded.ok
    assert loaded.figures["cla"].value == 1201
    _nothing_stored()


def test_confirming_makes_the_computed_figures_final_but_not_a_hand_corrected_one(pack, open_files):
    stored = _load_903(open_files).statutory_return
    corrected = Observation.objects.get(indicator__code="cla", period="2018-03-31")
    corrected.value = Decimal(1200)
    corrected.save()

    changed = return_figures_confirm(statutory_return=stored, actor=pack.analyst)

    corrected.refresh_from_db()
    assert corrected.status == Observation.Status.PROVISIONAL
    final = Observation.objects.filter(status=Observation.Status.FINAL)
    assert changed == final.count() > 0
    assert "cla" not in set(final.values_list("indicator__code", flat=True))
    stored.refresh_from_db()
    assert stored.confirmed_by == pack.analyst


def test_child_records_are_deleted_when_their_period_is_over(pack, open_files, settings):
    settings.PAQA_RETENTION_RETURN_YEARS = 3
    stored = _load_903(open_files).statutory_return
    assert stored.delete_after == date(2021, 3, 31)
    children = ReturnChild.objects.count()

    early = retention_run(apply=True, today=date(2021, 3, 30))
    assert early.counts["children's return records"] == 0
    assert ReturnChild.objects.count() == children

    dry = returns_delete_expired(today=date(2021, 3, 31), apply=False)
    assert dry == {"statutory returns past their period": 1, "children's return records": children}
    assert ReturnChild.objects.count() == children

    run = retention_run(apply=True, today=date(2021, 3, 31))
    assert run.counts["children's return records"] == children
    assert ReturnChild.objects.count() == 0
    stored.refresh_from_db()
    assert stored.state == StatutoryReturn.State.DELETED
    assert stored.deleted_at
    assert all(not f.children for f in stored.figures.all())
    assert stored.figures.get(code="cla").value == 1201  # the figure itself stays
    again = retention_run(apply=True, today=date(2022, 1, 1))
    assert again.counts["statutory returns past their period"] == 0


def test_child_records_can_be_deleted_by_hand(pack, open_files):
    stored = _load_903(open_files).statutory_return
    count = return_records_delete(statutory_return=stored, actor=pack.analyst)
    assert count == stored.children_count > 0
    assert ReturnChild.objects.count() == 0


def test_the_command_loads_a_return_and_lists_its_figures(pack):
    out = StringIO()
    call_command("import-return", *map(str, SSDA903_CSV), "--year", "2018", stdout=out)
    assert "Children looked after at 31 March: 1,201" in out.getvalue()
    assert "Provisional observations:" in out.getvalue()
    assert StatutoryReturn.objects.count() == 1


def test_the_command_dry_run_stores_nothing(pack):
    out = StringIO()
    call_command("import-return", *map(str, SSDA903_CSV), "--year", "2018", "--dry-run", stdout=out)
    assert "Nothing stored (dry run)." in out.getvalue()
    _nothing_stored()


def test_the_command_lists_every_problem_and_fails(pack, tmp_path):
    paths = _with_one_bad_cell(tmp_path, "episodes.csv", 4, "DECOM", "yesterday")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import-return", *map(str, paths), "--year", "2018", stderr=err)
    assert "Episodes, row 4, DECOM" in err.getvalue()
    _nothing_stored()


def test_an_earlier_census_loaded_later_recomputes_the_figures_that_look_back(pack):
    """Repeat plans within two years and re-referrals need the earlier year: loading it after
    the later one computes the later one's figures again."""
    later = tiny_census(
        2019,
        {
            "A1": [{"referral": "2018-06-01", "plan_start": "2018-07-02"}],
            "B2": [{"referral": "2018-09-03", "plan_start": "2018-10-01"}],
        },
    )
    earlier = tiny_census(
        2018,
        {"A1": [{"referral": "2017-05-02", "plan_start": "2017-06-01", "plan_end": "2018-01-10"}]},
    )
    first = return_load(files=[("2019.xml", io.BytesIO(later))], actor=None)
    assert first.ok, first.problems
    assert first.figures["cp-second-within-two-years"].numerator == 0
    assert first.figures["re-referrals-12-months"].numerator == 0

    second = return_load(files=[("2018.xml", io.BytesIO(earlier))], actor=None)

    assert second.ok, second.problems
    assert second.refreshed == [first.statutory_return]
    refreshed = {f.code: f for f in first.statutory_return.figures.all()}
    within = refreshed["cp-second-within-two-years"]
    assert (within.numerator, within.denominator) == (1, 2)
    assert within.children == [pseudonym("A1", pseudonym_key())]
    assert refreshed["cp-second-or-subsequent"].numerator == 1
    assert refreshed["re-referrals-12-months"].numerator == 0  # 2017-05-02 to 2018-06-01: 13 months
    observation = Observation.objects.get(
        indicator__code="cp-second-within-two-years", period="2018-19"
    )
    assert observation.value == 50


def test_the_rate_per_10000_is_derived_from_the_computed_count(pack, open_files):
    """Rates are not written: the data set works them out from the count and the population
    (143,400 children in the fixture's 2017 estimate), marked provisional like the count."""
    from paqa.indicators.selectors import indicator_get

    _load_903(open_files)

    rate = indicator_get(user=pack.analyst, code="cla-rate").summary.latest
    assert rate.period.code == "2018-03-31"
    assert round(rate.value, 1) == round(Decimal(1201) / Decimal(143_400) * 10_000, 1)  # 83.8
    assert rate.status == "provisional"


def test_two_loads_of_one_return_at_once_keep_one(pack, open_files, monkeypatch):
    """The race: another load commits between this one's look for an earlier load and its
    own insert. The constraint refuses the second; nothing of it is kept and it says why."""
    from paqa.returns import services

    first = _load_903(open_files).statutory_return
    children = ReturnChild.objects.count()
    monkeypatch.setattr(services, "_replace_earlier", lambda *args: 0)  # it saw no earlier load

    second = _load_903(open_files)

    assert not second.ok
    assert "another load of the 2017-18 return finished" in second.problems[0].message
    assert second.statutory_return is None
    assert StatutoryReturn.objects.get() == first
    assert ReturnChild.objects.count() == children
