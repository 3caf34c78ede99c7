"""The annual report: a draft per reporting year, with people's words per section, and the
published versions, each frozen as it was on the day it was published."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel
from paqa.reports.sections import SectionKey


class Report(TimeStampedModel):
    """The report for one reporting year. Its drafted parts are read from the evidence each time
    the draft is looked at; only people's words are stored here."""

    year = models.CharField(
        max_length=20, unique=True, help_text="The reporting year, like 2018-19"
    )
    title = models.CharField(max_length=200)
    chart_indicators = models.JSONField(
        default=list,
        blank=True,
        help_text="Codes of the indicators drawn as charts in the data section, in order",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class ReportSection(TimeStampedModel):
    """People's words for one section: the narrative, and the difference made for children and
    families. `revision` goes up with each save, so a save made on an older copy is refused
    rather than overwriting someone else's words."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="sections")
    key = models.CharField(max_length=40, choices=SectionKey.choices)
    narrative = models.TextField(blank=True)
    impact = models.TextField("impact on children and families", blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="unique_report_section")
        ]

    def __str__(self) -> str:
        return f"{self.report.year}: {self.get_key_display()}"


class ReportVersion(TimeStampedModel):
    """A published version: the whole report as it read when published (text, figures, tables
    and chart data), so correcting a figure later changes only the next version."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    note = models.CharField(
        "what changed", max_length=500, blank=True, help_text="For readers of later versions"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="unique_report_version")
        ]

    def __str__(self) -> str:
        return f"{self.report.title}, version {self.number}"


class ReportExport(TimeStampedModel):
    """One export of a draft or a published version to a file, made in the background: the
    page shows its progress and offers the file when it is done."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        HTML = "html", "Web page (HTML)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="exports")
    version = models.ForeignKey(
        ReportVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="exports"
    )
    format = models.CharField(max_length=10, choices=Format.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done")
    step = models.CharField(max_length=200, blank=True)
    data = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report.year} {self.get_format_display()} ({self.get_status_display()})"

    # Progress moves at least every few seconds; an export silent this long was stopped (by a
    # restart) and will not finish.
    STALLED_AFTER = timedelta(minutes=10)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_stalled(self) -> bool:
        return not self.is_finished and timezone.now() - self.updated_at > self.STALLED_AFTER
