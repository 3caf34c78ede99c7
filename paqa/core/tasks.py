"""Background work, through the Django tasks API (django-tasks, the backport of Django 6's
`django.tasks`).

A task is a module-level function marked with the framework's `@task` (`from django_tasks
import task`), called with JSON-able arguments, and enqueued through the framework, after the
transaction that made its record commits:
`transaction.on_commit(partial(export_run.enqueue, export.pk, site_url))`. Every task records
its own progress and outcome on a model row the page reads, and writes its results in one
transaction, so a task stopped half-way leaves nothing half-written and may be run again.

The backend is chosen by settings alone (paqa/settings/base.py, docs/adr/0015-task-queue.md):

- PAQA_TASKS=thread (the embedded default): a thread of the app process
  (`paqa.core.task_backends.ThreadBackend`), so `paqa demo` needs no worker;
- PAQA_TASKS=worker (production): django-tasks-db's queue in the database, run by `paqa worker`
  (`paqa/core/worker.py`: heartbeats, re-queue of abandoned work, SIGTERM finishes the task);
- the test suite: the framework's immediate backend, at once in the caller;
- a settings module of one's own that sets TASKS: any backend of the framework (RQ, ...).
"""

from __future__ import annotations

from collections.abc import Iterable


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker stopped every time it ran it."""


def is_paqa_task(path: str, packages: Iterable[str]) -> bool:
    """Whether a task's dotted path is in one of PAQA's own packages (PAQA_TASK_PACKAGES):
    a worker imports nothing else to find a task."""
    module, _, name = path.rpartition(".")
    return bool(module and name) and module.split(".")[0] in tuple(packages)
