from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("Every person needs an email address.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalise_email(username or ""))


def normalise_email(email: str) -> str:
    """Email addresses compare case-insensitively: we store them lower-cased and trimmed."""
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may do comes from their memberships, not from here."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150)
    job_title = models.CharField("job title", max_length=150, blank=True)
    is_active = models.BooleanField("active", default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    digest_weekly = models.BooleanField(
        "weekly email of your work",
        default=False,
        help_text="A weekly email listing what is due from you and what is waiting for you",
    )
    digest_sent_on = models.DateField("last weekly email sent on", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "digest_sent_on"])

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)


class SignInEvent(models.Model):
    """Every sign-in event, kept for investigation and used to throttle guessing."""

    class Kind(models.TextChoices):
        PASSWORD_ACCEPTED = "password_accepted", "Password accepted"
        PASSWORD_REJECTED = "password_rejected", "Password rejected"
        THROTTLED = "throttled", "Refused: too many failures"
        SIGNED_IN = "signed_in", "Signed in"
        MFA_REJECTED = "mfa_rejected", "Security code rejected"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        MFA_SET_UP = "mfa_set_up", "Two-factor authentication set up"
        SIGNED_OUT = "signed_out", "Signed out"
        TIMED_OUT = "timed_out", "Signed out after inactivity"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
        PASSWORD_RESET = "password_reset", "Password reset"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        MFA_RESET = "mfa_reset", "Two-factor authentication reset by an admin"

    FAILURES = (Kind.PASSWORD_REJECTED,)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["ip_address", "kind", "created_at"]),
            models.Index(fields=["email", "kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.email} {self.created_at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator app is lost. Only a hash is kept."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")
        ]

    def __str__(self) -> str:
        return f"Recovery code for {self.user_id} ({'used' if self.used_at else 'unused'})"
