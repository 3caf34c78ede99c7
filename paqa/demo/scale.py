"""`paqa demo --scale N`: a partnership N times the demonstration partnership, for the
benchmarks and the tests.

The demo's own records stay exactly as they are (its 2018-19 report reproduces the reference
report). Beside them come N - 1 made-up *copies*, each built from the demo's records as they
are in the database:

- seven agencies like the demo's (same kinds, same services), each with an agency lead who
  signs in with the demo's password, named "Demonstration police force 2" and so on (the
  partnership keeps its one business unit);
- in each of the demo's self-assessment cycles, every copy agency's return in the state the
  demo agency's is in, ratings from the framework's scale near the demo agency's (a Blue with
  its example), as many moderated ratings as the demo's cycle has, and drafts that start from
  last year's answers;
- each demo audit's twin: a theme drawn from a list, the same number of cases, a section per
  agency with answers to the tool's questions, grades from the tool's scale for the domains
  the demo grades, as many findings; and each service's own audit return;
- for each demo survey, as many practitioner responses as the demo has, each answer drawn from
  the demo's own answers to that question (branching kept), free text coded with the demo's
  codebook; and each copy agency's impact assessment return, as its demo agency answered;
- voice records with their "you said, we did" responses, and escalations with their updates
  and evidence links, in the demo's years and states;
- four made-up local authorities in the home area's region, each with populations and
  observations for every indicator and period the home area has;
- actions from the copy's development findings and its self-assessment ratings short of met,
  with progress notes, open ones carried forward to the next year's drafts as opening a return
  does (the demo has no actions; these give the action pages something to show).

Everything made up says so: names and titles say "Demonstration", text starts "Demonstration:"
as the demo's own made-up text does, figures' notes say "made-up demonstration figure", and
every history row's reason names `paqa demo --scale`, the copy and the seed. Copy k is drawn
from random generators seeded by (seed, k, part), so the same N and seed give the same records,
field for field, on SQLite and PostgreSQL; ids follow the largest in each table, so on a fresh
demo they are the same too.

Loading again with the same N adds nothing; a larger N adds the missing copies, with the seed
used before (another seed is refused), so scaling to 3 and then to 5 gives what scaling to 5
at once gives. Statutory returns' child records are not made.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from paqa.accounts.models import User
from paqa.actions.models import Action, ActionUpdate
from paqa.assessments.demo import DEMO_TEXT, EVIDENCE, EXAMPLE
from paqa.assessments.models import Answer as AssessmentAnswer
from paqa.assessments.models import Cycle, RatingLevel
from paqa.assessments.models import Return as AssessmentReturn
from paqa.audits.models import (
    AgencyAudit,
    Audit,
    Case,
    CaseSection,
    DomainGrade,
    Finding,
    GradeLevel,
)
from paqa.audits.models import Question as AuditQuestion
from paqa.core.access import Role
from paqa.core.models import Area
from paqa.demo import scale_text as text
from paqa.demo.rows import Batch, checksum
from paqa.escalations.models import Escalation, EscalationUpdate, EvidenceLink
from paqa.indicators.models import Indicator, Observation, Population
from paqa.partnership.demo import BUSINESS_UNIT, DEMO_AGENCIES, DEMO_PARTNERSHIP_NAME, DEMO_PASSWORD
from paqa.partnership.models import Membership, Organisation, Partnership, Service
from paqa.surveys.engine import condition_met
from paqa.surveys.models import Answer as SurveyAnswer
from paqa.surveys.models import AnswerCode, Page, Response, Survey, SurveyInvitation
from paqa.surveys.models import Question as SurveyQuestion
from paqa.voice.models import VoiceRecord, YouSaidWeDid

DEFAULT_SEED = 2019
REASON = "Made-up demonstration data (paqa demo --scale: copy {copy}, seed {seed})"
SCALE_MARK = "paqa demo --scale"
_REASON_PATTERN = re.compile(r"paqa demo --scale: copy (\d+), seed (-?\d+)\)")
SUBMISSION_KEY = "demo-scale-"
AREAS_PER_COPY = 4
FIGURE_NOTE = "Illustrative: made-up demonstration figure (paqa demo --scale)"
AGE_BANDS = ["Under 1", "1-4", "5-9", "10-15", "16-17"]
LEGAL_STATUSES = ["Child in need", "Child protection plan", "Looked after"]
GRADE_WEIGHTS = [10, 50, 30, 10]  # best first: mostly good, some requiring improvement
UPDATE_WORDS: dict[str, str] = {  # an escalation update's kind → the made-up words of its step
    EscalationUpdate.Kind.UPDATE: "update",
    EscalationUpdate.Kind.RESPONSE: "response",
    EscalationUpdate.Kind.ASSURANCE: "assure",
    EscalationUpdate.Kind.CLOSURE: "close",
    EscalationUpdate.Kind.RE_ESCALATION: "re-escalate",
}

# The kinds of record that are exactly N times the demo's after scaling to N (the tests hold
# the generator to it). The others: organisations are 1 + 7N (one business unit); people and
# agency leads grow by seven a copy (every agency has its lead, where the demo has two);
# observations and populations grow by the home area's for each new area; survey answers vary
# with the answers drawn; and actions come only with the copies (the demo has none).
MULTIPLIED_KINDS = (
    "agencies",
    "services",
    "practitioner responses",
    "impact returns",
    "self-assessment returns",
    "self-assessment answers",
    "moderated ratings",
    "audits",
    "audit cases",
    "case sections",
    "grades",
    "findings",
    "agency audits",
    "escalations",
    "escalation updates",
    "evidence links",
    "voice records",
    "you said, we did",
    "areas",
)


class ScaleError(Exception):
    """Scaling cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class ScaleSummary:
    """What a load did: `counts`, the partnership's records by kind after it (`scale_counts`);
    `added`, rows written by table (history rows included); `checksums`, each copy written,
    read back from the database; `spans`, each copy's first and last id in each table."""

    scale: int
    seed: int
    copies_added: tuple[int, ...]
    counts: dict[str, int]
    added: dict[str, int]
    checksums: dict[int, str]
    spans: dict[int, dict[str, tuple[int, int]]]
    seconds: float

    @property
    def checksum(self) -> str:
        """One checksum over the copies this load wrote."""
        sha = hashlib.sha256()
        for copy in sorted(self.checksums):
            sha.update(f"{copy}:{self.checksums[copy]}\n".encode())
        return sha.hexdigest()

    @property
    def rows_added(self) -> int:
        return sum(self.added.values())


