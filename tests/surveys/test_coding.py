"""Coding free text: the codebook, coding with who and when kept, suggestions (keyword rules and
TF-IDF grouping), ranked themes and the drafted sentence, quotes, the pages, access, escaping
and exports, and queries that do not grow with the answers."""

import csv
import io
import random
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from paqa.surveys import coding, selectors, services
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Response, Survey
from paqa.surveys.services import survey_from_yaml
from paqa.surveys.suggest import (
    STOP_WORDS,
    CodedIndex,
    cosine,
    group_similar,
    keyword_suggestions,
    suggest_from_coded,
    tfidf_vectors,
    tokens,
)

pytestmark = pytest.mark.django_db

SURVEY_YAML = """
series: {series}
year: "2018-19"
title: Practitioner survey
kind: anonymous
opens_on: 2019-01-01
closes_on: 2019-01-31
pages:
  - title: Training
    questions:
      - code: trained-3-years
        kind: yes_no
        text: Have you had safeguarding training in the last three years?
  - title: What would you change
    questions:
      - code: change
        kind: text
        text: If you could change one thing about how agencies keep children safe, what would it be?
"""

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'
_keys = count(1)


def make_survey(series: str = "practitioner-survey") -> Survey:
    return survey_from_yaml(SURVEY_YAML.format(series=series))


def change_question(survey: Survey) -> Question:
    return Question.objects.get(page__survey=survey, code="change")


def respond(survey: Survey, text: str, *, submitted: bool = True) -> Answer:
    response = Response.objects.create(
        survey=survey,
        submission_key=f"coding-test-{next(_keys)}",
        status=Response.Status.SUBMITTED if submitted else Response.Status.DRAFT,
    )
    return Answer.objects.create(response=response, question=change_question(survey), value=text)


@pytest.fixture
def survey(db) -> Survey:
    return make_survey()


@pytest.fixture
def question(survey) -> Question:
    return change_question(survey)


@pytest.fixture
def codebook(survey, cast) -> dict[str, Code]:
    def add(label: str, keywords: list[str], theme: str = "") -> Code:
        return services.code_create(
            survey=survey, label=label, theme=theme, keywords=keywords, actor=cast.paqa_member
        )

    return {
        "joint": add(
            "Better joint working between partners",
            ["joint working", "partners", "information sharing"],
            theme="working-together",
        ),
        "training": add("Better training", ["training", "case studies"], theme="training"),
        "profile": add("A more positive profile of safeguarding work", ["profile", "valued"]),
        "workload": add("Lower caseloads", ["caseload", "caseloads"]),
    }


def coding_url(survey: Survey, question: Question) -> str:
    return reverse("surveys:coding-question", args=[survey.pk, question.pk])


def themes_url(survey: Survey, question: Question) -> str:
    return reverse("surveys:coding-themes", args=[survey.pk, question.pk])


# The codebook ---------------------------------------------------------------------------------


def test_a_code_gets_its_slug_from_its_label_and_tidy_keywords(survey, cast):
    code = services.code_create(
        survey=survey,
        label="  Better   training ",
        theme="Training",
        keywords=["Case  Studies", "training", "", "TRAINING"],
        actor=cast.admin,
    )
    assert (code.slug, code.label, code.theme) == ("better-training", "Better training", "training")
    assert code.keywords == ["case studies", "training"]
    assert code.history.get().history_user == cast.admin


def test_a_codebook_has_each_code_once(survey, cast):
    services.code_create(survey=survey, label="Better training", actor=cast.admin)
    with pytest.raises(ValidationError) as error:
        services.code_create(survey=survey, label="better training!", actor=cast.admin)
    assert error.value.messages == ["There is already a code called ‘Better training’"]
    # Another survey's codebook is its own.
    other = make_survey("children-survey")
    assert services.code_create(survey=other, label="Better training", actor=cast.admin).pk


