"""Benchmark for the annual report's export: the demonstration 2018-19 report as PDF and as Word.

    .venv/bin/python bench/bench_report.py                  # PDF, then DOCX: ~30 s
    .venv/bin/python bench/bench_report.py --runs 5 --tracemalloc --keep /tmp/reports

A temporary SQLite database (in a temporary directory that is also PAQA_VAR_DIR, so `var/` and
the developer's database are never touched) is migrated and given the whole demonstration
partnership, with `demo_everything_load()` (settings `paqa.settings.test`). Each format then runs
in a fresh child process of this script (`--child pdf`): it sets Django up, then runs the export
as `paqa report 2018-19 --format pdf --output X --as admin@demo.example` does (the management
command itself, through `call_command`) `--runs` times. The first run is cold (it imports
WeasyPrint and starts the chart engine); the others are warm. The time of the draft's assembly
from the evidence, of the rendering and of the charts within it is taken from the same runs. The
child's peak RSS (`ru_maxrss`) is read before the first export and after each: it is the export's
alone (the database is built in a child too, so this process, whose peak Linux hands on to the
children, stays small). With `--tracemalloc` a second child per format measures the Python
objects' peak on one warm export (tracemalloc slows a PDF export about sixfold: off by default).

The PDF's time is compared with its target (15 s); a missed target is reported, never a
failure. A broken benchmark (an export that fails, or a file that is not a PDF or a Word
document) exits 1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "paqa.settings.test"
YEAR = "2018-19"
ACTING_EMAIL = "admin@demo.example"  # the demo's partnership admin: may draft the report
FORMATS = ("pdf", "docx")
TARGET_PDF_SECONDS = 15.0
CHILD_TIMEOUT_S = 600


# Results -------------------------------------------------------------------------------------


@dataclass
class Run:
    """One export: the management command's wall time and the stages within it."""

    seconds: float
    assembly_seconds: float  # selectors.draft_content: the draft from the evidence
    render_seconds: float  # rendering.render: charts, template and layout
    chart_seconds: float  # within render: drawing the charts (SVG, and PNG for Word)
    charts: int
    queries: int  # SQL queries the export ran
    size: int
    rss_after_kib: int  # the process's peak RSS after this export


@dataclass
class Export:
    file_format: str
    startup_seconds: float = 0.0  # the child's Django setup and imports
    rss_before_kib: int = 0  # peak RSS after Django setup and imports, before any export
    runs: list[Run] = field(default_factory=list)
    own_peak_kib: int | None = None  # VmHWM after the runs: should match the last rss_after_kib
    python_peak_bytes: int | None = None  # tracemalloc, one warm export, in another child
    pages: int | None = None
    output: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Export:
        data = json.loads(text)
        data["runs"] = [Run(**run) for run in data["runs"]]
        return cls(**data)

    @property
    def cold(self) -> Run:
        return self.runs[0]

    def warm(self, attribute: str) -> float | None:
        """The median of a figure over the warm runs (None with a single run)."""
        values = [getattr(run, attribute) for run in self.runs[1:]]
        return statistics.median(values) if values else None


class BenchmarkBroken(Exception):
    """The benchmark did not measure what it claims to: fail loudly."""


def log(message: str) -> None:
    print(f"[report] {message}", file=sys.stderr, flush=True)


def peak_rss_kib() -> int:
    """The process's peak RSS in KiB (Linux's unit). Linux carries the peak of the process that
    started this one across exec, so the parent stays small: see `run_all`."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def own_peak_rss_kib() -> int | None:
    """The peak RSS of this program's own memory (VmHWM), not carried across exec: a check."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


# The database --------------------------------------------------------------------------------


