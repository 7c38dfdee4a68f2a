"""The exterior charts of an inventory frame (matplotlib): payout, prices, ladder.

Every function takes a frame and an optional ``ax=``, returns the Axes, never calls
``plt.show()`` and changes no global setting. Each exterior has one colour
(``EXTERIOR_COLORS``) in every chart; items without an exterior are grey. Percent and
USD axes are formatted; counts are shown per bar or group. Frames with nothing priced
give a labelled empty chart.

The two scatters (``market_vs_offer``, ``payout_vs_market``) draw one point per priced
item up to ``SCATTER_LIMIT`` items. Above it, points would pile into a solid blot that
takes minutes to render and megabytes to store, so the chart shows the density of all the
items instead (hexagons, coloured by the log of their count, with a colour bar) and says
so in its title ("density of 1,000,000 priced items"); the reference and median lines
and the outlier rings stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import CenteredNorm
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .. import analysis
from ..constants import EXTERIOR_SHORT, EXTERIORS
from .axes import empty, label_bars, literal, new_axes, percent_axis, usd_tick
from .palette import (
    EXTERIOR_COLORS,
    EXTERIOR_MARKERS,
    NO_EXTERIOR_COLOR,
    NO_EXTERIOR_MARKER,
    NO_ITEMS_COLOR,
    OUTLIER_COLOR,
    RATIO_CMAP,
    RATIO_MIN_HALFRANGE,
    REFERENCE_COLOR,
    text_on,
)

__all__ = [
    "SCATTER_LIMIT",
    "exterior_ladder_heatmap",
    "market_vs_offer",
    "payout_by_exterior",
    "payout_distribution",
    "payout_vs_market",
    "symmetric_norm",
]

#: Above this many priced items the scatters show their density, not one point each.
SCATTER_LIMIT = 20_000
#: The density's colours: sequential, colour-blind safe, legible in grey.
DENSITY_CMAP = "cividis"


def payout_by_exterior(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bars of the value-weighted payout ratio per exterior, with item counts.

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "marketPrice": 10, "offer": {"price": 7}}])
    >>> ax = payout_by_exterior(df)
    >>> [round(float(bar.get_height()), 2) for bar in ax.patches]
    [0.0, 0.0, 0.7, 0.0, 0.0]
    """
    ax = new_axes(ax)
    title = "AssetPay payout by exterior"
    table = analysis.by_exterior(df, no_exterior=False)
    if table["priced_items"].sum() == 0:
        return empty(ax, title)
    heights = table["payout_ratio"].fillna(0.0).to_numpy()
    labels = [EXTERIOR_SHORT[e] for e in EXTERIORS]
    bars = ax.bar(labels, heights, color=[EXTERIOR_COLORS[e] for e in EXTERIORS], width=0.7)
    label_bars(ax, bars, table["payout_ratio"].to_numpy(float), table["priced_items"].tolist())
    percent_axis(ax, heights, "offer / market price (value-weighted)")
    ax.set_xlabel("exterior (n = priced items)")
    ax.set_title(title)
    return ax


def _groups(rows: pd.DataFrame) -> Iterator[tuple[str, str, str, pd.Series]]:
    """(name, colour, marker, row mask) of each exterior present, then of the rest."""
    exterior = rows["exterior"].astype(object).where(rows["exterior"].notna(), None)
    styles = [(e, EXTERIOR_COLORS[e], EXTERIOR_MARKERS[e]) for e in EXTERIORS]
    for name, color, marker in [*styles, (None, NO_EXTERIOR_COLOR, NO_EXTERIOR_MARKER)]:
        mask = exterior.isna() if name is None else exterior.eq(name)
        if mask.any():
            yield name or "no exterior", color, marker, mask


