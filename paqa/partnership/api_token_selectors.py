"""Reads about API keys, for an acting user, through the access policy."""

from typing import Any

from django.db.models import F, QuerySet

from paqa.core.access import Capability, access_for, get_for_user
from paqa.partnership.models import ApiToken, Organisation


def api_token_list(*, user: Any, organisation: Organisation) -> QuerySet[ApiToken]:
    """An organisation's keys, live ones first; only those who manage it see them."""
    if not access_for(user).can(Capability.MANAGE_DIRECTORY, organisation.pk):
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "name", "-created_at")
    )


def api_token_get(*, user: Any, pk: Any, for_change: bool = False) -> ApiToken:
    return get_for_user(
        ApiToken.objects.select_related("organisation"),
        user,
        read=Capability.VIEW_DIRECTORY,
        write=Capability.MANAGE_DIRECTORY if for_change else None,
        pk=pk,
    )
