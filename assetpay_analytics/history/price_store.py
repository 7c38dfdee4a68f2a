"""The price books of a ``SnapshotStore``: ``save_prices``, ``price_snapshots``,
``load_prices``.

A dataset of its own beside the inventories (``<store>/_prices/game=.../date=...``,
``history.books`` says what a file holds); ``SnapshotStore`` takes these methods from
``PriceBooks``, which reads the store's folder, scan and id checks through the store.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import books, files
from . import snapshots as snap

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["PRICE_SNAPSHOT_COLUMNS", "PriceBooks"]

#: The columns of ``SnapshotStore.price_snapshots()``.
PRICE_SNAPSHOT_COLUMNS = ("id", "taken_at", "as_of", "date", "game", "entries", "rows")


class PriceBooks:
    """The price-book methods of ``SnapshotStore`` (a mixin: the store provides the rest)."""

    path: Path
    _scan: files.Scan
    _records: Callable[[list[Path], files.Kind], files.Records]
    _read_one: Callable[[Path, files.Kind], pd.DataFrame]
    _read_all: Callable[[pd.DataFrame, files.Kind], tuple[pd.DataFrame, list[pd.DataFrame]]]
    _listed: Callable[[str, str], list[Path]]

    def save_prices(
        self,
        book: pd.DataFrame,
        *,
        as_of: datetime | str | None = None,
        game: str | None = None,
    ) -> str:
        """Save a price book as a snapshot of the price dataset; returns its id.

        Parameters
        ----------
        book : DataFrame
            A price book of one game (``client.prices``; ``frame.from_price_book``).
        as_of : datetime or str, optional
            When its prices held. Default: when AssetPay answered, the book's
            ``attrs["fetched_at"]`` (a book carries no ``updatedAt``, so that is its
            data's time). The partition ``date`` is this time's UTC day; ``taken_at``
            is when the snapshot is saved. A naive time is read as UTC.
        game : str, optional
            The game, when the book cannot tell (an empty book without ``attrs``).

        Returns
        -------
        str
            The snapshot's id, sortable by ``as_of``. A book identical (same game, same
            rows, same anomalies) to the game's latest book at or before ``as_of`` is
            not saved again: that snapshot's id is returned.

        Raises
        ------
        ValueError
            A frame that is not a price book, holds two games, or has no time
            (no ``fetched_at`` and no ``as_of=``).

        Examples
        --------
        >>> import tempfile
        >>> from assetpay_analytics.history import SnapshotStore
        >>> from assetpay_analytics.frame import from_price_book
        >>> store = SnapshotStore(tempfile.mkdtemp())
        >>> book = from_price_book([{"marketHashName": "Scrap", "accepted": True,
        ...                          "deposit": 0.8, "withdraw": 1.1}], game="252490")
        >>> first = store.save_prices(book, as_of="2026-06-10T09:00:00Z")
        >>> store.save_prices(book, as_of="2026-06-11T09:00:00Z") == first  # same rows
        True
        >>> store.price_snapshots()[["date", "game", "entries", "rows"]].astype(str).values.tolist()
        [['2026-06-10', '252490', '1', '1']]
        """
        game = snap.game_of(book, game)
        when = books.as_of_of(book, as_of)
        digest = books.book_digest(book, game)
        records = self._records(self._price_files(game), books.KIND)
        same = books.previous_same(records, game, when, digest)
        if same is not None:
            return same
        taken_at = pd.Timestamp.now(tz="UTC")
        snapshot_id, table = books.price_table(book, game, when, taken_at, digest)
        partition = self.path / books.PRICES_DIR / f"game={game}" / f"date={when:%Y-%m-%d}"
        snap.write_atomically(table, partition / f"{snapshot_id}.parquet")
        return snapshot_id

    def price_snapshots(self, game: str | None = None) -> pd.DataFrame:
        """Every price book snapshot (or one game's), in data order.

        Returns
        -------
        DataFrame
            ``PRICE_SNAPSHOT_COLUMNS``: ``id``, ``taken_at`` (when saved), ``as_of``
            (when its prices held, UTC), ``date`` (the UTC day of ``as_of``, its
            partition), ``game``, ``entries`` (catalogue entries: rows with ``phase``
            NA) and ``rows`` (entries plus Doppler phases).
        """
        records = self._records(self._price_files(), books.KIND)
        rows = [r for r in records if game in (None, r["game"])]
        frame = pd.DataFrame(rows, columns=list(PRICE_SNAPSHOT_COLUMNS))
        frame = frame.astype({"id": "str", "game": "str", "entries": "int64", "rows": "int64"})
        for column in ("taken_at", "as_of"):
            stamps = pd.to_datetime(frame[column], utc=True, format="ISO8601")
            frame[column] = stamps.astype("datetime64[us, UTC]")
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d").astype("datetime64[us]")
        return frame.sort_values(["as_of", "id"], ignore_index=True)

    def load_prices(
        self,
        snapshot: str | None = None,
        *,
        game: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> pd.DataFrame:
        """One price book snapshot as the client's book, or a history of books in one frame.

        Parameters
        ----------
        snapshot : str, optional
            A price snapshot id: that book exactly (``BOOK_SCHEMA`` dtypes, its
            ``attrs`` plus ``snapshot_id``, ``taken_at`` and ``as_of``). Without it,
            every book of ``game`` whose ``as_of`` is in ``[since, until]`` is stacked,
            in data order, with four more columns: ``snapshot_id``, ``as_of`` and
            ``taken_at`` (UTC) and ``date`` (the UTC day of ``as_of``).
        game : str, optional
            ``"730"`` or ``"252490"``; needed for a history when the store holds both.
        since, until : datetime or str, optional
            Bounds on ``as_of`` (inclusive; naive times are UTC): ``until="2026-06-11"``
            ends at that day's first instant.

        Returns
        -------
        DataFrame

        Raises
        ------
        ValueError
            ``snapshot`` is not of the store's id form (as ``load``).
        LookupError
            An unknown snapshot id, one whose file is damaged, or a history asked of a
            store holding two games without ``game=``.

        Examples
        --------
        >>> import tempfile
        >>> from assetpay_analytics.history import SnapshotStore
        >>> from assetpay_analytics.frame import from_price_book
        >>> store = SnapshotStore(tempfile.mkdtemp())
        >>> entry = lambda d: [{"marketHashName": "Scrap", "accepted": True, "deposit": d,
        ...                     "withdraw": 1.1}]
        >>> for day, deposit in (("2026-06-10", 0.8), ("2026-06-11", 0.7)):
        ...     _ = store.save_prices(from_price_book(entry(deposit), game="252490"), as_of=day)
        >>> history = store.load_prices()
        >>> history["date"].astype(str).tolist(), history["deposit"].tolist()
        (['2026-06-10', '2026-06-11'], [0.8, 0.7])
        """
        if snapshot is not None:
            files.check_id(snapshot, "price snapshot")
            return self._read_one(self._price_file_of(snapshot), books.KIND)
        records = self._records(self._price_files(), books.KIND)
        chosen, game = snap.select(
            records, game, since, until, where=str(self), on="as_of", columns=books.PRICE_CHOSEN
        )
        chosen, frames = self._read_all(chosen, books.KIND)
        return books.stack_books(frames, chosen, game)

    def _price_files(self, game: str | None = None) -> list[Path]:
        """The price files, sorted; of ``game``'s folder only when given (its records name
        their game, so a caller keeps checking it)."""
        folder = f"{books.PRICES_DIR}/game={'*' if game is None else game}/date=*"
        return self._listed(folder, f"{folder}/*.parquet")

    def _price_file_of(self, snapshot: str) -> Path:
        folder = f"{books.PRICES_DIR}/game=*/date=*"
        records = self._records(self._listed(folder, f"{folder}/{snapshot}.parquet"), books.KIND)
        if not records:
            raise LookupError(
                f"{self} has no price snapshot {snapshot!r}: store.price_snapshots() lists the ids"
            )
        path: Path = records[0]["path"]
        return path
