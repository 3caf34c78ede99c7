"""Giving out a survey: the public link to copy, its QR code (SVG and PNG, made here), and the
live counts of responses by day. Who may see it, what each kind and phase of survey says, that
nothing goes over the network, that counting stays a fixed number of queries, and that
nothing a survey's builder typed can run on the page."""

from __future__ import annotations

import io
import itertools
import re
import socket
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from paqa.surveys import qr, services, share_selectors
from paqa.surveys.models import Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack

pytestmark = pytest.mark.django_db

YEAR = "2019-20"
_keys = itertools.count()


@pytest.fixture
def survey(db) -> Survey:
    today = timezone.localdate()
    return survey_from_pack(
        path=PRACTITIONER_PACK,
        year=YEAR,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
    )


@pytest.fixture
def impact_survey(cast) -> Survey:
    today = timezone.localdate()
    survey = services.impact_survey_create(
        year="2018-19",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=30),
        actor=cast.admin,
    )
    services.invitations_send(
        survey=survey, organisations=[cast.agency, cast.other_agency], actor=cast.admin
    )
    return survey


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to open a URL through urllib, or any Python socket, is recorded and fails."""
    attempts: list[str] = []

    def no_open(self: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(getattr(url, "full_url", str(url)))
        raise AssertionError(f"opened {url}")

    def no_connect(self: Any, address: Any) -> Any:
        attempts.append(repr(address))
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_open)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    return attempts


def respond(survey: Survey, started: date, submitted: date | None = None) -> Response:
    return Response.objects.create(
        survey=survey,
        submission_key=f"share-test-{next(_keys)}",
        started_on=started,
        status=Response.Status.SUBMITTED if submitted else Response.Status.DRAFT,
        submitted_on=submitted,
    )


def share_url(survey: Survey) -> str:
    return reverse("surveys:share", args=[survey.pk])


def qr_url(survey: Survey, fmt: str) -> str:
    return reverse("surveys:qr", args=[survey.pk, fmt])


def public_url(survey: Survey) -> str:
    return "http://testserver" + reverse("surveys:public-start", args=[survey.public_slug])


# Who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "paqa_member"])
@pytest.mark.parametrize("route", ["share", "qr-svg", "qr-png", "export"])
def test_people_who_run_surveys_reach_every_sharing_page(cast, client_for, survey, role, route):
    url = {
        "share": share_url(survey),
        "qr-svg": qr_url(survey, "svg"),
        "qr-png": qr_url(survey, "png"),
        "export": reverse("surveys:export", args=[survey.pk]),
    }[route]
    assert client_for(getattr(cast, role)).get(url).status_code == 200


@pytest.mark.parametrize(
    "role", ["board_member", "agency_lead", "auditor", "analyst", "other_agency_lead"]
)
@pytest.mark.parametrize("route", ["share", "qr-svg", "qr-png", "export", "import"])
def test_other_roles_are_refused_before_the_survey_is_looked_up(
    cast, client_for, survey, role, route
):
    """A role that may never run surveys gets 403, for a survey that exists and one that does
    not alike (the refusal says nothing about the survey)."""
    client = client_for(getattr(cast, role))
    for pk in (survey.pk, survey.pk + 1000):
        url = {
            "share": reverse("surveys:share", args=[pk]),
            "qr-svg": reverse("surveys:qr", args=[pk, "svg"]),
            "qr-png": reverse("surveys:qr", args=[pk, "png"]),
            "export": reverse("surveys:export", args=[pk]),
            "import": reverse("surveys:import"),
        }[route]
        assert client.get(url).status_code == 403


def test_a_survey_that_does_not_exist_is_a_404(cast, client_for, survey):
    client = client_for(cast.paqa_member)
    missing = survey.pk + 1000
    assert client.get(reverse("surveys:share", args=[missing])).status_code == 404
    assert client.get(reverse("surveys:qr", args=[missing, "png"])).status_code == 404
    assert client.get(reverse("surveys:export", args=[missing])).status_code == 404


def test_only_svg_and_png_are_made(cast, client_for, survey):
    client = client_for(cast.paqa_member)
    assert client.get(qr_url(survey, "gif")).status_code == 404
    assert client.get(qr_url(survey, "SVG")).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(survey):
    response = Client().get(share_url(survey))
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


def test_sharing_pages_only_read(cast, client_for, survey):
    client = client_for(cast.paqa_member)
    assert client.post(share_url(survey)).status_code == 405
    assert client.post(qr_url(survey, "png")).status_code == 405


# The link and the QR code --------------------------------------------------------------------


def test_the_page_gives_the_full_public_link_in_a_box_to_copy(cast, client_for, survey):
    html = client_for(cast.paqa_member).get(share_url(survey)).content.decode()
    link = public_url(survey)
    assert re.search(
        rf'<input class="govuk-input" id="public-link"[^>]* value="{re.escape(link)}" readonly',
        html,
    )
    assert '<label class="govuk-label" for="public-link">' in html
    # The button is the script's: hidden until it runs, and no script is written in the page.
    assert re.search(r"<button[^>]*data-paqa-copy-button hidden>Copy link</button>", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert f'src="{qr_url(survey, "svg")}"' in html
    assert f'href="{qr_url(survey, "svg")}" download' in html
    assert f'href="{qr_url(survey, "png")}" download' in html
    assert "The survey is open" in html


def test_a_draft_says_its_link_works_once_opened_and_still_gives_link_and_qr(
    cast, client_for, survey
):
    survey.status = Survey.Status.DRAFT
    survey.save()
    client = client_for(cast.paqa_member)
    html = client.get(share_url(survey)).content.decode()
    assert "it works once the survey is opened" in html
    assert f'value="{public_url(survey)}"' in html
    assert client.get(qr_url(survey, "png")).status_code == 200


def test_a_scheduled_and_a_closed_survey_say_so(cast, client_for, survey):
    client = client_for(cast.paqa_member)
    today = timezone.localdate()
    survey.opens_on, survey.closes_on = today + timedelta(days=3), today + timedelta(days=9)
    survey.save()
    assert (
        "Until then the link tells people when it opens"
        in client.get(share_url(survey)).content.decode()
    )
    survey.opens_on, survey.closes_on = today - timedelta(days=9), today - timedelta(days=3)
    survey.save()
    assert "The survey has closed" in client.get(share_url(survey)).content.decode()


def test_svg_qr_code_is_a_standalone_svg_with_no_external_reference(
    cast, client_for, survey, network
):
    response = client_for(cast.paqa_member).get(qr_url(survey, "svg"))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        f'attachment; filename="practitioner-survey-{YEAR}-qr-code.svg"'
    )
    root = ET.fromstring(response.content)  # noqa: S314 (our own file, made in the test)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert tags <= {"svg", "rect", "path"}, tags
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "href" not in name, (name, value)
            assert "url(" not in value, (name, value)
            assert "http" not in value, (name, value)
    assert network == []


def _modules(png: bytes, size: int) -> list[list[bool]]:
    """Read a QR code PNG back into its grid of modules (True: dark), sampling the middle of
    each module."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    assert width == height
    box = width // size
    assert box * size == width
    return [
        [image.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(size)]
        for y in range(size)
    ]


