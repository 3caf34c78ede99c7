"""A survey as YAML: exported with everything needed to build it again, imported as a draft
after the whole file is checked. Every refusal names its line; nothing is written unless all
is well; the import is in the history under the person who made it."""

from __future__ import annotations

import textwrap
from datetime import date, time, timedelta
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from paqa.core.history import stamp_actor
from paqa.surveys import yaml_io
from paqa.surveys.models import Code, Page, Question, Survey
from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack
from paqa.surveys.services import SurveyPackError, survey_from_yaml, survey_to_yaml

pytestmark = pytest.mark.django_db

SURVEY_FIELDS = (
    "series",
    "year",
    "title",
    "kind",
    "introduction",
    "opens_on",
    "opens_time",
    "closes_on",
    "closes_time",
    "public_slug",
)
PAGE_FIELDS = ("order", "title", "show_if")
QUESTION_FIELDS = (
    "order",
    "code",
    "kind",
    "text",
    "help_text",
    "required",
    "choices",
    "show_if",
    "themes",
    "breakdown",
)
CODE_FIELDS = ("slug", "label", "theme", "keywords")

VALID = """\
series: wellbeing-check
year: 2026-27
title: Wellbeing check
kind: anonymous
opens_on: 2026-05-01
closes_on: 2026-05-31
pages:
  - title: About you
    questions:
      - code: works-with-children
        kind: yes_no
        text: Do you work with children?
        required: true
  - title: Your work
    show_if: {question: works-with-children, equals: "Yes"}
    questions:
      - code: years
        kind: number
        text: How many years?
"""


@pytest.fixture
def rich_survey(cast) -> Survey:
    """The practitioner survey with everything a survey can carry: times, an introduction,
    a page rule and a question rule with several answers, themes, breakdowns, help text,
    a custom agreement scale, and a codebook with themes and keywords."""
    survey = survey_from_pack(
        path=PRACTITIONER_PACK,
        year="2018-19",
        opens_on=date(2018, 9, 3),
        closes_on=date(2018, 10, 26),
        actor=cast.admin,
    )
    survey.opens_time, survey.closes_time = time(9, 30), time(17, 15)
    survey.introduction = "Line one.\n\nLine two: ‘quoted’ — and “more”."
    survey.save()
    extra = Page.objects.create(
        survey=survey,
        order=5,
        title="For managers",
        show_if={"question": "role", "in": ["Team manager", "Senior manager"]},
    )
    Question.objects.create(
        page=extra,
        order=1,
        code="supervision",
        kind=Question.Kind.LIKERT,
        text="Supervision helps my team: yes, really",
        choices=["Always", "Often", "Sometimes", "Never"],
        themes=["workload", "working-together"],
        required=True,
    )
    Question.objects.create(
        page=extra,
        order=2,
        code="levels",
        kind=Question.Kind.MULTIPLE,
        text="Which levels?",
        choices=["Yes", "No", "On", "10:30", "1e3", "null"],
        show_if={"question": "supervision", "equals": "Often"},
    )
    Code.objects.create(
        survey=survey,
        slug="joint-working",
        label="Better joint working between partners",
        theme="working-together",
        keywords=["joint working", "partners"],
    )
    Code.objects.create(survey=survey, slug="other", label="Something else")
    return survey


def _values(record: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in fields}


def _structure(survey: Survey) -> dict[str, Any]:
    return {
        "pages": [
            {
                **_values(page, PAGE_FIELDS),
                "questions": [
                    _values(question, QUESTION_FIELDS)
                    for question in page.questions.order_by("order")
                ],
            }
            for page in survey.pages.order_by("order")
        ],
        "codes": [_values(code, CODE_FIELDS) for code in survey.codes.order_by("slug")],
    }


def _problems(text: str) -> list[str]:
    with pytest.raises(SurveyPackError) as refused:
        survey_from_yaml(text)
    return refused.value.problems


def _counts() -> tuple[int, ...]:
    return (
        Survey.objects.count(),
        Page.objects.count(),
        Question.objects.count(),
        Code.objects.count(),
        Survey.history.count(),
        Page.history.count(),
        Question.history.count(),
        Code.history.count(),
    )


def _upload(text: str, name: str = "survey.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/x-yaml")


# The round trip ------------------------------------------------------------------------------


