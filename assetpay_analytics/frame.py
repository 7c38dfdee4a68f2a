"""Pure JSON -> DataFrame: the inventory frame, one row per item (no HTTP here).

The columns and dtypes are fixed (``SCHEMA``, defined in ``schema``); optional API
fields the response leaves out become NA; unknown fields are ignored.

Parsing builds one Python list per column in a single pass over the items and turns
each into a typed array once; the garbage collector is paused around the pass (it
otherwise rescans the millions of small objects a large page allocates). Stickers are
an Arrow ``list<struct<name, slot, wear>>`` column, never Python lists.

Neighbouring rooms: ``names`` parses item names, ``_coerce`` converts API values,
``_json`` reads response bodies, ``parquet`` writes and reads frames. This module
re-exports their public names (``frame.parse_name``, ``frame.read_parquet``...), so
code written against earlier versions keeps working. The ``df.assetpay`` accessor is
registered by ``accessor``, which the client and the Parquet reader import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ._anomalies import set_aside
from ._coerce import (
    to_bool,
    to_float,
    to_int,
    to_price,
    to_str,
    to_text,
    to_timestamp,
)
from ._json import gc_paused, read_envelope
from .constants import EXTERIOR_SHORT, EXTERIORS, GAME_CS2
from .names import ParsedName, parse_name
from .schema import EXTERIOR_DTYPE, SCHEMA, STICKER_TYPE, STRING, conform

if TYPE_CHECKING:
    from .parquet import read_parquet, write_parquet

__all__ = [
    "EXTERIOR_DTYPE",
    "SCHEMA",
    "STICKER_TYPE",
    "ParsedName",
    "conform",
    "empty_frame",
    "from_items",
    "from_pages",
    "parse_name",
    "read_envelope",
    "read_parquet",
    "write_parquet",
]

_EXTERIOR_BY_NAME = {**{e: e for e in EXTERIORS}, **{s: e for e, s in EXTERIOR_SHORT.items()}}
_ITEM_COLUMNS = (
    "item_id", "asset_id", "name", "market_hash_name", "weapon", "skin", "star", "stattrak",
    "souvenir", "exterior", "wear", "phase", "paint_seed", "rarity", "type", "color",
    "tradable", "amount", "market_price", "offer_price", "offer_accepted", "offer_reference",
    "sticker_count", "stickers", "icon_url", "_odd_exterior",
)  # fmt: skip
_EMPTY: Mapping[str, Any] = {}
_NO_STICKERS: list[dict[str, Any]] = []
#: Names kept here for earlier code, loaded on first use: ``parquet`` registers the
#: accessor, which the frame layer itself must not do.
_PARQUET_NAMES = ("read_parquet", "write_parquet")


def __getattr__(name: str) -> Any:
    if name in _PARQUET_NAMES:
        from . import parquet

        return getattr(parquet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _exterior(value: Any) -> str | None:
    return _EXTERIOR_BY_NAME.get(value) if isinstance(value, str) else None


def _stickers(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [
        {
            "name": to_str(s.get("name")),
            "slot": to_int(s.get("slot")),
            "wear": to_float(s.get("wear")),
        }
        for s in value
        if isinstance(s, Mapping)
    ]


def _accepted(item: Mapping[str, Any], offer: Mapping[str, Any]) -> bool | None:
    # offer.accepted is the .gg/OpenAPI spelling; .co puts `accepted` at the top level.
    accepted = to_bool(offer.get("accepted"))
    return accepted if accepted is not None else to_bool(item.get("accepted"))


def _row(item: Mapping[str, Any]) -> tuple[Any, ...]:
    """One item's values in ``_ITEM_COLUMNS`` order (the hot loop: kept flat on purpose)."""
    get = item.get
    offer = get("offer")
    if not isinstance(offer, Mapping):
        offer = _EMPTY
    name, mhn = to_text(get("name")), to_text(get("marketHashName"))
    parsed = parse_name(name, mhn)
    raw_stickers = get("stickers")
    stickers = _stickers(raw_stickers) if raw_stickers else _NO_STICKERS
    doppler = get("doppler")
    amount = to_int(get("amount")) if "amount" in item else None
    raw_exterior = get("exterior")
    exterior = _exterior(raw_exterior)
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
        exterior,
        to_float(get("wear")),
        to_text(doppler.get("name")) if isinstance(doppler, Mapping) else None,
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
        len(stickers),
        stickers,
        to_text(get("iconUrl")),
        # an exterior that is not one of the five, kept as text to be set aside
        None if exterior is not None or raw_exterior is None else str(raw_exterior),
    )


