"""The pricing definitions every analysis is built from: priced rows, ratios, aggregates.

``priced`` and ``price_gap`` are public (re-exported by ``analysis``, whose docstring
states the definitions); ``per_row`` and ``aggregate`` are the shared machinery of the
group tables (``summary``, ``by_exterior``, ``by_group``, ``wear_bands``...).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..constants import STAR_PREFIX, STATTRAK_PREFIX
from .formats import value_text

__all__ = [
    "GROUP_COLUMNS",
    "Summary",
    "accounts_of",
    "aggregate",
    "as_float",
    "per_row",
    "price_gap",
    "priced",
    "ratios",
    "skin_label",
    "units",
]

#: Columns of ``by_exterior`` and ``by_group``, in order.
GROUP_COLUMNS = (
    "items",
    "units",
    "priced_items",
    "market_value",
    "offer_value",
    "payout_ratio",
    "median_payout_ratio",
    "mean_wear",
)


class Summary(pd.Series):
    """``summary``'s numbers, displayed formatted: counts whole, money in dollars, ratios in %.

    The values stay numbers (``summary(df)["market_value"]`` is a float, ``["items"]`` an
    int), so code that indexes the summary is unaffected; only ``repr`` and the notebook
    display format them. Anything computed from it is a plain Series.

    Examples
    --------
    >>> Summary({"items": 1692, "market_value": 1234567.5, "payout_ratio": 0.8202}, dtype=object)
    items                   1,692
    market_value    $1,234,567.50
    payout_ratio            82.0%
    dtype: object
    """

    @property
    def _constructor(self) -> type[pd.Series]:
        return pd.Series

    def formatted(self) -> pd.Series:
        """The values as display strings (a dash where undefined)."""
        return pd.Series(
            {key: value_text(str(key), value) for key, value in self.items()},
            name=self.name, dtype=object,
        )  # fmt: skip

    def __repr__(self) -> str:
        return repr(self.formatted())

    def _repr_html_(self) -> str:
        return self.formatted().to_frame(self.name or "").to_html(header=self.name is not None)


def accounts_of(df: pd.DataFrame) -> list[str]:
    """The accounts a frame covers, in the batch's order, empty inventories included.

    ``attrs["steam_ids"]`` (a batch) or ``attrs["steam_id"]`` (one inventory) name the
    accounts, those with no items too; accounts in the rows but not named follow, sorted.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 1}], steam_id="7")
    >>> df.attrs["steam_ids"] = ["9", "7"]
    >>> accounts_of(df)
    ['9', '7']
    """
    steam_ids = df.attrs.get("steam_ids") or [df.attrs.get("steam_id")]
    named = list(dict.fromkeys(str(s) for s in steam_ids if s))
    in_rows = set(df["steam_id"].dropna().astype(str)) if "steam_id" in df else set()
    return named + sorted(in_rows - set(named))


def as_float(series: pd.Series) -> pd.Series:
    """The series as nullable ``Float64`` (prices and wear arrive as Float64 already)."""
    return series.astype("Float64")


def priced(df: pd.DataFrame) -> pd.Series:
    """Boolean mask of the priced rows.

    A row is priced when ``market_price > 0``, ``offer_price`` is not NA and
    ``offer_accepted`` is not False.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 10, "offer": {"price": 7}},
    ...                  {"marketPrice": 10, "offer": {"price": 7, "accepted": False}},
    ...                  {"marketPrice": 0, "offer": {"price": 7}}])
    >>> priced(df).tolist()
    [True, False, False]
    """
    market = as_float(df["market_price"])
    accepted = df["offer_accepted"].astype("boolean").fillna(True)
    mask = market.gt(0).fillna(False) & df["offer_price"].notna() & accepted
    return mask.astype(bool)


def ratios(df: pd.DataFrame, mask: pd.Series) -> pd.Series:
    """``offer_price / market_price`` on the rows of ``mask``, NA elsewhere."""
    ratio = as_float(df["offer_price"]) / as_float(df["market_price"])
    return ratio.where(mask, pd.NA).astype("Float64")


def price_gap(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with ``spread``, ``payout_ratio`` and ``discount_pct`` (NA where not priced).

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 20, "offer": {"price": 15}}])
    >>> price_gap(df)[["spread", "payout_ratio", "discount_pct"]].iloc[0].tolist()
    [5.0, 0.75, 0.25]
    """
    mask = priced(df)
    out = df.copy()
    ratio = ratios(df, mask)
    out["spread"] = (as_float(df["market_price"]) - as_float(df["offer_price"])).where(mask, pd.NA)
    out["payout_ratio"] = ratio
    out["discount_pct"] = 1 - ratio
    return out


