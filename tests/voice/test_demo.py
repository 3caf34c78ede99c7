import pytest

from paqa.voice import selectors
from paqa.voice.demo import demo_voice_load
from paqa.voice.models import VoiceRecord, YouSaidWeDid

pytestmark = pytest.mark.django_db


def test_demo_loads_the_reports_childrens_views_once(cast):
    demo_voice_load()
    demo_voice_load()
    assert YouSaidWeDid.objects.count() == 1
    records = VoiceRecord.objects.all()
    assert records.count() == 6
    quotes = " ".join(record.quote for record in records)
    assert "felt like I was missing" in quotes
    assert "not seen" in quotes
    assert "small gestures of kindness and being noticed by professionals made a big" in quotes
    assert {record.year for record in records} == {"2018-19"}
    assert {record.consent for record in records.filter(source="case_review")} == {"given"}
    family = selectors.voice_for_theme(user=cast.board_member, theme="think-family", year="2018-19")
    assert len(family) == 2
    assert {record.source for record in family} == {"audit"}
