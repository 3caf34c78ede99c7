"""`paqa demo --scale N`: N times the demo, made up and saying so, the same from the same seed,
and every page of every demo role still answering."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from paqa.actions.models import Action
from paqa.assessments.models import Answer as AssessmentAnswer
from paqa.assessments.models import Return
from paqa.audits.models import AgencyAudit, Audit, Case, CaseSection, DomainGrade, Finding
from paqa.demo.loader import demo_everything_load
from paqa.demo.scale import (
    AREAS_PER_COPY,
    MULTIPLIED_KINDS,
    SCALE_MARK,
    ScaleError,
    ScaleSummary,
    demo_scale_load,
    scale_counts,
    scaled_copies,
)
from paqa.escalations.models import Escalation, EscalationUpdate, EvidenceLink
from paqa.indicators.models import Observation, Population
from paqa.operations.inventory import inventory, paqa_models
from paqa.partnership.models import Partnership
from paqa.surveys.models import Response
from paqa.voice.models import VoiceRecord, YouSaidWeDid
from tests.demo.crawl import crawl_demo

pytestmark = pytest.mark.django_db

SCALE = 3
SEED = 2019


def by_year() -> dict[str, int]:
    """Records of each year (or survey year, or cycle): the years must be the demo's."""
    counted: dict[str, int] = {}
    for label, rows in (
        # Copies are drawn from sent responses; the demo's unfinished ones are not copied.
        (
            "survey",
            Response.objects.filter(status=Response.Status.SUBMITTED).values_list(
                "survey__series", "survey__year"
            ),
        ),
        ("cycle", Return.objects.values_list("cycle__year")),
        ("audit", Audit.objects.values_list("year")),
        ("agency audit", AgencyAudit.objects.values_list("year")),
        ("escalation", Escalation.objects.values_list("year")),
        ("voice", VoiceRecord.objects.values_list("year")),
        ("observation", Observation.objects.values_list("period")),
    ):
        for key in rows.order_by():
            name = f"{label} {' '.join(key)}"
            counted[name] = counted.get(name, 0) + 1
    return counted


@dataclass(frozen=True)
class Loads:
    demo: dict[str, int]  # the demo's records by kind, before scaling
    demo_years: dict[str, int]
    home_observations: int
    home_populations: int
    unchanged_at_one: bool
    at_one: ScaleSummary
    direct: ScaleSummary  # scale 3 at once (rolled back)
    other_seed: ScaleSummary  # scale 2 with another seed (rolled back)
    first: ScaleSummary  # scale 2, kept
    topped_up: ScaleSummary  # then 3, kept


def _rolled_back(*, scale: int, seed: int) -> ScaleSummary:
    with transaction.atomic():
        summary = demo_scale_load(scale=scale, seed=seed)
        transaction.set_rollback(True)
    return summary


@pytest.fixture(scope="module")
def loads(django_db_setup, django_db_blocker):
    """The demo scaled to 3 (to 2, then topped up), beside loads rolled back to compare."""
    with django_db_blocker.unblock():
        demo_everything_load()
        home = Partnership.objects.get().home_area
        before = inventory(paqa_models())
        at_one = demo_scale_load(scale=1, seed=SEED)
        unchanged = inventory(paqa_models()) == before
        loaded = Loads(
            demo=scale_counts(),
            demo_years=by_year(),
            home_observations=Observation.objects.filter(area=home).count(),
            home_populations=Population.objects.filter(area=home).count(),
            unchanged_at_one=unchanged,
            at_one=at_one,
            direct=_rolled_back(scale=SCALE, seed=SEED),
            other_seed=_rolled_back(scale=2, seed=7),
            first=demo_scale_load(scale=2, seed=SEED),
            topped_up=demo_scale_load(scale=SCALE, seed=SEED),
        )
    yield loaded
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def test_scale_one_is_the_demo_as_it_is(loads):
    assert loads.at_one.copies_added == ()
    assert loads.at_one.added == {}
    # Every table, row for row: the 1x report's figures cannot have moved.
    assert loads.unchanged_at_one


