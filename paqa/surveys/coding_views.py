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
from paqa.core.taxonomy import theme_choices
from paqa.surveys import coding, coding_services, selectors, services
from paqa.surveys.models import Answer, AnswerCode, Code, Question, Survey
from paqa.surveys.suggest import CodedIndex, group_similar, keyword_suggestions

PAGE_SIZE = 100
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
    theme = forms.ChoiceField(
        label="Shared theme (optional)",
        required=False,
        choices=lambda: [("", "None: a code used only in this survey"), *theme_choices()],
        help_text="The cross-cutting theme it belongs to, as every part of PAQA names it.",
        error_messages={"invalid_choice": "Choose a shared theme from the list"},
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


@dataclass(frozen=True)
class Box:
    """One code's box for an answer or a group (ids as text: the page renders thousands, and
    Django localises every number it renders)."""

    id: str
    label: str
    checked: bool = False
    suggested: bool = False


@dataclass
class AnswerItem:
    answer: Answer
    text: str
    coded: list[AnswerCode]
    #: The codes it has (what the page was shown with), and the boxes ticked (the same, unless
    #: a post with a problem is shown again).
    shown: set[int]
    ticked: set[int]
    suggested: list[Code]
    suggested_ids: set[int] = field(default_factory=set)
    selected: bool = False
    boxes: list[Box] = field(default_factory=list)

    @property
    def pk(self) -> str:
        return str(self.answer.pk)

    @property
    def suggestion_order(self) -> str:
        """The suggested codes' ids, best first (for the keyboard shortcut)."""
        return " ".join(str(code.pk) for code in self.suggested)


@dataclass
class Group:
    number: int
    answers: list[tuple[int, str]]
    suggested: list[Code]
    suggested_ids: set[int] = field(default_factory=set)
    boxes: list[Box] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.answers)

    @property
    def answer_ids(self) -> str:
        return ",".join(str(answer_id) for answer_id, _ in self.answers)


def _boxes(codebook: list[Code], checked: set[int], suggested: set[int]) -> list[Box]:
    return [
        Box(
            id=str(code.pk),
            label=code.label,
            checked=code.pk in checked,
            suggested=code.pk in suggested,
        )
        for code in codebook
    ]


class Suggester:
    """Keyword rules and nearest coded answers, built once for a page."""

    def __init__(self, codebook: list[Code], rows: list[tuple[int, str, list[int]]]) -> None:
        self.codebook = codebook
        self.by_id = {code.pk: code for code in codebook}
        self.index = CodedIndex([(text, ids) for _, text, ids in rows if ids])

    def suggest(self, text: str, *, leave_out: set[int] | None = None) -> list[Code]:
        if not self.codebook:
            return []
        codes = keyword_suggestions(text, self.codebook) + [
            self.by_id[code_id] for code_id in self.index.suggest(text) if code_id in self.by_id
        ]
        return [code for code in _ordered_unique(codes) if code.pk not in (leave_out or set())]


@dataclass(frozen=True)
class Filters:
    """Which answers the page lists (from its query): only those not yet coded, those coded
    with a code, those a code is suggested for but not given to."""

    uncoded: bool = False
    code: Code | None = None
    suggestion: Code | None = None

    @classmethod
    def from_query(cls, query: Any, codebook: list[Code]) -> Filters:
        by_slug = {code.slug: code for code in codebook}
        return cls(
            uncoded=query.get("show") == "uncoded",
            code=by_slug.get(query.get("code", "")),
            suggestion=by_slug.get(query.get("suggestion", "")),
        )

    @property
    def query(self) -> dict[str, str | int]:
        query: dict[str, str | int] = {"show": "uncoded"} if self.uncoded else {}
        if self.code is not None:
            query["code"] = self.code.slug
        if self.suggestion is not None:
            query["suggestion"] = self.suggestion.slug
        return query

    @property
    def any(self) -> bool:
        return bool(self.query)

    def keeps(self, text: str, code_ids: list[int], suggester: Suggester) -> bool:
        if self.uncoded and code_ids:
            return False
        if self.code is not None and self.code.pk not in code_ids:
            return False
        if self.suggestion is not None:
            if self.suggestion.pk in code_ids:
                return False
            suggested = suggester.suggest(text, leave_out=set(code_ids))
            return any(code.pk == self.suggestion.pk for code in suggested)
        return True


