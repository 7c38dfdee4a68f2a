"""Offers against AssetPay's own catalogue: the book joined to inventories, and its spread.

Pure functions of frames: an inventory frame (``frame.SCHEMA``) and a price book frame
(``client.prices``: ``frame.book.BOOK_SCHEMA``).

- ``offer_vs_catalogue(inventory, prices)``: each inventory row with the book's
  ``deposit`` and withdraw prices beside its offer. ``/secure/sell`` says its prices must
  match the latest ``/secure/prices`` snapshot, so an offer that differs from the book's
  deposit (``offer_minus_deposit`` not 0) is worth flagging.
- ``catalogue_spread(prices, by=None)``: how far AssetPay's deposit price sits below its
  own (fee-inclusive) standard withdraw price, per entry or per group.

The join matches on ``game`` and ``market_hash_name``, plus ``phase`` when the item has
a phase the book lists for that name; otherwise the entry's own row (``phase`` NA: for a
Doppler, the floor). Keys are matched once per distinct (game, name, phase), never per
row, so a million rows cost a few array takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..constants import EXTERIORS, NO_EXTERIOR

__all__ = [
    "CATALOGUE_COLUMNS",
    "PRICE_BANDS",
    "SPREAD_COLUMNS",
    "book_band",
    "catalogue_spread",
    "offer_vs_catalogue",
    "price_band",
]

#: Price bands (USD, lower bound included) and their labels: the inventory's market price
#: (``plots.payout_by_price_band``) and the book's withdraw price (``book_band``).
PRICE_BANDS = ((0.0, "< $1"), (1.0, "$1–10"), (10.0, "$10–100"), (100.0, "$100–1k"),
               (1000.0, "≥ $1k"))  # fmt: skip


def price_band(prices: pd.Series) -> pd.Series:
    """Each price's band (``PRICE_BANDS``, an ordered categorical), NA without a price.

    Examples
    --------
    >>> price_band(pd.Series([0.5, 12.0, None], dtype="Float64")).tolist()
    ['< $1', '$10–100', nan]
    """
    edges = [low for low, _ in PRICE_BANDS] + [np.inf]
    labels = [label for _, label in PRICE_BANDS]
    values = prices.astype("Float64").to_numpy(float, na_value=np.nan)
    return pd.Series(pd.cut(values, edges, right=False, labels=labels), index=prices.index)


def book_band(prices: pd.DataFrame) -> pd.Series:
    """Each book row's band of ``withdraw_standard`` (``PRICE_BANDS``), NA without one.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_price_book
    >>> book = from_price_book([{"marketHashName": "Scrap", "accepted": True,
    ...                          "deposit": 0.4, "withdraw": 0.5}], game="252490")
    >>> book_band(book).astype(str).tolist()
    ['< $1']
    """
    return price_band(prices["withdraw_standard"]).rename("band")


#: Columns ``offer_vs_catalogue`` adds, in order.
CATALOGUE_COLUMNS = (
    "deposit",
    "withdraw_standard",
    "withdraw_instant",
    "in_catalogue",
    "offer_minus_deposit",
)
#: Columns of ``catalogue_spread(prices, by=...)``.
SPREAD_COLUMNS = (
    "entries",
    "deposit",
    "withdraw_standard",
    "deposit_ratio",
    "median_deposit_ratio",
)
_BOOK_PRICES = ("deposit", "withdraw_standard", "withdraw_instant")
_KEYS = ("game", "market_hash_name", "phase")


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise KeyError(f"{what} lacks column(s) {missing}: is it the right frame?")


def _codes(values: pd.Series) -> tuple[np.ndarray[Any, Any], list[Any]]:
    """Each row's index into the distinct values (-1 for NA), and those values.

    A categorical's own codes are used as they are (no pass over a million strings).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        return codes, [str(c) for c in values.cat.categories]
    found, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    return np.asarray(found, dtype=np.int64), [str(u) for u in uniques]


