"""Reads for self-assessment, for an acting user. Drafts stay inside their organisation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from paqa.assessments.models import Answer, Cycle, RatingLevel, Return, Standard
from paqa.core.access import Capability, access_for, require


def returns_visible(*, user: Any) -> QuerySet[Return]:
    """An organisation sees its own returns at every stage; the partnership sees a return only
    once it is submitted."""
    access = access_for(user)
    own = access.organisation_ids(Capability.EDIT_RETURNS)
    seen = access.organisation_ids(Capability.VIEW_RETURNS)
    returns = Return.objects.select_related(
        "organisation", "cycle__framework__scale", "signed_off_by", "submitted_by"
    )
    if own is None:
        return returns
    visible = Q(organisation_id__in=own)
    submitted = Q(status__in=Return.SEEN_BY_PARTNERSHIP)
    if seen is None:
        visible |= submitted
    elif seen:
        visible |= submitted & Q(organisation_id__in=seen)
    return returns.filter(visible)


def return_get(*, user: Any, pk: Any, for_edit: bool = False) -> Return:
    try:
        assessment_return = returns_visible(user=user).get(pk=pk)
    except (Return.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such return in your reach.") from missing
    if for_edit and not access_for(user).can(
        Capability.EDIT_RETURNS, assessment_return.organisation_id
    ):
        raise PermissionDenied("Your role lets you read this return but not change it.")
    return assessment_return


def answer_get(*, user: Any, assessment_return: Return, number: Any) -> Answer:
    try:
        return assessment_return.answers.select_related("standard").get(standard__number=number)
    except (Answer.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such standard.") from missing


def cycle_list(*, user: Any) -> QuerySet[Cycle]:
    require(user, Capability.VIEW_ASSESSMENT_SUMMARY)
    return Cycle.objects.select_related("framework").order_by("-year")


def cycle_get(*, user: Any, pk: Any) -> Cycle:
    require(user, Capability.VIEW_ASSESSMENT_SUMMARY)
    try:
        return Cycle.objects.select_related("framework__scale").get(pk=pk)
    except (Cycle.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such cycle.") from missing


def levels_of(*, cycle: Cycle) -> dict[str, RatingLevel]:
    return {level.code: level for level in cycle.framework.scale.levels.all()}


# The summary: heat map, year on year, sentences ------------------------------------------------


@dataclass
class HeatCell:
    standard: Standard
    self_rating: RatingLevel | None
    moderated: RatingLevel | None

    @property
    def final(self) -> RatingLevel | None:
        return self.moderated or self.self_rating

    @property
    def changed_by_moderation(self) -> bool:
        return bool(self.moderated and self.self_rating and self.moderated != self.self_rating)


@dataclass
class HeatRow:
    assessment_return: Return
    cells: list[HeatCell] = field(default_factory=list)


@dataclass
class CycleSummary:
    cycle: Cycle
    standards: list[Standard]
    rows: list[HeatRow]
    participants: int
    returned: int
    returned_on_time: int
    levels: dict[str, RatingLevel]

    @property
    def all_met(self) -> list[HeatRow]:
        return [
            row
            for row in self.rows
            if row.cells and all(cell.final and cell.final.counts_as_met for cell in row.cells)
        ]

    @property
    def moderation_changes(self) -> list[tuple[HeatRow, HeatCell]]:
        return [
            (row, cell) for row in self.rows for cell in row.cells if cell.changed_by_moderation
        ]

    @property
    def gaps(self) -> list[tuple[Standard, int]]:
        """Standards not met, most common first: (standard, number of organisations)."""
        counts: Counter[int] = Counter()
        by_id = {standard.pk: standard for standard in self.standards}
        for row in self.rows:
            for cell in row.cells:
                if cell.final and not cell.final.counts_as_met:
                    counts[cell.standard.pk] += 1
        return [(by_id[pk], count) for pk, count in counts.most_common()]

    @property
    def sentences(self) -> list[str]:
        """Drafted from the returns, for the annual report."""
        drafted = [
            f"{self.returned} of {self.participants} organisations returned their "
            f"{self.cycle.framework.name.lower()} for {self.cycle.year}"
            + (f", {self.returned_on_time} by the deadline." if self.returned else ".")
        ]
        if not self.returned:
            return drafted
        drafted.append(
            f"{len(self.all_met)} of {self.returned} rated every standard "
            + " or ".join(level.label for level in self.levels.values() if level.counts_as_met)
            + "."
        )
        changes = self.moderation_changes
        if changes:
            examples = "; ".join(
                f"{cell.standard.title} for {row.assessment_return.organisation.name}, "
                f"{cell.self_rating.label if cell.self_rating else ''} to "
                f"{cell.moderated.label if cell.moderated else ''}"
                for row, cell in changes[:3]
            )
            drafted.append(
                f"Peer challenge changed {len(changes)} rating{'s' if len(changes) != 1 else ''} "
                f"({examples})."
            )
        else:
            drafted.append("Peer challenge confirmed every rating.")
        gaps = self.gaps
        if gaps:
            listed = ", ".join(
                f"{standard.title.lower()} ({count} organisation{'s' if count != 1 else ''})"
                for standard, count in gaps[:3]
            )
            drafted.append(f"The most common gaps were in {listed}.")
        return drafted


def cycle_summary(*, user: Any, cycle: Cycle) -> CycleSummary:
    """The partnership's view of a cycle: submitted returns only, in a fixed few queries."""
    require(user, Capability.VIEW_ASSESSMENT_SUMMARY)
    levels = levels_of(cycle=cycle)
    standards = list(cycle.framework.standards.all())
    all_returns = list(cycle.returns.select_related("organisation"))
    submitted = [r for r in all_returns if r.status in Return.SEEN_BY_PARTNERSHIP]
    # Only the ratings: a heat map of many organisations needs no more of each answer.
    ratings = Answer.objects.filter(assessment_return__in=submitted).values_list(
        "assessment_return_id", "standard_id", "rating", "moderated_rating"
    )
    by_return: dict[int, dict[int, tuple[str, str]]] = {}
    for return_id, standard_id, rating, moderated in ratings:
        by_return.setdefault(return_id, {})[standard_id] = (rating, moderated)
    rows = []
    for assessment_return in sorted(submitted, key=lambda r: r.organisation.name):
        answered = by_return.get(assessment_return.pk, {})
        row = HeatRow(assessment_return)
        for standard in standards:
            rating, moderated = answered.get(standard.pk, ("", ""))
            row.cells.append(HeatCell(standard, levels.get(rating), levels.get(moderated)))
        rows.append(row)
    on_time = [r for r in submitted if r.submitted_at and r.submitted_at.date() <= r.deadline]
    return CycleSummary(
        cycle=cycle,
        standards=standards,
        rows=rows,
        participants=len(all_returns),
        returned=len(submitted),
        returned_on_time=len(on_time),
        levels=levels,
    )


