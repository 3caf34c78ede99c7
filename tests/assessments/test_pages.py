"""Editing through the pages: conflicts, attachments, sign-off, summary outputs."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from paqa.assessments.models import Attachment, DraftConflict, Return
from paqa.assessments.services import answer_challenge, return_sign_off, return_submit
from tests.assessments.conftest import answer_of, complete
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _answer_url(assessment_return, number=1):
    return reverse("assessments:answer", args=[assessment_return.pk, number])


def test_two_stale_saves_give_one_conflict_and_both_texts_survive(cast, client_for, police_return):
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organisation=cast.agency, role="agency_lead").user
    url = _answer_url(police_return)
    version = answer_of(police_return, 1).version
    first = client_for(cast.agency_lead).post(
        url, {"version": version, "rating": "green", "evidence": "First person's evidence"}
    )
    assert first.status_code == 302
    second = client_for(colleague).post(
        url, {"version": version, "rating": "amber", "evidence": "Second person's evidence"}
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert "First person&#x27;s evidence" in page
    assert "Second person&#x27;s evidence" in page
    answer = answer_of(police_return, 1)
    assert (answer.rating, answer.evidence) == ("green", "First person's evidence")
    conflict = DraftConflict.objects.get()
    assert conflict.data["evidence"] == "Second person's evidence"
    assert conflict.author == colleague


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("policy.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_a_real_document_is_attached(cast, client_for, police_return):
    url = reverse("assessments:attachment-upload", args=[police_return.pk, 1])
    response = client_for(cast.agency_lead).post(url, {"file": _pdf()})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("policy.pdf", "application/pdf")
    download = client_for(cast.agency_lead).get(
        reverse("assessments:attachment", args=[attachment.pk])
    )
    assert download.status_code == 200
    assert (
        client_for(cast.other_agency_lead)
        .get(reverse("assessments:attachment", args=[attachment.pk]))
        .status_code
        == 404
    )


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(150):
                entry.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)),
            "smaller than 10 MB",
        ),
        (
            SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a pdf at all"),
            "is not a real PDF file",
        ),
        (SimpleUploadedFile("policy.docx", b"<html><body>hi</body></html>"), "is not a real"),
        (SimpleUploadedFile("evidence.docx", _bomb()), "too large when unpacked"),
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00"), "must be a PDF, Word"),
    ],
    ids=["oversized", "pdf-mismatch", "docx-mismatch", "archive-bomb", "wrong-type"],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    cast, client_for, police_return, upload, message
):
    url = reverse("assessments:attachment-upload", args=[police_return.pk, 1])
    response = client_for(cast.agency_lead).post(url, {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not Attachment.history.exists()


def test_sign_off_and_submit_through_the_pages(cast, client_for, police_return):
    complete(police_return)
    client = client_for(cast.agency_lead)
    response = client.post(
        reverse("assessments:sign-off", args=[police_return.pk]),
        {"role_title": "Detective Superintendent", "confirm": "on"},
    )
    assert response.status_code == 302
    check = client.get(reverse("assessments:check", args=[police_return.pk]))
    token = re.search(r'name="check_token" value="([^"]+)"', check.content.decode())
    assert token
    submitted = client.post(
        reverse("assessments:submit", args=[police_return.pk]), {"check_token": token.group(1)}
    )
    assert submitted["Location"] == reverse("assessments:submitted", args=[police_return.pk])
    police_return.refresh_from_db()
    assert police_return.status == Return.Status.SUBMITTED
    pdf = client.get(reverse("assessments:pdf", args=[police_return.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")


def test_pdf_is_not_offered_for_a_draft(cast, client_for, police_return):
    assert (
        client_for(cast.agency_lead)
        .get(reverse("assessments:pdf", args=[police_return.pk]))
        .status_code
        == 404
    )


def test_sign_off_page_lists_what_is_missing(cast, client_for, police_return):
    complete(police_return)
    answer = answer_of(police_return, 4)
    answer.evidence = ""
    answer.save()
    response = client_for(cast.agency_lead).post(
        reverse("assessments:sign-off", args=[police_return.pk]),
        {"role_title": "Head", "confirm": "on"},
    )
    page = response.content.decode()
    assert "Standard 4: Describe the evidence for rating this standard Green" in page
    assert "There is a problem" in page


def test_heat_map_sentences_and_export(cast, client_for, police_return, health_return):
    for assessment_return, rating in ((police_return, "green"), (health_return, "green")):
        complete(assessment_return, rating)
        return_sign_off(
            assessment_return=assessment_return,
            actor=(
                cast.agency_lead if assessment_return == police_return else cast.other_agency_lead
            ),
            role_title="Head",
        )
        return_submit(assessment_return=assessment_return, actor=cast.agency_lead)
    answer_challenge(
        answer=answer_of(police_return, 8),
        actor=cast.paqa_member,
        challenge="Late sharing found in audits",
        moderated_rating="amber",
    )
    page = client_for(cast.board_member).get(
        reverse("assessments:cycle", args=[police_return.cycle_id])
    )
    html = page.content.decode()
    assert "2 of 2 organisations returned their section 11 self-assessment for 2018-19" in html
    assert "1 of 2 rated every standard Blue or Green." in html
    assert (
        "Peer challenge changed 1 rating (Information sharing for Police Agency, Green to Amber)."
        in html
    )
    assert "The most common gaps were in information sharing (1 organisation)." in html
    assert "Self: </span>" in html
    export = (
        client_for(cast.board_member)
        .get(reverse("assessments:cycle", args=[police_return.cycle_id]), {"format": "csv"})
        .content.decode()
        .splitlines()
    )
    assert export[0].startswith("Organisation,1. Senior management commitment (self),1 (moderated)")
    assert export[2].endswith(",Green,Amber")


def test_reminders_go_to_organisations_that_have_not_returned(
    cast, client_for, police_return, health_return, django_capture_on_commit_callbacks, mailoutbox
):
    complete(police_return)
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.admin).post(reverse("assessments:reminders", args=[police_return.cycle_id]))
    assert [message.to for message in mailoutbox] == [[cast.other_agency_lead.email]]
    assert health_return.reminders.count() == 1
    assert police_return.reminders.count() == 0


def test_deadline_extension(cast, client_for, health_return):
    response = client_for(cast.admin).post(
        reverse("assessments:extend", args=[health_return.pk]),
        {"deadline_0": "30", "deadline_1": "6", "deadline_2": "2019"},
    )
    assert response.status_code == 302
    health_return.refresh_from_db()
    assert str(health_return.deadline) == "2019-06-30"


def test_year_on_year(cast, client_for, framework, police_return):
    from datetime import date

    from paqa.assessments.services import cycle_create

    complete(police_return, "amber")
    return_sign_off(assessment_return=police_return, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=police_return, actor=cast.agency_lead)
    later = cycle_create(
        framework=framework,
        year="2019-20",
        deadline=date(2020, 5, 31),
        organisations=[cast.agency],
        actor=cast.admin,
    )
    carried = later.returns.get()
    complete(carried, "green")
    return_sign_off(assessment_return=carried, actor=cast.agency_lead, role_title="Head")
    return_submit(assessment_return=carried, actor=cast.agency_lead)
    page = client_for(cast.paqa_member).get(reverse("assessments:year-on-year", args=[later.pk]))
    changes = page.context["changes"]
    assert len(changes) == 8
    assert {change.change for change in changes} == {"Improved"}


def test_cycle_page_queries_do_not_grow_with_organisations(
    cast, client_for, framework, django_assert_max_num_queries
):
    from datetime import date

    from paqa.assessments.services import cycle_create
    from tests.factories import MembershipFactory, OrganisationFactory

    def submitted_cycle(year: str, count: int):
        organisations = [OrganisationFactory(partnership=cast.partnership) for _ in range(count)]
        cycle = cycle_create(
            framework=framework,
            year=year,
            deadline=date(2030, 5, 31),
            organisations=organisations,
            actor=cast.admin,
        )
        for assessment_return in cycle.returns.all():
            lead = MembershipFactory(
                organisation=assessment_return.organisation, role="agency_lead"
            ).user
            complete(assessment_return)
            return_sign_off(assessment_return=assessment_return, actor=lead, role_title="Head")
            return_submit(assessment_return=assessment_return, actor=lead)
        return cycle

    client = client_for(cast.admin)
    small = submitted_cycle("2020-21", 2)
    client.get(reverse("assessments:cycle", args=[small.pk]))
    with django_assert_max_num_queries(40) as counted:
        client.get(reverse("assessments:cycle", args=[small.pk]))
    baseline = len(counted)
    large = submitted_cycle("2021-22", 8)
    with django_assert_max_num_queries(baseline):
        client.get(reverse("assessments:cycle", args=[large.pk]))


def test_the_cycle_page_links_only_to_returns_the_reader_may_open(
    cast, client_for, police_return, health_return
):
    for assessment_return, lead in ((police_return, cast.agency_lead), (health_return, None)):
        complete(assessment_return)
        signer = (
            lead
            or MembershipFactory(
                organisation=assessment_return.organisation, role="agency_lead"
            ).user
        )
        return_sign_off(assessment_return=assessment_return, actor=signer, role_title="Head")
        return_submit(assessment_return=assessment_return, actor=signer)
    page = reverse("assessments:cycle", args=[police_return.cycle_id])
    own = reverse("assessments:return", args=[police_return.pk])
    other = reverse("assessments:return", args=[health_return.pk])

    as_lead = client_for(cast.agency_lead).get(page).content.decode()
    assert f'href="{own}"' in as_lead
    assert f'href="{other}"' not in as_lead
    assert health_return.organisation.name in as_lead  # still in the heat map, unlinked
    assert client_for(cast.agency_lead).get(other).status_code == 404

    as_paqa = client_for(cast.paqa_member).get(page).content.decode()
    assert f'href="{own}"' in as_paqa
    assert f'href="{other}"' in as_paqa
