"""XSS sweep: hostile text stored in every free-text field, then every way it leaves.

A corpus of payloads (`CORPUS`: script and event-handler markup, `javascript:`, Django/Jinja
template syntax, an early `</textarea>`, spreadsheet formulas and DDE, tab- and CR-prefixed
formulas, a CDATA end, the XML/HTML specials, a right-to-left override, control characters
and NUL) is stored through the services (and, for key messages, the public survey and sign-in,
by posting the forms) as the role that would type it. Each stored value starts with a formula
trigger, carries a tag naming its field (ZQ001Q…) and as much of the markup corpus as the field
holds. Then:

- every URL (all URL names, with real arguments for the records stored) is fetched as the
  person who would look at it: no element, attribute or script came from a payload, nothing
  links off the site, template syntax shows as typed, and every page has its CSP and nosniff;
- every form met on the way is posted back with payloads in its typed fields, and what it
  shows again is checked the same way;
- every chart (dashboards, indicator pages, audits, survey results, sparklines, the report)
  is an inert SVG with the hostile names as text, and the PNG for Word still renders;
- the self-assessment return, the audit learning brief and the annual report as PDF
  (pdftotext: the payloads are their text, as typed; no script, links only to the site;
  WeasyPrint fetched nothing) and as Word (python-docx: payloads are text, the only field is
  the report's table of contents, links only to the site);
- every CSV and XLSX export: no cell a spreadsheet would run (formulas neutralised, no
  formula cells);
- coverage: every stored payload is seen in at least one page or file.

Fields covered (142 stored values in 77 fields):
- partnership: Partnership.name, short_name; Organisation.name; Service.name; User.full_name,
  job_title; Invitation.full_name; ApiToken.name; Area.name (no page changes it, but every
  chart and table of figures shows it); SignInEvent.ip_address, user_agent (request headers,
  through the sign-in form; the user agent is shown nowhere)
- indicators: Indicator.name, subject, definition, priority; Commentary.text;
  Observation.note; ObservationImport.original_name and a refused cell shown in its errors
- self-assessment: Answer.evidence, example, challenge, response; Attachment.name (the file's
  name); Return.signed_off_role
- audits: Audit.title, theme, terms_of_reference, key_lines_of_enquiry,
  meeting_without_sections_reason; Case.sex, ethnicity,
  disability, legal_status; CaseSection.answers (free-text questions), summary;
  DomainGrade.moderation_notes, dissent; UnsafeFlag.reason (a resolved flag shows only its
  resolution), resolution; CaseFeedback.summary (family feedback); Finding.text (learning);
  AgencyAudit.topic, strengths, areas_for_development, review_notes
- surveys: free-text answers through the public survey's pages (and a saved draft shown back
  in its form); Survey.title, introduction; Page.title; Question.text, help_text and options
  (chart categories), from a hostile YAML pack; Code.label, keywords; impact assessment text
  answers
- voice: VoiceRecord.source_title, quote (their words, and a summary), source_label;
  YouSaidWeDid.response
- escalations: Escalation.title, finding, escalated_to, outcome; EscalationUpdate.text
  (update, response, assurance, re-escalation); EvidenceLink.note
- actions: Action.title, owner_name, completion_evidence, source_label; ActionUpdate.text
  (progress, cancellation reason)
- themes: KeyMessage.title, text
- reports: Report.title; ReportSection.narrative, impact (every section); ReportVersion.note

Not covered: text that ships with PAQA in its packs (standards, audit questions, rating
labels); NUL in typed text is refused by the forms (`test_forms_refuse_typed_nul`) and is
stored through the services only where the database can hold it (SQLite, not PostgreSQL).
The right-to-left override is stored and shown as text, but nothing isolates it (no <bdi>, no
unicode-bidi: isolate), so it also reverses the text after it in the same paragraph, the
site's own words included (the PDF's running header shows it); that is not checked here.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import subprocess
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

# --- the corpus -------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATE = "{{ 7*7 }}"
TEMPLATE_TAG = "{% debug %}"
TEXTAREA = "</textarea><svg onload=alert(1)>"
DDE = "=SUM(1)+cmd|' /C calc'!A0"
CDATA = "]]><x>"
SPECIALS = "&<>\"'"
RLO = "\u202egnp.exe"
CONTROLS = "\x01\x08\x0b\x1b\x7f\x9f"
NUL = "\x00"

# Every payload of the sweep. Stored values are built from them (see `Payloads`).
CORPUS = (
    SCRIPT,
    IMG,
    JS_URL,
    TEMPLATE,
    TEMPLATE_TAG,
    TEXTAREA,
    DDE,
    "+1",
    "-1",
    "@SUM(1)",
    "\t=1+2",
    "\r=1+2",
    CDATA,
    SPECIALS,
    RLO,
    CONTROLS,
    NUL,
)
# What a stored value starts with, in turn: a spreadsheet formula (or a link scheme).
LEADS = (DDE, "+1", "-1", "@SUM(1)", "\t=1+2", "\r=1+2", JS_URL)
# The markup, template and XML payloads every stored value carries after its lead and tag, as
# many as fit the field.
BODY = (SCRIPT, IMG, TEXTAREA, TEMPLATE, TEMPLATE_TAG, CDATA, SPECIALS, RLO, CONTROLS)


def nul_storable() -> bool:
    """PostgreSQL cannot hold NUL in text; SQLite can, so there it is stored too."""
    return connection.vendor != "postgresql"


class Payloads:
    """Makes the hostile value for each field and remembers which field got which tag.

    A value is `<lead> <tag> <body...>`: the lead is a formula trigger (or `javascript:`), so
    exports are tested for every field; the tag (like ZQ007Q) says which field a text came
    from; the body holds the markup payloads, as many as the field's length allows.
    """

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}  # tag -> the field it was stored in
        self.values: dict[str, str] = {}  # tag -> the value stored

    def __call__(
        self, label: str, max_length: int = 10_000, *, lead: str | None = None, nul: bool = True
    ) -> str:
        number = len(self.fields) + 1
        tag = f"ZQ{number:03d}Q"
        self.fields[tag] = label
        lead = LEADS[number % len(LEADS)] if lead is None else lead
        value = f"{lead} {tag}"
        body = list(BODY) + ([NUL] if nul and nul_storable() else [])
        for piece in body:
            if len(value) + 1 + len(piece) <= max_length:
                value += " " + piece
        self.values[tag] = value
        self.last = tag
        return value

    def filename(self, label: str) -> str:
        """A hostile file name: no slash (only the last part of a path is kept as the name)."""
        number = len(self.fields) + 1
        tag = f"ZQ{number:03d}Q"
        self.fields[tag] = label
        self.values[tag] = f"=1+2 {tag} {IMG} {TEMPLATE} {SPECIALS} {RLO}"
        return self.values[tag]


# --- the records ------------------------------------------------------------------------------

YEAR = "2018-19"


@dataclass
class Sweep:
    """What the fixture stored: the records (by the names the URL walk uses) and the tags."""

    payloads: Payloads
    users: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    # Tags of the fields no page or file shows by design (why is said where each is stored).
    not_shown: dict[str, str] = field(default_factory=dict)


def _person(email: str, full_name: str, role: str, organisation: Any) -> Any:
    from paqa.accounts.models import User
    from paqa.partnership.services import membership_create

    user = User.objects.create_user(email=email, password="x-not-used-x-1234", full_name=full_name)
    membership_create(user=user, organisation=organisation, role=role, actor=None)
    return user


def _partnership(sweep: Sweep) -> None:
    from paqa.accounts.services import user_update_details
    from paqa.core.access import Role
    from paqa.core.models import Area
    from paqa.partnership import services
    from paqa.partnership.api_tokens import api_token_create
    from paqa.partnership.models import Organisation, Partnership

    p = sweep.payloads
    partnership = Partnership.objects.create(name="Sweep partnership", short_name="SWP")
    unit = services.organisation_create(
        partnership=partnership, actor=None, name="Business unit", kind=Organisation.Kind.OTHER
    )
    admin = _person("admin@sweep.example", "Admin", Role.PARTNERSHIP_ADMIN, unit)
    paqa = _person("paqa@sweep.example", "Paqa", Role.PAQA_MEMBER, unit)
    services.partnership_update(
        partnership=partnership,
        actor=admin,
        name=p("Partnership.name", 200),
        short_name=p("Partnership.short_name", 20),
        brand_colour="#005a70",
    )
    services.organisation_update(
        organisation=unit,
        actor=admin,
        name=p("Organisation.name (business unit)", 200),
        kind=Organisation.Kind.OTHER,
    )
    agency = services.organisation_create(
        partnership=partnership,
        actor=admin,
        name=p("Organisation.name (agency)", 200),
        kind=Organisation.Kind.CHILDRENS_SERVICES,
    )
    service = services.service_create(organisation=agency, actor=admin, name=p("Service.name", 200))
    lead = _person("lead@sweep.example", "Lead", Role.AGENCY_LEAD, agency)
    auditor = _person("auditor@sweep.example", "Auditor", Role.AUDITOR, agency)
    analyst = _person("analyst@sweep.example", "Analyst", Role.ANALYST, agency)
    for user, label in ((admin, "admin"), (paqa, "PAQA member"), (lead, "agency lead")):
        user_update_details(
            user=user,
            actor=admin,
            full_name=p(f"User.full_name ({label})", 150),
            job_title=p(f"User.job_title ({label})", 150),
        )
    invitation, invitation_token = services.invitation_create(
        organisation=agency,
        actor=admin,
        email="invited@sweep.example",
        full_name=p("Invitation.full_name", 150),
        role=Role.AUDITOR,
        accept_url_for=lambda token: f"http://testserver/invitation/{token}/",
    )
    token, api_key = api_token_create(
        organisation=agency, name=p("ApiToken.name", 100), actor=admin
    )
    # Areas have no page to change them (they come with the data), but their names are drawn
    # on every chart and table of figures.
    england = Area.objects.create(
        code="E92000001", name=p("Area.name (comparator)", 200), kind=Area.Kind.COUNTRY
    )
    home = Area.objects.create(
        code="E10000025",
        name=p("Area.name (home)", 200),
        kind=Area.Kind.LOCAL_AUTHORITY,
        parent=england,
    )
    partnership.home_area = home
    partnership.save(update_fields=["home_area"])
    sweep.users.update(admin=admin, paqa=paqa, lead=lead, auditor=auditor, analyst=analyst)
    sweep.ids.update(
        partnership=partnership,
        unit=unit,
        agency=agency,
        service=service,
        invitation=invitation,
        invitation_token=invitation_token,
        token=token,
        api_key=api_key,
        home=home,
        england=england,
    )


def _observations_csv(rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["indicator", "area", "period", "value", "numerator", "denominator", "status", "note"]
    )
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _indicators(sweep: Sweep) -> None:
    from paqa.indicators.models import Indicator, Population
    from paqa.indicators.services import (
        commentary_save,
        indicator_pack_load,
        indicator_update,
        observation_import_start,
        observations_import_file,
    )

    p, admin = sweep.payloads, sweep.users["admin"]
    home, england = sweep.ids["home"], sweep.ids["england"]
    indicator_pack_load(partnership=sweep.ids["partnership"])
    for code in ("cla", "referrals"):
        indicator = Indicator.objects.get(code=code)
        indicator_update(
            indicator=indicator,
            actor=admin,
            name=p(f"Indicator.name ({code})", 200),
            subject=p(f"Indicator.subject ({code})", 200),
            definition=p(f"Indicator.definition ({code})"),
            priority=p(f"Indicator.priority ({code})", 120),
            target=Indicator.objects.get(code=code).target or 500,
            source_organisation=sweep.ids["agency"],
        )
        commentary_save(indicator=indicator, actor=admin, text=p(f"Commentary.text ({code})"))
    for area in (home, england):
        for year in (2016, 2017, 2018):
            Population.objects.create(area=area, year=year, age_band="0-17", value=140_000)
    note = p("Observation.note", 500)
    rows = []
    for area, scale in ((home, 1), (england, 100)):
        for year, count in ((2017, 600), (2018, 650), (2019, 700)):
            rows.append(
                ["cla", area.code, f"{year}-03-31", str(count * scale), "", "", "final", note]
            )
        for period, count in (("2016-17", 6000), ("2017-18", 6500), ("2018-19", 7000)):
            rows.append(["referrals", area.code, period, str(count * scale), "", "", "final", note])
    result, _summary = observations_import_file(
        name="sweep.csv", stream=io.BytesIO(_observations_csv(rows))
    )
    assert result.ok, result.errors
    # An upload whose name and (refused) cells are hostile: the import page shows both.
    bad = _observations_csv(
        [[p("Import cell (indicator code)", 60), home.code, "2018-19", "1", "", "", "", ""]]
    )
    name = p.filename("ObservationImport.original_name")
    batch = observation_import_start(
        actor=admin, upload=SimpleUploadedFile(name + ".csv", bad, content_type="text/csv")
    )
    sweep.ids["import"] = batch


def _assessments(sweep: Sweep) -> None:
    from paqa.assessments import services
    from paqa.assessments.packs import framework_load, scales_load

    p, admin, paqa, lead = (sweep.payloads, *(sweep.users[k] for k in ("admin", "paqa", "lead")))
    scales_load()
    framework = framework_load()
    cycle = services.cycle_create(
        framework=framework,
        year=YEAR,
        deadline=date(2019, 5, 31),
        organisations=[sweep.ids["agency"]],
        actor=admin,
    )
    assessment_return = cycle.returns.get()
    answers = list(
        assessment_return.answers.select_related("standard").order_by("standard__number")
    )
    first = answers[0]
    services.answer_save(
        answer=first,
        actor=lead,
        rating="blue",
        evidence=p("Answer.evidence (self-assessment)"),
        example=p("Answer.example (best-practice example)"),
        based_on_version=first.version,
    )
    for answer in answers[1:]:
        services.answer_save(
            answer=answer,
            actor=lead,
            rating="green",
            evidence="In place.",
            example="",
            based_on_version=answer.version,
        )
    name = p.filename("Attachment.name (file name)")
    services.attachment_add(
        assessment_return=assessment_return,
        standard_id=first.standard_id,
        upload=SimpleUploadedFile(name + ".txt", b"Evidence.\n", content_type="text/plain"),
        actor=lead,
    )
    services.return_sign_off(
        assessment_return=assessment_return,
        actor=lead,
        role_title=p("Return.signed_off_role", 150),
    )
    services.return_submit(assessment_return=assessment_return, actor=lead)
    first.refresh_from_db()
    services.answer_challenge(
        answer=first,
        actor=paqa,
        challenge=p("Answer.challenge (peer challenge)"),
        moderated_rating="green",
    )
    first.refresh_from_db()
    services.answer_respond(answer=first, actor=lead, response=p("Answer.response (to challenge)"))
    sweep.ids.update(cycle=cycle, assessment_return=assessment_return, standard=first.standard)


def _audits(sweep: Sweep) -> None:
    from paqa.audits import agency_services, services
    from paqa.audits.models import Domain
    from paqa.audits.packs import audit_tool_load

    p, paqa, lead = sweep.payloads, sweep.users["paqa"], sweep.users["lead"]
    agency, auditor = sweep.ids["agency"], sweep.users["auditor"]
    tool = audit_tool_load()
    theme = p("Audit.theme", 200)
    audits = []
    for year, period in (("2017-18", date(2017, 1, 1)), (YEAR, date(2018, 1, 1))):
        audit = services.audit_create(
            # Not the full 200: an action from a finding is labelled with the audit's title and
            # the finding's start, which must fit 300 characters (see the xfail test below).
            title=p(f"Audit.title ({year})", 150),
            theme=theme,
            year=year,
            terms_of_reference=p(f"Audit.terms_of_reference ({year})"),
            key_lines_of_enquiry=p(f"Audit.key_lines_of_enquiry ({year})"),
            period_start=period,
            period_end=period + timedelta(days=300),
            tool=tool,
            lead=paqa,
            organisations=[agency],
            themes=["information-sharing"],
            actor=paqa,
        )
        audits.append(audit)
    earlier, audit = audits
    overall = Domain.objects.get(tool=tool, code="overall")
    for target in audits:
        extra = services.case_add(
            audit=target, actor=paqa, lead_organisation=agency, age_band="5-9"
        )
        # Grades are agreed at the meeting, here held without the case's section (the reason
        # is stored last, by `_audit_meeting_reasons`: a payload made here would change every
        # later payload's lead).
        services.audit_advance(audit=target, actor=paqa)
        services.audit_advance(audit=target, actor=paqa, reason="The section came late")
        services.grade_record(case=extra, domain=overall, grade="good", actor=paqa)
    case = services.case_add(
        audit=audit,
        actor=paqa,
        lead_organisation=agency,
        age_band="10-15",
        sex=p("Case.sex", 30),
        ethnicity=p("Case.ethnicity", 100),
        disability=p("Case.disability", 100),
        legal_status=p("Case.legal_status", 100),
    )
    section = case.sections.get()
    services.section_assign(section=section, auditors=[auditor], actor=paqa)
    text_questions = [
        question
        for domain in tool.domains.prefetch_related("questions")
        for question in domain.questions.all()
        if question.answer_type == "text"
    ]
    answers = {
        f"q{question.pk}": p(f"CaseSection.answers (text answer: {question.text[:40]})")
        for question in text_questions
    }
    section = services.section_save(
        section=section,
        actor=auditor,
        answers=answers,
        summary=p("CaseSection.summary"),
        based_on_version=section.version,
    )
    services.section_submit(section=section, actor=auditor)
    services.grade_record(
        case=case,
        domain=overall,
        grade="requires-improvement",
        actor=paqa,
        moderation_notes=p("DomainGrade.moderation_notes"),
        dissent=p("DomainGrade.dissent"),
    )
    open_flag = services.unsafe_flag_raise(
        case=case, actor=paqa, reason=p("UnsafeFlag.reason (open)")
    )
    resolved = services.unsafe_flag_raise(
        case=case, actor=paqa, reason=p("UnsafeFlag.reason (resolved)")
    )
    # Once resolved, a flag shows its resolution, not its reason (the open one shows that).
    sweep.not_shown[p.last] = p.fields[p.last]
    services.unsafe_flag_resolve(flag=resolved, actor=paqa, resolution=p("UnsafeFlag.resolution"))
    for from_whom in ("child", "parent"):
        services.feedback_add(
            case=case,
            from_whom=from_whom,
            summary=p(f"CaseFeedback.summary (family feedback: {from_whom})"),
            actor=paqa,
        )
    findings = [
        services.finding_add(
            audit=audit,
            kind=kind,
            text=p(f"Finding.text (learning: {kind})"),
            themes=["information-sharing"],
            cases=[case],
            actor=paqa,
        )
        for kind in ("strength", "development")
    ]
    action = services.finding_action(
        finding=findings[1],
        owner_organisation=agency,
        title=p("Action.title (from an audit finding)", 300),
        owner_name=p("Action.owner_name (from an audit finding)", 150),
        due_date=date(2019, 3, 31),
        actor=paqa,
    )
    agency_audit = agency_services.agency_audit_create(
        organisation=agency,
        service=sweep.ids["service"],
        year=YEAR,
        topic=p("AgencyAudit.topic", 200),
        audit_date=date(2019, 2, 15),
        sample_size=10,
        grade_counts={"outstanding": 1, "good": 6, "requires-improvement": 3, "inadequate": 0},
        strengths=p("AgencyAudit.strengths"),
        areas_for_development=p("AgencyAudit.areas_for_development"),
        themes=["think-family"],
        actor=lead,
    )
    agency_services.agency_audit_submit(agency_audit=agency_audit, actor=lead)
    agency_services.agency_audit_review(
        agency_audit=agency_audit, actor=paqa, notes=p("AgencyAudit.review_notes")
    )
    draft_agency_audit = agency_services.agency_audit_create(
        organisation=agency,
        service=None,
        year=YEAR,
        topic=p("AgencyAudit.topic (draft)", 200),
        audit_date=date(2019, 2, 15),
        sample_size=1,
        grade_counts={"outstanding": 0, "good": 1, "requires-improvement": 0, "inadequate": 0},
        strengths=p("AgencyAudit.strengths (draft)"),
        areas_for_development=p("AgencyAudit.areas_for_development (draft)"),
        themes=[],
        actor=lead,
    )
    sweep.ids.update(
        audit=audit,
        earlier_audit=earlier,
        case=case,
        section=section,
        open_flag=open_flag,
        finding=findings[1],
        audit_action=action,
        agency_audit=agency_audit,
        draft_agency_audit=draft_agency_audit,
    )


def _answer_public_survey(survey: Any, values: dict[str, Any]) -> None:
    """Answer an anonymous survey through its public pages, as a respondent does."""
    from django.test import Client

    client = Client()
    response = client.post(f"/s/{survey.public_slug}/", {})
    assert response.status_code == 302, response.status_code
    url = response["Location"]
    while not url.endswith("/check/"):
        response = client.post(url, values)
        assert response.status_code == 302, (url, response.content.decode()[:2000])
        url = response["Location"]
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302, response.status_code


def _surveys(sweep: Sweep) -> None:
    import yaml

    from paqa.surveys import engine, selectors, services
    from paqa.surveys.models import Answer, Question
    from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
    from paqa.surveys.services import (
        answers_save,
        new_submission_key,
        response_for_key,
        survey_from_yaml,
    )

    p, admin, paqa, lead = (sweep.payloads, *(sweep.users[k] for k in ("admin", "paqa", "lead")))
    today = timezone.localdate()
    opens, closes = today - timedelta(days=1), today + timedelta(days=30)
    practitioner = survey_from_pack(
        path=PRACTITIONER_PACK, year=YEAR, opens_on=opens, closes_on=closes, actor=admin
    )
    base = {
        "organisation": "Health",
        "role": "Practitioner",
        "trained-3-years": "No",
        "discuss-safeguarding": "Yes",
        "confident": "Agree",
    }
    # The form refuses NUL in typed text (Django's CharField), so typed answers carry the rest.
    for number in (1, 2):
        _answer_public_survey(
            practitioner,
            {**base, "change": p(f"Survey answer (public free text {number})", nul=False)},
        )

    # A survey whose own words are hostile (surveys come as YAML files an admin imports): title,
    # introduction, page title, question, help text and options, which become chart categories.
    # The import refuses NUL as the forms do (PostgreSQL cannot keep it), so they carry the rest.
    def in_file(label: str, max_length: int = 10_000) -> str:
        return p(label, max_length, nul=False)

    options = [
        in_file("Survey option (chart category 1)", 200),
        in_file("Survey option (chart category 2)", 200),
    ]
    hostile_yaml = yaml.safe_dump(
        {
            "series": "sweep-survey",
            "year": YEAR,
            "title": in_file("Survey.title", 200),
            "kind": "anonymous",
            "introduction": in_file("Survey.introduction"),
            "opens_on": opens,
            "closes_on": closes,
            "public_slug": "sweep-survey",
            "pages": [
                {
                    "title": in_file("Page.title (survey page)", 200),
                    "questions": [
                        {
                            "code": "pick",
                            "kind": "single",
                            "text": in_file("Question.text (choice question)", 500),
                            "help_text": in_file("Question.help_text", 500),
                            "choices": [*options, "Plain"],
                            "required": True,
                        },
                        {
                            "code": "why",
                            "kind": "text",
                            "text": in_file("Question.text (free-text question)", 500),
                        },
                    ],
                }
            ],
        },
        allow_unicode=True,
    )
    hostile = survey_from_yaml(hostile_yaml, actor=admin)
    for option in options:
        _answer_public_survey(
            hostile,
            {"pick": option, "why": p("Survey answer (hostile survey free text)", nul=False)},
        )
    # A respondent's draft: their answers come back into the page's inputs.
    draft = response_for_key(survey=hostile, key=new_submission_key())
    answers_save(
        response=draft,
        values={"pick": options[1], "why": p("Survey answer (draft, shown back in its form)")},
        questions=list(Question.objects.filter(page__survey=hostile)),
        page_number=1,
    )
    # Codes, one per free-text answer, each answer a representative quote.
    change = Question.objects.get(page__survey=practitioner, code="change")
    for number, answer in enumerate(Answer.objects.filter(question=change).order_by("pk"), 1):
        code = services.code_create(
            survey=practitioner,
            label=p(f"Code.label (code {number})", 200),
            theme="working-together",
            keywords=[p(f"Code.keywords (code {number})", 60)],
            actor=paqa,
        )
        (answer_code,) = services.answer_code_set(answer=answer, codes=[code], actor=paqa)
        services.quote_mark(answer_code=answer_code, representative=True, actor=paqa)
    # The agencies' impact assessment: one return, answered by the agency lead.
    agency = sweep.ids["agency"]
    assessment = services.impact_survey_create(
        year=YEAR, opens_on=opens, closes_on=closes, actor=admin
    )
    services.invitations_send(survey=assessment, organisations=[agency], actor=admin)
    impact_return = selectors.organisation_return(user=lead, survey=assessment, organisation=agency)
    for number, page in enumerate(selectors.survey_pages(user=lead, survey=assessment), start=1):
        questions = engine.visible_questions(page, {})
        values = {}
        for question in questions:
            choices = engine.choices_for(question)
            if question.kind == "text":
                values[question.code] = p(f"Impact answer ({question.code})")
            elif question.kind == "multiple":
                values[question.code] = choices[:1]
            else:
                values[question.code] = choices[0]
        services.impact_answers_save(
            impact_return=impact_return, values=values, questions=questions, page_number=number
        )
    impact_return = selectors.organisation_return(user=lead, survey=assessment, organisation=agency)
    services.impact_return_submit(impact_return=impact_return, actor=lead)
    sweep.ids.update(
        practitioner=practitioner,
        hostile_survey=hostile,
        draft_response=draft,
        change_question=change,
        why_question=Question.objects.get(page__survey=hostile, code="why"),
        impact_survey=assessment,
        code=code,
        answer_code=answer_code,
    )


def _voice(sweep: Sweep) -> None:
    from paqa.voice import services

    p, paqa = sweep.payloads, sweep.users["paqa"]
    record = services.voice_record_create(
        actor=paqa,
        year=YEAR,
        source="audit",
        source_title=p("VoiceRecord.source_title", 200),
        who="child",
        quote=p("VoiceRecord.quote (their words)", 5000),
        consent="given",
        age_band="10-15",
        themes=["voice-of-the-child"],
        source_url=f"/audits/{sweep.ids['audit'].pk}/",
        source_label=p("VoiceRecord.source_label", 300),
    )
    summary = services.voice_record_create(
        actor=paqa,
        year=YEAR,
        source="audit",
        source_title="Family feedback",
        who="parent_carer",
        quote=p("VoiceRecord.quote (a summary)", 5000),
        is_summary=True,
        consent="not_needed",
        themes=["think-family"],
    )
    services.you_said_we_did_add(
        voice_record=record,
        actor=paqa,
        response=p("YouSaidWeDid.response"),
        date=date(2019, 3, 1),
        by_organisation=sweep.ids["agency"],
    )
    sweep.ids.update(voice=record, voice_summary=summary)


def _escalations(sweep: Sweep) -> None:
    from paqa.escalations import services

    p, paqa, lead = sweep.payloads, sweep.users["paqa"], sweep.users["lead"]
    agency = sweep.ids["agency"]
    made = []
    for number in (1, 2):
        made.append(
            services.escalation_raise(
                year=YEAR,
                title=p(f"Escalation.title ({number})", 200),
                finding=p(f"Escalation.finding ({number})"),
                escalated_to=p(f"Escalation.escalated_to ({number})", 200),
                escalated_on=date(2018, 10, 15),
                owner_organisation=agency,
                response_due=date(2018, 12, 14),
                rag="amber",
                themes=["information-sharing"],
                actor=paqa,
            )
        )
    first, second = made
    services.evidence_link_add(
        escalation=first,
        key="indicators.indicator:cla",
        note=p("EvidenceLink.note", 500),
        actor=paqa,
    )
    services.escalation_update(
        escalation=first,
        actor=paqa,
        date=date(2018, 11, 1),
        text=p("EscalationUpdate.text (update)"),
        rag="red",
    )
    services.response_record(
        escalation=first,
        actor=lead,
        date=date(2018, 12, 1),
        text=p("EscalationUpdate.text (response)"),
    )
    services.escalation_assure(
        escalation=first,
        actor=paqa,
        date=date(2019, 1, 10),
        text=p("EscalationUpdate.text (assurance)"),
    )
    services.escalation_close(
        escalation=first, actor=paqa, date=date(2019, 2, 1), outcome=p("Escalation.outcome")
    )
    services.escalation_reescalate(
        escalation=second,
        actor=paqa,
        date=date(2019, 1, 5),
        reason=p("EscalationUpdate.text (re-escalation reason)"),
        response_due=date(2019, 3, 1),
        escalated_to=p("Escalation.escalated_to (re-escalated)", 200),
    )
    action = services.escalation_action_create(
        escalation=second,
        owner_organisation=agency,
        title=p("Action.title (from an escalation)", 300),
        owner_name=p("Action.owner_name (from an escalation)", 150),
        due_date=date(2019, 4, 1),
        actor=paqa,
    )
    sweep.ids.update(escalation=first, open_escalation=second, escalation_action=action)


def _actions(sweep: Sweep) -> None:
    from paqa.actions import services

    p, lead, admin = sweep.payloads, sweep.users["lead"], sweep.users["admin"]
    action = sweep.ids["audit_action"]
    services.action_progress(
        action=action, actor=lead, text=p("ActionUpdate.text (progress)"), status="in_progress"
    )
    services.action_complete(action=action, actor=lead, evidence=p("Action.completion_evidence"))
    cancelled = sweep.ids["escalation_action"]
    services.action_update(
        action=cancelled,
        actor=admin,
        title=p("Action.title (changed)", 300),
        owner_name=p("Action.owner_name (changed)", 150),
        due_date=date(2019, 5, 1),
    )
    services.action_cancel(action=cancelled, actor=admin, reason=p("Action cancel reason"))
    answer = sweep.ids["assessment_return"].answers.get(standard=sweep.ids["standard"])
    open_action = services.action_create(
        owner_organisation=sweep.ids["agency"],
        title=p("Action.title (from a self-assessment standard)", 300),
        owner_name=p("Action.owner_name (from a self-assessment standard)", 150),
        due_date=date(2019, 6, 1),
        source_key=answer.action_source_key,
        source_label=p("Action.source_label", 300),
        source_url=f"/self-assessment/returns/{answer.assessment_return_id}/standards/1/",
        actor=admin,
    )
    sweep.ids.update(open_action=open_action)


def _signed_in(user: Any) -> Any:
    from tests.conftest import signed_in_client

    return signed_in_client(user)


def _themes(sweep: Sweep) -> None:
    p = sweep.payloads
    client = _signed_in(sweep.users["paqa"])
    for number in (1, 2):
        response = client.post(
            f"/themes/{YEAR}/key-messages/new/",
            {
                "title": p(f"KeyMessage.title ({number})", 200, nul=False),
                "text": p(f"KeyMessage.text ({number})", nul=False),
                "themes": ["information-sharing", "voice-of-the-child"],
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]


def _reports(sweep: Sweep) -> None:
    from paqa.reports import services
    from paqa.reports.models import ReportExport
    from paqa.reports.sections import GUIDE_BY_KEY

    p, paqa = sweep.payloads, sweep.users["paqa"]
    report = services.report_create(year=YEAR, actor=paqa, title=p("Report.title", 200))
    services.charts_set(report=report, codes=["cla", "referrals"], actor=paqa)
    for section in report.sections.all():
        asks_for_impact = GUIDE_BY_KEY[section.key].asks_for_impact
        services.section_update(
            section=section,
            narrative=p(f"ReportSection.narrative ({section.key})"),
            impact=p(f"ReportSection.impact ({section.key})") if asks_for_impact else "",
            revision=section.revision,
            actor=paqa,
        )
    version = services.report_publish(report=report, actor=paqa, note=p("ReportVersion.note", 200))
    exports = {}
    for file_format in ReportExport.Format.values:
        export = services.export_request(
            report=report,
            version=version,
            file_format=file_format,
            actor=paqa,
            site_url="http://testserver",
        )
        export.refresh_from_db()
        assert export.status == ReportExport.Status.DONE, (file_format, export.error)
        exports[file_format] = export
    sweep.ids.update(report=report, version=version, exports=exports)


def _returns(sweep: Sweep) -> None:
    """A statutory return loaded under a hostile file name (the name is shown on its pages).
    Everything else in a return is a date, a checked code or a pseudonym, or is not kept."""
    from paqa.returns.services import return_load
    from tests.returns.conftest import SSDA903_CSV

    p, analyst = sweep.payloads, sweep.users["analyst"]
    name = p.filename("StatutoryReturn.file_names")
    with ExitStack() as stack:
        files = [
            (
                f"{name} {path.name}" if path.name == "episodes.csv" else path.name,
                stack.enter_context(path.open("rb")),
            )
            for path in SSDA903_CSV
        ]
        loaded = return_load(files=files, actor=analyst, year=2018)
    assert loaded.ok, loaded.problems[:3]
    sweep.ids["statutory_return"] = loaded.statutory_return


def _sign_in_events(sweep: Sweep) -> None:
    """A failed sign-in with hostile request headers: the address (believed from
    X-Forwarded-For when the proxy count is set wrongly, as here) shows on the person's account
    page; the browser's User-Agent is kept but shown nowhere."""
    from django.test import Client, override_settings

    p = sweep.payloads
    with override_settings(PAQA_TRUSTED_PROXY_COUNT=1):
        response = Client().post(
            "/sign-in/",
            {"email": sweep.users["admin"].email, "password": "not-the-password"},
            HTTP_X_FORWARDED_FOR=p("SignInEvent.ip_address (X-Forwarded-For)", 64, nul=False),
            HTTP_USER_AGENT=p("SignInEvent.user_agent (User-Agent)", 300, nul=False),
        )
    assert response.status_code == 200, response.status_code
    sweep.not_shown[p.last] = p.fields[p.last]


