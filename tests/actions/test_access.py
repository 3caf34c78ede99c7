"""Who sees and changes which actions: the access policy, through selectors and pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from paqa.actions import selectors, services
from paqa.actions.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_actions(cast, make_action):
    return make_action(title="Police action"), make_action(
        title="Health action", organisation=cast.other_agency
    )


def test_agency_lead_sees_only_their_own_organisations_actions(cast, two_actions):
    police, health = two_actions
    assert list(selectors.action_list(user=cast.agency_lead)) == [police]
    assert list(selectors.action_list(user=cast.other_agency_lead)) == [health]
    assert selectors.actions_for_source(
        user=cast.agency_lead, source_key="assessments.answer:1"
    ) == [police]


@pytest.mark.parametrize("role", ["admin", "paqa_member", "board_member"])
def test_partnership_roles_see_every_action(cast, two_actions, role):
    assert set(selectors.action_list(user=getattr(cast, role))) == set(two_actions)


@pytest.mark.parametrize("role", ["auditor", "analyst"])
def test_auditors_and_analysts_see_their_own_organisations_actions(cast, two_actions, role):
    assert list(selectors.action_list(user=getattr(cast, role))) == [two_actions[0]]


def test_list_filters(cast, make_action):
    late = make_action(title="Late", due_date=date.today() - timedelta(days=3))
    health = make_action(title="Health", organisation=cast.other_agency)
    audit = make_action(title="Audit", source_key="audits.finding:7")
    user = cast.admin
    assert list(selectors.action_list(user=user, overdue_only=True)) == [late]
    assert list(selectors.action_list(user=user, organisation=cast.other_agency)) == [health]
    assert list(selectors.action_list(user=user, source_prefix="audits.")) == [audit]
    services.action_progress(action=health, actor=user, text="Begun", status="in_progress")
    assert list(selectors.action_list(user=user, status="in_progress")) == [health]


def test_list_shows_the_carried_forward_copy_not_the_original(cast, make_action):
    original = make_action()
    [copy] = services.actions_copy_open(
        source_key_from="assessments.answer:1",
        source_key_to="assessments.answer:2",
        source_label="Next year",
        source_url="",
        actor=cast.admin,
    )
    assert list(selectors.action_list(user=cast.admin)) == [copy]
    assert list(selectors.action_list(user=cast.admin, include_carried_forward=True)) == [
        original,
        copy,
    ]
    # The old source still lists its own action.
    assert selectors.actions_for_source(user=cast.admin, source_key="assessments.answer:1") == [
        original
    ]


def test_agency_lead_gets_404_on_another_organisations_action(cast, client_for, two_actions):
    _, health = two_actions
    client = client_for(cast.agency_lead)
    assert client.get(reverse("actions:detail", args=[health.pk])).status_code == 404
    response = client.post(
        reverse("actions:progress", args=[health.pk]), {"text": "x", "status": "in_progress"}
    )
    assert response.status_code == 404
    assert not health.updates.exists()


def test_board_member_reads_every_action_but_cannot_change_them(cast, client_for, two_actions):
    client = client_for(cast.board_member)
    for action in two_actions:
        page = client.get(reverse("actions:detail", args=[action.pk]))
        assert page.status_code == 200
        assert "Add a progress update" not in page.content.decode()
    police = two_actions[0]
    for name, data in [
        ("actions:progress", {"text": "x", "status": "in_progress"}),
        ("actions:complete", {"evidence": "x"}),
        ("actions:cancel", {"reason": "x"}),
        ("actions:edit", {"title": "x", "owner_name": "y"}),
    ]:
        assert client.post(reverse(name, args=[police.pk]), data).status_code == 403
    police.refresh_from_db()
    assert police.status == Action.Status.NOT_STARTED
    assert not police.updates.exists()


def test_auditor_reads_own_organisations_action_but_cannot_change_it(cast, client_for, two_actions):
    client = client_for(cast.auditor)
    police, health = two_actions
    assert client.get(reverse("actions:detail", args=[police.pk])).status_code == 200
    assert client.get(reverse("actions:edit", args=[police.pk])).status_code == 403
    assert client.get(reverse("actions:detail", args=[health.pk])).status_code == 404


def test_admin_can_edit_any_action_and_history_records_who(cast, client_for, two_actions):
    _, health = two_actions
    response = client_for(cast.admin).post(
        reverse("actions:edit", args=[health.pk]),
        {
            "title": "Audit discharge letters",
            "owner_name": "Dr Patel",
            "due_date_0": "31",
            "due_date_1": "3",
            "due_date_2": "2030",
        },
    )
    assert response.status_code == 302
    health.refresh_from_db()
    assert health.title == "Audit discharge letters"
    assert health.owner_name == "Dr Patel"
    assert health.due_date == date(2030, 3, 31)
    assert health.history.latest().history_user == cast.admin


def test_agency_lead_records_progress_and_marks_done_on_own_action(cast, client_for, two_actions):
    police, _ = two_actions
    client = client_for(cast.agency_lead)
    client.post(
        reverse("actions:progress", args=[police.pk]),
        {"text": "Sessions booked", "status": "in_progress"},
    )
    refused = client.post(reverse("actions:complete", args=[police.pk]), {"evidence": ""})
    assert refused.status_code == 200
    assert "Describe the evidence that the action is done" in refused.content.decode()
    client.post(reverse("actions:complete", args=[police.pk]), {"evidence": "Attendance log"})
    police.refresh_from_db()
    assert police.status == Action.Status.DONE
    assert police.history.latest().history_user == cast.agency_lead
    assert [u.text for u in police.updates.all()] == ["Sessions booked", "Marked done"]


def test_navigation_offers_actions_to_those_who_may_see_them(cast, client_for):
    for user in (cast.board_member, cast.auditor, cast.admin):
        page = client_for(user).get(reverse("core:home")).content.decode()
        assert f'href="{reverse("actions:list")}"' in page
