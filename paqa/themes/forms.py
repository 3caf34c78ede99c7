from django import forms

from paqa.core.forms import GovUKForm
from paqa.core.taxonomy import theme_choices


class KeyMessageForm(GovUKForm):
    page_title = "Key message"
    submit_label = "Save key message"

    title = forms.CharField(
        label="Message", max_length=200, error_messages={"required": "Enter the message"}
    )
    text = forms.CharField(
        label="What it means",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what the message means"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes it rests on",
        choices=theme_choices(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one theme"},
    )
