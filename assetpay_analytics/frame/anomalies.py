"""Values set aside: out-of-range values become NA, and every one is written down.

A price below zero, a wear outside [0, 1] or an exterior that is not one of the five
is not believed: the cell becomes NA (so no analysis ever uses it) and a record of
``steam_id, item_id, field, value, reason`` goes into ``df.attrs["anomalies"]``. An
item with no id cannot be told apart from another, so its row is dropped (and
recorded) when the frame is built from API pages. An item whose ``appid`` is not the
game asked for keeps its own as its ``game``, and the mismatch is recorded too. The
records are plain dicts of
strings, so ``attrs`` stays JSON-friendly (pandas writes it into Parquet metadata);
``df.assetpay.anomalies`` is their typed view. Vectorised over the built frame:
the per-item loop stays lean.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .schema import ANOMALY_COLUMNS

__all__ = ["ANOMALY_COLUMNS", "set_aside"]


def _negative(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    bad: np.ndarray[Any, Any] = np.less(values, 0)  # NaN (missing) compares False
    return bad


def _outside_unit(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    bad: np.ndarray[Any, Any] = np.less(values, 0) | np.greater(values, 1)
    return bad


#: frame column -> (API field, reason, test of a bad value on a Float64 column)
_RANGES: dict[str, tuple[str, str, Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]]] = {
    "market_price": ("marketPrice", "negative price", _negative),
    "offer_price": ("offer.price", "negative price", _negative),
    "wear": ("wear", "wear outside [0, 1]", _outside_unit),
}


def _texts(values: Any, rows: np.ndarray[Any, Any]) -> list[str | None]:
    """The values at ``rows`` as text (NA as None), taken in one vectorised step."""
    taken = pd.Series(values).take(rows).tolist()
    return [None if pd.isna(value) else str(value) for value in taken]


def _records(
    df: pd.DataFrame, mask: np.ndarray[Any, Any], field: str, values: Any, reason: str
) -> list[dict[str, Any]]:
    """One record per masked row; ``values`` holds the field's value per row."""
    rows = np.flatnonzero(mask)
    columns = zip(
        _texts(df["steam_id"].array, rows),
        _texts(df["item_id"].array, rows),
        _texts(values, rows),
        strict=True,
    )
    return [
        {"steam_id": steam_id, "item_id": item_id, "field": field, "value": value,
         "reason": reason}
        for steam_id, item_id, value in columns
    ]  # fmt: skip


def _floats(values: pd.Series) -> np.ndarray[Any, Any]:
    # numpy on the float64 values, NA as NaN: pandas' masked comparisons and their
    # BooleanArray -> numpy conversion cost ~100x more on a large frame
    return values.to_numpy(dtype="float64", na_value=np.nan)


def set_aside(
    df: pd.DataFrame,
    odd_exterior: Sequence[str | None] | np.ndarray[Any, Any] | None,
    *,
    drop_missing_ids: bool,
    odd_game: Sequence[str | None] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The frame with out-of-range values made NA and id-less rows dropped, and the records.

    Parameters
    ----------
    df : DataFrame
        A freshly built inventory frame (default RangeIndex).
    odd_exterior : sequence of str or None, or None
        Per item, the ``exterior`` the API sent when it is not one of the five known
        names (as text), else None; None for all when every exterior is known.
    drop_missing_ids : bool
        Drop (and record) rows without an ``item_id``: done for what the API sent,
        not for a hand-made frame.
    odd_game : sequence of str or None, optional
        Per item, its ``appid`` when it is not the game asked for (the row keeps it as
        its ``game``; the mismatch is recorded), else None.

    Returns
    -------
    (DataFrame, list of dict)
        The cleaned frame (modified in place when nothing is dropped) and one record
        per value set aside, in row order within each field.

    Examples
    --------
    >>> from assetpay_analytics.frame import from_pages
    >>> page = {"inventory": [{"id": "a", "marketPrice": -1.0}, {"marketPrice": 2.0}], "count": 2}
    >>> df = from_pages([page])
    >>> [(r["item_id"], r["field"], r["reason"]) for r in df.attrs["anomalies"]]
    [('a', 'marketPrice', 'negative price'), (None, 'id', 'item without an id: row dropped')]
    >>> df["market_price"].isna().tolist()
    [True]
    """
    records: list[dict[str, Any]] = []
    for column, (field, reason, is_bad) in _RANGES.items():
        mask = is_bad(_floats(df[column]))
        if mask.any():
            records += _records(df, mask, field, df[column].array.copy(), reason)
            df.loc[mask, column] = pd.NA
    if odd_exterior is not None:
        odd = pd.array(np.asarray(odd_exterior, dtype=object), dtype="string")
        odd_mask = ~np.asarray(odd.isna(), dtype=bool)
        if odd_mask.any():
            records += _records(df, odd_mask, "exterior", odd, "not one of the five exteriors")
    if odd_game is not None:
        games = pd.array(list(odd_game), dtype="string")
        game_mask = ~np.asarray(games.isna(), dtype=bool)
        records += _records(df, game_mask, "appid", games, "appid is not the game asked for")
    no_id = df["item_id"].isna().to_numpy() if drop_missing_ids else np.zeros(len(df), dtype=bool)
    if no_id.any():
        records += _records(df, no_id, "id", df["item_id"].array, "item without an id: row dropped")
        df = df.loc[~no_id].reset_index(drop=True)
    return df, records
