"""The statutory-return pages: load (or only check) a return, see its figures with their
definitions, confirm them, and, for analysts only, the pseudonymous children behind a figure."""

import io

import pytest
from django.urls import reverse

from paqa.indicators.models import Observation
from paqa.returns.models import ReturnChild, StatutoryReturn
from paqa.returns.services import return_load
from tests.access_matrix_fixtures import TINY_903
from tests.returns.conftest import SSDA903_CSV

pytestmark = pytest.mark.django_db


def _files(tables: dict[str, str]) -> list[io.BytesIO]:
    files = []
    for name, text in tables.items():
        stream = io.BytesIO(text.encode())
        stream.name = name
        files.append(stream)
    return files


def _named(tables: dict[str, str]) -> list[tuple[str, io.BytesIO]]:
    return [(stream.name, stream) for stream in _files(tables)]


def _post(client, tables, **data):
    return client.post(
        reverse("returns:list"), {"return_files": _files(tables), **data}, format="multipart"
    )


def test_an_analyst_loads_a_return_and_sees_its_figures_with_their_definitions(pack, client_for):
    client = client_for(pack.analyst)
    response = _post(client, TINY_903, collection_year="2018", load="")

    stored = StatutoryReturn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("returns:detail", args=[stored.pk])
    page = client.get(response["Location"]).content.decode()
    assert "SSDA903 (children looked after) 2017-18" in page
    assert "Children looked after at 31 March" in page
    assert "agreed series of short-term placements (legal status V3 or V4)" in page
    assert "Provisional" in page
    # One of the two children is on a short break (V3), so one is counted.
    assert stored.figures.get(code="cla").value == 1
    link = reverse("returns:children", args=[stored.pk, "cla"])
    assert f'href="{link}"' in page


def test_checking_without_loading_shows_the_figures_and_stores_nothing(pack, client_for):
    response = _post(client_for(pack.analyst), TINY_903, collection_year="2018", check="")

    page = response.content.decode()
    assert response.status_code == 200
    assert "The return has no problems" in page
    assert "Nothing was stored: this was a check." in page
    assert StatutoryReturn.objects.count() == 0
    assert Observation.objects.count() == 0


def test_a_bad_row_is_named_and_nothing_is_stored(pack, client_for):
    tables = dict(TINY_903)
    tables["episodes.csv"] = tables["episodes.csv"].replace("01/06/2017", "31/06/2017")
    response = _post(client_for(pack.analyst), tables, collection_year="2018", load="")

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The return has 1 problem: nothing was stored" in page
    assert ">Episodes<" in page
    assert ">3<" in page  # the row: the header is row 1
    assert ">DECOM<" in page
    assert StatutoryReturn.objects.count() == 0


def test_an_ssda903_without_its_year_is_refused_with_the_field_named(pack, client_for):
    response = _post(client_for(pack.analyst), TINY_903, load="")
    page = response.content.decode()
    assert "does not say its collection year" in page
    assert StatutoryReturn.objects.count() == 0


def test_confirming_makes_the_figures_final(pack, client_for):
    loaded = return_load(files=_named(TINY_903), actor=None, year=2018)
    client = client_for(pack.analyst)

    response = client.post(reverse("returns:confirm", args=[loaded.statutory_return.pk]))

    assert response.status_code == 302
    assert Observation.objects.get(indicator__code="cla").status == "final"


def test_the_children_behind_a_figure_are_shown_by_pseudonym_only(pack, client_for):
    files = [(path.name, path.open("rb")) for path in SSDA903_CSV]
    try:
        stored = return_load(files=files, actor=None, year=2018).statutory_return
    finally:
        for _, stream in files:
            stream.close()
    url = reverse("returns:children", args=[stored.pk, "cla-missing"])
    client = client_for(pack.analyst)

    page = client.get(url).content.decode()

    figure = stored.figures.get(code="cla-missing")
    first = ReturnChild.objects.get(statutory_return=stored, child=figure.children[0])
    assert f"Child {first.child[:12]}" in page
    assert first.child not in page  # never the whole pseudonym
    assert "Missing" in page
    assert "whereabouts unknown" in page  # the definition


def test_the_children_page_asks_the_same_number_of_queries_for_more_children(
    pack, client_for, django_assert_max_num_queries
):
    """One page of children is read in one query, however many stand behind the figure."""
    files = [(path.name, path.open("rb")) for path in SSDA903_CSV]
    try:
        stored = return_load(files=files, actor=None, year=2018).statutory_return
    finally:
        for _, stream in files:
            stream.close()
    client = client_for(pack.analyst)
    client.get(reverse("returns:children", args=[stored.pk, "cla-away"]))  # warm the session
    with django_assert_max_num_queries(12):
        big = client.get(reverse("returns:children", args=[stored.pk, "cla"]))
    assert big.status_code == 200
    assert stored.figures.get(code="cla").children.__len__() > 1000
    assert "Next" in big.content.decode()


@pytest.mark.parametrize("who", ["admin", "paqa_member", "board_member", "agency_lead"])
def test_nobody_but_an_analyst_sees_the_children(pack, client_for, who):
    loaded = return_load(files=_named(TINY_903), actor=None, year=2018)
    url = reverse("returns:children", args=[loaded.statutory_return.pk, "cla"])
    response = client_for(getattr(pack, who)).get(url)
    assert response.status_code in {403, 404}
    assert loaded.statutory_return.figures.get(code="cla").children[0][:12] not in (
        response.content.decode()
    )


def test_the_children_behind_a_look_back_figure_show_their_earlier_census(pack, client_for):
    from tests.returns.conftest import tiny_census

    for year, children in (
        (
            2018,
            {
                "A1": [
                    {"referral": "2017-05-02", "plan_start": "2017-06-01", "plan_end": "2018-01-10"}
                ]
            },
        ),
        (2019, {"A1": [{"referral": "2018-06-01", "plan_start": "2018-07-02"}]}),
    ):
        loaded = return_load(files=[("c.xml", io.BytesIO(tiny_census(year, children)))], actor=None)
        assert loaded.ok, loaded.problems
    url = reverse(
        "returns:children", args=[loaded.statutory_return.pk, "cp-second-within-two-years"]
    )

    page = client_for(pack.analyst).get(url).content.decode()

    assert "born May 2012" in page
    assert "Referral of 1 Jun 2018" in page
    assert "In the 2017-18 census: referral of 2 May 2017" in page
    assert "10 Jan 2018" in page  # the earlier plan's end
