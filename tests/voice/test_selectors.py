"""Reading voice records: filters, and the view by theme the themes app uses."""

from datetime import date

import pytest

from paqa.voice import selectors, services
from paqa.voice.models import VoiceRecord

pytestmark = pytest.mark.django_db


def test_list_filters_by_year_theme_and_source(cast, make_record):
    older = make_record(year="2017-18", quote="Older")
    family = make_record(themes=["think-family"], quote="Family", source="audit")
    child = make_record(quote="Child")
    user = cast.board_member
    assert list(selectors.voice_list(user=user, year="2017-18")) == [older]
    assert list(selectors.voice_list(user=user, theme="think-family")) == [family]
    assert set(selectors.voice_list(user=user, theme="voice-of-the-child")) == {older, child}
    assert list(selectors.voice_list(user=user, source="audit")) == [family]
    assert list(selectors.voice_list(user=user, year="2018-19", theme="think-family")) == [family]
    assert selectors.voice_years(user=user) == ["2018-19", "2017-18"]


def test_voice_for_theme_gives_quotes_and_responses_for_a_year(
    cast, make_record, django_assert_num_queries
):
    record = make_record()
    make_record(year="2017-18", quote="Last year")
    make_record(themes=["neglect"], quote="Another theme")
    services.you_said_we_did_add(
        voice_record=record,
        actor=cast.admin,
        response="We did something",
        date=date(2019, 3, 1),
        by_organisation=cast.agency,
    )
    with django_assert_num_queries(4):  # access, theme slugs, records, responses
        found = selectors.voice_for_theme(
            user=cast.agency_lead, theme="voice-of-the-child", year="2018-19"
        )
        assert [r.quote for r in found] == ["Sometimes it felt like I was missing."]
        assert [r.by_organisation.name for r in found[0].responses.all()] == ["Police Agency"]
    assert len(selectors.voice_for_theme(user=cast.agency_lead, theme="voice-of-the-child")) == 2
    assert (
        selectors.voice_for_theme(user=cast.agency_lead, theme="exploitation", year="2018-19") == []
    )


def test_records_come_newest_year_first(cast, make_record):
    make_record(year="2017-18", quote="Older")
    make_record(quote="Newer")
    assert [r.year for r in selectors.voice_list(user=cast.admin)] == ["2018-19", "2017-18"]
    assert VoiceRecord.objects.count() == 2
