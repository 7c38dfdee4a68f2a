"""Pricing analysis: how AssetPay's offer compares with the market price.

Pure functions of an inventory frame (``frame.SCHEMA``); none mutates its input and
none talks to the network, so they work on any frame: from the API, the sandbox, a
Parquet file or a hand-made test frame.

Definitions used throughout
---------------------------
- A row is **priced** when ``market_price > 0``, ``offer_price`` is not NA and
  ``offer_accepted`` is not False (NA, unknown acceptance, counts as priced).
- ``spread = market_price - offer_price``; ``payout_ratio = offer_price / market_price``;
  ``discount_pct = 1 - payout_ratio`` (NA where the row is not priced).
- ``market_value`` = sum of ``market_price × amount`` over the group's rows that have
  one; ``priced_market_value`` = the same sum over its priced rows only;
  ``offer_value`` = sum of ``offer_price × amount`` over its priced rows.
- A group's ``payout_ratio`` is value-weighted: ``offer_value / priced_market_value``
  (NaN where ``priced_market_value`` is 0), so it can be checked from the two columns
  beside it; ``market_value`` also counts items that have no offer or a refused one.
  ``median_payout_ratio`` is the median of the rows' ratios.

Rows are items as the API lists them, and prices are **per unit**: a stacked Rust row
(``amount`` > 1) is one of ``items`` and ``amount`` of ``units``, and its market and offer
value is the unit price × ``amount``. This is our reading of ``/secure/sell``, which
prices each unit of ``items[].amount`` (``shared/assetpay-api.md`` §5). A row's ratio is
the same per unit and per stack; the value-weighted ratios weigh a stack by its units.

Offers against the price book (``offer_vs_catalogue``, ``catalogue_spread``) live in
``catalogue``; analyses of change (``compare``, ``payout_trend``) in ``drift`` (its
docstring says how items are matched), and of the price book's (``compare_prices``,
``deposit_trend``) in ``book_drift``, ``formatted`` in ``formats``; all re-exported here. The
``df.assetpay`` accessor exposes every function here and the one-frame charts of ``plots``
(``payout_by_exterior``, ``market_vs_offer``, ``payout_vs_market``, ``payout_distribution``,
``exterior_ladder_heatmap``, ``pricing_review``); ``formatted`` and the other charts are
called from their modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..constants import EXTERIOR_FLOAT_RANGES, EXTERIORS, NO_EXTERIOR
from .book_drift import BookComparison, compare_prices, deposit_trend
from .catalogue import catalogue_spread, offer_vs_catalogue
from .definitions import (
    GROUP_COLUMNS,
    Summary,
    accounts_of,
    aggregate,
    aggregate_parts,
    coded,
    exterior_key,
    floats,
    per_row,
    plain,
    price_gap,
    priced,
    priced_rows,
    ratio_values,
    skin_codes,
)
from .drift import Comparison, compare, payout_trend
from .formats import formatted, labelled

__all__ = [
    "GROUP_COLUMNS",
    "BookComparison",
    "Comparison",
    "by_account",
    "by_exterior",
    "by_group",
    "catalogue_spread",
    "compare",
    "compare_prices",
    "deposit_trend",
    "exterior_ladder",
    "formatted",
    "offer_vs_catalogue",
    "outliers",
    "payout_trend",
    "price_gap",
    "priced",
    "sticker_effect",
    "summary",
    "wear_bands",
]

#: Scale that makes the median absolute deviation comparable to a standard deviation.
_MAD_SCALE = 1.4826
#: Fewest priced rows an exterior needs to be its own reference in ``outliers``.
_MIN_REFERENCE_ROWS = 8
_LADDER_VALUES = ("payout_ratio", "offer_price", "market_price")
#: The group tables' sums of money: 0 for a group with no items.
_VALUES = ("market_value", "priced_market_value", "offer_value")


def summary(df: pd.DataFrame) -> Summary:
    """Headline numbers of a frame.

    Returns
    -------
    Summary
        A Series that displays counts whole, money in dollars and ratios in percent
        (its values stay numbers): ``items``; ``units`` (copies: a Rust stack counts
        its ``amount``); ``tradable_items``; ``priced_items``; ``market_value`` (sum of
        market_price × amount where present); ``priced_market_value`` (the same over
        priced rows); ``offer_value`` (sum of offer_price × amount over priced rows);
        ``payout_ratio`` (``offer_value / priced_market_value``); ``median_payout_ratio``;
        ``accepted_share``: among rows with an offer price, the share whose offer is not
        refused (``offer_accepted`` True or unknown). NA where undefined.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 10, "offer": {"price": 8}, "tradable": True},
    ...                  {"marketPrice": 30, "offer": {"price": 18, "accepted": False}}])
    >>> s = summary(df)
    >>> s[["items", "priced_items", "market_value", "priced_market_value", "payout_ratio"]].tolist()
    [2, 1, 40.0, 10.0, 0.8]
    >>> s["offer_value"] / s["priced_market_value"] == s["payout_ratio"]
    True
    """
    df = plain(df)
    parts = per_row(df)
    has_offer = df["offer_price"].notna()
    refused = df["offer_accepted"].astype("boolean").eq(False).fillna(False)
    offers = int(has_offer.sum())
    market_priced = float(parts["market_priced"].sum())
    ratios = parts["ratio"].dropna()
    values = {
        "items": len(df),
        "units": int(parts["units"].sum()),
        "tradable_items": int(df["tradable"].astype("boolean").fillna(False).sum()),
        "priced_items": int(parts["priced"].sum()),
        "market_value": float(parts["market_any"].sum()),
        "priced_market_value": market_priced,
        "offer_value": float(parts["offer_priced"].sum()),
        "payout_ratio": float(parts["offer_priced"].sum()) / market_priced
        if market_priced > 0
        else np.nan,
        "median_payout_ratio": float(ratios.median()) if len(ratios) else np.nan,
        "accepted_share": float((has_offer & ~refused).sum()) / offers if offers else np.nan,
    }
    return Summary(values, name="summary", dtype=object)  # object: counts stay ints


def by_exterior(df: pd.DataFrame, *, no_exterior: bool = True) -> pd.DataFrame:
    """Pricing per exterior: all five, best first, even when empty.

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    no_exterior : bool
        Add a last row, ``"No exterior"`` (``constants.NO_EXTERIOR``), for the items
        without one (stickers, cases, agents, Rust), so the table's totals add up to
        ``summary`` (default). False: the five exteriors only (the charts).

    Returns
    -------
    DataFrame
        Indexed by the ordered exterior categories; columns ``GROUP_COLUMNS``:
        items, units, priced_items, market_value, priced_market_value, offer_value,
        payout_ratio (value-weighted: offer_value / priced_market_value),
        median_payout_ratio, mean_wear.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "wear": "0.2", "marketPrice": 10,
    ...                   "offer": {"price": 7}}])
    >>> by_exterior(df)["items"].tolist()
    [0, 0, 1, 0, 0, 0]
    """
    df = plain(df)
    labels = [*EXTERIORS, NO_EXTERIOR] if no_exterior else list(EXTERIORS)
    order = pd.CategoricalDtype(labels, ordered=True)
    key = pd.Series(exterior_key(df["exterior"], order, no_exterior), index=df.index)
    out = aggregate(df, key.rename("exterior"), observed=False, dropna=True)
    return out.reindex(pd.CategoricalIndex(labels, dtype=order, name="exterior"))


def by_group(df: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Pricing grouped by any column(s), largest market value first.

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    by : str or list of str
        Column(s) to group by: weapon, skin, rarity, market_hash_name, steam_id,
        stattrak, exterior, ... Rows whose key is NA form their own group, so the
        groups add up to ``summary``.

    Returns
    -------
    DataFrame
        Columns ``GROUP_COLUMNS``, sorted by ``market_value`` descending.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"name": "AK-47 | Redline", "marketPrice": 10, "offer": {"price": 7}},
    ...                  {"name": "AWP | Asiimov", "marketPrice": 90, "offer": {"price": 70}}])
    >>> by_group(df, "weapon").index.tolist()
    ['AWP', 'AK-47']
    """
    keys = [by] if isinstance(by, str) else list(by)
    df = plain(df)
    missing = [key for key in keys if key not in df.columns]
    if missing:
        raise KeyError(f"by_group: no column(s) {missing}; the frame has {list(df.columns)}")
    out = aggregate(df, [df[key] for key in keys], observed=True, dropna=False)
    return out.sort_values("market_value", ascending=False, kind="stable")