def market_vs_offer(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Scatter of market price against offer price, coloured by exterior.

    The parity line (offer = market) and guide lines at 50% and 75% payout frame the
    points; outliers (``analysis.outliers``) are ringed in red. Both axes switch to
    log scale when prices span more than two decades.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "marketPrice": 10, "offer": {"price": 7}},
    ...                  {"marketPrice": 2, "offer": {"price": 1}}])
    >>> ax = market_vs_offer(df)
    >>> sum(len(c.get_offsets()) for c in ax.collections)
    2
    """
    ax = new_axes(ax, (7, 5.5))
    title = "Market price vs AssetPay offer"
    gap = analysis.price_gap(df)
    rows = gap[gap["payout_ratio"].notna()]
    if rows.empty:
        return empty(ax, title)
    market = rows["market_price"].astype(float)
    offer = rows["offer_price"].astype(float)
    low, high = float(min(market.min(), offer.min())), float(max(market.max(), offer.max()))
    log = low > 0 and high / low > 100
    dense = len(rows) > SCATTER_LIMIT
    if dense:
        scale: Literal["log", "linear"] = "log" if log else "linear"
        _density(ax, market, offer, xscale=scale, yscale=scale)
    else:
        for name, color, marker, mask in _groups(rows):
            ax.scatter(market[mask], offer[mask], s=16, alpha=0.75, color=color, marker=marker,
                       edgecolors="none", label=f"{name} (n={int(mask.sum())})")  # fmt: skip
    odd = analysis.outliers(df)
    if len(odd):
        ax.scatter(odd["market_price"].astype(float), odd["offer_price"].astype(float), s=70,
                   facecolors="none", edgecolors=OUTLIER_COLOR, linewidths=1.2,
                   label=f"outliers (n={len(odd):,})")  # fmt: skip
    line = np.geomspace(low, high, 50) if log else np.linspace(0, high, 50)
    ax.plot(line, line, color=REFERENCE_COLOR, lw=1, label="parity (100%)")
    for share, style in ((0.75, "--"), (0.5, ":")):
        ax.plot(line, line * share, color=REFERENCE_COLOR, lw=0.8, ls=style, alpha=0.6,
                label=f"{share:.0%} payout")  # fmt: skip
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(usd_tick))
    ax.yaxis.set_major_formatter(FuncFormatter(usd_tick))
    ax.set_xlabel("market price (USD)")
    ax.set_ylabel("AssetPay offer (USD)")
    shown = f"density of {len(rows):,}" if dense else f"{len(rows)}"
    ax.set_title(f"{title} ({shown} priced items)")
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.grid(alpha=0.3, which="major")
    return ax


def payout_vs_market(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Payout ratio against market price: where AssetPay pays more, and where less.

    Each priced item is a point (market price across, on a log scale; payout ratio up),
    coloured and shaped by exterior. A dashed line in each exterior's colour marks its
    median ratio; the black line is 100% (an offer equal to the market price).

    Returns
    -------
    Axes

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "marketPrice": 10, "offer": {"price": 7}}])
    >>> ax = payout_vs_market(df)
    >>> ax.get_xscale(), [round(float(line.get_ydata()[0]), 2) for line in ax.get_lines()]
    ('log', [1.0, 0.7])
    """
    ax = new_axes(ax, (7, 5))
    title = "Payout ratio against market price"
    gap = analysis.price_gap(df)
    rows = gap[gap["payout_ratio"].notna()]
    if rows.empty:
        return empty(ax, title)
    market, ratio = rows["market_price"].astype(float), rows["payout_ratio"].astype(float)
    ax.axhline(1.0, color=REFERENCE_COLOR, lw=1, label="100%: offer = market price")
    dense = len(rows) > SCATTER_LIMIT
    if dense:
        _density(ax, market, ratio, xscale="log", yscale="linear")
    for name, color, marker, mask in _groups(rows):
        median = float(ratio[mask].median())
        label = f"{name} (n={int(mask.sum()):,}, median {median:.0%})"
        if dense:  # the exterior's median line carries its legend entry
            ax.axhline(median, color=color, lw=1.6, ls="--", label=label)
            continue
        ax.scatter(market[mask], ratio[mask], s=22, alpha=0.75, color=color, marker=marker,
                   edgecolors="none", label=label)  # fmt: skip
        ax.axhline(median, color=color, lw=1.6, ls="--")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(usd_tick))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, max(1.05, float(ratio.max()) * 1.05))
    ax.set_xlabel("market price (USD, log scale)")
    ax.set_ylabel("offer / market price (dashed: each exterior's median)")
    shown = "density of " if dense else ""
    ax.set_title(f"{title} ({shown}{len(rows):,} priced items)")
    ax.legend(fontsize=8, loc="lower left", frameon=False)
    ax.grid(alpha=0.3, which="major")
    return ax


def _density(
    ax: Axes,
    x: pd.Series,
    y: pd.Series,
    *,
    xscale: Literal["log", "linear"],
    yscale: Literal["log", "linear"],
) -> PolyCollection:
    """Hexagons counting the points, coloured by the log of the count, with a colour bar."""
    keep = np.isfinite(x.to_numpy()) & np.isfinite(y.to_numpy())
    if xscale == "log":
        keep &= x.to_numpy() > 0
    if yscale == "log":
        keep &= y.to_numpy() > 0
    cells = ax.hexbin(x.to_numpy()[keep], y.to_numpy()[keep], gridsize=60, bins="log",
                      mincnt=1, cmap=DENSITY_CMAP, xscale=xscale, yscale=yscale,
                      linewidths=0)  # fmt: skip
    colorbar = ax.figure.colorbar(cells, ax=ax)
    colorbar.set_label("priced items per hexagon (log scale)", fontsize=8)
    return cells


