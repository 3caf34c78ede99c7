"""Signing in: password, second factor, recovery codes, reset, throttling, sessions."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from paqa.accounts.models import RecoveryCode, SignInEvent
from paqa.accounts.services import recovery_codes_regenerate
from paqa.accounts.signin import LAST_SEEN
from tests.factories import PASSWORD
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

SIGN_IN = "/sign-in/"


def _password_step(client: Client, email: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post(SIGN_IN, {"email": email, "password": password}, REMOTE_ADDR=ip)


def _with_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _is_signed_in(client: Client) -> bool:
    return client.get(reverse("core:home")).status_code == 200


# Password and second factor -----------------------------------------------------------------


def test_password_alone_does_not_sign_in_when_mfa_is_required(cast):
    _with_authenticator(cast.admin)
    client = Client()
    response = _password_step(client, cast.admin.email)
    assert response["Location"] == reverse("accounts:mfa-verify")
    assert not _is_signed_in(client)


def test_first_sign_in_goes_to_authenticator_set_up(cast):
    client = Client()
    response = _password_step(client, cast.admin.email)
    assert response["Location"] == reverse("accounts:mfa-set-up")
    assert not _is_signed_in(client)


def test_authenticator_set_up_signs_in_and_shows_ten_recovery_codes_once(cast):
    client = Client()
    _password_step(client, cast.admin.email)
    client.get(reverse("accounts:mfa-set-up"))
    device = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
    response = client.post(reverse("accounts:mfa-set-up"), {"code": totp_code(device.bin_key)})
    assert response["Location"] == reverse("accounts:recovery-codes")
    page = client.get(reverse("accounts:recovery-codes")).content.decode()
    assert len(re.findall(r"<code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code>", page)) == 10
    # Shown once: the second visit goes to the account page instead.
    assert client.get(reverse("accounts:recovery-codes"))["Location"] == reverse("accounts:account")
    assert RecoveryCode.objects.filter(user=cast.admin).count() == 10
    device.refresh_from_db()
    assert device.confirmed


def test_correct_code_signs_in(cast):
    device = _with_authenticator(cast.admin)
    client = Client()
    _password_step(client, cast.admin.email)
    response = client.post(reverse("accounts:mfa-verify"), {"code": totp_code(device.bin_key)})
    assert response["Location"] == "/"
    assert _is_signed_in(client)
    assert SignInEvent.objects.filter(user=cast.admin, kind=SignInEvent.Kind.SIGNED_IN).exists()


def test_a_totp_code_cannot_be_used_twice(cast):
    device = _with_authenticator(cast.admin)
    code = totp_code(device.bin_key)
    first = Client()
    _password_step(first, cast.admin.email)
    assert first.post(reverse("accounts:mfa-verify"), {"code": code})["Location"] == "/"

    second = Client()
    _password_step(second, cast.admin.email)
    response = second.post(reverse("accounts:mfa-verify"), {"code": code})
    assert response.status_code == 200
    assert "already been used" in response.content.decode()
    assert not _is_signed_in(second)


def test_wrong_code_is_refused_and_logged(cast):
    device = _with_authenticator(cast.admin)
    client = Client()
    _password_step(client, cast.admin.email)
    wrong = f"{(int(totp_code(device.bin_key)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:mfa-verify"), {"code": wrong})
    assert response.status_code == 200
    assert not _is_signed_in(client)
    assert SignInEvent.objects.filter(user=cast.admin, kind=SignInEvent.Kind.MFA_REJECTED).exists()


def test_second_step_expires(cast):
    device = _with_authenticator(cast.admin)
    client = Client()
    _password_step(client, cast.admin.email)
    session = client.session
    session["paqa_pending_since"] = time.time() - 6 * 60
    session.save()
    response = client.post(reverse("accounts:mfa-verify"), {"code": totp_code(device.bin_key)})
    assert response["Location"] == SIGN_IN
    assert not _is_signed_in(client)


def test_recovery_code_works_once(cast):
    _with_authenticator(cast.admin)
    code = recovery_codes_regenerate(user=cast.admin)[0]
    client = Client()
    _password_step(client, cast.admin.email)
    assert client.post(reverse("accounts:mfa-recovery"), {"code": code})["Location"] == "/"

    again = Client()
    _password_step(again, cast.admin.email)
    response = again.post(reverse("accounts:mfa-recovery"), {"code": code})
    assert response.status_code == 200
    assert not _is_signed_in(again)


def test_recovery_codes_are_stored_only_as_hashes(cast):
    codes = recovery_codes_regenerate(user=cast.admin)
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not stored & set(codes)
    assert not stored & {c.replace("-", "") for c in codes}


def test_wrong_password_gives_one_message_for_unknown_and_known_accounts(cast):
    known = _password_step(Client(), cast.admin.email, password="wrong-password-123456")
    unknown = _password_step(Client(), "nobody@example.org", password="wrong-password-123456")
    for response in (known, unknown):
        assert response.status_code == 200
        assert "Enter a correct email address and password" in response.content.decode()


def test_without_required_mfa_password_signs_in(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    client = Client()
    assert _password_step(client, cast.admin.email)["Location"] == "/"
    assert _is_signed_in(client)


def test_next_url_is_kept_but_only_on_this_site(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    client = Client()
    response = client.post(
        SIGN_IN + "?next=/people/",
        {"email": cast.admin.email, "password": PASSWORD, "next": "/people/"},
    )
    assert response["Location"] == "/people/"
    client = Client()
    response = client.post(
        SIGN_IN,
        {"email": cast.admin.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_session_that_skipped_a_now_required_second_factor_is_ended(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    client = Client()
    _password_step(client, cast.admin.email)
    settings.PAQA_REQUIRE_MFA = True
    assert not _is_signed_in(client)


# Password reset -------------------------------------------------------------------------------


def test_password_reset_ends_at_the_mfa_step(cast):
    device = _with_authenticator(cast.admin)
    client = Client()
    client.post(reverse("accounts:password-reset"), {"email": cast.admin.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    new_password = "a brand new passphrase for paqa"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response["Location"] == reverse("accounts:password-reset-complete")
    assert not _is_signed_in(client), "resetting a password must not sign the person in"

    response = _password_step(client, cast.admin.email, password=new_password)
    assert response["Location"] == reverse("accounts:mfa-verify")
    assert not _is_signed_in(client)
    client.post(reverse("accounts:mfa-verify"), {"code": totp_code(device.bin_key)})
    assert _is_signed_in(client)


def test_password_reset_link_works_once(cast):
    client = Client()
    client.post(reverse("accounts:password-reset"), {"email": cast.admin.email})
    link = re.search(r"http://testserver(/password-reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new_password = "a brand new passphrase for paqa"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    again = Client().get(link, follow=True)
    assert "This link has expired or been used" in again.content.decode()


def test_password_reset_for_unknown_address_looks_the_same_and_sends_nothing(db):
    response = Client().post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass-1", "at least 15 characters"),
        ("1q2w3e4r5t6y7u8i9o0p", "too common"),
    ],
)
def test_weak_new_passwords_are_refused(cast, client_for, password, message):
    response = client_for(cast.admin).post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_production_hashes_passwords_with_argon2():
    from paqa.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# Throttling ---------------------------------------------------------------------------------


def test_failures_from_one_address_are_throttled_while_the_victim_signs_in_elsewhere(
    cast, settings
):
    settings.PAQA_REQUIRE_MFA = False
    attacker = Client()
    for _ in range(settings.PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT_AND_IP):
        _password_step(attacker, cast.admin.email, password="guess-guess-guess", ip="203.0.113.9")
    # Now even the right password is refused from the attacker's address...
    refused = _password_step(attacker, cast.admin.email, ip="203.0.113.9")
    assert refused.status_code == 429
    assert "tried to sign in too many times" in refused.content.decode()
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.THROTTLED).count() == 1
    # ...while the victim, from their own address, signs in.
    victim = Client()
    assert _password_step(victim, cast.admin.email, ip="198.51.100.7")["Location"] == "/"


def test_one_address_guessing_many_accounts_is_throttled(cast, settings):
    settings.PAQA_SIGN_IN_MAX_FAILURES_PER_IP = 6
    attacker = Client()
    for number in range(6):
        _password_step(attacker, f"p{number}@example.org", password="guess-guess", ip="203.0.113.9")
    refused = _password_step(attacker, cast.agency_lead.email, ip="203.0.113.9")
    assert refused.status_code == 429


def test_spread_out_attack_throttles_new_devices_but_not_the_owners_known_device(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    settings.PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT = 10
    owner = Client()
    assert _password_step(owner, cast.admin.email, ip="198.51.100.7")["Location"] == "/"
    owner.post(reverse("accounts:sign-out"))
    for number in range(10):
        _password_step(Client(), cast.admin.email, password="guess-guess", ip=f"203.0.113.{number}")
    stranger = _password_step(Client(), cast.admin.email, ip="192.0.2.50")
    assert stranger.status_code == 429
    # The owner's browser carries the known-device cookie and gets in, from a new address too.
    assert _password_step(owner, cast.admin.email, ip="192.0.2.51")["Location"] == "/"


def test_old_failures_no_longer_count(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    attacker = Client()
    for _ in range(settings.PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT_AND_IP):
        _password_step(attacker, cast.admin.email, password="guess-guess-guess", ip="203.0.113.9")
    SignInEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert _password_step(attacker, cast.admin.email, ip="203.0.113.9")["Location"] == "/"


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    client = Client()
    client.post(
        SIGN_IN,
        {"email": cast.admin.email, "password": "nope-nope-nope"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    assert SignInEvent.objects.get().ip_address == "10.0.0.1"
    settings.PAQA_TRUSTED_PROXY_COUNT = 1
    client.post(
        SIGN_IN,
        {"email": cast.admin.email, "password": "nope-nope-nope"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4",
    )
    assert SignInEvent.objects.order_by("-id").first().ip_address == "1.2.3.4"


# Sessions -----------------------------------------------------------------------------------


def test_deactivated_persons_live_session_stops_on_next_request(cast, client_for):
    victim_session = client_for(cast.other_agency_lead)
    assert _is_signed_in(victim_session)
    client_for(cast.admin).post(
        reverse("partnership:person-deactivate", args=[cast.other_agency_lead.pk])
    )
    response = victim_session.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_deactivated_person_cannot_sign_in(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    cast.agency_lead.is_active = False
    cast.agency_lead.save()
    response = _password_step(Client(), cast.agency_lead.email)
    assert "Enter a correct email address and password" in response.content.decode()


def test_idle_session_is_signed_out_with_a_notice(cast, client_for, settings):
    client = client_for(cast.admin)
    session = client.session
    session[LAST_SEEN] = time.time() - settings.PAQA_IDLE_TIMEOUT_SECONDS - 1
    session.save()
    response = client.get(reverse("core:home"))
    assert response["Location"] == SIGN_IN + "?timed_out=1"
    assert (
        "You were signed out because you had not done anything"
        in client.get(response["Location"]).content.decode()
    )
    assert not _is_signed_in(client)
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.TIMED_OUT, user=cast.admin).exists()


def test_extending_the_session_resets_the_idle_clock(cast, client_for, settings):
    client = client_for(cast.admin)
    session = client.session
    session[LAST_SEEN] = time.time() - settings.PAQA_IDLE_TIMEOUT_SECONDS + 60
    session.save()
    asked = time.time()
    response = client.post(reverse("accounts:session-extend"), HTTP_ACCEPT="application/json")
    assert response.status_code == 204
    assert client.session[LAST_SEEN] >= asked  # the clock starts again from the request


def test_pages_carry_the_idle_limit_for_the_warning_dialog(cast, client_for, settings):
    page = client_for(cast.admin).get(reverse("core:home")).content.decode()
    assert f'data-idle-timeout-seconds="{settings.PAQA_IDLE_TIMEOUT_SECONDS}"' in page
    assert 'id="session-timeout-dialog"' in page
    assert "Stay signed in" in page


def test_every_sign_in_event_is_logged(cast, settings):
    settings.PAQA_REQUIRE_MFA = False
    client = Client()
    _password_step(client, cast.admin.email, password="wrong-wrong-wrong")
    _password_step(client, cast.admin.email)
    client.post(reverse("accounts:sign-out"))
    kinds = list(SignInEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        SignInEvent.Kind.PASSWORD_REJECTED,
        SignInEvent.Kind.PASSWORD_ACCEPTED,
        SignInEvent.Kind.SIGNED_IN,
        SignInEvent.Kind.SIGNED_OUT,
    ]
    assert SignInEvent.objects.filter(ip_address="10.0.0.1").count() == 3


def test_sign_out_needs_post_and_csrf(cast, client_for):
    client = client_for(cast.admin)
    client.handler.enforce_csrf_checks = True
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    assert client.post(reverse("accounts:sign-out")).status_code == 403


def test_admin_resets_a_lost_authenticator_and_the_person_sets_up_anew(
    cast, client_for, django_capture_on_commit_callbacks
):
    _with_authenticator(cast.agency_lead)
    recovery_codes_regenerate(user=cast.agency_lead)
    open_session = client_for(cast.agency_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.admin).post(
            reverse("partnership:person-mfa-reset", args=[cast.agency_lead.pk])
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.agency_lead).exists()
    assert not RecoveryCode.objects.filter(user=cast.agency_lead).exists()
    assert SignInEvent.objects.filter(
        user=cast.agency_lead, kind=SignInEvent.Kind.MFA_RESET
    ).exists()
    assert not _is_signed_in(open_session)
    assert _password_step(Client(), cast.agency_lead.email)["Location"] == reverse(
        "accounts:mfa-set-up"
    )


def test_only_partnership_admins_reset_two_factor(cast, client_for):
    device = _with_authenticator(cast.auditor)
    url = reverse("partnership:person-mfa-reset", args=[cast.auditor.pk])
    assert client_for(cast.agency_lead).post(url).status_code == 403
    assert client_for(cast.other_agency_lead).post(url).status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
