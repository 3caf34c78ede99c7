from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.operations.exporting import ExportError, check_export, export_all


class Command(BaseCommand):
    help = (
        "Export every record of every part as CSV and JSON, with a manifest of counts and "
        "checksums and copies of uploaded files (secrets are left out). With --check, check an "
        "export against its manifest and the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="a new folder to write the export to")
        parser.add_argument("--check", type=Path, metavar="FOLDER", help="check an export")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            problems, manifest = check_export(options["check"])
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"{options['check']}: {len(problems)} problem(s)")
            rows = sum(table["count"] for table in manifest["tables"].values())
            self.stdout.write(
                f"{options['check']}: {len(manifest['tables'])} tables, {rows:,} rows, "
                f"{len(manifest['files'])} files: every checksum and count matches"
            )
            return
        if not options["output"]:
            raise CommandError("Name the folder to write to: --output FOLDER")
        try:
            manifest = export_all(options["output"])
        except ExportError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["count"] for table in manifest["tables"].values())
        self.stdout.write(
            f"{options['output']}: {len(manifest['tables'])} tables, {rows:,} rows, "
            f"{len(manifest['files'])} files; manifest.json lists counts and checksums"
        )
