"""Who may see and change organisations, memberships and people (docs/design.md §3)."""

import pytest
from django.urls import reverse

from paqa.core.access import Role
from paqa.partnership.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def _membership(user, organisation):
    return Membership.objects.get(user=user, organisation=organisation)


# An agency lead and another agency ---------------------------------------------------------


def test_agency_lead_sees_own_agency_and_its_people(cast, client_for):
    client = client_for(cast.agency_lead)
    response = client.get(reverse("partnership:organisation-detail", args=[cast.agency.pk]))
    assert response.status_code == 200
    assert cast.auditor.email in response.content.decode()


def test_agency_lead_cannot_see_another_agency(cast, client_for):
    client = client_for(cast.agency_lead)
    url = reverse("partnership:organisation-detail", args=[cast.other_agency.pk])
    assert client.get(url).status_code == 404


def test_agency_lead_cannot_see_another_agencys_person(cast, client_for):
    client = client_for(cast.agency_lead)
    url = reverse("partnership:person-detail", args=[cast.other_agency_lead.pk])
    assert client.get(url).status_code == 404


def test_agency_lead_people_list_leaves_out_other_agencies(cast, client_for):
    page = client_for(cast.agency_lead).get(reverse("partnership:person-list")).content.decode()
    assert cast.auditor.email in page
    assert cast.other_agency_lead.email not in page
    assert cast.admin.email not in page


def test_agency_lead_organisation_list_shows_only_own(cast, client_for):
    page = client_for(cast.agency_lead).get(reverse("partnership:organisation-list"))
    assert [o.name for o in page.context["organisations"]] == ["Police Agency"]


