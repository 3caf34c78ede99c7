"""Each section of the report drafted from the evidence, through the parts' selectors, as the
acting user may see it. Sentences are the parts' own drafted sentences (never typed here), and
each one carries the record it came from.

Every section is drafted within one `YearPass` (paqa.core.evidence): one viewer's pass over the
report's year, with figures as they stood at its end. What several sections read (the year's
indicator figures, a survey's results, the evidence by theme) is worked out once per pass.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from paqa.core.evidence import YearPass
from paqa.reports.content import Chart, ChartLine, Entry, Group, Section, Statement, Table
from paqa.reports.sections import GUIDE_BY_KEY, SectionKey

MAX_QUOTES = 12
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def number_words(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def _with_query(path: str, **query: str) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _section(key: SectionKey, **parts: Any) -> Section:
    return Section(
        key=key.value,
        title=key.label,
        asks_for_impact=GUIDE_BY_KEY[key.value].asks_for_impact,
        **parts,
    )


def _sourced(sentences: list[str], source: str, url: str) -> list[Statement]:
    return [Statement(text, source, url) for text in sentences if text]


# Introduction ---------------------------------------------------------------------------------


def introduction(*, year_pass: YearPass) -> Section:
    from paqa.partnership.selectors import organisation_list, partnership_current

    user, year = year_pass.user, year_pass.year
    partnership = partnership_current()
    # Each organisation comes with its count of live services.
    organisations = list(organisation_list(user=user))
    services = sum(organisation.live_services for organisation in organisations)  # type: ignore[attr-defined]
    name = partnership.name if partnership else "The partnership"
    statements = [
        Statement(
            f"This report covers {year}. {name} brings together {len(organisations)} "
            f"organisations and {services} of their services.",
            "Organisations",
            reverse("partnership:organisation-list"),
        )
    ]
    return _section(SectionKey.INTRODUCTION, statements=statements)


# Audits -------------------------------------------------------------------------------------


def audits(*, year_pass: YearPass) -> Section:
    from django.db.models import Count

    user, year = year_pass.user, year_pass.year
    from paqa.audits.selectors import audit_list, cross_cutting_themes, year_sentences

    themes_url = reverse("audits:themes", args=[year])
    listed = list(
        audit_list(user=user, year=year)
        .prefetch_related(None)
        .annotate(case_count=Count("cases"))
        .order_by("pk")
    )
    themes = cross_cutting_themes(user=user, year=year)
    statements = _sourced(
        year_sentences(user=user, year=year, audits=listed, themes=themes),
        f"Audits in {year}",
        themes_url,
    )
    tables = []
    if listed:
        tables.append(
            Table(
                caption=f"Multi-agency audits in {year}",
                header=["Audit", "What it looked at", "Cases audited"],
                rows=[[audit.title, audit.theme, str(audit.case_count)] for audit in listed],
                numeric=[False, False, True],
                row_urls=[reverse("audits:audit", args=[audit.pk]) for audit in listed],
            )
        )
    if themes:
        tables.append(
            Table(
                caption=f"Themes in the audits' findings, {year}, most widely shared first",
                header=["Theme", "Audits", "Findings"],
                rows=[
                    [
                        theme.label,
                        str(len({finding.audit_id for finding in theme.findings})),
                        str(len(theme.findings)),
                    ]
                    for theme in themes
                ],
                numeric=[False, True, True],
                row_urls=[themes_url for _ in themes],
            )
        )
    return _section(SectionKey.AUDITS, statements=statements, tables=tables)


def agency_audits(*, year_pass: YearPass) -> Section:
    from paqa.audits.agency_selectors import agency_audit_summary

    user, year = year_pass.user, year_pass.year
    summary = agency_audit_summary(user=user, year=year)
    url = _with_query(reverse("audits:agency-list"), year=year)
    statements = _sourced(summary.sentences, f"Agencies' audits in {year}", url)
    tables = []
    if summary.audits:
        tables.append(
            Table(
                caption=f"Agencies' safeguarding audits reviewed by PAQA, {year}",
                header=["Agency", "Service", "What was audited", "Cases"],
                rows=[
                    [
                        audit.organisation.name,
                        audit.service.name if audit.service else "Whole organisation",
                        audit.topic,
                        str(audit.sample_size),
                    ]
                    for audit in summary.audits
                ],
                numeric=[False, False, False, True],
                row_urls=[
                    reverse("audits:agency-detail", args=[audit.pk]) for audit in summary.audits
                ],
            )
        )
    return _section(SectionKey.AGENCY_AUDITS, statements=statements, tables=tables)


# Surveys ------------------------------------------------------------------------------------


def _ranked_options(result: Any) -> list[Any]:
    return sorted(
        (option for option in result.options if option.count),
        key=lambda option: (-option.count, option.option),
    )


def impact_assessment(*, year_pass: YearPass) -> Section:
    from paqa.surveys.impact import return_rate
    from paqa.surveys.selectors import (
        invitations_for,
        question_results_in_pass,
        survey_for_year,
    )

    user, year = year_pass.user, year_pass.year
    survey = survey_for_year(user=user, series="impact-assessment", year=year)
    if survey is None:
        return _section(
            SectionKey.IMPACT_ASSESSMENT,
            statements=[Statement(f"No impact assessment was run for {year}.")],
        )
    url = reverse("surveys:results", args=[survey.pk])
    rate = return_rate(invitations_for(user=user, survey=survey))
    statements = [
        Statement(
            f"{rate.returned} of {rate.invited} organisations returned the "
            f"{survey.title.lower()} ({rate.percent}%).",
            survey.title,
            reverse("surveys:impact-rate", args=[survey.pk]),
        )
    ]
    tables = []
    for result in question_results_in_pass(year_pass=year_pass, survey=survey):
        if result.question.kind != "multiple" or not result.answered:
            continue
        ranked = _ranked_options(result)
        if not ranked:
            continue
        listed = [f"{option.option.lower()} ({option.count})" for option in ranked]
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        question = " ".join(result.question.text.split()).rstrip("?")
        statements.append(
            Statement(
                f"Asked ‘{question}’, the {result.answered} organisations that answered named "
                f"{joined}.",
                survey.title,
                url,
            )
        )
        tables.append(
            Table(
                caption=question,
                header=["Named", "Organisations", "Share"],
                rows=[[option.option, str(option.count), option.percent_text] for option in ranked],
                numeric=[False, True, True],
            )
        )
    return _section(SectionKey.IMPACT_ASSESSMENT, statements=statements, tables=tables)


def practitioners(*, year_pass: YearPass) -> Section:
    from paqa.surveys import coding, selectors
    from paqa.surveys.results import headline
    from paqa.surveys.selectors import (
        question_results_in_pass,
        survey_for_year,
        survey_respondents,
    )

    user, year = year_pass.user, year_pass.year
    survey = survey_for_year(user=user, series="practitioner-survey", year=year)
    if survey is None:
        return _section(
            SectionKey.PRACTITIONERS,
            statements=[Statement(f"No practitioner survey was run for {year}.")],
        )
    url = reverse("surveys:results", args=[survey.pk])
    respondents = survey_respondents(user=user, survey=survey)
    statements = [
        Statement(
            f"{respondents} practitioners completed the {survey.title.lower()}.", survey.title, url
        )
    ]
    results = question_results_in_pass(year_pass=year_pass, survey=survey)
    rows, row_urls = [], []
    for result in results:
        if result.question.kind != "yes_no" or not result.answered:
            continue
        statements.append(Statement(headline(results, result.code, "Yes"), survey.title, url))
        yes = result.option("Yes")
        rows.append(
            [
                " ".join(result.question.text.split()),
                yes.percent_text if yes else "0%",
                str(result.answered),
            ]
        )
        row_urls.append(url)
    quotes: list[Entry] = []
    for question in selectors.free_text_questions(user=user, survey=survey):
        counts = selectors.theme_counts(user=user, question=question)
        coding_url = reverse("surveys:coding-survey", args=[survey.pk])
        sentence = selectors.top_three_sentence(user=user, question=question, counts=counts)
        if sentence:
            statements.append(Statement(sentence, f"{survey.title}: coded answers", coding_url))
        by_code = selectors.quotes_by_code(user=user, question=question, others=0)
        for code, _count in counts[:3]:
            representative = [row for row in by_code.get(code.pk, []) if row.representative]
            if representative:
                quotes.append(
                    Entry(
                        title=coding.answer_text(representative[0].answer.value),
                        detail=f"A practitioner, on ‘{code.label}’",
                        url=coding_url,
                    )
                )
    tables = []
    if rows:
        tables.append(
            Table(
                caption=f"Practitioners who said yes, {survey.title.lower()} {year}",
                header=["Question", "Said yes", "Answered"],
                rows=rows,
                numeric=[False, True, True],
                row_urls=row_urls,
            )
        )
    return _section(SectionKey.PRACTITIONERS, statements=statements, tables=tables, quotes=quotes)


# Children's views ---------------------------------------------------------------------------


def children(*, year_pass: YearPass) -> Section:
    from paqa.voice.selectors import voice_list

    user, year = year_pass.user, year_pass.year
    records = list(voice_list(user=user, year=year).prefetch_related("responses__by_organisation"))
    list_url = _with_query(reverse("voice:list"), year=year)
    if not records:
        return _section(
            SectionKey.CHILDREN,
            statements=[Statement(f"No views of children or families are recorded for {year}.")],
        )
    sources = Counter(record.get_source_display().lower() for record in records)
    from_where = ", ".join(
        f"{source}s ({count})" if count > 1 else f"a {source}"
        for source, count in sources.most_common()
    )
    statements = [
        Statement(
            f"{len(records)} records of what children, young people and families said in {year} "
            f"came from {from_where}.",
            "Children's views",
            list_url,
        )
    ]
    quotes = [
        Entry(
            title=record.quote,
            detail=", ".join(
                part
                for part in (record.get_who_display(), record.source_title or record.source_label)
                if part
            )
            + (" (a summary of what was said)" if record.is_summary else ""),
            url=reverse("voice:detail", args=[record.pk]),
        )
        for record in records[:MAX_QUOTES]
    ]
    entries = [
        Entry(
            title=f"You said: {record.quote}",
            text=f"We did: {response.response}",
            detail=(
                f"{response.by_organisation.name}, {response.date:%-d %B %Y}"
                if response.by_organisation
                else f"{response.date:%-d %B %Y}"
            ),
            url=reverse("voice:detail", args=[record.pk]),
        )
        for record in records
        for response in record.responses.all()
    ]
    return _section(
        SectionKey.CHILDREN,
        statements=statements,
        quotes=quotes,
        entries=entries,
        entries_title="You said, we did" if entries else "",
    )


# Self-assessment ----------------------------------------------------------------------------


def self_assessment(*, year_pass: YearPass) -> Section:
    from paqa.assessments.selectors import cycle_list, cycle_summary

    user, year = year_pass.user, year_pass.year
    statements: list[Statement] = []
    tables: list[Table] = []
    cycles = list(cycle_list(user=user).filter(year=year).select_related("framework"))
    for cycle in cycles:
        summary = cycle_summary(user=user, cycle=cycle)
        url = reverse("assessments:cycle", args=[cycle.pk])
        statements.extend(_sourced(summary.sentences, str(cycle), url))
        if not summary.rows:
            continue
        table_rows = []
        for index, standard in enumerate(summary.standards):
            finals = [row.cells[index].final for row in summary.rows if index < len(row.cells)]
            met = sum(1 for level in finals if level and level.counts_as_met)
            not_met = sum(1 for level in finals if level and not level.counts_as_met)
            table_rows.append(
                [standard.title, str(met), str(not_met), str(len(finals) - met - not_met)]
            )
        tables.append(
            Table(
                caption=f"{cycle.framework.name}, {year}: organisations meeting each standard "
                "(after peer challenge)",
                header=["Standard", "Met", "Not met", "Not rated"],
                rows=table_rows,
                numeric=[False, True, True, True],
                row_urls=[url for _ in table_rows],
            )
        )
    if not cycles:
        statements.append(Statement(f"No self-assessment cycle was run for {year}."))
    return _section(SectionKey.SELF_ASSESSMENT, statements=statements, tables=tables)


# The data -----------------------------------------------------------------------------------


def data(*, year_pass: YearPass, chart_codes: list[str]) -> Section:
    from paqa.indicators.selectors import group_by_priority, year_end_summaries

    user, year = year_pass.user, year_pass.year
    start, end = year_pass.start, year_pass.as_at
    benchmarks, summaries = year_end_summaries(year_pass=year_pass)
    in_year = [
        summary
        for summary in summaries
        if summary.latest is not None
        and summary.latest.period.end >= start
        and summary.indicator.derivation != "population"
    ]
    groups = []
    for priority, members in group_by_priority(summaries=in_year):
        statements = [
            Statement(
                sentence,
                summary.indicator.name,
                reverse("indicators:indicator", args=[summary.indicator.code]),
            )
            for summary in members
            for sentence in summary.sentences
        ]
        if statements:
            groups.append(Group(priority, statements))
    comparators = benchmarks.shown_comparators or []
    tables = []
    if in_year:
        tables.append(
            Table(
                caption=f"The local safeguarding data at the end of {year}",
                header=["Indicator", "Latest", "When", "Change"]
                + [area.name for area in comparators],
                rows=[
                    [
                        summary.indicator.name,
                        summary.latest_text,
                        summary.latest.period.label if summary.latest else "",
                        summary.change_text,
                    ]
                    + [figure for figure, _where in summary.comparison_cells]
                    for summary in in_year
                ],
                numeric=[False, True, False, False] + [True for _ in comparators],
                row_urls=[
                    reverse("indicators:indicator", args=[summary.indicator.code])
                    for summary in in_year
                ],
            )
        )
    charts = [chart for code in chart_codes if (chart := _chart(user, code, end)) is not None]
    return _section(SectionKey.DATA, groups=groups, tables=tables, charts=charts)


def _chart(user: Any, code: str, end: Any) -> Chart | None:
    from django.http import Http404

    from paqa.core.charts import ChartSeries, describe_trend, trend_table
    from paqa.indicators.selectors import TREND_POINTS, indicator_get

    try:
        detail = indicator_get(user=user, code=code)
    except Http404:
        return None  # archived or renamed since it was chosen: no chart rather than a wrong one
    indicator = detail.indicator
    lines = []
    for area, points in detail.series_by_area:
        kept = [point for point in points if point.period.end <= end][-TREND_POINTS:]
        if kept:
            lines.append(
                ChartLine(area.name, [(p.period.short_label, float(p.value)) for p in kept])
            )
    if not lines:
        return None
    series = [ChartSeries(line.name, list(line.points)) for line in lines]
    suffix = "%" if indicator.unit == "percent" else ""
    table = trend_table(series, decimals=indicator.decimals, unit_suffix=suffix)
    return Chart(
        title=indicator.name,
        description=describe_trend(series, decimals=indicator.decimals, unit_suffix=suffix),
        y_title=indicator.get_unit_display(),
        lines=lines,
        table=Table(
            caption=f"{indicator.name}: the figures in the chart",
            header=list(table.columns),
            rows=[list(row) for row in table.rows],
            numeric=[False] + [True for _ in lines],
        ),
        decimals=indicator.decimals,
        target=float(indicator.target) if indicator.target is not None else None,
        url=reverse("indicators:indicator", args=[code]),
    )


def default_chart_codes(*, user: Any, year: str) -> list[str]:
    """Indicators worth a chart: rates with figures for a comparator area at the year's end."""
    from paqa.indicators.selectors import year_end_summaries

    _benchmarks, summaries = year_end_summaries(year_pass=YearPass(user=user, year=year))
    return [
        summary.indicator.code
        for summary in summaries
        if summary.indicator.unit == "rate_per_10000"
        and len(summary.series) >= 3
        and any(point for point, _where in summary.comparisons.values())
    ]


