"""Every signed-in page the demo's people reach from the menu, timed at 1x and 10x the demo.

    .venv/bin/python bench/bench_pages.py                        # SQLite, then PostgreSQL
    .venv/bin/python bench/bench_pages.py --database sqlite      # one database only
    .venv/bin/python bench/bench_pages.py --scales 1 --requests 5 --only themes   # quicker

Each database runs in a process of its own against a throwaway database (bench/databases.py):
the demonstration partnership is loaded (`demo_everything_load`), and every page each demo
person reaches from the menu (the menu's pages and the pages they link to, two clicks deep) is
found by following links as a person would. Each page is then timed through Django's test
client, signed in as each person who reaches it: warm-up requests first, then timed ones, with
the SQL queries of every request. The partnership is then scaled to 10 times the demo
(`paqa demo --scale 10`: `demo_scale_load`) and the same pages are timed again.

Targets (issue 15): p95 at most 150 ms at 1x and 300 ms at 10x, and the same number of queries
at 1x and 10x. A missed target is reported, never a failure. A broken benchmark (a page that is
not a 200, a person who reaches no page) exits non-zero. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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

POSTGRES_DATABASE = "paqa_bench_pages"
SETTINGS_MODULE = "paqa.settings.test"
DEFAULT_SEED = 2019
TARGET_P95_MS = {1: 150.0, 10: 300.0}
# Pages a person is always shown to have reached, whatever the menu links to (issue 15 names
# them): the report draft, the themes pages and the survey results.
NAMED_ROUTES = ("reports:draft", "themes:overview", "themes:theme", "surveys:results")
REFERENCE_YEAR = "2018-19"
CRAWL_DEPTH = 2
LINK = re.compile(r'href="(/[^"#]*)"')
# Not pages to time: files, signing out, the API, static files.
NOT_A_PAGE = re.compile(
    r"(^/static/|^/api/|sign-out|/download|/export|\.(csv|xlsx|pdf|docx|html|svg|png|json)$)"
)


@dataclass
class PageFigure(Timed):
    route: str
    person: str
    path: str
    scale: int
    timings_ms: list[float]
    queries: list[int]


@dataclass
class Report:
    database: str
    server: str = ""
    skipped: str = ""
    load_seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    pages: list[PageFigure] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        data["pages"] = [PageFigure(**figure) for figure in data["pages"]]
        return cls(**data)


def log(database: str, message: str) -> None:
    print(f"[{database}] {message}", file=sys.stderr, flush=True)


# People and their pages ---------------------------------------------------------------------


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


def route_of(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def menu_paths(client: Client) -> list[str]:
    """The menu's links, as the home page shows them to the person."""
    html = client.get("/").content.decode()
    navigation = html.split('class="govuk-service-navigation__list"', 1)[-1].split("</ul>", 1)[0]
    return list(dict.fromkeys(LINK.findall(navigation)))


def pages_reached(client: Client) -> dict[str, str]:
    """route -> the first path of that route the person reaches from the menu (following
    links CRAWL_DEPTH clicks deep), pages that answer 200 with HTML only."""
    reached: dict[str, str] = {}
    seen: set[str] = set()
    frontier = menu_paths(client)
    for _depth in range(CRAWL_DEPTH + 1):
        following: list[str] = []
        for path in frontier:
            if path in seen or NOT_A_PAGE.search(path):
                continue
            seen.add(path)
            route = route_of(path)
            if route is None:
                continue
            response = client.get(path, follow=True)
            final = response.request["PATH_INFO"]
            content_type = response.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith("text/html"):
                continue
            reached.setdefault(route_of(final) or route, final)
            following.extend(LINK.findall(response.content.decode()))
        frontier = list(dict.fromkeys(following))
    return reached


# Timing ---------------------------------------------------------------------------------------


