from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel
from paqa.partnership.models import Organisation, Service

# Tools and scales ---------------------------------------------------------------------------


class GradeScale(TimeStampedModel):
    """A grading scale, e.g. Ofsted's four grades. Loaded from a pack; levels are data."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class GradeLevel(TimeStampedModel):
    scale = models.ForeignKey(GradeScale, on_delete=models.PROTECT, related_name="levels")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(help_text="Higher is better")
    tag_colour = models.CharField(max_length=20)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "-rank"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="unique_grade_in_scale")
        ]

    def __str__(self) -> str:
        return self.label


class AuditTool(TimeStampedModel):
    """The questions auditors answer, by domain; versioned."""

    code = models.SlugField(max_length=60)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    scale = models.ForeignKey(GradeScale, on_delete=models.PROTECT, related_name="tools")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_tool_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Domain(TimeStampedModel):
    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="domains")
    order = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    themes = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["tool", "order"]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    class AnswerType(models.TextChoices):
        YES_NO = "yes_no", "Yes or no"
        YES_NO_PARTLY = "yes_no_partly", "Yes, partly or no"
        TEXT = "text", "Text"

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    help_text = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["domain", "order"]

    def __str__(self) -> str:
        return self.text


# Multi-agency audits ------------------------------------------------------------------------


class Audit(TimeStampedModel):
    """A multi-agency thematic case audit."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        COLLECTING = "collecting", "Collecting"
        MEETING = "meeting", "Audit meeting"
        REPORTING = "reporting", "Reporting"
        COMPLETE = "complete", "Complete"

    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=200, help_text="What the audit looks at")
    year = models.CharField(max_length=20, help_text="The reporting year, like 2018-19")
    terms_of_reference = models.TextField()
    key_lines_of_enquiry = models.TextField()
    period_start = models.DateField(help_text="The audit looks at work from this date")
    period_end = models.DateField()
    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="audits")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisations = models.ManyToManyField(Organisation, related_name="audits")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    themes = models.JSONField(default=list, blank=True)
    reference_prefix = models.CharField(max_length=8)
    sections_due = models.DateField(
        "Sections due by",
        null=True,
        blank=True,
        help_text="The date each organisation's case sections should be submitted by",
    )
    meeting_without_sections_reason = models.TextField(
        blank=True,
        help_text="Why the audit meeting went ahead before every case section was submitted",
    )
    meeting_missing_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="The sections not submitted when the meeting went ahead: "
        '[{"organisation": name, "sections": count}]',
    )

    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class Case(TimeStampedModel):
    """A case in an audit's cohort, known only by a reference PAQA made up.

    The link to the real record is kept outside PAQA by the audit lead; PAQA keeps only a keyed
    fingerprint of the reference it was picked by, to skip cases audited recently.
    """

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=30, unique=True)
    source_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    lead_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    age_band = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=30, blank=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    disability = models.CharField(max_length=100, blank=True)
    legal_status = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "reference"]

    def __str__(self) -> str:
        return self.reference


class CaseSection(TimeStampedModel):
    """One organisation's audit of one case: private to it until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sections")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="audit_sections"
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="audit_sections"
    )
    answers = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[auditors])

    class Meta:
        ordering = ["case", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="unique_case_section")
        ]

    def __str__(self) -> str:
        return f"{self.case} — {self.organisation}"


class DomainGrade(TimeStampedModel):
    """The grade the audit meeting agreed for a case in one domain."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="grades")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=40)
    moderation_notes = models.TextField(blank=True)
    dissent = models.TextField(blank=True, help_text="Any organisation that did not agree, and why")

    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "domain__order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "domain"], name="unique_grade_per_domain")
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.domain} {self.grade}"


class UnsafeFlag(models.Model):
    """A case found unsafe: raised at once, notified, logged; closing it needs a resolution."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="unsafe_flags")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    notified = models.TextField(help_text="Who was told, by email")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Unsafe: {self.case}"


class CaseFeedback(TimeStampedModel):
    """What a child or family member said during the audit, recorded with the case."""

    class FromWhom(models.TextChoices):
        CHILD = "child", "Child or young person"
        PARENT = "parent", "Parent or carer"
        OTHER = "other", "Other family member"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="feedback")
    from_whom = models.CharField(max_length=20, choices=FromWhom.choices)
    summary = models.TextField(help_text="Anonymised: no names")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Feedback on {self.case}"


class Finding(TimeStampedModel):
    class Kind(models.TextChoices):
        STRENGTH = "strength", "Strength"
        DEVELOPMENT = "development", "Area for development"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    themes = models.JSONField(default=list, blank=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="findings")

    history = HistoricalRecords(m2m_fields=[cases])

    class Meta:
        ordering = ["audit", "kind", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def action_source_key(self) -> str:
        return f"audits.finding:{self.pk}"


# Single-agency audits ---------------------------------------------------------------------


class AgencyAudit(TimeStampedModel):
    """An organisation's own safeguarding audit, returned to the partnership."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        REVIEWED = "reviewed", "Reviewed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agency_audits"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="agency_audits"
    )
    year = models.CharField(max_length=20)
    topic = models.CharField(max_length=200)
    audit_date = models.DateField()
    sample_size = models.PositiveIntegerField()
    scale = models.ForeignKey(GradeScale, on_delete=models.PROTECT, related_name="+")
    grade_counts = models.JSONField(default=dict, help_text="Grade code → number of cases")
    strengths = models.TextField()
    areas_for_development = models.TextField()
    themes = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "organisation__name", "topic"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.topic} ({self.year})"

    @property
    def action_source_key(self) -> str:
        return f"audits.agency_audit:{self.pk}"
