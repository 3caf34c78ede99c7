"""Benchmarks for the local safeguarding data set: the observation import and the data pages.

    .venv/bin/python bench/bench_indicators.py                     # SQLite, then PostgreSQL
    .venv/bin/python bench/bench_indicators.py --database sqlite   # one database only

Each database runs in a process of its own (so settings are fresh) against a real, throw-away
database: a temporary SQLite file (WAL, as settings.base configures it) or the `paqa_bench`
database on the PostgreSQL server, dropped at the end. The figures are compared with targets;
a missed target is reported, never a failure. A broken benchmark (an import that does not do
what it should, a page that is not a 200) exits non-zero. See bench/README.md.
"""

# ruff: noqa: S311 - pseudo-random figures for made-up data, not security

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import math
import os
import platform
import pstats
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from databases import (
    DATABASES,
    BenchmarkBroken,
    Skipped,
    Timed,
    add_database_arguments,
    django_setup,
    postgres_database,
    results_per_database,
    run_main,
    sqlite_database,
)

if TYPE_CHECKING:
    from django.test import Client

    from paqa.accounts.models import User

POSTGRES_DATABASE = "paqa_bench"
SETTINGS_MODULE = "paqa.settings.test"

# Targets (from the issue). Throughput: higher is better; latency: lower is better.
TARGET_IMPORT_ROWS_PER_S = 20_000
TARGET_DASHBOARD_P95_MS = 150.0

# The data the pages show: 60 indicators x 10 years x 4 areas.
PAGE_INDICATORS = 60
PAGE_YEARS = range(2010, 2020)  # periods ending in 2010 ... 2019
POPULATION_YEARS = range(2008, 2020)
DEFAULT_INDICATOR_PAGE = "re-referrals-12-months"
ANALYST_EMAIL = "analyst@demo.example"

# The import: its own indicators, areas and periods, so it never touches the pages' data.
IMPORT_INDICATORS = 100
IMPORT_AREAS = 50
IMPORT_YEARS = 20
IMPORT_PREFIX = "bench-import-"
SYNTHETIC_PREFIX = "bench-"

T = TypeVar("T")


# Results -------------------------------------------------------------------------------------


@dataclass
class ImportFigure:
    label: str
    rows: int
    seconds: float
    target_rows_per_s: float | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else math.inf


@dataclass
class PageFigure(Timed):
    label: str
    path: str
    timings_ms: list[float]
    queries: list[int]
    target_p95_ms: float | None = None


@dataclass
class Report:
    database: str
    server: str = ""
    skipped: str = ""
    setup_seconds: float = 0.0
    total_seconds: float = 0.0
    imports: list[ImportFigure] = field(default_factory=list)
    pages: list[PageFigure] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        data["imports"] = [ImportFigure(**figure) for figure in data["imports"]]
        data["pages"] = [PageFigure(**figure) for figure in data["pages"]]
        return cls(**data)


def log(database: str, message: str) -> None:
    print(f"[{database}] {message}", file=sys.stderr, flush=True)


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


# Databases -----------------------------------------------------------------------------------


# The data the pages show -----------------------------------------------------------------------


def period_code(kind: str, year: int) -> str:
    """The period of `kind` that ends in (or, for a year, just before) March `year`."""
    if kind == "financial_year":
        return f"{year - 1}-{year % 100:02d}"
    if kind == "quarter":
        return f"{year - 1}-{year % 100:02d} Q4"
    if kind == "month":
        return f"{year}-03"
    if kind == "snapshot":
        return f"{year}-03-31"
    return str(year - 1)


def figure(unit: str, rng: random.Random, base: float, step: int, scale: float) -> str:
    """A plausible value for one period: a drifting trend with some noise."""
    if unit == "percent":
        return f"{min(100.0, max(0.0, base + step * rng.uniform(-1.5, 2.0))):.1f}"
    value = base * scale * (1 + 0.04 * step) * rng.uniform(0.93, 1.07)
    if unit in ("count", "days"):
        return str(round(value))
    return f"{value:.1f}"


