"""Raising, changing, progressing, closing and carrying forward actions."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from paqa.actions import services
from paqa.actions.models import Action, ActionUpdate

pytestmark = pytest.mark.django_db


def test_create_records_the_action_and_who_raised_it(cast, make_action):
    action = make_action(title="  Audit strategy meetings  ")
    assert action.title == "Audit strategy meetings"
    assert action.status == Action.Status.NOT_STARTED
    assert action.created_by == cast.admin
    latest = action.history.latest()
    assert latest.history_type == "+"
    assert latest.history_user == cast.admin


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ({"title": "   "}, "title", "Enter what will be done"),
        ({"due_date": None}, "due_date", "Enter the date the action is due"),
        ({"owner_name": ""}, "owner_name", "Enter the name of the person responsible"),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "must be a path"),
        ({"source_url": "//evil.example/"}, "source_url", "must be a path"),
    ],
)
def test_create_refuses_incomplete_or_unsafe_details(make_action, details, field, message):
    with pytest.raises(ValidationError) as refused:
        make_action(**details)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Action.objects.exists()


def test_complete_needs_evidence(cast, make_action):
    action = make_action()
    with pytest.raises(ValidationError) as refused:
        services.action_complete(action=action, actor=cast.agency_lead, evidence="  ")
    assert refused.value.messages == ["Describe the evidence that the action is done"]
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_STARTED

    services.action_complete(action=action, actor=cast.agency_lead, evidence="Training log")
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.completion_evidence == "Training log"
    assert action.completed_at is not None
    assert action.history.latest().history_user == cast.agency_lead


def test_progress_adds_an_update_and_may_start_the_work(cast, make_action):
    action = make_action()
    update = services.action_progress(
        action=action, actor=cast.agency_lead, text="Half trained", status="in_progress"
    )
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert update.author == cast.agency_lead
    assert update.history.latest().history_user == cast.agency_lead
    assert action.history.latest().history_user == cast.agency_lead


def test_progress_cannot_mark_an_action_done(cast, make_action):
    action = make_action()
    with pytest.raises(ValidationError) as refused:
        services.action_progress(action=action, actor=cast.admin, text="All done", status="done")
    assert "status" in refused.value.message_dict
    assert not ActionUpdate.objects.exists()


def test_closed_actions_cannot_be_changed(cast, make_action):
    action = make_action()
    services.action_cancel(action=action, actor=cast.admin, reason="Superseded by audit")
    assert action.updates.get().text == "Cancelled: Superseded by audit"
    with pytest.raises(ValidationError):
        services.action_progress(action=action, actor=cast.admin, text="x", status="in_progress")
    with pytest.raises(ValidationError):
        services.action_complete(action=action, actor=cast.admin, evidence="x")
    with pytest.raises(ValidationError):
        services.action_update(
            action=action, actor=cast.admin, title="x", owner_name="y", due_date=date.today()
        )


def test_cancel_needs_a_reason(cast, make_action):
    with pytest.raises(ValidationError):
        services.action_cancel(action=make_action(), actor=cast.admin, reason="")


def test_update_changes_what_who_and_when(cast, make_action):
    action = make_action()
    new_date = date.today() + timedelta(days=30)
    services.action_update(
        action=action, actor=cast.agency_lead, title="New", owner_name="Sam", due_date=new_date
    )
    action.refresh_from_db()
    assert (action.title, action.owner_name, action.due_date) == ("New", "Sam", new_date)
    latest = action.history.latest()
    assert latest.history_user == cast.agency_lead
    assert {c.field for c in latest.diff_against(latest.prev_record).changes} == {
        "title",
        "owner_name",
        "due_date",
    }


def test_overdue_flag(cast, make_action):
    today = date.today()
    late = make_action(due_date=today - timedelta(days=1))
    due_today = make_action(due_date=today)
    late_but_done = make_action(due_date=today - timedelta(days=5))
    services.action_complete(action=late_but_done, actor=cast.admin, evidence="Done")
    late_but_cancelled = make_action(due_date=today - timedelta(days=5))
    services.action_cancel(action=late_but_cancelled, actor=cast.admin, reason="No longer needed")

    assert late.is_overdue
    assert not due_today.is_overdue
    assert not late_but_done.is_overdue
    assert not late_but_cancelled.is_overdue
    assert list(Action.objects.overdue()) == [late]


def test_copy_open_carries_forward_only_open_actions(cast, make_action):
    not_started = make_action(title="Not started", owner_name="A")
    in_progress = make_action(title="In progress", organisation=cast.other_agency)
    services.action_progress(
        action=in_progress, actor=cast.admin, text="Begun", status="in_progress"
    )
    done = make_action(title="Done")
    services.action_complete(action=done, actor=cast.admin, evidence="Evidence")
    cancelled = make_action(title="Cancelled")
    services.action_cancel(action=cancelled, actor=cast.admin, reason="Reason")
    make_action(title="Another source", source_key="assessments.answer:99")

    copies = services.actions_copy_open(
        source_key_from="assessments.answer:1",
        source_key_to="assessments.answer:2",
        source_label="Section 11 2019-20, Police Agency, standard 5: Training",
        source_url="/assessments/answers/2/",
        actor=cast.agency_lead,
    )

    assert [c.title for c in copies] == ["Not started", "In progress"]
    first, second = copies
    assert first.owner_organisation == cast.agency
    assert second.owner_organisation == cast.other_agency
    assert first.owner_name == "A"
    assert first.due_date == not_started.due_date
    assert second.status == Action.Status.IN_PROGRESS
    assert first.carried_from == not_started
    assert {c.source_key for c in copies} == {"assessments.answer:2"}
    assert first.source_label == "Section 11 2019-20, Police Agency, standard 5: Training"
    update = first.updates.get()
    assert update.text == (
        "Carried forward from Section 11 2018-19, Police Agency, standard 5: Training"
    )
    assert update.author == cast.agency_lead
    assert first.history.latest().history_user == cast.agency_lead
    # The originals are untouched.
    not_started.refresh_from_db()
    assert not_started.status == Action.Status.NOT_STARTED
    assert not_started.source_key == "assessments.answer:1"


def test_copy_open_twice_carries_nothing_twice(cast, make_action):
    make_action()
    arguments = {
        "source_key_from": "assessments.answer:1",
        "source_key_to": "assessments.answer:2",
        "source_label": "Next year",
        "source_url": "",
        "actor": cast.admin,
    }
    assert len(services.actions_copy_open(**arguments)) == 1
    assert services.actions_copy_open(**arguments) == []
    assert Action.objects.filter(source_key="assessments.answer:2").count() == 1
