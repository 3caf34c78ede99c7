"""Real `paqa worker` processes, killed and stopped mid-task, on a throwaway copy of the test
database that they and this test can all see (the test's own SQLite database is in memory).

The workers beat every 0.1 s and take a worker silent for 0.5 s for dead, so nothing here waits
long; every wait is for something to happen, bounded only so that a broken worker fails the
test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django_tasks import task

# Marked so that pytest-django sets up the test database, which the workers' is copied from.
pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
TABLE = "django_tasks_database_dbtaskresult"
WAIT_SECONDS = 90


# The tasks the workers run ----------------------------------------------------------------------


@task
def hold(label: str, folder: str) -> None:
    """Says it started, waits to be let go, then says it finished (once per run that ends)."""
    here = Path(folder)
    (here / f"started-{label}-{os.getpid()}").touch()
    deadline = time.monotonic() + WAIT_SECONDS
    while not (here / f"release-{label}").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{label} was never released")
        time.sleep(0.02)
    with (here / f"done-{label}").open("a") as done:
        done.write(f"{os.getpid()}\n")


@task
def kill_own_worker(folder: str) -> None:
    """Stops its worker dead every time it runs, as a crash or the OOM killer would."""
    (Path(folder) / f"started-{os.getpid()}").touch()
    os.kill(os.getpid(), signal.SIGKILL)


# The throwaway database -------------------------------------------------------------------------


@dataclass
class Result:
    status: str
    worker_ids: list[str]
    exception_class_path: str
    traceback: str


@dataclass
class QueueDatabase:
    """The workers' database, read and written here with plain SQL, as the framework does."""

    url: str
    vendor: str
    path: str = ""

    def _connect(self) -> Any:
        if self.vendor == "sqlite":
            return sqlite3.connect(self.path, timeout=20)
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def enqueue(self, task_path: str, *args: object) -> str:
        task_id = uuid.uuid4()
        now = datetime.now(UTC)
        never = datetime(9999, 1, 1, tzinfo=UTC)  # django-tasks-db's "no run_after"
        arguments = json.dumps({"args": list(args), "kwargs": {}})
        columns = (
            "id, status, enqueued_at, args_kwargs, priority, task_path, worker_ids, queue_name, "
            "backend_name, run_after, exception_class_path, traceback"
        )
        if self.vendor == "sqlite":
            # As Django writes them: UTC, without the offset (nor microseconds when there are none).
            values = (task_id.hex, str(now.replace(tzinfo=None)), str(never.replace(tzinfo=None)))
            placeholders = "?, 'READY', ?, ?, 0, ?, '[]', 'default', 'default', ?, '', ''"
            parameters: tuple[object, ...] = (values[0], values[1], arguments, task_path, values[2])
        else:
            placeholders = (
                "%s, 'READY', %s, %s::jsonb, 0, %s, '[]'::jsonb, 'default', 'default', %s, '', ''"
            )
            parameters = (task_id, now, arguments, task_path, never)
        with self._connect() as database:
            database.execute(f"INSERT INTO {TABLE} ({columns}) VALUES ({placeholders})", parameters)  # noqa: S608 (our own constants)
        return task_id.hex

    def result(self, task_id: str) -> Result:
        key: object = task_id if self.vendor == "sqlite" else uuid.UUID(task_id)
        mark = "?" if self.vendor == "sqlite" else "%s"
        with self._connect() as database:
            row = database.execute(
                f"SELECT status, worker_ids, exception_class_path, traceback FROM {TABLE} "  # noqa: S608
                f"WHERE id = {mark}",
                (key,),
            ).fetchone()
        status, worker_ids, exception_class_path, traceback = row
        if isinstance(worker_ids, str):
            worker_ids = json.loads(worker_ids)
        return Result(status, worker_ids, exception_class_path, traceback)

    def clear(self) -> None:
        with self._connect() as database:
            database.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            database.execute("DELETE FROM core_taskworker")

    def count(self) -> int:
        with self._connect() as database:
            return int(database.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0])  # noqa: S608