@dataclass
class PagePost:
    """One post of the coding page's form: the codes each answer was shown with and those now
    ticked, the answers selected and what the toolbar asked for."""

    answers: list[Answer]
    codebook: list[Code]
    shown: dict[int, frozenset[int]]
    ticked: dict[int, set[int]]
    selected: list[int]
    action: str
    bulk_code: Code | None
    #: (message, the id of the field it is about): a toolbar action that cannot be done.
    problems: list[tuple[str, str]] = field(default_factory=list)

    def changes(self) -> list[coding_services.AnswerChange]:
        """Only what the person changed, answer by answer (`coding.page_changes`)."""
        by_id = {answer.pk: answer for answer in self.answers}
        codes = {code.pk: code for code in self.codebook}
        bulk = self.bulk_code.pk if self.bulk_code is not None else None
        wanted = coding.page_changes(
            self.shown,
            self.ticked,
            selected=self.selected,
            apply=bulk if self.action == "apply" else None,
            remove=bulk if self.action == "remove" else None,
        )
        return [
            coding_services.AnswerChange(
                answer=by_id[answer_id],
                add=[codes[code_id] for code_id in sorted(change.add)],
                # A code shown but no longer in the codebook cannot be taken off here.
                remove=[codes[code_id] for code_id in sorted(change.remove) if code_id in codes],
            )
            for answer_id, change in wanted.items()
        ]


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


def _groups(
    rows: list[tuple[int, str, list[int]]], codebook: list[Code], suggester: Suggester
) -> list[Group]:
    """The largest groups of similar answers not yet coded (of two answers or more), each with
    the codes suggested for the group as a whole (its answers' keywords, then the codes of the
    coded answers most like them)."""
    uncoded = [(answer_id, text) for answer_id, text, ids in rows if not ids]
    groups: list[Group] = []
    for members in group_similar([text for _, text in uncoded]):
        if len(members) < 2 or len(groups) >= GROUPS_SHOWN:
            break
        answers = [uncoded[position] for position in members]
        # Joined so that no keyword phrase runs from one answer into the next.
        suggested = suggester.suggest("\n•\n".join(text for _, text in answers))
        suggested_ids = {code.pk for code in suggested}
        groups.append(
            Group(
                number=len(groups) + 1,
                answers=answers,
                suggested=suggested,
                suggested_ids=suggested_ids,
                boxes=_boxes(codebook, set(), suggested_ids),
            )
        )
    return groups


def _coding_context(
    request: HttpRequest,
    question: Question,
    code_form: CodeForm,
    posted: PagePost | None = None,
) -> dict:
    user = request.user
    survey = question.page.survey
    codebook = selectors.codebook(user=user, survey=survey)
    rows = selectors.answer_rows(user=user, question=question)
    suggester = Suggester(codebook, rows)
    filters = Filters.from_query(request.GET, codebook)
    query = filters.query
    listed = [answer_id for answer_id, text, ids in rows if filters.keeps(text, ids, suggester)]
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    texts = {answer_id: text for answer_id, text, _ in rows}
    items = []
    for answer in selectors.answers_to_code(
        user=user, question=question, pks=list(page.object_list)
    ):
        coded = list(answer.codes.all())
        shown = {row.code_id for row in coded}
        text = texts.get(answer.pk) or coding.answer_text(answer.value)
        suggested = suggester.suggest(text, leave_out=shown)
        suggested_ids = {code.pk for code in suggested}
        ticked = posted.ticked.get(answer.pk, shown) if posted else shown
        items.append(
            AnswerItem(
                answer=answer,
                text=text,
                coded=coded,
                shown=shown,
                ticked=ticked,
                suggested=suggested,
                suggested_ids=suggested_ids,
                selected=posted is not None and answer.pk in posted.selected,
                boxes=_boxes(codebook, ticked, suggested_ids),
            )
        )

    return {
        "survey": survey,
        "question": question,
        "codebook": codebook,
        "items": items,
        "shown": coding.shown_value((item.answer.pk, item.shown) for item in items),
        "page": page,
        "page_size": PAGE_SIZE,
        "listed_count": len(listed),
        "page_links": _page_links(page, query) if page.paginator.num_pages > 1 else [],
        "query": urlencode(query),
        "previous_href": "?" + urlencode({**query, "page": page.previous_page_number()})
        if page.has_previous()
        else "",
        "next_href": "?" + urlencode({**query, "page": page.next_page_number()})
        if page.has_next()
        else "",
        "filters": filters,
        "only_uncoded": filters.uncoded,
        "answers_count": len(rows),
        "coded_count": sum(1 for _, _, ids in rows if ids),
        "groups": _groups(rows, codebook, suggester),
        "bulk_code": posted.bulk_code if posted else None,
        "problems": posted.problems if posted else [],
        "form": code_form,
        "code_form": code_form,
    }


def _codes_posted(request: HttpRequest, survey: Survey) -> list[Code]:
    try:
        wanted = set(coding.parse_ids(request.POST.getlist("codes")))
    except ValueError as bad:
        raise ValidationError("Choose codes from the codebook") from bad
    codes = selectors.codebook(user=request.user, survey=survey, pks=sorted(wanted))
    if len(codes) != len(wanted):
        raise ValidationError("Choose codes from the codebook")
    return codes


