"""A partnership admin invites people by email with a one-time link."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.partnership.models import Invitation, Membership

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long passphrase for a new person"


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite through the page; the email goes when the transaction commits, as in production."""

    def _invite(client, organisation, email="new.person@example.org", role=Role.AUDITOR):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("partnership:invitation-create", args=[organisation.pk]),
                {"full_name": "New Person", "email": email, "role": role},
            )

    return _invite


def _link_from_email() -> str:
    return re.search(r"http://testserver(/invitation/\S+/)", mail.outbox[-1].body).group(1)


def test_invited_person_joins_once_with_the_role_given(cast, client_for, invite):
    invite(client_for(cast.admin), cast.other_agency)
    assert mail.outbox[-1].to == ["new.person@example.org"]
    link = _link_from_email()
    response = Client().post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:sign-in")
    person = User.objects.get(email="new.person@example.org")
    assert person.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=person)
    assert (membership.organisation, membership.role) == (cast.other_agency, Role.AUDITOR)
    # The link is spent.
    assert Client().get(link).status_code == 404
    again = Client().post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert again.status_code == 404
    assert User.objects.filter(email="new.person@example.org").count() == 1


def test_the_token_is_not_stored(cast, client_for, invite):
    invite(client_for(cast.admin), cast.other_agency)
    token = _link_from_email().split("/")[2]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_withdrawn_invitation_link_does_not_work(cast, client_for, invite):
    client = client_for(cast.admin)
    invite(client, cast.other_agency)
    link = _link_from_email()
    client.post(reverse("partnership:invitation-withdraw", args=[Invitation.objects.get().pk]))
    assert Client().get(link).status_code == 404


def test_expired_invitation_link_does_not_work(cast, client_for, invite):
    from datetime import timedelta

    from django.utils import timezone

    invite(client_for(cast.admin), cast.other_agency)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(_link_from_email()).status_code == 404


def test_weak_password_is_refused_and_nothing_is_created(cast, client_for, invite):
    invite(client_for(cast.admin), cast.other_agency)
    response = Client().post(_link_from_email(), {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "at least 15 characters" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_inviting_an_existing_address_says_what_to_do(cast, client_for, invite):
    response = invite(client_for(cast.admin), cast.other_agency, email="LEAD@example.org")
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert mail.outbox == []


def test_invitation_form_errors_are_summarised(cast, client_for, invite):
    response = client_for(cast.admin).post(
        reverse("partnership:invitation-create", args=[cast.agency.pk]), {}
    )
    page = response.content.decode()
    assert "There is a problem" in page
    for message in ("Enter their full name", "Enter their email address", "Choose a role"):
        assert page.count(message) == 2  # in the summary and by the field
    assert 'href="#id_role_0"' in page  # the summary links to the first radio
