"""Background work through the Django tasks API: the backends PAQA_TASKS picks, the database
queue run by `paqa worker` (here in this process; tests/core/test_worker.py runs real worker
processes), and PAQA's rules on what a worker may run."""

import io
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from paqa.core import worker
from paqa.core.models import TaskWorker
from paqa.core.tasks import WorkerLost, is_paqa_task

REPO = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
THREAD = {"default": {"BACKEND": "paqa.core.task_backends.ThreadBackend"}}

CALLS: list[tuple[str, object]] = []


@task
def record_call(word: str, value: object) -> str:
    """A task for these tests: remembers that it ran, where, and with what."""
    CALLS.append((word, value))
    return threading.current_thread().name


@task
def fail_always() -> None:
    raise RuntimeError("this task always fails")


def not_a_task() -> None:
    CALLS.append(("not a task", 0))


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


@pytest.fixture
def queue(settings, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    # The worker closes stale connections between tasks, as a web request does; here it runs
    # inside the test's transaction, which closing would end (a real worker is never inside one).
    monkeypatch.setattr(
        db_worker,
        "close_old_connections",
        lambda: None if connection.in_atomic_block else close_old_connections(),
    )


def _work() -> str:
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue()


def test_in_the_test_suite_a_task_runs_at_once_in_the_caller():
    result = record_call.enqueue("now", 1)
    assert CALLS == [("now", 1)]
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == threading.current_thread().name


def test_the_thread_backend_runs_work_in_a_thread_with_its_arguments_as_json(settings):
    settings.TASKS = THREAD
    result = record_call.enqueue("later", (1, 2))
    deadline = time.monotonic() + 30
    while not result.is_finished and time.monotonic() < deadline:
        time.sleep(0.01)
    assert result.status == TaskResultStatus.SUCCESSFUL
    # A tuple arrives as a list, as it would through a queue: what works here works in a worker.
    assert CALLS == [("later", [1, 2])]
    assert result.return_value.startswith("paqa-task-")
    assert result.return_value != threading.current_thread().name


def test_the_thread_backend_records_a_failure_and_refuses_what_no_queue_could_carry(settings):
    settings.TASKS = THREAD
    failed = fail_always.enqueue()
    deadline = time.monotonic() + 30
    while not failed.is_finished and time.monotonic() < deadline:
        time.sleep(0.01)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors[0].exception_class is RuntimeError
    assert "this task always fails" in failed.errors[0].traceback
    with pytest.raises(TypeError, match="Unsupported type"):
        record_call.enqueue("not json", object())
    assert CALLS == []


@pytest.mark.django_db
def test_in_the_database_queue_work_waits_until_a_worker_runs_it(queue):
    result = record_call.enqueue("export", 7)
    row = DBTaskResult.objects.get()
    assert (row.task_path, row.args_kwargs, row.status) == (
        "tests.core.test_tasks.record_call",
        {"args": ["export", 7], "kwargs": {}},
        TaskResultStatus.READY,
    )
    assert CALLS == []
    output = _work()
    assert CALLS == [("export", 7)]
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.attempts == 1
    assert result.finished_at is not None
    assert "stopped after 1 task(s)" in output
    assert not TaskWorker.objects.exists()  # a worker that stops cleanly says so


@pytest.mark.django_db
def test_a_failing_task_is_recorded_as_failed_and_the_worker_carries_on(queue):
    failed = fail_always.enqueue()
    done = record_call.enqueue("after", 1)
    _work()
    failed.refresh()
    done.refresh()
    assert failed.status == TaskResultStatus.FAILED
    assert "this task always fails" in failed.errors[0].traceback
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert CALLS == [("after", 1)]


def _row(path: str, *args: object) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=path, args_kwargs={"args": list(args), "kwargs": {}}, backend_name="default"
    )


@pytest.mark.django_db
def test_only_functions_marked_as_tasks_in_our_packages_are_run(queue):
    # A module outside PAQA's packages is not even imported: importing is running code.
    assert "tabnanny" not in sys.modules
    outside = _row("tabnanny.check", "/")
    system = _row("os.system", "echo unsafe")
    unmarked = _row("tests.core.test_tasks.not_a_task")
    _work()
    for row in (outside, system, unmarked):
        row.refresh_from_db()
        assert row.status == TaskResultStatus.FAILED
        assert row.exception_class_path == "django.core.exceptions.SuspiciousOperation"
    assert "Not a PAQA task: os.system" in system.traceback
    assert "does not point to a Task" in unmarked.traceback
    assert "tabnanny" not in sys.modules
    assert CALLS == []
    assert not is_paqa_task("os.system", ("paqa",))
    assert not is_paqa_task("paqa", ("paqa",))
    assert is_paqa_task("paqa.reports.services.export_run", ("paqa",))


def _left_running(*, worker_ids: list[str], args: list[object]) -> DBTaskResult:
    row = _row("tests.core.test_tasks.record_call", *args)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(minutes=5),
    )
    row.refresh_from_db()
    return row


