"""The price-book snapshots of ``history``: their files, their dates, their identity, a history.

Price books are a dataset of their own in the store, beside the inventories::

    <store>/_prices/game=730/date=2026-06-11/20260611T093000123456Z-3f9a1c2e.parquet

The books stay out of the inventory dataset: ``SnapshotStore``'s inventory methods
(and the DuckDB view ``items``) look under ``<store>/game=*`` only, and pyarrow and Spark
skip ``_``-prefixed folders when they read the store's directory. Dask does not (it
lists every ``.parquet`` below a folder): it reads the inventories by their pattern,
``<store>/game=*/date=*/*.parquet``. Any of them reads the books from ``<store>/_prices``
(plain hive-partitioned Parquet again).

- **A file** holds the book's rows (``BOOK_SCHEMA`` columns but ``game``, which the path
  carries) plus ``snapshot_id``, ``as_of`` and ``taken_at``, the book's ``attrs`` as
  ``write_parquet`` writes them, and its record (id, taken_at, as_of, date, game,
  entries, rows, digest) under ``PRICE_RECORD_KEY`` in the footer. Written atomically,
  as the inventory snapshots are (``snapshots.write_atomically``).
- **Dated by the data.** A book carries no ``updatedAt``: its time, ``as_of``, is when
  AssetPay answered (``attrs["fetched_at"]``; a book served from the cache keeps it), and
  the partition ``date`` is its UTC day. ``taken_at`` is when it was saved.
- **Identity.** ``digest`` is a SHA-256 of the game, the rows (whatever their order) and
  the anomalies. A book identical to the store's previous book of its game (the latest
  ``as_of`` not after its own) is not saved again: its snapshot id is returned.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from ..frame.book import BOOK_SCHEMA, from_price_book
from ..frame.parquet import frame_table
from ..frame.records import share_attrs
from ..frame.schema import CATEGORY, TEXT
from .files import Kind
from .snapshots import as_utc, repeated_ids, repeated_times

__all__ = [
    "KIND",
    "PRICES_DIR",
    "PRICE_CHOSEN",
    "PRICE_RECORD_KEY",
    "as_of_of",
    "book_digest",
    "conform_book",
    "previous_same",
    "price_table",
    "read_price_record",
    "read_price_snapshot",
    "stack_books",
]

#: The price books' folder under the store.
PRICES_DIR = "_prices"
#: Where a price file keeps its record (JSON) in the Parquet footer.
PRICE_RECORD_KEY = b"assetpay_price_snapshot"
#: Columns of a selection of price records (``snapshots.select``).
PRICE_CHOSEN = ("path", "id", "taken_at", "as_of", "date", "rows")
_FILE_COLUMNS = ("snapshot_id", "as_of", "taken_at")
#: A price snapshot, as ``files.Scan`` checks one.
KIND = Kind(
    what="price snapshot",
    key=PRICE_RECORD_KEY,
    fields=dict.fromkeys(("id", "taken_at", "as_of", "date", "game"), str)
    | dict.fromkeys(("entries", "rows"), int),
    columns=frozenset(_FILE_COLUMNS),
    count="rows",
)
#: Where ``frame_table`` (as pandas) writes a frame's ``attrs``.
_ATTRS_KEY = b"PANDAS_ATTRS"
_TEXT_COLUMNS = tuple(name for name, dtype in BOOK_SCHEMA.items() if dtype is CATEGORY)
_STAMP = "datetime64[us, UTC]"


def as_of_of(book: pd.DataFrame, given: Any) -> pd.Timestamp:
    """The book's time: ``given``, else its ``attrs["fetched_at"]`` (UTC)."""
    if given is None:
        given = book.attrs.get("fetched_at")
        if not isinstance(given, str) or not given:
            raise ValueError(
                "this price book has no attrs['fetched_at'] (when AssetPay answered): "
                "pass as_of= (when its prices held) to date it"
            )
    return as_utc(given)


def conform_book(df: pd.DataFrame) -> pd.DataFrame:
    """The book's ``BOOK_SCHEMA`` columns with their dtypes, text categories sorted."""
    missing = [name for name in BOOK_SCHEMA if name not in df.columns]
    if missing:
        raise ValueError(f"not a price book: missing column(s) {', '.join(missing)}")
    out = df[list(BOOK_SCHEMA)].astype(dict(BOOK_SCHEMA))
    for name in _TEXT_COLUMNS:
        categories = out[name].cat.categories
        if categories.dtype != TEXT or not categories.is_monotonic_increasing:
            text = out[name].astype("string")
            ordered = pd.Index(sorted(text.dropna().unique()), dtype=TEXT)
            out[name] = text.astype(pd.CategoricalDtype(ordered))
    out.attrs = dict(df.attrs)
    return out


