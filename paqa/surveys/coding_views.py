"""Pages for coding free-text answers with themes, and the themes that come out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for
from paqa.core.exports import table_response
from paqa.core.forms import GovUKForm
from paqa.surveys import coding, selectors, services
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Survey
from paqa.surveys.suggest import CodedIndex, group_similar, keyword_suggestions

PAGE_SIZE = 25
#: How many groups of similar answers the coding page offers at once (largest first).
GROUPS_SHOWN = 10
#: How many of a theme's other answers are offered as candidate quotes.
CANDIDATE_QUOTES = 30
EXPORT_FORMATS = {"csv", "xlsx"}


class CodeForm(GovUKForm):
    page_title = "Add a code"
    submit_label = "Add the code"

    label = forms.CharField(
        label="Name of the code",
        max_length=200,
        help_text="How the theme reads in the report, like ‘Better training’",
        error_messages={
            "required": "Enter a name for the code",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    theme = forms.CharField(
        label="Shared theme (optional)",
        required=False,
        max_length=60,
        help_text="The cross-cutting theme it belongs to, like information-sharing. Leave it "
        "empty for a code used only in this survey.",
    )
    keywords = forms.CharField(
        label="Keywords (optional)",
        required=False,
        max_length=1000,
        help_text="Words or phrases that suggest this code, separated by commas, like "
        "‘joint working, partners’",
    )

    def clean_keywords(self) -> list[str]:
        return [word.strip() for word in self.cleaned_data["keywords"].split(",") if word.strip()]


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _ordered_unique(codes: list[Code]) -> list[Code]:
    seen: set[int] = set()
    unique = []
    for code in codes:
        if code.pk not in seen:
            seen.add(code.pk)
            unique.append(code)
    return unique


@dataclass
class AnswerItem:
    answer: Answer
    text: str
    coded: list[AnswerCode]
    ticked: set[int]
    suggested: list[Code]
    suggested_ids: set[int] = field(default_factory=set)


@dataclass
class Group:
    number: int
    answers: list[tuple[int, str]]
    suggested: list[Code]
    suggested_ids: set[int] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.answers)


class Suggester:
    """Keyword rules and nearest coded answers, built once for a page."""

    def __init__(self, codebook: list[Code], rows: list[tuple[int, str, list[int]]]) -> None:
        self.codebook = codebook
        self.by_id = {code.pk: code for code in codebook}
        self.index = CodedIndex([(text, ids) for _, text, ids in rows if ids])

    def suggest(self, text: str, *, leave_out: set[int] | None = None) -> list[Code]:
        codes = keyword_suggestions(text, self.codebook) + [
            self.by_id[code_id] for code_id in self.index.suggest(text) if code_id in self.by_id
        ]
        return [code for code in _ordered_unique(codes) if code.pk not in (leave_out or set())]


def _page_links(page: Page, query: dict[str, str | int]) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append(
                {
                    "number": number,
                    "href": "?" + urlencode({**query, "page": number}),
                    "current": number == page.number,
                }
            )
    return links


def _coding_context(request: HttpRequest, question: Question, code_form: CodeForm) -> dict:
    user = request.user
    survey = question.page.survey
    only_uncoded = request.GET.get("show") == "uncoded"
    query: dict[str, str | int] = {"show": "uncoded"} if only_uncoded else {}
    codebook = selectors.codebook(user=user, survey=survey)
    rows = selectors.answer_rows(user=user, question=question)
    suggester = Suggester(codebook, rows)

    page = Paginator(
        selectors.answers_to_code(user=user, question=question, only_uncoded=only_uncoded),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    items = []
    for answer in page.object_list:
        coded = list(answer.codes.all())
        ticked = {row.code_id for row in coded}
        text = coding.answer_text(answer.value)
        suggested = suggester.suggest(text, leave_out=ticked) if codebook else []
        items.append(
            AnswerItem(
                answer=answer,
                text=text,
                coded=coded,
                ticked=ticked,
                suggested=suggested,
                suggested_ids={code.pk for code in suggested},
            )
        )

    uncoded = [(answer_id, text) for answer_id, text, ids in rows if not ids]
    groups: list[Group] = []
    for members in group_similar([text for _, text in uncoded]):
        if len(members) < 2 or len(groups) >= GROUPS_SHOWN:
            break
        answers = [uncoded[position] for position in members]
        suggested = (
            _ordered_unique(
                [code for _, text in answers for code in keyword_suggestions(text, codebook)]
                + suggester.suggest(" ".join(text for _, text in answers))
            )
            if codebook
            else []
        )
        groups.append(
            Group(
                number=len(groups) + 1,
                answers=answers,
                suggested=suggested,
                suggested_ids={code.pk for code in suggested},
            )
        )

    coded_count = sum(1 for _, _, ids in rows if ids)
    return {
        "survey": survey,
        "question": question,
        "codebook": codebook,
        "items": items,
        "page": page,
        "page_links": _page_links(page, query) if page.paginator.num_pages > 1 else [],
        "query": urlencode(query),
        "previous_href": "?" + urlencode({**query, "page": page.previous_page_number()})
        if page.has_previous()
        else "",
        "next_href": "?" + urlencode({**query, "page": page.next_page_number()})
        if page.has_next()
        else "",
        "only_uncoded": only_uncoded,
        "answers_count": len(rows),
        "coded_count": coded_count,
        "groups": groups,
        "form": code_form,
        "code_form": code_form,
    }


def _codes_posted(request: HttpRequest, survey: Survey) -> list[Code]:
    try:
        wanted = {int(value) for value in request.POST.getlist("codes")}
    except ValueError as bad:
        raise ValidationError("Choose codes from the codebook") from bad
    codes = selectors.codebook(user=request.user, survey=survey, pks=sorted(wanted))
    if len(codes) != len(wanted):
        raise ValidationError("Choose codes from the codebook")
    return codes


def _answers_posted(request: HttpRequest, question: Question) -> list[Answer]:
    try:
        wanted = {int(value) for value in request.POST.getlist("answer")}
    except ValueError as bad:
        raise ValidationError("Choose answers to this question") from bad
    answers = list(
        selectors.answers_to_code(user=request.user, question=question).filter(pk__in=wanted)
    )
    if not wanted or len(answers) != len(wanted):
        raise ValidationError("Choose answers to this question")
    return answers


@require_GET
def survey_coding(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's free-text questions, how far their coding has got, and where to go."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    questions = [
        (question, selectors.coding_progress(user=request.user, question=question))
        for question in selectors.free_text_questions(
            user=request.user, survey=survey
        ).select_related("page__survey")
    ]
    return render(
        request,
        "surveys/coding_survey.html",
        {
            "survey": survey,
            "questions": questions,
            "can_code": access_for(request.user).can(Capability.CODE_FREE_TEXT),
        },
    )


@require_http_methods(["GET", "POST"])
def question_coding(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Code the answers to one free-text question, one at a time or a group at once."""
    question = selectors.question_for_coding(
        user=request.user, survey_pk=pk, question_pk=question_pk, for_change=True
    )
    survey = question.page.survey
    code_form = CodeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        actor = acting_user(request)
        here = request.get_full_path()
        if action == "add-code":
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                try:
                    code = services.code_create(
                        survey=survey, actor=actor, **code_form.cleaned_data
                    )
                except ValidationError as error:
                    _apply_errors(code_form, error)
                else:
                    messages.success(request, f"‘{code.label}’ has been added to the codebook.")
                    return redirect(f"{here}#codebook")
        elif action == "code":
            try:
                (answer,) = _answers_posted(request, question)
                codes = _codes_posted(request, survey)
                services.answer_code_set(answer=answer, codes=codes, actor=actor)
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(here)
            except ValueError:
                return HttpResponseBadRequest("One answer at a time")
            if codes:
                labels = ", ".join(code.label for code in codes)
                messages.success(request, f"Answer {answer.pk} is coded: {labels}.")
            else:
                messages.success(request, f"Answer {answer.pk} has no codes now.")
            return redirect(f"{here}#answer-{answer.pk}")
        elif action == "group":
            try:
                answers = _answers_posted(request, question)
                codes = _codes_posted(request, survey)
                if not codes:
                    raise ValidationError("Choose at least one code for the group")
                done = services.answers_code_add(answers=answers, codes=codes, actor=actor)
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(here)
            labels = ", ".join(code.label for code in codes)
            messages.success(request, f"{done} similar answers are coded: {labels}.")
            return redirect(here)
        else:
            return HttpResponseBadRequest("Unknown action")
    return render(
        request, "surveys/coding_question.html", _coding_context(request, question, code_form)
    )


