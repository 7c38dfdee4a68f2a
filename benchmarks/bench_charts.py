"""Benchmark: every inventory chart at 100,000 items against its own time at 1,000.

Pure in-process work: the sandbox runs once, in this process, only to build the input,
its demo batch (CS2, 1,692 items) tiled to each size with ``bench_analysis.sandbox_batch``
and ``tiled`` (new accounts and item ids in every copy). Each chart is one case per size,
every repetition of all of them interleaved in one shuffled order (fixed seed) after a
warm-up run of each:

- a case draws the chart on a fresh figure with its public ``apa.plots`` function, then
  ``savefig`` once into memory as PNG at the review document's resolution (110 dpi,
  ``bbox_inches="tight"``, the bytes the document embeds), then ``plt.close``; drawing is
  in the time, building the input is not;
- the charts taking one inventory frame: ``pricing_review`` (the whole review figure),
  ``payout_by_exterior``, ``payout_vs_market``, ``market_vs_offer``,
  ``payout_distribution``, ``exterior_ladder_heatmap``, ``payout_by_price_band`` and
  ``payout_by_type`` (on the same CS2 frame: it works on any frame);
- ``payout_change_by_exterior(before, after)``: before is the tiled frame, after a copy of
  it (same accounts and item ids, so every item is kept and matched) with every offer
  scaled by 0.97, rounded to the cent; the copy is made outside the time;
- not here: the ``deposit_ratio_*`` charts, which take a price book, not an inventory
  (``bench_catalogue`` sizes price books).

Above ``plots.charts.SCATTER_LIMIT`` (20,000) priced items the two scatters draw a
density (hexbin) instead of one point per item: at 100,000 items they do, at 1,000 they
draw points.

Baseline: the same chart at 1,000 items. Per chart one row: its time at 100,000 items as a
cost, median / median at 1,000 ("x 1,000 items", SMALLER IS BETTER, goal <= 2x); the note
gives the ratio of minima and both medians.

``--quick``: 20,000 items in the large case, 2 repetitions (a smoke run).

Run: ``.venv/bin/python benchmarks/bench_charts.py [--large 100000] [--repeat 3]
[--quick] [--seed 0] [--json PATH]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report
from bench_analysis import sandbox_batch, tiled

from assetpay_analytics import analysis, plots

BENCHMARK = "charts"
SMALL, LARGE, QUICK_LARGE = 1_000, 100_000, 20_000
QUICK_REPEAT = 2
SOURCE = "AssetPay sandbox (demo data)"
PNG_DPI = 110  # the document's
GOAL = 2.0
#: The charts of one inventory frame, in the order of the rows.
SINGLE: dict[str, Callable[[pd.DataFrame], Axes | Figure]] = {
    "pricing_review": lambda df: plots.pricing_review(df, source=SOURCE),
    "payout_by_exterior": plots.payout_by_exterior,
    "payout_vs_market": plots.payout_vs_market,
    "market_vs_offer": plots.market_vs_offer,
    "payout_distribution": plots.payout_distribution,
    "exterior_ladder_heatmap": plots.exterior_ladder_heatmap,
    "payout_by_price_band": plots.payout_by_price_band,
    "payout_by_type": plots.payout_by_type,
}
CHANGE = "payout_change_by_exterior"


def offers_cut(before: pd.DataFrame) -> pd.DataFrame:
    """``before`` with every offer scaled by 0.97 (cents): same accounts, same item ids."""
    after = before.copy()
    after["offer_price"] = (before["offer_price"] * 0.97).round(2)
    after.attrs = dict(before.attrs)
    return after


def render(drawn: Axes | Figure) -> None:
    """``savefig`` the chart's figure once as PNG in memory (as the document), then close it."""
    figure = drawn if isinstance(drawn, Figure) else drawn.get_figure(root=True)
    assert isinstance(figure, Figure)
    figure.savefig(BytesIO(), format="png", dpi=PNG_DPI, bbox_inches="tight")
    plt.close(figure)


def chart_task(draw: Callable[..., Axes | Figure], *frames: pd.DataFrame) -> Callable[[], float]:
    """A task timing one chart: ``draw(*frames)`` on a fresh figure, rendered once, closed."""

    def task() -> float:
        start = time.perf_counter()
        render(draw(*frames))
        return time.perf_counter() - start

    return task


def tasks_for(df: pd.DataFrame, after: pd.DataFrame, n: int) -> dict[str, Callable[[], float]]:
    """Every chart's task at ``n`` items (``df``; ``df, after`` for the change chart)."""
    tasks = {case_name(name, n): chart_task(chart, df) for name, chart in SINGLE.items()}
    tasks[case_name(CHANGE, n)] = chart_task(plots.payout_change_by_exterior, df, after)
    return tasks


def case_name(chart: str, n: int) -> str:
    return f"{chart}, {n:,} items"


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
    tasks: dict[str, Callable[[], float]] = {}
    for n in (SMALL, large):
        df = tiled(base, n)
        after = offers_cut(df)
        # every item kept and priced both times: the change chart draws bars, not "no data"
        assert analysis.compare(df, after).by_exterior["kept_priced"].sum() > 0
        tasks |= tasks_for(df, after, n)
    for name, task in tasks.items():  # warm-up: fonts, caches, first imports
        print(f"warm-up {name}: {task():.2f} s", file=sys.stderr)
    times = interleaved(tasks, repeat, args.seed)
    rows: list[Row] = []
    for chart in [*SINGLE, CHANGE]:
        small, big = times[case_name(chart, SMALL)], times[case_name(chart, large)]
        note = (f"goal <= {GOAL:g}x; min/min {min(big) / min(small):.2f}x; medians "
                f"{statistics.median(small):.3f} s ({SMALL:,}) -> "
                f"{statistics.median(big):.3f} s ({large:,})")  # fmt: skip
        rows.append(make_row(BENCHMARK, case_name(chart, large), "s", big,
                             baseline=(f"{SMALL:,} items", small), kind="cost",
                             note=note))  # fmt: skip
    report(rows, args.json)


if __name__ == "__main__":
    main()
