"""Forms for building and running a survey."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from paqa.core.forms import DateField, GovUKForm
from paqa.core.taxonomy import theme_choices
from paqa.surveys.builder_services import BLANK, PACKS, QuestionDraft, Schedule
from paqa.surveys.models import Question, Survey

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


class TimeOfDayField(forms.CharField):
    """A time typed as people type it: 9:00, 09:00, 17:30, 5:30pm, 9am, midday, midnight."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        self.what = label.lower()
        kwargs.setdefault("help_text", "For example, 9:00, 17:30 or 5:30pm")
        super().__init__(
            label=label,
            max_length=10,
            widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
            error_messages={"required": f"Enter the {self.what}"},
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, time):
            return f"{value:%H:%M}"
        return value

    def clean(self, value: Any) -> time:
        text = str(super().clean(value)).strip().lower().replace(" ", "")
        if text in ("midday", "noon", "12noon"):
            return time(12, 0)
        if text == "midnight":
            return time(0, 0)
        match = _TIME.match(text)
        if match:
            hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
            if half and 1 <= hour <= 12:
                hour = hour % 12 + (12 if half == "pm" else 0)
            elif half:
                hour = 99
            if hour < 24 and minute < 60:
                return time(hour, minute)
        raise forms.ValidationError(f"The {self.what} must be a real time, like 9:00 or 17:30")


class VersionedForm(GovUKForm):
    """Carries the version of the survey the form was shown with, to catch a stale save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _schedule_fields(form: forms.Form, *, opening: bool = True) -> None:
    if opening:
        form.fields["opens_on"] = DateField(
            label="Opening date", help_text="For example, 7 12 2026"
        )
        form.fields["opens_time"] = TimeOfDayField(label="Opening time")
    form.fields["closes_on"] = DateField(label="Closing date", help_text="For example, 4 1 2027")
    form.fields["closes_time"] = TimeOfDayField(label="Closing time")


def schedule_from(data: dict[str, Any]) -> Schedule:
    return Schedule(
        opens_on=data["opens_on"],
        opens_time=data["opens_time"],
        closes_on=data["closes_on"],
        closes_time=data["closes_time"],
    )


def default_schedule() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "opens_on": today,
        "opens_time": time(9, 0),
        "closes_on": today + timedelta(weeks=4),
        "closes_time": time(17, 0),
    }


def _check_order(form: forms.Form, cleaned: dict[str, Any]) -> None:
    parts = ("opens_on", "opens_time", "closes_on", "closes_time")
    if all(cleaned.get(part) is not None for part in parts):
        opening = (cleaned["opens_on"], cleaned["opens_time"])
        closing = (cleaned["closes_on"], cleaned["closes_time"])
        if closing <= opening:
            form.add_error(
                "closes_on", "The closing date and time must be after the opening date and time"
            )


class SurveyCreateForm(GovUKForm):
    page_title = "Create a survey"
    submit_label = "Create the survey"

    source = forms.ChoiceField(
        label="Start from",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the survey starts from"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="As respondents will see it, like ‘Practitioner survey’",
        error_messages={"required": "Enter the survey’s title"},
    )
    year = forms.CharField(
        label="Reporting year",
        max_length=20,
        help_text="The year of the annual report it feeds, like 2026-27",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the reporting year, like 2026-27"},
    )
    kind = forms.ChoiceField(
        label="How people answer it",
        required=False,
        widget=forms.RadioSelect,
        choices=[("", "As the survey it starts from"), *Survey.Kind.choices],
        help_text="A blank survey needs one of the last two",
    )

    def __init__(self, *args: Any, sources: list[Survey], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(name, label) for name, (label, _) in PACKS.items()]
        choices += [
            (f"survey:{survey.pk}", f"A copy of {survey} (questions, themes and codebook)")
            for survey in sources
        ]
        choices.append((BLANK, "A blank survey"))
        cast(forms.ChoiceField, self.fields["source"]).choices = choices
        _schedule_fields(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_order(self, cleaned)
        return cleaned


class ScheduledForm(VersionedForm):
    """A versioned form with opening and closing dates and times, in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _schedule_fields(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_order(self, cleaned)
        return cleaned


class DetailsForm(ScheduledForm):
    page_title = "Change the survey’s details"
    submit_label = "Save the details"

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the survey’s title"}
    )
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What respondents read before they start",
    )
    field_order = ["version", "title", "introduction"]


class ScheduleForm(ScheduledForm):
    page_title = "Schedule the survey"
    submit_label = "Schedule it"


class ReopenForm(VersionedForm):
    page_title = "Reopen the survey"
    submit_label = "Reopen it"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _schedule_fields(self, opening=False)


class ConfirmForm(VersionedForm):
    pass


class RuleCheckboxes(forms.CheckboxSelectMultiple):
    template_name = "surveys/widgets/rule_checkboxes.html"