def test_export_then_import_under_another_year_gives_the_same_survey(rich_survey):
    text = survey_to_yaml(rich_survey)
    copy = survey_from_yaml(text.replace("year: 2018-19", "year: 2019-20"))
    assert copy.year == "2019-20"
    assert copy.public_slug == "practitioner-survey-2019-20"  # the file's slug is taken
    same = ("series", "title", "kind", "introduction", "opens_on", "opens_time")
    assert _values(copy, (*same, "closes_on", "closes_time")) == _values(
        rich_survey, (*same, "closes_on", "closes_time")
    )
    assert _structure(copy) == _structure(rich_survey)
    assert len(_structure(copy)["pages"]) == 5
    assert len(_structure(copy)["codes"]) == 2


def test_export_then_import_after_removing_the_first_gives_the_same_survey(rich_survey):
    text = survey_to_yaml(rich_survey)
    before = _values(rich_survey, SURVEY_FIELDS), _structure(rich_survey)
    rich_survey.delete()
    copy = survey_from_yaml(text)
    assert (_values(copy, SURVEY_FIELDS), _structure(copy)) == before
    assert survey_to_yaml(copy) == text


def test_the_export_is_plain_yaml_any_reader_gets_the_same_values_from(rich_survey):
    data = yaml.safe_load(survey_to_yaml(rich_survey))  # PyYAML's own YAML 1.1 reading
    assert (data["opens_time"], data["closes_time"]) == ("09:30", "17:15")
    levels = data["pages"][4]["questions"][1]
    assert levels["choices"] == ["Yes", "No", "On", "10:30", "1e3", "null"]
    assert data["codes"][0] == {
        "slug": "joint-working",
        "label": "Better joint working between partners",
        "theme": "working-together",
        "keywords": ["joint working", "partners"],
    }


