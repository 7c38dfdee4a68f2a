"""Benchmark: start-up, the wall time of fresh processes against ``python -c "pass"``.

Each command runs in a fresh subprocess, once untimed (disk caches, ``.pyc``), then
``--repeat`` (5) times, all commands' runs interleaved in a shuffled order (fixed
seed):

- baseline: ``python -c "pass"``;
- ``python -c "import assetpay_analytics"``;
- ``assetpay-analytics --version`` and ``assetpay-analytics --help``;
- ``assetpay-analytics report --sandbox --no-progress`` (it runs the embedded sandbox
  in its own process, on a temporary cache).

Ratio = baseline median / case median, as for every time in ``run.py`` (below 1: the
case takes longer than bare Python; the note gives the inverse, "N x pass").

Also: the import share of ``report --sandbox`` (``python -X importtime``: the sum of the
cumulative times of the top-level imports, against the same runs' wall time), and
whether ``--help`` / ``--version`` import pandas (``cli.main`` run in-process with
``SystemExit`` caught, then ``'pandas' in sys.modules``): unit "bool", 1 = imported.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeat 5] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report

BENCHMARK = "startup"
PANDAS_CHECK = """\
import contextlib, io, json, sys
from assetpay_analytics import cli
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.main([{flag!r}])
    except SystemExit:
        pass
print(json.dumps({{"pandas": "pandas" in sys.modules, "modules": len(sys.modules)}}))
"""


def cli_path() -> str:
    """The ``assetpay-analytics`` console script next to this interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "assetpay-analytics"
    found = str(beside) if beside.exists() else shutil.which("assetpay-analytics")
    if found is None:
        raise RuntimeError("the assetpay-analytics command is not installed")
    return found


def commands() -> dict[str, list[str]]:
    """The measured commands by label; the first is the baseline."""
    cli = cli_path()
    python = sys.executable
    return {
        'python -c "pass"': [python, "-c", "pass"],
        'python -c "import assetpay_analytics"': [python, "-c", "import assetpay_analytics"],
        "assetpay-analytics --version": [cli, "--version"],
        "assetpay-analytics --help": [cli, "--help"],
        "assetpay-analytics report --sandbox --no-progress": [
            cli,
            "report",
            "--sandbox",
            "--no-progress",
        ],
    }


def run(command: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command to the end, output captured; a failure is an error."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def wall_task(command: Sequence[str], env: dict[str, str]) -> Callable[[], float]:
    def task() -> float:
        start = time.perf_counter()
        run(command, env)
        return time.perf_counter() - start

    return task


def top_level_imports(stderr: str) -> float:
    """Seconds: the sum of the cumulative column of the top-level ``-X importtime`` lines."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not name[1:].startswith(" "):  # nested imports are indented under their parent
            total += int(cumulative)
    return total / 1e6


def import_share(command: Sequence[str], env: dict[str, str], repeat: int) -> Row:
    """The top-level import time of ``command`` under ``-X importtime`` and its share."""
    imports, walls = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        done = run([sys.executable, "-X", "importtime", *command], env)
        walls.append(time.perf_counter() - start)
        imports.append(top_level_imports(done.stderr))
    share = statistics.median(imports) / statistics.median(walls)
    note = (
        f"top-level imports, cumulative column summed; {share:.0%} of the same runs' wall "
        f"time ({statistics.median(walls):.3f} s median, -X importtime adds its own cost)"
    )
    label = "report --sandbox --no-progress: import time (-X importtime)"
    return make_row(BENCHMARK, label, "s", imports, note=note)


def pandas_rows(env: dict[str, str]) -> list[Row]:
    """Whether ``--help`` and ``--version`` import pandas (1) or not (0)."""
    rows = []
    for flag in ("--help", "--version"):
        done = run([sys.executable, "-c", PANDAS_CHECK.format(flag=flag)], env)
        got = json.loads(done.stdout.strip().splitlines()[-1])
        verdict = "pandas imported" if got["pandas"] else "no pandas"
        note = f"{verdict}; {got['modules']} modules loaded"
        value = [float(got["pandas"])]
        rows.append(
            make_row(BENCHMARK, f"cli.main(['{flag}']) imports pandas", "bool", value, note=note)
        )
    return rows


def wall_rows(times: dict[str, list[float]]) -> list[Row]:
    base_label = next(iter(times))
    base = (base_label, times[base_label])
    rows = [make_row(BENCHMARK, base_label, "s", times[base_label], note="baseline")]
    for label, values in list(times.items())[1:]:
        times_pass = statistics.median(values) / statistics.median(base[1])
        rows.append(
            make_row(BENCHMARK, label, "s", values, baseline=base, note=f"{times_pass:.1f}x pass")
        )
    return rows


def measure(repeat: int, seed: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        env = {**os.environ, "ASSETPAY_CACHE_DIR": tmp, "TQDM_DISABLE": "1"}
        cmds = commands()
        for command in cmds.values():  # once untimed: disk caches, .pyc files
            run(command, env)
        tasks = {label: wall_task(command, env) for label, command in cmds.items()}
        rows = wall_rows(interleaved(tasks, repeat, seed))
        rows.append(import_share(cmds[list(cmds)[-1]], env, repeat))
        rows += pandas_rows(env)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_args(parser, repeat=5)
    args = parser.parse_args()
    report(measure(args.repeat, args.seed), args.json)


if __name__ == "__main__":
    main()
