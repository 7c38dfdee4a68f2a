"""The inventory frame's schema: its columns, their dtypes, and casting a frame to them.

Everything that builds, stores or reads an inventory frame agrees on ``SCHEMA``: the
JSON builder (``frame``), the Parquet files (``parquet``), later the history store.
Every frame, an empty one included, has these columns in this order with these
dtypes, so frames from different accounts, games and snapshots concatenate cleanly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from .constants import EXTERIORS

__all__ = [
    "ANOMALY_COLUMNS",
    "ERROR_COLUMNS",
    "EXTERIOR_DTYPE",
    "SCHEMA",
    "STICKER_TYPE",
    "STRING",
    "conform",
]

#: Ordered categorical of the five CS2 exteriors, best first.
EXTERIOR_DTYPE = pd.CategoricalDtype(list(EXTERIORS), ordered=True)
#: Arrow type of the ``stickers`` column.
STICKER_TYPE = pa.list_(
    pa.struct([("name", pa.string()), ("slot", pa.int64()), ("wear", pa.float64())])
)
#: The string dtype of every text column (Arrow-backed).
STRING = pd.StringDtype("pyarrow")

#: Column name -> dtype of the inventory frame, in column order.
SCHEMA: Mapping[str, Any] = {
    "steam_id": STRING,
    "game": STRING,
    "item_id": STRING,
    "asset_id": STRING,
    "name": STRING,
    "market_hash_name": STRING,
    "weapon": STRING,
    "skin": STRING,
    "star": "bool",
    "stattrak": "bool",
    "souvenir": "bool",
    "exterior": EXTERIOR_DTYPE,
    "wear": "Float64",
    "phase": STRING,
    "paint_seed": "Int64",
    "rarity": STRING,
    "type": STRING,
    "color": STRING,
    "tradable": "boolean",
    "amount": "Int64",
    "market_price": "Float64",
    "offer_price": "Float64",
    "offer_accepted": "boolean",
    "offer_reference": STRING,
    "sticker_count": "Int64",
    "stickers": pd.ArrowDtype(STICKER_TYPE),
    "icon_url": STRING,
    "updated_at": "datetime64[ns, UTC]",
}

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
    missing = [name for name in SCHEMA if name not in df.columns]
    if missing:
        raise ValueError(f"not an inventory frame: missing column(s) {', '.join(missing)}")
    return df[list(SCHEMA)].astype(dict(SCHEMA))
