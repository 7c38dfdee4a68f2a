"""The price book frame: a ``/secure/prices`` answer -> one row per entry, one per phase.

What lives here: the two documented entry shapes as Arrow types (``CS2_ENTRY``,
``RUST_ENTRY``; ``shared/assetpay-api.md`` §4), the strict check of a decoded book
(``book_problem``: an ill-typed book is refused, never guessed at), the Arrow reading of
a body (``read_book``: no Python object per entry), and the frame (``book_frame``,
columns ``BOOK_SCHEMA``).

Rows: each entry's own values first (``phase`` NA; for a Doppler entry, the floor), each
followed by one row per element of its ``phases[]`` (``phase`` set). Rust's single
``withdraw`` (number or null) is ``withdraw_standard``; its ``withdraw_instant`` is NA.
The name columns (``weapon``, ``skin``, ``exterior``, ``stattrak``, ``souvenir``,
``star``) are parsed from ``marketHashName`` as in the inventory frame, once per distinct
name and in Arrow (``arrow_names``), so every group table works on a book. A negative
deposit or withdraw price becomes NA and a record in ``attrs["anomalies"]`` (its
``item_id`` is the entry's name, with the phase after " / " for a phase row).

Both readings (Arrow on the body, or the decoded JSON once ``book_problem`` passed it)
become the same Arrow entries, so there is one frame builder for both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ..constants import GAME_RUST
from .arrow import categorical, constant_categorical
from .arrow_names import category, name_columns, sorted_codes
from .bodies import read_envelope
from .records import share_attrs
from .schema import CATEGORY, EXTERIOR_DTYPE, STRING

__all__ = [
    "BOOK_SCHEMA",
    "CS2_ENTRY",
    "RUST_ENTRY",
    "BookReading",
    "book_entries",
    "book_frame",
    "book_problem",
    "from_price_book",
    "read_book",
]

_WITHDRAW = pa.struct([("standard", pa.float64()), ("instant", pa.float64())])
_PHASE = pa.struct(
    [
        ("phase", pa.string()),
        ("accepted", pa.bool_()),
        ("deposit", pa.float64()),
        ("withdraw", _WITHDRAW),
    ]
)
#: A CS2 entry of ``/secure/prices`` (OpenAPI 0.8.3), as Arrow reads it.
CS2_ENTRY = pa.struct(
    [
        ("itemId", pa.large_string()),
        ("marketHashName", pa.string()),
        ("accepted", pa.bool_()),
        ("deposit", pa.float64()),
        ("withdraw", _WITHDRAW),
        ("phases", pa.list_(_PHASE)),
    ]
)
#: A Rust entry: one ``withdraw`` number (or null), no ``itemId`` and no phases.
#: ``itemId`` is read only to tell a CS2 body apart (a Rust entry never has one).
RUST_ENTRY = pa.struct(
    [
        ("itemId", pa.large_string()),
        ("marketHashName", pa.string()),
        ("accepted", pa.bool_()),
        ("deposit", pa.float64()),
        ("withdraw", pa.float64()),
    ]
)
_SHAPES = {"cs2": CS2_ENTRY, "rust": RUST_ENTRY}

#: The price book frame's columns and dtypes, in order.
BOOK_SCHEMA: Mapping[str, Any] = {
    "game": CATEGORY,
    "market_hash_name": CATEGORY,
    "phase": CATEGORY,
    "item_id": STRING,
    "accepted": "boolean",
    "deposit": "Float64",
    "withdraw_standard": "Float64",
    "withdraw_instant": "Float64",
    "weapon": CATEGORY,
    "skin": CATEGORY,
    "exterior": EXTERIOR_DTYPE,
    "stattrak": "bool",
    "souvenir": "bool",
    "star": "bool",
}
#: Price columns that must not be negative (frame column -> API field).
_PRICES = {
    "deposit": "deposit",
    "withdraw_standard": "withdraw.standard",
    "withdraw_instant": "withdraw.instant",
}


class BookReading(NamedTuple):
    """A price book's entries as Arrow holds them, their shape, and the envelope's id."""

    entries: pa.StructArray
    shape: str
    request_id: str | None


# --- the strict check of a decoded book ------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _price(value: Any, *, nullable: bool) -> bool:
    return _number(value) or (nullable and value is None)


def _withdraw_problem(withdraw: Any) -> str | None:
    if not isinstance(withdraw, Mapping):
        return "withdraw must be an object {standard, instant}"
    for key in ("standard", "instant"):
        if not _price(withdraw.get(key), nullable=True):
            return f"withdraw.{key} must be a number or null"
    return None


def _common_problem(entry: Mapping[str, Any]) -> str | None:
    if not isinstance(entry.get("marketHashName"), str):
        return "marketHashName must be a string"
    if not isinstance(entry.get("accepted"), bool):
        return "accepted must be true or false"
    if not _price(entry.get("deposit"), nullable=False):
        return "deposit must be a number"
    return None


def _phase_problem(phases: Any) -> str | None:
    if not isinstance(phases, list):
        return "phases must be a list"
    for n, phase in enumerate(phases):
        if not isinstance(phase, Mapping):
            return f"phases[{n}] must be an object"
        if not isinstance(phase.get("phase"), str):
            return f"phases[{n}].phase must be a string"
        problem = _common_problem({"marketHashName": "", **phase})
        problem = problem or _withdraw_problem(phase.get("withdraw"))
        if problem is not None:
            return f"phases[{n}].{problem}"
    return None


def _cs2_problem(entry: Mapping[str, Any]) -> str | None:
    if not isinstance(entry.get("itemId"), str | None):
        return "itemId must be a string or null"
    problem = _common_problem(entry) or _withdraw_problem(entry.get("withdraw"))
    if problem is None and entry.get("phases") is not None:
        problem = _phase_problem(entry["phases"])
    return problem


def _rust_problem(entry: Mapping[str, Any]) -> str | None:
    problem = _common_problem(entry)
    if problem is None and not _price(entry.get("withdraw"), nullable=True):
        problem = "withdraw must be a number or null"
    return problem


def _shape_of(entry: Mapping[str, Any]) -> str:
    """``"cs2"`` for an entry with an ``itemId`` key or a withdraw object, else ``"rust"``."""
    return "cs2" if "itemId" in entry or isinstance(entry.get("withdraw"), Mapping) else "rust"


def book_problem(data: Any) -> str | None:
    """What is wrong with a decoded book's ``data``, or None when it has a documented shape.

    ``data`` must be a list of entries, all of one shape: CS2 (``itemId`` string or
    null, ``marketHashName``, ``accepted``, ``deposit``, ``withdraw {standard, instant}``,
    optional ``phases[]``) or Rust (``withdraw`` a number or null). Unknown keys are
    ignored; a nullable key that is absent counts as null (Arrow reads both alike); a
    negative price is not a problem here (it becomes an anomaly).

    Examples
    --------
    >>> book_problem([{"marketHashName": "Scrap", "accepted": True, "deposit": 1, "withdraw": 2}])
    >>> book_problem([{"marketHashName": "Scrap", "accepted": True, "deposit": "1"}])
    'data[0].deposit must be a number'
    >>> book_problem({"entries": []})
    'data is an object, not a list of entries'
    """
    if not isinstance(data, list):
        kind = "an object" if isinstance(data, Mapping) else type(data).__name__
        return f"data is {kind}, not a list of entries"
    shapes = set()
    for n, entry in enumerate(data):
        if not isinstance(entry, Mapping):
            return f"data[{n}] is not an object"
        shape = _shape_of(entry)
        problem = _cs2_problem(entry) if shape == "cs2" else _rust_problem(entry)
        if problem is not None:
            return f"data[{n}].{problem}"
        shapes.add(shape)
    return "data mixes CS2 and Rust entries" if len(shapes) > 1 else None


def book_entries(data: Sequence[Mapping[str, Any]]) -> BookReading:
    """A decoded book (checked by ``book_problem``) as Arrow entries, converted in C++."""
    shape = _shape_of(data[0]) if data else "cs2"
    entries = pa.array(data, type=_SHAPES[shape])
    return BookReading(entries, shape, None)


# --- the Arrow reading of a body -------------------------------------------------------


def _envelope(entry: pa.StructType) -> pa.Schema:
    return pa.schema(
        [("requestId", pa.string()), ("success", pa.bool_()), ("data", pa.list_(entry))]
    )


def _required_present(entries: pa.StructArray, shape: str) -> bool:
    """Every key the shape requires is there (Arrow reads a missing key as null)."""
    required = ["marketHashName", "accepted", "deposit"]
    if shape == "cs2":
        required.append("withdraw")
    if any(entries.field(name).null_count for name in required):
        return False
    if shape == "rust":
        return bool(entries.field("itemId").null_count == len(entries))  # no CS2 entry
    phases = entries.field("phases").flatten()
    keys = ["phase", "accepted", "deposit", "withdraw"]
    return not phases.null_count and not any(phases.field(k).null_count for k in keys)


def _read_as(body: bytes, shape: str) -> BookReading | None:
    options = pa_json.ParseOptions(
        explicit_schema=_envelope(_SHAPES[shape]),
        unexpected_field_behavior="ignore",
        newlines_in_values=b"\n" in body.strip(),
    )
    read = pa_json.ReadOptions(use_threads=True, block_size=max(len(body) + 1, 1 << 20))
    try:
        table = pa_json.read_json(pa.BufferReader(body), read_options=read, parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != 1 or table.column("success")[0].as_py() is not True:
        return None
    data = table.column("data").combine_chunks()
    if data.null_count:
        return None
    entries = data.flatten()
    if entries.null_count or not _required_present(entries, shape):
        return None
    return BookReading(entries, shape, table.column("requestId")[0].as_py())


def read_book(body: bytes) -> BookReading | None:
    """A ``/secure/prices`` success envelope read by Arrow (either shape), or None.

    None when Arrow cannot type it as documented (a string price, a missing required
    key...): the body is then decoded and ``book_problem`` names what is wrong.

    Examples
    --------
    >>> body = b'{"success": true, "data": [{"marketHashName": "Scrap", "accepted": true,'
    >>> body += b' "deposit": 1.5, "withdraw": null}]}'
    >>> reading = read_book(body)
    >>> reading.shape, reading.entries.field("deposit").to_pylist()
    ('rust', [1.5])
    >>> read_book(b'{"success": true, "data": [{"marketHashName": "Scrap"}]}') is None
    True
    """
    return _read_as(body, "cs2") or _read_as(body, "rust")


# --- the frame --------------------------------------------------------------------------


def _floats(values: pa.Array) -> Any:
    floats = values.to_numpy(zero_copy_only=False).astype(np.float64)
    return pd.arrays.FloatingArray(np.nan_to_num(floats), np.isnan(floats))


def _booleans(values: pa.Array) -> Any:
    data = pc.fill_null(values, False).to_numpy(zero_copy_only=False)
    missing = pc.is_null(values).to_numpy(zero_copy_only=False)
    return pd.arrays.BooleanArray(data.astype(bool), missing)


def _nulls(n: int, kind: pa.DataType) -> pa.Array:
    return pa.nulls(n, type=kind)


def _entry_rows(reading: BookReading) -> dict[str, pa.Array]:
    """Each entry's own row: its values, phase null."""
    entries, n = reading.entries, len(reading.entries)
    withdraw = entries.field("withdraw")
    cs2 = reading.shape == "cs2"
    return {
        "parent": pa.array(np.arange(n, dtype=np.int64)),
        "market_hash_name": entries.field("marketHashName"),
        "phase": _nulls(n, pa.string()),
        "item_id": entries.field("itemId"),
        "accepted": entries.field("accepted"),
        "deposit": entries.field("deposit"),
        "withdraw_standard": withdraw.field("standard") if cs2 else withdraw,
        "withdraw_instant": withdraw.field("instant") if cs2 else _nulls(n, pa.float64()),
    }


