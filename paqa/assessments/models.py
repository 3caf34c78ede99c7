from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import ArchivableModel, TimeStampedModel
from paqa.partnership.models import Organisation


class RatingScale(TimeStampedModel):
    """A partnership's rating scale, e.g. BRAG. Loaded from a pack; levels are data."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class RatingLevel(TimeStampedModel):
    scale = models.ForeignKey(RatingScale, on_delete=models.PROTECT, related_name="levels")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=60)
    meaning = models.CharField(max_length=200)
    rank = models.PositiveSmallIntegerField(help_text="Higher is better")
    tag_colour = models.CharField(max_length=20, help_text="GOV.UK tag colour, e.g. blue, green")
    requires_example = models.BooleanField(
        default=False, help_text="A best-practice example must be given for this rating"
    )
    counts_as_met = models.BooleanField(
        default=False, help_text="The standard is met at this rating (Blue and Green in BRAG)"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "-rank"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="unique_level_in_scale")
        ]

    def __str__(self) -> str:
        return self.label


class Framework(TimeStampedModel):
    """A versioned set of standards, e.g. the eight Section 11 standards."""

    code = models.SlugField(max_length=60)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scale = models.ForeignKey(RatingScale, on_delete=models.PROTECT, related_name="frameworks")
    variants = models.JSONField(
        default=dict,
        help_text="Variant code → {name, organisation_kinds}: which wording each type of "
        "organisation answers",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def variant_for(self, organisation_kind: str) -> str:
        for code, variant in self.variants.items():
            if organisation_kind in variant.get("organisation_kinds", []):
                return str(code)
        return next(iter(self.variants), "")

    def variant_name(self, code: str) -> str:
        return str(self.variants.get(code, {}).get("name", code))


class Standard(TimeStampedModel):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="standards")
    number = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField()
    themes = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="unique_standard_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Criterion(TimeStampedModel):
    """What meeting a standard looks like; `variant` empty means for every organisation."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="criteria")
    variant = models.CharField(max_length=40, blank=True)
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    guidance = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "variant", "order"]

    def __str__(self) -> str:
        return self.text[:80]


class Cycle(TimeStampedModel):
    """One round of self-assessment: a framework, a year, a deadline, who takes part."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cycles")
    year = models.CharField(max_length=20, help_text="The reporting year, like 2018-19")
    deadline = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "year"], name="unique_cycle_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} {self.year}"


class Return(TimeStampedModel):
    """An organisation's self-assessment in a cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED_OFF = "signed_off", "Signed off"
        SUBMITTED = "submitted", "Submitted"
        CHALLENGED = "challenged", "Challenged"
        ACCEPTED = "accepted", "Accepted"

    SEEN_BY_PARTNERSHIP = (Status.SUBMITTED, Status.CHALLENGED, Status.ACCEPTED)

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="returns")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessment_returns"
    )
    variant = models.CharField(max_length=40)
    deadline = models.DateField(help_text="The cycle's deadline, or an extension")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_role = models.CharField(max_length=150, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organisation"], name="unique_return")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.cycle}"

    @property
    def is_locked(self) -> bool:
        """Submitted returns are locked against the organisation's edits."""
        return self.status in self.SEEN_BY_PARTNERSHIP

    @property
    def is_late(self) -> bool:
        return self.submitted_at is None and self.deadline < timezone.localdate()


class Answer(TimeStampedModel):
    """An organisation's rating of one standard, its evidence, and the partnership's challenge."""

    assessment_return = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="answers")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="answers")
    rating = models.CharField(max_length=40, blank=True)
    evidence = models.TextField(blank=True)
    example = models.TextField("best-practice example", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    challenge = models.TextField(blank=True)
    moderated_rating = models.CharField(max_length=40, blank=True)
    challenged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    challenged_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField("the organisation's response", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment_return", "standard__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment_return", "standard"], name="unique_answer_per_standard"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_return}: {self.standard}"

    @property
    def action_source_key(self) -> str:
        return f"assessments.answer:{self.pk}"


class DraftConflict(models.Model):
    """A save that arrived after someone else's: kept, so that no text is ever lost."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="conflicts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    based_on_version = models.PositiveIntegerField()
    data = models.JSONField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Conflicting save of {self.answer} by {self.author}"


class Attachment(ArchivableModel):
    """A document attached to a return as evidence."""

    assessment_return = models.ForeignKey(
        Return, on_delete=models.PROTECT, related_name="attachments"
    )
    standard = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="assessments/attachments/", max_length=300)
    name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """A reminder sent to an organisation that has not returned (logged)."""

    assessment_return = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="reminders"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.TextField()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Reminder to {self.assessment_return.organisation} at {self.sent_at:%Y-%m-%d}"
