"""Survey results: Wilson intervals, suppression of small cells, year on year, the results page
and the exports."""

import csv
import io
from itertools import count

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from paqa.surveys import results, selectors
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Response, Survey
from paqa.surveys.services import survey_from_yaml

pytestmark = pytest.mark.django_db

TRAINED = "Have you had safeguarding training in the last three years?"

SURVEY_YAML = """
series: practitioner-survey
year: "{year}"
title: Practitioner survey
kind: anonymous
opens_on: 2019-01-01
closes_on: 2019-01-31
public_slug: practitioner-survey-{year}
pages:
  - title: About you
    questions:
      - code: role
        kind: single
        text: What is your role?
        breakdown: role
        choices: [Social worker, Police officer, Health visitor, Teacher, Other]
  - title: Training
    questions:
      - code: trained-3-years
        kind: yes_no
        text: {trained}
      - code: confident
        kind: likert
        text: I know what to do if I am worried about a child
      - code: topics
        kind: multiple
        text: Which topics did the training cover?
        choices: [Neglect, Exploitation, Domestic abuse]
      - code: caseload
        kind: number
        text: How many children are you working with?
      - code: change
        kind: text
        text: What would you change?
"""

_keys = count(1)


def _survey(year: str = "2019", series: str = "practitioner-survey") -> Survey:
    text = SURVEY_YAML.format(year=year, trained=TRAINED).replace("practitioner-survey", series)
    return survey_from_yaml(text)


def _respond(
    survey: Survey, *, status: str = Response.Status.SUBMITTED, organisation=None, **answers
) -> Response:
    response = Response.objects.create(
        survey=survey,
        status=status,
        organisation=organisation,
        submission_key=f"key-{next(_keys)}",
    )
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}
    for code, value in answers.items():
        Answer.objects.create(
            response=response, question=questions[code.replace("_", "-")], value=value
        )
    return response


def _many(survey: Survey, number: int, organisation=None, **answers) -> None:
    for _ in range(number):
        _respond(survey, organisation=organisation, **answers)


def _result(found: list[results.QuestionResult], code: str) -> results.QuestionResult:
    return next(r for r in found if r.code == code)


# Wilson intervals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        (96, 100, (0.9016, 0.9843)),
        (0, 10, (0.0, 0.2775)),
        (10, 10, (0.7225, 1.0)),
        (5, 10, (0.2366, 0.7634)),
        (1, 1, (0.2065, 1.0)),
    ],
)
def test_wilson_interval_known_values(successes, n, expected):
    low, high = results.wilson_interval(successes, n)
    assert (round(low, 4), round(high, 4)) == expected


def test_wilson_interval_without_answers_and_with_nonsense():
    assert results.wilson_interval(0, 0) == (0.0, 0.0)
    with pytest.raises(ValueError, match="between 0 and n"):
        results.wilson_interval(11, 10)


def test_percentages_are_whole_numbers_rounded_half_up():
    assert results.percent_text(0.9612) == "96%"
    assert results.percent_text(0.725) == "73%"
    assert results.percent_text(0.0) == "0%"
    assert results.percent_text(1.0) == "100%"


# Question results ---------------------------------------------------------------------------


def test_question_results_count_submitted_responses_only(cast):
    survey = _survey()
    _many(survey, 96, trained_3_years="Yes", topics=["Neglect", "Exploitation"], caseload=10)
    _many(survey, 4, trained_3_years="No", topics=["Neglect"], caseload=21, change="More time")
    _many(survey, 30, status=Response.Status.DRAFT, trained_3_years="No")
    _respond(survey, caseload=3)

    found = selectors.question_results(user=cast.board_member, survey=survey)

    assert [r.code for r in found] == [
        "role",
        "trained-3-years",
        "confident",
        "topics",
        "caseload",
        "change",
    ]
    trained = _result(found, "trained-3-years")
    assert trained.answered == 100
    yes = trained.option("Yes")
    assert (yes.count, yes.percent_text, yes.interval_text) == (96, "96%", "90% to 98%")
    assert trained.option("No").count == 4
    topics = _result(found, "topics")
    assert topics.answered == 100
    assert topics.option("Neglect").percent_text == "100%"  # several choices: over 100% in all
    assert topics.option("Exploitation").percent_text == "96%"
    assert topics.option("Domestic abuse").count == 0
    caseload = _result(found, "caseload")
    assert caseload.answered == 101
    assert caseload.mean == pytest.approx((96 * 10 + 4 * 21 + 3) / 101)
    assert caseload.median == 10
    assert _result(found, "change").answered == 4
    confident = _result(found, "confident")
    assert confident.answered == 0
    assert [o.option for o in confident.options][:2] == ["Strongly agree", "Agree"]


