"""Multi-agency case audits: privacy of sections, identifiers refused, selection, unsafe flags,
actions from findings, history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from paqa.actions.models import Action
from paqa.actions.services import action_complete, action_progress
from paqa.audits.models import Case, CaseSection, UnsafeFlag
from paqa.audits.services import (
    case_add,
    cases_select,
    finding_action,
    finding_add,
    section_assign,
    section_save,
    section_submit,
    unsafe_flag_raise,
    unsafe_flag_resolve,
)
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _section(case, organisation) -> CaseSection:
    return case.sections.get(organisation=organisation)


def _url(section) -> str:
    return reverse("audits:section", args=[section.pk])


# Who sees and edits which section ---------------------------------------------------------------


def test_a_draft_section_is_invisible_to_other_organisations(cast, client_for, case):
    health_draft = _section(case, cast.other_agency)
    for user in (cast.agency_lead, cast.auditor, cast.paqa_member, cast.admin, cast.board_member):
        assert client_for(user).get(_url(health_draft)).status_code == 404, user


def test_a_submitted_section_is_seen_by_the_partnership_lead(cast, client_for, case):
    section = _section(case, cast.agency)
    section = section_save(
        section=section,
        actor=cast.agency_lead,
        answers={},
        summary="Done well",
        based_on_version=section.version,
    )
    section_submit(section=section, actor=cast.agency_lead)
    assert client_for(cast.paqa_member).get(_url(section)).status_code == 200
    assert client_for(cast.other_agency_lead).get(_url(section)).status_code == 200


def test_an_auditor_edits_only_sections_assigned_to_them(cast, client_for, audit, case):
    other_case = case_add(audit=audit, actor=cast.paqa_member, age_band="10-15")
    assigned = _section(case, cast.agency)
    unassigned = _section(other_case, cast.agency)
    section_assign(section=assigned, auditors=[cast.auditor], actor=cast.agency_lead)
    client = client_for(cast.auditor)
    data = {"version": 1, "summary": "Checked the records"}
    assert client.post(_url(assigned), data).status_code == 302
    assert client.post(_url(unassigned), data).status_code == 403
    assigned.refresh_from_db()
    unassigned.refresh_from_db()
    assert assigned.summary == "Checked the records"
    assert unassigned.summary == ""


def test_only_the_organisations_auditors_can_be_assigned(cast, case):
    with pytest.raises(ValidationError, match="Only auditors of Police Agency"):
        section_assign(
            section=_section(case, cast.agency),
            auditors=[cast.other_agency_lead],
            actor=cast.agency_lead,
        )


def test_a_submitted_section_cannot_be_changed(cast, case):
    section = _section(case, cast.agency)
    section = section_save(
        section=section,
        actor=cast.agency_lead,
        answers={},
        summary="x",
        based_on_version=section.version,
    )
    section_submit(section=section, actor=cast.agency_lead)
    with pytest.raises(ValidationError, match="has been submitted"):
        section_save(
            section=section,
            actor=cast.agency_lead,
            answers={},
            summary="y",
            based_on_version=section.version,
        )


def test_board_members_cannot_set_up_or_change_audits(cast, client_for, audit):
    client = client_for(cast.board_member)
    assert client.get(reverse("audits:audit", args=[audit.pk])).status_code == 200
    assert client.get(reverse("audits:audit-create")).status_code == 403
    assert (
        client.post(reverse("audits:case-add", args=[audit.pk]), {"age_band": "5-9"}).status_code
        == 403
    )
    assert not audit.cases.exists()


# Identifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("legal_status", "DOB 12/03/2010", "a date of birth"),
        ("ethnicity", "born 3 March 2010", "a date of birth"),
        ("disability", "NHS 943 476 5919", "an NHS number"),
        ("sex", "A12345678901B", "a Unique Pupil Number (UPN)"),
    ],
)
def test_identifiers_in_case_fields_are_refused(cast, audit, field, value, kind):
    with pytest.raises(ValidationError) as refused:
        case_add(audit=audit, actor=cast.paqa_member, **{field: value})
    assert f"looks like it contains {kind}" in str(refused.value)
    assert not Case.objects.exists()


def test_identifiers_are_refused_on_the_page_with_a_clear_message(cast, client_for, audit):
    response = client_for(cast.paqa_member).post(
        reverse("audits:case-add", args=[audit.pk]),
        {"age_band": "5-9", "legal_status": "DOB 1/2/2012"},
    )
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Legal status looks like it contains a date of birth" in page


def test_identifiers_in_section_answers_are_refused(cast, case):
    section = _section(case, cast.agency)
    with pytest.raises(ValidationError, match="looks like it contains an NHS number"):
        section_save(
            section=section,
            actor=cast.agency_lead,
            answers={},
            summary="NHS no 9434765919",
            based_on_version=section.version,
        )


def test_ordinary_text_is_not_mistaken_for_an_identifier(cast, audit):
    case = case_add(
        audit=audit,
        actor=cast.paqa_member,
        age_band="10-15",
        legal_status="Section 20, looked after",
        ethnicity="White British",
    )
    assert case.reference.startswith("SM-2019-")


# Random selection -------------------------------------------------------------------------


REFERENCES = [f"LCS{n:05d}" for n in range(1, 21)]


def test_selection_is_reproducible_with_a_seed(db):
    first = cases_select(references=REFERENCES, count=5, seed="2019")
    again = cases_select(references=list(reversed(REFERENCES)), count=5, seed="2019")
    other = cases_select(references=REFERENCES, count=5, seed="another")
    assert first.chosen == again.chosen
    assert len(set(first.chosen)) == 5
    assert first.chosen != other.chosen


def test_selection_skips_cases_audited_in_the_last_12_months(cast, audit):
    case_add(audit=audit, actor=cast.paqa_member, source_reference="LCS00003")
    old = case_add(audit=audit, actor=cast.paqa_member, source_reference="LCS00004")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    selection = cases_select(references=REFERENCES, count=20, seed="x")
    assert selection.skipped_recent == ["LCS00003"]
    assert "LCS00003" not in selection.chosen
    assert "LCS00004" in selection.chosen
    assert len(selection.chosen) == 19


def test_the_outside_reference_is_never_stored(cast, audit):
    case = case_add(audit=audit, actor=cast.paqa_member, source_reference="LCS00007")
    stored = Case.objects.filter(pk=case.pk).values().get()
    assert "LCS00007" not in str(stored)


# Unsafe cases ----------------------------------------------------------------------------


def test_an_unsafe_flag_notifies_the_leads_at_once_and_is_logged(
    cast, case, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flag = unsafe_flag_raise(case=case, actor=cast.auditor, reason="No plan while risk is high")
    recipients = set(mailoutbox[0].to)
    assert recipients == {cast.paqa_member.email, cast.agency_lead.email}
    assert case.reference in mailoutbox[0].subject
    assert flag.notified == ", ".join(sorted(recipients))
    assert UnsafeFlag.history.filter(id=flag.pk).count() == 1


def test_an_unsafe_flag_cannot_be_cleared_silently(cast, case):
    flag = unsafe_flag_raise(case=case, actor=cast.auditor, reason="No plan")
    with pytest.raises(ValidationError, match="Record what was done"):
        unsafe_flag_resolve(flag=flag, actor=cast.paqa_member, resolution="  ")
    unsafe_flag_resolve(flag=flag, actor=cast.paqa_member, resolution="Strategy meeting held")
    flag.refresh_from_db()
    assert flag.resolved_by == cast.paqa_member
    assert list(flag.history.values_list("history_type", flat=True).order_by("history_id")) == [
        "+",
        "~",
    ]
    assert UnsafeFlag.objects.filter(pk=flag.pk).exists()


# Findings become actions; history ------------------------------------------------------------


def test_a_finding_becomes_a_tracked_action(cast, audit, case):
    finding = finding_add(
        audit=audit,
        kind="development",
        text="Chronologies were missing",
        themes=["multi-agency-chronologies"],
        cases=[case],
        actor=cast.paqa_member,
    )
    action = finding_action(
        finding=finding,
        owner_organisation=cast.agency,
        title="Introduce chronologies",
        owner_name="Head of PVP",
        due_date=date.today() - timedelta(days=1),
        actor=cast.paqa_member,
    )
    assert action.source_key == f"audits.finding:{finding.pk}"
    assert action.is_overdue
    action_progress(
        action=action, actor=cast.agency_lead, text="Template drafted", status="in_progress"
    )
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    with pytest.raises(ValidationError, match="Describe the evidence"):
        action_complete(action=action, actor=cast.agency_lead, evidence="")
    action_complete(
        action=action, actor=cast.agency_lead, evidence="Chronologies in use since June"
    )
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert not action.is_overdue
    statuses = list(action.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[0] == "not_started"
    assert statuses[-1] == "done"


def test_every_change_to_an_audit_is_in_its_history(cast, audit, case):
    audit.title = "Strategy meetings (revised)"
    audit._history_user = cast.admin
    audit.save()
    latest = audit.history.latest()
    assert latest.history_user == cast.admin
    assert latest.title == "Strategy meetings (revised)"
    # Created, then its organisations set (kept with the history), then changed.
    assert list(audit.history.order_by("history_id").values_list("history_type", flat=True)) == [
        "+",
        "~",
        "~",
    ]
    assert case.history.first().history_user == cast.paqa_member


def test_audit_page_shows_grades_chart_and_findings(cast, client_for, audit, case):
    from paqa.audits.models import Domain
    from paqa.audits.services import audit_advance, grade_record

    audit_advance(audit=audit, actor=cast.paqa_member)
    audit_advance(audit=audit, actor=cast.paqa_member, reason="Sections came late")
    grade_record(
        case=case,
        domain=Domain.objects.get(tool=audit.tool, code="overall"),
        grade="good",
        actor=cast.paqa_member,
    )
    finding_add(audit=audit, kind="strength", text="Meetings were prompt", actor=cast.paqa_member)
    page = (
        client_for(cast.board_member).get(reverse("audits:audit", args=[audit.pk])).content.decode()
    )
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Overall grades" in page
    assert "Meetings were prompt" in page


def test_learning_brief_downloads_as_pdf_and_word(cast, client_for, audit):
    finding_add(audit=audit, kind="strength", text="Meetings were prompt", actor=cast.paqa_member)
    client = client_for(cast.board_member)
    pdf = client.get(reverse("audits:brief-pdf", args=[audit.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    word = client.get(reverse("audits:brief-docx", args=[audit.pk]))
    assert word.content.startswith(b"PK")
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "Meetings were prompt" in text
    assert "What will change" in text


def test_year_sentences_and_cross_cutting_themes(cast, client_for, tool, audit):
    from paqa.audits.services import audit_create

    second = audit_create(
        title="Harmful behaviour",
        theme="young people who engage in harmful behaviour",
        year="2019-20",
        terms_of_reference="x",
        key_lines_of_enquiry="y",
        period_start=date(2019, 4, 1),
        period_end=date(2020, 3, 31),
        tool=tool,
        lead=cast.paqa_member,
        organisations=[cast.agency],
        themes=[],
        actor=cast.paqa_member,
    )
    for each in (audit, second):
        finding_add(
            audit=each,
            kind="development",
            text=f"Sharing was late in {each.title}",
            themes=["information-sharing"],
            actor=cast.paqa_member,
        )
    page = (
        client_for(cast.board_member)
        .get(reverse("audits:themes", args=["2019-20"]))
        .content.decode()
    )
    assert (
        "Two multi-agency audits covered strategy meetings and young people who engage in "
        "harmful behaviour." in page
    )
    assert "Cross-cutting themes across the audits were information sharing." in page


def test_membership_of_an_auditor_matters(cast, case):
    newcomer = MembershipFactory(organisation=cast.agency, role="auditor").user
    section_assign(section=_section(case, cast.agency), auditors=[newcomer], actor=cast.agency_lead)
    assert list(_section(case, cast.agency).auditors.all()) == [newcomer]
