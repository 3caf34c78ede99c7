"""The annual impact assessment: the return rate for the partnership, and the page-by-page return
an organisation's agency lead completes when signed in (the same engine as the public survey)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for, require
from paqa.core.forms import GovUKForm
from paqa.partnership.models import Organisation
from paqa.surveys import engine, impact, impact_checking, selectors, services
from paqa.surveys.models import Question, Survey


class InviteForm(GovUKForm):
    submit_label = "Invite organisations"

    organisations = forms.ModelMultipleChoiceField(
        label="Organisations to invite",
        help_text="Each organisation sends one return. Its agency leads are emailed.",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one organisation to invite"},
    )

    def __init__(self, *args: Any, user: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["organisations"])
        field.queryset = selectors.organisations_to_invite(user=user, survey=survey)


def _return_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys:impact-return", args=[survey.pk]))


def _manager(request: HttpRequest) -> None:
    if not access_for(request.user).can_everywhere(Capability.MANAGE_SURVEYS):
        raise PermissionDenied("Your role does not allow this.")


# The return rate -----------------------------------------------------------------------------


def _rate_page(
    request: HttpRequest, survey: Survey, form: InviteForm | None = None
) -> HttpResponse:
    rows = selectors.invitations_for(user=request.user, survey=survey)
    can_manage = access_for(request.user).can_everywhere(Capability.MANAGE_SURVEYS)
    if can_manage and form is None:
        form = InviteForm(user=request.user, survey=survey)
    return render(
        request,
        "surveys/impact_rate.html",
        {
            "survey": survey,
            "rows": rows,
            "rate": impact.return_rate(rows),
            "can_manage": can_manage,
            "form": form if can_manage else None,
            "today": timezone.localdate(),
        },
    )


@require_GET
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _rate_page(request, selectors.impact_survey_get(user=request.user, pk=pk))


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    survey = selectors.impact_survey_get(user=request.user, pk=pk)
    form = InviteForm(request.POST, user=request.user, survey=survey)
    if form.is_valid():
        try:
            made = services.invitations_send(
                survey=survey,
                organisations=list(form.cleaned_data["organisations"]),
                actor=acting_user(request),
                return_url=_return_url(request, survey),
            )
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(
                request,
                f"{len(made)} organisation{'s' if len(made) != 1 else ''} invited.",
            )
            return redirect("surveys:impact-rate", pk=survey.pk)
    return _rate_page(request, survey, form)


@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    survey = selectors.impact_survey_get(user=request.user, pk=pk)
    sent = services.impact_reminders_send(
        survey=survey, actor=acting_user(request), return_url=_return_url(request, survey)
    )
    messages.success(
        request,
        f"Reminders sent to {len(sent)} organisation{'s' if len(sent) != 1 else ''} "
        "that have not returned.",
    )
    return redirect("surveys:impact-rate", pk=survey.pk)


# The organisation's return -------------------------------------------------------------------


def _return(request: HttpRequest, pk: int, org_pk: int) -> impact.ImpactReturn:
    survey = selectors.impact_survey_get(user=request.user, pk=pk)
    organisation = Organisation.objects.filter(pk=org_pk).first()
    if organisation is None:
        raise Http404("No such organisation.")
    return selectors.organisation_return(
        user=request.user, survey=survey, organisation=organisation
    )


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(
        request, "surveys/impact_closed.html", {"survey": survey, "today": timezone.localdate()}
    )


@require_GET
def return_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed-in agency lead's return; if they lead several invited organisations, which."""
    survey = selectors.impact_survey_get(user=request.user, pk=pk)
    require(request.user, Capability.ANSWER_ORGANISATION_SURVEYS)
    invitations = selectors.own_invitations(user=request.user, survey=survey)
    if len(invitations) == 1:
        return redirect(
            "surveys:impact-return-organisation",
            pk=survey.pk,
            org_pk=invitations[0].organisation_id,
        )
    return render(
        request, "surveys/impact_return_choose.html", {"survey": survey, "invitations": invitations}
    )


@require_GET
def return_resume(request: HttpRequest, pk: int, org_pk: int) -> HttpResponse:
    """Where the organisation's return carries on: the page reached, or the sent return."""
    impact_return = _return(request, pk, org_pk)
    if not impact_return.can_edit:
        return redirect("surveys:impact-return-view", pk=pk, org_pk=org_pk)
    answers = selectors.answers_by_code(response=impact_return.response)
    count = len(
        engine.visible_pages(
            selectors.survey_pages(user=request.user, survey=impact_return.survey), answers
        )
    )
    if impact_return.response.reached_page > count:
        return redirect("surveys:impact-return-check", pk=pk, org_pk=org_pk)
    return redirect(
        "surveys:impact-return-page",
        pk=pk,
        org_pk=org_pk,
        number=max(1, impact_return.response.reached_page),
    )