def by_account(df: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Pricing per account, every account fetched included (an empty one has zeros).

    Parameters
    ----------
    df : DataFrame
        An inventory frame; its accounts are ``attrs["steam_ids"]`` (a batch lists empty
        inventories there too), else those in its rows.
    labels : mapping of str to str, optional
        SteamID -> a name: the index reads ``"alice (7656...)"`` where one is known.

    Returns
    -------
    DataFrame
        One row per account, in the batch's order; columns ``GROUP_COLUMNS``.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"marketPrice": 10, "offer": {"price": 7}}], steam_id="1")
    >>> df.attrs["steam_ids"] = ["1", "2"]
    >>> by_account(df, labels={"1": "alice"})[["items", "units"]].to_dict("list")
    {'items': [1, 0], 'units': [1.0, 0.0]}
    """
    view = plain(df)
    table = aggregate(view, view["steam_id"].rename("steam_id"), observed=True, dropna=True)
    table.index = table.index.astype(str)
    table = table.reindex(accounts_of(df))
    table[[*_VALUES, "units"]] = table[[*_VALUES, "units"]].fillna(0)  # an empty inventory
    table[["items", "priced_items"]] = table[["items", "priced_items"]].fillna(0).astype("int64")
    table.index = pd.Index(labelled(table.index, labels or {}), name="account")
    return table


def exterior_ladder(df: pd.DataFrame, value: str = "payout_ratio") -> pd.DataFrame:
    """One row per skin, one column per exterior: how the offer treats each condition.

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    value : {"payout_ratio", "offer_price", "market_price"}
        The median shown in each cell; payout_ratio uses priced rows only.

    Returns
    -------
    DataFrame
        Index ``skin`` ("AK-47 | Redline"; StatTrak™ and Souvenir kept apart), the five
        exteriors as columns in order, NA where the inventory has no such item; rows
        sorted by the skin's market value, largest first.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"name": "AK-47 | Redline", "exterior": "Field-Tested",
    ...                   "marketPrice": 10, "offer": {"price": 7}}])
    >>> float(exterior_ladder(df).loc["AK-47 | Redline", "Field-Tested"])
    0.7
    """
    if value not in _LADDER_VALUES:
        raise ValueError(f"value must be one of {', '.join(_LADDER_VALUES)}, got {value!r}")
    df = plain(df)
    skin, skins = skin_codes(df)
    exterior, exteriors = coded(df["exterior"])
    ratio = value == "payout_ratio"
    values = ratio_values(df, priced_rows(df)) if ratio else floats(df[value])
    rows = (skin >= 0) & (exterior >= 0)
    cells = pd.DataFrame({"skin": skin, "exterior": exterior, "value": values})[
        rows & ~np.isnan(values)
    ]
    table: pd.DataFrame = cells.groupby(["skin", "exterior"])["value"].median().unstack()
    table.columns = pd.Index([exteriors[int(code)] for code in table.columns])
    table = table.reindex(columns=list(EXTERIORS)).astype("float64")
    market = np.nan_to_num(floats(df["market_price"]), nan=0.0)
    totals = pd.Series(market[rows]).groupby(skin[rows]).sum()
    order = totals.sort_values(ascending=False, kind="stable").index
    table = table.reindex(order[order.isin(table.index)])
    table.index = pd.Index([skins[code] for code in table.index], name="skin")
    table.columns = pd.CategoricalIndex(list(EXTERIORS), ordered=True, name="exterior")
    return table


def _robust_scale(ratios: pd.Series) -> tuple[float, float]:
    median = float(ratios.median())
    return median, _MAD_SCALE * float((ratios - median).abs().median())


def outliers(df: pd.DataFrame, threshold: float = 3.0) -> pd.DataFrame:
    """Priced rows whose payout ratio is far from their exterior's usual ratio.

    The reference is the median payout ratio of the row's exterior (of all priced
    rows when the exterior has fewer than 8 priced rows, or none); the distance is
    counted in robust deviations: ``(ratio - median) / (1.4826 * MAD)``.

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    threshold : float
        How many robust deviations make an outlier (default 3).

    Returns
    -------
    DataFrame
        The outlying rows with ``payout_ratio``, ``reference_median`` and ``deviation``
        (signed) added, most extreme first.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> items = [{"marketPrice": 100, "offer": {"price": p}} for p in (70, 71, 72, 73, 20)]
    >>> outliers(from_items(items))["offer_price"].tolist()
    [20.0]
    """
    if threshold <= 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    view = plain(df)
    mask = priced_rows(view)
    rows = np.flatnonzero(mask)
    ratios = ratio_values(view, mask)[rows]
    exterior = coded(view["exterior"])[0][rows]
    reference = np.full(len(rows), np.nan)
    scale = np.full(len(rows), np.nan)
    overall = pd.Series(ratios)
    overall_median, overall_scale = _robust_scale(overall) if len(ratios) else (np.nan, np.nan)
    for code in np.unique(exterior).tolist():
        members = exterior == code
        if code >= 0 and members.sum() >= _MIN_REFERENCE_ROWS:
            median, spread = _robust_scale(overall[members])
        else:
            median, spread = overall_median, overall_scale
        reference[members] = median
        scale[members] = spread if spread > 0 else overall_scale
    with np.errstate(invalid="ignore", divide="ignore"):
        deviation = (ratios - reference) / np.where(scale > 0, scale, np.nan)
    far = np.abs(deviation) > threshold
    order = np.argsort(-np.abs(deviation[far]), kind="stable")
    out = price_gap(df.iloc[rows[far][order]])
    out["reference_median"] = reference[far][order]
    out["deviation"] = deviation[far][order]
    return out


def _band_labels(bins: int) -> list[str]:
    edges = np.linspace(0, 100, bins + 1)
    return [f"{edges[i]:.0f}–{edges[i + 1]:.0f}%" for i in range(bins)]


def wear_bands(df: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Payout ratio by float band inside each exterior.

    A row's band is its wear as a percentile of its exterior's float range (0–7%
    of 0.15–0.38 is the cleanest Field-Tested), answering "does the offer pay more
    for a low-float Field-Tested?".

    Parameters
    ----------
    df : DataFrame
        An inventory frame; rows without exterior or wear are left out.
    bins : int
        Bands per exterior (default 10, deciles).

    Returns
    -------
    DataFrame
        Indexed by (exterior, wear_band), bands with no items left out; columns
        ``GROUP_COLUMNS``.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"exterior": "Field-Tested", "wear": "0.16", "marketPrice": 10,
    ...                   "offer": {"price": 8}}])
    >>> wear_bands(df).index.tolist()
    [('Field-Tested', '0–10%')]
    """
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive whole number, got {bins!r}")
    view = plain(df)
    keep = (view["exterior"].notna() & view["wear"].notna()).to_numpy()
    exterior = view["exterior"][keep]
    low, high = _float_range(exterior)
    wear = floats(view["wear"])[keep]
    position = np.clip((wear - low) / (high - low), 0, 1)
    codes = np.minimum((position * bins).astype("int64"), bins - 1)
    labels = pd.Index(_band_labels(bins))
    band = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    band_key = pd.Series(band, index=exterior.index, name="wear_band")
    keys = [exterior.rename("exterior"), band_key]
    return aggregate_parts(per_row(view)[keep], keys, observed=True, dropna=True)


