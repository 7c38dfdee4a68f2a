"""What every chart shares: a fresh Axes when none is given, the empty chart, USD ticks,
bars labelled with their value and count, and text from the data drawn literally.

Names, skins, types and sources come from the API or a user's file: untrusted. matplotlib
reads a pair of ``$`` as mathtext (``AK-47 | $\\alpha$ Money`` would show "α Money", and
``$\\frac$`` fails to draw at all), and a line break would split one tick label into
two rows. Every string from the data goes through ``literal`` on its way into a chart
(tick labels, titles, legends, annotations); a text drawn with ``parse_math=False`` (the
footer) through ``one_line``. Names are drawn on one line: a line break becomes a space.

Used by ``charts`` (the exterior charts), ``bars`` (by type, by price band, two dates)
and ``review`` (the review figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.ticker import PercentFormatter
from numpy.typing import ArrayLike

from ..analysis.formats import MISSING
from .palette import NO_EXTERIOR_COLOR

__all__ = [
    "NO_DATA",
    "empty",
    "label_bars",
    "literal",
    "new_axes",
    "one_line",
    "percent_axis",
    "usd_tick",
]

#: What a chart with nothing to draw says.
NO_DATA = "no priced items"


def usd_tick(value: float, _pos: Any = None) -> str:
    """A dollar tick label: whole dollars from $1, cents below."""
    if value >= 1000:
        return f"${value:,.0f}"
    if value >= 1:
        return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"
    return f"${value:.2f}"


def one_line(text: object) -> str:
    r"""``text`` on one line: each line break (``\n``, ``\r\n``, ``\u2028``, ...) a space.

    Examples
    --------
    >>> one_line("M4A1-S | Line\nBreak\r\n")
    'M4A1-S | Line Break'
    """
    return " ".join(str(text).splitlines())


def literal(text: object) -> str:
    r"""Text from the data as a chart should draw it: as sent, on one line, never mathtext.

    Each ``$`` is escaped (``\$``), which matplotlib draws as a plain ``$``; a line break
    becomes a space (``one_line``). When mathtext is off (``text.parse_math``), only the
    line breaks change.

    Examples
    --------
    >>> print(literal("AK-47 | $\\alpha$\nMoney"))
    AK-47 | \$\alpha\$ Money
    """
    shown = one_line(text)
    return shown.replace("$", r"\$") if mpl.rcParams["text.parse_math"] else shown


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