def _posted_values(request: HttpRequest, form: engine.PageForm, questions: list[Question]) -> Any:
    if form.is_valid():
        return form.cleaned_data
    return {
        q.code: request.POST.getlist(q.code)
        if q.kind == Question.Kind.MULTIPLE
        else request.POST.get(q.code, "")
        for q in questions
        if q.kind != Question.Kind.NUMBER
    }


@never_cache
@require_http_methods(["GET", "POST"])
def return_page(request: HttpRequest, pk: int, org_pk: int, number: int) -> HttpResponse:
    impact_return = _return(request, pk, org_pk)
    if not impact_return.may_answer:
        raise PermissionDenied("You can read this return but not change it.")
    survey = impact_return.survey
    if not impact_return.can_edit:
        return redirect("surveys:impact-return-view", pk=pk, org_pk=org_pk)
    if not survey.is_open():
        return _closed(request, survey)
    answers = selectors.answers_by_code(response=impact_return.response)
    pages = engine.visible_pages(selectors.survey_pages(user=request.user, survey=survey), answers)
    if not 1 <= number <= len(pages):
        raise Http404("No such page.")
    current = pages[number - 1]
    questions = engine.visible_questions(current, answers)
    if request.method == "POST":
        form = engine.PageForm(request.POST, questions=questions)
        leaving = "save_and_leave" in request.POST
        if leaving or form.is_valid():
            try:
                response = services.impact_answers_save(
                    impact_return=impact_return,
                    values=_posted_values(request, form, questions),
                    questions=questions,
                    page_number=number if form.is_valid() else number - 1,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("surveys:impact-return-organisation", pk=pk, org_pk=org_pk)
            if leaving:
                return render(
                    request,
                    "surveys/impact_saved.html",
                    {"survey": survey, "organisation": impact_return.organisation},
                )
            answers = selectors.answers_by_code(response=response)
            pages = engine.visible_pages(
                selectors.survey_pages(user=request.user, survey=survey), answers
            )
            if number < len(pages):
                return redirect(
                    "surveys:impact-return-page", pk=pk, org_pk=org_pk, number=number + 1
                )
            return redirect("surveys:impact-return-check", pk=pk, org_pk=org_pk)
    else:
        form = engine.PageForm(initial=answers, questions=questions)
    form.page_title = current.title
    return render(
        request,
        "surveys/impact_return_page.html",
        {
            "survey": survey,
            "organisation": impact_return.organisation,
            "form": form,
            "page": current,
            "number": number,
            "count": len(pages),
            "back": reverse("surveys:impact-return-page", args=[pk, org_pk, number - 1])
            if number > 1
            else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def return_check(request: HttpRequest, pk: int, org_pk: int) -> HttpResponse:
    impact_return = _return(request, pk, org_pk)
    if not impact_return.may_answer:
        raise PermissionDenied("You can read this return but not change it.")
    survey = impact_return.survey
    if not impact_return.can_edit:
        return redirect("surveys:impact-return-view", pk=pk, org_pk=org_pk)
    if not survey.is_open():
        return _closed(request, survey)
    errors: list[str] = []
    if request.method == "POST":
        # Only what the check page showed is sent: without its token, or once the return has
        # changed since, nothing is sent and the answers are checked again.
        try:
            checked = impact_checking.impact_return_submit_checked(
                impact_return=impact_return,
                actor=acting_user(request),
                token=request.POST.get("check_token"),
            )
        except ValidationError as error:
            errors = list(error.messages)
        else:
            if checked is not impact_checking.Checked.VALID:
                messages.error(request, impact_checking.MESSAGES[checked])
                return redirect("surveys:impact-return-check", pk=pk, org_pk=org_pk)
            messages.success(request, f"{impact_return.organisation.name}’s return has been sent.")
            return redirect("surveys:impact-return-view", pk=pk, org_pk=org_pk)
    problems = selectors.return_problems(user=request.user, impact_return=impact_return)
    return render(
        request,
        "surveys/impact_return_check.html",
        {
            "survey": survey,
            "organisation": impact_return.organisation,
            "summary": selectors.return_summary(user=request.user, impact_return=impact_return),
            "problems": problems,
            "errors": errors,
            "token": impact_checking.check_token(impact_return=impact_return, user=request.user),
        },
    )


@require_GET
def return_view(request: HttpRequest, pk: int, org_pk: int) -> HttpResponse:
    """A sent return, read-only: for its organisation and for the partnership."""
    impact_return = _return(request, pk, org_pk)
    if not impact_return.submitted:
        return redirect("surveys:impact-return-organisation", pk=pk, org_pk=org_pk)
    return render(
        request,
        "surveys/impact_return_view.html",
        {
            "survey": impact_return.survey,
            "organisation": impact_return.organisation,
            "response": impact_return.response,
            "summary": selectors.return_summary(user=request.user, impact_return=impact_return),
            "sees_rate": access_for(request.user).can(Capability.VIEW_SURVEY_RESULTS),
        },
    )
