"""Coding at speed: the coding page with 1,000 answers, and a code applied to a group of 500.

    .venv/bin/python bench/bench_coding.py                        # SQLite, then PostgreSQL
    .venv/bin/python bench/bench_coding.py --database sqlite      # one database only
    .venv/bin/python bench/bench_coding.py --requests 5           # quicker

Each database runs in a process of its own against a throwaway database (bench/databases.py):
the demonstration partnership and people are loaded, then a practitioner survey with the demo's
codebook (five codes) and 1,000 answers to its free-text question: 500 coded, worded as the
demo's answers are, and 500 not yet coded, alike enough to make one group of 500 similar
answers. Timed through Django's test client, signed in as the demo analyst, with the SQL
queries of every request:

- the coding page (100 answers a page, suggestions for each, the groups of similar answers):
  all answers, only those not yet coded, and those a code is suggested for (the 500, so the
  suggestions of all 1,000 answers are worked out to find them);
- one Save of a page of 100 answers, each given a code;
- "Apply to all 500 similar answers" on the page's largest group (the group's own form).

After each timed write the codes are taken off again (not timed), so every request does the
same work. Targets: the page's p95 at most 300 ms with the same number of queries whatever the
number of answers (tests/surveys/test_coding_bulk.py asserts the latter); applying a code to 500
answers at most 1 s. A missed target is reported, never a failure; a broken benchmark (not a
200 or a redirect, no group of 500) exits non-zero. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from databases import (
    DATABASES,
    BenchmarkBroken,
    Skipped,
    Timed,
    add_database_arguments,
    django_setup,
    postgres_database,
    results_per_database,
    run_main,
    sqlite_database,
)

if TYPE_CHECKING:
    from django.test import Client

POSTGRES_DATABASE = "paqa_bench_coding"
SETTINGS_MODULE = "paqa.settings.test"
SEED = 2019
ANALYST = "analyst@demo.example"
ANSWERS = 1000
GROUP = 500
TARGET_PAGE_P95_MS = 300.0
TARGET_GROUP_MS = 1000.0
# The 500 answers not yet coded: one request, worded a little differently each time.
GROUP_WORDING = [
    "Feedback from the MASH after a referral",
    "Feedback from the MASH after a referral, please",
    "feedback from the MASH after a referral!",
    "Feedback from the mash after a referral.",
]
GROUP_IDS = re.compile(r'name="answers" value="([0-9,]+)"')


@dataclass
class Figure(Timed):
    name: str
    timings_ms: list[float]
    queries: list[int]
    target_ms: float | None = None
    detail: str = ""


@dataclass
class Report:
    database: str
    server: str = ""
    skipped: str = ""
    load_seconds: float = 0.0
    total_seconds: float = 0.0
    figures: list[Figure] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        data["figures"] = [Figure(**figure) for figure in data["figures"]]
        return cls(**data)


def log(database: str, message: str) -> None:
    print(f"[{database}] {message}", file=sys.stderr, flush=True)


# The data -------------------------------------------------------------------------------------


def load_survey(answers: int, group: int) -> tuple[Any, Any]:
    """A closed practitioner survey with the demo's codebook and `answers` answers to its
    free-text question: all but `group` coded as the demo codes them, then `group` alike and
    not yet coded. Returns the survey and the question."""
    from datetime import date

    from django.db import transaction

    from paqa.accounts.models import User
    from paqa.partnership.demo import demo_load
    from paqa.surveys import coding_services, services
    from paqa.surveys.demo import CHANGES
    from paqa.surveys.models import Answer, Question, Response
    from paqa.surveys.packs import PRACTITIONER_PACK, survey_from_pack

    demo_load()
    analyst = User.objects.get(email=ANALYST)
    rng = random.Random(SEED)  # noqa: S311 - made-up answers, not secrets
    with transaction.atomic():
        survey = survey_from_pack(
            path=PRACTITIONER_PACK,
            year="2020-21",
            opens_on=date(2020, 10, 1),
            closes_on=date(2020, 11, 30),
        )
        codes = {
            slug: services.code_create(
                survey=survey, label=label, theme=theme, keywords=keywords, actor=analyst
            )
            for slug, label, theme, keywords, _count, _phrasings in CHANGES
        }
        weights = [count for *_rest, count, _phrasings in CHANGES]
        coded = rng.choices([entry[0] for entry in CHANGES], weights=weights, k=answers - group)
        phrasings = {slug: phrasings for slug, *_rest, phrasings in CHANGES}
        texts: list[tuple[str | None, str]] = [
            (slug, rng.choice(phrasings[slug])) for slug in coded
        ]
        texts += [(None, GROUP_WORDING[number % len(GROUP_WORDING)]) for number in range(group)]
        responses = Response.objects.bulk_create(
            Response(
                survey=survey,
                submission_key=f"bench-coding-{number}",
                status=Response.Status.SUBMITTED,
                submitted_on=date(2020, 11, 1),
            )
            for number in range(len(texts))
        )
        question = Question.objects.get(page__survey=survey, code="change")
        stored = Answer.objects.bulk_create(
            Answer(response=response, question=question, value=text)
            for response, (_slug, text) in zip(responses, texts, strict=True)
        )
        for slug, code in codes.items():
            coding_services.answers_code_apply(
                answers=[a for a, (s, _) in zip(stored, texts, strict=True) if s == slug],
                codes=[code],
                actor=analyst,
            )
    return survey, question


def settle() -> None:
    """As bench_pages: statistics up to date, the loader's objects frozen out of the way."""
    import gc

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    gc.collect()
    gc.freeze()