def _combined(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[np.ndarray[Any, Any], list[Any]]:
    """One code per row for the tuple of ``keys`` (-1 when one is NA), and the tuples."""
    parts = [_codes(frame[key]) for key in keys]
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for codes, uniques in parts:
        missing |= codes < 0
        combined = combined * (len(uniques) + 1) + (codes + 1)
    combined[missing] = -1
    codes, distinct = pd.factorize(combined)
    tuples: list[tuple[Any, ...] | None] = [_unpack(int(value), parts) for value in distinct]
    return np.asarray(codes, dtype=np.int64), tuples


def _unpack(value: int, parts: Sequence[tuple[Any, list[Any]]]) -> tuple[Any, ...] | None:
    """The key values a combined code stands for (None for a row with an NA key)."""
    if value < 0:
        return None
    digits = []
    for _, uniques in reversed(parts):
        value, digit = divmod(value, len(uniques) + 1)
        digits.append(uniques[digit - 1])
    return tuple(reversed(digits))


def _positions(
    inventory: pd.DataFrame, book: pd.DataFrame, keys: Sequence[str], rows: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Per inventory row, the position of the book row whose ``keys`` match (-1: none)."""
    lookup = {key: i for i, key in zip(rows.tolist(), _tuples(book, keys, rows), strict=True)}
    codes, distinct = _combined(inventory, keys)
    found = np.array([-1 if t is None else lookup.get(t, -1) for t in distinct], dtype=np.int64)
    result: np.ndarray[Any, Any] = np.where(codes >= 0, found[np.maximum(codes, 0)], -1)
    return result


def _tuples(book: pd.DataFrame, keys: Sequence[str], rows: np.ndarray[Any, Any]) -> list[Any]:
    columns = [book[key].astype(object).to_numpy()[rows] for key in keys]
    columns = [[None if pd.isna(v) else str(v) for v in column] for column in columns]
    return list(zip(*columns, strict=True)) if len(rows) else []


def offer_vs_catalogue(inventory: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """The inventory's rows, in order, with the price book's prices for the same item.

    Parameters
    ----------
    inventory : DataFrame
        An inventory frame (``client.inventory``/``inventories``, a snapshot...).
    prices : DataFrame
        A price book (``client.prices``), of one game or several concatenated.

    Returns
    -------
    DataFrame
        A copy of ``inventory`` with ``deposit``, ``withdraw_standard``,
        ``withdraw_instant`` (Float64, the book's), ``in_catalogue`` (boolean: the book
        has the item) and ``offer_minus_deposit`` (``offer_price - deposit``; NA when
        either is missing). A row matches on game and ``market_hash_name``, and on
        ``phase`` when the item has one the book lists for that name; else the entry's
        own row. An offer that agrees with the book has ``offer_minus_deposit`` 0.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> from assetpay_analytics.frame.book import book_entries, book_frame
    >>> inventory = from_items([
    ...     {"id": "1", "marketHashName": "Kilowatt Case", "offer": {"price": 0.5}},
    ...     {"id": "2", "marketHashName": "Recoil Case", "offer": {"price": 0.4}}])
    >>> book = book_frame(book_entries([{"itemId": "k", "marketHashName": "Kilowatt Case",
    ...     "accepted": True, "deposit": 0.45, "withdraw": {"standard": 0.6, "instant": None}}]),
    ...     game="730")
    >>> joined = offer_vs_catalogue(inventory, book)
    >>> joined[["in_catalogue", "deposit", "offer_minus_deposit"]].astype(object).values.tolist()
    [[True, 0.45, 0.05], [False, <NA>, <NA>]]
    """
    _require(inventory, ("game", "market_hash_name", "phase", "offer_price"), "inventory")
    _require(prices, (*_KEYS, *_BOOK_PRICES), "prices")
    book_phase = prices["phase"].notna().to_numpy()
    own = _positions(inventory, prices, _KEYS[:2], np.flatnonzero(~book_phase))
    by_phase = _positions(inventory, prices, _KEYS, np.flatnonzero(book_phase))
    position = np.where(by_phase >= 0, by_phase, own)
    found = position >= 0
    out = inventory.copy()
    for column in _BOOK_PRICES:
        values = prices[column].to_numpy(dtype="float64", na_value=np.nan)
        taken = values[np.maximum(position, 0)] if len(values) else np.full(len(out), np.nan)
        taken[~found] = np.nan
        out[column] = _floats(taken)
    out["in_catalogue"] = pd.arrays.BooleanArray(found, np.zeros(len(found), dtype=bool))
    offer = out["offer_price"].to_numpy(dtype="float64", na_value=np.nan)
    # rounded to cents: both are cent prices, and 0.1 - 0.05 is not 0.05 in floats
    out["offer_minus_deposit"] = _floats(np.round(offer - out["deposit"].to_numpy(
        dtype="float64", na_value=np.nan), 2))  # fmt: skip
    return out


def _floats(values: np.ndarray[Any, Any]) -> Any:
    missing = np.isnan(values)
    return pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing)


def _spread_per_row(prices: pd.DataFrame) -> pd.DataFrame:
    deposit = prices["deposit"].astype("Float64")
    withdraw = prices["withdraw_standard"].astype("Float64")
    usable = withdraw.gt(0).fillna(False) & deposit.notna()
    out = prices.copy()
    out["spread"] = (withdraw - deposit).mask(~usable)
    out["deposit_ratio"] = (deposit / withdraw).mask(~usable)
    return out


def _exteriors(rows: pd.DataFrame) -> pd.Series:
    """The exterior of each row, "No exterior" for cases, stickers and vanilla knives."""
    labels = [*EXTERIORS, NO_EXTERIOR]
    text = rows["exterior"].astype("string").fillna(NO_EXTERIOR)
    return text.astype(pd.CategoricalDtype(labels, ordered=True)).rename("exterior")


def catalogue_spread(prices: pd.DataFrame, by: Any = None) -> pd.DataFrame:
    """AssetPay's spread: its deposit price against its own standard withdraw price.

    Parameters
    ----------
    prices : DataFrame
        A price book (``client.prices``).
    by : str, list of str or Series, optional
        None (default): every row of the book with ``spread`` (withdraw_standard -
        deposit) and ``deposit_ratio`` (deposit / withdraw_standard), each NA when a
        price is missing or the withdraw price is not above 0. Else the groups to sum:
        column name(s) ("exterior", "weapon"...) or a Series aligned with ``prices``
        (a price band from ``pd.cut``). By "exterior", the five come in order, then a
        "No exterior" row (cases, stickers, vanilla knives) when the book has such
        entries, so the groups add up to the whole book.

    Returns
    -------
    DataFrame
        Per row as above; or one row per group, over the accepted entry rows (phase NA)
        that have both prices: ``entries``, ``deposit`` (Σ), ``withdraw_standard`` (Σ),
        ``deposit_ratio`` (value-weighted: Σ deposit / Σ withdraw_standard) and
        ``median_deposit_ratio``.

    Examples
    --------
    >>> from assetpay_analytics.frame.book import book_entries, book_frame
    >>> entry = lambda name, d, w: {"itemId": name, "marketHashName": name, "accepted": True,
    ...     "deposit": d, "withdraw": {"standard": w, "instant": None}}
    >>> book = book_frame(book_entries([entry("A (Field-Tested)", 7, 10),
    ...     entry("B (Field-Tested)", 1, 4), entry("C (Well-Worn)", 3, 5)]), game="730")
    >>> catalogue_spread(book)["spread"].tolist()
    [3.0, 3.0, 2.0]
    >>> catalogue_spread(book, by="exterior").loc["Field-Tested", "deposit_ratio"]
    np.float64(0.5714285714285714)
    """
    _require(prices, ("phase", "accepted", "deposit", "withdraw_standard"), "prices")
    rows = _spread_per_row(prices)
    if by is None:
        return rows
    if isinstance(by, str) and by == "exterior":
        by = _exteriors(rows)  # the five in order, and a row for entries without one
    keys = by if isinstance(by, pd.Series) else [by] if isinstance(by, str) else list(by)
    entries = (
        rows["phase"].isna()
        & rows["accepted"].astype("boolean").fillna(False)
        & rows["deposit_ratio"].notna()
    ).to_numpy(dtype=bool)
    groups = rows.loc[entries].groupby(
        keys[entries] if isinstance(keys, pd.Series) else keys, observed=True, sort=True
    )
    table = groups.agg(
        entries=("deposit", "size"),
        deposit=("deposit", "sum"),
        withdraw_standard=("withdraw_standard", "sum"),
        median_deposit_ratio=("deposit_ratio", "median"),
    ).astype("float64")
    table["entries"] = table["entries"].astype("int64")
    table["deposit_ratio"] = table["deposit"] / table["withdraw_standard"]
    return table[list(SPREAD_COLUMNS)]
