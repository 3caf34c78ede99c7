"""The records the access matrix (tests/core/test_access_matrix.py) runs against.

Built once for the whole module, inside a transaction that is rolled back when the module ends;
each test runs in a savepoint inside it, as usual, so nothing one test does is seen by another.

The cast is the one in tests/conftest.py: admin, PAQA member and board member in the Business
Unit; agency lead, auditor and analyst in the Police Agency; another agency lead in the Health
Agency. An "own" record belongs to the Police Agency, an "other" record to the Health Agency;
"-" marks a record (or a route) that belongs to no one organisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.core.models import Area
from paqa.partnership.models import Organisation
from tests.conftest import Cast, make_cast, signed_in_client
from tests.factories import (
    MembershipFactory,
    ServiceFactory,
    UserFactory,
)

OWN, OTHER, ANY = "own", "other", "-"
YEAR = "2018-19"
EARLIER_YEAR = "2017-18"
HOME_AREA = "E10000025"

#: The columns of the matrix, in order: who is asking.
ROLE_COLUMNS = ("adm", "paqa", "lead", "aud", "anl", "brd", "anon")


@dataclass
class World:
    cast: Cast
    #: target name → side (own / other / -) → the URL's arguments
    targets: dict[str, dict[str, tuple[Any, ...]]] = field(default_factory=dict)
    #: API keys: the Police Agency's, the Health Agency's and a revoked one
    api_keys: dict[str, str] = field(default_factory=dict)
    #: one signed-in client per column (anon: a client that is not signed in)
    clients: dict[str, Client] = field(default_factory=dict)
    #: the audit finding linked to the escalations as their evidence
    finding_key: str = ""

    def add(self, name: str, own: Any = None, other: Any = None, any_: Any = None) -> None:
        sides: dict[str, tuple[Any, ...]] = {}
        for side, args in ((OWN, own), (OTHER, other), (ANY, any_)):
            if args is not None:
                sides[side] = args if isinstance(args, tuple) else (args,)
        self.targets[name] = sides


def _cast() -> Cast:
    """The cast of tests/conftest.py's `cast` fixture, made here once for the module."""
    return make_cast()


# One builder per app ----------------------------------------------------------------------------


def _directory(world: World) -> None:
    from paqa.partnership import services
    from paqa.partnership.api_tokens import api_token_create, api_token_revoke

    cast = world.cast
    police_staff = UserFactory(email="police.staff@example.org", full_name="Police Staff")
    health_staff = UserFactory(email="health.staff@example.org", full_name="Health Staff")
    police_membership = MembershipFactory(
        user=police_staff, organisation=cast.agency, role=Role.AUDITOR
    )
    health_membership = MembershipFactory(
        user=health_staff, organisation=cast.other_agency, role=Role.AUDITOR
    )
    police_service = ServiceFactory(organisation=cast.agency, name="Police public protection")
    health_service = ServiceFactory(organisation=cast.other_agency, name="Health visiting")

    def invite(organisation: Organisation, email: str) -> tuple[int, str]:
        invitation, token = services.invitation_create(
            organisation=organisation,
            actor=cast.admin,
            email=email,
            full_name="New Person",
            role=Role.AUDITOR,
            accept_url_for=lambda token: f"/invitation/{token}/",
        )
        return invitation.pk, token

    police_invitation, police_token = invite(cast.agency, "new.police@example.org")
    health_invitation, _ = invite(cast.other_agency, "new.health@example.org")

    police_token_row, police_key = api_token_create(
        organisation=cast.agency, name="Police records system", actor=cast.admin
    )
    health_token_row, health_key = api_token_create(
        organisation=cast.other_agency, name="Health data warehouse", actor=cast.admin
    )
    revoked, revoked_key = api_token_create(
        organisation=cast.agency, name="Old police system", actor=cast.admin
    )
    api_token_revoke(token=revoked, actor=cast.admin)
    world.api_keys = {"police": police_key, "health": health_key, "revoked": revoked_key}

    world.add("organisation", own=cast.agency.pk, other=cast.other_agency.pk)
    world.add("service", own=police_service.pk, other=health_service.pk)
    world.add("membership", own=police_membership.pk, other=health_membership.pk)
    world.add("person", own=police_staff.pk, other=health_staff.pk)
    world.add("invitation", own=police_invitation, other=health_invitation)
    world.add("invitation-token", any_=police_token)
    world.add("api-token", own=police_token_row.pk, other=health_token_row.pk)
    world.add("reset-link", any_=("MQ", "set-password"))


