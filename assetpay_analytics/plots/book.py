"""Charts of AssetPay's price book: its deposit against its own withdraw price.

Re-exported by ``plots``. Each takes a price book frame (``client.prices``) and draws the
value-weighted deposit ratio (Σ deposit / Σ standard withdraw over the accepted entries
that have both prices; ``analysis.catalogue_spread``): per exterior in the exterior
palette (``deposit_ratio_by_exterior``), and per band of the withdraw price
(``deposit_ratio_by_band``, ``BOOK_BANDS``). The bands are labelled by what an item sells
for, so they read with the inventory's market price bands.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from .. import analysis
from ..analysis.catalogue import PRICE_BANDS, book_band
from ..constants import EXTERIORS
from .axes import empty, label_bars, new_axes, percent_axis
from .palette import EXTERIOR_COLORS, GROUP_COLOR

__all__ = ["BOOK_BANDS", "book_band", "deposit_ratio_by_band", "deposit_ratio_by_exterior"]

#: The withdraw price bands of the book charts: the market price bands' edges and labels.
BOOK_BANDS = PRICE_BANDS  # book_band (analysis.catalogue) is re-exported here too
_YLABEL = "deposit / standard withdraw (value-weighted)"


def _bars(ax: Axes, table: pd.DataFrame, colours: list[str], title: str, xlabel: str) -> Axes:
    if table["entries"].sum() == 0:
        return empty(ax, title)
    heights = table["deposit_ratio"].fillna(0.0).to_numpy(float)
    bars = ax.bar([str(i) for i in table.index], heights, color=colours, width=0.7)
    label_bars(ax, bars, table["deposit_ratio"].to_numpy(float), table["entries"].tolist())
    percent_axis(ax, heights, _YLABEL)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


def deposit_ratio_by_exterior(prices: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bars of AssetPay's deposit / withdraw ratio per exterior, Factory New first.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_price_book
    >>> book = from_price_book([{"itemId": "a", "marketHashName": "AK-47 | Redline "
    ...     "(Field-Tested)", "accepted": True, "deposit": 30, "withdraw": {"standard": 40,
    ...     "instant": None}}])
    >>> [round(float(b.get_height()), 2) for b in deposit_ratio_by_exterior(book).patches]
    [0.0, 0.0, 0.75, 0.0, 0.0]
    """
    ax = new_axes(ax)
    table = analysis.catalogue_spread(prices, by="exterior").reindex(list(EXTERIORS))
    table["entries"] = table["entries"].fillna(0).astype(int)
    colours = [EXTERIOR_COLORS[e] for e in EXTERIORS]
    return _bars(ax, table, colours, "AssetPay deposit against its withdraw price, by exterior",
                 "exterior (n = accepted entries)")  # fmt: skip


def deposit_ratio_by_band(prices: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Bars of AssetPay's deposit / withdraw ratio per band of the withdraw price.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_price_book
    >>> book = from_price_book([{"marketHashName": "Scrap", "accepted": True,
    ...                          "deposit": 0.4, "withdraw": 0.5}], game="252490")
    >>> [round(float(b.get_height()), 2) for b in deposit_ratio_by_band(book).patches]
    [0.8, 0.0, 0.0, 0.0, 0.0]
    """
    ax = new_axes(ax)
    labels = [label for _, label in BOOK_BANDS]
    table = analysis.catalogue_spread(prices, by=book_band(prices)).reindex(labels)
    table["entries"] = table["entries"].fillna(0).astype(int)
    return _bars(ax, table, [GROUP_COLOR] * len(labels),
                 "AssetPay deposit against its withdraw price, by price band",
                 "standard withdraw price band (n = accepted entries)")  # fmt: skip