def test_a_code_needs_a_name_with_letters(survey, cast):
    with pytest.raises(ValidationError):
        services.code_create(survey=survey, label="   ", actor=cast.admin)
    with pytest.raises(ValidationError):
        services.code_create(survey=survey, label="!!!", actor=cast.admin)


# Coding answers -------------------------------------------------------------------------------


def test_coding_keeps_who_coded_what_and_when_with_history(survey, codebook, cast):
    answer = respond(survey, "Better joint working and more training")
    first = services.answer_code_set(
        answer=answer, codes=[codebook["joint"], codebook["training"]], actor=cast.admin
    )
    assert {row.code for row in first} == {codebook["joint"], codebook["training"]}
    joint_row = AnswerCode.objects.get(answer=answer, code=codebook["joint"])
    coded_at = joint_row.coded_at

    services.answer_code_set(
        answer=answer, codes=[codebook["joint"], codebook["profile"]], actor=cast.paqa_member
    )
    rows = {row.code: row for row in AnswerCode.objects.filter(answer=answer)}
    assert set(rows) == {codebook["joint"], codebook["profile"]}
    # The code kept keeps who coded it and when; the new one is the second coder's.
    assert (rows[codebook["joint"]].coded_by, rows[codebook["joint"]].coded_at) == (
        cast.admin,
        coded_at,
    )
    assert rows[codebook["profile"]].coded_by == cast.paqa_member

    history = AnswerCode.history.filter(answer_id=answer.pk).order_by("history_id")
    assert [(h.history_type, h.code_id, h.history_user) for h in history] == [
        ("+", codebook["joint"].pk, cast.admin),
        ("+", codebook["training"].pk, cast.admin),
        ("-", codebook["training"].pk, cast.paqa_member),
        ("+", codebook["profile"].pk, cast.paqa_member),
    ]


def test_an_answer_can_have_several_codes_and_none(survey, codebook, cast):
    answer = respond(survey, "Training, joint working and smaller caseloads")
    services.answer_code_set(answer=answer, codes=list(codebook.values()), actor=cast.analyst)
    assert answer.codes.count() == 4
    services.answer_code_set(answer=answer, codes=[], actor=cast.analyst)
    assert answer.codes.count() == 0


def test_only_submitted_answers_are_coded(survey, question, codebook, cast):
    draft = respond(survey, "Still writing this", submitted=False)
    submitted = respond(survey, "Better training")
    assert list(selectors.answers_to_code(user=cast.admin, question=question)) == [submitted]
    with pytest.raises(ValidationError):
        services.answer_code_set(answer=draft, codes=[codebook["training"]], actor=cast.admin)


def test_a_code_from_another_codebook_is_refused(survey, codebook, cast):
    other = make_survey("children-survey")
    foreign = services.code_create(survey=other, label="Feeling safe", actor=cast.admin)
    answer = respond(survey, "Better training")
    with pytest.raises(ValidationError):
        services.answer_code_set(answer=answer, codes=[foreign], actor=cast.admin)
    assert not answer.codes.exists()


def test_uncoded_answers_can_be_listed_alone(survey, question, codebook, cast):
    coded = respond(survey, "Better training")
    uncoded = respond(survey, "Something else")
    services.answer_code_set(answer=coded, codes=[codebook["training"]], actor=cast.admin)
    assert list(
        selectors.answers_to_code(user=cast.admin, question=question, only_uncoded=True)
    ) == [uncoded]


def test_free_text_questions_are_the_text_ones(survey, question, cast):
    assert list(selectors.free_text_questions(user=cast.admin, survey=survey)) == [question]


# Suggestions ----------------------------------------------------------------------------------


def test_keyword_suggestions_match_whole_words_and_phrases_ignoring_case(codebook):
    codes = list(codebook.values())
    assert keyword_suggestions("JOINT   Working with Partners!", codes) == [codebook["joint"]]
    assert keyword_suggestions("Training that uses Case Studies", codes) == [codebook["training"]]
    # Whole words only: "train" is not a keyword and "caseload" is not in "caseloadings".
    assert keyword_suggestions("caseloadings and trainers", codes) == []
    assert keyword_suggestions("Smaller caseloads; better training", codes) == [
        codebook["training"],
        codebook["workload"],
    ]
    assert keyword_suggestions("", codes) == []


