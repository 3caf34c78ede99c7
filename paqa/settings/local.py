"""Settings for a developer's machine and `paqa demo`: the embedded SQLite database."""

from django.core.management.utils import get_random_secret_key

from .base import *
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_secret_key() -> str:
    """A key made once per checkout and kept in var/, so sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()
