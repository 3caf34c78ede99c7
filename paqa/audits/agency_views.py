"""Pages for single-agency audit returns: the year's returns, one return, its forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.actions.selectors import actions_for_source
from paqa.actions.services import action_create
from paqa.audits import agency_selectors as selectors
from paqa.audits import agency_services as services
from paqa.audits import checking
from paqa.audits.agency_forms import (
    AgencyActionForm,
    AgencyAuditForm,
    ReviewForm,
    current_year,
    grade_field_name,
)
from paqa.audits.models import AgencyAudit
from paqa.core.access import Capability, access_for, require
from paqa.core.exports import table_response
from paqa.core.form_pages import form_page
from paqa.partnership.models import Service

EXPORT_FORMATS = {"csv", "xlsx"}
WHOLE_ORGANISATION = "Whole organisation"


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _apply_errors(form: Any, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's problems on the form, each on its field where the form has one."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = aliases.get(name, name)
            for item in errors:
                form.add_error(target if target in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _audit_form_aliases(form: AgencyAuditForm) -> dict[str, str]:
    first = form.first_grade_field
    return {"grade_counts": first} if first else {}


def _audit_values(form: AgencyAuditForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "service": data.get("service"),
        "year": data["year"],
        "topic": data["topic"],
        "audit_date": data["audit_date"],
        "sample_size": data["sample_size"],
        "grade_counts": form.grade_counts(),
        "strengths": data["strengths"],
        "areas_for_development": data["areas_for_development"],
        "themes": data.get("themes") or [],
    }


# The year's returns -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    audit: AgencyAudit
    grades: list[int]
    themes: list[str]


def agency_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_AUDITS)
    years = selectors.agency_audit_years(user=request.user)
    asked = request.GET.get("year", "")
    default = years[0] if years else current_year()
    year = asked if services.YEAR_PATTERN.match(asked) else default
    audits = selectors.agency_audit_list(user=request.user, year=year)
    summary = selectors.agency_audit_summary(user=request.user, year=year)
    levels = selectors.grade_levels(audits=audits)
    rows = [
        ReturnRow(
            audit=audit,
            grades=selectors.grade_row(agency_audit=audit, levels=levels),
            themes=selectors.theme_labels(themes=audit.themes or []),
        )
        for audit in audits
    ]
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        header = [
            "Organisation",
            "Service",
            "Topic",
            "Date of audit",
            "Cases audited",
            *[level.label for level in levels],
            "Themes for development",
            "Status",
        ]
        table = [
            [
                row.audit.organisation.name,
                row.audit.service.name if row.audit.service else WHOLE_ORGANISATION,
                row.audit.topic,
                row.audit.audit_date,
                row.audit.sample_size,
                *row.grades,
                "; ".join(row.themes),
                row.audit.get_status_display(),
            ]
            for row in rows
        ]
        return table_response(fmt, f"single-agency-audits-{year}", header, table)
    access = access_for(request.user)
    return render(
        request,
        "audits/agency_list.html",
        {
            "year": year,
            "years": sorted({*years, year}, reverse=True),
            "rows": rows,
            "levels": levels,
            "summary": summary,
            "can_submit": access.can_anywhere(Capability.SUBMIT_AGENCY_AUDITS),
        },
    )


# Creating and changing a return ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agency_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.SUBMIT_AGENCY_AUDITS)
    organisations = selectors.submit_organisations(user=request.user)
    scale = services.agency_scale()
    initial: dict[str, Any] = {"year": current_year()}
    if len(organisations) == 1:
        initial["organisation"] = organisations[0]
    form = AgencyAuditForm(
        _posted(request),
        initial=initial,
        levels=services.scale_levels(scale),
        services=selectors.submit_services(user=request.user),
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency_audit = services.agency_audit_create(
                organisation=form.cleaned_data["organisation"],
                **_audit_values(form),
                actor=acting_user(request),
            )
        except ValidationError as error:
            _apply_errors(form, error, _audit_form_aliases(form))
        else:
            messages.success(
                request, "The audit has been saved as a draft. Submit it when it is ready."
            )
            return redirect("audits:agency-detail", pk=agency_audit.pk)
    return render(
        request,
        "audits/agency_form.html",
        {"form": form, "cancel_url": reverse("audits:agency-list")},
    )


@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency_audit = selectors.agency_audit_get(user=request.user, pk=pk, for_change=True)
    if agency_audit.status != AgencyAudit.Status.DRAFT:
        raise PermissionDenied(services.SUBMITTED_MESSAGE)
    service_choices = (
        Service.objects.filter(organisation_id=agency_audit.organisation_id)
        .filter(Q(archived_at__isnull=True) | Q(pk=agency_audit.service_id))
        .select_related("organisation")
        .order_by("name")
    )
    levels = services.scale_levels(agency_audit.scale)
    initial: dict[str, Any] = {
        "service": agency_audit.service_id,
        "year": agency_audit.year,
        "topic": agency_audit.topic,
        "audit_date": agency_audit.audit_date,
        "sample_size": agency_audit.sample_size,
        "strengths": agency_audit.strengths,
        "areas_for_development": agency_audit.areas_for_development,
        "themes": agency_audit.themes,
    }
    form = AgencyAuditForm(
        _posted(request), initial=initial, levels=levels, services=service_choices
    )
    for code, name in form.grade_names.items():
        form.initial[name] = (agency_audit.grade_counts or {}).get(code, 0)
    form.page_title = "Change the audit"
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_audit_update(
                agency_audit=agency_audit, **_audit_values(form), actor=acting_user(request)
            )
        except ValidationError as error:
            _apply_errors(form, error, _audit_form_aliases(form))
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("audits:agency-detail", pk=pk)
    return render(
        request,
        "audits/agency_form.html",
        {
            "form": form,
            "agency_audit": agency_audit,
            "caption": agency_audit.organisation.name,
            "cancel_url": reverse("audits:agency-detail", args=[pk]),
        },
    )


# One return ---------------------------------------------------------------------------------


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency_audit = selectors.agency_audit_get(user=request.user, pk=pk)
    access = access_for(request.user)
    can_change = access.can(Capability.SUBMIT_AGENCY_AUDITS, agency_audit.organisation_id)
    levels = selectors.grade_levels(audits=[agency_audit])
    counts = selectors.grade_row(agency_audit=agency_audit, levels=levels)
    total = sum(counts)
    grades = [
        {"level": level, "cases": cases, "percent": round(100 * cases / total) if total else 0}
        for level, cases in zip(levels, counts, strict=True)
    ]
    is_draft = agency_audit.status == AgencyAudit.Status.DRAFT
    return render(
        request,
        "audits/agency_detail.html",
        {
            "agency_audit": agency_audit,
            "grades": grades,
            "themes": selectors.theme_labels(themes=agency_audit.themes or []),
            "is_draft": is_draft,
            "can_edit": can_change and is_draft,
            "can_add_action": can_change,
            "can_review": access.can(Capability.LEAD_AUDITS, agency_audit.organisation_id)
            and agency_audit.status == AgencyAudit.Status.SUBMITTED,
            "actions": actions_for_source(
                user=request.user, source_key=agency_audit.action_source_key
            ),
            "action_form": AgencyActionForm(),
            "review_form": ReviewForm(),
        },
    )


def _check_page(
    request: HttpRequest, agency_audit: AgencyAudit, errors: list[str] | None = None
) -> HttpResponse:
    levels = selectors.grade_levels(audits=[agency_audit])
    counts = selectors.grade_row(agency_audit=agency_audit, levels=levels)
    return render(
        request,
        "audits/agency_check.html",
        {
            "agency_audit": agency_audit,
            "grades": [
                (level, cases, f"id_{grade_field_name(level.code)}")
                for level, cases in zip(levels, counts, strict=True)
            ],
            "themes": selectors.theme_labels(themes=agency_audit.themes or []),
            "errors": errors or [],
            "edit_url": reverse("audits:agency-edit", args=[agency_audit.pk]),
            "token": checking.agency_audit_check_token(
                agency_audit=agency_audit, user=request.user
            ),
        },
    )


def _draft_for_submitting(request: HttpRequest, pk: int) -> AgencyAudit | HttpResponse:
    agency_audit = selectors.agency_audit_get(user=request.user, pk=pk, for_change=True)
    if agency_audit.status != AgencyAudit.Status.DRAFT:
        messages.error(request, "This audit has already been submitted")
        return redirect("audits:agency-detail", pk=pk)
    return agency_audit


@never_cache
@require_GET
def agency_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers: everything the return will send, before it is submitted."""
    agency_audit = _draft_for_submitting(request, pk)
    if isinstance(agency_audit, HttpResponse):
        return agency_audit
    return _check_page(request, agency_audit)


