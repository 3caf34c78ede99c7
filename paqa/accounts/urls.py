from django.contrib.auth import views as auth_views
from django.urls import path

from paqa.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/security-code/", views.mfa_verify, name="mfa-verify"),
    path("sign-in/recovery-code/", views.mfa_recovery, name="mfa-recovery"),
    path("sign-in/set-up-two-factor/", views.mfa_set_up, name="mfa-set-up"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("session/extend/", views.session_extend, name="session-extend"),
    path("account/", views.account, name="account"),
    path("account/weekly-email/", views.digest, name="digest"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("account/recovery-codes/new/", views.recovery_codes_new, name="recovery-codes-new"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]
