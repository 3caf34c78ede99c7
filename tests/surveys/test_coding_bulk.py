"""Coding at speed: many answers coded in one write with a history row for every change, the
coding page's one form for a hundred answers (only real changes written, a concurrent coder's
work kept), the toolbar acting on the selected answers, groups of similar answers, the
filters, the refusals, and queries that do not grow with the answers."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paqa.surveys import coding, coding_services, services
from paqa.surveys.coding_views import PAGE_SIZE
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Response, Survey
from tests.surveys.test_coding import change_question, coding_url, make_survey, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(db) -> Survey:
    return make_survey()


@pytest.fixture
def question(survey) -> Question:
    return change_question(survey)


@pytest.fixture
def codes(survey, cast) -> dict[str, Code]:
    def add(label: str, keywords: list[str]) -> Code:
        return services.code_create(
            survey=survey, label=label, keywords=keywords, actor=cast.paqa_member
        )

    return {
        "joint": add("Better joint working between partners", ["joint working", "partners"]),
        "training": add("Better training", ["training"]),
        "profile": add("A more positive profile of safeguarding work", ["profile"]),
    }


def history_of(answer: Answer) -> list[tuple[str, int, object]]:
    return [
        (row.history_type, row.code_id, row.history_user)
        for row in AnswerCode.history.filter(answer_id=answer.pk).order_by("history_id")
    ]


def codes_of(answer: Answer) -> set[int]:
    return set(AnswerCode.objects.filter(answer=answer).values_list("code_id", flat=True))


# Writing in bulk ------------------------------------------------------------------------------


def test_a_code_applied_to_many_answers_keeps_their_codes_and_records_each_change(
    survey, codes, cast
):
    answers = [respond(survey, f"answer {number}") for number in range(5)]
    services.answer_code_set(answer=answers[0], codes=[codes["profile"]], actor=cast.admin)
    services.answer_code_set(answer=answers[1], codes=[codes["training"]], actor=cast.admin)

    done = coding_services.answers_code_apply(
        answers=answers, codes=[codes["training"]], actor=cast.analyst
    )

    # Answer 1 had the code already: nothing is written for it.
    assert done == coding_services.Coded(answers=4, added=4, removed=0)
    assert codes_of(answers[0]) == {codes["profile"].pk, codes["training"].pk}
    assert codes_of(answers[1]) == {codes["training"].pk}
    kept = AnswerCode.objects.get(answer=answers[1])
    assert kept.coded_by == cast.admin  # who coded it first is kept
    added = AnswerCode.objects.filter(code=codes["training"]).exclude(pk=kept.pk)
    assert {row.coded_by for row in added} == {cast.analyst}
    assert history_of(answers[0]) == [
        ("+", codes["profile"].pk, cast.admin),
        ("+", codes["training"].pk, cast.analyst),
    ]
    assert history_of(answers[1]) == [("+", codes["training"].pk, cast.admin)]
    for answer in answers[2:]:
        assert history_of(answer) == [("+", codes["training"].pk, cast.analyst)]


def test_a_code_removed_from_many_answers_keeps_a_deletion_in_history_for_each(survey, codes, cast):
    answers = [respond(survey, f"answer {number}") for number in range(4)]
    coding_services.answers_code_apply(
        answers=answers[:3], codes=[codes["joint"], codes["training"]], actor=cast.admin
    )
    rows_before = {row.answer_id: row for row in AnswerCode.objects.filter(code=codes["training"])}

    done = coding_services.answers_code_remove(
        answers=answers, codes=[codes["training"]], actor=cast.paqa_member, reason="Too broad"
    )

    assert done == coding_services.Coded(answers=3, added=0, removed=3)
    for answer in answers[:3]:
        assert codes_of(answer) == {codes["joint"].pk}
        assert history_of(answer)[-1] == ("-", codes["training"].pk, cast.paqa_member)
        deleted = AnswerCode.history.get(answer_id=answer.pk, history_type="-")
        # The deletion's history row is the row as it was, as one-at-a-time deletions keep it.
        before = rows_before[answer.pk]
        assert (deleted.id, deleted.coded_by, deleted.coded_at) == (
            before.pk,
            cast.admin,
            before.coded_at,
        )
        assert deleted.history_change_reason == "Too broad"
    assert history_of(answers[3]) == []


def test_adding_and_removing_in_one_change_writes_only_real_changes(survey, codes, cast):
    first, second = respond(survey, "one"), respond(survey, "two")
    services.answer_code_set(answer=first, codes=[codes["joint"]], actor=cast.admin)
    done = coding_services.answers_codes_change(
        changes=[
            coding_services.AnswerChange(
                answer=first, add=[codes["joint"], codes["training"]], remove=[codes["profile"]]
            ),
            coding_services.AnswerChange(answer=second, remove=[codes["joint"]]),
            coding_services.AnswerChange(answer=second),
        ],
        actor=cast.analyst,
    )
    assert done == coding_services.Coded(answers=1, added=1, removed=0)
    assert codes_of(first) == {codes["joint"].pk, codes["training"].pk}
    assert codes_of(second) == set()
    assert coding_services.answers_codes_change(changes=[], actor=cast.analyst) == (
        coding_services.Coded()
    )


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (lambda survey: respond(survey, "draft", submitted=False), coding_services.NOT_SUBMITTED),
        (
            lambda survey: Answer.objects.create(
                response=Response.objects.create(
                    survey=survey, submission_key="yes-no", status=Response.Status.SUBMITTED
                ),
                question=Question.objects.get(page__survey=survey, code="trained-3-years"),
                value="Yes",
            ),
            coding_services.NOT_TEXT,
        ),
    ],
    ids=["draft", "not-free-text"],
)
def test_answers_that_cannot_be_coded_are_refused_and_nothing_is_written(
    survey, codes, cast, make_bad, message
):
    good = respond(survey, "fine")
    bad = make_bad(survey)
    for write in (coding_services.answers_code_apply, coding_services.answers_code_remove):
        with pytest.raises(ValidationError) as refused:
            write(answers=[good, bad], codes=[codes["training"]], actor=cast.analyst)
        assert refused.value.messages == [message]
    assert not AnswerCode.objects.exists()
    assert not AnswerCode.history.exists()


def test_a_code_from_another_codebook_or_a_missing_answer_is_refused(survey, codes, cast):
    other = make_survey("children-survey")
    foreign = services.code_create(survey=other, label="Feeling safe", actor=cast.admin)
    answer = respond(survey, "Better training")
    with pytest.raises(ValidationError) as refused:
        coding_services.answers_code_apply(
            answers=[answer], codes=[codes["training"], foreign], actor=cast.analyst
        )
    assert refused.value.messages == [coding_services.FOREIGN_CODE]
    gone = respond(survey, "deleted meanwhile")
    gone_pk = gone.pk
    gone.response.delete()
    gone.pk = gone_pk
    with pytest.raises(ValidationError) as refused:
        coding_services.answers_code_apply(
            answers=[answer, gone], codes=[codes["training"]], actor=cast.analyst
        )
    assert refused.value.messages == [coding_services.NOT_FOUND]
    assert not AnswerCode.objects.exists()


def test_a_clash_with_another_coder_saves_nothing(survey, codes, cast, monkeypatch):
    answer = respond(survey, "Better training")
    services.answer_code_set(answer=answer, codes=[codes["joint"]], actor=cast.admin)
    insert = coding_services._insert

    def another_coder_first(pairs, **kwargs):
        # Between reading the answer's codes and inserting, someone else gives the same code.
        AnswerCode.objects.create(answer=answer, code=codes["training"], coded_by=cast.admin)
        return insert(pairs, **kwargs)

    monkeypatch.setattr(coding_services, "_insert", another_coder_first)
    with pytest.raises(ValidationError) as refused:
        coding_services.answers_codes_change(
            changes=[
                coding_services.AnswerChange(
                    answer=answer, add=[codes["training"]], remove=[codes["joint"]]
                )
            ],
            actor=cast.analyst,
        )
    assert refused.value.messages == [coding_services.CLASH]
    # The removal made before the clash is undone with it, history included.
    assert codes_of(answer) == {codes["joint"].pk}
    assert history_of(answer) == [("+", codes["joint"].pk, cast.admin)]


def test_bulk_writes_take_the_same_queries_for_ten_answers_and_for_five_hundred(
    survey, codes, cast
):
    answers = [respond(survey, f"answer {number}") for number in range(510)]
    counts = []
    for chosen in (answers[:10], answers[10:]):
        with CaptureQueriesContext(connection) as applied:
            coding_services.answers_code_apply(
                answers=chosen, codes=[codes["training"], codes["joint"]], actor=cast.analyst
            )
        with CaptureQueriesContext(connection) as removed:
            coding_services.answers_code_remove(
                answers=chosen, codes=[codes["training"]], actor=cast.analyst
            )
        counts.append((len(applied), len(removed)))
    assert counts[0] == counts[1], counts
    assert AnswerCode.objects.filter(code=codes["joint"]).count() == 510
    assert AnswerCode.history.filter(history_type="+").count() == 1020
    assert AnswerCode.history.filter(history_type="-").count() == 510


# The page's form, without the database ----------------------------------------------------------


def test_the_shown_codes_travel_in_one_field_and_come_back():
    value = coding.shown_value([(12, [5, 3]), (13, []), (14, [5])])
    assert value == "12:3,5 13: 14:5"
    assert coding.parse_shown(value) == {
        12: frozenset({3, 5}),
        13: frozenset(),
        14: frozenset({5}),
    }
    assert coding.parse_shown("") == {}
    for broken in ("12", "x:1", "12:a", "12:1 12:2"):
        with pytest.raises(ValueError):  # noqa: PT011
            coding.parse_shown(broken)
    assert coding.parse_ids("3,1,,3") == [3, 1]
    assert coding.parse_ids(["4", "2", "4"]) == [4, 2]
    with pytest.raises(ValueError):  # noqa: PT011
        coding.parse_ids("1,two")


def test_page_changes_are_only_what_the_person_changed():
    shown = {1: frozenset({10}), 2: frozenset({10, 11}), 3: frozenset()}
    ticked = {1: {10}, 2: {11, 12}, 3: set()}
    assert coding.page_changes(shown, ticked) == {
        2: coding.CodesChange(add=frozenset({12}), remove=frozenset({10}))
    }
    applied = coding.page_changes(shown, ticked, selected=[1, 3], apply=11)
    assert applied == {
        1: coding.CodesChange(add=frozenset({11}), remove=frozenset()),
        2: coding.CodesChange(add=frozenset({12}), remove=frozenset({10})),
        3: coding.CodesChange(add=frozenset({11}), remove=frozenset()),
    }
    # Removing takes the code off a selected answer even when it was not shown with it (in
    # case another coder gave it meanwhile), and wins over its box.
    removed = coding.page_changes(
        shown, {1: {10}, 2: {10, 11}, 3: {11}}, selected=[2, 3], remove=11
    )
    assert removed == {
        2: coding.CodesChange(add=frozenset(), remove=frozenset({11})),
        3: coding.CodesChange(add=frozenset(), remove=frozenset({11})),
    }


# The page --------------------------------------------------------------------------------------


def page_post(answers, ticked=None, **extra):
    """The coding page's form as the browser sends it: the codes each answer was shown with,
    the boxes now ticked (answer → codes; unticked answers left out)."""
    data = {
        "shown": coding.shown_value((answer.pk, codes_of(answer)) for answer in answers),
        "action": "save",
    }
    for answer, ticks in (ticked or {}).items():
        data[f"codes-{answer.pk}"] = [code.pk for code in ticks]
    data.update(extra)
    return data


def test_one_save_codes_every_answer_changed_and_only_those(
    survey, question, codes, cast, client_for
):
    answers = [respond(survey, f"answer {number}") for number in range(4)]
    services.answer_code_set(answer=answers[3], codes=[codes["joint"]], actor=cast.admin)
    data = page_post(
        answers,
        {
            answers[0]: [codes["training"]],
            answers[1]: [codes["training"], codes["joint"]],
            answers[3]: [codes["joint"]],  # as it was: not written again
        },
    )
    client = client_for(cast.analyst)
    response = client.post(coding_url(survey, question), data)
    assert response.status_code == 302
    assert response["Location"] == coding_url(survey, question) + "#answers"
    assert codes_of(answers[0]) == {codes["training"].pk}
    assert codes_of(answers[1]) == {codes["training"].pk, codes["joint"].pk}
    assert codes_of(answers[2]) == set()
    assert history_of(answers[3]) == [("+", codes["joint"].pk, cast.admin)]
    page = client.get(response["Location"])
    assert "The codes of 2 answers are saved (3 codes added, 0 removed)." in (page.content.decode())


def test_a_save_keeps_what_another_coder_did_meanwhile(survey, question, codes, cast, client_for):
    answer = respond(survey, "joint working and training")
    other = respond(survey, "the profile of the work")
    services.answer_code_set(answer=answer, codes=[codes["profile"]], actor=cast.admin)
    data = page_post([answer, other], {answer: [codes["profile"], codes["training"]]})
    # Meanwhile another coder gives the answer a code, takes one off, and codes the other one.
    services.answer_code_set(answer=answer, codes=[codes["joint"]], actor=cast.paqa_member)
    services.answer_code_set(answer=other, codes=[codes["profile"]], actor=cast.paqa_member)

    client_for(cast.analyst).post(coding_url(survey, question), data)

    # Only the analyst's change (adding training) is written: the other coder's removal of
    # the profile code and their new codes stand.
    assert codes_of(answer) == {codes["joint"].pk, codes["training"].pk}
    assert codes_of(other) == {codes["profile"].pk}


def test_apply_and_remove_act_on_the_selected_answers_with_the_ticks_saved_too(
    survey, question, codes, cast, client_for
):
    answers = [respond(survey, f"answer {number}") for number in range(3)]
    client = client_for(cast.analyst)
    url = coding_url(survey, question)
    data = page_post(
        answers,
        {answers[2]: [codes["profile"]]},
        action="apply",
        selected=[answers[0].pk, answers[1].pk],
        **{"bulk-code": codes["training"].pk},
    )
    assert client.post(url, data).status_code == 302
    assert codes_of(answers[0]) == codes_of(answers[1]) == {codes["training"].pk}
    assert codes_of(answers[2]) == {codes["profile"].pk}
    html = client.get(url).content.decode()
    assert "‘Better training’ is applied to the 2 selected answers (3 codes added, 0 removed)." in (
        html
    )

    # Removing from the selected answers, whatever their boxes still say.
    data = page_post(
        answers,
        {
            answers[0]: [codes["training"]],
            answers[1]: [codes["training"]],
            answers[2]: [codes["profile"]],
        },
        action="remove",
        selected=[answers[0].pk, answers[1].pk, answers[2].pk],
        **{"bulk-code": codes["training"].pk},
    )
    assert client.post(url, data).status_code == 302
    assert codes_of(answers[0]) == codes_of(answers[1]) == set()
    assert codes_of(answers[2]) == {codes["profile"].pk}
    assert [h[0] for h in history_of(answers[0])] == ["+", "-"]


@pytest.mark.parametrize(
    ("extra", "problems"),
    [
        ({"action": "apply", "bulk-code": "CODE"}, ["Select the answers to apply the code to"]),
        ({"action": "remove", "selected": "FIRST"}, ["Choose the code to remove"]),
        (
            {"action": "apply"},
            ["Select the answers to apply the code to", "Choose the code to apply"],
        ),
    ],
    ids=["no-answers", "no-code", "neither"],
)
def test_a_toolbar_action_without_answers_or_a_code_is_shown_again_and_saves_nothing(
    survey, question, codes, cast, client_for, extra, problems
):
    answers = [respond(survey, f"answer {number}") for number in range(2)]
    extra = {
        key: {"CODE": codes["training"].pk, "FIRST": answers[0].pk}.get(value, value)
        for key, value in extra.items()
    }
    data = page_post(answers, {answers[1]: [codes["joint"]]}, **extra)
    response = client_for(cast.analyst).post(coding_url(survey, question), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert [message for message, _ in response.context["problems"]] == problems
    assert html.count("<title>Error: ") == 1
    assert not AnswerCode.objects.exists()
    # What was ticked is shown ticked again, not lost.
    assert (
        f'id="answer-{answers[1].pk}-code-{codes["joint"].pk}" name="codes-{answers[1].pk}" '
        f'type="checkbox" value="{codes["joint"].pk}" checked>'
    ) in html


def test_what_the_page_refuses(survey, question, codes, cast, client_for):
    answer = respond(survey, "Better training")
    draft = respond(survey, "not sent", submitted=False)
    other_survey = make_survey("children-survey")
    elsewhere = Answer.objects.create(
        response=Response.objects.create(
            survey=other_survey, submission_key="elsewhere", status=Response.Status.SUBMITTED
        ),
        question=change_question(other_survey),
        value="Another survey's answer",
    )
    foreign = services.code_create(survey=other_survey, label="Feeling safe", actor=cast.admin)
    client = client_for(cast.analyst)
    url = coding_url(survey, question)
    refused = {
        "a code from another codebook": (
            page_post([answer], {answer: [foreign]}),
            "Choose codes from the codebook",
        ),
        "a draft answer": (
            page_post([draft], {draft: [codes["training"]]}),
            "Some of these answers are no longer there: look at the answers again",
        ),
        "another question's answer": (
            page_post([elsewhere], {elsewhere: [codes["training"]]}),
            "Some of these answers are no longer there: look at the answers again",
        ),
        "a page not sent whole": (
            {"action": "save", "shown": f"{answer.pk}", f"codes-{answer.pk}": "x"},
            "The page was not sent whole: look at the answers again",
        ),
        "an answer selected that is not on the page": (
            page_post([answer], selected=[draft.pk], action="apply"),
            "Select answers on this page",
        ),
        "a group with another question's answer": (
            {
                "action": "group",
                "answers": f"{answer.pk},{elsewhere.pk}",
                "codes": codes["training"].pk,
            },
            "Some of these answers are no longer there: look at them again",
        ),
        "a group without a code": (
            {"action": "group", "answers": f"{answer.pk}"},
            "Choose at least one code for the group",
        ),
    }
    for what, (data, message) in refused.items():
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, what
        assert message in [str(m) for m in response.context["messages"]], what
    assert not AnswerCode.objects.exists()
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    # Someone who may read the themes but not code gets nowhere.
    board = client_for(cast.board_member)
    assert board.post(url, page_post([answer], {answer: [codes["training"]]})).status_code == 403
    assert board.post(
        url, {"action": "group", "answers": str(answer.pk), "codes": codes["training"].pk}
    ).status_code == (403)
    assert not AnswerCode.objects.exists()


def test_a_group_of_five_hundred_is_coded_with_as_many_queries_as_a_group_of_ten(
    survey, question, codes, cast, client_for
):
    answers = [respond(survey, f"more training please {number}") for number in range(510)]
    client = client_for(cast.analyst)
    url = coding_url(survey, question)
    client.get(url)  # warm up: the session, access
    counts = []
    for group in (answers[:10], answers[10:]):
        with CaptureQueriesContext(connection) as posted:
            response = client.post(
                url,
                {
                    "action": "group",
                    "answers": ",".join(str(answer.pk) for answer in group),
                    "codes": [codes["training"].pk],
                },
            )
        assert response.status_code == 302
        counts.append(len(posted))
    assert counts[0] == counts[1], counts
    assert AnswerCode.objects.filter(code=codes["training"]).count() == 510
    assert AnswerCode.history.filter(history_user=cast.analyst).count() == 510


# Filters ----------------------------------------------------------------------------------------


def test_filters_by_uncoded_code_and_suggestion_kept_in_the_pages(
    survey, question, codes, cast, client_for
):
    coded_joint = respond(survey, "Partners should talk")
    services.answer_code_set(answer=coded_joint, codes=[codes["joint"]], actor=cast.admin)
    coded_training = respond(survey, "More training, and joint working")
    services.answer_code_set(answer=coded_training, codes=[codes["training"]], actor=cast.admin)
    suggested = respond(survey, "better joint working")
    plain = respond(survey, "nothing to say")
    client = client_for(cast.analyst)
    url = coding_url(survey, question)

    def listed(query: str) -> list[Answer]:
        return [item.answer for item in client.get(url + query).context["items"]]

    assert listed("") == [coded_joint, coded_training, suggested, plain]
    assert listed("?show=uncoded") == [suggested, plain]
    assert listed(f"?code={codes['joint'].slug}") == [coded_joint]
    # Joint working is suggested for the training answer and the uncoded one, not for the
    # answer that has it already.
    assert listed(f"?suggestion={codes['joint'].slug}") == [coded_training, suggested]
    assert listed(f"?show=uncoded&suggestion={codes['joint'].slug}") == [suggested]
    assert listed("?code=no-such-code") == listed("")
    html = client.get(url + f"?show=uncoded&code={codes['joint'].slug}").content.decode()
    assert "No answers match these choices." in html

    for number in range(PAGE_SIZE + 5):
        respond(survey, f"joint working {number}")
    page = client.get(url + f"?suggestion={codes['joint'].slug}")
    assert len(page.context["items"]) == PAGE_SIZE
    assert page.context["listed_count"] == PAGE_SIZE + 7
    assert f'href="?suggestion={codes["joint"].slug}&amp;page=2"' in page.content.decode()
    second = client.get(url + f"?suggestion={codes['joint'].slug}&page=2")
    assert len(second.context["items"]) == 7


def test_the_page_documents_its_keyboard_shortcuts_and_names_each_answers_suggestions(
    survey, question, codes, cast, client_for
):
    answer = respond(survey, "Training about joint working")
    html = client_for(cast.analyst).get(coding_url(survey, question)).content.decode()
    assert '<span class="govuk-details__summary-text">Keyboard shortcuts</span>' in html
    assert "Tick the answer’s suggested code" in html
    suggested = " ".join(str(codes[key].pk) for key in ("joint", "training"))
    assert f'data-paqa-answer="{answer.pk}" data-paqa-suggestions="{suggested}"' in html
    assert f'for="select-{answer.pk}">Select<span class="govuk-visually-hidden"> answer' in html
    assert "Select all 1 answers on this page" in html


# Queries ----------------------------------------------------------------------------------------


def test_the_coding_page_asks_as_many_queries_for_300_answers_as_for_30(
    survey, question, codes, cast, client_for
):
    def add_answers(number: int) -> None:
        new = [respond(survey, f"joint working and training {index}") for index in range(number)]
        coding_services.answers_code_apply(
            answers=new[::2], codes=[codes["joint"], codes["training"]], actor=cast.admin
        )

    client = client_for(cast.paqa_member)
    url = coding_url(survey, question)
    queries = ("", "?show=uncoded", f"?suggestion={codes['profile'].slug}", "?page=2")
    add_answers(30)
    client.get(url)  # warm up: the session, access
    few = {}
    for query in queries:
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url + query).status_code == 200
        few[query] = len(counted)
    add_answers(270)
    for query in queries:
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url + query).status_code == 200
        assert len(counted) == few[query], query
