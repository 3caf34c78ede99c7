"""Demonstration audits for 2018-19: the reference report's three multi-agency audits and the
single-agency audits of ten services within seven agencies. And this year's work in progress:
a multi-agency audit collecting its case sections (Ade Auditor's Oxford Health sections among
them, due in ten days) and Thames Valley Police's own audits, one a draft, one waiting for the
partnership's review.

The 2018-19 audits' themes, findings and cross-cutting themes follow the report; cases, grades
and answers are made up, and everything this year's work holds is made up: all of it is
labelled as demonstration data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.audits.agency_forms import current_year
from paqa.audits.agency_services import agency_audit_create, agency_audit_submit
from paqa.audits.models import AgencyAudit, Audit, AuditTool, CaseSection, Domain, Question
from paqa.audits.packs import audit_tool_load
from paqa.audits.services import (
    audit_advance,
    audit_create,
    case_add,
    finding_add,
    grade_record,
    section_assign,
    section_save,
    section_submit,
)
from paqa.partnership.demo import BUSINESS_UNIT
from paqa.partnership.models import Partnership

DEMO = "Demonstration: "


@dataclass(frozen=True)
class DemoAudit:
    title: str
    theme: str
    agencies: list[str]
    grades: list[str]
    findings: list[tuple[str, str, list[str]]]


AUDITS_DATA: list[dict[str, Any]] = [
    {
        "title": "Strategy meetings",
        "theme": "strategy meetings",
        "agencies": [
            "Oxfordshire County Council Children's Services",
            "Thames Valley Police",
            "Oxford Health NHS Foundation Trust",
            "Oxfordshire County Council Education",
        ],
        "grades": [
            "good",
            "good",
            "requires-improvement",
            "good",
            "requires-improvement",
            "outstanding",
        ],
        "findings": [
            (
                "strength",
                "Strategy meetings were held promptly when a child was at risk of "
                "significant harm.",
                ["working-together"],
            ),
            (
                "development",
                "Not every partner agency understood its duties under Working Together "
                "2018 in strategy discussions.",
                ["working-together"],
            ),
            (
                "development",
                "Information held by health and schools was not always shared before the meeting.",
                ["information-sharing"],
            ),
            (
                "development",
                "A multi-agency chronology would have shown what life was like for the child.",
                ["multi-agency-chronologies"],
            ),
        ],
    },
    {
        "title": "Young people who engage in harmful behaviour",
        "theme": "young people who engage in harmful behaviour",
        "agencies": [
            "Oxfordshire County Council Children's Services",
            "Thames Valley Police",
            "Oxford Health NHS Foundation Trust",
            "Cherwell District Council",
        ],
        "grades": [
            "requires-improvement",
            "good",
            "requires-improvement",
            "good",
            "inadequate",
            "good",
        ],
        "findings": [
            (
                "strength",
                "Practitioners built trusting relationships with the young people.",
                ["voice-of-the-child"],
            ),
            (
                "development",
                "Agencies' separate records were not brought together in a "
                "multi-agency chronology.",
                ["multi-agency-chronologies"],
            ),
            (
                "development",
                "Information sharing between police and schools was slow.",
                ["information-sharing"],
            ),
            (
                "development",
                "Key partners did not always see their part under Working Together "
                "2018 for young people who harm others.",
                ["working-together"],
            ),
        ],
    },
    {
        "title": "Safeguarding when interpreting",
        "theme": "safeguarding when interpreting",
        "agencies": [
            "Oxfordshire County Council Children's Services",
            "Oxford University Hospitals NHS Foundation Trust",
            "Oxford Health NHS Foundation Trust",
            "Thames Valley Police",
        ],
        "grades": ["good", "requires-improvement", "good", "good", "requires-improvement", "good"],
        "findings": [
            (
                "strength",
                "Professional interpreters were used in most contacts.",
                ["voice-of-the-child"],
            ),
            (
                "development",
                "Family members were sometimes used to interpret, so children's own "
                "views were not heard.",
                ["voice-of-the-child", "think-family"],
            ),
            (
                "development",
                "Information about a family's language needs was not shared between agencies.",
                ["information-sharing"],
            ),
        ],
    },
]

# Ten services within seven agencies: (agency, service, topic, sample, grades O/G/RI/I, themes)
AGENCY_AUDITS = [
    (
        "Oxfordshire County Council Children's Services",
        "Children's social care",
        "Quality of child in need plans",
        20,
        (2, 11, 6, 1),
        ["think-family", "voice-of-the-child"],
    ),
    (
        "Oxfordshire County Council Children's Services",
        "Early help (locality and community support)",
        "Early help assessments",
        15,
        (1, 9, 5, 0),
        ["multi-agency-chronologies", "think-family"],
    ),
    (
        "Thames Valley Police",
        "Protecting vulnerable people",
        "Child abuse investigations",
        12,
        (1, 7, 4, 0),
        ["information-sharing", "voice-of-the-child"],
    ),
    (
        "Thames Valley Police",
        "Child exploitation (Kingfisher team)",
        "Missing episodes and return interviews",
        10,
        (0, 6, 4, 0),
        ["co-ordinated-work", "information-sharing"],
    ),
    (
        "Oxford Health NHS Foundation Trust",
        "Child and Adolescent Mental Health Services (CAMHS)",
        "Safeguarding in CAMHS records",
        15,
        (1, 8, 6, 0),
        ["voice-of-the-child", "think-family"],
    ),
    (
        "Oxford Health NHS Foundation Trust",
        "Health visiting and school health nursing",
        "Think family in health visiting",
        20,
        (2, 12, 6, 0),
        ["think-family", "multi-agency-chronologies"],
    ),
    (
        "Oxford University Hospitals NHS Foundation Trust",
        "Children's hospital and emergency department",
        "Safeguarding referrals from the emergency department",
        25,
        (3, 15, 7, 0),
        ["information-sharing", "co-ordinated-work"],
    ),
    (
        "Oxfordshire Clinical Commissioning Group",
        "Designated safeguarding professionals",
        "GP safeguarding practice",
        10,
        (1, 6, 3, 0),
        ["think-family", "information-sharing"],
    ),
    (
        "Cherwell District Council",
        "Housing and homelessness",
        "Safeguarding in homelessness assessments",
        10,
        (0, 5, 4, 1),
        ["think-family", "co-ordinated-work"],
    ),
    (
        "Oxfordshire County Council Education",
        "Education safeguarding team",
        "Schools' safeguarding records",
        12,
        (1, 8, 3, 0),
        ["voice-of-the-child", "multi-agency-chronologies"],
    ),
]
AUDITS = [DemoAudit(**entry) for entry in AUDITS_DATA]
GRADE_CODES = ("outstanding", "good", "requires-improvement", "inadequate")


@transaction.atomic
def demo_audits_load(*, partnership: Partnership) -> None:
    """Load the demonstration audits once; running it again adds nothing."""
    tool = audit_tool_load()
    if not Audit.objects.filter(year="2018-19").exists():
        _reference_year_load(partnership=partnership, tool=tool)
    if not Audit.objects.filter(title=TODAY_TITLE).exists():
        _this_year_load(partnership=partnership, tool=tool)


def _reference_year_load(*, partnership: Partnership, tool: AuditTool) -> None:
    """The reference report's year: its audits, taken through every stage, and its returns."""
    lead = User.objects.get(email="paqa@demo.example")
    organisations = {o.name: o for o in partnership.organisations.exclude(name=BUSINESS_UNIT)}
    domains = {domain.code: domain for domain in Domain.objects.filter(tool=tool)}
    now = timezone.now()
    for number, entry in enumerate(AUDITS):
        audit = audit_create(
            title=entry.title,
            theme=entry.theme,
            year="2018-19",
            terms_of_reference=DEMO + f"To learn how well agencies work together on {entry.theme}.",
            key_lines_of_enquiry=DEMO
            + "Was risk recognised and shared? Was the child's voice heard? "
            "Did agencies work together?",
            period_start=date(2018, 1, 1),
            period_end=date(2018, 12, 31),
            tool=tool,
            lead=lead,
            organisations=[organisations[name] for name in entry.agencies],
            themes=sorted({theme for _, _, themes in entry.findings for theme in themes}),
            actor=lead,
        )
        # Each audit goes through its stages as a lead would take it: cases are chosen while
        # collecting, every organisation submits its sections, the meeting grades each case.
        audit_advance(audit=audit, actor=lead)  # collecting
        cases = []
        for index in range(len(entry.grades)):
            case = case_add(
                audit=audit,
                actor=lead,
                lead_organisation=organisations[entry.agencies[0]],
                age_band=["1-4", "5-9", "10-15", "16-17", "10-15", "5-9"][index],
                legal_status="Child protection plan" if index % 2 else "Child in need",
            )
            CaseSection.objects.filter(case=case).update(
                status=CaseSection.Status.SUBMITTED,
                summary=DEMO
                + "Our agency's records of this case were reviewed against the audit tool.",
                submitted_at=now,
            )
            cases.append(case)
        audit_advance(audit=audit, actor=lead)  # the audit meeting
        for case, grade in zip(cases, entry.grades, strict=True):
            grade_record(case=case, domain=domains["overall"], grade=grade, actor=lead)
        for kind, text, themes in entry.findings:
            finding_add(
                audit=audit, kind=kind, text=text, themes=themes, cases=cases[:3], actor=lead
            )
        audit_advance(audit=audit, actor=lead)  # reporting
        if number < 2:
            audit_advance(audit=audit, actor=lead)  # complete
    scale = tool.scale
    services = {
        (service.organisation.name, service.name): service
        for organisation in organisations.values()
        for service in organisation.services.select_related("organisation")
    }
    for agency, service, topic, sample, counts, themes in AGENCY_AUDITS:
        AgencyAudit.objects.create(
            organisation=organisations[agency],
            service=services[(agency, service)],
            year="2018-19",
            topic=topic,
            audit_date=date(2019, 2, 15),
            sample_size=sample,
            scale=scale,
            grade_counts=dict(zip(GRADE_CODES, counts, strict=True)),
            strengths=DEMO + "Agencies are focused on getting core safeguarding business right.",
            areas_for_development=DEMO + "Better evidence of children's views in every case; "
            "think family; multi-agency chronologies and information sharing.",
            themes=themes,
            status=AgencyAudit.Status.REVIEWED,
            submitted_at=now,
        )


