"""Reads for surveys, always given the acting user (keyword arguments only): results, the
coding of free text, and the agencies' impact assessment returns.

Only submitted responses are counted, coded or quoted; drafts never are. Results are counted
in the database (`counting`), so a results page runs the same number of queries, and brings
the same number of rows into Python, whatever the number of responses; only a number
question's answers are read one by one (for the median).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from paqa.core.access import Capability, access_for, require
from paqa.core.evidence import YearPass
from paqa.partnership.models import Organisation
from paqa.surveys import counting, engine
from paqa.surveys.coding import CodingProgress, answer_text, top_three_text
from paqa.surveys.impact import (
    ImpactReturn,
    ReturnRow,
    SummaryPage,
    answers_for,
    may_read,
    shown,
)
from paqa.surveys.models import (
    Answer,
    AnswerCode,
    Code,
    Page,
    Question,
    Response,
    Survey,
    SurveyInvitation,
)
from paqa.surveys.results import (
    CHOICE_KINDS,
    BreakdownTable,
    QuestionComparison,
    QuestionResult,
    ResponseRow,
    ResultsPage,
    ThemeCount,
    breakdown_table,
    check_breakdown,
    choice_result,
    compare,
    export_value,
    number_result,
    page_headlines,
    text_result,
)

VIEW = Capability.VIEW_SURVEY_RESULTS


# Surveys ------------------------------------------------------------------------------------


def survey_list(*, user: Any) -> QuerySet[Survey]:
    """Every survey, by series and then latest year first."""
    require(user, VIEW)
    return Survey.objects.order_by("series", "-year")


def survey_get(*, user: Any, pk: Any) -> Survey:
    """The survey whose results the user wants to see (404 when there is none)."""
    require(user, VIEW)
    surveys = Survey.objects.all()
    if not access_for(user).can(Capability.MANAGE_SURVEYS):
        surveys = surveys.published()  # a draft exists only for those who build surveys
    try:
        return surveys.get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such survey.") from missing


def survey_for_year(*, user: Any, series: str, year: str) -> Survey | None:
    """The survey of a series (like "practitioner-survey") run in a reporting year, if any."""
    require(user, VIEW)
    return Survey.objects.published().filter(series=series, year=year).first()


def survey_respondents(*, user: Any, survey: Survey) -> int:
    """How many people submitted the survey."""
    require(user, VIEW)
    return Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).count()


def previous_survey(*, user: Any, survey: Survey) -> Survey | None:
    """The latest survey of the same series from an earlier year, if there is one."""
    require(user, VIEW)
    return (
        Survey.objects.published()
        .filter(series=survey.series, year__lt=survey.year)
        .exclude(pk=survey.pk)
        .order_by("-year")
        .first()
    )


def _questions(survey: Survey) -> list[Question]:
    return list(
        Question.objects.filter(page__survey=survey)
        .select_related("page")
        .order_by("page__order", "order", "pk")
    )


# Results ------------------------------------------------------------------------------------


def _results(
    survey: Survey,
    questions: list[Question],
    *,
    choices: Mapping[int, list[counting.Answered]] | None = None,
    choices_only: bool = False,
) -> list[QuestionResult]:
    """Each question's result, in the order given. `choices`: the answers to its questions with
    choices, when already counted (`counting.choice_table`). With `choices_only`, questions
    without choices are not counted (year on year compares only those)."""
    wanted = [
        q.pk
        for q in questions
        if (q.kind in CHOICE_KINDS and choices is None)
        or (q.kind == Question.Kind.NUMBER and not choices_only)
    ]
    distinct = {**counting.distinct_answers(survey, wanted), **(choices or {})}
    free = [
        q.pk for q in questions if q.kind not in CHOICE_KINDS and q.kind != Question.Kind.NUMBER
    ]
    given = {} if choices_only else counting.given_counts(survey, free)
    found = []
    for question in questions:
        answers = distinct.get(question.pk, [])
        if question.kind in CHOICE_KINDS:
            count = counting.choice_count(answers)
            found.append(choice_result(question, answered=count.answered, counts=count.options))
        elif question.kind == Question.Kind.NUMBER:
            found.append(number_result(question, counting.numbers_in(answers)))
        else:
            found.append(text_result(question, answered=given.get(question.pk, 0)))
    return found


def question_results(*, user: Any, survey: Survey) -> list[QuestionResult]:
    """Every question's results, in the survey's order, over submitted responses only."""
    require(user, VIEW)
    return _results(survey, _questions(survey))


def question_results_in_pass(*, year_pass: YearPass, survey: Survey) -> list[QuestionResult]:
    """A survey's results counted once per pass over a year, however many of the report's
    sections or the themes' sources read them."""
    return year_pass.once(
        ("surveys", "question-results", survey.pk),
        lambda: question_results(user=year_pass.user, survey=survey),
    )


