import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from paqa.accounts.models import User
from paqa.core.access import Capability, Role, access_for
from paqa.reports import selectors
from paqa.reports.models import Report, ReportExport
from paqa.reports.rendering import render


def _acting_user(email: str) -> User:
    """The person the report is read as: the one named, or the longest-standing partnership
    admin. The report shows what they may see, as it would on the site."""
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"--as {email}: no active person with that email address")
    else:
        user = (
            User.objects.filter(
                is_active=True,
                memberships__role=Role.PARTNERSHIP_ADMIN,
                memberships__archived_at__isnull=True,
            )
            .order_by("memberships__created_at", "pk")
            .first()
        )
        if user is None:
            raise CommandError("No partnership admin to read the report as: pass --as EMAIL")
    if not access_for(user).can(Capability.DRAFT_REPORTS):
        raise CommandError(f"{user.email} may not read drafts of the report: pass --as EMAIL")
    return user


class Command(BaseCommand):
    help = (
        "Write the annual report for a year to a file: the draft as it reads now (drafted from "
        "the evidence), or a published version with --published N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="the reporting year, like 2018-19")
        parser.add_argument(
            "--format", choices=ReportExport.Format.values, default="pdf", dest="file_format"
        )
        parser.add_argument("--output", type=Path, help="the file to write (default: in here)")
        parser.add_argument(
            "--published", type=int, dest="number", metavar="N", help="published version N"
        )
        parser.add_argument("--as", dest="email", default="", help="read the report as this person")
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000/",
            help="the site's address, for the links from each figure to its evidence",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        year: str = options["year"]
        user = _acting_user(options["email"])
        if not Report.objects.filter(year=year).exists():
            raise CommandError(
                f"No report for {year} has been started: start it on the Annual report page"
            )
        started = time.perf_counter()
        if options["number"]:
            try:
                version = selectors.version_get(user=user, year=year, number=options["number"])
            except Http404 as missing:
                raise CommandError(
                    f"{year} has no published version {options['number']}"
                ) from missing
            content = selectors.version_content(version=version)
            which = f"version-{version.number}"
        else:
            report = selectors.report_for_drafting(user=user, year=year)
            content = selectors.draft_content(user=user, report=report, progress=self._progress)
            which = "draft"
        data = render(
            content, options["file_format"], site_url=options["site_url"], progress=self._progress
        )
        output: Path = options["output"] or Path(
            f"paqa-report-{year}-{which}.{options['file_format']}"
        )
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}") from error
        self.stdout.write(
            f"{output}: {len(data):,} bytes ({options['file_format']}, {which}) "
            f"in {time.perf_counter() - started:.1f} s"
        )

    def _progress(self, percent: int, step: str) -> None:
        if self.verbosity >= 2:
            self.stderr.write(f"{percent:3d}% {step}")
