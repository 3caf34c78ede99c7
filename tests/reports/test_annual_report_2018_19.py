"""The demonstration partnership's 2018-19 report, made the way a user makes it
(`paqa report 2018-19 --format pdf|docx`), carries the reference report's figures; published
versions stay as they were; user text stays text in every format."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse

from paqa.accounts.models import User
from paqa.indicators.models import Observation
from paqa.reports import selectors, services
from paqa.reports.models import Report
from paqa.reports.rendering import render
from paqa.reports.sections import GUIDES

pytestmark = pytest.mark.django_db

YEAR = "2018-19"
SITE = "http://paqa.example/"

FIGURES = [
    "1003",
    "96%",
    "97%",
    "605",
    "250",
    "70%",
    "44%",
    "690",
    "780",
    "13%",
    "34%",
    "75%",
    "566",
    "697",
    "143,400",
    "7%",
]
PHRASES = [
    "ten services within seven agencies",
    # the three audit themes
    "strategy meetings",
    "young people who engage in harmful behaviour",
    "safeguarding when interpreting",
    # the four escalations
    "Domestic abuse: pathways, MARAC, the child’s voice and Operation Encompass",
    "Safeguarding in education: performance measures in and out of school",
    "Working together: attendance at and contribution to case conferences",
    "Placements for children with complex mental health needs",
    # the five key messages
    "There is much to be proud of.",
    "We need to continue to focus on working well together.",
    "We need to Think Family.",
    "We need to listen to children.",
    "The workload is high.",
]
HOSTILE = '<script>alert("x")</script> {{ secret }} {% now "Y" %} =SUM(1)'


def _inflated(pdf: bytes) -> bytes:
    """The PDF followed by each of its Flate streams decompressed, each read by its /Length
    (a long binary stream can hold the bytes "endstream" by chance)."""
    parts = [pdf]
    for match in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf):
        body = pdf[match.end() : match.end() + int(match.group(1))]
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(body))
    return b"\n".join(parts)


def _pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed: .ci/run installs it"
    result = subprocess.run(  # noqa: S603 (a fixed program and our own file)
        [pdftotext, str(path), "-"], check=True, capture_output=True, text=True
    )
    return " ".join(result.stdout.split())


@pytest.fixture(scope="module")
def cli_files(demo, django_db_blocker, tmp_path_factory) -> dict[str, Path]:
    """The draft written by the command a user runs, once for the module."""
    folder = tmp_path_factory.mktemp("report")
    files = {}
    with django_db_blocker.unblock():
        for file_format in ("pdf", "docx"):
            files[file_format] = folder / f"report.{file_format}"
            call_command(
                "report",
                YEAR,
                "--format",
                file_format,
                "--output",
                str(files[file_format]),
                stdout=io.StringIO(),
            )
    return files


@pytest.fixture(scope="module")
def pdf_text(cli_files) -> str:
    return _pdf_text(cli_files["pdf"])


def _paqa() -> User:
    return User.objects.get(email="paqa@demo.example")


@pytest.mark.parametrize("figure", FIGURES)
def test_the_pdf_carries_each_figure_of_the_reference_report(pdf_text, figure):
    assert re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d])", pdf_text), figure


@pytest.mark.parametrize("phrase", PHRASES)
def test_the_pdf_carries_each_finding_of_the_reference_report(pdf_text, phrase):
    assert phrase in pdf_text


def test_the_pdf_is_tagged_titled_paged_and_has_contents(cli_files, pdf_text):
    data = cli_files["pdf"].read_bytes()
    assert data.startswith(b"%PDF")
    inflated = _inflated(data)
    assert b"/StructTreeRoot" in inflated  # tagged (PDF/UA-1)
    assert b"/Lang (en-GB)" in inflated
    assert b"/Title (OSCB PAQA annual report 2018-19)" in inflated
    assert "Page 1 of" in pdf_text
    contents = pdf_text.split("Contents", 1)[1][:2000]
    for guide in GUIDES:
        # each title in the contents, followed by its page number
        assert re.search(re.escape(guide.key.label) + r"[ .]*\d+", contents), guide.key


def test_the_word_file_has_headings_tables_and_pictures_with_alt_text(cli_files):
    document = docx.Document(str(cli_files["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-len(GUIDES) :] == [guide.key.label for guide in GUIDES]
    captions = [table._tbl.tblPr.xpath("./w:tblCaption/@w:val") for table in document.tables]
    assert len(document.tables) >= 10
    assert ["Multi-agency audits in 2018-19"] in captions
    pictures = document.element.body.xpath(".//wp:docPr")
    assert len(pictures) == 2  # the two charts the demo report draws
    for picture in pictures:
        assert len(picture.get("descr", "")) > 20
    text = "\n".join(p.text for p in document.paragraphs)
    assert "PAQA reviewed safeguarding audits from ten services within seven agencies." in text


def test_every_drafted_figure_links_to_its_evidence(demo):
    content = selectors.draft_content(user=_paqa(), report=Report.objects.get(year=YEAR))
    statements = [s for section in content.sections for s in section.statements] + [
        s for section in content.sections for g in section.groups for s in g.statements
    ]
    assert len(statements) > 50
    unlinked = [s.text for s in statements if not s.url.startswith("/")]
    assert unlinked == []
    data = content.section("data")
    assert any(
        s.url == reverse("indicators:indicator", args=["cla"]) and "690 last year to 780" in s.text
        for g in data.groups
        for s in g.statements
    )


def test_a_published_version_does_not_change_when_a_figure_is_corrected(demo, client_for):
    paqa = _paqa()
    report = Report.objects.get(year=YEAR)
    first = report.versions.get(number=1)  # published by the demo
    observation = Observation.objects.get(
        indicator__code="cla", area__code="E10000025", period="2019-03-31"
    )
    observation.value = 790
    observation.save()

    board = client_for(User.objects.get(email="board@demo.example"))
    page = board.get(reverse("reports:version", args=[YEAR, 1])).content.decode()
    assert "690 last year to 780 at the end of March 2019" in page
    again = render(selectors.version_content(version=first), "html", site_url=SITE).decode()
    assert "690 last year to 780" in again
    assert "to 790" not in again

    draft = selectors.draft_content(user=paqa, report=report)
    assert any(
        "690 last year to 790" in s.text for g in draft.section("data").groups for s in g.statements
    )
    second = services.report_publish(report=report, actor=paqa, note="CLA corrected")
    page = board.get(reverse("reports:version", args=[YEAR, second.number])).content.decode()
    assert "690 last year to 790 at the end of March 2019" in page
    first.refresh_from_db()
    assert "690 last year to 780" in str(first.content)


def test_user_text_is_literal_in_html_pdf_and_word(demo, tmp_path, client_for):
    paqa = _paqa()
    report = Report.objects.get(year=YEAR)
    section = report.sections.get(key="introduction")
    services.section_update(
        section=section, narrative=HOSTILE, impact="", revision=section.revision, actor=paqa
    )
    content = selectors.draft_content(user=paqa, report=report)

    page = client_for(paqa).get(reverse("reports:draft", args=[YEAR])).content.decode()
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; {{ secret }} "
        "{% now &quot;Y&quot; %} =SUM(1)" in page
    )
    assert '<script>alert("x")' not in page

    html = render(content, "html", site_url=SITE).decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html
    assert "{{ secret }}" in html

    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(render(content, "pdf", site_url=SITE))
    assert HOSTILE in _pdf_text(pdf)

    word = docx.Document(io.BytesIO(render(content, "docx", site_url=SITE)))
    assert HOSTILE in [p.text for p in word.paragraphs]


def test_drafting_reads_a_fixed_number_of_queries_however_many_records(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from paqa.escalations.models import Escalation
    from paqa.voice.models import VoiceRecord, YouSaidWeDid

    report = Report.objects.get(year=YEAR)
    with CaptureQueriesContext(connection) as before:
        selectors.draft_content(user=_paqa(), report=report)
    for number in range(3):
        escalation = Escalation.objects.filter(year=YEAR).first()
        escalation.pk = None
        escalation.title = f"Another matter {number}"
        escalation.save()
        record = VoiceRecord.objects.filter(year=YEAR).first()
        response = YouSaidWeDid.objects.filter(voice_record__year=YEAR).first()
        record.pk = None
        record.save()
        response.pk = None
        response.voice_record = record
        response.save()
    with CaptureQueriesContext(connection) as after:
        content = selectors.draft_content(user=_paqa(), report=report)
    assert len(content.section("escalations").entries) == 7
    assert len(after.captured_queries) == len(before.captured_queries)