def units(df: pd.DataFrame) -> pd.Series:
    """Copies per row: ``amount`` (a stacked Rust row holds several), 1 where absent.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> units(from_items([{"amount": 40}, {}])).tolist()
    [40, 1]
    """
    if "amount" not in df.columns:
        return pd.Series(1, index=df.index, dtype="int64")
    amount = df["amount"].astype("Int64")
    return amount.where(amount.gt(0).fillna(False), 1).astype("int64")


def per_row(df: pd.DataFrame) -> pd.DataFrame:
    """The per-row numbers every aggregate is built from (values are unit price × units)."""
    mask = priced(df)
    count = units(df)
    market = as_float(df["market_price"]) * count
    return pd.DataFrame(
        {
            "priced": mask.astype("int64"),
            "units": count,
            "market_any": market.fillna(0.0),
            "market_priced": market.where(mask, 0.0).fillna(0.0),
            "offer_priced": (as_float(df["offer_price"]) * count).where(mask, 0.0).fillna(0.0),
            "ratio": ratios(df, mask),
            "wear": as_float(df["wear"]),
        },
        index=df.index,
    )


def _finish(agg: pd.DataFrame) -> pd.DataFrame:
    has_priced = agg["market_priced"] > 0
    out = pd.DataFrame(index=agg.index)
    out["items"] = agg["items"].astype("int64")
    out["units"] = agg["units"].astype("int64")
    out["priced_items"] = agg["priced"].astype("int64")
    out["market_value"] = agg["market_any"].astype("float64")
    out["offer_value"] = agg["offer_priced"].astype("float64")
    ratio = agg["offer_priced"].astype("float64") / agg["market_priced"].astype("float64")
    out["payout_ratio"] = ratio.where(has_priced)
    out["median_payout_ratio"] = agg["ratio"].astype("float64")
    out["mean_wear"] = agg["wear"].astype("float64")
    return out


def aggregate(df: pd.DataFrame, keys: Any, *, observed: bool, dropna: bool) -> pd.DataFrame:
    """The ``GROUP_COLUMNS`` table of ``df`` grouped by ``keys`` (as ``DataFrame.groupby``)."""
    parts = per_row(df)
    grouped = parts.groupby(keys, observed=observed, dropna=dropna, sort=True)
    agg = grouped.agg(
        items=("priced", "size"),
        units=("units", "sum"),
        priced=("priced", "sum"),
        market_any=("market_any", "sum"),
        market_priced=("market_priced", "sum"),
        offer_priced=("offer_priced", "sum"),
        ratio=("ratio", "median"),
        wear=("wear", "mean"),
    )
    return _finish(agg)


def skin_label(df: pd.DataFrame) -> pd.Series:
    """``[★ ][StatTrak™ |Souvenir ]Weapon | Skin`` (NA for items that are not skins)."""
    weapon, skin = df["weapon"].astype("string"), df["skin"].astype("string")
    star = np.where(df["star"].astype(bool), STAR_PREFIX, "")
    mark = np.where(df["stattrak"].astype(bool), STATTRAK_PREFIX,
                    np.where(df["souvenir"].astype(bool), "Souvenir ", ""))  # fmt: skip
    prefix = pd.Series(star, index=df.index, dtype="string") + pd.Series(
        mark, index=df.index, dtype="string"
    )
    label: pd.Series = prefix + weapon + " | " + skin
    return label.astype("string")
