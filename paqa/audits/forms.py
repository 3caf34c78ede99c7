from typing import Any

from django import forms

from paqa.accounts.models import User
from paqa.audits.models import AuditTool, CaseFeedback, Domain, Finding, GradeLevel, Question
from paqa.core.forms import DateField, GovUKForm
from paqa.core.taxonomy import theme_choices
from paqa.partnership.models import Organisation

DATE_HINT = "For example, 31 3 2019"


def _date(label: str, what: str, *, required: bool = True, help_text: str = DATE_HINT) -> DateField:
    """The GOV.UK date input, its errors naming the date as `what` ("Enter the {what}")."""
    field = DateField(label=label, required=required, help_text=help_text)
    field.what = what
    return field


class AuditForm(GovUKForm):
    page_title = "Set up a multi-agency audit"
    submit_label = "Set up audit"

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    theme = forms.CharField(
        label="Theme",
        help_text="What the audit looks at, like ‘strategy meetings’. "
        "Re-audits use the same theme.",
        max_length=200,
        error_messages={"required": "Enter the theme"},
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
    terms_of_reference = forms.CharField(
        label="Terms of reference",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the terms of reference"},
    )
    key_lines_of_enquiry = forms.CharField(
        label="Key lines of enquiry",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the key lines of enquiry"},
    )
    period_start = _date("Work looked at from", "start of the period")
    period_end = _date("Work looked at until", "end of the period")
    sections_due = _date(
        "Sections due by (optional)",
        "date sections are due by",
        required=False,
        help_text="When each organisation should have submitted its case sections. "
        "For example, 31 3 2019",
    )
    tool = forms.ModelChoiceField(
        label="Audit tool",
        queryset=AuditTool.objects.all(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Organisations taking part",
        queryset=Organisation.objects.filter(archived_at__isnull=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the organisations taking part"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes (optional)",
        choices=theme_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AuditEditForm(AuditForm):
    """What the audit is about and when its sections are due. Its tool and organisations stay as
    they were set up: every case has a section for each organisation."""

    page_title = "Change the audit"
    submit_label = "Save changes"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["tool"]
        del self.fields["organisations"]


class AdvanceForm(GovUKForm):
    page_title = "Move the audit on"
    submit_label = "Move the audit on"

    reason = forms.CharField(
        label="Why the meeting is going ahead without them",
        help_text="This is kept with the audit and shown on its page. "
        "Do not enter names, dates of birth, NHS numbers or UPNs.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, asks_reason: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not asks_reason:
            del self.fields["reason"]


class CaseForm(GovUKForm):
    page_title = "Add a case"
    submit_label = "Add case"

    age_band = forms.ChoiceField(
        label="Age band",
        choices=[("", "Choose")] + [(b, b) for b in ("Under 1", "1-4", "5-9", "10-15", "16-17")],
        error_messages={"required": "Choose the age band"},
    )
    sex = forms.CharField(label="Sex (optional)", max_length=30, required=False)
    ethnicity = forms.CharField(label="Ethnicity (optional)", max_length=100, required=False)
    disability = forms.CharField(label="Disability (optional)", max_length=100, required=False)
    legal_status = forms.CharField(
        label="Legal status (optional)",
        max_length=100,
        required=False,
        help_text="For example, child in need, child protection plan, looked after",
    )
    lead_organisation = forms.ModelChoiceField(
        label="Lead organisation for this case (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None",
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["lead_organisation"].queryset = organisations  # type: ignore[attr-defined]


class SelectionForm(GovUKForm):
    page_title = "Choose cases at random"
    submit_label = "Choose cases"

    references = forms.CharField(
        label="Case references to choose from",
        help_text="One reference a line, from your own case records. PAQA keeps only a "
        "fingerprint of the ones chosen, never the references themselves.",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        error_messages={"required": "Paste the case references to choose from"},
    )
    count = forms.IntegerField(
        label="How many cases",
        min_value=1,
        max_value=100,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many cases to choose",
            "invalid": "Enter a whole number",
        },
    )
    seed = forms.CharField(
        label="Selection seed",
        help_text="Keep it to repeat the same selection; any word or number",
        max_length=40,
        error_messages={"required": "Enter a seed"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )


def _answer_field(question: Question) -> forms.Field:
    if question.answer_type == Question.AnswerType.TEXT:
        return forms.CharField(
            label=question.text,
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    choices = [("yes", "Yes"), ("no", "No")]
    if question.answer_type == Question.AnswerType.YES_NO_PARTLY:
        choices = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]
    return forms.ChoiceField(
        label=question.text, choices=choices, required=False, widget=forms.RadioSelect
    )


class SectionForm(GovUKForm):
    page_title = "Your agency's audit of this case"
    submit_label = "Save"

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q{question.pk}"] = _answer_field(question)
        self.fields["summary"] = forms.CharField(
            label="Summary of your agency's practice in this case",
            required=False,
            max_length=10000,
            widget=forms.Textarea(attrs={"rows": 5}),
        )


class AssignForm(GovUKForm):
    page_title = "Assign auditors"
    submit_label = "Save auditors"

    auditors = forms.ModelMultipleChoiceField(
        label="Auditors",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auditors"].queryset = candidates  # type: ignore[attr-defined]


class GradesForm(GovUKForm):
    page_title = "Grades agreed at the audit meeting"
    submit_label = "Save grades"

    def __init__(
        self, *args: Any, domains: list[Domain], levels: list[GradeLevel], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not graded")] + [(level.code, level.label) for level in levels]
        for domain in domains:
            self.fields[f"grade_{domain.pk}"] = forms.ChoiceField(
                label=domain.title, choices=choices, required=False
            )
        self.fields["moderation_notes"] = forms.CharField(
            label="Moderation notes (optional)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["dissent"] = forms.CharField(
            label="Dissent (optional)",
            help_text="Any organisation that did not agree, and why",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )


class UnsafeForm(GovUKForm):
    page_title = "Flag this case as unsafe"
    submit_label = "Flag as unsafe and notify"

    reason = forms.CharField(
        label="Why the child is not safe",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the case is unsafe"},
    )


class ResolveForm(GovUKForm):
    page_title = "Resolve the unsafe flag"
    submit_label = "Resolve"

    resolution = forms.CharField(
        label="What was done to make the child safe",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Record what was done to make the child safe"},
    )


class FeedbackForm(GovUKForm):
    page_title = "Record what the child or family said"
    submit_label = "Save feedback"

    from_whom = forms.ChoiceField(
        label="Who said it",
        choices=CaseFeedback.FromWhom.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who said it"},
    )
    summary = forms.CharField(
        label="What they said",
        help_text="Anonymised: no names",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what they said"},
    )


class FindingForm(GovUKForm):
    page_title = "Add a finding"
    submit_label = "Add finding"

    kind = forms.ChoiceField(
        label="Kind of finding",
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose strength or area for development"},
    )
    text = forms.CharField(
        label="Finding",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the finding"},
    )
    domain = forms.ModelChoiceField(
        label="Domain (optional)",
        queryset=Domain.objects.none(),
        required=False,
        empty_label="None",
    )
    themes = forms.MultipleChoiceField(
        label="Themes", choices=theme_choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, domains: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains  # type: ignore[attr-defined]


class FindingActionForm(GovUKForm):
    page_title = "Turn the finding into an action"
    submit_label = "Add action"

    owner_organisation = forms.ModelChoiceField(
        label="Organisation responsible", queryset=Organisation.objects.none(), empty_label=None
    )
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
    due_date = _date("Due by", "date it is due by")

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]
