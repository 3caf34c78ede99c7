"""One corpus of hostile files, sent to every place the site accepts a file.

The places are found, not listed from memory: test_every_file_upload_is_in_this_corpus fails
when a form, model or view starts taking files and this module does not send it the corpus.
Each file is sent as a browser would (multipart, with the file name exactly as given, path and
all), and each refusal must name the problem and leave nothing behind: no new row and nothing
written to file storage.
"""

import io
import itertools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from paqa.assessments.models import Attachment
from paqa.core.uploads import MAX_UPLOAD_BYTES
from paqa.indicators.forms import MAX_UPLOAD_BYTES as MAX_IMPORT_BYTES
from paqa.indicators.models import ObservationImport
from paqa.partnership.api_tokens import api_token_create
from paqa.returns.models import ReturnChild, StatutoryReturn
from paqa.surveys.models import Survey
from paqa.surveys.share_views import MAX_IMPORT_BYTES as MAX_SURVEY_BYTES
from tests.assessments import conftest as assessment_fixtures

pytestmark = pytest.mark.django_db

framework = assessment_fixtures.framework
cycle = assessment_fixtures.cycle
police_return = assessment_fixtures.police_return

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64) + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
CSV = b"indicator,area,period,value\ncla,E10000025,2019-03-31,780\n"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Nine lists, each of nine of the one before: 9**9 (387 million) values from under 400 bytes
# ("billion laughs"); and a program, which PyYAML's unsafe loader would run.
YAML_ALIASES = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n".encode() for a, b in itertools.pairwise("abcdefghi")
)
YAML_PROGRAM = b"series: !!python/object/apply:os.system [echo owned]\n"
A_SURVEY = """\
series: corpus-check
year: 2026-27
title: Corpus check
kind: anonymous
opens_on: 2026-05-01
closes_on: 2026-05-31
pages:
  - title: About you
    questions:
      - code: works-with-children
        kind: yes_no
        text: Do you work with children?
"""


def _bomb(*, kind: str, megabytes: int = 150) -> bytes:
    """A real-looking Office file (under 1 MB) whose main part unpacks to `megabytes` of zeros:
    the part a reader loads first (Excel's shared strings, Word's document)."""
    part = {"xlsx": "xl/sharedStrings.xml", "docx": "word/document.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml" if kind == "xlsx" else "word/styles.xml", "<x/>")
        with archive.open(part, "w", force_zip64=True) as entry:
            zeros = bytes(MB)
            for _ in range(megabytes):
                entry.write(zeros)
    return buffer.getvalue()


@dataclass(frozen=True)
class Hostile:
    """One file of the corpus, and what it is meant to be refused for."""

    key: str
    name: str
    content: bytes


