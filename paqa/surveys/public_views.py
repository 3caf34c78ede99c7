"""The public survey: no account, nothing that identifies the respondent.

The respondent's place is carried by an unguessable key in the address (no session, so no
time-stamped session row points at the response). Only dates are kept with a response.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paqa.core.ratelimit import over_limit
from paqa.surveys import engine, selectors, services
from paqa.surveys.models import Response, Survey


def _survey(slug: str) -> Survey:
    survey = Survey.objects.filter(
        public_slug=slug, kind=Survey.Kind.ANONYMOUS, status=Survey.Status.PUBLISHED
    ).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey


def _limited(request: HttpRequest) -> HttpResponse | None:
    if request.method == "POST" and over_limit(
        request, scope="survey", limit=settings.PAQA_SURVEY_POSTS_PER_MINUTE
    ):
        return render(request, "surveys/public/too_many.html", status=429)
    return None


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(
        request, "surveys/public/closed.html", {"survey": survey, "today": timezone.localdate()}
    )


def _pages(survey: Survey) -> list[Any]:
    return list(survey.pages.prefetch_related("questions"))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    survey = _survey(slug)
    if (limited := _limited(request)) is not None:
        return limited
    if not survey.is_open():
        return _closed(request, survey)
    error = ""
    if request.method == "POST":
        if "resume_code" in request.POST:
            response = services.response_for_resume_code(
                survey=survey, code=request.POST["resume_code"]
            )
            if response is not None:
                return redirect(
                    "surveys:public-page",
                    slug=slug,
                    key=response.submission_key,
                    number=min(response.reached_page, len(_pages(survey))),
                )
            error = "That resume code is not right, or its response has already been sent"
        else:
            return redirect(
                "surveys:public-page", slug=slug, key=services.new_submission_key(), number=1
            )
    return render(request, "surveys/public/start.html", {"survey": survey, "error": error})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str, key: str, number: int) -> HttpResponse:
    survey = _survey(slug)
    if (limited := _limited(request)) is not None:
        return limited
    if not survey.is_open():
        return _closed(request, survey)
    existing = Response.objects.filter(submission_key=key, survey=survey).first()
    if existing is not None and existing.status == Response.Status.SUBMITTED:
        return redirect("surveys:public-done", slug=slug)
    answers = selectors.answers_by_code(response=existing) if existing else {}
    pages = engine.visible_pages(_pages(survey), answers)
    if not 1 <= number <= len(pages):
        raise Http404("No such page.")
    current = pages[number - 1]
    questions = engine.visible_questions(current, answers)
    if request.method == "POST":
        # A question can depend on another on the same page: work out what shows from what was
        # just posted, and if that brings new questions, show the page again with them.
        posted = {
            q.code: request.POST.getlist(q.code)
            if q.kind == "multiple"
            else request.POST.get(q.code)
            for q in current.questions.all()
        }
        questions = engine.visible_questions(current, {**answers, **posted})
        shown = set(request.POST.getlist("_shown"))
        newly_shown = [q for q in questions if q.show_if and q.code not in shown]
        if newly_shown and "save_and_leave" not in request.POST:
            form = engine.PageForm(initial={**answers, **posted}, questions=questions)
            form.page_title = current.title
            return render(
                request,
                "surveys/public/page.html",
                {
                    "survey": survey,
                    "form": form,
                    "page": current,
                    "number": number,
                    "count": len(pages),
                    "back": reverse("surveys:public-page", args=[slug, key, number - 1])
                    if number > 1
                    else "",
                },
            )
        form = engine.PageForm(request.POST, questions=questions)
        leaving = "save_and_leave" in request.POST
        valid = form.is_valid()  # also when leaving: only valid answers are kept
        if leaving or valid:
            # Leaving part-way keeps the answers that are valid; an answer the form refuses
            # (too long, not allowed) is never stored, and an earlier one stays as it was.
            kept = [q for q in questions if q.code in form.cleaned_data]
            try:
                response = services.response_for_key(survey=survey, key=key)
            except ValidationError as invalid:
                raise Http404(str(invalid)) from invalid
            response = services.answers_save(
                response=response,
                values=form.cleaned_data,
                questions=kept,
                page_number=number if valid else number - 1,
            )
            if leaving:
                code = services.resume_code_issue(response=response)
                return render(
                    request, "surveys/public/saved.html", {"survey": survey, "code": code}
                )
            answers = selectors.answers_by_code(response=response)
            pages = engine.visible_pages(_pages(survey), answers)
            if number < len(pages):
                return redirect("surveys:public-page", slug=slug, key=key, number=number + 1)
            return redirect("surveys:public-check", slug=slug, key=key)
    else:
        form = engine.PageForm(initial=answers, questions=questions)
    form.page_title = current.title
    return render(
        request,
        "surveys/public/page.html",
        {
            "survey": survey,
            "form": form,
            "page": current,
            "number": number,
            "count": len(pages),
            "back": reverse("surveys:public-page", args=[slug, key, number - 1])
            if number > 1
            else "",
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    survey = _survey(slug)
    if (limited := _limited(request)) is not None:
        return limited
    if not survey.is_open():
        return _closed(request, survey)
    response = Response.objects.filter(submission_key=key, survey=survey).first()
    if response is None:
        return redirect("surveys:public-page", slug=slug, key=key, number=1)
    if request.method == "POST":
        services.response_submit(response=response)
        return redirect("surveys:public-done", slug=slug)
    if response.status == Response.Status.SUBMITTED:
        return redirect("surveys:public-done", slug=slug)
    answers = selectors.answers_by_code(response=response)
    summary = [
        (
            number,
            page,
            [
                (question, answers.get(question.code))
                for question in engine.visible_questions(page, answers)
            ],
        )
        for number, page in enumerate(engine.visible_pages(_pages(survey), answers), start=1)
    ]
    return render(
        request, "surveys/public/check.html", {"survey": survey, "summary": summary, "key": key}
    )


@login_not_required
@never_cache
def done(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "surveys/public/done.html", {"survey": _survey(slug)})