def _indicators(world: World) -> None:
    from paqa.indicators.models import Indicator, ObservationImport, Population
    from paqa.indicators.services import indicator_pack_load

    cast = world.cast
    england = Area.objects.create(code="E92000001", name="England", kind=Area.Kind.COUNTRY)
    region = Area.objects.create(
        code="E12000008", name="South East", kind=Area.Kind.REGION, parent=england
    )
    home = Area.objects.create(
        code=HOME_AREA, name="Oxfordshire", kind=Area.Kind.LOCAL_AUTHORITY, parent=region
    )
    cast.partnership.home_area = home
    cast.partnership.save()
    indicator_pack_load(partnership=cast.partnership)
    Population.objects.create(area=home, year=2017, age_band="0-17", value=143_400)
    police_indicator = Indicator.objects.get(code="missing-three-times")
    assert police_indicator.source_organisation_id == cast.agency.pk
    batch = ObservationImport.objects.create(
        uploaded_by=cast.analyst,
        original_name="observations.csv",
        file="imports/observations/observations.csv",
        state=ObservationImport.State.INVALID,
        errors=[{"row": 2, "column": "value", "message": "Enter a number"}],
    )
    world.add("indicator", any_=police_indicator.code)
    world.add("import", any_=batch.pk)
    _statutory_return(world)


TINY_903 = {
    "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    "C1,1,01/05/2010,WBRI,A123456789012,,\nC2,2,01/06/2012,WBRI,A123456789013,,\n",
    "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,"
    "REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "C1,01/05/2017,S,C2,N1,U1,PR1,,,,OX1 2JD,OX4 1AA,SC123456\n"
    "C2,01/06/2017,S,V3,N1,U1,PR1,,,,OX1 2JD,OX4 1AA,SC123456\n",
}


def _statutory_return(world: World) -> None:
    """A two-child SSDA903 return, loaded by the analyst: its figure "cla" has one child."""
    import io

    from paqa.returns.services import return_load

    files = [(name, io.BytesIO(text.encode())) for name, text in TINY_903.items()]
    loaded = return_load(files=files, actor=world.cast.analyst, year=2018)
    assert loaded.ok, loaded.problems
    statutory_return = loaded.statutory_return
    world.add("statutory-return", any_=statutory_return.pk)
    world.add("return-figure", any_=(statutory_return.pk, "cla"))


def _assessments(world: World) -> None:
    from paqa.assessments.models import Attachment, Return
    from paqa.assessments.packs import framework_load, scales_load
    from paqa.assessments.services import cycle_create, return_sign_off, return_submit

    cast = world.cast
    scales_load()
    framework = framework_load()
    current = cycle_create(
        framework=framework,
        year=YEAR,
        deadline=date(2019, 5, 31),
        organisations=[cast.agency, cast.other_agency],
        actor=cast.admin,
    )
    earlier = cycle_create(
        framework=framework,
        year=EARLIER_YEAR,
        deadline=date(2018, 5, 31),
        organisations=[cast.agency, cast.other_agency],
        actor=cast.admin,
    )
    drafts = {
        side: current.returns.get(organisation=organisation)
        for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency))
    }
    sent = {
        side: earlier.returns.get(organisation=organisation)
        for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency))
    }
    for side, assessment_return in sent.items():
        for answer in assessment_return.answers.all():
            answer.rating = "green"
            answer.evidence = f"Evidence for standard {answer.standard.number}"
            answer.save()
        lead = cast.agency_lead if side == OWN else cast.other_agency_lead
        return_sign_off(assessment_return=assessment_return, actor=lead, role_title="Head")
        return_submit(assessment_return=assessment_return, actor=lead)
        assessment_return.refresh_from_db()
        assert assessment_return.status == Return.Status.SUBMITTED

    def attach(assessment_return: Return) -> int:
        attachment = Attachment(
            assessment_return=assessment_return,
            standard=assessment_return.answers.get(standard__number=1).standard,
            name="policy.txt",
            content_type="text/plain",
            size=6,
            uploaded_by=cast.agency_lead,
        )
        attachment.file.save("policy.txt", ContentFile(b"policy"), save=False)
        attachment.save()
        return attachment.pk

    world.add("cycle", any_=current.pk)
    world.add("return-draft", own=drafts[OWN].pk, other=drafts[OTHER].pk)
    world.add("return-sent", own=sent[OWN].pk, other=sent[OTHER].pk)
    world.add("standard-draft", own=(drafts[OWN].pk, 1), other=(drafts[OTHER].pk, 1))
    world.add("standard-sent", own=(sent[OWN].pk, 1), other=(sent[OTHER].pk, 1))
    world.add("attachment-draft", own=attach(drafts[OWN]), other=attach(drafts[OTHER]))
    world.add("attachment-sent", own=attach(sent[OWN]), other=attach(sent[OTHER]))


