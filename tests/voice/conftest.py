import pytest

from paqa.voice import services
from paqa.voice.models import VoiceRecord


@pytest.fixture
def make_record(cast):
    """Record what a child said (recorded by the cast's PAQA member unless told)."""

    def make(**details) -> VoiceRecord:
        values = {
            "actor": cast.paqa_member,
            "year": "2018-19",
            "source": VoiceRecord.Source.CASE_REVIEW,
            "source_title": "Serious case review: Child A",
            "who": VoiceRecord.Who.CHILD,
            "age_band": "10-15",
            "quote": "Sometimes it felt like I was missing.",
            "consent": VoiceRecord.Consent.GIVEN,
            "themes": ["voice-of-the-child"],
            **details,
        }
        return services.voice_record_create(**values)

    return make