def _postgres_admin_url(params: dict[str, Any]) -> str:
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{params.get('PORT') or 5432}"


@pytest.fixture(scope="module")
def queue_database(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[QueueDatabase]:
    """A copy of the migrated test database: SQLite's backup of the in-memory one to a file, or
    a PostgreSQL database made from the test database as its template. Quicker than migrating."""
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test_") or "mode=memory" in name, "only a test database is copied"
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("queue") / "queue.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            yield QueueDatabase(url=f"sqlite:///{path}", vendor="sqlite", path=str(path))
            return
        import psycopg

        params = connection.settings_dict
        name = f"paqa_worker_tests_{os.getpid()}"
        admin = _postgres_admin_url(params)
        connections.close_all()  # a template database must have no one connected
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{params["NAME"]}"')
        try:
            yield QueueDatabase(url=f"{admin}/{name}", vendor="postgresql")
        finally:
            with psycopg.connect(f"{admin}/postgres", autocommit=True) as server:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def queue(queue_database: QueueDatabase) -> QueueDatabase:
    """The workers' database with an empty queue: nothing one test left is run by the next."""
    queue_database.clear()
    return queue_database


# Helpers ----------------------------------------------------------------------------------------


def _environment(queue: QueueDatabase) -> dict[str, str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAQA_")) and key != "DATABASE_URL"
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "paqa.settings.test",
        "DATABASE_URL": queue.url,
        "PAQA_TEST_TASKS": "worker",
        "PAQA_WORKER_HEARTBEAT_SECONDS": "0.1",
        "PAQA_WORKER_ABANDONED_AFTER_SECONDS": "0.5",
    }


def _start_worker(queue: QueueDatabase, log: Path, *arguments: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 (our own command)
            [sys.executable, "-m", "paqa", "worker", "--poll", "0.05", *arguments],
            cwd=REPO,
            env=_environment(queue),
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def _wait_for(what: str, happened: Callable[[], object]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not happened():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited in vain for {what}")
        time.sleep(0.05)


def _drive(queue: QueueDatabase, code: str) -> Any:
    """Run Python with Django set up on the workers' database; what it prints last, as JSON."""
    result = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=REPO,
        env=_environment(queue),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# The tests --------------------------------------------------------------------------------------


def test_a_killed_workers_task_is_taken_up_by_another_and_finished_exactly_once(queue, tmp_path):
    task_id = queue.enqueue("tests.core.test_worker.hold", "kill", str(tmp_path))
    first = _start_worker(queue, tmp_path / "first.log")
    try:
        _wait_for("the first worker to start the task", lambda: list(tmp_path.glob("started-*")))
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=WAIT_SECONDS) == -signal.SIGKILL
        assert queue.result(task_id).status == "RUNNING"  # left as it was
        (tmp_path / "release-kill").touch()
        second = _start_worker(queue, tmp_path / "second.log")
        try:
            _wait_for(
                "the second worker to finish the task",
                lambda: queue.result(task_id).status == "SUCCESSFUL",
            )
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=WAIT_SECONDS) == 0
        finally:
            _stop(second)
    finally:
        _stop(first)
    result = queue.result(task_id)
    assert len(result.worker_ids) == 2
    assert result.worker_ids[0].split(":")[1] == str(first.pid)
    assert result.worker_ids[1].split(":")[1] == str(second.pid)
    assert sorted(path.name for path in tmp_path.glob("started-*")) == sorted(
        [f"started-kill-{first.pid}", f"started-kill-{second.pid}"]
    )
    # Finished once, by the second worker.
    assert (tmp_path / "done-kill").read_text().splitlines() == [str(second.pid)]
    assert "Put back 1 task(s) whose worker stopped" in (tmp_path / "second.log").read_text()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_finishes_the_task_in_hand_then_the_worker_exits_cleanly(
    queue, tmp_path, stop_signal
):
    label = f"stop{int(stop_signal)}"
    in_hand = queue.enqueue("tests.core.test_worker.hold", label, str(tmp_path))
    waiting = queue.enqueue("tests.core.test_worker.hold", "next", str(tmp_path))
    worker = _start_worker(queue, tmp_path / "worker.log")
    try:
        _wait_for("the worker to start the task", lambda: list(tmp_path.glob(f"started-{label}-*")))
        worker.send_signal(stop_signal)
        (tmp_path / f"release-{label}").touch()
        assert worker.wait(timeout=WAIT_SECONDS) == 0
    finally:
        _stop(worker)
    assert (tmp_path / f"done-{label}").read_text().splitlines() == [str(worker.pid)]
    assert queue.result(in_hand).status == "SUCCESSFUL"
    # It stopped after the task in hand: the next one waits for another worker.
    assert queue.result(waiting).status == "READY"
    assert not list(tmp_path.glob("started-next-*"))
    log = (tmp_path / "worker.log").read_text()
    assert "stopping after the task in hand" in log
    assert "PAQA worker stopped after 1 task(s)" in log


def test_a_task_that_kills_its_worker_every_time_is_given_up_after_three_tries(queue, tmp_path):
    task_id = queue.enqueue("tests.core.test_worker.kill_own_worker", str(tmp_path))
    exits = []
    for run in range(12):
        if queue.result(task_id).status == "FAILED":
            break
        # A worker started before the last one's heartbeat has gone stale finds nothing to do
        # and stops (--once): the next one tries again.
        worker = _start_worker(queue, tmp_path / f"worker-{run}.log", "--once")
        try:
            exits.append(worker.wait(timeout=WAIT_SECONDS))
        finally:
            _stop(worker)
    result = queue.result(task_id)
    assert exits.count(-signal.SIGKILL) == 3
    assert set(exits) <= {0, -signal.SIGKILL}
    assert len(list(tmp_path.glob("started-*"))) == 3
    assert result.status == "FAILED"
    assert result.exception_class_path == "paqa.core.tasks.WorkerLost"
    assert "Its worker stopped 3 times while running it" in result.traceback
    assert len(result.worker_ids) == 3


def test_pressing_export_again_while_it_waits_gives_the_same_export_which_a_worker_makes(
    queue, tmp_path
):
    before = queue.count()
    pressed = _drive(
        queue,
        """
import json
from django.db import transaction
from paqa.reports import services
from tests.conftest import make_cast

cast = make_cast()
report = services.report_create(year="2018-19", actor=cast.paqa_member)


def press():
    with transaction.atomic():
        return services.export_request(
            report=report, version=None, file_format="html", actor=cast.paqa_member,
            site_url="/",
        ).pk


print(json.dumps({"exports": [press(), press()], "user": cast.paqa_member.pk,
                  "report": report.pk}))
""",
    )
    first, second = pressed["exports"]
    assert first == second
    assert queue.count() == before + 1
    worker = _start_worker(queue, tmp_path / "worker.log", "--once")
    try:
        assert worker.wait(timeout=WAIT_SECONDS) == 0
    finally:
        _stop(worker)
    after = _drive(
        queue,
        f"""
import json
from paqa.accounts.models import User
from paqa.reports import services
from paqa.reports.models import Report, ReportExport

made = ReportExport.objects.get(pk={first})
again = services.export_request(
    report=Report.objects.get(pk={pressed["report"]}), version=None, file_format="html",
    actor=User.objects.get(pk={pressed["user"]}), site_url="/",
)
print(json.dumps({{"status": made.status, "html": bytes(made.data).startswith(b"<!DOCTYPE html>"),
                  "again": again.pk}}))
""",
    )
    assert after == {"status": "done", "html": True, "again": after["again"]}
    assert after["again"] != first  # the file was made: pressing again makes a new one
    assert queue.count() == before + 2
