"""Shared by the benchmark scripts: the result rows, interleaved runs, the ``--json`` file.

Not a benchmark itself. Every ``bench_*.py`` script measures a few cases against a
baseline measured in the same run, with the repetitions of all its cases interleaved
in a shuffled order (a fixed seed), and hands ``run.py`` a list of rows (``Row``)
through ``--json PATH``.

The ratio of a row says how the case compares with its baseline's median:

- ``"speedup"`` (the default): above 1 the case beats the baseline. For times and
  sizes (lower is better) it is baseline / case; for rates (``req/min``, higher is
  better) it is case / baseline.
- ``"cost"``: case / baseline, "how many times the baseline's time" (``x floor``);
  above 1 the case takes more than the baseline.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

RatioKind = Literal["speedup", "cost"]
#: Units where more is better; every other unit (s, MiB...) is better lower.
HIGHER_IS_BETTER = frozenset({"req/min"})


class Row(TypedDict):
    """One measured case, as written to the ``--json`` file (see ``run.py``)."""

    benchmark: str
    case: str
    unit: str
    min: float
    median: float
    baseline: str | None
    ratio: float | None
    note: str
    ratio_kind: NotRequired[RatioKind]


def ratio(case: float, baseline: float, unit: str, kind: RatioKind = "speedup") -> float | None:
    """The row's ratio of medians (see the module docstring); None if undefined."""
    top, bottom = (
        (case, baseline) if kind == "cost" or unit in HIGHER_IS_BETTER else (baseline, case)
    )
    return top / bottom if bottom else None


def make_row(
    benchmark: str,
    case: str,
    unit: str,
    values: Sequence[float],
    *,
    baseline: tuple[str, Sequence[float]] | None = None,
    note: str = "",
    kind: RatioKind = "speedup",
) -> Row:
    """A row from the case's values and, optionally, its baseline's ``(name, values)``."""
    median = statistics.median(values)
    row = Row(
        benchmark=benchmark,
        case=case,
        unit=unit,
        min=min(values),
        median=median,
        baseline=None,
        ratio=None,
        note=note,
    )
    if baseline is not None:
        name, base_values = baseline
        row["baseline"] = name
        row["ratio"] = ratio(median, statistics.median(base_values), unit, kind)
        row["ratio_kind"] = kind
    return row


def interleaved(
    tasks: Mapping[str, Callable[[], float]], repeat: int, seed: int
) -> dict[str, list[float]]:
    """Run every task ``repeat`` times in one shuffled order; each returns its measurement.

    A task measures itself (``stopwatch`` for a plain call) so that it can leave its
    own setup out. A collection runs before each task, outside its measurement.
    """
    order = [name for _ in range(repeat) for name in tasks]
    random.Random(seed).shuffle(order)
    values: dict[str, list[float]] = {name: [] for name in tasks}
    for name in order:
        gc.collect()
        values[name].append(tasks[name]())
    return values


def stopwatch(fn: Callable[[], object]) -> Callable[[], float]:
    """A task timing one call of ``fn`` (seconds); the result is dropped outside the time."""

    def task() -> float:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
        del result
        return seconds

    return task


def partner_urls(first: int, n: int) -> list[str]:
    """Trade URLs of the generated sandbox accounts ``first .. first + n - 1``."""
    return [
        f"https://steamcommunity.com/tradeoffer/new/?partner={first + i}&token=Bn{i:06d}"
        for i in range(n)
    ]


def add_common_args(parser: argparse.ArgumentParser, repeat: int) -> None:
    """``--repeat``, ``--seed`` and ``--json``, which every script takes."""
    parser.add_argument("--repeat", type=int, default=repeat, help="runs of each case")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shuffled order")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows here")


def fmt(value: float | None) -> str:
    """A measurement with about four significant digits."""
    if value is None:
        return ""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}" if abs(value) < 1 else f"{value:.3f}"


def fmt_ratio(row: Row) -> str:
    """``2.50x`` (a speed-up: above 1 beats the baseline) or ``2.50x floor`` (a cost)."""
    if row["ratio"] is None:
        return ""
    if row.get("ratio_kind") == "cost":
        return f"{row['ratio']:.2f}x {row['baseline']}"
    return f"{row['ratio']:.2f}x"


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    header = "| benchmark | case | unit | min | median | baseline | ratio | note |"
    lines = [header, "|---|---|---|---:|---:|---|---:|---|"]
    for row in rows:
        cells = (
            row["benchmark"],
            row["case"],
            row["unit"],
            fmt(row["min"]),
            fmt(row["median"]),
            row["baseline"] or "",
            fmt_ratio(row),
            row["note"],
        )
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def report(rows: Sequence[Row], json_path: Path | None) -> None:
    """Print the rows (the standalone report) and write them to ``json_path`` if given."""
    print(table(rows))
    if json_path is not None:
        json_path.write_text(json.dumps(list(rows), indent=1) + "\n", encoding="utf-8")