def _audits(world: World) -> None:
    from paqa.audits.agency_services import agency_audit_create, agency_audit_submit
    from paqa.audits.models import CaseSection
    from paqa.audits.packs import audit_tool_load
    from paqa.audits.services import (
        audit_create,
        case_add,
        feedback_add,
        finding_add,
        section_assign,
        unsafe_flag_raise,
    )

    cast = world.cast
    audit = audit_create(
        title="Strategy meetings",
        theme="strategy meetings",
        year=YEAR,
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
    case = case_add(
        audit=audit, actor=cast.paqa_member, age_band="5-9", lead_organisation=cast.agency
    )
    sections = {
        side: case.sections.get(organisation=organisation)
        for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency))
    }
    # The auditor completes the Police Agency's section: it is assigned to them.
    section_assign(section=sections[OWN], auditors=[cast.auditor], actor=cast.agency_lead)
    # A second case, where no auditor is assigned to the Police Agency's section.
    unassigned_case = case_add(audit=audit, actor=cast.paqa_member, age_band="0-4")
    unassigned = {
        side: unassigned_case.sections.get(organisation=organisation)
        for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency))
    }
    # A third case whose sections are both submitted.
    later_case = case_add(audit=audit, actor=cast.paqa_member, age_band="10-15")
    submitted = {}
    for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency)):
        section = later_case.sections.get(organisation=organisation)
        section.status = CaseSection.Status.SUBMITTED
        section.summary = "Risk was shared at the strategy meeting."
        section.submitted_at = timezone.now()
        section.save()
        submitted[side] = section
    flag = unsafe_flag_raise(case=case, actor=cast.paqa_member, reason="No plan for the child.")
    feedback_add(case=case, from_whom="Parent", summary="Felt heard.", actor=cast.paqa_member)
    finding = finding_add(
        audit=audit,
        kind="development",
        text="Information held by health was not shared before the strategy meeting.",
        themes=["information-sharing"],
        actor=cast.paqa_member,
    )

    def agency_audit(organisation: Organisation, lead: User, *, submit: bool) -> int:
        made = agency_audit_create(
            organisation=organisation,
            service=None,
            year=YEAR,
            topic="Neglect of children under five",
            audit_date=date(2019, 1, 15),
            sample_size=10,
            grade_counts={"outstanding": 1, "good": 5, "requires-improvement": 3, "inadequate": 1},
            strengths="Thorough assessments",
            areas_for_development="Chronologies were missing",
            themes=["think-family"],
            actor=lead,
        )
        if submit:
            agency_audit_submit(agency_audit=made, actor=lead)
        return made.pk

    world.add("audit", any_=audit.pk)
    world.add("case", any_=(audit.pk, case.pk))
    world.add("flag", any_=(audit.pk, case.pk, flag.pk))
    world.add("finding", any_=(audit.pk, finding.pk))
    world.add("section-draft", own=sections[OWN].pk, other=sections[OTHER].pk)
    world.add("section-unassigned", own=unassigned[OWN].pk, other=unassigned[OTHER].pk)
    world.add("section-sent", own=submitted[OWN].pk, other=submitted[OTHER].pk)
    world.add(
        "agency-audit-draft",
        own=agency_audit(cast.agency, cast.agency_lead, submit=False),
        other=agency_audit(cast.other_agency, cast.other_agency_lead, submit=False),
    )
    world.add(
        "agency-audit-sent",
        own=agency_audit(cast.agency, cast.agency_lead, submit=True),
        other=agency_audit(cast.other_agency, cast.other_agency_lead, submit=True),
    )
    world.add("audit-year", any_=YEAR)
    # A key to a cohort no one holds (made up, or already downloaded).
    world.add("case-key", any_=(audit.pk, "no-such-key"))
    world.finding_key = f"audits.finding:{finding.pk}"


