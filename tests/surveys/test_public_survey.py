"""The public practitioner survey: branching, save and resume, closing dates, and privacy."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paqa.surveys.models import Answer, Response, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
from paqa.surveys.services import survey_from_yaml, survey_to_yaml

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
BROWSER = "Mozilla/5.0 (X11; PAQA-test-browser/9.9)"


@pytest.fixture
def survey(db) -> Survey:
    today = timezone.localdate()
    return survey_from_pack(
        path=PRACTITIONER_PACK,
        year="2018-19",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )


def _client() -> Client:
    return Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)


def _start(client: Client, survey: Survey) -> str:
    response = client.post(reverse("surveys:public-start", args=[survey.public_slug]))
    assert response.status_code == 302
    return response["Location"]


def _key(url: str) -> str:
    return url.split("/r/")[1].split("/")[0]


def _answer_all(client: Client, survey: Survey, trained: str = "Yes") -> str:
    url = _start(client, survey)
    key = _key(url)
    pages = [
        {"organisation": "Police", "role": "Practitioner"},
        {"trained-3-years": trained, "training-useful": "Agree"}
        if trained == "Yes"
        else {"trained-3-years": trained},
        {"discuss-safeguarding": "Yes", "confident": "Strongly agree"},
        {"change": "Better joint working <script>alert(1)</script>"},
    ]
    for number, data in enumerate(pages, start=1):
        sent = {**data, "_shown": list(data)}  # as the page sends: the questions it showed
        response = client.post(
            reverse("surveys:public-page", args=[survey.public_slug, key, number]), sent
        )
        assert response.status_code == 302, response.content.decode()[:500]
    client.post(reverse("surveys:public-check", args=[survey.public_slug, key]))
    return key


def test_a_practitioner_answers_without_an_account(survey):
    client = _client()
    _answer_all(client, survey)
    response = Response.objects.get()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_on == timezone.localdate()
    assert response.answers.count() == 7


def test_a_required_question_gives_one_clear_error(survey):
    client = _client()
    key = _key(_start(client, survey))
    page = client.post(reverse("surveys:public-page", args=[survey.public_slug, key, 2]), {})
    html = page.content.decode()
    assert "There is a problem" in html
    assert html.count("Select yes or no") == 2  # in the summary and by the question


def test_branching_shows_a_question_only_when_the_answer_matches(survey):
    client = _client()
    key = _key(_start(client, survey))
    page = client.get(reverse("surveys:public-page", args=[survey.public_slug, key, 2]))
    assert "The training helped me in my work" not in page.content.decode()
    # Answering Yes brings the follow-up question onto the same page, before moving on.
    page = client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 2]),
        {"trained-3-years": "Yes", "_shown": ["trained-3-years"]},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "The training helped me in my work" in html
    assert "There is a problem" not in html
    moved_on = client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 2]),
        {
            "trained-3-years": "Yes",
            "training-useful": "Agree",
            "_shown": ["trained-3-years", "training-useful"],
        },
    )
    assert moved_on.status_code == 302


def test_branching_skips_a_whole_page():
    today = timezone.localdate()
    survey = survey_from_yaml(
        f"""
series: branching
year: "2019-20"
title: Branching test
kind: anonymous
opens_on: {today - timedelta(days=1)}
closes_on: {today + timedelta(days=1)}
pages:
  - title: First
    questions:
      - {{code: works-with-children, kind: yes_no, text: "Work with children", required: true}}
  - title: Only for those who work with children
    show_if: {{question: works-with-children, equals: "Yes"}}
    questions:
      - {{code: how-long, kind: number, text: "How many years"}}
  - title: Last
    questions:
      - {{code: comment, kind: text, text: "Anything else"}}
