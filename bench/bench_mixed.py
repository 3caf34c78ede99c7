"""Mixed load through gunicorn: practitioners answering the survey, staff reading the data,
survey results, themes and the report's draft, and the annual report exported to PDF, at once.

    .venv/bin/python bench/bench_mixed.py                          # SQLite, 30 s: ~70 s in all
    .venv/bin/python bench/bench_mixed.py --database postgres      # postgres://postgres@127.0.0.1
    .venv/bin/python bench/bench_mixed.py --seconds 60 --practitioners 8 --staff 4 --workers 3

A throwaway database (SQLite: a file in a temporary directory, which is also PAQA_VAR_DIR;
PostgreSQL: `paqa_bench_mixed_<pid>`, created and dropped) is migrated and given the whole
demonstration partnership (`demo_everything_load`), plus an open practitioner survey for the
current year (the shipped pack). gunicorn serves `paqa.wsgi` (settings `paqa.settings.local`,
DEBUG off, PAQA_REQUIRE_MFA=0 as in `paqa demo`) on a free loopback port. Exports go through
the queue to a `paqa worker` process beside it, as in production (PAQA_TASKS=worker;
`--tasks thread` makes them in a thread of the app server instead).

Then, for a warm-up and `--seconds`, each client in a thread of its own, with its own cookies:

- practitioners answer the public survey as a browser does (start page, "Start now", each page
  GET and POST, the check page, "Send my answers", the thank-you page), one response after
  another;
- staff, signed in as the demo's partnership admin and PAQA member (password, no second factor),
  read the data dashboard, an indicator page, the 2018-19 survey's results, the themes overview
  and the annual report's draft, over and over;
- one exporter, signed in as the partnership admin, asks for the 2018-19 report as PDF from the
  draft page, follows its progress page every 2 s (as the page refreshes itself) until the file
  is ready, downloads it, and starts again.

Requests started in the timed window are counted: requests per second, p50/p95/p99 and errors
(a status that is not 2xx/3xx or not the page it should be, or no answer) for each kind and each
page, and in all. The dashboard's p95 (300 ms) and the report draft's median (1 s) are compared
with their targets under this load, and the export's time with bench_report's target (set for
the PDF alone). Errors, or a kind with nothing done, make the run broken: exit 1.

The browser, survey respondent and gunicorn helpers are fault_survey.py's. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fault_survey import (
    DEFAULT_POSTGRES_URL,
    HOST,
    PROJECT_DIR,
    BenchmarkBroken,
    Browser,
    Gunicorn,
    Submission,
    Unavailable,
    WrongAnswer,
    database_version,
    django_setup,
    open_practitioner_survey,
    percentile,
    postgres_database,
    practitioner_answers,
    respond,
    server_environment,
    sqlite_database,
)

YEAR = "2018-19"  # the demonstration's year: its report, survey and themes
INDICATOR = "re-referrals-12-months"
STAFF = ["admin@demo.example", "paqa@demo.example"]  # both may read the report's draft
EXPORTER = "admin@demo.example"
PASSWORD = "paqa-demonstration-2019"  # noqa: S105 - the demo's, printed by `paqa demo`
REFRESH_SECONDS = 2.0  # the export page refreshes itself this often
EXPORT_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 60.0
# Under this mixed load (issue 15): the dashboard's p95 and the report draft's median.
TARGET_DASHBOARD_P95_MS = 300.0
TARGET_DRAFT_P50_MS = 1000.0
TARGET_EXPORT_S = 15.0  # bench_report.py, the PDF through `paqa report`


def log(message: str) -> None:
    print(f"[mixed] {message}", file=sys.stderr, flush=True)


class Skipped(Exception):
    """No PostgreSQL server to use: report it and exit 0."""


# Results -----------------------------------------------------------------------------------------


@dataclass
class Sample:
    label: str  # "submit: page 2 POST", "browse: dashboard", "export: download", ...
    started: float  # seconds from the start of the warm-up
    ms: float
    ok: bool
    problem: str = ""


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    responses_ms: list[float] = field(default_factory=list)  # whole responses, in the window
    exports_ms: list[float] = field(default_factory=list)  # request to downloaded file
    export_sizes: list[int] = field(default_factory=list)
    overrun: float = 0.0  # seconds the load went on after the window, for an export in flight
    confirmed: int = 0  # thank-you pages, warm-up included: the stored count must match
    problems: list[str] = field(default_factory=list)  # wrong answers, with what they were
    client_cpu: float = 0.0
    wall: float = 0.0


@dataclass
class Window:
    zero: float = 0.0
    start: float = 0.0  # the timed window, in seconds from zero
    end: float = 0.0

    def now(self) -> float:
        return time.perf_counter() - self.zero

    def timed(self, started: float) -> bool:
        return self.start <= started < self.end

    exporting: int = 0  # exports asked for and not yet downloaded
    stopped: bool = False  # interrupted
    overrun: float = 0.0  # how long the load went on after the window for exports in flight

    def open(self) -> bool:
        """Whether to start something new: an exporter's export, anything of the others."""
        return self.now() < self.end and not self.stopped

    def busy(self) -> bool:
        """Whether the others go on: in the window, or while an export started in it runs."""
        return not self.stopped and (self.now() < self.end or self.exporting > 0)


