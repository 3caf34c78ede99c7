"""One questionnaire engine for the practitioner survey (anonymous), the agencies' impact
assessment (one return per organisation), and children's surveys."""

from datetime import date, datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from paqa.core.models import TimeStampedModel
from paqa.core.taxonomy import theme_label
from paqa.partnership.models import Organisation


def _clock(moment: time) -> str:
    if moment == time(0, 0):
        return "midnight"
    if moment == time(12, 0):
        return "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def _moment(day: date, moment: time) -> str:
    return f"{_clock(moment)} on {day.day} {day:%B %Y}"


class SurveyQuerySet(models.QuerySet["Survey"]):
    def published(self) -> "SurveyQuerySet":
        """Surveys past their draft: the ones results, reports and evidence read."""
        return self.filter(status=Survey.Status.PUBLISHED)


class Survey(TimeStampedModel):
    class Kind(models.TextChoices):
        ANONYMOUS = "anonymous", "Anonymous (public link)"
        ORGANISATION = "organisation", "One return per organisation"

    series = models.SlugField(
        max_length=60, help_text="Surveys of the same series are compared year on year"
    )
    year = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    introduction = models.TextField(blank=True)
    opens_on = models.DateField()
    opens_time = models.TimeField(default=time(0, 0))
    closes_on = models.DateField()
    closes_time = models.TimeField(default=time(23, 59))
    public_slug = models.SlugField(max_length=80, unique=True)
    # A draft is built and previewed but never answered; once published it opens and closes by
    # its dates and times.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    # Raised on every change to the survey or its questions, so a stale builder form is caught.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()
    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="unique_survey_in_series")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"

    @property
    def opens_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.opens_on, self.opens_time))

    @property
    def closes_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.closes_on, self.closes_time))

    def is_open(self, when: date | datetime | None = None) -> bool:
        """Published and between its opening and closing moments (a date alone compares by
        day)."""
        if self.status != self.Status.PUBLISHED:
            return False
        if when is None:
            when = timezone.now()
        if isinstance(when, datetime):
            return self.opens_at <= when < self.closes_at
        return self.opens_on <= when <= self.closes_on

    @property
    def opens_at_words(self) -> str:
        """ "9am on 7 December 2026", as GOV.UK writes times."""
        return _moment(self.opens_on, self.opens_time)

    @property
    def closes_at_words(self) -> str:
        return _moment(self.closes_on, self.closes_time)

    @property
    def phase(self) -> str:
        """Draft, Scheduled, Open or Closed, as the business unit says it."""
        if self.status == self.Status.DRAFT:
            return "Draft"
        now = timezone.now()
        if now < self.opens_at:
            return "Scheduled"
        return "Open" if now < self.closes_at else "Closed"


class Page(TimeStampedModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pages")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    show_if = models.JSONField(
        default=dict, blank=True, help_text='{"question": code, "equals": value} or empty'
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "order"]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Yes or no"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        LIKERT = "likert", "Agreement scale"
        NUMBER = "number", "Number"
        TEXT = "text", "Free text"

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    show_if = models.JSONField(default=dict, blank=True)
    themes = models.JSONField(default=list, blank=True, help_text="Shared theme slugs")
    breakdown = models.CharField(
        max_length=20,
        blank=True,
        choices=[("", "No"), ("organisation", "Organisation"), ("role", "Role")],
        help_text="Answers to this question break results down by organisation or role",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["page__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["page", "code"], name="unique_question_code_on_page")
        ]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """A response. For anonymous surveys nothing identifies the respondent: no address, no
    browser, and only the date (not the time) is kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    started_on = models.DateField(default=timezone.localdate)
    submitted_on = models.DateField(null=True, blank=True)
    submission_key = models.CharField(max_length=64, unique=True)
    resume_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    reached_page = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["survey", "pk"]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(help_text="Text, number, or a list for several choices")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="unique_answer")
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.value}"


class SurveyInvitation(TimeStampedModel):
    """An organisation asked to return an impact assessment; its return is its response."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    response = models.OneToOneField(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="invitation"
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "organisation"], name="unique_invitation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} invited to {self.survey}"


class Code(TimeStampedModel):
    """A theme free-text answers are coded with, in a survey's codebook."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    slug = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    theme = models.SlugField(max_length=60, blank=True, help_text="The shared theme it belongs to")
    keywords = models.JSONField(default=list, blank=True, help_text="Words that suggest this code")

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "label"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "slug"], name="unique_code_in_codebook")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def theme_label(self) -> str:
        """The shared theme's name, as every page calls it (empty for this survey's own)."""
        return theme_label(self.theme) if self.theme else ""


class AnswerCode(models.Model):
    """A person's coding of one free-text answer with one code (who and when kept)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="codes")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="answer_codes")
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    coded_at = models.DateTimeField(default=timezone.now)
    representative = models.BooleanField(
        default=False, help_text="A quote that speaks for the theme"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "code"], name="unique_code_per_answer")
        ]

    def __str__(self) -> str:
        return f"{self.code} on answer {self.answer_id}"
