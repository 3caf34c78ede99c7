"""Recording what children and families said: anonymity, consent, themes and history."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from paqa.voice import services
from paqa.voice.models import VoiceRecord, YouSaidWeDid

pytestmark = pytest.mark.django_db

NAME_MESSAGE = (
    "The quote looks like it contains a name. Quotes must be anonymised: write ‘the child’ or "
    "‘her mum’ instead"
)


def refused(make_record, **details) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        make_record(**details)
    assert VoiceRecord.objects.count() == 0
    return error.value.message_dict


def test_a_record_is_saved_with_who_recorded_it_in_its_history(cast, make_record):
    record = make_record(themes=["think-family", "voice-of-the-child"])
    assert record.recorded_by == cast.paqa_member
    assert record.themes == ["think-family", "voice-of-the-child"]
    assert record.source_label == "Serious case review: Child A"
    latest = record.history.latest()
    assert latest.history_type == "+"
    assert latest.history_user == cast.paqa_member
    services.voice_record_update(
        record=record,
        actor=cast.admin,
        year="2018-19",
        source=record.source,
        source_title=record.source_title,
        who=record.who,
        quote="I felt like nobody saw me.",
        consent=record.consent,
    )
    changed = record.history.latest()
    assert changed.history_type == "~"
    assert changed.history_user == cast.admin
    assert changed.quote == "I felt like nobody saw me."


@pytest.mark.parametrize(
    "quote",
    [
        "Mrs Smith said I could not go home.",
        "Mr. Jones never listened",
        "I told Dr Patel about it",
        "My name is Sam and I am 12",
        "A boy named Tom was there too",
        "My friend called Ellie helped me",
    ],
)
def test_a_name_in_the_quote_is_refused_and_nothing_saved(make_record, quote):
    assert refused(make_record, quote=quote) == {"quote": [NAME_MESSAGE]}


@pytest.mark.parametrize(
    "quote",
    [
        "I miss Mum and Dad.",
        "The named nurse came to see me.",
        "I called Childline and they helped.",
        "We called the police.",
        "My mum said the social worker was kind.",
    ],
)
def test_words_that_are_not_names_are_allowed(make_record, quote):
    assert make_record(quote=quote).quote == quote


def test_a_date_of_birth_in_the_quote_is_refused(make_record):
    errors = refused(make_record, quote="I was born 12/03/2010 and moved here later")
    assert errors == {
        "quote": [
            "The quote looks like it contains a date of birth. Quotes must not identify anyone: "
            "leave it out, and give the age band instead"
        ]
    }


def test_an_nhs_number_in_the_quote_is_refused(make_record):
    errors = refused(make_record, quote="My NHS number is 943 476 5919")
    assert errors["quote"] == [
        "The quote looks like it contains an NHS number. Quotes must not identify anyone: "
        "leave it out, and give the age band instead"
    ]


def test_a_name_in_the_source_title_is_refused(make_record):
    errors = refused(make_record, source_title="Review for Mrs Jones")
    assert errors["source_title"][0].startswith("The source's name looks like it contains a name")


def test_themes_outside_the_taxonomy_are_refused(make_record):
    assert refused(make_record, themes=["voice-of-the-child", "made-up-theme"]) == {
        "themes": ["Choose themes from the list"]
    }


def test_old_theme_aliases_are_stored_as_todays_slug(make_record):
    assert make_record(themes=["exploitation-and-missing"]).themes == ["exploitation"]


def test_consent_not_needed_is_only_for_summaries(make_record):
    errors = refused(make_record, consent=VoiceRecord.Consent.NOT_NEEDED, is_summary=False)
    assert list(errors) == ["consent"]
    summary = make_record(consent=VoiceRecord.Consent.NOT_NEEDED, is_summary=True)
    assert summary.is_summary


def test_every_problem_is_reported_together(make_record):
    errors = refused(
        make_record, year="2018", source="rumour", who="", quote="", age_band="99", consent=""
    )
    assert set(errors) == {"year", "source", "who", "quote", "age_band", "consent"}


def test_a_link_to_the_source_gets_its_key_and_only_paths_in_paqa_are_kept(make_record):
    record = make_record(source_url="/actions/7/", source=VoiceRecord.Source.AUDIT)
    assert record.source_key == "actions.detail:7"
    assert record.source_url == "/actions/7/"
    for url in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "/nowhere/"):
        with pytest.raises(ValidationError) as error:
            make_record(source_url=url)
        assert list(error.value.message_dict) == ["source_url"]


def test_an_unchanged_link_keeps_its_key_and_label(cast, make_record):
    record = make_record(
        source_url="/actions/7/", source_key="audits.audit:3", source_label="Audit: Strategy"
    )
    services.voice_record_update(
        record=record,
        actor=cast.admin,
        year="2018-19",
        source=record.source,
        source_title="Renamed",
        source_url="/actions/7/",
        who=record.who,
        quote=record.quote,
        consent=record.consent,
    )
    record.refresh_from_db()
    assert (record.source_key, record.source_label) == ("audits.audit:3", "Audit: Strategy")


def test_you_said_we_did_is_recorded_with_who_added_it(cast, make_record):
    record = make_record()
    answer = services.you_said_we_did_add(
        voice_record=record,
        actor=cast.admin,
        response="Practitioners now see the child on their own at every visit.",
        date=date(2019, 3, 29),
        by_organisation=cast.agency,
    )
    assert list(record.responses.all()) == [answer]
    assert answer.history.latest().history_user == cast.admin


def test_you_said_we_did_needs_what_and_when_and_no_identifiers(cast, make_record):
    record = make_record()
    with pytest.raises(ValidationError) as error:
        services.you_said_we_did_add(voice_record=record, actor=cast.admin, response="", date=None)
    assert set(error.value.message_dict) == {"response", "date"}
    with pytest.raises(ValidationError) as error:
        services.you_said_we_did_add(
            voice_record=record,
            actor=cast.admin,
            response="We met the child (born 12/03/2010).",
            date=date(2019, 3, 29),
        )
    assert list(error.value.message_dict) == ["response"]
    assert YouSaidWeDid.objects.count() == 0
