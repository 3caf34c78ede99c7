"""Demonstration voice records for 2018-19, following the reference report's children's views.

The report says that authors of serious case reviews spoke with children and young people, who
said that at times they "felt like they were missing" or simply "not seen" by professionals, and
that "small gestures of kindness and being noticed by professionals made a big difference"; and
that audits found we need to think family and better involve families. The records below follow
that; the reviews, audits and words are made up and labelled as demonstration data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from paqa.accounts.models import User
from paqa.partnership.models import Organisation
from paqa.voice.models import VoiceRecord
from paqa.voice.services import voice_record_create, you_said_we_did_add

YEAR = "2018-19"
DEMO = " (demonstration)"
CHILDRENS_SERVICES = "Oxfordshire County Council Children's Services"


@dataclass(frozen=True)
class DemoVoice:
    source: str
    source_title: str
    who: str
    age_band: str
    quote: str
    is_summary: bool
    consent: str
    themes: list[str] = field(default_factory=lambda: ["voice-of-the-child"])
    we_did: str = ""


Source, Who, Consent = VoiceRecord.Source, VoiceRecord.Who, VoiceRecord.Consent

RECORDS = [
    DemoVoice(
        Source.CASE_REVIEW,
        "Serious case review: Child A" + DEMO,
        Who.CHILD,
        "10-15",
        "Sometimes it felt like I was missing. Everyone was busy talking about me but not to me.",
        False,
        Consent.GIVEN,
        we_did="Practitioners across the partnership are asked to see the child on their own at "
        "every visit and to write down the child's own words. The practice guidance on the voice "
        "of the child was shared at the partnership's learning events.",
    ),
    DemoVoice(
        Source.CASE_REVIEW,
        "Serious case review: Child B" + DEMO,
        Who.YOUNG_PERSON,
        "16-17",
        "I went to lots of appointments but I was not seen. They saw the problems, not me.",
        False,
        Consent.GIVEN,
    ),
    DemoVoice(
        Source.CASE_REVIEW,
        "Serious case reviews 2018-19: conversations with children" + DEMO,
        Who.YOUNG_PERSON,
        "",
        "Children and young people told the reviews' authors that small gestures of kindness "
        "and being noticed by professionals made a big difference to them.",
        True,
        Consent.GIVEN,
    ),
    DemoVoice(
        Source.CASE_REVIEW,
        "Serious case review: Child A" + DEMO,
        Who.CHILD,
        "10-15",
        "My teacher noticed I was upset and asked if I was OK. That made a big difference.",
        False,
        Consent.GIVEN,
    ),
    DemoVoice(
        Source.AUDIT,
        "Multi-agency audit: Safeguarding when interpreting" + DEMO,
        Who.PARENT_CARER,
        "",
        "A parent said that when a relative interpreted for the family, they could not tell "
        "professionals everything they wanted to, and the children's own views were not heard.",
        True,
        Consent.NOT_NEEDED,
        themes=["think-family", "voice-of-the-child"],
    ),
    DemoVoice(
        Source.AUDIT,
        "Multi-agency audit: Strategy meetings" + DEMO,
        Who.PARENT_CARER,
        "",
        "I'm their dad and nobody asked me to come to the meeting. I wanted to help.",
        False,
        Consent.GIVEN,
        themes=["think-family"],
    ),
]


@transaction.atomic
def demo_voice_load() -> list[VoiceRecord]:
    """Load the demonstration voice records once; running it again adds nothing."""
    actor = User.objects.filter(email="paqa@demo.example").first()
    childrens_services = Organisation.objects.filter(name=CHILDRENS_SERVICES).first()
    records = []
    for entry in RECORDS:
        record = VoiceRecord.objects.filter(
            year=YEAR, source_title=entry.source_title, quote=entry.quote
        ).first()
        if record is None:
            record = voice_record_create(
                actor=actor,
                year=YEAR,
                source=entry.source,
                source_title=entry.source_title,
                who=entry.who,
                age_band=entry.age_band,
                quote=entry.quote,
                is_summary=entry.is_summary,
                consent=entry.consent,
                themes=entry.themes,
            )
        if entry.we_did and not record.responses.filter(response=entry.we_did).exists():
            you_said_we_did_add(
                voice_record=record,
                actor=actor,
                response=entry.we_did,
                date=date(2019, 3, 29),
                by_organisation=childrens_services,
            )
        records.append(record)
    return records