def test_tokens_drop_stop_words_and_tfidf_vectors_are_unit_length():
    assert tokens("More training, please, for the staff's team!") == [
        "training",
        "staff's",
        "team",
    ]
    assert {"the", "and", "more", "please"} <= STOP_WORDS
    vectors = tfidf_vectors(["better joint working", "the and of", "training training staff"])
    assert vectors[1] == {}
    for vector in (vectors[0], vectors[2]):
        assert sum(weight * weight for weight in vector.values()) == pytest.approx(1.0)
    assert vectors[2]["training"] > vectors[2]["staff"]
    assert cosine(vectors[0], vectors[0]) == pytest.approx(1.0)
    assert cosine(vectors[0], vectors[2]) == 0


def test_tfidf_groups_similar_answers():
    texts = [
        "better joint working",
        "joint working between partners could be better",
        "more training please",
        "training shorter and tailored",
        "the",
    ]
    assert group_similar(texts) == [[0, 1], [2, 3], [4]]
    # Deterministic, and a high threshold keeps every answer apart.
    assert group_similar(texts) == group_similar(texts)
    assert group_similar(texts, threshold=0.99) == [[0], [1], [2], [3], [4]]
    assert group_similar([]) == []


def test_suggestions_from_the_most_similar_coded_answers():
    coded = [
        ("Better joint working between partners", ["joint"]),
        ("Partners should share information", ["joint", "sharing"]),
        ("Shorter training tailored to my role", ["training"]),
    ]
    assert suggest_from_coded("joint working with partners please", coded) == ["joint"]
    assert suggest_from_coded("training tailored to role", coded) == ["training"]
    assert suggest_from_coded("nothing in common here", coded) == []
    assert suggest_from_coded("anything", []) == []


def _synthetic_answers(number: int) -> list[str]:
    rng = random.Random(2019)
    vocabulary = [f"word{i}" for i in range(400)] + ["training", "joint", "working", "partners"]
    fillers = ["the", "and", "more", "to", "of", "we", "should", "be"]
    return [
        " ".join(
            rng.choice(vocabulary) if rng.random() < 0.6 else rng.choice(fillers)
            for _ in range(rng.randint(4, 16))
        )
        for _ in range(number)
    ]


def test_grouping_and_suggesting_a_thousand_answers():
    """At the size of a real survey (how fast is bench/'s business): every answer lands in one
    group, largest groups first, the same every time; and each coded answer is its own nearest
    neighbour, so suggestions come from the answers most like the one being coded."""
    texts = _synthetic_answers(1000)
    groups = group_similar(texts)
    assert sorted(position for group in groups for position in group) == list(range(1000))
    sizes = [len(group) for group in groups]
    assert sizes == sorted(sizes, reverse=True)
    assert any(size > 1 for size in sizes)
    assert all(group == sorted(group) for group in groups)
    assert group_similar(texts) == groups

    index = CodedIndex([(text, [position % 7]) for position, text in enumerate(texts[:500])])
    for position, text in enumerate(texts[:25]):
        nearest, score = index.neighbours(text)[0]
        assert (nearest, score) == (position, pytest.approx(1.0))
        assert position % 7 in index.suggest(text)
    for text in texts[500:525]:  # one page of answers not yet coded
        suggested = index.suggest(text)
        assert len(suggested) == len(set(suggested)) <= 5
        assert set(suggested) <= set(range(7))


# Counts, the sentence and quotes ----------------------------------------------------------


def _code_many(survey, codebook, cast, plan: dict[str, int]) -> list[Answer]:
    answers = []
    for key, number in plan.items():
        for index in range(number):
            answer = respond(survey, f"{key} answer {index}")
            services.answer_code_set(answer=answer, codes=[codebook[key]], actor=cast.paqa_member)
            answers.append(answer)
    return answers


