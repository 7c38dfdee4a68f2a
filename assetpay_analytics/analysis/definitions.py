"""The pricing definitions every analysis is built from: priced rows, ratios, aggregates.

``priced`` and ``price_gap`` are public (re-exported by ``analysis``, whose docstring
states the definitions); ``per_row`` and ``aggregate`` are the shared machinery of the
group tables (``summary``, ``by_exterior``, ``by_group``, ``wear_bands``...).

Speed at a million rows (issue 24, ``benchmarks/bench_analysis.py``): the analyses
compute on ``plain`` views (no ``attrs``, which pandas deep-copies into every
intermediate), on NumPy arrays of the few columns they need (``floats``, ``priced_rows``,
``ratio_values``), and on a categorical's codes rather than its rows' strings (``coded``,
``skin_codes``, ``exterior_key``); text is built once per distinct value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..constants import NO_EXTERIOR, STAR_PREFIX, STATTRAK_PREFIX
from .formats import value_text

__all__ = [
    "GROUP_COLUMNS",
    "Summary",
    "accounts_of",
    "aggregate",
    "aggregate_parts",
    "as_float",
    "coded",
    "distinct",
    "exterior_key",
    "floats",
    "nullable",
    "per_row",
    "plain",
    "price_gap",
    "priced",
    "priced_rows",
    "ratio_values",
    "ratios",
    "skin_codes",
    "skin_label",
    "unit_counts",
    "units",
]

#: Columns of the group tables (``by_exterior``, ``by_group``, ``by_account``, ``wear_bands``,
#: ``sticker_effect``), in order; ``payout_ratio`` is ``offer_value / priced_market_value``.
GROUP_COLUMNS = (
    "items",
    "units",
    "priced_items",
    "market_value",
    "priced_market_value",
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


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as a shallow view without ``attrs`` (its columns shared, nothing copied).

    pandas deep-copies ``attrs`` into the result of most operations (every column
    selected, every mask): on a batch whose attrs list thousands of accounts that costs
    more than the arithmetic, so the analysis computes on this view instead.
    """
    if not df.attrs:
        return df
    out = df.copy(deep=False)
    out.attrs = {}
    return out


def distinct(values: pd.Series) -> list[str]:
    """The distinct non-NA values of a column as text (a categorical's used categories)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values.cat.categories)))
        return [str(value) for value in values.cat.categories[used]]
    return [str(value) for value in pd.unique(values.dropna())]


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
    in_rows = set(distinct(plain(df)["steam_id"])) if "steam_id" in df.columns else set()
    return named + sorted(in_rows - set(named))


def as_float(series: pd.Series) -> pd.Series:
    """The series as nullable ``Float64`` (prices and wear arrive as Float64 already)."""
    return series.astype("Float64")


def floats(series: pd.Series) -> np.ndarray[Any, Any]:
    """The column as a float64 array, NaN for NA."""
    return series.to_numpy(dtype="float64", na_value=np.nan)


def nullable(values: np.ndarray[Any, Any], missing: np.ndarray[Any, Any] | None = None) -> Any:
    """A ``Float64`` array of ``values``, NA where ``missing`` (default: where NaN)."""
    mask = np.isnan(values) if missing is None else missing
    return pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask)


def priced_rows(df: pd.DataFrame) -> np.ndarray[Any, Any]:
    """``priced(df)`` as a boolean array."""
    accepted = df["offer_accepted"]
    if accepted.dtype != "boolean":
        accepted = accepted.astype("boolean")
    with np.errstate(invalid="ignore"):
        market = floats(df["market_price"]) > 0
    offered = ~df["offer_price"].isna().to_numpy()
    result: np.ndarray[Any, Any] = market & offered & accepted.to_numpy(dtype=bool, na_value=True)
    return result


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
    return pd.Series(priced_rows(plain(df)), index=df.index)


def ratio_values(df: pd.DataFrame, mask: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``offer_price / market_price`` on the rows of ``mask``, NaN elsewhere (float64)."""
    with np.errstate(all="ignore"):
        ratio = floats(df["offer_price"]) / floats(df["market_price"])
    result: np.ndarray[Any, Any] = np.where(mask, ratio, np.nan)
    return result


def ratios(df: pd.DataFrame, mask: pd.Series | np.ndarray[Any, Any]) -> pd.Series:
    """``offer_price / market_price`` on the rows of ``mask``, NA elsewhere."""
    rows = np.asarray(mask, dtype=bool)
    values = nullable(ratio_values(df, rows), ~rows)
    return pd.Series(values, index=df.index, dtype="Float64")