def _surveys(world: World) -> None:
    from paqa.surveys import services
    from paqa.surveys.models import Answer, Question, Response, SurveyInvitation
    from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack

    cast = world.cast
    today = timezone.localdate()
    practitioner = survey_from_pack(
        path=PRACTITIONER_PACK,
        year=YEAR,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    question = Question.objects.get(page__survey=practitioner, code="change")
    response = Response.objects.create(
        survey=practitioner,
        submission_key="access-matrix-response",
        status=Response.Status.SUBMITTED,
        submitted_on=today,
    )
    answer = Answer.objects.create(
        response=response, question=question, value="Better joint working with schools"
    )
    code = services.code_create(
        survey=practitioner, label="Joint working", keywords=["joint"], actor=cast.paqa_member
    )
    (answer_code,) = services.answer_code_set(answer=answer, codes=[code], actor=cast.paqa_member)

    def impact_survey(year: str, *, submitted: bool) -> int:
        survey = services.impact_survey_create(
            year=year,
            opens_on=today - timedelta(days=10),
            closes_on=today + timedelta(days=30),
            actor=cast.admin,
        )
        services.invitations_send(
            survey=survey, organisations=[cast.agency, cast.other_agency], actor=cast.admin
        )
        if submitted:
            Response.objects.filter(
                pk__in=SurveyInvitation.objects.filter(survey=survey).values("response_id")
            ).update(status=Response.Status.SUBMITTED, submitted_on=today)
        return survey.pk

    draft_survey = impact_survey(YEAR, submitted=False)
    sent_survey = impact_survey(EARLIER_YEAR, submitted=True)
    police, health = cast.agency.pk, cast.other_agency.pk

    world.add("survey", any_=practitioner.pk)
    world.add("survey-csv", any_=(practitioner.pk, "csv"))
    world.add("survey-qr", any_=(practitioner.pk, "png"))
    first_page = practitioner.pages.order_by("order").first()
    world.add("survey-page", any_=(practitioner.pk, first_page.pk))
    world.add("survey-step", any_=(practitioner.pk, "open"))
    world.add("survey-page-item", any_=(practitioner.pk, "page", first_page.pk))
    world.add("question", any_=(practitioner.pk, question.pk))
    world.add("quote", any_=(practitioner.pk, question.pk, answer_code.pk))
    world.add("public-survey", any_=practitioner.public_slug)
    world.add("public-response", any_=(practitioner.public_slug, "no-such-key"))
    world.add("public-page", any_=(practitioner.public_slug, "no-such-key", 1))
    world.add("impact", any_=draft_survey)
    world.add("impact-draft", own=(draft_survey, police), other=(draft_survey, health))
    world.add("impact-sent", own=(sent_survey, police), other=(sent_survey, health))
    world.add("impact-draft-page", own=(draft_survey, police, 1), other=(draft_survey, health, 1))
    world.add("impact-sent-page", own=(sent_survey, police, 1), other=(sent_survey, health, 1))


def _voice(world: World) -> None:
    from paqa.voice import services
    from paqa.voice.models import VoiceRecord

    record = services.voice_record_create(
        actor=world.cast.paqa_member,
        year=YEAR,
        source=VoiceRecord.Source.CASE_REVIEW,
        source_title="Serious case review: Child A",
        who=VoiceRecord.Who.CHILD,
        age_band="10-15",
        quote="Sometimes it felt like I was missing.",
        consent=VoiceRecord.Consent.GIVEN,
        themes=["voice-of-the-child"],
    )
    world.add("voice", any_=record.pk)


def _escalations(world: World) -> None:
    from paqa.escalations import services
    from paqa.escalations.models import Escalation

    cast = world.cast
    today = date.today()
    made = {}
    for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency)):
        escalation = services.escalation_raise(
            year=YEAR,
            title=f"Recording of children's voice ({organisation.name})",
            finding="Officers rarely recorded what the children present said.",
            escalated_to="Chair of the Safeguarding Children Board",
            escalated_on=today - timedelta(days=14),
            owner_organisation=organisation,
            response_due=today + timedelta(days=14),
            rag=Escalation.Rag.RED,
            themes=["voice-of-the-child"],
            actor=cast.paqa_member,
        )
        link = services.evidence_link_add(
            escalation=escalation,
            key=world.finding_key,
            note="What the audit found",
            actor=cast.paqa_member,
        )
        made[side] = (escalation.pk, link.pk)
    world.add("escalation", own=made[OWN][0], other=made[OTHER][0])
    world.add("evidence-link", own=made[OWN], other=made[OTHER])


