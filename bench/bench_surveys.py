"""Benchmark for the public survey: submissions per second through gunicorn on PostgreSQL.

    .venv/bin/python bench/bench_surveys.py
    .venv/bin/python bench/bench_surveys.py --clients 32 --duration 20 --workers 4

The `paqa_bench_surveys` database is created on the PostgreSQL server, migrated and given a
one-page survey; gunicorn serves `paqa.wsgi` (settings `paqa.settings.local`, DEBUG off) on a
free loopback port. Concurrent clients, each with its own keep-alive connection, then send
survey submissions (the page's POST, then the check page's POST) for a fixed time, and after
that ask for `/healthz` (the smallest Django view: one `SELECT 1`) for as long: its requests per
second are the floor the submissions are compared with. gunicorn is stopped and the database
dropped at the end, whatever happens. No PostgreSQL server: reported as skipped, exit 0.
A broken benchmark (a server that does not start, a request that is not answered as it should
be, stored responses that do not match the submissions) exits 1. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "paqa_bench_surveys"
SETTINGS_MODULE = "paqa.settings.local"  # what paqa.wsgi serves by default: DEBUG off
HOST = "127.0.0.1"
QUESTION = "feels-safe"
CONTENT_TYPE_FORM = "application/x-www-form-urlencoded"
REQUEST_TIMEOUT_S = 10.0
SERVER_START_TIMEOUT_S = 30.0
SURVEY_YAML = """
series: bench-surveys
year: "2026"
title: Benchmark survey
kind: anonymous
opens_on: {opens_on}
closes_on: {closes_on}
pages:
  - title: Safety
    questions:
      - code: {question}
        kind: yes_no
        text: Do the children you work with feel safe?
        required: true
"""


# Results -------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value at least `fraction` of them reach."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


@dataclass
class Load:
    """One load: each client repeats an operation (a submission, a healthz request); those
    started in the `seconds` after the warm-up are timed."""

    label: str
    unit: str
    seconds: float
    operation_ms: list[float] = field(default_factory=list)  # started in the timed window
    request_ms: list[float] = field(default_factory=list)  # their HTTP requests, one by one
    completed: int = 0  # every successful operation, warm-up included
    errors: list[str] = field(default_factory=list)
    connections: int = 0  # opened by the clients: one each, if keep-alive holds
    wall_seconds: float = 0.0  # warm-up and timed window, as the clients ran
    client_cpu_seconds: float = 0.0  # this process's CPU time meanwhile: the clients' share
    load_average: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.operation_ms) / self.seconds

    @property
    def requests_per_second(self) -> float:
        return len(self.request_ms) / self.seconds


@dataclass
class Report:
    server: str = ""
    gunicorn: str = ""
    clients: int = 0
    load_average_before: float = 0.0
    setup_seconds: float = 0.0
    total_seconds: float = 0.0
    skipped: str = ""
    surveys: Load | None = None
    healthz: Load | None = None
    stored_submitted: int = -1
    stored_drafts: int = -1
    stored_answers: int = -1
    queries: tuple[int, int, int] = (0, 0, 0)  # page POST, check POST, healthz


class Skipped(Exception):
    """No PostgreSQL server to use: report it and exit 0."""


class BenchmarkBroken(Exception):
    """The benchmark did not measure what it claims to: fail loudly."""


class WrongAnswer(Exception):
    """A request was not answered as it should have been (counted as an error)."""


def log(message: str) -> None:
    print(f"[surveys] {message}", file=sys.stderr, flush=True)


# The database ------------------------------------------------------------------------------------


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    admin_url = urlsplit(server_url)._replace(path="/postgres").geturl()
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        sql.Identifier(POSTGRES_DATABASE)
    )
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(drop)
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(POSTGRES_DATABASE)))
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise Skipped(f"no usable PostgreSQL server at {server_url} ({reason})") from error
    try:
        yield urlsplit(server_url)._replace(path=f"/{POSTGRES_DATABASE}").geturl()
    finally:
        if "django.db" in sys.modules:  # Django's connections hold the database open
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(drop)
        log(f"database {POSTGRES_DATABASE} dropped")


def server_environment(database_url: str) -> dict[str, str]:
    """The environment of this process's Django and of gunicorn: the same settings for both."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),  # never var/secret_key: a key per run
        "DJANGO_ALLOWED_HOSTS": HOST,
        "PAQA_SURVEY_POSTS_PER_MINUTE": "1000000",  # every client comes from one address
        "PAQA_LOG_LEVEL": "WARNING",
    }


