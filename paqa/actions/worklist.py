"""Actions on people's worklists: open actions their own organisation owns."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from paqa.actions.models import Action
from paqa.actions.selectors import action_list
from paqa.core.access import Access, Capability
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source


def actions_due(user: Any, access: Access, today: date) -> QuerySet[Action]:
    """Open actions owned by an organisation the user belongs to and may manage actions for (for
    the business unit, its own actions: not every organisation's)."""
    managed = access.organisation_ids(Capability.MANAGE_ACTIONS)
    mine = {grant.organisation_id for grant in access.grants}
    owners = mine if managed is None else mine & managed
    return (
        action_list(user=user)
        .filter(owner_organisation_id__in=owners, status__in=Action.OPEN_STATUSES)
        .order_by("due_date", "pk")
    )


def _item(action: Action, today: date) -> WorkItem:
    return WorkItem(
        kind="Action",
        title=f"{action.title} ({action.owner_organisation.name})",
        url=reverse("actions:detail", args=[action.pk]),
        due=action.due_date,
        status=action.get_status_display(),
        detail=f"Person responsible: {action.owner_name}. Arose from: {action.source_label}",
    )


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="actions.due",
            section=Section.DUE,
            heading="Actions",
            capabilities=(Capability.MANAGE_ACTIONS,),
            items=actions_due,
            item=_item,
            list_url=lambda: reverse("actions:list"),
            navigation="actions:list",
            order=60,
        )
    )