@require_GET
def question_themes(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """The themes in the answers, ranked; the report's drafted sentence; quotes; downloads."""
    question = selectors.question_for_coding(
        user=request.user, survey_pk=pk, question_pk=question_pk
    )
    user = request.user
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        survey = question.page.survey
        return table_response(
            fmt,
            f"coded-answers-{survey.series}-{survey.year}-{question.code}",
            coding.EXPORT_HEADER,
            selectors.export_rows(user=user, question=question),
        )
    counts = selectors.theme_counts(user=user, question=question)
    progress = selectors.coding_progress(user=user, question=question)
    asked = request.GET.get("asked", "").strip()[:200]
    can_code = access_for(user).can(Capability.CODE_FREE_TEXT)
    # Those who code choose quotes from a theme's first answers; others see only the quotes.
    by_code = selectors.quotes_by_code(
        user=user, question=question, others=CANDIDATE_QUOTES if can_code else 0
    )
    themes = []
    for rank, (code, count) in enumerate(counts, start=1):
        rows = by_code.get(code.pk, [])
        others = [row for row in rows if not row.representative]
        quoted = len(rows) - len(others)
        themes.append(
            {
                "rank": rank,
                "code": code,
                "count": count,
                "percent": round(100 * count / progress.coded) if progress.coded else 0,
                "quotes": [
                    (row, coding.answer_text(row.answer.value))
                    for row in rows
                    if row.representative
                ],
                "candidates": [
                    (row, coding.answer_text(row.answer.value)) for row in others[:CANDIDATE_QUOTES]
                ]
                if can_code
                else [],
                "more_candidates": max(0, count - quoted - CANDIDATE_QUOTES) if can_code else 0,
            }
        )
    return render(
        request,
        "surveys/coding_themes.html",
        {
            "survey": question.page.survey,
            "question": question,
            "themes": themes,
            "progress": progress,
            "sentence": selectors.top_three_sentence(
                user=user, question=question, asked_about=asked, counts=counts
            ),
            "asked": asked,
            "can_code": can_code,
        },
    )


@require_POST
def quote_mark(
    request: HttpRequest, pk: int, question_pk: int, answer_code_pk: int
) -> HttpResponse:
    """Use a coded answer as a quote for its theme, or stop using it."""
    question = selectors.question_for_coding(
        user=request.user, survey_pk=pk, question_pk=question_pk, for_change=True
    )
    answer_code = selectors.answer_code_for_change(
        user=request.user, question=question, pk=answer_code_pk
    )
    representative = request.POST.get("representative") == "1"
    services.quote_mark(
        answer_code=answer_code, representative=representative, actor=acting_user(request)
    )
    messages.success(
        request,
        f"Answer {answer_code.answer_id} is now a quote for ‘{answer_code.code.label}’."
        if representative
        else f"Answer {answer_code.answer_id} is no longer a quote for ‘{answer_code.code.label}’.",
    )
    themes_url = reverse("surveys:coding-themes", args=[pk, question_pk])
    return redirect(f"{themes_url}#theme-{answer_code.code.slug}")
