from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for, require
from paqa.core.charts import ChartSeries, RenderedChart, describe_trend, trend_chart
from paqa.core.exports import table_response
from paqa.core.forms import posted
from paqa.core.taxonomy import theme_labels
from paqa.indicators import selectors, services
from paqa.indicators.forms import CommentaryForm, IndicatorForm, ObservationUploadForm
from paqa.indicators.models import Commentary, Indicator, ObservationImport
from paqa.indicators.selectors import IndicatorDetail, IndicatorSummary
from paqa.partnership.models import Organisation

EXPORT_FORMATS = {"csv", "xlsx"}


def _comparison_text(summary: IndicatorSummary, name: str) -> str:
    point, where = summary.comparisons.get(name, (None, None))
    if point is None:
        return ""
    return f"{summary.text(point)} ({where.value if where else ''})"


# Dashboard ------------------------------------------------------------------------------------


def dashboard(request: HttpRequest) -> HttpResponse:
    priority = request.GET.get("priority", "")
    try:
        source_id = int(request.GET.get("source") or 0) or None
    except ValueError:
        source_id = None
    rag_filter = request.GET.get("rag", "")
    benchmarks, summaries = selectors.indicator_summaries(
        user=request.user, priority=priority, source_id=source_id, rag_filter=rag_filter
    )
    comparator_names = [area.name for area in (benchmarks.shown_comparators or [])]
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        header = [
            "Indicator",
            "Board priority",
            "Period",
            "Latest",
            "Change",
            "Direction",
            "RAG",
            *comparator_names,
            "Source",
        ]
        rows = [
            [
                s.indicator.name,
                s.indicator.priority,
                s.latest.period.label if s.latest else "",
                s.latest_text,
                s.change_text,
                s.direction.value if s.direction else "",
                s.rag.value.upper() if s.rag else "",
                *[_comparison_text(s, name) for name in comparator_names],
                s.indicator.source_organisation.name if s.indicator.source_organisation else "",
            ]
            for s in summaries
        ]
        return table_response(fmt, "safeguarding-data", header, rows)
    return render(
        request,
        "indicators/dashboard.html",
        {
            "benchmarks": benchmarks,
            "groups": selectors.group_by_priority(summaries=summaries),
            "comparator_names": comparator_names,
            "priorities": list(
                Indicator.objects.filter(archived_at__isnull=True)
                .order_by("priority")
                .values_list("priority", flat=True)
                .distinct()
            ),
            "sources": Organisation.objects.filter(indicators__isnull=False).distinct(),
            "filters": {"priority": priority, "source": source_id, "rag": rag_filter},
            "can_import": access_for(request.user).can(Capability.MANAGE_DATA),
            "export_query": request.GET.urlencode(),
        },
    )


# One indicator ----------------------------------------------------------------------------------


def _chart(detail: IndicatorDetail) -> RenderedChart | None:
    indicator = detail.indicator
    series = [
        ChartSeries(
            name=area.name,
            points=[(point.period.short_label, float(point.value)) for point in points],
        )
        for area, points in detail.series_by_area
        if points
    ]
    if not series:
        return None
    suffix = "%" if indicator.unit == Indicator.Unit.PERCENT else ""
    # The axis uses short labels (a count at 31 March reads as its financial year, as in the
    # report); the text description uses the full ones, as the data table does.
    described = [
        ChartSeries(
            name=area.name,
            points=[(point.period.label, float(point.value)) for point in points],
        )
        for area, points in detail.series_by_area
        if points
    ]
    return trend_chart(
        title=indicator.name,
        description=describe_trend(described, decimals=indicator.decimals, unit_suffix=suffix),
        y_title=indicator.get_unit_display(),
        series=series,
        target=float(indicator.target) if indicator.target is not None else None,
        decimals=indicator.decimals,
    )


def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    detail = selectors.indicator_get(user=request.user, code=code)
    header, rows = detail.table
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        return table_response(
            fmt, code, ["Period", *header], [[label, *cells] for label, cells in rows]
        )
    access = access_for(request.user)
    commentary = Commentary.objects.filter(indicator=detail.indicator).first()
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "detail": detail,
            "indicator": detail.indicator,
            "themes": theme_labels(detail.indicator.themes),
            "summary": detail.summary,
            "chart": _chart(detail),
            "table_header": header,
            "table_rows": rows,
            "commentary": commentary,
            "commentary_form": CommentaryForm(
                initial={"text": commentary.text if commentary else ""}
            ),
            "can_comment": access.can(Capability.WRITE_COMMENTARY),
            "can_edit": access.can(Capability.MANAGE_DATA),
        },
    )


@require_POST
def commentary_edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Capability.WRITE_COMMENTARY)
    detail = selectors.indicator_get(user=request.user, code=code)
    form = CommentaryForm(request.POST)
    if form.is_valid():
        services.commentary_save(
            indicator=detail.indicator, actor=acting_user(request), text=form.cleaned_data["text"]
        )
        messages.success(request, "The commentary has been saved.")
        return redirect(reverse("indicators:indicator", args=[code]) + "#commentary")
    return render(
        request, "indicators/commentary_form.html", {"form": form, "indicator": detail.indicator}
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Capability.MANAGE_DATA)
    indicator = selectors.indicator_get(user=request.user, code=code).indicator
    form = IndicatorForm(
        posted(request),
        initial={
            name: getattr(indicator, name)
            for name in (
                "name",
                "subject",
                "definition",
                "polarity",
                "target",
                "target_period",
                "amber_threshold",
                "decimals",
                "priority",
                "source_organisation",
            )
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                indicator=indicator, actor=acting_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The indicator has been updated.")
            return redirect("indicators:indicator", code=code)
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})


# Exceptions ------------------------------------------------------------------------------------


def exception_list(request: HttpRequest) -> HttpResponse:
    entries = selectors.exceptions(user=request.user)
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        return table_response(
            fmt,
            "exceptions",
            ["Indicator", "Why", "Latest", "Period", "Target"],
            [
                [
                    e.summary.indicator.name,
                    e.reason,
                    e.summary.latest_text,
                    e.summary.latest.period.label if e.summary.latest else "",
                    e.summary.target_text,
                ]
                for e in entries
            ],
        )
    return render(request, "indicators/exceptions.html", {"entries": entries})


# Importing -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_DATA)
    form = ObservationUploadForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = services.observation_import_start(
            actor=acting_user(request), upload=form.cleaned_data["file"]
        )
        return redirect("indicators:import-detail", pk=batch.pk)
    return render(
        request,
        "indicators/import_upload.html",
        {"form": form, "imports": selectors.import_list(user=request.user)},
    )


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_get(user=request.user, pk=pk)
    working = batch.state in (ObservationImport.State.CHECKING, ObservationImport.State.IMPORTING)
    return render(
        request,
        "indicators/import_detail.html",
        {"batch": batch, "working": working, "refresh_seconds": 2 if working else 0},
    )


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_get(user=request.user, pk=pk)
    try:
        services.observation_import_confirm(batch=batch, actor=acting_user(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("indicators:import-detail", pk=pk)
