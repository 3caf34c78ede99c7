"""Fault test for the public survey: SIGKILL the app server, restart PostgreSQL, under load.

    .venv/bin/python bench/fault_survey.py                      # PostgreSQL: ~60 s in all
    .venv/bin/python bench/fault_survey.py --cluster main       # restart the machine's server
    .venv/bin/python bench/fault_survey.py --database sqlite    # SQLite: the SIGKILL only
    .venv/bin/python bench/fault_survey.py --clients 12 --seconds 40 --workers 4

A throwaway database `paqa_faults_<pid>` is made, migrated and given an open practitioner survey
(the shipped pack). PostgreSQL: by default on a private cluster made for the run (initdb in a
temporary directory, a free port, fsync on), so that restarting it cuts no one else off; with
`--cluster main`, on the server at postgres://postgres@127.0.0.1:5432, restarted with
`pg_ctlcluster --skip-systemctl-redirect <version> main restart` (refused while other databases
on it have connections, unless --force). SQLite: a file in a temporary directory (the SIGKILL
only). gunicorn serves `paqa.wsgi` (settings `paqa.settings.local`, DEBUG off) on a free
loopback port, in a process group of its own.

Client threads then keep answering the survey as a browser does: the start page, "Start now",
each page (GET, then POST; a page that shows a new question is posted again), the check page,
"Send my answers", the thank-you page. Every response carries a marker of its own in its free-text
answer. A request that fails (no connection, a reset, a 5xx) is sent again unchanged, a few
times, as someone pressing refresh would: the same key in the address, the same form.

During the run the whole gunicorn process group (master and workers) is killed with SIGKILL and
started again after a second; once it serves again and the load has run for a few seconds,
PostgreSQL is restarted (fast shutdown, then start). A /healthz probe every 0.1 s times each
outage. The load goes on for some seconds after the last fault. At the end the database is
read: every submission whose thank-you page was shown must be stored exactly once, as a
submitted response. Lost (confirmed, not stored) or duplicated (stored more than once)
submissions exit 1; so does a fault that could not be made, or a request answered wrongly (not
a failure to retry, but a wrong status or page).

bench_mixed.py uses this file's browser, survey respondent and gunicorn helpers.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432"
SETTINGS_MODULE = "paqa.settings.local"  # what paqa.wsgi serves by default: DEBUG off
HOST = "127.0.0.1"
CONTENT_TYPE_FORM = "application/x-www-form-urlencoded"
REQUEST_TIMEOUT_S = 10.0
SERVER_START_TIMEOUT_S = 60.0
PROBE_INTERVAL_S = 0.1
MARKER_QUESTION = "change"  # the practitioner survey's free-text question
THANK_YOU_TEXT = b"Your answers have been sent"
LIKERT = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]
ORGANISATIONS = [
    "Children's social care",
    "Police",
    "Health",
    "Education",
    "District council or housing",
    "Voluntary or community organisation",
    "Other",
]
ROLES = ["Practitioner", "Team manager", "Senior manager", "Other"]


def log(message: str, prefix: str = "faults") -> None:
    print(f"[{prefix}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value at least `fraction` of them reach."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


class BenchmarkBroken(Exception):
    """The run did not test what it claims to: fail loudly."""


class WrongAnswer(Exception):
    """A request answered, but not as it should have been: not retried."""


class Unavailable(Exception):
    """A request that failed every time it was sent (no connection, reset, 5xx)."""


# The databases ---------------------------------------------------------------------------------


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    yield f"sqlite:///{directory / 'paqa.sqlite3'}"  # an absolute path


@contextmanager
def postgres_database(server_url: str, name: str, prefix: str = "faults") -> Iterator[str]:
    """A database made for the run on `server_url`, dropped at the end whatever happens."""
    import psycopg
    from psycopg import sql

    admin_url = urlsplit(server_url)._replace(path="/postgres").geturl()
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(drop)
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise BenchmarkBroken(f"no usable PostgreSQL server at {server_url} ({reason})") from error
    try:
        yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        if "django.db" in sys.modules:  # Django's connections hold the database open
            from django.db import connections

            connections.close_all()
        for _ in range(30):  # the server may still be coming back from a restart
            try:
                with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
                    admin.execute(drop)
                break
            except psycopg.OperationalError:
                time.sleep(1)
        log(f"database {name} dropped", prefix)


def server_environment(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of this process's Django and of gunicorn: the same settings for both."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": database_url,
        "PAQA_VAR_DIR": str(var_dir),  # never the developer's var/
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),  # a key per run: the same across restarts
        "DJANGO_ALLOWED_HOSTS": HOST,
        "PAQA_SURVEY_POSTS_PER_MINUTE": "1000000",  # every client comes from one address
        "PAQA_LOG_LEVEL": "WARNING",
        **extra,
    }


def django_setup(environment: dict[str, str], prefix: str = "faults") -> None:
    """Django in this process, with the server's settings; the database migrated and the static
    files' manifest in place (collectstatic, as `make serve` does, if there is none)."""
    os.environ.update(environment)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        log("no static files manifest: collectstatic (as `make serve` does)", prefix)
        call_command("collectstatic", interactive=False, verbosity=0)