def signed_in_client(email: str) -> Client:
    """As tests/conftest.py: a full session, as if the person passed password and code."""
    from django.test import Client

    from paqa.accounts.models import User
    from paqa.accounts.signin import LAST_SEEN, MFA_VERIFIED

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=email))
    session = client.session
    session[MFA_VERIFIED] = True
    session[LAST_SEEN] = time.time()
    session.save()
    return client


# Timing ---------------------------------------------------------------------------------------


def timed(request: Any, expect: int) -> tuple[float, int, Any]:
    """(milliseconds, queries, response) of one request, counting queries as they run."""
    from django.db import connection

    executed = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        start = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != expect:
        raise BenchmarkBroken(f"{response.status_code}, not {expect}")
    return elapsed, executed[0], response


def time_page(client: Client, name: str, path: str, args: argparse.Namespace) -> Figure:
    figure = Figure(name, [], [], TARGET_PAGE_P95_MS)
    for number in range(args.warmup + args.requests):
        elapsed, queries, response = timed(lambda: client.get(path), 200)
        if number >= args.warmup:
            figure.timings_ms.append(elapsed)
            figure.queries.append(queries)
    figure.detail = f"{len(response.content) // 1024} KB"
    return figure


def codes_off(question: Any, code: Any, pks: list[int]) -> None:
    """Take the code off these answers again (untimed), so each timed write does the same."""
    from paqa.accounts.models import User
    from paqa.surveys import coding_services
    from paqa.surveys.models import Answer

    coding_services.answers_code_remove(
        answers=list(Answer.objects.filter(pk__in=pks)),
        codes=[code],
        actor=User.objects.get(email=ANALYST),
    )


def time_writes(
    database: str, client: Client, survey: Any, question: Any, args: argparse.Namespace
) -> list[Figure]:
    from django.urls import reverse

    from paqa.surveys.models import AnswerCode, Code

    url = reverse("surveys:coding-question", args=[survey.pk, question.pk])
    code = Code.objects.get(survey=survey, slug="feedback-after-making-a-referral")

    # The page's largest group of similar answers, as its own form posts it.
    html = client.get(url).content.decode()
    found = GROUP_IDS.search(html)
    group = [int(pk) for pk in found.group(1).split(",")] if found else []
    if len(group) != args.group:
        raise BenchmarkBroken(f"the largest group has {len(group)} answers, not {args.group}")
    apply = Figure(f"apply a code to a group of {len(group)}", [], [], TARGET_GROUP_MS)
    for number in range(args.warmup + args.requests):
        elapsed, queries, _ = timed(
            lambda: client.post(
                url, {"action": "group", "answers": found.group(1), "codes": [code.pk]}
            ),
            302,
        )
        if AnswerCode.objects.filter(answer_id__in=group, code=code).count() != len(group):
            raise BenchmarkBroken("the group's answers were not all coded")
        if number >= args.warmup:
            apply.timings_ms.append(elapsed)
            apply.queries.append(queries)
        codes_off(question, code, group)
    log(database, f"{apply.name}: p95 {apply.percentile(0.95):.0f} ms")

    # One Save of a page of 100 answers not yet coded, each given the code.
    uncoded = client.get(url + "?show=uncoded").content.decode()
    shown = re.search(r'name="shown" value="([^"]*)"', uncoded)
    if shown is None:
        raise BenchmarkBroken("the coding page has no form")
    page = [int(part.split(":")[0]) for part in shown.group(1).split()]
    data: dict[str, Any] = {"action": "save", "shown": shown.group(1)}
    data.update({f"codes-{pk}": [code.pk] for pk in page})
    save = Figure(f"one Save of {len(page)} answers", [], [], None)
    for number in range(args.warmup + args.requests):
        elapsed, queries, _ = timed(lambda: client.post(url + "?show=uncoded", data), 302)
        if AnswerCode.objects.filter(answer_id__in=page, code=code).count() != len(page):
            raise BenchmarkBroken("the page's answers were not all coded")
        if number >= args.warmup:
            save.timings_ms.append(elapsed)
            save.queries.append(queries)
        codes_off(question, code, page)
    return [apply, save]