def test_answer_no_longer_among_the_choices_is_still_counted(cast):
    survey = _survey()
    _many(survey, 5, role="Youth worker")
    role = _result(selectors.question_results(user=cast.analyst, survey=survey), "role")
    assert role.option("Youth worker").count == 5


def test_headline_sentence(cast):
    survey = _survey()
    _many(survey, 1440, trained_3_years="Yes")
    _many(survey, 60, trained_3_years="No", confident="Agree")
    found = selectors.question_results(user=cast.paqa_member, survey=survey)
    assert results.headline(found, "trained-3-years", "Yes") == (
        f"96% of respondents said yes to ‘{TRAINED}’ (95% interval 95% to 97%)."
    )
    assert results.headline(found, "confident", "Agree").startswith(
        "100% of respondents chose ‘Agree’ in answer to ‘I know what to do"
    )
    assert results.headline(found, "nope", "Yes") == ""


# Breakdowns ---------------------------------------------------------------------------------


def test_breakdown_suppresses_small_cells_and_merges_small_groups(cast):
    survey = _survey()
    _many(survey, 8, role="Social worker", trained_3_years="Yes")
    _many(survey, 2, role="Social worker", trained_3_years="No")
    _many(survey, 6, role="Police officer", trained_3_years="Yes")
    _many(survey, 3, role="Health visitor", trained_3_years="Yes")
    _many(survey, 2, role="Teacher", trained_3_years="No")
    _many(survey, 7, trained_3_years="Yes")  # no role given: in no group
    _many(survey, 9, role="Teacher", status=Response.Status.DRAFT, trained_3_years="No")
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}

    table = selectors.breakdown(
        user=cast.board_member,
        survey=survey,
        question=questions["trained-3-years"],
        by=questions["role"],
    )

    assert table.options == ["Yes", "No"]
    assert [row.group for row in table.rows] == [
        "Social worker",
        "Police officer",
        "Other (fewer than 5 each)",
    ]
    assert table.cell("Social worker", "Yes").count == 8
    suppressed = table.cell("Social worker", "No")
    assert suppressed.count is None
    assert suppressed.text == "fewer than 5"
    assert table.cell("Police officer", "No").count == 0  # a zero is not suppressed
    other = table.row("Other (fewer than 5 each)")
    assert other.merged
    assert not other.suppressed
    assert [cell.text for cell in other.cells] == ["fewer than 5", "fewer than 5"]
    assert table.row("Health visitor") is None
    assert table.row("Teacher") is None


def test_small_groups_that_stay_under_five_together_are_suppressed(cast):
    survey = _survey()
    _many(survey, 6, role="Social worker", trained_3_years="Yes")
    _many(survey, 3, role="Teacher", trained_3_years="No")
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}

    table = selectors.breakdown(
        user=cast.auditor,
        survey=survey,
        question=questions["trained-3-years"],
        by=questions["role"],
    )

    assert [row.group for row in table.rows] == ["Social worker", "Other (fewer than 5 each)"]
    other = table.row("Other (fewer than 5 each)")
    assert other.suppressed
    assert all(cell.count is None for cell in other.cells)
    assert table.cell("Social worker", "Yes").count == 6


def test_organisation_survey_breaks_down_by_responding_organisation(cast):
    text = SURVEY_YAML.format(year="2019", trained=TRAINED).replace(
        "kind: anonymous", "kind: organisation"
    )
    survey = survey_from_yaml(text)
    for organisation in (cast.agency, cast.other_agency, cast.business_unit):
        _respond(survey, organisation=organisation, trained_3_years="Yes")
    assert selectors.breakdown_sources(user=cast.admin, survey=survey)[-1] is None
    question = Question.objects.get(page__survey=survey, code="trained-3-years")
    table = selectors.breakdown(user=cast.admin, survey=survey, question=question, by=None)
    assert table.by_label == "Organisation"
    # Three organisations, one return each: together still fewer than 5.
    assert [(row.group, row.suppressed) for row in table.rows] == [
        ("Other (fewer than 5 each)", True)
    ]


def test_only_questions_with_choices_break_down(cast):
    survey = _survey()
    questions = {q.code: q for q in Question.objects.filter(page__survey=survey)}
    with pytest.raises(ValueError, match="choices"):
        selectors.breakdown(
            user=cast.admin, survey=survey, question=questions["change"], by=questions["role"]
        )


# Year on year -------------------------------------------------------------------------------


