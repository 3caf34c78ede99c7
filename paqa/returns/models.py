"""A statutory return as PAQA keeps it: who loaded it, for which collection year, what was
computed from it, and, child by child, only the minimised records the figures need.

Nothing here holds a child identifier, a full date of birth or a full postcode: children are
known by keyed pseudonyms, births by month and postcodes by district (paqa.returns.records).
The child rows carry no change history on purpose: a history table would keep them past their
retention period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel


def year_label(ends: int) -> str:
    """2019 gives "2018-19"."""
    return f"{ends - 1}-{ends % 100:02d}"


class StatutoryReturn(TimeStampedModel):
    """One loaded return: an SSDA903 (its CSV tables or XML) or a CIN census."""

    class Kind(models.TextChoices):
        SSDA903 = "ssda903", "SSDA903 (children looked after)"
        CIN_CENSUS = "cin_census", "CIN census (children in need)"

    class State(models.TextChoices):
        CURRENT = "current", "Current"
        REPLACED = "replaced", "Replaced by a later load"
        DELETED = "deleted", "Child records deleted"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    collection_year = models.PositiveSmallIntegerField(
        help_text="The year the collection ends in: 2019 for 1 April 2018 to 31 March 2019"
    )
    file_names = models.JSONField(default=list, help_text="The names of the files loaded")
    file_format = models.CharField(max_length=8, help_text="csv or xml")
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for loads from the command line",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.CURRENT)
    children_count = models.PositiveIntegerField(default=0)
    rows_read = models.JSONField(default=dict, help_text="Rows or records read, by table")
    assessment_start = models.CharField(
        max_length=12,
        blank=True,
        help_text="Where the 45 working days of an assessment are counted from: "
        "'assessment' (its start) or 'referral'",
    )
    delete_after = models.DateField(help_text="Child records are deleted on or after this day")
    deleted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-collection_year", "kind", "-created_at"]
        indexes = [models.Index(fields=["kind", "collection_year", "state"])]
        constraints = [
            # Two loads of one return at once: the second to finish is refused, not doubled.
            models.UniqueConstraint(
                fields=["kind", "collection_year"],
                condition=models.Q(state="current"),
                name="one_current_load_per_return",
            )
        ]

    def __str__(self) -> str:
        # Only fields: the history page shows historical rows, which have no properties.
        return f"{self.get_kind_display()} {year_label(self.collection_year)}"

    @property
    def year_label(self) -> str:
        return year_label(self.collection_year)

    @property
    def due_for_deletion(self) -> bool:
        return self.deleted_at is None and self.delete_after <= timezone.localdate()

    @property
    def short_name(self) -> str:
        return "SSDA903" if self.kind == self.Kind.SSDA903 else "CIN census"


class ReturnChild(models.Model):
    """One child's minimised records from one return (JSON: see paqa.returns.storage)."""

    statutory_return = models.ForeignKey(
        StatutoryReturn, on_delete=models.CASCADE, related_name="children"
    )
    child = models.CharField(max_length=64, help_text="Keyed pseudonym (HMAC-SHA256)")
    birth_month = models.CharField(max_length=7, blank=True)
    records = models.JSONField()

    class Meta:
        ordering = ["statutory_return", "child"]
        constraints = [
            models.UniqueConstraint(
                fields=["statutory_return", "child"], name="unique_child_per_return"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child[:12]}… in {self.statutory_return}"


class ComputedFigure(models.Model):
    """A figure computed from a return and the pseudonymous children behind it."""

    statutory_return = models.ForeignKey(
        StatutoryReturn, on_delete=models.CASCADE, related_name="figures"
    )
    code = models.SlugField(max_length=60, help_text="The indicator's code")
    period = models.CharField(max_length=20)
    value = models.DecimalField(max_digits=16, decimal_places=4)
    numerator = models.IntegerField(null=True, blank=True)
    denominator = models.IntegerField(null=True, blank=True)
    children = models.JSONField(
        default=list, help_text="Pseudonyms behind the figure; emptied when records are deleted"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["statutory_return", "sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["statutory_return", "code"], name="unique_figure_per_return"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.period}: {self.value}"
