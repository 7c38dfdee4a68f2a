"""Benchmark: the review document (``report.write_report``) against matplotlib's own floor.

Issue 24. Pure in-process work: the sandbox runs once, in this process, only to build the
input, its demo batch tiled to each size with ``bench_analysis.sandbox_batch`` and
``tiled`` (new accounts and item ids in every copy; 1M rows hold ~3,500 accounts).

Cases, every repetition interleaved in one shuffled order (fixed seed) after a warm-up
run of each:

- **floor**: matplotlib renders the same figures once as PNG: at 1,000 items, the five
  charts of a CS2 document drawn by the public ``apa.plots`` functions (the review figure,
  payout by exterior, payout against market price, the distribution, the ladder), each
  with the document's footer, then ``savefig`` once into memory as PNG at the document's
  resolution (110 dpi, ``bbox_inches="tight"``, the bytes the document embeds). Drawing
  the figures is in the time: the document has to draw them too.
- **write_report, 1,000 items**: the whole document with its default formats (PNG files
  and the PDF), tables (CSV and the workbook) and page, into a new folder; a cost,
  median / floor median ("x floor", SMALLER IS BETTER, goal <= 2x).
- **write_report, 1,000,000 items** (100,000 with ``--quick``): the same, its scatters
  drawn as densities; a cost against write_report at 1,000 items (goal <= 3x).

Each row's ratio compares medians; its note gives the ratio of minima too.

Run: ``.venv/bin/python benchmarks/bench_report.py [--large 1000000] [--repeat 3]
[--quick] [--seed 0] [--json PATH]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report
from bench_analysis import sandbox_batch, tiled

from assetpay_analytics import plots
from assetpay_analytics.report import write_report

BENCHMARK = "report"
SMALL, LARGE, QUICK_LARGE = 1_000, 1_000_000, 100_000
QUICK_REPEAT = 2
SOURCE = "AssetPay sandbox (demo data)"
PNG_DPI = 110  # the document's


def floor(df: pd.DataFrame) -> None:
    """The document's five CS2 charts, drawn and rendered once each as PNG in memory."""
    figures = [plots.pricing_review(df, source=SOURCE)]
    for chart in (plots.payout_by_exterior, plots.payout_vs_market, plots.payout_distribution,
                  plots.exterior_ladder_heatmap):  # fmt: skip
        figure = chart(df).get_figure(root=True)
        assert figure is not None
        figure.supxlabel(plots.footer(df, SOURCE), fontsize=7, x=0.01, ha="left",
                         parse_math=False)  # fmt: skip
        figures.append(figure)
    for figure in figures:
        figure.savefig(BytesIO(), format="png", dpi=PNG_DPI, bbox_inches="tight")
        plt.close(figure)


def document(df: pd.DataFrame, scratch: Path) -> Callable[[], float]:
    """A task timing ``write_report`` into a new folder, removed outside the time."""

    def task() -> float:
        out = Path(tempfile.mkdtemp(dir=scratch)) / "review"
        start = time.perf_counter()
        write_report(df, out, source=SOURCE, progress=False)
        seconds = time.perf_counter() - start
        shutil.rmtree(out.parent)
        return seconds

    return task


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def task() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, help=f"items of the large case ({LARGE:,})")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_LARGE:,} items in the large case, 2 repetitions")  # fmt: skip
    add_common_args(parser, repeat=3)
    args = parser.parse_args()
    large: int = args.large or (QUICK_LARGE if args.quick else LARGE)
    repeat: int = QUICK_REPEAT if args.quick and args.repeat == 3 else args.repeat
    os.environ.setdefault("TQDM_DISABLE", "1")
    base = sandbox_batch()
    small_df, large_df = tiled(base, SMALL), tiled(base, large)
    small_case, large_case = f"write_report, {SMALL:,} items", f"write_report, {large:,} items"
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        tasks = {
            "floor": timed(lambda: floor(small_df)),
            small_case: document(small_df, Path(scratch)),
            large_case: document(large_df, Path(scratch)),
        }
        for name, task in tasks.items():  # warm-up: fonts, caches, first imports
            print(f"warm-up {name}: {task():.2f} s", file=sys.stderr)
        times = interleaved(tasks, repeat, args.seed)
    rows: list[Row] = [
        make_row(BENCHMARK, f"floor: the same figures once as PNG, {SMALL:,} items", "s",
                 times["floor"], note="baseline: plots.* + one savefig(png) each"),
        make_row(BENCHMARK, small_case, "s", times[small_case],
                 baseline=("floor", times["floor"]), kind="cost",
                 note=f"goal <= 2x floor; min/min {_min_ratio(times, small_case, 'floor')}"),
        make_row(BENCHMARK, large_case, "s", times[large_case],
                 baseline=(f"{SMALL:,} items", times[small_case]), kind="cost",
                 note=f"goal <= 3x; min/min {_min_ratio(times, large_case, small_case)}"),
    ]  # fmt: skip
    report(rows, args.json)


def _min_ratio(times: dict[str, list[float]], case: str, baseline: str) -> str:
    return f"{min(times[case]) / min(times[baseline]):.2f}x"


if __name__ == "__main__":
    main()
