from typing import cast

from django import forms

from paqa.core.forms import GovUKForm
from paqa.reports.models import ReportExport


class ReportCreateForm(GovUKForm):
    page_title = "Start the annual report"
    submit_label = "Start the report"

    year = forms.CharField(
        label="Reporting year",
        help_text="For example, 2018-19",
        max_length=7,
        error_messages={"required": "Enter the reporting year, like 2018-19"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )


class SectionForm(GovUKForm):
    submit_label = "Save the section"

    narrative = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
    )
    impact = forms.CharField(
        label="Impact on children and families",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: object, narrative_hint: str, impact_hint: str, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["narrative"].help_text = narrative_hint
        if impact_hint:
            self.fields["impact"].help_text = impact_hint
        else:
            del self.fields["impact"]


class ChartsForm(GovUKForm):
    page_title = "Charts in the data section"
    submit_label = "Save the charts"

    indicators = forms.MultipleChoiceField(
        label="Indicators to draw as charts",
        help_text="Each chart shows the partnership's area with its comparators, with the "
        "figures as a table below it.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.MultipleChoiceField, self.fields["indicators"]).choices = choices


class PublishForm(GovUKForm):
    page_title = "Publish the report"
    submit_label = "Publish this version"

    note = forms.CharField(
        label="What changed since the last version (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ReportExport.Format.choices)