def _float_range(exterior: pd.Series) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each row's exterior's float range (low, high), NaN for an unknown exterior."""
    codes, names = coded(exterior)
    if not isinstance(exterior.dtype, pd.CategoricalDtype):
        names = list(EXTERIORS)
        codes = pd.Index(names).get_indexer(pd.Index(exterior.astype(str)))
    ranges = [EXTERIOR_FLOAT_RANGES.get(name, (np.nan, np.nan)) for name in names]
    bounds = np.array([*ranges, (np.nan, np.nan)], dtype="float64").reshape(-1, 2)
    return bounds[codes, 0], bounds[codes, 1]


def sticker_effect(df: pd.DataFrame) -> pd.DataFrame:
    """Payout ratio and values with and without stickers, and by sticker count.

    Only rows that can carry stickers are compared: weapon skins, not knives or
    gloves (★), stickers, cases or Rust items.

    Returns
    -------
    DataFrame
        Index ``stickers``: "without stickers", "with stickers", then "1 sticker",
        "2 stickers", ... for the counts present; columns ``GROUP_COLUMNS``.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> df = from_items([{"name": "AK-47 | Redline", "marketPrice": 10, "offer": {"price": 7},
    ...                   "stickers": [{"name": "Crown (Foil)", "slot": 0, "wear": 0}]}])
    >>> sticker_effect(df).index.tolist()
    ['without stickers', 'with stickers', '1 sticker']
    """
    view = plain(df)
    keep = (view["weapon"].notna() & ~view["star"].astype(bool)).to_numpy()
    parts = per_row(view)[keep]
    count = view["sticker_count"].fillna(0).astype("int64").to_numpy()[keep]
    names = ["without stickers", "with stickers"]
    stuck = count > 0
    has = pd.Categorical.from_codes(stuck.astype("int8"), categories=pd.Index(names))
    by_has = aggregate_parts(parts, pd.Series(has, index=parts.index, name="stickers"),
                             observed=True, dropna=True)  # fmt: skip
    by_has.index = by_has.index.astype(str)
    by_has = by_has.reindex(names)
    by_has[["items", "priced_items"]] = by_has[["items", "priced_items"]].fillna(0).astype(int)
    by_has[list(_VALUES)] = by_has[list(_VALUES)].fillna(0.0)
    by_count = aggregate_parts(parts[stuck], pd.Series(count[stuck], index=parts.index[stuck]),
                               observed=True, dropna=True)  # fmt: skip
    by_count.index = pd.Index([f"{n} sticker{'s' if n > 1 else ''}" for n in by_count.index])
    out = pd.concat([by_has, by_count])
    out.index.name = "stickers"
    return out
