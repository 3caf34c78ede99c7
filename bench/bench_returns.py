"""Benchmark for the statutory returns: parse and compute a 100,000-child CIN census and a
10,000-child SSDA903 return, generated with known answers.

    .venv/bin/python bench/bench_returns.py                       # ~4-6 min on 2 cores
    .venv/bin/python bench/bench_returns.py --cin-children 20000 --tracemalloc
    .venv/bin/python bench/bench_returns.py --profile cin         # cProfile the CIN step
    .venv/bin/python bench/bench_returns.py --database sqlite     # the loads on SQLite only
    .venv/bin/python bench/bench_returns.py --no-load             # parse and compute only

The returns are written by paqa.returns.synthetic (seeded; not timed) into a temporary directory,
in a child process: a CIN census of --cin-children children with the previous year's census of
the same children, and an SSDA903 return of --ssda903-children children as CSV tables and as
XML. Each measurement then runs in a fresh child process of this script, so that its peak RSS
(`ru_maxrss`) is the step's alone; the parent stays small (Linux starts a new program's
`ru_maxrss` at its parent's peak, so the children's own high-water mark, VmHWM, is compared):

    cin          parse the census (parse_cin_xml), then compute every CIN indicator
    cin+history  the same with the previous year's census parsed too, and the indicators that
                 look back (repeat plans, re-referrals) computed with it
    903-csv      parse the SSDA903 CSV tables, then compute the looked-after indicators
    903-xml      the same from the XML form

Parse and compute are timed separately. Every computed figure must equal the generator's known
answer (count, numerator, denominator, percentage and the children behind it), and the files
must parse without a problem: otherwise the benchmark is broken (exit 1). The CIN step is
compared with its targets (100,000 children: under 30 s for parse and compute, under 1 GB peak
memory); a missed target is reported, never a failure.

Then the whole load as a user runs it, through the database: `return_load` (read, check, store
the children's records, compute, write the figures as observations, in one transaction), each
in a fresh process of its own on a freshly migrated database with the partnership set up (its
home area and the core indicator pack, so the figures are written as observations; not timed):

    load-cin      the CIN census
    load-903-csv  the SSDA903 CSV tables, for the generated collection year

on a temporary SQLite file, then on the database paqa_bench_returns of the PostgreSQL server at
--postgres-url (created and dropped; no server there: skipped, with a note). The stored figures
(ComputedFigure) must equal the known answers and every child be stored (ReturnChild), or the
benchmark is broken. The 100,000-child census load is compared with a target of 60 s: ours, for
the load through the database (the issue's 30 s is for parse and compute). See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from databases import Skipped, django_setup, postgres_database, sqlite_database

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

KEY = b"bench installation key"
YEAR = 2019
TARGET_CIN_CHILDREN = 100_000
TARGET_CIN_SECONDS = 30.0
TARGET_PEAK_BYTES = 10**9  # 1 GB
STEPS = ("cin", "cin+history", "903-csv", "903-xml")
CHILD_TIMEOUT_S = 1800

# Loading through the database (return_load), as bench_indicators.py sets the databases up.
LOAD_STEPS = ("load-cin", "load-903-csv")
DATABASES = ("sqlite", "postgres")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "paqa_bench_returns"
SETTINGS_MODULE = "paqa.settings.test"
HOME_AREA = ("E10000025", "Oxfordshire")
TARGET_LOAD_SECONDS = 60.0  # ours, for the 100,000-child census: the 30 s is parse+compute
# The codes return_load stores its figures under (paqa.returns.figures) and the names of the
# generator's known answers. A census load looks back only into censuses already loaded (none
# here) and counts assessments from their start, so the answers without history are the ones.
# A code renamed in paqa.returns.figures shows as a mismatch (the stored codes are compared).
CATEGORY_NAMES = {
    "NEG": "neglect",
    "PHY": "physical",
    "SAB": "sexual",
    "EMO": "emotional",
    "MUL": "multiple",
}
CIN_CODES = {
    "cp-plans": "on a plan at 31 March",
    **{f"cp-plans-{name}": f"initial category {code}" for code, name in CATEGORY_NAMES.items()},
    **{
        f"cp-plans-latest-{name}": f"latest category {code}"
        for code, name in CATEGORY_NAMES.items()
    },
    "cp-second-or-subsequent": "second or subsequent plan (ever)",
    "cp-second-within-two-years": "repeat plan within two years",
    "cp-plans-two-years": "plans ended in the year lasting 2+ years",
    "re-referrals-12-months": "re-referrals within 12 months",
    "assessments-45-days": "assessments within 45 working days",
    "s47-enquiries": "section 47 enquiries started",
    "icpc-within-15-days": "ICPCs within 15 working days",
}
LAC_CODES = {
    "cla": "looked after at 31 March",
    "cla-missing": "missing (M) at least once",
    "cla-away": "away without authorisation (A) at least once",
    "cla-missing-three-times": "missing (M) 3 or more times",
}


class BenchmarkBroken(Exception):
    """The benchmark did not measure what it claims to: fail loudly."""


def log(message: str) -> None:
    print(f"[returns] {message}", file=sys.stderr, flush=True)


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def own_peak_rss_kib() -> int | None:
    """VmHWM: this program's own high-water mark, not carried across exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