# This year's work in progress ------------------------------------------------------------------

TODAY_TITLE = "Neglect: older children (demonstration)"
TODAY_LEAD_ORGANISATION = "Oxfordshire County Council Children's Services"
HEALTH = "Oxford Health NHS Foundation Trust"
POLICE = "Thames Valley Police"
EDUCATION = "Oxfordshire County Council Education"
#: Which cases (by number) each organisation has submitted its section of; the rest are drafts.
SUBMITTED_SECTIONS = {
    TODAY_LEAD_ORGANISATION: {0, 1, 2, 3},
    POLICE: {0, 1, 2},
    EDUCATION: {0, 1},
    HEALTH: set(),
}
TODAY_CASES = [
    ("10-15", "Child in need"),
    ("16-17", "Child protection plan"),
    ("10-15", "Child protection plan"),
    ("16-17", "Child in need"),
]
SECTIONS_DUE_IN_DAYS = 10
#: Thames Valley Police's own audits this year: (service, topic, sample, grades O/G/RI/I,
#: themes, submitted?)
TODAY_AGENCY_AUDITS = [
    (
        "Protecting vulnerable people",
        "Neglect of older children in police referrals (demonstration)",
        8,
        (0, 5, 3, 0),
        ["neglect", "information-sharing"],
        False,
    ),
    (
        "Child exploitation (Kingfisher team)",
        "Return interviews after missing episodes (demonstration)",
        10,
        (1, 6, 3, 0),
        ["exploitation", "voice-of-the-child"],
        True,
    ),
]