def test_png_qr_code_is_a_png_of_the_public_link(cast, client_for, survey, network):
    response = client_for(cast.paqa_member).get(qr_url(survey, "png"))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="practitioner-survey-{YEAR}-qr-code.png"'
    )
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(response.content)).verify()
    expected = qr.matrix(public_url(survey))
    assert _modules(response.content, len(expected)) == expected
    # The finder patterns are where every reader looks for them (a 7x7 ring in three corners,
    # inside the four-module quiet zone).
    assert all(expected[4][4:11])
    assert not any(expected[0])
    assert network == []


def test_the_two_qr_codes_carry_the_same_modules(survey):
    link = public_url(survey)
    svg = ET.fromstring(qr.qr_svg(link))  # noqa: S314 (our own file, made in the test)
    path = next(e for e in svg.iter() if e.tag.endswith("path"))
    squares = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", path.attrib["d"])}
    grid = qr.matrix(link)
    dark = {(x, y) for y, row in enumerate(grid) for x, dark in enumerate(row) if dark}
    assert squares == dark


def test_the_sharing_page_makes_no_network_call(cast, client_for, survey, network):
    client = client_for(cast.paqa_member)
    assert client.get(share_url(survey)).status_code == 200
    assert network == []


# Organisation returns --------------------------------------------------------------------------


