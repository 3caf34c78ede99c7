"""The results counted in the database equal the results counted in Python the way they were
before (tests/surveys/oracle.py), over seeded random surveys: every kind of question, several
choices with repeats, options renamed after people answered, empty answers, drafts, responses
with no answers, and breakdowns (by a question, by several choices, by organisation) with
small groups. CI runs this on SQLite and on PostgreSQL, where the JSON is expanded differently.

Besides the texts the forms store, the answers include numbers and true/false where a choice
is expected (an import or an older version could store them), which count as they always did.
"""

import random
from datetime import date
from itertools import count

import pytest
import yaml
from django.db import connection
from django.db.models import JSONField, Value
from django.test.utils import CaptureQueriesContext

from paqa.surveys import selectors
from paqa.surveys.engine import choices_for
from paqa.surveys.models import Answer, Question, Response, Survey
from paqa.surveys.services import survey_from_yaml
from tests.factories import OrganisationFactory
from tests.surveys import oracle

pytestmark = pytest.mark.django_db

CHOICE_KINDS = ["yes_no", "single", "multiple", "likert"]
OPTIONS = ["Neglect", "Exploitation", "Domestic abuse", "Café ‘links’", "Other"]
RENAMED = "Mental health (old wording)"
NULL = "(json null)"
_keys = count(1)


def _yaml(rng: random.Random, *, series: str, year: str, kind: str) -> str:
    """A survey with every kind of question at least once, some of them breakdowns."""
    about = [
        {
            "code": "role",
            "kind": "single",
            "text": "What is your role?",
            "breakdown": "role",
            "choices": ["Social worker", "Police officer", "Health visitor", "Teacher", "Nurse"],
        }
    ]
    if rng.random() < 0.6:  # a breakdown by a question with several choices
        about.append(
            {
                "code": "teams",
                "kind": "multiple",
                "text": "Which teams are you in?",
                "breakdown": "organisation",
                "choices": ["Early help", "Front door", "Looked after"],
            }
        )
    kinds = ["yes_no", "single", "multiple", "likert", "likert", "number", "text"]
    kinds += rng.choices(["yes_no", "single", "multiple", "likert", "number", "text"], k=3)
    rng.shuffle(kinds)
    rest = []
    for number, question_kind in enumerate(kinds):
        question = {"code": f"q{number}", "kind": question_kind, "text": f"Question {number}?"}
        if question_kind in ("single", "multiple"):
            question["choices"] = rng.sample(OPTIONS, rng.randint(2, len(OPTIONS)))
        elif question_kind == "likert" and rng.random() < 0.3:
            question["choices"] = ["Always", "Sometimes", "Never"]
        rest.append(question)
    return yaml.safe_dump(
        {
            "series": series,
            "year": year,
            "title": "Random survey",
            "kind": kind,
            "opens_on": date(2019, 1, 1),
            "closes_on": date(2019, 1, 31),
            "public_slug": f"{series}-{year}",
            "pages": [
                {"title": "About you", "questions": about},
                {"title": "The rest", "questions": rest},
            ],
        },
        allow_unicode=True,
    )


def _choice_value(rng: random.Random, question: Question):
    choices = [*choices_for(question)]
    roll = rng.random()
    if roll < 0.06:
        return rng.choice(["", None, []])
    if roll < 0.12:
        return RENAMED  # an option since renamed, or never offered
    if roll < 0.13:
        return rng.choice([3, True, [2, False, "3"]])  # not texts
    if question.kind == Question.Kind.MULTIPLE:
        if roll < 0.18:
            return rng.choice(choices)  # a single text where a list is usual
        picked = rng.choices([*choices, RENAMED, "", None], k=rng.randint(0, 5))
        return picked  # repeats, empties and nulls inside the list
    if roll < 0.16:
        return [rng.choice(choices)]  # a list where a single text is usual
    return rng.choices(choices, weights=range(len(choices), 0, -1))[0]


def _value(rng: random.Random, question: Question):
    if question.kind in CHOICE_KINDS:
        return _choice_value(rng, question)
    if question.kind == Question.Kind.NUMBER:
        return rng.choice(
            [rng.randint(0, 40), rng.randint(0, 40), 2.5, " 12 ", "about 3", "", None, True, []]
        )
    return rng.choice(["Shorter forms", "More time", "", None, [], ["A list", ""], ["", ""]])


def _fill(rng: random.Random, survey: Survey, organisations: list, responses: int) -> None:
    questions = list(Question.objects.filter(page__survey=survey))
    role = next(q for q in questions if q.code == "role")
    # Roles skewed so that some groups are small, some merge into "Other", some stay apart.
    role_weights = [rng.randint(1, 12) for _ in choices_for(role)]
    made = Response.objects.bulk_create(
        Response(
            survey=survey,
            status=Response.Status.DRAFT if rng.random() < 0.2 else Response.Status.SUBMITTED,
            organisation=rng.choice([*organisations, None]) if organisations else None,
            submission_key=f"random-{next(_keys)}",
        )
        for _ in range(responses)
    )
    answers = []
    for response in made:
        if rng.random() < 0.05:
            continue  # a response with no answers at all
        for question in questions:
            if rng.random() < 0.2:
                continue
            if question == role and rng.random() < 0.85:
                value = rng.choices(choices_for(role), weights=role_weights)[0]
            else:
                value = _value(rng, question)
            answers.append(
                Answer(response=response, question=question, value=NULL if value is None else value)
            )
    Answer.objects.bulk_create(answers)
    # A JSON null (Python's None would be SQL NULL, which the column refuses).
    Answer.objects.filter(response__survey=survey, value=NULL).update(
        value=Value(None, JSONField())
    )
    # A choice renamed after people answered: its old answers are still counted, after it.
    renamed = next(
        (q for q in questions if q.kind == Question.Kind.SINGLE and q.code != "role"), None
    )
    if renamed is not None and rng.random() < 0.7:
        renamed.choices = [f"{renamed.choices[0]} (new wording)", *renamed.choices[1:]]
        renamed.save(update_fields=["choices"])


