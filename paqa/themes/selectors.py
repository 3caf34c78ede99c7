"""Reads of the year's conclusions, for the acting user."""

from typing import Any

from django.db.models import QuerySet

from paqa.core.access import Capability, require
from paqa.themes.models import KeyMessage


def key_messages(*, user: Any, year: str) -> QuerySet[KeyMessage]:
    """The year's key messages, in the order they are told."""
    require(user, Capability.VIEW_THEMES)
    return KeyMessage.objects.filter(year=year).order_by("order")
