from datetime import date

import pytest

from paqa.assessments.models import Answer, Cycle, Return
from paqa.assessments.packs import framework_load, scales_load
from paqa.assessments.services import cycle_create


@pytest.fixture
def framework(db):
    scales_load()
    return framework_load()


@pytest.fixture
def cycle(cast, framework) -> Cycle:
    """A 2018-19 cycle for the police (cast.agency) and health (cast.other_agency) agencies."""
    return cycle_create(
        framework=framework,
        year="2018-19",
        deadline=date(2019, 5, 31),
        organisations=[cast.agency, cast.other_agency],
        actor=cast.admin,
    )


@pytest.fixture
def police_return(cast, cycle) -> Return:
    return cycle.returns.get(organisation=cast.agency)


@pytest.fixture
def health_return(cast, cycle) -> Return:
    return cycle.returns.get(organisation=cast.other_agency)


def complete(assessment_return: Return, rating: str = "green") -> None:
    """Give every standard a rating with evidence (straight to the database, for set-up)."""
    for answer in assessment_return.answers.all():
        answer.rating = rating
        answer.evidence = f"Evidence for standard {answer.standard.number}"
        answer.example = "An example" if rating == "blue" else ""
        answer.save()


def answer_of(assessment_return: Return, number: int) -> Answer:
    return assessment_return.answers.get(standard__number=number)
