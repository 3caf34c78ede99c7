from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel


class KeyMessage(TimeStampedModel):
    """One of the year's key messages (the report's conclusions), resting on themes."""

    year = models.CharField(max_length=20)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    themes = models.JSONField(default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "order"], name="unique_key_message_position")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.order}. {self.title}"