def _group_posted(request: HttpRequest, question: Question) -> list[Answer]:
    """The answers of a group of similar answers, posted as one field of ids ("1,2,3")."""
    try:
        wanted = coding.parse_ids(request.POST.get("answers", ""))
    except ValueError as bad:
        raise ValidationError("Choose answers to this question") from bad
    answers = selectors.answers_chosen(user=request.user, question=question, pks=wanted)
    if not wanted or len(answers) != len(wanted):
        raise ValidationError("Some of these answers are no longer there: look at them again")
    return answers


def _page_posted(request: HttpRequest, question: Question, codebook: list[Code]) -> PagePost:
    """The coding page's form, checked: every answer is one the person may code, every code
    is in the codebook. A toolbar action without answers or without a code is a problem to
    show (nothing is saved); anything else wrong is a ValidationError."""
    post = request.POST
    by_id = {code.pk: code for code in codebook}
    try:
        shown = coding.parse_shown(post.get("shown", ""))
        ticked = {
            answer_id: set(coding.parse_ids(post.getlist(f"codes-{answer_id}")))
            for answer_id in shown
        }
        selected = coding.parse_ids(post.getlist("selected"))
        bulk = post.get("bulk-code", "")
        bulk_code = by_id.get(int(bulk)) if bulk else None
    except ValueError as bad:
        raise ValidationError("The page was not sent whole: look at the answers again") from bad
    answers = selectors.answers_chosen(user=request.user, question=question, pks=list(shown))
    if len(answers) != len(shown):
        raise ValidationError(
            "Some of these answers are no longer there: look at the answers again"
        )
    if any(code_id not in by_id for codes in ticked.values() for code_id in codes):
        raise ValidationError("Choose codes from the codebook")
    if bulk and bulk_code is None:
        raise ValidationError("Choose a code from the codebook")
    if any(answer_id not in shown for answer_id in selected):
        raise ValidationError("Select answers on this page")
    action = post.get("action", "save")
    posted = PagePost(
        answers=answers,
        codebook=codebook,
        shown=shown,
        ticked=ticked,
        selected=selected,
        action=action,
        bulk_code=bulk_code,
    )
    if action in ("apply", "remove"):
        doing = "apply" if action == "apply" else "remove"
        if not selected:
            first = next(iter(shown), None)
            posted.problems.append(
                (
                    f"Select the answers to {doing} the code "
                    f"{'to' if action == 'apply' else 'from'}",
                    f"select-{first}" if first else "answers",
                )
            )
        if bulk_code is None:
            posted.problems.append((f"Choose the code to {doing}", "bulk-code"))
    return posted


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _saved_message(
    posted: PagePost, changes: list[coding_services.AnswerChange], done: coding_services.Coded
) -> str:
    """What a save of the coding page did, in words."""
    if not done.changed:
        return "Nothing has changed: no codes were added or removed."
    totals = f"{_plural(done.added, 'code')} added, {done.removed} removed"
    if posted.action in ("apply", "remove") and posted.bulk_code is not None:
        label, selected = posted.bulk_code.label, _plural(len(posted.selected), "selected answer")
        if posted.action == "apply":
            return f"‘{label}’ is applied to the {selected} ({totals})."
        return f"‘{label}’ is removed from the {selected} ({totals})."
    if len(changes) == 1:
        answer_id = changes[0].answer.pk
        labels = [code.label for code in posted.codebook if code.pk in posted.ticked[answer_id]]
        if labels:
            return f"Answer {answer_id} is coded: {', '.join(labels)}."
        return f"Answer {answer_id} has no codes now."
    return f"The codes of {_plural(done.answers, 'answer')} are saved ({totals})."


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
    """Code the answers to one free-text question: a page of a hundred answers saved at once,
    a code applied to the answers selected, or to a group of similar answers."""
    question = selectors.question_for_coding(
        user=request.user, survey_pk=pk, question_pk=question_pk, for_change=True
    )
    survey = question.page.survey
    code_form = CodeForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
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
        elif action == "group":
            try:
                answers = _group_posted(request, question)
                codes = _codes_posted(request, survey)
                if not codes:
                    raise ValidationError("Choose at least one code for the group")
                coding_services.answers_code_apply(answers=answers, codes=codes, actor=actor)
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(here)
            labels = ", ".join(code.label for code in codes)
            messages.success(request, f"{len(answers)} similar answers are coded: {labels}.")
            return redirect(here)
        elif action in ("save", "apply", "remove") or "save-answer" in request.POST:
            codebook = selectors.codebook(user=request.user, survey=survey)
            try:
                posted = _page_posted(request, question, codebook)
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(here)
            if posted.problems:
                return render(
                    request,
                    "surveys/coding_question.html",
                    _coding_context(request, question, code_form, posted),
                )
            changes = posted.changes()
            try:
                done = coding_services.answers_codes_change(changes=changes, actor=actor)
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(here)
            (messages.success if done.changed else messages.info)(
                request, _saved_message(posted, changes, done)
            )
            anchor = request.POST.get("save-answer", "")
            return redirect(f"{here}#answer-{anchor}" if anchor.isdigit() else f"{here}#answers")
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