def synthetic_indicators(count: int, priorities: list[str]) -> list[dict[str, Any]]:
    """Indicator fields for `count` made-up indicators, varied like the core pack's."""
    kinds = [
        ("count", "neutral", "financial_year", 0, None, None),
        ("percent", "higher_is_better", "financial_year", 1, "85", "75"),
        ("count", "lower_is_better", "snapshot", 0, None, None),
        ("percent", "lower_is_better", "financial_year", 1, "20", "25"),
        ("days", "lower_is_better", "financial_year", 0, "30", "45"),
        ("number", "neutral", "snapshot", 1, None, None),
    ]
    fields = []
    for number in range(1, count + 1):
        unit, polarity, period_kind, decimals, target, amber = kinds[number % len(kinds)]
        fields.append(
            {
                "code": f"{SYNTHETIC_PREFIX}{number:02d}",
                "name": f"Benchmark indicator {number:02d}",
                "subject": f"The benchmark figure {number:02d}",
                "definition": "A made-up indicator for the benchmarks.",
                "unit": unit,
                "polarity": polarity,
                "frequency": "annual",
                "period_kind": period_kind,
                "decimals": decimals,
                "target": target,
                "amber_threshold": amber,
                "priority": priorities[number % len(priorities)],
                "themes": ["benchmark"],
                "sort_order": 1000 + number,
            }
        )
    return fields


@dataclass
class PageData:
    analyst: User
    area_names: list[str]
    indicator_count: int
    observation_rows: int


def build_page_data(database: str) -> PageData:
    """The demo partnership and people, 4 areas with populations, 60 indicators, 10 years."""
    from django.db import transaction

    from paqa.accounts.models import User
    from paqa.core.models import Area
    from paqa.indicators.demo import ENGLAND, NEIGHBOURS, OXFORDSHIRE, SOUTH_EAST
    from paqa.indicators.models import Indicator, Population
    from paqa.indicators.services import indicator_pack_load
    from paqa.partnership.demo import demo_load

    with transaction.atomic():
        partnership = demo_load()
        areas: list[Area] = []
        parent = None
        for code, name, kind in (ENGLAND, SOUTH_EAST, OXFORDSHIRE, NEIGHBOURS):
            parent = Area.objects.create(code=code, name=name, kind=kind, parent=parent)
            areas.append(parent)
        england, region, home, neighbours = areas
        partnership.home_area = home
        partnership.save(update_fields=["home_area"])
        scales = {home.pk: 1.0, neighbours.pk: 1.1, region.pk: 12.0, england.pk: 90.0}
        Population.objects.bulk_create(
            Population(
                area=area,
                year=year,
                value=round(140_000 * scales[area.pk] * (1 + 0.007 * (year - 2008))),
                note="Benchmark estimate",
            )
            for area in areas
            for year in POPULATION_YEARS
        )
        indicator_pack_load(partnership=partnership)
        priorities = list(
            Indicator.objects.order_by("sort_order").values_list("priority", flat=True).distinct()
        )
        organisations = list(partnership.organisations.order_by("pk"))
        live = Indicator.objects.filter(archived_at__isnull=True).count()
        for number, values in enumerate(
            synthetic_indicators(PAGE_INDICATORS - live, priorities), start=1
        ):
            Indicator.objects.create(
                source_organisation=organisations[number % len(organisations)], **values
            )
    indicators = list(Indicator.objects.filter(archived_at__isnull=True))
    if len(indicators) != PAGE_INDICATORS:
        raise BenchmarkBroken(f"expected {PAGE_INDICATORS} indicators, found {len(indicators)}")

    rng = random.Random(2019)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "area", "period", "value", "numerator", "denominator", "status"])
    rows = 0
    for indicator in indicators:
        if indicator.derivation:  # rates and the population are worked out, never imported
            continue
        base = rng.uniform(55, 80) if indicator.unit == "percent" else rng.uniform(50, 3000)
        for area in areas:
            for step, year in enumerate(PAGE_YEARS):
                status = "provisional" if year == PAGE_YEARS[-1] else "final"
                writer.writerow(
                    [
                        indicator.code,
                        area.code,
                        period_code(indicator.period_kind, year),
                        figure(indicator.unit, rng, base, step, scales[area.pk]),
                        "",
                        "",
                        status,
                    ]
                )
                rows += 1
    summary = run_import("bench-pages.csv", buffer.getvalue().encode(), actor=None)
    if summary.created != rows:
        raise BenchmarkBroken(f"the pages' data: {summary.created} of {rows} rows created")
    log(database, f"pages' data: {len(indicators)} indicators, {rows:,} observations imported")
    analyst = User.objects.get(email=ANALYST_EMAIL)
    return PageData(
        analyst=analyst,
        area_names=[area.name for area in areas],
        indicator_count=len(indicators),
        observation_rows=rows,
    )


