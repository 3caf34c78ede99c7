"""Abstract building blocks shared by every domain record."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ArchivableModel(TimeStampedModel):
    """Records are archived, never deleted by users: archived rows drop out of live lists."""

    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Area(TimeStampedModel):
    """A place figures are reported for, by its ONS code (E10000025 Oxfordshire, E92000001 England).

    A statistical-neighbour group is an area of its own (its figures are the group's average).
    """

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        REGION = "region", "Region"
        COUNTRY = "country", "Country"
        STATISTICAL_NEIGHBOURS = "statistical_neighbours", "Statistical neighbours"

    code = models.CharField("ONS code", max_length=12, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The region a local authority is in; the country a region is in.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TaskWorker(models.Model):
    """A running `paqa worker`, as last heard from. Each one writes its heartbeat here every few
    seconds (PAQA_WORKER_HEARTBEAT_SECONDS), idle or busy, so the work of one that went silent
    (killed, its machine lost) can be put back in the queue by the others (paqa/core/worker.py).

    The queue itself is django-tasks-db's table; this is live state of running processes, not a
    record, so exports and backup inventories leave it out.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.worker_id