# Generating (a child process; not timed against any target) -------------------------------


@dataclass
class Generated:
    seconds_cin: float
    seconds_903: float
    cin_children: int
    previous_children: int
    ssda903_children: int
    episodes: int
    missing: int
    sizes: dict[str, int]


def known_json(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {
            "numerator": answer.numerator,
            "denominator": answer.denominator,
            "value": answer.value,
            "children": sorted(answer.children),
        }
        for name, answer in figures.items()
    }


def generate(directory: Path, cin_children: int, ssda903_children: int, seed: int) -> Generated:
    from paqa.returns.synthetic import generate_903, generate_cin

    started = time.perf_counter()
    cin = generate_cin(
        directory / "cin.xml",
        children=cin_children,
        year_ends=YEAR,
        seed=seed,
        previous=directory / "cin-previous.xml",
    )
    seconds_cin = time.perf_counter() - started
    started = time.perf_counter()
    lac = generate_903(
        directory / "ssda903", children=ssda903_children, year_ends=YEAR, seed=seed, xml=True
    )
    seconds_903 = time.perf_counter() - started
    (directory / "known-cin.json").write_text(json.dumps(known_json(cin.figures())))
    known_903 = known_json(lac.figures())
    (directory / "known-903.json").write_text(json.dumps(known_903))
    files = [directory / "cin.xml", directory / "cin-previous.xml", *lac.files]
    return Generated(
        seconds_cin,
        seconds_903,
        cin.children,
        cin.previous_children,
        lac.children,
        lac.rows["Episodes"],
        lac.rows["Missing"],
        {path.name: path.stat().st_size for path in files},
    )


# One step, in a process of its own -----------------------------------------------------------


@dataclass
class Step:
    name: str
    parse_seconds: float = 0.0
    compute_seconds: float = 0.0
    rss_before_kib: int = 0  # after the imports, before parsing
    rss_after_parse_kib: int = 0
    rss_after_compute_kib: int = 0
    own_peak_kib: int | None = None
    python_peak_bytes: int | None = None  # tracemalloc, in another process
    records: int = 0  # children (CIN) or episodes (SSDA903) parsed
    history_records: int = 0  # children in the previous year's census (cin+history)
    figures_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.parse_seconds + self.compute_seconds


