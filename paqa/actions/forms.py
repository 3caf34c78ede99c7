from datetime import date
from typing import Any

from django import forms

from paqa.actions.models import Action
from paqa.core.forms import GovUKForm


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes in one fieldset."""

    template_name = "actions/widgets/date_input.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            [
                forms.TextInput(attrs={"inputmode": "numeric"}),
                forms.TextInput(attrs={"inputmode": "numeric"}),
                forms.TextInput(attrs={"inputmode": "numeric"}),
            ],
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        parts = zip(
            ("Day", "Month", "Year"), (2, 2, 4), context["widget"]["subwidgets"], strict=True
        )
        context["widget"]["parts"] = [
            {"label": label, "width": width, "widget": subwidget}
            for label, width, subwidget in parts
        ]
        return context


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK's error wording."""

    widget = DateInput

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        self.what = label.lower()
        super().__init__(
            fields=[forms.CharField(), forms.CharField(), forms.CharField()],
            require_all_fields=False,
            label=label,
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise forms.ValidationError(f"Enter the {self.what}")
            return None
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise forms.ValidationError(f"The {self.what} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            return date(year, month, day)
        except ValueError as invalid:
            raise forms.ValidationError(f"The {self.what} must be a real date") from invalid

    def compress(self, data_list: list[Any]) -> Any:  # pragma: no cover - clean() does it
        return data_list


class ActionForm(GovUKForm):
    page_title = "Change action"
    submit_label = "Save action"

    title = forms.CharField(
        label="What will be done",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter what will be done",
            "max_length": "What will be done must be 300 characters or fewer",
        },
    )
    owner_name = forms.CharField(
        label="Person responsible",
        help_text="The named person who will make sure it is done",
        max_length=150,
        error_messages={
            "required": "Enter the name of the person responsible",
            "max_length": "The name must be 150 characters or fewer",
        },
    )
    due_date = DateField(label="Due date", help_text="For example, 31 3 2026")


class ProgressForm(GovUKForm):
    page_title = "Add a progress update"
    submit_label = "Add update"

    text = forms.CharField(
        label="Progress made",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the progress made"},
    )
    status = forms.ChoiceField(
        label="Has work on the action started?",
        choices=[
            (Action.Status.NOT_STARTED.value, "Not started"),
            (Action.Status.IN_PROGRESS.value, "In progress"),
        ],
        initial=Action.Status.IN_PROGRESS.value,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether work on the action has started"},
    )


class CompleteForm(GovUKForm):
    page_title = "Mark the action done"
    submit_label = "Mark done"

    evidence = forms.CharField(
        label="Evidence that the action is done",
        help_text="What shows it is done, and where the evidence is kept",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the evidence that the action is done"},
    )


class CancelForm(GovUKForm):
    page_title = "Cancel the action"
    submit_label = "Cancel action"

    reason = forms.CharField(
        label="Why is the action cancelled?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the action is cancelled"},
    )
