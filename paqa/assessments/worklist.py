"""Self-assessment on people's worklists: returns due from an organisation, and returns waiting
for the partnership's challenge or moderation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.formats import date_format

from paqa.assessments.models import Answer, Return
from paqa.assessments.selectors import returns_visible
from paqa.core.access import Access, Capability, scope_queryset
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source

Status = Return.Status


def _unanswered_challenge() -> Exists:
    return Exists(
        Answer.objects.filter(assessment_return=OuterRef("pk"), response="").exclude(challenge="")
    )


def returns_due(user: Any, access: Access, today: date) -> QuerySet[Return]:
    """The organisation's returns still to submit, or with a challenge still to answer."""
    own = scope_queryset(returns_visible(user=user), user, Capability.EDIT_RETURNS)
    drafts = own.filter(status__in=(Status.DRAFT, Status.SIGNED_OFF))
    challenged = own.filter(status=Status.CHALLENGED).filter(_unanswered_challenge())
    return (drafts | challenged).order_by("deadline", "organisation__name", "pk")


def returns_waiting(user: Any, access: Access, today: date) -> QuerySet[Return]:
    """Submitted returns to challenge or accept, and challenged ones whose every challenge has
    its response (ready to moderate)."""
    seen = returns_visible(user=user)
    submitted = seen.filter(status=Status.SUBMITTED)
    answered = seen.filter(status=Status.CHALLENGED).exclude(_unanswered_challenge())
    return (submitted | answered).order_by("submitted_at", "organisation__name", "pk")


def _title(assessment_return: Return) -> str:
    cycle = assessment_return.cycle
    return f"{assessment_return.organisation.name}: {cycle.framework.name} {cycle.year}"


def _due_item(assessment_return: Return, today: date) -> WorkItem:
    if assessment_return.status == Status.CHALLENGED:
        status, due = "Challenged: respond to the challenge", None
    else:
        status, due = assessment_return.get_status_display(), assessment_return.deadline
    return WorkItem(
        kind="Self-assessment return",
        title=_title(assessment_return),
        url=reverse("assessments:return", args=[assessment_return.pk]),
        year=assessment_return.cycle.year,
        due=due,
        status=status,
    )


def _waiting_item(assessment_return: Return, today: date) -> WorkItem:
    if assessment_return.status == Status.SUBMITTED:
        status = "Submitted: challenge or accept"
    else:
        status = "Responses in: moderate or accept"
    submitted = assessment_return.submitted_at
    return WorkItem(
        kind="Self-assessment return",
        title=_title(assessment_return),
        url=reverse("assessments:return", args=[assessment_return.pk]),
        year=assessment_return.cycle.year,
        status=status,
        detail=f"Submitted on {date_format(submitted, 'j F Y')}" if submitted else "",
    )


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="assessments.returns-due",
            section=Section.DUE,
            heading="Self-assessment returns",
            capabilities=(Capability.EDIT_RETURNS,),
            items=returns_due,
            item=_due_item,
            list_url=lambda: reverse("assessments:home"),
            navigation="assessments:home",
            order=10,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="assessments.returns-waiting",
            section=Section.WAITING,
            heading="Returns to challenge or moderate",
            capabilities=(Capability.CHALLENGE_RETURNS,),
            items=returns_waiting,
            item=_waiting_item,
            list_url=lambda: reverse("assessments:home"),
            navigation="assessments:home",
            order=10,
        )
    )
