"""Background work: queued for `paqa worker` in production, run by it, and taken up again when
a worker stops mid-way."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from paqa.core import tasks
from paqa.core.models import Task

pytestmark = pytest.mark.django_db

CALLS: list[tuple[str, int]] = []


@tasks.task
def record_call(word: str, number: int) -> None:
    """A task for these tests: remembers that it ran, with what."""
    CALLS.append((word, number))


@tasks.task
def fail_always() -> None:
    raise RuntimeError("this task always fails")


@pytest.fixture
def worker_mode(settings):
    settings.PAQA_TASKS_INLINE = False
    settings.PAQA_TASKS = "worker"
    CALLS.clear()


def _work() -> str:
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue()


def test_in_worker_mode_work_waits_in_the_queue_until_a_worker_runs_it(worker_mode):
    tasks.run_task(record_call, "export", 7)
    task = Task.objects.get()
    assert (task.name, task.arguments, task.status) == (
        "tests.core.test_tasks.record_call",
        ["export", 7],
        "queued",
    )
    assert CALLS == []
    output = _work()
    assert CALLS == [("export", 7)]
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.attempts == 1
    assert task.finished_at is not None
    assert "stopped after 1 task(s)" in output


def test_a_failing_task_is_recorded_as_failed_and_the_worker_carries_on(worker_mode):
    tasks.run_task(fail_always)
    tasks.run_task(record_call, "after", 1)
    _work()
    failed, done = Task.objects.order_by("pk")
    assert failed.status == Task.Status.FAILED
    assert "this task always fails" in failed.error
    assert done.status == Task.Status.DONE
    assert CALLS == [("after", 1)]


def not_a_task() -> None:
    CALLS.append(("not a task", 0))


def test_only_functions_marked_as_tasks_in_our_packages_run_by_name(worker_mode):
    Task.objects.create(name="os.system", arguments=["echo unsafe"])
    Task.objects.create(name="tests.core.test_tasks.not_a_task", arguments=[])
    _work()
    outside, unmarked = Task.objects.order_by("pk")
    assert outside.status == unmarked.status == Task.Status.FAILED
    assert "Not a PAQA task" in outside.error
    assert "Not a registered task" in unmarked.error
    assert CALLS == []
    with pytest.raises(ValueError, match="not marked @task"):
        tasks.run_task(not_a_task)


def test_work_left_by_a_stopped_worker_is_run_again_and_given_up_after_three_tries(
    worker_mode,
):
    silent = timezone.now() - timedelta(minutes=5)
    again = Task.objects.create(
        name="tests.core.test_tasks.record_call",
        arguments=["again", 2],
        status="running",
        attempts=1,
        started_at=silent,
        heartbeat_at=silent,
    )
    given_up = Task.objects.create(
        name="tests.core.test_tasks.record_call",
        arguments=["never", 3],
        status="running",
        attempts=tasks.MAX_ATTEMPTS,
        started_at=silent,
        heartbeat_at=silent,
    )
    alive = Task.objects.create(
        name="tests.core.test_tasks.record_call",
        arguments=["busy", 4],
        status="running",
        attempts=1,
        started_at=silent,
        heartbeat_at=timezone.now(),
    )
    _work()
    again.refresh_from_db()
    given_up.refresh_from_db()
    alive.refresh_from_db()
    assert CALLS == [("again", 2)]
    assert (again.status, again.attempts) == (Task.Status.DONE, 2)
    assert given_up.status == Task.Status.FAILED
    assert "stopped 3 times" in given_up.error
    assert alive.status == Task.Status.RUNNING  # its worker is still beating


def test_a_report_export_is_made_by_the_worker(
    worker_mode, cast, django_capture_on_commit_callbacks
):
    from paqa.reports import services
    from paqa.reports.models import ReportExport

    report = services.report_create(year="2018-19", actor=cast.paqa_member)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(
            report=report, version=None, file_format="html", actor=cast.paqa_member, site_url="/"
        )
    export.refresh_from_db()
    assert export.status == ReportExport.Status.QUEUED
    _work()
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE
    assert bytes(export.data).startswith(b"<!DOCTYPE html>")


def test_an_unknown_mode_is_refused(settings):
    settings.PAQA_TASKS_INLINE = False
    settings.PAQA_TASKS = "celery"
    with pytest.raises(ValueError, match="PAQA_TASKS must be one of"):
        tasks.run_task(record_call, "x", 1)
