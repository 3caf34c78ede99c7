from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for, require
from paqa.core.evidence import evidence_choices, resolve_evidence
from paqa.core.exports import table_response
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.core.taxonomy import theme_label
from paqa.escalations import selectors, services
from paqa.escalations.forms import (
    AssureForm,
    CloseForm,
    EscalationActionForm,
    EscalationForm,
    EvidenceForm,
    ReescalateForm,
    ResponseForm,
    UpdateForm,
    reporting_year,
)
from paqa.escalations.models import Escalation

EXPORT_FORMATS = {"csv", "xlsx"}
EXPORT_HEADER = [
    "Year",
    "Title",
    "What was found",
    "Escalated to",
    "Escalated on",
    "Owner organisation",
    "Response required by",
    "Status",
    "RAG",
    "Overdue",
    "Themes",
    "Outcome",
    "Closed on",
]


def _today_initial() -> dict[str, Any]:
    return {"date": timezone.localdate()}


# The register ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def register(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_ESCALATIONS)
    year = request.GET.get("year", "")
    years = selectors.escalation_years(user=request.user)
    if year not in years:
        year = ""
    status = request.GET.get("status", "")
    if status not in Escalation.Status.values:
        status = ""
    overdue_only = request.GET.get("overdue") == "1"
    escalations = selectors.escalation_list(
        user=request.user, year=year, status=status, overdue_only=overdue_only
    )
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        rows = [
            [
                escalation.year,
                escalation.title,
                escalation.finding,
                escalation.escalated_to,
                escalation.escalated_on,
                escalation.owner_organisation.name,
                escalation.response_due,
                escalation.get_status_display(),
                escalation.get_rag_display(),
                escalation.is_overdue,
                ", ".join(theme_label(slug) for slug in escalation.themes),
                escalation.outcome,
                escalation.closed_on,
            ]
            for escalation in escalations
        ]
        return table_response(fmt, "escalations", EXPORT_HEADER, rows)
    return render(
        request,
        "escalations/register.html",
        {
            "escalations": escalations,
            "years": years,
            "statuses": Escalation.Status.choices,
            "filters": {"year": year, "status": status, "overdue": overdue_only},
            "export_query": request.GET.urlencode(),
            "can_manage": access_for(request.user).can(Capability.MANAGE_ESCALATIONS),
        },
    )


# One escalation ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    can = selectors.permissions_for(user=request.user, escalation=escalation)
    is_open = not escalation.is_closed
    return render(
        request,
        "escalations/detail.html",
        {
            "escalation": escalation,
            "themes": [theme_label(slug) for slug in escalation.themes],
            "evidence": selectors.evidence_for(user=request.user, escalation=escalation),
            "updates": selectors.escalation_updates(escalation=escalation),
            "actions": selectors.escalation_actions(user=request.user, escalation=escalation),
            "can": can,
            "can_respond": is_open
            and escalation.status in Escalation.RESPONDABLE
            and (can.respond or can.manage),
            "can_assure": can.manage and escalation.status == Escalation.Status.RESPONSE_RECEIVED,
            "can_manage_open": can.manage and is_open,
            "can_update": can.update and is_open,
            "can_view_history": access_for(request.user).can(Capability.VIEW_HISTORY),
        },
    )