class Client:
    """One person: a browser whose requests are kept as samples, in the client's own lists."""

    def __init__(self, port: int, window: Window) -> None:
        self.window = window
        self.samples: list[Sample] = []
        # a browser waits long for a page; its connection is closed whenever it would idle past
        # gunicorn's keep-alive (2 s), as a browser opens a new one without showing an error
        self.browser = Browser(port, self.record, timeout=REQUEST_TIMEOUT_S)

    def record(
        self, label: str, started: float, seconds: float, status: int | None, err: str
    ) -> None:
        ok = status is not None and status < 400
        problem = err if status is None else ("" if ok else f"HTTP {status}")
        self.samples.append(Sample(label, started - self.window.zero, seconds * 1000, ok, problem))

    def wrong(self, label: str, problem: str) -> None:
        """A request answered with the wrong page: its sample becomes an error."""
        for sample in reversed(self.samples):
            if sample.label == label:
                sample.ok, sample.problem = False, problem
                return

    def sign_in(self, email: str) -> None:
        reply = self.browser.send("GET", "/sign-in/", label="sign in")
        if reply.status != 200:
            raise BenchmarkBroken(f"GET /sign-in/: {reply.status}")
        reply = self.browser.send(
            "POST", "/sign-in/", {"email": email, "password": PASSWORD, "next": ""}, label="sign in"
        )
        if reply.status != 302:
            raise BenchmarkBroken(f"signing in as {email}: {reply.status}, not a redirect")
        self.browser.close()  # the others sign in meanwhile


# The clients -------------------------------------------------------------------------------------


def practitioner(client: Client, start_path: str, number: int, results: Results) -> None:
    rng = random.Random(number)  # noqa: S311 - made-up answers, not security
    responses_ms: list[float] = []
    confirmed = 0
    count = 0
    while client.window.busy():
        count += 1
        submission = Submission(marker=f"bench-mixed practitioner {number} response {count}")
        started = client.window.now()
        try:
            respond(
                client.browser,
                start_path,
                practitioner_answers(rng, submission.marker),
                submission,
                label="submit",
            )
        except Unavailable:
            continue  # the failed request is an error sample already
        except WrongAnswer as error:
            client.wrong(client.samples[-1].label, f"wrong answer: {error}")
            continue
        confirmed += 1
        if client.window.timed(started):
            responses_ms.append(submission.seconds * 1000)
    client.browser.close()
    results.responses_ms.extend(responses_ms)
    results.confirmed += confirmed


def staff_pages(survey_pk: int) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/data/"),
        ("indicator page", f"/data/indicators/{INDICATOR}/"),
        ("survey results", f"/surveys/{survey_pk}/results/"),
        ("themes overview", f"/themes/{YEAR}/"),
        ("report draft", f"/reports/{YEAR}/draft/"),
    ]


