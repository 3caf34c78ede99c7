"""The system-wide view: every source's evidence on one theme, side by side, and where the
sources disagree.

This app is on the top floor: it reads every part, through their models and selectors, with the
viewer's access; no part reads it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from paqa.core.access import Capability, access_for, require
from paqa.core.taxonomy import THEMES, theme_label

# Impact assessment answers name pressures and areas for improvement in their own words.
IMPACT_CHOICE_THEMES = {
    "Information sharing, working agreements and communication": "information-sharing",
    "Commitment to and engagement with multi-agency work": "co-ordinated-work",
    "Recruitment and retention": "recruitment-and-retention",
    "Increasing demand for services": "workload",
}
MET_SHARE_FOR_DISAGREEMENT = 0.5


@dataclass
class Evidence:
    source: str  # e.g. "The data", "Audits"
    items: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""

    @property
    def weight(self) -> int:
        return len(self.items)


@dataclass
class ThemeView:
    theme: str
    label: str
    year: str
    sources: list[Evidence]
    disagreements: list[str]

    @property
    def sources_with_evidence(self) -> list[Evidence]:
        return [source for source in self.sources if source.items]

    @property
    def weight(self) -> int:
        return sum(source.weight for source in self.sources)


def _contains_theme(field_name: str, theme: str) -> Q:
    # JSON lists are compared as text, which works the same on SQLite and PostgreSQL.
    return Q(**{f"{field_name}__icontains": f'"{theme}"'})


def _data(user: Any, theme: str) -> Evidence:
    from paqa.indicators.models import Indicator
    from paqa.indicators.selectors import indicator_summaries

    evidence = Evidence("The data")
    if not access_for(user).can(Capability.VIEW_DATA):
        return evidence
    codes = set(
        Indicator.objects.filter(
            _contains_theme("themes", theme), archived_at__isnull=True
        ).values_list("code", flat=True)
    )
    if not codes:
        return evidence
    _, summaries = indicator_summaries(user=user)
    for summary in summaries:
        if summary.indicator.code in codes and summary.latest is not None:
            evidence.items.append(
                {
                    "text": f"{summary.indicator.name}: {summary.latest_text} "
                    f"({summary.latest.period.label}); {summary.change_text}",
                    "direction": summary.direction.value if summary.direction else "",
                    "url": f"/data/indicators/{summary.indicator.code}/",
                }
            )
    return evidence


def _audits(user: Any, theme: str, year: str) -> tuple[Evidence, int]:
    from paqa.audits.models import AgencyAudit, Finding

    evidence = Evidence("Audits")
    if not access_for(user).can(Capability.VIEW_AUDITS):
        return evidence, 0
    development = 0
    for finding in Finding.objects.filter(
        _contains_theme("themes", theme), audit__year=year
    ).select_related("audit"):
        if finding.kind == Finding.Kind.DEVELOPMENT:
            development += 1
        evidence.items.append(
            {
                "text": f"{finding.audit.title}: {finding.text}",
                "tag": finding.get_kind_display(),
                "url": f"/audits/{finding.audit_id}/#finding-{finding.pk}",
            }
        )
    agency = AgencyAudit.objects.filter(
        _contains_theme("themes", theme), year=year, status__in=["submitted", "reviewed"]
    ).select_related("organisation", "service")
    for audit in agency:
        development += 1
        evidence.items.append(
            {
                "text": f"{audit.organisation.name}"
                + (f", {audit.service.name}" if audit.service else "")
                + f": {audit.topic} (an area for development)",
                "tag": "Agency's own audit",
                "url": f"/audits/agency-returns/{audit.pk}/",
            }
        )
    return evidence, development


@dataclass
class RatingPicture:
    standard: str
    met: int
    rated: int
    moderated_down: int


def _self_assessment(user: Any, theme: str, year: str) -> tuple[Evidence, list[RatingPicture]]:
    from paqa.assessments.models import Answer, Return

    evidence = Evidence("Agencies' self-assessment")
    pictures: list[RatingPicture] = []
    if not access_for(user).can(Capability.VIEW_ASSESSMENT_SUMMARY):
        return evidence, pictures
    answers = Answer.objects.filter(
        _contains_theme("standard__themes", theme),
        assessment_return__cycle__year=year,
        assessment_return__status__in=Return.SEEN_BY_PARTNERSHIP,
    ).select_related("standard", "assessment_return__cycle__framework__scale")
    by_standard: dict[str, list[Answer]] = {}
    for answer in answers:
        by_standard.setdefault(str(answer.standard), []).append(answer)
    for standard, given in by_standard.items():
        levels = {
            level.code: level
            for level in given[0].assessment_return.cycle.framework.scale.levels.all()
        }
        met = sum(1 for a in given if levels.get(a.rating) and levels[a.rating].counts_as_met)
        moderated_down = sum(
            1
            for a in given
            if a.moderated_rating
            and levels.get(a.moderated_rating)
            and levels.get(a.rating)
            and levels[a.moderated_rating].rank < levels[a.rating].rank
        )
        pictures.append(RatingPicture(standard, met, len(given), moderated_down))
        evidence.items.append(
            {
                "text": f"{standard}: {met} of {len(given)} organisations rated it met"
                + (f"; peer challenge lowered {moderated_down}" if moderated_down else ""),
                "url": f"/self-assessment/cycles/{given[0].assessment_return.cycle_id}/",
            }
        )
    return evidence, pictures


def _practitioners(user: Any, theme: str, year: str) -> tuple[Evidence, int]:
    from paqa.surveys.models import AnswerCode

    evidence = Evidence("Practitioners")
    if not access_for(user).can(Capability.VIEW_SURVEY_RESULTS):
        return evidence, 0
    counts = Counter(
        AnswerCode.objects.filter(
            code__theme=theme,
            answer__response__survey__year=year,
            answer__response__status="submitted",
        ).values_list("code__label", "code__survey__title")
    )
    total = 0
    for (label, survey), count in counts.most_common():
        total += count
        evidence.items.append({"text": f"{survey}: {count} comments coded ‘{label}’"})
    from paqa.surveys.models import Question
    from paqa.surveys.results import headline, question_results

    surveys = {
        question.page.survey
        for question in Question.objects.filter(
            _contains_theme("themes", theme), page__survey__year=year
        ).select_related("page__survey")
    }
    for tagged in sorted(surveys, key=lambda each: each.title):
        results = question_results(user=user, survey=tagged)
        for result in results:
            if theme in result.question.themes:
                sentence = headline(results, result.question.code, "Yes") or headline(
                    results, result.question.code, "Agree"
                )
                if sentence:
                    evidence.items.append({"text": f"{tagged.title}: {sentence}"})
    quotes = AnswerCode.objects.filter(
        code__theme=theme, representative=True, answer__response__survey__year=year
    ).select_related("answer")[:3]
    for quote in quotes:
        evidence.items.append({"text": f"“{quote.answer.value}”", "tag": "Quote"})
    return evidence, total


def _impact(user: Any, theme: str, year: str) -> Evidence:
    from paqa.surveys.models import Answer

    evidence = Evidence("Agencies' impact assessment")
    if not access_for(user).can(Capability.VIEW_SURVEY_RESULTS):
        return evidence
    wanted = [choice for choice, slug in IMPACT_CHOICE_THEMES.items() if slug == theme]
    if not wanted:
        return evidence
    naming: Counter[tuple[str, str]] = Counter()
    for answer in Answer.objects.filter(
        response__survey__series="impact-assessment",
        response__survey__year=year,
        response__status="submitted",
        question__kind="multiple",
    ).select_related("question"):
        for choice in wanted:
            if isinstance(answer.value, list) and choice in answer.value:
                naming[(choice, answer.question.text)] += 1
    for (choice, question), count in naming.items():
        evidence.items.append(
            {"text": f"{count} organisations named ‘{choice}’ ({question.rstrip('?')})"}
        )
    return evidence


def _voice(user: Any, theme: str, year: str) -> Evidence:
    from paqa.voice.selectors import voice_for_theme

    evidence = Evidence("Children and families")
    if not access_for(user).can(Capability.VIEW_VOICE):
        return evidence
    for record in voice_for_theme(user, theme, year)[:10]:
        text = record.quote if record.is_summary else f"“{record.quote}”"
        evidence.items.append(
            {"text": text, "tag": record.get_source_display(), "url": f"/voice/{record.pk}/"}
        )
    return evidence


def _escalations(user: Any, theme: str, year: str) -> Evidence:
    evidence = Evidence("Escalations and actions")
    if not access_for(user).can(Capability.VIEW_ESCALATIONS):
        return evidence
    try:
        from paqa.escalations.models import Escalation
    except ImportError:
        return evidence
    for escalation in Escalation.objects.filter(_contains_theme("themes", theme), year=year):
        evidence.items.append(
            {
                "text": escalation.title,
                "tag": escalation.get_status_display(),
                "url": f"/escalations/{escalation.pk}/",
            }
        )
    return evidence


def theme_view(*, user: Any, theme: str, year: str) -> ThemeView:
    require(user, Capability.VIEW_THEMES)
    data = _data(user, theme)
    audits, development = _audits(user, theme, year)
    self_assessment, pictures = _self_assessment(user, theme, year)
    practitioners, comments = _practitioners(user, theme, year)
    sources = [
        data,
        audits,
        self_assessment,
        practitioners,
        _impact(user, theme, year),
        _voice(user, theme, year),
        _escalations(user, theme, year),
    ]
    disagreements = []
    for picture in pictures:
        share = picture.met / picture.rated if picture.rated else 0
        if share >= MET_SHARE_FOR_DISAGREEMENT and (development or comments):
            against = []
            if development:
                areas = "area" if development == 1 else "areas"
                against.append(f"audits found {development} {areas} for development")
            if comments:
                said = "comment" if comments == 1 else "comments"
                against.append(f"practitioners made {comments} {said} about it")
            rated = f"({picture.met} of {picture.rated})"
            disagreements.append(
                f"Agencies rated ‘{picture.standard}’ as met {rated}, but "
                + " and ".join(against)
                + "."
            )
        if picture.moderated_down:
            whose = "agency's" if picture.moderated_down == 1 else "agencies'"
            disagreements.append(
                f"Peer challenge lowered {picture.moderated_down} {whose} own rating of "
                f"‘{picture.standard}’."
            )
    return ThemeView(theme, theme_label(theme), year, sources, disagreements)


def year_overview(*, user: Any, year: str) -> list[ThemeView]:
    """Every theme ranked by the weight of evidence: how many sources speak to it, then how much."""
    require(user, Capability.VIEW_THEMES)
    views = [theme_view(user=user, theme=theme, year=year) for theme in THEMES]
    views = [view for view in views if view.weight]
    views.sort(key=lambda view: (-len(view.sources_with_evidence), -view.weight, view.label))
    return views
