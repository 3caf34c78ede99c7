"""Each person's worklist on the home page: what is due from them or their organisation (late
first, "late by N days"), what waits for them, and the board's reading; never an item outside the
viewer's reach, named or counted; a fixed number of queries however many items there are."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paqa.accounts.models import User
from paqa.assessments.models import Cycle, Return
from paqa.audits.models import AgencyAudit, Audit, CaseSection
from paqa.audits.packs import audit_tool_load
from paqa.audits.services import audit_advance, audit_create, case_add, section_assign
from paqa.core.worklist import ShownItem, WorkItem
from paqa.escalations.models import Escalation
from paqa.partnership.models import Organisation

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _navigation(response) -> str:
    html = response.content.decode()
    nav = html[html.index('id="navigation"') : html.index("</nav>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", nav))


def _home(client_for, email: str):
    response = client_for(User.objects.get(email=email)).get("/")
    assert response.status_code == 200
    return response


# Words -----------------------------------------------------------------------------------------


def test_an_item_says_how_late_it_is_and_late_items_come_first():
    today = date(2026, 12, 8)
    late = ShownItem(WorkItem("Return", "A", "/a/", due=date(2026, 12, 1)), today)
    one_day = ShownItem(WorkItem("Return", "B", "/b/", due=date(2026, 12, 7)), today)
    soon = ShownItem(WorkItem("Return", "C", "/c/", due=date(2026, 12, 11)), today)
    later = ShownItem(WorkItem("Return", "D", "/d/", due=date(2027, 3, 1)), today)
    assert late.timing == "Late by 7 days"
    assert one_day.timing == "Late by 1 day"
    assert soon.timing == "Due in 3 days"
    assert later.timing == ""
    assert later.due_words == "Due 1 March 2027"
    assert ShownItem(WorkItem("Return", "E", "/e/", due=today), today).timing == "Due today"


# The demo's people -----------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
class TestTheDemosHomePages:
    def test_the_police_lead_is_told_their_2019_20_return_is_late(self, client_for):
        response = _home(client_for, "lead.police@demo.example")
        text = _text(response)
        police = Return.objects.get(
            cycle__year="2019-20", organisation__name="Thames Valley Police"
        )
        late_by = (timezone.localdate() - police.deadline).days
        assert late_by > 0
        assert "Thames Valley Police: Section 11 self-assessment 2019-20" in text
        assert f"Late by {late_by} days" in text
        assert f"Due {police.deadline.day} {police.deadline:%B %Y}" in text
        assert f'href="/self-assessment/returns/{police.pk}/"' in response.content.decode()
        # Other organisations' returns, drafts or sent, are outside an agency lead's reach.
        for name in ("Cherwell District Council", "Oxford Health NHS Foundation Trust"):
            assert name not in text
        assert "Self-assessment 1 item for you" in _navigation(response)

    def test_the_paqa_member_has_the_returns_waiting_for_challenge_and_no_drafts(self, client_for):
        text = _text(_home(client_for, "paqa@demo.example"))
        waiting = text[text.index("Waiting for you") :]
        submitted = Return.objects.filter(cycle__year="2019-20", status=Return.Status.SUBMITTED)
        assert submitted.count() == 2
        for assessment_return in submitted.select_related("organisation"):
            assert f"{assessment_return.organisation.name}: Section 11" in waiting
        assert waiting.count("Submitted: challenge or accept") == 2
        # Drafts are the organisations' own until sent: not named, not counted.
        assert "Thames Valley Police: Section 11" not in text
        assert "Cherwell District Council: Section 11" not in text

    def test_the_board_member_reads_the_report_open_escalations_and_exceptions(self, client_for):
        text = _text(_home(client_for, "board@demo.example"))
        board = text[text.index("For the board") :]
        assert "annual report 2018-19, version 1" in board
        open_count = Escalation.objects.exclude(status=Escalation.Status.CLOSED).count()
        assert f"Open escalations ({open_count})" in board
        assert "Indicators in exception" in board
        assert "CAMHS referrals seen within 12 weeks" in board

    def test_nobody_else_gets_the_boards_reading(self, client_for):
        text = _text(_home(client_for, "paqa@demo.example"))
        assert "For the board" not in text


# Reach -----------------------------------------------------------------------------------------


def _collecting_audit(cast) -> Audit:
    audit = audit_create(
        title="Strategy meetings",
        theme="strategy meetings",
        year="2026-27",
        terms_of_reference="To learn how well strategy meetings work",
        key_lines_of_enquiry="Was risk shared?",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 9, 30),
        tool=audit_tool_load(),
        lead=cast.paqa_member,
        organisations=[cast.agency, cast.other_agency],
        themes=["information-sharing"],
        actor=cast.paqa_member,
    )
    Audit.objects.filter(pk=audit.pk).update(sections_due=timezone.localdate() + timedelta(days=5))
    for age in ("5-9", "10-15"):
        case_add(audit=audit, actor=cast.paqa_member, age_band=age, lead_organisation=cast.agency)
    audit_advance(audit=audit, actor=cast.paqa_member)
    audit.refresh_from_db()
    return audit


def test_an_auditor_sees_the_sections_assigned_to_them_and_no_others(cast, client_for):
    audit = _collecting_audit(cast)
    first, second = CaseSection.objects.filter(
        case__audit=audit, organisation=cast.agency
    ).order_by("case__reference")
    section_assign(section=first, auditors=[cast.auditor], actor=cast.agency_lead)
    text = _text(client_for(cast.auditor).get("/"))
    assert f"case {first.case.reference} (Police Agency)" in text
    assert "Due in 5 days" in text
    assert f"case {second.case.reference}" not in text  # not assigned to them
    assert "Health Agency" not in text  # another organisation's sections
    # The agency lead sees the section nobody has been assigned to; not the auditor's.
    lead_text = _text(client_for(cast.agency_lead).get("/"))
    assert f"case {second.case.reference} (Police Agency)" in lead_text
    assert f"case {first.case.reference}" not in lead_text
    other_lead_text = _text(client_for(cast.other_agency_lead).get("/"))
    assert "Police Agency" not in other_lead_text


def test_an_audit_lead_is_told_when_every_section_is_in(cast, client_for):
    audit = _collecting_audit(cast)
    CaseSection.objects.filter(case__audit=audit).exclude(organisation=cast.agency).update(
        status=CaseSection.Status.SUBMITTED
    )
    assert "Audits ready for their meeting" not in _text(client_for(cast.paqa_member).get("/"))
    assert "Every section in" not in _text(client_for(cast.paqa_member).get("/"))
    CaseSection.objects.filter(case__audit=audit).update(status=CaseSection.Status.SUBMITTED)
    text = _text(client_for(cast.paqa_member).get("/"))
    assert "Strategy meetings" in text
    assert "Every section in: hold the meeting" in text


def test_an_escalation_response_is_due_only_from_its_owner(cast, client_for):
    escalation = Escalation.objects.create(
        year="2026-27",
        title="Strategy meetings held late",
        finding="Found late",
        escalated_to="Chair",
        escalated_on=timezone.localdate() - timedelta(days=30),
        owner_organisation=cast.agency,
        response_due=timezone.localdate() - timedelta(days=2),
    )
    assert "Strategy meetings held late" in _text(client_for(cast.agency_lead).get("/"))
    assert "Late by 2 days" in _text(client_for(cast.agency_lead).get("/"))
    assert "Strategy meetings held late" not in _text(client_for(cast.other_agency_lead).get("/"))
    escalation.status = Escalation.Status.RESPONSE_RECEIVED
    escalation.save()
    assert "Strategy meetings held late" not in _text(client_for(cast.agency_lead).get("/"))
    assert "Strategy meetings held late" in _text(client_for(cast.paqa_member).get("/"))


# Speed -----------------------------------------------------------------------------------------


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries.captured_queries)


def _more_work(partnership_id: int, how_many: int) -> None:
    """More of everything that waits for the PAQA member or is due from the police."""
    # This year's audit has every section in, so it waits for its meeting.
    CaseSection.objects.filter(case__audit__status=Audit.Status.COLLECTING).update(
        status=CaseSection.Status.SUBMITTED
    )
    cycle = Cycle.objects.get(year="2019-20")
    police = Organisation.objects.get(name="Thames Valley Police")
    for number in range(how_many):
        organisation = Organisation.objects.create(
            partnership_id=partnership_id, name=f"Made-up agency {number}", kind="other"
        )
        Return.objects.create(
            cycle=cycle,
            organisation=organisation,
            variant="other",
            deadline=cycle.deadline,
            status=Return.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        Escalation.objects.create(
            year="2026-27",
            title=f"Made-up escalation {number}",
            finding="Made up",
            escalated_to="Chair",
            escalated_on=timezone.localdate(),
            owner_organisation=police if number % 2 else organisation,
            response_due=timezone.localdate() + timedelta(days=number),
            status=Escalation.Status.RESPONSE_RECEIVED if number % 2 == 0 else "open",
        )
        scale = AgencyAudit.objects.first().scale
        AgencyAudit.objects.create(
            organisation=police if number % 2 else organisation,
            year="2026-27",
            topic=f"Made-up topic {number}",
            audit_date=timezone.localdate(),
            sample_size=1,
            scale=scale,
            status=AgencyAudit.Status.SUBMITTED if number % 2 == 0 else "draft",
        )


@pytest.mark.usefixtures("demo")
def test_the_home_page_asks_as_many_queries_however_many_items(client_for):
    people = ("paqa@demo.example", "lead.police@demo.example", "board@demo.example")
    clients = {email: client_for(User.objects.get(email=email)) for email in people}
    before = {email: _home_queries(client) for email, client in clients.items()}
    partnership_id = Organisation.objects.get(name="Thames Valley Police").partnership_id
    _more_work(partnership_id, 50)
    after = {email: _home_queries(client) for email, client in clients.items()}
    assert after == before
    # The PAQA member's list is cut at its limit and says how many more there are.
    text = _text(clients["paqa@demo.example"].get("/"))
    assert "more returns to challenge or moderate not listed here" in text
    assert "See all 52" in text
