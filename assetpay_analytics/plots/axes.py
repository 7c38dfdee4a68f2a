"""What every chart shares: a fresh Axes when none is given, the empty chart, USD ticks,
and bars labelled with their value and count.

Used by ``charts`` (the exterior charts), ``bars`` (by type, by price band, two dates)
and ``review`` (the review figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.ticker import PercentFormatter
from numpy.typing import ArrayLike

from ..analysis.formats import MISSING
from .palette import NO_EXTERIOR_COLOR

__all__ = ["NO_DATA", "empty", "label_bars", "new_axes", "percent_axis", "usd_tick"]

#: What a chart with nothing to draw says.
NO_DATA = "no priced items"


def usd_tick(value: float, _pos: Any = None) -> str:
    """A dollar tick label: whole dollars from $1, cents below."""
    if value >= 1000:
        return f"${value:,.0f}"
    if value >= 1:
        return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"
    return f"${value:.2f}"


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (7, 4.5)) -> Axes:
    """``ax``, or the Axes of a new figure."""
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def empty(ax: Axes, title: str) -> Axes:
    """A titled chart that says it has nothing to draw."""
    ax.set_title(title)
    ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", transform=ax.transAxes,
            color=NO_EXTERIOR_COLOR, fontsize=12)  # fmt: skip
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def label_bars(ax: Axes, bars: BarContainer, values: ArrayLike, counts: Sequence[int]) -> None:
    """Write each bar's value (a percentage, a dash when undefined) and count above it."""
    for bar, value, n in zip(bars, np.asarray(values, dtype=float), counts, strict=True):
        shown = MISSING if np.isnan(value) else f"{value:.0%}"
        ax.annotate(
            f"{shown}\nn={int(n)}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=9,
        )  # fmt: skip


def percent_axis(ax: Axes, heights: ArrayLike, label: str) -> None:
    """A payout-ratio y axis: 0 to at least 100%, room for the labels, a light grid."""
    known = np.asarray(heights, dtype=float)
    known = known[~np.isnan(known)]
    top = float(known.max()) if known.size else 0.0
    ax.set_ylim(0, max(1.0, top * 1.18))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(label)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
