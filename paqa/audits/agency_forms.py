"""Forms for single-agency audit returns. The rules live in agency_services; these forms only
turn what was typed into values, in GOV.UK wording."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.utils import timezone

from paqa.audits.agency_services import (
    grade_count_negative_message,
    grade_count_not_whole_message,
    grades_sum_message,
)
from paqa.audits.models import GradeLevel
from paqa.core.forms import DateField, GovUKForm
from paqa.core.taxonomy import theme_choices
from paqa.partnership.models import Organisation, Service

DATE_HINT = "For example, 31 5 2019"
GRADE_PREFIX = "grade_"


def _date_field(label: str, what: str) -> DateField:
    """The GOV.UK date input, its errors naming the date as `what` ("Enter the {what}")."""
    field = DateField(label=label, help_text=DATE_HINT)
    field.what = what
    return field


def current_year() -> str:
    """The financial year today falls in, like 2018-19."""
    today = timezone.localdate()
    first = today.year if today.month >= 4 else today.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def grade_field_name(code: str) -> str:
    return GRADE_PREFIX + code.replace("-", "_")


class ServiceChoiceField(forms.ModelChoiceField):
    """Services, named with their organisation when the person returns for more than one."""

    def __init__(self, *args: Any, with_organisation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_organisation = with_organisation

    def label_from_instance(self, obj: Any) -> str:
        if self.with_organisation:
            return f"{obj.organisation.name}: {obj.name}"
        return str(obj.name)


class AgencyAuditForm(GovUKForm):
    """A new return (with its organisation) or a draft being changed (organisation fixed)."""

    page_title = "Return a single-agency audit"
    submit_label = "Save draft"

    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the organisation whose audit this is",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    service = ServiceChoiceField(
        label="Service (optional)",
        help_text="Leave this blank if the audit covered the whole organisation",
        queryset=Service.objects.none(),
        required=False,
        empty_label="The whole organisation",
        error_messages={"invalid_choice": "Choose a service from the list"},
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
    topic = forms.CharField(
        label="Topic",
        help_text="What the audit looked at, for example 'Neglect in children under 5'",
        max_length=200,
        error_messages={"required": "Enter what the audit looked at"},
    )
    audit_date = _date_field("Date of the audit", "date of the audit")
    sample_size = forms.IntegerField(
        label="Number of cases audited",
        min_value=1,
        error_messages={
            "required": "Enter the number of cases audited",
            "invalid": "Enter the number of cases audited as a whole number, like 10",
            "min_value": "The sample must be at least 1 case",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    strengths = forms.CharField(
        label="Strengths",
        help_text="What the audit found was done well",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the strengths the audit found"},
    )
    areas_for_development = forms.CharField(
        label="Areas for development",
        help_text="What the audit found needs to improve",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the areas for development the audit found"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes for development",
        help_text="Select all that apply",
        choices=theme_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose themes from the list"},
    )

    def __init__(
        self,
        *args: Any,
        levels: list[GradeLevel],
        services: QuerySet[Service],
        organisations: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        service_field = cast(ServiceChoiceField, self.fields["service"])
        service_field.queryset = services
        service_field.with_organisation = len({service.organisation_id for service in services}) > 1
        self.grade_names: dict[str, str] = {}
        for level in levels:
            name = grade_field_name(level.code)
            self.grade_names[level.code] = name
            self.fields[name] = forms.IntegerField(
                label=level.label,
                required=False,
                min_value=0,
                error_messages={
                    "invalid": grade_count_not_whole_message(level.label),
                    "min_value": grade_count_negative_message(level.label),
                },
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input--width-4",
                        "inputmode": "numeric",
                        "spellcheck": "false",
                    }
                ),
            )
        before = ["organisation", "service", "year", "topic", "audit_date", "sample_size"]
        self.order_fields([*before, *self.grade_names.values()])

    # Rendering: the grade inputs go together in one fieldset.

    def _bound(self, names: list[str]) -> list[BoundField]:
        return [self[name] for name in names if name in self.fields]

    @property
    def fields_before_grades(self) -> list[BoundField]:
        return self._bound(
            ["organisation", "service", "year", "topic", "audit_date", "sample_size"]
        )

    @property
    def grade_fields(self) -> list[BoundField]:
        return self._bound(list(self.grade_names.values()))

    @property
    def fields_after_grades(self) -> list[BoundField]:
        return self._bound(["strengths", "areas_for_development", "themes"])

    @property
    def first_grade_field(self) -> str | None:
        return next(iter(self.grade_names.values()), None)

    def clean(self) -> dict[str, Any]:
        """Say the grades do not add up at once, with any other problem (the service checks
        again)."""
        cleaned = super().clean() or {}
        names = list(self.grade_names.values())
        sample_size = cleaned.get("sample_size")
        if (
            names
            and isinstance(sample_size, int)
            and not any(name in self.errors for name in [*names, "sample_size"])
        ):
            total = sum(cleaned.get(name) or 0 for name in names)
            if total != sample_size:
                self.add_error(names[0], grades_sum_message(total, sample_size))
        return cleaned

    def grade_counts(self) -> dict[str, int]:
        """The number typed for each grade; a grade left blank had no cases."""
        return {code: self.cleaned_data.get(name) or 0 for code, name in self.grade_names.items()}


class ReviewForm(GovUKForm):
    page_title = "Review the audit"
    submit_label = "Mark as reviewed"

    review_notes = forms.CharField(
        label="What the partnership’s review found",
        help_text="The PAQA group’s view of the audit: challenge, learning, anything to follow up",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what the partnership's review found"},
    )


class AgencyActionForm(GovUKForm):
    page_title = "Add an action"
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
    due_date = _date_field("Due by", "date it is due by")
