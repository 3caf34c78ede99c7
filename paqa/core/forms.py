"""The one base form: GOV.UK Frontend markup, error wording and error summary for every form."""

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