def staff(client: Client, pages: list[tuple[str, str]], number: int) -> None:
    turn = number  # each starts at another page
    while client.window.busy():
        name, path = pages[turn % len(pages)]
        turn += 1
        label = f"browse: {name}"
        try:
            reply = client.browser.send("GET", path, label=label)
        except (OSError, http.client.HTTPException):
            continue
        if reply.status == 200 and b'name="password"' in reply.body:
            client.wrong(label, "signed out: the sign-in page")
    client.browser.close()


def exporter(client: Client, results: Results) -> None:
    exports_ms: list[float] = []
    sizes: list[int] = []
    while client.window.open():
        try:
            outcome = export_once(client)
        except (OSError, http.client.HTTPException, WrongAnswer) as error:
            if isinstance(error, WrongAnswer):
                client.wrong(client.samples[-1].label, f"wrong answer: {error}")
            client.browser.close()
            time.sleep(REFRESH_SECONDS)
            continue
        if outcome is None:  # interrupted
            break
        started, seconds, size = outcome
        if client.window.timed(started):
            exports_ms.append(seconds * 1000)
            sizes.append(size)
    client.browser.close()
    results.exports_ms.extend(exports_ms)
    results.export_sizes.extend(sizes)


def export_once(client: Client) -> tuple[float, float, int] | None:
    """The draft page, "Make a PDF file", its progress page every 2 s, the download. Returns
    when it started, how long it took and the file's size; None if the run was interrupted.
    While it runs the other clients go on, even after the timed window."""
    window = client.window
    window.exporting += 1
    try:
        return export_steps(client)
    finally:
        window.exporting -= 1
        window.overrun = max(window.overrun, window.now() - window.end)


def export_steps(client: Client) -> tuple[float, float, int] | None:
    browser = client.browser
    reply = browser.send("GET", f"/reports/{YEAR}/draft/", label="export: draft page")
    if reply.status != 200:
        raise WrongAnswer(f"draft page: {reply.status}")
    started_at = client.window.now()
    started = time.perf_counter()
    reply = browser.send(
        "POST", f"/reports/{YEAR}/exports/", {"format": "pdf"}, label="export: make a PDF file"
    )
    if reply.status != 302 or f"/reports/{YEAR}/exports/" not in reply.location:
        raise WrongAnswer(f"make a PDF file: {reply.status} {reply.location}")
    progress = reply.location
    while True:
        reply = browser.send("GET", progress, label="export: progress page")
        if reply.status != 200:
            raise WrongAnswer(f"progress page: {reply.status}")
        if b"file is ready" in reply.body:
            break
        if b"could not be made" in reply.body or b"was not finished" in reply.body:
            raise WrongAnswer("the export failed")
        if client.window.stopped:
            return None
        if time.perf_counter() - started > EXPORT_TIMEOUT_S:
            raise WrongAnswer(f"no file after {EXPORT_TIMEOUT_S:.0f} s")
        browser.close()
        time.sleep(REFRESH_SECONDS)
    reply = browser.send("GET", f"{progress}download/", label="export: download")
    if reply.status != 200 or not reply.body.startswith(b"%PDF"):
        raise WrongAnswer(f"download: {reply.status}, {reply.body[:8]!r}")
    return started_at, time.perf_counter() - started, len(reply.body)


# Setting up --------------------------------------------------------------------------------------


def current_year() -> str:
    """The financial year today is in, as the surveys name years: 2026-27."""
    from django.utils import timezone

    today = timezone.localdate()
    first = today.year if today.month >= 4 else today.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def load_demo() -> int:
    """The demonstration partnership; returns the pk of its 2018-19 practitioner survey."""
    from paqa.accounts.models import User
    from paqa.demo.loader import demo_everything_load
    from paqa.reports.models import Report
    from paqa.surveys.models import Survey

    demo_everything_load()
    if not Report.objects.filter(year=YEAR).exists():
        raise BenchmarkBroken(f"the demonstration data has no {YEAR} report")
    for email in {*STAFF, EXPORTER}:
        if not User.objects.filter(email=email, is_active=True).exists():
            raise BenchmarkBroken(f"the demonstration data has no {email}")
    return Survey.objects.get(series="practitioner-survey", year=YEAR).pk


