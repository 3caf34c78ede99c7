"""The report in each format it leaves the site in: a web page (HTML), PDF and Word."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from paqa.core.charts import RenderedChart
from paqa.core.documents import render_pdf
from paqa.reports.charts import draw
from paqa.reports.content import Chart, ReportContent, Section

Progress = Callable[[int, str], None]
DOCUMENT_TEMPLATE = "reports/document.html"
LANGUAGE = "en-GB"


@dataclass(frozen=True)
class SectionView:
    """A section with its charts drawn, ready for a template."""

    section: Section
    charts: list[tuple[Chart, RenderedChart]]


def present(content: ReportContent, progress: Progress | None = None) -> list[SectionView]:
    views = []
    total = sum(len(section.charts) for section in content.sections) or 1
    drawn = 0
    for section in content.sections:
        charts = []
        for chart in section.charts:
            if progress is not None:
                progress(round(50 * drawn / total), f"Drawing the chart ‘{chart.title}’")
            charts.append((chart, draw(chart)))
            drawn += 1
        views.append(SectionView(section, charts))
    return views


def document_context(
    content: ReportContent, *, site_url: str, progress: Progress | None = None
) -> dict[str, Any]:
    return {
        "report": content,
        "parts": present(content, progress),
        "link_base": site_url.rstrip("/"),
    }


def render(
    content: ReportContent, file_format: str, *, site_url: str, progress: Progress | None = None
) -> bytes:
    """The report as a file: "html", "pdf" or "docx"."""

    def step(percent: int, text: str) -> None:
        if progress is not None:
            progress(percent, text)

    if file_format == "docx":
        from paqa.reports.word import report_docx

        return report_docx(content, site_url=site_url, progress=progress)
    context = document_context(content, site_url=site_url, progress=step)
    if file_format == "html":
        step(80, "Writing the web page")
        html = render_to_string(
            DOCUMENT_TEMPLATE, {**context, "title": content.title, "language": LANGUAGE}
        )
        return html.encode("utf-8")
    if file_format == "pdf":
        step(60, "Laying out the pages")
        return render_pdf(
            template=DOCUMENT_TEMPLATE, context=context, title=content.title, language=LANGUAGE
        )
    raise ValueError(f"No such format: {file_format!r}")