def test_each_kind_is_n_times_the_demos(loads):
    counts = scale_counts()
    for kind in MULTIPLIED_KINDS:
        assert loads.demo[kind] > 0, kind
        assert counts[kind] == SCALE * loads.demo[kind], kind
    # One business unit; seven agencies a copy, each with its own lead.
    assert counts["organisations"] == 1 + SCALE * loads.demo["agencies"]
    assert counts["agency leads"] == loads.demo["agency leads"] + (SCALE - 1) * 7
    new_areas = (SCALE - 1) * AREAS_PER_COPY
    assert (
        counts["observations"] == loads.demo["observations"] + new_areas * loads.home_observations
    )
    assert counts["populations"] == loads.demo["populations"] + new_areas * loads.home_populations
    # Answers are drawn from the demo's, so they come near N times, not exactly.
    for kind in ("survey answers", "coded answers"):
        assert 0.9 * SCALE * loads.demo[kind] < counts[kind] < 1.1 * SCALE * loads.demo[kind]
    assert loads.demo["actions"] == 0  # the demo has none: the copies bring theirs
    assert counts["actions"] > 0
    assert loads.topped_up.counts == counts


def test_the_years_are_the_demos_each_n_times(loads):
    years = by_year()
    observations = {key for key in years if key.startswith("observation")}
    for key, count in loads.demo_years.items():
        if key not in observations:
            assert years[key] == SCALE * count, key
    # New areas have figures for exactly the periods the demo has, and for no others.
    assert set(years) == set(loads.demo_years)


def test_the_same_seed_gives_the_same_rows_and_topping_up_equals_loading_at_once(loads):
    assert loads.first.copies_added == (2,)
    assert loads.topped_up.copies_added == (3,)
    assert loads.direct.copies_added == (2, 3)
    # Loaded from the same demo, the same seed writes the same rows (ids included), whether
    # all at once or topped up later.
    assert loads.direct.checksums == {**loads.first.checksums, **loads.topped_up.checksums}
    assert loads.direct.spans == {**loads.first.spans, **loads.topped_up.spans}
    assert loads.other_seed.checksums[2] != loads.first.checksums[2]
    # Each copy writes rows of many kinds, not just a few.
    assert len(loads.first.spans[2]) > 40


def test_the_same_scale_again_adds_nothing_and_another_seed_is_refused(loads):
    counts = scale_counts()
    again = demo_scale_load(scale=SCALE, seed=SEED)
    assert again.copies_added == ()
    assert again.added == {}
    assert demo_scale_load(scale=2, seed=SEED).copies_added == ()
    assert scale_counts() == counts
    with pytest.raises(ScaleError, match="scaled with seed 2019"):
        demo_scale_load(scale=SCALE + 1, seed=7)
    assert scale_counts() == counts
    assert scaled_copies() == ([2, 3], SEED)


@pytest.mark.parametrize("scale", [0, -1, "3", 2.5, True])
def test_a_scale_that_is_not_a_whole_number_of_one_or_more_is_refused(loads, scale):
    with pytest.raises(ScaleError, match="whole number of 1 or more"):
        demo_scale_load(scale=scale, seed=SEED)  # type: ignore[arg-type]


def _made(model, summary_spans):
    label = model._meta.label_lower
    spans = [spans[label] for spans in summary_spans if label in spans]
    assert spans, f"no {label} made"
    ids = [pk for first, last in spans for pk in range(first, last + 1)]
    return model.objects.filter(pk__in=ids)


