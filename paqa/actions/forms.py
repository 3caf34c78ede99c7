from django import forms

from paqa.actions.models import Action
from paqa.core.forms import DateField, GovUKForm


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