def _audit_meeting_reasons(sweep: Sweep) -> None:
    """Why each audit's meeting went ahead without every section (shown on the audit's page).
    Stored last, so the payloads made before keep their leads."""
    from paqa.audits.models import Audit

    p = sweep.payloads
    for audit in (sweep.ids["earlier_audit"], sweep.ids["audit"]):
        Audit.objects.filter(pk=audit.pk).update(
            meeting_without_sections_reason=p(
                f"Audit.meeting_without_sections_reason ({audit.year})"
            )
        )


def build_sweep() -> Sweep:
    """Every record the sweep looks at, each free-text field holding a payload."""
    sweep = Sweep(payloads=Payloads())
    _partnership(sweep)
    _sign_in_events(sweep)
    _indicators(sweep)
    _assessments(sweep)
    _audits(sweep)
    _surveys(sweep)
    _voice(sweep)
    _escalations(sweep)
    _actions(sweep)
    _themes(sweep)
    _reports(sweep)
    _returns(sweep)
    _audit_meeting_reasons(sweep)
    return sweep


# --- checking what comes out -------------------------------------------------------------------

TAG_PATTERN = re.compile(r"ZQ\d{3}Q", re.IGNORECASE)  # keywords are kept in lower case
# Attributes whose value a browser follows or runs.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
# Elements only a payload could have put on a page.
FOREIGN_ELEMENTS = {"x", "iframe", "object", "embed", "base", "frame", "frameset", "applet"}