def time_page(
    client: Client, path: str, *, warmup: int, requests: int
) -> tuple[list[float], list[int]]:
    from django.db import connection

    executed = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed[0] += 1
        return execute(sql, params, many, context)

    def get() -> tuple[float, int]:
        # Counted as they run (Django's own query log stops growing at 9,000 entries).
        executed[0] = 0
        with connection.execute_wrapper(counted):
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise BenchmarkBroken(f"GET {path}: {response.status_code}, not 200")
        return elapsed * 1000, executed[0]

    for _ in range(warmup):
        get()
    timings, counts = [], []
    for _ in range(requests):
        elapsed_ms, count = get()
        timings.append(elapsed_ms)
        counts.append(count)
    return timings, counts


def time_everything(
    database: str,
    plan: list[tuple[str, str, str]],
    scale: int,
    args: argparse.Namespace,
) -> list[PageFigure]:
    figures = []
    clients: dict[str, Client] = {}
    for route, person, path in plan:
        client = clients.setdefault(person, signed_in_client(person))
        timings, queries = time_page(client, path, warmup=args.warmup, requests=args.requests)
        figure = PageFigure(route, person, path, scale, timings, queries)
        log(
            database,
            f"{scale}x {route:<34} {person:<26} p50 {figure.percentile(0.5):6.0f} ms  "
            f"p95 {figure.percentile(0.95):6.0f} ms  queries {figure.query_text}",
        )
        figures.append(figure)
    return figures


def heaviest_instances() -> dict[str, tuple[str, str]]:
    """route -> (what it is, path) of the instance of a page with the most behind it, timed as
    well as the one the menu leads to first: the reference year's practitioner survey (1,003
    responses in the demo), its report draft and its themes."""
    from django.urls import reverse

    from paqa.surveys.models import Survey

    survey = Survey.objects.filter(series="practitioner-survey", year=REFERENCE_YEAR).first()
    instances = {
        "reports:draft": ("2018-19", reverse("reports:draft", args=[REFERENCE_YEAR])),
        "themes:overview": ("2018-19", reverse("themes:overview", args=[REFERENCE_YEAR])),
        "themes:theme": (
            "2018-19, information sharing",
            reverse("themes:theme", args=[REFERENCE_YEAR, "information-sharing"]),
        ),
    }
    if survey is not None:
        instances["surveys:results"] = (
            "2018-19 practitioner survey",
            reverse("surveys:results", args=[survey.pk]),
        )
    return instances


