"""Reads about what children, young people and families said, for an acting user.

Every staff role reads voice records partnership-wide; partnership admins and PAQA members record
them and the "you said, we did" responses. The themes app reads them through `voice_for_theme`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from paqa.core.access import Capability, access_for, require
from paqa.core.taxonomy import ALIASES
from paqa.partnership.models import Organisation
from paqa.voice.models import VoiceRecord, YouSaidWeDid

VIEW = Capability.VIEW_VOICE
MANAGE = Capability.MANAGE_VOICE


def _with_theme(records: QuerySet[VoiceRecord], theme: str) -> QuerySet[VoiceRecord]:
    """Records tagged with a theme (or an old alias of it). Done in Python over the slugs, in
    one query, since SQLite cannot look inside JSON lists."""
    slug = ALIASES.get(theme, theme)
    tagged = [
        pk
        for pk, themes in records.order_by().values_list("pk", "themes")
        if slug in {ALIASES.get(t, t) for t in themes or []}
    ]
    return records.filter(pk__in=tagged)


def can_manage(*, user: Any) -> bool:
    return access_for(user).can(MANAGE)


def voice_list(
    *, user: Any, year: str = "", theme: str = "", source: str = ""
) -> QuerySet[VoiceRecord]:
    """The voice records the user may read, newest year first, with how many responses each
    has (`response_count`)."""
    require(user, VIEW)
    records: QuerySet[VoiceRecord] = VoiceRecord.objects.annotate(response_count=Count("responses"))
    if year:
        records = records.filter(year=year)
    if source:
        records = records.filter(source=source)
    if theme:
        records = _with_theme(records, theme)
    return records.order_by("-year", "source", "pk")


def voice_for_theme(*, user: Any, theme: str, year: str = "") -> list[VoiceRecord]:
    """What children, young people and families said on a theme (in a year, if given), with
    their quotes and the "you said, we did" responses prefetched as `record.responses.all()`.

    For the themes app's side-by-side view: each record has `quote`, `is_summary`,
    `get_who_display()`, `age_band`, `source_title`, `get_source_display()` and `year`.
    """
    records = voice_list(user=user, year=year, theme=theme).prefetch_related(
        Prefetch(
            "responses",
            queryset=YouSaidWeDid.objects.select_related("by_organisation").order_by("date", "pk"),
        )
    )
    return [record for record in records if record.quote]


def voice_get(*, user: Any, pk: Any, for_change: bool = False) -> VoiceRecord:
    """One voice record: 403 without the capability (to read, or to change), 404 if missing."""
    require(user, VIEW)
    if for_change:
        require(user, MANAGE)
    try:
        return VoiceRecord.objects.select_related("recorded_by").get(pk=pk)
    except (VoiceRecord.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such voice record.") from missing


def voice_responses(*, record: VoiceRecord) -> QuerySet[YouSaidWeDid]:
    """The "you said, we did" responses to a record the caller may already see."""
    return record.responses.select_related("by_organisation").order_by("date", "pk")


def voice_years(*, user: Any) -> list[str]:
    """The years that have voice records, newest first, for the filter."""
    require(user, VIEW)
    years = VoiceRecord.objects.order_by().values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def organisation_choices() -> QuerySet[Organisation]:
    """Live organisations that may have done something in answer."""
    return Organisation.objects.filter(archived_at__isnull=True).order_by("name")
