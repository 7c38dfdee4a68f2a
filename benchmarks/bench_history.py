"""Benchmark: a month of history loaded from a ``SnapshotStore`` against ``pyarrow.dataset``.

Issue 24 ("History": ``load(since=...)`` of 30 days, about 3M rows, within 1.5x of
``pyarrow.dataset`` reading the same files into the same dtypes). Pure in-process work:
the sandbox runs once, in this process, only to build the input.

The store: the sandbox's demo batch tiled to ``--items`` rows (100,000 by default;
``bench_analysis.tiled``: new accounts and item ids in every copy), saved once a day for
``--days`` days (30) with ``as_of`` one day apart, into a temporary folder.

Cases, every repetition interleaved in one shuffled order (fixed seed) after a warm-up
run of each, the GC collected before each:

- **pyarrow.dataset** (the baseline): what an expert writes to get the same frame from
  the same files without the toolkit: ``pyarrow.dataset.dataset(files)`` read into one
  table, ``to_pandas`` with the nullable and Arrow string dtypes mapped as they read,
  then ``astype`` to the dtypes ``store.load`` returns (categoricals for repeated text,
  the ordered exterior), and ``snapshot_id`` / ``taken_at`` / ``as_of`` columns from the
  files' own ids and times. The GC is paused while it runs. Its frame is asserted equal
  to the project's (values and dtypes) before anything is timed.
- **store.load(since=...)**: the public call; a cost, median / baseline median
  ("x baseline", SMALLER IS BETTER, goal <= 1.5x).

Run: ``.venv/bin/python benchmarks/bench_history.py [--items 100000] [--days 30]
[--repeat 3] [--quick] [--seed 0] [--json PATH]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report, stopwatch
from bench_analysis import sandbox_batch, tiled

from assetpay_analytics.frame.bodies import gc_paused  # the floors pause the GC as the package does
from assetpay_analytics.history import SnapshotStore

BENCHMARK = "history"
ITEMS, DAYS = 100_000, 30
QUICK_ITEMS, QUICK_DAYS, QUICK_REPEAT = 20_000, 10, 2
FIRST_DAY = pd.Timestamp("2026-06-01T09:00:00Z")
# The columns load() adds from the store's records, not read from the files' rows.
ADDED = ("snapshot_id", "taken_at", "as_of")


def build_store(root: Path, frame: pd.DataFrame, days: int) -> SnapshotStore:
    """``frame`` saved once a day for ``days`` days, ``as_of`` one day apart."""
    store = SnapshotStore(root)
    for day in range(days):
        when = FIRST_DAY + pd.Timedelta(days=day)
        store.save(frame, taken_at=when.to_pydatetime(), as_of=when.to_pydatetime())
    return store


def _arrow_types(arrow_type: pa.DataType) -> Any:
    """The dtypes an expert maps at ``to_pandas`` (nullable numbers, Arrow strings).

    Written out here rather than imported from the toolkit: the baseline is what someone
    writes without it.
    """
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_list(arrow_type):
        return pd.ArrowDtype(arrow_type)
    return None


def expert_load(
    snapshots: pd.DataFrame, dtypes: pd.Series, game: str
) -> Callable[[], pd.DataFrame]:
    """The baseline: ``pyarrow.dataset`` over the same files, cast to ``load``'s dtypes."""
    paths = [str(path) for path in snapshots["path"]]
    sizes = snapshots["items"].to_numpy()
    ids = pd.Index(snapshots["id"].to_numpy(dtype=object))
    row_dtypes = {name: dtype for name, dtype in dtypes.items() if name not in ADDED}

    def load() -> pd.DataFrame:
        table = ds.dataset(paths, format="parquet").to_table()
        frame = table.to_pandas(types_mapper=_arrow_types, ignore_metadata=True)
        frame["game"] = game
        frame = frame[list(row_dtypes)].astype(row_dtypes)
        codes = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)  # no string per row
        frame["snapshot_id"] = pd.Categorical.from_codes(codes, categories=ids)
        for column in ("taken_at", "as_of"):
            frame[column] = pd.DatetimeIndex(snapshots[column].repeat(sizes))
        return frame

    return load


def paused(fn: Callable[[], object]) -> Callable[[], float]:
    """A task timing one call of ``fn`` with the cyclic GC paused, as the package pauses it."""

    def call() -> object:
        with gc_paused():
            return fn()

    return stopwatch(call)


def check_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """The baseline's frame holds the project's values in the project's dtypes."""
    assert list(got.columns) == list(want.columns), (list(got.columns), list(want.columns))
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), check_categorical=False
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, help=f"items per snapshot ({ITEMS:,})")
    parser.add_argument("--days", type=int, help=f"daily snapshots ({DAYS})")
    quick = f"{QUICK_DAYS} days of {QUICK_ITEMS:,} items, 2 repetitions"
    parser.add_argument("--quick", action="store_true", help=quick)
    add_common_args(parser, repeat=3)
    args = parser.parse_args()
    items: int = args.items or (QUICK_ITEMS if args.quick else ITEMS)
    days: int = args.days or (QUICK_DAYS if args.quick else DAYS)
    repeat: int = QUICK_REPEAT if args.quick and args.repeat == 3 else args.repeat
    os.environ.setdefault("TQDM_DISABLE", "1")
    frame = tiled(sandbox_batch(), items)
    game = str(frame.attrs.get("game", "730"))
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        store = build_store(Path(scratch) / "history", frame, days)
        since = FIRST_DAY.isoformat()
        snapshots = store.snapshots(game=game).sort_values("as_of")
        snapshots["path"] = [store._file_of(snapshot) for snapshot in snapshots["id"]]
        project = store.load(game=game, since=since)
        expert = expert_load(snapshots, project.dtypes, game)
        check_same(expert(), project)
        rows_loaded = len(project)
        del project
        case = f"store.load(since=...), {days} days x {items:,} items"
        tasks = {
            "pyarrow.dataset": paused(expert),
            case: stopwatch(lambda: store.load(since=since)),
        }
        for name, task in tasks.items():  # warm-up: file cache, first imports
            print(f"warm-up {name}: {task():.2f} s", file=sys.stderr)
        times = interleaved(tasks, repeat, args.seed)
    minima = min(times[case]) / min(times["pyarrow.dataset"])
    rows: list[Row] = [
        make_row(BENCHMARK, f"pyarrow.dataset, same files and dtypes ({rows_loaded:,} rows)",
                 "s", times["pyarrow.dataset"], note="baseline, GC paused"),
        make_row(BENCHMARK, case, "s", times[case],
                 baseline=("pyarrow.dataset", times["pyarrow.dataset"]), kind="cost",
                 note=f"goal <= 1.5x; min/min {minima:.2f}x"),
    ]  # fmt: skip
    report(rows, args.json)


if __name__ == "__main__":
    main()
