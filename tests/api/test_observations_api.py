"""The JSON API: an organisation's system sends the figures it is the source of, checked like
an imported file."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openapi_spec_validator import validate

from paqa.indicators.api import (
    MAX_OBSERVATIONS,
    ObservationSerializer,
    TokenRateThrottle,
    indicators_submittable_by,
)
from paqa.indicators.importing import COLUMNS
from paqa.indicators.models import Indicator, Observation
from paqa.partnership.api_tokens import api_token_create, api_token_revoke
from tests.indicators import conftest as indicator_fixtures

pytestmark = pytest.mark.django_db

# The indicator pack loaded for the test cast (its fixtures live beside the indicator tests).
areas = indicator_fixtures.areas
pack = indicator_fixtures.pack

HOME = "E10000025"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def health_key(pack):
    """The Health Agency's key (the Health Agency is the source of the CAMHS indicators)."""
    _, key = api_token_create(
        organisation=pack.other_agency, name="CAMHS data warehouse", actor=pack.admin
    )
    return key


def _camhs(period: str = "2019-03", value: object = 34, **extra: object) -> dict:
    return {
        "indicator": "camhs-seen-12-weeks",
        "area": HOME,
        "period": period,
        "value": value,
        "numerator": None,
        "denominator": None,
        "status": "final",
        "note": "",
        **extra,
    }


def _post(key: str | None, body: object) -> object:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key is not None else {}
    return Client().post(
        reverse("api:observations"),
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_source_organisation_sends_its_figures_and_again_changes_nothing(health_key, pack):
    body = {"observations": [_camhs("2019-02", 31), _camhs("2019-03", "34.5")]}
    response = _post(health_key, body)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "changed": 0, "unchanged": 0}
    stored = Observation.objects.get(indicator__code="camhs-seen-12-weeks", period="2019-03")
    assert stored.value == pytest.approx(34.5)
    latest = stored.history.latest()
    assert latest.history_change_reason == (
        "Submitted through the API by CAMHS data warehouse (Health Agency)"
    )
    assert latest.history_user is None
    history_rows = Observation.history.count()

    again = _post(health_key, body)
    assert again.status_code == 200
    assert again.json() == {"created": 0, "changed": 0, "unchanged": 2}
    assert Observation.objects.count() == 2
    assert Observation.history.count() == history_rows

    changed = _post(health_key, {"observations": [_camhs("2019-03", 40)]})
    assert changed.json() == {"created": 0, "changed": 1, "unchanged": 0}
    stored.refresh_from_db()
    assert stored.value == 40


def test_another_organisations_indicator_is_forbidden_and_nothing_is_written(health_key):
    police_row = {**_camhs("2018-19", 12), "indicator": "missing-three-times"}
    alone = _post(health_key, {"observations": [police_row]})
    assert alone.status_code == 403
    assert alone.json()["errors"] == [
        {
            "item": 1,
            "field": "indicator",
            "message": "Health Agency is not the source of 'missing-three-times'",
        }
    ]

    mixed = _post(health_key, {"observations": [_camhs("2019-02"), police_row, _camhs()]})
    assert mixed.status_code == 403
    assert [error["item"] for error in mixed.json()["errors"]] == [2]
    assert Observation.objects.count() == 0


def test_an_indicator_without_a_source_is_forbidden_too(health_key):
    response = _post(
        health_key, {"observations": [{**_camhs("2019-03-31", 700), "indicator": "cla"}]}
    )
    assert response.status_code == 403
    assert Observation.objects.count() == 0


def test_bad_values_are_all_listed_and_nothing_is_written(health_key):
    body = {
        "observations": [
            _camhs("2019-01", 30),
            _camhs("2019-02", 130),
            _camhs("2019-03", "lots"),
            _camhs("2019-04", True),
            {**_camhs("2019-05"), "area": "E99999999", "colour": "red"},
            "not an observation",
            None,
            {"indicator": "camhs-seen-12-weeks", "area": HOME, "period": "2019-06"},
        ]
    }
    response = _post(health_key, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(error["item"], error["field"]) for error in errors} == {
        (2, "value"),
        (3, "value"),
        (4, "value"),
        (5, "area"),
        (5, "colour"),
        (6, "observation"),
        (7, "observation"),
        (8, "value"),
    }
    by_item = {error["item"]: error["message"] for error in errors if error["item"] != 5}
    assert by_item[2] == "130 is not a percentage between 0 and 100"
    assert by_item[3] == "'lots' is not a number"
    assert by_item[6] == by_item[7] == "must be an object with indicator, area, period and value"
    assert by_item[8] == "is missing"
    assert [error["item"] for error in errors] == sorted(error["item"] for error in errors)
    assert "Nothing was written" in response.json()["detail"]
    assert Observation.objects.count() == 0


