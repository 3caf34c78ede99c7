"""Demonstration surveys: the 2018-19 practitioner survey with 1003 synthetic responses whose
figures are the reference report's (96% trained in the last three years, 97% able to discuss
safeguarding; the top three things to change), and a 2017-18 survey for year on year.

Every response is made up; the free-text answers are labelled as demonstration text in the
codebook's notes. They are generated from a fixed seed, so every demo has the same answers.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from paqa.accounts.models import User
from paqa.partnership.demo import BUSINESS_UNIT
from paqa.partnership.models import Organisation
from paqa.surveys.models import (
    Answer,
    AnswerCode,
    Code,
    Question,
    Response,
    Survey,
    SurveyInvitation,
)
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack

ORGANISATIONS = [
    ("Children's social care", 230),
    ("Police", 140),
    ("Health", 260),
    ("Education", 220),
    ("District council or housing", 60),
    ("Voluntary or community organisation", 60),
    ("Other", 33),
]
ROLES = [("Practitioner", 700), ("Team manager", 200), ("Senior manager", 70), ("Other", 33)]

# (code slug, label, shared theme, keywords, number of answers, phrasings)
CHANGES = [
    (
        "joint-working",
        "Better joint working between partners",
        "working-together",
        ["joint working", "partners", "communication", "information sharing", "share information"],
        212,
        [
            "Better joint working between partners and more communication",
            "Information sharing between agencies needs to be quicker",
            "Partners should share information and talk to each other more",
            "More joined-up working across agencies, especially with health",
            "Better communication between police, schools and social care",
        ],
    ),
    (
        "training",
        "Better training (shorter, tailored to role, using case studies)",
        "training",
        ["training", "case studies", "tailored", "shorter"],
        148,
        [
            "Shorter training that is tailored to my role",
            "Training that uses real case studies",
            "More practical training rather than e-learning",
            "Training sessions that fit around busy workloads",
        ],
    ),
    (
        "profile",
        "A more positive profile of safeguarding work",
        "workload",
        ["profile", "positive", "recognition", "valued", "media"],
        96,
        [
            "A more positive profile of safeguarding work in the media",
            "Recognition of the good work practitioners do",
            "Safeguarding staff should feel valued, not blamed",
        ],
    ),
    (
        "workload",
        "Lower caseloads and more time with families",
        "workload",
        ["caseload", "workload", "time", "capacity"],
        64,
        [
            "Smaller caseloads so we can spend time with children",
            "More capacity in teams; the workload is too high",
        ],
    ),
    (
        "feedback",
        "Feedback after making a referral",
        "information-sharing",
        ["feedback", "referral", "hear back"],
        41,
        [
            "Feedback from the MASH after I make a referral",
            "To hear back about what happened after a referral",
        ],
    ),
]


def _spread(items: list[tuple[str, int]], rng: random.Random) -> list[str]:
    values = [value for value, count in items for _ in range(count)]
    rng.shuffle(values)
    return values


@transaction.atomic
def _respond(
    survey: Survey,
    *,
    count: int,
    trained: int,
    discuss: int,
    seed: int,
    coded: bool,
    coder: User | None,
) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}
    organisations = _spread([(n, round(c * count / 1003)) for n, c in ORGANISATIONS], rng)
    roles = _spread([(n, round(c * count / 1003)) for n, c in ROLES], rng)
    trained_answers = ["Yes"] * trained + ["No"] * (count - trained)
    discuss_answers = ["Yes"] * discuss + ["No"] * (count - discuss)
    rng.shuffle(trained_answers)
    rng.shuffle(discuss_answers)
    changes: list[tuple[str, str]] = []
    for slug, _, _, _, number, phrasings in CHANGES:
        scaled = round(number * count / 1003)
        changes += [(slug, phrasings[i % len(phrasings)]) for i in range(scaled)]
    rng.shuffle(changes)
    responses = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                status=Response.Status.SUBMITTED,
                started_on=survey.opens_on,
                submitted_on=survey.opens_on,
                submission_key=f"demo-{survey.year}-{i}",
                reached_page=5,
            )
            for i in range(count)
        ]
    )
    likert = ["Strongly agree", "Agree", "Agree", "Neither agree nor disagree", "Disagree"]
    answers: list[Answer] = []
    for index, response in enumerate(responses):
        values = {
            "organisation": organisations[index] if index < len(organisations) else "Other",
            "role": roles[index] if index < len(roles) else "Other",
            "trained-3-years": trained_answers[index],
            "discuss-safeguarding": discuss_answers[index],
            "confident": rng.choice(likert),
        }
        if trained_answers[index] == "Yes":
            values["training-useful"] = rng.choice(likert)
        if index < len(changes):
            values["change"] = changes[index][1]
        answers += [
            Answer(response=response, question=questions[code], value=value)
            for code, value in values.items()
        ]
    Answer.objects.bulk_create(answers, batch_size=2000)
    if not coded or coder is None:
        return
    codes = {
        slug: Code.objects.create(
            survey=survey, slug=slug, label=label, theme=theme, keywords=keywords
        )
        for slug, label, theme, keywords, _, _ in CHANGES
    }
    text_answers = list(
        Answer.objects.filter(response__survey=survey, question=questions["change"]).order_by(
            "response_id"
        )
    )
    by_text = {phrasing: slug for slug, *_rest, phrasings in CHANGES for phrasing in phrasings}
    links = []
    quoted: set[str] = set()
    for answer in text_answers:
        slug = by_text[answer.value]
        links.append(
            AnswerCode(
                answer=answer, code=codes[slug], coded_by=coder, representative=slug not in quoted
            )
        )
        quoted.add(slug)  # the first answer for each theme is its representative quote
    AnswerCode.objects.bulk_create(links, batch_size=2000)


def _impact_returns(partnership_organisations: list[Organisation]) -> None:
    """The 2018-19 impact assessment: the seven agencies name recruitment and retention and
    increasing demand; the district council also names homelessness (as the report says)."""
    from paqa.surveys.services import impact_survey_create

    survey = impact_survey_create(
        year="2018-19", opens_on=date(2019, 1, 7), closes_on=date(2019, 2, 28), actor=None
    )
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}
    for organisation in partnership_organisations:
        pressures = ["Recruitment and retention", "Increasing demand for services"]
        if organisation.kind in ("district_council", "housing"):
            pressures.append("Homelessness")
        response = Response.objects.create(
            survey=survey,
            organisation=organisation,
            status=Response.Status.SUBMITTED,
            started_on=date(2019, 2, 1),
            submitted_on=date(2019, 2, 20),
            submission_key=f"demo-impact-{organisation.pk}",
            reached_page=4,
        )
        SurveyInvitation.objects.create(survey=survey, organisation=organisation, response=response)
        values = {
            "pressures": pressures,
            "pressures-detail": "Demonstration answer: vacancies and rising referrals stretch "
            "capacity for multi-agency work.",
            "improvement": [
                "Information sharing, working agreements and communication",
                "Commitment to and engagement with multi-agency work",
            ],
            "improvement-detail": "Demonstration answer: attendance at safeguarding meetings, "
            "co-ordination, and shared financial responsibility for complex cases.",
        }
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=questions[code], value=value)
                for code, value in values.items()
                if code in questions
            ]
        )


def demo_surveys_load() -> None:
    """Load the demonstration surveys once; running it again adds nothing (but the survey of
    the current year, if a new year has begun since)."""
    if not Survey.objects.filter(series="practitioner-survey", year="2018-19").exists():
        _reference_surveys_load()
    demo_open_survey_load()


def current_reporting_year(today: date | None = None) -> str:
    """The financial year a day falls in, like 2026-27."""
    day = today or timezone.localdate()
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


#: Made-up answers to this year's open survey ("what would you change?").
OPEN_SURVEY_CHANGES = [
    "Made-up answer: quicker feedback from the MASH after a referral",
    "Made-up answer: more joint training with the police and health",
    "Made-up answer: one shared chronology for each family",
    "Made-up answer: time in the week to reflect on cases with colleagues",
    "Made-up answer: clearer guidance on sharing information with schools",
]


@transaction.atomic
def demo_open_survey_load(*, responses: int = 36, unfinished: int = 6) -> Survey | None:
    """This year's practitioner survey, copied from 2018-19 (questions, themes, codebook),
    opening today and closing in four weeks, with a few dozen made-up responses, so the
    public journey, live counts and coding can be tried. Nothing if it is already there."""
    from paqa.surveys import builder_services

    year = current_reporting_year()
    if Survey.objects.filter(series="practitioner-survey", year=year).exists():
        return None
    source = Survey.objects.filter(series="practitioner-survey", year="2018-19").first()
    if source is None:
        return None
    today = timezone.localdate()
    survey = builder_services.survey_create(
        source=f"survey:{source.pk}",
        title="Practitioner survey",
        year=year,
        schedule=builder_services.Schedule(
            opens_on=today,
            opens_time=time(0, 0),
            closes_on=today + timedelta(weeks=4),
            closes_time=time(17, 0),
        ),
        actor=None,
    )
    survey.status = Survey.Status.PUBLISHED
    survey.introduction = (
        "Demonstration survey: this year's practitioner survey, open for trying PAQA. "
        + source.introduction
    )
    survey.save()
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not security
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}
    made = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                status=Response.Status.DRAFT if i >= responses else Response.Status.SUBMITTED,
                started_on=today,
                submitted_on=None if i >= responses else today,
                submission_key=f"demo-{year}-{i}",
                reached_page=2 if i >= responses else 5,
            )
            for i in range(responses + unfinished)
        ]
    )
    likert = ["Strongly agree", "Agree", "Agree", "Neither agree nor disagree", "Disagree"]
    answers = []
    for index, response in enumerate(made):
        trained = "Yes" if rng.random() < 0.93 else "No"
        values: dict[str, object] = {
            "organisation": rng.choice([name for name, _ in ORGANISATIONS]),
            "role": rng.choice([name for name, _ in ROLES]),
        }
        if response.status == Response.Status.SUBMITTED:
            values |= {
                "trained-3-years": trained,
                "discuss-safeguarding": "Yes" if rng.random() < 0.95 else "No",
                "confident": rng.choice(likert),
                "change": OPEN_SURVEY_CHANGES[index % len(OPEN_SURVEY_CHANGES)],
            }
            if trained == "Yes":
                values["training-useful"] = rng.choice(likert)
        answers += [
            Answer(response=response, question=questions[code], value=value)
            for code, value in values.items()
            if code in questions
        ]
    Answer.objects.bulk_create(answers)
    return survey


def _reference_surveys_load() -> None:
    coder = User.objects.filter(email="analyst@demo.example").first()
    earlier = survey_from_pack(
        path=PRACTITIONER_PACK,
        year="2017-18",
        opens_on=date(2017, 10, 1),
        closes_on=date(2017, 11, 30),
    )
    _respond(earlier, count=850, trained=774, discuss=808, seed=2017, coded=False, coder=coder)
    survey = survey_from_pack(
        path=PRACTITIONER_PACK,
        year="2018-19",
        opens_on=date(2018, 10, 1),
        closes_on=date(2018, 11, 30),
    )
    # 963 of 1003 is 96.0%; 973 of 1003 is 97.0%: the report's figures.
    _respond(survey, count=1003, trained=963, discuss=973, seed=2018, coded=True, coder=coder)
    agencies = list(
        Organisation.objects.exclude(name=BUSINESS_UNIT).filter(archived_at__isnull=True)
    )
    _impact_returns(agencies)


def open_public_surveys() -> list[Survey]:
    """The anonymous surveys open now, for `paqa demo` to print their public links."""
    surveys = Survey.objects.filter(
        kind=Survey.Kind.ANONYMOUS, status=Survey.Status.PUBLISHED
    ).order_by("-year", "title")
    return [survey for survey in surveys if survey.is_open()]