def scale_counts() -> dict[str, int]:
    """The demonstration partnership's records by kind (what --scale multiplies)."""
    organisations = Organisation.objects.filter(partnership__name=DEMO_PARTNERSHIP_NAME)
    agencies = organisations.exclude(name=BUSINESS_UNIT)
    return {
        "organisations": organisations.count(),
        "agencies": agencies.count(),
        "services": Service.objects.filter(organisation__in=agencies).count(),
        "agency leads": Membership.objects.filter(
            organisation__in=agencies, role=Role.AGENCY_LEAD
        ).count(),
        "people": User.objects.count(),
        "practitioner responses": Response.objects.filter(
            survey__kind=Survey.Kind.ANONYMOUS, status=Response.Status.SUBMITTED
        ).count(),
        "impact returns": Response.objects.filter(
            survey__kind=Survey.Kind.ORGANISATION, status=Response.Status.SUBMITTED
        ).count(),
        "survey answers": SurveyAnswer.objects.count(),
        "coded answers": AnswerCode.objects.count(),
        "self-assessment returns": AssessmentReturn.objects.count(),
        "self-assessment answers": AssessmentAnswer.objects.count(),
        "moderated ratings": AssessmentAnswer.objects.exclude(moderated_rating="").count(),
        "audits": Audit.objects.count(),
        "audit cases": Case.objects.count(),
        "case sections": CaseSection.objects.count(),
        "grades": DomainGrade.objects.count(),
        "findings": Finding.objects.count(),
        "agency audits": AgencyAudit.objects.count(),
        "actions": Action.objects.count(),
        "escalations": Escalation.objects.count(),
        "escalation updates": EscalationUpdate.objects.count(),
        "evidence links": EvidenceLink.objects.count(),
        "voice records": VoiceRecord.objects.count(),
        "you said, we did": YouSaidWeDid.objects.count(),
        "areas": Area.objects.count(),
        "populations": Population.objects.count(),
        "observations": Observation.objects.count(),
    }


def scaled_copies() -> tuple[list[int], int | None]:
    """The copies already loaded, and the seed they were made with (None before any)."""
    reasons = (
        Organisation.history.filter(history_change_reason__contains=SCALE_MARK)
        .order_by()
        .values_list("history_change_reason", flat=True)
        .distinct()
    )
    copies, seeds = set(), set()
    for reason in reasons:
        match = _REASON_PATTERN.search(reason or "")
        if match:
            copies.add(int(match[1]))
            seeds.add(int(match[2]))
    return sorted(copies), (min(seeds) if seeds else None)


def check_scale(scale: object) -> int:
    """The scale as a whole number of 1 or more, or a ScaleError saying what is wrong."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ScaleError(
            f"The scale must be a whole number of 1 or more, like 10 (1 is the demo as it is), "
            f"not {scale!r}"
        )
    return scale


@transaction.atomic
def demo_scale_load(
    *, scale: int, seed: int = DEFAULT_SEED, with_checksums: bool = True
) -> ScaleSummary:
    """Make the loaded demonstration partnership `scale` times itself (see the module's
    words): copies already there are kept, missing ones added. All or nothing.

    Reading the rows back for their checksums takes about as long as writing them; a
    benchmark that only wants the data can leave it out (`checksums` is then empty)."""
    started = time.perf_counter()
    scale = check_scale(scale)
    loaded, loaded_seed = scaled_copies()
    if loaded_seed is not None and loaded_seed != seed:
        raise ScaleError(
            f"This partnership was scaled with seed {loaded_seed}: add to it with --seed "
            f"{loaded_seed}, or load the demo into a new database to use seed {seed}."
        )
    wanted = [copy for copy in range(2, scale + 1) if copy not in loaded]
    batch = Batch(reason=lambda copy: REASON.format(copy=copy, seed=seed))
    if wanted:
        scaler = _Scaler(batch=batch, seed=seed)
        for copy in wanted:
            scaler.copy(copy)
        batch.write()
    spans = batch.spans()
    labelled = {model._meta.label_lower: model for model in apps.get_models(True)}
    return ScaleSummary(
        scale=max([scale, *loaded]),
        seed=seed,
        copies_added=tuple(wanted),
        counts=scale_counts(),
        added=batch.counts(),
        checksums={copy: checksum(spans[copy], labelled) for copy in sorted(spans)}
        if with_checksums
        else {},
        spans=spans,
        seconds=time.perf_counter() - started,
    )


# The generator -----------------------------------------------------------------------------


def _moment(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _made_by_scale(model: type[models.Model]) -> models.QuerySet[Any]:
    """The ids of a model's records that an earlier --scale made (their history says so)."""
    history = model.history  # type: ignore[attr-defined]
    return history.filter(history_change_reason__contains=SCALE_MARK).values("id")


def _figure(rng: random.Random, indicator: Indicator, value: Decimal, size: float) -> Decimal:
    """The home area's figure as a made-up area of `size` times its population might have it."""
    places = Decimal(1).scaleb(-indicator.decimals)
    if indicator.unit == Indicator.Unit.COUNT:
        made = float(value) * size * rng.uniform(0.85, 1.15)
        return Decimal(max(0, round(made)))
    if indicator.unit == Indicator.Unit.PERCENT:
        made = min(100.0, max(0.0, float(value) + rng.gauss(0, 3)))
    else:
        made = max(0.0, float(value) * rng.uniform(0.85, 1.15))
    return Decimal(str(made)).quantize(places)


@dataclass
class _Agency:
    """One of a copy's agencies, and the demo agency it is modelled on."""

    pk: int
    name: str
    demo_pk: int
    lead: int
    services: dict[str, int] = field(default_factory=dict)  # service name → id


@dataclass
class _Planned:
    """A self-assessment answer, decided before it is written (moderation comes first)."""

    standard: Any
    rating: str
    evidence: str
    example: str
    carried_from: int | None  # last year's answer this draft starts from
    moderated: dict[str, Any] = field(default_factory=dict)
    pk: int = 0