# The import benchmark ----------------------------------------------------------------------------


@dataclass
class Summary:
    created: int
    changed: int
    unchanged: int


def run_import(name: str, data: bytes, *, actor: User | None, dry_run: bool = False) -> Summary:
    from paqa.indicators.services import observations_import_file

    result, summary = observations_import_file(
        name=name, stream=io.BytesIO(data), actor=actor, dry_run=dry_run
    )
    if not result.ok or summary is None:
        errors = "; ".join(str(error) for error in result.errors[:5])
        raise BenchmarkBroken(f"{name}: the import found errors: {errors}")
    return Summary(summary.created, summary.changed, summary.unchanged)


def build_import_file(rows: int) -> bytes:
    """`rows` observations (up to 100 indicators x 50 areas x 20 years) as CSV, made in bulk."""
    from paqa.core.models import Area
    from paqa.indicators.models import Indicator

    if rows > IMPORT_INDICATORS * IMPORT_AREAS * IMPORT_YEARS:
        raise SystemExit(f"--rows is at most {IMPORT_INDICATORS * IMPORT_AREAS * IMPORT_YEARS:,}")
    indicators = Indicator.objects.bulk_create(
        Indicator(
            code=f"{IMPORT_PREFIX}{number:03d}",
            name=f"Imported benchmark indicator {number:03d}",
            subject=f"The imported benchmark figure {number:03d}",
            definition="A made-up indicator for the import benchmark.",
            unit="percent" if number % 2 else "count",
            polarity="neutral",
            frequency="annual",
            period_kind="financial_year",
            priority="Import benchmark",
            sort_order=2000 + number,
        )
        for number in range(IMPORT_INDICATORS)
    )
    areas = Area.objects.bulk_create(
        Area(code=f"BENCH{number:04d}", name=f"Benchmark area {number}", kind="local_authority")
        for number in range(IMPORT_AREAS)
    )
    periods = [period_code("financial_year", year) for year in range(2001, 2001 + IMPORT_YEARS)]
    rng = random.Random(100_000)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["indicator", "area", "period", "value", "numerator", "denominator", "status", "note"]
    )
    written = 0
    for indicator in indicators:
        for area in areas:
            for period in periods:
                if written == rows:
                    return buffer.getvalue().encode()
                if indicator.unit == "percent":
                    denominator = rng.randint(50, 2000)
                    numerator = rng.randint(0, denominator)
                    cells = [f"{numerator * 100 / denominator:.1f}", numerator, denominator]
                else:
                    cells = [rng.randint(0, 5000), "", ""]
                note = "Benchmark figure" if written % 10 == 0 else ""
                writer.writerow([indicator.code, area.code, period, *cells, "final", note])
                written += 1
    return buffer.getvalue().encode()


def bench_import(database: str, rows: int, actor: User, profile: bool) -> list[ImportFigure]:
    from paqa.indicators.models import Observation

    data = build_import_file(rows)
    log(database, f"import file: {rows:,} rows, {len(data) / 1e6:.1f} MB")
    before = Observation.objects.count()
    figures = []

    dry, seconds = timed(lambda: run_import("bench.csv", data, actor=actor, dry_run=True))
    if dry.created != rows or Observation.objects.count() != before:
        raise BenchmarkBroken(f"dry run: {dry} (expected {rows} new rows, none written)")
    figures.append(ImportFigure(f"import {rows:,} rows --dry-run", rows, seconds))
    log(database, f"dry run: {seconds:.2f} s")

    with profiled(profile, f"{database}: import of {rows:,} new rows"):
        new, seconds = timed(lambda: run_import("bench.csv", data, actor=actor))
    if new.created != rows or Observation.objects.count() != before + rows:
        raise BenchmarkBroken(f"new rows: {new} (expected {rows} created)")
    figures.append(
        ImportFigure(f"import {rows:,} new rows", rows, seconds, TARGET_IMPORT_ROWS_PER_S)
    )
    log(database, f"new rows: {seconds:.2f} s")

    again, seconds = timed(lambda: run_import("bench.csv", data, actor=actor))
    if again.unchanged != rows or again.created or again.changed:
        raise BenchmarkBroken(f"the same file again: {again} (expected {rows} unchanged)")
    figures.append(
        ImportFigure(f"import {rows:,} unchanged rows", rows, seconds, TARGET_IMPORT_ROWS_PER_S)
    )
    log(database, f"unchanged rows: {seconds:.2f} s")
    return figures