def cin_figures(children: list[Any], history: list[Any] | None) -> dict[str, Any]:
    """Every CIN figure as compute gives it, named as KnownCIN.figures names them; with
    `history`, the look-back figures too."""
    from paqa.returns import compute
    from paqa.returns.compute import Year

    year = Year(YEAR)
    figures: dict[str, Any] = {"on a plan at 31 March": compute.on_plan_at(children, year.end)}
    for latest, label in ((False, "initial"), (True, "latest")):
        by_category = compute.plans_by_category(children, year.end, latest=latest)
        figures.update({f"{label} category {code}": f for code, f in by_category.items()})
    ever, within = compute.second_or_subsequent(children, year)
    figures["second or subsequent plan (ever)"] = ever
    figures["repeat plan within two years"] = within
    figures["plans ended in the year lasting 2+ years"] = compute.plans_ended_lasting_two_years(
        children, year
    )
    figures["re-referrals within 12 months"] = compute.re_referrals(children, year)
    figures["assessments within 45 working days"] = compute.assessments_on_time(children, year)
    figures["assessments within 45 working days of referral"] = compute.assessments_on_time(
        children, year, from_referral=True
    )
    enquiries, conferences = compute.conferences_on_time(children, year)
    figures["section 47 enquiries started"] = enquiries
    figures["ICPCs within 15 working days"] = conferences
    if history is not None:
        ever, within = compute.second_or_subsequent(children, year, history=history)
        figures["second or subsequent plan (ever), with previous year"] = ever
        figures["repeat plan within two years, with previous year"] = within
        figures["re-referrals within 12 months, with previous year"] = compute.re_referrals(
            children, year, history=history
        )
    return figures


def lac_figures(parsed: Any) -> dict[str, Any]:
    from paqa.returns import compute
    from paqa.returns.compute import Figure, Year

    year = Year(YEAR)
    during = compute.looked_after_during(parsed.episodes, year)
    return {
        "looked after at 31 March": compute.looked_after_at(parsed.episodes, year.end),
        "looked after during the year": Figure(len(during), during),
        "missing (M) at least once": compute.missing(parsed.missing, year),
        "missing (M) 3 or more times": compute.missing(parsed.missing, year, at_least=3),
        "away without authorisation (A) at least once": compute.missing(
            parsed.missing, year, kind="A"
        ),
        "away without authorisation (A) 3 or more times": compute.missing(
            parsed.missing, year, kind="A", at_least=3
        ),
    }


def check_figures(step: Step, computed: dict[str, Any], known_path: Path) -> None:
    """Each computed figure against the known answer: count or numerator, denominator and
    percentage, and the children (the known identifiers made pseudonyms)."""
    from paqa.returns.records import pseudonym

    known = json.loads(known_path.read_text())
    for name, figure in computed.items():
        answer = known[name]
        if answer["denominator"] is None:
            same = figure.value == answer["numerator"]
        else:
            same = (figure.numerator, figure.denominator, figure.value) == (
                answer["numerator"],
                answer["denominator"],
                answer["value"],
            )
        children = {pseudonym(child, KEY) for child in answer["children"]}
        if not same or figure.children != children:
            step.mismatches.append(
                f"{name}: computed {figure.numerator}/{figure.denominator} = {figure.value} "
                f"({len(figure.children)} children), known {answer['numerator']}/"
                f"{answer['denominator']} = {answer['value']} ({len(children)} children)"
            )
        step.figures_checked += 1


def run_step(name: str, directory: Path, *, trace: bool, profile: bool) -> Step:
    from paqa.returns import compute  # noqa: F401 - imported before the first measure
    from paqa.returns.parsing import parse_903_csv, parse_903_xml, parse_cin_xml

    step = Step(name)
    step.rss_before_kib = peak_rss_kib()
    profiler = None
    if trace:
        import tracemalloc

        tracemalloc.start()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()

    started = time.perf_counter()
    history = None
    if name.startswith("cin"):
        with (directory / "cin.xml").open("rb") as stream:
            parsed = parse_cin_xml(stream, KEY)
        problems = list(parsed.problems)
        if name == "cin+history":
            with (directory / "cin-previous.xml").open("rb") as stream:
                previous = parse_cin_xml(stream, KEY)
            problems += previous.problems
            history = previous.children
            step.history_records = len(history)
        step.records = len(parsed.children)
    elif name == "903-csv":
        tables = sorted((directory / "ssda903").glob("*.csv"))
        streams = [(path.name, path.open("rb")) for path in tables]
        try:
            parsed_903 = parse_903_csv(streams, KEY)
        finally:
            for _, stream in streams:
                stream.close()
        problems = list(parsed_903.problems)
        step.records = len(parsed_903.episodes)
    else:
        with (directory / "ssda903" / "ssda903.xml").open("rb") as stream:
            parsed_903 = parse_903_xml(stream, KEY)
        problems = list(parsed_903.problems)
        step.records = len(parsed_903.episodes)
    step.parse_seconds = time.perf_counter() - started
    step.rss_after_parse_kib = peak_rss_kib()

    started = time.perf_counter()
    if name.startswith("cin"):
        computed = cin_figures(parsed.children, history)
    else:
        computed = lac_figures(parsed_903)
    step.compute_seconds = time.perf_counter() - started
    step.rss_after_compute_kib = peak_rss_kib()
    step.own_peak_kib = own_peak_rss_kib()

    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    if trace:
        import tracemalloc

        step.python_peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    step.problems = [str(problem) for problem in problems[:10]]
    known = "known-cin.json" if name.startswith("cin") else "known-903.json"
    check_figures(step, computed, directory / known)
    return step


