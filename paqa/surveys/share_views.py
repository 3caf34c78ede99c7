"""Giving out a survey (its public link and QR code, live counts), and moving it as YAML.

Every page here is for people who run surveys (manage_surveys): other roles get 403 before the
survey is looked up, and a survey that does not exist is a 404.
"""

from __future__ import annotations

import codecs

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from paqa.accounts.signin import acting_user
from paqa.core.access import Capability, require
from paqa.core.forms import GovUKForm, posted
from paqa.surveys import qr, services, share_selectors
from paqa.surveys.models import Survey
from paqa.surveys.services import SurveyPackError

MAX_IMPORT_BYTES = 512 * 1024
IMPORT_EXTENSIONS = (".yaml", ".yml")
QR_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def _public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("surveys:public-start", args=[survey.public_slug]))


def _filename(survey: Survey, suffix: str) -> str:
    return f"{slugify(survey.series) or 'survey'}-{slugify(survey.year) or 'year'}{suffix}"


def _attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # The name is made of slugs only, so it needs no quoting beyond the quotes themselves.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Sharing -------------------------------------------------------------------------------------


@require_GET
def share(request: HttpRequest, pk: int) -> HttpResponse:
    survey = share_selectors.survey_to_manage(user=request.user, pk=pk)
    counts = share_selectors.response_counts(user=request.user, survey=survey)
    anonymous = survey.kind == Survey.Kind.ANONYMOUS
    return render(
        request,
        "surveys/manage/share.html",
        {
            "survey": survey,
            "anonymous": anonymous,
            "public_url": _public_url(request, survey) if anonymous else "",
            "counts": counts,
            "now": timezone.localtime(),
        },
    )


@require_GET
def qr_code(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The QR code of the survey's public link, as a file to download (an <img> shows it
    too)."""
    survey = share_selectors.survey_to_manage(user=request.user, pk=pk)
    if fmt not in QR_FORMATS or survey.kind != Survey.Kind.ANONYMOUS:
        raise Http404("No such QR code.")
    link = _public_url(request, survey)
    content = qr.qr_svg(link) if fmt == "svg" else qr.qr_png(link)
    return _attachment(content, QR_FORMATS[fmt], _filename(survey, f"-qr-code.{fmt}"))


# Moving a survey as YAML -----------------------------------------------------------------------


@require_GET
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = share_selectors.survey_to_manage(user=request.user, pk=pk)
    return _attachment(
        services.survey_to_yaml(survey),
        "application/yaml; charset=utf-8",
        _filename(survey, ".yaml"),
    )


class ImportForm(GovUKForm):
    page_title = "Import a survey"
    submit_label = "Import the survey"

    file = forms.FileField(
        label="Upload a YAML file",
        help_text="A survey downloaded from PAQA as YAML (.yaml or .yml), up to 512 KB. It is "
        "checked whole, and imported as a draft only if nothing is wrong with it.",
        error_messages={"required": "Select a YAML file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
    )

    def clean_file(self) -> str:
        """The file's text (it is never stored as a file)."""
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError("The selected file must be a YAML file (.yaml or .yml)")
        if (upload.size or 0) > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 512 KB")
        content = upload.read(MAX_IMPORT_BYTES + 1)  # never more, whatever the size claimed
        if len(content) > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 512 KB")
        if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise forms.ValidationError(
                "The selected file is saved as UTF-16: save it as UTF-8 text and select it again"
            )
        if b"\x00" in content:  # no text has it: a program, an archive, an Office document
            raise forms.ValidationError(
                "The selected file is not a YAML file: it is not text (it may be a program, a "
                "zip archive or an Office document)"
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise forms.ValidationError(
                f"The selected file must be text saved as UTF-8 (line {line} is not)"
            ) from error
        if not text.strip():
            raise forms.ValidationError("The selected file is empty")
        return text


PROBLEMS_SHOWN = 100


@require_http_methods(["GET", "POST"])
def survey_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_SURVEYS)
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_from_yaml(
                form.cleaned_data["file"],
                actor=acting_user(request),
                status=Survey.Status.DRAFT,
                reason="Imported from a YAML file",
            )
        except SurveyPackError as refused:
            problems = refused.problems
            form.add_error(
                "file",
                f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}, "
                "listed above. Correct the file and select it again",
            )
        else:
            messages.success(
                request, f"{survey} has been imported as a draft. Check it, then open it."
            )
            return redirect("surveys:manage", pk=survey.pk)
    return render(
        request,
        "surveys/manage/import.html",
        {
            "form": form,
            "problems": problems,
            # A file of thousands of mistakes shows the first ones and how many more there are.
            "problems_shown": problems[:PROBLEMS_SHOWN],
            "problems_more": max(0, len(problems) - PROBLEMS_SHOWN),
            "max_kb": MAX_IMPORT_BYTES // 1024,
        },
    )
