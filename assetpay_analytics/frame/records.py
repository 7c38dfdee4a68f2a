"""Records kept in ``attrs`` (errors, anomalies) as frames with fixed columns and dtypes.

``attrs`` hold JSON-friendly lists of records (pandas writes them into Parquet with
``json.dumps``); ``records_frame`` is their typed view: ``df.assetpay.errors`` and
``.anomalies`` (the accessor), and the review document's failures table, which must not
need the accessor to be registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = ["records_frame"]


def records_frame(records: Any, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A frame with exactly ``columns`` (name -> dtype) from a list of records.

    Parameters
    ----------
    records : list of mappings, DataFrame or None
        The records (keys missing from a record are NA, other keys are ignored); a
        DataFrame (as older versions kept in ``attrs``) is reindexed and cast; None
        gives an empty frame.
    columns : mapping
        Column name -> dtype, in column order.

    Returns
    -------
    DataFrame
        One row per record, the given columns and dtypes, a fresh ``RangeIndex``.

    Examples
    --------
    >>> records_frame([{"a": 1}, {"b": "x"}], {"a": "Int64", "b": "string"}).dtypes.tolist()
    [Int64Dtype(), <StringDtype(na_value=<NA>)>]
    """
    if isinstance(records, pd.DataFrame):
        return records.reindex(columns=list(columns)).astype(dict(columns)).reset_index(drop=True)
    rows: list[Mapping[str, Any]] = list(records or [])
    return pd.DataFrame(
        {name: _array([row.get(name) for row in rows], dtype) for name, dtype in columns.items()}
    )


def _array(values: Iterable[Any], dtype: Any) -> Any:
    values = [None if value is None or value is pd.NA else value for value in values]
    if pd.api.types.is_string_dtype(dtype):
        values = [None if value is None else str(value) for value in values]
    return pd.array(values, dtype=dtype)
