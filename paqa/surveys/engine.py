"""The questionnaire engine: which pages and questions show, given the answers so far, and the
form for a page. Branching is 'show this page or question when an earlier answer matches'."""

from __future__ import annotations

from typing import Any

from django import forms

from paqa.core.forms import GovUKForm
from paqa.surveys.models import Page, Question
from paqa.surveys.rules import LIKERT, YES_NO


def condition_met(show_if: dict[str, Any], answers: dict[str, Any]) -> bool:
    """{"question": code, "equals": value} or {"question": code, "in": [values]}; empty: always."""
    if not show_if:
        return True
    given = answers.get(show_if.get("question", ""))
    wanted = show_if["in"] if "in" in show_if else [show_if.get("equals")]
    if isinstance(given, list):
        return any(item in wanted for item in given)
    return given in wanted


def choices_for(question: Question) -> list[str]:
    if question.kind == Question.Kind.YES_NO:
        return YES_NO
    if question.kind == Question.Kind.LIKERT:
        return list(question.choices) or LIKERT
    return list(question.choices)


def visible_pages(pages: list[Page], answers: dict[str, Any]) -> list[Page]:
    return [page for page in pages if condition_met(page.show_if, answers)]


def visible_questions(page: Page, answers: dict[str, Any]) -> list[Question]:
    return [q for q in page.questions.all() if condition_met(q.show_if, answers)]


def _field(question: Question) -> forms.Field:
    required = question.required
    label = question.text
    if question.kind == Question.Kind.NUMBER:
        return forms.IntegerField(
            label=label,
            help_text=question.help_text,
            required=required,
            min_value=0,
            max_value=1_000_000,
            widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
            error_messages={
                "required": "Enter a number",
                "invalid": "Enter a whole number, like 12",
                "min_value": "Enter a number of 0 or more",
            },
        )
    if question.kind == Question.Kind.TEXT:
        return forms.CharField(
            label=label,
            help_text=question.help_text,
            required=required,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={
                "required": "Enter your answer",
                "max_length": "Keep your answer under 5,000 characters",
            },
        )
    options = [(choice, choice) for choice in choices_for(question)]
    if question.kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            label=label,
            help_text=question.help_text,
            required=required,
            choices=options,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select at least one option"},
        )
    return forms.ChoiceField(
        label=label,
        help_text=question.help_text,
        required=required,
        choices=options,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes or no"
            if question.kind == Question.Kind.YES_NO
            else "Select an option"
        },
    )


class PageForm(GovUKForm):
    submit_label = "Continue"

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.code] = _field(question)