def test_theme_counts_are_ranked_and_give_the_top_three_sentence(survey, question, codebook, cast):
    _code_many(survey, codebook, cast, {"training": 3, "joint": 5, "workload": 1, "profile": 2})
    # Several codes on one answer count for each; drafts do not count.
    both = respond(survey, "Joint working and training")
    services.answer_code_set(
        answer=both, codes=[codebook["joint"], codebook["training"]], actor=cast.analyst
    )
    draft = respond(survey, "Caseloads", submitted=False)
    AnswerCode.objects.create(answer=draft, code=codebook["workload"], coded_by=cast.analyst)

    counts = selectors.theme_counts(user=cast.board_member, question=question)
    assert [(code.slug, number) for code, number in counts] == [
        ("better-joint-working-between-partners", 6),
        ("better-training", 4),
        ("a-more-positive-profile-of-safeguarding-work", 2),
        ("lower-caseloads", 1),
    ]
    sentence = selectors.top_three_sentence(
        user=cast.board_member, question=question, asked_about="what they would change"
    )
    assert sentence == (
        "When asked what they would change, the top three responses were: "
        "1. Better joint working between partners; 2. Better training; "
        "3. A more positive profile of safeguarding work."
    )
    # Without wording for the question, the question is quoted.
    assert selectors.top_three_sentence(user=cast.board_member, question=question).startswith(
        "When asked “If you could change one thing about how agencies keep children safe, "
        "what would it be?”, the top three responses were: 1. Better joint working"
    )


def test_the_sentence_with_fewer_themes(survey, question, codebook, cast):
    assert selectors.top_three_sentence(user=cast.admin, question=question) == ""
    _code_many(survey, codebook, cast, {"training": 2, "joint": 1})
    assert selectors.top_three_sentence(
        user=cast.admin, question=question, asked_about="what they would change"
    ) == (
        "When asked what they would change, the top two responses were: "
        "1. Better training; 2. Better joint working between partners."
    )


def test_quotes_put_representative_ones_first_and_marking_is_kept(survey, question, codebook, cast):
    answers = _code_many(survey, codebook, cast, {"training": 3})
    rows = [AnswerCode.objects.get(answer=answer) for answer in answers]
    services.quote_mark(answer_code=rows[2], representative=True, actor=cast.paqa_member)
    quoted = selectors.quotes(user=cast.board_member, question=question, code=codebook["training"])
    assert [row.pk for row in quoted] == [rows[2].pk, rows[0].pk, rows[1].pk]
    assert quoted[0].representative
    latest = rows[2].history.latest()
    assert (latest.representative, latest.history_user) == (True, cast.paqa_member)
    assert selectors.quotes_by_code(user=cast.board_member, question=question) == {
        codebook["training"].pk: quoted
    }
    services.quote_mark(answer_code=rows[2], representative=False, actor=cast.paqa_member)
    rows[2].refresh_from_db()
    assert not rows[2].representative


def test_quotes_by_code_can_leave_out_all_but_the_first_other_answers(
    survey, question, codebook, cast
):
    answers = _code_many(survey, codebook, cast, {"training": 6, "joint": 2})
    training = [AnswerCode.objects.get(answer=answer) for answer in answers[:6]]
    for row in (training[4], training[5]):
        services.quote_mark(answer_code=row, representative=True, actor=cast.paqa_member)
    every = selectors.quotes_by_code(user=cast.board_member, question=question)
    some = selectors.quotes_by_code(user=cast.board_member, question=question, others=2)
    quotes_only = selectors.quotes_by_code(user=cast.board_member, question=question, others=0)
    first = [row.pk for row in every[codebook["training"].pk]]
    assert first == [training[4].pk, training[5].pk] + [row.pk for row in training[:4]]
    assert [row.pk for row in some[codebook["training"].pk]] == first[:4]
    assert len(some[codebook["joint"].pk]) == 2
    assert [row.pk for row in quotes_only[codebook["training"].pk]] == first[:2]
    assert codebook["joint"].pk not in quotes_only


