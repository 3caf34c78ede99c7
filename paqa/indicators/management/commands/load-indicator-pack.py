from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.indicators.services import CORE_PACK, PackError, indicator_pack_load
from paqa.partnership.selectors import partnership_current


class Command(BaseCommand):
    help = "Load indicator definitions from a YAML pack (default: the core pack shipped with PAQA)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pack", nargs="?", type=Path, default=CORE_PACK)
        parser.add_argument(
            "--update",
            action="store_true",
            help="also refresh indicators loaded from an older version of the pack",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = indicator_pack_load(
                partnership=partnership_current(), path=options["pack"], update=options["update"]
            )
        except PackError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Pack {result.version}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} left as they were"
        )