def book_digest(book: pd.DataFrame, game: str) -> str:
    """A SHA-256 of the game, the conformed rows (in any order) and the anomalies."""
    rows = pd.util.hash_pandas_object(conform_book(book), index=False).to_numpy()
    anomalies = json.dumps(book.attrs.get("anomalies") or [], sort_keys=True, default=str)
    digest = hashlib.sha256(f"{game}\n{anomalies}\n".encode())
    digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


def previous_same(records: list[dict[str, Any]], game: str, as_of: Any, digest: str) -> str | None:
    """The id of the game's latest book at or before ``as_of`` when it is this one, else None."""
    earlier = [r for r in records if r["game"] == game and as_utc(r["as_of"]) <= as_of]
    if not earlier:
        return None
    latest = max(earlier, key=lambda r: (as_utc(r["as_of"]), r["id"]))
    return str(latest["id"]) if latest.get("digest") == digest else None


def price_table(
    book: pd.DataFrame, game: str, as_of: pd.Timestamp, taken_at: pd.Timestamp, digest: str
) -> tuple[str, Any]:
    """A new price snapshot's id and its Arrow table: rows, attrs and record in the footer."""
    snapshot_id = f"{as_of:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"
    rows = conform_book(book)
    record = {
        "id": snapshot_id,
        "taken_at": _iso(taken_at),
        "as_of": _iso(as_of),
        "date": f"{as_of:%Y-%m-%d}",
        "game": game,
        "entries": int(rows["phase"].isna().sum()),
        "rows": len(rows),
        "digest": digest,
    }
    out = rows.drop(columns=["game"])
    out["snapshot_id"] = pd.Series(snapshot_id, index=out.index, dtype="str")
    out["as_of"] = pd.Series(as_of, index=out.index, dtype=_STAMP)
    out["taken_at"] = pd.Series(taken_at, index=out.index, dtype=_STAMP)
    out.attrs = dict(book.attrs)
    table = frame_table(out)
    metadata = {**(table.schema.metadata or {}), PRICE_RECORD_KEY: json.dumps(record).encode()}
    return snapshot_id, table.replace_schema_metadata(metadata)


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.isoformat().replace("+00:00", "Z")


def read_price_record(path: Any) -> dict[str, Any]:
    metadata = pq.read_schema(path).metadata or {}
    record: dict[str, Any] = json.loads(metadata[PRICE_RECORD_KEY])
    return record


def read_price_snapshot(path: Any) -> pd.DataFrame:
    """A price file as the client's book: ``BOOK_SCHEMA``, attrs + snapshot_id, taken_at, as_of."""
    table = pq.read_table(path)
    record = read_price_record(path)
    present = [name for name in _FILE_COLUMNS if name in table.column_names]
    frame = table.drop_columns(present).to_pandas(ignore_metadata=True)
    frame["game"] = record["game"]
    book = conform_book(frame)
    book.attrs = dict(json.loads((table.schema.metadata or {}).get(_ATTRS_KEY, b"{}")))
    book.attrs.update(snapshot_id=record["id"], taken_at=record["taken_at"], as_of=record["as_of"])
    share_attrs(book.attrs)
    return book


def stack_books(frames: list[pd.DataFrame], chosen: pd.DataFrame, game: str | None) -> pd.DataFrame:
    """Books stacked in data order, each row with its ``snapshot_id``, times and ``date``."""
    sizes = [len(frame) for frame in frames]
    if frames:
        history = pd.concat(frames, ignore_index=True)
        for name in _TEXT_COLUMNS:
            history[name] = union_categoricals(
                [f[name].array for f in frames], sort_categories=True
            )
    else:
        history = conform_book(from_price_book([], game=game or "730"))
    history.attrs = {}
    history["snapshot_id"] = repeated_ids(chosen["id"], sizes)
    for column in ("as_of", "taken_at"):
        history[column] = repeated_times(chosen[column], sizes)
    days = pd.to_datetime(chosen["date"].astype("str")).to_numpy(dtype="datetime64[us]")
    history["date"] = pd.Series(np.repeat(days, sizes), dtype="datetime64[us]")
    history.attrs = {"game": game, "snapshots": chosen["id"].tolist()}
    share_attrs(history.attrs)
    return history