def _sources(survey: Survey, questions: list[Question]) -> list[Question | None]:
    sources: list[Question | None] = [q for q in questions if q.breakdown]
    if survey.kind == Survey.Kind.ORGANISATION:
        sources.append(None)
    return sources


def breakdown_sources(*, user: Any, survey: Survey) -> list[Question | None]:
    """What the survey's results can be broken down by: its breakdown questions, and (None)
    the responding organisation for surveys with one return per organisation."""
    require(user, VIEW)
    return _sources(survey, _questions(survey))


def _choice_table(
    survey: Survey, questions: Sequence[Question], sources: Sequence[Question | None]
) -> counting.ChoiceTable:
    return counting.choice_table(
        survey,
        [q.pk for q in questions if q.kind in CHOICE_KINDS],
        by_questions=[by.pk for by in sources if by is not None],
        by_organisation=None in sources,
    )


def _breakdown(
    result: QuestionResult, by: Question | None, table: counting.ChoiceTable
) -> BreakdownTable:
    source = counting.BY_ORGANISATION if by is None else by.pk
    tab = table.crosstabs.get((source, result.question.pk)) or counting.CrossTab()
    return breakdown_table(result, by, sizes=tab.sizes, counts=tab.counts)


def breakdown(
    *, user: Any, survey: Survey, question: Question, by: Question | None = None
) -> BreakdownTable:
    """Counts of each option of `question` per group. The groups are the answers to `by` (a
    question marked as a breakdown, such as role), or with `by=None` the organisations that
    sent the responses (for surveys with one return per organisation).

    Counts of 1 to 4 are suppressed (value None, shown as "fewer than 5"); groups with fewer
    than 5 people are merged into "Other (fewer than 5 each)", itself suppressed whole when
    even together they are fewer than 5.
    """
    require(user, VIEW)
    check_breakdown(question, by)
    table = _choice_table(survey, [question], [by])
    (result,) = _results(survey, [question], choices=table.answers)
    return _breakdown(result, by, table)


def year_on_year(*, user: Any, survey: Survey) -> list[QuestionComparison]:
    """Each question with choices that the previous survey of the series also asked (same
    code), with the percentage choosing each option then and now. Empty without one."""
    earlier = previous_survey(user=user, survey=survey)
    if earlier is None:
        return []
    return compare(
        _results(survey, _questions(survey), choices_only=True),
        _results(earlier, _questions(earlier), choices_only=True),
        earlier,
    )


def results_page(*, user: Any, survey: Survey) -> ResultsPage:
    """Everything the results page shows, in a fixed number of queries: the answers to the
    questions with choices are counted once, with every breakdown at the same time."""
    require(user, VIEW)
    questions = _questions(survey)
    sources = _sources(survey, questions)
    table = _choice_table(survey, questions, sources)
    results = _results(survey, questions, choices=table.answers)
    earlier = previous_survey(user=user, survey=survey)
    comparisons = (
        {
            c.code: c
            for c in compare(
                results, _results(earlier, _questions(earlier), choices_only=True), earlier
            )
        }
        if earlier is not None
        else {}
    )
    breakdowns: dict[str, list[BreakdownTable]] = {}
    for result in results:
        if not result.is_choice or not result.answered:
            continue
        for by in sources:
            check_breakdown(result.question, by)
        mine = [
            _breakdown(result, by, table)
            for by in sources
            if by is None or by.pk != result.question.pk
        ]
        if mine:
            breakdowns[result.code] = mine
    return ResultsPage(
        survey=survey,
        respondents=counting.respondents_with_answers(survey),
        results=results,
        previous_survey=earlier,
        comparisons=comparisons,
        breakdowns=breakdowns,
        headlines=page_headlines(results),
    )


