"""PDF documents (returns, the annual report) from Django templates, with WeasyPrint.

A document is a template that extends ``documents/base.html``; `render_pdf` renders it and
turns the HTML into a tagged PDF (PDF/UA-1): a structure tree for screen readers, the
document's title shown in the viewer's title bar, and its language in the catalogue.

Text in a document comes from users, so it is untrusted:

- Django's autoescaping turns it into text; nothing here marks user text safe;
- WeasyPrint gets no base URL, and a URL fetcher that refuses every URL except ``data:``
  (our own charts are embedded as ``data:image/svg+xml`` URIs). Nothing is fetched over the
  network or read from disk, whatever the HTML, CSS or an SVG asks for; refusals are logged
  and the document is produced without the missing resource;
- control characters (C0 other than tab and newlines, DEL and C1), which no font can draw, are
  dropped from the rendered HTML, as `paqa.core.word` and `paqa.core.charts` drop them:
  otherwise each would print as a missing-glyph box and log a warning, hundreds per document.

WeasyPrint needs Pango from the system. It is imported only when a PDF is made, so the rest
of PAQA works without Pango, and a missing library raises `PdfUnavailable` with the fix.
WeasyPrint's import costs about 0.4 s, paid by the first PDF; a small document then takes
some tens of milliseconds.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import urllib.request
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string

__all__ = ["PDF_VARIANT", "PdfUnavailable", "pdf_response", "render_pdf"]

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
UNAVAILABLE_MESSAGE = (
    "PDF export needs the Pango library: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
)
# Control characters no font draws: C0 other than tab, newline and carriage return; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A BCP 47 tag such as "en-GB" or "cy": the only shapes <html lang> and /Lang should carry.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


class PdfUnavailable(RuntimeError):
    """WeasyPrint, or the Pango library it loads, is not installed on this machine."""


def _weasyprint() -> tuple[Any, type[Any]]:
    """WeasyPrint's HTML class and our data:-only URL fetcher, or PdfUnavailable."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as error:
        raise PdfUnavailable(UNAVAILABLE_MESSAGE) from error

    class DataOnlyURLFetcher(URLFetcher):
        """Serves ``data:`` URIs itself; refuses every other URL, without opening it."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url[:5].lower() != "data:":
                scheme = url.partition(":")[0][:20] if ":" in url else "relative"
                logger.warning("PDF: refused to fetch a %s URL: %.200s", scheme, url)
                raise ValueError(f"PDF documents load no {scheme} URLs")
            # urllib's data: handler decodes the URI in memory; no opener, so no network.
            data_request = urllib.request.Request(url)  # noqa: S310 (a data: URI, checked above)
            with urllib.request.DataHandler().data_open(data_request) as response:
                body = response.read()
                content_type = response.headers.get("Content-Type", "text/plain")
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return weasyprint.HTML, DataOnlyURLFetcher


def render_pdf(
    *, template: str, context: dict[str, Any], title: str, language: str = "en-GB"
) -> bytes:
    """Render a Django template (which extends "documents/base.html") to a tagged PDF
    (PDF/UA-1), with document title and language metadata set.

    ``title`` and ``language`` reach the template as ``title`` and ``language`` (and win over
    keys of the same name in ``context``). Raises ValueError for an empty title or a
    language that is not a BCP 47 tag, and PdfUnavailable when WeasyPrint cannot load.
    """
    title = " ".join(title.split())
    if not title:
        raise ValueError("A PDF needs a title (PDF/UA shows it in the title bar).")
    if not _LANGUAGE_TAG.fullmatch(language):
        raise ValueError(f"Not a BCP 47 language tag: {language!r}")
    html_class, fetcher_class = _weasyprint()
    html = _CONTROL.sub(
        "", render_to_string(template, {**context, "title": title, "language": language})
    )
    document = html_class(string=html, base_url=None, url_fetcher=fetcher_class())
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def _safe_filename(filename: str) -> str:
    """ASCII letters, digits, '-', '_' and '.', no leading dot, ending in '.pdf'."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem = ascii_name.removesuffix(".pdf").removesuffix(".PDF")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip(".-")[:100].strip(".-")
    return f"{stem or 'document'}.pdf"


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """The PDF as a download named ``filename`` (made safe; '.pdf' is added if missing)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_safe_filename(filename)}"'
    response["Content-Length"] = str(len(pdf))
    return response