def test_year_on_year_compares_with_the_latest_earlier_survey_of_the_series(cast):
    older = _survey("2017")
    previous = _survey("2018")
    _survey("2020")  # later: never the previous one
    other_series = _survey("2018-19", series="children-survey")
    current = _survey("2019")
    _many(older, 10, trained_3_years="No")
    _many(previous, 8, trained_3_years="Yes")
    _many(previous, 2, trained_3_years="No")
    _many(current, 19, trained_3_years="Yes")
    _many(current, 1, trained_3_years="No")

    assert selectors.previous_survey(user=cast.analyst, survey=current) == previous
    assert selectors.previous_survey(user=cast.analyst, survey=older) is None
    assert selectors.previous_survey(user=cast.analyst, survey=other_series) is None

    comparisons = {
        c.code: c for c in selectors.year_on_year(user=cast.board_member, survey=current)
    }
    assert set(comparisons) == {"role", "trained-3-years", "confident", "topics"}
    yes = comparisons["trained-3-years"].option("Yes")
    assert (yes.previous.percent_text, yes.current.percent_text) == ("80%", "95%")
    assert yes.change == 15
    assert yes.change_text == "Up 15 percentage points"
    assert not yes.intervals_separate  # 20 and 10 answers: the intervals still overlap
    assert comparisons["trained-3-years"].previous_survey == previous
    assert selectors.year_on_year(user=cast.board_member, survey=older) == []


def test_year_on_year_only_for_codes_in_both(cast):
    previous = survey_from_yaml(
        SURVEY_YAML.format(year="2018", trained=TRAINED).replace(
            "code: trained-3-years", "code: trained"
        )
    )
    current = _survey("2019")
    _many(previous, 5, trained="Yes")
    _many(current, 5, trained_3_years="Yes")
    codes = {c.code for c in selectors.year_on_year(user=cast.analyst, survey=current)}
    assert "trained-3-years" not in codes
    assert "role" in codes


# The results page ---------------------------------------------------------------------------


