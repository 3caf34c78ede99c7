"""Writes for voice records and their "you said, we did" responses.

Each function is keyword-only, runs in one transaction and records who made the change
(django-simple-history). Access is checked by the caller (views fetch through the selectors with
`for_change=True`); these functions check the rules of the record, above all that nothing in it
identifies a child or their family.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve

from paqa.accounts.models import User
from paqa.audits.identifiers import personal_identifier_in
from paqa.core.history import stamp_actor
from paqa.core.net import is_site_path
from paqa.core.periods import PeriodError, PeriodKind, parse_period
from paqa.core.taxonomy import ALIASES, THEMES
from paqa.partnership.models import Organisation
from paqa.voice.models import AGE_BANDS, VoiceRecord, YouSaidWeDid

NAME_MESSAGE = (
    "{label} looks like it contains a name. Quotes must be anonymised: write ‘the child’ or "
    "‘her mum’ instead"
)
CONSENT_MESSAGE = (
    "Consent is only not needed for a summary without identifying detail: for their own words, "
    "say whether consent to share was given"
)
THEMES_MESSAGE = "Choose themes from the list"
YEAR_MESSAGE = "Enter the reporting year like 2018-19"
SOURCE_URL_MESSAGE = "The link to the source must be a page in PAQA, like /audits/3/"

# A title and a capitalised word ("Mrs Smith", "Dr. Patel"); the title itself is case-sensitive
# so that "I miss Mum" is not taken for a name.
_TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b\.?\s+[A-Z][a-z]")
# "my name is ..." in any case.
_MY_NAME = re.compile(r"\bmy\s+name(?:'s|’s|\s+is)\b", re.IGNORECASE)
# "named Tom", "called Tom" (but not "the named nurse" or "called the police").
_NAMED = re.compile(r"\b(?i:named|called)\s+([A-Z][a-z]+)")
# Capitalised words after "called" or "named" that are not people's names.
_NOT_NAMES = frozenset(
    {
        "The", "A", "An", "I", "Me", "Him", "Her", "Them", "Us", "We", "You", "He", "She",
        "They", "It", "My", "His", "Their", "Our", "Your", "Mum", "Mummy", "Mam", "Dad",
        "Daddy", "Nan", "Nana", "Nanny", "Gran", "Grandma", "Grandad", "Grandpa", "Auntie",
        "Aunt", "Uncle", "Police", "Childline", "Social", "School", "Someone", "Somebody",
        "Names",
    }
)  # fmt: skip


def name_in(text: str) -> bool:
    """Does the text look like it names someone? Conservative: better to ask again than to
    keep a name."""
    if not text:
        return False
    if _TITLED_NAME.search(text) or _MY_NAME.search(text):
        return True
    return any(match[1] not in _NOT_NAMES for match in _NAMED.finditer(text))


def identifier_refused_message(label: str, kind: str) -> str:
    return (
        f"{label} looks like it contains {kind}. Quotes must not identify anyone: leave it out, "
        "and give the age band instead"
    )


def _refuse_identifying(
    errors: dict[str, str], name: str, label: str, text: str, *, names: bool = True
) -> None:
    kind = personal_identifier_in(text)
    if kind:
        errors[name] = identifier_refused_message(label, kind)
    elif names and name_in(text):
        errors[name] = NAME_MESSAGE.format(label=label)


def themes_clean(themes: Iterable[str]) -> list[str]:
    """The taxonomy's slugs (old aliases mapped to today's), in taxonomy order, each once."""
    if isinstance(themes, str):
        themes = [themes]
    chosen = set()
    for slug in themes:
        slug = ALIASES.get(slug, slug)
        if slug not in THEMES:
            raise ValidationError({"themes": THEMES_MESSAGE})
        chosen.add(slug)
    return [slug for slug in THEMES if slug in chosen]


def _year_clean(year: str) -> str:
    year = (year or "").strip()
    try:
        period = parse_period(year)
    except PeriodError as error:
        raise ValidationError({"year": YEAR_MESSAGE}) from error
    if period.kind is not PeriodKind.FINANCIAL_YEAR:
        raise ValidationError({"year": YEAR_MESSAGE})
    return year


def source_key_for(source_url: str) -> str:
    """The opaque key of the page a path shows, like 'audits.audit:3', from its URL name."""
    try:
        match = resolve(source_url)
    except Resolver404 as missing:
        raise ValidationError({"source_url": SOURCE_URL_MESSAGE}) from missing
    pk = match.kwargs.get("pk")
    return f"{match.namespace}.{match.url_name}" + (f":{pk}" if pk is not None else "")


def _source_link(*, source_url: str, source_key: str, source_label: str) -> tuple[str, str, str]:
    """A path inside PAQA only (never another site, never a javascript: link), with its key."""
    source_url = source_url.strip()
    if not source_url:
        return "", source_key.strip(), source_label.strip()
    if not is_site_path(source_url):
        raise ValidationError({"source_url": SOURCE_URL_MESSAGE})
    return source_url, source_key.strip() or source_key_for(source_url), source_label.strip()


def _checked_details(
    *,
    year: str,
    source: str,
    source_title: str,
    who: str,
    age_band: str,
    quote: str,
    is_summary: bool,
    consent: str,
    themes: Iterable[str],
) -> dict[str, Any]:
    """Every rule of a voice record at once, so a form shows all its problems together."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "source_title": source_title.strip(),
        "quote": quote.strip(),
        "age_band": age_band.strip(),
        "is_summary": bool(is_summary),
        "source": source,
        "who": who,
        "consent": consent,
    }
    try:
        values["year"] = _year_clean(year)
    except ValidationError:
        errors["year"] = YEAR_MESSAGE
    try:
        values["themes"] = themes_clean(themes)
    except ValidationError:
        errors["themes"] = THEMES_MESSAGE
    if source not in VoiceRecord.Source.values:
        errors["source"] = "Choose where it came from"
    if not values["source_title"]:
        errors["source_title"] = "Enter the name of the review, audit or event it came from"
    else:
        _refuse_identifying(errors, "source_title", "The source's name", values["source_title"])
    if who not in VoiceRecord.Who.values:
        errors["who"] = "Choose who said it"
    if values["age_band"] and values["age_band"] not in AGE_BANDS:
        errors["age_band"] = "Choose an age band from the list"
    if not values["quote"]:
        errors["quote"] = "Enter what they said, or a summary of it"
    else:
        _refuse_identifying(errors, "quote", "The quote", values["quote"])
    if consent not in VoiceRecord.Consent.values:
        errors["consent"] = "Choose whether consent to share was given"
    elif consent == VoiceRecord.Consent.NOT_NEEDED and not values["is_summary"]:
        errors["consent"] = CONSENT_MESSAGE
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def voice_record_create(
    *,
    actor: User | None,
    year: str,
    source: str,
    source_title: str,
    who: str,
    quote: str,
    consent: str,
    age_band: str = "",
    is_summary: bool = False,
    themes: Iterable[str] = (),
    source_url: str = "",
    source_key: str = "",
    source_label: str = "",
) -> VoiceRecord:
    """Record what a child, young person or family member said, anonymised."""
    values = _checked_details(
        year=year,
        source=source,
        source_title=source_title,
        who=who,
        age_band=age_band,
        quote=quote,
        is_summary=is_summary,
        consent=consent,
        themes=themes,
    )
    url, key, label = _source_link(
        source_url=source_url, source_key=source_key, source_label=source_label
    )
    record = VoiceRecord(
        **values,
        source_url=url,
        source_key=key,
        source_label=label or values["source_title"],
        recorded_by=actor,
    )
    record.full_clean()
    stamp_actor(record, actor)
    record.save()
    return record


