"""Pure JSON -> DataFrame: the inventory frame, one row per item (no HTTP here).

The schema is fixed (``SCHEMA``): every frame, an empty one included, has the same
columns and dtypes, so frames from different accounts, games and snapshots concatenate
without surprises. Optional API fields the response leaves out become NA; unknown
fields are ignored.

Parsing builds one Python list per column in a single pass over the items and turns
each into a typed array once; the garbage collector is paused around the pass (it
otherwise rescans the millions of small objects a large page allocates). Stickers are
an Arrow ``list<struct<name, slot, wear>>`` column, never Python lists.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from .constants import (
    EXTERIOR_SHORT,
    EXTERIORS,
    GAME_CS2,
    NON_SKIN_PREFIXES,
    SOUVENIR_PREFIX,
    STAR_PREFIX,
    STATTRAK_PREFIX,
)

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

#: Ordered categorical of the five CS2 exteriors, best first.
EXTERIOR_DTYPE = pd.CategoricalDtype(list(EXTERIORS), ordered=True)
#: Arrow type of the ``stickers`` column.
STICKER_TYPE = pa.list_(
    pa.struct([("name", pa.string()), ("slot", pa.int64()), ("wear", pa.float64())])
)
_STRING = pd.StringDtype("pyarrow")

#: Column name -> dtype of the inventory frame, in column order.
SCHEMA: Mapping[str, Any] = {
    "steam_id": _STRING,
    "game": _STRING,
    "item_id": _STRING,
    "asset_id": _STRING,
    "name": _STRING,
    "market_hash_name": _STRING,
    "weapon": _STRING,
    "skin": _STRING,
    "star": "bool",
    "stattrak": "bool",
    "souvenir": "bool",
    "exterior": EXTERIOR_DTYPE,
    "wear": "Float64",
    "phase": _STRING,
    "paint_seed": "Int64",
    "rarity": _STRING,
    "type": _STRING,
    "color": _STRING,
    "tradable": "boolean",
    "amount": "Int64",
    "market_price": "Float64",
    "offer_price": "Float64",
    "offer_accepted": "boolean",
    "offer_reference": _STRING,
    "sticker_count": "Int64",
    "stickers": pd.ArrowDtype(STICKER_TYPE),
    "icon_url": _STRING,
    "updated_at": "datetime64[ns, UTC]",
}

_EXTERIOR_BY_NAME = {**{e: e for e in EXTERIORS}, **{s: e for e, s in EXTERIOR_SHORT.items()}}


class ParsedName(NamedTuple):
    """What an item's names say: weapon, skin and the ★ / StatTrak™ / Souvenir marks."""

    weapon: str | None
    skin: str | None
    star: bool
    stattrak: bool
    souvenir: bool


@lru_cache(maxsize=65536)
def parse_name(name: str | None, market_hash_name: str | None = None) -> ParsedName:
    """Split a CS2 item name into weapon and skin and read its marks.

    Parameters
    ----------
    name : str or None
        The API's ``name`` (``"AK-47 | Redline"``; no exterior suffix).
    market_hash_name : str, optional
        The API's ``marketHashName``, which carries ``★``, ``StatTrak™`` and ``Souvenir``.

    Returns
    -------
    ParsedName
        ``weapon`` and ``skin`` are None for items that are not weapon skins
        (stickers, cases, agents...); a vanilla knife has a weapon and no skin.

    Examples
    --------
    >>> parse_name("AK-47 | Redline", "StatTrak™ AK-47 | Redline (Field-Tested)")
    ParsedName(weapon='AK-47', skin='Redline', star=False, stattrak=True, souvenir=False)
    >>> parse_name("★ Karambit", "★ Karambit")
    ParsedName(weapon='Karambit', skin=None, star=True, stattrak=False, souvenir=False)
    """
    full = market_hash_name or name or ""
    star = full.startswith(STAR_PREFIX) or (name or "").startswith(STAR_PREFIX)
    rest = full.removeprefix(STAR_PREFIX)
    stattrak = rest.startswith(STATTRAK_PREFIX)
    souvenir = rest.startswith(SOUVENIR_PREFIX)
    base = _strip_marks(name if name else rest)
    if not base or base.startswith(NON_SKIN_PREFIXES):
        return ParsedName(None, None, star, stattrak, souvenir)
    if " | " in base:
        weapon, _, skin = base.partition(" | ")
        return ParsedName(weapon, _strip_exterior(skin), star, stattrak, souvenir)
    return ParsedName(base if star else None, None, star, stattrak, souvenir)


