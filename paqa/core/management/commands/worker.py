import signal
import threading
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from paqa.core import tasks

HEARTBEAT_SECONDS = 10
ABANDONED_AFTER = timedelta(seconds=6 * HEARTBEAT_SECONDS)


class Command(BaseCommand):
    help = (
        "Run background work queued by the app (imports, report exports) when PAQA_TASKS=worker. "
        "Stops after the task in hand on SIGTERM or SIGINT. Run one or more next to the web "
        "server; work left by a worker that was killed is taken up again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is queued now, then stop")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="seconds to wait when the queue is empty"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._stopping = threading.Event()
        self._verbosity = int(options["verbosity"])
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        done = 0
        self.stdout.write(f"PAQA worker {tasks.worker_identity()} started")
        while not self._stopping.is_set():
            if not connection.in_atomic_block:  # never inside a caller's transaction (tests)
                close_old_connections()
            requeued = tasks.requeue_abandoned(ABANDONED_AFTER)
            if requeued:
                self.stdout.write(f"Put back {requeued} task(s) whose worker stopped")
            task = tasks.claim_next()
            if task is None:
                if options["once"]:
                    break
                self._stopping.wait(options["poll"])
                continue
            self._run_with_heartbeat(task)
            done += 1
            self.stdout.write(f"Task {task.pk} {task.name}: finished")
        self.stdout.write(f"PAQA worker stopped after {done} task(s)")

    def _run_with_heartbeat(self, task: Any) -> None:
        finished = threading.Event()

        def keep_beating() -> None:
            while not finished.wait(HEARTBEAT_SECONDS):
                tasks.beat(task)
            close_old_connections()

        beating = threading.Thread(target=keep_beating, daemon=True)
        beating.start()
        started = time.perf_counter()
        try:
            tasks.run_claimed(task)
        finally:
            finished.set()
            beating.join()
        if self._verbosity >= 2:
            self.stderr.write(f"Task {task.pk} took {time.perf_counter() - started:.1f} s")

    def _stop(self, signum: int, frame: Any) -> None:
        self.stdout.write("Stopping after the task in hand")
        self._stopping.set()
