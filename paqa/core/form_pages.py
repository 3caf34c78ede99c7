"""The one-form page every part uses: a caption, the form's heading, the form, its button, Cancel.

The page is `core/form_page.html`, which puts `components/form_page.html` (the error summary,
heading, hint text, fields and buttons) in the layout's two-thirds column.
"""

from collections.abc import Mapping
from typing import Any

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_page(
    request: HttpRequest,
    form: Form,
    *,
    caption: str = "",
    cancel_url: str = "",
    intro: str = "",
    title: str = "",
    submit_label: str = "",
    summary_template: str = "",
    context: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `form` on its own page.

    `title` and `submit_label` replace the form's own `page_title` and `submit_label` (the heading,
    the browser tab and the button). `intro` is a paragraph under the heading. `summary_template`
    is a template shown between the intro and the form (e.g. the record the form acts on), drawn
    with the page's context plus `context`. A form with a file field is posted as
    multipart/form-data. `status` is 400 when a POST-only view shows the form again with errors.
    """
    if title:
        form.page_title = title  # type: ignore[attr-defined]
    if submit_label:
        form.submit_label = submit_label  # type: ignore[attr-defined]
    page_context: dict[str, Any] = {
        **(context or {}),
        "form": form,
        "caption": caption,
        "cancel_url": cancel_url,
        "intro": intro,
        "summary_template": summary_template,
    }
    return render(request, "core/form_page.html", page_context, status=status)