@dataclass
class _Copy:
    number: int
    by_demo: dict[int, _Agency]  # the demo agency's id → this copy's agency
    leads: dict[int, int]  # this copy's agency → its lead's id
    open_actions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # self-assessment answer id → its open actions, to carry forward to next year's draft


class _Scaler:
    """Reads the demo once, then writes copy after copy into the batch."""

    def __init__(self, *, batch: Batch, seed: int) -> None:
        self.batch = batch
        self.seed = seed
        partnership = (
            Partnership.objects.filter(name=DEMO_PARTNERSHIP_NAME)
            .select_related("home_area")
            .first()
        )
        if partnership is None or partnership.home_area is None:
            raise ScaleError("Load the demonstration partnership first: paqa demo --no-serve")
        self.partnership = partnership
        names = [name for name, _, _ in DEMO_AGENCIES]
        found = {
            organisation.name: organisation
            for organisation in Organisation.objects.filter(partnership=partnership, name__in=names)
        }
        missing = [name for name in names if name not in found]
        if missing:
            raise ScaleError(f"The demonstration partnership has no {missing[0]}: load it first")
        self.demo_agencies = [found[name] for name in names]
        self.demo_ids = [organisation.pk for organisation in self.demo_agencies]
        self.demo_services: dict[int, list[str]] = defaultdict(list)
        for organisation_id, name in (
            Service.objects.filter(organisation__in=self.demo_ids)
            .order_by("pk")
            .values_list("organisation_id", "name")
        ):
            self.demo_services[organisation_id].append(name)
        paqa = User.objects.filter(email="paqa@demo.example").first()
        if paqa is None:
            raise ScaleError("The demonstration partnership has no PAQA member: load it first")
        self.paqa = paqa
        salt = hashlib.sha256(f"paqa-demo-scale:{seed}".encode()).hexdigest()[:22]
        # One hash of the demo's password for every made-up person: they sign in as the demo's
        # people do, and hashing once keeps the load quick and its rows the same every time.
        self.password = make_password(DEMO_PASSWORD, salt=salt)
        self._read_indicators()
        self._read_assessments()
        self._read_audits()
        self._read_surveys()
        self._read_voice()
        self._read_escalations()

    def rng(self, copy: int, part: str) -> random.Random:
        # A string seed is hashed with SHA-512: the same numbers on every machine and run.
        return random.Random(f"paqa-demo-scale:{self.seed}:{copy}:{part}")  # noqa: S311 - made-up data, not security

    def copy(self, number: int) -> None:
        state = self._partnership(number)
        self._indicators(state)
        self._assessments(state)
        self._audits(state)
        self._agency_audits(state)
        self._surveys(state)
        self._voice(state)
        self._escalations(state)

    # The partnership ---------------------------------------------------------------------

    def _partnership(self, number: int) -> _Copy:
        when = _moment(date(2017, 4, 3), 9)
        agencies = []
        for index, demo in enumerate(self.demo_agencies):
            template, slug = (
                text.AGENCY_NAMES[index]
                if index < len(text.AGENCY_NAMES)
                else (f"Demonstration agency {{copy}}-{index + 1}", f"agency-{index + 1}")
            )
            name = template.format(copy=number)
            organisation = self.batch.add(
                Organisation,
                copy=number,
                when=when,
                partnership_id=self.partnership.pk,
                name=name,
                kind=demo.kind,
            )
            services = {
                service: self.batch.add(
                    Service, copy=number, when=when, organisation_id=organisation, name=service
                )
                for service in self.demo_services[demo.pk]
            }
            lead = self.batch.add(
                User,
                copy=number,
                when=when,
                email=f"lead.{slug}.{number}@demo.example",
                full_name=f"Demonstration lead {number}{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[index % 26]}",
                job_title="Demonstration user (made up by paqa demo --scale)",
                password=self.password,
                date_joined=when,
            )
            self.batch.add(
                Membership,
                copy=number,
                when=when,
                user_id=lead,
                organisation_id=organisation,
                role=Role.AGENCY_LEAD,
            )
            agencies.append(_Agency(organisation, name, demo.pk, lead, services))
        return _Copy(
            number,
            by_demo={agency.demo_pk: agency for agency in agencies},
            leads={agency.pk: agency.lead for agency in agencies},
        )

    # Indicators --------------------------------------------------------------------------

    def _read_indicators(self) -> None:
        home = self.partnership.home_area
        if home is None:  # checked above; said again for the type checker
            raise ScaleError("The demonstration partnership has no home area")
        self.region_id = home.parent_id or home.pk
        self.home_populations = list(
            Population.objects.filter(area=home).order_by("age_band", "year")
        )
        self.home_observations = list(
            Observation.objects.filter(area=home)
            .select_related("indicator")
            .order_by("indicator__code", "period_end", "period")
        )

    def _indicators(self, state: _Copy) -> None:
        rng = self.rng(state.number, "indicators")
        when = _moment(date(2019, 6, 28))
        for letter in "ABCDEFGH"[:AREAS_PER_COPY]:
            area = self.batch.add(
                Area,
                copy=state.number,
                when=when,
                code=f"DEMO{state.number:03d}{letter}",
                name=f"Demonstration area {state.number}{letter}",
                kind=Area.Kind.LOCAL_AUTHORITY,
                parent_id=self.region_id,
            )
            size = rng.uniform(0.5, 1.6)  # its children against the home area's
            for population in self.home_populations:
                self.batch.add(
                    Population,
                    copy=state.number,
                    when=when,
                    area_id=area,
                    year=population.year,
                    age_band=population.age_band,
                    value=max(1, round(population.value * size)),
                    note=f"ONS mid-year estimate ({FIGURE_NOTE})",
                )
            for observation in self.home_observations:
                self.batch.add(
                    Observation,
                    copy=state.number,
                    when=when,
                    indicator_id=observation.indicator_id,
                    area_id=area,
                    period=observation.period,
                    period_kind=observation.period_kind,
                    period_start=observation.period_start,
                    period_end=observation.period_end,
                    value=_figure(rng, observation.indicator, observation.value, size),
                    status=observation.status,
                    note=FIGURE_NOTE,
                )

    # Self-assessment ---------------------------------------------------------------------

    def _read_assessments(self) -> None:
        self.cycles = list(Cycle.objects.select_related("framework").order_by("year", "pk"))
        self.demo_returns: dict[int, list[AssessmentReturn]] = defaultdict(list)
        returns = AssessmentReturn.objects.filter(organisation__in=self.demo_ids).order_by("pk")
        for assessment_return in returns:
            self.demo_returns[assessment_return.cycle_id].append(assessment_return)
        self.demo_answers: dict[int, list[AssessmentAnswer]] = defaultdict(list)
        answers = (
            AssessmentAnswer.objects.filter(assessment_return__in=returns)
            .select_related("standard")
            .order_by("standard__number", "pk")
        )
        for answer in answers:
            self.demo_answers[answer.assessment_return_id].append(answer)
        self.rating_levels = {
            cycle.framework.scale_id: list(
                RatingLevel.objects.filter(scale_id=cycle.framework.scale_id).order_by("-rank")
            )
            for cycle in self.cycles
        }

    def _assessments(self, state: _Copy) -> None:
        rng = self.rng(state.number, "assessments")
        last_year: dict[int, tuple[int, dict[int, _Planned]]] = {}  # demo agency → its return
        for cycle in self.cycles:
            levels = self.rating_levels[cycle.framework.scale_id]
            by_code = {level.code: level for level in levels}
            planned: list[tuple[AssessmentReturn, dict[int, _Planned]]] = []
            for demo_return in self.demo_returns.get(cycle.pk, []):
                before = last_year.get(demo_return.organisation_id)
                carried = before[1] if before and demo_return.carried_from_id else {}
                answers = {}
                for demo_answer in self.demo_answers[demo_return.pk]:
                    standard = demo_answer.standard
                    earlier = carried.get(standard.pk)
                    if earlier is not None and demo_return.status == AssessmentReturn.Status.DRAFT:
                        # A draft starts from last year's answer, as opening a return does.
                        answer = _Planned(
                            standard, earlier.rating, earlier.evidence, earlier.example, earlier.pk
                        )
                    elif demo_answer.rating:
                        rating = _near(rng, levels, demo_answer.rating)
                        answer = _Planned(
                            standard,
                            rating,
                            DEMO_TEXT + EVIDENCE.get(rating, "Rated against the standard."),
                            DEMO_TEXT + EXAMPLE if by_code[rating].requires_example else "",
                            earlier.pk if earlier else None,
                        )
                    else:
                        answer = _Planned(standard, "", "", "", earlier.pk if earlier else None)
                    answers[standard.pk] = answer
                planned.append((demo_return, answers))
            self._moderate(rng, cycle, planned, levels)
            for demo_return, answers in planned:
                return_id = self._assessment_return(state, cycle, demo_return, answers, last_year)
                last_year[demo_return.organisation_id] = (return_id, answers)
                if demo_return.status in AssessmentReturn.SEEN_BY_PARTNERSHIP:
                    self._rating_actions(
                        rng, state, cycle, demo_return, return_id, answers, by_code
                    )

    def _moderate(
        self,
        rng: random.Random,
        cycle: Cycle,
        planned: list[tuple[AssessmentReturn, dict[int, _Planned]]],
        levels: list[RatingLevel],
    ) -> None:
        """Peer challenge changes as many of the copy's ratings as it did of the demo's."""
        count = sum(
            1
            for demo_return in self.demo_returns.get(cycle.pk, [])
            for answer in self.demo_answers[demo_return.pk]
            if answer.moderated_rating
        )
        rated = [
            (demo_return, answer)
            for demo_return, answers in planned
            for answer in answers.values()
            if answer.rating
        ]
        ranks = [level.code for level in levels]  # best first
        for demo_return, answer in rng.sample(rated, min(count, len(rated))):
            place = ranks.index(answer.rating)
            moderated = ranks[place + 1] if place + 1 < len(ranks) else ranks[place - 1]
            challenged = (demo_return.submitted_at or _moment(cycle.deadline)) + timedelta(days=21)
            answer.moderated = {
                "moderated_rating": moderated,
                "challenge": DEMO_TEXT + "Peer challenge asked for evidence from case audits; "
                "the evidence given supports a different rating.",
                "response": DEMO_TEXT + "Accepted; an action is in the plan.",
                "challenged_by_id": self.paqa.pk,
                "challenged_at": challenged,
            }

    def _assessment_return(
        self,
        state: _Copy,
        cycle: Cycle,
        demo_return: AssessmentReturn,
        answers: dict[int, _Planned],
        last_year: dict[int, tuple[int, dict[int, _Planned]]],
    ) -> int:
        agency = state.by_demo[demo_return.organisation_id]
        submitted = demo_return.status in AssessmentReturn.SEEN_BY_PARTNERSHIP
        when = demo_return.submitted_at or _moment(cycle.deadline - timedelta(days=120))
        before = last_year.get(demo_return.organisation_id)
        return_id = self.batch.add(
            AssessmentReturn,
            copy=state.number,
            when=when,
            cycle_id=cycle.pk,
            organisation_id=agency.pk,
            variant=demo_return.variant,
            deadline=demo_return.deadline,
            status=demo_return.status,
            carried_from_id=before[0] if before and demo_return.carried_from_id else None,
            signed_off_by_id=agency.lead if demo_return.signed_off_at else None,
            signed_off_role=demo_return.signed_off_role,
            signed_off_at=demo_return.signed_off_at,
            submitted_by_id=agency.lead if submitted else None,
            submitted_at=demo_return.submitted_at,
            accepted_at=demo_return.accepted_at,
        )
        for answer in answers.values():
            answer.pk = self.batch.add(
                AssessmentAnswer,
                copy=state.number,
                when=when,
                assessment_return_id=return_id,
                standard_id=answer.standard.pk,
                rating=answer.rating,
                evidence=answer.evidence,
                example=answer.example,
                # Answers carried into a draft were not saved by anyone this year.
                updated_by_id=agency.lead if submitted and answer.rating else None,
                **answer.moderated,
            )
            for original in state.open_actions.pop(answer.carried_from or 0, []):
                label = f"{cycle.framework.name} {cycle.year}, {agency.name}, standard " + str(
                    answer.standard
                )
                carried = self._action(
                    state,
                    when=when,
                    owner=agency.pk,
                    title=original["title"],
                    due=original["due"],
                    status=original["status"],
                    source_key=f"assessments.answer:{answer.pk}",
                    source_label=label,
                    source_url=f"/self-assessment/returns/{return_id}/standards/"
                    f"{answer.standard.number}/",
                    carried_from=original["pk"],
                    words=f"Carried forward from {original['label']}",
                )
                state.open_actions.setdefault(answer.pk, []).append(
                    {**original, "pk": carried, "label": label}
                )
        return return_id

    def _rating_actions(
        self,
        rng: random.Random,
        state: _Copy,
        cycle: Cycle,
        demo_return: AssessmentReturn,
        return_id: int,
        answers: dict[int, _Planned],
        by_code: dict[str, RatingLevel],
    ) -> None:
        """An action for each submitted rating short of met (after challenge)."""
        agency = state.by_demo[demo_return.organisation_id]
        when = (demo_return.submitted_at or _moment(cycle.deadline)) + timedelta(days=28)
        for answer in answers.values():
            rating = answer.moderated.get("moderated_rating") or answer.rating
            if not rating or by_code[rating].counts_as_met:
                continue
            standard = answer.standard
            themes = [theme for theme in standard.themes if theme in text.ACTION_TITLES]
            title = (
                text.ACTION_TITLES[themes[0]]
                if themes
                else f"Meet standard {standard.number} in full: {standard.title}"
            )
            label = f"{cycle.framework.name} {cycle.year}, {agency.name}, standard {standard}"
            status = rng.choice(list(Action.Status)[:3])  # not started, in progress, done
            due = _day_between(rng, when.date() + timedelta(days=60), when.date() + timedelta(300))
            action = self._action(
                state,
                when=when,
                owner=agency.pk,
                title=title,
                due=due,
                status=status,
                source_key=f"assessments.answer:{answer.pk}",
                source_label=label,
                source_url=f"/self-assessment/returns/{return_id}/standards/{standard.number}/",
            )
            if status in Action.OPEN_STATUSES:
                state.open_actions.setdefault(answer.pk, []).append(
                    {"pk": action, "title": title, "due": due, "status": status, "label": label}
                )

    # Actions -----------------------------------------------------------------------------

    def _action(
        self,
        state: _Copy,
        *,
        when: datetime,
        owner: int,
        title: str,
        due: date,
        status: str,
        source_key: str,
        source_label: str,
        source_url: str,
        carried_from: int | None = None,
        words: str = "",
    ) -> int:
        done = status == Action.Status.DONE
        limit = Action._meta.get_field("source_label").max_length or 300
        action = self.batch.add(
            Action,
            copy=state.number,
            when=when,
            owner_organisation_id=owner,
            title=title if title.startswith(text.DEMO) else text.DEMO + title,
            owner_name="Demonstration safeguarding lead",
            due_date=due,
            status=status,
            completion_evidence=text.DEMO + text.ACTION_DONE if done else "",
            completed_at=_moment(due) if done else None,
            source_key=source_key,
            source_label=source_label[:limit],
            source_url=source_url,
            carried_from_id=carried_from,
            created_by_id=self.paqa.pk,
        )
        if words or status == Action.Status.IN_PROGRESS:
            self.batch.add(
                ActionUpdate,
                copy=state.number,
                when=when + timedelta(days=0 if words else 30),
                action_id=action,
                text=words or text.DEMO + text.ACTION_PROGRESS,
                author_id=None if words else self.paqa.pk,
            )
        return action

    # Audits ------------------------------------------------------------------------------

    def _read_audits(self) -> None:
        self.demo_audits = list(
            Audit.objects.filter(organisations__in=self.demo_ids).distinct().order_by("pk")
        )
        self.audit_organisations: dict[int, list[int]] = defaultdict(list)
        for audit_id, organisation_id in (
            Audit.organisations.through.objects.filter(audit__in=self.demo_audits)
            .order_by("pk")
            .values_list("audit_id", "organisation_id")
        ):
            self.audit_organisations[audit_id].append(organisation_id)
        self.demo_cases: dict[int, list[Case]] = defaultdict(list)
        for case in Case.objects.filter(audit__in=self.demo_audits).order_by("pk"):
            self.demo_cases[case.audit_id].append(case)
        self.demo_grades: dict[int, list[int]] = defaultdict(list)  # case → domains graded
        for case_id, domain_id in (
            DomainGrade.objects.filter(case__audit__in=self.demo_audits)
            .order_by("pk")
            .values_list("case_id", "domain_id")
        ):
            self.demo_grades[case_id].append(domain_id)
        self.demo_findings: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for finding in (
            Finding.objects.filter(audit__in=self.demo_audits)
            .annotate(linked=models.Count("cases"))
            .order_by("pk")
        ):
            self.demo_findings[finding.audit_id].append((finding.kind, finding.linked))
        tools = {audit.tool_id for audit in self.demo_audits}
        self.tool_questions = {
            tool: list(
                AuditQuestion.objects.filter(domain__tool_id=tool).order_by(
                    "domain__order", "order"
                )
            )
            for tool in tools
        }
        self.demo_agency_audits = list(
            AgencyAudit.objects.filter(organisation__in=self.demo_ids)
            .select_related("service")
            .order_by("pk")
        )
        self.agency_grade_levels = {
            scale: list(
                GradeLevel.objects.filter(scale_id=scale)
                .order_by("-rank")
                .values_list("code", flat=True)
            )
            for scale in {audit.scale_id for audit in self.demo_agency_audits}
        }
        self.grade_levels = {
            audit.tool_id: list(
                GradeLevel.objects.filter(scale__tools=audit.tool_id)
                .order_by("-rank")
                .values_list("code", flat=True)
            )
            for audit in self.demo_audits
        }

    def _audits(self, state: _Copy) -> None:
        rng = self.rng(state.number, "audits")
        themes = rng.sample(text.AUDIT_THEMES, min(len(self.demo_audits), len(text.AUDIT_THEMES)))
        for index, demo in enumerate(self.demo_audits):
            theme = themes[index % len(themes)]
            letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index % 26]
            findings = self.demo_findings[demo.pk]
            chosen = [theme.findings[i % len(theme.findings)] for i in range(len(findings))]
            when = _moment(demo.period_end + timedelta(days=14))
            organisations = [state.by_demo[pk].pk for pk in self.audit_organisations[demo.pk]]
            prefix = f"D{state.number}{letter}"
            audit = self.batch.add(
                Audit,
                copy=state.number,
                when=when,
                title=f"{theme.title} (demonstration {state.number})",
                theme=theme.theme,
                year=demo.year,
                terms_of_reference=text.DEMO
                + f"To learn how well agencies work together on {theme.theme}.",
                key_lines_of_enquiry=demo.key_lines_of_enquiry,
                period_start=demo.period_start,
                period_end=demo.period_end,
                tool_id=demo.tool_id,
                lead_id=demo.lead_id,
                status=demo.status,
                themes=sorted({slug for _, _, slugs in chosen for slug in slugs}),
                reference_prefix=prefix,
            )
            self.batch.link(
                Audit, "organisations", copy=state.number, owner_id=audit, target_ids=organisations
            )
            cases = [
                self._case(rng, state, demo, audit, prefix, number, case, organisations, when)
                for number, case in enumerate(self.demo_cases[demo.pk], start=1)
            ]
            label = f"{theme.title} (demonstration {state.number}) ({demo.year})"
            for (kind, linked), (_, words, slugs) in zip(findings, chosen, strict=True):
                finding = self.batch.add(
                    Finding,
                    copy=state.number,
                    when=when,
                    audit_id=audit,
                    kind=kind,
                    text=text.DEMO + words,
                    themes=slugs,
                )
                self.batch.link(
                    Finding, "cases", copy=state.number, owner_id=finding, target_ids=cases[:linked]
                )
                if kind == Finding.Kind.DEVELOPMENT:
                    self._finding_action(
                        rng, state, finding, audit, label, organisations, slugs, words, when
                    )

    def _case(
        self,
        rng: random.Random,
        state: _Copy,
        demo: Audit,
        audit: int,
        prefix: str,
        number: int,
        demo_case: Case,
        organisations: list[int],
        when: datetime,
    ) -> int:
        lead = state.by_demo.get(demo_case.lead_organisation_id or 0)
        case = self.batch.add(
            Case,
            copy=state.number,
            when=when,
            audit_id=audit,
            reference=f"{prefix}-{demo.year[:4]}-{number:02d}",
            lead_organisation_id=lead.pk if lead else None,
            age_band=rng.choice(AGE_BANDS),
            legal_status=rng.choice(LEGAL_STATUSES),
        )
        questions = self.tool_questions[demo.tool_id]
        for organisation in organisations:
            answers = {
                f"q{question.pk}": (
                    rng.choice(text.CASE_TEXT_ANSWERS)
                    if question.answer_type == AuditQuestion.AnswerType.TEXT
                    else rng.choice(
                        ["yes", "yes", "partly", "no"]
                        if question.answer_type == AuditQuestion.AnswerType.YES_NO_PARTLY
                        else ["yes", "yes", "no"]
                    )
                )
                for question in questions
            }
            self.batch.add(
                CaseSection,
                copy=state.number,
                when=when,
                case_id=case,
                organisation_id=organisation,
                answers=answers,
                summary=text.DEMO + rng.choice(text.CASE_SUMMARIES),
                status=CaseSection.Status.SUBMITTED,
                submitted_at=when,
                submitted_by_id=state.leads[organisation],
            )
        grades = self.grade_levels[demo.tool_id]
        for domain in self.demo_grades[demo_case.pk]:
            self.batch.add(
                DomainGrade,
                copy=state.number,
                when=when + timedelta(days=7),
                case_id=case,
                domain_id=domain,
                grade=rng.choices(grades, weights=GRADE_WEIGHTS[: len(grades)])[0],
            )
        return case

    def _finding_action(
        self,
        rng: random.Random,
        state: _Copy,
        finding: int,
        audit: int,
        label: str,
        organisations: list[int],
        themes: list[str],
        words: str,
        when: datetime,
    ) -> None:
        titles = [text.ACTION_TITLES[slug] for slug in themes if slug in text.ACTION_TITLES]
        status = rng.choice(list(Action.Status)[:3])
        self._action(
            state,
            when=when + timedelta(days=21),
            owner=rng.choice(organisations),
            title=titles[0] if titles else "Act on the audit's finding",
            due=_day_between(rng, when.date() + timedelta(days=90), when.date() + timedelta(270)),
            status=status,
            source_key=f"audits.finding:{finding}",
            source_label=f"{label}: {(text.DEMO + words)[:120]}",  # as finding_action has it
            source_url=f"/audits/{audit}/#finding-{finding}",
        )

    def _agency_audits(self, state: _Copy) -> None:
        rng = self.rng(state.number, "agency-audits")
        for demo in self.demo_agency_audits:
            agency = state.by_demo[demo.organisation_id]
            sample = max(5, demo.sample_size + rng.randint(-4, 6))
            # Keys in the scale's order, best first: never the stored order, which PostgreSQL's
            # jsonb changes (the same seed must draw the same grades on either database).
            known = self.agency_grade_levels.get(demo.scale_id, [])
            codes = [code for code in known if code in demo.grade_counts] + sorted(
                set(demo.grade_counts) - set(known)
            )
            weights = [demo.grade_counts[code] + 1 for code in codes]
            drawn = rng.choices(codes, weights=weights, k=sample)
            audited = demo.audit_date + timedelta(days=rng.randint(-30, 30))
            when = _moment(audited + timedelta(days=14))
            self.batch.add(
                AgencyAudit,
                copy=state.number,
                when=when,
                organisation_id=agency.pk,
                service_id=agency.services.get(demo.service.name) if demo.service else None,
                year=demo.year,
                topic=demo.topic,
                audit_date=audited,
                sample_size=sample,
                scale_id=demo.scale_id,
                grade_counts={code: drawn.count(code) for code in codes},
                strengths=demo.strengths,
                areas_for_development=demo.areas_for_development,
                themes=demo.themes,
                status=demo.status,
                submitted_at=when if demo.submitted_at else None,
                reviewed_by_id=demo.reviewed_by_id,
                review_notes=demo.review_notes,
            )

    # Surveys -----------------------------------------------------------------------------

    def _read_surveys(self) -> None:
        self.surveys = list(Survey.objects.order_by("pk"))
        self.pages: dict[int, list[tuple[Page, list[SurveyQuestion]]]] = {}
        for survey in self.surveys:
            pages = Page.objects.filter(survey=survey).prefetch_related("questions")
            self.pages[survey.pk] = [
                (page, sorted(page.questions.all(), key=lambda question: question.order))
                for page in pages.order_by("order", "pk")
            ]
        self.drawn: dict[int, _Drawn] = {}
        self.returns: dict[int, list[_DemoReturn]] = {}
        for survey in self.surveys:
            if survey.kind == Survey.Kind.ANONYMOUS:
                self.drawn[survey.pk] = self._draw_from(survey)
            else:
                self.returns[survey.pk] = self._returns_of(survey)

    def _draw_from(self, survey: Survey) -> _Drawn:
        """What the demo's respondents answered, question by question."""
        responses = (
            Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
            .exclude(submission_key__startswith=SUBMISSION_KEY)
            .order_by("pk")
        )
        given: dict[int, dict[str, Any]] = defaultdict(dict)
        codes = {
            question.pk: question.code
            for _, questions in self.pages[survey.pk]
            for question in questions
        }
        for response_id, question_id, value in SurveyAnswer.objects.filter(
            response__in=responses
        ).values_list("response_id", "question_id", "value"):
            given[response_id][codes.get(question_id, "")] = value
        drawn = _Drawn(reached=[])
        for response_id, reached in responses.values_list("pk", "reached_page"):
            drawn.reached.append(reached)
            answers = given.get(response_id, {})
            for page, questions in self.pages[survey.pk]:
                if not condition_met(page.show_if, answers):
                    continue
                for question in questions:
                    if condition_met(question.show_if, answers):
                        drawn.shown[question.pk] += 1
                        if question.code in answers:
                            drawn.values[question.pk].append(answers[question.code])
        coded = AnswerCode.objects.filter(answer__response__in=responses).order_by("pk")
        for question_id, value, code_id, coder_id in coded.values_list(
            "answer__question_id", "answer__value", "code_id", "coded_by_id"
        ):
            if isinstance(value, str):
                codings = drawn.codes.setdefault((question_id, value), [])
                if code_id not in [code for code, _ in codings]:
                    codings.append((code_id, coder_id))
        return drawn

    def _returns_of(self, survey: Survey) -> list[_DemoReturn]:
        """The demo agencies' returns to a survey with one return per organisation."""
        found = []
        invitations = SurveyInvitation.objects.filter(
            survey=survey, organisation__in=self.demo_ids
        ).select_related("response")
        for invitation in invitations.order_by("pk"):
            response = invitation.response
            answers = (
                list(
                    SurveyAnswer.objects.filter(response=response)
                    .order_by("question__page__order", "question__order", "pk")
                    .values_list("question_id", "value")
                )
                if response
                else []
            )
            found.append(_DemoReturn(invitation, response, answers))
        return found

    def _surveys(self, state: _Copy) -> None:
        for survey in self.surveys:
            if survey.pk in self.drawn:
                self._practitioners(state, survey, self.drawn[survey.pk])
            else:
                self._impact_returns(state, survey, self.returns[survey.pk])

    def _practitioners(self, state: _Copy, survey: Survey, drawn: _Drawn) -> None:
        rng = self.rng(state.number, f"survey-{survey.series}-{survey.year}")
        days = [
            _day_between(rng, survey.opens_on, survey.closes_on) for _ in range(len(drawn.reached))
        ]
        responses = self.batch.add_many(
            Response,
            copy=state.number,
            columns=[
                "survey_id",
                "status",
                "started_on",
                "submitted_on",
                "submission_key",
                "reached_page",
            ],
            rows=(
                [
                    survey.pk,
                    Response.Status.SUBMITTED,
                    day,
                    day,
                    f"{SUBMISSION_KEY}{state.number}-{survey.pk}-{index}",
                    drawn.reached[index],
                ]
                for index, day in enumerate(days)
            ),
        )
        rows: list[list[Any]] = []
        for response in responses:
            answers: dict[str, Any] = {}
            for page, questions in self.pages[survey.pk]:
                if not condition_met(page.show_if, answers):
                    continue
                for question in questions:
                    values = drawn.values.get(question.pk)
                    shown = drawn.shown.get(question.pk, 0)
                    if not values or not condition_met(question.show_if, answers):
                        continue
                    if rng.random() * shown < len(values):  # answered as often as in the demo
                        answers[question.code] = value = rng.choice(values)
                        rows.append([response, question.pk, value])
        ids = self.batch.add_many(
            SurveyAnswer,
            copy=state.number,
            columns=["response_id", "question_id", "value"],
            rows=rows,
        )
        coded_at = _moment(survey.closes_on + timedelta(days=21))
        for answer, (_, question, value) in zip(ids, rows, strict=True):
            if not isinstance(value, str):
                continue
            for code, coder in drawn.codes.get((question, value), []):
                self.batch.add(
                    AnswerCode,
                    copy=state.number,
                    when=coded_at,
                    answer_id=answer,
                    code_id=code,
                    coded_by_id=coder,
                    coded_at=coded_at,
                )

    def _impact_returns(self, state: _Copy, survey: Survey, returns: list[_DemoReturn]) -> None:
        for demo in returns:
            agency = state.by_demo[demo.invitation.organisation_id]
            when = _moment(survey.opens_on)
            response = None
            if demo.response is not None:
                response = self.batch.add_many(
                    Response,
                    copy=state.number,
                    columns=[
                        "survey_id",
                        "organisation_id",
                        "status",
                        "started_on",
                        "submitted_on",
                        "submission_key",
                        "reached_page",
                    ],
                    rows=[
                        [
                            survey.pk,
                            agency.pk,
                            demo.response.status,
                            demo.response.started_on,
                            demo.response.submitted_on,
                            f"{SUBMISSION_KEY}{state.number}-{survey.pk}-{agency.pk}",
                            demo.response.reached_page,
                        ]
                    ],
                )[0]
                self.batch.add_many(
                    SurveyAnswer,
                    copy=state.number,
                    columns=["response_id", "question_id", "value"],
                    rows=[[response, question, value] for question, value in demo.answers],
                )
            self.batch.add(
                SurveyInvitation,
                copy=state.number,
                when=when,
                survey_id=survey.pk,
                organisation_id=agency.pk,
                response_id=response,
                reminders_sent=demo.invitation.reminders_sent,
                last_reminded_at=demo.invitation.last_reminded_at,
            )

    # Voice -------------------------------------------------------------------------------

    def _read_voice(self) -> None:
        self.demo_voices = list(
            VoiceRecord.objects.exclude(pk__in=_made_by_scale(VoiceRecord)).order_by("pk")
        )
        self.demo_we_did: dict[int, list[YouSaidWeDid]] = defaultdict(list)
        for response in YouSaidWeDid.objects.filter(voice_record__in=self.demo_voices).order_by(
            "pk"
        ):
            self.demo_we_did[response.voice_record_id].append(response)

    def _voice(self, state: _Copy) -> None:
        rng = self.rng(state.number, "voice")
        chosen = rng.sample(text.VOICES, min(len(self.demo_voices), len(text.VOICES)))
        for index, demo in enumerate(self.demo_voices):
            voice = chosen[index % len(chosen)]
            first, last = _year_span(demo.year)
            said = _day_between(rng, first, last)
            record = self.batch.add(
                VoiceRecord,
                copy=state.number,
                when=_moment(said),
                year=demo.year,
                source=voice.source,
                source_title=f"{voice.title} (demonstration {state.number})",
                who=voice.who,
                age_band=voice.age_band,
                quote=voice.quote,
                is_summary=voice.is_summary,
                consent=VoiceRecord.Consent.NOT_NEEDED
                if voice.is_summary
                else VoiceRecord.Consent.GIVEN,
                themes=voice.themes,
                recorded_by_id=demo.recorded_by_id,
            )
            for response in self.demo_we_did.get(demo.pk, []):
                by = state.by_demo.get(response.by_organisation_id or 0)
                done = max(said, min(response.date, last + timedelta(days=90)))
                self.batch.add(
                    YouSaidWeDid,
                    copy=state.number,
                    when=_moment(done),
                    voice_record_id=record,
                    response=text.DEMO + rng.choice(text.WE_DID),
                    by_organisation_id=by.pk if by else None,
                    date=done,
                )

    # Escalations -------------------------------------------------------------------------

    def _read_escalations(self) -> None:
        self.demo_escalations = list(
            Escalation.objects.filter(owner_organisation__in=self.demo_ids).order_by("pk")
        )
        self.demo_updates: dict[int, list[EscalationUpdate]] = defaultdict(list)
        for update in EscalationUpdate.objects.filter(
            escalation__in=self.demo_escalations
        ).order_by("date", "created_at", "pk"):
            self.demo_updates[update.escalation_id].append(update)
        self.demo_links: dict[int, list[EvidenceLink]] = defaultdict(list)
        for link in EvidenceLink.objects.filter(escalation__in=self.demo_escalations).order_by(
            "pk"
        ):
            self.demo_links[link.escalation_id].append(link)
        self.indicator_codes = set(Indicator.objects.values_list("code", flat=True))

    def _escalations(self, state: _Copy) -> None:
        rng = self.rng(state.number, "escalations")
        concerns = rng.sample(text.CONCERNS, min(len(self.demo_escalations), len(text.CONCERNS)))
        for index, demo in enumerate(self.demo_escalations):
            concern = concerns[index % len(concerns)]
            shift = timedelta(days=rng.randint(-21, 21))
            escalation = self.batch.add(
                Escalation,
                copy=state.number,
                when=_moment(demo.escalated_on + shift),
                year=demo.year,
                title=f"{concern.title} (demonstration {state.number})",
                finding=concern.finding + text.ESCALATION_NOTE,
                escalated_to=demo.escalated_to,
                escalated_on=demo.escalated_on + shift,
                owner_organisation_id=state.by_demo[demo.owner_organisation_id].pk,
                response_due=demo.response_due + shift,
                status=demo.status,
                rag=demo.rag,
                outcome=text.DEMO + text.ESCALATION_STEPS["close"] if demo.outcome else "",
                themes=concern.themes,
                raised_by_id=demo.raised_by_id,
                closed_on=demo.closed_on + shift if demo.closed_on else None,
                last_reminded_on=demo.last_reminded_on + shift if demo.last_reminded_on else None,
            )
            for update in self.demo_updates[demo.pk]:
                words = text.ESCALATION_STEPS[UPDATE_WORDS.get(update.kind, "update")]
                self.batch.add(
                    EscalationUpdate,
                    copy=state.number,
                    when=_moment(update.date + shift),
                    escalation_id=escalation,
                    date=update.date + shift,
                    text=text.DEMO + words,
                    author_id=update.author_id,
                    kind=update.kind,
                )
            own = f"indicators.indicator:{concern.indicator}"
            keys = [own] if concern.indicator in self.indicator_codes else []
            keys += [link.key for link in self.demo_links[demo.pk] if link.key not in keys]
            for link, key in zip(self.demo_links[demo.pk], keys, strict=False):
                self.batch.add(
                    EvidenceLink,
                    copy=state.number,
                    when=_moment(demo.escalated_on + shift),
                    escalation_id=escalation,
                    key=key,
                    note=text.DEMO + "the figures behind the concern",
                    added_by_id=link.added_by_id,
                )


@dataclass
class _Drawn:
    """A demo survey's answers to draw from: how often each question was shown and what was
    answered, the pages respondents reached, and how each free-text answer was coded."""

    reached: list[int]
    shown: Counter[int] = field(default_factory=Counter)
    values: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[tuple[int, str], list[tuple[int, int]]] = field(default_factory=dict)


@dataclass
class _DemoReturn:
    invitation: SurveyInvitation
    response: Response | None
    answers: list[tuple[int, Any]]


def _near(rng: random.Random, levels: list[RatingLevel], code: str) -> str:
    """A rating near the demo agency's: the same most often, sometimes one step either way."""
    codes = [level.code for level in levels]
    if code not in codes:
        return code
    place = codes.index(code) + rng.choice([0, 0, 0, 0, 0, -1, 1])
    return codes[min(max(place, 0), len(codes) - 1)]


def _year_span(year: str) -> tuple[date, date]:
    """The first and last day of a reporting year like 2018-19 (1 April to 31 March)."""
    match = re.match(r"^(\d{4})-\d{2}$", year)
    start = int(match[1]) if match else 2018
    return date(start, 4, 1), date(start + 1, 3, 31)
