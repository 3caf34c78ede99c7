"""Demonstration self-assessment: 2017-18 and 2018-19 Section 11 cycles for the seven agencies,
and an open 2019-20 cycle whose drafts start from 2018-19.

The open cycle lives in today's calendar, so every step of a cycle can be tried: its deadline
passed a week ago; two agencies have submitted (waiting for the partnership's challenge), one
has an extension to a date still ahead, and the rest (Thames Valley Police among them) are late.

The report says the returns "provided assurance that board member agencies ... have policies and
procedures in place to safeguard children ... and are compliant with the standards", and that
multi-agency chronologies, information sharing and co-ordinated work were themes for
development. The ratings below follow that; every answer is labelled as demonstration text.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from paqa.assessments.models import Cycle, Framework, Return
from paqa.assessments.packs import framework_load, scales_load
from paqa.assessments.services import return_open
from paqa.partnership.demo import BUSINESS_UNIT, DEMO_AGENCIES
from paqa.partnership.models import Partnership

DEMO_TEXT = "Demonstration answer: "

# The open 2019-20 cycle, in today's calendar (see the module's docstring).
OPEN_CYCLE_LATE_BY = 7
OPEN_CYCLE_EXTENSION = 14
OPEN_CYCLE_SUBMITTED = (
    "Oxford University Hospitals NHS Foundation Trust",
    "Oxfordshire Clinical Commissioning Group",
)
OPEN_CYCLE_EXTENDED = ("Oxford Health NHS Foundation Trust",)

# Self ratings by agency for standards 1-8 in 2017-18 and 2018-19; (standard, moderated) pairs
# record where peer challenge changed a 2018-19 rating.
RATINGS: dict[str, dict[str, str]] = {
    "Oxfordshire County Council Children's Services": {
        "2017-18": "GGGGAGGA",
        "2018-19": "GGBGGGGA",
    },
    "Thames Valley Police": {"2017-18": "GGGAGGAA", "2018-19": "GGGGGGGG"},
    "Oxford Health NHS Foundation Trust": {"2017-18": "GGGGAGGG", "2018-19": "GGGBGGAG"},
    "Oxford University Hospitals NHS Foundation Trust": {
        "2017-18": "GGGAGGGG",
        "2018-19": "GGGGGGGG",
    },
    "Oxfordshire Clinical Commissioning Group": {"2017-18": "GGGGGGGA", "2018-19": "BGGGBGGG"},
    "Cherwell District Council": {"2017-18": "GAGAAGAA", "2018-19": "GGGAGGAA"},
    "Oxfordshire County Council Education": {"2017-18": "GGGGAGGG", "2018-19": "GGGGGBGG"},
}
MODERATED_2018_19: dict[str, dict[int, str]] = {
    "Thames Valley Police": {8: "amber"},
    "Oxfordshire Clinical Commissioning Group": {5: "green"},
}
LETTER = {"B": "blue", "G": "green", "A": "amber", "R": "red"}
EVIDENCE = {
    "blue": "Fully in place and checked this year; we have an example others can use.",
    "green": "Policy and procedures are in place, up to date and followed; checked by internal "
    "audit this year.",
    "amber": "In place but not yet consistent across all teams; see the action planned. "
    "Multi-agency chronologies and information sharing are areas for development.",
    "red": "Not yet in place.",
}
EXAMPLE = (
    "Practitioners' reflective sessions on the voice of the child, shared at the partnership's "
    "learning event."
)


def _answers(assessment_return: Return, letters: str, moderated: dict[int, str]) -> None:
    answers = {a.standard.number: a for a in assessment_return.answers.select_related("standard")}
    for number, letter in enumerate(letters, start=1):
        rating = LETTER[letter]
        answer = answers[number]
        answer.rating = rating
        answer.evidence = DEMO_TEXT + EVIDENCE[rating]
        answer.example = DEMO_TEXT + EXAMPLE if rating == "blue" else ""
        if number in moderated:
            answer.moderated_rating = moderated[number]
            answer.challenge = (
                DEMO_TEXT + "Peer challenge asked for evidence from case audits; the evidence "
                "given supports a different rating."
            )
            answer.response = DEMO_TEXT + "Accepted; an action is in the plan."
        answer.save()


def _submitted(assessment_return: Return, on: date, status: str) -> None:
    moment = timezone.make_aware(datetime.combine(on, time(12, 0)))
    assessment_return.status = status
    assessment_return.signed_off_role = "Director responsible for safeguarding (demonstration)"
    assessment_return.signed_off_at = moment
    assessment_return.submitted_at = moment
    if status == Return.Status.ACCEPTED:
        assessment_return.accepted_at = moment
    assessment_return.save()


@transaction.atomic
def demo_assessments_load(*, partnership: Partnership) -> None:
    """Load the demonstration cycles once; running it again adds nothing."""
    scales_load()
    framework: Framework = framework_load()
    if Cycle.objects.filter(framework__code=framework.code).exists():
        return
    agencies = {
        organisation.name: organisation
        for organisation in partnership.organisations.exclude(name=BUSINESS_UNIT)
    }
    names = [name for name, _, _ in DEMO_AGENCIES]
    for year, deadline, status in (
        ("2017-18", date(2018, 5, 31), Return.Status.ACCEPTED),
        ("2018-19", date(2019, 5, 31), Return.Status.ACCEPTED),
    ):
        cycle = Cycle.objects.create(framework=framework, year=year, deadline=deadline)
        for name in names:
            assessment_return = return_open(cycle=cycle, organisation=agencies[name], actor=None)
            moderated = MODERATED_2018_19.get(name, {}) if year == "2018-19" else {}
            _answers(assessment_return, RATINGS[name][year], moderated)
            _submitted(assessment_return, date(deadline.year, 5, 20), status)
    today = timezone.localdate()
    open_cycle = Cycle.objects.create(
        framework=framework, year="2019-20", deadline=today - timedelta(days=OPEN_CYCLE_LATE_BY)
    )
    for name in names:
        assessment_return = return_open(cycle=open_cycle, organisation=agencies[name], actor=None)
        if name in OPEN_CYCLE_SUBMITTED:
            _submitted(assessment_return, today - timedelta(days=9), Return.Status.SUBMITTED)
        elif name in OPEN_CYCLE_EXTENDED:
            assessment_return.deadline = today + timedelta(days=OPEN_CYCLE_EXTENSION)
            assessment_return.save()