def test_everything_made_up_says_so(loads):
    spans = [*loads.first.spans.values(), *loads.topped_up.spans.values()]
    labelled = {
        Audit: ("title", "(demonstration "),
        Finding: ("text", "Demonstration: "),
        CaseSection: ("summary", "Demonstration: "),
        AgencyAudit: ("strengths", "Demonstration: "),
        AssessmentAnswer: ("evidence", "Demonstration answer: "),
        Action: ("title", "Demonstration: "),
        Escalation: ("finding", "Demonstration: this concern"),
        EscalationUpdate: ("text", "Demonstration: "),
        EvidenceLink: ("note", "Demonstration: "),
        VoiceRecord: ("source_title", "(demonstration "),
        YouSaidWeDid: ("response", "Demonstration: "),
        Observation: ("note", "made-up demonstration figure"),
        Population: ("note", "made-up demonstration figure"),
    }
    for model, (field, words) in labelled.items():
        for record in _made(model, spans):
            value = getattr(record, field)
            if model is AssessmentAnswer and not record.rating:
                continue  # an unanswered standard has no words at all
            assert words in value, (model.__name__, record.pk, value)
    from paqa.accounts.models import User
    from paqa.core.models import Area
    from paqa.partnership.models import Organisation

    for model, field in ((Organisation, "name"), (Area, "name"), (User, "full_name")):
        assert all(
            getattr(record, field).startswith("Demonstration ") for record in _made(model, spans)
        )
    assert all(user.job_title.startswith("Demonstration user") for user in _made(User, spans))
    assert all(
        response.submission_key.startswith("demo-scale-") for response in _made(Response, spans)
    )
    assert all(case.audit.title.endswith(")") for case in _made(Case, spans))
    assert all(grade.case.audit in _made(Audit, spans) for grade in _made(DomainGrade, spans))
    # And every history row written says who made it.
    from django.apps import apps

    for copy_spans in spans:
        for label, (first, last) in copy_spans.items():
            model = apps.get_model(label)
            if label.split(".")[1].startswith("historical") and hasattr(
                model, "history_change_reason"
            ):
                reasons = set(
                    model.objects.filter(history_id__range=(first, last)).values_list(
                        "history_change_reason", flat=True
                    )
                )
                assert len(reasons) == 1
                assert SCALE_MARK in reasons.pop()


def test_made_up_records_fit_the_demos_scales_and_states(loads):
    from paqa.assessments.models import RatingLevel
    from paqa.audits.models import GradeLevel

    spans = [*loads.first.spans.values(), *loads.topped_up.spans.values()]
    ratings = set(RatingLevel.objects.values_list("code", flat=True))
    for answer in _made(AssessmentAnswer, spans):
        assert answer.rating in ratings | {""}
        assert answer.moderated_rating in ratings | {""}
        if answer.rating == "blue":
            assert answer.example
    grades = set(GradeLevel.objects.values_list("code", flat=True))
    assert {grade.grade for grade in _made(DomainGrade, spans)} <= grades
    for audit in _made(AgencyAudit, spans):
        assert sum(audit.grade_counts.values()) == audit.sample_size
        assert set(audit.grade_counts) <= grades
    # Drafts of the open cycle start from last year's answers, as opening a return does.
    drafts = _made(Return, spans).filter(status=Return.Status.DRAFT)
    assert drafts
    for draft in drafts:
        assert draft.carried_from is not None
        earlier = {a.standard_id: a.rating for a in draft.carried_from.answers.all()}
        assert {a.standard_id: a.rating for a in draft.answers.all()} == earlier
    # Practitioners answer the follow-up question only when the branch shows it.
    for response in _made(Response, spans).filter(organisation__isnull=True)[:300]:
        answers = {a.question.code: a.value for a in response.answers.select_related("question")}
        if "training-useful" in answers:
            assert answers["trained-3-years"] == "Yes"
    # Actions carried forward point at the action they carry, in the next year's return.
    carried = _made(Action, spans).filter(carried_from__isnull=False)
    assert carried
    assert all(action.source_key.startswith("assessments.answer:") for action in carried)
    statuses = set(_made(Escalation, spans).values_list("status", flat=True))
    assert statuses == set(
        Escalation.objects.exclude(pk__in=_made(Escalation, spans)).values_list("status", flat=True)
    )
    counts = (
        Response.objects.filter(organisation__isnull=False)
        .values("organisation")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in counts} == {1}  # one impact return per organisation


# The person who reaches the most (the partnership admin) and the three whose reach is narrowest
# in different ways: every page of the others is one of theirs, seen more widely or as narrowly.
CRAWLED = ("admin@demo.example", "lead.police@demo.example", "auditor@demo.example")


def test_every_page_of_every_demo_role_still_answers(loads):
    # Each role's menu pages and one link of each kind from them: the last, which in a list is
    # a made-up record (the demo's own pages are the other parts' tests').
    crawl = crawl_demo(per_shape=1, depth=1, people=CRAWLED)
    assert len(crawl.fetched) > 120
    assert crawl.failures == []