def test_an_organisation_survey_has_no_public_link_and_points_to_its_returns(
    cast, client_for, impact_survey
):
    client = client_for(cast.paqa_member)
    html = client.get(share_url(impact_survey)).content.decode()
    assert "has no public link" in html
    assert 'id="public-link"' not in html
    assert "0 of 2 organisations invited" in html
    assert reverse("surveys:impact-rate", args=[impact_survey.pk]) in html
    assert client.get(qr_url(impact_survey, "svg")).status_code == 404


# Counting -------------------------------------------------------------------------------------


def test_responses_are_counted_by_day(cast, survey):
    monday = date(2019, 9, 2)
    tuesday, wednesday, friday = (monday + timedelta(days=n) for n in (1, 2, 4))
    respond(survey, monday, monday)
    respond(survey, monday, tuesday)
    respond(survey, monday)  # never sent
    respond(survey, tuesday, tuesday)
    respond(survey, wednesday)
    respond(survey, friday, friday)

    counts = share_selectors.response_counts(user=cast.paqa_member, survey=survey)

    assert (counts.submitted, counts.in_progress, counts.started) == (4, 2, 6)
    assert counts.completion_percent == 67
    rows = [
        (d.day, d.started, d.submitted, d.submitted_so_far, d.completion_percent)
        for d in counts.days
    ]
    assert rows == [
        (monday, 3, 1, 1, 67),  # of Monday's three, two have been sent (one on Tuesday)
        (tuesday, 1, 2, 3, 100),
        (wednesday, 1, 0, 3, 0),
        (friday, 1, 1, 4, 100),
    ]


def test_the_page_shows_the_counts_and_the_table_by_day(cast, client_for, survey):
    monday = date(2019, 9, 2)
    respond(survey, monday, monday)
    respond(survey, monday)
    respond(survey, monday + timedelta(days=1), monday + timedelta(days=1))
    html = client_for(cast.paqa_member).get(share_url(survey)).content.decode()
    assert '<dd class="govuk-summary-list__value" data-paqa-count="submitted">2</dd>' in html
    assert '<dd class="govuk-summary-list__value" data-paqa-count="in-progress">1</dd>' in html
    assert "67% of the 3 started have been sent" in html
    assert "Responses by day</caption>" in html
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)<', html)
    assert cells == ["2", "1", "1", "50%", "1", "1", "2", "100%"]
    assert "Mon 2 Sep 2019" in html
    assert "Tue 3 Sep 2019" in html


def test_a_survey_with_no_responses_says_so(cast, client_for, survey):
    html = client_for(cast.paqa_member).get(share_url(survey)).content.decode()
    assert "No one has started the survey yet." in html
    assert "None started yet" in html


def test_counting_is_a_fixed_number_of_queries(cast, client_for, survey):
    client = client_for(cast.paqa_member)
    start = date(2019, 9, 1)
    for n in range(3):
        respond(survey, start + timedelta(days=n), start + timedelta(days=n))
    client.get(share_url(survey))  # the session and access are read once, as on any page
    with CaptureQueriesContext(connection) as few:
        assert client.get(share_url(survey)).status_code == 200
    for n in range(120):
        day = start + timedelta(days=n % 40)
        respond(survey, day, day + timedelta(days=n % 3) if n % 4 else None)
    with CaptureQueriesContext(connection) as many:
        response = client.get(share_url(survey))
    assert response.context["counts"].started == 123
    assert len(response.context["counts"].days) == 42
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_selector_counts_in_two_queries(cast, survey, django_assert_num_queries):
    for n in range(30):
        respond(survey, date(2019, 9, 1 + n % 7), date(2019, 9, 2 + n % 7) if n % 2 else None)
    from paqa.core.access import access_for

    access_for(cast.paqa_member)  # the person's roles, read once per request
    with django_assert_num_queries(2):
        share_selectors.response_counts(user=cast.paqa_member, survey=survey)


def test_nothing_about_a_respondent_but_dates_reaches_the_page(cast, client_for, survey):
    response = respond(survey, date(2019, 9, 2), date(2019, 9, 3))
    html = client_for(cast.paqa_member).get(share_url(survey)).content.decode()
    assert response.submission_key not in html
    assert f"/r/{response.submission_key}" not in html


# What the builder typed ---------------------------------------------------------------------


def test_a_survey_title_with_markup_is_shown_as_text(cast, client_for, survey):
    survey.title = "<script>alert('share')</script> survey"
    survey.save()
    html = client_for(cast.paqa_member).get(share_url(survey)).content.decode()
    assert "<script>alert('share')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;share&#x27;)&lt;/script&gt; survey" in html