def _strip_marks(text: str) -> str:
    text = text.removeprefix(STAR_PREFIX)
    for prefix in (STATTRAK_PREFIX, SOUVENIR_PREFIX):
        text = text.removeprefix(prefix)
    return text.strip()


def _strip_exterior(skin: str) -> str:
    for exterior in EXTERIORS:
        suffix = f" ({exterior})"
        if skin.endswith(suffix):
            return skin[: -len(suffix)]
    return skin


def _float(value: Any) -> float | None:
    """A number from an API value that may be a number, a numeric string, null or junk."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None  # NaN, inf -> missing


_INT64 = 2**63


def _int(value: Any) -> int | None:
    number = _float(value)
    if number is None or not number.is_integer() or not -_INT64 < number < _INT64:
        return None
    return int(number)


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _exterior(value: Any) -> str | None:
    return _EXTERIOR_BY_NAME.get(value) if isinstance(value, str) else None


def _stickers(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [
        {"name": _str(s.get("name")), "slot": _int(s.get("slot")), "wear": _float(s.get("wear"))}
        for s in value
        if isinstance(s, Mapping)
    ]


def _accepted(item: Mapping[str, Any], offer: Mapping[str, Any]) -> bool | None:
    # offer.accepted is the .gg/OpenAPI spelling; .co puts `accepted` at the top level.
    accepted = _bool(offer.get("accepted"))
    return accepted if accepted is not None else _bool(item.get("accepted"))


@contextmanager
def _gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_ITEM_COLUMNS = (
    "item_id", "asset_id", "name", "market_hash_name", "weapon", "skin", "star", "stattrak",
    "souvenir", "exterior", "wear", "phase", "paint_seed", "rarity", "type", "color",
    "tradable", "amount", "market_price", "offer_price", "offer_accepted", "offer_reference",
    "sticker_count", "stickers", "icon_url",
)  # fmt: skip
_EMPTY: Mapping[str, Any] = {}
_NO_STICKERS: list[dict[str, Any]] = []


def _text(value: Any) -> str | None:
    return value if type(value) is str else _str(value)


def _price(value: Any) -> float | None:
    # `v - v == 0` is False for NaN and inf: the common finite float skips the slow path.
    return value if type(value) is float and value - value == 0 else _float(value)


def _row(item: Mapping[str, Any]) -> tuple[Any, ...]:
    """One item's values in ``_ITEM_COLUMNS`` order (the hot loop: kept flat on purpose)."""
    get = item.get
    offer = get("offer")
    if not isinstance(offer, Mapping):
        offer = _EMPTY
    name, mhn = _text(get("name")), _text(get("marketHashName"))
    parsed = parse_name(name, mhn)
    raw_stickers = get("stickers")
    stickers = _stickers(raw_stickers) if raw_stickers else _NO_STICKERS
    doppler = get("doppler")
    amount = _int(get("amount")) if "amount" in item else None
    return (
        _text(get("id")),
        _text(get("assetId")),
        name,
        mhn,
        parsed.weapon,
        parsed.skin,
        parsed.star,
        parsed.stattrak,
        parsed.souvenir,
        _exterior(get("exterior")),
        _float(get("wear")),
        _text(doppler.get("name")) if isinstance(doppler, Mapping) else None,
        _int(get("paintSeed")),
        _text(get("rarity")),
        _text(get("type")),
        _text(get("color")),
        _bool(get("tradable")),
        1 if amount is None else amount,
        _price(get("marketPrice")),
        _price(offer.get("price")),
        _accepted(item, offer),
        _text(offer.get("reference")),
        len(stickers),
        stickers,
        _text(get("iconUrl")),
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
    if dtype is _STRING:
        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
    if dtype == "Float64":
        floats = np.array(values, dtype="float64")  # None -> NaN; real NaN was made None
        return pd.arrays.FloatingArray(floats, np.isnan(floats))
    return pd.array(list(values), dtype=dtype)


def _timestamp(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


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

    Returns
    -------
    DataFrame
        One row per item with the columns and dtypes of ``SCHEMA``.

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
    with _gc_paused():
        cols = _columns(items)
    n = len(cols["item_id"])
    stamp = _timestamp(updated_at)
    data = {
        "steam_id": pd.array([steam_id] * n, dtype=_STRING),
        "game": pd.array([str(game)] * n, dtype=_STRING),
        **{name: _typed(name, values) for name, values in cols.items()},
        "updated_at": _repeat_timestamp(stamp, n),
    }
    return pd.DataFrame({name: data[name] for name in SCHEMA})


def from_pages(
    pages: Iterable[Mapping[str, Any]],
    *,
    game: str = GAME_CS2,
    steam_id: str | None = None,
    request_ids: Sequence[str] = (),
    from_cache: bool = False,
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

    Returns
    -------
    DataFrame
        The inventory frame; ``attrs`` carries ``count``, ``updated_at`` (UTC
        Timestamp), ``collateral``, ``game``, ``steam_id``, ``request_ids``, ``from_cache``.

    Examples
    --------
    >>> page = {"inventory": [], "count": 0, "updatedAt": "2026-06-01T09:30:00Z", "collateral": 0}
    >>> from_pages([page], steam_id="76561197960278073").attrs["count"]
    0
    """
    pages = list(pages)
    first = pages[0] if pages else {}
    items = [item for page in pages for item in (page.get("inventory") or [])]
    updated_at = first.get("updatedAt")
    frame = from_items(items, game=game, steam_id=steam_id, updated_at=updated_at)
    frame.attrs = {
        "count": _int(first.get("count")) if first.get("count") is not None else len(items),
        "updated_at": _timestamp(updated_at),
        "collateral": _float(first.get("collateral")),
        "game": str(game),
        "steam_id": steam_id,
        "request_ids": list(request_ids),
        "from_cache": bool(from_cache),
    }
    return frame


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Cast a frame read back from a file to the inventory schema (columns and dtypes).

    Examples
    --------
    >>> conform(empty_frame().astype(object)).dtypes.equals(empty_frame().dtypes)
    True
    """
    missing = [name for name in SCHEMA if name not in df.columns]
    if missing:
        raise ValueError(f"not an inventory frame: missing column(s) {', '.join(missing)}")
    return df[list(SCHEMA)].astype(dict(SCHEMA))


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write an inventory frame to Parquet (stickers stay an Arrow list column).

    ``attrs`` are not written (Parquet metadata cannot hold the errors frame).

    Examples
    --------
    >>> import tempfile
    >>> path = write_parquet(empty_frame(), Path(tempfile.mkdtemp()) / "inv.parquet")
    >>> read_parquet(path).dtypes.equals(empty_frame().dtypes)
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = df.copy()
    plain.attrs = {}
    plain.to_parquet(path, index=False)
    return path


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read a frame written by ``write_parquet`` back with the exact schema dtypes.

    pandas cannot rebuild an Arrow list dtype from its own Parquet metadata, so the
    table is read without it and conformed to ``SCHEMA``.
    """
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    arrow_lists = {"types_mapper": lambda t: pd.ArrowDtype(t) if pa.types.is_list(t) else None}
    return conform(table.to_pandas(ignore_metadata=True, **arrow_lists))


def read_envelope(source: bytes | str | Path) -> Mapping[str, Any]:
    """Parse a saved ``/secure/inventory`` response body (bytes, JSON text or a file path).

    Parameters
    ----------
    source : bytes, str or Path
        The body itself, or the path of a file holding it.

    Returns
    -------
    mapping
        The decoded envelope (``requestId``, ``success``, ``data`` or ``error``).

    Examples
    --------
    >>> read_envelope(b'{"success": true, "data": {"inventory": []}}')["success"]
    True
    """
    is_text = isinstance(source, str) and source.lstrip().startswith("{")
    if isinstance(source, Path) or (isinstance(source, str) and not is_text):
        source = Path(source).read_bytes()
    with _gc_paused():
        return orjson.loads(source)


# Every frame the toolkit builds has the ``df.assetpay`` accessor: registering it here
# (not in the package __init__) keeps `import assetpay_analytics` free of pandas.
from . import analysis as _analysis  # noqa: E402, F401
