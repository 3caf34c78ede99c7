import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from paqa.accounts import signin
from paqa.accounts.digest import digest_preference_set
from paqa.accounts.forms import (
    DigestForm,
    GovUKPasswordChangeForm,
    GovUKPasswordResetForm,
    GovUKSetPasswordForm,
    RecoveryCodeForm,
    SecurityCodeForm,
    SignInForm,
)
from paqa.accounts.models import RecoveryCode, SignInEvent, User, normalise_email
from paqa.accounts.services import (
    recovery_code_use,
    recovery_codes_regenerate,
    sign_in_event_record,
    totp_device_confirm,
    totp_device_for,
    totp_device_start,
    totp_verify,
)
from paqa.accounts.throttling import check_sign_in_allowed
from paqa.core.form_pages import form_page
from paqa.core.forms import posted
from paqa.core.net import client_ip

THROTTLED_MESSAGE = (
    "You have tried to sign in too many times. Wait 15 minutes and try again, "
    "or reset your password"
)
WRONG_CREDENTIALS_MESSAGE = "Enter a correct email address and password"


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = SignInForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        email = normalise_email(form.cleaned_data["email"])
        decision = check_sign_in_allowed(request, email=email, ip_address=client_ip(request))
        if not decision.allowed:
            sign_in_event_record(request=request, kind=SignInEvent.Kind.THROTTLED, email=email)
            form.add_error(None, THROTTLED_MESSAGE)
            status = 429
        else:
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                sign_in_event_record(
                    request=request,
                    kind=SignInEvent.Kind.PASSWORD_REJECTED,
                    email=email,
                    user=User.objects.filter(email=email).first(),
                )
                form.add_error(None, WRONG_CREDENTIALS_MESSAGE)
            else:
                sign_in_event_record(
                    request=request, kind=SignInEvent.Kind.PASSWORD_ACCEPTED, user=user
                )
                if not settings.PAQA_REQUIRE_MFA:
                    return signin.complete_sign_in(
                        request, user, mfa_verified=False, redirect_to=next_url
                    )
                signin.start_pending(request, user, next_url)
                if totp_device_for(user) is None:
                    return redirect("accounts:mfa-set-up")
                return redirect("accounts:mfa-verify")
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "next": next_url,
            "timed_out": request.GET.get("timed_out") == "1",
        },
        status=status,
    )


def _pending_or_restart(request: HttpRequest) -> User | HttpResponse:
    user = signin.pending_user(request)
    if user is None:
        messages.info(request, "Your sign-in took too long. Sign in again.")
        return redirect("accounts:sign-in")
    return user