# Escalations --------------------------------------------------------------------------------


def escalations(*, year_pass: YearPass) -> Section:
    from paqa.escalations.selectors import escalation_list

    user, year = year_pass.user, year_pass.year
    matters = list(escalation_list(user=user, year=year).order_by("escalated_on", "pk"))
    register_url = _with_query(reverse("escalations:register"), year=year)
    if not matters:
        return _section(
            SectionKey.ESCALATIONS,
            statements=[
                Statement(f"PAQA escalated no matters in {year}.", "The register", register_url)
            ],
        )
    plural = "matter" if len(matters) == 1 else "matters"
    statuses = Counter(matter.get_status_display().lower() for matter in matters)
    standing = ", ".join(f"{count} {status}" for status, count in statuses.most_common())
    statements = [
        Statement(
            f"PAQA escalated {number_words(number=len(matters))} {plural} in {year}. "
            f"Where they stand now: {standing}.",
            "The escalation register",
            register_url,
        )
    ]
    entries = [
        Entry(
            title=matter.title,
            text=matter.finding,
            detail=f"Escalated to {matter.escalated_to} on {matter.escalated_on:%-d %B %Y}; "
            f"{matter.get_status_display().lower()}"
            + (f". Outcome: {matter.outcome}" if matter.outcome else ""),
            url=reverse("escalations:detail", args=[matter.pk]),
        )
        for matter in matters
    ]
    return _section(
        SectionKey.ESCALATIONS,
        statements=statements,
        entries=entries,
        entries_title="The matters escalated",
        numbered_entries=True,
    )


