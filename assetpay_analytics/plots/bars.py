"""Bar charts beyond the exteriors: payout by item type, by price band, and two dates.

Re-exported by ``plots``. Items without an exterior (Rust, stickers, cases, agents) are
reviewed by type and by price band; ``payout_change_by_exterior`` shows how the offer
moved between two snapshots, like-for-like (``analysis.compare``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .. import analysis
from ..analysis.catalogue import PRICE_BANDS, price_band
from ..constants import EXTERIOR_SHORT, EXTERIORS
from .axes import empty, label_bars, literal, new_axes, percent_axis
from .palette import EXTERIOR_COLORS, GROUP_COLOR

__all__ = ["PRICE_BANDS", "payout_by_price_band", "payout_by_type", "payout_change_by_exterior"]


def _group_bars(ax: Axes, table: pd.DataFrame, title: str, xlabel: str) -> Axes:
    """Value-weighted payout bars of an ``analysis`` group table, labelled."""
    if table["priced_items"].sum() == 0:
        return empty(ax, title)
    heights = table["payout_ratio"].fillna(0.0).to_numpy(float)
    # positions, not categories: two groups that read the same stay two bars
    x = np.arange(len(table))
    bars = ax.bar(x, heights, color=GROUP_COLOR, width=0.7)
    ax.set_xticks(x, [str(i) for i in table.index])
    label_bars(ax, bars, table["payout_ratio"].to_numpy(float), table["priced_items"].tolist())
    percent_axis(ax, heights, "offer / market price (value-weighted)")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


def payout_by_type(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bars of the value-weighted payout ratio per item type, largest value first.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"type": "Skin", "marketPrice": 10, "offer": {"price": 7}},
    ...                  {"type": "Resource", "marketPrice": 1, "offer": {"price": 0.5}}])
    >>> [t.get_text() for t in payout_by_type(df).get_xticklabels()]
    ['Skin', 'Resource']
    """
    ax = new_axes(ax)
    table = analysis.by_group(df, "type")
    table = table[table["items"] > 0]
    types = pd.Index(table.index.astype(object)).fillna("(no type)")
    table.index = pd.Index([literal(kind) for kind in types])  # types come from the data
    return _group_bars(ax, table, "AssetPay payout by item type", "item type (n = priced items)")


def payout_by_price_band(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bars of the value-weighted payout ratio per market price band (``PRICE_BANDS``).

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 0.5, "offer": {"price": 0.2}},
    ...                  {"marketPrice": 50, "offer": {"price": 40}}])
    >>> [round(float(bar.get_height()), 2) for bar in payout_by_price_band(df).patches]
    [0.4, 0.0, 0.8, 0.0, 0.0]
    """
    ax = new_axes(ax)
    labels = [label for _, label in PRICE_BANDS]
    band = price_band(df["market_price"]).rename("band")
    table = analysis.by_group(df.assign(band=band), "band").reindex(labels)
    table[["items", "priced_items"]] = table[["items", "priced_items"]].fillna(0)
    title = "AssetPay payout by market price"
    return _group_bars(ax, table, title, "market price band (n = priced items)")


def payout_change_by_exterior(
    before: pd.DataFrame, after: pd.DataFrame, ax: Axes | None = None
) -> Axes:
    """Payout per exterior on two dates, like-for-like (kept items priced both times).

    Light bars are ``before``, full bars ``after``; the label over each pair is the change
    in percentage points (``analysis.compare(before, after).by_exterior``).

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> a = from_items([{"id": "1", "exterior": "Field-Tested", "marketPrice": 10,
    ...                  "offer": {"price": 7}}], steam_id="7")
    >>> b = from_items([{"id": "1", "exterior": "Field-Tested", "marketPrice": 10,
    ...                  "offer": {"price": 6}}], steam_id="7")
    >>> [t.get_text() for t in payout_change_by_exterior(a, b).texts]
    ['−10.0 pt']
    """
    ax = new_axes(ax)
    title = "AssetPay payout by exterior, before and after"
    table = analysis.compare(before, after).by_exterior
    if table["kept_priced"].sum() == 0:
        return empty(ax, title)
    x = np.arange(len(EXTERIORS))
    colours = [EXTERIOR_COLORS[e] for e in EXTERIORS]
    old = table["payout_ratio_before"].to_numpy(float)
    new = table["payout_ratio_after"].to_numpy(float)
    ax.bar(x - 0.2, np.nan_to_num(old), 0.4, color=colours, alpha=0.4, label="before")
    ax.bar(x + 0.2, np.nan_to_num(new), 0.4, color=colours, label="after")
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if not (np.isnan(a) or np.isnan(b)):
            change = (b - a) * 100
            text = f"{change:+.1f} pt".replace("-", "−")
            ax.annotate(text, (x[i], max(a, b)), xytext=(0, 4), textcoords="offset points",
                        ha="center", fontsize=9)  # fmt: skip
    ax.set_xticks(x, [EXTERIOR_SHORT[e] for e in EXTERIORS])
    percent_axis(ax, np.concatenate([old, new]), "offer / market price (kept items)")
    ax.set_xlabel("exterior (light: before, full: after)")
    ax.set_title(title)
    return ax