def test_the_themes_page_offers_a_themes_first_answers_as_quotes_and_counts_the_rest(
    survey, question, codebook, cast, client_for
):
    _code_many(survey, codebook, cast, {"training": 33})
    page = client_for(cast.paqa_member).get(themes_url(survey, question))
    (theme,) = page.context["themes"]
    assert theme["count"] == 33
    assert len(theme["candidates"]) == 30
    assert theme["more_candidates"] == 3
    reader = client_for(cast.board_member).get(themes_url(survey, question))
    (theme,) = reader.context["themes"]
    assert (theme["candidates"], theme["more_candidates"]) == ([], 0)


# The pages ------------------------------------------------------------------------------------


def test_coding_page_lists_answers_with_ticked_codes_suggestions_and_groups(
    survey, question, codebook, cast, client_for
):
    coded = respond(survey, "Partners should talk to each other")
    services.answer_code_set(answer=coded, codes=[codebook["joint"]], actor=cast.admin)
    respond(survey, "better joint working")
    respond(survey, "joint working between partners could be better")
    respond(survey, "more training please")
    respond(survey, "training shorter and tailored")

    page = client_for(cast.paqa_member).get(coding_url(survey, question))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        f'id="answer-{coded.pk}-code-{codebook["joint"].pk}" name="codes-{coded.pk}" '
        'type="checkbox" '
        f'value="{codebook["joint"].pk}" checked>'
    ) in html
    assert "Coded: Better joint working between partners (by Admin, " in html
    assert "<strong>Suggested:</strong> Better training" in html
    assert "Apply to all 2 similar answers" in html
    assert [group.size for group in page.context["groups"]] == [2, 2]
    assert page.context["answers_count"] == 5
    assert page.context["coded_count"] == 1

    only_uncoded = client_for(cast.paqa_member).get(coding_url(survey, question) + "?show=uncoded")
    assert coded not in [item.answer for item in only_uncoded.context["items"]]
    assert len(only_uncoded.context["items"]) == 4


def test_the_coding_page_shows_100_answers_a_page(survey, question, codebook, cast, client_for):
    for index in range(130):
        respond(survey, f"answer number {index}")
    client = client_for(cast.analyst)
    first = client.get(coding_url(survey, question))
    second = client.get(coding_url(survey, question) + "?page=2")
    assert len(first.context["items"]) == 100
    assert len(second.context["items"]) == 30
    assert 'aria-label="Page 2"' in first.content.decode()