def run_database(args: argparse.Namespace) -> Report:
    database: str = args.database
    report = Report(database=database)
    started = time.perf_counter()
    context = (
        sqlite_database()
        if database == "sqlite"
        else postgres_database(args.postgres_url, POSTGRES_DATABASE)
    )
    try:
        with context as url:
            log(database, "migrating")
            report.server = django_setup(url, SETTINGS_MODULE)
            log(database, report.server)
            begun = time.perf_counter()
            survey, question = load_survey(args.answers, args.group)
            report.load_seconds = time.perf_counter() - begun
            settle()
            from django.urls import reverse

            from paqa.surveys.models import Code

            client = signed_in_client(ANALYST)
            page = reverse("surveys:coding-question", args=[survey.pk, question.pk])
            # The code suggested for the 500 answers not yet coded (by its keywords).
            feedback = Code.objects.get(survey=survey, slug="feedback-after-making-a-referral")
            for name, query in (
                (f"coding page, {args.answers} answers", ""),
                ("coding page, not yet coded", "?show=uncoded"),
                ("coding page, a code suggested", f"?suggestion={feedback.slug}"),
            ):
                figure = time_page(client, name, page + query, args)
                log(database, f"{name}: p95 {figure.percentile(0.95):.0f} ms")
                report.figures.append(figure)
            report.figures += time_writes(database, client, survey, question, args)
    except Skipped as skipped:
        report.skipped = str(skipped)
    report.total_seconds = time.perf_counter() - started
    return report


# The report -----------------------------------------------------------------------------------


def format_report(report: Report) -> list[str]:
    name = f"{report.database:<9}"
    if report.skipped:
        return [f"{name}skipped: {report.skipped}"]
    lines = [
        f"{name}{report.server}; data loaded in {report.load_seconds:.1f} s; whole run "
        f"{report.total_seconds:.0f} s"
    ]
    for figure in report.figures:
        p95 = figure.percentile(0.95)
        verdict = ""
        if figure.target_ms:
            met = p95 <= figure.target_ms
            verdict = (
                f"  (target p95 {figure.target_ms:.0f} ms: {p95 / figure.target_ms:.2f}x, "
                f"{'met' if met else 'MISSED'})"
            )
        detail = f"  {figure.detail}" if figure.detail else ""
        lines.append(
            f"{name}{figure.name:<36} p50 {figure.percentile(0.5):5.0f} ms  p95 {p95:5.0f} ms  "
            f"max {max(figure.timings_ms):5.0f} ms  queries {figure.query_text}{detail}{verdict}"
        )
    return lines


def print_report(reports: list[Report]) -> None:
    print()
    print(
        f"PAQA coding at speed: Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        "wall time per request through Django's test client, and the SQL queries of each"
    )
    for report in reports:
        for line in format_report(report):
            print(line)


def passed_on(args: argparse.Namespace) -> list[str]:
    return [
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--answers",
        str(args.answers),
        "--group",
        str(args.group),
        "--postgres-url",
        args.postgres_url,
    ]


def run_all(args: argparse.Namespace) -> int:
    """Each database in a process of its own, one after the other; then one table."""
    written, failed = results_per_database(
        str(Path(__file__).resolve()), DATABASES, passed_on(args), "paqa-bench-coding-"
    )
    print_report([Report.from_json(text) for text in written])
    for failure in failed:
        print(failure)
    return 1 if failed else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, postgres_database=POSTGRES_DATABASE)
    parser.add_argument("--requests", type=int, default=20, help="timed requests of each kind")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests of each first")
    parser.add_argument("--answers", type=int, default=ANSWERS, help="answers to the question")
    parser.add_argument("--group", type=int, default=GROUP, help="of them, alike, not coded")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main(
        args,
        run_all=run_all,
        run_database=run_database,
        show=lambda reports: print_report(reports),
    )


if __name__ == "__main__":
    sys.exit(main())
