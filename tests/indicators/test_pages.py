"""The dashboard, indicator page, exceptions, exports and the upload journey."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from paqa.core import charts
from paqa.indicators.models import Indicator, Observation, ObservationImport
from paqa.indicators.services import observations_import_file

pytestmark = pytest.mark.django_db

HEADER = "indicator,area,period,value,numerator,denominator,status,note\n"


def _load(text: str) -> None:
    result, _ = observations_import_file(name="t.csv", stream=io.BytesIO((HEADER + text).encode()))
    assert result.ok, result.errors


@pytest.fixture
def figures(pack):
    _load(
        "cla,E10000025,2018-03-31,690,,,final,\n"
        "cla,E10000025,2019-03-31,780,,,final,\n"
        "cla,E12000008,2019-03-31,10850,,,final,\n"
        "cla,E92000001,2019-03-31,78150,,,final,\n"
        "camhs-seen-12-weeks,E10000025,2019-01,36,,,final,\n"
        "camhs-seen-12-weeks,E10000025,2019-02,35,,,final,\n"
        "camhs-seen-12-weeks,E10000025,2019-03,34,,,provisional,\n"
    )
    return pack


def test_dashboard_shows_latest_change_and_rag(figures, client_for):
    page = client_for(figures.board_member).get(reverse("indicators:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Children looked after" in html
    assert "+13% on 31 March 2018" in html
    assert "govuk-tag--red" in html  # CAMHS 34% against 75%


def test_dashboard_filters_by_rag(figures, client_for):
    page = client_for(figures.board_member).get(reverse("indicators:dashboard"), {"rag": "red"})
    names = [s.indicator.code for _, group in page.context["groups"] for s in group]
    assert names == ["camhs-seen-12-weeks"]


def test_indicator_page_shows_sentences_chart_and_table(figures, client_for):
    html = (
        client_for(figures.agency_lead)
        .get(reverse("indicators:indicator", args=["cla"]))
        .content.decode()
    )
    assert "rose by 13% from 690 last year to 780 at the end of March 2019" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "The figures behind the chart" in html
    assert "31 March 2019" in html


def test_rate_page_derives_rates_from_counts_and_population(figures, client_for):
    page = client_for(figures.agency_lead).get(reverse("indicators:indicator", args=["cla-rate"]))
    assert page.context["summary"].latest_text == "54.4"


def test_dashboard_and_indicator_page_queries_do_not_grow_with_observations(
    figures, client_for, django_assert_max_num_queries
):
    client = client_for(figures.analyst)
    urls = [reverse("indicators:dashboard"), reverse("indicators:indicator", args=["cla"])]
    baselines = []
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(40) as counted:
            client.get(url)
        baselines.append(len(counted))
    lines = []
    for year in range(2000, 2018):
        lines.append(f"cla,E10000025,{year}-03-31,{year - 1500},,,final,")
        lines.append(f"cp-plans,E10000025,{year}-03-31,{year - 1600},,,final,")
        lines.append(f"referrals,E10000025,{year}-{(year + 1) % 100:02d},{year},,,final,")
    _load("\n".join(lines) + "\n")
    assert Observation.objects.count() > 50
    for url, baseline in zip(urls, baselines, strict=True):
        with django_assert_max_num_queries(baseline):
            client.get(url)


def test_exceptions_list_red_three_periods_running(figures, client_for):
    page = client_for(figures.paqa_member).get(reverse("indicators:exceptions"))
    assert [e.summary.indicator.code for e in page.context["entries"]] == ["camhs-seen-12-weeks"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas(figures, client_for, fmt):
    indicator = Indicator.objects.get(code="cla")
    indicator.name = '=HYPERLINK("http://evil.example","click")'
    indicator.save()
    response = client_for(figures.board_member).get(
        reverse("indicators:dashboard"), {"format": fmt}
    )
    assert response.status_code == 200
    if fmt == "csv":
        text = response.content.decode()
        assert "'=HYPERLINK" in text
        assert "\n=HYPERLINK" not in text
        assert ",=HYPERLINK" not in text
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        names = [row[0] for row in sheet.iter_rows(values_only=True)]
        assert '\'=HYPERLINK("http://evil.example","click")' in names
        assert not any(str(name).startswith("=") for name in names)


def test_indicator_table_exports(figures, client_for):
    response = client_for(figures.board_member).get(
        reverse("indicators:indicator", args=["cla"]), {"format": "csv"}
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "Period,Oxfordshire,South East,England"
    assert lines[-1] == '31 March 2019,780,"10,850","78,150"'


def test_commentary_is_saved_with_history(figures, client_for):
    client = client_for(figures.paqa_member)
    url = reverse("indicators:commentary", args=["cla"])
    client.post(url, {"text": "More younger children with complex needs."})
    client.post(url, {"text": "More younger children with complex needs, and autism."})
    commentary = Indicator.objects.get(code="cla").commentary
    assert commentary.text.endswith("and autism.")
    assert commentary.history.count() == 2
    assert commentary.history.latest().history_user == figures.paqa_member


def test_board_member_cannot_write_commentary_or_import(figures, client_for):
    client = client_for(figures.board_member)
    assert (
        client.post(reverse("indicators:commentary", args=["cla"]), {"text": "x"}).status_code
        == 403
    )
    assert client.get(reverse("indicators:import")).status_code == 403


def test_analyst_edits_a_definition_with_history(figures, client_for):
    client = client_for(figures.analyst)
    indicator = Indicator.objects.get(code="camhs-seen-12-weeks")
    response = client.post(
        reverse("indicators:indicator-edit", args=[indicator.code]),
        {
            "name": indicator.name,
            "subject": indicator.subject,
            "definition": "Seen within 12 weeks of referral (first appointment).",
            "polarity": "higher_is_better",
            "target": "80",
            "amber_threshold": "90",
            "decimals": "0",
            "priority": indicator.priority,
            "source_organisation": "",
        },
    )
    assert "the amber threshold must be below the target" in response.content.decode()
    response = client.post(
        reverse("indicators:indicator-edit", args=[indicator.code]),
        {
            "name": indicator.name,
            "subject": indicator.subject,
            "definition": "Seen within 12 weeks of referral (first appointment).",
            "polarity": "higher_is_better",
            "target": "80",
            "target_period": "2019-20",
            "amber_threshold": "70",
            "decimals": "0",
            "priority": indicator.priority,
            "source_organisation": "",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.target == 80
    assert indicator.target_period == "2019-20"
    assert indicator.history.latest().history_user == figures.analyst


def test_upload_preview_errors_then_import(figures, client_for, django_capture_on_commit_callbacks):
    """The checking and importing start when the request's transaction commits."""
    client = client_for(figures.analyst)
    bad = SimpleUploadedFile(
        "bad.csv", (HEADER + "cla,E10000025,2017-03-31,630\ncla,NOPE,2017-03-31,1\n").encode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicators:import"), {"file": bad})
    page = client.get(response["Location"]).content.decode()
    assert "nothing was imported" in page
    assert "unknown area &#x27;NOPE&#x27;" in page
    good = SimpleUploadedFile(
        "good.csv",
        (HEADER + "cla,E10000025,2017-03-31,630\ncla,E10000025,2019-03-31,781\n").encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicators:import"), {"file": good})
    detail = response["Location"]
    page = client.get(detail).content.decode()
    assert "Check the figures before you import them" in page
    assert "Changed from 780" in page
    batch = ObservationImport.objects.latest("created_at")
    assert (batch.created_count, batch.changed_count, batch.unchanged_count) == (1, 1, 0)
    assert Observation.objects.filter(period="2017-03-31").count() == 0  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("indicators:import-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ObservationImport.State.DONE
    assert (
        Observation.objects.get(
            indicator__code="cla", area__code="E10000025", period="2019-03-31"
        ).value
        == 781
    )
    assert "Figures imported" in client.get(detail).content.decode()


def test_upload_refuses_other_file_types(figures, client_for):
    response = client_for(figures.analyst).post(
        reverse("indicators:import"),
        {"file": SimpleUploadedFile("figures.exe", b"MZ")},
    )
    assert "The selected file must be an Excel or CSV file" in response.content.decode()
    assert not ObservationImport.objects.exists()


def test_an_indicator_page_draws_its_chart_once_until_a_figure_changes(
    pack, client_for, monkeypatch
):
    drawings: list[str] = []
    draw = charts.vlc.vegalite_to_svg

    def counted(*args, **kwargs):
        drawings.append("svg")
        return draw(*args, **kwargs)

    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", counted)
    _load("cla,E10000025,2018-03-31,690,,,final,\ncla,E10000025,2019-03-31,780,,,final,\n")
    client = client_for(pack.analyst)
    url = reverse("indicators:indicator", args=["cla"])
    first = client.get(url).content.decode()
    client.get(url)
    assert drawings == ["svg"]
    _load("cla,E10000025,2019-03-31,781,,,final,\n")
    changed = client.get(url).content.decode()
    assert drawings == ["svg", "svg"]
    assert "781" in changed
    assert "781" not in first
