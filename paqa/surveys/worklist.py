"""Surveys on people's worklists: impact-assessment returns due from an organisation, and
surveys with free-text answers still to code."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from paqa.core.access import Access, Capability
from paqa.core.worklist import Section, WorkItem, WorklistSource, register_worklist_source
from paqa.surveys.models import Question, Response, Survey, SurveyInvitation


def impact_returns_due(user: Any, access: Access, today: date) -> QuerySet[SurveyInvitation]:
    """Invitations to a survey open today whose return the user's organisation has not sent (a
    closed survey takes no more returns, so nothing is due from it)."""
    own = access.organisation_ids(Capability.ANSWER_ORGANISATION_SURVEYS)
    invitations = SurveyInvitation.objects.filter(
        survey__status=Survey.Status.PUBLISHED,
        survey__opens_on__lte=today,
        survey__closes_on__gte=today,
    ).exclude(response__status=Response.Status.SUBMITTED)
    if own is not None:
        invitations = invitations.filter(organisation_id__in=own)
    return invitations.select_related("survey", "organisation", "response").order_by(
        "survey__closes_on", "organisation__name", "pk"
    )


#: A survey closed longer ago than this is history, not work: its report has been written.
CODING_WINDOW = timedelta(days=365)


def surveys_to_code(user: Any, access: Access, today: date) -> QuerySet[Survey]:
    """Published surveys, open or closed within the last year, with submitted free-text answers
    nobody has coded yet."""
    uncoded = Q(
        pages__questions__kind=Question.Kind.TEXT,
        pages__questions__answers__response__status=Response.Status.SUBMITTED,
        pages__questions__answers__codes__isnull=True,
    )
    return (
        Survey.objects.published()
        .filter(opens_on__lte=today, closes_on__gte=today - CODING_WINDOW)
        .annotate(uncoded=Count("pages__questions__answers", filter=uncoded, distinct=True))
        .filter(uncoded__gt=0)
        .order_by("-year", "title", "pk")
    )


def _impact_item(invitation: SurveyInvitation, today: date) -> WorkItem:
    survey = invitation.survey
    started = invitation.response is not None
    return WorkItem(
        kind="Impact-assessment return",
        title=f"{invitation.organisation.name}: {survey.title}",
        url=reverse(
            "surveys:impact-return-organisation",
            kwargs={"pk": survey.pk, "org_pk": invitation.organisation_id},
        ),
        year=survey.year,
        due=survey.closes_on,
        status="Started" if started else "Not started",
        detail=f"Closes at {survey.closes_at_words}",
    )


def _coding_item(survey: Survey, today: date) -> WorkItem:
    uncoded = survey.uncoded  # type: ignore[attr-defined]
    return WorkItem(
        kind="Survey",
        title=survey.title,
        url=reverse("surveys:coding-survey", args=[survey.pk]),
        year=survey.year,
        status=survey.phase,
        detail=f"{uncoded:,} free-text {'answer' if uncoded == 1 else 'answers'} to code",
    )


def register() -> None:
    register_worklist_source(
        WorklistSource(
            key="surveys.impact-returns-due",
            section=Section.DUE,
            heading="Impact-assessment returns",
            capabilities=(Capability.ANSWER_ORGANISATION_SURVEYS,),
            items=impact_returns_due,
            item=_impact_item,
            navigation="surveys:home",
            order=40,
        )
    )
    register_worklist_source(
        WorklistSource(
            key="surveys.to-code",
            section=Section.DUE,
            heading="Surveys to code",
            capabilities=(Capability.CODE_FREE_TEXT,),
            items=surveys_to_code,
            item=_coding_item,
            list_url=lambda: reverse("surveys:home"),
            navigation="surveys:home",
            order=70,
        )
    )