@pytest.fixture(scope="module")
def corpus() -> dict[str, Hostile]:
    files = [
        Hostile("oversize-pdf", "minutes.pdf", b"%PDF-1.4\n" + b"0" * MAX_UPLOAD_BYTES),
        Hostile("oversize-csv", "figures.csv", CSV + b"0" * MAX_IMPORT_BYTES),
        Hostile("exe-as-pdf", "policy.pdf", EXE),
        Hostile("exe-as-xlsx", "figures.xlsx", EXE),
        Hostile("exe-as-csv", "figures.csv", EXE),
        Hostile("zip-bomb-as-xlsx", "figures.xlsx", _bomb(kind="xlsx")),
        Hostile("zip-bomb-as-docx", "policy.docx", _bomb(kind="docx")),
        Hostile("empty", "figures.csv", b""),
        Hostile("program", "setup.exe", EXE),
        Hostile("web-page", "evidence.html", HTML),
        Hostile("svg-with-script", "chart.svg", SVG),
        Hostile("double-extension", "figures.csv.exe", EXE),
        # Named as a survey file (YAML), which the survey import reads as text
        Hostile("oversize-yaml", "survey.yaml", b"# x\n" * (MAX_SURVEY_BYTES // 4 + 1)),
        Hostile("exe-as-yaml", "survey.yaml", EXE),
        Hostile("zip-bomb-as-yaml", "survey.yaml", _bomb(kind="xlsx", megabytes=100)),
        Hostile("web-page-as-yaml", "survey.yml", HTML),
        Hostile("svg-as-yaml", "chart.yaml", SVG),
        Hostile("yaml-alias-bomb", "survey.yaml", YAML_ALIASES),
        Hostile("yaml-program", "survey.yaml", YAML_PROGRAM),
    ]
    return {file.key: file for file in files}


# --- Sending and looking ---------------------------------------------------------------------


def _multipart(file: Hostile, field: str = "file") -> tuple[bytes, str]:
    """A multipart body with the file name exactly as given (Django's test client would strip a
    path before sending, so this builds the body as a browser or a script can)."""
    boundary = "----PaqaUploadCorpusBoundary7MA4YWxkTrZu0gW"
    quoted = file.name.replace("\\", "\\\\").replace('"', '\\"')
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{quoted}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    body = head.encode() + file.content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _stored_files(folder: str = "") -> set[str]:
    """Every file in the default storage (in memory for the tests), with its path."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return set()
    found = {f"{folder}/{name}" if folder else name for name in files}
    for child in folders:
        found |= _stored_files(f"{folder}/{child}" if folder else child)
    return found


def _row_counts(*models: type[Model]) -> dict[str, int]:
    counts = {}
    for model in models:
        counts[model.__name__] = model.objects.count()
        if hasattr(model, "history"):
            counts[f"{model.__name__} history"] = model.history.count()
    return counts


# --- The places that take files --------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One place that takes a file, and what each file of the corpus must get from it."""

    key: str
    model: type[Model]
    upload_to: str
    refusals: dict[str, str]  # corpus key -> words the refusal must contain
    known_gaps: dict[str, str]  # corpus key -> why it is still accepted (xfail, strict)


NOT_AN_ATTACHMENT = "The selected file must be a PDF, Word, Excel"
ATTACHMENTS = Endpoint(
    key="self-assessment attachment",
    model=Attachment,
    upload_to="assessments/attachments/",
    refusals={
        "oversize-pdf": "The selected file must be smaller than 10 MB",
        "oversize-csv": "The selected file must be smaller than 10 MB",
        "exe-as-pdf": "The selected file is not a real PDF file",
        "exe-as-xlsx": "The selected file is not a real Excel file",
        "exe-as-csv": "The selected file is not a real CSV file",
        "zip-bomb-as-xlsx": "The selected file is too large when unpacked",
        "zip-bomb-as-docx": "The selected file is too large when unpacked",
        "empty": "The submitted file is empty",
        "program": "The selected file must be a PDF, Word, Excel",
        "web-page": "The selected file must be a PDF, Word, Excel",
        "svg-with-script": "The selected file must be a PDF, Word, Excel",
        "double-extension": "The selected file must be a PDF, Word, Excel",
        "oversize-yaml": NOT_AN_ATTACHMENT,
        "exe-as-yaml": NOT_AN_ATTACHMENT,
        "zip-bomb-as-yaml": NOT_AN_ATTACHMENT,
        "web-page-as-yaml": NOT_AN_ATTACHMENT,
        "svg-as-yaml": NOT_AN_ATTACHMENT,
        "yaml-alias-bomb": NOT_AN_ATTACHMENT,
        "yaml-program": NOT_AN_ATTACHMENT,
    },
    known_gaps={},
)

NOT_AN_IMPORT = "The selected file must be an Excel or CSV file"
INDICATOR_IMPORT = Endpoint(
    key="indicator import",
    model=ObservationImport,
    upload_to="imports/observations/",
    refusals={
        "oversize-csv": "The selected file must be smaller than 20 MB",
        "exe-as-xlsx": "The selected file is not a real Excel file",
        "exe-as-csv": "The selected file is not a real CSV file",
        "zip-bomb-as-xlsx": "The selected file is too large when unpacked",
        "empty": "The submitted file is empty",
        "program": "The selected file must be an Excel or CSV file",
        "web-page": "The selected file must be an Excel or CSV file",
        "svg-with-script": "The selected file must be an Excel or CSV file",
        "double-extension": "The selected file must be an Excel or CSV file",
        "exe-as-pdf": "The selected file must be an Excel or CSV file",
        "zip-bomb-as-docx": "The selected file must be an Excel or CSV file",
        "oversize-pdf": "The selected file must be an Excel or CSV file",
        "oversize-yaml": NOT_AN_IMPORT,
        "exe-as-yaml": NOT_AN_IMPORT,
        "zip-bomb-as-yaml": NOT_AN_IMPORT,
        "web-page-as-yaml": NOT_AN_IMPORT,
        "svg-as-yaml": NOT_AN_IMPORT,
        "yaml-alias-bomb": NOT_AN_IMPORT,
        "yaml-program": NOT_AN_IMPORT,
    },
    known_gaps={},
)

NOT_A_RETURN_FILE = "must be a CSV or XML file"
# A statutory return is read as it arrives and never kept as a file: what is refused leaves
# no load, no child record and nothing in file storage ("" for upload_to: nothing at all).
STATUTORY_RETURN = Endpoint(
    key="statutory return",
    model=StatutoryReturn,
    upload_to="",
    refusals={
        "oversize-csv": "the first row is not the column names of an SSDA903 table",
        "exe-as-csv": "the file is not CSV text",
        "empty": "The submitted file is empty",
        "oversize-pdf": "minutes.pdf " + NOT_A_RETURN_FILE,
        "exe-as-pdf": "policy.pdf " + NOT_A_RETURN_FILE,
        "exe-as-xlsx": "figures.xlsx " + NOT_A_RETURN_FILE,
        "zip-bomb-as-xlsx": "figures.xlsx " + NOT_A_RETURN_FILE,
        "zip-bomb-as-docx": "policy.docx " + NOT_A_RETURN_FILE,
        "program": "setup.exe " + NOT_A_RETURN_FILE,
        "web-page": "evidence.html " + NOT_A_RETURN_FILE,
        "svg-with-script": "chart.svg " + NOT_A_RETURN_FILE,
        "double-extension": "figures.csv.exe " + NOT_A_RETURN_FILE,
        "oversize-yaml": "survey.yaml " + NOT_A_RETURN_FILE,
        "exe-as-yaml": "survey.yaml " + NOT_A_RETURN_FILE,
        "zip-bomb-as-yaml": "survey.yaml " + NOT_A_RETURN_FILE,
        "web-page-as-yaml": "survey.yml " + NOT_A_RETURN_FILE,
        "svg-as-yaml": "chart.yaml " + NOT_A_RETURN_FILE,
        "yaml-alias-bomb": "survey.yaml " + NOT_A_RETURN_FILE,
        "yaml-program": "survey.yaml " + NOT_A_RETURN_FILE,
    },
    known_gaps={},
)

NOT_A_SURVEY_FILE = "The selected file must be a YAML file (.yaml or .yml)"
NOT_TEXT = "The selected file is not a YAML file: it is not text"
NOT_A_SURVEY = "The file is not a survey: it must be a set of keys and values"
# A survey file is read as text as it arrives and never kept as a file: what is refused leaves
# no survey (nor page or question: those come only after the survey) and nothing in storage.
SURVEY_IMPORT = Endpoint(
    key="survey import",
    model=Survey,
    upload_to="",
    refusals={
        "oversize-pdf": NOT_A_SURVEY_FILE,
        "oversize-csv": NOT_A_SURVEY_FILE,
        "exe-as-pdf": NOT_A_SURVEY_FILE,
        "exe-as-xlsx": NOT_A_SURVEY_FILE,
        "exe-as-csv": NOT_A_SURVEY_FILE,
        "zip-bomb-as-xlsx": NOT_A_SURVEY_FILE,
        "zip-bomb-as-docx": NOT_A_SURVEY_FILE,
        "empty": "The selected file is empty",
        "program": NOT_A_SURVEY_FILE,
        "web-page": NOT_A_SURVEY_FILE,
        "svg-with-script": NOT_A_SURVEY_FILE,
        "double-extension": NOT_A_SURVEY_FILE,
        "oversize-yaml": "The selected file must be smaller than 512 KB",
        "exe-as-yaml": NOT_TEXT,
        "zip-bomb-as-yaml": NOT_TEXT,
        "web-page-as-yaml": "Line 1: " + NOT_A_SURVEY,
        "svg-as-yaml": "Line 1: " + NOT_A_SURVEY,
        "yaml-alias-bomb": "Line 2: The file is not valid YAML: aliases (*name) are not allowed",
        "yaml-program": "Line 1: The file has the tag ‘!!python/object/apply:os.system’, which "
        "is not allowed",
    },
    known_gaps={},
)

ENDPOINTS = [ATTACHMENTS, INDICATOR_IMPORT, STATUTORY_RETURN, SURVEY_IMPORT]


def _send(endpoint: Endpoint, file: Hostile, cast, client_for, request):
    if endpoint is ATTACHMENTS:
        assessment_return = request.getfixturevalue("police_return")
        url = reverse("assessments:attachment-upload", args=[assessment_return.pk, 1])
        client = client_for(cast.agency_lead)
    elif endpoint is STATUTORY_RETURN:
        body, content_type = _multipart(file, field="return_files")
        return client_for(cast.analyst).post(
            reverse("returns:list"), data=body, content_type=content_type
        )
    elif endpoint is SURVEY_IMPORT:
        url = reverse("surveys:import")
        client = client_for(cast.paqa_member)
    else:
        url = reverse("indicators:import")
        client = client_for(cast.analyst)
    body, content_type = _multipart(file)
    return client.post(url, data=body, content_type=content_type)


CASES = [
    pytest.param(
        endpoint,
        key,
        message,
        id=f"{endpoint.key}-{key}",
        marks=[
            pytest.mark.xfail(strict=True, raises=AssertionError, reason=endpoint.known_gaps[key])
        ]
        if key in endpoint.known_gaps
        else [],
    )
    for endpoint in ENDPOINTS
    for key, message in endpoint.refusals.items()
]


@pytest.mark.parametrize(("endpoint", "key", "message"), CASES)
def test_the_corpus_is_refused_with_the_reason_and_nothing_is_kept(
    endpoint, key, message, corpus, cast, client_for, request
):
    request.getfixturevalue("police_return")  # set up before counting
    rows_before, files_before = _row_counts(endpoint.model), _stored_files()

    response = _send(endpoint, corpus[key], cast, client_for, request)

    page = response.content.decode()
    assert response.status_code in {200, 400}, f"not refused: {response.status_code}"
    assert "govuk-error-summary" in page
    assert message in page
    assert _row_counts(endpoint.model) == rows_before
    assert _stored_files() == files_before
    assert ReturnChild.objects.count() == 0


def test_every_corpus_file_is_sent_to_every_place(corpus):
    for endpoint in ENDPOINTS:
        assert set(endpoint.refusals) == set(corpus), endpoint.key


# --- Names with a path -----------------------------------------------------------------------


PATH_NAMES = {
    "unix-traversal": "../../etc/passwd.csv",
    "windows-path": "C:\\x\\..\\evil.csv",
    "windows-traversal": "..\\..\\..\\evil.csv",
}


@pytest.mark.parametrize(
    "endpoint", [ATTACHMENTS, INDICATOR_IMPORT], ids=lambda endpoint: endpoint.key
)
@pytest.mark.parametrize("name", PATH_NAMES.values(), ids=PATH_NAMES.keys())
def test_a_path_in_the_file_name_is_dropped_and_the_file_kept_inside_its_folder(
    endpoint, name, cast, client_for, request
):
    """A browser may send a whole path as the name (old Internet Explorer did), so a good file
    with one is accepted, but only its last part is kept as its name and it is stored in the
    upload folder, never where the path points."""
    request.getfixturevalue("police_return")
    files_before = _stored_files()

    response = _send(endpoint, Hostile("path", name, CSV), cast, client_for, request)

    assert response.status_code == 302, response.content.decode()[:2000]
    stored = _stored_files() - files_before
    assert len(stored) == 1
    (path,) = stored
    assert path.startswith(endpoint.upload_to)
    assert ".." not in path.split("/")
    assert "\\" not in path
    row = endpoint.model.objects.get()
    shown_name = row.name if endpoint is ATTACHMENTS else row.original_name
    assert shown_name in {"passwd.csv", "evil.csv"}


@pytest.mark.parametrize("name", PATH_NAMES.values(), ids=PATH_NAMES.keys())
def test_a_statutory_return_keeps_only_the_last_part_of_its_names_and_no_file(
    name, cast, client_for
):
    from tests.access_matrix_fixtures import TINY_903

    tables = [
        Hostile("path", name.replace("evil", table).replace("passwd", table), text.encode())
        for table, text in (
            ("header", TINY_903["header.csv"]),
            ("episodes", TINY_903["episodes.csv"]),
        )
    ]
    boundary = "----PaqaUploadCorpusBoundary7MA4YWxkTrZu0gW"
    body = b""
    for table in tables:
        part, _ = _multipart(table, field="return_files")
        body += part.rsplit(f"--{boundary}--".encode(), 1)[0]
    year = 'Content-Disposition: form-data; name="collection_year"\r\n\r\n2018\r\n'
    body += f"--{boundary}\r\n{year}".encode()
    body += f"--{boundary}--\r\n".encode()
    files_before = _stored_files()

    response = client_for(cast.analyst).post(
        reverse("returns:list"), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert _stored_files() == files_before
    assert sorted(StatutoryReturn.objects.get().file_names) in (["episodes.csv", "header.csv"],)


@pytest.mark.parametrize("name", PATH_NAMES.values(), ids=PATH_NAMES.keys())
def test_a_survey_file_with_a_path_in_its_name_is_read_and_no_file_kept(
    name, cast, client_for, request
):
    """Only the last part of the name is looked at (so "..\\..\\evil.yaml" is a YAML file), the
    survey comes in as a draft, and the file itself is never written anywhere."""
    files_before = _stored_files()
    survey_file = Hostile("path", name.replace(".csv", ".yaml"), A_SURVEY.encode())

    response = _send(SURVEY_IMPORT, survey_file, cast, client_for, request)

    assert response.status_code == 302, response.content.decode()[:3000]
    survey = Survey.objects.get()
    assert response["Location"] == reverse("surveys:manage", args=[survey.pk])
    assert (survey.series, survey.status) == ("corpus-check", Survey.Status.DRAFT)
    assert _stored_files() == files_before


def test_an_accepted_file_is_only_ever_served_back_as_a_download(cast, client_for, request):
    """What is kept is sent back as a download of the type its content showed, never as a page
    of the site, so even a file that slipped through could not run in the site's origin."""
    request.getfixturevalue("police_return")
    response = _send(
        ATTACHMENTS, Hostile("path", "C:\\x\\evil.csv", CSV), cast, client_for, request
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()

    download = client_for(cast.agency_lead).get(
        reverse("assessments:attachment", args=[attachment.pk])
    )

    assert download["Content-Disposition"] == 'attachment; filename="evil.csv"'
    assert download["Content-Type"] == "text/csv"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in download["Content-Security-Policy"]


# --- Finding the places ----------------------------------------------------------------------


UPLOAD_CODE = re.compile(r"\b(?:FileField|ImageField|FilePathField)\(|request\.FILES|FileUpload")
KNOWN_UPLOAD_CODE = {
    "paqa/assessments/forms.py",  # AttachmentForm
    "paqa/assessments/models.py",  # Attachment.file
    "paqa/assessments/views.py",  # attachment_upload
    "paqa/indicators/forms.py",  # ObservationUploadForm
    "paqa/indicators/models.py",  # ObservationImport.file
    "paqa/indicators/views.py",  # import_upload
    "paqa/returns/views.py",  # return_list (ReturnUploadForm: read as it arrives, never stored)
    "paqa/surveys/share_views.py",  # survey_import (ImportForm: read as text, never stored)
}


def test_every_file_upload_is_in_this_corpus():
    """A new form, model or view taking files fails here until it is added to ENDPOINTS."""
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "paqa").rglob("*.py")
        if "migrations" not in path.parts and UPLOAD_CODE.search(path.read_text())
    }
    assert found == KNOWN_UPLOAD_CODE


def test_the_api_takes_no_files(cast):
    """The API reads JSON only: a file sent to it is refused before any view code runs."""
    parsers = settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]
    assert parsers == ["rest_framework.parsers.JSONParser"]
    assert not [
        path
        for path in (ROOT / "paqa").rglob("*.py")
        if re.search(r"\bparser_classes\s*=", path.read_text())
    ]
    cache.clear()
    _, key = api_token_create(organisation=cast.agency, name="Records system", actor=cast.admin)
    body, content_type = _multipart(Hostile("csv", "figures.csv", CSV))
    files_before = _stored_files()
    response = Client().post(
        reverse("api:observations"),
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 415
    assert _stored_files() == files_before
    cache.clear()
