from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from paqa.core.evidence import KEY_HINT
from paqa.core.forms import DateField, GovUKForm
from paqa.core.taxonomy import theme_choices
from paqa.escalations.models import Escalation
from paqa.partnership.models import Organisation

DATE_HINT = "For example, 31 3 2019"
RAG_CHOICES = [
    (Escalation.Rag.RED.value, "Red"),
    (Escalation.Rag.AMBER.value, "Amber"),
    (Escalation.Rag.GREEN.value, "Green"),
]


def reporting_year(day: date | None = None) -> str:
    """The financial year a day falls in, written like 2018-19."""
    day = day or timezone.localdate()
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _text(label: str, required: str, *, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required},
    )


def _date(label: str, *, help_text: str = DATE_HINT) -> DateField:
    return DateField(label=label, help_text=help_text)


class EscalationForm(GovUKForm):
    page_title = "Raise an escalation"
    submit_label = "Raise escalation"

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    finding = _text(
        "What was found",
        "Enter what was found",
        help_text="The concern, and what the evidence shows",
    )
    year = forms.RegexField(
        label="Reporting year",
        regex=r"^\d{4}-\d{2}$",
        help_text="For example, 2018-19",
        error_messages={
            "required": "Enter the reporting year",
            "invalid": "Enter the year like 2018-19",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    escalated_to = forms.CharField(
        label="Escalated to",
        help_text="Who it was escalated to, like ‘Chair of the Safeguarding Children Board’",
        max_length=200,
        error_messages={"required": "Enter who it was escalated to"},
    )
    escalated_on = _date("Date escalated")
    owner_organisation = forms.ModelChoiceField(
        label="Organisation that owns the response",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation that owns the response"},
    )
    response_due = _date("Response required by")
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=RAG_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a RAG rating"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes (optional)",
        choices=theme_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]


class UpdateForm(GovUKForm):
    page_title = "Add an update"
    submit_label = "Add update"

    date = _date("Date of the update")
    text = _text("Update", "Enter the update")
    rag = forms.ChoiceField(
        label="RAG rating (optional)",
        choices=[("", "No change"), *RAG_CHOICES],
        required=False,
        help_text="Change it only if the update changes how serious the concern is",
    )


class ResponseForm(GovUKForm):
    page_title = "Record the response"
    submit_label = "Record response"

    date = _date("Date of the response")
    text = _text(
        "The owner organisation’s response",
        "Enter the response",
        rows=6,
        help_text="What the organisation has done or will do, and by when",
    )


class AssureForm(GovUKForm):
    page_title = "Record assurance"
    submit_label = "Record assurance"

    date = _date("Date of assurance")
    text = _text(
        "What gives the partnership assurance",
        "Enter what gives the partnership assurance",
        help_text="The evidence that the response is working",
    )


class CloseForm(GovUKForm):
    page_title = "Close the escalation"
    submit_label = "Close escalation"

    date = _date("Date closed")
    outcome = _text("Outcome", "Enter the outcome of the escalation", rows=5)


class ReescalateForm(GovUKForm):
    page_title = "Re-escalate"
    submit_label = "Re-escalate"

    date = _date("Date re-escalated")
    reason = _text("Why is it re-escalated?", "Enter why it is re-escalated")
    escalated_to = forms.CharField(
        label="Escalated to (optional)",
        help_text="Leave blank to re-escalate to the same person",
        max_length=200,
        required=False,
    )
    response_due = _date("Response now required by")


class EvidenceForm(GovUKForm):
    page_title = "Link evidence"
    submit_label = "Link evidence"

    choice = forms.ChoiceField(
        label="Evidence",
        help_text="Records you can see: indicators, audit findings, survey results, what "
        "children and families said, and self-assessment returns",
        required=False,
    )
    key = forms.CharField(
        label="Or the evidence’s key (optional)",
        help_text=f"For other records, {KEY_HINT}",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    note = forms.CharField(
        label="Why it is evidence (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [("", "Choose the evidence"), *choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choice, key = cleaned.get("choice", ""), (cleaned.get("key") or "").strip()
        if choice and key:
            self.add_error("key", "Choose the evidence or enter its key, not both")
        elif not choice and not key:
            self.add_error("choice", "Choose the evidence, or enter its key")
        cleaned["evidence_key"] = choice or key
        return cleaned


class EscalationActionForm(GovUKForm):
    page_title = "Add an action"
    submit_label = "Add action"

    owner_organisation = forms.ModelChoiceField(
        label="Organisation responsible",
        queryset=Organisation.objects.none(),
        empty_label=None,
    )
    title = forms.CharField(
        label="What will be done",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what will be done"},
    )
    owner_name = forms.CharField(
        label="Person responsible",
        help_text="The named person who will make sure it is done",
        max_length=150,
        error_messages={"required": "Enter the name of the person responsible"},
    )
    due_date = DateField(label="Due date", help_text=DATE_HINT)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]
