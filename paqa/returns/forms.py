from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from paqa.core.forms import GovUKForm
from paqa.core.uploads import human_size, safe_name
from paqa.returns.figures import ASSESSMENT_STARTS

RETURN_EXTENSIONS = (".csv", ".xml")
MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReturnFilesField(forms.FileField):
    """One or more files in one field (the SSDA903's CSV tables come as several files)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in files if item] or [single(None, initial)]


class ReturnUploadForm(GovUKForm):
    page_title = "Load a statutory return"

    return_files = ReturnFilesField(
        label="The return's files",
        help_text="An SSDA903 return as its CSV tables (choose them all: Header, Episodes, "
        "Missing and the rest) or as one XML file, or a CIN census XML file. Each file up to "
        f"{human_size(settings.PAQA_RETURN_MAX_BYTES)}.",
        error_messages={"required": "Choose the return's files"},
        widget=MultipleFileInput(attrs={"accept": ",".join(RETURN_EXTENSIONS)}),
    )
    collection_year = forms.IntegerField(
        label="Collection year (SSDA903 only)",
        required=False,
        min_value=2000,
        max_value=2100,
        help_text="The year the return's year ends in: 2019 for 1 April 2018 to 31 March 2019. "
        "A CIN census says its own year.",
        error_messages={
            "invalid": "Enter the collection year as a year, like 2019",
            "min_value": "Enter a collection year from 2000",
            "max_value": "Enter a collection year up to 2100",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    assessment_start = forms.ChoiceField(
        label="Count an assessment's 45 working days from",
        choices=[(key, text[0].upper() + text[1:]) for key, text in ASSESSMENT_STARTS.items()],
        initial="assessment",
        required=False,  # the usual start point when not given
        widget=forms.RadioSelect,
    )

    def clean_assessment_start(self) -> str:
        return self.cleaned_data["assessment_start"] or "assessment"

    def clean_return_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["return_files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Choose at most {MAX_FILES} files")
        for upload in files:
            name = safe_name(upload.name or "")
            if not name.lower().endswith(RETURN_EXTENSIONS):
                raise forms.ValidationError(f"{name} must be a CSV or XML file")
            if upload.size == 0:
                raise forms.ValidationError(f"{name} is empty")
            if upload.size is not None and upload.size > settings.PAQA_RETURN_MAX_BYTES:
                raise forms.ValidationError(
                    f"{name} must be smaller than {human_size(settings.PAQA_RETURN_MAX_BYTES)}"
                )
        return files
