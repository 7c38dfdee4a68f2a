"""Run every benchmark, print one table and write it to ``benchmarks/results.md``.

Each benchmark script runs in a subprocess of its own (no state leaks from one to the
next) with ``--json PATH``; its rows (``_bench.Row``) are read back and tabulated with
the machine's description and the exact command. Inside each script every case's
baseline is measured in the same run, repetitions interleaved in a shuffled order
(fixed seed), and everything that talks HTTP talks to a sandbox in another process.

The scripts and what they compare (each one's docstring says more; each also runs
standalone, printing its own table):

- ``frame``   (bench_frame.py): a response body -> DataFrame vs floor / json_normalize /
  pyarrow.json, at 10k, 100k and 1M items; memory of a 1M-item body and of 1,000 bodies
  of 1,000 items, each builder in a fresh process;
- ``client``  (bench_client.py): 200 accounts at 200 ms latency, ``ThreadPoolExecutor``
  over ``requests`` (the same workers) vs ``inventories()`` cold (default workers,
  workers=32, cache=None), warm against the same bodies parsed from memory; requests a
  minute against pages of 50 items;
- ``reload``  (bench_reload.py): a new client reloading 1,000 cached inventories into
  one frame vs the floor, sqlite blobs + floor and requests-cache's reads; pickle vs
  safe rows;
- ``startup`` (bench_startup.py): import and CLI start-up vs ``python -c "pass"``;
- ``rate``    (bench_rate.py): two processes sharing one key's budget for 2 minutes
  against a sandbox limit of 600 a minute, counted by the server: the busiest 60 s as a
  share of the limit, 429s, the largest burst.
- ``catalogue`` (bench_catalogue.py): the price book, a body of 30,000 entries (5%
  Doppler, with phases) -> frame vs the orjson column floor (a cost, "x floor") and
  json_normalize; ``offer_vs_catalogue`` on 1M inventory rows vs the shortest pandas
  ``merge`` giving the same numbers ("x merge"); in-process, no sandbox.
- ``analysis`` (bench_analysis.py): every public analysis function (summary, by_exterior,
  by_account, wear_bands, outliers, compare, payout_trend...) on the sandbox's batch tiled
  to 100k, 1M and 5M rows (~3,000 accounts per 1M) vs an expert's hand-written pandas for
  the same numbers, checked equal first (a cost, "x expert", goal <= 1.5), and the time
  at 5M / 100k (linear: 50).

- ``report`` (bench_report.py): ``write_report`` at 1,000 items against matplotlib drawing
  the same charts once as PNG ("x floor", goal <= 2x), and at 1M items against its own
  time at 1,000 (goal <= 3x).
- ``charts`` (bench_charts.py): each inventory chart (``pricing_review`` and the eight
  single charts, ``payout_change_by_exterior`` included) drawn and rendered once as PNG at
  100k items against its own time at 1,000 ("x 1,000 items", goal <= 2x).
- ``history`` (bench_history.py): ``SnapshotStore.load(since=...)`` of 30 daily snapshots
  of 100k items (3M rows) against ``pyarrow.dataset`` reading the same files into the same
  dtypes, checked equal first ("x pyarrow.dataset", goal <= 1.5x).

The contract: ``bench_x.py --json PATH`` writes a JSON list of rows ``{"benchmark": str,
"case": str, "unit": "s" | "MiB" | "req/min" | "bool", "min": float, "median": float,
"baseline": str | null, "ratio": float | null, "note": str}``, plus ``"ratio_kind"``
wherever ``ratio`` is set:

- ``"speedup"``: ratio = baseline median / case median for times and sizes, case /
  baseline for rates (req/min): ABOVE 1 THE CASE BEATS ITS BASELINE (faster, smaller,
  more requests); shown as ``2.50x``;
- ``"cost"``: ratio = case median / baseline median ("x floor", bench_reload):
  SMALLER IS BETTER, 1.00 matches the baseline; shown as ``2.50x floor``.

A row without ``ratio_kind`` is read as ``"speedup"``. For rates, ``min`` is the slowest
run. A script that fails is listed under the table and makes the exit status 1; the
others still run.

Run: ``.venv/bin/python benchmarks/run.py [--quick] [--only NAME] [--output PATH]``
(``--quick``: small sizes and 2 repetitions, a smoke run of a few minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, table

HERE = Path(__file__).resolve().parent

SCRIPTS = {
    "frame": "bench_frame.py",
    "client": "bench_client.py",
    "reload": "bench_reload.py",
    "startup": "bench_startup.py",
    "rate": "bench_rate.py",
    "catalogue": "bench_catalogue.py",
    "analysis": "bench_analysis.py",
    "report": "bench_report.py",
    "charts": "bench_charts.py",
    "history": "bench_history.py",
}
FULL_ARGS = {
    "frame": ["--memory"],
    "client": [],
    "reload": [],
    "startup": [],
    "rate": [],
    "catalogue": [],
    "analysis": [],
    "report": [],
    "charts": [],
    "history": [],
}
QUICK_ARGS = {
    "frame": ["--sizes", "10000", "100000", "--repeat", "2", "--memory",
              "--memory-items", "100000"],
    "client": ["--accounts", "40", "--repeat", "2", "--throughput-seconds", "5", "--no-sequential"],
    "reload": ["--accounts", "200", "--repeat", "2"],
    "startup": ["--repeat", "2"],
    "rate": ["--seconds", "20"],
    "catalogue": ["--quick"],
    "analysis": ["--quick"],
    "report": ["--quick"],
    "charts": ["--quick"],
    "history": ["--quick"],
}  # fmt: skip
PACKAGES = ("pandas", "pyarrow", "requests", "requests-cache", "orjson")
RATIO_NOTE = (
    "min / median of the repetitions, in the row's unit. **ratio** compares medians "
    "with the row's baseline, measured in the same run: a plain `N.NNx` is a speed-up, "
    "baseline / case for times and sizes (case / baseline for rates such as req/min), "
    "so **above 1 the case beats its baseline**; `N.NNx floor` (or `x pickle`, `x merge`) "
    "is a cost, case / baseline, so **smaller is better** and 1.00x would match the floor. "
    "For rates, min is the slowest run."
)


# --- the machine ----------------------------------------------------------------------
def cpu_model() -> str:
    """CPU model and count from ``/proc/cpuinfo`` (platform's guess elsewhere)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return f"{platform.processor() or 'unknown CPU'} x {os.cpu_count()}"
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = models[0] if models else platform.processor() or "unknown CPU"
    return f"{model}, {len(models) or os.cpu_count()} logical CPUs"


def ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_state() -> str:
    """The commit and whether the tree differs from it (read-only git calls)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "not a git checkout"
    return f"{commit}{' + uncommitted changes' if git('status', '--porcelain') else ''}"


def machine() -> list[str]:
    packages = ", ".join(f"{name} {version(name)}" for name in PACKAGES)
    return [
        f"- platform: {platform.platform()}",
        f"- CPU: {cpu_model()}",
        f"- RAM: {ram()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- packages: {packages}; assetpay-analytics {version('assetpay-analytics')}",
        f"- source: {git_state()}",
        f"- date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
    ]


# --- running --------------------------------------------------------------------------
def command_of(name: str, quick: bool, json_path: Path) -> list[str]:
    args = (QUICK_ARGS if quick else FULL_ARGS)[name]
    return [sys.executable, str(HERE / SCRIPTS[name]), *args, "--json", str(json_path)]


def run_one(name: str, quick: bool, tmp: Path) -> tuple[list[Row], float, str | None]:
    """Run one script (its own report goes to the terminal); its rows, seconds, error."""
    json_path = tmp / f"{name}.json"
    command = command_of(name, quick, json_path)
    print(f"\n=== {name}: {shlex.join(command)}", flush=True)
    env = {**os.environ, "TQDM_DISABLE": "1"}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return [], seconds, f"{SCRIPTS[name]} exited with status {done.returncode}"
    rows: list[Row] = json.loads(json_path.read_text(encoding="utf-8"))
    return rows, seconds, None


def shown_command() -> str:
    """This command as typed, with the interpreter relative to the working directory."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):  # an interpreter outside the working directory
        python = python.relative_to(Path.cwd())
    return shlex.join([str(python), *sys.argv])


def document(rows: list[Row], timings: dict[str, float], errors: list[str]) -> str:
    lines = ["# Benchmark results", "", *machine(), "", "Command:", "",
             f"    {shown_command()}", ""]  # fmt: skip
    ran = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    lines += [f"Wall time per benchmark: {ran}.", "", RATIO_NOTE, "", table(rows), ""]
    if errors:
        lines += ["**Failed:**", "", *(f"- {error}" for error in errors), ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 repetitions")
    parser.add_argument("--only", choices=sorted(SCRIPTS), help="run this benchmark only")
    parser.add_argument("--output", type=Path, default=HERE / "results.md", help="the table")
    args = parser.parse_args()
    names = [args.only] if args.only else list(SCRIPTS)
    rows: list[Row] = []
    timings: dict[str, float] = {}
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        for name in names:
            got, timings[name], error = run_one(name, args.quick, Path(tmp))
            rows += got
            errors += [error] if error else []
    text = document(rows, timings, errors)
    print("\n" + text)
    args.output.write_text(text, encoding="utf-8")
    print(f"written to {args.output}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