def _columns(items: Iterable[Mapping[str, Any]]) -> dict[str, Sequence[Any]]:
    """One pass over the items, then one sequence per column."""
    rows = [_row(item) for item in items]
    if not rows:
        return {name: [] for name in _ITEM_COLUMNS}
    return dict(zip(_ITEM_COLUMNS, zip(*rows, strict=True), strict=True))


def _typed(name: str, values: Sequence[Any]) -> Any:
    """A typed array from Python values (pyarrow converts lists far faster than pandas)."""
    dtype = SCHEMA[name]
    if name == "stickers":
        return pd.arrays.ArrowExtensionArray(pa.array(values, type=STICKER_TYPE))
    if dtype is STRING:
        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
    if dtype == "Float64":
        floats = np.array(values, dtype="float64")  # None -> NaN; real NaN was made None
        return pd.arrays.FloatingArray(floats, np.isnan(floats))
    return pd.array(list(values), dtype=dtype)


def _repeat_timestamp(stamp: pd.Timestamp | None, n: int) -> Any:
    if stamp is None:
        return pd.array([None] * n, dtype=SCHEMA["updated_at"])
    return pd.DatetimeIndex([stamp.as_unit("ns")]).repeat(n).array


def empty_frame() -> pd.DataFrame:
    """An inventory frame with no rows: every column, every dtype.

    Examples
    --------
    >>> empty_frame().shape[0], str(empty_frame()["exterior"].dtype)
    (0, 'category')
    """
    return from_items([])


def from_items(
    items: Sequence[Mapping[str, Any]],
    *,
    game: str = GAME_CS2,
    steam_id: str | None = None,
    updated_at: Any = None,
    drop_missing_ids: bool = False,
) -> pd.DataFrame:
    """Turn the API's ``inventory`` items into the typed inventory frame.

    Parameters
    ----------
    items : sequence of mappings
        Items exactly as the API sends them (missing or null fields are fine;
        unknown fields are ignored).
    game : str
        The app id the items were requested for (``"730"`` or ``"252490"``).
    steam_id : str, optional
        The SteamID64 of the account, repeated on every row.
    updated_at : str or Timestamp, optional
        The response's ``updatedAt``, repeated on every row as a UTC timestamp.
    drop_missing_ids : bool
        Drop items without an id (``from_pages`` does, for what the API sent); by
        default a hand-made item list keeps them.

    Returns
    -------
    DataFrame
        One row per item with the columns and dtypes of ``SCHEMA``. Values out of
        range (a negative price, a wear outside [0, 1], an unknown exterior) are NA
        (and items without an id dropped, with ``drop_missing_ids``), each recorded
        in ``attrs["anomalies"]``.

    Examples
    --------
    >>> df = from_items([{"id": "a1", "name": "AK-47 | Redline", "appid": 730, "tradable": True,
    ...                   "marketHashName": "AK-47 | Redline (Field-Tested)",
    ...                   "exterior": "Field-Tested", "wear": "0.25", "marketPrice": 20.0,
    ...                   "offer": {"price": 15.0, "accepted": True}}])
    >>> df.loc[0, ["weapon", "skin", "exterior"]].tolist()
    ['AK-47', 'Redline', 'Field-Tested']
    >>> float(df.loc[0, "wear"]), float(df.loc[0, "offer_price"])
    (0.25, 15.0)
    """
    with gc_paused():
        cols = _columns(items)
    odd_exterior = cols.pop("_odd_exterior")
    n = len(cols["item_id"])
    data = {
        "steam_id": pd.array([steam_id] * n, dtype=STRING),
        "game": pd.array([str(game)] * n, dtype=STRING),
        **{name: _typed(name, values) for name, values in cols.items()},
        "updated_at": _repeat_timestamp(to_timestamp(updated_at), n),
    }
    with gc_paused():  # the records are many small dicts, as the rows were
        frame, anomalies = set_aside(
            pd.DataFrame({name: data[name] for name in SCHEMA}),
            odd_exterior,
            drop_missing_ids=drop_missing_ids,
        )
    frame.attrs = {"anomalies": anomalies}
    return frame