def response_rows(*, user: Any, survey: Survey) -> tuple[list[Question], list[ResponseRow]]:
    """The survey's questions, and one row per submitted response with its answers and the
    codes given to its free-text answers."""
    require(user, VIEW)
    questions = _questions(survey)
    answers: defaultdict[int, dict[int, Any]] = defaultdict(dict)
    for response_id, question_id, value in (
        Answer.objects.filter(response__survey=survey, response__status=Response.Status.SUBMITTED)
        .order_by("response_id", "pk")
        .values_list("response_id", "question_id", "value")
    ):
        answers[response_id][question_id] = value
    responses = list(
        Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
        .order_by("submitted_on", "pk")
        .values_list("pk", "organisation__name")
    )
    coded: defaultdict[int, set[str]] = defaultdict(set)
    for response_id, label in AnswerCode.objects.filter(
        answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
    ).values_list("answer__response_id", "code__label"):
        coded[response_id].add(label)
    rows = []
    for number, (response_id, organisation) in enumerate(responses, start=1):
        given = answers.get(response_id, {})
        rows.append(
            ResponseRow(
                number=number,
                organisation=organisation or "",
                values=[export_value(q, given.get(q.pk)) for q in questions],
                codes=sorted(coded.get(response_id, set()), key=str.casefold),
            )
        )
    return questions, rows


def codebook_counts(*, user: Any, survey: Survey) -> list[ThemeCount]:
    """The survey's codebook with how many submitted answers each code was given to, by theme
    and then most used first."""
    require(user, VIEW)
    used = dict(
        AnswerCode.objects.filter(
            code__survey=survey, answer__response__status=Response.Status.SUBMITTED
        )
        .order_by()
        .values_list("code_id")
        .annotate(answers=Count("pk"))
    )
    counts = [
        ThemeCount(theme=code.theme, code=code, answers=used.get(code.pk, 0))
        for code in Code.objects.filter(survey=survey)
    ]
    return sorted(counts, key=lambda t: (t.theme, -t.answers, t.code.label.casefold()))


# Coding free text ---------------------------------------------------------------------------


def free_text_questions(*, user: Any, survey: Survey) -> QuerySet[Question]:
    """The survey's free-text questions, in the order they are asked."""
    require(user, VIEW)
    return Question.objects.filter(page__survey=survey, kind=Question.Kind.TEXT).order_by(
        "page__order", "order"
    )


