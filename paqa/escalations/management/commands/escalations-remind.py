from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paqa.escalations.services import escalations_remind_overdue


class Command(BaseCommand):
    help = (
        "Email the agency leads of each organisation whose response to an escalation is "
        "overdue (at most once a week per escalation) and log each reminder. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="PAQA's address, like https://paqa.example.org, for the link in the email",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = escalations_remind_overdue(actor=None, base_url=options["base_url"])
        self.stdout.write(f"Reminders sent for {len(reminded)} overdue escalation(s).")
        for escalation in reminded:
            self.stdout.write(f"  {escalation.owner_organisation.name}: {escalation.title}")
