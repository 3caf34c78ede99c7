from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from paqa.core.access import Role
from paqa.demo.loader import demo_everything_load, demo_returns_write
from paqa.partnership.demo import DEMO_PASSWORD, DEMO_PEOPLE


class Command(BaseCommand):
    help = (
        "Create the embedded database, load the demonstration partnership, print the demo "
        "sign-ins and serve PAQA on 127.0.0.1:8000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="where to serve")
        parser.add_argument(
            "--no-serve", action="store_true", help="load the data and stop, without serving"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        partnership = demo_everything_load()
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the demonstration partnership: {partnership}")
        )
        returns = demo_returns_write(settings.VAR_DIR / "demo-returns")
        url = f"http://{options['addrport']}/"
        lines = [
            "",
            f"PAQA is at {url}",
            "",
            f"Demo sign-ins (every password: {DEMO_PASSWORD})",
        ]
        for person in DEMO_PEOPLE:
            lines.append(
                f"  {Role(person.role).label:<18} {person.email:<28} {person.organisation}"
            )
        lines += [
            "",
            "Fake statutory returns to load on Data > Statutory returns (as the analyst): "
            f"{returns}",
            "(the figures they must give are in known-answers.txt beside them)",
        ]
        if not settings.PAQA_REQUIRE_MFA:
            lines += ["", "Two-factor authentication is OFF in this demo (PAQA_REQUIRE_MFA=0)."]
        self.stdout.write("\n".join(lines) + "\n")
        if options["no_serve"]:
            return
        call_command("runserver", options["addrport"], use_reloader=False, skip_checks=True)
