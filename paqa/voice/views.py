from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for, require
from paqa.core.exports import table_response
from paqa.core.form_pages import form_page
from paqa.core.forms import apply_validation_error, posted
from paqa.core.taxonomy import THEMES, theme_choices, theme_label
from paqa.voice import selectors, services
from paqa.voice.forms import VoiceRecordForm, YouSaidWeDidForm, current_year
from paqa.voice.models import VoiceRecord

EXPORT_FORMATS = {"csv", "xlsx"}
EXPORT_HEADER = [
    "Year",
    "Source",
    "Where it came from",
    "Who",
    "Age band",
    "What they said",
    "Summary",
    "Consent",
    "Themes",
    "You said, we did responses",
]


# The list ---------------------------------------------------------------------------------------


def voice_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_VOICE)
    year = request.GET.get("year", "").strip()
    years = selectors.voice_years(user=request.user)
    if year not in years:
        year = ""
    theme = request.GET.get("theme", "")
    if theme not in THEMES:
        theme = ""
    source = request.GET.get("source", "")
    if source not in VoiceRecord.Source.values:
        source = ""
    records = selectors.voice_list(user=request.user, year=year, theme=theme, source=source)
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        rows = [
            [
                record.year,
                record.get_source_display(),
                record.source_title,
                record.get_who_display(),
                record.age_band,
                record.quote,
                record.is_summary,
                record.get_consent_display(),
                "; ".join(record.theme_labels),
                record.response_count,  # type: ignore[attr-defined]
            ]
            for record in records
        ]
        return table_response(fmt, "children-and-families-views", EXPORT_HEADER, rows)
    return render(
        request,
        "voice/voice_list.html",
        {
            "records": records,
            "years": years,
            "themes": theme_choices(),
            "sources": VoiceRecord.Source.choices,
            "filters": {"year": year, "theme": theme, "source": source},
            "theme_heading": theme_label(theme) if theme else "",
            "can_manage": selectors.can_manage(user=request.user),
            "export_query": request.GET.urlencode(),
        },
    )


# One record -------------------------------------------------------------------------------------


def voice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.voice_get(user=request.user, pk=pk)
    access = access_for(request.user)
    can_manage = access.can(Capability.MANAGE_VOICE)
    return render(
        request,
        "voice/voice_detail.html",
        {
            "record": record,
            "responses": selectors.voice_responses(record=record),
            "can_manage": can_manage,
            "can_view_history": access.can(Capability.VIEW_HISTORY),
            "response_form": YouSaidWeDidForm(
                organisations=selectors.organisation_choices(), auto_id="response-%s"
            )
            if can_manage
            else None,
        },
    )


def _record_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": data["year"],
        "source": data["source"],
        "source_title": data["source_title"],
        "source_url": data["source_url"],
        "who": data["who"],
        "age_band": data["age_band"],
        "quote": data["quote"],
        "is_summary": data["is_summary"],
        "consent": data["consent"],
        "themes": data["themes"],
    }


@require_http_methods(["GET", "POST"])
def voice_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_VOICE)
    form = VoiceRecordForm(posted(request), initial={"year": current_year()})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.voice_record_create(
                actor=acting_user(request), **_record_values(form.cleaned_data)
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "What they said has been recorded.")
            return redirect("voice:detail", pk=record.pk)
    return form_page(
        request, form, caption="Children’s and families’ views", cancel_url=reverse("voice:list")
    )


@require_http_methods(["GET", "POST"])
def voice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.voice_get(user=request.user, pk=pk, for_change=True)
    form = VoiceRecordForm(
        posted(request),
        initial={
            "year": record.year,
            "source": record.source,
            "source_title": record.source_title,
            "source_url": record.source_url,
            "who": record.who,
            "age_band": record.age_band,
            "quote": record.quote,
            "is_summary": record.is_summary,
            "consent": record.consent,
            "themes": record.themes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.voice_record_update(
                record=record, actor=acting_user(request), **_record_values(form.cleaned_data)
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The record has been changed.")
            return redirect("voice:detail", pk=pk)
    return form_page(
        request,
        form,
        title="Change what they said",
        caption=record.source_title,
        cancel_url=reverse("voice:detail", args=[record.pk]),
    )


@require_POST
def you_said_we_did_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.voice_get(user=request.user, pk=pk, for_change=True)
    form = YouSaidWeDidForm(request.POST, organisations=selectors.organisation_choices())
    if form.is_valid():
        try:
            services.you_said_we_did_add(
                voice_record=record, actor=acting_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The response has been added.")
            return redirect(reverse("voice:detail", args=[pk]) + "#you-said-we-did")
    return form_page(
        request,
        form,
        caption=record.source_title,
        cancel_url=reverse("voice:detail", args=[record.pk]),
    )