class RuleField(forms.MultipleChoiceField):
    """‘Show only for some answers’: ticks of answers to one earlier question, grouped by
    question."""

    widget = RuleCheckboxes

    def __init__(self, options: list[tuple[str, str, list[str]]], **kwargs: Any) -> None:
        super().__init__(
            label="Show it only to people who gave one of these answers",
            required=False,
            help_text="Leave every box empty to show it to everyone. Tick answers to one "
            "question only.",
            choices=[
                (text, [(f"{code}::{answer}", answer) for answer in answers])
                for code, text, answers in options
            ],
            **kwargs,
        )

    def to_rule(self, values: list[str]) -> dict[str, Any]:
        if not values:
            return {}
        codes = {value.split("::", 1)[0] for value in values}
        if len(codes) > 1:
            raise forms.ValidationError("Tick answers to one question only")
        return {
            "question": codes.pop(),
            "in": [value.split("::", 1)[1] for value in values],
        }

    @staticmethod
    def from_rule(rule: dict[str, Any]) -> list[str]:
        if not rule:
            return []
        values = rule["in"] if "in" in rule else [rule.get("equals")]
        return [f"{rule['question']}::{value}" for value in values]


def _rule_field(form: forms.Form) -> RuleField:
    return cast(RuleField, form.fields["rule"])


class PageForm(VersionedForm):
    page_title = "Add a page"
    submit_label = "Save the page"

    title = forms.CharField(
        label="Page heading", max_length=200, error_messages={"required": "Enter the page’s title"}
    )

    def __init__(
        self, *args: Any, rule_options: list[tuple[str, str, list[str]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if rule_options:
            self.fields["rule"] = RuleField(rule_options)

    def clean_rule(self) -> dict[str, Any]:
        return _rule_field(self).to_rule(self.cleaned_data.get("rule") or [])

    def rule(self) -> dict[str, Any]:
        return self.cleaned_data.get("rule") or {}


class QuestionForm(VersionedForm):
    page_title = "Add a question"
    submit_label = "Save the question"

    text = forms.CharField(
        label="Question",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the question"},
    )
    kind = forms.ChoiceField(
        label="Type of answer",
        widget=forms.RadioSelect,
        choices=Question.Kind.choices,
        error_messages={"required": "Choose the type of answer"},
    )
    choices = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="One on each line. Needed for ‘One choice’ and ‘Several choices’; for an "
        "agreement scale, leave empty for Strongly agree to Strongly disagree",
    )
    help_text = forms.CharField(
        label="Hint (optional)",
        required=False,
        max_length=500,
        help_text="Shown under the question, like ‘Please do not name children or colleagues’",
    )
    required = forms.BooleanField(label="People must answer this question", required=False)
    themes = forms.MultipleChoiceField(
        label="Themes (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=theme_choices(),
        help_text="The partnership’s themes its answers are evidence for",
    )
    breakdown = forms.ChoiceField(
        label="Break results down by its answers",
        required=False,
        choices=[("", "No"), ("organisation", "Organisation"), ("role", "Role")],
    )
    code = forms.SlugField(
        label="Short name (optional)",
        required=False,
        max_length=60,
        help_text="Used in exports and rules, like ‘trained-3-years’. Made from the question "
        "if left empty",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"invalid": "Use only letters, numbers and hyphens in the short name"},
    )

    def __init__(
        self,
        *args: Any,
        rule_options: list[tuple[str, str, list[str]]],
        locked: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if rule_options:
            self.fields["rule"] = RuleField(rule_options)
        if locked:
            self.fields["reason"] = forms.CharField(
                label="Why are you changing the wording?",
                max_length=500,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="People have already answered this survey. The reason is kept in "
                "the history beside the change",
            )

    def clean_rule(self) -> dict[str, Any]:
        return _rule_field(self).to_rule(self.cleaned_data.get("rule") or [])

    def draft(self) -> QuestionDraft:
        data = self.cleaned_data
        return QuestionDraft(
            text=data["text"],
            kind=data["kind"],
            code=data.get("code") or "",
            help_text=data.get("help_text") or "",
            required=bool(data.get("required")),
            choices=[line for line in (data.get("choices") or "").splitlines() if line.strip()],
            themes=data.get("themes") or [],
            breakdown=data.get("breakdown") or "",
            show_if=data.get("rule") or {},
        )

    @staticmethod
    def initial_for(question: Question, version: int) -> dict[str, Any]:
        return {
            "version": version,
            "text": question.text,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "help_text": question.help_text,
            "required": question.required,
            "themes": list(question.themes),
            "breakdown": question.breakdown,
            "code": question.code,
            "rule": RuleField.from_rule(question.show_if),
        }


def initial_dates(survey: Survey) -> dict[str, date | time]:
    return {
        "opens_on": survey.opens_on,
        "opens_time": survey.opens_time,
        "closes_on": survey.closes_on,
        "closes_time": survey.closes_time,
    }
