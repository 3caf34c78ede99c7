"""Evidence links resolve, for each viewer, only to records that viewer may see."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from paqa.assessments.models import Return
from paqa.assessments.packs import framework_load, scales_load
from paqa.assessments.services import cycle_create
from paqa.audits.packs import audit_tool_load
from paqa.audits.services import audit_create, finding_add
from paqa.core.evidence import evidence_choices, parse_key
from paqa.core.evidence import resolve_evidence as resolve
from paqa.escalations import services
from paqa.indicators.services import indicator_pack_load
from paqa.surveys.models import Survey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FINDING = "Information held by health was not shared before the strategy meeting."


@pytest.fixture
def finding(cast):
    audit = audit_create(
        title="Strategy meetings",
        theme="strategy meetings",
        year="2018-19",
        terms_of_reference="To learn how well strategy meetings work",
        key_lines_of_enquiry="Was risk shared?",
        period_start=date(2018, 4, 1),
        period_end=date(2019, 3, 31),
        tool=audit_tool_load(),
        lead=cast.paqa_member,
        organisations=[cast.agency, cast.other_agency],
        themes=["information-sharing"],
        actor=cast.paqa_member,
    )
    return finding_add(
        audit=audit,
        kind="development",
        text=FINDING,
        themes=["information-sharing"],
        actor=cast.paqa_member,
    )


@pytest.fixture
def returns(cast):
    """The police agency's draft return and the health agency's submitted one."""
    scales_load()
    cycle = cycle_create(
        framework=framework_load(),
        year="2018-19",
        deadline=date(2019, 5, 31),
        organisations=[cast.agency, cast.other_agency],
        actor=cast.admin,
    )
    draft = cycle.returns.get(organisation=cast.agency)
    submitted = cycle.returns.get(organisation=cast.other_agency)
    Return.objects.filter(pk=submitted.pk).update(status=Return.Status.SUBMITTED)
    return draft, submitted


@pytest.fixture
def survey(db):
    return Survey.objects.create(
        series="practitioners",
        year="2018-19",
        title="Practitioner survey",
        kind=Survey.Kind.ANONYMOUS,
        opens_on=date(2018, 10, 1),
        closes_on=date(2018, 12, 31),
        public_slug="practitioners-2018-19",
    )


@pytest.fixture
def indicators(cast):
    indicator_pack_load(partnership=cast.partnership)


def everyone(cast):
    return [*cast.by_role().values(), cast.other_agency_lead]


def test_keys_are_parsed_strictly():
    assert parse_key("indicators.indicator:camhs-seen-12-weeks") == (
        "indicators.indicator",
        "camhs-seen-12-weeks",
    )
    assert parse_key(" audits.finding:12 ") == ("audits.finding", "12")
    for bad in ("", "audits.finding", "audits:12", "audits.finding:", "a.b:<script>", "x" * 200):
        assert parse_key(bad) is None, bad


def test_an_audit_finding_is_visible_to_all_staff(cast, finding):
    key = f"audits.finding:{finding.pk}"
    for user in everyone(cast):
        resolved = resolve(user, key)
        assert resolved is not None, user
        assert resolved.label == FINDING
        assert resolved.url == f"/audits/{finding.audit_id}/#finding-{finding.pk}"
        assert resolved.kind == "Audit finding (area for development)"
        assert resolved.detail == "Strategy meetings, 2018-19"
        assert resolved.themes == ("information-sharing",)


def test_an_indicator_resolves_with_its_link_and_themes(cast, indicators):
    resolved = resolve(cast.board_member, "indicators.indicator:camhs-seen-12-weeks")
    assert resolved is not None
    assert resolved.label == "CAMHS referrals seen within 12 weeks"
    assert resolved.url == reverse("indicators:indicator", args=["camhs-seen-12-weeks"])
    assert resolved.kind == "Indicator"
    assert "workload" in resolved.themes
    assert resolve(cast.board_member, "indicators.indicator:no-such-indicator") is None


def test_survey_results_resolve_for_staff(cast, survey):
    resolved = resolve(cast.auditor, f"surveys.survey:{survey.pk}")
    assert resolved is not None
    assert resolved.label == "Practitioner survey 2018-19"
    assert resolved.url == f"/surveys/{survey.pk}/results/"


def test_a_draft_return_is_seen_only_inside_its_organisation(cast, returns):
    draft, submitted = returns
    key = f"assessments.return:{draft.pk}"
    lead_sees = resolve(cast.agency_lead, key)
    assert lead_sees is not None
    assert lead_sees.url == f"/self-assessment/returns/{draft.pk}/"
    assert lead_sees.label == "Police Agency, Section 11 self-assessment 2018-19"
    for user in (cast.board_member, cast.paqa_member, cast.admin, cast.other_agency_lead):
        assert resolve(user, key) is None, user
    # Once submitted, the partnership sees it; a board member still does not read returns.
    submitted_key = f"assessments.return:{submitted.pk}"
    assert resolve(cast.paqa_member, submitted_key) is not None
    assert resolve(cast.other_agency_lead, submitted_key) is not None
    assert resolve(cast.board_member, submitted_key) is None


def test_one_standards_rating_resolves_through_its_return(cast, returns):
    draft, submitted = returns
    answer = submitted.answers.select_related("standard").get(standard__number=8)
    resolved = resolve(cast.paqa_member, f"assessments.answer:{answer.pk}")
    assert resolved is not None
    assert resolved.kind == "Self-assessment rating"
    assert resolved.url == f"/self-assessment/returns/{submitted.pk}/standards/8/"
    assert resolved.label.startswith("Health Agency, standard 8: ")
    hidden = draft.answers.get(standard__number=8)
    assert resolve(cast.paqa_member, f"assessments.answer:{hidden.pk}") is None
    assert resolve(cast.agency_lead, f"assessments.answer:{hidden.pk}") is not None


def test_a_voice_record_resolves_for_those_who_may_see_voice(cast):
    voice_services = pytest.importorskip("paqa.voice.services")
    from paqa.voice.models import VoiceRecord

    record = voice_services.voice_record_create(
        actor=cast.paqa_member,
        year="2018-19",
        source=VoiceRecord.Source.CASE_REVIEW,
        source_title="Serious case review: Child A",
        who=VoiceRecord.Who.CHILD,
        age_band="10-15",
        quote="Sometimes it felt like I was missing.",
        consent=VoiceRecord.Consent.GIVEN,
        themes=["voice-of-the-child"],
    )
    resolved = resolve(cast.board_member, f"voice.record:{record.pk}")
    assert resolved is not None
    assert resolved.url == f"/voice/{record.pk}/"
    assert "Sometimes it felt like I was missing." in resolved.label
    nobody = UserFactory(email="nobody@example.org")
    assert resolve(nobody, f"voice.record:{record.pk}") is None


def test_nothing_resolves_for_unknown_missing_or_malformed_keys(cast, finding):
    for key in (
        "audits.finding:999999",
        "audits.finding:abc",
        "unknown.kind:1",
        "surveys.survey:12345",
        "assessments.return:777",
        "not a key",
    ):
        assert resolve(cast.admin, key) is None, key
    # Someone with no role in the partnership sees nothing at all.
    nobody = UserFactory(email="nobody@example.org")
    assert resolve(nobody, f"audits.finding:{finding.pk}") is None


def test_the_person_linking_must_be_able_to_see_the_record(cast, make_escalation, returns):
    draft, _ = returns
    escalation = make_escalation()
    key = f"assessments.return:{draft.pk}"
    with pytest.raises(ValidationError) as error:
        services.evidence_link_add(escalation=escalation, key=key, actor=cast.paqa_member)
    assert error.value.message_dict["key"] == ["There is no record with that key that you can see"]
    with pytest.raises(ValidationError) as error:
        services.evidence_link_add(escalation=escalation, key="nonsense", actor=cast.paqa_member)
    assert error.value.message_dict["key"][0].startswith("Enter the evidence’s key")
    link = services.evidence_link_add(
        escalation=escalation, key=key, note="Their own rating", actor=cast.agency_lead
    )
    assert link.added_by == cast.agency_lead
    assert link.history.get().history_user == cast.agency_lead
    with pytest.raises(ValidationError, match="already linked"):
        services.evidence_link_add(escalation=escalation, key=key, actor=cast.agency_lead)
    services.evidence_link_remove(link=link, actor=cast.paqa_member)
    assert not escalation.evidence.exists()
    assert link.history.model.objects.filter(history_type="-").get().history_user == (
        cast.paqa_member
    )


def test_evidence_choices_offer_only_what_the_user_can_see(
    cast, finding, returns, survey, indicators
):
    draft, submitted = returns

    def keys(user):
        return {key for _, options in evidence_choices(user) for key, _ in options}

    paqa = keys(cast.paqa_member)
    assert f"audits.finding:{finding.pk}" in paqa
    assert f"surveys.survey:{survey.pk}" in paqa
    assert "indicators.indicator:camhs-seen-12-weeks" in paqa
    assert f"assessments.return:{submitted.pk}" in paqa
    assert f"assessments.return:{draft.pk}" not in paqa
    assert f"assessments.return:{draft.pk}" in keys(cast.agency_lead)
    groups = dict(evidence_choices(cast.paqa_member))
    assert groups["Audit findings: Strategy meetings, 2018-19"] == [
        (f"audits.finding:{finding.pk}", FINDING)
    ]