def test_export_downloads_as_series_and_year(cast, client_for, rich_survey):
    response = client_for(cast.paqa_member).get(reverse("surveys:export", args=[rich_survey.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="practitioner-survey-2018-19.yaml"'
    )
    assert response.content.decode() == survey_to_yaml(rich_survey)


def test_export_reads_the_survey_in_a_fixed_number_of_queries(
    rich_survey, django_assert_num_queries
):
    with django_assert_num_queries(3):  # pages, their questions, the codebook
        survey_to_yaml(rich_survey)


# Importing through the page -------------------------------------------------------------------


def test_an_import_makes_a_draft_and_goes_to_its_page(cast, client_for):
    client = client_for(cast.paqa_member)
    assert client.get(reverse("surveys:import")).status_code == 200
    response = client.post(reverse("surveys:import"), {"file": _upload(VALID)})
    survey = Survey.objects.get(series="wellbeing-check")
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:manage", args=[survey.pk])
    assert survey.status == Survey.Status.DRAFT
    assert (survey.opens_time, survey.closes_time) == (time(0, 0), time(23, 59))
    assert [q.code for q in Question.objects.filter(page__survey=survey)] == [
        "works-with-children",
        "years",
    ]


def test_the_import_is_in_the_history_under_the_person_who_made_it(cast, client_for):
    client = client_for(cast.paqa_member)
    text = VALID + "codes:\n  - {slug: money, label: Money}\n"
    client.post(reverse("surveys:import"), {"file": _upload(text)})
    survey = Survey.objects.get(series="wellbeing-check")
    rows = [
        *survey.history.all(),
        *Page.history.filter(survey_id=survey.pk),
        *Question.history.filter(page__survey_id=survey.pk),
        *Code.history.filter(survey_id=survey.pk),
    ]
    assert len(rows) == 1 + 2 + 2 + 1
    assert {row.history_type for row in rows} == {"+"}
    assert {row.history_user for row in rows} == {cast.paqa_member}
    assert {row.history_change_reason for row in rows} == {"Imported from a YAML file"}


def test_survey_from_yaml_still_publishes_by_default_for_packs(cast):
    survey = survey_from_yaml(VALID, actor=cast.admin)
    assert survey.status == Survey.Status.PUBLISHED
    assert survey.history.get().history_user == cast.admin


def test_the_import_page_needs_the_csrf_token(cast, client_for):
    client = client_for(cast.paqa_member)
    client.handler.enforce_csrf_checks = True  # as a browser is held to it
    response = client.post(reverse("surveys:import"), {"file": _upload(VALID)})
    assert response.status_code == 403
    assert not Survey.objects.exists()


def test_a_refused_file_shows_every_problem_in_the_error_summary(cast, client_for):
    text = VALID.replace("kind: number", "kind: radio").replace(
        "closes_on: 2026-05-31", "closes_on: 2026-04-30"
    )
    before = _counts()
    response = client_for(cast.paqa_member).post(reverse("surveys:import"), {"file": _upload(text)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Import a survey" in html
    summary = html.split('id="import-problems"')[1].split("</ul>")[0]
    assert "Line 6: The closing date and time must be after" in summary
    assert "Line 17: Question ‘years’" in summary
    assert "‘radio’ is not a question type" in summary
    assert summary.count('<a href="#id_file">') == 2
    assert "The file has 2 problems, listed above" in html
    assert _counts() == before


def test_a_file_of_many_problems_lists_the_first_hundred_and_counts_the_rest(cast, client_for):
    text = VALID + "".join(f"unknown-{n}: 1\n" for n in range(250))
    html = (
        client_for(cast.paqa_member)
        .post(reverse("surveys:import"), {"file": _upload(text)})
        .content.decode()
    )
    summary = html.split('id="import-problems"')[1].split("</ul>")[0]
    assert summary.count('<a href="#id_file">') == 100
    assert "And 150 more problems" in summary
    assert "The file has 250 problems" in html


def test_what_the_file_says_is_shown_as_text(cast, client_for):
    text = VALID + "<script>alert(1)</script>: 1\n"
    html = (
        client_for(cast.paqa_member)
        .post(reverse("surveys:import"), {"file": _upload(text)})
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in html
    assert "Line 20: ‘&lt;script&gt;alert(1)&lt;/script&gt;’ is not something a survey" in html


NOT_TEXT = "The selected file is not a YAML file: it is not text"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("survey.txt", VALID.encode(), "The selected file must be a YAML file (.yaml or .yml)"),
        ("survey.yaml", b"", "The selected file is empty"),
        ("survey.yaml", b"   \n\n", "The selected file is empty"),
        ("survey.yml", b"title: caf\xe9\n", "must be text saved as UTF-8 (line 1 is not)"),
        ("survey.yaml", b"# x\n" * 140_000, "The selected file must be smaller than 512 KB"),
        ("survey.yaml", "series: x\n".encode("utf-16"), "is saved as UTF-16: save it as UTF-8"),
        ("survey.yaml", b"MZ\x90\x00\x03\x00" + bytes(64) + b"PE\x00\x00", NOT_TEXT),
        ("survey.yml", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", NOT_TEXT),
    ],
)
def test_files_that_are_not_a_yaml_text_are_refused(cast, client_for, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client_for(cast.paqa_member).post(reverse("surveys:import"), {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Survey.objects.exists()


def test_choosing_no_file_asks_for_one(cast, client_for):
    response = client_for(cast.paqa_member).post(reverse("surveys:import"), {})
    assert "Select a YAML file" in response.content.decode()


def test_a_file_saved_with_a_byte_order_mark_is_read(cast, client_for):
    upload = SimpleUploadedFile("survey.yaml", b"\xef\xbb\xbf" + VALID.encode())
    response = client_for(cast.paqa_member).post(reverse("surveys:import"), {"file": upload})
    assert response.status_code == 302


# Every refusal names its line ------------------------------------------------------------------


def test_an_unknown_question_type_is_refused_naming_its_line():
    problems = _problems(VALID.replace("kind: number", "kind: slider"))
    assert problems == [
        "Line 17: Question ‘years’ (page 2, question 1): ‘slider’ is not a question "
        "type. Use one of yes_no, single, multiple, likert, number, text"
    ]


def test_a_rule_pointing_forwards_is_refused_naming_its_line():
    text = VALID.replace(
        "        required: true\n",
        '        required: true\n        show_if: {question: years, equals: "3"}\n',
    )
    [problem] = _problems(text)
    assert problem.startswith("Line 10: Question ‘works-with-children’")
    assert "depends on ‘years’, which does not come before it" in problem


def test_a_rule_pointing_at_nothing_is_refused_naming_its_line():
    [problem] = _problems(VALID.replace("question: works-with-children,", "question: nobody,"))
    assert problem.startswith("Line 14: Page 2 ‘Your work’: its rule depends on ‘nobody’")
    assert "not a question in this survey" in problem


def test_a_rule_on_a_question_answered_in_words_is_refused():
    [problem] = _problems(
        VALID.replace("kind: yes_no", "kind: text").replace("        required: true\n", "")
    )
    assert problem.startswith("Line 13: Page 2 ‘Your work’")
    assert "can only depend on a question answered from a list" in problem


def test_a_question_code_used_twice_is_refused_naming_its_line():
    assert _problems(VALID.replace("code: years", "code: works-with-children")) == [
        "Line 17: Question code ‘works-with-children’ is used twice"
    ]


def test_closing_before_opening_is_refused_naming_its_line():
    assert _problems(VALID.replace("closes_on: 2026-05-31", "closes_on: 2026-04-30")) == [
        "Line 6: The closing date and time must be after the opening date and time"
    ]


def test_closing_before_opening_on_the_same_day_is_refused():
    text = VALID.replace(
        "closes_on: 2026-05-31", 'closes_on: 2026-05-01\nopens_time: "10:00"\ncloses_time: 09:00'
    )
    assert _problems(text) == [
        "Line 6: The closing date and time must be after the opening date and time"
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("title: [unclosed\n", 2, "The file is not valid YAML"),
        ("title: x\n  bad indent: y\n", 2, "mapping values are not allowed here"),
        ("title: 'open\n", 2, "found unexpected end of stream"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
        ("a: &x 1\nb: *x\n", 2, "aliases (*name) are not allowed"),
        ("a: !!python/object/apply:os.system [ls]\n", 1, "the tag ‘!!python/object/apply:os"),
        ("a: 1\nb: !thing x\n", 2, "The file has the tag ‘!thing’, which is not allowed"),
        ("a: 1\nb: " + "[" * 21 + "]" * 21 + "\n", 2, "nested more than 20 deep"),
        ("a: " + "[" * 100_000 + "\n", 1, "nested more than 20 deep"),
        ("a: 1\n\nb: " + "{c: " * 30_000, 3, "nested more than 20 deep"),
        ("title: x\ttab\n\x07\n", 2, "character that is not allowed"),
    ],
)
def test_a_file_that_is_not_yaml_is_refused_with_the_line_of_the_fault(text, line, words):
    [problem] = _problems(text)
    assert problem.startswith(f"Line {line}: ")
    assert words in problem


def test_a_series_and_year_that_already_exist_are_refused_naming_the_line(cast):
    survey_from_yaml(VALID)
    before = _counts()
    assert _problems(VALID) == [
        "Line 2: There is already a survey of the series ‘wellbeing-check’ for 2026-27 "
        "(‘Wellbeing check’). Change ‘year’, or ‘series’ for a new series"
    ]
    assert _counts() == before


def test_a_survey_with_no_questions_is_refused():
    text = VALID.split("pages:")[0] + "pages:\n  - title: Empty\n"
    assert _problems(text) == ["The survey has no questions: add at least one question"]
    assert _problems(VALID.split("pages:")[0] + "pages: []\n") == [
        "The survey has no questions: add at least one question"
    ]


def test_missing_keys_unknown_keys_and_bad_values_are_all_named_at_once():
    text = textwrap.dedent(
        """\
        series: Not a slug!
        title: ""
        kind: public
        opens_on: 2026-02-30
        closes_on: 2026-05-01 10:00
        opens_time: 25:00
        status: published
        pages:
          - title: One
            colour: blue
            questions:
              - code: a
                kind: single
                text: Pick
                choices: [Only one]
                required: maybe
                themes: [training, made-up]
                breakdown: team
              - kind: yes_no
                text: No code
        codes:
          - {slug: a, label: A, theme: nope, keywords: keyword}
          - {slug: a, label: ""}
        """
    )
    before = _counts()
    problems = _problems(text)
    assert problems == [
        "Line 1: The survey needs ‘year’",
        "Line 1: The survey: ‘series’ must use only letters, numbers, hyphens and underscores, "
        "like ‘practitioner-survey’ (not ‘Not a slug!’)",
        "Line 2: The survey’s ‘title’ is empty",
        "Line 3: ‘kind’ must be anonymous (answered through a public link) or organisation "
        "(one return per organisation), not ‘public’",
        "Line 4: ‘opens_on’ must be a real date, like 2019-04-01 (not ‘2026-02-30’)",
        "Line 5: ‘closes_on’ must be a date alone, like 2019-04-01 (give the time as "
        "‘closes_time’)",
        'Line 6: ‘opens_time’ must be a time on the 24-hour clock, like "09:30" (not ‘25:00’)',
        "Line 7: ‘status’ is not something a survey can have. Use series, year, title, kind, "
        "introduction, opens_on, opens_time, closes_on, closes_time, public_slug, pages or codes",
        "Line 10: ‘colour’ is not something a page can have. Use title, show_if or questions",
        "Line 12: Question ‘a’ (page 1, question 1) needs at least two answers",
        "Line 16: Question ‘a’: ‘required’ must be true or false",
        "Line 17: Question ‘a’: ‘made-up’ is not a theme of the shared list. Use "
        "information-sharing, multi-agency-chronologies, co-ordinated-work, think-family, "
        "voice-of-the-child, working-together, neglect, attendance-at-conferences, exploitation, "
        "mental-health, education, workload, recruitment-and-retention, domestic-abuse, training",
        "Line 18: Question ‘a’: ‘breakdown’ must be organisation or role (not ‘team’)",
        "Line 19: Question ‘’ (page 1, question 2) needs a code",
        "Line 22: Code ‘a’: ‘nope’ is not a theme of the shared list. Use information-sharing, "
        "multi-agency-chronologies, co-ordinated-work, think-family, voice-of-the-child, "
        "working-together, neglect, attendance-at-conferences, exploitation, mental-health, "
        "education, workload, recruitment-and-retention, domestic-abuse, training",
        "Line 22: Code ‘a’: ‘keywords’ must be a list, like [A, B]",
        "Line 23: Code ‘a’ is in the codebook twice",
        "Line 23: Code ‘a’: ‘label’ is empty",
    ]
    assert _counts() == before


def test_a_key_given_twice_is_refused():
    assert _problems(VALID.replace("title: Wellbeing check\n", "title: A\ntitle: B\n")) == [
        "Line 4: ‘title’ is given twice"
    ]


def test_an_empty_file_or_a_list_is_not_a_survey():
    assert _problems("") == ["The file is empty"]
    assert _problems("- a\n- b\n") == [
        "Line 1: The file is not a survey: it must be a set of keys and values (like title: …)"
    ]


def test_nothing_is_written_when_the_only_problem_is_at_the_end(cast):
    """The codebook comes last; a fault in it leaves no survey, page or question behind."""
    before = _counts()
    _problems(VALID + "codes:\n  - {slug: x, label: X, theme: not-a-theme}\n")
    assert _counts() == before


# Reading as YAML 1.2 ---------------------------------------------------------------------------


def test_words_and_times_are_read_as_written():
    text = VALID.replace(
        "closes_on: 2026-05-31",
        "closes_on: 2026-05-31\nopens_time: 9:05\ncloses_time: 17:30",
    ).replace(
        "      - code: years\n        kind: number",
        "      - code: years\n        kind: single\n        choices: [Yes, No, on, off, 10:30]",
    )
    survey, problems = yaml_io.read_survey(text.replace('equals: "Yes"', "equals: Yes"))
    assert problems == []
    assert (survey.opens_time, survey.closes_time) == (time(9, 5), time(17, 30))
    assert survey.pages[1].questions[0].choices == ["Yes", "No", "on", "off", "10:30"]
    assert survey.pages[1].show_if == {"question": "works-with-children", "equals": "Yes"}
    assert survey.pages[0].questions[0].required is True


def test_a_pack_as_shipped_reads_without_problems():
    text = PRACTITIONER_PACK.read_text(encoding="utf-8").replace('"YEAR"', "2026-27")
    survey, problems = yaml_io.read_survey(text)
    assert problems == []
    assert [page.title for page in survey.pages][:2] == ["About you", "Training"]


def test_a_survey_built_in_the_app_round_trips_with_its_history_actor(cast):
    today = timezone.localdate()
    survey = survey_from_yaml(
        VALID.replace("2026-05-01", str(today)).replace(
            "2026-05-31", str(today + timedelta(days=7))
        ),
        actor=cast.admin,
    )
    page = survey.pages.get(order=1)
    stamp_actor(page, cast.admin)
    page.title = "About you and your work"
    page.save()
    text = survey_to_yaml(survey)
    assert "title: About you and your work" in text
    copy = survey_from_yaml(text.replace("year: 2026-27", "year: 2027-28"), actor=cast.paqa_member)
    assert _structure(copy) == _structure(survey)


# What PyYAML reads but a survey cannot keep ----------------------------------------------------


@pytest.mark.parametrize(
    ("escape", "problem"),
    [
        ("\\0", "The file has a character that is not allowed in YAML (#x0000)"),
        ("\\ud800", "The file has a character that is not allowed in YAML (#xd800)"),
        (
            "\\U00110000",
            "The file has an escape in quotes (like \\U0001F600) that is not a character",
        ),
        (
            "\\UFFFFFFFF",
            "The file has an escape in quotes (like \\U0001F600) that is not a character",
        ),
    ],
)
def test_an_escape_for_a_character_that_cannot_be_kept_is_refused_naming_its_line(
    cast, escape, problem
):
    """YAML allows these only as escapes in quotes; PostgreSQL cannot keep a NUL, and no
    database a lone surrogate, so they are refused with the line rather than failing to save."""
    before = _counts()
    text = VALID.replace("title: Wellbeing check", f'title: "Wellbeing{escape}check"')
    assert _problems(text) == [f"Line 3: {problem}"]
    assert _counts() == before


def test_other_control_characters_written_as_escapes_are_kept_so_an_export_imports_again(cast):
    """The builder's forms keep a control character someone pasted; its export writes it as an
    escape, and importing that file gives the same text back."""
    text = VALID.replace("title: Wellbeing check", 'title: "Wellbeing\\x1b\\x01check"')
    survey = survey_from_yaml(text, actor=cast.paqa_member)
    assert survey.title == "Wellbeing\x1b\x01check"
    again = survey_to_yaml(survey).replace("year: 2026-27", "year: 2027-28")
    assert survey_from_yaml(again, actor=cast.paqa_member).title == survey.title


def test_a_character_that_cannot_be_kept_is_refused_on_the_page_too(cast, client_for):
    text = VALID.replace("text: How many years?", 'text: "How many\\0years?"')
    response = client_for(cast.paqa_member).post(reverse("surveys:import"), {"file": _upload(text)})
    assert response.status_code == 200
    assert "Line 19: The file has a character that is not allowed in YAML (#x0000)" in (
        response.content.decode()
    )
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("9" * 5000, "The survey: ‘year’ must be 20 characters or fewer (it is 5000)"),
        ("-" + "1_0" * 2500, "The survey: ‘year’ must be 20 characters or fewer (it is 7501)"),
        ("!!int x", None),
        ("!!float x", None),
        ('!!int ""', "The survey’s ‘year’ is empty"),
        ("!!timestamp x", None),
    ],
)
def test_a_value_that_cannot_be_read_as_the_number_or_date_it_looks_like_is_a_word(value, problem):
    """Python will not turn 5,000 digits into a number, and `!!int x` is no number: each stays
    the word it is, checked as any other."""
    survey, problems = yaml_io.read_survey(VALID.replace("year: 2026-27", f"year: {value}"))
    assert [str(found) for found in problems] == ([f"Line 2: {problem}"] if problem else [])
    if problem is None:
        assert survey.year == "x"


def test_an_explicit_timestamp_that_is_no_date_is_refused_as_a_date():
    _, problems = yaml_io.read_survey(VALID.replace("2026-05-01", "!!timestamp soon"))
    assert [str(found) for found in problems] == [
        "Line 5: ‘opens_on’ must be a real date, like 2019-04-01 (not ‘soon’)"
    ]


def test_a_rule_gives_equals_or_in_not_both():
    text = VALID.replace('equals: "Yes"}', 'equals: "Yes", in: ["No"]}')
    assert _problems(text) == [
        "Line 15: Page 2: a rule gives either ‘equals’ (one answer) or ‘in’ (a list), not both"
    ]


def test_a_rule_naming_a_question_by_a_number_names_it_as_the_text_its_code_is(cast):
    """`code: 12` is kept as the text "12", so the rule that points at it must be too, or it
    would never match the answers (kept by code, as text)."""
    text = VALID.replace("code: works-with-children", "code: 12").replace(
        "question: works-with-children", "question: 12"
    )
    survey = survey_from_yaml(text)
    assert survey.pages.get(order=1).questions.get().code == "12"
    assert survey.pages.get(order=2).show_if == {"question": "12", "equals": "Yes"}
