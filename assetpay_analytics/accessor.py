"""``df.assetpay``: the analysis functions and charts of any inventory frame, and typed
views of its ``attrs``.

``attrs`` hold only JSON-friendly values (pandas writes them into Parquet with
``json.dumps``): ``errors`` and ``anomalies`` are lists of records and ``updated_at``
an ISO-8601 UTC string. ``df.assetpay.errors``, ``.anomalies`` and ``.updated_at``
turn them back into frames with fixed columns (``schema.ERROR_COLUMNS``,
``schema.ANOMALY_COLUMNS``) and a UTC Timestamp.

Importing this module registers the accessor with pandas. It is imported by what
hands frames to users (the client, the Parquet reader), never by ``frame`` or
``analysis``, so the data layers stay below it and ``import assetpay_analytics``
stays free of pandas. The charts (and matplotlib) load on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .analysis import (
    BookComparison,
    Comparison,
    by_account,
    by_exterior,
    by_group,
    catalogue_spread,
    compare,
    compare_prices,
    deposit_trend,
    exterior_ladder,
    offer_vs_catalogue,
    outliers,
    payout_trend,
    price_gap,
    priced,
    sticker_effect,
    summary,
    wear_bands,
)
from .frame.coerce import to_timestamp
from .frame.records import records_frame
from .frame.schema import ANOMALY_COLUMNS, ERROR_COLUMNS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["AssetPayAccessor", "records_frame"]


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

    # typed views of attrs (which hold JSON-friendly values only)

    @property
    def errors(self) -> pd.DataFrame:
        """The accounts of a batch that failed, one row each (empty when none did).

        The typed view of ``attrs["errors"]`` (a list of records): the columns and
        dtypes of ``schema.ERROR_COLUMNS`` (steam_id, input, trade_url, code, key,
        status, message, request_id, attempts, elapsed), whatever the records hold.

        Returns
        -------
        DataFrame

        Examples
        --------
        >>> from assetpay_analytics.frame import empty_frame
        >>> df = empty_frame()
        >>> df.attrs["errors"] = [{"steam_id": "76561198000000001", "input": 2,
        ...                        "key": "USER_NOT_TRADEABLE", "code": 7, "status": 400}]
        >>> df.assetpay.errors[["input", "key", "status"]].to_dict("records")
        [{'input': 2, 'key': 'USER_NOT_TRADEABLE', 'status': 400}]
        >>> empty_frame().assetpay.errors.columns.tolist()[:4]
        ['steam_id', 'input', 'trade_url', 'code']
        """
        return records_frame(self._df.attrs.get("errors"), ERROR_COLUMNS)

    @property
    def anomalies(self) -> pd.DataFrame:
        """The values set aside as out of range, one row each (empty when none were).

        The typed view of ``attrs["anomalies"]`` (a list of records): steam_id,
        item_id, field, value (as text), reason, every column of pandas ``string``
        dtype (``schema.ANOMALY_COLUMNS``).

        Returns
        -------
        DataFrame

        Examples
        --------
        >>> from assetpay_analytics.frame import empty_frame
        >>> df = empty_frame()
        >>> df.attrs["anomalies"] = [{"steam_id": "1", "item_id": "a1", "field": "wear",
        ...                           "value": "1.7", "reason": "wear outside [0, 1]"}]
        >>> df.assetpay.anomalies.loc[0, ["field", "value"]].tolist()
        ['wear', '1.7']
        >>> len(empty_frame().assetpay.anomalies)
        0
        """
        return records_frame(self._df.attrs.get("anomalies"), ANOMALY_COLUMNS)

    @property
    def updated_at(self) -> pd.Timestamp | None:
        """When AssetPay last refreshed the inventory, as a UTC Timestamp (None if unknown).

        The typed view of ``attrs["updated_at"]`` (an ISO-8601 UTC string such as
        ``"2026-06-01T09:30:00Z"``; for a batch, the latest account's).

        Returns
        -------
        Timestamp or None

        Examples
        --------
        >>> from assetpay_analytics.frame import empty_frame
        >>> df = empty_frame()
        >>> df.attrs["updated_at"] = "2026-06-01T09:30:00Z"
        >>> df.assetpay.updated_at
        Timestamp('2026-06-01 09:30:00+0000', tz='UTC')
        >>> empty_frame().assetpay.updated_at is None
        True
        """
        return to_timestamp(self._df.attrs.get("updated_at"))

    def priced(self) -> pd.Series:
        """See ``analysis.priced``."""
        return priced(self._df)

    def price_gap(self) -> pd.DataFrame:
        """See ``analysis.price_gap``."""
        return price_gap(self._df)

    def summary(self) -> pd.Series:
        """See ``analysis.summary``."""
        return summary(self._df)

    def by_exterior(self, *, no_exterior: bool = True) -> pd.DataFrame:
        """See ``analysis.by_exterior``."""
        return by_exterior(self._df, no_exterior=no_exterior)

    def by_account(self, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
        """See ``analysis.by_account``."""
        return by_account(self._df, labels)

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

    def offer_vs_catalogue(self, prices: pd.DataFrame) -> pd.DataFrame:
        """This inventory against a price book: see ``analysis.offer_vs_catalogue``."""
        return offer_vs_catalogue(self._df, prices)

    def catalogue_spread(self, by: Any = None) -> pd.DataFrame:
        """This price book's deposit against withdraw: see ``analysis.catalogue_spread``."""
        return catalogue_spread(self._df, by)

    def compare(self, after: pd.DataFrame) -> Comparison:
        """This frame as "before" against ``after``: see ``analysis.compare``."""
        return compare(self._df, after)

    def payout_trend(self, by: str | None = "exterior", freq: str = "D") -> pd.DataFrame:
        """This history's payout ratio over time: see ``analysis.payout_trend``."""
        return payout_trend(self._df, by, freq)

    def compare_prices(self, after: pd.DataFrame) -> BookComparison:
        """This price book as "before" against ``after``: see ``analysis.compare_prices``."""
        return compare_prices(self._df, after)

    def deposit_trend(self, by: str | None = "exterior", freq: str = "D") -> pd.DataFrame:
        """This history of price books' deposit ratio: see ``analysis.deposit_trend``."""
        return deposit_trend(self._df, by, freq)

    # charts: plots (and matplotlib) are imported on first use

    def payout_by_exterior(self, ax: Axes | None = None) -> Axes:
        """See ``plots.payout_by_exterior``."""
        from . import plots

        return plots.payout_by_exterior(self._df, ax=ax)

    def market_vs_offer(self, ax: Axes | None = None) -> Axes:
        """See ``plots.market_vs_offer``."""
        from . import plots

        return plots.market_vs_offer(self._df, ax=ax)

    def payout_vs_market(self, ax: Axes | None = None) -> Axes:
        """See ``plots.payout_vs_market``."""
        from . import plots

        return plots.payout_vs_market(self._df, ax=ax)

    def payout_distribution(self, ax: Axes | None = None) -> Axes:
        """See ``plots.payout_distribution``."""
        from . import plots

        return plots.payout_distribution(self._df, ax=ax)

    def exterior_ladder_heatmap(self, ax: Axes | None = None, top: int = 15) -> Axes:
        """See ``plots.exterior_ladder_heatmap``."""
        from . import plots

        return plots.exterior_ladder_heatmap(self._df, ax=ax, top=top)

    def pricing_review(self, *, source: str = "AssetPay Merchant API") -> Figure:
        """See ``plots.pricing_review``."""
        from . import plots

        return plots.pricing_review(self._df, source=source)
