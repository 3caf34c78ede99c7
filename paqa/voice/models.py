"""Voice: what children, young people and families said, and what was done about it.

A record names where it came from (a case review, an audit, a participation event...) by title,
and may link to the record in another part only by an opaque key, a label and a path, so this
app never imports another domain app's models. Quotes are anonymised: the services refuse text
that looks like a name, a date of birth, an NHS number or a Unique Pupil Number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel
from paqa.core.taxonomy import theme_label
from paqa.partnership.models import Organisation

AGE_BANDS = ["Under 1", "1-4", "5-9", "10-15", "16-17", "18-25"]


class VoiceRecord(TimeStampedModel):
    """One thing a child, young person or family member said (or a summary of what they said)."""

    class Source(models.TextChoices):
        CASE_REVIEW = "case_review", "Case review"
        AUDIT = "audit", "Audit"
        PARTICIPATION = "participation", "Participation event"
        SURVEY = "survey", "Survey"
        COMPLAINT = "complaint", "Complaint"

    class Who(models.TextChoices):
        CHILD = "child", "Child"
        YOUNG_PERSON = "young_person", "Young person"
        PARENT_CARER = "parent_carer", "Parent or carer"

    class Consent(models.TextChoices):
        GIVEN = "given", "Consent to share given"
        NOT_NEEDED = "not_needed", "Not needed (summary without identifying detail)"
        NOT_RECORDED = "not_recorded", "Not recorded"

    year = models.CharField(
        max_length=20, db_index=True, help_text="The reporting year, like 2018-19"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    source_title = models.CharField(
        "where it came from",
        max_length=200,
        help_text="The review's, audit's or event's name, like 'Serious case review: Child A'",
    )
    source_key = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The record it came from in another part, as an opaque key like 'audits.audit:3'",
    )
    source_label = models.CharField(max_length=300, blank=True)
    source_url = models.CharField(
        max_length=300, blank=True, help_text="A path in PAQA that links back to the source"
    )
    who = models.CharField(max_length=20, choices=Who.choices)
    age_band = models.CharField(max_length=20, blank=True)
    quote = models.TextField(help_text="Their words, or a summary of them: anonymised")
    is_summary = models.BooleanField(
        default=False, help_text="A summary of what they said rather than their own words"
    )
    consent = models.CharField(max_length=20, choices=Consent.choices)
    themes = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "source", "pk"]

    def __str__(self) -> str:
        return f"{self.get_who_display()}, {self.source_title}: {self.quote[:60]}"

    @property
    def theme_labels(self) -> list[str]:
        return [theme_label(slug) for slug in self.themes]

    @property
    def action_source_key(self) -> str:
        return f"voice.record:{self.pk}"


class YouSaidWeDid(TimeStampedModel):
    """What was done in answer to a voice record: "you said, we did"."""

    voice_record = models.ForeignKey(
        VoiceRecord, on_delete=models.PROTECT, related_name="responses"
    )
    response = models.TextField("what we did")
    by_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("date it was done")

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = "you said, we did response"

    def __str__(self) -> str:
        return f"We did: {self.response[:60]}"
