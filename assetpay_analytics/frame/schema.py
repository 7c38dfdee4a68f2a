"""The inventory frame's schema: its columns, their dtypes, and casting a frame to them.

Everything that builds, stores or reads an inventory frame agrees on ``SCHEMA``: the
JSON builder (``frame``), the Parquet files (``parquet``), later the history store.
Every frame, an empty one included, has these columns in this order with these
dtypes, so frames from different accounts, games and snapshots concatenate cleanly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from ..constants import EXTERIORS

__all__ = [
    "ANOMALY_COLUMNS",
    "CATEGORY",
    "ERROR_COLUMNS",
    "EXTERIOR_DTYPE",
    "SCHEMA",
    "STICKER_TYPE",
    "STRING",
    "TEXT",
    "concat",
    "conform",
]

#: Ordered categorical of the five CS2 exteriors, best first.
EXTERIOR_DTYPE = pd.CategoricalDtype(list(EXTERIORS), ordered=True)
#: Arrow type of the ``stickers`` column (``market_hash_name``: the sticker's
#: ``marketHashName``, "Sticker | ...").
STICKER_TYPE = pa.list_(
    pa.struct(
        [
            ("name", pa.string()),
            ("slot", pa.int64()),
            ("wear", pa.float64()),
            ("market_hash_name", pa.string()),
        ]
    )
)
#: The string dtype of text columns whose values are mostly distinct (Arrow-backed).
STRING = pd.StringDtype("pyarrow")
#: The dtype of text columns that repeat (names, weapons, rarities...): a Categorical
#: holds each distinct text once, so 1M items cost a few MiB per column, not ~40.
CATEGORY = "category"
#: The dtype of a text Categorical's categories (pandas' default string dtype); they
#: are kept sorted, so groupby and value_counts list them alphabetically.
TEXT = "str"

#: Column name -> dtype of the inventory frame, in column order.
SCHEMA: Mapping[str, Any] = {
    "steam_id": CATEGORY,
    "game": CATEGORY,
    "item_id": STRING,
    "asset_id": STRING,
    "name": CATEGORY,
    "market_hash_name": CATEGORY,
    "weapon": CATEGORY,
    "skin": CATEGORY,
    "star": "bool",
    "stattrak": "bool",
    "souvenir": "bool",
    "exterior": EXTERIOR_DTYPE,
    "wear": "Float64",
    "phase": CATEGORY,
    "paint_index": "Int64",
    "fade": "Float64",
    "hardened": CATEGORY,
    "charm": CATEGORY,
    "paint_seed": "Int64",
    "rarity": CATEGORY,
    "type": CATEGORY,
    "color": CATEGORY,
    "tradable": "boolean",
    "amount": "Int64",
    "market_price": "Float64",
    "offer_price": "Float64",
    "offer_accepted": "boolean",
    "offer_reference": STRING,
    "offer_delivery": CATEGORY,
    "offer_max_amount": "Float64",
    "sticker_count": "Int64",
    "stickers": pd.ArrowDtype(STICKER_TYPE),
    "icon_url": STRING,
    "updated_at": "datetime64[ns, UTC]",
}

_TEXT_CATEGORIES = tuple(name for name, dtype in SCHEMA.items() if dtype is CATEGORY)
#: Columns added after frames were first saved: a file without them reads them as NA.
LATER_COLUMNS = ("paint_index", "fade", "hardened", "charm", "offer_delivery",
                 "offer_max_amount")  # fmt: skip

#: Columns of ``df.assetpay.errors`` (records in ``attrs["errors"]``) and their dtypes:
#: one row per failed account, traced to its input by position and masked trade URL;
#: ``elapsed`` is the seconds spent on it.
ERROR_COLUMNS: Mapping[str, Any] = {
    "steam_id": "string",
    "input": "Int64",
    "trade_url": "string",
    "code": "Int64",
    "key": "string",
    "status": "Int64",
    "message": "string",
    "request_id": "string",
    "attempts": "Int64",
    "elapsed": "Float64",
}
#: Columns of ``df.assetpay.anomalies`` (records in ``attrs["anomalies"]``): one row per
#: value set aside as out of range (the value as the API sent it, as text).
ANOMALY_COLUMNS: Mapping[str, Any] = {
    "steam_id": "string",
    "item_id": "string",
    "field": "string",
    "value": "string",
    "reason": "string",
}


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Cast a frame read back from a file to the inventory schema (columns and dtypes).

    Parameters
    ----------
    df : DataFrame
        A frame holding at least every column of ``SCHEMA``; extra columns are dropped.

    Returns
    -------
    DataFrame
        The schema's columns, in order, with the schema's dtypes.

    Raises
    ------
    ValueError
        When a schema column is missing (the message names them).

    Examples
    --------
    >>> from assetpay_analytics.frame import empty_frame
    >>> conform(empty_frame().astype(object)).dtypes.equals(empty_frame().dtypes)
    True
    """
    missing = [name for name in SCHEMA if name not in df.columns and name not in LATER_COLUMNS]
    if missing:
        raise ValueError(f"not an inventory frame: missing column(s) {', '.join(missing)}")
    df = df.assign(**{name: None for name in LATER_COLUMNS if name not in df.columns})
    # The stickers are left out of the cast: ``_stickers`` types them in Arrow, and an
    # ``object`` cast first would make a Python list of dicts per row for nothing.
    out = df[list(SCHEMA)].astype({k: v for k, v in SCHEMA.items() if k != "stickers"})
    out["stickers"] = _stickers(df["stickers"])
    for name in _TEXT_CATEGORIES:
        out[name] = _sorted_text(out[name])
    return out