def django_setup(environment: dict[str, str]) -> tuple[str, str]:
    """Migrate the database; build the survey. Returns the server's version and the survey's
    address."""
    os.environ.update(environment)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from paqa.surveys.services import survey_from_yaml

    call_command("migrate", verbosity=0, interactive=False)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        log("no static files manifest: collectstatic (as `make serve` does)")
        call_command("collectstatic", interactive=False, verbosity=0)
    today = timezone.localdate()
    survey = survey_from_yaml(
        SURVEY_YAML.format(
            opens_on=(today - timedelta(days=1)).isoformat(),
            closes_on=(today + timedelta(days=30)).isoformat(),
            question=QUESTION,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = f"PostgreSQL {cursor.fetchone()[0]}"
    connections.close_all()
    return server, f"/s/{survey.public_slug}/"


def count_queries(start_path: str) -> tuple[int, int, int]:
    """The SQL queries of one submission's two POSTs and of /healthz, through Django's test
    client in this process (its response is deleted after: the stored counts stay exact)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from paqa.surveys.models import Response

    client = Client(HTTP_HOST=HOST)
    key = f"bench-probe-{secrets.token_urlsafe(12)}"
    requests = [
        ("POST", f"{start_path}r/{key}/1/", {QUESTION: "Yes"}, 302),
        ("POST", f"{start_path}r/{key}/check/", {}, 302),
        ("GET", "/healthz", {}, 200),
    ]
    counts = []
    for method, path, data, expected in requests:
        with CaptureQueriesContext(connection) as queries:
            response = client.generic(method, path, urlencode(data), CONTENT_TYPE_FORM)
        if response.status_code != expected:
            raise BenchmarkBroken(f"{method} {path}: {response.status_code}, not {expected}")
        counts.append(len(queries))
    Response.objects.filter(submission_key=key).delete()
    connection.close()
    return counts[0], counts[1], counts[2]


def stored_counts() -> tuple[int, int, int]:
    from paqa.surveys.models import Answer, Response

    submitted = Response.objects.filter(status=Response.Status.SUBMITTED).count()
    drafts = Response.objects.filter(status=Response.Status.DRAFT).count()
    return submitted, drafts, Answer.objects.count()


# The server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(
    environment: dict[str, str], *, workers: int, threads: int
) -> Iterator[tuple[int, str]]:
    """gunicorn serving paqa.wsgi on a free loopback port until the block ends."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "paqa.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile(mode="w+", prefix="paqa-bench-gunicorn-") as server_log:
        server = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=PROJECT_DIR, env=environment, stdout=server_log, stderr=server_log
        )
        try:
            wait_until_serving(server, port, server_log)
            import gunicorn as package

            version = f"gunicorn {package.__version__}"
            log(f"{version} on {HOST}:{port}, {workers} x {threads} threads (pid {server.pid})")
            yield port, version
            problems = tail(server_log, lines=5, matching="Traceback|ERROR|CRITICAL")
            if problems:
                log(f"the server logged:\n{problems}")
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)  # graceful: the workers finish and exit
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            log(f"gunicorn stopped (exit {server.returncode})")


def tail(server_log: IO[str], *, lines: int = 20, matching: str = "") -> str:
    server_log.flush()
    server_log.seek(0)
    text = server_log.read().splitlines()
    if matching:
        text = [line for line in text if re.search(matching, line)]
    return "\n".join(text[-lines:])


