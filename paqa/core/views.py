from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from paqa.core.access import Capability, access_for, membership_model, require
from paqa.core.history import history_entries, history_record_types
from paqa.core.worklist import worklist_for_request


def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        membership_model()
        .objects.filter(  # type: ignore[attr-defined]
            user_id=request.user.pk,
            archived_at__isnull=True,
            organisation__archived_at__isnull=True,
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return render(
        request,
        "core/home.html",
        {
            "access": access_for(request.user),
            "home_memberships": list(memberships),
            "worklist": worklist_for_request(request),
        },
    )


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app answers and the database does; 503 with the reason otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@login_not_required
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "core/cookies.html")


def history(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_HISTORY)
    types = history_record_types()
    record_type = request.GET.get("type") or None
    if record_type not in types:
        record_type = None
    record_id: int | None
    try:
        record_id = int(request.GET["id"]) if record_type and request.GET.get("id") else None
    except ValueError:
        record_id = None
    entries = history_entries(record_type=record_type, record_id=record_id)
    type_choices = sorted(
        ((key, str(model._meta.verbose_name).capitalize()) for key, model in types.items()),
        key=lambda choice: choice[1],
    )
    return render(
        request,
        "core/history.html",
        {
            "entries": entries,
            "type_choices": type_choices,
            "record_type": record_type,
            "record_id": record_id,
        },
    )


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error_page(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error_page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
