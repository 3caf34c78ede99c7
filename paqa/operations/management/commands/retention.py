from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from paqa.operations.retention import retention_run


class Command(BaseCommand):
    help = (
        "Replace words about individual children's cases (older than "
        "PAQA_RETENTION_AUDIT_CASE_YEARS) and survey free text (older than "
        "PAQA_RETENTION_SURVEY_TEXT_YEARS) with a marker. A dry run unless --apply; every run "
        "is recorded and logged. Grades, choices, codes and figures stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="make the changes")

    def handle(self, *args: Any, **options: Any) -> None:
        run = retention_run(apply=options["apply"])
        verb = "Changed" if run.applied else "Would change (dry run; --apply to change)"
        self.stdout.write(
            f"Keeping case-level audit words {settings.PAQA_RETENTION_AUDIT_CASE_YEARS} years "
            f"and survey free text {settings.PAQA_RETENTION_SURVEY_TEXT_YEARS} years."
        )
        for kind, cutoff in run.cutoffs.items():
            self.stdout.write(f"  {kind}: {cutoff}")
        for kind, count in run.counts.items():
            self.stdout.write(f"{verb}: {count} {kind}")
