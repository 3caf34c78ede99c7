"""Pages for building and running a survey: create it, build its pages and questions, preview
it, and open, schedule, close or reopen it. Each writes through `builder_services`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.core.middleware import CONTENT_SECURITY_POLICY
from paqa.surveys import builder_selectors, builder_services, engine
from paqa.surveys.builder_forms import (
    ConfirmForm,
    DetailsForm,
    PageForm,
    QuestionForm,
    ReopenForm,
    RuleField,
    ScheduleForm,
    SurveyCreateForm,
    default_schedule,
    initial_dates,
    schedule_from,
)
from paqa.surveys.builder_services import SurveyConflict
from paqa.surveys.models import Page, Question, Survey

_PREVIEW_SALT = "paqa.surveys.preview"


def _manage_url(survey: Survey, anchor: str = "") -> str:
    url = reverse("surveys:manage", args=[survey.pk])
    return f"{url}#{anchor}" if anchor else url


def _conflict(request: HttpRequest, clash: SurveyConflict) -> HttpResponse:
    return render(
        request,
        "surveys/manage/conflict.html",
        {"survey": clash.survey, "yours": clash.yours},
        status=409,
    )


def _form_write(
    request: HttpRequest,
    survey: Survey,
    form: Any,
    write: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    anchor: str = "",
    **page: Any,
) -> HttpResponse:
    """The builder's one pattern: on a valid POST, `write(cleaned_data)` as the acting person;
    then back to the survey's page with `done`, or the conflict page, or the form again with
    the service's refusal in its error summary. Otherwise the form on its page."""
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data)
        except SurveyConflict as clash:
            return _conflict(request, clash)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect(_manage_url(survey, anchor))
    page.setdefault("cancel_url", _manage_url(survey, anchor))
    return form_page(request, form, caption=str(survey), **page)


@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    sources = builder_selectors.copy_sources(user=request.user)
    form = SurveyCreateForm(
        posted(request), sources=sources, initial={**default_schedule(), "source": ""}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = builder_services.survey_create(
                source=data["source"],
                title=data["title"],
                year=data["year"],
                kind=data["kind"],
                schedule=schedule_from(data),
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{survey} has been created as a draft. Nobody can answer it yet."
            )
            return redirect(_manage_url(survey))
    return form_page(
        request,
        form,
        caption="Surveys",
        cancel_url=reverse("surveys:home"),
        intro="A new survey starts as a draft: build and preview it, then open or schedule it.",
    )


@require_GET
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    built = builder_selectors.builder(user=request.user, survey=survey)
    return render(
        request,
        "surveys/manage/overview.html",
        {
            "survey": survey,
            "built": built,
            "confirm": ConfirmForm(initial={"version": survey.version}),
        },
    )


@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, pk: int) -> HttpResponse:
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    form = DetailsForm(
        posted(request),
        initial={
            "version": survey.version,
            "title": survey.title,
            "introduction": survey.introduction,
            **initial_dates(survey),
        },
    )
    return _form_write(
        request,
        survey,
        form,
        lambda data: builder_services.survey_details_update(
            survey=survey,
            based_on_version=data["version"],
            title=data["title"],
            introduction=data["introduction"],
            schedule=schedule_from(data),
            actor=acting_user(request),
        ),
        done="The survey’s details have been saved.",
    )


# Opening and closing -------------------------------------------------------------------------

_STEPS: dict[str, dict[str, str]] = {
    "open": {
        "title": "Open the survey now",
        "button": "Open it now",
        "intro": "People can answer it from now until its closing date.",
        "done": "The survey is open.",
    },
    "close": {
        "title": "Close the survey now",
        "button": "Close it now",
        "intro": "Nobody will be able to answer it after this. Responses already sent are kept, "
        "and you can reopen it later with a new closing date.",
        "done": "The survey is closed. Responses already sent are kept.",
    },
    "unpublish": {
        "title": "Put the survey back to draft",
        "button": "Back to draft",
        "intro": "It will not open at its scheduled time. You can change it and schedule it again.",
        "done": "The survey is a draft again.",
    },
}


