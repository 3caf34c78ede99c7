from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paqa.returns.synthetic import (
    SUPPORTED_YEARS,
    Answer,
    generate_903,
    generate_cin,
)


class Command(BaseCommand):
    help = (
        "Write synthetic statutory returns with known answers (fake children only): a CIN "
        "census (cin-YEAR.xml; with --with-previous-year also cin-(YEAR-1).xml, the same "
        "children a year earlier) and an SSDA903 return (ssda903-YEAR/: header.csv, "
        "episodes.csv, missing.csv; with --903-xml also ssda903.xml). Prints the figures that "
        "paqa.returns.compute must give for them. The same seed gives the same files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", type=Path, help="directory to write into (made if need be)")
        parser.add_argument(
            "--children", type=int, default=1000, help="children in each return (1000)"
        )
        parser.add_argument(
            "--year",
            type=int,
            default=2019,
            help="the year the collection ends in: 2019 is 1 April 2018 to 31 March 2019 (2019)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--kind", choices=("cin", "903", "both"), default="both")
        parser.add_argument(
            "--with-previous-year",
            action="store_true",
            help="also the previous year's CIN census of the same children (for the figures "
            "that look back: repeat plans within two years, re-referrals)",
        )
        parser.add_argument(
            "--903-xml", action="store_true", dest="xml_903", help="also the SSDA903 XML form"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outdir: Path = options["outdir"]
        children: int = options["children"]
        year: int = options["year"]
        seed: int = options["seed"]
        if children < 1:
            raise CommandError("--children must be 1 or more")
        if year not in SUPPORTED_YEARS:
            raise CommandError(
                f"--year must be from {SUPPORTED_YEARS.start} to {SUPPORTED_YEARS.stop - 1}"
            )
        outdir.mkdir(parents=True, exist_ok=True)
        code = f"{year - 1}-{year % 100:02d}"
        if options["kind"] in ("cin", "both"):
            path = outdir / f"cin-{year}.xml"
            previous = outdir / f"cin-{year - 1}.xml" if options["with_previous_year"] else None
            cin = generate_cin(
                path, children=children, year_ends=year, seed=seed, previous=previous
            )
            self.stdout.write(f"Wrote {path} ({cin.children:,} children)")
            if previous is not None:
                self.stdout.write(
                    f"Wrote {previous} (the previous year: {cin.previous_children:,} of them)"
                )
            self._table(f"CIN census {code}: known answers", cin.figures())
            if options["verbosity"] > 1:
                self._scenarios(cin.scenarios)
        if options["kind"] in ("903", "both"):
            directory = outdir / f"ssda903-{year}"
            lac = generate_903(
                directory, children=children, year_ends=year, seed=seed, xml=options["xml_903"]
            )
            names = ", ".join(path.name for path in lac.files)
            self.stdout.write(f"Wrote {directory}: {names} ({lac.children:,} children)")
            self._table(f"SSDA903 {code}: known answers", lac.figures())
            if options["verbosity"] > 1:
                self._scenarios(lac.scenarios)

    def _table(self, title: str, figures: dict[str, Answer]) -> None:
        width = max(len(name) for name in figures)
        self.stdout.write("")
        self.stdout.write(title)
        self.stdout.write(
            f"  {'figure':<{width}}  {'numerator':>9}  {'denominator':>11}  {'value':>7}"
        )
        for name, answer in figures.items():
            denominator = "" if answer.denominator is None else f"{answer.denominator:,}"
            value = f"{answer.numerator:,}" if answer.denominator is None else f"{answer.value}%"
            self.stdout.write(
                f"  {name:<{width}}  {answer.numerator:>9,}  {denominator:>11}  {value:>7}"
            )
        self.stdout.write("")

    def _scenarios(self, scenarios: dict[str, int]) -> None:
        self.stdout.write("Children by scenario:")
        for name, count in sorted(scenarios.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"  {count:>7,}  {name}")
        self.stdout.write("")