def squash(text: str) -> str:
    """Text without whitespace, for comparing text that a layout may have broken into lines."""
    return "".join(text.split())


def tags_in(text: str) -> set[str]:
    """The field tags in a text, also read backwards (a right-to-left override may reverse them
    when a document's text is extracted)."""
    found = TAG_PATTERN.findall(text) + TAG_PATTERN.findall(text[::-1])
    return {tag.upper() for tag in found}


def _own_preview_frame(tag: str, values: dict[str, str | None]) -> bool:
    """The one frame PAQA draws itself: a survey's phone-sized preview, of its own page."""
    return (
        tag == "iframe"
        and values.get("class") == "paqa-phone-frame"
        and re.fullmatch(r"/surveys/\d+/preview/\?framed=1", values.get("src") or "") is not None
    )


class PageParser(HTMLParser):
    """Collects what a page would run or load, and its text (attribute values included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.svg_images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in FOREIGN_ELEMENTS and not _own_preview_frame(tag, values):
            self.problems.append(f"<{tag}> element")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline or foreign <script {values}>")
        if tag == "img" and values.get("src") == "x":
            self.problems.append("<img src=x>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            value = value or ""
            self.text.append(value)
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            squashed = "".join(ch for ch in value if ch > " ").lower()
            if name in URL_ATTRIBUTES:
                if squashed.startswith(("javascript:", "vbscript:", "data:text")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                if squashed.startswith("data:image/svg+xml;base64,"):
                    self.svg_images.append(value)
                if re.match(r"^[/\\]{2}", squashed) and "testserver" not in squashed:
                    self.problems.append(f"<{tag} {name}={value!r}> leaves the site")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@dataclass
class PageReport:
    problems: list[str]
    tags: set[str]
    text: str
    svg_images: list[str]


def check_html(source: str) -> PageReport:
    """Parse a page: what would run, and which field tags it shows."""
    problems = []
    for raw in (SCRIPT, IMG.removeprefix('">'), TEXTAREA, CDATA.removeprefix("]]>")):
        if raw in source:
            problems.append(f"raw {raw!r} in the page source")
    parser = PageParser()
    parser.feed(source)
    parser.close()
    text = " ".join(parser.text)
    return PageReport(
        problems=problems + parser.problems,
        tags=tags_in(text),
        text=text,
        svg_images=parser.svg_images,
    )


def check_svg(svg: str) -> tuple[list[str], set[str]]:
    """An SVG as a browser would load it: nothing that runs, loads or links; its text."""
    problems = []
    if "<!" in svg:
        problems.append("DOCTYPE, entity or CDATA in SVG")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, and no DOCTYPE (checked above)
    texts = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject", "iframe", "object", "embed", "a", "use", "image"}:
            problems.append(f"<{tag}> in SVG")
        if tag in {"x", "img", "svg"} and element is not root and tag != "svg":
            problems.append(f"<{tag}> in SVG")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or local == "href":
                problems.append(f"{local} attribute in SVG")
            texts.append(value)
        texts.append(element.text or "")
        texts.append(element.tail or "")
    for raw in (SCRIPT, "<img", "<svg onload", "<x>"):
        if raw in svg:
            problems.append(f"raw {raw!r} in SVG")
    return problems, tags_in(" ".join(texts))


def svg_from_data_uri(uri: str) -> str:
    return base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")


# --- every page ----------------------------------------------------------------------------------

# Pages not fetched by the walk, and why.
NOT_WALKED = {
    "accounts:sign-out": "ends the walk's session; shows nothing stored",
}
# Pages fetched without signing in (public ones); all others as the partnership admin.
ANONYMOUS = {
    "accounts:sign-in",
    "accounts:mfa-verify",
    "accounts:mfa-recovery",
    "accounts:mfa-set-up",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "partnership:invitation-accept",
    "surveys:public-start",
    "surveys:public-page",
    "surveys:public-check",
    "surveys:public-done",
}
# Pages only the organisation's own people reach (its drafts, its forms), with who looks.
AS_USER = {
    "returns:children": "analyst",
    "assessments:answer": "lead",
    "assessments:respond": "lead",
    "assessments:sign-off": "lead",
    "assessments:check": "lead",
    "assessments:submitted": "lead",
    "audits:agency-create": "lead",
    "audits:section": "auditor",
    "audits:agency-edit": "lead",
    "audits:agency-submit": "lead",
    "audits:agency-check": "lead",
    "audits:section-check": "auditor",
    "audits:section-submit": "auditor",
    "surveys:impact-return": "lead",
    "surveys:impact-return-organisation": "lead",
    "surveys:impact-return-page": "lead",
    "surveys:impact-return-check": "lead",
    "surveys:impact-return-view": "lead",
}


def url_kwargs(sweep: Sweep) -> dict[str, list[dict[str, Any]]]:
    """Real arguments for every URL name, from the records the sweep stored."""
    from paqa.partnership.models import Membership
    from paqa.reports.sections import SectionKey

    i = sweep.ids
    none: list[dict[str, Any]] = [{}]
    audit = {"pk": i["audit"].pk}
    case = {**audit, "case_pk": i["case"].pk}
    # A draft agency audit is its organisation's alone: its lead looks at it.
    agency_audits = [
        {"pk": i["agency_audit"].pk},
        {"pk": i["draft_agency_audit"].pk, "_as": "lead"},
    ]
    organisations = [{"pk": i["agency"].pk}, {"pk": i["unit"].pk}]
    lead = {"pk": sweep.users["lead"].pk}
    people = [{"pk": sweep.users[who].pk} for who in ("lead", "admin", "paqa")]
    escalations = [{"pk": i["escalation"].pk}, {"pk": i["open_escalation"].pk}]
    open_escalation = [{"pk": i["open_escalation"].pk}]
    assessment_return = {"pk": i["assessment_return"].pk}
    standard = {**assessment_return, "number": 1}
    attachment = {"pk": i["assessment_return"].attachments.get().pk}
    cycle = {"pk": i["cycle"].pk}
    year = {"year": YEAR}
    slugs = [{"slug": i["practitioner"].public_slug}, {"slug": i["hostile_survey"].public_slug}]
    draft = {"slug": i["hostile_survey"].public_slug, "key": i["draft_response"].submission_key}
    surveys = [{"pk": i["practitioner"].pk}, {"pk": i["hostile_survey"].pk}]
    questions = [
        {"pk": i["practitioner"].pk, "question_pk": i["change_question"].pk},
        {"pk": i["hostile_survey"].pk, "question_pk": i["why_question"].pk},
    ]
    impact = {"pk": i["impact_survey"].pk}
    survey_pages = [
        {"pk": i[key].pk, "page_pk": i[key].pages.order_by("order").first().pk}
        for key in ("practitioner", "hostile_survey")
    ]
    impact_return = {**impact, "org_pk": i["agency"].pk}
    voices = [{"pk": i["voice"].pk}, {"pk": i["voice_summary"].pk}]
    actions = [{"pk": i[key].pk} for key in ("audit_action", "escalation_action", "open_action")]
    open_action = [{"pk": i["open_action"].pk}]
    indicators = [{"code": "cla"}, {"code": "referrals"}, {"code": "cla-rate"}]
    exports = [{**year, "pk": export.pk} for export in i["exports"].values()]
    return {
        "core:home": none,
        "core:accessibility": none,
        "core:cookies": none,
        "core:healthz": none,
        "core:history": none,
        "accounts:account": none,
        "accounts:digest": none,
        "accounts:password-change": none,
        "accounts:recovery-codes": none,
        "accounts:recovery-codes-new": none,
        "accounts:session-extend": none,
        "accounts:sign-in": none,
        "accounts:mfa-verify": none,
        "accounts:mfa-recovery": none,
        "accounts:mfa-set-up": none,
        "accounts:password-reset": none,
        "accounts:password-reset-sent": none,
        "accounts:password-reset-confirm": [{"uidb64": "MQ", "token": "set-password"}],
        "accounts:password-reset-complete": none,
        "actions:list": none,
        "actions:detail": actions,
        "actions:edit": open_action,
        "actions:progress": open_action,
        "actions:complete": open_action,
        "actions:cancel": open_action,
        "api-tokens:create": [{"pk": i["agency"].pk}],
        "api-tokens:revoke": [{"pk": i["token"].pk}],
        "api:schema": none,
        "api:indicators": none,
        "api:observations": none,
        "audits:home": none,
        "audits:audit-create": none,
        "audits:themes": [year],
        "audits:audit": [audit, {"pk": i["earlier_audit"].pk}],
        "audits:audit-edit": [audit],
        "audits:advance": [audit],
        "audits:case-key": [{**audit, "token": "gone"}],
        "audits:case-key-download": [{**audit, "token": "gone"}],
        "audits:case-add": [audit],
        "audits:case-select": [audit],
        "audits:finding-add": [audit],
        "audits:finding-action": [{**audit, "finding_pk": i["finding"].pk}],
        "audits:brief-pdf": [audit],
        "audits:brief-docx": [audit],
        "audits:case": [case],
        "audits:grades": [case],
        "audits:unsafe": [case],
        "audits:feedback": [case],
        "audits:resolve": [{**case, "flag_pk": i["open_flag"].pk}],
        "audits:section": [{"pk": i["section"].pk}],
        "audits:assign": [{"pk": i["section"].pk}],
        "audits:section-check": [{"pk": i["section"].pk}],
        "audits:section-submit": [{"pk": i["section"].pk}],
        "audits:agency-list": none,
        "audits:agency-create": none,
        "audits:agency-detail": agency_audits,
        "audits:agency-edit": agency_audits,
        "audits:agency-check": agency_audits,
        "audits:agency-submit": agency_audits,
        "audits:agency-review": agency_audits,
        "audits:agency-action-add": agency_audits,
        "indicators:dashboard": none,
        "indicators:exceptions": none,
        "indicators:import": none,
        "indicators:import-detail": [{"pk": i["import"].pk}],
        "indicators:import-confirm": [{"pk": i["import"].pk}],
        "indicators:indicator": indicators,
        "returns:list": none,
        "returns:detail": [{"pk": i["statutory_return"].pk}],
        "returns:confirm": [{"pk": i["statutory_return"].pk}],
        "returns:delete": [{"pk": i["statutory_return"].pk}],
        "returns:children": [{"pk": i["statutory_return"].pk, "code": "cla"}],
        "indicators:indicator-edit": indicators,
        "indicators:commentary": indicators,
        "escalations:register": none,
        "escalations:raise": [{}, {"evidence": "indicators.indicator:cla"}],
        "escalations:remind": none,
        "escalations:detail": escalations,
        "escalations:update": open_escalation,
        "escalations:respond": open_escalation,
        "escalations:assure": open_escalation,
        "escalations:close": open_escalation,
        "escalations:reescalate": open_escalation,
        "escalations:evidence-add": open_escalation,
        "escalations:evidence-remove": [
            {"pk": i["escalation"].pk, "link_pk": i["escalation"].evidence.get().pk}
        ],
        "escalations:action-add": open_escalation,
        "partnership:brand-css": none,
        "partnership:settings": none,
        "partnership:organisation-list": none,
        "partnership:organisation-create": none,
        "partnership:organisation-detail": organisations,
        "partnership:organisation-edit": organisations,
        "partnership:organisation-archive": organisations,
        "partnership:organisation-restore": organisations,
        "partnership:service-create": organisations,
        "partnership:invitation-create": organisations,
        "partnership:membership-create": organisations,
        "partnership:service-edit": [{"pk": i["service"].pk}],
        "partnership:service-archive": [{"pk": i["service"].pk}],
        "partnership:membership-edit": [
            {"pk": Membership.objects.get(user=sweep.users["lead"]).pk}
        ],
        "partnership:membership-archive": [
            {"pk": Membership.objects.get(user=sweep.users["lead"]).pk}
        ],
        "partnership:invitation-withdraw": [{"pk": i["invitation"].pk}],
        "partnership:invitation-accept": [{"token": i["invitation_token"]}],
        "partnership:person-list": none,
        "partnership:person-detail": people,
        "partnership:person-edit": [lead],
        "partnership:person-deactivate": [lead],
        "partnership:person-reactivate": [lead],
        "partnership:person-mfa-reset": [lead],
        "reports:home": none,
        "reports:report": [year],
        "reports:draft": [year],
        "reports:charts": [year],
        "reports:publish": [year],
        "reports:export-start": [year],
        # Each section's page drafts the whole report again; two show the edit form (the others'
        # words are on the draft and version pages).
        "reports:section": [
            {**year, "key": key} for key in (SectionKey.INTRODUCTION, SectionKey.DATA)
        ],
        "reports:version": [{**year, "number": i["version"].number}],
        "reports:export": exports,
        "reports:export-download": exports,
        "surveys:public-start": slugs,
        "surveys:public-done": slugs,
        "surveys:public-page": [{**draft, "number": 1}],
        "surveys:public-check": [draft],
        "surveys:home": none,
        "surveys:create": none,
        "surveys:import": none,
        "surveys:manage": [*surveys, impact],
        "surveys:manage-details": surveys,
        "surveys:manage-schedule": surveys,
        "surveys:manage-reopen": surveys,
        "surveys:manage-lifecycle": [
            {**survey, "step": step}
            for survey in surveys
            for step in ("open", "close", "unpublish")
        ],
        "surveys:page-new": surveys,
        "surveys:page-edit": survey_pages,
        "surveys:question-new": survey_pages,
        "surveys:question-edit": questions,
        "surveys:manage-move": [
            {"pk": page["pk"], "what": "page", "item_pk": page["page_pk"]} for page in survey_pages
        ],
        "surveys:manage-remove": [
            *(
                {"pk": page["pk"], "what": "page", "item_pk": page["page_pk"]}
                for page in survey_pages
            ),
            *({"pk": q["pk"], "what": "question", "item_pk": q["question_pk"]} for q in questions),
        ],
        "surveys:preview": surveys,
        "surveys:preview-phone": surveys,
        "surveys:share": [*surveys, impact],
        "surveys:export": [*surveys, impact],
        "surveys:qr": [{**survey, "fmt": fmt} for survey in surveys for fmt in ("svg", "png")],
        "surveys:coding-survey": surveys,
        "surveys:coding-question": questions,
        "surveys:coding-themes": questions,
        "surveys:coding-quote": [{**questions[0], "answer_code_pk": i["answer_code"].pk}],
        "surveys:impact-rate": [impact],
        "surveys:impact-invite": [impact],
        "surveys:impact-remind": [impact],
        "surveys:impact-return": [impact],
        "surveys:impact-return-organisation": [impact_return],
        "surveys:impact-return-page": [{**impact_return, "number": n} for n in (1, 2, 3)],
        "surveys:impact-return-check": [impact_return],
        "surveys:impact-return-view": [impact_return],
        "surveys:results": [*surveys, impact],
        "surveys:results-responses": [
            {**survey, "fmt": fmt} for survey in surveys for fmt in ("csv", "xlsx")
        ],
        "surveys:results-themes": [
            {**survey, "fmt": fmt} for survey in surveys for fmt in ("csv", "xlsx")
        ],
        "themes:overview-current": none,
        "themes:overview": [year],
        "themes:theme": [
            {**year, "theme": theme}
            for theme in ("information-sharing", "voice-of-the-child", "think-family", "training")
        ],
        "themes:key-message-add": [year],
        "voice:list": none,
        "voice:create": none,
        "voice:detail": voices,
        "voice:edit": voices,
        "voice:we-did": voices,
        "assessments:home": none,
        "assessments:cycle-create": none,
        "assessments:cycle": [cycle],
        "assessments:year-on-year": [cycle],
        "assessments:action-plan": [cycle],
        "assessments:reminders": [cycle],
        "assessments:return": [assessment_return],
        "assessments:sign-off": [assessment_return],
        "assessments:check": [assessment_return],
        "assessments:submit": [assessment_return],
        "assessments:submitted": [assessment_return],
        "assessments:accept": [assessment_return],
        "assessments:extend": [assessment_return],
        "assessments:pdf": [assessment_return],
        "assessments:answer": [standard],
        "assessments:challenge": [standard],
        "assessments:respond": [standard],
        "assessments:attachment-upload": [standard],
        "assessments:action-add": [standard],
        "assessments:attachment": [attachment],
        "assessments:attachment-remove": [attachment],
    }


# Views that export a table: fetched again as CSV and XLSX (surveys' `fmt` URLs are in the table).
EXPORT_VIEWS = {
    "actions:list",
    "assessments:cycle",
    "assessments:year-on-year",
    "audits:agency-list",
    "escalations:register",
    "indicators:dashboard",
    "indicators:exceptions",
    "indicators:indicator",
    "surveys:coding-themes",
    "surveys:results",
    "voice:list",
}


@dataclass
class Fetched:
    name: str
    path: str
    user: str
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes


def _routes() -> dict[str, str]:
    from tests.core.test_login_required import ALL_URLS

    return {name: route for name, route, _view in ALL_URLS}


def walk(sweep: Sweep) -> list[Fetched]:
    """GET every URL with real arguments, as the person who would look at it; export views also
    as CSV and XLSX."""
    from urllib.parse import urlencode

    from django.test import Client
    from django.urls import reverse

    clients = {who: _signed_in(sweep.users[who]) for who in ("admin", "lead", "auditor", "analyst")}
    clients["anonymous"] = Client()
    fetched = []
    table = url_kwargs(sweep)
    for name, route in sorted(_routes().items()):
        if name in NOT_WALKED:
            continue
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        # A URL missing from the table is not walked: test_every_url_is_walked_… names it.
        for arguments in table.get(name, []):
            kwargs = {k: v for k, v in arguments.items() if k in params}
            query = {k: v for k, v in arguments.items() if k not in params and k != "_as"}
            path = reverse(name, kwargs=kwargs)
            who = "anonymous" if name in ANONYMOUS else AS_USER.get(name, "admin")
            who = arguments.get("_as", who)
            extra = {}
            if name.startswith("api:"):
                who = "anonymous"
                extra["HTTP_AUTHORIZATION"] = f"Bearer {sweep.ids['api_key']}"
            formats = [None, "csv", "xlsx"] if name in EXPORT_VIEWS else [None]
            for fmt in formats:
                full = path
                asked = {**query, **({"format": fmt} if fmt else {})}
                if asked:
                    full += "?" + urlencode(asked)
                response = clients[who].get(full, **extra)
                fetched.append(
                    Fetched(
                        name=name,
                        path=full,
                        user=who,
                        status=response.status_code,
                        content_type=response.get("Content-Type", ""),
                        headers=dict(response.items()),
                        body=b"".join(response)
                        if getattr(response, "streaming", False)
                        else response.content,
                    )
                )
    return fetched


# --- files ---------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?%?$")


def check_csv(data: bytes) -> tuple[list[str], set[str]]:
    """No cell a spreadsheet would run: text starting like a formula is neutralised."""
    import csv

    problems, text = [], []
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        for cell in row:
            text.append(cell)
            if cell.startswith(FORMULA_START) and not NUMBER.match(cell):
                problems.append(f"CSV cell would run as a formula: {cell[:60]!r}")
    return problems, tags_in(" ".join(text))


def check_xlsx(data: bytes) -> tuple[list[str], set[str]]:
    """No formula cells; text cells that start like a formula are neutralised."""
    from openpyxl import load_workbook

    problems, text = [], []
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"XLSX formula cell {cell.coordinate}: {cell.value!r:.60}")
                elif isinstance(cell.value, str):
                    text.append(cell.value)
                    if cell.data_type != "s" or cell.value.startswith(FORMULA_START):
                        problems.append(f"XLSX cell {cell.coordinate}: {cell.value!r:.60}")
    return problems, tags_in(" ".join(text))


def pdf_text(data: bytes, tmp_path: Any) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    result = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        ["/usr/bin/pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def check_pdf(data: bytes, tmp_path: Any) -> tuple[list[str], set[str]]:
    """The payloads are the PDF's text, as typed; it has no script, and links only to the
    site's own pages."""
    problems = []
    text = pdf_text(data, tmp_path)
    squashed = squash(text)
    for literal in (SCRIPT, IMG, TEXTAREA, TEMPLATE, TEMPLATE_TAG, CDATA, SPECIALS):
        if squash(literal) not in squashed:
            problems.append(f"{literal!r} is not in the PDF's text")
    # Actions are names in the PDF's objects; the bytes of compressed streams (fonts, images)
    # can hold "/JS" by chance, so streams are left out and only whole names count.
    objects = PDF_STREAM.sub(b"stream endstream", data)
    for marker in (b"/JavaScript", b"/JS", b"/Launch", b"/SubmitForm", b"/ImportData"):
        if re.search(re.escape(marker) + rb"(?![A-Za-z0-9#_.-])", objects):
            problems.append(f"{marker.decode()} in the PDF")
    path = tmp_path / "document.pdf"
    urls = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        ["/usr/bin/pdfinfo", "-url", str(path)], capture_output=True, check=True
    ).stdout.decode()
    for line in urls.splitlines()[1:]:
        url = line.split()[-1]
        if not url.startswith("http://testserver/"):
            problems.append(f"PDF links to {url!r}")
    return problems, tags_in(text)