@require_http_methods(["GET", "POST"])
def lifecycle(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Open now, close now, or back to draft: a confirmation page and its button."""
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    if step not in _STEPS:
        raise Http404("No such step.")
    words = _STEPS[step]
    write = {
        "open": builder_services.survey_open,
        "close": builder_services.survey_close,
        "unpublish": builder_services.survey_unpublish,
    }[step]
    return _form_write(
        request,
        survey,
        ConfirmForm(posted(request), initial={"version": survey.version}),
        lambda data: write(
            survey=survey, based_on_version=data["version"], actor=acting_user(request)
        ),
        done=words["done"],
        title=words["title"],
        submit_label=words["button"],
        intro=words["intro"],
    )


@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    return _form_write(
        request,
        survey,
        ScheduleForm(posted(request), initial={"version": survey.version, **initial_dates(survey)}),
        lambda data: builder_services.survey_schedule(
            survey=survey,
            based_on_version=data["version"],
            schedule=schedule_from(data),
            actor=acting_user(request),
        ),
        done="The survey is scheduled: it opens by itself at its opening time.",
        intro="It opens by itself at the opening time, and closes at the closing time.",
    )


@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    return _form_write(
        request,
        survey,
        ReopenForm(posted(request), initial={"version": survey.version}),
        lambda data: builder_services.survey_reopen(
            survey=survey,
            based_on_version=data["version"],
            closes_on=data["closes_on"],
            closes_time=data["closes_time"],
            actor=acting_user(request),
        ),
        done="The survey is open again.",
        intro="People can answer it again until the new closing date.",
    )


# Pages ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, pk: int, page_pk: int | None = None) -> HttpResponse:
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    page = (
        builder_selectors.page_to_manage(user=request.user, survey=survey, pk=page_pk)
        if page_pk is not None
        else None
    )
    options = builder_selectors.rule_options(
        user=request.user, survey=survey, before_page=page, include_page=False
    )
    if page is None:
        # A new page goes at the end, so any earlier question may decide whether it shows.
        options = builder_selectors.rule_options(user=request.user, survey=survey)
    initial: dict[str, Any] = {"version": survey.version}
    if page is not None:
        initial.update(title=page.title, rule=RuleField.from_rule(page.show_if))
    form = PageForm(posted(request), rule_options=options, initial=initial)
    if page is not None:
        form.page_title = f"Change page {page.order}"
    actor = acting_user(request)

    def write(data: dict[str, Any]) -> Page:
        if page is None:
            return builder_services.page_add(
                survey=survey,
                based_on_version=data["version"],
                title=data["title"],
                show_if=form.rule(),
                actor=actor,
            )
        return builder_services.page_update(
            page=page,
            based_on_version=data["version"],
            title=data["title"],
            show_if=form.rule(),
            actor=actor,
        )

    return _form_write(
        request, survey, form, write, done="The page has been saved.", anchor="questions"
    )


@require_POST
def move(request: HttpRequest, pk: int, what: str, item_pk: int) -> HttpResponse:
    """Move a page or a question up or down (the buttons on the management page)."""
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if not form.is_valid() or direction is None:
        messages.error(request, "Choose whether to move it up or down")
        return redirect(_manage_url(survey, "questions"))
    actor = acting_user(request)
    version = form.cleaned_data["version"]
    try:
        if what == "page":
            page = builder_selectors.page_to_manage(user=request.user, survey=survey, pk=item_pk)
            builder_services.page_move(
                page=page, based_on_version=version, direction=direction, actor=actor
            )
            anchor = f"page-{page.pk}"
        elif what == "question":
            question = builder_selectors.question_to_manage(
                user=request.user, survey=survey, pk=item_pk
            )
            builder_services.question_move(
                question=question, based_on_version=version, direction=direction, actor=actor
            )
            anchor = f"question-{question.pk}"
        else:
            raise Http404("Nothing to move.")
    except SurveyConflict as clash:
        return _conflict(request, clash)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(_manage_url(survey, "questions"))
    messages.success(request, "Moved.")
    return redirect(_manage_url(survey, anchor))


@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, pk: int, what: str, item_pk: int) -> HttpResponse:
    """Remove a page (with its questions) or a question, after a confirmation page."""
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    item: Page | Question
    if what == "page":
        item = builder_selectors.page_to_manage(user=request.user, survey=survey, pk=item_pk)
        name = f"the page ‘{item.title}’ and its questions"
    elif what == "question":
        item = builder_selectors.question_to_manage(user=request.user, survey=survey, pk=item_pk)
        name = f"the question ‘{item.text}’"
    else:
        raise Http404("Nothing to remove.")
    actor = acting_user(request)

    def write(data: dict[str, Any]) -> None:
        if isinstance(item, Page):
            builder_services.page_remove(page=item, based_on_version=data["version"], actor=actor)
        else:
            builder_services.question_remove(
                question=item, based_on_version=data["version"], actor=actor
            )

    return _form_write(
        request,
        survey,
        ConfirmForm(posted(request), initial={"version": survey.version}),
        write,
        done=f"Removed {name}.",
        anchor="questions",
        title=f"Remove {name}?",
        submit_label="Remove it",
        intro="The removal is kept in the survey’s history.",
    )


# Questions -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def question_edit(
    request: HttpRequest, pk: int, page_pk: int | None = None, question_pk: int | None = None
) -> HttpResponse:
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    question = (
        builder_selectors.question_to_manage(user=request.user, survey=survey, pk=question_pk)
        if question_pk is not None
        else None
    )
    page = (
        question.page
        if question is not None
        else builder_selectors.page_to_manage(user=request.user, survey=survey, pk=page_pk)
    )
    locked = builder_selectors.has_responses(survey=survey)
    options = builder_selectors.rule_options(
        user=request.user,
        survey=survey,
        before_page=page,
        include_page=True,
        before_question=question,
    )
    initial = (
        QuestionForm.initial_for(question, survey.version)
        if question is not None
        else {"version": survey.version}
    )
    form = QuestionForm(
        posted(request),
        rule_options=options,
        locked=locked and question is not None,
        initial=initial,
    )
    form.page_title = (
        f"Change question {question.order} on ‘{page.title}’"
        if question is not None
        else f"Add a question to ‘{page.title}’"
    )
    actor = acting_user(request)

    def write(data: dict[str, Any]) -> Question:
        if question is None:
            return builder_services.question_add(
                page=page, based_on_version=data["version"], draft=form.draft(), actor=actor
            )
        return builder_services.question_update(
            question=question,
            based_on_version=data["version"],
            draft=form.draft(),
            actor=actor,
            reason=data.get("reason", ""),
        )

    intro = (
        "People have already answered this survey, so only the question’s wording and hint can "
        "change, with a reason."
        if locked and question is not None
        else ""
    )
    return _form_write(
        request,
        survey,
        form,
        write,
        done="The question has been saved.",
        anchor="questions",
        intro=intro,
    )


# Preview ---------------------------------------------------------------------------------------


def _preview_answers(request: HttpRequest) -> dict[str, Any]:
    carried = request.POST.get("_answers", "")
    if not carried:
        return {}
    try:
        answers = signing.loads(carried, salt=_PREVIEW_SALT)
    except signing.BadSignature:
        return {}
    return answers if isinstance(answers, dict) else {}


def _as_respondent(response: HttpResponse, framed: bool) -> HttpResponse:
    # Only the phone-sized preview is framed, and only by PAQA's own page; every other page,
    # this one unframed included, keeps frame-ancestors 'none' and X-Frame-Options DENY.
    if framed:
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "frame-ancestors 'none'", "frame-ancestors 'self'"
        )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey page by page exactly as a respondent sees it (no menu, no account), its
    branching worked out from the answers given. Nothing is stored: the answers so far travel
    with the form, signed."""
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    framed = request.GET.get("framed") == "1"
    pages_all = list(survey.pages.prefetch_related("questions"))
    answers = _preview_answers(request)
    try:
        number = int(request.POST.get("_page") or request.GET.get("page") or 1)
    except ValueError:
        number = 1
    pages = engine.visible_pages(pages_all, answers)
    context: dict[str, Any] = {
        "survey": survey,
        "framed": framed,
        # As someone with no account sees it: no menu, no name, no sign-out.
        "user": AnonymousUser(),
        "paqa_navigation": [],
        "manage_url": _manage_url(survey),
        "phone_url": reverse("surveys:preview-phone", args=[survey.pk]),
    }
    if not pages:
        return _as_respondent(
            render(request, "surveys/manage/preview_end.html", {**context, "empty": True}), framed
        )
    number = max(1, min(number, len(pages)))
    current = pages[number - 1]
    if request.method == "POST":
        posted_values = {
            q.code: request.POST.getlist(q.code)
            if q.kind == "multiple"
            else request.POST.get(q.code)
            for q in current.questions.all()
        }
        questions = engine.visible_questions(current, {**answers, **posted_values})
        form = engine.PageForm(request.POST, questions=questions)
        going_back = "_back" in request.POST
        # As for a respondent: an answer that brings a follow-up on the same page shows the
        # page again with it.
        shown = set(request.POST.getlist("_shown"))
        newly_shown = [q for q in questions if q.show_if and q.code not in shown]
        if newly_shown and not going_back:
            form = engine.PageForm(initial={**answers, **posted_values}, questions=questions)
        elif going_back or form.is_valid():
            kept = {
                q.code: form.cleaned_data.get(q.code)
                for q in questions
                if q.code in form.cleaned_data
            }
            answers = {**answers, **kept}
            pages = engine.visible_pages(pages_all, answers)
            number = number - 1 if going_back else number + 1
            if number > len(pages):
                return _as_respondent(
                    render(
                        request,
                        "surveys/manage/preview_end.html",
                        {
                            **context,
                            "answered": sum(1 for v in answers.values() if v not in (None, "", [])),
                        },
                    ),
                    framed,
                )
            number = max(1, number)
            current = pages[number - 1]
            form = engine.PageForm(
                initial=answers, questions=engine.visible_questions(current, answers)
            )
    else:
        form = engine.PageForm(
            initial=answers, questions=engine.visible_questions(current, answers)
        )
    form.page_title = current.title
    return _as_respondent(
        render(
            request,
            "surveys/manage/preview_page.html",
            {
                **context,
                "form": form,
                "page": current,
                "number": number,
                "count": len(pages),
                "carried": signing.dumps(answers, salt=_PREVIEW_SALT),
            },
        ),
        framed,
    )


@require_GET
def preview_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview in a phone-sized frame (375 by 700 pixels, a common phone's viewport)."""
    survey = builder_selectors.survey_to_manage(user=request.user, pk=pk)
    return render(request, "surveys/manage/preview_phone.html", {"survey": survey})
