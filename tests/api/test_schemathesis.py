"""Property-based tests of the JSON API against its own OpenAPI description (Schemathesis).

The schema is loaded from /api/v1/schema/ in-process (the WSGI app, no server), and every
operation is called with generated requests: valid ones and deliberately broken ones. Every
answer must be a documented status, of the documented content type, with a body that matches
the documented schema, and never a server error. Calls carry a live organisation key, so the
views get past authentication and the checker and writer run on the generated data.

The run is fixed (derandomized) and small, so it is quick and the same on every machine.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from werkzeug.test import Client as WsgiClient

from paqa.indicators.models import Observation
from paqa.partnership.api_tokens import api_token_create
from tests.indicators import conftest as indicator_fixtures

areas = indicator_fixtures.areas
pack = indicator_fixtures.pack

MAX_EXAMPLES = 40


# What every answer must satisfy. Schemathesis's other default checks judge API design
# choices (for example that any schema-valid body is accepted, when ours also checks the
# indicator codes and periods against the database) rather than conformance.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.ignored_auth,  # the same request without the key must be refused
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests here go straight to the WSGI app, whose request signals close "old" database
    connections; on PostgreSQL that would close the test's own, inside its transaction.
    Django's test client disconnects them the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def health_key(pack):
    """The Health Agency's key: it is the source of the CAMHS indicators the example sends."""
    _, key = api_token_create(
        organisation=pack.other_agency, name="CAMHS data warehouse", actor=pack.admin
    )
    return key


# Loaded when the module is collected: the schema view needs no database. (Schemathesis's
# lazy `from_fixture` loader does not work with pytest 9, as it sets the removed `_nodeid`.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, health_key):
    cache.clear()  # the per-key throttle would answer 429 part-way through the run
    case.call_and_validate(headers={"Authorization": f"Bearer {health_key}"}, checks=CHECKS)


def test_the_documented_example_is_accepted_and_written(health_key):
    """The generated run covers refusals; the schema's own example must really succeed."""
    cache.clear()
    operation = schema["/api/v1/observations/"]["POST"]
    example = operation.body[0].definition["examples"]["OneMonthOfCAMHSFigures"]["value"]
    case = operation.Case(body=example)
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {health_key}"}, checks=CHECKS
    )
    assert response.status_code == 200, response.text
    assert Observation.objects.filter(indicator__code="camhs-seen-12-weeks").exists()


def test_a_body_that_is_not_json_is_refused_in_the_documented_shape(health_key):
    cache.clear()
    operation = schema["/api/v1/observations/"]["POST"]
    response = WsgiClient(schema.app).post(
        "/api/v1/observations/",
        data=b"{not json",
        headers={"Authorization": f"Bearer {health_key}", "Host": "localhost"},
        content_type="application/json",
    )
    assert response.status_code == 400
    case = operation.Case(body={})
    case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])