def _phase_rows(reading: BookReading) -> dict[str, pa.Array]:
    """One row per element of the entries' ``phases[]``, with its entry's name and id."""
    if reading.shape != "cs2":
        return {}
    lists = reading.entries.field("phases")
    phases = lists.flatten()
    parent = pc.list_parent_indices(lists)
    withdraw = phases.field("withdraw")
    return {
        "parent": parent.cast(pa.int64()),
        "market_hash_name": reading.entries.field("marketHashName").take(parent),
        "phase": phases.field("phase"),
        "item_id": reading.entries.field("itemId").take(parent),
        "accepted": phases.field("accepted"),
        "deposit": phases.field("deposit"),
        "withdraw_standard": withdraw.field("standard"),
        "withdraw_instant": withdraw.field("instant"),
    }


def _rows(reading: BookReading) -> dict[str, pa.Array]:
    """Entry rows and phase rows, each entry followed by its phases."""
    own, phases = _entry_rows(reading), _phase_rows(reading)
    if not phases or not len(phases["parent"]):
        return own
    joined = {k: pa.concat_arrays([own[k].cast(phases[k].type), phases[k]]) for k in own}
    order = np.argsort(joined["parent"].to_numpy(), kind="stable")
    return {name: values.take(pa.array(order)) for name, values in joined.items()}


