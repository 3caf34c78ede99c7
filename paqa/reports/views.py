"""Pages of the annual report. Thin: selectors read, services write, templates show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, require
from paqa.core.documents import pdf_response
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.core.word import docx_response
from paqa.indicators.selectors import indicator_queryset
from paqa.reports import selectors, services
from paqa.reports.forms import ChartsForm, ExportForm, PublishForm, ReportCreateForm, SectionForm
from paqa.reports.models import Report, ReportExport, ReportVersion
from paqa.reports.rendering import present
from paqa.reports.sections import GUIDE_BY_KEY

REFRESH_SECONDS = 2


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    reports = list(selectors.report_list(user=request.user))
    can_draft = selectors.can_draft(user=request.user)
    form = ReportCreateForm(posted(request)) if can_draft else None
    if request.method == "POST":
        require(request.user, Capability.DRAFT_REPORTS)
        if form is not None and form.is_valid():
            try:
                report = services.report_create(
                    year=form.cleaned_data["year"], actor=acting_user(request)
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"The report for {report.year} has been started.")
                return redirect("reports:draft", year=report.year)
    return render(
        request,
        "reports/home.html",
        {"reports": reports, "can_draft": can_draft, "form": form},
    )


def report_latest(request: HttpRequest, year: str) -> HttpResponse:
    report = selectors.report_get(user=request.user, year=year)
    latest = selectors.versions(report=report).first()
    if selectors.can_draft(user=request.user) or latest is None:
        return redirect("reports:draft", year=year)
    return redirect("reports:version", year=year, number=latest.number)


def draft(request: HttpRequest, year: str) -> HttpResponse:
    report = selectors.report_for_drafting(user=request.user, year=year)
    content = selectors.draft_content(user=request.user, report=report)
    return render(
        request,
        "reports/draft.html",
        {
            "report": content,
            "record": report,
            "parts": present(content),
            "link_base": "",
            "edit_year": report.year,
            "versions": list(selectors.versions(report=report)),
            "exports": selectors.recent_exports(user=request.user, report=report, version=None),
            "missing_impact": services.missing_impact(report),
            "formats": ReportExport.Format.choices,
        },
    )


def version(request: HttpRequest, year: str, number: int) -> HttpResponse:
    published = selectors.version_get(user=request.user, year=year, number=number)
    content = selectors.version_content(version=published)
    all_versions = list(selectors.versions(report=published.report))
    return render(
        request,
        "reports/version.html",
        {
            "report": content,
            "record": published.report,
            "published": published,
            "latest": all_versions[0] if all_versions else None,
            "versions": all_versions,
            "parts": present(content),
            "link_base": "",
            "exports": selectors.recent_exports(
                user=request.user, report=published.report, version=published
            ),
            "formats": ReportExport.Format.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, year: str, key: str) -> HttpResponse:
    section = selectors.section_get(user=request.user, year=year, key=key)
    guide = GUIDE_BY_KEY[section.key]
    form = SectionForm(
        posted(request),
        initial={
            "narrative": section.narrative,
            "impact": section.impact,
            "revision": section.revision,
        },
        narrative_hint=guide.narrative_hint,
        impact_hint=guide.impact_hint,
    )
    form.page_title = section.get_key_display()
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(
                section=section,
                narrative=form.cleaned_data["narrative"],
                impact=form.cleaned_data.get("impact", ""),
                revision=form.cleaned_data["revision"],
                actor=acting_user(request),
            )
        except services.StaleSection as stale:
            return render(
                request,
                "reports/conflict.html",
                {
                    "section": stale.section,
                    "yours": form.cleaned_data,
                    "year": year,
                },
                status=409,
            )
        messages.success(request, f"‘{section.get_key_display()}’ has been saved.")
        return redirect(f"{reverse('reports:draft', args=[year])}#section-{section.key}")
    drafted = selectors.draft_section(user=request.user, section=section)
    return render(
        request,
        "reports/section_edit.html",
        {"form": form, "section": section, "drafted": drafted, "year": year},
    )


@require_http_methods(["GET", "POST"])
def charts(request: HttpRequest, year: str) -> HttpResponse:
    report = selectors.report_for_drafting(user=request.user, year=year)
    choices = [
        (indicator.code, indicator.name) for indicator in indicator_queryset().order_by("name")
    ]
    form = ChartsForm(
        posted(request), initial={"indicators": report.chart_indicators}, choices=choices
    )
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["indicators"])
        # Charts already chosen keep their order; new ones follow in the list's order.
        ordered = [code for code in report.chart_indicators if code in chosen] + [
            code for code, _ in choices if code in chosen and code not in report.chart_indicators
        ]
        services.charts_set(report=report, codes=ordered, actor=acting_user(request))
        messages.success(request, "The charts have been saved.")
        return redirect(f"{reverse('reports:draft', args=[year])}#section-data")
    return form_page(
        request, form, caption=report.title, cancel_url=reverse("reports:draft", args=[year])
    )


@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, year: str) -> HttpResponse:
    report = selectors.report_for_drafting(user=request.user, year=year)
    form = PublishForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            published = services.report_publish(
                report=report, actor=acting_user(request), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Version {published.number} has been published.")
            return redirect("reports:version", year=year, number=published.number)
    next_number = (selectors.versions(report=report).first() or ReportVersion(number=0)).number + 1
    return form_page(
        request,
        form,
        caption=report.title,
        intro=f"This publishes the draft as it reads now as version {next_number}. "
        "Board members and everyone in the partnership can then read it. It will not "
        "change when the evidence behind it changes: publish a new version for that.",
        cancel_url=reverse("reports:draft", args=[year]),
    )


@require_POST
def export_start(request: HttpRequest, year: str) -> HttpResponse:
    report: Report = selectors.report_get(user=request.user, year=year)
    form = ExportForm(request.POST)
    if not form.is_valid():
        raise Http404("No such format.")
    number = request.POST.get("version", "")
    published = (
        selectors.version_get(user=request.user, year=year, number=number) if number else None
    )
    if published is None:
        report = selectors.report_for_drafting(user=request.user, year=year)
    export = services.export_request(
        report=report,
        version=published,
        file_format=form.cleaned_data["format"],
        actor=acting_user(request),
        site_url=request.build_absolute_uri("/"),
    )
    return redirect("reports:export", year=year, pk=export.pk)


def export_detail(request: HttpRequest, year: str, pk: int) -> HttpResponse:
    export = selectors.export_get(user=request.user, year=year, pk=pk)
    return render(
        request,
        "reports/export.html",
        {
            "export": export,
            "year": year,
            "refresh_seconds": 0 if export.is_finished or export.is_stalled else REFRESH_SECONDS,
        },
    )


def export_download(request: HttpRequest, year: str, pk: int) -> HttpResponse:
    export = selectors.export_get(user=request.user, year=year, pk=pk)
    if export.status != ReportExport.Status.DONE or export.data is None:
        raise Http404("This file is not ready.")
    which = f"version-{export.version.number}" if export.version else "draft"
    filename = f"{export.report.title}-{which}"
    data = bytes(export.data)
    if export.format == ReportExport.Format.PDF:
        return pdf_response(data, filename)
    if export.format == ReportExport.Format.DOCX:
        return docx_response(data, filename)
    response = HttpResponse(data, content_type="text/html; charset=utf-8")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)[:100]
    response["Content-Disposition"] = f'attachment; filename="{safe}.html"'
    return response