def test_results_page_shows_chart_table_breakdown_and_last_year(cast, client_for):
    previous = _survey("2018")
    current = _survey("2019")
    _many(previous, 8, role="Social worker", trained_3_years="Yes")
    _many(previous, 2, role="Police officer", trained_3_years="No")
    _many(current, 19, role="Social worker", trained_3_years="Yes")
    _many(current, 1, role="Police officer", trained_3_years="No")

    page = client_for(cast.board_member).get(reverse("surveys:results", args=[current.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert "The figures behind the chart" in html
    assert "2018 percent" in html
    assert "80%" in html
    assert "95%" in html
    assert "fewer than 5" in html
    assert f"95% of respondents said yes to ‘{TRAINED}’" in html
    trained = next(q for q in page.context["questions"] if q.result.code == "trained-3-years")
    assert trained.rows[0] == ["Yes", "19", "95%", "76% to 99%", "80%"]
    names = {row["series"] for row in trained.chart.spec["data"]["values"]}
    assert names == {"2019", "2018"}


def test_results_page_escapes_answers_and_choices(cast, client_for):
    survey = _survey()
    Question.objects.filter(page__survey=survey, code="topics").update(
        choices=["<script>alert(1)</script>", "Neglect"]
    )
    _many(survey, 5, role="<script>alert(2)</script>", topics=["<script>alert(1)</script>"])
    html = (
        client_for(cast.paqa_member)
        .get(reverse("surveys:results", args=[survey.pk]))
        .content.decode()
    )
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


@pytest.mark.parametrize("kind", ["anonymous", "organisation"])
def test_results_page_queries_do_not_grow_with_responses(
    kind, cast, client_for, django_assert_max_num_queries
):
    def survey_of(year: str) -> Survey:
        text = SURVEY_YAML.format(year=year, trained=TRAINED)
        return survey_from_yaml(text.replace("kind: anonymous", f"kind: {kind}"))

    previous = survey_of("2018")
    survey = survey_of("2019")
    organisations = [cast.agency, cast.other_agency, cast.business_unit, None]
    _many(previous, 3, role="Teacher", trained_3_years="Yes")
    _many(survey, 3, role="Teacher", trained_3_years="Yes", topics=["Neglect"], caseload=2)
    client = client_for(cast.board_member)
    url = reverse("surveys:results", args=[survey.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as counted:
        client.get(url)
    baseline = len(counted)
    for role, organisation in zip(
        ("Social worker", "Police officer", "Health visitor", "Other"), organisations, strict=True
    ):
        _many(
            survey,
            12,
            organisation=organisation,
            role=role,
            trained_3_years="No",
            confident="Agree",
            topics=["Neglect", "Exploitation"],
            caseload=7,
            change="Shorter forms",
        )
        _many(previous, 6, role=role, trained_3_years="Yes")
    assert Response.objects.filter(survey=survey).count() > 50
    with django_assert_max_num_queries(baseline):
        page = client.get(url)
    breakdowns = {table.by_label for table in page.context["page"].breakdowns["trained-3-years"]}
    assert breakdowns == ({"Role", "Organisation"} if kind == "organisation" else {"Role"})


def test_every_staff_role_can_view_results(cast, client_for):
    survey = _survey()
    _many(survey, 5, trained_3_years="Yes")
    for user in cast.by_role().values():
        response = client_for(user).get(reverse("surveys:results", args=[survey.pk]))
        assert response.status_code == 200, user.email


def test_board_member_can_view_results(cast, client_for):
    survey = _survey()
    response = client_for(cast.board_member).get(reverse("surveys:results", args=[survey.pk]))
    assert response.status_code == 200
    assert "No one has answered this question yet." in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    survey = _survey()
    for url in (
        reverse("surveys:results", args=[survey.pk]),
        reverse("surveys:results-responses", args=[survey.pk, "csv"]),
        reverse("surveys:results-themes", args=[survey.pk, "xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_unknown_survey_and_format_are_not_found(cast, client_for):
    survey = _survey()
    client = client_for(cast.analyst)
    assert client.get(reverse("surveys:results", args=[survey.pk + 99])).status_code == 404
    url = reverse("surveys:results-responses", args=[survey.pk, "pdf"])
    assert client.get(url).status_code == 404


# Exports ------------------------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example","x")'


def _coded_survey(cast) -> Survey:
    survey = _survey()
    first = _respond(
        survey,
        role="Teacher",
        trained_3_years="Yes",
        topics=["Neglect", "Domestic abuse"],
        caseload=12,
        change=EVIL,
    )
    _respond(survey, role="Police officer", change="<script>alert(1)</script>")
    _respond(survey, status=Response.Status.DRAFT, change="A draft")
    workload = Code.objects.create(
        survey=survey, slug="workload", label="Workload", theme="workload"
    )
    forms = Code.objects.create(survey=survey, slug="forms", label="Forms", theme="workload")
    Code.objects.create(survey=survey, slug="unused", label="Unused", theme="training")
    answer = first.answers.get(question__code="change")
    for code in (workload, forms):
        AnswerCode.objects.create(answer=answer, code=code, coded_by=cast.paqa_member)
    return survey


def test_responses_export_csv(cast, client_for):
    survey = _coded_survey(cast)
    response = client_for(cast.analyst).get(
        reverse("surveys:results-responses", args=[survey.pk, "csv"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Response",
        "role",
        "trained-3-years",
        "confident",
        "topics",
        "caseload",
        "change",
        "Codes given to free-text answers",
    ]
    assert len(rows) == 3  # the draft is left out
    assert rows[1] == [
        "1",
        "Teacher",
        "Yes",
        "",
        "Neglect; Domestic abuse",
        "12",
        "'" + EVIL,
        "Forms; Workload",
    ]
    assert rows[2][6] == "<script>alert(1)</script>"
    assert "\n=HYPERLINK" not in text
    assert ",=HYPERLINK" not in text


def test_responses_export_xlsx_neutralises_formulas(cast, client_for):
    survey = _coded_survey(cast)
    response = client_for(cast.paqa_member).get(
        reverse("surveys:results-responses", args=[survey.pk, "xlsx"])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    change = rows[1][6]
    assert change == "'" + EVIL
    assert change.startswith("'=")
    assert rows[1][5] == 12  # numbers stay numbers
    assert not any(isinstance(cell, str) and cell.startswith("=") for row in rows for cell in row)


def test_themes_export(cast, client_for):
    survey = _coded_survey(cast)
    response = client_for(cast.board_member).get(
        reverse("surveys:results-themes", args=[survey.pk, "csv"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Theme", "Code", "Label", "Answers"],
        # A shared theme by the name every page gives it.
        ["Training", "unused", "Unused", "0"],
        ["Workload and complexity", "forms", "Forms", "1"],
        ["Workload and complexity", "workload", "Workload", "1"],
    ]


def test_results_table_export(cast, client_for):
    previous = _survey("2018")
    survey = _survey("2019")
    _many(previous, 4, trained_3_years="Yes")
    _many(survey, 96, trained_3_years="Yes")
    _many(survey, 4, trained_3_years="No")
    response = client_for(cast.board_member).get(
        reverse("surveys:results", args=[survey.pk]), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "2018 percent"
    yes = next(row for row in rows if row[0] == "trained-3-years" and row[2] == "Yes")
    assert yes[3:] == (96, 100, 96, 90, 98, 100)


def test_raw_responses_are_only_for_those_who_code_them(cast, client_for):
    survey = _survey()
    url = reverse("surveys:results-responses", args=[survey.pk, "csv"])
    for role in ("board_member", "agency_lead", "auditor"):
        assert client_for(getattr(cast, role)).get(url).status_code == 403, role
    assert client_for(cast.analyst).get(url).status_code == 200
