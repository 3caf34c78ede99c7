"""The demonstration survey carries the reference report's figures."""

import pytest

from paqa.partnership.demo import demo_load
from paqa.surveys.demo import demo_surveys_load
from paqa.surveys.models import Question, Survey
from paqa.surveys.results import headline
from paqa.surveys.selectors import question_results, results_page, top_three_sentence
from tests.surveys import oracle

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    demo_load()
    demo_surveys_load()
    from paqa.accounts.models import User

    return User.objects.get(email="paqa@demo.example")


def test_practitioner_survey_figures(demo):
    survey = Survey.objects.get(series="practitioner-survey", year="2018-19")
    assert survey.responses.filter(status="submitted").count() == 1003
    results = question_results(user=demo, survey=survey)
    trained = headline(results, "trained-3-years", "Yes")
    discuss = headline(results, "discuss-safeguarding", "Yes")
    assert trained.startswith("96% of respondents said yes")
    assert discuss.startswith("97% of respondents said yes")
    page = results_page(user=demo, survey=survey)
    assert page.respondents == 1003
    assert page.previous_survey.year == "2017-18"
    # The whole page (results, year on year, breakdowns, headlines) as counted before.
    assert page == oracle.results_page(survey)
    impact = Survey.objects.get(series="impact-assessment", year="2018-19")
    assert results_page(user=demo, survey=impact) == oracle.results_page(impact)


def test_top_three_things_to_change(demo):
    question = Question.objects.get(page__survey__year="2018-19", code="change")
    sentence = top_three_sentence(
        user=demo, question=question, asked_about="what they would change"
    )
    assert sentence == (
        "When asked what they would change, the top three responses were: "
        "1. Better joint working between partners; "
        "2. Better training (shorter, tailored to role, using case studies); "
        "3. A more positive profile of safeguarding work."
    )


def test_impact_assessment_returns_name_the_reports_pressures(demo):
    from paqa.surveys.models import Answer

    returns = Answer.objects.filter(
        question__code="pressures", response__survey__series="impact-assessment"
    )
    assert returns.count() == 7
    assert all(
        "Recruitment and retention" in a.value and "Increasing demand for services" in a.value
        for a in returns
    )
    homelessness = {a.response.organisation.kind for a in returns if "Homelessness" in a.value}
    assert homelessness == {"district_council"}


def test_loading_again_adds_nothing(demo):
    before = Survey.objects.count()
    demo_surveys_load()
    assert Survey.objects.count() == before