"""
    )
    client = _client()
    key = _key(_start(client, survey))
    response = client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 1]),
        {"works-with-children": "No"},
    )
    # The conditional page is skipped: page 2 is now "Last".
    assert response["Location"].endswith(f"/r/{key}/2/")
    page = client.get(response["Location"])
    assert "Anything else" in page.content.decode()


def test_save_and_resume_with_a_code(survey):
    client = _client()
    key = _key(_start(client, survey))
    client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 1]),
        {"organisation": "Health", "role": "Team manager"},
    )
    saved = client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 2]),
        {"trained-3-years": "Yes", "save_and_leave": "yes"},
    )
    html = saved.content.decode()
    assert "Your resume code" in html
    code = html.split('class="paqa-resume-code">')[1].split("<")[0]
    other_device = _client()
    resumed = other_device.post(
        reverse("surveys:public-start", args=[survey.public_slug]), {"resume_code": code.lower()}
    )
    assert resumed.status_code == 302
    assert f"/r/{key}/" in resumed["Location"]
    page = other_device.get(reverse("surveys:public-page", args=[survey.public_slug, key, 1]))
    assert (
        'value="Health" checked' in page.content.decode()
        or 'checked value="Health"' in page.content.decode()
        or "Health" in page.content.decode()
    )
    wrong = other_device.post(
        reverse("surveys:public-start", args=[survey.public_slug]), {"resume_code": "NOPE-NOPE"}
    )
    assert "That resume code is not right" in wrong.content.decode()


def test_a_closed_survey_says_so(survey):
    survey.closes_on = timezone.localdate() - timedelta(days=1)
    survey.save()
    client = _client()
    page = client.get(reverse("surveys:public-start", args=[survey.public_slug]))
    assert "This survey is closed" in page.content.decode()
    assert (
        client.post(reverse("surveys:public-start", args=[survey.public_slug])).status_code == 200
    )
    assert not Response.objects.exists()


def test_resending_the_final_form_stores_one_response(survey):
    client = _client()
    key = _answer_all(client, survey)
    client.post(reverse("surveys:public-check", args=[survey.public_slug, key]))
    client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 4]), {"change": "again"}
    )
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__code="change").value.startswith("Better joint working")


def test_no_address_browser_or_time_of_day_is_stored_for_anonymous_answers(survey):
    for _ in range(3):
        _answer_all(_client(), survey)
    assert Response.objects.filter(status="submitted").count() == 3
    # Nothing about the respondents' connection anywhere in the database.
    for model in apps.get_models():
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for name in text_fields:
            for needle in (ADDRESS, "PAQA-test-browser"):
                lookup = (
                    {f"{name}__icontains": needle}
                    if not isinstance(model._meta.get_field(name), models.JSONField)
                    else None
                )
                if lookup is None:
                    continue
                assert not model.objects.filter(**lookup).exists(), (
                    f"{model.__name__}.{name} holds {needle}"
                )
    # Responses and answers carry dates, never times.
    for model in (Response, Answer):
        kinds = {type(f) for f in model._meta.concrete_fields}
        assert models.DateTimeField not in kinds, model
    # No session rows are made for anonymous respondents either.
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()


def test_free_text_is_shown_as_text_on_the_check_page(survey):
    client = _client()
    key = _key(_start(client, survey))
    client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 4]),
        {"change": '<script>alert(1)</script> =HYPERLINK("http://evil.example","x")'},
    )
    html = client.get(
        reverse("surveys:public-check", args=[survey.public_slug, key])
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_yaml_round_trip(survey):
    text = survey_to_yaml(survey)
    copy = survey_from_yaml(
        text.replace("practitioner-survey-2018-19", "copy-2018-19").replace(
            "year: 2018-19", "year: 2019-20"
        )
    )
    assert [q.code for p in copy.pages.all() for q in p.questions.all()] == [
        q.code for p in survey.pages.all() for q in p.questions.all()
    ]
    assert copy.pages.get(order=2).questions.get(code="training-useful").show_if == {
        "question": "trained-3-years",
        "equals": "Yes",
    }


def test_a_survey_question_may_only_depend_on_an_earlier_one():
    from paqa.surveys.services import SurveyPackError

    with pytest.raises(SurveyPackError, match="does not come before it"):
        survey_from_yaml(
            """
series: bad
year: "2019-20"
title: Bad
kind: anonymous
opens_on: 2019-01-01
closes_on: 2019-12-31
pages:
  - title: One
    questions:
      - {code: a, kind: yes_no, text: "A", show_if: {question: b, equals: "Yes"}}
      - {code: b, kind: yes_no, text: "B"}
"""
        )


def test_unknown_survey_is_a_404(db):
    assert _client().get("/s/no-such-survey/").status_code == 404


def test_dates_of_an_open_survey(survey):
    assert survey.is_open()
    assert not survey.is_open(date(2000, 1, 1))


def test_leaving_part_way_keeps_valid_answers_and_never_stores_a_refused_one(survey):
    client = _client()
    key = _key(_start(client, survey))
    client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 1]),
        {"organisation": "Health", "role": "Team manager"},
    )
    client.post(
        reverse("surveys:public-page", args=[survey.public_slug, key, 1]),
        {"organisation": "Not an option", "role": "Practitioner", "save_and_leave": "yes"},
    )
    response = Response.objects.get(submission_key=key)
    answers = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert answers["organisation"] == "Health"  # the refused choice left the earlier answer
    assert answers["role"] == "Practitioner"  # the valid change was kept
