"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # the `paqa` package
PROJECT_DIR = BASE_DIR.parent

env = environ.Env()
environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("PAQA_VAR_DIR", default=str(PROJECT_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "paqa.core",
    "paqa.accounts",
    "paqa.partnership",
    "paqa.indicators",
    "paqa.returns",
    "paqa.actions",
    "paqa.assessments",
    "paqa.audits",
    "paqa.surveys",
    "paqa.voice",
    "paqa.escalations",
    "paqa.themes",
    "paqa.reports",
    "paqa.operations",
    "paqa.demo",
    "rest_framework",
    "drf_spectacular",
    "django.forms",  # after our apps: our GOV.UK field templates override its defaults
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "paqa.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "paqa.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "paqa.urls"
WSGI_APPLICATION = "paqa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "paqa.core.context_processors.site",
                "paqa.partnership.context_processors.partnership",
            ],
        },
    }
]
# GOV.UK markup for every form field comes from our templates (paqa/core/templates/django/forms).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'paqa.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write lock at the
    # start of a transaction so concurrent writers queue (up to `timeout`) instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PAQA_MEMBERSHIP_MODEL = "partnership.Membership"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["paqa.partnership.api_auth.OrganisationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PAQA API",
    "DESCRIPTION": "Submit the local safeguarding data set from an organisation's own systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 12  # absolute limit; the idle limit below ends most sessions
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "paqa_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "paqa.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# One Save on the coding page posts a field per ticked code on up to 100 answers; Django's
# default (1,000) would refuse a busy page. Still bounded, so a flood of fields is refused.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# PAQA's own settings
PAQA_REQUIRE_MFA = env.bool("PAQA_REQUIRE_MFA", default=True)
PAQA_IDLE_TIMEOUT_SECONDS = env.int("PAQA_IDLE_TIMEOUT_SECONDS", default=30 * 60)
PAQA_IDLE_WARNING_SECONDS = env.int("PAQA_IDLE_WARNING_SECONDS", default=2 * 60)
PAQA_INVITATION_DAYS = env.int("PAQA_INVITATION_DAYS", default=7)
# Failed sign-in throttling (see paqa/accounts/throttling.py and docs/adr/0004).
PAQA_SIGN_IN_WINDOW_SECONDS = env.int("PAQA_SIGN_IN_WINDOW_SECONDS", default=15 * 60)
PAQA_SIGN_IN_MAX_FAILURES_PER_IP = env.int("PAQA_SIGN_IN_MAX_FAILURES_PER_IP", default=20)
PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT_AND_IP = env.int(
    "PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT_AND_IP", default=5
)
PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT = env.int("PAQA_SIGN_IN_MAX_FAILURES_PER_ACCOUNT", default=50)
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
PAQA_TRUSTED_PROXY_COUNT = env.int("PAQA_TRUSTED_PROXY_COUNT", default=0)
PAQA_DEMO = env.bool("PAQA_DEMO", default=False)

OTP_TOTP_ISSUER = env.str("PAQA_TOTP_ISSUER", default="PAQA")
OTP_TOTP_THROTTLE_FACTOR = 1

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="paqa@localhost")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "uploads"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "paqa": {"handlers": ["console"], "level": env.str("PAQA_LOG_LEVEL", default="INFO")},
        "django.request": {"handlers": ["console"], "level": "WARNING"},
    },
}
PAQA_SURVEY_POSTS_PER_MINUTE = env.int("PAQA_SURVEY_POSTS_PER_MINUTE", default=60)

