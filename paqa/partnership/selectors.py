"""Reads about the partnership's directory, always for an acting user, through the access policy."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from paqa.accounts.models import User
from paqa.core.access import Capability, access_for, get_for_user, scope_queryset
from paqa.partnership.models import Invitation, Membership, Organisation, Partnership, Service

VIEW = Capability.VIEW_DIRECTORY
MANAGE = Capability.MANAGE_DIRECTORY


def partnership_current() -> Partnership | None:
    """This installation's partnership (one per installation)."""
    return Partnership.objects.order_by("pk").first()


def organisation_list(*, user: Any, include_archived: bool = False) -> QuerySet[Organisation]:
    organisations = Organisation.objects.annotate(
        live_services=Count(
            "services", filter=Q(services__archived_at__isnull=True), distinct=True
        ),
        live_members=Count(
            "memberships", filter=Q(memberships__archived_at__isnull=True), distinct=True
        ),
    ).order_by("name")
    if not include_archived:
        organisations = organisations.filter(archived_at__isnull=True)
    return scope_queryset(organisations, user, VIEW, organisation_field="")


def organisation_get(*, user: Any, pk: Any, for_change: bool = False) -> Organisation:
    return get_for_user(
        Organisation.objects.select_related("partnership"),
        user,
        read=VIEW,
        write=MANAGE if for_change else None,
        organisation_field="",
        pk=pk,
    )


def service_list(*, organisation: Organisation) -> QuerySet[Service]:
    return organisation.services.filter(archived_at__isnull=True).order_by("name")


def service_get(*, user: Any, pk: Any, for_change: bool = False) -> Service:
    return get_for_user(
        Service.objects.select_related("organisation").filter(archived_at__isnull=True),
        user,
        read=VIEW,
        write=MANAGE if for_change else None,
        pk=pk,
    )


def membership_list(*, user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """Live memberships of an organisation the caller has already been allowed to see."""
    return scope_queryset(
        Membership.objects.filter(organisation=organisation, archived_at__isnull=True)
        .select_related("user")
        .order_by("user__full_name"),
        user,
        VIEW,
    )


def membership_get(*, user: Any, pk: Any, for_change: bool = False) -> Membership:
    return get_for_user(
        Membership.objects.select_related("user", "organisation").filter(archived_at__isnull=True),
        user,
        read=VIEW,
        write=MANAGE if for_change else None,
        pk=pk,
    )


def _people_in_reach(user: Any) -> QuerySet[User]:
    reached = access_for(user).organisation_ids(VIEW)
    people = User.objects.all()
    if reached is None:
        return people
    return people.filter(
        memberships__organisation_id__in=reached, memberships__archived_at__isnull=True
    ).distinct()


def person_list(*, user: Any, include_deactivated: bool = False) -> QuerySet[User]:
    reached = access_for(user).organisation_ids(VIEW)
    live = Membership.objects.filter(archived_at__isnull=True).select_related("organisation")
    if reached is not None:
        live = live.filter(organisation_id__in=reached)
    people = _people_in_reach(user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=live.order_by("organisation__name"),
            to_attr="visible_memberships",
        )
    )
    if not include_deactivated:
        people = people.filter(is_active=True)
    return people.order_by("full_name", "email")


def person_get(*, user: Any, pk: Any, for_change: bool = False) -> User:
    """A person the caller may see; changing people needs partnership-wide reach."""
    try:
        person = person_list(user=user, include_deactivated=True).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such person in your reach.") from missing
    if for_change and not access_for(user).can_everywhere(MANAGE):
        raise PermissionDenied("Your role lets you see people but not change them.")
    return person


def invitation_list(*, user: Any, organisation: Organisation) -> QuerySet[Invitation]:
    """Open invitations to an organisation; only those who manage it see them."""
    if not access_for(user).can(MANAGE, organisation.pk):
        return Invitation.objects.none()
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).select_related("invited_by")


def invitation_get(*, user: Any, pk: Any) -> Invitation:
    return get_for_user(
        Invitation.objects.select_related("organisation").filter(
            accepted_at__isnull=True, withdrawn_at__isnull=True
        ),
        user,
        read=VIEW,
        write=MANAGE,
        pk=pk,
    )
