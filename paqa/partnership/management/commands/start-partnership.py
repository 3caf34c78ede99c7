from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from paqa.accounts.models import User
from paqa.core.access import Role
from paqa.partnership import services
from paqa.partnership.models import Organisation, Partnership


class Command(BaseCommand):
    help = (
        "Start a new installation: the partnership, its business unit, and its first "
        "partnership admin, who gets a one-time link to set a password (two-factor sign-in "
        "is set up at first sign-in). Everyone else is invited from the site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="e.g. Oxfordshire Safeguarding Children Board"
        )
        parser.add_argument("--short-name", default="", help="e.g. OSCB")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument(
            "--site-url",
            required=True,
            help="the address people use, e.g. https://paqa.example.org",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Partnership.objects.exists():
            raise CommandError("This installation already has its partnership")
        email = User.objects.normalize_email(options["admin_email"]).strip().lower()
        try:
            with transaction.atomic():
                partnership = Partnership(
                    name=options["name"].strip(), short_name=options["short_name"].strip()
                )
                partnership.full_clean()
                partnership.save()
                unit = services.organisation_create(
                    partnership=partnership,
                    actor=None,
                    name=f"{partnership.short_name or partnership.name} Business Unit",
                    kind=Organisation.Kind.OTHER,
                )
                admin = User.objects.create_user(
                    email=email, password=None, full_name=options["admin_name"].strip()
                )
                admin.full_clean(exclude=["password"])
                services.membership_create(
                    user=admin, organisation=unit, role=Role.PARTNERSHIP_ADMIN, actor=None
                )
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(f"Nothing was created: {problems}") from error
        link = options["site_url"].rstrip("/") + reverse(
            "accounts:password-reset-confirm",
            args=[
                urlsafe_base64_encode(force_bytes(admin.pk)),
                default_token_generator.make_token(admin),
            ],
        )
        self.stdout.write(
            f"Started {partnership.name} with {unit.name}.\n"
            f"Send this one-time link to {admin.full_name} <{admin.email}> to set a password "
            f"(it stops working once used):\n{link}"
        )
