from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from paqa.core.forms import GovUKForm, GovUKFormMixin, email_field


class SignInForm(GovUKForm):
    page_title = "Sign in"
    submit_label = "Sign in"

    email = email_field(autocomplete="email")
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecurityCodeForm(GovUKForm):
    page_title = "Enter your security code"
    submit_label = "Continue"

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app",
        max_length=10,
        error_messages={"required": "Enter the security code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        return code


class RecoveryCodeForm(GovUKForm):
    page_title = "Use a recovery code"
    submit_label = "Continue"

    code = forms.CharField(
        label="Recovery code",
        help_text="One of the codes you saved when you set up two-factor authentication, "
        "like abcd-efgh-jkmn. Each code works once.",
        max_length=20,
        error_messages={"required": "Enter a recovery code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}
        ),
    )


PASSWORD_HINT = "At least 15 characters. A few unrelated words make a strong password."  # noqa: S105


def _gov_uk_password_fields(form: forms.Form) -> None:
    form.fields["new_password1"].help_text = PASSWORD_HINT
    for name, field in form.fields.items():
        field.error_messages.setdefault("required", f"Enter {str(field.label or name).lower()}")
        if name.startswith("new_password") or name.startswith("password"):
            field.widget.attrs.setdefault("autocomplete", "new-password")


class ChoosePasswordForm(GovUKForm):
    """A new password, checked against the validators in settings (15+ characters, common)."""

    page_title = "Choose your password"
    submit_label = "Continue"

    password1 = forms.CharField(
        label="New password",
        strip=False,
        help_text=PASSWORD_HINT,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password"},
    )
    password2 = forms.CharField(
        label="Confirm new password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the new password again"},
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class GovUKPasswordResetForm(GovUKFormMixin, PasswordResetForm):
    page_title = "Reset your password"
    submit_label = "Send reset link"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            }
        )


class GovUKSetPasswordForm(GovUKFormMixin, SetPasswordForm):
    page_title = "Choose a new password"
    submit_label = "Reset password"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _gov_uk_password_fields(self)


class GovUKPasswordChangeForm(GovUKFormMixin, PasswordChangeForm):
    page_title = "Change your password"
    submit_label = "Change password"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _gov_uk_password_fields(self)
        self.fields["old_password"].widget.attrs["autocomplete"] = "current-password"


class DigestForm(GovUKForm):
    page_title = "Weekly email of your work"
    submit_label = "Save"

    weekly = forms.ChoiceField(
        label="Do you want a weekly email of your work?",
        help_text="Once a week PAQA emails you what is due from you or your organisation and "
        "what is waiting for you, with how late anything is. You get no email in a week when "
        "nothing is due.",
        choices=[("yes", "Yes, email me once a week"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you want a weekly email"},
    )