def check_docx(data: bytes) -> tuple[list[str], set[str]]:
    """The payloads are the document's text, as typed: no fields but the table of contents,
    no elements from the payloads, links only to the site's own pages."""
    from docx import Document
    from lxml import etree

    problems, text = [], []
    document = Document(io.BytesIO(data))
    for part in document.part.package.iter_parts():
        if not part.partname.endswith(".xml"):
            continue
        root = etree.fromstring(part.blob)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            namespace, _, local = element.tag.rpartition("}")
            if not namespace and part.content_type.endswith("document.main+xml"):
                problems.append(f"<{local}> element without a namespace in the document")
            if local in {"script", "x", "img", "svg", "textarea"}:
                problems.append(f"<{local}> element in {part.partname}")
            if local == "fldSimple":
                instruction = element.get(f"{{{W_NS}}}instr", "")
                if instruction.split()[:1] != ["TOC"]:
                    problems.append(f"field {instruction!r} in {part.partname}")
            if local == "instrText" and (element.text or "").split()[:1] != ["TOC"]:
                problems.append(f"field {element.text!r} in {part.partname}")
            if local in {"t", "instrText"} or local.endswith("descr"):
                text.append(element.text or "")
            for name, value in element.attrib.items():
                if name.rpartition("}")[2] in {"descr", "title"}:
                    text.append(value)
        for relationship in part.rels.values():
            if relationship.is_external and not relationship.target_ref.startswith(
                "http://testserver/"
            ):
                problems.append(f"link to {relationship.target_ref!r}")
    joined = " ".join(text)
    squashed = squash(joined)
    for literal in (SCRIPT, IMG, TEXTAREA, TEMPLATE, TEMPLATE_TAG, CDATA, SPECIALS):
        if squash(literal) not in squashed:
            problems.append(f"{literal!r} is not in the document's text")
    return problems, tags_in(joined)