@require_POST
def agency_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit only what the check page showed: without its token, or once the return has
    changed since, nothing is sent and the person checks again."""
    agency_audit = _draft_for_submitting(request, pk)
    if isinstance(agency_audit, HttpResponse):
        return agency_audit
    try:
        checked, agency_audit = checking.agency_audit_submit_checked(
            agency_audit=agency_audit,
            actor=acting_user(request),
            token=request.POST.get("check_token"),
        )
    except ValidationError as error:
        return _check_page(request, agency_audit, errors=error.messages)
    if checked is not checking.Checked.VALID:
        messages.error(request, checking.MESSAGES[checking.AGENCY_AUDIT][checked])
        return redirect("audits:agency-check", pk=pk)
    messages.success(
        request, "The audit has been submitted to the partnership. It can no longer be changed."
    )
    return redirect("audits:agency-detail", pk=pk)


@require_http_methods(["GET", "POST"])
def agency_review(request: HttpRequest, pk: int) -> HttpResponse:
    agency_audit = selectors.agency_audit_get(user=request.user, pk=pk)
    require(request.user, Capability.LEAD_AUDITS, agency_audit.organisation_id)
    if agency_audit.status != AgencyAudit.Status.SUBMITTED:
        messages.error(
            request,
            "This audit has already been reviewed"
            if agency_audit.status == AgencyAudit.Status.REVIEWED
            else "This audit has not been submitted yet, so it cannot be reviewed",
        )
        return redirect("audits:agency-detail", pk=pk)
    form = ReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_audit_review(
                agency_audit=agency_audit,
                actor=acting_user(request),
                notes=form.cleaned_data["review_notes"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The audit has been marked as reviewed.")
            return redirect("audits:agency-detail", pk=pk)
    return form_page(
        request,
        form,
        caption=str(agency_audit),
        cancel_url=reverse("audits:agency-detail", args=[pk]),
    )


@require_POST
def agency_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    agency_audit = selectors.agency_audit_get(user=request.user, pk=pk, for_change=True)
    form = AgencyActionForm(request.POST)
    if form.is_valid():
        try:
            action_create(
                owner_organisation=agency_audit.organisation,
                title=form.cleaned_data["title"],
                owner_name=form.cleaned_data["owner_name"],
                due_date=form.cleaned_data["due_date"],
                source_key=agency_audit.action_source_key,
                source_label=services.agency_audit_label(agency_audit),
                source_url=reverse("audits:agency-detail", args=[pk]),
                actor=acting_user(request),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The action has been added to the action plan.")
            return redirect("audits:agency-detail", pk=pk)
    return form_page(
        request,
        form,
        caption=str(agency_audit),
        cancel_url=reverse("audits:agency-detail", args=[pk]),
        status=400,
    )
