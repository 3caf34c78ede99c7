from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """Stands in for django-tasks-db's own `db_worker`, which has no heartbeats: a task it ran
    would look abandoned to `paqa worker` and be run twice."""

    help = "Use `paqa worker` (it runs the same queue, with heartbeats and PAQA's checks)."

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "Run `paqa worker`: it runs this queue with heartbeats, re-queues the work of a "
            "worker that was killed, and runs only PAQA's own tasks"
        )