def payout_distribution(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Box plots of the items' payout ratios per exterior, with counts.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "marketPrice": 10, "offer": {"price": 7}}])
    >>> [t.get_text() for t in payout_distribution(df).get_xticklabels()]
    ['FT\\nn=1']
    """
    ax = new_axes(ax)
    title = "Payout ratio per item, by exterior"
    gap = analysis.price_gap(df)
    data, labels, colors = [], [], []
    for exterior in EXTERIORS:
        ratios = gap.loc[gap["exterior"].eq(exterior).fillna(False), "payout_ratio"].dropna()
        if len(ratios):
            data.append(ratios.astype(float).to_numpy())
            labels.append(f"{EXTERIOR_SHORT[exterior]}\nn={len(ratios)}")
            colors.append(EXTERIOR_COLORS[exterior])
    if not data:
        return empty(ax, title)
    boxes = ax.boxplot(data, tick_labels=labels, patch_artist=True, widths=0.6,
                       medianprops={"color": "black"},
                       flierprops={"marker": "o", "markersize": 3, "alpha": 0.5})  # fmt: skip
    for patch, color in zip(boxes["boxes"], colors, strict=True):
        patch.set_facecolor(color)
        patch.set_alpha(0.75)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("offer / market price")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return ax


def exterior_ladder_heatmap(df: pd.DataFrame, ax: Axes | None = None, top: int = 15) -> Axes:
    """The exterior ladder (median payout ratio per skin and exterior) as a heatmap.

    Colours are centred on the median of the cells shown, with the same span above and
    below it (the cell furthest from the median sets the span): a cell 3 points above
    the median is paler than one 7 points below. Blank cells have no priced items
    (keyed "no items"); each cell's label is black or white, whichever reads better on
    its colour.

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    ax : Axes, optional
        Where to draw.
    top : int
        The skins with the largest market value shown (default 15).

    Returns
    -------
    Axes

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"name": "AK-47 | Redline", "exterior": "Field-Tested",
    ...                   "marketPrice": 10, "offer": {"price": 7}}])
    >>> ax = exterior_ladder_heatmap(df)
    >>> [t.get_text() for t in ax.texts], [t.get_text() for t in ax.get_legend().texts]
    (['70%'], ['no items'])
    """
    title = "Payout ladder: median offer / market by skin and exterior"
    ladder = analysis.exterior_ladder(df).head(top)
    ax = new_axes(ax, (7.5, 1.2 + 0.38 * max(len(ladder), 3)))
    if ladder.empty:
        return empty(ax, title)
    values = ladder.to_numpy(dtype=float)
    norm = symmetric_norm(values)
    cmap = colormaps[RATIO_CMAP].with_extremes(bad=NO_ITEMS_COLOR)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8,
                    color=text_on(tuple(image.to_rgba(value))))  # fmt: skip
    ax.set_xticks(range(len(EXTERIORS)), [EXTERIOR_SHORT[e] for e in EXTERIORS])
    ax.set_yticks(range(len(ladder)), [literal(skin) for skin in ladder.index])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(title, fontsize=10)
    colorbar = ax.figure.colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0))
    span = f"{norm.halfrange * 100:.0f} pt"
    colorbar.set_label(f"payout ratio (median {norm.vcenter:.0%} ± {span})", fontsize=8)
    if np.isnan(values).any():
        blank = Patch(facecolor=NO_ITEMS_COLOR, edgecolor=NO_EXTERIOR_COLOR, label="no items")
        # below the exterior labels, whatever the figure's height (the pad is in font sizes)
        ax.legend(handles=[blank], loc="upper right", bbox_to_anchor=(1.0, 0.0), fontsize=8,
                  frameon=False, borderaxespad=2.2, handlelength=1.2)  # fmt: skip
    return ax


def symmetric_norm(values: np.ndarray) -> CenteredNorm:
    """A norm centred on the values' median, the same span both ways, nothing clipped.

    The span is the distance from the median to the value furthest from it, at least
    ``RATIO_MIN_HALFRANGE`` (so near-equal cells stay pale); NaN (no items) is ignored.

    Examples
    --------
    >>> norm = symmetric_norm(np.array([[0.60, 0.70], [0.73, np.nan]]))
    >>> [round(float(v), 2) for v in (norm.vmin, norm.vcenter, norm.vmax)]
    [0.6, 0.7, 0.8]
    """
    known = values[~np.isnan(values)]
    centre = float(np.median(known))
    span = max(centre - float(known.min()), float(known.max()) - centre, RATIO_MIN_HALFRANGE)
    return CenteredNorm(vcenter=centre, halfrange=span)
