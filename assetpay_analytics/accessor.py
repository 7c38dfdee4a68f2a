"""``df.assetpay``: the analysis functions and charts as methods of any inventory frame.

Importing this module registers the accessor with pandas. It is imported by what
hands frames to users (the client, the Parquet reader), never by ``frame`` or
``analysis``, so the data layers stay below it and ``import assetpay_analytics``
stays free of pandas. The charts (and matplotlib) load on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from .analysis import (
    by_exterior,
    by_group,
    exterior_ladder,
    outliers,
    price_gap,
    priced,
    sticker_effect,
    summary,
    wear_bands,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["AssetPayAccessor"]


@pd.api.extensions.register_dataframe_accessor("assetpay")
class AssetPayAccessor:
    """``df.assetpay``: the analysis functions and charts as methods of a frame.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Minimal Wear", "marketPrice": 10, "offer": {"price": 8}}])
    >>> float(df.assetpay.by_exterior().loc["Minimal Wear", "payout_ratio"])
    0.8
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self._df = df

    def priced(self) -> pd.Series:
        """See ``analysis.priced``."""
        return priced(self._df)

    def price_gap(self) -> pd.DataFrame:
        """See ``analysis.price_gap``."""
        return price_gap(self._df)

    def summary(self) -> pd.Series:
        """See ``analysis.summary``."""
        return summary(self._df)

    def by_exterior(self) -> pd.DataFrame:
        """See ``analysis.by_exterior``."""
        return by_exterior(self._df)

    def by_group(self, by: str | Sequence[str]) -> pd.DataFrame:
        """See ``analysis.by_group``."""
        return by_group(self._df, by)

    def exterior_ladder(self, value: str = "payout_ratio") -> pd.DataFrame:
        """See ``analysis.exterior_ladder``."""
        return exterior_ladder(self._df, value)

    def outliers(self, threshold: float = 3.0) -> pd.DataFrame:
        """See ``analysis.outliers``."""
        return outliers(self._df, threshold)

    def wear_bands(self, bins: int = 10) -> pd.DataFrame:
        """See ``analysis.wear_bands``."""
        return wear_bands(self._df, bins)

    def sticker_effect(self) -> pd.DataFrame:
        """See ``analysis.sticker_effect``."""
        return sticker_effect(self._df)

    # charts: plots (and matplotlib) are imported on first use

    def payout_by_exterior(self, ax: Axes | None = None) -> Axes:
        """See ``plots.payout_by_exterior``."""
        from . import plots

        return plots.payout_by_exterior(self._df, ax=ax)

    def market_vs_offer(self, ax: Axes | None = None) -> Axes:
        """See ``plots.market_vs_offer``."""
        from . import plots

        return plots.market_vs_offer(self._df, ax=ax)

    def payout_distribution(self, ax: Axes | None = None) -> Axes:
        """See ``plots.payout_distribution``."""
        from . import plots

        return plots.payout_distribution(self._df, ax=ax)

    def exterior_ladder_heatmap(self, ax: Axes | None = None, top: int = 15) -> Axes:
        """See ``plots.exterior_ladder_heatmap``."""
        from . import plots

        return plots.exterior_ladder_heatmap(self._df, ax=ax, top=top)

    def pricing_review(self) -> Figure:
        """See ``plots.pricing_review``."""
        from . import plots

        return plots.pricing_review(self._df)
