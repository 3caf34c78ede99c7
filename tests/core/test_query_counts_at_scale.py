"""The pages that read a whole year (the report draft, the themes pages, survey results) ask
the database the same number of questions at ten times the demo as at the demo itself."""

import pytest
from django.db import connection
from django.urls import reverse

from paqa.accounts.models import User
from paqa.demo.scale import demo_scale_load, scale_counts

pytestmark = pytest.mark.django_db

YEAR = "2018-19"


def _queries(client, path: str) -> tuple[int, str]:
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200, path
    return len(executed), response.content.decode()


def _pages() -> list[tuple[str, str]]:
    from paqa.surveys.models import Survey

    practitioner_survey = Survey.objects.get(series="practitioner-survey", year=YEAR)
    return [
        ("paqa@demo.example", reverse("reports:draft", args=[YEAR])),
        ("paqa@demo.example", reverse("reports:section", args=[YEAR, "conclusions"])),
        ("paqa@demo.example", reverse("themes:overview", args=[YEAR])),
        ("paqa@demo.example", reverse("themes:theme", args=[YEAR, "information-sharing"])),
        ("lead.police@demo.example", reverse("themes:theme", args=[YEAR, "neglect"])),
        ("board@demo.example", reverse("surveys:results", args=[practitioner_survey.pk])),
        ("paqa@demo.example", reverse("surveys:manage", args=[practitioner_survey.pk])),
        ("paqa@demo.example", reverse("surveys:share", args=[practitioner_survey.pk])),
        ("admin@demo.example", reverse("core:history")),
    ]


def test_the_year_pages_ask_as_many_queries_at_ten_times_the_demo(demo, client_for):
    clients = {email: client_for(User.objects.get(email=email)) for email, _path in _pages()}
    at_demo = {path: _queries(clients[email], path) for email, path in _pages()}
    before = scale_counts()

    demo_scale_load(scale=10, seed=2019, with_checksums=False)

    after = scale_counts()
    assert after["practitioner responses"] == 10 * before["practitioner responses"]
    at_ten = {path: _queries(clients[email], path) for email, path in _pages()}
    # The change history asks a few queries for each type of record among its newest 200
    # changes: which types those are depends on what was changed last, not on how much there
    # is, so at ten times the demo it may ask fewer (the scaled records crowd the others out),
    # never more.
    history = reverse("core:history")
    assert at_ten.pop(history)[0] <= at_demo.pop(history)[0]
    assert {path: count for path, (count, _) in at_ten.items()} == {
        path: count for path, (count, _) in at_demo.items()
    }
    # The pages read the scaled data, not a cache of the demo's: ten times the practitioners.
    draft = at_ten[reverse("reports:draft", args=[YEAR])][1]
    assert "10,030 practitioners" in draft or "10030 practitioners" in draft
