"""Demonstration escalations: the four issues the reference report says were escalated in 2018-19.

The report names each concern and the agency it was escalated to; it gives no dates, responses,
ratings or outcomes. Those are made up, and the text says so ("Demonstration: ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from paqa.escalations import services
from paqa.escalations.models import Escalation
from paqa.partnership.models import Organisation, Partnership

YEAR = "2018-19"
DEMO = "Demonstration: "
DEMO_NOTE = (
    "\n\nDemonstration: the 2018-19 report names this concern and who owns it; the dates, "
    "response and rating recorded here are made up."
)
BOARD_CHAIR = "Independent Chair of the Oxfordshire Safeguarding Children Board"

Step = tuple[str, date, str]  # (what: update/response/assure/close/re-escalate, when, text)


@dataclass(frozen=True)
class DemoEscalation:
    title: str
    finding: str
    owner: str
    escalated_on: date
    response_due: date
    rag: str
    themes: list[str]
    evidence: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    reescalate_to: str = ""
    reescalate_due: date | None = None


DEMO_ESCALATIONS: list[DemoEscalation] = [
    DemoEscalation(
        title="Domestic abuse: pathways, MARAC, the child’s voice and Operation Encompass",
        finding=(
            "Escalated concerns about the response to children living with domestic abuse: use "
            "of the young people’s pathway; use of MARAC; police recording of children’s voice "
            "at domestic abuse incidents; and sign up to Operation Encompass."
        ),
        owner="Thames Valley Police",
        escalated_on=date(2018, 10, 15),
        response_due=date(2018, 12, 14),
        rag=Escalation.Rag.AMBER,
        themes=["domestic-abuse", "voice-of-the-child", "information-sharing"],
        evidence=["indicators.indicator:domestic-abuse-involving-children"],
        steps=[
            (
                "update",
                date(2018, 11, 20),
                DEMO + "The police lead met the partnership's domestic abuse co-ordinator; "
                "a briefing for response officers on recording what children say is drafted.",
            ),
            (
                "response",
                date(2018, 12, 10),
                DEMO + "Thames Valley Police has signed up to Operation Encompass, so schools "
                "hear of incidents by the next morning. Officers' body-worn video guidance now "
                "asks them to record the child's words; use of the young people's pathway and "
                "MARAC referrals will be reported to the PAQA subgroup each quarter.",
            ),
        ],
    ),
    DemoEscalation(
        title="Safeguarding in education: performance measures in and out of school",
        finding=(
            "The setting and reporting of performance measures was not enough for the board to "
            "be sure that children are kept safe in school and out of school."
        ),
        owner="Oxfordshire County Council Education",
        escalated_on=date(2018, 9, 24),
        response_due=date(2018, 11, 30),
        rag=Escalation.Rag.GREEN,
        themes=["education"],
        steps=[
            (
                "response",
                date(2018, 11, 26),
                DEMO + "Education will report reduced timetables, exclusions and elective home "
                "education to the PAQA subgroup each term, with targets agreed with schools.",
            ),
            (
                "assure",
                date(2019, 2, 18),
                DEMO + "The first termly report arrived on time with all three measures; the "
                "subgroup agreed the measures show whether children are safe out of school.",
            ),
            (
                "close",
                date(2019, 3, 25),
                DEMO + "Closed: the measures are now part of the partnership's data set and "
                "are reported every term.",
            ),
        ],
    ),
    DemoEscalation(
        title="Working together: attendance at and contribution to case conferences",
        finding=(
            "There was no reliable reporting on agencies' attendance at child protection "
            "conferences, or on their contribution (reports shared before the conference)."
        ),
        owner="Oxfordshire County Council Children's Services",
        escalated_on=date(2019, 1, 14),
        response_due=date(2019, 3, 29),
        rag=Escalation.Rag.RED,
        themes=["attendance-at-conferences", "working-together"],
        evidence=["indicators.indicator:conference-attendance-fathers"],
        steps=[
            (
                "update",
                date(2019, 3, 4),
                DEMO + "Children's Services is changing the conference record so attendance and "
                "reports can be counted by agency; no date for the first report yet.",
            ),
        ],
    ),
    DemoEscalation(
        title="Placements for children with complex mental health needs",
        finding=(
            "There are not enough placements for children with complex mental health needs, "
            "which delays their discharge from hospital."
        ),
        owner="Oxfordshire Clinical Commissioning Group",
        escalated_on=date(2018, 11, 5),
        response_due=date(2019, 1, 31),
        rag=Escalation.Rag.RED,
        themes=["mental-health"],
        evidence=["indicators.indicator:camhs-seen-12-weeks"],
        steps=[
            (
                "response",
                date(2019, 1, 28),
                DEMO + "The CCG is reviewing tier 4 commissioning with NHS England and the "
                "council; an interim bed-finding protocol is in place.",
            ),
        ],
        reescalate_to="Chair of the Oxfordshire Health and Wellbeing Board",
        reescalate_due=date(2019, 6, 28),
    ),
]


def _organisation(partnership: Partnership, name: str) -> Organisation:
    return Organisation.objects.get(partnership=partnership, name=name)


@transaction.atomic
def demo_escalations_load(*, partnership: Partnership | None = None) -> list[Escalation]:
    """The demo partnership's 2018-19 escalations. Safe to run again: it adds only what is
    missing (an escalation already there, by year and title, is left as it is)."""
    if partnership is None:
        from paqa.partnership.demo import demo_load

        partnership = demo_load()
    loaded = []
    for demo in DEMO_ESCALATIONS:
        existing = Escalation.objects.filter(year=YEAR, title=demo.title).first()
        if existing is not None:
            loaded.append(existing)
            continue
        escalation = services.escalation_raise(
            year=YEAR,
            title=demo.title,
            finding=demo.finding + DEMO_NOTE,
            escalated_to=BOARD_CHAIR,
            escalated_on=demo.escalated_on,
            owner_organisation=_organisation(partnership, demo.owner),
            response_due=demo.response_due,
            rag=demo.rag,
            themes=demo.themes,
            actor=None,
        )
        for key in demo.evidence:
            services.evidence_link_add(
                escalation=escalation,
                key=key,
                note="Demonstration: the figures behind the concern",
                actor=None,
            )
        for what, when, text in demo.steps:
            if what == "update":
                services.escalation_update(escalation=escalation, actor=None, date=when, text=text)
            elif what == "response":
                services.response_record(escalation=escalation, actor=None, date=when, text=text)
            elif what == "assure":
                services.escalation_assure(escalation=escalation, actor=None, date=when, text=text)
            elif what == "close":
                services.escalation_close(
                    escalation=escalation, actor=None, date=when, outcome=text
                )
        if demo.reescalate_to and demo.reescalate_due:
            services.escalation_reescalate(
                escalation=escalation,
                actor=None,
                date=date(2019, 3, 18),
                reason=DEMO + "The response set out no date by which placements would be "
                "found, and two children waited over six weeks for discharge in February.",
                escalated_to=demo.reescalate_to,
                response_due=demo.reescalate_due,
            )
        loaded.append(escalation)
    return loaded
