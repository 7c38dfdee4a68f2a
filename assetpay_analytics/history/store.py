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

Beyond one machine's memory, ``query(sql)`` runs DuckDB (embedded, out-of-core) over
the files in place, through a view ``items``; Dask (``dd.read_parquet(store.path)``)
or Spark read the same directory. DuckDB and Dask are optional (``pip install
"assetpay-analytics[history]"``); saving and loading need only pyarrow.
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
from . import snapshots as snap

__all__ = ["BYTES_PER_ROW", "SNAPSHOT_COLUMNS", "TREND_GROUPS", "SnapshotStore"]

Engine = Literal["auto", "pandas", "duckdb"]
#: What one row of a loaded history takes in memory, transient copies included (the
#: frame itself is about 250 bytes a row; loading and stacking take several times that).
BYTES_PER_ROW = 1024
#: The columns ``payout_trend`` groups by on either engine.
TREND_GROUPS = (
    "exterior", "weapon", "skin", "rarity", "type", "steam_id", "market_hash_name", "name",
    "phase", "stattrak", "souvenir", "star",
)  # fmt: skip

#: The columns of ``SnapshotStore.snapshots()``.
SNAPSHOT_COLUMNS = ("id", "taken_at", "game", "accounts", "items")
_GLOB = "game=*/date=*/*.parquet"


class SnapshotStore:
    """Snapshots of inventory frames in a hive-partitioned Parquet dataset at ``path``.

    Parameters
    ----------
    path : str or Path
        The store's directory (created on the first save).

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

    def __repr__(self) -> str:
        return f"SnapshotStore({str(self.path)!r})"

    # --- writing ------------------------------------------------------------------------

    def save(
        self,
        df: pd.DataFrame,
        *,
        taken_at: datetime | str | None = None,
        game: str | None = None,
    ) -> str:
        """Save a frame as a new snapshot; returns its id.

        Parameters
        ----------
        df : DataFrame
            An inventory frame of one game (``client.inventory`` or ``inventories``).
        taken_at : datetime or str, optional
            When the data was taken; default: when AssetPay answered
            (``attrs["fetched_at"]``, so a frame served from the cache keeps its
            time), else now. A naive time is read as UTC.
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
        snapshot_id, table = snap.snapshot_table(df, game, when)
        final = self.path / f"game={game}" / f"date={when:%Y-%m-%d}" / f"{snapshot_id}.parquet"
        snap.write_atomically(table, final)
        return snapshot_id

    # --- reading ------------------------------------------------------------------------

    def snapshots(self, game: str | None = None) -> pd.DataFrame:
        """Every snapshot (or one game's), oldest first: id, taken_at, game, accounts, items.

        ``accounts`` counts the accounts the frame covered, empty inventories included.
        """
        records = [snap.read_record(path) for path in self._files()]
        rows = [{**r, "accounts": len(r["accounts"])} for r in records if game in (None, r["game"])]
        frame = pd.DataFrame(rows, columns=list(SNAPSHOT_COLUMNS))
        frame = frame.astype({"id": "str", "game": "str", "accounts": "int64", "items": "int64"})
        frame["taken_at"] = pd.to_datetime(frame["taken_at"], utc=True, format="ISO8601")
        return frame.sort_values(["taken_at", "id"], ignore_index=True)

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
        LookupError
            An unknown snapshot id, or a history asked of a store holding two games
            without ``game=``.
        """
        wanted = snap.wanted_steam_ids(accounts)
        if snapshot is not None:
            return snap.only_accounts(snap.read_snapshot(self._file_of(snapshot)), wanted)
        chosen, game = self._select(game, since, until)
        frames = [snap.only_accounts(snap.read_snapshot(path), wanted) for path in chosen["path"]]
        return snap.stack_history(frames, chosen, game)

    def latest(self, game: str | None = None) -> pd.DataFrame:
        """The most recent snapshot (of ``game``) as the client's frame.

        Raises
        ------
        LookupError
            The store holds no snapshot (of that game).
        """
        table = self.snapshots(game)
        if table.empty:
            which = f" of game {game}" if game else ""
            raise LookupError(
                f"{self} holds no snapshot{which}: save one with store.save(df) first"
            )
        return self.load(str(table["id"].iloc[-1]))

    def query(self, sql: str) -> pd.DataFrame:
        """Run DuckDB SQL over the store in place; the view ``items`` holds every row.

        ``items`` has the frame's columns plus ``snapshot_id``, ``taken_at``, ``game``
        and ``date`` (from the partitions). DuckDB reads only what the query needs, so
        a history larger than memory is fine. Needs ``duckdb``
        (``pip install "assetpay-analytics[history]"``).

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
        from .duck import run_query  # duckdb is optional: imported on use

        if not any(self._files()):
            raise LookupError(f"{self} holds no snapshot yet: save one with store.save(df)")
        return run_query(self.path, _GLOB, sql)

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
            reach pandas. ``"auto"`` (default) takes DuckDB when the history would not
            fit comfortably in memory (its rows at ``BYTES_PER_ROW`` above ``memory``).
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
            budget = snap.memory_budget() if memory is None else memory
            engine = "duckdb" if int(chosen["items"].sum()) * BYTES_PER_ROW > budget else "pandas"
        if engine == "pandas":
            frames = [snap.read_snapshot(path) for path in chosen["path"]]
            table = payout_trend(snap.stack_history(frames, chosen, game), by, freq)
        else:
            from .duck import trend_sums_sql

            sums = trend_sums_sql(chosen["path"].tolist(), by)
            table = trend_table(sums, freq, by)
        table.attrs["engine"] = engine
        return table

    # --- internals ----------------------------------------------------------------------

    def _files(self) -> list[Path]:
        return sorted(self.path.glob(_GLOB)) if self.path.is_dir() else []

    def _file_of(self, snapshot: str) -> Path:
        found = list(self.path.glob(f"game=*/date=*/{snapshot}.parquet")) if snapshot else []
        if len(found) != 1:
            raise LookupError(
                f"{self} has no snapshot {snapshot!r}: store.snapshots() lists the ids"
            )
        return found[0]

    def _select(self, game: str | None, since: Any, until: Any) -> tuple[pd.DataFrame, str | None]:
        """The snapshots of ``game`` taken in [since, until], oldest first, and the game.

        Each footer is read once; without ``game``, the store must hold one game only.
        """
        records = [{"path": path, **snap.read_record(path)} for path in self._files()]
        if game is None:
            games = {r["game"] for r in records}
            if len(games) > 1:
                raise LookupError(
                    f"{self} holds snapshots of games {sorted(games)}: pass game= to load a history"
                )
            game = games.pop() if games else None
        game = None if game is None else str(game)
        rows = [
            {**r, "taken_at": pd.Timestamp(r["taken_at"])} for r in records if r["game"] == game
        ]
        chosen = pd.DataFrame(rows, columns=["path", "id", "taken_at", "items"])
        if since is not None:
            chosen = chosen[chosen["taken_at"] >= snap.as_utc(since)]
        if until is not None:
            chosen = chosen[chosen["taken_at"] <= snap.as_utc(until)]
        return chosen.sort_values(["taken_at", "id"], ignore_index=True), game