# Background work goes through the Django tasks API (django-tasks, the backport of Django 6's
# django.tasks); see paqa/core/tasks.py and docs/adr/0015-task-queue.md. PAQA_TASKS picks the
# backend: "thread" runs it in a thread of the app process (the embedded default: `paqa demo`
# needs no worker), "worker" queues it in the database for `paqa worker` (production). A
# settings module that sets TASKS itself swaps the backend outright (RQ: docs/production.md).
PAQA_TASK_BACKENDS = {
    "thread": "paqa.core.task_backends.ThreadBackend",
    "worker": "django_tasks_db.DatabaseBackend",
}
PAQA_TASKS = env.str("PAQA_TASKS", default="thread")
if PAQA_TASKS not in PAQA_TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"PAQA_TASKS must be one of {', '.join(PAQA_TASK_BACKENDS)}, not {PAQA_TASKS!r} (or set "
        "TASKS in a settings module of your own: see docs/production.md)"
    )
TASKS = {"default": {"BACKEND": PAQA_TASK_BACKENDS[PAQA_TASKS]}}
# Installed whatever the backend, so the queue's table exists and migrations are the same.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
# `paqa worker` runs only functions marked @task in modules of these packages.
PAQA_TASK_PACKAGES: tuple[str, ...] = ("paqa",)
# A worker writes a heartbeat this often; one silent for PAQA_WORKER_ABANDONED_AFTER_SECONDS is
# taken for dead and its task put back in the queue, up to PAQA_TASK_MAX_ATTEMPTS tries in all.
PAQA_WORKER_HEARTBEAT_SECONDS = env.float("PAQA_WORKER_HEARTBEAT_SECONDS", default=10.0)
PAQA_WORKER_ABANDONED_AFTER_SECONDS = env.float("PAQA_WORKER_ABANDONED_AFTER_SECONDS", default=60.0)
PAQA_TASK_MAX_ATTEMPTS = 3

# Retention (`paqa retention`): case-level audit answers and survey free text older than this
# are anonymised; figures, grades and codes stay.
PAQA_RETENTION_AUDIT_CASE_YEARS = env.int("PAQA_RETENTION_AUDIT_CASE_YEARS", default=6)
PAQA_RETENTION_SURVEY_TEXT_YEARS = env.int("PAQA_RETENTION_SURVEY_TEXT_YEARS", default=3)
# Statutory returns (paqa.returns): child-level records are deleted this many years after the
# end of their collection year (the look-back for repeat plans needs the two years before).
PAQA_RETENTION_RETURN_YEARS = env.int("PAQA_RETENTION_RETURN_YEARS", default=3)
# The key for children's pseudonyms. Keep it stable: a new key means this year's children no
# longer link to earlier years'. Empty: derived from SECRET_KEY.
PAQA_PSEUDONYM_KEY = env.str("PAQA_PSEUDONYM_KEY", default="")
# Largest file taken for a statutory return (each CSV table or XML).
PAQA_RETURN_MAX_BYTES = env.int("PAQA_RETURN_MAX_BYTES", default=500 * 1024 * 1024)

# The cache holds rate-limit counters. One process: memory is enough. Several app servers must
# share one: CACHE_URL=dbcache://paqa_cache (then `paqa createcachetable`) or a Redis URL.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Drawn charts (paqa/core/charts.py) are kept where every process finds them: in the shared cache
# when CACHE_URL names one (a table of their own when it is the database cache, so the small,
# busy rate-limit table never culls them), else as files in var/chart-cache (beside the media
# root, not inside it: files under MEDIA_ROOT could be served, and Django's deploy check refuses
# that). PAQA_CHART_CACHE_URL overrides both.
_SHARED_CACHE = env.str("CACHE_URL", default="")
if _SHARED_CACHE.startswith("dbcache://"):
    _CHART_CACHE_DEFAULT = "dbcache://paqa_chart_cache"
elif _SHARED_CACHE and not _SHARED_CACHE.startswith("locmem"):
    _CHART_CACHE_DEFAULT = _SHARED_CACHE
else:
    _CHART_CACHE_DEFAULT = f"filecache://{VAR_DIR / 'chart-cache'}"
CACHES["charts"] = env.cache_url("PAQA_CHART_CACHE_URL", default=_CHART_CACHE_DEFAULT)
CACHES["charts"].setdefault("TIMEOUT", 60 * 60 * 24 * 30)
CACHES["charts"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
