import signal
import threading
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from paqa.core.worker import Worker, new_worker_id

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


class Command(DatabaseWorkerCommand):
    help = (
        "Run background work queued by the app (imports, report exports) when PAQA_TASKS=worker. "
        "Stops after the task in hand on SIGTERM or SIGINT. Run one or more next to the web "
        "server; work left by a worker that was killed is taken up again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued now, then stop")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="seconds to wait when the queue is empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                "paqa worker runs the database queue (PAQA_TASKS=worker); background work here "
                f"goes to {type(backend).__module__}.{type(backend).__qualname__}"
                + (", in the app's own processes" if settings.PAQA_TASKS == "thread" else "")
            )
        if options["poll"] < 0:
            raise CommandError("--poll must be zero or more seconds")
        heartbeat = float(settings.PAQA_WORKER_HEARTBEAT_SECONDS)
        silent_for = float(settings.PAQA_WORKER_ABANDONED_AFTER_SECONDS)
        if not 0 < heartbeat * 2 <= silent_for:
            raise CommandError(
                "PAQA_WORKER_ABANDONED_AFTER_SECONDS must be at least twice "
                "PAQA_WORKER_HEARTBEAT_SECONDS, so a live worker is never taken for dead"
            )
        self.configure_logging(int(options["verbosity"]))
        worker = Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=options["poll"],
            batch=options["once"],
            backend_name=backend.alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=new_worker_id(),
            heartbeat_seconds=heartbeat,
            silent_for=timedelta(seconds=silent_for),
            max_attempts=int(settings.PAQA_TASK_MAX_ATTEMPTS),
            packages=tuple(settings.PAQA_TASK_PACKAGES),
        )
        # Only the main thread may set signal handlers (a test may call the command from
        # another); they are put back afterwards, for a caller that goes on.
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {number: signal.getsignal(number) for number in HANDLED}
            worker.configure_signals()
        self.stdout.write(f"PAQA worker {worker.worker_id} started")
        try:
            worker.run()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        self.stdout.write(f"PAQA worker stopped after {worker.tasks_run} task(s)")
