"""Who reads and who records voice records, through selectors and pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from paqa.voice import selectors

pytestmark = pytest.mark.django_db

ROLES = ["admin", "paqa_member", "agency_lead", "auditor", "analyst", "board_member"]


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_role_reads_the_list_and_a_record(cast, client_for, make_record, role):
    record = make_record()
    client = client_for(getattr(cast, role))
    assert client.get(reverse("voice:list")).status_code == 200
    assert client.get(reverse("voice:detail", args=[record.pk])).status_code == 200
    assert list(selectors.voice_list(user=getattr(cast, role))) == [record]


@pytest.mark.parametrize("role", ["agency_lead", "auditor", "analyst", "board_member"])
def test_only_admins_and_paqa_members_record(cast, client_for, make_record, role):
    record = make_record()
    client = client_for(getattr(cast, role))
    assert client.get(reverse("voice:create")).status_code == 403
    assert client.post(reverse("voice:create"), {"quote": "x"}).status_code == 403
    assert client.get(reverse("voice:edit", args=[record.pk])).status_code == 403
    assert client.post(reverse("voice:we-did", args=[record.pk]), {}).status_code == 403
    page = client.get(reverse("voice:detail", args=[record.pk])).content.decode()
    assert reverse("voice:edit", args=[record.pk]) not in page
    assert "Add what was done" not in page
    assert "Record what they said" not in client.get(reverse("voice:list")).content.decode()


@pytest.mark.parametrize("role", ["admin", "paqa_member"])
def test_admins_and_paqa_members_reach_the_forms(cast, client_for, make_record, role):
    record = make_record()
    client = client_for(getattr(cast, role))
    assert client.get(reverse("voice:create")).status_code == 200
    assert client.get(reverse("voice:edit", args=[record.pk])).status_code == 200
    assert (
        "Add what was done"
        in client.get(reverse("voice:detail", args=[record.pk])).content.decode()
    )


def test_anonymous_people_are_sent_to_sign_in(make_record):
    record = make_record()
    for url in (
        reverse("voice:list"),
        reverse("voice:create"),
        reverse("voice:detail", args=[record.pk]),
        reverse("voice:edit", args=[record.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")


def test_someone_with_no_role_is_refused(cast, client_for, make_record):
    from tests.factories import UserFactory

    stranger = UserFactory(email="nobody@example.org")
    assert client_for(stranger).get(reverse("voice:list")).status_code == 403
    with pytest.raises(PermissionDenied):
        selectors.voice_list(user=stranger)
    with pytest.raises(PermissionDenied):
        selectors.voice_for_theme(user=stranger, theme="voice-of-the-child", year="2018-19")


def test_a_missing_record_is_404(cast, client_for):
    assert client_for(cast.admin).get(reverse("voice:detail", args=[999])).status_code == 404


def test_the_navigation_shows_childrens_views_to_staff(cast, client_for):
    page = client_for(cast.board_member).get(reverse("voice:list")).content.decode()
    assert "Children's views" in page or "Children&#x27;s views" in page
