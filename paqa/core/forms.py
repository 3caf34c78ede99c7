"""The one base form: GOV.UK Frontend markup, error wording and error summary for every form."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.http import HttpRequest

_INPUT_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}
_ERROR_MODIFIERS = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def _base_class(widget: forms.Widget) -> str:
    for widget_type in type(widget).__mro__:
        if widget_type in _INPUT_CLASSES:
            return _INPUT_CLASSES[widget_type]
    return "govuk-input"


class GovUKBoundField(BoundField):
    """Adds the GOV.UK classes; ties hint and error message to the input for screen readers."""

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def anchor_id(self) -> str:
        """Where the error summary links to: the first option of a group of radios or boxes."""
        if isinstance(self.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{self.auto_id}_0"
        return str(self.auto_id)

    @property
    def is_single_checkbox(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxInput)

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        base = _base_class(widget)
        classes = [base, widget.attrs.get("class", "")]
        if self.errors and base in _ERROR_MODIFIERS:
            classes.append(_ERROR_MODIFIERS[base])
        attrs["class"] = " ".join(c for c in classes if c)
        described_by = []
        if self.help_text and not self.field.widget.use_fieldset:
            described_by.append(self.hint_id)
        if self.errors and not self.field.widget.use_fieldset:
            described_by.append(self.error_id)
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        else:
            attrs.pop("aria-describedby", None)
        return attrs


def email_field(
    label: str = "Email address", help_text: str = "", **widget_attrs: str
) -> forms.EmailField:
    """An email address field with GOV.UK's wording for its errors."""
    return forms.EmailField(
        label=label,
        help_text=help_text,
        max_length=254,
        error_messages={
            "required": f"Enter {'your' if label == 'Email address' else 'their'} email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"spellcheck": "false", **widget_attrs}),
    )


class GovUKFormMixin:
    """Mixed into every PAQA form (plain or model) to get GOV.UK rendering."""

    bound_field_class: type[BoundField] | None = GovUKBoundField
    template_name = "components/form_fields.html"
    #: The page's heading, and the words on its button.
    page_title: str = ""
    submit_label: str = "Continue"


class GovUKForm(GovUKFormMixin, forms.Form):
    pass


class GovUKModelForm(GovUKFormMixin, forms.ModelForm):
    pass


def posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even when empty, so an empty form shows its errors)."""
    return request.POST if request.method == "POST" else None


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, against the fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)


# The one date pattern: every date PAQA asks for is typed as day, month and year.


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes in one fieldset."""

    template_name = "components/date_input.html"
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
