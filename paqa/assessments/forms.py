from datetime import date
from typing import Any

from django import forms

from paqa.assessments.models import Framework, RatingLevel
from paqa.core.forms import DateField, GovUKForm
from paqa.core.uploads import ALLOWED_EXTENSIONS
from paqa.partnership.models import Organisation

DATE_HINT = "For example, 31 5 2027"


def rating_choices(levels: list[RatingLevel]) -> list[tuple[str, str]]:
    return [(level.code, f"{level.label}: {level.meaning}") for level in levels]


class AnswerForm(GovUKForm):
    page_title = "Your rating and evidence"
    submit_label = "Save and continue"

    version = forms.IntegerField(widget=forms.HiddenInput)
    rating = forms.ChoiceField(
        label="How well does your organisation meet this standard?",
        widget=forms.RadioSelect,
        required=False,
    )
    evidence = forms.CharField(
        label="Evidence",
        help_text="What shows the rating is right: policies, audits, data, what children and "
        "families say. Every rating needs evidence before the return can be signed off.",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    example = forms.CharField(
        label="Best-practice example (needed for Blue)",
        help_text="Something others in the partnership could learn from",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, levels: list[RatingLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = rating_choices(levels)  # type: ignore[attr-defined]


class SignOffForm(GovUKForm):
    page_title = "Sign off the return"
    submit_label = "Sign off"

    role_title = forms.CharField(
        label="Your job title",
        max_length=150,
        error_messages={"required": "Enter your job title"},
    )
    confirm = forms.BooleanField(
        label="I confirm that this return is accurate and that I am a senior lead of the "
        "organisation able to sign it off",
        error_messages={"required": "Confirm that the return is accurate"},
    )


class ChallengeForm(GovUKForm):
    page_title = "Challenge and moderate"
    submit_label = "Save challenge"

    challenge = forms.CharField(
        label="Challenge",
        help_text="What peer challenge asked or found about this rating",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    moderated_rating = forms.ChoiceField(
        label="Moderated rating", widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args: Any, levels: list[RatingLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moderated_rating"].choices = rating_choices(levels)  # type: ignore[attr-defined]


class ResponseForm(GovUKForm):
    page_title = "Respond to the challenge"
    submit_label = "Save response"

    response = forms.CharField(
        label="Your response",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your response to the challenge"},
    )


class AttachmentForm(GovUKForm):
    page_title = "Attach a document"
    submit_label = "Upload document"

    file = forms.FileField(
        label="Document",
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, image, text or CSV, up to 10 MB",
        error_messages={"required": "Choose a file to upload"},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
    )


class ActionForm(GovUKForm):
    page_title = "Plan an action for this gap"
    submit_label = "Add action"

    title = forms.CharField(
        label="What will be done",
        max_length=300,
        error_messages={"required": "Enter what will be done"},
    )
    owner_name = forms.CharField(
        label="Who is responsible",
        max_length=150,
        error_messages={"required": "Enter who is responsible"},
    )
    due_date = DateField(label="Due date", help_text=DATE_HINT)


class CycleForm(GovUKForm):
    page_title = "Open a self-assessment cycle"
    submit_label = "Open cycle"

    framework = forms.ModelChoiceField(
        label="Framework",
        queryset=Framework.objects.order_by("code", "-version"),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    year = forms.RegexField(
        label="Year",
        help_text="The reporting year, for example 2019-20",
        regex=r"^\d{4}-\d{2}$",
        error_messages={
            "required": "Enter the reporting year",
            "invalid": "Enter the year like 2019-20",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    deadline = DateField(label="Deadline for returns", help_text=DATE_HINT)
    organisations = forms.ModelMultipleChoiceField(
        label="Organisations taking part",
        queryset=Organisation.objects.filter(archived_at__isnull=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one organisation"},
    )

    def clean_deadline(self) -> date:
        deadline: date = self.cleaned_data["deadline"]
        return deadline


class ExtensionForm(GovUKForm):
    page_title = "Extend the deadline"
    submit_label = "Extend deadline"

    deadline = DateField(label="New deadline", help_text=DATE_HINT)
