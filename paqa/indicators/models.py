from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from paqa.core.models import ArchivableModel, Area, TimeStampedModel
from paqa.core.periods import PeriodKind
from paqa.partnership.models import Organisation

DEFAULT_AGE_BAND = "0-17"


class Indicator(ArchivableModel):
    """A measure in the local safeguarding data set, defined once and reported by period."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percentage"
        RATE_PER_10000 = "rate_per_10000", "Rate per 10,000 children aged 0-17"
        DAYS = "days", "Days"
        NUMBER = "number", "Number"

    class Polarity(models.TextChoices):
        HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
        LOWER_IS_BETTER = "lower_is_better", "Lower is better"
        NEUTRAL = "neutral", "Neither (context)"

    class Frequency(models.TextChoices):
        ANNUAL = "annual", "Annual"
        QUARTERLY = "quarterly", "Quarterly"
        MONTHLY = "monthly", "Monthly"

    class Derivation(models.TextChoices):
        NONE = "", "Reported directly"
        RATE = "rate", "Rate per 10,000 from a count and the population"
        POPULATION = "population", "The population estimate"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    subject = models.CharField(
        max_length=200,
        help_text="How drafted sentences name it, like 'The number of children looked after'",
    )
    definition = models.TextField(help_text="What counts, and what does not")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    period_kind = models.CharField(
        max_length=20,
        choices=[(kind.value, kind.value.replace("_", " ")) for kind in PeriodKind],
        help_text="How its periods are written: financial year, quarter, month, snapshot date",
    )
    decimals = models.PositiveSmallIntegerField(default=0)
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    target_period = models.CharField(max_length=20, blank=True)
    amber_threshold = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Between this and the target the RAG rating is amber; beyond it, red",
    )
    source_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    priority = models.CharField("board priority", max_length=120)
    themes = models.JSONField(default=list, blank=True)
    derivation = models.CharField(max_length=20, choices=Derivation.choices, blank=True)
    count_indicator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rates",
        help_text="For a rate: the count it is derived from",
    )
    population_age_band = models.CharField(max_length=10, default=DEFAULT_AGE_BAND)
    pack_version = models.CharField(max_length=20, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_derived(self) -> bool:
        return bool(self.derivation)


class Population(TimeStampedModel):
    """The ONS mid-year estimate of people in an age band, by area and year."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="populations")
    year = models.PositiveSmallIntegerField()
    age_band = models.CharField(max_length=10, default=DEFAULT_AGE_BAND)
    value = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["area", "age_band", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "age_band"], name="unique_population_per_area_year_band"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.age_band} {self.year}: {self.value}"


class Observation(TimeStampedModel):
    """One value of one indicator, for one area and period."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", "Provisional"
        FINAL = "final", "Final"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    period = models.CharField(max_length=20)
    period_kind = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4)
    numerator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FINAL)
    note = models.CharField(max_length=500, blank=True)
    source_import = models.ForeignKey(
        "indicators.ObservationImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "area", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="unique_observation"
            )
        ]
        indexes = [models.Index(fields=["indicator", "area", "period_end"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area.code} {self.period}: {self.value}"


class ObservationImport(models.Model):
    """An uploaded file of observations: checked first, imported whole or not at all."""

    class State(models.TextChoices):
        CHECKING = "checking", "Checking"
        INVALID = "invalid", "Has errors: nothing imported"
        READY = "ready", "Checked: ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed: nothing imported"

    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for imports from the command line",
    )
    original_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/observations/", max_length=300)
    state = models.CharField(max_length=12, choices=State.choices, default=State.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class Commentary(TimeStampedModel):
    """The impact narrative beside an indicator: what the figures mean, in people's words."""

    indicator = models.OneToOneField(Indicator, on_delete=models.PROTECT, related_name="commentary")
    text = models.TextField(blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Commentary on {self.indicator}"
