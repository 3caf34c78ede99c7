from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.indicators.importing import ImportFileError
from paqa.indicators.services import observations_import_file


class Command(BaseCommand):
    help = (
        "Import indicator observations from a CSV or XLSX file in the long format "
        "(indicator,area,period,value,numerator,denominator,status,note). All or nothing: any "
        "bad row is reported with its row number, column and reason, and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, but write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            with path.open("rb") as stream:
                result, summary = observations_import_file(
                    name=path.name, stream=stream, dry_run=options["dry_run"]
                )
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from error
        if not result.ok:
            for problem in result.errors:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path}: {len(result.errors)} problem(s) in {len({e.row for e in result.errors})} "
                "row(s); nothing was imported"
            )
        if summary is None:  # only when there were errors, handled above
            raise CommandError(f"{path}: nothing was imported")
        verb = "would create" if options["dry_run"] else "created"
        self.stdout.write(
            f"{path}: {len(result.rows)} rows checked; {verb} {summary.created}, "
            f"{'would change' if options['dry_run'] else 'changed'} {summary.changed}, "
            f"{summary.unchanged} unchanged"
            + ("; nothing written (dry run)" if options["dry_run"] else "")
        )