def page_plan(database: str, args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(route, person, path) for every page each demo person reaches from the menu."""
    from paqa.partnership.demo import DEMO_PEOPLE

    plan = []
    heaviest = heaviest_instances()
    for person in DEMO_PEOPLE:
        reached = pages_reached(signed_in_client(person.email))
        if not reached:
            raise BenchmarkBroken(f"{person.email} reaches no page from the menu")
        for route, path in sorted(reached.items()):
            if args.only and not any(word in route for word in args.only):
                continue
            plan.append((route, person.email, path))
            named, heaviest_path = heaviest.get(route, ("", path))
            if heaviest_path != path:
                plan.append((f"{route} ({named})", person.email, heaviest_path))
    log(database, f"{len(plan)} pages of {len({r for r, _, _ in plan})} kinds to time")
    return plan


def profile_page(args: argparse.Namespace, plan: list[tuple[str, str, str]]) -> None:
    route, person, path = next(entry for entry in plan if entry[0] == args.profile)
    client = signed_in_client(person)
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(path)
    profiler.disable()
    print(f"cProfile of {args.requests} requests for {path} ({route}, {person})")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)


def settle() -> None:
    """After loading: the database's statistics brought up to date (as autovacuum and
    ANALYZE would have on a server that has been running), and the objects the loading left
    in this process frozen out of the garbage collector's way, as in a web worker, which never
    holds them."""
    import gc

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    gc.collect()
    gc.freeze()


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
            from paqa.demo.loader import demo_everything_load

            begun = time.perf_counter()
            demo_everything_load()
            report.load_seconds["1"] = time.perf_counter() - begun
            settle()
            plan = page_plan(database, args)
            loaded = 1
            for scale in args.scales:
                if scale != loaded:
                    from paqa.demo.scale import demo_scale_load

                    log(database, f"scaling the demo to {scale}x")
                    begun = time.perf_counter()
                    demo_scale_load(scale=scale, seed=args.seed)
                    report.load_seconds[str(scale)] = time.perf_counter() - begun
                    loaded = scale
                    settle()
                if args.profile and scale == args.scales[-1]:
                    profile_page(args, plan)
                report.pages += time_everything(database, plan, scale, args)
    except Skipped as skipped:
        report.skipped = str(skipped)
    report.total_seconds = time.perf_counter() - started
    return report


# The report -----------------------------------------------------------------------------------


def format_report(report: Report, scales: list[int]) -> list[str]:
    name = f"{report.database:<9}"
    if report.skipped:
        return [f"{name}skipped: {report.skipped}"]
    loads = ", ".join(f"{scale}x {seconds:.0f} s" for scale, seconds in report.load_seconds.items())
    lines = [f"{name}{report.server}; demo loaded: {loads}; whole run {report.total_seconds:.0f} s"]
    by_page = {(page.route, page.person, page.scale): page for page in report.pages}
    missed = 0
    growing = 0
    for route, person in dict.fromkeys((page.route, page.person) for page in report.pages):
        cells = []
        counts = []
        for scale in scales:
            page = by_page.get((route, person, scale))
            if page is None:
                continue
            target = TARGET_P95_MS.get(scale)
            p95 = page.percentile(0.95)
            verdict = ""
            if target:
                met = p95 <= target
                missed += not met
                verdict = f" {p95 / target:.2f}x{'' if met else ' MISSED'}"
            cells.append(
                f"{scale}x p50 {page.percentile(0.5):4.0f} p95 {p95:4.0f} ms{verdict} "
                f"q {page.query_text}"
            )
            counts.append(page.queries)
        same = ""
        if len(counts) > 1:
            steady = max(max(c) for c in counts) == min(min(c) for c in counts)
            growing += not steady
            same = "  queries same" if steady else "  QUERIES GROW"
        lines.append(f"{name}{route:<32} {person:<27}" + " | ".join(cells) + same)
    targets = ", ".join(f"{scale}x p95 <= {TARGET_P95_MS[scale]:.0f} ms" for scale in scales)
    lines.append(
        f"{name}{len(by_page)} timings; targets {targets}: {missed} missed; "
        f"query counts that grow with the data: {growing}"
    )
    return lines


def print_report(reports: list[Report], scales: list[int]) -> None:
    print()
    print(
        f"PAQA pages: Python {platform.python_version()}, {os.cpu_count()} CPUs; each line is "
        "a page as one person sees it: p50 and p95 in ms, the ratio p95 / target (below 1 "
        "meets it) and the SQL queries per request"
    )
    for report in reports:
        for line in format_report(report, scales):
            print(line)


def passed_on(args: argparse.Namespace) -> list[str]:
    options = [
        "--requests",
        str(args.requests),
        "--warmup",
        str(args.warmup),
        "--scales",
        ",".join(str(scale) for scale in args.scales),
        "--seed",
        str(args.seed),
        "--postgres-url",
        args.postgres_url,
    ]
    if args.only:
        options += ["--only", ",".join(args.only)]
    return options


def run_all(args: argparse.Namespace) -> int:
    """Each database in a process of its own, one after the other; then one table."""
    written, failed = results_per_database(
        str(Path(__file__).resolve()), DATABASES, passed_on(args), "paqa-bench-pages-"
    )
    reports = [Report.from_json(text) for text in written]
    print_report(reports, args.scales)
    for failure in failed:
        print(failure)
    return 1 if failed else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, postgres_database=POSTGRES_DATABASE)
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first")
    parser.add_argument(
        "--scales",
        type=lambda text: [int(scale) for scale in text.split(",")],
        default=[1, 10],
        help="the sizes to time, in order (default 1,10)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the scale generator's")
    parser.add_argument(
        "--only",
        type=lambda text: [word for word in text.split(",") if word],
        default=[],
        help="only routes whose name contains one of these words (e.g. themes,reports)",
    )
    parser.add_argument("--profile", help="print a cProfile of this route at the last scale")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main(
        args,
        run_all=run_all,
        run_database=run_database,
        show=lambda reports: print_report(reports, args.scales),
    )


if __name__ == "__main__":
    sys.exit(main())
