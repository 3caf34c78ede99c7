"""The `paqa` console command (also `python -m paqa`).

`paqa demo` builds the embedded database, loads the demonstration partnership and serves it on
127.0.0.1:8000, or on the port in PORT (`PORT=8010 paqa demo`; the demo command reads it), with
the demo banner and, unless PAQA_REQUIRE_MFA=1 is set, without two-factor sign-in;
every other word is passed to Django's management commands (`paqa migrate`, `paqa check`, ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paqa.settings.local")
    if args[:1] == ["demo"]:
        os.environ.setdefault("PAQA_DEMO", "1")
        os.environ.setdefault("PAQA_REQUIRE_MFA", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["paqa", *args])
    return 0
