import argparse
import os
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from paqa.core.access import Role
from paqa.demo.loader import demo_everything_load, demo_returns_write
from paqa.demo.scale import (
    DEFAULT_SEED,
    ScaleError,
    ScaleSummary,
    check_scale,
    demo_scale_load,
    scaled_copies,
)
from paqa.partnership.demo import DEMO_PASSWORD, DEMO_PEOPLE
from paqa.surveys.demo import open_public_surveys

DEMO_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def demo_addrport(addrport: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Where `paqa demo` serves: `--addrport` when given, else 127.0.0.1 on the port in the
    PORT environment variable (as `PORT=8010 make demo`), else 127.0.0.1:8000."""
    if addrport:
        return addrport
    port = (os.environ if environ is None else environ).get("PORT", "").strip()
    if not port:
        return f"{DEMO_HOST}:{DEFAULT_PORT}"
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise CommandError(f"PORT must be a port number from 1 to 65535, like 8010, not {port!r}")
    return f"{DEMO_HOST}:{int(port)}"


def _scale(value: str) -> int:
    try:
        return check_scale(int(value) if value.strip().isdigit() else value)
    except ScaleError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


class Command(BaseCommand):
    help = (
        "Create the embedded database, load the demonstration partnership, print the demo "
        "sign-ins and serve PAQA on 127.0.0.1:8000 (or on the port in PORT)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addrport",
            default=None,
            help=f"where to serve (default {DEMO_HOST}:$PORT, or {DEMO_HOST}:{DEFAULT_PORT} "
            "when PORT is not set)",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="load the data and stop, without serving"
        )
        parser.add_argument(
            "--scale",
            type=_scale,
            default=1,
            metavar="N",
            help="make the partnership N times the demo with made-up copies, for benchmarks "
            "and tests (1, the default, is the demo as it is); running again with a larger N "
            "adds the copies missing",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help=f"the seed the copies are drawn from (default {DEFAULT_SEED}, or the one "
            "the partnership was scaled with before)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        addrport = demo_addrport(options["addrport"])
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        partnership = demo_everything_load()
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the demonstration partnership: {partnership}")
        )
        if options["scale"] > 1 or options["seed"] is not None:
            self._scale(options["scale"], options["seed"])
        returns = demo_returns_write(settings.VAR_DIR / "demo-returns")
        url = f"http://{addrport}/"
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
        lines.append("Which sign-in shows what: see README.md, “A tour of the demo”.")
        for survey in open_public_surveys():
            lines += [
                "",
                f"{survey} is open until {survey.closes_on:%-d %B %Y} (made-up responses); "
                "answer it at:",
                f"  {url.rstrip('/')}{reverse('surveys:public-start', args=[survey.public_slug])}",
            ]
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
        call_command("runserver", addrport, use_reloader=False, skip_checks=True)

    def _scale(self, scale: int, seed: int | None) -> None:
        if seed is None:
            seed = scaled_copies()[1] or DEFAULT_SEED
        try:
            summary = demo_scale_load(scale=scale, seed=seed)
        except ScaleError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self._scaled(summary, asked=scale))

    def _scaled(self, summary: ScaleSummary, *, asked: int) -> str:
        if not summary.copies_added:
            more = f", more than {asked}×" if summary.scale > asked else ""
            return (
                f"The partnership already holds {summary.scale}× the demonstration data "
                f"(seed {summary.seed}{more}): nothing added."
            )
        counts = summary.counts
        copies = ", ".join(str(copy) for copy in summary.copies_added)
        return "\n".join(
            [
                self.style.SUCCESS(
                    f"Scaled the demonstration partnership to {summary.scale}× (seed "
                    f"{summary.seed}): made-up copies {copies}, {summary.rows_added:,} rows "
                    f"in {summary.seconds:.1f} s"
                ),
                f"  {counts['agencies']:,} agencies, {counts['practitioner responses']:,} "
                f"practitioner responses, {counts['audits']:,} audits with "
                f"{counts['audit cases']:,} cases, {counts['self-assessment returns']:,} "
                f"self-assessment returns, {counts['actions']:,} actions, "
                f"{counts['escalations']:,} escalations, {counts['voice records']:,} voice "
                f"records, {counts['areas']:,} areas",
                f"  checksum of the rows added: {summary.checksum}",
            ]
        )
