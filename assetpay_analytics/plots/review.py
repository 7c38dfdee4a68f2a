"""What the review figure says around its panels: the headline, the footer, and which
panels apply.

``plots.pricing_review`` draws the exterior panels when priced items have exteriors
(CS2 skins). When none has one (a Rust inventory, or only stickers and cases), exterior
panels would only say "no priced items" under a headline with priced items
(``has_exteriors`` is False), so it shows payout by item type and by price band
instead. ``footer`` is re-exported by ``plots``.
"""

from __future__ import annotations

import pandas as pd

from .. import analysis
from ..analysis.definitions import accounts_of
from ..analysis.formats import pct
from ..frame.coerce import to_timestamp
from .axes import usd_tick

__all__ = ["data_time", "footer", "has_exteriors", "headline"]


def has_exteriors(df: pd.DataFrame) -> bool:
    """Whether any priced item has an exterior (which panels a review shows)."""
    return bool((analysis.priced(df) & df["exterior"].notna()).any())


def headline(df: pd.DataFrame) -> str:
    """The review's second title line: accounts, items, values, payout ratio."""
    totals = analysis.summary(df)
    parts = [
        f"{int(totals['items']):,} items",
        f"{int(totals['priced_items']):,} priced",
        f"market value {usd_tick(totals['market_value'])}",
        f"offer value {usd_tick(totals['offer_value'])}",
        f"payout ratio {pct(totals['payout_ratio'])}",
    ]
    # the accounts fetched, an empty inventory included (its rows cannot say so)
    accounts = len(accounts_of(df))
    if accounts > 1:
        parts.insert(0, f"{accounts} accounts")
    return " · ".join(parts)


def footer(df: pd.DataFrame, source: str) -> str:
    """``Source: ... · data as of YYYY-MM-DD HH:MM UTC`` for a review figure.

    Examples
    --------
    >>> from assetpay_analytics.frame import empty_frame
    >>> df = empty_frame()
    >>> df.attrs["updated_at"] = "2026-06-01T09:30:00Z"
    >>> footer(df, "AssetPay sandbox")
    'Source: AssetPay sandbox · data as of 2026-06-01 09:30 UTC · made with assetpay-analytics'
    """
    stamp = data_time(df)
    when = "time unknown" if stamp is None else f"as of {stamp}"
    return f"Source: {source} · data {when} · made with assetpay-analytics"


def data_time(df: pd.DataFrame) -> str | None:
    """When the data is from (``attrs["updated_at"]``) as ``YYYY-MM-DD HH:MM UTC``."""
    stamp = to_timestamp(df.attrs.get("updated_at"))
    return None if stamp is None else f"{stamp:%Y-%m-%d %H:%M} UTC"
