from django import forms

from paqa.core.forms import GovUKForm
from paqa.core.periods import PeriodError, parse_period
from paqa.core.uploads import UploadRejected, check_upload
from paqa.indicators.models import Indicator
from paqa.partnership.models import Organisation

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
IMPORT_EXTENSIONS = frozenset({".csv", ".xlsx"})


class ObservationUploadForm(GovUKForm):
    page_title = "Import figures"
    submit_label = "Upload and check"

    file = forms.FileField(
        label="File of figures",
        help_text="A CSV or Excel (.xlsx) file with the columns indicator, area, period, value, "
        "numerator, denominator, status, note. Up to 20 MB.",
        error_messages={"required": "Choose a CSV or XLSX file"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> object:
        """Checked by content before anything is stored: a program renamed .csv, or an archive
        that would unpack to far more than it says, never reaches the background check."""
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload, max_bytes=MAX_UPLOAD_BYTES, allowed=IMPORT_EXTENSIONS)
        except UploadRejected as refused:
            raise forms.ValidationError(str(refused)) from refused
        return upload


class CommentaryForm(GovUKForm):
    page_title = "Commentary"
    submit_label = "Save commentary"

    text = forms.CharField(
        label="What these figures mean",
        help_text="The impact narrative: what lies behind the figures and what is being done. "
        "It can be used in the annual report.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class IndicatorForm(GovUKForm):
    page_title = "Change indicator"
    submit_label = "Save indicator"

    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter a name"}
    )
    subject = forms.CharField(
        label="How sentences name it",
        help_text="Like ‘The number of children looked after’",
        max_length=200,
        error_messages={"required": "Enter how sentences name it"},
    )
    definition = forms.CharField(
        label="Definition",
        help_text="What counts, and what does not",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the definition"},
    )
    polarity = forms.ChoiceField(
        label="Which way is better", choices=Indicator.Polarity.choices, widget=forms.RadioSelect
    )
    target = forms.DecimalField(
        label="Target (optional)",
        required=False,
        max_digits=14,
        decimal_places=4,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter the target as a number, like 75"},
    )
    target_period = forms.CharField(
        label="Target applies to (optional)",
        help_text="The period the target is for, like 2019-20. Leave empty if it always applies.",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    amber_threshold = forms.DecimalField(
        label="Amber threshold (optional)",
        help_text="Between this and the target the rating is amber; beyond it, red",
        required=False,
        max_digits=14,
        decimal_places=4,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter the amber threshold as a number, like 65"},
    )
    decimals = forms.IntegerField(
        label="Decimal places shown",
        min_value=0,
        max_value=3,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter a whole number from 0 to 3"},
    )
    priority = forms.CharField(label="Board priority", max_length=120)
    source_organisation = forms.ModelChoiceField(
        label="Source organisation",
        queryset=Organisation.objects.filter(archived_at__isnull=True),
        required=False,
        empty_label="Not set",
    )

    def clean_target_period(self) -> str:
        text: str = self.cleaned_data["target_period"].strip()
        if text:
            try:
                parse_period(text)
            except PeriodError as error:
                raise forms.ValidationError(str(error)) from error
        return text

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        target, amber = cleaned.get("target"), cleaned.get("amber_threshold")
        polarity = cleaned.get("polarity")
        if amber is not None and target is None:
            self.add_error("amber_threshold", "Set a target before an amber threshold")
        elif amber is not None and target is not None:
            if polarity == Indicator.Polarity.HIGHER_IS_BETTER and amber > target:
                self.add_error(
                    "amber_threshold",
                    "When higher is better, the amber threshold must be below the target",
                )
            if polarity == Indicator.Polarity.LOWER_IS_BETTER and amber < target:
                self.add_error(
                    "amber_threshold",
                    "When lower is better, the amber threshold must be above the target",
                )
        return cleaned
