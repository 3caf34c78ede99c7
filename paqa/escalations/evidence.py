"""Evidence for an escalation: records elsewhere in PAQA, named by opaque keys.

A key is "<app>.<kind>:<id>", like "indicators.indicator:cla", "audits.finding:12",
"surveys.survey:3", "voice.record:4", "assessments.return:7" or "assessments.answer:42".

`resolve(user, key)` is the one way a key becomes a label and a link: it asks the owning app's
selector for the record *as that user*, so it answers None whenever the user may not see the
record (outside their reach, a draft, missing, archived). Pages then say "1 item of evidence you
cannot see" rather than leaking its title or address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from paqa.core.access import Capability, access_for, require

KEY_PATTERN = re.compile(r"^(?P<prefix>[a-z_]+\.[a-z_]+):(?P<ident>[A-Za-z0-9_-]{1,60})$")
KEY_HINT = "like indicators.indicator:camhs-seen-12-weeks or audits.finding:12"


@dataclass(frozen=True)
class ResolvedEvidence:
    """What one viewer may see of one piece of evidence."""

    key: str
    label: str
    url: str
    kind: str
    detail: str = ""
    themes: tuple[str, ...] = field(default_factory=tuple)


class _Unseen(Exception):
    """The record is not there for this viewer."""


def parse_key(key: str) -> tuple[str, str] | None:
    """(prefix, identifier) of a well-formed key, or None."""
    match = KEY_PATTERN.match((key or "").strip())
    if match is None:
        return None
    return match["prefix"], match["ident"]


def _short(text: str, length: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _pk(ident: str) -> int:
    if not ident.isdigit():
        raise _Unseen
    return int(ident)


# One resolver per kind of record --------------------------------------------------------------


def _indicator(user: Any, key: str, ident: str) -> ResolvedEvidence:
    from paqa.indicators.selectors import indicator_get

    detail = indicator_get(user=user, code=ident)
    indicator, summary = detail.indicator, detail.summary
    figure = ""
    if summary.latest is not None:
        figure = f"Latest: {summary.latest_text} ({summary.latest.period.label})"
        if summary.rag is not None:
            figure += f", {summary.rag.value} against target"
    return ResolvedEvidence(
        key=key,
        label=indicator.name,
        url=reverse("indicators:indicator", args=[indicator.code]),
        kind="Indicator",
        detail=figure,
        themes=tuple(indicator.themes or ()),
    )


def _finding(user: Any, key: str, ident: str) -> ResolvedEvidence:
    from paqa.audits.models import Finding
    from paqa.audits.selectors import audit_get

    require(user, Capability.VIEW_AUDITS)
    audit_id = Finding.objects.filter(pk=_pk(ident)).values_list("audit_id", flat=True).first()
    if audit_id is None:
        raise _Unseen
    audit = audit_get(user=user, pk=audit_id)
    finding = audit.findings.get(pk=_pk(ident))
    return ResolvedEvidence(
        key=key,
        label=_short(finding.text, 160),
        url=reverse("audits:audit", args=[audit.pk]) + f"#finding-{finding.pk}",
        kind=f"Audit finding ({finding.get_kind_display().lower()})",
        detail=f"{audit.title}, {audit.year}",
        themes=tuple(finding.themes or ()),
    )


def _survey(user: Any, key: str, ident: str) -> ResolvedEvidence:
    from paqa.surveys.results import survey_get

    survey = survey_get(user=user, pk=_pk(ident))
    return ResolvedEvidence(
        key=key,
        label=str(survey),
        url=reverse("surveys:results", args=[survey.pk]),
        kind="Survey results",
    )


def _return(user: Any, key: str, ident: str) -> ResolvedEvidence:
    from paqa.assessments.selectors import return_get

    assessment_return = return_get(user=user, pk=_pk(ident))
    return ResolvedEvidence(
        key=key,
        label=f"{assessment_return.organisation.name}, {assessment_return.cycle}",
        url=reverse("assessments:return", args=[assessment_return.pk]),
        kind="Self-assessment return",
        detail=assessment_return.get_status_display(),
    )


def _answer(user: Any, key: str, ident: str) -> ResolvedEvidence:
    from paqa.assessments.models import Answer
    from paqa.assessments.selectors import levels_of, return_get

    return_id = (
        Answer.objects.filter(pk=_pk(ident)).values_list("assessment_return_id", flat=True).first()
    )
    if return_id is None:
        raise _Unseen
    assessment_return = return_get(user=user, pk=return_id)
    answer = assessment_return.answers.select_related("standard").get(pk=_pk(ident))
    levels = levels_of(assessment_return.cycle)
    code = answer.moderated_rating or answer.rating
    rating = levels[code].label if code in levels else "Not rated"
    return ResolvedEvidence(
        key=key,
        label=(
            f"{assessment_return.organisation.name}, standard {answer.standard.number}: "
            f"{answer.standard.title}"
        ),
        url=reverse("assessments:answer", args=[assessment_return.pk, answer.standard.number]),
        kind="Self-assessment rating",
        detail=f"{assessment_return.cycle}: {rating}",
        themes=tuple(answer.standard.themes or ()),
    )


def _voice(user: Any, key: str, ident: str) -> ResolvedEvidence:
    """What a child, young person or family said, through the voice app's selector (imported
    lazily: the voice app sits beside this one); without it, only those with the capability to
    see voice records read the record itself."""
    require(user, Capability.VIEW_VOICE)
    try:
        from paqa.voice.selectors import voice_get
    except ImportError:
        try:
            model = apps.get_model("voice", "VoiceRecord")
        except LookupError as missing:
            raise _Unseen from missing
        record: Any = model._default_manager.get(pk=_pk(ident))
    else:
        record = voice_get(user=user, pk=_pk(ident))
    try:
        url = reverse("voice:detail", args=[record.pk])
    except NoReverseMatch:
        url = ""
    return ResolvedEvidence(
        key=key,
        label=_short(str(record), 160),
        url=url,
        kind="Children’s and families’ views",
        detail=str(getattr(record, "year", "") or ""),
        themes=tuple(getattr(record, "themes", None) or ()),
    )


RESOLVERS: dict[str, Callable[[Any, str, str], ResolvedEvidence]] = {
    "indicators.indicator": _indicator,
    "audits.finding": _finding,
    "surveys.survey": _survey,
    "assessments.return": _return,
    "assessments.answer": _answer,
    "voice.record": _voice,
}


def resolve(user: Any, key: str) -> ResolvedEvidence | None:
    """The evidence as `user` may see it, or None when they may not (or it is not there)."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    prefix, ident = parsed
    resolver = RESOLVERS.get(prefix)
    if resolver is None:
        return None
    try:
        return resolver(user, key.strip(), ident)
    except (_Unseen, Http404, PermissionDenied, ObjectDoesNotExist, ValueError, TypeError):
        return None