# Conclusions --------------------------------------------------------------------------------


def conclusions(*, year_pass: YearPass) -> Section:
    from paqa.indicators.selectors import year_end_summaries
    from paqa.themes.selectors import key_messages
    from paqa.themes.triangulation import year_overview

    user, year = year_pass.user, year_pass.year
    _benchmarks, summaries = year_end_summaries(year_pass=year_pass)
    statements = [
        Statement(
            sentence,
            summary.indicator.name,
            reverse("indicators:indicator", args=[summary.indicator.code]),
        )
        for summary in summaries
        if summary.indicator.derivation == "population"
        for sentence in summary.sentences
    ]
    messages = list(key_messages(user=user, year=year))
    overview_url = reverse("themes:overview", args=[year])
    entries = [
        Entry(title=message.title, text=message.text, url=overview_url) for message in messages
    ]
    if messages:
        statements.append(
            Statement(
                f"Within this context there are {number_words(number=len(messages))} key messages.",
                f"Key messages for {year}",
                overview_url,
            )
        )
    themes = year_overview(user=user, year=year, year_pass=year_pass)
    tables = []
    if themes:
        tables.append(
            Table(
                caption=f"Themes across the evidence, {year}, by weight of evidence",
                header=["Theme", "Sources", "Pieces of evidence"],
                rows=[
                    [view.label, str(len(view.sources_with_evidence)), str(view.weight)]
                    for view in themes
                ],
                numeric=[False, True, True],
                row_urls=[reverse("themes:theme", args=[year, view.theme]) for view in themes],
            )
        )
    return _section(
        SectionKey.CONCLUSIONS,
        statements=statements,
        entries=entries,
        entries_title="Key messages" if entries else "",
        numbered_entries=True,
        tables=tables,
    )