def test_coding_an_answer_from_the_page(survey, question, codebook, cast, client_for):
    answer = respond(survey, "Better joint working and training")
    url = coding_url(survey, question)
    response = client_for(cast.analyst).post(
        url,
        {
            "save-answer": answer.pk,
            "shown": f"{answer.pk}:",
            f"codes-{answer.pk}": [codebook["joint"].pk, codebook["training"].pk],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#answer-{answer.pk}"
    assert {row.code for row in answer.codes.all()} == {codebook["joint"], codebook["training"]}
    assert {row.coded_by for row in answer.codes.all()} == {cast.analyst}


def test_a_code_from_another_survey_cannot_be_posted(survey, question, codebook, cast, client_for):
    other = make_survey("children-survey")
    foreign = services.code_create(survey=other, label="Feeling safe", actor=cast.admin)
    answer = respond(survey, "Better training")
    client_for(cast.analyst).post(
        coding_url(survey, question),
        {"action": "save", "shown": f"{answer.pk}:", f"codes-{answer.pk}": foreign.pk},
    )
    assert not answer.codes.exists()


def test_coding_a_group_of_similar_answers_at_once(survey, question, codebook, cast, client_for):
    first = respond(survey, "better joint working")
    second = respond(survey, "joint working between partners could be better")
    services.answer_code_set(answer=second, codes=[codebook["profile"]], actor=cast.admin)
    response = client_for(cast.paqa_member).post(
        coding_url(survey, question),
        {"action": "group", "answers": f"{first.pk},{second.pk}", "codes": [codebook["joint"].pk]},
    )
    assert response.status_code == 302
    assert [row.code for row in first.codes.all()] == [codebook["joint"]]
    # Codes an answer already had are kept.
    assert {row.code for row in second.codes.all()} == {codebook["joint"], codebook["profile"]}


def test_adding_a_code_from_the_coding_page(survey, question, codebook, cast, client_for):
    client = client_for(cast.paqa_member)
    url = coding_url(survey, question)
    response = client.post(
        url,
        {
            "action": "add-code",
            "label": "Feedback after a referral",
            "theme": "information-sharing",
            "keywords": "feedback, hear back",
        },
    )
    assert response.status_code == 302
    code = Code.objects.get(survey=survey, slug="feedback-after-a-referral")
    assert (code.theme, code.keywords) == ("information-sharing", ["feedback", "hear back"])

    again = client.post(url, {"action": "add-code", "label": "Better training"})
    assert again.status_code == 200
    html = again.content.decode()
    assert "There is a problem" in html
    assert "There is already a code called ‘Better training’" in html


def test_themes_page_ranks_themes_drafts_the_sentence_and_shows_quotes(
    survey, question, codebook, cast, client_for
):
    answers = _code_many(survey, codebook, cast, {"joint": 3, "training": 2, "profile": 1})
    services.quote_mark(
        answer_code=answers[0].codes.get(), representative=True, actor=cast.paqa_member
    )
    page = client_for(cast.board_member).get(
        themes_url(survey, question) + "?asked=what+they+would+change"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "When asked what they would change, the top three responses were: 1. Better joint "
        "working between partners; 2. Better training; 3. A more positive profile of "
        "safeguarding work."
    ) in html
    assert [(t["code"].slug, t["count"], t["percent"]) for t in page.context["themes"]] == [
        ("better-joint-working-between-partners", 3, 50),
        ("better-training", 2, 33),
        ("a-more-positive-profile-of-safeguarding-work", 1, 17),
    ]
    assert "joint answer 0" in html
    # Board members read quotes but are not offered the buttons to choose them.
    assert "Use as a quote" not in html
    assert (
        "Use as a quote"
        in client_for(cast.paqa_member).get(themes_url(survey, question)).content.decode()
    )


def test_marking_a_quote_from_the_themes_page(survey, question, codebook, cast, client_for):
    (answer,) = _code_many(survey, codebook, cast, {"training": 1})
    row = answer.codes.get()
    url = reverse("surveys:coding-quote", args=[survey.pk, question.pk, row.pk])
    response = client_for(cast.paqa_member).post(url, {"representative": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith("#theme-better-training")
    row.refresh_from_db()
    assert row.representative
    assert client_for(cast.board_member).post(url, {"representative": "0"}).status_code == 403
    row.refresh_from_db()
    assert row.representative


def test_the_survey_coding_index_lists_free_text_questions(survey, question, cast, client_for):
    page = client_for(cast.board_member).get(reverse("surveys:coding-survey", args=[survey.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert themes_url(survey, question) in html
    assert f'href="{coding_url(survey, question)}"' not in html
    coder_page = client_for(cast.analyst).get(reverse("surveys:coding-survey", args=[survey.pk]))
    assert f'href="{coding_url(survey, question)}"' in coder_page.content.decode()


# Access ---------------------------------------------------------------------------------------


def test_who_may_code_and_who_may_read_themes(survey, question, codebook, cast, client_for):
    answer = respond(survey, "Better training")
    coding_page, themes_page = coding_url(survey, question), themes_url(survey, question)
    for user in (cast.admin, cast.paqa_member, cast.analyst):
        assert client_for(user).get(coding_page).status_code == 200
    for user in (cast.board_member, cast.agency_lead, cast.auditor, cast.other_agency_lead):
        assert client_for(user).get(themes_page).status_code == 200
    board = client_for(cast.board_member)
    assert (
        board.post(
            coding_page,
            {
                "action": "save",
                "shown": f"{answer.pk}:",
                f"codes-{answer.pk}": codebook["training"].pk,
            },
        ).status_code
        == 403
    )
    assert not answer.codes.exists()
    assert board.post(coding_page, {"action": "add-code", "label": "Sneaky"}).status_code == 403
    assert client_for(cast.agency_lead).get(coding_page).status_code == 403
    assert client_for(cast.auditor).get(coding_page).status_code == 403


def test_a_question_that_is_not_free_text_or_not_in_the_survey_is_not_found(
    survey, question, cast, client_for
):
    client = client_for(cast.admin)
    yes_no = Question.objects.get(page__survey=survey, code="trained-3-years")
    other = make_survey("children-survey")
    assert client.get(coding_url(survey, yes_no)).status_code == 404
    assert client.get(themes_url(survey, yes_no)).status_code == 404
    assert client.get(coding_url(other, question)).status_code == 404
    assert client.get(reverse("surveys:coding-survey", args=[999999])).status_code == 404


# Untrusted text -------------------------------------------------------------------------------


def test_answer_text_is_escaped_on_the_pages(survey, question, codebook, cast, client_for):
    script = respond(survey, SCRIPT)
    formula = respond(survey, FORMULA)
    respond(survey, SCRIPT + " again")  # grouped with the first, so shown in a group too
    services.answer_code_set(answer=script, codes=[codebook["training"]], actor=cast.admin)
    services.answer_code_set(answer=formula, codes=[codebook["training"]], actor=cast.admin)
    services.quote_mark(answer_code=script.codes.get(), representative=True, actor=cast.admin)

    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for user, url in (
        (cast.paqa_member, coding_url(survey, question)),
        (cast.board_member, themes_url(survey, question)),
        (cast.paqa_member, themes_url(survey, question)),
    ):
        html = client_for(user).get(url).content.decode()
        assert SCRIPT not in html
        assert escaped in html
    coding_html = client_for(cast.paqa_member).get(coding_url(survey, question)).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in coding_html


def test_exports_neutralise_formulas(survey, question, codebook, cast, client_for):
    script = respond(survey, SCRIPT)
    formula = respond(survey, FORMULA)
    services.answer_code_set(
        answer=formula, codes=[codebook["training"], codebook["joint"]], actor=cast.admin
    )
    client = client_for(cast.board_member)

    response = client.get(themes_url(survey, question) + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == coding.EXPORT_HEADER
    by_answer = {row[0]: row for row in rows[1:]}
    assert by_answer[str(formula.pk)][2] == "'" + FORMULA
    assert by_answer[str(formula.pk)][3] == "Better joint working between partners; Better training"
    assert by_answer[str(formula.pk)][6] == "Admin"
    assert by_answer[str(script.pk)][2] == SCRIPT
    assert by_answer[str(script.pk)][3] == ""

    xlsx = client.get(themes_url(survey, question) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    cell = cells[formula.pk][2]
    assert cell.value == "'" + FORMULA
    assert cell.data_type == "s"


# Queries --------------------------------------------------------------------------------------


def test_the_coding_page_queries_do_not_grow_with_answers(
    survey, question, codebook, cast, client_for
):
    def add_answers(number: int) -> None:
        for index in range(number):
            answer = respond(survey, f"better joint working and training {index}")
            if index % 2:
                services.answer_code_set(
                    answer=answer, codes=[codebook["joint"], codebook["training"]], actor=cast.admin
                )
                services.quote_mark(
                    answer_code=answer.codes.first(), representative=True, actor=cast.admin
                )

    client = client_for(cast.paqa_member)
    add_answers(3)
    client.get(coding_url(survey, question))  # warm up: session, access
    counts = {}
    for url in (coding_url(survey, question), themes_url(survey, question)):
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts[url] = len(few)
    add_answers(30)
    for url in (coding_url(survey, question), themes_url(survey, question)):
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == counts[url], url