# Choosing evidence ---------------------------------------------------------------------------

ChoiceGroup = tuple[str, list[tuple[str, str]]]


def evidence_choices(user: Any) -> list[ChoiceGroup]:
    """Records the user may see and link, grouped for a select: indicators, audit findings,
    survey results, voice records and self-assessment returns. Others (like one standard's
    rating) are linked by pasting their key."""
    access = access_for(user)
    groups: list[ChoiceGroup] = []
    if access.can(Capability.VIEW_DATA):
        from paqa.indicators.selectors import indicator_queryset

        groups.append(
            (
                "Indicators",
                [
                    (f"indicators.indicator:{indicator.code}", indicator.name)
                    for indicator in indicator_queryset().order_by("name")
                ],
            )
        )
    if access.can(Capability.VIEW_AUDITS):
        from paqa.audits.selectors import audit_list

        for audit in audit_list(user=user).prefetch_related("findings").order_by("-year", "title"):
            findings = [
                (f"audits.finding:{finding.pk}", _short(finding.text))
                for finding in audit.findings.all()
            ]
            if findings:
                groups.append((f"Audit findings: {audit.title}, {audit.year}", findings))
    if access.can(Capability.VIEW_SURVEY_RESULTS):
        from paqa.surveys.models import Survey

        surveys = [
            (f"surveys.survey:{survey.pk}", str(survey))
            for survey in Survey.objects.order_by("-year", "title")
        ]
        if surveys:
            groups.append(("Survey results", surveys))
    if access.can(Capability.VIEW_VOICE):
        try:
            from paqa.voice.selectors import voice_list
        except ImportError:
            pass
        else:
            records = [(f"voice.record:{r.pk}", _short(str(r))) for r in voice_list(user)]
            if records:
                groups.append(("Children’s and families’ views", records))
    from paqa.assessments.selectors import returns_visible

    returns = [
        (f"assessments.return:{r.pk}", f"{r.organisation.name}, {r.cycle}")
        for r in returns_visible(user).order_by("-cycle__year", "organisation__name")
    ]
    if returns:
        groups.append(("Self-assessment returns", returns))
    return [group for group in groups if group[1]]
