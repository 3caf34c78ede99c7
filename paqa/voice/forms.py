"""Forms for voice records and "you said, we did" responses. The rules (anonymity, consent,
themes) live in services; these forms only turn what was typed into values, in GOV.UK wording."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from paqa.core.forms import DateField, GovUKForm
from paqa.core.taxonomy import theme_choices
from paqa.partnership.models import Organisation
from paqa.voice.models import AGE_BANDS, VoiceRecord


def current_year() -> str:
    """The financial year today falls in, like 2018-19."""
    today = timezone.localdate()
    first = today.year if today.month >= 4 else today.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


class VoiceRecordForm(GovUKForm):
    page_title = "Record what they said"
    submit_label = "Save"

    year = forms.CharField(
        label="Reporting year",
        help_text="Like 2018-19",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the reporting year like 2018-19"},
    )
    source = forms.ChoiceField(
        label="Where did it come from?",
        choices=VoiceRecord.Source.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where it came from",
            "invalid_choice": "Choose where it came from",
        },
    )
    source_title = forms.CharField(
        label="Name of the review, audit or event",
        help_text="Like ‘Serious case review: Child A’ or ‘Youth forum, March 2019’",
        max_length=200,
        error_messages={
            "required": "Enter the name of the review, audit or event it came from",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    source_url = forms.CharField(
        label="Link to it in PAQA (optional)",
        help_text="The address of its page in PAQA, like /audits/3/",
        max_length=300,
        required=False,
        error_messages={"max_length": "The link must be 300 characters or fewer"},
    )
    who = forms.ChoiceField(
        label="Who said it?",
        choices=VoiceRecord.Who.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who said it", "invalid_choice": "Choose who said it"},
    )
    age_band = forms.ChoiceField(
        label="Age band (optional)",
        choices=[("", "Not known or not relevant")] + [(band, band) for band in AGE_BANDS],
        required=False,
        error_messages={"invalid_choice": "Choose an age band from the list"},
    )
    quote = forms.CharField(
        label="What they said",
        help_text="Their words, or a summary of them. No names, dates of birth or other details "
        "that could identify them: write ‘the child’ or ‘her mum’ instead",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what they said, or a summary of it",
            "max_length": "What they said must be 5000 characters or fewer",
        },
    )
    is_summary = forms.BooleanField(
        label="This is a summary of what they said, not their own words", required=False
    )
    consent = forms.ChoiceField(
        label="Consent to share",
        choices=VoiceRecord.Consent.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether consent to share was given",
            "invalid_choice": "Choose whether consent to share was given",
        },
    )
    themes = forms.MultipleChoiceField(
        label="Themes (optional)",
        choices=theme_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose themes from the list"},
    )


class YouSaidWeDidForm(GovUKForm):
    page_title = "Add what was done: you said, we did"
    submit_label = "Add response"

    response = forms.CharField(
        label="What was done",
        help_text="What changed because of what they said",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what was done",
            "max_length": "What was done must be 5000 characters or fewer",
        },
    )
    by_organisation = forms.ModelChoiceField(
        label="Organisation that did it (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="The partnership",
        error_messages={"invalid_choice": "Choose an organisation from the list"},
    )
    date = DateField(label="Date it was done", help_text="For example, 31 3 2019")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by_organisation"].queryset = organisations  # type: ignore[attr-defined]
