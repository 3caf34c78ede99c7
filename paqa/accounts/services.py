"""Writes about people and their sign-in: keyword-only, typed, atomic, history kept."""

import hashlib
import secrets
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from paqa.accounts.models import RecoveryCode, SignInEvent, User, normalise_email
from paqa.core.net import client_ip

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def sign_in_event_record(
    *, request: HttpRequest | None, kind: str, email: str = "", user: User | None = None
) -> SignInEvent:
    return SignInEvent.objects.create(
        kind=kind,
        email=normalise_email(email or (user.email if user else ""))[:254],
        user=user,
        ip_address=client_ip(request)[:64] if request is not None else "",
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
    )


def _hash_recovery_code(code: str) -> str:
    # Codes are 50+ bits of randomness, so a fast hash is enough to keep them out of reach.
    normalised = code.replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the person's recovery codes; the plain codes are returned once and never stored."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_hash_recovery_code(code)) for code in codes]
    )
    return codes


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> bool:
    """Spend one unused recovery code. True if it was valid (and is now used up)."""
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=_hash_recovery_code(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return spent == 1


def totp_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the person to scan; earlier unconfirmed ones go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator with a code from it; it then replaces any earlier one."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_verify(*, user: User, token: str) -> bool:
    """Check a code from the person's authenticator. A code is accepted once only."""
    device = totp_device_for(user)
    if device is None:
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False
    return bool(device.verify_token(token.strip().replace(" ", "")))


@transaction.atomic
def mfa_reset(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """Remove a person's authenticator and recovery codes (lost phone): they set up anew at
    their next sign-in, and any session they have open ends."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    SignInEvent.objects.create(
        kind=SignInEvent.Kind.MFA_RESET,
        email=user.email,
        user=user,
        ip_address=client_ip(request)[:64] if request is not None else "",
        user_agent=f"reset by {actor.email}"[:300],
    )
    transaction.on_commit(lambda: _end_sessions_of(user))


def _end_sessions_of(user: User) -> int:
    """Delete every stored session that belongs to this person."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data: dict[str, Any] = session.get_decoded()
        if str(data.get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Stop a person signing in. Their live sessions stop working on their next request."""
    user.is_active = False
    user.deactivated_at = timezone.now()
    user._history_user = actor  # type: ignore[attr-defined]
    user.save(update_fields=["is_active", "deactivated_at"])
    transaction.on_commit(lambda: _end_sessions_of(user))
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    user.is_active = True
    user.deactivated_at = None
    user._history_user = actor  # type: ignore[attr-defined]
    user.save(update_fields=["is_active", "deactivated_at"])
    return user


@transaction.atomic
def user_update_details(*, user: User, actor: User, full_name: str, job_title: str) -> User:
    user.full_name = full_name.strip()
    user.job_title = job_title.strip()
    user._history_user = actor  # type: ignore[attr-defined]
    user.save(update_fields=["full_name", "job_title"])
    return user