def archive_import_indicators() -> None:
    """The import's indicators leave the dashboard (their 100,000 observations stay stored)."""
    from django.utils import timezone

    from paqa.indicators.models import Indicator

    Indicator.objects.filter(code__startswith=IMPORT_PREFIX).update(archived_at=timezone.now())


# The page benchmark ------------------------------------------------------------------------------


def signed_in_client(user: User) -> Client:
    """As tests/conftest.py: a full session, as if the person passed password and security code."""
    from django.test import Client

    from paqa.accounts.signin import LAST_SEEN, MFA_VERIFIED

    client = Client(HTTP_HOST="localhost")  # an allowed host without the test environment
    client.force_login(user)
    session = client.session
    session[MFA_VERIFIED] = True
    session[LAST_SEEN] = time.time()
    session.save()
    return client


def bench_page(
    client: Client,
    label: str,
    path: str,
    *,
    warmup: int,
    requests: int,
    check: Callable[[str], str | None],
    target_p95_ms: float | None = None,
    profile: bool = False,
) -> PageFigure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise BenchmarkBroken(f"GET {path}: {response.status_code}, not 200")
        problem = check(response.content.decode())
        if problem:
            raise BenchmarkBroken(f"GET {path}: {problem}")
        return elapsed * 1000, len(queries.captured_queries)

    for _ in range(warmup):
        get()
    timings, counts = [], []
    with profiled(profile, f"{requests} requests for {path}"):
        for _ in range(requests):
            elapsed_ms, count = get()
            timings.append(elapsed_ms)
            counts.append(count)
    return PageFigure(label, path, timings, counts, target_p95_ms)


def bench_pages(
    database: str, data: PageData, indicator_code: str, args: argparse.Namespace
) -> list[PageFigure]:
    from django.urls import reverse
    from django.utils.html import escape

    from paqa.indicators.models import Indicator

    client = signed_in_client(data.analyst)
    indicator = Indicator.objects.filter(code=indicator_code, archived_at__isnull=True).first()
    if indicator is None:
        raise BenchmarkBroken(f"--indicator {indicator_code}: no such live indicator")
    names = [escape(name) for name in data.area_names]

    def dashboard_check(html: str) -> str | None:
        shown = set(re.findall(r'href="/data/indicators/([\w-]+)/"', html))
        if len(shown) != data.indicator_count:
            return f"{len(shown)} indicators shown, not {data.indicator_count}"
        missing = [name for name in names if name not in html]
        return f"no column for {', '.join(missing)}" if missing else None

    def indicator_check(html: str) -> str | None:
        if "data:image/svg+xml;base64," not in html:
            return "no chart"
        missing = [name for name in names if name not in html]
        return f"no figures for {', '.join(missing)}" if missing else None

    options = {"warmup": args.warmup, "requests": args.requests}
    log(database, f"pages: {args.warmup} warm-up and {args.requests} timed requests each")
    return [
        bench_page(
            client,
            f"dashboard ({data.indicator_count} indicators)",
            reverse("indicators:dashboard"),
            check=dashboard_check,
            target_p95_ms=TARGET_DASHBOARD_P95_MS,
            profile=args.profile == "dashboard",
            **options,
        ),
        bench_page(
            client,
            f"indicator page {indicator.code} ({len(names)} areas)",
            reverse("indicators:indicator", args=[indicator.code]),
            check=indicator_check,
            profile=args.profile == "indicator",
            **options,
        ),
    ]


