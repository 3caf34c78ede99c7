"""The register and escalation pages: who may read and do what, forms, escaping and exports."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from paqa.assessments.packs import framework_load, scales_load
from paqa.assessments.services import cycle_create
from paqa.audits.packs import audit_tool_load
from paqa.audits.services import audit_create, finding_add
from paqa.escalations import services
from paqa.escalations.models import Escalation, EvidenceLink

pytestmark = pytest.mark.django_db

TODAY = date.today()
FINDING = "Information held by health was not shared before the strategy meeting."


def date_fields(name: str, day: date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def finding(cast):
    audit = audit_create(
        title="Strategy meetings",
        theme="strategy meetings",
        year="2018-19",
        terms_of_reference="To learn how well strategy meetings work",
        key_lines_of_enquiry="Was risk shared?",
        period_start=date(2018, 4, 1),
        period_end=date(2019, 3, 31),
        tool=audit_tool_load(),
        lead=cast.paqa_member,
        organisations=[cast.agency, cast.other_agency],
        themes=["information-sharing"],
        actor=cast.paqa_member,
    )
    return finding_add(audit=audit, kind="development", text=FINDING, actor=cast.paqa_member)


@pytest.fixture
def draft_return(cast):
    scales_load()
    cycle = cycle_create(
        framework=framework_load(),
        year="2018-19",
        deadline=date(2019, 5, 31),
        organisations=[cast.agency],
        actor=cast.admin,
    )
    return cycle.returns.get(organisation=cast.agency)


# Reading ----------------------------------------------------------------------------------------


def test_every_staff_role_reads_the_register_and_board_members_see_it_in_the_menu(
    cast, client_for, make_escalation
):
    make_escalation()
    for user in [*cast.by_role().values(), cast.other_agency_lead]:
        response = client_for(user).get(reverse("escalations:register"))
        assert response.status_code == 200, user
        assert "Police recording of children&#x27;s voice" in response.content.decode()
    page = client_for(cast.board_member).get(reverse("escalations:register")).content.decode()
    assert 'href="/escalations/"' in page  # the menu item
    assert "Raise an escalation" not in page
    assert "Send overdue reminders" not in page


def test_the_register_shows_status_rag_owner_due_and_overdue(cast, client_for, make_escalation):
    late = make_escalation(title="Late one", response_due=TODAY - timedelta(days=1))
    answered = make_escalation(title="Answered one", rag=Escalation.Rag.AMBER)
    services.response_record(
        escalation=answered, actor=cast.agency_lead, date=TODAY, text="Response"
    )
    make_escalation(
        title="Health one", owner_organisation=cast.other_agency, rag=Escalation.Rag.GREEN
    )
    page = client_for(cast.paqa_member).get(reverse("escalations:register")).content.decode()
    assert "3 escalations" in page
    assert page.count('govuk-tag govuk-tag--red">Overdue') == 1
    assert 'govuk-tag--turquoise">Response received' in page
    assert page.count('govuk-tag--blue">Open') == 2
    assert 'govuk-tag--orange">Amber' in page
    assert 'govuk-tag--green">Green' in page
    assert "Health Agency" in page
    assert late.response_due.strftime("%-d %b %Y") in page
    assert "Raise an escalation" in page


def test_the_register_filters_by_year_status_and_overdue(cast, client_for, make_escalation):
    make_escalation(title="Older one", year="2017-18", escalated_on=TODAY - timedelta(days=400))
    make_escalation(title="Late one", response_due=TODAY - timedelta(days=1))
    client = client_for(cast.board_member)
    url = reverse("escalations:register")
    older = client.get(url, {"year": "2017-18"}).content.decode()
    assert "Older one" in older
    assert "Late one" not in older
    overdue = client.get(url, {"overdue": "1"}).content.decode()
    assert "Late one" in overdue
    assert "Older one" not in overdue
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert "No escalations match these filters" in closed
    assert client.get(url, {"year": "<b>", "status": "nonsense"}).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas(cast, client_for, make_escalation, fmt):
    make_escalation(title='=HYPERLINK("http://evil.example","click")', finding="+SUM(1,2)")
    response = client_for(cast.board_member).get(reverse("escalations:register"), {"format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Year", "Title", "What was found"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][2] == "'+SUM(1,2)"
    assert rows[1][5] == "Police Agency"
    assert rows[1][7] == "Open"


def test_script_in_a_title_and_finding_is_escaped(cast, client_for, make_escalation):
    escalation = make_escalation(
        title="<script>alert('title')</script>", finding="<script>alert('finding')</script>"
    )
    client = client_for(cast.board_member)
    for url in (
        reverse("escalations:register"),
        reverse("escalations:detail", args=[escalation.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page


def test_detail_shows_evidence_timeline_and_actions(cast, client_for, make_escalation, finding):
    escalation = make_escalation()
    services.evidence_link_add(
        escalation=escalation,
        key=f"audits.finding:{finding.pk}",
        note="Health did not share",
        actor=cast.paqa_member,
    )
    services.escalation_update(
        escalation=escalation, actor=cast.agency_lead, date=TODAY, text="Briefing drafted"
    )
    services.escalation_action_create(
        escalation=escalation,
        owner_organisation=cast.agency,
        title="Brief every response officer",
        owner_name="Head of Public Protection",
        due_date=TODAY + timedelta(days=30),
        actor=cast.paqa_member,
    )
    page = (
        client_for(cast.board_member)
        .get(reverse("escalations:detail", args=[escalation.pk]))
        .content.decode()
    )
    assert f'href="/audits/{finding.audit_id}/#finding-{finding.pk}"' in page
    assert FINDING in page
    assert "Why: Health did not share" in page
    assert "Briefing drafted" in page
    assert "Update, " + TODAY.strftime("%-d %B %Y") in page
    assert "Brief every response officer" in page
    assert "Chair of the Safeguarding Children Board" in page
    # A board member reads: no buttons to change anything.
    for words in ("Record the response", "Add an update", "Re-escalate", "Link evidence", "Unlink"):
        assert words not in page, words


def test_a_draft_return_linked_by_its_lead_is_hidden_from_a_board_member(
    cast, client_for, make_escalation, draft_return
):
    escalation = make_escalation()
    services.evidence_link_add(
        escalation=escalation, key=f"assessments.return:{draft_return.pk}", actor=cast.agency_lead
    )
    url = reverse("escalations:detail", args=[escalation.pk])
    return_url = f"/self-assessment/returns/{draft_return.pk}/"
    label = "Section 11 self-assessment 2018-19"

    board = client_for(cast.board_member).get(url).content.decode()
    assert "1 item of evidence you cannot see." in board
    assert return_url not in board
    assert label not in board

    lead = client_for(cast.agency_lead).get(url).content.decode()
    assert return_url in lead
    assert f"Police Agency, {label}" in lead
    assert "you cannot see" not in lead


# Who may do what --------------------------------------------------------------------------------


def write_urls(escalation: Escalation, link: EvidenceLink) -> list[str]:
    pk = escalation.pk
    return [
        reverse("escalations:raise"),
        reverse("escalations:remind"),
        reverse("escalations:update", args=[pk]),
        reverse("escalations:respond", args=[pk]),
        reverse("escalations:assure", args=[pk]),
        reverse("escalations:close", args=[pk]),
        reverse("escalations:reescalate", args=[pk]),
        reverse("escalations:evidence-add", args=[pk]),
        reverse("escalations:evidence-remove", args=[pk, link.pk]),
        reverse("escalations:action-add", args=[pk]),
    ]


def test_a_board_member_gets_403_on_every_post(cast, client_for, make_escalation, finding):
    escalation = make_escalation()
    link = services.evidence_link_add(
        escalation=escalation, key=f"audits.finding:{finding.pk}", actor=cast.paqa_member
    )
    client = client_for(cast.board_member)
    for url in write_urls(escalation, link):
        response = client.post(
            url,
            {"text": "x", "outcome": "x", "key": "audits.finding:1", **date_fields("date", TODAY)},
        )
        assert response.status_code == 403, url
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN
    assert not escalation.updates.exists()
    assert escalation.evidence.count() == 1
    assert Escalation.objects.count() == 1


def test_the_owners_agency_lead_responds_and_another_organisations_lead_cannot(
    cast, client_for, make_escalation
):
    escalation = make_escalation()
    url = reverse("escalations:respond", args=[escalation.pk])
    data = {"text": "We have signed up to Operation Encompass.", **date_fields("date", TODAY)}

    other = client_for(cast.other_agency_lead)
    assert other.get(url).status_code == 403
    assert other.post(url, data).status_code == 403
    detail = other.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert "Record the response" not in detail
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN

    lead = client_for(cast.agency_lead)
    detail = lead.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert "Record the response" in detail
    assert "Close the escalation" not in detail
    assert lead.get(url).status_code == 200
    response = lead.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("escalations:detail", args=[escalation.pk]) + "#updates"
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESPONSE_RECEIVED
    response_update = escalation.updates.get()
    assert response_update.author == cast.agency_lead
    assert response_update.kind == "response"

    # The lead may add updates, but assuring and closing are the partnership's.
    assert (
        lead.post(
            reverse("escalations:update", args=[escalation.pk]),
            {"text": "Training booked", **date_fields("date", TODAY)},
        ).status_code
        == 302
    )
    for name in ("assure", "close", "reescalate", "evidence-add"):
        assert (
            lead.post(reverse(f"escalations:{name}", args=[escalation.pk]), data).status_code == 403
        )


def test_a_paqa_member_records_a_response_on_the_owners_behalf_then_assures_and_closes(
    cast, client_for, make_escalation
):
    escalation = make_escalation()
    client = client_for(cast.paqa_member)
    pk = escalation.pk
    assert (
        client.post(
            reverse("escalations:respond", args=[pk]),
            {"text": "Letter from the Chief Constable", **date_fields("date", TODAY)},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("escalations:assure", args=[pk]),
            {"text": "Dip sample shows it working", **date_fields("date", TODAY)},
        ).status_code
        == 302
    )
    # Without an outcome the form says so and nothing closes.
    refused = client.post(reverse("escalations:close", args=[pk]), date_fields("date", TODAY))
    assert refused.status_code == 200
    assert "Enter the outcome of the escalation" in refused.content.decode()
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ASSURED
    closed = client.post(
        reverse("escalations:close", args=[pk]),
        {"outcome": "Resolved", **date_fields("date", TODAY)},
    )
    assert closed.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.CLOSED
    page = client.get(reverse("escalations:detail", args=[pk])).content.decode()
    assert "Resolved" in page
    assert "Close the escalation" not in page
    assert "Record the response" not in page


def test_raise_prefills_evidence_from_the_query_string(cast, client_for, finding):
    client = client_for(cast.paqa_member)
    key = f"audits.finding:{finding.pk}"
    url = reverse("escalations:raise") + f"?evidence={key}"
    page = client.get(url).content.decode()
    assert "The escalation will be linked to this evidence" in page
    assert FINDING in page
    assert f'value="{key}"' in page
    data = {
        "title": "Health information at strategy meetings",
        "finding": "Health information arrives late.",
        "year": "2018-19",
        "escalated_to": "Chair of the Safeguarding Children Board",
        **date_fields("escalated_on", TODAY),
        "owner_organisation": cast.other_agency.pk,
        **date_fields("response_due", TODAY + timedelta(days=28)),
        "rag": "amber",
        "themes": ["information-sharing"],
        "evidence": key,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    escalation = Escalation.objects.get()
    assert response["Location"] == reverse("escalations:detail", args=[escalation.pk])
    assert escalation.raised_by == cast.paqa_member
    assert escalation.owner_organisation == cast.other_agency
    assert escalation.response_due == TODAY + timedelta(days=28)
    assert list(escalation.evidence.values_list("key", flat=True)) == [key]


def test_raise_does_not_link_evidence_the_person_cannot_see(cast, client_for, draft_return):
    key = f"assessments.return:{draft_return.pk}"
    page = (
        client_for(cast.paqa_member)
        .get(reverse("escalations:raise"), {"evidence": key})
        .content.decode()
    )
    assert "not one you can see" in page
    assert f'value="{key}"' not in page
    assert "Section 11 self-assessment" not in page


def test_raise_shows_errors(cast, client_for):
    response = client_for(cast.paqa_member).post(reverse("escalations:raise"), {"year": "2018"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Enter a title",
        "Enter what was found",
        "Enter the year like 2018-19",
        "Choose the organisation that owns the response",
        "Choose a RAG rating",
    ):
        assert message in page, message
    assert not Escalation.objects.exists()


def test_linking_evidence_from_the_list_or_by_key(
    cast, client_for, make_escalation, finding, draft_return
):
    escalation = make_escalation()
    client = client_for(cast.paqa_member)
    url = reverse("escalations:evidence-add", args=[escalation.pk])
    page = client.get(url).content.decode()
    assert 'optgroup label="Audit findings: Strategy meetings, 2018-19"' in page
    assert f"assessments.return:{draft_return.pk}" not in page

    neither = client.post(url, {}).content.decode()
    assert "Choose the evidence, or enter its key" in neither
    both = client.post(url, {"choice": f"audits.finding:{finding.pk}", "key": "x.y:1"})
    assert "Choose the evidence or enter its key, not both" in both.content.decode()
    unseen = client.post(url, {"key": f"assessments.return:{draft_return.pk}"})
    assert "There is no record with that key that you can see" in unseen.content.decode()
    assert not escalation.evidence.exists()

    chosen = client.post(url, {"choice": f"audits.finding:{finding.pk}", "note": "Late"})
    assert chosen.status_code == 302
    link = escalation.evidence.get()
    assert link.note == "Late"
    again = client.post(url, {"key": f"audits.finding:{finding.pk}"})
    assert "already linked" in again.content.decode()

    removed = client.post(reverse("escalations:evidence-remove", args=[escalation.pk, link.pk]))
    assert removed.status_code == 302
    assert not escalation.evidence.exists()


def test_an_action_from_the_escalation(cast, client_for, make_escalation):
    escalation = make_escalation()
    url = reverse("escalations:action-add", args=[escalation.pk])
    # The owner's lead may give an action only to their own organisation.
    lead_page = client_for(cast.agency_lead).get(url).content.decode()
    assert "Police Agency" in lead_page
    assert "Health Agency" not in lead_page
    response = client_for(cast.paqa_member).post(
        url,
        {
            "owner_organisation": cast.agency.pk,
            "title": "Brief every response officer",
            "owner_name": "Head of Public Protection",
            **date_fields("due_date", TODAY + timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    page = (
        client_for(cast.board_member)
        .get(reverse("escalations:detail", args=[escalation.pk]))
        .content.decode()
    )
    assert "Brief every response officer" in page


def test_reminders_from_the_register(
    cast, client_for, make_escalation, mailoutbox, django_capture_on_commit_callbacks
):
    make_escalation(response_due=TODAY - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.paqa_member).post(reverse("escalations:remind"), follow=True)
    assert "Reminders sent for 1 overdue escalation." in response.content.decode()
    assert len(mailoutbox) == 1
    assert "http://testserver/escalations/" in mailoutbox[0].body


def test_people_outside_the_partnership_and_the_signed_out_cannot_read(client_for, make_escalation):
    from tests.factories import UserFactory

    escalation = make_escalation()
    nobody = client_for(UserFactory(email="nobody@example.org"))
    assert nobody.get(reverse("escalations:register")).status_code == 403
    assert nobody.get(reverse("escalations:detail", args=[escalation.pk])).status_code == 403
    from django.test import Client

    signed_out = Client().get(reverse("escalations:register"))
    assert signed_out.status_code == 302


def test_the_exceptions_page_offers_to_raise_an_escalation_to_those_who_may(cast, client_for):
    from paqa.indicators.demo import demo_indicators_load

    demo_indicators_load(partnership=cast.partnership)
    link = "/escalations/new/?evidence=indicators.indicator%3Acamhs-seen-12-weeks"
    paqa = client_for(cast.paqa_member).get(reverse("indicators:exceptions")).content.decode()
    assert link in paqa
    board = client_for(cast.board_member).get(reverse("indicators:exceptions")).content.decode()
    assert "Raise an escalation" not in board


def test_the_change_history_of_an_escalation(cast, client_for, make_escalation, finding):
    escalation = make_escalation()
    services.evidence_link_add(
        escalation=escalation, key=f"audits.finding:{finding.pk}", actor=cast.paqa_member
    )
    services.response_record(
        escalation=escalation, actor=cast.agency_lead, date=TODAY, text="Response"
    )
    client = client_for(cast.admin)
    detail = client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    link = f"/history/?type=escalations.escalation&amp;id={escalation.pk}"
    assert link in detail
    history = client.get(
        reverse("core:history"), {"type": "escalations.escalation", "id": escalation.pk}
    )
    assert history.status_code == 200
    page = history.content.decode()
    assert "Status: open → response_received" in page
    for record_type in ("escalations.escalationupdate", "escalations.evidencelink"):
        assert client.get(reverse("core:history"), {"type": record_type}).status_code == 200