@dataclass
class YearOnYear:
    organisation: str
    standard: Standard
    before: RatingLevel | None
    now: RatingLevel | None

    @property
    def change(self) -> str:
        if self.before is None or self.now is None:
            return "No comparison"
        if self.now.rank > self.before.rank:
            return "Improved"
        if self.now.rank < self.before.rank:
            return "Fell"
        return "Same"


def previous_cycle(*, cycle: Cycle) -> Cycle | None:
    return (
        Cycle.objects.filter(framework__code=cycle.framework.code, year__lt=cycle.year)
        .select_related("framework__scale")
        .order_by("-year")
        .first()
    )


def year_on_year(*, user: Any, cycle: Cycle) -> tuple[Cycle | None, list[YearOnYear]]:
    """Each organisation's final rating (moderated if there is one) against last cycle's."""
    now_summary = cycle_summary(user=user, cycle=cycle)
    before_cycle = previous_cycle(cycle=cycle)
    if before_cycle is None:
        return None, []
    before_summary = cycle_summary(user=user, cycle=before_cycle)
    before = {
        (row.assessment_return.organisation_id, cell.standard.code): cell.final
        for row in before_summary.rows
        for cell in row.cells
    }
    changes = [
        YearOnYear(
            organisation=row.assessment_return.organisation.name,
            standard=cell.standard,
            before=before.get((row.assessment_return.organisation_id, cell.standard.code)),
            now=cell.final,
        )
        for row in now_summary.rows
        for cell in row.cells
    ]
    return before_cycle, changes


def return_answers(*, assessment_return: Return) -> list[Answer]:
    return list(
        assessment_return.answers.select_related(
            "standard", "updated_by", "challenged_by"
        ).prefetch_related(
            Prefetch("standard__criteria", to_attr="all_criteria"),
        )
    )
