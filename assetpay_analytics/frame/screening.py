"""The screening frame: ``/secure/check-tradeurl`` answers -> one row per input, in order.

What lives here: the strict check of one answer's ``data`` (``screen_problem``;
``shared/assetpay-api.md`` §4b), the frame's columns (``SCREEN_SCHEMA``) and its builder
(``screen_frame``). An input that was not checked (a malformed trade URL, a request
that failed) still has its row, with NA values: its failure is a record of
``attrs["errors"]``, as in an inventory batch.

``state_name`` is a categorical of the ten documented state names (a state number the
API adds later is kept in ``state`` with ``state_name`` NA); ``reason`` and ``bans``
are flattened into ``escrow_days``, ``probation``, ``vac_banned``, ``game_bans`` and
``economy_ban``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..constants import SCREENING_STATES
from .schema import STRING

__all__ = ["SCREEN_SCHEMA", "STATE_DTYPE", "screen_frame", "screen_problem"]

#: The ten documented states, in number order.
STATE_DTYPE = pd.CategoricalDtype(list(SCREENING_STATES.values()))

#: The screening frame's columns and dtypes, in order.
SCREEN_SCHEMA: Mapping[str, Any] = {
    "input": "Int64",
    "steam_id": STRING,
    "state": "Int64",
    "state_name": STATE_DTYPE,
    "can_trade": "boolean",
    "escrow_days": "Int64",
    "probation": "boolean",
    "vac_banned": "boolean",
    "game_bans": "Int64",
    "economy_ban": STRING,
    "message": STRING,
}

#: (object, key, test, what it must be) of every optional field.
_OPTIONAL: tuple[tuple[str | None, str, Any, str], ...] = (
    (None, "steamid", lambda v: isinstance(v, str), "a string"),
    (None, "canTrade", lambda v: isinstance(v, bool), "true or false"),
    ("reason", "escrowDays", lambda v: _whole(v), "a whole number"),
    ("reason", "probation", lambda v: isinstance(v, bool), "true or false"),
    ("bans", "vacBanned", lambda v: isinstance(v, bool), "true or false"),
    ("bans", "gameBans", lambda v: _whole(v), "a whole number"),
    ("bans", "economyBan", lambda v: isinstance(v, str), "a string"),
)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _part(data: Mapping[str, Any], name: str | None) -> Any:
    return data if name is None else data.get(name)


def screen_problem(data: Any) -> str | None:
    """What is wrong with one answer's ``data``, or None when it has the documented shape.

    ``state`` (a whole number) and ``message`` (a string) are required; ``steamid``,
    ``canTrade``, ``reason {escrowDays, probation}`` and ``bans {vacBanned, gameBans,
    economyBan}`` are checked when present (null counts as absent).

    Examples
    --------
    >>> screen_problem({"state": 5, "message": "Inventory is private"})
    >>> screen_problem({"state": "5", "message": ""})
    'state must be a whole number'
    """
    if not isinstance(data, Mapping):
        return f"data is {type(data).__name__}, not an object"
    if not _whole(data.get("state")):
        return "state must be a whole number"
    if not isinstance(data.get("message"), str):
        return "message must be a string"
    for name in ("reason", "bans"):
        if data.get(name) is not None and not isinstance(data[name], Mapping):
            return f"{name} must be an object"
    for part, key, test, what in _OPTIONAL:
        holder = _part(data, part)
        value = holder.get(key) if isinstance(holder, Mapping) else None
        if value is not None and not test(value):
            where = key if part is None else f"{part}.{key}"
            return f"{where} must be {what}"
    return None


def _get(data: Mapping[str, Any] | None, part: str | None, key: str) -> Any:
    holder = None if data is None else _part(data, part)
    return holder.get(key) if isinstance(holder, Mapping) else None


def screen_frame(
    rows: Sequence[tuple[str | None, Mapping[str, Any] | None]],
) -> pd.DataFrame:
    """The screening frame: one row per input, ``(steam_id, data or None)`` in input order.

    Parameters
    ----------
    rows : sequence of (str or None, mapping or None)
        Per input, its SteamID64 (None for a malformed trade URL) and the answer's
        ``data`` (checked by ``screen_problem``; None when it was not checked).

    Returns
    -------
    DataFrame
        Columns ``SCREEN_SCHEMA``; ``input`` is the position in the caller's list.

    Examples
    --------
    >>> df = screen_frame([("76561198000000001", {"state": 5, "message": "private"}),
    ...                    (None, None)])
    >>> df[["input", "state", "state_name"]].astype(object).values.tolist()
    [[0, 5, 'InventoryPrivate'], [1, <NA>, nan]]
    """
    datas = [data for _, data in rows]
    states = [_get(data, None, "state") for data in datas]
    data: dict[str, list[Any]] = {
        "input": list(range(len(rows))),
        # the trade URL's own SteamID64; the answer's ``steamid`` only when there is none
        "steam_id": [steam_id or _get(data, None, "steamid") for steam_id, data in rows],
        "state": states,
        "state_name": [
            SCREENING_STATES.get(state) if state is not None else None for state in states
        ],
        "can_trade": [_get(d, None, "canTrade") for d in datas],
        "escrow_days": [_get(d, "reason", "escrowDays") for d in datas],
        "probation": [_get(d, "reason", "probation") for d in datas],
        "vac_banned": [_get(d, "bans", "vacBanned") for d in datas],
        "game_bans": [_get(d, "bans", "gameBans") for d in datas],
        "economy_ban": [_get(d, "bans", "economyBan") for d in datas],
        "message": [_get(d, None, "message") for d in datas],
    }
    columns: dict[str, Any] = {
        name: pd.array(data[name], dtype=dtype)
        for name, dtype in SCREEN_SCHEMA.items()
        if dtype is not STATE_DTYPE
    }
    columns["state_name"] = pd.Categorical(data["state_name"], dtype=STATE_DTYPE)
    return pd.DataFrame({name: columns[name] for name in SCREEN_SCHEMA})