def price_gap(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with ``spread``, ``payout_ratio`` and ``discount_pct`` (NA where not priced).

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 20, "offer": {"price": 15}}])
    >>> price_gap(df)[["spread", "payout_ratio", "discount_pct"]].iloc[0].tolist()
    [5.0, 0.75, 0.25]
    """
    view = plain(df)
    mask = priced_rows(view)
    ratio = ratio_values(view, mask)
    spread = floats(view["market_price"]) - floats(view["offer_price"])
    out = df.copy()
    out["spread"] = nullable(spread, ~mask)
    out["payout_ratio"] = nullable(ratio, ~mask)
    out["discount_pct"] = nullable(1 - ratio, ~mask)
    return out


def unit_counts(df: pd.DataFrame) -> np.ndarray[Any, Any]:
    """``units(df)`` as an int64 array."""
    if "amount" not in df.columns:
        return np.ones(len(df), dtype=np.int64)
    amount = df["amount"].astype("Int64").to_numpy(dtype="int64", na_value=0)
    result: np.ndarray[Any, Any] = np.where(amount > 0, amount, 1)
    return result


def units(df: pd.DataFrame) -> pd.Series:
    """Copies per row: ``amount`` (a stacked Rust row holds several), 1 where absent.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> units(from_items([{"amount": 40}, {}])).tolist()
    [40, 1]
    """
    name = "amount" if "amount" in df.columns else None
    return pd.Series(unit_counts(plain(df)), index=df.index, dtype="int64", name=name)


def per_row(df: pd.DataFrame) -> pd.DataFrame:
    """The per-row numbers every aggregate is built from (values are unit price × units).

    ``market_any`` is the row's market value where it has one (``market_value``),
    ``market_priced`` and ``offer_priced`` its market and offer value where it is priced,
    0 elsewhere: a group's ``payout_ratio`` is ``Σ offer_priced / Σ market_priced``, its
    ``offer_value / priced_market_value``.
    """
    view = plain(df)
    mask = priced_rows(view)
    count = unit_counts(view)
    market = floats(view["market_price"]) * count
    offer = floats(view["offer_price"]) * count
    present = np.zeros(len(view), dtype=bool)
    return pd.DataFrame(
        {
            "priced": mask.astype("int64"),
            "units": count,
            "market_any": nullable(np.where(np.isnan(market), 0.0, market), present),
            "market_priced": nullable(np.where(mask, market, 0.0), present),
            "offer_priced": nullable(np.where(mask, offer, 0.0), present),
            "ratio": nullable(ratio_values(view, mask), ~mask),
            "wear": nullable(floats(view["wear"])),
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
    out["priced_market_value"] = agg["market_priced"].astype("float64")
    out["offer_value"] = agg["offer_priced"].astype("float64")
    out["payout_ratio"] = (out["offer_value"] / out["priced_market_value"]).where(has_priced)
    out["median_payout_ratio"] = agg["ratio"].astype("float64")
    out["mean_wear"] = agg["wear"].astype("float64")
    return out


def aggregate(df: pd.DataFrame, keys: Any, *, observed: bool, dropna: bool) -> pd.DataFrame:
    """The ``GROUP_COLUMNS`` table of ``df`` grouped by ``keys`` (as ``DataFrame.groupby``)."""
    return aggregate_parts(per_row(df), keys, observed=observed, dropna=dropna)


def aggregate_parts(
    parts: pd.DataFrame, keys: Any, *, observed: bool, dropna: bool
) -> pd.DataFrame:
    """``aggregate`` of rows already made by ``per_row`` (a subset of them, say)."""
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


def coded(values: pd.Series) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Each row's position in the column's distinct values (-1 for NA), and those as text.

    A categorical's own codes and categories are used as they are (no pass over the rows'
    strings).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        return codes, [str(value) for value in values.cat.categories]
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(found, dtype=np.int64), [str(value) for value in uniques]


def exterior_key(exterior: pd.Series, order: pd.CategoricalDtype, fill: bool) -> Any:
    """``exterior`` as a categorical of ``order`` (values outside it NA; NA itself
    ``NO_EXTERIOR`` when ``fill``), through a categorical's codes when it is one."""
    if not isinstance(exterior.dtype, pd.CategoricalDtype):
        text = exterior.astype("string")
        return (text.fillna(NO_EXTERIOR) if fill else text).astype(order).array
    labels = pd.Index(order.categories)
    position = labels.get_indexer(exterior.cat.categories.astype(str))
    missing = labels.get_loc(NO_EXTERIOR) if fill else -1
    # the last slot is the one a code of -1 (NA) takes
    codes = np.append(position, missing)[exterior.cat.codes.to_numpy()]
    return pd.Categorical.from_codes(codes, dtype=order)


def skin_codes(df: pd.DataFrame) -> tuple[np.ndarray[Any, Any], list[str]]:
    """``skin_label`` as codes into its distinct labels, sorted (-1 where NA).

    Each distinct (weapon, skin, marks) is labelled once, never each row.
    """
    weapon, weapons = coded(df["weapon"])
    skin, skins = coded(df["skin"])
    stattrak, souvenir = (df[flag].astype(bool).to_numpy() for flag in ("stattrak", "souvenir"))
    mark = np.where(stattrak, 1, np.where(souvenir, 2, 0))
    star = df["star"].astype(bool).to_numpy()
    combined = ((weapon * (len(skins) + 1) + skin) * 3 + mark) * 2 + star
    combined[(weapon < 0) | (skin < 0)] = -1
    distinct, inverse = np.unique(combined, return_inverse=True)
    marks = ("", STATTRAK_PREFIX, "Souvenir ")
    texts = []
    for value in distinct.tolist():
        if value < 0:
            texts.append("")  # the NA rows' slot, dropped below
            continue
        value, is_star = divmod(value, 2)
        value, kind = divmod(value, 3)
        w, k = divmod(value, len(skins) + 1)
        prefix = (STAR_PREFIX if is_star else "") + marks[kind]
        texts.append(f"{prefix}{weapons[w]} | {skins[k]}")
    order = sorted(range(len(texts)), key=texts.__getitem__)
    rank = np.empty(len(texts), dtype=np.int64)
    rank[order] = np.arange(len(texts))
    codes = rank[inverse.reshape(-1)] if len(texts) else np.zeros(0, dtype=np.int64)
    labels = [texts[i] for i in order]
    if len(distinct) and distinct[0] < 0:
        gone = int(rank[0])
        codes = np.where(codes == gone, -1, codes - (codes > gone))
        del labels[gone]
    return codes, labels


def skin_label(df: pd.DataFrame) -> pd.Series:
    """``[★ ][StatTrak™ |Souvenir ]Weapon | Skin`` (NA for items that are not skins)."""
    codes, labels = skin_codes(plain(df))
    texts = pd.array(labels, dtype="string")
    return pd.Series(texts.take(codes, allow_fill=True), index=df.index, dtype="string")
