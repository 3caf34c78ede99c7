from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.operations.backups import BackupError, check_backup, restore


class Command(BaseCommand):
    help = (
        "Restore the database and uploaded files from a `paqa backup` folder: the backup is "
        "checked first, what it replaces is backed up to var/backups, and the restored "
        "database is compared with the backup's counts and checksums. Stop the app first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="the backup folder")
        parser.add_argument(
            "--check", action="store_true", help="only check the backup's files; change nothing"
        )
        parser.add_argument("--yes", action="store_true", help="replace the data without asking")
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="do not back up the data being replaced",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["backup"]
        problems, manifest = check_backup(folder)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{folder}: {len(problems)} problem(s); nothing was changed")
        rows = sum(table["count"] for table in manifest["tables"].values())
        summary = (
            f"{folder}: {manifest['database']} backup of {manifest['created_at']}, "
            f"{len(manifest['tables'])} tables, {rows:,} rows"
        )
        if options["check"]:
            self.stdout.write(f"{summary}: its files match its manifest")
            return
        if not options["yes"]:
            answer = input(f"{summary}\nReplace every record here with the backup's? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing was changed")
        safety_dir = None if options["no_safety_backup"] else Path(settings.VAR_DIR) / "backups"
        try:
            safety, differences = restore(folder, safety_dir=safety_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if safety is not None:
            self.stdout.write(f"What was replaced is backed up in {safety}")
        for difference in differences:
            self.stderr.write(difference)
        if differences:
            raise CommandError(
                f"Restored, but {len(differences)} table(s) differ from the backup's manifest"
            )
        self.stdout.write(f"Restored {summary}: every table's count and checksum matches")