@pytest.mark.parametrize(
    "url_name",
    ["partnership:membership-edit", "partnership:membership-archive"],
)
def test_agency_lead_cannot_change_another_agencys_membership(cast, client_for, url_name):
    membership = _membership(cast.other_agency_lead, cast.other_agency)
    client = client_for(cast.agency_lead)
    url = reverse(url_name, args=[membership.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": Role.PARTNERSHIP_ADMIN}).status_code == 404
    membership.refresh_from_db()
    assert membership.role == Role.AGENCY_LEAD
    assert membership.archived_at is None


def test_agency_lead_cannot_invite_into_another_agency(cast, client_for):
    client = client_for(cast.agency_lead)
    url = reverse("partnership:invitation-create", args=[cast.other_agency.pk])
    data = {"full_name": "X", "email": "x@example.org", "role": Role.AGENCY_LEAD}
    assert client.post(url, data).status_code == 404
    assert not cast.other_agency.invitations.exists()


def test_agency_lead_cannot_deactivate_another_agencys_person(cast, client_for):
    client = client_for(cast.agency_lead)
    url = reverse("partnership:person-deactivate", args=[cast.other_agency_lead.pk])
    assert client.post(url).status_code == 404
    cast.other_agency_lead.refresh_from_db()
    assert cast.other_agency_lead.is_active


def test_agency_lead_may_read_but_not_change_own_agencys_memberships(cast, client_for):
    membership = _membership(cast.auditor, cast.agency)
    client = client_for(cast.agency_lead)
    url = reverse("partnership:membership-edit", args=[membership.pk])
    assert client.post(url, {"role": Role.PARTNERSHIP_ADMIN}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.AUDITOR


# A board member: reads, never changes ------------------------------------------------------


def test_board_member_reads_every_organisation(cast, client_for):
    client = client_for(cast.board_member)
    for organisation in (cast.agency, cast.other_agency):
        url = reverse("partnership:organisation-detail", args=[organisation.pk])
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url_name", "target", "data"),
    [
        ("partnership:organisation-edit", "agency", {"name": "Renamed", "kind": "police"}),
        ("partnership:organisation-archive", "agency", {}),
        ("partnership:service-create", "agency", {"name": "New service"}),
        (
            "partnership:invitation-create",
            "agency",
            {"full_name": "N", "email": "n@example.org", "role": "auditor"},
        ),
        (
            "partnership:membership-create",
            "agency",
            {"email": "board@example.org", "role": "auditor"},
        ),
        ("partnership:membership-edit", "membership", {"role": "partnership_admin"}),
        ("partnership:membership-archive", "membership", {}),
        ("partnership:person-edit", "person", {"full_name": "Changed", "job_title": ""}),
        ("partnership:person-deactivate", "person", {}),
        ("partnership:person-mfa-reset", "person", {}),
    ],
)
def test_board_member_cannot_change_anything(cast, client_for, url_name, target, data):
    membership = _membership(cast.agency_lead, cast.agency)
    args = {
        "agency": cast.agency.pk,
        "membership": membership.pk,
        "person": cast.agency_lead.pk,
    }[target]
    client = client_for(cast.board_member)
    url = reverse(url_name, args=[args])
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    cast.agency.refresh_from_db()
    membership.refresh_from_db()
    cast.agency_lead.refresh_from_db()
    assert (cast.agency.name, cast.agency.archived_at) == ("Police Agency", None)
    assert (membership.role, membership.archived_at) == (Role.AGENCY_LEAD, None)
    assert (cast.agency_lead.is_active, cast.agency_lead.full_name) == (True, "Lead")
    assert not cast.agency.services.exists()
    assert not cast.agency.invitations.exists()


@pytest.mark.parametrize("url_name", ["partnership:organisation-create", "partnership:settings"])
def test_board_member_cannot_add_organisations_or_change_settings(cast, client_for, url_name):
    client = client_for(cast.board_member)
    assert client.get(reverse(url_name)).status_code == 403
    assert client.post(reverse(url_name), {"name": "X", "kind": "police"}).status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


def test_board_member_cannot_read_change_history(cast, client_for):
    assert client_for(cast.board_member).get(reverse("core:history")).status_code == 403


# A partnership admin: everything -----------------------------------------------------------


def test_admin_changes_a_role_in_any_agency(cast, client_for):
    membership = _membership(cast.other_agency_lead, cast.other_agency)
    response = client_for(cast.admin).post(
        reverse("partnership:membership-edit", args=[membership.pk]), {"role": Role.AUDITOR}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.AUDITOR


def test_admin_adds_an_organisation(cast, client_for):
    response = client_for(cast.admin).post(
        reverse("partnership:organisation-create"),
        {"name": "Cherwell District Council", "kind": Organisation.Kind.DISTRICT_COUNCIL},
    )
    organisation = Organisation.objects.get(name="Cherwell District Council")
    assert response["Location"] == reverse(
        "partnership:organisation-detail", args=[organisation.pk]
    )


def test_admin_deactivates_a_person(cast, client_for):
    client = client_for(cast.admin)
    client.post(reverse("partnership:person-deactivate", args=[cast.other_agency_lead.pk]))
    cast.other_agency_lead.refresh_from_db()
    assert not cast.other_agency_lead.is_active


def test_admin_cannot_deactivate_themselves(cast, client_for):
    client = client_for(cast.admin)
    client.post(reverse("partnership:person-deactivate", args=[cast.admin.pk]))
    cast.admin.refresh_from_db()
    assert cast.admin.is_active


def test_admin_gives_an_existing_person_a_second_role(cast, client_for):
    client_for(cast.admin).post(
        reverse("partnership:membership-create", args=[cast.other_agency.pk]),
        {"email": "LEAD@example.org", "role": Role.AUDITOR},
    )
    assert _membership(cast.agency_lead, cast.other_agency).role == Role.AUDITOR


def test_duplicate_organisation_name_is_a_form_error_not_a_crash(cast, client_for):
    response = client_for(cast.admin).post(
        reverse("partnership:organisation-create"),
        {"name": "Police Agency", "kind": Organisation.Kind.POLICE},
    )
    assert response.status_code == 200
    assert "There is already an organisation or service with this name" in response.content.decode()


def test_archived_membership_gives_no_access(cast, client_for):
    membership = _membership(cast.agency_lead, cast.agency)
    client_for(cast.admin).post(reverse("partnership:membership-archive", args=[membership.pk]))
    client = client_for(cast.agency_lead)
    url = reverse("partnership:organisation-detail", args=[cast.agency.pk])
    assert client.get(url).status_code == 404


def test_archiving_an_organisation_archives_its_services_and_memberships(cast, client_for):
    from tests.factories import ServiceFactory

    ServiceFactory(organisation=cast.agency, name="CAMHS")
    client_for(cast.admin).post(reverse("partnership:organisation-archive", args=[cast.agency.pk]))
    cast.agency.refresh_from_db()
    assert cast.agency.is_archived
    assert not cast.agency.services.filter(archived_at__isnull=True).exists()
    assert not cast.agency.memberships.filter(archived_at__isnull=True).exists()
    # Nothing was deleted.
    assert cast.agency.services.count() == 1
    assert cast.agency.memberships.count() == 3