@require_http_methods(["GET", "POST"])
def raise_escalation(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_ESCALATIONS)
    key = (request.POST.get("evidence") if request.method == "POST" else None) or request.GET.get(
        "evidence", ""
    )
    evidence = resolve_evidence(request.user, key) if key else None
    initial: dict[str, Any] = {
        "year": reporting_year(),
        "escalated_on": timezone.localdate(),
        "evidence": evidence.key if evidence else "",
    }
    if evidence is not None:
        initial["themes"] = list(evidence.themes)
    form = EscalationForm(
        posted(request), initial=initial, organisations=selectors.organisation_choices()
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        evidence_key = data.pop("evidence", "")
        try:
            escalation = services.escalation_raise(
                **data,
                evidence_keys=[evidence_key] if evidence_key else [],
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The escalation ‘{escalation.title}’ has been raised.")
            return redirect("escalations:detail", pk=escalation.pk)
    intro = ""
    if key and evidence is None:
        intro = "The evidence you came from is not one you can see, so it will not be linked."
    return form_page(
        request,
        form,
        caption="Escalations",
        cancel_url=reverse("escalations:register"),
        intro=intro,
        summary_template="escalations/_evidence_summary.html" if evidence is not None else "",
        context={"evidence": evidence},
    )


def _step(
    request: HttpRequest,
    pk: int,
    *,
    allowed: Callable[[selectors.EscalationPermissions, Escalation], bool],
    form_class: type[Form],
    service: Callable[..., Any],
    success: str,
    anchor: str = "#updates",
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form page that moves one escalation on, for those allowed to."""
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    if not allowed(selectors.permissions_for(user=request.user, escalation=escalation), escalation):
        raise PermissionDenied("Your role does not allow this.")
    form = form_class(posted(request), initial=initial or _today_initial())
    if request.method == "POST" and form.is_valid():
        try:
            service(escalation=escalation, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, success)
            return redirect(reverse("escalations:detail", args=[pk]) + anchor)
    return form_page(
        request,
        form,
        caption=escalation.title,
        cancel_url=reverse("escalations:detail", args=[pk]),
    )


@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        allowed=lambda can, _: can.update,
        form_class=UpdateForm,
        service=services.escalation_update,
        success="The update has been added.",
    )


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        allowed=lambda can, _: can.respond or can.manage,
        form_class=ResponseForm,
        service=services.response_record,
        success="The response has been recorded.",
    )


@require_http_methods(["GET", "POST"])
def assure(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        allowed=lambda can, _: can.manage,
        form_class=AssureForm,
        service=services.escalation_assure,
        success="Assurance has been recorded.",
    )


@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        allowed=lambda can, _: can.manage,
        form_class=CloseForm,
        service=services.escalation_close,
        success="The escalation has been closed.",
        anchor="",
    )


@require_http_methods(["GET", "POST"])
def reescalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        allowed=lambda can, _: can.manage,
        form_class=ReescalateForm,
        service=services.escalation_reescalate,
        success="The escalation has been re-escalated.",
    )


@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    if not selectors.permissions_for(user=request.user, escalation=escalation).manage:
        raise PermissionDenied("Your role does not allow this.")
    form = EvidenceForm(posted(request), choices=evidence_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_link_add(
                escalation=escalation,
                key=form.cleaned_data["evidence_key"],
                note=form.cleaned_data["note"],
                actor=acting_user(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The evidence has been linked.")
            return redirect(reverse("escalations:detail", args=[pk]) + "#evidence")
    return form_page(
        request,
        form,
        caption=escalation.title,
        cancel_url=reverse("escalations:detail", args=[pk]),
    )


@require_POST
def evidence_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    if not selectors.permissions_for(user=request.user, escalation=escalation).manage:
        raise PermissionDenied("Your role does not allow this.")
    link = selectors.evidence_link_get(escalation=escalation, pk=link_pk)
    services.evidence_link_remove(link=link, actor=acting_user(request))
    messages.success(request, "The evidence has been unlinked.")
    return redirect(reverse("escalations:detail", args=[pk]) + "#evidence")


@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    can = selectors.permissions_for(user=request.user, escalation=escalation)
    if not (can.manage or can.respond):
        raise PermissionDenied("Your role does not allow this.")
    organisations = selectors.action_organisation_choices(user=request.user, escalation=escalation)
    form = EscalationActionForm(
        posted(request),
        initial={"owner_organisation": escalation.owner_organisation_id},
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_action_create(
                escalation=escalation, actor=acting_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been added to the action plan.")
            return redirect(reverse("escalations:detail", args=[pk]) + "#actions")
    return form_page(
        request,
        form,
        caption=escalation.title,
        cancel_url=reverse("escalations:detail", args=[pk]),
    )


@require_POST
def remind(request: HttpRequest) -> HttpResponse:
    """Send the overdue reminders now (they are also sent by `paqa escalations-remind`)."""
    require(request.user, Capability.MANAGE_ESCALATIONS)
    reminded = services.escalations_remind_overdue(
        actor=acting_user(request), base_url=request.build_absolute_uri("/")
    )
    if reminded:
        count = len(reminded)
        messages.success(
            request,
            f"Reminders sent for {count} overdue escalation{'s' if count != 1 else ''}.",
        )
    else:
        messages.success(request, "No overdue escalation needed a reminder.")
    return redirect(reverse("escalations:register") + "?overdue=1")
