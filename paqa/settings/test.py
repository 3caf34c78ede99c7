"""Settings for the test suite. DATABASE_URL picks SQLite (default) or PostgreSQL."""

from .base import *
from .base import env

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
DEBUG = False
# Argon2 is what production uses (asserted in tests); it is slow by design, so tests use MD5.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PAQA_REQUIRE_MFA = env.bool("PAQA_REQUIRE_MFA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
PAQA_TASKS_INLINE = True  # background work runs in the test, in order
PAQA_TASK_PACKAGES = ("paqa", "tests")  # tests mark their own functions as tasks
