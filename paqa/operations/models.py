from django.db import models
from django.utils import timezone


class RetentionRun(models.Model):
    """One run of `paqa retention`: what it would change (a dry run) or changed, and when."""

    ran_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(help_text="False: a dry run that changed nothing")
    cutoffs = models.JSONField(help_text="What counted as old, by kind of record")
    counts = models.JSONField(help_text="Records changed (or that would be), by kind")

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Retention {'run' if self.applied else 'dry run'} {self.ran_at:%Y-%m-%d %H:%M}"
