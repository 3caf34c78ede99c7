"""Actions: what an organisation will do about a gap, by when, tracked to completion.

An action arises from something in another app (a Section 11 answer, an audit finding, an
escalation). It names that source only by an opaque key, a label and a link, so the apps that
raise actions never import each other's models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import ArchivableModel, TimeStampedModel
from paqa.partnership.models import Organisation


class ActionQuerySet(models.QuerySet["Action"]):
    def live(self) -> ActionQuerySet:
        return self.filter(archived_at__isnull=True)

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=Action.OPEN_STATUSES)

    def overdue(self) -> ActionQuerySet:
        return self.open().filter(due_date__lt=timezone.localdate())

    def current(self) -> ActionQuerySet:
        """Leaves out actions carried forward to a newer source: the copy is tracked instead."""
        return self.exclude(
            models.Exists(
                Action.objects.filter(carried_from=models.OuterRef("pk"), archived_at__isnull=True)
            )
        )


class Action(ArchivableModel):
    """One thing an organisation will do, who is responsible, and by when."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)

    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="actions"
    )
    title = models.CharField("what will be done", max_length=300)
    owner_name = models.CharField(
        "person responsible", max_length=150, help_text="The named person who will do it"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    completion_evidence = models.TextField(
        "evidence of completion", blank=True, help_text="Required to mark the action done"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    source_key = models.CharField(
        max_length=100,
        db_index=True,
        help_text="What the action arose from, as an opaque key like 'assessments.answer:42'",
    )
    source_label = models.CharField(
        "arose from",
        max_length=300,
        help_text="Like 'Section 11 2018-19, Thames Valley Police, standard 5: Training'",
    )
    source_url = models.CharField(
        max_length=300, blank=True, help_text="A path in PAQA that links back to the source"
    )
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
        help_text="The open action of an earlier source this one carries forward",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


class ActionUpdate(TimeStampedModel):
    """A dated note of progress on an action, by the person who made it."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Update on {self.action}: {self.text[:60]}"