def _set_aside(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Negative prices become NA; one anomaly record per value, in row order per field."""
    records: list[dict[str, Any]] = []
    for column, field in _PRICES.items():
        values = df[column].to_numpy(dtype="float64", na_value=np.nan)
        rows = np.flatnonzero(np.less(values, 0))
        if not len(rows):
            continue
        names = df["market_hash_name"].take(rows).astype(object).tolist()
        phases = df["phase"].take(rows).astype(object).tolist()
        for row, name, phase in zip(rows.tolist(), names, phases, strict=True):
            label = name if pd.isna(phase) else f"{name} / {phase}"
            value = repr(float(values[row]))
            records.append({"steam_id": None, "item_id": label, "field": field,
                            "value": value, "reason": "negative price"})  # fmt: skip
        df.loc[rows, column] = pd.NA
    return records


def book_frame(reading: BookReading, *, game: str) -> pd.DataFrame:
    """The price book frame of one reading (columns ``BOOK_SCHEMA``; attrs: anomalies).

    Parameters
    ----------
    reading : BookReading
        From ``read_book`` (a body) or ``book_entries`` (decoded JSON).
    game : str
        The game the book was asked for (``"730"`` or ``"252490"``).

    Raises
    ------
    ValueError
        When the entries have the other game's shape (a Rust book for CS2).

    Examples
    --------
    >>> data = [{"itemId": "i1", "marketHashName": "★ Karambit | Doppler (Factory New)",
    ...          "accepted": True, "deposit": 900.0, "withdraw": {"standard": 1100.0,
    ...          "instant": None}, "phases": [{"phase": "Ruby", "accepted": True,
    ...          "deposit": 2900.0, "withdraw": {"standard": 3500.0, "instant": None}}]}]
    >>> df = book_frame(book_entries(data), game="730")
    >>> df[["phase", "deposit", "skin", "exterior"]].astype(object).values.tolist()
    [[nan, 900.0, 'Doppler', 'Factory New'], ['Ruby', 2900.0, 'Doppler', 'Factory New']]
    """
    expected = "rust" if str(game) == GAME_RUST else "cs2"
    if len(reading.entries) and reading.shape != expected:
        raise ValueError(f"the book's entries have the {reading.shape} shape, not {expected}'s")
    rows = _rows(reading)
    n = len(rows["parent"])
    name_codes, names = sorted_codes(rows["market_hash_name"])
    data = {
        "game": constant_categorical(str(game), n),
        "market_hash_name": category(name_codes, names),
        "phase": categorical(rows["phase"]),
        "item_id": pd.arrays.ArrowStringArray(rows["item_id"].cast(pa.large_string())),
        "accepted": _booleans(rows["accepted"]),
        **{column: _floats(rows[column]) for column in _PRICES},
        **name_columns(name_codes, names),
    }
    df = pd.DataFrame({name: data[name] for name in BOOK_SCHEMA}, copy=False)
    df.attrs = {"game": str(game), "anomalies": _set_aside(df)}
    share_attrs(df.attrs)
    return df


def from_price_book(source: bytes | str | Path | Sequence[Any], game: str = "730") -> pd.DataFrame:
    """The price book frame of a saved ``/secure/prices`` answer, or of its ``data`` list.

    Parameters
    ----------
    source : bytes, str, Path or list
        A response body (bytes, JSON text or a file path) or the decoded ``data`` list.
    game : str
        The game it is the book of (``"730"`` or ``"252490"``).

    Returns
    -------
    DataFrame
        As ``client.prices`` (``BOOK_SCHEMA``); ``attrs``: game, request_id, anomalies.

    Raises
    ------
    ValueError
        For a body that is not a success envelope of a documented book (the message
        names the field), or a book of the other game's shape.

    Examples
    --------
    >>> body = b'{"requestId": "r1", "success": true, "data": [{"marketHashName": "Scrap",'
    >>> body += b' "accepted": true, "deposit": 0.8, "withdraw": 1.1}]}'
    >>> book = from_price_book(body, game="252490")
    >>> book[["market_hash_name", "deposit", "withdraw_standard"]].values.tolist()
    [['Scrap', 0.8, 1.1]]
    """
    if isinstance(source, bytes | str | Path):
        reading = read_book(source) if isinstance(source, bytes) else None
        if reading is None:
            body = read_envelope(source)
            if body.get("success") is not True:
                raise ValueError("not a success envelope of /secure/prices")
            reading = _checked(body.get("data"))._replace(request_id=body.get("requestId"))
    else:
        reading = _checked(list(source))
    df = book_frame(reading, game=str(game))
    df.attrs = {"game": str(game), "request_id": reading.request_id, **df.attrs}
    return df


def _checked(data: Any) -> BookReading:
    problem = book_problem(data)
    if problem is not None:
        raise ValueError(f"not a documented price book: {problem}")
    return book_entries(data)
