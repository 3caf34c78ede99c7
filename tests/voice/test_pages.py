"""The voice pages: list, filters, detail, forms, exports, escaping and query counts."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from paqa.voice import services
from paqa.voice.models import VoiceRecord, YouSaidWeDid

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def form_data(**changes):
    return {
        "year": "2018-19",
        "source": "participation",
        "source_title": "Youth forum, March 2019",
        "source_url": "",
        "who": "young_person",
        "age_band": "16-17",
        "quote": "Nobody asked what I wanted.",
        "consent": "given",
        "themes": ["voice-of-the-child"],
        **changes,
    }


def test_list_shows_quotes_who_source_and_themes(cast, client_for, make_record):
    make_record(quote="I felt like I was missing.")
    make_record(quote="A summary of the forum.", is_summary=True, themes=["think-family"])
    page = client_for(cast.board_member).get(reverse("voice:list")).content.decode()
    assert "Children’s and families’ views" in page
    assert "‘I felt like I was missing.’" in page
    assert "Summary of what they said" in page
    assert "Serious case review: Child A" in page
    assert "Child, 10-15" in page
    assert "Voice of the child" in page
    assert "Think family" in page


def test_list_filters_and_ignores_nonsense(cast, client_for, make_record):
    make_record(quote="From the review")
    make_record(quote="From the audit", source="audit", themes=["think-family"])
    client = client_for(cast.admin)
    audit = client.get(reverse("voice:list"), {"source": "audit"}).content.decode()
    assert "From the audit" in audit
    assert "From the review" not in audit
    family = client.get(reverse("voice:list"), {"theme": "think-family"}).content.decode()
    assert "From the audit" in family
    assert "From the review" not in family
    none = client.get(reverse("voice:list"), {"source": "complaint"}).content.decode()
    assert "No records match these filters" in none
    odd = client.get(reverse("voice:list"), {"year": "x", "theme": "y", "source": "z"})
    assert odd.status_code == 200
    assert "From the audit" in odd.content.decode()


def test_script_in_a_quote_is_escaped_on_list_and_detail(cast, client_for, make_record):
    record = make_record(quote=SCRIPT, source_title=f"Forum {SCRIPT}")
    client = client_for(cast.admin)
    for url in (reverse("voice:list"), reverse("voice:detail", args=[record.pk])):
        page = client.get(url).content.decode()
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_csv_export_neutralises_formulas(cast, client_for, make_record):
    make_record(quote='=HYPERLINK("http://evil.example","click")', source_title="+SUM(A1)")
    response = client_for(cast.board_member).get(reverse("voice:list"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][5] == "What they said"
    assert rows[1][5] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][2] == "'+SUM(A1)"
    assert rows[1][8] == "Voice of the child"


def test_xlsx_export_follows_the_filters(cast, client_for, make_record):
    make_record(quote="=1+1", source="audit")
    make_record(quote="From the review")
    response = client_for(cast.agency_lead).get(
        reverse("voice:list"), {"format": "xlsx", "source": "audit"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    quotes = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert quotes == ["'=1+1"]


def test_create_saves_and_shows_the_record(cast, client_for):
    client = client_for(cast.paqa_member)
    response = client.post(reverse("voice:create"), form_data())
    record = VoiceRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voice:detail", args=[record.pk])
    assert record.recorded_by == cast.paqa_member
    assert record.history.latest().history_user == cast.paqa_member
    page = client.get(response["Location"]).content.decode()
    assert "‘Nobody asked what I wanted.’" in page
    assert "Consent to share given" in page


def test_create_refuses_a_name_with_a_clear_message(cast, client_for):
    page = (
        client_for(cast.admin)
        .post(reverse("voice:create"), form_data(quote="Mrs Smith said I was naughty."))
        .content.decode()
    )
    assert "The quote looks like it contains a name" in page
    assert "write ‘the child’ or ‘her mum’ instead" in page
    assert 'href="#id_quote"' in page
    assert VoiceRecord.objects.count() == 0


def test_create_refuses_a_date_of_birth_and_unknown_themes(cast, client_for):
    page = (
        client_for(cast.admin)
        .post(
            reverse("voice:create"),
            form_data(quote="I was born 12/03/2010", themes=["not-a-theme"]),
        )
        .content.decode()
    )
    assert "Choose themes from the list" in page
    assert VoiceRecord.objects.count() == 0
    page = (
        client_for(cast.admin)
        .post(reverse("voice:create"), form_data(quote="I was born 12/03/2010"))
        .content.decode()
    )
    assert "The quote looks like it contains a date of birth" in page
    assert VoiceRecord.objects.count() == 0


def test_edit_changes_the_record(cast, client_for, make_record):
    record = make_record()
    client = client_for(cast.admin)
    page = client.get(reverse("voice:edit", args=[record.pk])).content.decode()
    assert "Change what they said" in page
    assert "Sometimes it felt like I was missing." in page
    response = client.post(
        reverse("voice:edit", args=[record.pk]), form_data(quote="I was not seen.")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.quote == "I was not seen."
    assert record.history.latest().history_user == cast.admin


def test_detail_adds_a_you_said_we_did_response(cast, client_for, make_record):
    record = make_record()
    client = client_for(cast.paqa_member)
    response = client.post(
        reverse("voice:we-did", args=[record.pk]),
        {
            "response": "Practitioners see the child alone at every visit.",
            "by_organisation": cast.agency.pk,
            "date_0": "29",
            "date_1": "3",
            "date_2": "2019",
        },
    )
    assert response.status_code == 302
    answer = YouSaidWeDid.objects.get()
    assert answer.history.latest().history_user == cast.paqa_member
    page = client.get(reverse("voice:detail", args=[record.pk])).content.decode()
    assert "Practitioners see the child alone at every visit." in page
    assert "29 March 2019, Police Agency" in page
    listing = client.get(reverse("voice:list")).content.decode()
    assert "1 response" in listing


def test_an_incomplete_response_shows_its_errors(cast, client_for, make_record):
    record = make_record()
    page = (
        client_for(cast.admin)
        .post(reverse("voice:we-did", args=[record.pk]), {"response": ""})
        .content.decode()
    )
    assert "Enter what was done" in page
    assert "Enter the date it was done" in page
    assert YouSaidWeDid.objects.count() == 0


def test_list_query_count_does_not_grow_with_records(
    cast, client_for, make_record, django_assert_max_num_queries
):
    client = client_for(cast.admin)
    make_record()
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("voice:list"))
    baseline = len(few)  # read now: each request clears Django's query log
    for number in range(20):
        record = make_record(
            quote=f"Quote number {number}",
            themes=["think-family"] if number % 2 else ["voice-of-the-child"],
        )
        if number % 3 == 0:
            services.you_said_we_did_add(
                voice_record=record, actor=cast.admin, response="Done", date=record.created_at
            )
    with django_assert_max_num_queries(baseline):
        page = client.get(reverse("voice:list"))
    assert "Quote number 19" in page.content.decode()
    with django_assert_max_num_queries(baseline + 1):  # the theme filter reads the slugs first
        client.get(reverse("voice:list"), {"theme": "think-family"})


def test_detail_query_count_does_not_grow_with_responses(
    cast, client_for, make_record, django_assert_max_num_queries
):
    client = client_for(cast.admin)
    record = make_record()
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("voice:detail", args=[record.pk]))
    baseline = len(few)
    for number in range(10):
        services.you_said_we_did_add(
            voice_record=record,
            actor=cast.admin,
            response=f"Done {number}",
            date=record.created_at,
            by_organisation=cast.agency if number % 2 else cast.other_agency,
        )
    with django_assert_max_num_queries(baseline):
        client.get(reverse("voice:detail", args=[record.pk]))
