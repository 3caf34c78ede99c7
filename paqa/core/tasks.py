"""Long work off the request, in one of three ways (setting PAQA_TASKS):

- "thread" (the embedded default): a background thread of the app process;
- "worker" (production): a row in the task queue (`core.Task`), run by `paqa worker`, so a web
  server restart or a deploy does not cut work off and the web processes stay free;
- "inline" (tests, and one-off commands): at once, in the caller.

Every task records its own progress and outcome on a model row the page reads, and writes its
results in one transaction, so a task stopped half-way leaves nothing half-written. A task is a
module-level function called with JSON-able arguments, so a worker can find and run it by name.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

logger = logging.getLogger("paqa.tasks")

MODES = ("thread", "worker", "inline")
MAX_ATTEMPTS = 3


def mode() -> str:
    if getattr(settings, "PAQA_TASKS_INLINE", False):
        return "inline"
    chosen = getattr(settings, "PAQA_TASKS", "thread")
    if chosen not in MODES:
        raise ValueError(f"PAQA_TASKS must be one of {', '.join(MODES)}, not {chosen!r}")
    return str(chosen)


_REGISTERED: dict[str, Callable[..., Any]] = {}

TaskFunction = TypeVar("TaskFunction", bound=Callable[..., Any])


def task(function: TaskFunction) -> TaskFunction:
    """Mark a module-level function as background work a worker may run by name."""
    _REGISTERED[_name_of(function)] = function
    return function


def _name_of(task: Callable[..., Any]) -> str:
    name = f"{task.__module__}.{task.__qualname__}"
    if "<" in name:
        raise ValueError(f"A task must be a module-level function, not {name}")
    return name


def _run(task: Callable[..., Any], *args: Any) -> None:
    try:
        task(*args)
    except Exception:  # the task records its own failure; this is the last-resort log
        logger.exception("Background task %s failed", getattr(task, "__name__", task))
    finally:
        close_old_connections()
        connection.close()


def run_task(task: Callable[..., Any], *args: Any) -> None:
    chosen = mode()
    if chosen == "inline":
        task(*args)
    elif chosen == "worker":
        from paqa.core.models import Task

        name = _name_of(task)
        if _REGISTERED.get(name) is not task:
            raise ValueError(f"{name} is not marked @task, so a worker would not run it")
        Task.objects.create(name=name, arguments=list(args))
    else:
        threading.Thread(target=_run, args=(task, *args), daemon=True).start()


def _resolve(name: str) -> Callable[..., Any]:
    """The registered task of that name. Only modules of the packages in PAQA_TASK_PACKAGES are
    imported to find it, and only functions marked @task are run."""
    module_name = name.rpartition(".")[0]
    packages = tuple(getattr(settings, "PAQA_TASK_PACKAGES", ("paqa",)))
    if module_name.split(".")[0] not in packages:
        raise ValueError(f"Not a PAQA task: {name}")
    importlib.import_module(module_name)
    if name not in _REGISTERED:
        raise ValueError(f"Not a registered task: {name}")
    return _REGISTERED[name]


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_next() -> Any:
    """The oldest queued task, marked as running by this worker; None when there is none.

    On PostgreSQL, workers skip rows another worker holds (SKIP LOCKED), so several can run;
    SQLite serialises writers, so one claim happens at a time anyway.
    """
    from paqa.core.models import Task

    with transaction.atomic():
        queued = Task.objects.filter(status=Task.Status.QUEUED).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            queued = queued.select_for_update(skip_locked=True)
        task = queued.first()
        if task is None:
            return None
        task.status = Task.Status.RUNNING
        task.started_at = task.heartbeat_at = timezone.now()
        task.attempts += 1
        task.worker = worker_identity()
        fields = ["status", "started_at", "heartbeat_at", "attempts", "worker", "updated_at"]
        task.save(update_fields=fields)
    return task


def run_claimed(task: Any) -> None:
    """Run a claimed task and record how it ended."""
    from paqa.core.models import Task

    try:
        _resolve(task.name)(*task.arguments)
    except Exception as error:
        logger.exception("Task %s (%s) failed", task.pk, task.name)
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    else:
        Task.objects.filter(pk=task.pk).update(
            status=Task.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )


def beat(task: Any) -> None:
    """Say the task is still being worked on (a worker does this every few seconds)."""
    from paqa.core.models import Task

    Task.objects.filter(pk=task.pk, status=Task.Status.RUNNING).update(heartbeat_at=timezone.now())


def requeue_abandoned(silent_for: timedelta) -> int:
    """Tasks whose worker stopped (killed, restarted) without finishing them go back in the
    queue: no heartbeat for `silent_for`. Tasks write their results in one transaction, so
    running one again is safe."""
    from django.db.models import Q

    from paqa.core.models import Task

    cutoff = timezone.now() - silent_for
    abandoned = Task.objects.filter(status=Task.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    # A task that stops its worker every time it runs is not tried for ever.
    abandoned.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Task.Status.FAILED,
        error=f"Its worker stopped {MAX_ATTEMPTS} times while running it",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return abandoned.update(status=Task.Status.QUEUED, worker="", updated_at=timezone.now())