def wait_until_serving(server: subprocess.Popen[bytes], port: int, server_log: IO[str]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkBroken(
                f"gunicorn exited ({server.returncode}) before serving:\n{tail(server_log)}"
            )
        connection = http.client.HTTPConnection(HOST, port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise BenchmarkBroken(f"gunicorn did not answer /healthz within {SERVER_START_TIMEOUT_S:.0f} s")


# The clients -------------------------------------------------------------------------------------


class Visitor:
    """One client: a keep-alive connection (reopened if the server closes it) and, for the
    survey, its own CSRF cookie and token, as one browser would have."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.opened = 0
        self.cookie = ""
        self.token = ""

    def send(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
            self.opened += 1
        try:
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response, content

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def take_csrf(self, start_path: str, cookie_name: str) -> None:
        """GET the survey's start page: its CSRF cookie and the token of its form."""
        response, content = self.send("GET", start_path)
        if response.status != 200:
            raise BenchmarkBroken(f"GET {start_path}: {response.status}, not 200")
        cookies: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if cookie_name not in cookies or token is None:
            raise BenchmarkBroken(f"GET {start_path}: no CSRF cookie or token")
        self.cookie = f"{cookie_name}={cookies[cookie_name].value}"
        self.token = token.group(1).decode()
        self.close()  # the load opens its own connection (an idle one could time out first)
        self.opened = 0


def submission(visitor: Visitor, start_path: str, number: int) -> list[float]:
    """One respondent's essential posts with a new key: the page, then 'Send'. Returns the
    requests' times (ms); raises WrongAnswer if either is not the expected redirect."""
    key = secrets.token_urlsafe(24)
    headers = {"Content-Type": CONTENT_TYPE_FORM, "Cookie": visitor.cookie}
    steps = [
        (
            f"{start_path}r/{key}/1/",
            {QUESTION: "Yes" if number % 2 else "No"},
            f"{start_path}r/{key}/check/",
        ),
        (f"{start_path}r/{key}/check/", {}, f"{start_path}thank-you/"),
    ]
    timings = []
    for path, fields, expected in steps:
        body = urlencode({"csrfmiddlewaretoken": visitor.token, **fields})
        started = time.perf_counter()
        response, _ = visitor.send("POST", path, body, headers)
        timings.append((time.perf_counter() - started) * 1000)
        location = response.getheader("Location", "")
        if response.status != 302 or location != expected:
            raise WrongAnswer(f"POST {path}: {response.status} {location or ''}".strip())
    return timings


def healthz(visitor: Visitor, _start_path: str, _number: int) -> list[float]:
    started = time.perf_counter()
    response, content = visitor.send("GET", "/healthz")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200 or b'"ok"' not in content:
        raise WrongAnswer(f"GET /healthz: {response.status}")
    return [elapsed]


Operation = Callable[[Visitor, str, int], list[float]]


def run_load(
    label: str,
    unit: str,
    operation: Operation,
    visitors: list[Visitor],
    start_path: str,
    *,
    warmup: float,
    seconds: float,
) -> Load:
    """Every visitor repeats the operation in its own thread: `warmup` seconds untimed, then
    `seconds` timed (operations started in that window count)."""
    load = Load(label=label, unit=unit, seconds=seconds)
    window = {"from": 0.0, "to": 0.0}

    def set_window() -> None:
        window["from"] = time.perf_counter() + warmup
        window["to"] = window["from"] + seconds

    start = threading.Barrier(len(visitors), action=set_window)
    lock = threading.Lock()

    def client(visitor: Visitor, offset: int) -> None:
        operation_ms: list[float] = []
        request_ms: list[float] = []
        errors: list[str] = []
        completed = 0
        number = offset
        start.wait()
        while (started := time.perf_counter()) < window["to"]:
            number += len(visitors)
            try:
                timings = operation(visitor, start_path, number)
            except WrongAnswer as wrong:
                errors.append(str(wrong))
                continue
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{type(error).__name__}: {error}")
                continue
            completed += 1
            if started >= window["from"]:
                operation_ms.append((time.perf_counter() - started) * 1000)
                request_ms.extend(timings)
        visitor.close()
        with lock:
            load.operation_ms.extend(operation_ms)
            load.request_ms.extend(request_ms)
            load.errors.extend(errors)
            load.completed += completed
            load.connections += visitor.opened

    threads = [
        threading.Thread(
            target=client, args=(visitor, offset), name=f"client-{offset}", daemon=True
        )
        for offset, visitor in enumerate(visitors)
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # interrupted: the clients stop after their current operation
        window["from"] = window["to"] = 0.0
        raise
    load.client_cpu_seconds = time.process_time() - cpu
    load.wall_seconds = time.perf_counter() - wall
    load.load_average = os.getloadavg()[0]
    return load


# Running -----------------------------------------------------------------------------------------


def run(args: argparse.Namespace, report: Report) -> None:
    started = time.perf_counter()
    with postgres_database(args.postgres_url) as database_url:
        log("migrating and building the survey")
        environment = server_environment(database_url)
        report.server, start_path = django_setup(environment)
        report.queries = count_queries(start_path)
        report.setup_seconds = time.perf_counter() - started
        log(f"{report.server}; survey at {start_path}")
        from django.conf import settings

        with gunicorn(environment, workers=args.workers, threads=args.threads) as (port, version):
            report.gunicorn = f"{version}, {args.workers} workers x {args.threads} threads"
            visitors = [Visitor(port) for _ in range(args.clients)]
            for visitor in visitors:
                visitor.take_csrf(start_path, settings.CSRF_COOKIE_NAME)
            log(f"surveys: {args.clients} clients, {args.warmup:g} s warm-up, {args.duration:g} s")
            report.surveys = run_load(
                "survey submissions (page POST + check POST)",
                "submissions/s",
                submission,
                visitors,
                start_path,
                warmup=args.warmup,
                seconds=args.duration,
            )
            log(f"healthz: {args.clients} clients, {args.warmup:g} s warm-up, {args.duration:g} s")
            report.healthz = run_load(
                "GET /healthz (the floor: SELECT 1)",
                "requests/s",
                healthz,
                [Visitor(port) for _ in range(args.clients)],
                start_path,
                warmup=args.warmup,
                seconds=args.duration,
            )
        report.stored_submitted, report.stored_drafts, report.stored_answers = stored_counts()
    report.total_seconds = time.perf_counter() - started


def check(report: Report) -> list[str]:
    """What makes the run broken rather than slow."""
    problems = []
    for load in (report.surveys, report.healthz):
        if load is None:
            continue
        if load.errors:
            shown = "; ".join(sorted(set(load.errors))[:3])
            problems.append(f"{load.label}: {len(load.errors)} errors ({shown})")
        if not load.operation_ms:
            problems.append(f"{load.label}: nothing completed in the timed window")
    if report.surveys is not None and report.stored_submitted != report.surveys.completed:
        problems.append(
            f"{report.stored_submitted} submitted responses stored for "
            f"{report.surveys.completed} successful submissions"
        )
    if report.surveys is not None and report.stored_drafts:
        problems.append(f"{report.stored_drafts} responses left as drafts")
    return problems


def format_load(load: Load) -> str:
    return (
        f"{load.label:<46}{load.per_second:>8,.1f} {load.unit:<14}"
        f"p50 {percentile(load.operation_ms, 0.50):>5.0f} ms  "
        f"p95 {percentile(load.operation_ms, 0.95):>5.0f} ms  "
        f"p99 {percentile(load.operation_ms, 0.99):>5.0f} ms  "
        f"errors {len(load.errors)}  connections {load.connections}"
    )


def print_table(report: Report) -> None:
    print()
    print(
        f"PAQA survey benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {report.load_average_before:.2f} before the run"
    )
    if report.skipped:
        print(f"postgres skipped: {report.skipped}")
        return
    print(
        f"{report.server}; {report.gunicorn}; {report.clients} concurrent clients on keep-alive "
        f"connections; set up in {report.setup_seconds:.1f} s, whole run "
        f"{report.total_seconds:.0f} s"
    )
    surveys, floor = report.surveys, report.healthz
    if surveys is None or floor is None:
        return
    for load in (surveys, floor):
        print(format_load(load))
    print(
        f"{'  their POSTs, one by one':<46}{surveys.requests_per_second:>8,.1f} "
        f"{'requests/s':<14}p50 {percentile(surveys.request_ms, 0.50):>5.0f} ms  "
        f"p95 {percentile(surveys.request_ms, 0.95):>5.0f} ms  "
        f"p99 {percentile(surveys.request_ms, 0.99):>5.0f} ms"
    )
    ratio = surveys.per_second / floor.per_second
    p95_ratio = percentile(surveys.operation_ms, 0.95) / percentile(floor.operation_ms, 0.95)
    print(
        f"{'ratio to the floor':<46}{ratio:>8.2f}x     submissions/s / healthz requests/s "
        f"(at most 0.50x: 2 requests a submission); p95 {p95_ratio:.1f}x healthz's"
    )
    for load in (surveys, floor):
        print(
            f"{'  load: ' + load.label.split(' (')[0]:<46}clients used "
            f"{load.client_cpu_seconds / load.wall_seconds:.2f} CPUs; load average "
            f"{load.load_average:.2f} after"
        )
    page, sent, floor_queries = report.queries
    print(
        f"{'SQL queries':<46}{page} + {sent} a submission (page POST + check POST), "
        f"{floor_queries} a healthz (+1 connection check a request under gunicorn)"
    )
    match = "ok" if report.stored_submitted == surveys.completed else "MISMATCH"
    print(
        f"{'stored':<46}{report.stored_submitted:,} submitted responses "
        f"({report.stored_answers:,} answers, {report.stored_drafts} drafts) for "
        f"{surveys.completed:,} successful submissions, warm-up included: {match}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--duration", type=float, default=10.0, help="timed seconds per load")
    parser.add_argument("--warmup", type=float, default=1.0, help="untimed seconds before each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PAQA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help=f"the PostgreSQL server (its database {POSTGRES_DATABASE} is created and dropped)",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--clients must be 1 or more, --duration above 0, --warmup 0 or more")
    return args


def stop(signum: int, _frame: object) -> None:
    """SIGTERM (a CI time-out): unwind like Ctrl-C, so gunicorn stops and the database goes."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, stop)
    report = Report(clients=args.clients, load_average_before=os.getloadavg()[0])
    try:
        run(args, report)
    except Skipped as skipped:
        report.skipped = str(skipped)
    except BenchmarkBroken as error:
        print(f"[surveys] BENCHMARK BROKEN: {error}", file=sys.stderr)
        return 1
    print_table(report)
    problems = check(report)
    for problem in problems:
        print(f"BENCHMARK BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