def _actions(world: World) -> None:
    from paqa.actions.services import action_create

    cast = world.cast
    made = {}
    for side, organisation in ((OWN, cast.agency), (OTHER, cast.other_agency)):
        made[side] = action_create(
            owner_organisation=organisation,
            title="Train every call handler in recognising neglect",
            owner_name="Jo Smith",
            due_date=date.today() + timedelta(days=7),
            source_key="assessments.answer:1",
            source_label="Section 11 2018-19, standard 5: Training",
            source_url="/self-assessment/",
            actor=cast.admin,
        ).pk
    world.add("action", own=made[OWN], other=made[OTHER])


def _themes_and_reports(world: World) -> None:
    from paqa.reports import services
    from paqa.reports.models import ReportExport

    cast = world.cast
    report = services.report_create(year=YEAR, actor=cast.paqa_member)
    for section in report.sections.all():
        services.section_update(
            section=section,
            narrative=f"Words for {section.key}.",
            impact=f"What changed for children ({section.key}).",
            revision=section.revision,
            actor=cast.paqa_member,
        )
    version = services.report_publish(report=report, actor=cast.paqa_member)

    def export(of_version: Any) -> int:
        return ReportExport.objects.create(
            report=report,
            version=of_version,
            format=ReportExport.Format.HTML,
            requested_by=cast.paqa_member,
            status=ReportExport.Status.DONE,
            progress=100,
            data=b"<p>The report</p>",
        ).pk

    world.add("year", any_=YEAR)
    world.add("theme", any_=(YEAR, "information-sharing"))
    world.add("report-section", any_=(YEAR, "introduction"))
    world.add("report-version", any_=(YEAR, version.number))
    # The same URL as "year", for a POST that names the published version (see POST_DATA).
    world.add("year-version", any_=YEAR)
    world.add("export-draft", any_=(YEAR, export(None)))
    world.add("export-version", any_=(YEAR, export(version)))


def build_world() -> World:
    world = World(cast=_cast())
    world.add("-", any_=())
    for build in (
        _directory,
        _indicators,
        _assessments,
        _audits,
        _surveys,
        _voice,
        _escalations,
        _actions,
        _themes_and_reports,
    ):
        build(world)
    cast = world.cast
    people = {
        "adm": cast.admin,
        "paqa": cast.paqa_member,
        "lead": cast.agency_lead,
        "aud": cast.auditor,
        "anl": cast.analyst,
        "brd": cast.board_member,
    }
    world.clients = {column: signed_in_client(user) for column, user in people.items()}
    world.clients["anon"] = Client()
    return world


@pytest.fixture(scope="module")
def access_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world, built once for the module in a transaction rolled back when it ends."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
