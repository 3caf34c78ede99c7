from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, require
from paqa.core.forms import posted
from paqa.core.uploads import safe_name
from paqa.returns import selectors, services
from paqa.returns.figures import ASSESSMENT_STARTS, BY_CODE
from paqa.returns.forms import ReturnUploadForm
from paqa.returns.models import StatutoryReturn

MAX_PROBLEMS_SHOWN = 500


def return_list(request: HttpRequest) -> HttpResponse:
    """The loaded returns, and the form to load another (or only check it: a dry run)."""
    require(request.user, Capability.MANAGE_DATA)
    form = ReturnUploadForm(posted(request), request.FILES or None)
    loaded = None
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["return_files"]
        loaded = services.return_load(
            files=[(safe_name(upload.name or "return"), upload) for upload in uploads],
            actor=acting_user(request),
            year=form.cleaned_data["collection_year"],
            assessment_start=form.cleaned_data["assessment_start"],
            dry_run="check" in request.POST,
        )
        if loaded.ok and loaded.statutory_return:
            messages.success(
                request,
                f"{loaded.statutory_return} loaded: {loaded.children:,} children. Its figures "
                "are in the data set as provisional until you confirm them.",
            )
            return redirect("returns:detail", pk=loaded.statutory_return.pk)
    return render(
        request,
        "returns/list.html",
        {
            "form": form,
            "loaded": loaded,
            "problems": loaded.problems[:MAX_PROBLEMS_SHOWN] if loaded else [],
            "checked": [
                (BY_CODE[code], figure)
                for code, figure in (loaded.figures if loaded else {}).items()
            ],
            "returns": selectors.return_list(user=request.user),
            "retention_years": settings.PAQA_RETENTION_RETURN_YEARS,
        },
    )


def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statutory_return = selectors.return_get(user=request.user, pk=pk)
    return render(
        request,
        "returns/detail.html",
        {
            "statutory_return": statutory_return,
            "rows": selectors.figure_rows(statutory_return=statutory_return),
            "may_see_children": selectors.may_see_children(user=request.user),
            "assessment_start": ASSESSMENT_STARTS.get(statutory_return.assessment_start, ""),
        },
    )


@require_POST
def return_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    statutory_return = selectors.return_get(user=request.user, pk=pk)
    if statutory_return.state != StatutoryReturn.State.CURRENT:
        messages.error(request, "Only the current load of a return can have its figures confirmed")
    else:
        changed = services.return_figures_confirm(
            statutory_return=statutory_return, actor=acting_user(request)
        )
        messages.success(request, f"Confirmed: {changed} figure(s) are now final.")
    return redirect("returns:detail", pk=pk)


@require_POST
def return_records_delete(request: HttpRequest, pk: int) -> HttpResponse:
    statutory_return = selectors.return_get(user=request.user, pk=pk)
    count = services.return_records_delete(
        statutory_return=statutory_return, actor=acting_user(request)
    )
    messages.success(request, f"Deleted the records of {count:,} children. The figures stay.")
    return redirect("returns:detail", pk=pk)


def figure_children(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    statutory_return = selectors.return_get(user=request.user, pk=pk)
    figure, page, rows = selectors.figure_children(
        user=request.user,
        statutory_return=statutory_return,
        code=code,
        page=request.GET.get("page"),
    )
    return render(
        request,
        "returns/children.html",
        {
            "statutory_return": statutory_return,
            "definition": BY_CODE[figure.code],
            "figure": figure,
            "page": page,
            "rows": rows,
        },
    )
