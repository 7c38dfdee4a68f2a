"""The review figure (``pricing_review``): the panels that apply, its headline, its footer.

``pricing_review`` draws the exterior panels when priced items have exteriors (CS2
skins). When none has one (a Rust inventory, or only stickers and cases), exterior
panels would only say "no priced items" under a headline with priced items
(``has_exteriors`` is False), so it shows payout by item type and by price band
instead. ``footer`` is re-exported by ``plots``; the document reads ``has_exteriors``
too. The footer's words come from ``frame.provenance`` (``data_time`` is re-exported
here), which the command line reads without loading matplotlib.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .. import analysis
from ..analysis.definitions import accounts_of
from ..analysis.formats import pct
from ..frame.provenance import about, data_time
from .axes import usd_tick
from .bars import payout_by_price_band, payout_by_type
from .charts import (
    exterior_ladder_heatmap,
    payout_by_exterior,
    payout_distribution,
    payout_vs_market,
)
from .palette import FOOTER_COLOR

__all__ = ["data_time", "footer", "has_exteriors", "headline", "pricing_review"]


def has_exteriors(df: pd.DataFrame) -> bool:
    """Whether any priced item has an exterior (which panels a review shows)."""
    return bool((analysis.priced(df) & df["exterior"].notna()).any())


def headline(df: pd.DataFrame) -> str:
    """The review's second title line: accounts, items, values, payout ratio."""
    totals = analysis.summary(df)
    parts = [
        f"{int(totals['items']):,} items",
        f"{int(totals['priced_items']):,} priced",
        f"market value {usd_tick(totals['market_value'])}"
        f" (priced {usd_tick(totals['priced_market_value'])})",
        f"offer value {usd_tick(totals['offer_value'])}",
        f"payout ratio {pct(totals['payout_ratio'])}",
    ]
    # the accounts fetched, an empty inventory included (its rows cannot say so)
    accounts = len(accounts_of(df))
    if accounts > 1:
        parts.insert(0, f"{accounts} accounts")
    return " · ".join(parts)


def footer(df: pd.DataFrame, source: str) -> str:
    """The footer of a review figure: ``Source: <source> · data as of YYYY-MM-DD HH:MM UTC``.

    One line (a line break in ``source`` becomes a space), to be drawn with
    ``parse_math=False``: ``source`` is shown as given, ``$`` included.

    Examples
    --------
    >>> from assetpay_analytics.frame import empty_frame
    >>> df = empty_frame()
    >>> df.attrs["updated_at"] = "2026-06-01T09:30:00Z"
    >>> footer(df, "AssetPay sandbox")
    'Source: AssetPay sandbox · data as of 2026-06-01 09:30 UTC · made with assetpay-analytics'
    """
    return about(df, source)


def pricing_review(df: pd.DataFrame, *, source: str = "AssetPay Merchant API") -> Figure:
    """One figure for a pricing review: headline numbers, the panels that apply, a footer.

    With exteriors: payout by exterior, payout ratio against market price, payout
    distribution, payout ladder. Without (Rust; stickers and cases only): payout by item
    type, by price band, and against market price. The footer names the ``source`` and
    the data's time (``attrs["updated_at"]``).

    Returns
    -------
    Figure

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "marketPrice": 10, "offer": {"price": 7}}])
    >>> len(pricing_review(df).axes) >= 4
    True
    """
    figure = plt.figure(figsize=(15, 10.5), layout="constrained")
    figure.suptitle(f"AssetPay pricing review\n{headline(df)}", fontsize=14, parse_math=False)
    grid = figure.add_gridspec(2, 2)
    if has_exteriors(df) or not analysis.priced(df).any():
        payout_by_exterior(df, ax=figure.add_subplot(grid[0, 0]))
        payout_vs_market(df, ax=figure.add_subplot(grid[0, 1]))
        payout_distribution(df, ax=figure.add_subplot(grid[1, 0]))
        exterior_ladder_heatmap(df, ax=figure.add_subplot(grid[1, 1]), top=12)
    else:
        payout_by_type(df, ax=figure.add_subplot(grid[0, 0]))
        payout_by_price_band(df, ax=figure.add_subplot(grid[0, 1]))
        payout_vs_market(df, ax=figure.add_subplot(grid[1, :]))
    # a figure-level x label (constrained layout keeps room for it below the panels), with
    # mathtext off: the source is the caller's text, shown as given
    figure.supxlabel(footer(df, source), fontsize=9, color=FOOTER_COLOR, x=0.01, ha="left",
                     parse_math=False)  # fmt: skip
    return figure