def stored_submitted(start_path: str) -> int:
    from django.db import connections

    from paqa.surveys.models import Response

    connections.close_all()
    slug = start_path.strip("/").split("/")[-1]
    return Response.objects.filter(
        survey__public_slug=slug, status=Response.Status.SUBMITTED
    ).count()


@contextmanager
def database(args: argparse.Namespace, directory: Path) -> Iterator[str]:
    if args.database == "sqlite":
        with sqlite_database(directory) as url:
            yield url
        return
    import psycopg

    admin_url = urlsplit(args.postgres_url)._replace(path="/postgres").geturl()
    try:
        psycopg.connect(admin_url, connect_timeout=5).close()
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise Skipped(f"no usable PostgreSQL server at {args.postgres_url} ({reason})") from error
    with postgres_database(args.postgres_url, f"paqa_bench_mixed_{os.getpid()}", "mixed") as url:
        yield url


# Running -----------------------------------------------------------------------------------------


@dataclass
class Setup:
    database: str = ""
    server: str = ""
    setup_seconds: float = 0.0
    stored: int = -1
    logged: Counter[str] = field(default_factory=Counter)


@contextmanager
def background_worker(tasks: str, environment: dict[str, str], directory: Path) -> Iterator[None]:
    """`paqa worker` beside the app server when exports go through the queue, as in
    production (docs/production.md); nothing for PAQA_TASKS=thread."""
    if tasks != "worker":
        yield
        return
    with (directory / "worker.log").open("wb") as log_file:
        worker = subprocess.Popen(  # noqa: S603 (our own command)
            [str(PROJECT_DIR / ".venv" / "bin" / "paqa"), "worker"],
            env=environment,
            cwd=PROJECT_DIR,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()


def run(args: argparse.Namespace, setup: Setup, results: Results) -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="paqa-bench-mixed-") as name:
        directory = Path(name)
        with database(args, directory) as database_url:
            environment = server_environment(
                database_url, directory / "var", PAQA_REQUIRE_MFA="0", PAQA_TASKS=args.tasks
            )
            log("migrating and loading the demonstration partnership")
            django_setup(environment, "mixed")
            results_pk = load_demo()
            _, start_path = open_practitioner_survey(current_year())
            setup.database = database_version()
            from django.db import connections

            connections.close_all()
            server = Gunicorn(
                environment,
                workers=args.workers,
                threads=args.threads,
                log_path=directory / "gunicorn.log",
                prefix="mixed",
            )
            setup.server = (
                f"{server.version}, {args.workers} workers x {args.threads} threads, "
                f"exports: PAQA_TASKS={args.tasks}"
            )
            with server.serving(), background_worker(args.tasks, environment, directory):
                setup.setup_seconds = time.perf_counter() - started
                log(f"{setup.server} on {HOST}:{server.port}; {setup.database}")
                load(args, server.port, start_path, results_pk, results)
            setup.logged = server.logged_errors()
            setup.stored = stored_submitted(start_path)