@pytest.mark.django_db
def test_work_of_a_silent_worker_is_run_again_and_given_up_after_three_tries(queue):
    silent = timezone.now() - timedelta(minutes=5)
    TaskWorker.objects.create(worker_id="dead", host="h", pid=1, beat_at=silent)
    TaskWorker.objects.create(worker_id="busy", host="h", pid=2, beat_at=timezone.now())
    again = _left_running(worker_ids=["dead"], args=["again", 2])
    given_up = _left_running(worker_ids=["dead", "dead-too", "dead"], args=["never", 3])
    alive = _left_running(worker_ids=["dead", "busy"], args=["busy", 4])
    vanished = _left_running(worker_ids=["gone"], args=["vanished", 5])  # no heartbeat at all
    output = _work()
    for row in (again, given_up, alive, vanished):
        row.refresh_from_db()
    assert sorted(CALLS) == [("again", 2), ("vanished", 5)]
    assert (again.status, len(again.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 2)
    assert vanished.status == TaskResultStatus.SUCCESSFUL
    assert given_up.status == TaskResultStatus.FAILED
    assert given_up.exception_class_path == "paqa.core.tasks.WorkerLost"
    assert given_up.task_result.errors[0].exception_class is WorkerLost
    assert "stopped 3 times" in given_up.traceback
    assert alive.status == TaskResultStatus.RUNNING  # its worker is still beating
    # The dead worker's heartbeat row goes; the live one's stays.
    assert set(TaskWorker.objects.values_list("worker_id", flat=True)) == {"busy"}
    assert "stopped after 2 task(s)" in output


@pytest.mark.django_db
def test_a_task_is_put_back_once_even_when_two_workers_find_it_abandoned(queue):
    row = _left_running(worker_ids=["dead"], args=["once", 1])
    first = worker.requeue_abandoned(
        backend_name="default", silent_for=timedelta(seconds=60), max_attempts=3
    )
    # Claimed again by a live worker in between: the second look changes nothing.
    TaskWorker.objects.create(worker_id="live", host="h", pid=3)
    row.refresh_from_db()
    row.claim("live")
    second = worker.requeue_abandoned(
        backend_name="default", silent_for=timedelta(seconds=60), max_attempts=3
    )
    row.refresh_from_db()
    assert (first, second) == ((1, 0), (0, 0))
    assert (row.status, row.worker_ids) == (TaskResultStatus.RUNNING, ["dead", "live"])


@pytest.mark.django_db
def test_a_worker_taken_for_dead_carries_on_beating():
    worker.register("w1")
    TaskWorker.objects.all().delete()
    worker.beat("w1")
    assert TaskWorker.objects.get().pid == os.getpid()


@pytest.mark.django_db
def test_a_report_export_is_made_by_the_worker_and_repeated_presses_give_the_same_export(
    queue, cast, django_capture_on_commit_callbacks
):
    from paqa.reports import services
    from paqa.reports.models import ReportExport

    report = services.report_create(year="2018-19", actor=cast.paqa_member)

    def press() -> ReportExport:
        with django_capture_on_commit_callbacks(execute=True):
            return services.export_request(
                report=report,
                version=None,
                file_format="html",
                actor=cast.paqa_member,
                site_url="/",
            )

    first, second = press(), press()
    assert first.pk == second.pk
    assert DBTaskResult.objects.count() == 1
    first.refresh_from_db()
    assert first.status == ReportExport.Status.QUEUED
    _work()
    first.refresh_from_db()
    assert first.status == ReportExport.Status.DONE
    assert bytes(first.data).startswith(b"<!DOCTYPE html>")
    third = press()  # the file is made: a new press makes a new one
    assert third.pk != first.pk
    assert DBTaskResult.objects.count() == 2


def test_the_worker_refuses_to_run_when_work_does_not_go_to_the_database_queue():
    with pytest.raises(CommandError, match="paqa worker runs the database queue"):
        call_command("worker", "--once", stdout=io.StringIO())


@pytest.mark.django_db
def test_django_tasks_db_own_worker_is_refused(queue):
    with pytest.raises(CommandError, match="Run `paqa worker`"):
        call_command("db_worker")


def test_the_worker_refuses_heartbeats_that_would_take_a_live_worker_for_dead(queue, settings):
    settings.PAQA_WORKER_ABANDONED_AFTER_SECONDS = settings.PAQA_WORKER_HEARTBEAT_SECONDS
    with pytest.raises(CommandError, match="at least twice"):
        call_command("worker", "--once", stdout=io.StringIO())


def test_an_unknown_mode_is_refused_at_start_up():
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PAQA_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "paqa", "check"],
        cwd=REPO,
        env={**environment, "DJANGO_SETTINGS_MODULE": "paqa.settings.test", "PAQA_TASKS": "celery"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "PAQA_TASKS must be one of thread, worker, not 'celery'" in result.stderr


def test_a_settings_module_of_ones_own_swaps_the_backend_by_settings_alone(tmp_path):
    # As the production guide's RQ settings do, with a backend that needs no Redis.
    (tmp_path / "site_settings.py").write_text(
        "from paqa.settings.test import *\n"
        'TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}\n'
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PAQA_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="site_settings", PAQA_TASKS="worker", PYTHONPATH=str(tmp_path)
    )
    code = (
        "import django\ndjango.setup()\n"
        "from paqa.reports.services import export_run\n"
        "result = export_run.enqueue(1, '/')\n"
        "print(type(result.task.get_backend()).__name__, result.status)\n"
    )
    enqueued = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", code],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert enqueued.returncode == 0, enqueued.stderr[-2000:]
    assert enqueued.stdout.split() == ["DummyBackend", "READY"]
    refused = subprocess.run(
        [sys.executable, "-m", "paqa", "worker", "--once"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0
    assert "goes to django_tasks.backends.dummy.DummyBackend" in refused.stderr