def environment(directory: Path) -> dict[str, str]:
    """The settings of the parent and of every child: everything inside `directory`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",  # an absolute path
        "PAQA_VAR_DIR": str(directory / "var"),
    }


def build_database() -> str:
    """Migrate the temporary database and load the demonstration partnership (in a child: see
    `run_all`). Returns SQLite's version and journal mode."""
    import django

    django.setup()
    import sqlite3

    from django.core.management import call_command
    from django.db import connection, connections

    from paqa.accounts.models import User
    from paqa.demo.loader import demo_everything_load
    from paqa.reports.models import Report

    call_command("migrate", verbosity=0, interactive=False)
    demo_everything_load()
    if not Report.objects.filter(year=YEAR).exists():
        raise BenchmarkBroken(f"the demonstration data has no {YEAR} report")
    if not User.objects.filter(email=ACTING_EMAIL, is_active=True).exists():
        raise BenchmarkBroken(f"the demonstration data has no {ACTING_EMAIL}")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    connections.close_all()  # the children open the file themselves
    return f"SQLite {sqlite3.sqlite_version} (journal_mode={journal})"


# The child: one format, in a process of its own ----------------------------------------------


class Stopwatch:
    """Adds up the time spent in the functions it wraps, call by call."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def instrument(stopwatch: Stopwatch) -> None:
    """Time the command's stages where it looks them up: the draft's assembly, the rendering,
    and the charts drawn within it (SVG for the PDF; SVG, then PNG, for Word)."""
    from paqa.core.charts import RenderedChart
    from paqa.reports import rendering, selectors, word
    from paqa.reports.management.commands import report as command

    for module, name in [(selectors, "draft_content"), (command, "render")]:
        if not hasattr(module, name):
            raise BenchmarkBroken(f"{module.__name__} has no {name} to time")
    selectors.draft_content = stopwatch.wrap("assembly", selectors.draft_content)
    command.render = stopwatch.wrap("render", command.render)
    rendering.draw = stopwatch.wrap("charts", rendering.draw)
    word.draw = stopwatch.wrap("charts", word.draw)
    png = RenderedChart.png
    RenderedChart.png = stopwatch.wrap("png", png)  # type: ignore[method-assign]


def run_child(file_format: str, runs: int, output: Path, *, trace: bool) -> Export:
    """Export the report `runs` times (or, with `trace`, once untraced and once traced)."""
    started = time.perf_counter()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import paqa.reports.management.commands.report  # noqa: F401 - its imports, before the export

    stopwatch = Stopwatch()
    instrument(stopwatch)
    export = Export(file_format=file_format, output=str(output))
    export.startup_seconds = time.perf_counter() - started
    export.rss_before_kib = peak_rss_kib()

    def one_export() -> Run:
        stopwatch.reset()
        output.unlink(missing_ok=True)
        command = [YEAR, "--format", file_format, "--output", str(output), "--as", ACTING_EMAIL]
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            call_command("report", *command, stdout=io.StringIO(), stderr=io.StringIO())
            seconds = time.perf_counter() - start
        if not output.exists():
            raise BenchmarkBroken(f"`paqa report {' '.join(command)}` wrote no file")
        if stopwatch.calls.get("assembly") != 1 or stopwatch.calls.get("render") != 1:
            raise BenchmarkBroken(
                "the report command no longer calls selectors.draft_content and render once "
                f"each as instrument() expects: {stopwatch.calls}"
            )
        return Run(
            seconds=seconds,
            assembly_seconds=stopwatch.seconds.get("assembly", 0.0),
            render_seconds=stopwatch.seconds.get("render", 0.0),
            chart_seconds=stopwatch.seconds.get("charts", 0.0) + stopwatch.seconds.get("png", 0.0),
            charts=stopwatch.calls.get("charts", 0),
            queries=len(queries.captured_queries),
            size=output.stat().st_size,
            rss_after_kib=peak_rss_kib(),
        )

    if trace:
        import tracemalloc

        one_export()  # warm: the imports and the chart engine are not the export's
        tracemalloc.start()
        one_export()
        export.python_peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return export
    for number in range(1, runs + 1):
        run = one_export()
        export.runs.append(run)
        log(
            f"{file_format} run {number}: {run.seconds:.2f} s (assembly "
            f"{run.assembly_seconds:.2f} s, render {run.render_seconds:.2f} s), "
            f"peak RSS {run.rss_after_kib / 1024:.0f} MiB"
        )
    export.own_peak_kib = own_peak_rss_kib()
    return export


# The parent: build the database, run the children, check and print ---------------------------


def spawn(options: list[str], env: dict[str, str], results: Path, what: str) -> str:
    """Run this script with `options` in a fresh process; return the JSON it wrote."""
    command = [sys.executable, str(Path(__file__).resolve()), *options, "--results", str(results)]
    started = time.perf_counter()
    finished = subprocess.run(  # noqa: S603 - our own script
        command, cwd=PROJECT_DIR, env=env, check=False, timeout=CHILD_TIMEOUT_S
    )
    if finished.returncode != 0 or not results.exists():
        raise BenchmarkBroken(f"{what} failed (exit {finished.returncode})")
    log(f"{what}: {time.perf_counter() - started:.1f} s in its process")
    return results.read_text()


def child(
    file_format: str, env: dict[str, str], directory: Path, runs: int, *, trace: bool
) -> Export:
    suffix = "-traced" if trace else ""
    output = directory / f"paqa-report-{YEAR}{suffix}.{file_format}"
    options = ["--child", file_format, "--runs", str(runs), "--output", str(output)]
    what = f"the {file_format} export{' under tracemalloc' if trace else ''}"
    results = directory / f"{file_format}{suffix}.json"
    return Export.from_json(spawn([*options, *(["--trace"] if trace else [])], env, results, what))


def check_file(export: Export) -> None:
    """The file must be what it claims to be; count the PDF's pages if a tool is at hand."""
    path = Path(export.output)
    data = path.read_bytes()
    if export.file_format == "pdf":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            raise BenchmarkBroken(f"{path.name} is not a PDF")
        export.pages = pdf_pages(path)
        return
    try:
        with zipfile.ZipFile(path) as document:
            names = set(document.namelist())
    except zipfile.BadZipFile as error:
        raise BenchmarkBroken(f"{path.name} is not a Word document") from error
    if "word/document.xml" not in names:
        raise BenchmarkBroken(f"{path.name} has no word/document.xml")


def pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader  # not a dependency: used if it is installed
    except ImportError:
        pass
    else:
        return len(PdfReader(path).pages)
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    finished = subprocess.run(  # noqa: S603 - poppler's pdfinfo on our own file
        [pdfinfo, str(path)], capture_output=True, text=True, check=False
    )
    pages = re.search(r"^Pages:\s+(\d+)", finished.stdout, re.MULTILINE)
    return int(pages.group(1)) if pages else None


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def format_export(export: Export) -> list[str]:
    name = f"{export.file_format:<6}"
    rows: list[tuple[str, dict[str, float]]] = [("export, cold (1st run)", asdict(export.cold))]
    if len(export.runs) > 1:
        warm = {
            key: export.warm(key) or 0.0
            for key in ("seconds", "assembly_seconds", "render_seconds", "chart_seconds")
        }
        rows.append((f"export, warm (median of {len(export.runs) - 1})", warm))
    lines = []
    for label, figures in rows:
        lines.append(
            f"{name}{label:<30}{figures['seconds']:>6.2f} s = assembly "
            f"{figures['assembly_seconds']:.2f} s + render {figures['render_seconds']:.2f} s "
            f"(its {export.cold.charts} charts: {figures['chart_seconds']:.2f} s)"
        )
    pages = f", {export.pages} pages" if export.pages is not None else ""
    low, high = min(run.queries for run in export.runs), max(run.queries for run in export.runs)
    lines.append(
        f"{name}{'file':<30}{export.cold.size:>9,} bytes{pages}; "
        f"SQL queries {low if low == high else f'{low}-{high}'} an export"
    )
    before, cold, last = export.rss_before_kib, export.cold.rss_after_kib, export.runs[-1]
    lines.append(
        f"{name}{'peak RSS':<30}{mib(before)} before (Django set up, modules imported); "
        f"{mib(cold)} after the cold export (+{mib(cold - before)}), "
        f"{mib(last.rss_after_kib)} after {len(export.runs)}"
    )
    if (
        export.own_peak_kib
        and abs(export.own_peak_kib - last.rss_after_kib) > last.rss_after_kib / 20
    ):
        lines.append(f"{name}{'':<30}NOT the export's own: its VmHWM is {mib(export.own_peak_kib)}")
    if export.python_peak_bytes is not None:
        lines.append(
            f"{name}{'Python peak (tracemalloc)':<30}{export.python_peak_bytes / 2**20:,.0f} MiB "
            "in one warm export (Python objects only: not Pango's nor vl-convert's memory)"
        )
    lines.append(
        f"{name}{'child start-up':<30}{export.startup_seconds:>6.2f} s  Django setup and imports"
    )
    return lines