# Loading through the database, in a process of its own -----------------------------------------


@dataclass
class LoadStep:
    name: str
    database: str
    server: str = ""
    skipped: str = ""
    setup_seconds: float = 0.0  # migrate, the partnership and the indicator pack: not timed
    seconds: float = 0.0  # return_load, the whole of it
    parse_seconds: float = 0.0  # of which reading and checking the files
    compute_seconds: float = 0.0  # of which computing the figures
    rss_before_kib: int = 0  # Django set up and the database migrated, before the load
    rss_after_kib: int = 0
    own_peak_kib: int | None = None
    children_read: int = 0
    children_stored: int = 0  # ReturnChild rows
    observations: dict[str, int] = field(default_factory=dict)  # created, changed, unchanged
    database_bytes: int = 0
    figures_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def store_seconds(self) -> float:
        """The rest: the rows' JSON, the inserts, the figures, the observations, the commit."""
        return self.seconds - self.parse_seconds - self.compute_seconds


def partnership_setup() -> None:
    """The partnership, its home area and the core indicator pack: the figures of a load are
    then written as observations of that area, as in an installation."""
    from paqa.core.models import Area
    from paqa.indicators.services import indicator_pack_load
    from paqa.partnership.models import Partnership
    from paqa.partnership.selectors import partnership_current

    code, name = HOME_AREA
    home, _ = Area.objects.get_or_create(
        code=code, defaults={"name": name, "kind": Area.Kind.LOCAL_AUTHORITY}
    )
    partnership = Partnership.objects.create(
        name="Benchmark Safeguarding Children Partnership", short_name="BSCP", home_area=home
    )
    indicator_pack_load(partnership=partnership)
    if partnership_current() != partnership:
        raise BenchmarkBroken("the benchmark's partnership is not the installation's")


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # the WAL's committed pages count
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages * cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def timed_into(phases: dict[str, float], phase: str, function: Callable[..., Any]) -> Any:
    """`function`, adding the time of each call to phases[phase] (called once a load)."""

    def timed_function(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[phase] += time.perf_counter() - started

    return timed_function


def check_stored_figures(step: LoadStep, statutory_return: Any, known_path: Path) -> None:
    """The stored figures (ComputedFigure) against the known answers, as check_figures does:
    count or numerator, denominator and percentage, and the children (pseudonyms made with the
    installation's key, as return_load makes them)."""
    from paqa.returns.models import ComputedFigure
    from paqa.returns.records import pseudonym
    from paqa.returns.services import pseudonym_key

    codes = CIN_CODES if step.name == "load-cin" else LAC_CODES
    known = json.loads(known_path.read_text())
    key = pseudonym_key()
    stored = {
        figure.code: figure
        for figure in ComputedFigure.objects.filter(statutory_return=statutory_return)
    }
    if set(stored) != set(codes):
        step.mismatches.append(
            f"stored figures {sorted(stored)}, expected {sorted(codes)} (a code renamed?)"
        )
    for code, name in codes.items():
        figure = stored.get(code)
        if figure is None:
            continue
        answer = known[name]
        if answer["denominator"] is None:
            same = figure.value == answer["numerator"]
        else:
            same = (figure.numerator, figure.denominator, figure.value) == (
                answer["numerator"],
                answer["denominator"],
                Decimal(str(answer["value"])),
            )
        children = {pseudonym(child, key) for child in answer["children"]}
        if not same or set(figure.children) != children:
            step.mismatches.append(
                f"{code} ({name}): stored {figure.numerator}/{figure.denominator} = "
                f"{figure.value} ({len(figure.children)} children), known "
                f"{answer['numerator']}/{answer['denominator']} = {answer['value']} "
                f"({len(children)} children)"
            )
        step.figures_checked += 1


def measure_load(step: LoadStep, directory: Path, *, profile: bool) -> None:
    """return_load on the generated files, timed as a whole; parse and compute are timed inside
    it by wrapping services._parse and services._compute (called once each)."""
    from unittest import mock

    from paqa.indicators.models import Observation
    from paqa.returns import services
    from paqa.returns.models import ReturnChild

    if step.name == "load-cin":
        paths, year, known = [directory / "cin.xml"], None, "known-cin.json"
    else:
        paths = sorted((directory / "ssda903").glob("*.csv"))
        year, known = YEAR, "known-903.json"
    phases = {"parse": 0.0, "compute": 0.0}
    files = [(path.name, path.open("rb")) for path in paths]
    step.rss_before_kib = peak_rss_kib()
    profiler = cProfile.Profile() if profile else None
    try:
        with (
            mock.patch.object(services, "_parse", timed_into(phases, "parse", services._parse)),
            mock.patch.object(
                services, "_compute", timed_into(phases, "compute", services._compute)
            ),
        ):
            if profiler is not None:
                profiler.enable()
            started = time.perf_counter()
            loaded = services.return_load(files=files, actor=None, year=year)
            step.seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.disable()
    finally:
        for _, stream in files:
            stream.close()
    step.rss_after_kib = peak_rss_kib()
    step.own_peak_kib = own_peak_rss_kib()
    step.parse_seconds, step.compute_seconds = phases["parse"], phases["compute"]
    if profiler is not None:
        import pstats

        for order in ("tottime", "cumulative"):
            print(f"\n[returns] {step.name} on {step.database}, by {order}:", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(25)

    step.problems = [str(problem) for problem in loaded.problems[:10]]
    if not loaded.ok:
        return
    stored = loaded.statutory_return
    if stored is None or loaded.observations is None:
        raise BenchmarkBroken(f"{step.name}: nothing stored, or no observations written")
    step.children_read = loaded.children
    step.children_stored = ReturnChild.objects.filter(statutory_return=stored).count()
    step.observations = asdict(loaded.observations)
    written = Observation.objects.count()  # a fresh database: all of them are this load's
    if not loaded.observations.created or loaded.observations.created != written:
        step.mismatches.append(
            f"observations: {step.observations} reported, {written} in the database"
        )
    if step.children_stored != step.children_read:
        step.mismatches.append(
            f"{step.children_stored:,} children stored of {step.children_read:,} read"
        )
    check_stored_figures(step, stored, directory / known)
    step.database_bytes = database_bytes()


def run_load(
    name: str, database: str, directory: Path, postgres_url: str, *, profile: bool
) -> LoadStep:
    step = LoadStep(name, database)
    context = (
        sqlite_database("paqa-bench-returns-")
        if database == "sqlite"
        else postgres_database(postgres_url, POSTGRES_DATABASE)
    )
    try:
        with context as url:
            started = time.perf_counter()
            step.server = django_setup(url, SETTINGS_MODULE)
            partnership_setup()
            step.setup_seconds = time.perf_counter() - started
            measure_load(step, directory, profile=profile)
    except Skipped as skipped:
        step.skipped = str(skipped)
    return step


# The parent ----------------------------------------------------------------------------------


def spawn(options: list[str], results: Path, what: str) -> str:
    command = [sys.executable, str(Path(__file__).resolve()), *options, "--results", str(results)]
    started = time.perf_counter()
    finished = subprocess.run(  # noqa: S603 - our own script
        command, cwd=PROJECT_DIR, check=False, timeout=CHILD_TIMEOUT_S
    )
    if finished.returncode != 0 or not results.exists():
        raise BenchmarkBroken(f"{what} failed (exit {finished.returncode})")
    log(f"{what}: {time.perf_counter() - started:.1f} s in its process")
    return results.read_text()


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def print_table(
    generated: Generated,
    steps: list[Step],
    load: float,
    total: float,
    loads: list[LoadStep] | None = None,
) -> None:
    sizes = generated.sizes
    csv_bytes = sum(size for name, size in sizes.items() if name.endswith(".csv"))
    print()
    print(
        f"PAQA statutory returns benchmark: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load:.2f} before the run; whole run {total:.0f} s"
    )
    print(
        f"{'generated':<12} CIN census {generated.cin_children:,} children "
        f"({sizes['cin.xml'] / 1e6:,.1f} MB), the previous year's "
        f"{generated.previous_children:,} ({sizes['cin-previous.xml'] / 1e6:,.1f} MB): "
        f"{generated.seconds_cin:.1f} s"
    )
    print(
        f"{'':<12} SSDA903 {generated.ssda903_children:,} children, {generated.episodes:,} "
        f"episodes, {generated.missing:,} missing incidents (CSV {csv_bytes / 1e6:.1f} MB, XML "
        f"{sizes['ssda903.xml'] / 1e6:.1f} MB): {generated.seconds_903:.1f} s (not timed)"
    )
    for step in steps:
        if step.name.startswith("cin"):
            records = f"{step.records:,} children"
            if step.history_records:
                records += f" + {step.history_records:,} the year before"
        else:
            records = f"{step.records:,} episodes"
        print(
            f"{step.name:<12} parse {step.parse_seconds:6.2f} s  compute "
            f"{step.compute_seconds:6.2f} s  total {step.seconds:6.2f} s  ({records})"
        )
        grew = step.rss_after_compute_kib - step.rss_before_kib
        print(
            f"{'':<12} peak RSS {mib(step.rss_after_compute_kib)} (imports "
            f"{mib(step.rss_before_kib)}, after parsing {mib(step.rss_after_parse_kib)}; "
            f"+{mib(grew)} for the step); {step.figures_checked} figures = the known answers"
        )
        if step.own_peak_kib and abs(step.own_peak_kib - step.rss_after_compute_kib) > (
            step.rss_after_compute_kib / 20
        ):
            print(f"{'':<12} NOT the step's own: its VmHWM is {mib(step.own_peak_kib)}")
        if step.python_peak_bytes is not None:
            print(
                f"{'':<12} Python peak (tracemalloc, another process): "
                f"{step.python_peak_bytes / 2**20:,.0f} MiB"
            )
    for step in steps:
        if not step.name.startswith("cin"):
            continue
        if step.records != TARGET_CIN_CHILDREN:
            print(
                f"{step.name}: the targets are for {TARGET_CIN_CHILDREN:,} children (this run: "
                f"{step.records:,}); run without --cin-children to compare"
            )
            continue
        time_ratio = step.seconds / TARGET_CIN_SECONDS
        peak = step.rss_after_compute_kib * 1024
        memory_ratio = peak / TARGET_PEAK_BYTES
        print(
            f"{step.name}, {step.records:,} children: {step.seconds:.1f} s (target "
            f"{TARGET_CIN_SECONDS:.0f} s): ratio {time_ratio:.2f}, "
            f"{'met' if time_ratio <= 1 else 'MISSED'}; peak RSS {peak / 1e6:,.0f} MB (target "
            f"1 GB): ratio {memory_ratio:.2f}, {'met' if memory_ratio <= 1 else 'MISSED'}"
        )
    if loads:
        print_loads(loads)


def print_loads(loads: list[LoadStep]) -> None:
    """The loads through the database: lines after the parse-and-compute table."""
    print(
        "Loads through the database: paqa.returns.services.return_load (read, check, store, "
        "compute, write the observations; one transaction) on a freshly migrated database each"
    )
    for step in loads:
        name = f"{step.name:<12} {step.database:<8}"
        if step.skipped:
            print(f"{name} skipped: {step.skipped}")
            continue
        unit = "children (CIN census)" if step.name == "load-cin" else "children (SSDA903 CSV)"
        print(
            f"{name} return_load {step.seconds:6.2f} s = parse {step.parse_seconds:.2f} + "
            f"compute {step.compute_seconds:.2f} + store and write {step.store_seconds:.2f} s; "
            f"{step.children_stored:,} {unit} stored (ReturnChild rows)"
        )
        observations = step.observations
        print(
            f"{'':<21} peak RSS {mib(step.rss_after_kib)} (set up {mib(step.rss_before_kib)}; "
            f"+{mib(step.rss_after_kib - step.rss_before_kib)} for the load); "
            f"{step.figures_checked} stored figures = the known answers; "
            f"{observations.get('created', 0)} observations written; database "
            f"{step.database_bytes / 1e6:,.0f} MB; {step.server}, set up in "
            f"{step.setup_seconds:.1f} s (not timed)"
        )
        if step.own_peak_kib and abs(step.own_peak_kib - step.rss_after_kib) > (
            step.rss_after_kib / 20
        ):
            print(f"{'':<21} NOT the load's own: its VmHWM is {mib(step.own_peak_kib)}")
    for step in loads:
        if step.name != "load-cin" or step.skipped:
            continue
        if step.children_stored != TARGET_CIN_CHILDREN:
            print(
                f"{step.name}, {step.database}: the target is for {TARGET_CIN_CHILDREN:,} "
                f"children (this run: {step.children_stored:,}); run without --cin-children "
                "to compare"
            )
            continue
        ratio = step.seconds / TARGET_LOAD_SECONDS
        print(
            f"{step.name}, {step.database}, {step.children_stored:,} children: "
            f"{step.seconds:.1f} s (target {TARGET_LOAD_SECONDS:.0f} s, ours for the load "
            f"through the database; the issue's {TARGET_CIN_SECONDS:.0f} s target is parse and "
            f"compute): ratio {ratio:.2f}, {'met' if ratio <= 1 else 'MISSED'}"
        )


def run_all(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="paqa-bench-returns-") as name:
        directory = Path(args.keep) if args.keep else Path(name)
        directory.mkdir(parents=True, exist_ok=True)
        try:
            log(f"generating the returns in {directory} (not timed)")
            generated = Generated(
                **json.loads(
                    spawn(
                        [
                            "--generate",
                            str(directory),
                            "--cin-children",
                            str(args.cin_children),
                            "--ssda903-children",
                            str(args.ssda903_children),
                            "--seed",
                            str(args.seed),
                        ],
                        directory / "generated.json",
                        "generating",
                    )
                )
            )
            steps = []
            for step_name in STEPS:
                options = ["--step", step_name, str(directory)]
                if args.profile and step_name == args.profile:
                    options.append("--do-profile")
                results = directory / f"{step_name}.json"
                step = Step(**json.loads(spawn(options, results, step_name)))
                if args.tracemalloc:
                    traced = directory / f"{step_name}-traced.json"
                    text = spawn([*options, "--trace"], traced, f"{step_name} under tracemalloc")
                    step.python_peak_bytes = json.loads(text)["python_peak_bytes"]
                if step.problems:
                    raise BenchmarkBroken(f"{step_name}: the files have problems: {step.problems}")
                if step.mismatches:
                    raise BenchmarkBroken(
                        f"{step_name}: computed figures differ from the known answers:\n  "
                        + "\n  ".join(step.mismatches)
                    )
                steps.append(step)
            loads = [] if args.no_load else run_loads(args, directory, generated)
        except (BenchmarkBroken, subprocess.TimeoutExpired) as error:
            print(f"[returns] BENCHMARK BROKEN: {error}", file=sys.stderr)
            return 1
    print_table(generated, steps, load, time.perf_counter() - started, loads)
    return 0


def run_loads(args: argparse.Namespace, directory: Path, generated: Generated) -> list[LoadStep]:
    """Each load step on each database, in a process of its own; PostgreSQL skipped (with a
    note) when there is no server to use."""
    loads: list[LoadStep] = []
    for database in [args.database] if args.database else DATABASES:
        skipped = ""
        for step_name in LOAD_STEPS:
            if skipped:  # no server: the other steps are not tried again
                loads.append(LoadStep(step_name, database, skipped=skipped))
                continue
            options = [
                "--load",
                step_name,
                database,
                str(directory),
                "--postgres-url",
                args.postgres_url,
            ]
            if args.profile == step_name:
                options.append("--do-profile")
            results = directory / f"{step_name}-{database}.json"
            step = LoadStep(**json.loads(spawn(options, results, f"{step_name} on {database}")))
            loads.append(step)
            if step.skipped:
                skipped = step.skipped
                log(f"{step_name} on {database}: skipped: {skipped}")
                continue
            if step.problems:
                raise BenchmarkBroken(
                    f"{step_name} on {database}: the load found problems: {step.problems}"
                )
            expected = (
                generated.cin_children if step_name == "load-cin" else generated.ssda903_children
            )
            if step.children_stored != expected:
                step.mismatches.append(
                    f"{step.children_stored:,} children stored, {expected:,} generated"
                )
            if step.mismatches:
                raise BenchmarkBroken(
                    f"{step_name} on {database}: stored figures differ from the known answers:"
                    "\n  " + "\n  ".join(step.mismatches)
                )
    return loads


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cin-children", type=int, default=TARGET_CIN_CHILDREN, help="children in the census"
    )
    parser.add_argument(
        "--ssda903-children", type=int, default=10_000, help="children in the SSDA903 return"
    )
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also the Python objects' peak: one more process per step, 4-5 times slower",
    )
    parser.add_argument(
        "--profile", choices=STEPS + LOAD_STEPS, help="cProfile this step (slows it down)"
    )
    parser.add_argument(
        "--database",
        choices=DATABASES,
        help="the loads through the database on this one only (default: SQLite, then "
        "PostgreSQL if there is a server)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PAQA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help=f"the PostgreSQL server (its database {POSTGRES_DATABASE} is created and dropped)",
    )
    parser.add_argument("--no-load", action="store_true", help="parse and compute only: no loads")
    parser.add_argument("--keep", type=Path, help="write the returns here and keep them")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--step", nargs=2, metavar=("STEP", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--load", nargs=3, metavar=("STEP", "DATABASE", "DIR"), help=argparse.SUPPRESS
    )
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--do-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cin_children < 1 or args.ssda903_children < 1:
        parser.error("--cin-children and --ssda903-children must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.generate or args.step or args.load):
        return run_all(args)
    if args.results is None:
        raise SystemExit("--generate, --step and --load need --results")
    try:
        if args.load:
            step_name, database, directory = args.load
            if step_name not in LOAD_STEPS or database not in DATABASES:
                raise SystemExit(f"unknown load {step_name} on {database}")
            loaded = run_load(
                step_name,
                database,
                Path(directory),
                args.postgres_url,
                profile=args.do_profile,
            )
            args.results.write_text(json.dumps(asdict(loaded)))
            return 0
        if args.generate:
            generated = generate(args.generate, args.cin_children, args.ssda903_children, args.seed)
            args.results.write_text(json.dumps(asdict(generated)))
            return 0
        step_name, directory = args.step
        if step_name not in STEPS:
            raise SystemExit(f"unknown step {step_name}")
        step = run_step(step_name, Path(directory), trace=args.trace, profile=args.do_profile)
    except BenchmarkBroken as error:
        print(f"[returns] BENCHMARK BROKEN: {error}", file=sys.stderr)
        return 1
    args.results.write_text(json.dumps(asdict(step)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