@transaction.atomic
def voice_record_update(
    *,
    record: VoiceRecord,
    actor: User | None,
    year: str,
    source: str,
    source_title: str,
    who: str,
    quote: str,
    consent: str,
    age_band: str = "",
    is_summary: bool = False,
    themes: Iterable[str] = (),
    source_url: str = "",
    source_key: str = "",
    source_label: str = "",
) -> VoiceRecord:
    """Change a voice record; the same rules as recording it. An unchanged link keeps its key
    and label; a label that was only the title follows the new title."""
    values = _checked_details(
        year=year,
        source=source,
        source_title=source_title,
        who=who,
        age_band=age_band,
        quote=quote,
        is_summary=is_summary,
        consent=consent,
        themes=themes,
    )
    if source_url.strip() == record.source_url:
        # The same link: keep its key, and a label of its own (one that is not just the title).
        source_key = source_key or record.source_key
        if record.source_label != record.source_title:
            source_label = source_label or record.source_label
    url, key, label = _source_link(
        source_url=source_url, source_key=source_key, source_label=source_label
    )
    for name, value in values.items():
        setattr(record, name, value)
    record.source_url = url
    record.source_key = key
    record.source_label = label or values["source_title"]
    record.full_clean()
    stamp_actor(record, actor)
    record.save()
    return record


@transaction.atomic
def you_said_we_did_add(
    *,
    voice_record: VoiceRecord,
    actor: User | None,
    response: str,
    date: datetime.date | None,
    by_organisation: Organisation | None = None,
) -> YouSaidWeDid:
    """Say what was done in answer to what they said."""
    response = response.strip()
    errors: dict[str, str] = {}
    if not response:
        errors["response"] = "Enter what was done"
    else:
        _refuse_identifying(errors, "response", "What was done", response, names=False)
    if date is None:
        errors["date"] = "Enter the date it was done"
    if by_organisation is not None and by_organisation.archived_at is not None:
        errors["by_organisation"] = "Choose an organisation that is still in the partnership"
    if errors or date is None:
        raise ValidationError(errors)
    answer = YouSaidWeDid(
        voice_record=voice_record, response=response, date=date, by_organisation=by_organisation
    )
    answer.full_clean()
    stamp_actor(answer, actor)
    answer.save()
    return answer
