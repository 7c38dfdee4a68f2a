"""Inventory frames on disk as Parquet: plain ``pd.read_parquet`` reads them back, and
``read_parquet`` here restores the exact schema dtypes and the ``attrs``.

pandas 3.1 cannot rebuild a nested ``ArrowDtype`` such as the stickers column
(``list<item: struct<...>>[pyarrow]``) from the dtype name it writes into the file's
``pandas`` metadata (pandas issues 57411, 53011): plain ``pd.read_parquet`` of a frame
written with ``df.to_parquet`` raises ``TypeError: data type ... not understood``.
``write_parquet`` therefore records such columns as ``object`` in that metadata (the
Arrow column itself is unchanged), so a plain read gives every other column its exact
dtype and the stickers as Python values, and ``read_parquet`` reads the Arrow types
and casts to ``SCHEMA``. ``attrs`` are written as JSON where pandas looks for them
(``PANDAS_ATTRS``) and where pyarrow does (the ``pandas`` metadata's ``attributes``).

Frames read here have ``df.assetpay`` as every frame of the wing does
(``accessor_hook``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .records import share_attrs
from .schema import SCHEMA, conform

__all__ = ["frame_table", "read_parquet", "table_frame", "write_parquet"]

#: Where pandas keeps ``df.attrs`` in a Parquet file's schema metadata.
_ATTRS_KEY = b"PANDAS_ATTRS"
_PANDAS_KEY = b"pandas"


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write an inventory frame to Parquet that plain ``pd.read_parquet`` reads back.

    The stickers stay an Arrow list column; ``attrs`` are written as JSON (values
    JSON cannot hold, such as a Timestamp or a DataFrame from older versions, are
    written as an ISO-8601 string or a list of records).

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    path : str or Path
        The file to write; missing parent directories are created.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from assetpay_analytics.frame import empty_frame
    >>> df = empty_frame()
    >>> df.attrs = {"count": 0, "updated_at": "2026-06-01T09:30:00Z"}
    >>> path = write_parquet(df, Path(tempfile.mkdtemp()) / "inv.parquet")
    >>> pd.read_parquet(path).attrs["updated_at"]
    '2026-06-01T09:30:00Z'
    >>> read_parquet(path).dtypes.equals(empty_frame().dtypes)
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(frame_table(df), path)
    return path


def frame_table(df: pd.DataFrame) -> pa.Table:
    """The Arrow table ``write_parquet`` writes: the frame's columns, ``attrs`` as JSON.

    Columns beyond the schema (the history's ``snapshot_id``, ``taken_at``) are kept;
    pandas' metadata records the stickers as ``object`` (see the module docstring).
    """
    attrs = json.loads(json.dumps(df.attrs, default=_jsonable))
    plain = df.copy(deep=False)
    plain.attrs = {}
    table = pa.Table.from_pandas(plain, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    pandas_meta = json.loads(metadata[_PANDAS_KEY])
    for column in pandas_meta["columns"]:
        if not _readable(column["numpy_type"]):
            column["numpy_type"] = "object"
    pandas_meta["attributes"] = attrs
    metadata[_PANDAS_KEY] = json.dumps(pandas_meta).encode()
    metadata[_ATTRS_KEY] = json.dumps(attrs).encode()
    return table.replace_schema_metadata(metadata)


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read an inventory frame back with the exact schema dtypes and its ``attrs``.

    Reads files written by ``write_parquet`` and by pandas' own ``df.to_parquet``
    (which plain ``pd.read_parquet`` cannot read back when they hold stickers).

    Parameters
    ----------
    path : str or Path
        A Parquet file of an inventory frame.

    Returns
    -------
    DataFrame
        The inventory frame, dtypes exactly as ``SCHEMA``, ``attrs`` as written.

    Raises
    ------
    ValueError
        When the file lacks a column of the inventory frame.
    """
    return table_frame(pq.read_table(path))


def table_frame(table: pa.Table) -> pd.DataFrame:
    """An inventory frame from a table ``frame_table`` made: ``SCHEMA`` dtypes, ``attrs``."""
    frame = conform(table.to_pandas(ignore_metadata=True, types_mapper=_schema_types))
    frame.attrs.update(_attrs(table.schema.metadata or {}))
    share_attrs(frame.attrs)
    return frame


def _schema_types(arrow_type: pa.DataType) -> Any:
    """The pandas dtype an Arrow column becomes, as ``SCHEMA`` types it (None: default).

    Reading text, numbers and flags straight into the schema's masked and string dtypes
    spares ``conform`` a second conversion of every value (through NumPy, for text).
    """
    if pa.types.is_list(arrow_type):
        return pd.ArrowDtype(arrow_type)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return SCHEMA["item_id"]
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def _readable(numpy_type: str) -> bool:
    """Whether pandas can rebuild a column's dtype from its name in the metadata."""
    try:
        pd.api.types.pandas_dtype(numpy_type)
    except (TypeError, ValueError, NotImplementedError):
        return False
    return True


def _attrs(metadata: dict[bytes, bytes]) -> dict[str, Any]:
    if _ATTRS_KEY in metadata:
        return dict(json.loads(metadata[_ATTRS_KEY]))
    if _PANDAS_KEY in metadata:
        return dict(json.loads(metadata[_PANDAS_KEY]).get("attributes") or {})
    return {}


def _jsonable(value: Any) -> Any:
    """``json.dumps`` fallback for attrs values of older versions (and numpy scalars)."""
    if isinstance(value, dt.datetime):  # a Timestamp too
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return None
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.isoformat().replace("+00:00", "Z")
    if isinstance(value, pd.DataFrame):
        return [
            {k: None if pd.api.types.is_scalar(v) and pd.isna(v) else v for k, v in row.items()}
            for row in value.astype(object).to_dict("records")
        ]
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA:
        return None
    raise TypeError(f"attrs value of type {type(value).__name__} is not JSON serializable")
