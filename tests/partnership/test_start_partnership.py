"""`paqa start-partnership`: a new installation gets its partnership, business unit and first
admin, who sets a password through a one-time link."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.partnership.models import Membership, Partnership

pytestmark = pytest.mark.django_db

ARGS = [
    "--name",
    "Exampleshire Safeguarding Children Partnership",
    "--short-name",
    "ESCP",
    "--admin-email",
    "Chair@Example.org",
    "--admin-name",
    "Ada Chair",
    "--site-url",
    "https://paqa.example.org/",
]


def test_a_new_installation_gets_its_partnership_and_first_admin(client):
    out = io.StringIO()
    call_command("start-partnership", *ARGS, stdout=out)
    partnership = Partnership.objects.get()
    assert partnership.short_name == "ESCP"
    admin = User.objects.get()
    assert admin.email == "chair@example.org"
    assert not admin.has_usable_password()
    membership = Membership.objects.get(user=admin)
    assert membership.role == Role.PARTNERSHIP_ADMIN
    assert membership.organisation.name == "ESCP Business Unit"

    link = re.search(r"https://paqa\.example\.org(/password-reset/\S+/\S+/)", out.getvalue())
    assert link
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    password = "a long and new password for the chair"
    done = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password(password)
    again = client.get(link.group(1), follow=True)
    assert "This link has expired or been used" in again.content.decode()


def test_it_starts_only_once_and_writes_nothing_when_refused():
    call_command("start-partnership", *ARGS, stdout=io.StringIO())
    with pytest.raises(CommandError, match="already has its partnership"):
        call_command("start-partnership", *ARGS, stdout=io.StringIO())
    assert Partnership.objects.count() == 1
    assert User.objects.count() == 1


def test_a_bad_email_address_writes_nothing():
    bad = [*ARGS]
    bad[bad.index("--admin-email") + 1] = "not an email"
    with pytest.raises(CommandError, match="Nothing was created"):
        call_command("start-partnership", *bad, stdout=io.StringIO())
    assert not Partnership.objects.exists()
    assert not User.objects.exists()
