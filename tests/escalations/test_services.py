"""The escalation lifecycle, its rules, actions from it, and overdue reminders."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from paqa.actions.selectors import actions_for_source
from paqa.escalations import services
from paqa.escalations.models import Escalation, EscalationUpdate

pytestmark = pytest.mark.django_db

TODAY = date.today()
Status = Escalation.Status
Kind = EscalationUpdate.Kind


def test_raising_puts_it_on_the_register_open_with_history(cast, make_escalation):
    escalation = make_escalation()
    assert escalation.status == Status.OPEN
    assert escalation.raised_by == cast.paqa_member
    assert escalation.themes == ["domestic-abuse", "voice-of-the-child"]
    assert escalation.source_key == f"escalations.escalation:{escalation.pk}"
    created = escalation.history.get()
    assert created.history_type == "+"
    assert created.history_user == cast.paqa_member


def test_raising_checks_dates_text_and_themes(cast, make_escalation):
    with pytest.raises(ValidationError) as error:
        make_escalation(escalated_on=TODAY + timedelta(days=1))
    assert "escalated_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_escalation(response_due=TODAY - timedelta(days=30))
    assert error.value.message_dict["response_due"] == [
        "The response date must be on or after the date it was escalated"
    ]
    with pytest.raises(ValidationError) as error:
        make_escalation(title="   ")
    assert error.value.message_dict["title"] == ["Enter a title"]
    with pytest.raises(ValidationError) as error:
        make_escalation(themes=["not-a-theme"])
    assert "themes" in error.value.message_dict
    # An old alias of a theme is stored as the theme it means.
    assert make_escalation(themes=["exploitation-and-missing"]).themes == ["exploitation"]
    assert Escalation.objects.count() == 1


def test_lifecycle_open_response_assured_closed_with_dated_updates_and_history(
    cast, make_escalation
):
    escalation = make_escalation()
    services.escalation_update(
        escalation=escalation,
        actor=cast.paqa_member,
        date=TODAY - timedelta(days=10),
        text="Met the police lead.",
        rag=Escalation.Rag.AMBER,
    )
    escalation.refresh_from_db()
    assert escalation.rag == Escalation.Rag.AMBER
    assert escalation.status == Status.OPEN

    services.response_record(
        escalation=escalation,
        actor=cast.agency_lead,
        date=TODAY - timedelta(days=5),
        text="Officers now record the child's words on body-worn video.",
    )
    escalation.refresh_from_db()
    assert escalation.status == Status.RESPONSE_RECEIVED

    services.escalation_assure(
        escalation=escalation,
        actor=cast.paqa_member,
        date=TODAY - timedelta(days=2),
        text="A dip sample of 20 incidents found the child's voice in 18.",
    )
    escalation.refresh_from_db()
    assert escalation.status == Status.ASSURED

    services.escalation_close(
        escalation=escalation,
        actor=cast.admin,
        date=TODAY,
        outcome="Recording is now routine and reported quarterly.",
    )
    escalation.refresh_from_db()
    assert escalation.status == Status.CLOSED
    assert escalation.outcome == "Recording is now routine and reported quarterly."
    assert escalation.closed_on == TODAY

    timeline = list(escalation.updates.order_by("date", "pk"))
    assert [(u.kind, u.date) for u in timeline] == [
        (Kind.UPDATE, TODAY - timedelta(days=10)),
        (Kind.RESPONSE, TODAY - timedelta(days=5)),
        (Kind.ASSURANCE, TODAY - timedelta(days=2)),
        (Kind.CLOSURE, TODAY),
    ]
    assert "RAG changed from Red to Amber" in timeline[0].text
    assert [u.author for u in timeline] == [
        cast.paqa_member,
        cast.agency_lead,
        cast.paqa_member,
        cast.admin,
    ]
    statuses = [
        (version.status, version.history_user)
        for version in escalation.history.order_by("history_date", "history_id")
    ]
    assert statuses == [
        (Status.OPEN, cast.paqa_member),
        (Status.OPEN, cast.paqa_member),  # the RAG change
        (Status.RESPONSE_RECEIVED, cast.agency_lead),
        (Status.ASSURED, cast.paqa_member),
        (Status.CLOSED, cast.admin),
    ]
    assert all(update.history.count() == 1 for update in timeline)

    # Closed means closed: nothing more is recorded on it.
    for attempt in (
        lambda: services.escalation_update(
            escalation=escalation, actor=cast.paqa_member, date=TODAY, text="More"
        ),
        lambda: services.escalation_reescalate(
            escalation=escalation,
            actor=cast.paqa_member,
            date=TODAY,
            reason="Again",
            response_due=TODAY,
        ),
    ):
        with pytest.raises(ValidationError, match="This escalation is closed"):
            attempt()


def test_the_order_of_the_lifecycle_is_kept(cast, make_escalation):
    escalation = make_escalation()
    with pytest.raises(ValidationError, match="Only an escalation with a response received"):
        services.escalation_assure(
            escalation=escalation, actor=cast.paqa_member, date=TODAY, text="Assured"
        )
    services.response_record(
        escalation=escalation, actor=cast.agency_lead, date=TODAY, text="Response"
    )
    with pytest.raises(ValidationError, match="A response has already been received"):
        services.response_record(
            escalation=escalation, actor=cast.agency_lead, date=TODAY, text="Again"
        )
    with pytest.raises(ValidationError) as error:
        services.escalation_update(
            escalation=escalation, actor=cast.paqa_member, date=TODAY + timedelta(days=1), text="x"
        )
    assert error.value.message_dict["date"] == [
        "The date of the update must be today or in the past"
    ]
    with pytest.raises(ValidationError) as error:
        services.escalation_update(
            escalation=escalation, actor=cast.paqa_member, date=TODAY, text="  "
        )
    assert error.value.message_dict["text"] == ["Enter the update"]


def test_a_response_cannot_predate_the_escalation(cast, make_escalation):
    escalation = make_escalation()
    with pytest.raises(ValidationError) as error:
        services.response_record(
            escalation=escalation,
            actor=cast.agency_lead,
            date=escalation.escalated_on - timedelta(days=1),
            text="Early",
        )
    assert "date" in error.value.message_dict


def test_closing_without_an_outcome_is_refused(cast, make_escalation):
    escalation = make_escalation()
    for outcome in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.escalation_close(
                escalation=escalation, actor=cast.paqa_member, date=TODAY, outcome=outcome
            )
        assert error.value.message_dict["outcome"] == ["Enter the outcome of the escalation"]
    escalation.refresh_from_db()
    assert escalation.status == Status.OPEN
    assert not escalation.updates.exists()


def test_re_escalation_sets_a_new_recipient_and_due_date_and_awaits_a_new_response(
    cast, make_escalation
):
    escalation = make_escalation(response_due=TODAY - timedelta(days=1))
    services.response_record(
        escalation=escalation, actor=cast.agency_lead, date=TODAY, text="Not much"
    )
    with pytest.raises(ValidationError) as error:
        services.escalation_reescalate(
            escalation=escalation, actor=cast.paqa_member, date=TODAY, reason="", response_due=TODAY
        )
    assert error.value.message_dict["reason"] == ["Enter why it is re-escalated"]
    with pytest.raises(ValidationError) as error:
        services.escalation_reescalate(
            escalation=escalation,
            actor=cast.paqa_member,
            date=TODAY,
            reason="The response set no dates",
            response_due=TODAY - timedelta(days=1),
        )
    assert "response_due" in error.value.message_dict

    update = services.escalation_reescalate(
        escalation=escalation,
        actor=cast.paqa_member,
        date=TODAY,
        reason="The response set no dates",
        escalated_to="Chief Constable",
        response_due=TODAY + timedelta(days=28),
    )
    escalation.refresh_from_db()
    assert escalation.status == Status.RE_ESCALATED
    assert escalation.escalated_to == "Chief Constable"
    assert escalation.response_due == TODAY + timedelta(days=28)
    assert update.kind == Kind.RE_ESCALATION
    assert "Now escalated to Chief Constable (before: Chair of the Safeguarding" in update.text
    assert not escalation.is_overdue

    # A re-escalated escalation waits for a new response.
    services.response_record(
        escalation=escalation, actor=cast.agency_lead, date=TODAY, text="A plan with dates"
    )
    escalation.refresh_from_db()
    assert escalation.status == Status.RESPONSE_RECEIVED


def test_overdue_is_late_with_no_response_and_not_closed_or_assured(cast, make_escalation):
    late = make_escalation(title="Late", response_due=TODAY - timedelta(days=1))
    due_today = make_escalation(title="Due today", response_due=TODAY)
    answered = make_escalation(title="Answered", response_due=TODAY - timedelta(days=1))
    services.response_record(escalation=answered, actor=cast.agency_lead, date=TODAY, text="Done")
    answered.refresh_from_db()
    assert late.is_overdue
    assert not due_today.is_overdue
    assert not answered.is_overdue
    assert list(Escalation.objects.overdue()) == [late]


def test_overdue_reminders_email_the_owners_agency_leads_and_are_logged(
    cast, make_escalation, mailoutbox, django_capture_on_commit_callbacks
):
    late = make_escalation(title="Late police response", response_due=TODAY - timedelta(days=3))
    make_escalation(title="Not due yet")
    late_health = make_escalation(
        title="Late health response",
        owner_organisation=cast.other_agency,
        response_due=TODAY - timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reminded = services.escalations_remind_overdue(
            actor=cast.paqa_member, base_url="https://paqa.example.org/"
        )
    assert reminded == [late, late_health]
    assert len(callbacks) == 2
    assert len(mailoutbox) == 2
    police, health = mailoutbox
    assert police.to == ["lead@example.org"]  # the police agency's lead only
    assert police.subject == "Overdue: your response to the escalation ‘Late police response’"
    assert "is 3 days overdue" in police.body
    assert f"https://paqa.example.org/escalations/{late.pk}/" in police.body
    assert health.to == ["other.lead@example.org"]
    logged = late.updates.get()
    assert logged.kind == Kind.REMINDER
    assert logged.date == TODAY
    assert logged.author == cast.paqa_member
    assert logged.text == "Reminder that the response is overdue sent to lead@example.org."
    late.refresh_from_db()
    assert late.last_reminded_on == TODAY

    # Not again within the week; again a week later.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalations_remind_overdue(actor=None) == []
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        later = services.escalations_remind_overdue(actor=None, today=TODAY + timedelta(days=7))
    assert later == [late, late_health]
    assert len(mailoutbox) == 4


def test_no_reminder_without_an_agency_lead_to_send_it_to(
    cast, make_escalation, mailoutbox, django_capture_on_commit_callbacks
):
    escalation = make_escalation(
        owner_organisation=cast.business_unit, response_due=TODAY - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalations_remind_overdue(actor=None) == []
    assert mailoutbox == []
    assert not escalation.updates.exists()


def test_the_reminder_command_sends_them(
    make_escalation, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    make_escalation(title="Late", response_due=TODAY - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalations-remind", "--base-url", "https://paqa.example.org")
    assert len(mailoutbox) == 1
    assert "Reminders sent for 1 overdue escalation(s)." in capsys.readouterr().out


def test_actions_from_an_escalation_go_to_the_shared_action_plan(cast, make_escalation):
    escalation = make_escalation()
    action = services.escalation_action_create(
        escalation=escalation,
        owner_organisation=cast.agency,
        title="Brief every response officer",
        owner_name="Head of Public Protection",
        due_date=TODAY + timedelta(days=60),
        actor=cast.paqa_member,
    )
    assert action.source_key == f"escalations.escalation:{escalation.pk}"
    assert action.source_url == f"/escalations/{escalation.pk}/"
    assert action.source_label.startswith("Escalation 2018-19: Police recording")
    assert actions_for_source(user=cast.board_member, source_key=escalation.source_key) == [action]
