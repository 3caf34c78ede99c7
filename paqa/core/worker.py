"""`paqa worker`: django-tasks-db's worker, with what PAQA's guarantees add to it.

django-tasks-db's `Worker` claims queued tasks (SKIP LOCKED on PostgreSQL, an exclusive
transaction on SQLite), runs them and records how each ended. On top of it:

- **heartbeats**: every worker writes `core.TaskWorker.beat_at` every
  PAQA_WORKER_HEARTBEAT_SECONDS from a thread of its own, idle or busy;
- **re-queue of abandoned work**: a task left RUNNING by a worker silent for
  PAQA_WORKER_ABANDONED_AFTER_SECONDS (killed, its machine lost) goes back in the queue, and
  after PAQA_TASK_MAX_ATTEMPTS tries is given up and recorded as failed (`WorkerLost`). Tasks
  write their results in one transaction, so running one again is safe;
- **SIGTERM and SIGINT finish the task in hand**, then the worker exits 0; a second signal stops
  it at once, as if it were killed (the task goes back in the queue);
- **only PAQA's own tasks run**: a row naming a module outside PAQA_TASK_PACKAGES is failed
  without that module being imported, and the framework refuses anything not made by `@task`.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from datetime import timedelta
from types import FrameType
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, close_old_connections, connections
from django.db.models.functions import Now
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from paqa.core.models import TaskWorker
from paqa.core.tasks import WorkerLost, is_paqa_task

logger = logging.getLogger("paqa.tasks")


def new_worker_id() -> str:
    """Unique across the pool (the framework allows 64 characters), and says where it runs."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def register(worker_id: str) -> None:
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "beat_at": Now()},
    )


def beat(worker_id: str) -> None:
    """Say this worker is alive, in the database's time, so workers on several machines agree."""
    if not TaskWorker.objects.filter(worker_id=worker_id).update(beat_at=Now()):
        # Another worker took this one for dead (its heartbeats were held up too long) and put
        # its task back in the queue: say so, and carry on being alive.
        logger.warning("Worker %s had been taken for dead; its heartbeats go on", worker_id)
        register(worker_id)


def unregister(worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def requeue_abandoned(
    *, backend_name: str, silent_for: timedelta, max_attempts: int
) -> tuple[int, int]:
    """Put back in the queue the running tasks whose worker has gone silent, and give up those
    already tried `max_attempts` times. Returns (put back, given up)."""
    # Running tasks are read before the living workers: a worker registers before it claims
    # anything, so the worker of every task read here is in the list read next, if it is alive.
    running = list(
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name)
        .values_list("id", "worker_ids", "started_at")
    )
    alive = set(
        TaskWorker.objects.filter(beat_at__gte=Now() - silent_for).values_list(
            "worker_id", flat=True
        )
    )
    put_back = given_up = 0
    for task_id, worker_ids, started_at in running:
        if worker_ids and worker_ids[-1] in alive:
            continue
        # Only if nobody changed it meanwhile (another worker putting it back, or claiming it
        # after that): a task is put back once, so it runs once more.
        unchanged = DBTaskResult.objects.running().filter(id=task_id, started_at=started_at)
        if len(worker_ids) >= max_attempts:
            lost = WorkerLost(
                f"Its worker stopped {len(worker_ids)} times while running it "
                f"({', '.join(worker_ids)})"
            )
            given_up += unchanged.update(
                status=TaskResultStatus.FAILED,
                finished_at=Now(),
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: {lost}\n",
            )
        else:
            put_back += unchanged.update(status=TaskResultStatus.READY)
    TaskWorker.objects.filter(beat_at__lt=Now() - silent_for).delete()
    return put_back, given_up


class Worker(DatabaseWorker):
    def __init__(
        self,
        *,
        heartbeat_seconds: float,
        silent_for: timedelta,
        max_attempts: int,
        packages: tuple[str, ...],
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.heartbeat_seconds = heartbeat_seconds
        self.silent_for = silent_for
        self.max_attempts = max_attempts
        self.packages = packages
        self._stop_beating = threading.Event()

    @property
    def tasks_run(self) -> int:
        return self._run_tasks

    def run(self) -> None:
        register(self.worker_id)
        try:
            # At once, before anything else: a worker restarted after a crash takes up the work
            # its predecessor left (when that one has been silent long enough).
            self.requeue()
            beating = threading.Thread(
                target=self._keep_beating, name="paqa-worker-heartbeat", daemon=True
            )
            beating.start()
            try:
                super().run()
            finally:
                self._stop_beating.set()
                beating.join()
        finally:
            unregister(self.worker_id)

    def requeue(self) -> None:
        put_back, given_up = requeue_abandoned(
            backend_name=self.backend_name,
            silent_for=self.silent_for,
            max_attempts=self.max_attempts,
        )
        if put_back:
            logger.warning("Put back %d task(s) whose worker stopped", put_back)
        if given_up:
            logger.error(
                "Gave up %d task(s) whose worker stopped %d times", given_up, self.max_attempts
            )

    def _keep_beating(self) -> None:
        try:
            while not self._stop_beating.wait(self.heartbeat_seconds):
                # A connection broken meanwhile (the database restarted) is replaced, not reused:
                # a worker whose heartbeats kept failing would be taken for dead while it works.
                close_old_connections()
                try:
                    beat(self.worker_id)
                    self.requeue()
                except DatabaseError:
                    # A busy database (SQLite's one writer) holds a heartbeat up; the next one
                    # tries again, and the allowance for silence is several heartbeats long.
                    logger.warning("Heartbeat of worker %s failed", self.worker_id, exc_info=True)
        finally:
            connections.close_all()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # Checked before the framework imports the named module: importing is running code.
        if not is_paqa_task(db_task_result.task_path, self.packages):
            db_task_result.set_failed(
                SuspiciousOperation(f"Not a PAQA task: {db_task_result.task_path}")
            )
            logger.error(
                "Task %s is not a PAQA task: %r", db_task_result.id, db_task_result.task_path
            )
            self._run_tasks += 1
            return
        super().run_task(db_task_result)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        name = signal.strsignal(signum)
        if not self.running:
            logger.warning("%s again: stopping now; the task in hand goes back in the queue", name)
            os._exit(1)
        logger.warning("%s: stopping after the task in hand", name)
        # The framework's own handler exits at once when idle, which could fall between claiming
        # a task and starting it; here the loop ends at its next turn instead.
        self.running = False