@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = _pending_or_restart(request)
    if isinstance(user, HttpResponse):
        return user
    if totp_device_for(user) is None:
        return redirect("accounts:mfa-set-up")
    form = SecurityCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if totp_verify(user=user, token=form.cleaned_data["code"]):
            return signin.complete_sign_in(request, user, mfa_verified=True)
        sign_in_event_record(request=request, kind=SignInEvent.Kind.MFA_REJECTED, user=user)
        form.add_error(
            "code", "The security code is wrong or has already been used. Enter the current code"
        )
    return render(request, "accounts/mfa_verify.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_recovery(request: HttpRequest) -> HttpResponse:
    user = _pending_or_restart(request)
    if isinstance(user, HttpResponse):
        return user
    form = RecoveryCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if recovery_code_use(user=user, code=form.cleaned_data["code"]):
            sign_in_event_record(
                request=request, kind=SignInEvent.Kind.RECOVERY_CODE_USED, user=user
            )
            response = signin.complete_sign_in(request, user, mfa_verified=True)
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            messages.warning(
                request,
                f"You used a recovery code. You have {left} left. If you have lost your "
                "authenticator, set up a new one from Your account.",
            )
            return response
        sign_in_event_record(request=request, kind=SignInEvent.Kind.MFA_REJECTED, user=user)
        form.add_error("code", "That recovery code is wrong or has already been used")
    return render(request, "accounts/mfa_recovery.html", {"form": form})


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _secret_for_typing(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_not_required
@require_http_methods(["GET", "POST"])
def mfa_set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: during sign-in (first time) or from Your account (replace)."""
    signed_in = request.user.is_authenticated
    if signed_in:
        user = signin.acting_user(request)
    else:
        pending = _pending_or_restart(request)
        if isinstance(pending, HttpResponse):
            return pending
        user = pending
        if totp_device_for(user) is not None:
            # Someone who has an authenticator must prove it before replacing it.
            return redirect("accounts:mfa-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or request.method == "GET":
        device = totp_device_start(user=user)
    form = SecurityCodeForm(posted(request))
    form.page_title = "Set up two-factor authentication"
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(user=user, device=device, token=form.cleaned_data["code"]):
            sign_in_event_record(request=request, kind=SignInEvent.Kind.MFA_SET_UP, user=user)
            codes = recovery_codes_regenerate(user=user)
            if signed_in:
                response: HttpResponse = redirect("accounts:recovery-codes")
                request.session[signin.MFA_VERIFIED] = True
            else:
                response = signin.complete_sign_in(
                    request, user, mfa_verified=True, redirect_to=reverse("accounts:recovery-codes")
                )
            request.session[signin.NEW_RECOVERY_CODES] = codes
            return response
        form.add_error("code", "The security code is wrong. Enter the code your app shows now")
    return render(
        request,
        "accounts/mfa_set_up.html",
        {"form": form, "qr_data_uri": _qr_svg(device), "secret": _secret_for_typing(device)},
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows newly made recovery codes, once."""
    codes = request.session.pop(signin.NEW_RECOVERY_CODES, None)
    if not codes:
        return redirect("accounts:account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = signin.acting_user(request)
    if totp_device_for(user) is None:
        return redirect("accounts:mfa-set-up")
    request.session[signin.NEW_RECOVERY_CODES] = recovery_codes_regenerate(user=user)
    return redirect("accounts:recovery-codes")


def account(request: HttpRequest) -> HttpResponse:
    user = signin.acting_user(request)
    return render(
        request,
        "accounts/account.html",
        {
            "has_authenticator": totp_device_for(user) is not None,
            "recovery_codes_left": RecoveryCode.objects.filter(
                user=user, used_at__isnull=True
            ).count(),
            "recent_events": SignInEvent.objects.filter(user=user)[:10],
        },
    )


@require_POST
@login_not_required
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        user = signin.acting_user(request)
        sign_in_event_record(request=request, kind=SignInEvent.Kind.SIGNED_OUT, user=user)
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:sign-in")


@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    signin.session_touch(request)
    if request.headers.get("Accept", "").startswith("application/json"):
        return HttpResponse(status=204)
    return HttpResponseRedirect(signin.safe_next_url(request, request.headers.get("Referer")))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = GovUKPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form: GovUKPasswordResetForm) -> HttpResponse:
        sign_in_event_record(
            request=self.request,
            kind=SignInEvent.Kind.PASSWORD_RESET_REQUESTED,
            email=form.cleaned_data["email"],
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Sets a new password and stops there: the person then signs in, second factor and all."""

    form_class = GovUKSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    post_reset_login = False

    def form_valid(self, form: GovUKSetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_event_record(
            request=self.request, kind=SignInEvent.Kind.PASSWORD_RESET, user=form.user
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = GovUKPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: GovUKPasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        signin.session_touch(self.request)
        messages.success(self.request, "Your password has been changed.")
        return response


@require_http_methods(["GET", "POST"])
def digest(request: HttpRequest) -> HttpResponse:
    """Turn the weekly email of one's own work on or off."""
    user = signin.acting_user(request)
    initial = {"weekly": "yes" if user.digest_weekly else "no"}
    form = DigestForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        weekly = form.cleaned_data["weekly"] == "yes"
        digest_preference_set(user=user, weekly=weekly)
        messages.success(
            request,
            "You will get a weekly email of your work."
            if weekly
            else "You will not get a weekly email of your work.",
        )
        return redirect("core:home")
    return form_page(
        request,
        form,
        caption="Your account",
        cancel_url=reverse("core:home"),
        status=400 if request.method == "POST" else 200,
    )