def from_pages(
    pages: Iterable[Mapping[str, Any]],
    *,
    game: str = GAME_CS2,
    steam_id: str | None = None,
    request_ids: Sequence[str] = (),
    from_cache: bool = False,
    fetched_at: str | None = None,
    stale: bool = False,
) -> pd.DataFrame:
    """Build one frame from the ``data`` objects of every page of a response.

    Parameters
    ----------
    pages : iterable of mappings
        Each page's ``data`` (``inventory``, ``count``, ``updatedAt``, ``collateral``).
    game, steam_id : str
        What was requested; written on every row and into ``attrs``.
    request_ids : sequence of str
        The pages' ``requestId`` values, kept in ``attrs["request_ids"]``.
    from_cache : bool
        True when every page came from the disk cache.
    fetched_at : str, optional
        When AssetPay answered (ISO-8601 UTC), kept in ``attrs["fetched_at"]``.
    stale : bool
        True when an expired cache entry was served (offline or ``stale_if_error``).

    Returns
    -------
    DataFrame
        The inventory frame; ``attrs`` carries ``count``, ``updated_at``, ``collateral``,
        ``game``, ``steam_id``, ``request_ids``, ``from_cache``, ``fetched_at``,
        ``stale``, every value JSON-friendly
        (pandas writes attrs into Parquet with ``json.dumps``). ``updated_at`` is an
        ISO-8601 UTC string ending in ``Z`` (``Timestamp.isoformat()`` of the UTC time,
        ``+00:00`` written ``Z``; fractional seconds only when there are some), or None;
        ``df.assetpay.updated_at`` gives it back as a UTC Timestamp. The ``updated_at``
        column stays ``datetime64[ns, UTC]``.

    Examples
    --------
    >>> page = {"inventory": [], "count": 0, "updatedAt": "2026-06-01T11:30:00+02:00",
    ...         "collateral": 0}
    >>> df = from_pages([page], steam_id="76561197960278073")
    >>> df.attrs["count"], df.attrs["updated_at"]
    (0, '2026-06-01T09:30:00Z')
    """
    pages = list(pages)
    first = pages[0] if pages else {}
    items = [item for page in pages for item in (page.get("inventory") or [])]
    updated_at = first.get("updatedAt")
    frame = from_items(
        items, game=game, steam_id=steam_id, updated_at=updated_at, drop_missing_ids=True
    )
    frame.attrs = {
        "count": to_int(first.get("count")) if first.get("count") is not None else len(items),
        # ISO-8601 UTC with a "Z" ("2026-06-01T09:30:00Z"): attrs stay JSON-friendly
        "updated_at": None
        if (stamp := to_timestamp(updated_at)) is None
        else stamp.isoformat().replace("+00:00", "Z"),
        "collateral": to_float(first.get("collateral")),
        "game": str(game),
        "steam_id": steam_id,
        "request_ids": list(request_ids),
        "from_cache": bool(from_cache),
        "fetched_at": fetched_at,
        "stale": bool(stale),
        "anomalies": frame.attrs["anomalies"],
    }
    return frame