def load(
    args: argparse.Namespace, port: int, start_path: str, results_pk: int, results: Results
) -> None:
    window = Window()
    pages = staff_pages(results_pk)
    practitioners = [Client(port, window) for _ in range(args.practitioners)]
    readers = [Client(port, window) for _ in range(args.staff)]
    exporters = [Client(port, window) for _ in range(args.exporters)]
    window.zero = time.perf_counter()
    window.end = math.inf
    log(f"signing in {args.staff} staff and {args.exporters} exporter(s)")
    for number, client in enumerate(readers):
        client.sign_in(STAFF[number % len(STAFF)])
    for client in exporters:
        client.sign_in(EXPORTER)
    lock = threading.Lock()
    threads = []

    def target(work: object, *arguments: object) -> threading.Thread:
        def body() -> None:
            scratch = Results()
            work(*arguments, scratch)  # type: ignore[operator]
            with lock:
                results.responses_ms.extend(scratch.responses_ms)
                results.confirmed += scratch.confirmed
                results.exports_ms.extend(scratch.exports_ms)
                results.export_sizes.extend(scratch.export_sizes)

        return threading.Thread(target=body, daemon=True)

    for number, client in enumerate(practitioners):
        threads.append(target(practitioner, client, start_path, number))
    for number, client in enumerate(readers):
        threads.append(threading.Thread(target=staff, args=(client, pages, number), daemon=True))
    for client in exporters:
        threads.append(target(exporter, client))
    log(
        f"{args.practitioners} practitioners, {args.staff} staff, {args.exporters} exporter(s): "
        f"{args.warmup:g} s warm-up, then {args.seconds:g} s timed"
    )
    window.start = window.now() + args.warmup
    window.end = window.start + args.seconds
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # interrupted: the clients stop after their current request
        window.stopped = True
        raise
    results.client_cpu = time.process_time() - cpu
    results.wall = time.perf_counter() - wall
    results.overrun = window.overrun
    for client in [*practitioners, *readers, *exporters]:
        results.samples.extend(client.samples)
    results.samples = [s for s in results.samples if s.label != "sign in"]
    for sample in results.samples:
        if not sample.ok and sample.problem.startswith("wrong answer"):
            results.problems.append(f"{sample.label}: {sample.problem}")


# The figures -------------------------------------------------------------------------------------


def line(
    label: str, values: list[float], count: int, seconds: float, errors: int, unit: str
) -> str:
    return (
        f"{label:<40}{count:>7,} {count / seconds:>8.1f} {unit:<6}"
        f"{percentile(values, 0.50):>8,.0f} {percentile(values, 0.95):>8,.0f} "
        f"{percentile(values, 0.99):>8,.0f}   {errors}"
    )


