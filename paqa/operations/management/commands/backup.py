from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.operations.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite or PostgreSQL) and uploaded files into a new folder, with "
        "a manifest of every table's row count and checksum."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="the folder to put the backup in (default: var/backups)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(settings.VAR_DIR) / "backups"
        try:
            folder, manifest = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["count"] for table in manifest["tables"].values())
        self.stdout.write(
            f"{folder}: {manifest['database']} backup, {len(manifest['tables'])} tables, "
            f"{rows:,} rows, {len(manifest['uploads'])} uploaded files"
        )
