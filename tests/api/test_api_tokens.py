"""Partnership admins make and revoke an organisation's API keys; the key is shown once."""

import hashlib
import re

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paqa.partnership.api_token_selectors import api_token_list
from paqa.partnership.api_tokens import api_token_create
from paqa.partnership.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _key_on(page: str) -> str:
    return re.search(r'id="api-key"[^>]*value="([^"]+)"', page).group(1)


def test_admin_makes_a_key_that_is_shown_once_and_stored_only_as_a_hash(cast, client_for):
    admin = client_for(cast.admin)
    create_url = reverse("api-tokens:create", args=[cast.other_agency.pk])
    assert admin.get(create_url).status_code == 200
    response = admin.post(create_url, {"name": "CAMHS data warehouse"})
    assert response.status_code == 200
    page = response.content.decode()
    key = _key_on(page)
    assert "only time it is shown" in page
    assert response["Cache-Control"] == "no-store"

    token = ApiToken.objects.get()
    assert (token.organisation, token.name, token.created_by) == (
        cast.other_agency,
        "CAMHS data warehouse",
        cast.admin,
    )
    assert token.token_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    assert key not in {token.token_hash, token.prefix, token.name}
    assert token.history.latest().history_user == cast.admin

    # The organisation's list shows the name and the prefix, never the key.
    listed = list(api_token_list(user=cast.admin, organisation=cast.other_agency))
    assert listed == [token]

    # The key works with the API.
    answer = Client().get(reverse("api:indicators"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200


def test_a_key_needs_a_name(cast, client_for):
    response = client_for(cast.admin).post(
        reverse("api-tokens:create", args=[cast.other_agency.pk]), {"name": "  "}
    )
    assert response.status_code == 200
    assert "Enter what will use this key" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_admin_revokes_a_key_and_it_stops_working(cast, client_for):
    token, key = api_token_create(organisation=cast.other_agency, name="Old", actor=cast.admin)
    admin = client_for(cast.admin)
    revoke_url = reverse("api-tokens:revoke", args=[token.pk])
    confirm = admin.get(revoke_url)
    assert confirm.status_code == 200
    assert "Revoke the key Old?" in confirm.content.decode()
    response = admin.post(revoke_url)
    assert response["Location"] == reverse(
        "partnership:organisation-detail", args=[cast.other_agency.pk]
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.history.latest().history_user == cast.admin
    answer = Client().get(reverse("api:indicators"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 401
    # Revoking again changes nothing.
    assert admin.post(revoke_url).status_code == 302


def test_people_who_cannot_manage_the_organisation_cannot_make_or_revoke_keys(cast, client_for):
    token, _ = api_token_create(organisation=cast.other_agency, name="Feed", actor=cast.admin)
    create_url = reverse("api-tokens:create", args=[cast.other_agency.pk])
    revoke_url = reverse("api-tokens:revoke", args=[token.pk])
    # Outside their reach: the organisation does not exist for them.
    lead = client_for(cast.agency_lead)
    assert lead.get(create_url).status_code == 404
    assert lead.post(create_url, {"name": "Mine now"}).status_code == 404
    assert lead.post(revoke_url).status_code == 404
    # They may read the directory but not change it.
    board = client_for(cast.board_member)
    assert board.get(create_url).status_code == 403
    assert board.post(revoke_url).status_code == 403
    # Even in their own organisation, an agency lead does not manage keys.
    own = reverse("api-tokens:create", args=[cast.agency.pk])
    assert lead.get(own).status_code == 403
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_managers_see_an_organisations_keys(cast):
    api_token_create(organisation=cast.agency, name="Crime system", actor=cast.admin)
    assert api_token_list(user=cast.admin, organisation=cast.agency).count() == 1
    for person in (cast.agency_lead, cast.board_member, cast.paqa_member, cast.analyst):
        assert not api_token_list(user=person, organisation=cast.agency).exists()


def test_the_keys_section_lists_keys_for_managers(cast):
    token, _ = api_token_create(organisation=cast.agency, name="Crime system", actor=cast.admin)
    html = render_to_string(
        "partnership/_api_tokens.html",
        {
            "organisation": cast.agency,
            "can_manage": True,
            "api_tokens": api_token_list(user=cast.admin, organisation=cast.agency),
        },
    )
    assert "Crime system" in html
    assert f"{token.prefix}…" in html
    assert reverse("api-tokens:revoke", args=[token.pk]) in html
    assert reverse("api-tokens:create", args=[cast.agency.pk]) in html
    assert "Never" in html
    hidden = render_to_string(
        "partnership/_api_tokens.html",
        {"organisation": cast.agency, "can_manage": False, "api_tokens": []},
    )
    assert "API keys" not in hidden


def test_an_archived_organisation_gets_no_new_keys(cast, client_for):
    cast.other_agency.archived_at = timezone.now()
    cast.other_agency.save()
    response = client_for(cast.admin).post(
        reverse("api-tokens:create", args=[cast.other_agency.pk]), {"name": "Feed"}
    )
    assert response.status_code == 200
    assert "archived" in response.content.decode()
    assert not ApiToken.objects.exists()
