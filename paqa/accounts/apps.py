from typing import Any

from django.apps import AppConfig


def _update_last_login_without_history(sender: Any, user: Any, **kwargs: Any) -> None:
    """Stamp last_login without adding a history row: a sign-in is logged as a SignInEvent."""
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving


class AccountsConfig(AppConfig):
    name = "paqa.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(
            _update_last_login_without_history, dispatch_uid="paqa_update_last_login"
        )
