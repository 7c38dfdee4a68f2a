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

import json
import os
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .parquet import frame_table, table_frame
from .schema import concat
from .tradeurl import TradeUrl

__all__ = ["SNAPSHOT_COLUMNS", "SnapshotStore"]

#: The columns of ``SnapshotStore.snapshots()``.
SNAPSHOT_COLUMNS = ("id", "taken_at", "game", "accounts", "items")
#: Where a snapshot file keeps its record (JSON) in the Parquet footer.
_RECORD_KEY = b"assetpay_snapshot"
_GLOB = "game=*/date=*/*.parquet"
_HISTORY_COLUMNS = ("snapshot_id", "taken_at")


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
        game = _game_of(df, game)
        when = _utc(taken_at if taken_at is not None else _fetched_at(df))
        snapshot_id = f"{when:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"
        record = {
            "id": snapshot_id,
            "taken_at": when.isoformat().replace("+00:00", "Z"),
            "game": game,
            "accounts": _accounts(df),
            "items": len(df),
        }
        table = frame_table(_file_frame(df, snapshot_id, when))
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), _RECORD_KEY: json.dumps(record).encode()}
        )
        final = self.path / f"game={game}" / f"date={when:%Y-%m-%d}" / f"{snapshot_id}.parquet"
        _write_atomically(table, final)
        return snapshot_id

    # --- reading ------------------------------------------------------------------------

    def snapshots(self, game: str | None = None) -> pd.DataFrame:
        """Every snapshot (or one game's), oldest first: id, taken_at, game, accounts, items.

        ``accounts`` counts the accounts the frame covered, empty inventories included.
        """
        records = [_record(path) for path in self._files()]
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
        wanted = _steam_ids(accounts)
        if snapshot is not None:
            return _only(_read(self._file_of(snapshot)), wanted)
        chosen = self._select(game, since, until)
        frames = [_only(_read(path), wanted) for path in chosen["path"]]
        return _history(frames, chosen, self._game(game))

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
        from ._duck import run_query  # duckdb is optional: imported on use

        if not any(self._files()):
            raise LookupError(f"{self} holds no snapshot yet: save one with store.save(df)")
        return run_query(self.path, _GLOB, sql)

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

    def _game(self, game: str | None) -> str | None:
        if game is not None:
            return str(game)
        games = {_record(path)["game"] for path in self._files()}
        if len(games) > 1:
            raise LookupError(
                f"{self} holds snapshots of games {sorted(games)}: pass game= to load a history"
            )
        return games.pop() if games else None

    def _select(self, game: str | None, since: Any, until: Any) -> pd.DataFrame:
        game = self._game(game)
        rows = [
            {"path": path, "id": r["id"], "taken_at": pd.Timestamp(r["taken_at"])}
            for path in self._files()
            if (r := _record(path))["game"] == game
        ]
        chosen = pd.DataFrame(rows, columns=["path", "id", "taken_at"])
        if since is not None:
            chosen = chosen[chosen["taken_at"] >= _utc(since)]
        if until is not None:
            chosen = chosen[chosen["taken_at"] <= _utc(until)]
        return chosen.sort_values(["taken_at", "id"], ignore_index=True)


def _utc(value: datetime | str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def _fetched_at(df: pd.DataFrame) -> datetime | str:
    fetched = df.attrs.get("fetched_at")
    return fetched if isinstance(fetched, str) and fetched else datetime.now(UTC)


def _game_of(df: pd.DataFrame, given: str | None) -> str:
    games = {str(g) for g in df["game"].dropna().unique()} if "game" in df else set()
    if given is not None:
        games.add(str(given))
    elif not games and df.attrs.get("game"):
        games.add(str(df.attrs["game"]))
    if len(games) != 1:
        what = "no game" if not games else f"games {sorted(games)}"
        raise ValueError(
            f"a snapshot holds one game; this frame has {what}: save each game's frame "
            "separately, or pass game= for an empty frame"
        )
    return games.pop()


def _accounts(df: pd.DataFrame) -> list[str]:
    """The accounts a frame covers, empty inventories included (from its attrs)."""
    listed = df.attrs.get("steam_ids")
    if listed is None and df.attrs.get("steam_id"):
        listed = [df.attrs["steam_id"]]
    if listed is None:
        listed = df["steam_id"].dropna().unique().tolist() if "steam_id" in df else []
    return sorted({str(steam_id) for steam_id in listed})


def _file_frame(df: pd.DataFrame, snapshot_id: str, when: pd.Timestamp) -> pd.DataFrame:
    out = df.drop(columns=["game", *_HISTORY_COLUMNS], errors="ignore")
    out["snapshot_id"] = pd.Series(snapshot_id, index=out.index, dtype="str")
    out["taken_at"] = pd.Series(when, index=out.index, dtype="datetime64[us, UTC]")
    out.attrs = dict(df.attrs)
    return out


def _write_atomically(table: Any, final: Path) -> None:
    """Write under a hidden name in the partition, flush, then rename into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    hidden = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(hidden, "wb") as sink:
            pq.write_table(table, sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(hidden, final)
    finally:
        hidden.unlink(missing_ok=True)


def _record(path: Path) -> dict[str, Any]:
    metadata = pq.read_schema(path).metadata or {}
    record: dict[str, Any] = json.loads(metadata[_RECORD_KEY])
    return record


def _read(path: Path) -> pd.DataFrame:
    """A snapshot file as the client's frame: ``game`` back, attrs + id and time."""
    table = pq.read_table(path)
    record = _record(path)
    game = np.full(table.num_rows, record["game"], dtype=object)
    frame = table_frame(table.append_column("game", [game]))
    frame.attrs.pop("snapshot_id", None)
    frame.attrs.update(snapshot_id=record["id"], taken_at=record["taken_at"])
    return frame


def _steam_ids(accounts: Iterable[str | TradeUrl] | None) -> set[str] | None:
    if accounts is None:
        return None
    if isinstance(accounts, (str, TradeUrl)):
        accounts = [accounts]
    return {_steam_id(account) for account in accounts}


def _steam_id(account: str | TradeUrl) -> str:
    if isinstance(account, TradeUrl):
        return account.steam_id
    text = str(account)
    return TradeUrl.parse(text).steam_id if "://" in text else text


def _only(frame: pd.DataFrame, steam_ids: set[str] | None) -> pd.DataFrame:
    if steam_ids is None:
        return frame
    kept = frame[frame["steam_id"].astype("str").isin(steam_ids)].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    return kept


def _history(frames: list[pd.DataFrame], chosen: pd.DataFrame, game: str | None) -> pd.DataFrame:
    """Snapshots stacked oldest first, each row with its ``snapshot_id`` and ``taken_at``."""
    from .frame import empty_frame

    sizes = [len(frame) for frame in frames]
    history = concat(frames) if frames else empty_frame()
    history["snapshot_id"] = pd.Series(
        np.repeat(chosen["id"].to_numpy(dtype=object), sizes), dtype="category"
    )
    history["taken_at"] = pd.Series(
        np.repeat(chosen["taken_at"].to_numpy(), sizes), dtype="datetime64[us, UTC]"
    )
    history.attrs = {"game": game, "snapshots": chosen["id"].tolist()}
    return history
