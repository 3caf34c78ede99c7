from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.returns.figures import ASSESSMENT_STARTS, BY_CODE
from paqa.returns.services import return_load

MAX_PROBLEMS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Load a statutory return: an SSDA903 as its CSV tables (recognised by their columns) or "
        "its XML, or a CIN census XML. Child identifiers become pseudonyms, dates of birth "
        "months and postcodes districts before anything is kept. All or nothing: every problem "
        "is listed by table, row and field, and nothing is stored. The figures are written to "
        "the data set as provisional observations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and compute, but store nothing"
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="the collection year, by the year it ends in (2019 for 2018-19); an SSDA903 "
            "return's is otherwise worked out from its latest date, a CIN census's is in its "
            "header",
        )
        parser.add_argument(
            "--assessment-start",
            choices=sorted(ASSESSMENT_STARTS),
            default="assessment",
            help="count an assessment's 45 working days from its start (default) or from the "
            "referral",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        with ExitStack() as stack:
            files = [(path.name, stack.enter_context(path.open("rb"))) for path in paths]
            loaded = return_load(
                files=files,
                actor=None,
                year=options["year"],
                assessment_start=options["assessment_start"],
                dry_run=options["dry_run"],
            )
        if not loaded.ok:
            for problem in loaded.problems[:MAX_PROBLEMS_SHOWN]:
                self.stderr.write(str(problem))
            if len(loaded.problems) > MAX_PROBLEMS_SHOWN:
                self.stderr.write(f"... and {len(loaded.problems) - MAX_PROBLEMS_SHOWN} more")
            raise CommandError(f"{len(loaded.problems)} problem(s); nothing was stored")
        year = loaded.year.code if loaded.year else "?"
        tables = ", ".join(f"{name} {count:,}" for name, count in loaded.rows_read.items())
        self.stdout.write(
            f"{'SSDA903' if loaded.kind == 'ssda903' else 'CIN census'} {year}: "
            f"{loaded.children:,} children ({tables})"
        )
        for code, figure in loaded.figures.items():
            definition = BY_CODE[code]
            shown = f"{figure.value:,.0f}" if definition.unit == "count" else f"{figure.value}%"
            if figure.denominator is not None:
                shown += f" ({figure.numerator:,} of {figure.denominator:,})"
            self.stdout.write(f"  {definition.name}: {shown}")
        if options["dry_run"]:
            self.stdout.write("Nothing stored (dry run).")
            return
        summary = loaded.observations
        written = (
            f"{summary.created} new, {summary.changed} changed, {summary.unchanged} unchanged"
            if summary
            else "none: the partnership has no home area"
        )
        replaced = f"; replaced {loaded.replaced} earlier load(s)" if loaded.replaced else ""
        self.stdout.write(
            f"Stored as load {loaded.statutory_return.pk if loaded.statutory_return else '?'}"
            f"{replaced}. Provisional observations: {written}."
        )
