"""The weekly email of one's work: off by default, at most one in a calendar week, nothing sent
to people with nothing due or waiting, and turned on or off by the person themselves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from paqa.accounts.digest import digests_send
from paqa.escalations.models import Escalation

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)


def _escalation(cast, *, due: date) -> Escalation:
    return Escalation.objects.create(
        year="2026-27",
        title="Strategy meetings held late <b>",
        finding="Found late",
        escalated_to="Chair",
        escalated_on=due - timedelta(days=30),
        owner_organisation=cast.agency,
        response_due=due,
    )


def test_nobody_gets_the_email_unless_they_ask_for_it(cast):
    _escalation(cast, due=MONDAY - timedelta(days=3))
    assert digests_send(today=MONDAY) == []
    assert mail.outbox == []


def test_the_email_lists_what_is_due_with_how_late_and_links(cast):
    _escalation(cast, due=MONDAY - timedelta(days=3))
    cast.agency_lead.digest_weekly = True
    cast.agency_lead.save()
    sent = digests_send(today=MONDAY, base_url="https://paqa.example.org/")
    assert sent == [cast.agency_lead]
    [email] = mail.outbox
    assert email.to == [cast.agency_lead.email]
    assert email.subject == "Your work in PAQA this week: 1 due (1 late)"
    assert "Strategy meetings held late <b> (Police Agency) (Late by 3 days)" in email.body
    assert "https://paqa.example.org/escalations/" in email.body
    assert "https://paqa.example.org/account/weekly-email/" in email.body


def test_at_most_one_a_week_and_none_when_nothing_is_due(cast):
    escalation = _escalation(cast, due=MONDAY + timedelta(days=10))
    for person in (cast.agency_lead, cast.other_agency_lead):
        person.digest_weekly = True
        person.save()
    assert digests_send(today=MONDAY) == [cast.agency_lead]  # the other lead has nothing due
    assert digests_send(today=MONDAY + timedelta(days=4)) == []  # the same week (a Friday)
    assert digests_send(today=MONDAY + timedelta(days=7)) == [cast.agency_lead]
    escalation.status = Escalation.Status.RESPONSE_RECEIVED
    escalation.save()
    assert digests_send(today=MONDAY + timedelta(days=14)) == []
    assert len(mail.outbox) == 2


def test_the_command_sends_them(cast):
    _escalation(cast, due=timezone.localdate())
    cast.agency_lead.digest_weekly = True
    cast.agency_lead.save()
    call_command("send-digests")
    assert len(mail.outbox) == 1
    cast.agency_lead.refresh_from_db()
    assert cast.agency_lead.digest_sent_on == timezone.localdate()


def test_a_person_turns_it_on_and_off_and_the_choice_is_in_history(cast, client_for):
    client = client_for(cast.auditor)
    page = client.get("/account/weekly-email/")
    assert page.status_code == 200
    assert "Do you want a weekly email of your work?" in page.content.decode()
    refused = client.post("/account/weekly-email/", {})
    assert refused.status_code == 400
    assert "Choose whether you want a weekly email" in refused.content.decode()
    assert client.post("/account/weekly-email/", {"weekly": "yes"}).status_code == 302
    cast.auditor.refresh_from_db()
    assert cast.auditor.digest_weekly is True
    assert cast.auditor.history.first().digest_weekly is True
    client.post("/account/weekly-email/", {"weekly": "no"})
    cast.auditor.refresh_from_db()
    assert cast.auditor.digest_weekly is False