# --- the fixture ---------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


@dataclass
class Swept:
    sweep: Sweep
    fetched: list[Fetched]
    logged: list[str]

    def of(self, *content_types: str) -> list[Fetched]:
        return [f for f in self.fetched if f.content_type.startswith(content_types)]


@pytest.fixture(scope="module")
def swept(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Every record stored with payloads and every page fetched, once for the module; the
    database is emptied after it (each test's own changes are rolled back as usual)."""
    from django.core.cache import cache
    from django.core.management import call_command

    collect = _Collect()
    loggers = [logging.getLogger(name) for name in ("paqa.core.documents", "weasyprint")]
    for logger in loggers:
        logger.addHandler(collect)
    try:
        with django_db_blocker.unblock():
            cache.clear()
            sweep = build_sweep()
            fetched = walk(sweep)
        yield Swept(sweep=sweep, fetched=fetched, logged=collect.messages)
    finally:
        for logger in loggers:
            logger.removeHandler(collect)
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()


# --- the tests -----------------------------------------------------------------------------------

# Every test may touch the database (which also makes pytest-django set up the test database
# for the module's fixture, whichever tests are selected).
pytestmark = pytest.mark.django_db


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {', '.join(found)}" for where, found in problems.items())


def test_the_checks_catch_what_they_look_for():
    """The checks are not vacuous: each finds the thing it looks for."""
    bad_page = (
        "<p><script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)></svg>"
        '<a href=" javascript:alert(1)">x</a><a href="/\\evil.example/">y</a><x></x>'
        "<textarea></textarea><svg onload=alert(1)></p>"
    )
    problems = check_html(bad_page).problems
    for expected in (
        "raw '<script>alert(1)</script>'",
        "inline or foreign <script",
        "<img src=x>",
        "onerror=...",
        "onload=...",
        "javascript:alert(1)",
        "leaves the site",
        "<x> element",
    ):
        assert any(expected in problem for problem in problems), (expected, problems)
    assert check_html("<p>&lt;script&gt;alert(1)&lt;/script&gt; ZQ001Q</p>").problems == []
    assert check_html("<p>ZQ001Q</p>").tags == {"ZQ001Q"}
    assert check_csv(b"a,=1+2\r\n")[0]
    assert check_csv(b"a,-12.5,'=1+2\r\n")[0] == []
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert check_svg(svg)[0]
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text onclick="x">a</text></svg>'
    assert check_svg(svg)[0]

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["=1+2", "+1", "ok"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(check_xlsx(buffer.getvalue())[0]) == 2


def test_every_url_is_walked_with_real_arguments(swept, db):
    """A new URL must be added to `url_kwargs` (or to NOT_WALKED, saying why)."""
    routes = set(_routes())
    table = set(url_kwargs(swept.sweep))
    assert routes - table - set(NOT_WALKED) == set(), "add these URLs to url_kwargs"
    assert table - routes == set(), "these URLs no longer exist"
    walked = {f.name for f in swept.fetched}
    assert routes - walked == set(NOT_WALKED)


def test_every_export_view_is_fetched_as_csv_and_xlsx():
    """A view that answers ?format= (or takes a format in its address) is in EXPORT_VIEWS."""
    import inspect

    from tests.core.test_login_required import ALL_URLS

    exporting = {
        name
        for name, route, view in ALL_URLS
        if 'GET.get("format")' in inspect.getsource(inspect.unwrap(view))
    }
    assert exporting == EXPORT_VIEWS
    routes = _routes()
    assert routes["surveys:results-responses"].endswith(".<str:fmt>")
    assert routes["surveys:results-themes"].endswith(".<str:fmt>")


def test_no_page_runs_or_interprets_a_payload(swept):
    problems: dict[str, list[str]] = {}
    values = swept.sweep.payloads.values
    for page in swept.fetched:
        where = f"{page.path} ({page.name}, as {page.user}, {page.status})"
        found = []
        if page.status >= 500:
            found.append("server error")
        if page.headers.get("X-Content-Type-Options") != "nosniff":
            found.append("no X-Content-Type-Options: nosniff")
        if page.content_type.startswith("text/html"):
            if "script-src" not in page.headers.get("Content-Security-Policy", ""):
                found.append("no Content-Security-Policy")
            report = check_html(page.body.decode("utf-8"))
            found += report.problems
            squashed = squash(report.text)
            shown = [values[tag] for tag in report.tags if tag in values]
            # Template syntax in stored text stays text: Django never renders it again.
            for literal in (TEMPLATE, TEMPLATE_TAG):
                if any(literal in value for value in shown) and squash(literal) not in squashed:
                    found.append(f"{literal!r} is not shown as typed")
            if "sql_queries" in report.text:
                found.append("{% debug %} output")
        if found:
            problems[where] = found
    assert problems == {}, _report(problems)


def test_charts_on_pages_are_inert(swept):
    """Every chart and sparkline a page shows (an SVG in an <img> data URI) holds nothing that
    runs, loads or links; the hostile names on them are text."""
    problems: dict[str, list[str]] = {}
    charts = 0
    tags: set[str] = set()
    for page in swept.of("text/html"):
        for uri in check_html(page.body.decode("utf-8")).svg_images:
            charts += 1
            found, seen = check_svg(svg_from_data_uri(uri))
            tags |= seen
            if found:
                problems[page.path] = found
    assert problems == {}, _report(problems)
    assert charts >= 5
    labels = {swept.sweep.payloads.fields[tag] for tag in tags}
    for label in ("Area.name (home)", "Indicator.name (cla)", "Survey option (chart category 1)"):
        assert label in labels, sorted(labels)


def test_csv_and_xlsx_exports_neutralise_formulas(swept):
    problems: dict[str, list[str]] = {}
    tags: set[str] = set()
    exports = swept.of("text/csv", XLSX)
    for export in exports:
        check = check_csv if export.content_type.startswith("text/csv") else check_xlsx
        found, seen = check(export.body)
        tags |= seen
        if export.status != 200:
            found.append(f"status {export.status}")
        if found:
            problems[export.path] = found
    assert problems == {}, _report(problems)
    assert (
        len(exports)
        == 2 * len([f for f in swept.fetched if f.name in EXPORT_VIEWS and "format=" not in f.path])
        + 8
    )
    assert len(tags) >= 40, sorted(swept.sweep.payloads.fields[tag] for tag in tags)


def test_pdfs_show_payloads_as_text(swept, tmp_path):
    """The return, the learning brief and the annual report: each payload is the PDF's text,
    as typed; no script, no links off the site; WeasyPrint was asked to fetch nothing."""
    fields = swept.sweep.payloads.fields
    pdfs = {f.name: f for f in swept.of("application/pdf")}
    assert set(pdfs) == {"assessments:pdf", "audits:brief-pdf", "reports:export-download"}
    expected = {
        "assessments:pdf": ["Answer.evidence", "Answer.challenge", "Answer.response"],
        "audits:brief-pdf": ["Audit.terms_of_reference (2018-19)", "Finding.text", "Audit.theme"],
        "reports:export-download": [
            "Report.title",
            "ReportSection.narrative (introduction)",
            "ReportSection.impact (data)",
            "KeyMessage.text",
            "VoiceRecord.quote (their words)",
            "Escalation.title",
            "Area.name (home)",
        ],
    }
    for name, pdf in pdfs.items():
        problems, tags = check_pdf(pdf.body, tmp_path)
        assert problems == [], (name, problems)
        labels = " | ".join(fields[tag] for tag in tags)
        for label in expected[name]:
            assert label in labels, (name, label, labels)
    assert swept.logged == []


def test_word_documents_show_payloads_as_text(swept):
    """The learning brief and the annual report in Word: payloads are text, as typed; the only
    field is the report's table of contents; links stay on the site."""
    fields = swept.sweep.payloads.fields
    documents = {f.name: f for f in swept.of(DOCX)}
    assert set(documents) == {"audits:brief-docx", "reports:export-download"}
    expected = {
        "audits:brief-docx": ["Audit.terms_of_reference (2018-19)", "Finding.text", "Action.title"],
        "reports:export-download": [
            "Report.title",
            "ReportSection.narrative (introduction)",
            "ReportSection.impact (data)",
            "KeyMessage.text",
            "VoiceRecord.quote (their words)",
            "Escalation.title",
            "Area.name (home)",
        ],
    }
    for name, document in documents.items():
        problems, tags = check_docx(document.body)
        assert problems == [], (name, problems)
        labels = " | ".join(fields[tag] for tag in tags)
        for label in expected[name]:
            assert label in labels, (name, label, labels)


def test_every_field_reaches_a_page_or_a_file(swept, tmp_path):
    """The sweep is only as good as its coverage: each stored payload was seen somewhere."""
    seen: set[str] = set()
    for page in swept.of("text/html"):
        seen |= check_html(page.body.decode("utf-8")).tags
    for export in swept.of("text/csv"):
        seen |= check_csv(export.body)[1]
    for export in swept.of(XLSX):
        seen |= check_xlsx(export.body)[1]
    for document in swept.of(DOCX):
        seen |= check_docx(document.body)[1]
    for pdf in swept.of("application/pdf"):
        seen |= check_pdf(pdf.body, tmp_path)[1]
    fields = swept.sweep.payloads.fields
    unseen = {tag: fields[tag] for tag in fields if tag not in seen}
    assert unseen == swept.sweep.not_shown, unseen


def test_export_cells_neutralise_every_payload():
    """Each payload as a cell, as it is (services strip the tab or CR in front of a stored
    formula, so only here do those reach an export with it): formulas become text; an XLSX
    cell loses the control characters XML cannot hold, and still cannot become a formula."""
    from paqa.core.exports import csv_response, xlsx_bytes

    rows = [[payload, f"{CONTROLS}=1+2", 42, -1.5] for payload in CORPUS]
    csv_problems, _tags = check_csv(csv_response("sweep", ["Payload", "B", "C", "D"], rows).content)
    assert csv_problems == []
    data = xlsx_bytes("sweep", ["Payload", "B", "C", "D"], rows)
    assert check_xlsx(data)[0] == []

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row for row in sheet.iter_rows(min_row=2, values_only=True)]  # type: ignore[union-attr]
    for payload, (text, control, number, negative) in zip(CORPUS, cells, strict=True):
        if payload.startswith(FORMULA_START):
            assert text == "'" + payload, (payload, text)
        # DEL and C1 controls are XML, kept; "=" is not first, so it is no formula.
        assert control == "\x7f\x9f=1+2", control
        assert (number, negative) == (42, -1.5)


def test_charts_keep_hostile_text_as_text():
    """Titles, descriptions, axis titles, series names, categories, periods and target labels
    of every chart kind: the SVG (and its data URI) holds no script, handler or link, the text
    is there (escaped), and the PNG still renders."""
    from paqa.core.charts import ChartSeries, bar_chart, describe_bars, describe_trend, trend_chart

    def hostile(name: str) -> str:
        return (
            f"{DDE} {name} {SCRIPT} {IMG} {TEXTAREA} {TEMPLATE} {CDATA} {SPECIALS} {RLO}{CONTROLS}"
        )

    series = [
        ChartSeries(hostile("ZQ901Q"), [(hostile("ZQ902Q"), 1.0), ("2019", 3.0)]),
        ChartSeries(hostile("ZQ903Q"), [(hostile("ZQ902Q"), 2.0), ("2019", 1.0)]),
    ]
    trend = trend_chart(
        title=hostile("ZQ904Q"),
        description=describe_trend(series) + hostile("ZQ905Q"),
        y_title=hostile("ZQ906Q"),
        x_title=hostile("ZQ907Q"),
        series=series,
        target=2.0,
        target_label=hostile("ZQ908Q"),
    )
    categories = [hostile("ZQ909Q"), hostile("ZQ910Q")]
    bars = [
        ChartSeries(hostile("ZQ911Q"), [(categories[0], 1.0), (categories[1], 4.0)]),
        ChartSeries(hostile("ZQ912Q"), [(categories[0], 2.0), (hostile("ZQ913Q"), 1.0)]),
    ]
    grouped = bar_chart(
        title=hostile("ZQ914Q"),
        description=describe_bars(categories, bars),
        y_title=hostile("ZQ915Q"),
        x_title=hostile("ZQ916Q"),
        categories=categories,
        series=bars,
    )
    stacked = bar_chart(
        title=hostile("ZQ917Q"),
        description=hostile("ZQ918Q"),
        y_title="Cases",
        categories=categories,
        series=bars,
        stacked=True,
    )
    expected = [
        (trend, {f"ZQ9{n:02d}Q" for n in (1, 2, 3, 4, 5, 6, 7, 8)}),
        (grouped, {f"ZQ9{n:02d}Q" for n in (9, 10, 11, 12, 13, 14, 15, 16)}),
        (stacked, {f"ZQ9{n:02d}Q" for n in (9, 10, 11, 12, 13, 17, 18)}),
    ]
    for chart, tags in expected:
        for svg in (chart.svg, svg_from_data_uri(chart.data_uri)):
            problems, seen = check_svg(svg)
            assert problems == [], problems
            assert tags <= seen, tags - seen
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
            assert not any(control in svg for control in CONTROLS)
        assert chart.png(scale=1).startswith(b"\x89PNG\r\n\x1a\n")


def test_forms_refuse_typed_nul(cast, client_for):
    """Text typed into a form cannot carry NUL (PostgreSQL could not store it): the form says
    so and nothing is saved."""
    from paqa.themes.models import KeyMessage

    response = client_for(cast.paqa_member).post(
        "/themes/2030-31/key-messages/new/",
        {"title": f"Message {NUL} {SCRIPT}", "text": "Text", "themes": ["training"]},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert check_html(response.content.decode()).problems == []
    assert not KeyMessage.objects.filter(year="2030-31").exists()


class FormParser(HTMLParser):
    """The POST forms of a page: their action and fields (tag, type, name, value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(
                {"method": values.get("method", "get").lower(), "action": values.get("action")}
            )
            self.forms[-1]["fields"] = []
        elif tag in {"input", "textarea", "select"} and self.forms and values.get("name"):
            self.forms[-1]["fields"].append(
                (tag, values.get("type", "text").lower(), values["name"], values.get("value", ""))
            )


TYPED = {"text", "email", "search", "tel", "url", "number"}


def test_forms_show_posted_payloads_back_as_text(swept, db):
    """Every form the walk met, posted with a payload in each typed field (choices left out,
    so most are refused and shown again with what was typed): nothing runs, nothing fails.
    Forms that accept the post store the payloads (rolled back after the test)."""
    from django.test import Client

    clients = {who: _signed_in(swept.sweep.users[who]) for who in ("admin", "lead", "auditor")}
    clients["anonymous"] = Client()
    payloads = Payloads()
    problems: dict[str, list[str]] = {}
    posted = 0
    statuses: dict[int, int] = {}
    for page in swept.of("text/html"):
        if page.status != 200:
            continue
        parser = FormParser()
        parser.feed(page.body.decode("utf-8"))
        for form in parser.forms:
            fields = form["fields"]
            if form["method"] != "post" or not any(
                tag == "textarea" or kind in TYPED for tag, kind, _name, _value in fields
            ):
                continue
            data = {}
            for tag, kind, name, value in fields:
                if tag == "textarea" or (tag == "input" and kind in TYPED):
                    data[name] = payloads(f"{page.name} {name}", 500, nul=False)
                elif tag == "input" and kind == "hidden":
                    data[name] = value
            response = clients[page.user].post(form["action"] or page.path, data)
            posted += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            found = [f"status {response.status_code}"] if response.status_code >= 500 else []
            if response.get("Content-Type", "").startswith("text/html"):
                found += check_html(response.content.decode("utf-8")).problems
            if found:
                problems[f"POST {form['action'] or page.path} ({page.name})"] = found
    assert problems == {}, _report(problems)
    assert posted >= 40
    assert statuses.get(200, 0) >= 30, statuses  # forms shown again with what was typed


LONGEST = ("Longest allowed name " * 10)[:200]


def _finding_action(cast: Any) -> Any:
    from paqa.audits import services
    from paqa.audits.packs import audit_tool_load

    audit = services.audit_create(
        title=LONGEST,
        theme="strategy meetings",
        year=YEAR,
        terms_of_reference="To learn",
        key_lines_of_enquiry="Was risk shared?",
        period_start=date(2018, 4, 1),
        period_end=date(2019, 3, 31),
        tool=audit_tool_load(),
        lead=cast.paqa_member,
        organisations=[cast.agency],
        themes=[],
        actor=cast.paqa_member,
    )
    finding = services.finding_add(
        audit=audit, kind="development", text=LONGEST, actor=cast.paqa_member
    )
    return services.finding_action(
        finding=finding,
        owner_organisation=cast.agency,
        title="Start chronologies at the first meeting",
        owner_name="Pat",
        due_date=date(2019, 6, 1),
        actor=cast.paqa_member,
    )


def _agency_audit_action(cast: Any) -> Any:
    from paqa.actions.services import action_create
    from paqa.audits import agency_services
    from paqa.partnership.services import organisation_update, service_create

    organisation_update(
        organisation=cast.agency, actor=cast.admin, name=LONGEST, kind=cast.agency.kind
    )
    service = service_create(organisation=cast.agency, actor=cast.admin, name=LONGEST)
    agency_audit = agency_services.agency_audit_create(
        organisation=cast.agency,
        service=service,
        year=YEAR,
        topic=LONGEST,
        audit_date=date(2019, 2, 15),
        sample_size=1,
        grade_counts={"outstanding": 0, "good": 1, "requires-improvement": 0, "inadequate": 0},
        strengths="Strong",
        areas_for_development="Chronologies",
        themes=[],
        actor=cast.agency_lead,
    )
    # As the agency audit's "Add action" view raises it.
    return action_create(
        owner_organisation=cast.agency,
        title="Record the child's views",
        owner_name="Lee",
        due_date=date(2019, 6, 1),
        source_key=agency_audit.action_source_key,
        source_label=agency_services.agency_audit_label(agency_audit),
        source_url=f"/audits/agency-returns/{agency_audit.pk}/",
        actor=cast.agency_lead,
    )


@pytest.mark.parametrize("raise_action", [_finding_action, _agency_audit_action])
def test_an_action_can_be_raised_from_records_with_the_longest_names(cast, raise_action):
    action = raise_action(cast)
    assert len(action.source_label) <= 300
