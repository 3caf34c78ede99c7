"""Long work off the request: in a background thread of the app process (the embedded default),
or inline when PAQA_TASKS_INLINE is on (tests, and one-off commands).

Every task records its own progress and outcome on a model row the page reads, and writes its
results in one transaction, so a task stopped half-way (a restart) leaves nothing half-written.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger("paqa.tasks")


def _run(task: Callable[..., Any], *args: Any) -> None:
    try:
        task(*args)
    except Exception:  # the task records its own failure; this is the last-resort log
        logger.exception("Background task %s failed", getattr(task, "__name__", task))
    finally:
        close_old_connections()
        connection.close()


def run_task(task: Callable[..., Any], *args: Any) -> None:
    if getattr(settings, "PAQA_TASKS_INLINE", False):
        task(*args)
        return
    threading.Thread(target=_run, args=(task, *args), daemon=True).start()