def _stickers(values: pd.Series) -> Any:
    """The stickers as ``STICKER_TYPE``; lists saved before ``market_hash_name`` get it NA."""
    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype == STICKER_TYPE:
        return values.array
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_list(dtype.pyarrow_dtype):
        lists = pa.chunked_array(pa.array(values.array)).combine_chunks()
        struct = lists.values
        present = {field.name for field in struct.type}
        fields = [
            struct.field(f.name) if f.name in present else pa.nulls(len(struct), f.type)
            for f in STICKER_TYPE.value_type
        ]
        rebuilt = pa.StructArray.from_arrays(fields, fields=list(STICKER_TYPE.value_type),
                                             mask=struct.is_null())  # fmt: skip
        return pd.arrays.ArrowExtensionArray(
            pa.ListArray.from_arrays(
                lists.offsets, rebuilt, type=STICKER_TYPE, mask=lists.is_null()
            )
        )
    return pd.arrays.ArrowExtensionArray(pa.array(list(values), type=STICKER_TYPE))


def _sorted_text(values: pd.Series) -> pd.Series:
    """A text Categorical with sorted ``TEXT`` categories (a file may hold others)."""
    categories = values.cat.categories
    if categories.dtype == TEXT and categories.is_monotonic_increasing:
        return values
    text = values.astype(STRING)
    ordered = pd.Index(sorted(text.dropna().unique()), dtype=TEXT)
    return text.astype(pd.CategoricalDtype(ordered))


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack inventory frames, keeping every column's dtype (``pd.concat`` would not).

    ``pd.concat`` turns Categoricals whose categories differ (two accounts' names)
    into plain text; here their categories are merged (sorted) instead.

    Parameters
    ----------
    frames : iterable of DataFrame
        Inventory frames (at least one), e.g. several accounts or snapshots.

    Returns
    -------
    DataFrame
        The rows of every frame in order, a fresh RangeIndex, ``SCHEMA`` dtypes;
        ``attrs`` are left empty for the caller.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_items
    >>> a, b = from_items([{"id": "1", "name": "AK-47 | Redline"}]), from_items([{"id": "2"}])
    >>> both = concat([a, b])
    >>> str(both["name"].dtype), both["name"].tolist()
    ('category', ['AK-47 | Redline', nan])
    """
    frames = list(frames)
    stacked = pd.concat(frames, ignore_index=True)
    for name in _TEXT_CATEGORIES:
        stacked[name] = union_categoricals([f[name].array for f in frames], sort_categories=True)
    stacked.attrs = {}
    return stacked
