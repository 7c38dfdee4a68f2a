"""The Python path of the frame builder: one pass over parsed items, one list per column.

Used for payloads the Arrow path (``arrow``) cannot type as documented: prices sent
as strings, ids sent as numbers, an offer that is not an object, nulls inside sticker
lists... Each value goes through the forgiving conversions of ``coerce``, so any JSON
value becomes its typed value or NA. The frame builder (``frame``) tries Arrow first;
both paths give identical columns (a hypothesis test holds them to it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .arrow import categorical
from .bodies import gc_paused
from .coerce import to_bool, to_float, to_int, to_price, to_str, to_text
from .names import exterior_name, parse_name
from .schema import CATEGORY, SCHEMA, STICKER_TYPE, STRING

__all__ = ["ITEM_COLUMNS", "item_columns"]

ITEM_COLUMNS = (
    "item_id", "asset_id", "name", "market_hash_name", "weapon", "skin", "star", "stattrak",
    "souvenir", "exterior", "wear", "phase", "paint_index", "fade", "hardened", "charm",
    "paint_seed", "rarity", "type", "color", "tradable", "amount", "market_price",
    "offer_price", "offer_accepted", "offer_reference", "offer_delivery", "offer_max_amount",
    "sticker_count", "stickers", "icon_url", "_odd_exterior", "_appid",
)  # fmt: skip
_EMPTY: Mapping[str, Any] = {}
_NO_STICKERS: list[dict[str, Any]] = []


def _stickers(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [
        {
            "name": to_str(s.get("name")),
            "slot": to_int(s.get("slot")),
            "wear": to_float(s.get("wear")),
            "market_hash_name": to_str(s.get("marketHashName")),
        }
        for s in value
        if isinstance(s, Mapping)
    ]


def _accepted(item: Mapping[str, Any], offer: Mapping[str, Any]) -> bool | None:
    # offer.accepted is the .gg/OpenAPI spelling; .co puts `accepted` at the top level.
    accepted = to_bool(offer.get("accepted"))
    return accepted if accepted is not None else to_bool(item.get("accepted"))


def _part(value: Any) -> Mapping[str, Any]:
    """A nested object (``doppler``, ``fade``...), or an empty one when it is not one."""
    return value if isinstance(value, Mapping) else _EMPTY


def _appid(value: Any) -> str | None:
    """The item's ``appid`` as text, when it is a whole number (the game it belongs to)."""
    number = to_int(value)
    return None if number is None else str(number)


def _row(item: Mapping[str, Any]) -> tuple[Any, ...]:
    """One item's values in ``ITEM_COLUMNS`` order (the hot loop: kept flat on purpose)."""
    get = item.get
    offer = get("offer")
    if not isinstance(offer, Mapping):
        offer = _EMPTY
    name, mhn = to_text(get("name")), to_text(get("marketHashName"))
    parsed = parse_name(name, mhn)
    raw_stickers = get("stickers")
    stickers = _stickers(raw_stickers) if raw_stickers else _NO_STICKERS
    doppler = _part(get("doppler"))
    amount = to_int(get("amount")) if "amount" in item else None
    raw_exterior = get("exterior")
    exterior_ = exterior_name(raw_exterior)
    return (
        to_text(get("id")),
        to_text(get("assetId")),
        name,
        mhn,
        parsed.weapon,
        parsed.skin,
        parsed.star,
        parsed.stattrak,
        parsed.souvenir,
        exterior_,
        to_float(get("wear")),
        to_text(doppler.get("name")),
        to_int(doppler.get("paintIndex")),
        to_float(_part(get("fade")).get("percentage")),
        to_text(_part(get("hardened")).get("name")),
        to_text(_part(get("charm")).get("name")),
        to_int(get("paintSeed")),
        to_text(get("rarity")),
        to_text(get("type")),
        to_text(get("color")),
        to_bool(get("tradable")),
        1 if amount is None else amount,
        to_price(get("marketPrice")),
        to_price(offer.get("price")),
        _accepted(item, offer),
        to_text(offer.get("reference")),
        to_text(offer.get("delivery")),
        to_float(offer.get("maxAmount")),
        len(stickers),
        stickers,
        to_text(get("iconUrl")),
        # an exterior that is not one of the five, kept as text to be set aside
        None if exterior_ is not None or raw_exterior is None else str(raw_exterior),
        _appid(get("appid")),
    )


def _lists(items: Iterable[Mapping[str, Any]]) -> dict[str, Sequence[Any]]:
    """One pass over the items, then one sequence per column."""
    rows = [_row(item) for item in items]
    if not rows:
        return {name: [] for name in ITEM_COLUMNS}
    return dict(zip(ITEM_COLUMNS, zip(*rows, strict=True), strict=True))


def _typed(name: str, values: Sequence[Any]) -> Any:
    """A typed array from Python values (pyarrow converts lists far faster than pandas)."""
    dtype = SCHEMA[name]
    if isinstance(dtype, str) and dtype == CATEGORY:
        return categorical(pa.array(values, type=pa.string()))
    if name == "stickers":
        return pd.arrays.ArrowExtensionArray(pa.array(values, type=STICKER_TYPE))
    if dtype is STRING:
        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
    if dtype == "Float64":
        floats = np.array(values, dtype="float64")  # None -> NaN; real NaN was made None
        return pd.arrays.FloatingArray(floats, np.isnan(floats))
    return pd.array(list(values), dtype=dtype)


def item_columns(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The frame's item columns (``ITEM_COLUMNS``, typed) from parsed items."""
    with gc_paused():
        lists = _lists(items)
    odd_exterior, appids = lists.pop("_odd_exterior"), lists.pop("_appid")
    return {
        **{name: _typed(name, values) for name, values in lists.items()},
        "_odd_exterior": list(odd_exterior),
        "_appid": list(appids),
    }
