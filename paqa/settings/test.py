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
# Background work runs at once, in the test that asked for it (the framework's immediate backend);
# the worker tests start real `paqa worker` processes with PAQA_TEST_TASKS=worker.
TASKS = {
    "default": {
        "BACKEND": PAQA_TASK_BACKENDS[env.str("PAQA_TEST_TASKS")]
        if env.str("PAQA_TEST_TASKS", default="")
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}
PAQA_TASK_PACKAGES = ("paqa", "tests")  # tests mark their own functions as tasks
# Each test process draws its own charts: nothing is written under the media root.
CACHES = {
    **CACHES,
    "charts": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "charts"},
}
