"""The annual report's pages and services, with the test cast (no demo data): who may see
drafts and versions, saving words, conflicts, publishing and exports."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from paqa.reports import services
from paqa.reports.models import Report, ReportExport, ReportSection, ReportVersion
from paqa.reports.sections import GUIDES

pytestmark = pytest.mark.django_db

YEAR = "2018-19"


@pytest.fixture
def report(cast) -> Report:
    return services.report_create(year=YEAR, actor=cast.paqa_member)


def _write_every_impact(report: Report, actor) -> None:
    for section in report.sections.all():
        services.section_update(
            section=section,
            narrative=f"Words for {section.key}.",
            impact=f"What changed for children ({section.key}).",
            revision=section.revision,
            actor=actor,
        )


def test_starting_a_report_makes_every_section_in_the_reference_order(cast, report):
    keys = list(report.sections.order_by("pk").values_list("key", flat=True))
    assert keys == [guide.key.value for guide in GUIDES]
    assert report.title.endswith("PAQA annual report 2018-19")


@pytest.mark.parametrize("year", ["2018", "18-19", "2018-20", ""])
def test_a_report_year_must_be_a_reporting_year(cast, year):
    with pytest.raises(ValidationError) as raised:
        services.report_create(year=year, actor=cast.paqa_member)
    assert "year" in raised.value.message_dict


def test_a_second_report_for_the_same_year_is_refused_on_the_page(cast, report, client_for):
    response = client_for(cast.paqa_member).post(reverse("reports:home"), {"year": YEAR})
    assert response.status_code == 200
    assert "There is already a report for 2018-19" in response.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize("role", ["board_member", "agency_lead", "auditor", "analyst"])
def test_only_drafters_may_start_a_report(cast, role, client_for):
    user = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        services.report_create(year=YEAR, actor=user)
    response = client_for(user).post(reverse("reports:home"), {"year": YEAR})
    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ["board_member", "agency_lead", "auditor", "analyst"])
def test_drafts_are_not_found_by_anyone_outside_paqa(cast, report, role, client_for):
    client = client_for(getattr(cast, role))
    for url in (
        reverse("reports:draft", args=[YEAR]),
        reverse("reports:section", args=[YEAR, "introduction"]),
        reverse("reports:charts", args=[YEAR]),
        reverse("reports:publish", args=[YEAR]),
        reverse("reports:report", args=[YEAR]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("reports:export-start", args=[YEAR]), {"format": "pdf"})
    assert response.status_code == 404
    home = client.get(reverse("reports:home")).content.decode()
    assert report.title not in home  # not even that a draft exists


def test_a_board_member_reads_a_published_version(cast, report, client_for):
    _write_every_impact(report, cast.paqa_member)
    services.report_publish(report=report, actor=cast.paqa_member)
    client = client_for(cast.board_member)
    assert client.get(reverse("reports:report", args=[YEAR])).url == reverse(
        "reports:version", args=[YEAR, 1]
    )
    page = client.get(reverse("reports:version", args=[YEAR, 1]))
    assert page.status_code == 200
    assert "Version 1" in page.content.decode()
    assert "Change the words" not in page.content.decode()
    assert client.get(reverse("reports:version", args=[YEAR, 2])).status_code == 404


def test_saving_words_keeps_their_history(cast, report, client_for):
    section = report.sections.get(key="audits")
    response = client_for(cast.paqa_member).post(
        reverse("reports:section", args=[YEAR, "audits"]),
        {"narrative": "Audits found much.", "impact": "Children were seen.", "revision": "1"},
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.narrative, section.impact, section.revision) == (
        "Audits found much.",
        "Children were seen.",
        2,
    )
    latest = section.history.latest()
    assert latest.history_user == cast.paqa_member
    assert latest.prev_record.narrative == ""


def test_a_save_from_an_older_copy_is_refused_and_shows_both(cast, report, client_for):
    section = report.sections.get(key="data")
    services.section_update(
        section=section, narrative="Theirs.", impact="", revision=1, actor=cast.admin
    )
    response = client_for(cast.paqa_member).post(
        reverse("reports:section", args=[YEAR, "data"]),
        {"narrative": "Mine.", "impact": "", "revision": "1"},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Theirs." in text
    assert "Mine." in text
    section.refresh_from_db()
    assert section.narrative == "Theirs."


def test_sections_without_impact_stop_publishing_and_are_named(cast, report, client_for):
    response = client_for(cast.paqa_member).post(reverse("reports:publish", args=[YEAR]), {})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    for guide in GUIDES:
        named = f"Write the impact on children and families for ‘{guide.key.label}’"
        assert (escape(named) in text) == guide.asks_for_impact, guide.key
    assert not ReportVersion.objects.exists()


def test_publishing_numbers_versions_and_never_changes_an_earlier_one(cast, report):
    _write_every_impact(report, cast.paqa_member)
    first = services.report_publish(report=report, actor=cast.paqa_member)
    frozen = dict(first.content)
    section = report.sections.get(key="introduction")
    services.section_update(
        section=section,
        narrative="Rewritten.",
        impact="",
        revision=section.revision,
        actor=cast.paqa_member,
    )
    second = services.report_publish(report=report, actor=cast.paqa_member, note="New intro")
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.content == frozen
    intro = next(s for s in second.content["sections"] if s["key"] == "introduction")
    assert intro["narrative"] == "Rewritten."
    assert second.content["version"] == 2
    assert second.note == "New intro"


def test_an_export_is_made_in_the_background_and_downloaded(
    cast, report, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.paqa_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export-start", args=[YEAR]), {"format": "html"})
    export = ReportExport.objects.get()
    assert response.url == reverse("reports:export", args=[YEAR, export.pk])
    assert export.status == ReportExport.Status.DONE  # tasks run inline in tests
    assert export.progress == 100
    page = client.get(response.url).content.decode()
    assert "is ready" in page
    download = client.get(reverse("reports:export-download", args=[YEAR, export.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"Quality assurance audits on working together" in download.content


def test_an_export_in_progress_shows_its_step_and_refreshes(cast, report, client_for):
    export = ReportExport.objects.create(
        report=report, format="pdf", status="running", progress=40, step="Laying out the pages"
    )
    page = client_for(cast.paqa_member).get(reverse("reports:export", args=[YEAR, export.pk]))
    text = page.content.decode()
    assert "40% done: Laying out the pages" in text
    assert "data-paqa-refresh-seconds" in text
    download = client_for(cast.paqa_member).get(
        reverse("reports:export-download", args=[YEAR, export.pk])
    )
    assert download.status_code == 404


def test_a_failed_export_says_so_and_writes_no_file(
    cast, report, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr("paqa.reports.services.render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(
            report=report, version=None, file_format="pdf", actor=cast.paqa_member, site_url="/"
        )
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert export.data is None
    assert "could not be made" in export.error


def test_readers_may_export_a_published_version_but_not_the_draft(
    cast, report, client_for, django_capture_on_commit_callbacks
):
    _write_every_impact(report, cast.paqa_member)
    services.report_publish(report=report, actor=cast.paqa_member)
    client = client_for(cast.board_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:export-start", args=[YEAR]), {"format": "html", "version": "1"}
        )
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert export.version.number == 1
    assert client.get(reverse("reports:export-download", args=[YEAR, export.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        draft_export = services.export_request(
            report=report, version=None, file_format="html", actor=cast.paqa_member, site_url="/"
        )
    assert (
        client.get(reverse("reports:export-download", args=[YEAR, draft_export.pk])).status_code
        == 404
    )


def test_words_for_impact_are_not_kept_where_a_section_does_not_ask(cast, report):
    section = report.sections.get(key="introduction")
    saved = services.section_update(
        section=section, narrative="Intro.", impact="Ignored.", revision=1, actor=cast.admin
    )
    assert saved.impact == ""
    assert ReportSection.objects.get(pk=section.pk).narrative == "Intro."


def test_asking_again_while_a_file_is_being_made_gives_the_same_export(cast, report):
    running = ReportExport.objects.create(
        report=report, format="pdf", status="running", requested_by=cast.paqa_member
    )
    again = services.export_request(
        report=report, version=None, file_format="pdf", actor=cast.paqa_member, site_url="/"
    )
    assert again == running
    other_format = services.export_request(
        report=report, version=None, file_format="docx", actor=cast.paqa_member, site_url="/"
    )
    assert other_format != running
    assert ReportExport.objects.count() == 2


def test_an_export_stopped_by_a_restart_says_so_and_a_new_one_may_start(cast, report, client_for):
    from datetime import timedelta

    from django.utils import timezone

    stalled = ReportExport.objects.create(
        report=report, format="pdf", status="running", progress=55, requested_by=cast.paqa_member
    )
    ReportExport.objects.filter(pk=stalled.pk).update(
        updated_at=timezone.now() - timedelta(minutes=11)
    )
    page = client_for(cast.paqa_member).get(reverse("reports:export", args=[YEAR, stalled.pk]))
    text = page.content.decode()
    assert "The file was not finished" in text
    assert "data-paqa-refresh-seconds" not in text
    fresh = services.export_request(
        report=report, version=None, file_format="pdf", actor=cast.paqa_member, site_url="/"
    )
    assert fresh != stalled
