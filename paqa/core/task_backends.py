"""The embedded default's task backend (PAQA_TASKS=thread): each task runs in a new thread of
the process that enqueued it, so `paqa demo` and a one-machine install need no worker.

What it gives up, against the database queue run by `paqa worker`: work in flight is lost if
the process stops (a deploy, a crash), and long work shares the app's processes. Every task
records its own progress and outcome on a model row the page reads, so a lost task shows as
stalled there, and can be asked for again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, TypeVar

from django.db import connections
from django.utils import timezone
from django_tasks import TaskContext, TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks.utils import (
    get_exception_traceback,
    get_module_path,
    get_random_id,
    normalize_json,
)
from typing_extensions import ParamSpec

logger = logging.getLogger("paqa.tasks")

T = TypeVar("T")
P = ParamSpec("P")


class ThreadBackend(BaseTaskBackend):
    # Task.call runs a coroutine function to its end, in the task's own thread.
    supports_async_task = True

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.worker_id = get_random_id()

    def enqueue(
        self,
        task: Task[P, T],
        args: P.args,  # type: ignore[valid-type]
        kwargs: P.kwargs,  # type: ignore[valid-type]
    ) -> TaskResult[T]:
        self.validate_task(task)
        # The arguments go through JSON, as they would to a queue, so a task that works here
        # works under `paqa worker` too.
        result: TaskResult[T] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        threading.Thread(
            target=self._run, args=(result,), name=f"paqa-task-{result.id[:8]}", daemon=True
        ).start()
        return result

    def _run(self, result: TaskResult[Any]) -> None:
        task = result.task
        started = timezone.now()
        # A TaskResult is frozen for its readers; backends record progress on it in place.
        object.__setattr__(result, "status", TaskResultStatus.RUNNING)
        object.__setattr__(result, "started_at", started)
        object.__setattr__(result, "last_attempted_at", started)
        result.worker_ids.append(self.worker_id)
        task_started.send(type(self), task_result=result)
        try:
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            object.__setattr__(result, "_return_value", normalize_json(value))
        except Exception as error:
            object.__setattr__(result, "finished_at", timezone.now())
            result.errors.append(
                TaskError(
                    exception_class_path=get_module_path(type(error)),
                    traceback=get_exception_traceback(error),
                )
            )
            object.__setattr__(result, "status", TaskResultStatus.FAILED)
            # Sent inside the handler: the framework logs a failure with its traceback.
            task_finished.send(type(self), task_result=result)
        else:
            object.__setattr__(result, "finished_at", timezone.now())
            object.__setattr__(result, "status", TaskResultStatus.SUCCESSFUL)
            task_finished.send(type(self), task_result=result)
        finally:
            # The thread's own database connections end with it.
            connections.close_all()
