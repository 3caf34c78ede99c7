"""Escalations on people's worklists: responses due from an owner organisation, responses for
the partnership to assure, and the open register for board members."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from paqa.core.access import Access, Capability, Role, scope_queryset
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source
from paqa.escalations.models import Escalation
from paqa.escalations.selectors import escalation_list

Status = Escalation.Status
RAG_TONES = {
    Escalation.Rag.RED: "red",
    Escalation.Rag.AMBER: "orange",
    Escalation.Rag.GREEN: "green",
}


def responses_due(user: Any, access: Access, today: date) -> QuerySet[Escalation]:
    """Escalations waiting for a response from an organisation the user answers for."""
    owned = scope_queryset(
        escalation_list(user=user),
        user,
        Capability.RESPOND_ESCALATIONS,
        organisation_field="owner_organisation",
    )
    return owned.filter(status__in=Escalation.AWAITING_RESPONSE).order_by("response_due", "pk")


def responses_to_assure(user: Any, access: Access, today: date) -> QuerySet[Escalation]:
    return escalation_list(user=user, status=Status.RESPONSE_RECEIVED).order_by("response_due")


def open_escalations(user: Any, access: Access, today: date) -> QuerySet[Escalation]:
    return escalation_list(user=user).exclude(status=Status.CLOSED).order_by("response_due", "pk")


def _item(escalation: Escalation, today: date, *, due: bool) -> WorkItem:
    return WorkItem(
        kind="Escalation",
        title=f"{escalation.title} ({escalation.owner_organisation.name})",
        url=reverse("escalations:detail", args=[escalation.pk]),
        year=escalation.year,
        due=escalation.response_due if due else None,
        status=escalation.get_status_display(),
        detail=f"RAG: {escalation.get_rag_display()}",
        tone=RAG_TONES.get(Escalation.Rag(escalation.rag), "grey"),
    )


def _due_item(escalation: Escalation, today: date) -> WorkItem:
    return _item(escalation, today, due=True)


def _other_item(escalation: Escalation, today: date) -> WorkItem:
    return _item(escalation, today, due=escalation.awaiting_response)


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="escalations.responses-due",
            section=Section.DUE,
            heading="Escalation responses",
            capabilities=(Capability.RESPOND_ESCALATIONS,),
            items=responses_due,
            item=_due_item,
            list_url=lambda: reverse("escalations:register"),
            navigation="escalations:register",
            order=50,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="escalations.responses-to-assure",
            section=Section.WAITING,
            heading="Escalation responses to assure",
            capabilities=(Capability.MANAGE_ESCALATIONS,),
            items=responses_to_assure,
            item=_other_item,
            list_url=lambda: reverse("escalations:register") + "?status=response_received",
            navigation="escalations:register",
            order=50,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="escalations.open",
            section=Section.BOARD,
            heading="Open escalations",
            capabilities=(Capability.VIEW_ESCALATIONS,),
            items=open_escalations,
            item=_other_item,
            list_url=lambda: reverse("escalations:register"),
            roles=(Role.BOARD_MEMBER,),
            order=20,
        )
    )