def figures(
    args: argparse.Namespace, setup: Setup, results: Results
) -> tuple[list[str], list[str]]:
    seconds = args.seconds
    window = Window(start=args.warmup, end=args.warmup + args.seconds)
    timed = [s for s in results.samples if window.timed(s.started)]

    def group(prefix: str) -> list[Sample]:
        return [s for s in timed if s.label.startswith(prefix)]

    def row(label: str, samples: list[Sample]) -> str:
        errors = sum(1 for s in samples if not s.ok)
        return line(label, [s.ms for s in samples], len(samples), seconds, errors, "req/s")

    lines = [
        f"PAQA mixed load: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} after the run",
        f"{setup.database}; {setup.server}; demo data and server ready in "
        f"{setup.setup_seconds:.0f} s; {args.practitioners} practitioners, {args.staff} staff, "
        f"{args.exporters} exporter(s); {args.warmup:g} s warm-up, {seconds:g} s timed",
        f"{'':<40}{'requests':>7} {'rate':>8} {'':<6}{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        "   errors",
    ]
    submit = group("submit:")
    every = sum(1 for s in results.samples if s.label.startswith("submit:"))
    per_response = every / max(1, results.confirmed)
    lines.append(row("submit: every request", submit))
    lines.append(
        line(
            f"  whole responses ({per_response:.0f} requests each)",
            results.responses_ms,
            len(results.responses_ms),
            seconds,
            0,
            "resp/s",
        )
    )
    posts = [s for s in submit if "POST" in s.label or s.label.endswith("Send my answers")]
    lines.append(row("  their POSTs", posts))
    browse = group("browse:")
    lines.append(row("browse: every page", browse))
    for name, _ in staff_pages(0):
        lines.append(row(f"  {name}", group(f"browse: {name}")))
    export = group("export:")
    lines.append(row("export: every request", export))
    for label in ("draft page", "make a PDF file", "progress page", "download"):
        lines.append(row(f"  {label}", group(f"export: {label}")))
    sizes = results.export_sizes
    lines.append(
        line(
            "  whole exports (request to file)",
            results.exports_ms,
            len(results.exports_ms),
            seconds,
            0,
            "exp/s",
        )
        + f"   (PDF {(sum(sizes) / len(sizes) / 1024 if sizes else math.nan):,.0f} KiB; the "
        f"load went on {results.overrun:.0f} s after the window, until the last export's file)"
    )
    lines.append(row("all requests", timed))
    dashboard = [s.ms for s in group("browse: dashboard")]
    p95 = percentile(dashboard, 0.95)
    ratio = p95 / TARGET_DASHBOARD_P95_MS
    lines.append(
        f"dashboard p95 {p95:,.0f} ms under the mixed load: target {TARGET_DASHBOARD_P95_MS:.0f} "
        f"ms: {ratio:.2f}x, {'met' if ratio <= 1 else 'missed'}"
    )
    draft = [s.ms for s in group("browse: report draft")]
    if draft:
        p50 = percentile(draft, 0.5)
        ratio = p50 / TARGET_DRAFT_P50_MS
        lines.append(
            f"report draft p50 {p50:,.0f} ms under the mixed load: target "
            f"{TARGET_DRAFT_P50_MS:,.0f} ms: {ratio:.2f}x, {'met' if ratio <= 1 else 'missed'}"
        )
    if results.exports_ms:
        export_p50 = percentile(results.exports_ms, 0.5) / 1000
        ratio = export_p50 / TARGET_EXPORT_S
        lines.append(
            f"export p50 {export_p50:.1f} s request to file: target {TARGET_EXPORT_S:.0f} s "
            f"(bench_report, the PDF alone): {ratio:.2f}x, {'met' if ratio <= 1 else 'missed'}"
        )
    lines.append(
        f"clients used {results.client_cpu / max(results.wall, 1e-9):.2f} CPUs (they share the "
        f"machine with the server); stored: {setup.stored:,} submitted responses for "
        f"{results.confirmed:,} thank-you pages, warm-up included"
    )
    if setup.logged:
        lines.append("the server logged:")
        lines += [f"  {n:>4} x {what}" for what, n in setup.logged.most_common(6)]
    problems = []
    failed = [s for s in timed if not s.ok]
    if failed:
        shown = "; ".join(
            f"{what} x{n}"
            for what, n in Counter(f"{s.label}: {s.problem}" for s in failed).most_common(4)
        )
        problems.append(f"{len(failed)} errors ({shown})")
    for label, samples in (("submit", submit), ("browse", browse)):
        if not samples:
            problems.append(f"{label}: nothing in the timed window")
    if args.exporters and not results.exports_ms:
        problems.append("export: no export finished in the timed window")
    if setup.stored != results.confirmed:
        problems.append(
            f"{setup.stored} submitted responses stored for {results.confirmed} thank-you pages"
        )
    return lines, problems


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PAQA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="the PostgreSQL server (a database paqa_bench_mixed_<pid> is made and dropped)",
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="timed seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds before")
    parser.add_argument("--practitioners", type=int, default=4, help="survey respondents")
    parser.add_argument("--staff", type=int, default=4, help="signed-in staff reading pages")
    parser.add_argument("--exporters", type=int, default=1, help="staff exporting the report")
    parser.add_argument(
        "--tasks",
        choices=["worker", "thread"],
        default="worker",
        help="exports through the queue and `paqa worker` (production) or a thread in the app",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0 or min(args.practitioners, args.staff) < 1:
        parser.error("--seconds above 0, --warmup 0 or more, 1 practitioner and 1 staff or more")
    return args


def stop(signum: int, _frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C, so gunicorn stops and the database goes."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, stop)
    setup, results = Setup(), Results()
    try:
        run(args, setup, results)
    except Skipped as skipped:
        print(f"\nPAQA mixed load: postgres skipped: {skipped}")
        return 0
    except BenchmarkBroken as error:
        print(f"[mixed] BENCHMARK BROKEN: {error}", file=sys.stderr)
        return 1
    lines, problems = figures(args, setup, results)
    print()
    print("\n".join(lines))
    for problem in problems:
        print(f"BENCHMARK BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
