from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, access_for, require
from paqa.core.evidence import evidence_years
from paqa.core.form_pages import form_page
from paqa.core.taxonomy import THEMES, theme_label
from paqa.themes.forms import KeyMessageForm
from paqa.themes.models import KeyMessage
from paqa.themes.triangulation import theme_view, year_overview

DEFAULT_YEAR = "2018-19"


def _latest_year() -> str:
    """The latest year the PAQA has written key messages for, or else the latest year any part
    holds evidence for."""
    years = sorted(KeyMessage.objects.values_list("year", flat=True).distinct(), reverse=True)
    if years:
        return years[0]
    evidence = evidence_years()
    return evidence[0] if evidence else DEFAULT_YEAR


def overview_current(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_THEMES)
    return redirect("themes:overview", year=_latest_year())


def overview(request: HttpRequest, year: str) -> HttpResponse:
    views = year_overview(user=request.user, year=year)
    key_messages = [
        (message, [theme_label(t) for t in message.themes])
        for message in KeyMessage.objects.filter(year=year)
    ]
    return render(
        request,
        "themes/overview.html",
        {
            "year": year,
            "views": views,
            "key_messages": key_messages,
            "can_write": access_for(request.user).can(Capability.MANAGE_CONCLUSIONS),
        },
    )


def theme_detail(request: HttpRequest, year: str, theme: str) -> HttpResponse:
    if theme not in THEMES:
        raise Http404("No such theme.")
    view = theme_view(user=request.user, theme=theme, year=year)
    messages_on_theme = [m for m in KeyMessage.objects.filter(year=year) if theme in m.themes]
    return render(
        request, "themes/theme_detail.html", {"view": view, "key_messages": messages_on_theme}
    )


@require_http_methods(["GET", "POST"])
def key_message_add(request: HttpRequest, year: str) -> HttpResponse:
    require(request.user, Capability.MANAGE_CONCLUSIONS)
    form = KeyMessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            order = KeyMessage.objects.filter(year=year).count() + 1
            message = KeyMessage(
                year=year, order=order, written_by=acting_user(request), **form.cleaned_data
            )
            message._history_user = acting_user(request)  # type: ignore[attr-defined]
            message.save()
        messages.success(request, "The key message has been added.")
        return redirect("themes:overview", year=year)
    return form_page(request, form, caption=f"Key messages, {year}")
