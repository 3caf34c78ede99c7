import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from paqa.core.access import Role
from paqa.core.models import ArchivableModel, TimeStampedModel

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_relative_luminance(hex_colour) + 0.05)


def validate_brand_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError("Enter the colour as a hex code, like #1d70b8")
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValidationError(
            f"White text on this colour has a contrast ratio of {ratio:.1f}:1; "
            "choose a darker colour (at least 4.5:1)"
        )


class Partnership(TimeStampedModel):
    """The multi-agency safeguarding partnership this installation serves."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(
        max_length=40, blank=True, help_text="Used in running text, like OSCB"
    )
    brand_colour = models.CharField(
        max_length=7, default="#1d70b8", validators=[validate_brand_colour]
    )
    home_area = models.ForeignKey(
        "core.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The local authority area whose figures the partnership reports",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(ArchivableModel):
    """An agency (or the partnership's business unit) taking part in the partnership."""

    class Kind(models.TextChoices):
        CHILDRENS_SERVICES = "la_childrens_services", "Local authority children's services"
        POLICE = "police", "Police"
        HEALTH_PROVIDER = "health_provider", "Health provider"
        INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"
        EDUCATION = "education", "Education"
        DISTRICT_COUNCIL = "district_council", "District council"
        HOUSING = "housing", "Housing"
        PROBATION = "probation", "Probation"
        VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField("type of organisation", max_length=40, choices=Kind.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="unique_organisation_name_in_partnership"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(ArchivableModel):
    """A service within an organisation, e.g. CAMHS within a health provider."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_service_name_in_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(ArchivableModel):
    """A person's role in an organisation. One role per person per organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="unique_membership_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"


class Invitation(TimeStampedModel):
    """A one-time link that lets a new person set their password and join an organisation."""

    email = models.EmailField("email address")
    full_name = models.CharField("full name", max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"


class ApiToken(TimeStampedModel):
    """A key an organisation's own system uses to call the API, acting for that organisation.

    Only a SHA-256 hash is kept; the key itself is shown once, when it is made.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, like 'CAMHS data warehouse'")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash", "last_used_at"])

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation}, {self.prefix}…)"
