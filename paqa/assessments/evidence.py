"""Self-assessment's evidence for other parts, registered in core at start-up: agencies' own
ratings of the standards on each theme for a year, and returns and ratings as linkable
evidence."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, F
from django.urls import reverse

from paqa.assessments.models import Answer, Cycle, RatingLevel, Return, Standard
from paqa.assessments.selectors import levels_of, return_get, returns_visible
from paqa.core.access import Capability
from paqa.core.evidence import (
    ChoiceGroup,
    EvidenceItem,
    EvidenceUnseen,
    KeyKind,
    RatingPicture,
    Readings,
    ResolvedEvidence,
    YearPass,
    YearSource,
    by_theme,
    key_pk,
    register_key_kind,
    register_year_source,
)
from paqa.core.taxonomy import canonical_themes


def year_readings(year_pass: YearPass) -> Readings:
    """For each standard with themes, how many organisations that sent their return rated it
    met, and how many of those ratings peer challenge lowered: counted by the database."""
    counted = (
        Answer.objects.filter(
            assessment_return__cycle__year=year_pass.year,
            assessment_return__status__in=Return.SEEN_BY_PARTNERSHIP,
        )
        .values(
            "standard_id",
            "rating",
            "moderated_rating",
            cycle_id=F("assessment_return__cycle_id"),
            scale_id=F("assessment_return__cycle__framework__scale_id"),
        )
        .annotate(answers=Count("pk"))
        .order_by()
    )
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for group in counted:
        groups[group["standard_id"]].append(group)
    standards = Standard.objects.in_bulk(groups)
    levels: dict[tuple[int, str], RatingLevel] = {
        (level.scale_id, level.code): level
        for level in RatingLevel.objects.filter(
            scale_id__in={group["scale_id"] for given in groups.values() for group in given}
        )
    }
    readings: Readings = {}
    ordered = sorted(standards.values(), key=lambda each: (each.framework_id, each.number))
    for standard in ordered:
        themes = canonical_themes(standard.themes)
        if not themes:
            continue
        met = moderated_down = rated_count = 0
        for group in groups[standard.pk]:
            rated = levels.get((group["scale_id"], group["rating"]))
            moderated = levels.get((group["scale_id"], group["moderated_rating"]))
            rated_count += group["answers"]
            if rated is not None and rated.counts_as_met:
                met += group["answers"]
            if rated is not None and moderated is not None and moderated.rank < rated.rank:
                moderated_down += group["answers"]
        picture = RatingPicture(str(standard), met, rated_count, moderated_down)
        text = f"{standard}: {met} of {rated_count} organisations rated it met" + (
            f"; peer challenge lowered {moderated_down}" if moderated_down else ""
        )
        cycle_id = min(group["cycle_id"] for group in groups[standard.pk])
        url = reverse("assessments:cycle", args=[cycle_id])
        for reading in by_theme(readings, themes):
            reading.ratings.append(picture)
            reading.items.append(EvidenceItem(text=text, url=url))
    return readings


def _years() -> list[str]:
    return list(Cycle.objects.order_by().values_list("year", flat=True).distinct())


def _return(user: Any, ident: str) -> ResolvedEvidence:
    assessment_return = return_get(user=user, pk=key_pk(ident))
    return ResolvedEvidence(
        key="",
        label=f"{assessment_return.organisation.name}, {assessment_return.cycle}",
        url=reverse("assessments:return", args=[assessment_return.pk]),
        kind="Self-assessment return",
        detail=assessment_return.get_status_display(),
    )


def _answer(user: Any, ident: str) -> ResolvedEvidence:
    return_id = (
        Answer.objects.filter(pk=key_pk(ident))
        .values_list("assessment_return_id", flat=True)
        .first()
    )
    if return_id is None:
        raise EvidenceUnseen
    assessment_return = return_get(user=user, pk=return_id)
    answer = assessment_return.answers.select_related("standard").get(pk=key_pk(ident))
    levels = levels_of(cycle=assessment_return.cycle)
    code = answer.moderated_rating or answer.rating
    rating = levels[code].label if code in levels else "Not rated"
    return ResolvedEvidence(
        key="",
        label=(
            f"{assessment_return.organisation.name}, standard {answer.standard.number}: "
            f"{answer.standard.title}"
        ),
        url=reverse("assessments:answer", args=[assessment_return.pk, answer.standard.number]),
        kind="Self-assessment rating",
        detail=f"{assessment_return.cycle}: {rating}",
        themes=tuple(answer.standard.themes or ()),
    )


def _return_choices(user: Any) -> list[ChoiceGroup]:
    returns = [
        (f"assessments.return:{r.pk}", f"{r.organisation.name}, {r.cycle}")
        for r in returns_visible(user=user).order_by("-cycle__year", "organisation__name")
    ]
    return [("Self-assessment returns", returns)]


def register() -> None:
    register_year_source(
        YearSource(
            key="self-assessment",
            label="Agencies' self-assessment",
            order=30,
            capability=Capability.VIEW_ASSESSMENT_SUMMARY,
            read=year_readings,
            years=_years,
        )
    )
    register_key_kind(
        KeyKind(prefix="assessments.return", resolve=_return, choices=_return_choices, order=90)
    )
    register_key_kind(KeyKind(prefix="assessments.answer", resolve=_answer, order=91))
