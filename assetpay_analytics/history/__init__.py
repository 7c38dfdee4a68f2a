"""The history wing: snapshots of frames in a hive-partitioned Parquet store (``apa.history``).

- ``store``: ``SnapshotStore`` (save, snapshots, load, latest, query, payout_trend), each
  snapshot dated by its data (``as_of``), an identical save written once;
- ``price_store``: the store's price-book methods (save_prices, price_snapshots,
  load_prices);
- ``snapshots``: one snapshot's file (rows, attrs, record) and its atomic write;
- ``books``: the price books' dataset beside the inventories (``_prices/``): a book's
  file, its date (its data's), its identity (a digest of its rows), a history of books;
- ``files``: which files are snapshots (foreign, damaged and copied ones are skipped
  with a ``SnapshotWarning`` and listed by ``store.problems()``), the id form, stale
  temporary files;
- ``duck``: DuckDB over the store's files in place (optional, loaded on use).

May import the ground floor, ``frame`` and ``analysis``: never ``fetch``, ``endpoints``, the
client, ``plots`` or ``report``.
"""

from __future__ import annotations

from .files import SnapshotWarning
from .store import (
    BYTES_PER_ROW,
    SNAPSHOT_COLUMNS,
    TREND_GROUPS,
    SnapshotStore,
)

__all__ = [
    "BYTES_PER_ROW",
    "SNAPSHOT_COLUMNS",
    "TREND_GROUPS",
    "SnapshotStore",
    "SnapshotWarning",
]
