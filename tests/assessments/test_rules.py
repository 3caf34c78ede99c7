"""The rules of a return: ratings need evidence, Blue needs an example, sign-off before
submission, submitted returns are locked, last year's answers and open actions carry forward."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from paqa.actions.models import Action
from paqa.actions.services import action_create
from paqa.assessments.models import Return
from paqa.assessments.services import (
    answer_challenge,
    answer_save,
    cycle_create,
    return_accept,
    return_sign_off,
    return_submit,
)
from tests.assessments.conftest import answer_of, complete

pytestmark = pytest.mark.django_db


def _save(answer, user, **values):
    fields = {"rating": "", "evidence": "", "example": "", **values}
    return answer_save(answer=answer, actor=user, based_on_version=answer.version, **fields)


def test_blue_without_an_example_is_refused(cast, police_return):
    answer = answer_of(police_return, 1)
    with pytest.raises(ValidationError) as refused:
        _save(answer, cast.agency_lead, rating="blue", evidence="Board minutes")
    assert "Give a best-practice example to rate this standard Blue" in str(refused.value)
    answer.refresh_from_db()
    assert answer.rating == ""


def test_blue_with_an_example_is_saved(cast, police_return):
    answer = _save(
        answer_of(police_return, 1),
        cast.agency_lead,
        rating="blue",
        evidence="Board minutes",
        example="Our annual report",
    )
    assert (answer.rating, answer.version) == ("blue", 2)


def test_a_rating_without_evidence_cannot_be_signed_off(cast, police_return):
    complete(police_return)
    answer = answer_of(police_return, 5)
    answer.evidence = ""
    answer.save()
    with pytest.raises(ValidationError) as refused:
        return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    assert (
        "Standard 5: Describe the evidence for rating this standard Green" in refused.value.messages
    )
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.DRAFT


def test_submission_without_sign_off_is_refused(cast, police_return):
    complete(police_return)
    with pytest.raises(ValidationError, match="must sign off the return before it is submitted"):
        return_submit(assessment_return=police_return, actor=cast.agency_lead)
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.DRAFT


def test_only_the_organisations_agency_lead_signs_off(cast, police_return):
    complete(police_return)
    for someone in (cast.auditor, cast.other_agency_lead, cast.admin):
        with pytest.raises(ValidationError, match="Only an agency lead of Police Agency"):
            return_sign_off(assessment_return=police_return, actor=someone, role_title="Head")


def test_sign_off_then_submit_locks_the_return(cast, police_return):
    complete(police_return)
    return_sign_off(
        assessment_return=police_return, actor=cast.agency_lead, role_title="Head of safeguarding"
    )
    submitted = return_submit(assessment_return=police_return, actor=cast.agency_lead)
    assert submitted.status == Return.Status.SUBMITTED
    assert submitted.signed_off_by == cast.agency_lead
    assert submitted.signed_off_role == "Head of safeguarding"
    answer = answer_of(police_return, 2)
    with pytest.raises(ValidationError, match="has been submitted, so it cannot be changed"):
        _save(answer, cast.agency_lead, rating="amber", evidence="Changed my mind")
    answer.refresh_from_db()
    assert answer.rating == "green"


def test_a_change_after_sign_off_needs_signing_off_again(cast, police_return):
    complete(police_return)
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    _save(answer_of(police_return, 3), cast.agency_lead, rating="amber", evidence="New audit")
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.DRAFT
    assert police_return.signed_off_at is None


def test_challenge_moderation_and_acceptance(cast, police_return):
    complete(police_return)
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    answer = answer_challenge(
        answer=answer_of(police_return, 8),
        actor=cast.paqa_member,
        challenge="Case audits found late information sharing",
        moderated_rating="amber",
    )
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.CHALLENGED
    assert (answer.rating, answer.moderated_rating) == ("green", "amber")
    assert return_accept(assessment_return=police_return, actor=cast.paqa_member).status == (
        Return.Status.ACCEPTED
    )


def test_a_draft_cannot_be_challenged(cast, police_return):
    with pytest.raises(ValidationError, match="Only a submitted return can be challenged"):
        answer_challenge(
            answer=answer_of(police_return, 1),
            actor=cast.paqa_member,
            challenge="?",
            moderated_rating="red",
        )


def test_next_cycle_starts_from_last_years_answers_and_open_actions(cast, framework, police_return):
    complete(police_return)
    gap = answer_of(police_return, 5)
    gap.rating, gap.evidence = "amber", "Training records incomplete"
    gap.save()
    open_action = action_create(
        owner_organisation=cast.agency,
        title="Complete the training records",
        owner_name="Training lead",
        due_date=date.today() + timedelta(days=30),
        source_key=gap.action_source_key,
        source_label="2018-19 standard 5",
        actor=cast.agency_lead,
    )
    done_action = action_create(
        owner_organisation=cast.agency,
        title="Publish the policy",
        owner_name="Policy lead",
        due_date=date.today() + timedelta(days=30),
        source_key=gap.action_source_key,
        source_label="2018-19 standard 5",
        actor=cast.agency_lead,
    )
    done_action.status = Action.Status.DONE
    done_action.completion_evidence = "Published"
    done_action.save()

    next_cycle = cycle_create(
        framework=framework,
        year="2019-20",
        deadline=date(2020, 5, 31),
        organisations=[cast.agency],
        actor=cast.admin,
    )
    carried = next_cycle.returns.get(organisation=cast.agency)
    assert carried.carried_from == police_return
    assert carried.status == Return.Status.DRAFT
    new_gap = answer_of(carried, 5)
    assert (new_gap.rating, new_gap.evidence) == ("amber", "Training records incomplete")
    assert answer_of(carried, 1).evidence == "Evidence for standard 1"
    copies = Action.objects.filter(source_key=new_gap.action_source_key)
    assert [a.title for a in copies] == [open_action.title]


def test_a_cycle_year_can_be_opened_once(cast, framework, cycle):
    with pytest.raises(ValidationError, match="already a Section 11 self-assessment cycle"):
        cycle_create(
            framework=framework,
            year="2018-19",
            deadline=date(2019, 6, 1),
            organisations=[cast.agency],
            actor=cast.admin,
        )


def test_school_variant_is_chosen_by_type_of_organisation(cast, framework):
    from tests.factories import OrganisationFactory

    school = OrganisationFactory(partnership=cast.partnership, name="A School", kind="education")
    cycle = cycle_create(
        framework=framework,
        year="2020-21",
        deadline=date(2021, 5, 31),
        organisations=[school, cast.agency],
        actor=cast.admin,
    )
    assert cycle.returns.get(organisation=school).variant == "school"
    assert cycle.returns.get(organisation=cast.agency).variant == "statutory"
    assert framework.standards.count() == 8
    assert framework.standards.get(number=5).criteria.filter(variant="school").exists()
