from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from paqa.accounts.signin import acting_user
from paqa.actions import selectors, services
from paqa.actions.forms import ActionForm, CancelForm, CompleteForm, ProgressForm
from paqa.actions.models import Action
from paqa.core.access import Capability, access_for, require
from paqa.core.exports import table_response
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted

EXPORT_FORMATS = {"csv", "xlsx"}
EXPORT_HEADER = [
    "What will be done",
    "Organisation",
    "Person responsible",
    "Due date",
    "Status",
    "Overdue",
    "Arose from",
    "Completed",
    "Evidence of completion",
]


# The action plan --------------------------------------------------------------------------------


def action_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_ACTIONS)
    try:
        organisation_id = int(request.GET.get("organisation") or 0) or None
    except ValueError:
        organisation_id = None
    status = request.GET.get("status", "")
    if status not in Action.Status.values:
        status = ""
    overdue_only = request.GET.get("overdue") == "1"
    actions = selectors.action_list(
        user=request.user,
        organisation=organisation_id,
        status=status or None,
        overdue_only=overdue_only,
    )
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        rows = [
            [
                action.title,
                action.owner_organisation.name,
                action.owner_name,
                action.due_date,
                action.get_status_display(),
                action.is_overdue,
                action.source_label,
                action.completed_at.date() if action.completed_at else None,
                action.completion_evidence,
            ]
            for action in actions
        ]
        return table_response(fmt, "action-plan", EXPORT_HEADER, rows)
    return render(
        request,
        "actions/action_list.html",
        {
            "actions": actions,
            "organisations": selectors.organisation_choices(user=request.user),
            "statuses": Action.Status.choices,
            "filters": {
                "organisation": organisation_id,
                "status": status,
                "overdue": overdue_only,
            },
            "export_query": request.GET.urlencode(),
        },
    )


# One action -------------------------------------------------------------------------------------


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk)
    access = access_for(request.user)
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "updates": selectors.action_updates(action=action),
            "carried_to": selectors.action_carried_to(user=request.user, action=action),
            "can_manage": access.can(Capability.MANAGE_ACTIONS, action.owner_organisation_id),
            "can_view_history": access.can(Capability.VIEW_HISTORY),
            "progress_form": ProgressForm(
                initial={"status": Action.Status.IN_PROGRESS.value}, auto_id="progress-%s"
            ),
            "complete_form": CompleteForm(auto_id="complete-%s"),
        },
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk, for_change=True)
    form = ActionForm(
        posted(request),
        initial={
            "title": action.title,
            "owner_name": action.owner_name,
            "due_date": action.due_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been updated.")
            return redirect("actions:detail", pk=pk)
    return form_page(
        request,
        form,
        caption=action.title,
        cancel_url=reverse("actions:detail", args=[action.pk]),
    )


@require_http_methods(["GET", "POST"])
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk, for_change=True)
    form = ProgressForm(posted(request), initial={"status": Action.Status.IN_PROGRESS.value})
    if request.method == "POST" and form.is_valid():
        try:
            services.action_progress(action=action, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The progress update has been added.")
            return redirect(reverse("actions:detail", args=[pk]) + "#updates")
    return form_page(
        request,
        form,
        caption=action.title,
        cancel_url=reverse("actions:detail", args=[action.pk]),
    )


@require_http_methods(["GET", "POST"])
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk, for_change=True)
    form = CompleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_complete(
                action=action, actor=acting_user(request), evidence=form.cleaned_data["evidence"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been marked done.")
            return redirect("actions:detail", pk=pk)
    return form_page(
        request,
        form,
        caption=action.title,
        cancel_url=reverse("actions:detail", args=[action.pk]),
    )


@require_http_methods(["GET", "POST"])
def action_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_get(user=request.user, pk=pk, for_change=True)
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_cancel(
                action=action, actor=acting_user(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been cancelled.")
            return redirect("actions:detail", pk=pk)
    return form_page(
        request,
        form,
        caption=action.title,
        cancel_url=reverse("actions:detail", args=[action.pk]),
    )