def print_table(
    server: str, setup_seconds: float, total_seconds: float, load: float, exports: list[Export]
) -> None:
    print()
    print(
        f"PAQA report export benchmark: Python {platform.python_version()}, {os.cpu_count()} "
        f"CPUs, load average {load:.2f} before the run; {server}"
    )
    print(
        f"{'':<6}{'database and demo data':<30}{setup_seconds:>6.2f} s  (migrate and "
        f"demo_everything_load); whole run {total_seconds:.0f} s; the {YEAR} draft read as "
        f"{ACTING_EMAIL}"
    )
    for export in exports:
        for line in format_export(export):
            print(line)
    for export in exports:
        if export.file_format != "pdf":
            continue
        cold = export.cold.seconds
        ratio = cold / TARGET_PDF_SECONDS
        warm = export.warm("seconds")
        warm_part = f"; warm median {warm:.1f} s: {warm / TARGET_PDF_SECONDS:.2f}" if warm else ""
        print(
            f"PDF export: {cold:.1f} s (target {TARGET_PDF_SECONDS:.0f} s): ratio {ratio:.2f} of "
            f"target, {'met' if ratio <= 1 else 'MISSED'} (the cold run{warm_part})"
        )


def run_all(args: argparse.Namespace) -> int:
    """The database is built in a child too: this process stays small, so the children's peak
    RSS (which Linux starts at the parent's) is theirs alone."""
    started = time.perf_counter()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="paqa-bench-report-") as name:
        directory = Path(name)
        env = environment(directory)
        try:
            log(f"migrating and loading the demonstration partnership in {directory}")
            setup_start = time.perf_counter()
            setup = spawn(["--setup"], env, directory / "setup.json", "the demo data")
            server = json.loads(setup)["server"]
            setup_seconds = time.perf_counter() - setup_start
            exports = []
            for file_format in FORMATS:
                export = child(file_format, env, directory, args.runs, trace=False)
                check_file(export)
                if args.tracemalloc:
                    traced = child(file_format, env, directory, 1, trace=True)
                    export.python_peak_bytes = traced.python_peak_bytes
                exports.append(export)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for export in exports:
                    log(f"kept {shutil.copy(export.output, args.keep)}")
        except (BenchmarkBroken, subprocess.TimeoutExpired) as error:
            print(f"[report] BENCHMARK BROKEN: {error}", file=sys.stderr)
            return 1
    print_table(server, setup_seconds, time.perf_counter() - started, load, exports)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="exports per format (1st is cold)")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also the Python objects' peak: one more process per format (~30 s more)",
    )
    parser.add_argument("--keep", type=Path, help="copy the PDF and DOCX into this directory")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.setup or args.child):
        return run_all(args)
    if args.results is None or (args.child and args.output is None):
        raise SystemExit("--setup needs --results; --child needs --output and --results")
    try:
        if args.setup:
            args.results.write_text(json.dumps({"server": build_database()}))
            return 0
        export = run_child(args.child, args.runs, args.output, trace=args.trace)
    except BenchmarkBroken as error:
        print(f"[report] BENCHMARK BROKEN: {error}", file=sys.stderr)
        return 1
    args.results.write_text(export.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
