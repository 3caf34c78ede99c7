"""Escalations: a concern the partnership has taken to someone who must answer for it.

Each escalation names what was found, who it was escalated to and when, the organisation that
owns the response and the date it is needed by. It moves open → response received → assured →
closed (or is re-escalated), with a dated trail of updates. Its evidence is linked by opaque
keys like "indicators.indicator:cla" (see evidence.py), so this app never reads another app's
records except through that app's selectors, for the person looking.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel
from paqa.partnership.models import Organisation


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def awaiting_response(self) -> EscalationQuerySet:
        return self.filter(status__in=Escalation.AWAITING_RESPONSE)

    def overdue(self, today: date | None = None) -> EscalationQuerySet:
        """Still waiting for the owner organisation's response after the date it was due."""
        return self.awaiting_response().filter(response_due__lt=today or timezone.localdate())


class Escalation(TimeStampedModel):
    """One escalated issue on the partnership's register."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESPONSE_RECEIVED = "response_received", "Response received"
        ASSURED = "assured", "Assured"
        CLOSED = "closed", "Closed"
        RE_ESCALATED = "re_escalated", "Re-escalated"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    #: Waiting for the owner organisation to respond (so it can be overdue).
    AWAITING_RESPONSE = (Status.OPEN, Status.RE_ESCALATED)
    #: A response can be recorded from these.
    RESPONDABLE = (Status.OPEN, Status.RE_ESCALATED)

    year = models.CharField(max_length=20, help_text="The reporting year, like 2018-19")
    title = models.CharField(max_length=200)
    finding = models.TextField("what was found")
    escalated_to = models.CharField(
        max_length=200,
        help_text="Who it was escalated to, like 'Chair of the Safeguarding Children Board'",
    )
    escalated_on = models.DateField()
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="escalations",
        verbose_name="owner organisation",
    )
    response_due = models.DateField("response required by")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    rag = models.CharField("RAG", max_length=10, choices=Rag.choices, default=Rag.RED)
    outcome = models.TextField(blank=True)
    themes = models.JSONField(default=list, blank=True, help_text="Slugs of core.taxonomy")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_on = models.DateField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "response_due", "pk"]
        indexes = [models.Index(fields=["status", "response_due"])]

    def __str__(self) -> str:
        return self.title

    @property
    def source_key(self) -> str:
        """The key actions raised from this escalation carry."""
        return f"escalations.escalation:{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def awaiting_response(self) -> bool:
        return self.status in self.AWAITING_RESPONSE

    @property
    def is_overdue(self) -> bool:
        """Not closed or assured, no response yet, and the response date has passed."""
        return self.awaiting_response and self.response_due < timezone.localdate()


class EscalationUpdate(TimeStampedModel):
    """A dated entry on an escalation's timeline: progress, the response, assurance, and so on."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Update"
        RESPONSE = "response", "Response"
        ASSURANCE = "assurance", "Assurance"
        RE_ESCALATION = "re_escalation", "Re-escalation"
        CLOSURE = "closure", "Closed"
        REMINDER = "reminder", "Reminder"

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="updates")
    date = models.DateField()
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UPDATE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.escalation}: {self.text[:60]}"


class EvidenceLink(TimeStampedModel):
    """A record elsewhere in PAQA that evidences the escalation, named by an opaque key.

    The key is resolved for each viewer through the owning app's selectors (evidence.resolve),
    so a link never shows its record to someone who may not see it.
    """

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="evidence")
    key = models.CharField(
        max_length=100, help_text="Like 'indicators.indicator:cla' or 'audits.finding:12'"
    )
    note = models.CharField(max_length=500, blank=True, help_text="Why it is evidence")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "key"], name="unique_evidence_link")
        ]

    def __str__(self) -> str:
        return f"Evidence {self.key} for {self.escalation}"
