"""Reads for giving out a survey: the survey itself for someone who runs surveys, and how many
people have started and sent it, by day.

Only the dates a response was started and sent are read (nothing else is kept about an
anonymous respondent). Counting is done by the database, grouped by day, so the page runs the
same queries whether a survey has ten responses or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from paqa.core.access import Capability, require
from paqa.surveys.models import Response, Survey, SurveyInvitation

MANAGE = Capability.MANAGE_SURVEYS


def survey_to_manage(*, user: Any, pk: Any) -> Survey:
    """A survey for someone who runs surveys: 403 for any other role (asked before the survey
    is looked up, so it says nothing about it), 404 when there is no such survey."""
    require(user, MANAGE)
    survey = Survey.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if survey is None:
        raise Http404("No such survey.")
    return survey


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class DayCount:
    """One day of a survey: responses started that day, responses sent that day, responses
    sent up to the end of that day, and how many of that day's starters have sent theirs."""

    day: date
    started: int
    submitted: int
    submitted_so_far: int
    started_then_sent: int

    @property
    def completion_percent(self) -> int | None:
        """Of the responses started that day, the share sent (by now); None if none started."""
        return _percent(self.started_then_sent, self.started)


@dataclass(frozen=True)
class ResponseCounts:
    submitted: int
    in_progress: int  # started and not sent (drafts)
    days: list[DayCount]
    invited: int | None = None  # organisations asked for a return (organisation surveys only)

    @property
    def started(self) -> int:
        return self.submitted + self.in_progress

    @property
    def completion_percent(self) -> int | None:
        """Of every response started, the share sent."""
        return _percent(self.submitted, self.started)


def response_counts(*, user: Any, survey: Survey) -> ResponseCounts:
    """How many responses the survey has, sent and still in progress, and day by day (only
    days with something started or sent, oldest first). Two queries; three for a survey with
    one return per organisation (its invitations)."""
    require(user, MANAGE)
    responses = Response.objects.filter(survey=survey).order_by()
    sent = Q(status=Response.Status.SUBMITTED)
    started_rows = responses.values("started_on").annotate(
        started=Count("pk"), started_then_sent=Count("pk", filter=sent)
    )
    sent_rows = (
        responses.filter(sent, submitted_on__isnull=False)
        .values("submitted_on")
        .annotate(submitted=Count("pk"))
    )
    started = {
        row["started_on"]: (row["started"], row["started_then_sent"]) for row in started_rows
    }
    submitted_by_day = {row["submitted_on"]: row["submitted"] for row in sent_rows}
    days: list[DayCount] = []
    so_far = 0
    for day in sorted(set(started) | set(submitted_by_day)):
        began, began_then_sent = started.get(day, (0, 0))
        so_far += submitted_by_day.get(day, 0)
        days.append(
            DayCount(
                day=day,
                started=began,
                submitted=submitted_by_day.get(day, 0),
                submitted_so_far=so_far,
                started_then_sent=began_then_sent,
            )
        )
    total = sum(count for count, _ in started.values())
    submitted = sum(sent_count for _, sent_count in started.values())
    invited = None
    if survey.kind == Survey.Kind.ORGANISATION:
        invited = SurveyInvitation.objects.filter(survey=survey).count()
    return ResponseCounts(
        submitted=submitted, in_progress=total - submitted, days=days, invited=invited
    )
