"""Building and running a survey in the app: create from a pack or a copy, the question builder
and its branching rules, locking once answered, opening and closing, conflicts, history and
who may do it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from paqa.surveys import builder_selectors, builder_services, selectors, services
from paqa.surveys.builder_services import QuestionDraft, Schedule, SurveyConflict, SurveyLocked
from paqa.surveys.models import Code, Page, Question, Response, Survey


def schedule(days_to_open: int = 0, weeks: int = 4) -> Schedule:
    today = timezone.localdate()
    return Schedule(
        opens_on=today + timedelta(days=days_to_open),
        opens_time=time(9, 0),
        closes_on=today + timedelta(days=days_to_open, weeks=weeks),
        closes_time=time(17, 0),
    )


def fresh(survey: Survey) -> Survey:
    return Survey.objects.get(pk=survey.pk)


@pytest.fixture
def draft(cast) -> Survey:
    return builder_services.survey_create(
        source="practitioner-survey",
        title="Practitioner survey",
        year="2026-27",
        schedule=schedule(),
        actor=cast.paqa_member,
    )


def question(survey: Survey, code: str) -> Question:
    return Question.objects.get(page__survey=survey, code=code)


# Creating --------------------------------------------------------------------------------------


def test_a_survey_from_the_pack_is_a_draft_with_the_packs_questions(cast, draft):
    assert draft.status == Survey.Status.DRAFT
    assert draft.phase == "Draft"
    assert not draft.is_open()
    assert draft.kind == Survey.Kind.ANONYMOUS
    codes = list(Question.objects.filter(page__survey=draft).values_list("code", flat=True))
    assert "trained-3-years" in codes
    assert "change" in codes
    assert draft.history.first().history_user == cast.paqa_member


def test_a_copy_keeps_questions_themes_rules_and_codebook(cast, draft):
    services.code_create(survey=draft, label="Better training", theme="training", actor=None)
    copy = builder_services.survey_create(
        source=f"survey:{draft.pk}",
        title="Practitioner survey",
        year="2027-28",
        schedule=schedule(),
        actor=cast.paqa_member,
    )
    assert copy.series == draft.series
    assert copy.status == Survey.Status.DRAFT
    assert builder_selectors.structure(survey=copy) == builder_selectors.structure(survey=draft)
    assert question(copy, "trained-3-years").themes == ["training"]
    assert question(copy, "training-useful").show_if == {
        "question": "trained-3-years",
        "equals": "Yes",
    }
    assert list(Code.objects.filter(survey=copy).values_list("label", "theme")) == [
        ("Better training", "training")
    ]


def test_creating_refuses_a_year_already_run_and_dates_in_the_wrong_order(cast, draft):
    with pytest.raises(ValidationError) as taken:
        builder_services.survey_create(
            source="practitioner-survey",
            title="Again",
            year="2026-27",
            schedule=schedule(),
            actor=cast.paqa_member,
        )
    assert "already a survey of this series for 2026-27" in str(taken.value)
    backwards = Schedule(
        opens_on=date(2027, 1, 10),
        opens_time=time(9),
        closes_on=date(2027, 1, 3),
        closes_time=time(9),
    )
    with pytest.raises(ValidationError) as wrong:
        builder_services.survey_create(
            source="blank",
            title="Blank",
            year="2026-27",
            kind="anonymous",
            schedule=backwards,
            actor=None,
        )
    assert "closing date and time must be after the opening" in str(wrong.value)
    assert not Survey.objects.filter(title="Blank").exists()


# The builder and its rules ---------------------------------------------------------------------


def add_branch(survey: Survey, actor) -> Question:
    page = Page.objects.get(survey=survey, title="Support")
    return builder_services.question_add(
        page=page,
        based_on_version=fresh(survey).version,
        draft=QuestionDraft(
            text="Why not?",
            kind="text",
            show_if={"question": "discuss-safeguarding", "in": ["No"]},
        ),
        actor=actor,
    )


def test_a_question_with_a_branch_is_added_and_its_rule_summarised(cast, draft):
    added = add_branch(draft, cast.paqa_member)
    assert added.code == "why-not"
    built = builder_selectors.builder(user=cast.paqa_member, survey=draft)
    rules = [item.rule for page in built.pages for item in page.questions if item.rule]
    assert (
        "Only for people who answered ‘No’ to ‘Do you have the opportunity to discuss "
        "safeguarding within your organisation?’" in rules
    )
    assert added.history.first().history_user == cast.paqa_member
    assert fresh(draft).version == draft.version + 1


def test_a_rule_pointing_forwards_or_at_nothing_is_refused_naming_the_question(cast, draft):
    page = Page.objects.get(survey=draft, title="Training")
    with pytest.raises(ValidationError) as forwards:
        builder_services.question_add(
            page=page,
            based_on_version=draft.version,
            draft=QuestionDraft(
                text="Ahead", kind="yes_no", show_if={"question": "change", "in": ["Yes"]}
            ),
            actor=None,
        )
    assert "‘ahead’" in str(forwards.value)
    assert "depends on ‘change’" in str(forwards.value)
    assert "does not come before it" in str(forwards.value)
    with pytest.raises(ValidationError) as nothing:
        builder_services.question_add(
            page=page,
            based_on_version=draft.version,
            draft=QuestionDraft(
                text="Lost", kind="yes_no", show_if={"question": "no-such", "in": ["Yes"]}
            ),
            actor=None,
        )
    assert "‘no-such’, which is not a question in this survey" in str(nothing.value)
    assert not Question.objects.filter(page__survey=draft, code__in=["ahead", "lost"]).exists()
    assert fresh(draft).version == draft.version


def test_a_move_that_would_put_a_question_before_the_one_it_depends_on_is_refused(cast, draft):
    # 'training-useful' shows only after 'trained-3-years': moving it up would make a loop.
    useful = question(draft, "training-useful")
    with pytest.raises(ValidationError) as loop:
        builder_services.question_move(
            question=useful, based_on_version=draft.version, direction=-1, actor=None
        )
    assert "‘training-useful’" in str(loop.value)
    assert question(draft, "training-useful").order == 2


def test_rule_answers_must_be_answers_to_the_question(cast, draft):
    page = Page.objects.get(survey=draft, title="Support")
    with pytest.raises(ValidationError) as wrong:
        builder_services.question_add(
            page=page,
            based_on_version=draft.version,
            draft=QuestionDraft(
                text="Odd", kind="text", show_if={"question": "trained-3-years", "in": ["Maybe"]}
            ),
            actor=None,
        )
    assert "‘Maybe’, which is not an answer to ‘trained-3-years’" in str(wrong.value)


def test_pages_and_questions_move_and_are_removed_with_history(cast, draft):
    about = Page.objects.get(survey=draft, title="About you")
    builder_services.page_move(
        page=about, based_on_version=draft.version, direction=1, actor=cast.paqa_member
    )
    assert list(Page.objects.filter(survey=draft).values_list("title", flat=True))[:2] == [
        "Training",
        "About you",
    ]
    role = question(draft, "role")
    role_pk = role.pk
    builder_services.question_remove(
        question=role, based_on_version=fresh(draft).version, actor=cast.paqa_member
    )
    assert not Question.objects.filter(pk=role_pk).exists()
    deleted = Question.history.filter(id=role_pk, history_type="-").get()
    assert deleted.history_user == cast.paqa_member


def test_a_stale_change_is_a_conflict_and_writes_nothing(cast, draft):
    stale = draft.version
    add_branch(draft, cast.paqa_member)
    page = Page.objects.get(survey=draft, title="Support")
    with pytest.raises(SurveyConflict) as clash:
        builder_services.question_add(
            page=page,
            based_on_version=stale,
            draft=QuestionDraft(text="Second person’s question", kind="text"),
            actor=cast.admin,
        )
    assert clash.value.yours["Question"] == "Second person’s question"
    assert not Question.objects.filter(text="Second person’s question").exists()


# Opening, closing, locking ---------------------------------------------------------------------


def test_open_schedule_close_and_reopen(cast, draft):
    opened = builder_services.survey_open(
        survey=draft, based_on_version=draft.version, actor=cast.paqa_member
    )
    assert opened.is_open()
    assert opened.phase == "Open"
    closed = builder_services.survey_close(
        survey=opened, based_on_version=opened.version, actor=cast.paqa_member
    )
    assert not closed.is_open()
    assert closed.phase == "Closed"
    later = timezone.localdate() + timedelta(days=14)
    reopened = builder_services.survey_reopen(
        survey=closed,
        based_on_version=closed.version,
        closes_on=later,
        closes_time=time(17),
        actor=cast.paqa_member,
    )
    assert reopened.is_open()
    assert reopened.closes_on == later
    steps = [row.history_user for row in Survey.history.filter(id=draft.pk)]
    assert len(steps) >= 4
    assert set(steps) == {cast.paqa_member}


def test_scheduling_needs_a_future_opening_and_a_survey_with_questions(cast):
    blank = builder_services.survey_create(
        source="blank",
        title="Empty",
        year="2026-27",
        kind="anonymous",
        schedule=schedule(),
        actor=None,
    )
    with pytest.raises(ValidationError) as empty:
        builder_services.survey_schedule(
            survey=blank,
            based_on_version=blank.version,
            schedule=schedule(days_to_open=3),
            actor=None,
        )
    assert "The survey has no questions" in str(empty.value)
    past = Schedule(
        opens_on=timezone.localdate() - timedelta(days=3),
        opens_time=time(9),
        closes_on=timezone.localdate() + timedelta(days=3),
        closes_time=time(9),
    )
    with pytest.raises(ValidationError) as gone:
        builder_services.survey_schedule(
            survey=blank, based_on_version=blank.version, schedule=past, actor=None
        )
    assert "must be in the future" in str(gone.value)
    assert fresh(blank).status == Survey.Status.DRAFT


def test_scheduled_survey_opens_by_itself(cast, draft):
    scheduled = builder_services.survey_schedule(
        survey=draft, based_on_version=draft.version, schedule=schedule(days_to_open=2), actor=None
    )
    assert scheduled.phase == "Scheduled"
    assert not scheduled.is_open()
    assert scheduled.is_open(scheduled.opens_at + timedelta(minutes=1))


def answered(survey: Survey) -> Response:
    response = Response.objects.create(survey=survey, submission_key="k-1")
    services.answers_save(
        response=response,
        values={"trained-3-years": "Yes"},
        questions=[question(survey, "trained-3-years")],
        page_number=2,
    )
    return response


def test_once_answered_questions_are_locked_but_wording_changes_with_a_reason(cast, draft):
    opened = builder_services.survey_open(survey=draft, based_on_version=draft.version, actor=None)
    answered(opened)
    trained = question(opened, "trained-3-years")
    with pytest.raises(SurveyLocked) as kind:
        builder_services.question_update(
            question=trained,
            based_on_version=opened.version,
            draft=QuestionDraft(
                text=trained.text, kind="text", code=trained.code, themes=["training"]
            ),
            actor=None,
            reason="Wanted free text",
        )
    assert "only the wording" in str(kind.value)
    assert "type" in str(kind.value)
    reworded = QuestionDraft(
        text="Have you had safeguarding training in the last 3 years?",
        kind="yes_no",
        code="trained-3-years",
        required=True,
        themes=["training"],
    )
    with pytest.raises(ValidationError) as no_reason:
        builder_services.question_update(
            question=trained, based_on_version=opened.version, draft=reworded, actor=None
        )
    assert "Give a reason" in str(no_reason.value)
    builder_services.question_update(
        question=trained,
        based_on_version=opened.version,
        draft=reworded,
        actor=cast.paqa_member,
        reason="Numbers read more easily",
    )
    latest = Question.history.filter(id=trained.pk).first()
    assert latest.text.endswith("last 3 years?")
    assert latest.history_change_reason == "Numbers read more easily"
    assert latest.history_user == cast.paqa_member
    with pytest.raises(SurveyLocked) as removing:
        builder_services.question_remove(
            question=trained, based_on_version=fresh(opened).version, actor=None
        )
    assert "people have answered it" in str(removing.value)
    with pytest.raises(SurveyLocked):
        add_branch(opened, None)
    assert Question.objects.filter(pk=trained.pk).exists()


# Pages and access --------------------------------------------------------------------------------


def test_only_those_who_manage_surveys_reach_the_builder(cast, client_for, draft):
    url = reverse("surveys:manage", args=[draft.pk])
    assert client_for(cast.paqa_member).get(url).status_code == 200
    for person in (cast.board_member, cast.agency_lead, cast.analyst, cast.auditor):
        assert client_for(person).get(url).status_code == 403
    assert (
        client_for(cast.paqa_member).get(reverse("surveys:manage", args=[999999])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        builder_selectors.survey_to_manage(user=cast.board_member, pk=draft.pk)
    with pytest.raises(Http404):
        builder_selectors.survey_to_manage(user=cast.admin, pk=999999)


def test_drafts_are_listed_only_for_those_who_build_surveys(cast, client_for, draft):
    home = reverse("surveys:home")
    assert "Practitioner survey 2026-27" in client_for(cast.paqa_member).get(home).content.decode()
    assert (
        "Practitioner survey 2026-27"
        not in client_for(cast.board_member).get(home).content.decode()
    )


def test_a_draft_has_no_public_page(client, draft):
    assert client.get(reverse("surveys:public-start", args=[draft.public_slug])).status_code == 404


def test_the_create_page_makes_a_draft_and_shows_errors_in_the_summary(cast, client_for):
    client = client_for(cast.paqa_member)
    url = reverse("surveys:create")
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    bad = client.post(
        url,
        {
            "source": "practitioner-survey",
            "title": "Practitioner survey",
            "year": "2026-27",
            "opens_on_0": today.day,
            "opens_on_1": today.month,
            "opens_on_2": today.year,
            "opens_time": "9:00",
            "closes_on_0": today.day,
            "closes_on_1": today.month,
            "closes_on_2": today.year,
            "closes_time": "8am",
        },
    )
    assert bad.status_code == 200
    assert (
        "The closing date and time must be after the opening date and time" in bad.content.decode()
    )
    assert "govuk-error-summary" in bad.content.decode()
    later = today + timedelta(weeks=4)
    good = client.post(
        url,
        {
            "source": "practitioner-survey",
            "title": "Practitioner survey",
            "year": "2026-27",
            "opens_on_0": today.day,
            "opens_on_1": today.month,
            "opens_on_2": today.year,
            "opens_time": "9:00",
            "closes_on_0": later.day,
            "closes_on_1": later.month,
            "closes_on_2": later.year,
            "closes_time": "5pm",
        },
    )
    survey = Survey.objects.get(series="practitioner-survey", year="2026-27")
    assert good.status_code == 302
    assert good["Location"] == reverse("surveys:manage", args=[survey.pk])
    assert survey.closes_time == time(17, 0)


def test_a_stale_form_shows_the_conflict_page_with_what_was_typed(cast, client_for, draft):
    client = client_for(cast.paqa_member)
    page = Page.objects.get(survey=draft, title="Support")
    stale = draft.version
    add_branch(draft, cast.admin)
    reply = client.post(
        reverse("surveys:question-new", args=[draft.pk, page.pk]),
        {"version": stale, "text": "My <b>new</b> question", "kind": "text"},
    )
    assert reply.status_code == 409
    body = reply.content.decode()
    assert "Someone else changed this survey" in body
    assert "My &lt;b&gt;new&lt;/b&gt; question" in body
    assert not Question.objects.filter(text__contains="new</b>").exists()


def test_the_preview_walks_the_branches_and_stores_nothing(cast, client_for, draft):
    client = client_for(cast.paqa_member)
    url = reverse("surveys:preview", args=[draft.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert "Nothing you enter is stored" in first.content.decode()
    assert "Sign out" not in first.content.decode()  # as a respondent sees it
    carried = first.context["carried"]
    second = client.post(url, {"_answers": carried, "_page": 1, "organisation": "Police"})
    assert second.context["page"].title == "Training"
    third = client.post(
        url,
        {"_answers": second.context["carried"], "_page": 2, "trained-3-years": "No"},
    )
    assert third.context["page"].title == "Support"
    assert Response.objects.filter(survey=draft).count() == 0
    framed = client.get(url + "?framed=1")
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get(url)["X-Frame-Options"] == "DENY"
    assert client.get(reverse("surveys:manage", args=[draft.pk]))["X-Frame-Options"] == "DENY"


def test_the_management_page_runs_a_fixed_number_of_queries(
    cast, client_for, draft, django_assert_max_num_queries
):
    client = client_for(cast.paqa_member)
    url = reverse("surveys:manage", args=[draft.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_organisations_are_not_invited_to_a_draft(cast):
    impact = builder_services.survey_create(
        source="impact-assessment",
        title="Annual impact assessment",
        year="2026-27",
        schedule=schedule(),
        actor=None,
    )
    assert impact.kind == Survey.Kind.ORGANISATION
    with pytest.raises(ValidationError, match="still a draft"):
        services.invitations_send(survey=impact, organisations=[cast.agency], actor=None)
    opened = builder_services.survey_open(
        survey=impact, based_on_version=impact.version, actor=None
    )
    assert (
        len(services.invitations_send(survey=opened, organisations=[cast.agency], actor=None)) == 1
    )


def test_a_draft_is_outside_everyone_elses_reach(cast, client_for, draft):
    results = reverse("surveys:results", args=[draft.pk])
    assert client_for(cast.board_member).get(results).status_code == 404
    assert client_for(cast.analyst).get(results).status_code == 404
    assert client_for(cast.paqa_member).get(results).status_code == 200
    assert selectors.survey_for_year(user=cast.admin, series=draft.series, year=draft.year) is None
    opened = builder_services.survey_open(survey=draft, based_on_version=draft.version, actor=None)
    assert client_for(cast.board_member).get(results).status_code == 200
    assert (
        selectors.survey_for_year(user=cast.admin, series=draft.series, year=draft.year) == opened
    )


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (time(0, 0), "midnight on 4 January 2027"),
        (time(9, 0), "9am on 4 January 2027"),
        (time(12, 0), "midday on 4 January 2027"),
        (time(17, 30), "5:30pm on 4 January 2027"),
        (time(23, 59), "11:59pm on 4 January 2027"),
    ],
)
def test_opening_and_closing_are_written_as_govuk_writes_times(moment, words):
    survey = Survey(opens_on=date(2027, 1, 4), opens_time=moment)
    assert survey.opens_at_words == words


def test_a_scheduled_survey_says_when_it_opens_and_a_closed_one_when_it_closed(cast, client, draft):
    scheduled = builder_services.survey_schedule(
        survey=draft, based_on_version=draft.version, schedule=schedule(days_to_open=2), actor=None
    )
    start = reverse("surveys:public-start", args=[scheduled.public_slug])
    assert f"opens at 9am on {scheduled.opens_on:%-d %B %Y}" in client.get(start).content.decode()
    opened = builder_services.survey_open(
        survey=scheduled, based_on_version=scheduled.version, actor=None
    )
    closed = builder_services.survey_close(
        survey=opened, based_on_version=opened.version, actor=None
    )
    assert f"closed at {closed.closes_at_words}" in client.get(start).content.decode()


def test_the_question_form_names_each_mistake_in_the_error_summary(cast, client_for, draft):
    client = client_for(cast.paqa_member)
    page = Page.objects.get(survey=draft, title="Support")
    url = reverse("surveys:question-new", args=[draft.pk, page.pk])
    reply = client.post(
        url,
        {
            "version": draft.version,
            "text": "Which team?",
            "kind": "single",
            "choices": "Only one",
            "code": "role",
            "rule": ["trained-3-years::Yes", "organisation::Police"],
        },
    )
    body = reply.content.decode()
    assert reply.status_code == 200
    assert "govuk-error-summary" in body
    assert "Tick answers to one question only" in body
    assert not Question.objects.filter(text="Which team?").exists()
    reply = client.post(
        url,
        {"version": draft.version, "text": "Which team?", "kind": "single", "choices": "Only one"},
    )
    assert "Enter at least two answers, one on each line" in reply.content.decode()
    reply = client.post(
        url,
        {
            "version": draft.version,
            "text": "Which team?",
            "kind": "single",
            "choices": "Red\nBlue",
            "code": "role",
        },
    )
    assert "Another question already uses ‘role’" in reply.content.decode()
    assert not Question.objects.filter(text="Which team?").exists()


def test_removing_a_page_that_a_later_rule_depends_on_is_refused(cast, client_for, draft):
    training = Page.objects.get(survey=draft, title="Training")
    page_remove_url = reverse("surveys:manage-remove", args=[draft.pk, "page", training.pk])
    add_branch(draft, cast.paqa_member)  # 'Why not?' depends on 'discuss-safeguarding' (Support)
    support = Page.objects.get(survey=draft, title="Support")
    reply = client_for(cast.paqa_member).post(
        reverse("surveys:manage-remove", args=[draft.pk, "page", support.pk]),
        {"version": fresh(draft).version},
    )
    assert reply.status_code == 302  # the page and its dependent question go together
    reply = client_for(cast.paqa_member).post(page_remove_url, {"version": fresh(draft).version})
    assert reply.status_code == 302
    page = builder_services.page_add(
        survey=draft,
        based_on_version=fresh(draft).version,
        title="Follow-up",
        show_if={"question": "organisation", "in": ["Police"]},
        actor=None,
    )
    about = Page.objects.get(survey=draft, title="About you")
    reply = client_for(cast.paqa_member).post(
        reverse("surveys:manage-remove", args=[draft.pk, "page", about.pk]),
        {"version": fresh(draft).version},
    )
    body = reply.content.decode()
    assert reply.status_code == 200
    assert "depends on ‘organisation’, which is not a question in this survey" in body
    assert Page.objects.filter(pk=about.pk).exists()
    assert Page.objects.filter(pk=page.pk).exists()
