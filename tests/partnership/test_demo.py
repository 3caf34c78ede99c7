"""`paqa demo` loads the reference report's partnership: seven agencies, ten services."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.partnership.demo import BUSINESS_UNIT, DEMO_PASSWORD, DEMO_PEOPLE, demo_load
from paqa.partnership.models import Membership, Organisation, Service
from paqa.surveys.demo import current_reporting_year

pytestmark = pytest.mark.django_db


def test_demo_has_seven_agencies_with_ten_services():
    demo_load()
    agencies = Organisation.objects.exclude(name=BUSINESS_UNIT)
    assert agencies.count() == 7
    assert Service.objects.filter(organisation__in=agencies).count() == 10
    assert all(agency.services.exists() for agency in agencies)


def test_demo_has_a_person_for_every_role_who_can_sign_in():
    demo_load()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for person in DEMO_PEOPLE:
        assert User.objects.get(email=person.email).check_password(DEMO_PASSWORD)


def test_loading_the_demo_again_adds_nothing():
    demo_load()
    counts = (Organisation.objects.count(), Service.objects.count(), Membership.objects.count())
    demo_load()
    assert (
        Organisation.objects.count(),
        Service.objects.count(),
        Membership.objects.count(),
    ) == counts


def test_demo_services_were_recorded_in_history_in_bulk():
    demo_load()
    assert Service.history.filter(history_change_reason="Demonstration data loaded").count() == 10


def test_demo_command_prints_the_url_and_sign_ins(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.VAR_DIR = tmp_path / "var"
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    printed = out.getvalue()
    assert "PAQA is at http://127.0.0.1:8000/" in printed
    assert DEMO_PASSWORD in printed
    for person in DEMO_PEOPLE:
        assert person.email in printed
    # Fake statutory returns to try, after the report's year, with the figures they must give.
    returns = tmp_path / "var" / "demo-returns"
    assert f"Data > Statutory returns (as the analyst): {returns}" in printed
    assert (returns / "cin-2021.xml").is_file()
    assert (returns / "cin-2020.xml").is_file()
    assert (returns / "ssda903-2021" / "episodes.csv").is_file()
    assert "CIN census 2020-21: known answers" in (returns / "known-answers.txt").read_text()
    # This year's practitioner survey is open, and its printed public link shows its start page.
    links = re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", printed)
    assert links == [f"/s/practitioner-survey-{current_reporting_year()}/"]
    start = Client().get(links[0])
    assert start.status_code == 200
    assert "Start now" in start.content.decode()
    first = Client().post(links[0])
    assert Client().get(first["Location"]).status_code == 200