def open_practitioner_survey(year: str) -> tuple[int, str]:
    """A practitioner survey from the shipped pack, open from yesterday for a month. Returns its
    pk and the address of its start page."""
    from django.utils import timezone

    from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack

    today: date = timezone.localdate()
    survey = survey_from_pack(
        path=PRACTITIONER_PACK,
        year=year,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )
    return survey.pk, f"/s/{survey.public_slug}/"


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("select sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


# The server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


class Gunicorn:
    """gunicorn serving paqa.wsgi on one loopback port, in a process group of its own so that
    the master and its workers can be killed together, and started again on the same port."""

    def __init__(
        self,
        environment: dict[str, str],
        *,
        workers: int,
        threads: int,
        log_path: Path,
        prefix: str = "faults",
    ) -> None:
        self.environment = environment
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.prefix = prefix
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.first_boot = math.nan  # seconds from starting it to its first 200 from /healthz
        import gunicorn as package

        self.version = f"gunicorn {package.__version__}"

    def start(self) -> float:
        """Start it and wait until /healthz answers 200. Returns the seconds that took."""
        started = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "paqa.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ]
        with self.log_path.open("ab") as server_log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command,
                cwd=PROJECT_DIR,
                env=self.environment,
                stdout=server_log,
                stderr=server_log,
                start_new_session=True,  # its own process group: killpg reaches the workers
            )
        self._wait_until_serving()
        return time.perf_counter() - started

    def _wait_until_serving(self) -> None:
        assert self.process is not None  # noqa: S101 - started just before
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkBroken(
                    f"gunicorn exited ({self.process.returncode}) before serving:\n"
                    f"{self.log_tail()}"
                )
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise BenchmarkBroken(f"gunicorn did not answer /healthz within {SERVER_START_TIMEOUT_S} s")

    def kill(self) -> int:
        """SIGKILL the master and every worker at once. Returns how many processes that was."""
        assert self.process is not None  # noqa: S101 - it was started
        pgid = self.process.pid
        members = group_members(pgid)
        os.killpg(pgid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if group_members(pgid):
            raise BenchmarkBroken(f"gunicorn's processes {group_members(pgid)} outlived SIGKILL")
        return len(members)

    def stop(self) -> None:
        """Graceful (SIGTERM to the group), then SIGKILL whatever is left."""
        if self.process is None:
            return
        pgid = self.process.pid
        if group_members(pgid):
            os.killpg(pgid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
            deadline = time.monotonic() + 5
            while group_members(pgid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if group_members(pgid):
                os.killpg(pgid, signal.SIGKILL)
        self.process.wait()
        log(f"gunicorn stopped (exit {self.process.returncode})", self.prefix)

    def log_tail(self, lines: int = 20, matching: str = "") -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        if matching:
            text = [line for line in text if re.search(matching, line)]
        return "\n".join(text[-lines:])

    def logged_errors(self) -> Counter[str]:
        """The exceptions the server logged (the last line of each traceback), counted."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return Counter()
        found: Counter[str] = Counter()
        for line in text:
            match = re.match(r"^([a-zA-Z_.]+(?:Error|Exception|Exit)): ?(.*)$", line)
            if match:
                found[f"{match.group(1)}: {' '.join(match.group(2).split())[:90]}"] += 1
            match = re.search(r"\[(?:ERROR|CRITICAL)\] (.*)$", line)  # gunicorn's own
            if match:
                found[f"gunicorn: {re.sub(r'[0-9]+', 'N', match.group(1))[:90]}"] += 1
        return found

    @contextmanager
    def serving(self) -> Iterator[Gunicorn]:
        self.first_boot = self.start()
        try:
            yield self
        finally:
            self.stop()


# The browser -------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    location: str
    body: bytes


# label, started (perf_counter), seconds, status (None: no answer), error
Recorder = Callable[[str, float, float, int | None, str], None]


def nothing(_label: str, _started: float, _seconds: float, _status: int | None, _err: str) -> None:
    return None


class Browser:
    """One person's browser: a keep-alive connection (opened again when it breaks) and the
    cookies the site set. Every request is passed to `record` with its time and outcome."""

    def __init__(
        self, port: int, record: Recorder = nothing, timeout: float = REQUEST_TIMEOUT_S
    ) -> None:
        self.port = port
        self.record = record
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.token = ""

    def send(
        self, method: str, path: str, fields: dict[str, object] | None = None, *, label: str
    ) -> Reply:
        headers = {}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = CONTENT_TYPE_FORM
            body = urlencode({"csrfmiddlewaretoken": self.token, **(fields or {})}, doseq=True)
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.record(label, started, time.perf_counter() - started, None, describe(error))
            self.close()
            raise
        self.record(label, started, time.perf_counter() - started, response.status, "")
        cookies: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        for name, morsel in cookies.items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if token is not None:
            self.token = token.group(1).decode()
        if response.will_close:
            self.close()
        return Reply(response.status, response.getheader("Location", ""), content)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError | http.client.RemoteDisconnected | BrokenPipeError):
        return "connection closed with no answer"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    return f"{type(error).__name__}: {text}"[:100]


# The survey respondent ---------------------------------------------------------------------------


def practitioner_answers(rng: random.Random, marker: str) -> dict[str, object]:
    trained = rng.random() < 0.9
    answers: dict[str, object] = {
        "organisation": rng.choice(ORGANISATIONS),
        "role": rng.choice(ROLES),
        "trained-3-years": "Yes" if trained else "No",
        "discuss-safeguarding": "Yes" if rng.random() < 0.95 else "No",
        "confident": rng.choice(LIKERT),
        MARKER_QUESTION: marker,
    }
    if trained:
        answers["training-useful"] = rng.choice(LIKERT)
    return answers


@dataclass
class Submission:
    marker: str
    keys: list[str] = field(default_factory=list)  # more than one if "Start now" was resent
    sent: bool = False  # "Send my answers" was answered with the redirect to the thank-you page
    confirmed: bool = False  # and the thank-you page was shown: what the respondent saw
    resent: int = 0  # requests sent again after a failure
    failure: str = ""  # why it stopped short of the thank-you page
    started: float = 0.0
    seconds: float = 0.0


def shown_questions(body: bytes) -> list[str]:
    return [m.decode() for m in re.findall(rb'name="_shown" value="([^"]+)"', body)]


def respond(
    browser: Browser,
    start_path: str,
    answers: dict[str, object],
    submission: Submission,
    *,
    retries: int = 0,
    retry_wait: float = 1.0,
    label: str = "survey",
) -> None:
    """Answer the survey as a browser does, filling in `submission` as it goes. A request that
    fails (no answer, or a 5xx) is sent again unchanged up to `retries` times. Raises
    Unavailable when one fails every time, WrongAnswer when one is answered wrongly."""
    submission.started = time.perf_counter()

    def go(method: str, path: str, step: str, fields: dict[str, object] | None = None) -> Reply:
        last = ""
        for attempt in range(retries + 1):
            if attempt:
                submission.resent += 1
                browser.close()  # a fresh connection: gunicorn drops keep-alive ones idle 2 s
                time.sleep(retry_wait * min(attempt, 4))  # 1, 2, 3, 4, 4 ... x retry_wait
            try:
                reply = browser.send(method, path, fields, label=f"{label}: {step}")
            except (OSError, http.client.HTTPException) as error:
                last = describe(error)
                continue
            if reply.status >= 500:
                last = f"HTTP {reply.status}"
                continue
            return reply
        raise Unavailable(f"{method} {step}: {last} ({retries + 1} tries)")

    def expect(reply: Reply, status: int, step: str, location: str = "") -> None:
        if reply.status != status or (location and not re.fullmatch(location, reply.location)):
            raise WrongAnswer(f"{step}: {reply.status} {reply.location}".strip())

    reply = go("GET", start_path, "start page")
    expect(reply, 200, "start page")
    reply = go("POST", start_path, "Start now", {})
    expect(reply, 302, "Start now", re.escape(start_path) + r"r/[-\w]+/1/")
    key = reply.location.split("/r/")[1].split("/")[0]
    submission.keys.append(key)
    check_path = f"{start_path}r/{key}/check/"
    path = reply.location
    while path != check_path:
        step = f"page {path.rstrip('/').rsplit('/', 1)[1]}"
        reply = go("GET", path, f"{step} GET")
        expect(reply, 200, f"{step} GET")
        for _ in range(3):  # posted again when the answer brings a new question
            shown = shown_questions(reply.body)
            fields = {"_shown": shown, **{q: answers[q] for q in shown if q in answers}}
            reply = go("POST", path, f"{step} POST", fields)
            if reply.status != 200 or not set(shown_questions(reply.body)) - set(shown):
                break
        expect(
            reply, 302, f"{step} POST", re.escape(start_path) + rf"r/{re.escape(key)}/(\d+|check)/"
        )
        path = reply.location
    reply = go("GET", check_path, "check GET")
    expect(reply, 200, "check GET")
    reply = go("POST", check_path, "Send my answers")
    expect(reply, 302, "Send my answers", re.escape(f"{start_path}thank-you/"))
    submission.sent = True
    reply = go("GET", reply.location, "thank-you page")
    expect(reply, 200, "thank-you page")
    if THANK_YOU_TEXT not in reply.body:
        raise WrongAnswer("thank-you page: no confirmation")
    submission.confirmed = True
    submission.seconds = time.perf_counter() - submission.started


# The faults ----------------------------------------------------------------------------------


@dataclass
class Event:
    started: float  # seconds from the start of the load
    ended: float
    ok: bool
    step: str  # "page 2 POST", "Send my answers", ...
    outcome: str  # "HTTP 302", "connection refused", ...


@dataclass
class Fault:
    name: str
    at: float  # seconds from the start of the load
    detail: str = ""
    done_at: float = math.nan  # the server (gunicorn, PostgreSQL) back
    other_connections: str = ""


@dataclass
class Run:
    database: str = ""
    server: str = ""
    seconds: float = 0.0
    clients: int = 0
    submissions: list[Submission] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    probes: list[tuple[float, bool]] = field(default_factory=list)  # /healthz: (time, 200?)
    faults: list[Fault] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)  # marker -> submitted responses
    stored_keys: dict[str, str] = field(default_factory=dict)  # key -> status
    drafts: int = 0
    logged: Counter[str] = field(default_factory=Counter)


def postgres_restart_command() -> list[str]:
    """pg_ctlcluster for the newest installed cluster `main` (Debian's postgresql-common)."""
    versions = sorted(
        (entry.name for entry in Path("/etc/postgresql").iterdir() if entry.is_dir()),
        key=lambda name: float(name) if name.replace(".", "").isdigit() else 0.0,
    )
    if not versions or shutil.which("pg_ctlcluster") is None:
        raise BenchmarkBroken("no pg_ctlcluster and /etc/postgresql: pass --restart-command")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"]


def other_connections(server_url: str, own: str) -> str:
    """Who else the restart will cut off: databases other than ours with client connections."""
    import psycopg

    admin_url = urlsplit(server_url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            rows = admin.execute(
                "SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = "
                "'client backend' AND pid <> pg_backend_pid() AND datname IS DISTINCT FROM %s "
                "GROUP BY datname ORDER BY datname",
                [own],
            ).fetchall()
    except psycopg.Error as error:
        return f"(could not ask: {type(error).__name__})"
    return ", ".join(f"{name} ({count})" for name, count in rows)


def wait_for_postgres(server_url: str, timeout: float = 60.0) -> None:
    import psycopg

    admin_url = urlsplit(server_url)._replace(path="/postgres").geturl()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=2) as admin:
                admin.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise BenchmarkBroken(f"PostgreSQL did not come back within {timeout:.0f} s")


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (initdb, pg_ctl)."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found is None:
        raise BenchmarkBroken(
            "no initdb found for a private PostgreSQL cluster: use --cluster main"
        )
    return Path(found).parent


class PrivateCluster:
    """A PostgreSQL cluster of the run's own (initdb in a temporary directory, a free port,
    trust for local connections, fsync on as by default), so that restarting it cuts no one
    else off. As root, its programs run as the `postgres` user (PostgreSQL refuses root)."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="paqa-faults-cluster-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgresql.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            user = pwd.getpwnam("postgres")
            os.chown(self.directory, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}"

    def pg_ctl(self, *arguments: str) -> list[str]:
        return [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), *arguments]

    def restart_command(self) -> list[str]:
        # -l: without it the server's output would go to the pipe the caller reads until EOF
        return self.pg_ctl("-m", "fast", "-w", "-t", "60", "-l", str(self.log), "restart")

    def _run(self, command: list[str]) -> None:
        result = subprocess.run(  # noqa: S603 - our own command line
            command, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise BenchmarkBroken(f"{' '.join(command)}: {result.stderr.strip()[-500:]}")

    @contextmanager
    def running(self) -> Iterator[str]:
        try:
            self._run(
                [
                    *self.as_user,
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--no-instructions",
                ]
            )
            options = f"-p {self.port} -k {self.directory} -c listen_addresses={HOST}"
            self._run(self.pg_ctl("-o", options, "-l", str(self.log), "-w", "start"))
            yield self.url
        finally:
            if (self.data / "postmaster.pid").exists():
                subprocess.run(  # noqa: S603 - our own command line
                    self.pg_ctl("-m", "immediate", "-w", "stop"), capture_output=True, check=False
                )
            shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Schedule:
    """When the load ends: set by the fault thread once the faults are over (until then the
    load goes on), so that every fault is followed by `--after` seconds of load."""

    zero: float
    end: float

    def now(self) -> float:
        return time.perf_counter() - self.zero

    def running(self) -> bool:
        return self.now() < self.end


def make_faults(
    args: argparse.Namespace,
    server: Gunicorn,
    run: Run,
    schedule: Schedule,
    failures: list[BaseException],
    restart_command: list[str],
    own_database: str,
) -> None:
    """The fault thread: SIGKILL gunicorn's group and start it again; restart PostgreSQL."""
    now = schedule.now

    def at(moment: float) -> None:
        time.sleep(max(0.0, moment - now()))

    try:
        at(args.kill_at)
        fault = Fault("SIGKILL gunicorn", now())
        run.faults.append(fault)
        killed = server.kill()
        fault.detail = f"master and {killed - 1} workers, process group {server.process.pid}"  # type: ignore[union-attr]
        log(f"t={fault.at:.1f} s: {killed} gunicorn processes killed with SIGKILL")
        time.sleep(args.pause)
        restarted = now()
        boot = server.start()
        fault.done_at = now()
        fault.detail += (
            f"; started again after {restarted - fault.at:.1f} s, serving in {boot:.1f} s"
        )
        log(f"t={fault.done_at:.1f} s: gunicorn serving again")
        if not restart_command:
            return
        at(max(args.restart_at, fault.done_at + args.after))
        fault = Fault("restart PostgreSQL", now())
        if args.cluster == "main" and args.database == "postgres":
            fault.other_connections = other_connections(args.postgres_url, own_database)
            if fault.other_connections and not args.force:
                raise BenchmarkBroken(
                    f"other databases are in use now ({fault.other_connections}): not restarting "
                    "the server under them. Use --cluster private, or --force"
                )
        fault.at = now()
        run.faults.append(fault)
        command = restart_command
        log(f"t={fault.at:.1f} s: {' '.join(command)}")
        result = subprocess.run(  # noqa: S603 - our own command line
            command, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise BenchmarkBroken(
                f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}"
            )
        wait_for_postgres(args.postgres_url)
        fault.done_at = now()
        shown = " ".join(command[4:] if command[0] == "runuser" else command)
        fault.detail = f"`{shown}` took {fault.done_at - fault.at:.1f} s"
        log(f"t={fault.done_at:.1f} s: PostgreSQL accepting connections again")
    except BaseException as error:  # reported by the main thread
        failures.append(error)
    finally:  # the load goes on until --seconds, and --after seconds after the last fault
        last = run.faults[-1].done_at if run.faults and not failures else 0.0
        schedule.end = max(args.seconds, last + args.after) if not failures else now()


def client(
    number: int,
    port: int,
    start_path: str,
    args: argparse.Namespace,
    run: Run,
    schedule: Schedule,
    lock: threading.Lock,
    run_id: str,
) -> None:
    rng = random.Random(f"{run_id}-{number}")  # noqa: S311 - made-up answers, not security
    events: list[Event] = []
    submissions: list[Submission] = []
    wrong: list[str] = []
    zero = schedule.zero

    def record(label: str, started: float, seconds: float, status: int | None, err: str) -> None:
        ok = status is not None and status < 500
        what = err if status is None else f"HTTP {status}"
        step = label.split(": ", 1)[-1]
        events.append(Event(started - zero, started - zero + seconds, ok, step, what))

    browser = Browser(port, record)
    count = 0
    while schedule.running():
        count += 1
        submission = Submission(marker=f"fault-check {run_id} client {number} response {count}")
        submissions.append(submission)
        try:
            respond(
                browser,
                start_path,
                practitioner_answers(rng, submission.marker),
                submission,
                retries=args.retries,
                retry_wait=args.retry_wait,
            )
        except Unavailable as error:
            submission.failure = str(error)
        except WrongAnswer as error:
            submission.failure = f"wrong answer: {error}"
            wrong.append(str(error))
    browser.close()
    with lock:
        run.events.extend(events)
        run.submissions.extend(submissions)
        run.wrong.extend(wrong)


def probe(port: int, run: Run, schedule: Schedule) -> None:
    """GET /healthz (the app and its database) every PROBE_INTERVAL_S, on a new connection."""
    while schedule.running():
        connection = http.client.HTTPConnection(HOST, port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            ok = connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        finally:
            connection.close()
        run.probes.append((schedule.now(), ok))
        time.sleep(PROBE_INTERVAL_S)


def read_back(run: Run, survey_pk: int) -> None:
    """What the database holds: submitted responses by marker, every key's status."""
    from django.db import connections

    from paqa.surveys.models import Answer, Response

    connections.close_all()  # this process's connection did not survive a database restart
    for key, status in Response.objects.filter(survey_id=survey_pk).values_list(
        "submission_key", "status"
    ):
        run.stored_keys[key] = status
    submitted = sum(1 for s in run.stored_keys.values() if s == Response.Status.SUBMITTED)
    run.drafts = len(run.stored_keys) - submitted
    markers = Answer.objects.filter(
        response__survey_id=survey_pk,
        response__status=Response.Status.SUBMITTED,
        question__code=MARKER_QUESTION,
    ).values_list("value", flat=True)
    run.stored = dict(Counter(str(value) for value in markers))
    if submitted != sum(run.stored.values()):
        run.wrong.append(
            f"{submitted} submitted responses but {sum(run.stored.values())} markers stored"
        )


def run_all(args: argparse.Namespace) -> Run:
    run = Run(clients=args.clients, seconds=args.seconds)
    run_id = secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="paqa-faults-") as directory, ExitStack() as stack:
        restart_command: list[str] = []
        name = f"paqa_faults_{os.getpid()}"
        if args.database == "sqlite":
            database = sqlite_database(Path(directory))
        elif args.cluster == "private":
            cluster = PrivateCluster()
            log(f"a private PostgreSQL cluster on {HOST}:{cluster.port} ({cluster.bin})")
            args.postgres_url = stack.enter_context(cluster.running())
            restart_command = cluster.restart_command()
            database = postgres_database(args.postgres_url, name)
        else:
            restart_command = postgres_restart_command()
            others = other_connections(args.postgres_url, name)
            if others and not args.force:
                raise BenchmarkBroken(
                    f"other databases on {args.postgres_url} are in use ({others}): restarting "
                    "it would cut them off. Use --cluster private, or --force"
                )
            database = postgres_database(args.postgres_url, name)
        if args.restart_command:
            restart_command = shlex.split(args.restart_command)
        if args.no_database_restart:
            restart_command = []
        with database as database_url:
            environment = server_environment(database_url, Path(directory) / "var")
            log("migrating and making the survey")
            django_setup(environment)
            survey_pk, start_path = open_practitioner_survey("faults")
            run.database = database_version()
            from django.db import connections

            connections.close_all()
            server = Gunicorn(
                environment,
                workers=args.workers,
                threads=args.threads,
                log_path=Path(directory) / "gunicorn.log",
            )
            run.server = f"{server.version}, {args.workers} workers x {args.threads} threads"
            with server.serving():
                run.server += f" (first start: serving in {server.first_boot:.1f} s)"
                log(f"{run.server} on {HOST}:{server.port}; {run.database}; {args.clients} clients")
                schedule = Schedule(zero=time.perf_counter(), end=math.inf)
                lock = threading.Lock()
                failures: list[BaseException] = []
                threads = [
                    threading.Thread(
                        target=client,
                        args=(n, server.port, start_path, args, run, schedule, lock, run_id),
                        daemon=True,
                    )
                    for n in range(1, args.clients + 1)
                ]
                faults = threading.Thread(
                    target=make_faults,
                    args=(args, server, run, schedule, failures, restart_command, name),
                    daemon=True,
                )
                prober = threading.Thread(
                    target=probe, args=(server.port, run, schedule), daemon=True
                )
                for thread in [*threads, faults, prober]:
                    thread.start()
                faults.join()
                for thread in [*threads, prober]:
                    thread.join()
                run.seconds = schedule.now()
                if failures:
                    raise BenchmarkBroken(f"a fault could not be made: {failures[0]}")
            run.logged = server.logged_errors()
            read_back(run, survey_pk)
    return run


# The figures -------------------------------------------------------------------------------------


@dataclass
class Outage:
    fault: Fault
    first_failure: float = math.nan
    recovered: float = math.nan
    failed: int = 0
    steps: Counter[str] = field(default_factory=Counter)  # the failed requests' steps
    outcomes: Counter[str] = field(default_factory=Counter)  # and what they got
    down_from: float = math.nan  # the /healthz probe's first failure after the fault
    up_again: float = math.nan  # and its first 200 after that

    @property
    def seconds(self) -> float:
        return self.recovered - self.first_failure


def outages(run: Run) -> list[Outage]:
    """For each fault: from the first request that failed after it to the end of the first
    request that started after that failure and succeeded: the downtime the clients saw."""
    found = []
    times = [fault.at for fault in run.faults] + [math.inf]
    for index, fault in enumerate(run.faults):
        window = [e for e in run.events if fault.at <= e.ended < times[index + 1]]
        outage = Outage(fault)
        failed = [e for e in window if not e.ok]
        outage.failed = len(failed)
        outage.steps = Counter(e.step for e in failed)
        outage.outcomes = Counter(e.outcome for e in failed)
        probes = [(t, ok) for t, ok in run.probes if fault.at <= t < times[index + 1]]
        down = [t for t, ok in probes if not ok]
        if down:
            outage.down_from = down[0]
            up = [t for t, ok in probes if ok and t > down[0]]
            outage.up_again = up[0] if up else math.nan
        if failed:
            outage.first_failure = min(e.ended for e in failed)
            later = [e.ended for e in window if e.ok and e.started >= outage.first_failure]
            outage.recovered = min(later) if later else math.nan
        found.append(outage)
    return found


def figures(run: Run) -> tuple[list[str], list[str]]:
    """The lines to print and the problems that make the run fail."""
    by_marker = {s.marker: s for s in run.submissions}
    confirmed = [s for s in run.submissions if s.confirmed]
    sent_only = [s for s in run.submissions if s.sent and not s.confirmed]
    failed = [s for s in run.submissions if not s.sent]
    lost = [s for s in confirmed if run.stored.get(s.marker, 0) == 0]
    duplicated = [marker for marker, count in run.stored.items() if count > 1]
    unconfirmed_stored = [s for s in run.submissions if not s.confirmed and s.marker in run.stored]
    unknown = [marker for marker in run.stored if marker not in by_marker]
    confirmed_keys_not_submitted = [
        s for s in confirmed if not any(run.stored_keys.get(k) == "submitted" for k in s.keys)
    ]
    failures = [e for e in run.events if not e.ok]
    kinds = Counter(e.outcome for e in failures)
    times = [s.seconds * 1000 for s in confirmed]
    per_submission = len(run.events) / max(1, len(run.submissions))
    lines = [
        f"PAQA fault test: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} after the run",
        f"{run.database}; {run.server}; {run.clients} clients answering the practitioner "
        f"survey for {run.seconds:.0f} s (each request that fails is sent again)",
        "faults:",
    ]
    for outage in outages(run):
        fault = outage.fault
        lines.append(f"  t={fault.at:5.1f} s  {fault.name}: {fault.detail}")
        if fault.other_connections:
            lines.append(f"           it also cut the connections to: {fault.other_connections}")
        if not math.isnan(outage.down_from):
            lines.append(
                f"           down for {outage.up_again - outage.down_from:.1f} s by /healthz "
                f"(probed every {PROBE_INTERVAL_S:g} s): from t={outage.down_from:.1f} s"
            )
        if outage.failed:
            lines.append(
                f"           the clients saw errors for {outage.seconds:.1f} s (to the first "
                f"success, waits before resending included): {outage.failed} failed requests, "
                + ", ".join(f"{what} {n}" for what, n in outage.outcomes.most_common())
            )
            lines.append(
                "           in flight or sent then: "
                + ", ".join(f"{step} {n}" for step, n in sorted(outage.steps.items()))
            )
        else:
            lines.append("           the clients saw no error")
    stored_total = sum(run.stored.values())
    lines += [
        f"submissions attempted          {len(run.submissions):>7,}",
        f"  confirmed (thank-you shown)  {len(confirmed):>7,}   p50 "
        f"{percentile(times, 0.5):,.0f} ms  p95 {percentile(times, 0.95):,.0f} ms  max "
        f"{max(times, default=math.nan):,.0f} ms a submission ({per_submission:.0f} requests)",
        f"  sent, thank-you not shown    {len(sent_only):>7,}",
        f"  given up before sending      {len(failed):>7,}",
        f"requests                       {len(run.events):>7,}   "
        f"{len(run.events) / run.seconds:,.0f}/s",
        f"  failed (errors seen)         {len(failures):>7,}   "
        + ", ".join(f"{what} {n}" for what, n in kinds.most_common()),
        f"  sent again                   {sum(s.resent for s in run.submissions):>7,}   in "
        f"{sum(1 for s in run.submissions if s.resent)} submissions",
        f"  answered wrongly             {len(run.wrong):>7,}",
        f"stored: {stored_total:,} submitted responses, {run.drafts:,} drafts (given up half-way)",
        f"lost (confirmed, not stored)   {len(lost):>7,}",
        f"duplicated (stored twice+)     {len(duplicated):>7,}",
        f"unconfirmed but stored         {len(unconfirmed_stored):>7,}   sent before a fault "
        "cut the answer off (the respondent did not see the thank-you page)",
    ]
    if run.logged:
        lines.append("the server logged:")
        lines += [f"  {count:>4} x {what}" for what, count in run.logged.most_common(10)]
    problems = []
    if lost:
        problems.append(f"{len(lost)} confirmed submissions lost, e.g. {lost[0].marker}")
    if duplicated:
        problems.append(f"{len(duplicated)} submissions stored more than once: {duplicated[0]}")
    if confirmed_keys_not_submitted:
        problems.append(f"{len(confirmed_keys_not_submitted)} confirmed keys not submitted")
    if unknown:
        problems.append(f"{len(unknown)} stored responses no client sent: {unknown[0]}")
    if run.wrong:
        shown = "; ".join(sorted(set(run.wrong))[:3])
        problems.append(f"{len(run.wrong)} requests answered wrongly ({shown})")
    for outage in outages(run):
        if outage.failed and math.isnan(outage.recovered):
            problems.append(f"no request succeeded after: {outage.fault.name}")
    if not confirmed:
        problems.append("no submission was confirmed")
    return lines, problems


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--cluster",
        choices=["private", "main"],
        default="private",
        help="private (default): a PostgreSQL cluster made for the run, on a free port, restarted "
        "with pg_ctl; main: the server at --postgres-url, restarted with pg_ctlcluster "
        "(refused while other databases on it have connections, unless --force)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PAQA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="with --cluster main: the server (a database paqa_faults_<pid> is made and dropped)",
    )
    parser.add_argument("--force", action="store_true", help="restart a main cluster in use")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load, at least")
    parser.add_argument(
        "--after",
        type=float,
        default=8.0,
        help="seconds of load after each fault is over, at least",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent respondents")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--kill-at", type=float, default=8.0, help="SIGKILL gunicorn at (s)")
    parser.add_argument("--pause", type=float, default=1.0, help="start it again after (s)")
    parser.add_argument(
        "--restart-at",
        type=float,
        default=18.0,
        help="restart PostgreSQL at (s), or --after seconds after gunicorn is back if later",
    )
    parser.add_argument(
        "--restart-command",
        default="",
        help="how to restart PostgreSQL (default: pg_ctlcluster --skip-systemctl-redirect "
        "<newest version> main restart)",
    )
    parser.add_argument("--no-database-restart", action="store_true", help="the SIGKILL only")
    parser.add_argument("--retries", type=int, default=8, help="times a failed request is resent")
    parser.add_argument(
        "--retry-wait", type=float, default=1.0, help="seconds before resending, x1 to x4"
    )
    args = parser.parse_args(argv)
    if not 0 < args.kill_at < args.seconds or (
        args.database == "postgres"
        and not args.no_database_restart
        and not args.kill_at < args.restart_at < args.seconds
    ):
        parser.error("the faults must fall in the run: 0 < --kill-at < --restart-at < --seconds")
    return args


def stop(signum: int, _frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C, so gunicorn stops and the database goes."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, stop)
    try:
        run = run_all(args)
    except BenchmarkBroken as error:
        print(f"[faults] BROKEN: {error}", file=sys.stderr)
        return 1
    lines, problems = figures(run)
    print()
    print("\n".join(lines))
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print("result: ok, every confirmed submission stored exactly once")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
