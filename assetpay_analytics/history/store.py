"""History: every saved frame becomes a snapshot in a plain hive-partitioned Parquet dataset.

The disk cache is not history (it expires after 15 minutes); a ``SnapshotStore`` keeps
what was fetched, as plain Parquet that any tool reads in place::

    <store>/game=730/date=2026-11-26/20261126T091500123456Z-3f9a1c2e.parquet

One file per snapshot, partitioned by game and by the UTC date it was taken. Each file
holds the frame's rows (every column but ``game``, which the path carries) plus
``snapshot_id`` and ``taken_at``, the frame's ``attrs`` (as ``write_parquet`` writes
them) and the snapshot's own record (id, taken_at, game, accounts, items) in its
footer, so ``snapshots()`` reads footers only.

Writes are atomic and never touch another snapshot: a file is written under a hidden
temporary name in its partition, flushed, then renamed into place, so a writer killed
mid-write leaves no partial snapshot visible (pyarrow, Dask and DuckDB skip the hidden
name), and two processes saving at once each add their own file (ids carry the time to
the microsecond and a random suffix). Earlier snapshots are never rewritten.

Price books (``client.prices``) are a dataset of their own beside the inventories,
``<store>/_prices/game=730/date=.../<id>.parquet``, dated by their data (``history.books``
says how): ``save_prices``, ``price_snapshots``, ``load_prices`` and the view ``prices``
of ``query``. The inventory methods never see them.

Beyond one machine's memory, ``query(sql)`` runs DuckDB (embedded, out-of-core) over
the files in place, through a view ``items``; pyarrow (``pyarrow.dataset``) and Spark
read the same directory (both skip ``_prices``). Dask lists every ``.parquet`` file below
a folder, price books included, so it reads the inventories by their pattern:
``dd.read_parquet(f"{store.path}/game=*/date=*/*.parquet")``. DuckDB and Dask are
optional (``pip install "assetpay-analytics[history]"``); saving and loading need only
pyarrow.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..analysis.drift import payout_trend, trend_table
from ..tradeurl import TradeUrl
from . import books, files
from . import snapshots as snap
from .price_store import PRICE_SNAPSHOT_COLUMNS, PriceBooks
from .snapshots import BYTES_PER_ROW

__all__ = [
    "BYTES_PER_ROW",
    "PRICE_SNAPSHOT_COLUMNS",
    "PROBLEM_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "TREND_GROUPS",
    "SnapshotStore",
]

Engine = Literal["auto", "pandas", "duckdb"]
#: The columns ``payout_trend`` groups by on either engine.
TREND_GROUPS = (
    "exterior", "weapon", "skin", "rarity", "type", "steam_id", "market_hash_name", "name",
    "phase", "stattrak", "souvenir", "star",
)  # fmt: skip

#: The columns of ``SnapshotStore.snapshots()``.
SNAPSHOT_COLUMNS = ("id", "taken_at", "as_of", "game", "accounts", "items")
_GLOB = "game=*/date=*/*.parquet"
#: The columns of ``SnapshotStore.problems()``.
PROBLEM_COLUMNS = files.PROBLEM_COLUMNS


class SnapshotStore(PriceBooks):
    """Snapshots of inventory frames in a hive-partitioned Parquet dataset at ``path``.

    Only the files the store wrote are snapshots: a foreign, damaged or copied
    ``.parquet`` file in it is skipped with one ``SnapshotWarning`` naming it, and
    listed by ``problems()``. Opening or listing the store removes the temporary files
    a killed save left (once they are a minute old).

    Parameters
    ----------
    path : str or Path
        The store's directory (created on the first save).

    Raises
    ------
    NotADirectoryError
        ``path`` is a file.

    Examples
    --------
    >>> import tempfile
    >>> from assetpay_analytics.frame import from_items
    >>> store = SnapshotStore(tempfile.mkdtemp())
    >>> df = from_items([{"id": "1", "name": "AK-47 | Redline (Field-Tested)",
    ...                   "marketPrice": 12.5, "offer": {"price": 8.0}}],
    ...                  steam_id="76561198000000001")
    >>> snapshot = store.save(df, taken_at="2026-06-01T09:30:00Z")
    >>> store.snapshots()[["game", "accounts", "items"]].values.tolist()
    [['730', 1, 1]]
    >>> store.load(snapshot)["market_price"].tolist()
    [12.5]
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise NotADirectoryError(
                f"{str(self.path)!r} is a file: a SnapshotStore is a folder "
                "(made on the first save)"
            )
        self._scan = files.Scan(where="store")
        self._files()
        self._price_files()

    def __repr__(self) -> str:
        return f"SnapshotStore({str(self.path)!r})"

    # --- writing ------------------------------------------------------------------------

    def save(
        self,
        df: pd.DataFrame,
        *,
        taken_at: datetime | str | None = None,
        as_of: datetime | str | None = None,
        game: str | None = None,
    ) -> str:
        """Save a frame as a snapshot dated by its data; returns its id.

        A frame identical to a snapshot already stored (same game, data time, accounts,
        item ids and prices: a re-run served from the cache, say) writes nothing: the
        existing snapshot's id is returned.

        Parameters
        ----------
        df : DataFrame
            An inventory frame of one game (``client.inventory`` or ``inventories``).
        taken_at : datetime or str, optional
            When the data was taken; default: when AssetPay answered
            (``attrs["fetched_at"]``, so a frame served from the cache keeps its
            time), else now. A naive time is read as UTC.
        as_of : datetime or str, optional
            The data's time; default: the oldest account's ``updated_at`` (when AssetPay
            read it from Steam), else ``taken_at``. It dates the snapshot: its partition
            (``date=``), the order of ``snapshots()``, ``latest()``, the bounds of
            ``load(since=, until=)`` and the periods of ``payout_trend``.
        game : str, optional
            The game, when the frame cannot tell (an empty frame without ``attrs``).

        Returns
        -------
        str
            The snapshot's id, sortable by time.

        Raises
        ------
        ValueError
            A frame holding two games, or whose game is unknown.
        """
        game = snap.game_of(df, game)
        when = snap.as_utc(taken_at if taken_at is not None else snap.default_taken_at(df))
        dated = snap.as_utc(as_of) if as_of is not None else snap.default_as_of(df, when)
        content = snap.content_key(df, game, dated)
        partition = f"game={game}/date={dated:%Y-%m-%d}"  # where an identical one would be
        peers = self._records(self._listed(partition, f"{partition}/*.parquet"), snap.KIND)
        stored = snap.same_content(peers, game, content)
        if stored is not None:
            return stored
        snapshot_id, table = snap.snapshot_table(df, game, when, dated, content)
        final = self.path / partition / f"{snapshot_id}.parquet"
        snap.write_atomically(table, final)
        return snapshot_id

    # --- reading ------------------------------------------------------------------------

    def snapshots(self, game: str | None = None) -> pd.DataFrame:
        """Every snapshot (or one game's), by data time: id, taken_at, as_of, game, accounts,
        items.

        ``as_of`` is the data's time (``save``), ``taken_at`` when it was fetched;
        ``accounts`` counts the accounts the frame covered, empty inventories included.
        """
        records = self._records(self._files(), snap.KIND)
        rows = [
            {**r, "accounts": len(r["accounts"]), "as_of": r.get("as_of") or r["taken_at"]}
            for r in records
            if game in (None, r["game"])
        ]
        frame = pd.DataFrame(rows, columns=list(SNAPSHOT_COLUMNS))
        frame = frame.astype({"id": "str", "game": "str", "accounts": "int64", "items": "int64"})
        for column in ("taken_at", "as_of"):
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        return frame.sort_values(["as_of", "taken_at", "id"], ignore_index=True)

    def load(
        self,
        snapshot: str | None = None,
        *,
        game: str | None = None,
        accounts: Iterable[str | TradeUrl] | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> pd.DataFrame:
        """One snapshot as the client's frame, or a history of snapshots in one frame.

        Parameters
        ----------
        snapshot : str, optional
            A snapshot id: that frame exactly (``SCHEMA`` dtypes, its ``attrs`` plus
            ``snapshot_id`` and ``taken_at``). Without it, every snapshot of ``game``
            taken in ``[since, until]`` is stacked, oldest first, with two more columns,
            ``snapshot_id`` and ``taken_at`` (UTC).
        game : str, optional
            ``"730"`` or ``"252490"``; needed for a history when the store holds both.
        accounts : iterable of str or TradeUrl, optional
            Keep these accounts' rows only (SteamIDs, trade URLs or ``TradeUrl``).
        since, until : datetime or str, optional
            Bounds on ``taken_at`` (inclusive; naive times are UTC).

        Returns
        -------
        DataFrame

        Raises
        ------
        ValueError
            ``snapshot`` is not of the store's id form (``YYYYMMDDTHHMMSSffffffZ-`` and
            8 hex digits): a path or a pattern is never read.
        LookupError
            An unknown snapshot id, one whose file is damaged, or a history asked of a
            store holding two games without ``game=``.
        """
        wanted = snap.wanted_steam_ids(accounts)
        if snapshot is not None:
            files.check_id(snapshot)
            return snap.only_accounts(self._read_one(self._file_of(snapshot), snap.KIND), wanted)
        chosen, game = self._select(game, since, until)
        stacked = snap.read_history(chosen, game, wanted)
        if stacked is not None:
            return stacked
        chosen, frames = self._read_all(chosen, snap.KIND)  # file by file, damaged ones out
        frames = [snap.only_accounts(frame, wanted) for frame in frames]
        return snap.stack_history(frames, chosen, game)

    def latest(self, game: str | None = None) -> pd.DataFrame:
        """The most recent snapshot (of ``game``) as the client's frame.

        Raises
        ------
        LookupError
            The store holds no snapshot (of that game).
        """
        records = self._records(self._files(), snap.KIND)
        ordered = sorted(
            (r for r in records if game in (None, r["game"])),
            key=lambda r: (
                snap.as_utc(r.get("as_of") or r["taken_at"]),
                snap.as_utc(r["taken_at"]),
                r["id"],
            ),
        )
        for record in reversed(ordered):  # a snapshot whose rows are damaged: the one before
            frame = self._read(record["path"], snap.KIND)
            if frame is not None:
                return frame
        which = f" of game {game}" if game else ""
        raise LookupError(f"{self} holds no snapshot{which}: save one with store.save(df) first")

    def query(self, sql: str) -> pd.DataFrame:
        """Run DuckDB SQL over the store in place: the views ``items`` and ``prices``.

        ``items`` has every inventory row: the frame's columns plus ``snapshot_id``,
        ``taken_at``, ``game`` and ``date`` (from the partitions). ``prices`` has every
        price book row: the book's columns plus ``snapshot_id``, ``as_of``, ``taken_at``
        and ``date`` (the day of ``as_of``). A view exists once a snapshot of its kind
        is saved. The views read exactly the files ``snapshots()`` and
        ``price_snapshots()`` list (foreign, damaged and copied files are left out;
        a file whose rows turn out unreadable as the query runs is skipped with one
        ``SnapshotWarning``, listed by ``problems()``, and the query run again without
        it). DuckDB reads only what the query needs, so a history larger than memory is
        fine. Needs ``duckdb`` (``pip install "assetpay-analytics[history]"``).

        Examples
        --------
        >>> import tempfile
        >>> from assetpay_analytics.frame import from_items
        >>> store = SnapshotStore(tempfile.mkdtemp())
        >>> df = from_items([{"id": "1", "marketPrice": 2.0}], steam_id="76561198000000001")
        >>> _ = store.save(df)
        >>> store.query("SELECT game, SUM(market_price) AS value FROM items GROUP BY game")
          game  value
        0  730    2.0
        """
        from .duck import DamagedFiles, run_query  # duckdb is optional: imported on use

        while True:  # each round skips at least one damaged file more
            found = {
                "items": self._records(self._files(), snap.KIND),
                "prices": self._records(self._price_files(), books.KIND),
            }
            views = {name: [r["path"] for r in rows] for name, rows in found.items() if rows}
            if not views:
                raise LookupError(
                    f"{self} holds no snapshot yet: save one with store.save(df) "
                    "(or a price book with store.save_prices(book))"
                )
            try:
                return run_query(views, sql)
            except DamagedFiles as damaged:  # footers fine, rows not: skipped, as by load()
                prices = set(views.get("prices", ()))
                for path, err in damaged.files.items():
                    self._scan.damaged(path, err, books.KIND if path in prices else snap.KIND)

    def payout_trend(
        self,
        by: str | None = "exterior",
        freq: str = "D",
        *,
        game: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        engine: Engine = "auto",
        memory: int | None = None,
    ) -> pd.DataFrame:
        """``analysis.payout_trend`` of the stored history, in DuckDB when it is large.

        Parameters
        ----------
        by, freq
            As in ``analysis.payout_trend`` (``by`` one of ``TREND_GROUPS`` or None).
        game, since, until
            Which snapshots, as in ``load``.
        engine : {"auto", "pandas", "duckdb"}
            ``"pandas"`` loads the history and computes in memory; ``"duckdb"`` sums per
            snapshot and group in DuckDB over the files in place, and only those sums
            reach pandas. ``"auto"`` (default) takes DuckDB for more than
            ``snapshots.AUTO_DUCKDB_SNAPSHOTS`` (3) snapshots, or when the history would not fit
            comfortably in memory (its rows at ``BYTES_PER_ROW`` above ``memory``).
        memory : int, optional
            Bytes the history may take in memory; default a quarter of the memory
            available now.

        Returns
        -------
        DataFrame
            Periods down, groups across (the same numbers on either engine);
            ``attrs["engine"]`` says which one ran.
        """
        if engine not in ("auto", "pandas", "duckdb"):
            raise ValueError(f"engine must be 'auto', 'pandas' or 'duckdb', got {engine!r}")
        if by is not None and by not in TREND_GROUPS:
            raise ValueError(f"by must be one of {', '.join(TREND_GROUPS)} or None, got {by!r}")
        chosen, game = self._select(game, since, until)
        if engine == "auto":
            engine = snap.auto_engine(len(chosen), int(chosen["items"].sum()), memory)
        if engine == "pandas":
            chosen, frames = self._read_all(chosen, snap.KIND)
            table = payout_trend(snap.stack_history(frames, chosen, game), by, freq)
        else:
            from .duck import DamagedFiles, trend_sums_sql

            paths = chosen["path"].tolist()
            while True:  # a snapshot whose rows are damaged is left out, as by "pandas"
                try:
                    sums = trend_sums_sql(paths, by, dated=snap.any_dated(paths))
                    break
                except DamagedFiles as damaged:
                    for path, err in damaged.files.items():
                        self._scan.damaged(path, err, snap.KIND)
                    paths = [path for path in paths if path not in damaged.files]
            table = trend_table(sums, freq, by)
            table.index.name = "as_of"  # as load() dates a history
        table.attrs["engine"] = engine
        return table

    # --- problems -----------------------------------------------------------------------

    def problems(self) -> pd.DataFrame:
        """The store's files that are not snapshots, each skipped by every reader.

        Returns
        -------
        DataFrame
            ``PROBLEM_COLUMNS``: ``path``; ``kind``, one of ``"foreign"`` (a Parquet
            file the store did not write), ``"damaged"`` (truncated, not Parquet, its
            footer record broken, its columns or rows wrong) or ``"duplicate"`` (a copy
            of a snapshot already counted: the first by path order counts); ``reason``.
            Inventories first, then price books, each by path.

        Examples
        --------
        >>> import tempfile, warnings
        >>> import pandas as pd
        >>> store = SnapshotStore(tempfile.mkdtemp())
        >>> (store.path / "game=730" / "date=2026-06-01").mkdir(parents=True)
        >>> pd.DataFrame({"x": [1]}).to_parquet(store.path / "game=730/date=2026-06-01/x.parquet")
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     store.problems()["kind"].tolist()
        ['foreign']
        """
        found = [
            *self._scan.records(self._files(), snap.KIND)[1],
            *self._scan.records(self._price_files(), books.KIND)[1],
        ]
        return pd.DataFrame(found, columns=list(PROBLEM_COLUMNS))

    # --- internals ----------------------------------------------------------------------

    def _records(self, paths: list[Path], kind: files.Kind) -> files.Records:
        """The snapshots' records among ``paths`` (each with its ``path``): the rest warned."""
        return self._scan.records(paths, kind)[0]

    def _read(self, path: Path, kind: files.Kind) -> pd.DataFrame | None:
        """A snapshot file's frame, or None (warned, in ``problems()``) when it is damaged."""
        reader = snap.read_snapshot if kind is snap.KIND else books.read_price_snapshot
        try:
            return reader(path)
        except Exception as err:  # whatever a broken file raises: pyarrow's, pandas'...
            self._scan.damaged(path, err, kind)
            return None

    def _read_one(self, path: Path, kind: files.Kind) -> pd.DataFrame:
        frame = self._read(path, kind)
        if frame is None:
            raise LookupError(f"{self}: {path} is damaged: {self._scan.unreadable[path]}")
        return frame

    def _read_all(
        self, chosen: pd.DataFrame, kind: files.Kind
    ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
        """The chosen snapshots' frames, the damaged ones left out of both."""
        frames = [self._read(path, kind) for path in chosen["path"]]
        kept = [n for n, frame in enumerate(frames) if frame is not None]
        return chosen.iloc[kept].reset_index(drop=True), [f for f in frames if f is not None]

    def _listed(self, partitions: str, pattern: str) -> list[Path]:
        """The files matching ``pattern``, sorted, after removing stale temporary files."""
        if not self.path.is_dir():
            return []
        with os.scandir(self.path):  # a folder that cannot be listed raises, naming it
            pass
        files.remove_stale(self.path.glob(partitions))
        return sorted(self.path.glob(pattern))

    def _files(self) -> list[Path]:
        return self._listed("game=*/date=*", _GLOB)

    def _file_of(self, snapshot: str) -> Path:
        found = self._listed("game=*/date=*", f"game=*/date=*/{snapshot}.parquet")
        records = self._records(found, snap.KIND)
        if not records:
            raise LookupError(
                f"{self} has no snapshot {snapshot!r}: store.snapshots() lists the ids"
            )
        path: Path = records[0]["path"]
        return path

    def _select(self, game: str | None, since: Any, until: Any) -> tuple[pd.DataFrame, str | None]:
        """The snapshots of ``game`` taken in [since, until], oldest first, and the game.

        Each footer is read once; without ``game``, the store must hold one game only.
        """
        records = self._records(self._files(), snap.KIND)
        columns = ("path", "id", "taken_at", "as_of", "items")
        return snap.select(records, game, since, until, where=str(self), on="as_of",
                           columns=columns)  # fmt: skip
