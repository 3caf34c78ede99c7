"""PDF documents: tagged (PDF/UA-1), titled, in a language, and blind to the outside world.

Child templates come from a locmem loader placed in front of the app templates, so the tests
render real templates that extend documents/base.html. PDFs compress their objects, so
`_inflated` unpacks every stream before looking for catalogue and metadata entries.
"""

import base64
import builtins
import contextlib
import logging
import re
import socket
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import override_settings

from paqa.core import documents
from paqa.core.documents import PdfUnavailable, pdf_response, render_pdf

NASTY = '<script>alert(1)</script> <img src="http://evil.example/x.png"> & <a href="file:///etc/passwd">'

CHILDREN = {
    "documents/test/return.html": """{% extends "documents/base.html" %}
{% block content %}
  <h2>Answers</h2>
  <p>{{ answer }}</p>
  <table>
    <caption>Standards</caption>
    <thead><tr><th scope="col">Standard</th><th scope="col" class="numeric">Rating</th></tr></thead>
    <tbody>{% for name, rating in rows %}
      <tr><th scope="row">{{ name }}</th><td class="numeric">{{ rating }}</td></tr>
    {% endfor %}</tbody>
  </table>
{% endblock %}""",
    "documents/test/outside.html": """{% extends "documents/base.html" %}
{% block meta %}
  <link rel="stylesheet" href="file:///etc/passwd">
  <style>
    @import url("https://evil.example/import.css");
    body { background: url("http://evil.example/background.png"); }
  </style>
{% endblock %}
{% block content %}
  <p><img src="http://evil.example/tracker.png" alt="Tracker"></p>
  <p><img src="file:///etc/passwd" alt="Local file"></p>
  <p><a href="file:///etc/passwd">A link is not a fetch</a></p>
{% endblock %}""",
    "documents/test/chart.html": """{% extends "documents/base.html" %}
{% block content %}
  <figure><img src="{{ chart_uri }}" alt="{{ chart_alt }}"></figure>
{% endblock %}""",
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {
            "loaders": [
                ("django.template.loaders.locmem.Loader", CHILDREN),
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]

pytestmark = pytest.mark.usefixtures("child_templates")


@pytest.fixture
def child_templates() -> Iterator[None]:
    with override_settings(TEMPLATES=TEMPLATES):
        yield


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to open a URL through urllib, or any socket, is recorded and fails."""
    attempts: list[str] = []

    def no_open(self: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(getattr(url, "full_url", str(url)))
        raise AssertionError(f"opened {url}")

    def no_connect(self: Any, address: Any) -> Any:
        attempts.append(repr(address))
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_open)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    return attempts


def _inflated(pdf: bytes) -> bytes:
    """The PDF followed by every Flate stream in it, decompressed."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"\n".join(parts)


def _refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == documents.__name__ and "refused" in record.getMessage()
    ]


def _render(template: str = "return.html", **kwargs: Any) -> bytes:
    context: dict[str, Any] = {"answer": "Yes", "rows": [("Safer recruitment", 3)]}
    arguments: dict[str, Any] = {"title": "Section 11 return: Thames Police", "context": context}
    arguments.update(kwargs)
    return render_pdf(template=f"documents/test/{template}", **arguments)


def test_pdf_is_tagged_with_title_and_language(network: list[str]) -> None:
    rows = [(f"Standard {n}", n % 4) for n in range(80)]  # enough for several pages
    pdf = _render(context={"answer": "Yes", "rows": rows})
    assert pdf.startswith(b"%PDF-1.7")
    body = _inflated(pdf)
    assert b"/StructTreeRoot" in body
    assert b"/MarkInfo <</Marked true>>" in body
    assert b"/Lang (en-GB)" in body
    assert b"/Title (Section 11 return: Thames Police)" in body  # document information
    assert b"<dc:title>" in body
    assert b"Section 11 return: Thames Police</rdf:li>" in body  # XMP metadata
    assert b"pdfuaid:part" in body
    assert b"/DisplayDocTitle true" in body
    assert b"/TH" in body  # table headers are tagged as such
    assert len(re.findall(rb"/Type /Page\b", body)) >= 2
    assert network == []


def test_language_reaches_html_and_pdf() -> None:
    assert b"/Lang (cy)" in _inflated(_render(language="cy", title="Ffurflen"))
    html = render_to_string("documents/test/return.html", {"title": "T", "language": "cy"})
    assert '<html lang="cy">' in html
    assert "<title>T</title>" in html


@pytest.mark.parametrize("language", ["", "en GB", 'en" onload="x', "e", "en-GB-"])
def test_language_must_be_a_language_tag(language: str) -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        _render(language=language)


def test_title_is_required() -> None:
    with pytest.raises(ValueError, match="title"):
        _render(title="  \n ")


def test_untrusted_text_is_escaped_and_fetches_nothing(
    network: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    context = {"answer": NASTY, "rows": [(NASTY, NASTY)]}
    html = render_to_string(
        "documents/test/return.html", {**context, "title": NASTY, "language": "en-GB"}
    )
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=&quot;http://evil.example/x.png&quot;&gt;" in html

    pdf = _render(context=context, title=NASTY)
    assert pdf.startswith(b"%PDF-")
    assert _refused(caplog) == []
    assert network == []
    assert b"/Title (<script>" in _inflated(pdf)  # the title is text, not markup


def test_template_urls_are_refused_and_pdf_still_made(
    network: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    pdf = _render(template="outside.html")
    assert pdf.startswith(b"%PDF-")
    refused = "\n".join(_refused(caplog))
    for url in (
        "file:///etc/passwd",
        "https://evil.example/import.css",
        "http://evil.example/background.png",
        "http://evil.example/tracker.png",
    ):
        assert url in refused
    assert network == []


def test_data_uri_charts_load_but_what_they_link_to_does_not(
    network: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#1d70b8"/>'
        '<image href="http://evil.example/inside-svg.png" width="5" height="5"/></svg>'
    )
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    pdf = _render(template="chart.html", context={"chart_uri": uri, "chart_alt": "Rates rose"})
    body = _inflated(pdf)
    assert b"/Figure" in body
    assert b"/Alt (Rates rose)" in body
    failures = [r.getMessage() for r in caplog.records if "Failed to load image" in r.getMessage()]
    assert all("data:" not in failure for failure in failures)
    assert _refused(caplog) == [
        "PDF: refused to fetch a http URL: http://evil.example/inside-svg.png"
    ]
    assert network == []


@pytest.mark.parametrize("error", [ImportError, OSError])
def test_missing_pango_raises_pdf_unavailable(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    real_import = builtins.__import__

    def failing_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise error("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(PdfUnavailable, match=re.escape(documents.UNAVAILABLE_MESSAGE)) as info:
        _render()
    assert isinstance(info.value.__cause__, error)
    assert str(info.value) == (
        "PDF export needs the Pango library: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    )


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("section-11-return-2024.pdf", "section-11-return-2024.pdf"),
        ("Section 11 return 2024", "Section-11-return-2024.pdf"),
        ('../../etc/"passwd"\r\nX-Evil: 1', "etc-passwd-X-Evil-1.pdf"),
        ("Ysgol Gymraeg Llanfaes – ffurflen.pdf", "Ysgol-Gymraeg-Llanfaes-ffurflen.pdf"),
        ("Café.PDF", "Cafe.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
    ],
)
def test_pdf_response_is_a_download_with_a_safe_name(filename: str, expected: str) -> None:
    response = pdf_response(b"%PDF-1.7 test", filename)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert response["Content-Length"] == "13"
    assert response.content == b"%PDF-1.7 test"
