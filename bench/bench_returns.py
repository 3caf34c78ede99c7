"""Benchmark for the statutory returns: parse and compute a 100,000-child CIN census and a
10,000-child SSDA903 return, generated with known answers.

    .venv/bin/python bench/bench_returns.py                       # ~1.5 min on 2 cores
    .venv/bin/python bench/bench_returns.py --cin-children 20000 --tracemalloc
    .venv/bin/python bench/bench_returns.py --profile cin         # cProfile the CIN step

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
memory); a missed target is reported, never a failure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

KEY = b"bench installation key"
YEAR = 2019
TARGET_CIN_CHILDREN = 100_000
TARGET_CIN_SECONDS = 30.0
TARGET_PEAK_BYTES = 10**9  # 1 GB
STEPS = ("cin", "cin+history", "903-csv", "903-xml")
CHILD_TIMEOUT_S = 1800


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


def print_table(generated: Generated, steps: list[Step], load: float, total: float) -> None:
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
        except (BenchmarkBroken, subprocess.TimeoutExpired) as error:
            print(f"[returns] BENCHMARK BROKEN: {error}", file=sys.stderr)
            return 1
    print_table(generated, steps, load, time.perf_counter() - started)
    return 0


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
    parser.add_argument("--profile", choices=STEPS, help="cProfile this step (slows it down)")
    parser.add_argument("--keep", type=Path, help="write the returns here and keep them")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--step", nargs=2, metavar=("STEP", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--do-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cin_children < 1 or args.ssda903_children < 1:
        parser.error("--cin-children and --ssda903-children must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.generate or args.step):
        return run_all(args)
    if args.results is None:
        raise SystemExit("--generate and --step need --results")
    try:
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