@contextmanager
def profiled(enabled: bool, title: str) -> Iterator[None]:
    """With --profile: the 30 costliest functions (cumulative time) of the block, on stderr."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        print(f"\nProfile of {title}:", file=sys.stderr)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.strip_dirs().sort_stats("cumulative").print_stats(30)


# Running -----------------------------------------------------------------------------------------


def run_database(args: argparse.Namespace) -> Report:
    database: str = args.database
    report = Report(database=database)
    started = time.perf_counter()
    context = (
        sqlite_database()
        if database == "sqlite"
        else postgres_database(args.postgres_url, POSTGRES_DATABASE)
    )
    try:
        with context as url:
            log(database, "migrating")
            report.server = django_setup(url, SETTINGS_MODULE)
            log(database, report.server)
            data, report.setup_seconds = timed(lambda: build_page_data(database))
            report.imports = bench_import(
                database, args.rows, data.analyst, profile=args.profile == "import"
            )
            archive_import_indicators()
            report.pages = bench_pages(database, data, args.indicator, args)
    except Skipped as skipped:
        report.skipped = str(skipped)
    report.total_seconds = time.perf_counter() - started
    return report


def format_report(report: Report) -> list[str]:
    name = f"{report.database:<9}"
    if report.skipped:
        return [f"{name}skipped: {report.skipped}"]
    lines = [
        f"{name}{report.server}; data set up in {report.setup_seconds:.1f} s, "
        f"whole run {report.total_seconds:.0f} s"
    ]
    for imported in report.imports:
        line = (
            f"{name}{imported.label:<48}{imported.rows_per_s:>9,.0f} rows/s"
            f"{imported.seconds:>7.2f} s"
        )
        if imported.target_rows_per_s:
            ratio = imported.rows_per_s / imported.target_rows_per_s
            line += (
                f"  (target {imported.target_rows_per_s:,.0f} rows/s: {ratio:.2f}x, "
                f"{'met' if ratio >= 1 else 'MISSED'})"
            )
        lines.append(line)
    for page in report.pages:
        queries = page.query_text
        p95 = page.percentile(0.95)
        line = (
            f"{name}{page.label:<48}p50 {page.percentile(0.5):>5.0f} ms  p95 {p95:>5.0f} ms  "
            f"max {max(page.timings_ms):>5.0f} ms  queries {queries}"
        )
        if page.target_p95_ms:
            ratio = p95 / page.target_p95_ms
            line += (
                f"  (target p95 {page.target_p95_ms:.0f} ms: {ratio:.2f}x, "
                f"{'met' if ratio <= 1 else 'MISSED'})"
            )
        lines.append(line)
    return lines


def run_all(args: argparse.Namespace) -> int:
    """Each database in a process of its own, one after the other; then one table."""
    written, failed = results_per_database(
        str(Path(__file__).resolve()), DATABASES, passed_on(args), "paqa-bench-"
    )
    reports = [Report.from_json(text) for text in written]
    print_table(reports)
    for failure in failed:
        print(failure)
    return 1 if failed else 0


def passed_on(args: argparse.Namespace) -> list[str]:
    options = [
        "--rows",
        str(args.rows),
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--indicator",
        args.indicator,
        "--postgres-url",
        args.postgres_url,
    ]
    return [*options, "--profile", args.profile] if args.profile else options


def print_table(reports: list[Report]) -> None:
    print()
    print(
        f"PAQA benchmarks: Python {platform.python_version()}, {os.cpu_count()} CPUs; ratios are "
        "measured / target (rows/s: above 1 is better; ms: below 1 is better)"
    )
    for report in reports:
        for line in format_report(report):
            print(line)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, postgres_database=POSTGRES_DATABASE)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the import file")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument(
        "--indicator", default=DEFAULT_INDICATOR_PAGE, help="the indicator page to time"
    )
    parser.add_argument(
        "--profile",
        choices=("import", "dashboard", "indicator"),
        help="print a cProfile of that step (slows it: read the figures without it)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main(
        args,
        run_all=run_all,
        run_database=run_database,
        show=lambda reports: print_table(reports),
    )


if __name__ == "__main__":
    sys.exit(main())