def test_unknown_area_and_wrong_period_come_from_the_file_checker(health_key):
    response = _post(
        health_key, {"observations": [{**_camhs("2018-19"), "area": "E99999999"}, _camhs()]}
    )
    assert response.status_code == 400
    fields = {(error["item"], error["field"]) for error in response.json()["errors"]}
    assert fields == {(1, "area"), (1, "period")}
    assert Observation.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"rows": []},
        {"observations": "camhs"},
        {"observations": []},
    ],
)
def test_a_body_without_a_list_of_observations_is_refused(health_key, body):
    response = _post(health_key, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "observations"


def test_more_than_the_most_observations_is_refused(health_key):
    response = _post(health_key, {"observations": [_camhs()] * (MAX_OBSERVATIONS + 1)})
    assert response.status_code == 400
    assert "the most in one request is 10,000" in response.json()["errors"][0]["message"]
    assert Observation.objects.count() == 0


def test_no_key_or_a_wrong_key_is_unauthorised(health_key):
    body = {"observations": [_camhs()]}
    for key in (None, "not-a-real-key", f"{health_key}x"):
        response = _post(key, body)
        assert response.status_code == 401, key
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    for header in ("Bearer", f"Bearer {health_key} extra", f"Token {health_key}"):
        response = Client().post(
            reverse("api:observations"),
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )
        assert response.status_code == 401, header
    assert Observation.objects.count() == 0


def test_a_revoked_key_is_unauthorised(pack):
    token, key = api_token_create(organisation=pack.other_agency, name="Old", actor=pack.admin)
    api_token_revoke(token=token, actor=pack.admin)
    assert _post(key, {"observations": [_camhs()]}).status_code == 401
    listing = Client().get(reverse("api:indicators"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert listing.status_code == 401


def test_the_key_of_an_archived_organisation_is_unauthorised(pack, health_key):
    pack.other_agency.archived_at = timezone.now()
    pack.other_agency.save()
    assert _post(health_key, {"observations": [_camhs()]}).status_code == 401
    assert Observation.objects.count() == 0


def test_the_key_records_when_it_was_last_used(pack, health_key):
    token = pack.other_agency.api_tokens.get()
    assert token.last_used_at is None
    Client().get(reverse("api:indicators"), HTTP_AUTHORIZATION=f"Bearer {health_key}")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_indicators_lists_only_what_the_organisation_sends(pack, health_key):
    response = Client().get(reverse("api:indicators"), HTTP_AUTHORIZATION=f"Bearer {health_key}")
    assert response.status_code == 200
    codes = {indicator["code"] for indicator in response.json()}
    assert "camhs-seen-12-weeks" in codes
    assert "missing-three-times" not in codes
    assert "cla" not in codes
    assert codes == set(
        Indicator.objects.filter(pk__in=indicators_submittable_by(pack.other_agency)).values_list(
            "code", flat=True
        )
    )
    assert set(response.json()[0]) == {
        "code",
        "name",
        "unit",
        "period_kind",
        "frequency",
        "definition",
    }
    assert Client().get(reverse("api:indicators")).status_code == 401


def test_each_key_is_throttled(health_key, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "2/minute")
    client = Client()
    answers = [
        client.get(reverse("api:indicators"), HTTP_AUTHORIZATION=f"Bearer {health_key}")
        for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 429]


def test_the_api_ignores_a_signed_in_session(cast, client_for):
    """A person's session is not a key: the API answers 401 and never writes for them."""
    response = client_for(cast.admin).post(
        reverse("api:observations"),
        data=json.dumps({"observations": []}),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_the_openapi_schema_is_served_and_valid(db):
    response = Client().get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/v1/observations/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/observations/"]
    assert "/api/v1/indicators/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["organisationKey"]["scheme"] == "bearer"
    submission = schema["components"]["schemas"]["Submission"]
    assert "observations" in submission["properties"]


def test_an_observation_has_the_columns_of_an_imported_file():
    assert list(ObservationSerializer().fields) == COLUMNS
