from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paqa.accounts.digest import digests_send


class Command(BaseCommand):
    help = (
        "Email each person who turned on the weekly email of their work what is due from them "
        "and what is waiting for them. At most one email per person in a calendar week; nothing "
        "is sent to people with nothing due. Run it daily or weekly (from cron or a scheduler)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="PAQA's address, like https://paqa.example.org, for the links in the email",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digests_send(base_url=options["base_url"])
        self.stdout.write(f"Weekly emails sent: {len(sent)}.")
