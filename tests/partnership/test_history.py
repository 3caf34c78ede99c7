"""Every change to a directory record is kept: who, when, what changed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from paqa.core.history import history_entries
from paqa.partnership.models import Organisation, Service
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_editing_an_organisation_records_who_changed_what_and_when(cast, client_for):
    before = timezone.now()
    client_for(cast.admin).post(
        reverse("partnership:organisation-edit", args=[cast.agency.pk]),
        {"name": "Thames Valley Police", "kind": Organisation.Kind.POLICE},
    )
    latest = cast.agency.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == cast.admin
    assert before <= latest.history_date <= timezone.now()
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("name", "Police Agency", "Thames Valley Police")
    ]


def test_history_page_shows_the_change_to_admins(cast, client_for):
    client = client_for(cast.admin)
    client.post(
        reverse("partnership:organisation-edit", args=[cast.agency.pk]),
        {"name": "Thames Valley Police", "kind": Organisation.Kind.POLICE},
    )
    page = client.get(
        reverse("core:history"), {"type": "partnership.organisation", "id": cast.agency.pk}
    ).content.decode()
    assert "Name: Police Agency → Thames Valley Police" in page
    assert "Admin" in page  # who: the admin's name


def test_bulk_changes_by_services_are_recorded_too(cast, client_for):
    services = [ServiceFactory(organisation=cast.agency) for _ in range(3)]
    client_for(cast.admin).post(reverse("partnership:organisation-archive", args=[cast.agency.pk]))
    for service in services:
        latest = Service.history.filter(id=service.pk).latest()
        assert latest.archived_at is not None
        assert latest.history_user == cast.admin
        assert latest.history_change_reason == "Organisation Police Agency archived"


def test_history_page_query_count_does_not_grow_with_changes(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.admin)
    for number in range(5):
        client.post(
            reverse("partnership:organisation-edit", args=[cast.agency.pk]),
            {"name": f"Name {number}", "kind": Organisation.Kind.POLICE},
        )
    with django_assert_max_num_queries(120) as few:
        client.get(reverse("core:history"))
    baseline = len(few)  # read now: each request clears Django's query log
    for number in range(30):
        client.post(
            reverse("partnership:organisation-edit", args=[cast.agency.pk]),
            {"name": f"Renamed {number}", "kind": Organisation.Kind.POLICE},
        )
    with django_assert_max_num_queries(baseline):
        client.get(reverse("core:history"))


def test_history_entries_lists_field_changes(cast):
    cast.agency.name = "Renamed"
    cast.agency._history_user = cast.admin
    cast.agency.save()
    entry = history_entries(record_type="partnership.organisation", record_id=cast.agency.pk)[0]
    assert entry.who == cast.admin.full_name
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("Name", "Police Agency", "Renamed")
    ]


def test_password_changes_are_not_copied_into_history(cast):
    cast.admin.set_password("another long password here")
    cast.admin.save()
    assert not hasattr(cast.admin.history.latest(), "password")


def test_signing_in_adds_no_history_row(cast, settings):
    from django.test import Client

    from tests.factories import PASSWORD

    settings.PAQA_REQUIRE_MFA = False
    before = cast.admin.history.count()
    Client().post("/sign-in/", {"email": cast.admin.email, "password": PASSWORD})
    cast.admin.refresh_from_db()
    assert cast.admin.last_login is not None
    assert cast.admin.history.count() == before
