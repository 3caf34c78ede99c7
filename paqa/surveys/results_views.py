"""The results page of a survey (charts with their data tables, breakdowns, year on year) and
its exports: the results table, every submitted response, and the coded themes."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from paqa.core.access import Capability, require
from paqa.core.charts import ChartSeries, RenderedChart, bar_chart, describe_bars
from paqa.core.exports import table_response
from paqa.surveys import results, selectors
from paqa.surveys.results import (
    BreakdownTable,
    QuestionComparison,
    QuestionResult,
    ResultsPage,
)

EXPORT_FORMATS = {"csv", "xlsx"}
NOT_ASKED = "Not asked"


@dataclass(frozen=True)
class QuestionView:
    result: QuestionResult
    chart: RenderedChart | None
    comparison: QuestionComparison | None
    rows: list[list[str]]  # option, count, percent, interval[, last time's percent]
    breakdowns: list[BreakdownTable]


def _previous_percent(comparison: QuestionComparison | None, option: str) -> str:
    if comparison is None:
        return NOT_ASKED
    change = comparison.option(option)
    if change is None or change.previous is None or not change.previous.answered:
        return "No data"
    return change.previous.percent_text


def _chart(
    result: QuestionResult, comparison: QuestionComparison | None, page: ResultsPage
) -> RenderedChart | None:
    if not result.is_choice or not result.answered:
        return None
    categories = [o.option for o in result.options]
    series = [
        ChartSeries(
            name=page.survey.year, points=[(o.option, float(o.percent)) for o in result.options]
        )
    ]
    if comparison is not None and comparison.previous.answered:
        series.append(
            ChartSeries(
                name=comparison.previous_survey.year,
                points=[(o.option, float(o.percent)) for o in comparison.previous.options],
            )
        )
    try:
        return bar_chart(
            title=result.question.text,
            description=describe_bars(categories, series, unit_suffix="%"),
            y_title="Percentage of those who answered",
            categories=categories,
            series=series,
        )
    except ValueError:
        # Two options that read the same once cleaned for the chart (stray spaces in an old
        # answer): the data table below still shows every figure.
        return None


def _question_view(result: QuestionResult, page: ResultsPage) -> QuestionView:
    comparison = page.comparisons.get(result.code)
    rows = []
    for option in result.options:
        row = [option.option, f"{option.count:,}", option.percent_text, option.interval_text]
        if page.previous_survey is not None:
            row.append(_previous_percent(comparison, option.option))
        rows.append(row)
    return QuestionView(
        result=result,
        chart=_chart(result, comparison, page),
        comparison=comparison,
        rows=rows,
        breakdowns=page.breakdowns.get(result.code, []),
    )


def _results_export(fmt: str, page: ResultsPage) -> HttpResponse:
    survey = page.survey
    header = [
        "Question code",
        "Question",
        "Option",
        "Count",
        "Answered",
        "Percent",
        "95% interval from (percent)",
        "95% interval to (percent)",
    ]
    if page.previous_survey is not None:
        header.append(f"{page.previous_survey.year} percent")
    rows = []
    for result in page.results:
        if not result.is_choice:
            continue
        comparison = page.comparisons.get(result.code)
        for option in result.options:
            row: list[object] = [
                result.code,
                result.question.text,
                option.option,
                option.count,
                option.answered,
                option.percent,
                results.whole_percent(option.low),
                results.whole_percent(option.high),
            ]
            if page.previous_survey is not None:
                change = comparison.option(option.option) if comparison else None
                previous = change.previous if change else None
                row.append(previous.percent if previous and previous.answered else "")
            rows.append(row)
    return table_response(fmt, f"{survey.series}-{survey.year}-results", header, rows)


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    page = selectors.results_page(user=request.user, survey=survey)
    if (fmt := request.GET.get("format")) in EXPORT_FORMATS:
        return _results_export(fmt, page)
    header = ["Option", "Count", "Percent", "95% interval"]
    if page.previous_survey is not None:
        header.append(f"{page.previous_survey.year} percent")
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "page": page,
            "questions": [_question_view(result, page) for result in page.results],
            "table_header": header,
            "suppress_below": results.SUPPRESS_BELOW,
        },
    )


def responses_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One row per submitted response, one column per question (several choices joined with
    "; "), then the codes given to its free-text answers."""
    # The raw answers are for the people who work with them; others see the results.
    require(request.user, Capability.CODE_FREE_TEXT)
    survey = selectors.survey_get(user=request.user, pk=pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    questions, rows = selectors.response_rows(user=request.user, survey=survey)
    with_organisation = survey.kind == survey.Kind.ORGANISATION
    header = ["Response"]
    if with_organisation:
        header.append("Organisation")
    header += [q.code for q in questions]
    header.append("Codes given to free-text answers")
    table = []
    for row in rows:
        cells: list[object] = [row.number]
        if with_organisation:
            cells.append(row.organisation)
        cells += row.values
        cells.append("; ".join(row.codes))
        table.append(cells)
    return table_response(fmt, f"{survey.series}-{survey.year}-responses", header, table)


def themes_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The codebook's themes and codes with how many submitted answers were given each; a shared
    theme by the name every page gives it."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format.")
    counts = selectors.codebook_counts(user=request.user, survey=survey)
    return table_response(
        fmt,
        f"{survey.series}-{survey.year}-themes",
        ["Theme", "Code", "Label", "Answers"],
        [[t.code.theme_label, t.code.slug, t.code.label, t.answers] for t in counts],
    )
