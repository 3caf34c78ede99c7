from django import forms

from paqa.accounts.forms import ChoosePasswordForm
from paqa.core.access import ROLE_DESCRIPTIONS, Role
from paqa.core.forms import GovUKForm, email_field
from paqa.partnership.models import Organisation, validate_brand_colour


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Role",
        choices=[(value, f"{label} — {ROLE_DESCRIPTIONS[value]}") for value, label in Role.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )


class OrganisationForm(GovUKForm):
    page_title = "Add an organisation"
    submit_label = "Save organisation"

    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the organisation's name"}
    )
    kind = forms.ChoiceField(
        label="Type of organisation",
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of organisation"},
    )


class ServiceForm(GovUKForm):
    page_title = "Add a service"
    submit_label = "Save service"

    name = forms.CharField(
        label="Name of the service",
        help_text="For example, Child and Adolescent Mental Health Services (CAMHS)",
        max_length=200,
        error_messages={"required": "Enter the name of the service"},
    )


class InvitationForm(GovUKForm):
    page_title = "Invite a person"
    submit_label = "Send invitation"

    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    email = email_field(
        "Their email address",
        help_text="We will send a link to this address. It works once, within 7 days.",
    )
    role = _role_field()


class MembershipCreateForm(GovUKForm):
    page_title = "Give an existing person a role"
    submit_label = "Save role"

    email = email_field("Their email address", help_text="The address they sign in with")
    role = _role_field()


class MembershipRoleForm(GovUKForm):
    page_title = "Change role"
    submit_label = "Save role"

    role = _role_field()


class PersonForm(GovUKForm):
    page_title = "Change details"
    submit_label = "Save details"

    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=150, required=False)


class PartnershipForm(GovUKForm):
    page_title = "Partnership settings"
    submit_label = "Save settings"

    name = forms.CharField(
        label="Name of the partnership",
        max_length=200,
        error_messages={"required": "Enter the partnership's name"},
    )
    short_name = forms.CharField(
        label="Short name (optional)",
        help_text="Used in running text, like OSCB",
        max_length=40,
        required=False,
    )
    brand_colour = forms.CharField(
        label="Header colour",
        help_text="A hex code, like #1d70b8. White text must be readable on it.",
        max_length=7,
        validators=[validate_brand_colour],
        error_messages={"required": "Enter the header colour"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )


class AcceptInvitationForm(ChoosePasswordForm):
    page_title = "Choose your password"
    submit_label = "Create account"


class ConfirmForm(GovUKForm):
    """An empty form for confirmation pages: the button is the answer."""