def _demo_answers(questions: list[Question], number: int) -> dict[str, str]:
    """Made-up answers to the tool's choice questions (free-text ones left for the summary)."""
    answers = {}
    for index, question in enumerate(questions):
        if question.answer_type == Question.AnswerType.YES_NO:
            answers[f"q{question.pk}"] = "yes" if (index + number) % 3 else "no"
        elif question.answer_type == Question.AnswerType.YES_NO_PARTLY:
            answers[f"q{question.pk}"] = ("yes", "partly", "no")[(index + number) % 3]
    return answers


def _this_year_load(*, partnership: Partnership, tool: AuditTool) -> None:
    """A multi-agency audit collecting this reporting year's sections, and Thames Valley
    Police's own audits for the year: what people's worklists show today. The reference year's
    figures are untouched (it is another year)."""
    today = timezone.localdate()
    year = current_year()
    first = int(year[:4])
    lead = User.objects.get(email="paqa@demo.example")
    auditor = User.objects.get(email="auditor@demo.example")
    health_lead = User.objects.get(email="lead.health@demo.example")
    police_lead = User.objects.get(email="lead.police@demo.example")
    organisations = {o.name: o for o in partnership.organisations.exclude(name=BUSINESS_UNIT)}
    questions = list(Question.objects.filter(domain__tool=tool).order_by("domain__order", "order"))
    audit = audit_create(
        title=TODAY_TITLE,
        theme="neglect of older children",
        year=year,
        terms_of_reference=DEMO
        + "To learn how well agencies recognise and respond to neglect of children aged 10 to 17.",
        key_lines_of_enquiry=DEMO
        + "Was neglect recognised in older children? Were their own views heard? "
        "Did agencies share what they knew?",
        period_start=date(first - 1, 4, 1),
        period_end=date(first, 3, 31),
        tool=tool,
        lead=lead,
        organisations=[organisations[name] for name in SUBMITTED_SECTIONS],
        themes=["neglect", "voice-of-the-child"],
        actor=lead,
        sections_due=today + timedelta(days=SECTIONS_DUE_IN_DAYS),
    )
    audit_advance(audit=audit, actor=lead)  # collecting
    for number, (age_band, legal_status) in enumerate(TODAY_CASES):
        case = case_add(
            audit=audit,
            actor=lead,
            lead_organisation=organisations[TODAY_LEAD_ORGANISATION],
            age_band=age_band,
            legal_status=legal_status,
        )
        for section in case.sections.select_related("organisation"):
            name = section.organisation.name
            if name == HEALTH:
                # Ade Auditor's to complete; the first already started.
                section_assign(section=section, auditors=[auditor], actor=health_lead)
                if number == 0:
                    section_save(
                        section=section,
                        actor=auditor,
                        answers=_demo_answers(questions[:3], number),
                        summary="",
                        based_on_version=section.version,
                    )
                continue
            if number not in SUBMITTED_SECTIONS[name]:
                continue
            submitter = police_lead if name == POLICE else lead
            section = section_save(
                section=section,
                actor=submitter,
                answers=_demo_answers(questions, number),
                summary=DEMO
                + f"{name}'s records of this case were reviewed against the audit tool.",
                based_on_version=section.version,
            )
            section_submit(section=section, actor=submitter)

    services = {service.name: service for service in organisations[POLICE].services.all()}
    for service, topic, sample, counts, themes, submit in TODAY_AGENCY_AUDITS:
        agency_audit = agency_audit_create(
            organisation=organisations[POLICE],
            service=services[service],
            year=year,
            topic=topic,
            audit_date=today - timedelta(days=21),
            sample_size=sample,
            grade_counts=dict(zip(GRADE_CODES, counts, strict=True)),
            strengths=DEMO + "Officers recognised risk quickly and recorded what they saw.",
            areas_for_development=DEMO
            + "Older children's own views were not always recorded; referrals did not always "
            "say what other agencies knew.",
            themes=themes,
            actor=police_lead,
        )
        if submit:
            agency_audit_submit(agency_audit=agency_audit, actor=police_lead)