def question_for_coding(
    *, user: Any, survey_pk: Any, question_pk: Any, for_change: bool = False
) -> Question:
    """A free-text question of a survey: 403 without the capability, 404 if there is none."""
    require(user, Capability.CODE_FREE_TEXT if for_change else VIEW)
    try:
        return Question.objects.select_related("page__survey").get(
            pk=question_pk, page__survey_id=survey_pk, kind=Question.Kind.TEXT
        )
    except (Question.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such free-text question.") from missing


def codebook(*, user: Any, survey: Survey, pks: Sequence[int] | None = None) -> list[Code]:
    """The survey's codes by name (only those with these ids, if given)."""
    require(user, VIEW)
    codes = Code.objects.filter(survey=survey)
    if pks is not None:
        codes = codes.filter(pk__in=pks)
    return list(codes.order_by("label", "pk"))


def _answers(user: Any, question: Question) -> QuerySet[Answer]:
    """Submitted answers to the question that the user may read."""
    require(user, VIEW)
    answers = Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
    reached = access_for(user).organisation_ids(VIEW)
    if reached is not None:
        answers = answers.filter(
            Q(response__organisation__isnull=True) | Q(response__organisation__in=reached)
        )
    return answers


def _coded_rows(user: Any, question: Question) -> QuerySet[AnswerCode]:
    return AnswerCode.objects.filter(answer__in=_answers(user, question))


def answers_to_code(
    *,
    user: Any,
    question: Question,
    only_uncoded: bool = False,
    pks: Sequence[int] | None = None,
) -> QuerySet[Answer]:
    """Submitted answers to a free-text question, oldest first, each with its codes (and who
    coded them) prefetched; only those not yet coded, or only those with these ids, if asked."""
    answers = _answers(user, question)
    if only_uncoded:
        answers = answers.filter(codes__isnull=True)
    if pks is not None:
        answers = answers.filter(pk__in=pks)
    return answers.order_by("pk").prefetch_related(
        Prefetch(
            "codes",
            queryset=AnswerCode.objects.select_related("code", "coded_by").order_by("code__label"),
        )
    )


def answers_chosen(*, user: Any, question: Question, pks: Sequence[int]) -> list[Answer]:
    """The answers with these ids among the question's submitted answers the user may code
    (one query, none of their codes): what a person chose on the coding page. Ids that are
    not among them are left out, so the caller compares the lengths."""
    if not access_for(user).can(Capability.CODE_FREE_TEXT):
        raise PermissionDenied("Your role does not allow this.")
    return list(_answers(user, question).filter(pk__in=pks).order_by("pk"))


def coding_progress(*, user: Any, question: Question) -> CodingProgress:
    totals = _answers(user, question).aggregate(
        answers=Count("pk", distinct=True),
        coded=Count("pk", filter=Q(codes__isnull=False), distinct=True),
    )
    return CodingProgress(answers=totals["answers"], coded=totals["coded"])


def answer_rows(*, user: Any, question: Question) -> list[tuple[int, str, list[int]]]:
    """Every submitted answer as (answer id, text, ids of its codes), oldest first: what the
    suggestions work from. Two queries, however many answers."""
    codes_of: defaultdict[int, list[int]] = defaultdict(list)
    for answer_id, code_id in _coded_rows(user, question).values_list("answer_id", "code_id"):
        codes_of[answer_id].append(code_id)
    return [
        (answer_id, answer_text(value), codes_of.get(answer_id, []))
        for answer_id, value in _answers(user, question).order_by("pk").values_list("pk", "value")
    ]


def theme_counts(*, user: Any, question: Question) -> list[tuple[Code, int]]:
    """The codes given to answers to this question, with how many answers each was given to:
    most first, then by name."""
    codes = (
        Code.objects.filter(answer_codes__in=_coded_rows(user, question))
        .annotate(answers=Count("answer_codes__answer", distinct=True))
        .order_by("-answers", "label", "pk")
    )
    return [(code, code.answers) for code in codes]


def top_three_sentence(
    *,
    user: Any,
    question: Question,
    asked_about: str = "",
    counts: Sequence[tuple[Code, int]] | None = None,
) -> str:
    """The report's sentence on the most common themes (see `coding.top_three_text`), from
    `counts` when the caller has them already (`theme_counts`)."""
    ranked = list(counts) if counts is not None else theme_counts(user=user, question=question)
    return top_three_text(question, ranked, asked_about)


def quotes(*, user: Any, question: Question, code: Code) -> list[AnswerCode]:
    """Answers to the question coded with `code`: representative quotes first, then in the
    order they were given."""
    return list(
        _coded_rows(user, question)
        .filter(code=code)
        .select_related("answer", "code", "coded_by")
        .order_by("-representative", "answer_id")
    )


def quotes_by_code(
    *, user: Any, question: Question, others: int | None = None
) -> dict[int, list[AnswerCode]]:
    """`quotes` for every code at once (one query): code id → its coded answers, the
    representative ones first. With `others`, at most that many of each code's other answers
    (the first given), so a theme with thousands of answers does not load them all."""
    rows = _coded_rows(user, question)
    if others == 0:
        rows = rows.filter(representative=True)  # the quotes alone: no ranking needed
    elif others is not None:
        rows = rows.annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("code_id"), F("representative")],
                order_by=F("answer_id").asc(),
            )
        ).filter(Q(representative=True) | Q(place__lte=others))
    grouped: defaultdict[int, list[AnswerCode]] = defaultdict(list)
    for row in rows.select_related("answer", "code", "coded_by").order_by(
        "-representative", "answer_id"
    ):
        grouped[row.code_id].append(row)
    return dict(grouped)