def _random_surveys(seed: int) -> tuple[Survey, Survey]:
    rng = random.Random(seed)
    kind = rng.choice(["anonymous", "organisation"])
    organisations = []
    if kind == "organisation":
        organisations = [OrganisationFactory() for _ in range(rng.randint(3, 9))]
    series = f"random-{seed}"
    previous = survey_from_yaml(_yaml(rng, series=series, year="2018", kind=kind))
    current = survey_from_yaml(_yaml(rng, series=series, year="2019", kind=kind))
    _fill(rng, previous, organisations, rng.randint(0, 60))
    _fill(rng, current, organisations, rng.randint(30, 160))
    return previous, current


def _assert_same_results(user, survey: Survey) -> None:
    loaded = oracle.load(survey)
    expected = oracle.results(loaded)
    assert selectors.question_results(user=user, survey=survey) == expected
    sources = selectors.breakdown_sources(user=user, survey=survey)
    assert sources == oracle.sources(loaded)
    for question in (q for q in loaded.questions if q.kind in CHOICE_KINDS):
        for by in sources:
            found = selectors.breakdown(user=user, survey=survey, question=question, by=by)
            assert found == oracle.breakdown(loaded, question, by), (question.code, by)
    assert selectors.results_page(user=user, survey=survey) == oracle.results_page(survey)


@pytest.mark.parametrize("seed", range(12))
def test_database_counting_equals_the_python_counting(seed, cast):
    previous, current = _random_surveys(seed)
    for survey in (previous, current):
        _assert_same_results(cast.paqa_member, survey)
    expected = oracle.compare(
        oracle.results(oracle.load(current)), oracle.results(oracle.load(previous)), previous
    )
    assert selectors.year_on_year(user=cast.board_member, survey=current) == expected


def test_the_random_surveys_have_what_the_comparison_needs(cast):
    """The generator makes the cases the comparison is for, so it cannot pass vacuously."""
    seen = {
        "renamed option": False,
        "repeats in a list": False,
        "merged small groups": False,
        "suppressed small groups": False,
        "suppressed cell": False,
        "by organisation": False,
        "by several choices": False,
        "drafts": False,
    }
    for seed in range(12):
        _previous, current = _random_surveys(seed)
        page = selectors.results_page(user=cast.admin, survey=current)
        for result in page.results:
            if result.option(RENAMED) is not None and result.option(RENAMED).count:
                seen["renamed option"] = True
        seen["repeats in a list"] |= any(
            isinstance(a.value, list) and len(a.value) != len(set(map(str, a.value)))
            for a in Answer.objects.filter(response__survey=current)
        )
        for tables in page.breakdowns.values():
            for table in tables:
                seen["by organisation"] |= table.by is None and bool(table.rows)
                seen["by several choices"] |= table.by is not None and table.by.kind == "multiple"
                for row in table.rows:
                    seen["merged small groups"] |= row.merged and not row.suppressed
                    seen["suppressed small groups"] |= row.suppressed
                    seen["suppressed cell"] |= not row.merged and any(
                        c.suppressed for c in row.cells
                    )
        seen["drafts"] |= current.responses.filter(status=Response.Status.DRAFT).exists()
    assert seen == dict.fromkeys(seen, True)


def test_a_list_counts_each_option_once_per_response(cast):
    survey = survey_from_yaml(
        _yaml(random.Random(1), series="lists", year="2019", kind="anonymous")
    )
    topics = Question.objects.filter(page__survey=survey, kind=Question.Kind.MULTIPLE).first()
    assert topics is not None
    first = str(choices_for(topics)[0])
    values = [[first, first, ""], [first, None], [], "", [None, ""], first, [RENAMED, RENAMED]]
    for number, value in enumerate(values):
        response = Response.objects.create(
            survey=survey,
            status=Response.Status.SUBMITTED,
            submitted_on=date(2019, 1, 2),
            submission_key=f"lists-{number}",
        )
        Answer.objects.create(response=response, question=topics, value=value)
    result = next(
        r
        for r in selectors.question_results(user=cast.analyst, survey=survey)
        if r.code == topics.code
    )
    # Answered: the three lists naming an option and the single text; not [], "" or [None, ""].
    assert result.answered == 4
    assert result.option(first).count == 3
    assert result.option(RENAMED).count == 1
    assert result.options[-1].option == RENAMED


def test_results_page_counting_runs_the_same_queries_for_more_responses(cast):
    previous, current = _random_surveys(3)
    selectors.results_page(user=cast.paqa_member, survey=current)  # the user's access, once
    with CaptureQueriesContext(connection) as few:
        selectors.results_page(user=cast.paqa_member, survey=current)
    organisations = [OrganisationFactory() for _ in range(4)]
    _fill(random.Random(99), current, organisations, 300)
    _fill(random.Random(98), previous, organisations, 300)
    with CaptureQueriesContext(connection) as many:
        page = selectors.results_page(user=cast.paqa_member, survey=current)
    assert page.respondents > 250
    assert len(many) == len(few)
