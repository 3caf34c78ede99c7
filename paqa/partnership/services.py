"""Writes about the partnership, its organisations, services, memberships and invitations.

Each function is keyword-only, runs in one transaction and records who made the change
(django-simple-history), including the changes it makes in bulk.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from paqa.accounts.models import SignInEvent, User, normalise_email
from paqa.accounts.services import sign_in_event_record
from paqa.core.access import Role, forget_access
from paqa.core.history import stamp_actor
from paqa.partnership.models import Invitation, Membership, Organisation, Partnership, Service


@transaction.atomic
def partnership_update(
    *, partnership: Partnership, actor: User, name: str, short_name: str, brand_colour: str
) -> Partnership:
    partnership.name = name.strip()
    partnership.short_name = short_name.strip()
    partnership.brand_colour = brand_colour.strip().lower()
    partnership.full_clean()
    stamp_actor(partnership, actor)
    partnership.save()
    return partnership


@transaction.atomic
def organisation_create(
    *, partnership: Partnership, actor: User | None, name: str, kind: str
) -> Organisation:
    organisation = Organisation(partnership=partnership, name=name.strip(), kind=kind)
    organisation.full_clean()
    stamp_actor(organisation, actor)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, actor: User, name: str, kind: str
) -> Organisation:
    organisation.name = name.strip()
    organisation.kind = kind
    organisation.full_clean()
    stamp_actor(organisation, actor)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_archive(*, organisation: Organisation, actor: User) -> Organisation:
    """Archive an organisation with its services and memberships, all in one go."""
    now = timezone.now()
    organisation.archived_at = now
    organisation.archived_by = actor
    stamp_actor(organisation, actor)
    organisation.save()
    for related in (
        list(organisation.services.filter(archived_at__isnull=True)),
        list(organisation.memberships.filter(archived_at__isnull=True)),
    ):
        for record in related:
            record.archived_at = now
            record.archived_by = actor
        if related:
            bulk_update_with_history(
                related,
                type(related[0]),
                ["archived_at", "archived_by"],
                default_user=actor,
                default_change_reason=f"Organisation {organisation.name} archived",
            )
    return organisation


@transaction.atomic
def organisation_restore(*, organisation: Organisation, actor: User) -> Organisation:
    organisation.archived_at = None
    organisation.archived_by = None
    stamp_actor(organisation, actor)
    organisation.save()
    return organisation


@transaction.atomic
def service_create(*, organisation: Organisation, actor: User | None, name: str) -> Service:
    service = Service(organisation=organisation, name=name.strip())
    service.full_clean()
    stamp_actor(service, actor)
    service.save()
    return service


@transaction.atomic
def service_update(*, service: Service, actor: User, name: str) -> Service:
    service.name = name.strip()
    service.full_clean()
    stamp_actor(service, actor)
    service.save()
    return service


@transaction.atomic
def service_archive(*, service: Service, actor: User) -> Service:
    service.archived_at = timezone.now()
    service.archived_by = actor
    stamp_actor(service, actor)
    service.save()
    return service


@transaction.atomic
def membership_create(
    *, user: User, organisation: Organisation, role: str, actor: User | None
) -> Membership:
    """Give a person a role in an organisation (or bring back an archived membership)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role"})
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is not None and not membership.is_archived:
        raise ValidationError(
            {"email": f"{user} already has a role in {organisation}; change it instead"}
        )
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
    membership.role = role
    membership.archived_at = None
    membership.archived_by = None
    stamp_actor(membership, actor)
    membership.save()
    forget_access(user)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role"})
    membership.role = role
    stamp_actor(membership, actor)
    membership.save()
    forget_access(membership.user)
    return membership


@transaction.atomic
def membership_archive(*, membership: Membership, actor: User) -> Membership:
    membership.archived_at = timezone.now()
    membership.archived_by = actor
    stamp_actor(membership, actor)
    membership.save()
    forget_access(membership.user)
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    actor: User,
    email: str,
    full_name: str,
    role: str,
    accept_url_for: Any,
) -> tuple[Invitation, str]:
    """Invite a new person. Returns the invitation and the one-time token (sent, never stored)."""
    email = normalise_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError(
            {"email": "This person already has an account; give them a role from their page"}
        )
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role"})
    Invitation.objects.filter(
        email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        full_name=full_name.strip(),
        organisation=organisation,
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.PAQA_INVITATION_DAYS),
    )
    stamp_actor(invitation, actor)
    invitation.save()
    accept_url = accept_url_for(token)
    body = render_to_string(
        "partnership/email/invitation.txt",
        {"invitation": invitation, "accept_url": accept_url, "actor": actor},
    )
    transaction.on_commit(
        lambda: send_mail(
            "You have been invited to PAQA", body, None, [invitation.email], fail_silently=False
        )
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation this token belongs to, or None if unknown, used, expired or withdrawn."""
    return (
        Invitation.objects.select_related("organisation")
        .filter(
            token_hash=_token_hash(token),
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
            organisation__archived_at__isnull=True,
        )
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, request: Any = None) -> User:
    """Create the person's account and membership; the link can never be used again."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None or locked.withdrawn_at is not None:
        raise ValidationError("This invitation has already been used")
    if User.objects.filter(email=locked.email).exists():
        raise ValidationError("An account with this email address already exists")
    user = User.objects.create_user(
        email=locked.email, password=password, full_name=locked.full_name
    )
    membership_create(
        user=user, organisation=locked.organisation, role=locked.role, actor=locked.invited_by
    )
    locked.accepted_at = timezone.now()
    stamp_actor(locked, user)
    locked.save()
    sign_in_event_record(request=request, kind=SignInEvent.Kind.INVITATION_ACCEPTED, user=user)
    return user


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor: User) -> Invitation:
    invitation.withdrawn_at = timezone.now()
    stamp_actor(invitation, actor)
    invitation.save()
    return invitation