def answer_code_for_change(*, user: Any, question: Question, pk: Any) -> AnswerCode:
    """One coding of an answer to this question, for someone who codes free text."""
    if not access_for(user).can(Capability.CODE_FREE_TEXT):
        raise PermissionDenied("Your role does not allow this.")
    try:
        return _coded_rows(user, question).select_related("answer", "code").get(pk=pk)
    except (AnswerCode.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such coded answer.") from missing


def export_rows(*, user: Any, question: Question) -> list[list[Any]]:
    """Every submitted answer with its codes, for CSV and XLSX (`coding.EXPORT_HEADER`)."""
    rows = []
    answers = answers_to_code(user=user, question=question).select_related("response__organisation")
    for answer in answers:
        coded = list(answer.codes.all())
        last_coded = max((row.coded_at for row in coded), default=None)
        organisation = answer.response.organisation
        rows.append(
            [
                answer.pk,
                organisation.name if organisation else "",
                answer_text(answer.value),
                "; ".join(row.code.label for row in coded),
                "; ".join(sorted({row.code.theme_label for row in coded if row.code.theme})),
                "; ".join(row.code.label for row in coded if row.representative),
                "; ".join(sorted({row.coded_by.full_name or row.coded_by.email for row in coded})),
                timezone.localtime(last_coded).date() if last_coded else None,
            ]
        )
    return rows


# The impact assessment -----------------------------------------------------------------------


def impact_survey_get(*, user: Any, pk: Any) -> Survey:
    """A survey with one return per organisation, or 404. Who may see what of it is decided by
    the reads below (the return rate, one organisation's return)."""
    survey = Survey.objects.filter(pk=pk, kind=Survey.Kind.ORGANISATION).first()
    if survey is None:
        raise Http404("No such impact assessment.")
    return survey


def invitations_for(*, user: Any, survey: Survey) -> list[ReturnRow]:
    """Every invited organisation and whether it has returned (statuses only, no answers)."""
    require(user, VIEW)
    if survey.kind != Survey.Kind.ORGANISATION:
        raise Http404("No such impact assessment.")
    access = access_for(user)
    rows = []
    for invitation in (
        SurveyInvitation.objects.filter(survey=survey)
        .select_related("organisation", "response")
        .order_by("organisation__name")
    ):
        submitted = (
            invitation.response is not None
            and invitation.response.status == Response.Status.SUBMITTED
        )
        rows.append(
            ReturnRow(
                invitation=invitation,
                readable=may_read(access, invitation.organisation_id, submitted),
                editable=answers_for(access, invitation.organisation_id) and not submitted,
            )
        )
    return rows


def organisations_to_invite(*, user: Any, survey: Survey) -> QuerySet[Organisation]:
    """Live organisations not yet invited to this survey."""
    require(user, Capability.MANAGE_SURVEYS)
    invited = SurveyInvitation.objects.filter(survey=survey).values("organisation_id")
    return Organisation.objects.filter(archived_at__isnull=True).exclude(pk__in=invited)


def own_invitations(*, user: Any, survey: Survey) -> list[SurveyInvitation]:
    """The invitations of the organisations the user answers for."""
    own = access_for(user).organisation_ids(Capability.ANSWER_ORGANISATION_SURVEYS)
    invitations = SurveyInvitation.objects.filter(
        survey=survey, response__isnull=False
    ).select_related("organisation", "response")
    if own is not None:
        invitations = invitations.filter(organisation_id__in=own)
    return list(invitations.order_by("organisation__name"))


def organisation_return(*, user: Any, survey: Survey, organisation: Organisation) -> ImpactReturn:
    """The organisation's return, or 404: another organisation's return for an agency lead,
    a draft for the partnership, or an organisation that was not invited."""
    invitation = (
        SurveyInvitation.objects.filter(survey=survey, organisation=organisation)
        .select_related("survey", "organisation", "response")
        .first()
    )
    if invitation is None or invitation.response is None:
        raise Http404("No such return.")
    access = access_for(user)
    submitted = invitation.response.status == Response.Status.SUBMITTED
    if not may_read(access, organisation.pk, submitted):
        raise Http404("No such return in your reach.")
    return ImpactReturn(
        invitation=invitation,
        response=invitation.response,
        can_edit=answers_for(access, organisation.pk) and not submitted,
        may_answer=answers_for(access, organisation.pk),
    )


def survey_pages(*, user: Any, survey: Survey) -> list[Page]:
    """The survey's pages with their questions, for the questionnaire engine."""
    return list(survey.pages.prefetch_related("questions"))


def answers_by_code(*, response: Response) -> dict[str, Any]:
    """A response's answers by question code, for the questionnaire engine. The caller has
    reached the response already: by its unguessable key (the public survey, where there is no
    account) or through `organisation_return`."""
    return {
        answer.question.code: answer.value for answer in response.answers.select_related("question")
    }


def return_summary(*, user: Any, impact_return: ImpactReturn) -> list[SummaryPage]:
    """The visible pages and questions with their answers (empty text: not answered)."""
    answers = answers_by_code(response=impact_return.response)
    pages = survey_pages(user=user, survey=impact_return.survey)
    return [
        SummaryPage(
            number=number,
            page=page,
            items=[
                (question, shown(answers.get(question.code)))
                for question in engine.visible_questions(page, answers)
            ],
        )
        for number, page in enumerate(engine.visible_pages(pages, answers), start=1)
    ]


def return_problems(*, user: Any, impact_return: ImpactReturn) -> list[tuple[int, Question]]:
    """Required questions still unanswered, with the number of the page they are on."""
    answers = answers_by_code(response=impact_return.response)
    pages = survey_pages(user=user, survey=impact_return.survey)
    problems = []
    for number, page in enumerate(engine.visible_pages(pages, answers), start=1):
        for question in engine.visible_questions(page, answers):
            if question.required and answers.get(question.code) in (None, "", []):
                problems.append((number, question))
    return problems
