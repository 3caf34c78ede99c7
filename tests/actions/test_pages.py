"""The action plan and action pages: content, filters, forms, exports and query counts."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from paqa.actions import services

pytestmark = pytest.mark.django_db


def test_action_plan_lists_actions_with_status_and_overdue_tags(cast, client_for, make_action):
    make_action(title="Late action", due_date=date.today() - timedelta(days=2))
    make_action(title="On time action")
    page = client_for(cast.admin).get(reverse("actions:list")).content.decode()
    assert "Action plan" in page
    assert "Late action" in page
    assert "On time action" in page
    assert page.count('govuk-tag govuk-tag--red">Overdue') == 1
    assert "Not started" in page
    assert "Police Agency" in page
    assert "Jo Smith" in page


def test_action_plan_filters(cast, client_for, make_action):
    make_action(title="Late action", due_date=date.today() - timedelta(days=2))
    make_action(title="Health action", organisation=cast.other_agency)
    client = client_for(cast.admin)
    overdue = client.get(reverse("actions:list"), {"overdue": "1"}).content.decode()
    assert "Late action" in overdue
    assert "Health action" not in overdue
    health = client.get(
        reverse("actions:list"), {"organisation": cast.other_agency.pk}
    ).content.decode()
    assert "Health action" in health
    assert "Late action" not in health
    nothing = client.get(reverse("actions:list"), {"status": "done"}).content.decode()
    assert "No actions match these filters" in nothing
    # Nonsense in the query string is ignored, not an error.
    odd = client.get(reverse("actions:list"), {"organisation": "x", "status": "y"})
    assert odd.status_code == 200


def test_the_organisation_filter_offers_only_organisations_in_reach(cast, client_for):
    page = client_for(cast.agency_lead).get(reverse("actions:list")).content.decode()
    assert "Police Agency" in page
    assert "Health Agency" not in page


def test_csv_export_neutralises_formulas(cast, client_for, make_action):
    make_action(title='=HYPERLINK("http://evil.example")')
    response = client_for(cast.admin).get(reverse("actions:list"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "What will be done"
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][1] == "Police Agency"


def test_xlsx_export_is_scoped_to_the_reader(cast, client_for, make_action):
    make_action(title="Police action")
    make_action(title="Health action", organisation=cast.other_agency)
    response = client_for(cast.agency_lead).get(reverse("actions:list"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Police action"]


def test_detail_shows_source_link_updates_and_forms_to_those_who_manage(
    cast, client_for, make_action
):
    action = make_action()
    services.action_progress(
        action=action, actor=cast.agency_lead, text="Sessions <b>booked</b>", status="in_progress"
    )
    page = client_for(cast.agency_lead).get(reverse("actions:detail", args=[action.pk]))
    html = page.content.decode()
    assert 'href="/assessments/answers/1/"' in html
    assert "Section 11 2018-19, Police Agency, standard 5: Training" in html
    assert "Sessions &lt;b&gt;booked&lt;/b&gt;" in html
    assert "Lead" in html  # the update's author
    assert "Add a progress update" in html
    assert "Mark the action done" in html
    assert reverse("actions:edit", args=[action.pk]) in html


def test_edit_page_shows_a_date_input_and_its_errors(cast, client_for, make_action):
    action = make_action(due_date=date(2031, 4, 9))
    client = client_for(cast.agency_lead)
    page = client.get(reverse("actions:edit", args=[action.pk])).content.decode()
    assert 'class="govuk-date-input"' in page
    assert 'name="due_date_0"' in page
    assert 'value="9"' in page
    assert 'value="2031"' in page
    refused = client.post(
        reverse("actions:edit", args=[action.pk]),
        {"title": "T", "owner_name": "O", "due_date_0": "31", "due_date_1": "2", "due_date_2": ""},
    ).content.decode()
    assert "The due date must include a year" in refused
    assert 'href="#id_due_date"' in refused
    assert 'id="id_due_date"' in refused
    refused = client.post(
        reverse("actions:edit", args=[action.pk]),
        {
            "title": "T",
            "owner_name": "O",
            "due_date_0": "31",
            "due_date_1": "2",
            "due_date_2": "2030",
        },
    ).content.decode()
    assert "The due date must be a real date" in refused


def test_cancel_page(cast, client_for, make_action):
    action = make_action()
    client = client_for(cast.agency_lead)
    assert client.get(reverse("actions:cancel", args=[action.pk])).status_code == 200
    response = client.post(reverse("actions:cancel", args=[action.pk]), {"reason": "Duplicate"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "cancelled"


def test_action_plan_query_count_does_not_grow_with_actions(
    cast, client_for, make_action, django_assert_max_num_queries
):
    client = client_for(cast.admin)
    make_action()
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("actions:list"))
    baseline = len(few)  # read now: each request clears Django's query log
    for number in range(20):
        make_action(
            title=f"Action {number}",
            organisation=cast.other_agency if number % 2 else cast.agency,
            due_date=date.today() + timedelta(days=number - 10),
        )
    with django_assert_max_num_queries(baseline):
        page = client.get(reverse("actions:list"))
    assert page.content.decode().count("Action 1") >= 1


def test_detail_query_count_does_not_grow_with_updates(
    cast, client_for, make_action, django_assert_max_num_queries
):
    client = client_for(cast.admin)
    action = make_action()
    services.action_progress(action=action, actor=cast.admin, text="One", status="in_progress")
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("actions:detail", args=[action.pk]))
    baseline = len(few)
    for number in range(10):
        author = cast.agency_lead if number % 2 else cast.admin
        services.action_progress(
            action=action, actor=author, text=f"Update {number}", status="in_progress"
        )
    with django_assert_max_num_queries(baseline):
        client.get(reverse("actions:detail", args=[action.pk]))
