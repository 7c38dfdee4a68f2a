"""The snapshot files of ``history``: what a file holds, how it is written and read back.

Each snapshot is one Parquet file: the frame's rows without ``game`` (its partition
carries it) plus ``snapshot_id`` and ``taken_at``, the frame's ``attrs`` as
``write_parquet`` writes them, and the snapshot's record (id, taken_at, game,
accounts, items) under ``RECORD_KEY`` in the footer. Written under a hidden name and
renamed into place, so a crash mid-write leaves nothing a reader sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..analysis.definitions import accounts_of
from ..frame.parquet import frame_table, table_frame
from ..frame.provenance import data_range
from ..frame.records import share_attrs
from ..frame.schema import concat
from ..tradeurl import TradeUrl
from .files import Kind

#: Where a snapshot file keeps its record (JSON) in the Parquet footer.
RECORD_KEY = b"assetpay_snapshot"
HISTORY_COLUMNS = ("snapshot_id", "taken_at")
#: An inventory snapshot, as ``files.Scan`` checks one.
KIND = Kind(
    what="snapshot",
    key=RECORD_KEY,
    fields={"id": str, "taken_at": str, "game": str, "accounts": list, "items": int},
    columns=frozenset(HISTORY_COLUMNS),
    count="items",
)


#: ``payout_trend(engine="auto")`` takes DuckDB beyond this many snapshots: it sums over
#: the files in place, 10-20x faster than loading a month of history into pandas.
AUTO_DUCKDB_SNAPSHOTS = 3
#: What one row of a loaded history takes in memory, transient copies included (the
#: frame itself is about 250 bytes a row; loading and stacking take several times that).
BYTES_PER_ROW = 1024


def auto_engine(
    snapshots: int, rows: int, memory: int | None = None
) -> Literal["pandas", "duckdb"]:
    """The engine ``engine="auto"`` runs: DuckDB for many snapshots or rows, else pandas.

    DuckDB for more than ``AUTO_DUCKDB_SNAPSHOTS`` snapshots, or when ``rows`` at
    ``BYTES_PER_ROW`` would take more than ``memory`` (default ``memory_budget()``).

    Examples
    --------
    >>> auto_engine(2, 1_000), auto_engine(30, 1_000), auto_engine(1, 10**9, memory=2**30)
    ('pandas', 'duckdb', 'duckdb')
    """
    budget = memory_budget() if memory is None else memory
    large = rows * BYTES_PER_ROW > budget
    return "duckdb" if large or snapshots > AUTO_DUCKDB_SNAPSHOTS else "pandas"


def memory_budget(meminfo: str | Path = "/proc/meminfo") -> int:
    """A quarter of the memory available now: 4 GiB where it is unknown.

    Available, not free: Linux keeps most idle memory as page cache, which it gives back
    on demand (``MemAvailable`` counts it; ``SC_AVPHYS_PAGES`` does not, and on a
    machine that has read files for a while it is a small fraction of what can be had).
    """
    available = _mem_available(Path(meminfo))
    if available is None:
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            available = 16 * 2**30
    return int(available) // 4


def _mem_available(meminfo: Path) -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes, None where there is none."""
    try:
        text = meminfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == "MemAvailable":
            number, _, unit = value.strip().partition(" ")
            if number.isdigit() and unit in ("kB", ""):
                return int(number) * (1024 if unit == "kB" else 1)
    return None


def as_utc(value: datetime | str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def default_taken_at(df: pd.DataFrame) -> datetime | str:
    fetched = df.attrs.get("fetched_at")
    return fetched if isinstance(fetched, str) and fetched else datetime.now(UTC)


def game_of(df: pd.DataFrame, given: str | None) -> str:
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


def default_as_of(df: pd.DataFrame, when: pd.Timestamp) -> pd.Timestamp:
    """The data's time: its oldest account's ``updated_at`` (UTC), else ``when``."""
    oldest, _ = data_range(df)
    return when if oldest is None else as_utc(oldest)


def content_key(df: pd.DataFrame, game: str, as_of: pd.Timestamp) -> str:
    """A fingerprint of what a snapshot holds: game, data time, accounts, items and prices.

    Two frames with the same key are the same snapshot (a re-run served from the cache,
    say), whatever their row order or when they were fetched.
    """
    columns = [c for c in ("steam_id", "item_id", "market_price", "offer_price") if c in df]
    rows = pd.util.hash_pandas_object(df[columns].astype("string"), index=False).to_numpy()
    digest = hashlib.sha256()
    digest.update(json.dumps([game, iso(as_of), sorted(accounts_of(df))]).encode())
    digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


def iso(stamp: pd.Timestamp) -> str:
    return stamp.isoformat().replace("+00:00", "Z")


def snapshot_table(
    df: pd.DataFrame, game: str, when: pd.Timestamp, as_of: pd.Timestamp, content: str
) -> tuple[str, Any]:
    """A new snapshot's id and its Arrow table: rows, attrs and the record in the footer."""
    snapshot_id = f"{when:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"
    record = {
        "id": snapshot_id,
        "taken_at": iso(when),
        "as_of": iso(as_of),
        "game": game,
        "accounts": sorted(accounts_of(df)),
        "items": len(df),
        "content": content,
    }
    table = frame_table(file_frame(df, snapshot_id, when, as_of))
    metadata = {**(table.schema.metadata or {}), RECORD_KEY: json.dumps(record).encode()}
    return snapshot_id, table.replace_schema_metadata(metadata)


def file_frame(
    df: pd.DataFrame, snapshot_id: str, when: pd.Timestamp, as_of: pd.Timestamp
) -> pd.DataFrame:
    out = df.drop(columns=["game", *HISTORY_COLUMNS, "as_of"], errors="ignore")
    out["snapshot_id"] = pd.Series(snapshot_id, index=out.index, dtype="str")
    out["taken_at"] = pd.Series(when, index=out.index, dtype="datetime64[us, UTC]")
    # the data's time on every row too, for what reads the files in place (DuckDB's trend)
    out["as_of"] = pd.Series(as_of, index=out.index, dtype="datetime64[us, UTC]")
    out.attrs = dict(df.attrs)
    return out


def write_atomically(table: Any, final: Path) -> None:
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


def read_record(path: Path) -> dict[str, Any]:
    metadata = pq.read_schema(path).metadata or {}
    record: dict[str, Any] = json.loads(metadata[RECORD_KEY])
    return record


def read_snapshot(path: Path) -> pd.DataFrame:
    """A snapshot file as the client's frame: ``game`` back, attrs + id and time."""
    table = pq.read_table(path)
    record = read_record(path)
    game = np.full(table.num_rows, record["game"], dtype=object)
    frame = table_frame(table.append_column("game", [game]))
    frame.attrs.pop("snapshot_id", None)
    frame.attrs.update(
        snapshot_id=record["id"],
        taken_at=record["taken_at"],
        as_of=record.get("as_of", record["taken_at"]),
    )
    return frame


def read_history(
    chosen: pd.DataFrame, game: str | None, wanted: set[str] | None
) -> pd.DataFrame | None:
    """The chosen snapshots stacked from one Arrow table of their files, or None.

    The rows are cast to the schema once for the whole history rather than once per file
    (30 days of 100,000 items: 30 casts of every column, and a concat of 30 frames).
    None when a file cannot be read or the files' columns do not stack (an older
    version's, say): the caller then reads the files one by one, which names the file.
    """
    if chosen.empty or game is None:
        return None
    try:
        tables = [pq.read_table(path) for path in chosen["path"]]
        table = pa.concat_tables(tables, promote_options="default")
    except (pa.ArrowException, OSError):
        return None
    sizes = [t.num_rows for t in tables]
    kept = [c for c in table.column_names if c not in (*HISTORY_COLUMNS, "as_of")]
    codes = pa.array(np.zeros(table.num_rows, dtype=np.int32))
    games = pa.DictionaryArray.from_arrays(codes, pa.array([game]))
    frame = table_frame(table.select(kept).append_column("game", games))
    frame["snapshot_id"] = repeated_ids(chosen["id"], sizes)
    frame["taken_at"] = repeated_times(chosen["taken_at"], sizes)
    frame["as_of"] = repeated_times(chosen["as_of"], sizes)
    frame.attrs = {"game": game, "snapshots": chosen["id"].tolist()}
    share_attrs(frame.attrs)
    if wanted is None:
        return frame
    kept_rows = only_accounts(frame, wanted)
    kept_rows.attrs = frame.attrs
    return kept_rows


def any_dated(paths: Iterable[Path]) -> bool:
    """Whether any of the snapshot files has the ``as_of`` column (older ones do not)."""
    return any("as_of" in pq.read_schema(path).names for path in paths)


def same_content(records: Iterable[dict[str, Any]], game: str, content: str) -> str | None:
    """The id of a snapshot of ``game`` holding exactly ``content`` (``content_key``), if any."""
    for record in records:
        if record["game"] == game and record.get("content") == content:
            found: str = record["id"]
            return found
    return None


def select(
    records: list[dict[str, Any]],
    game: str | None,
    since: Any,
    until: Any,
    *,
    where: str,
    on: str = "taken_at",
    columns: Sequence[str] = ("path", "id", "taken_at", "items"),
) -> tuple[pd.DataFrame, str | None]:
    """The records of ``game`` whose ``on`` time is in [since, until], oldest first, and the game.

    Without ``game``, the records must all be of one game (``where`` names the store in
    the error). The ``taken_at`` and ``as_of`` of each record become UTC Timestamps.
    """
    if game is None:
        games = {r["game"] for r in records}
        if len(games) > 1:
            raise LookupError(
                f"{where} holds snapshots of games {sorted(games)}: pass game= to load a history"
            )
        game = games.pop() if games else None
    game = None if game is None else str(game)
    times = [key for key in ("taken_at", "as_of") if key in columns]
    rows = [
        {**r, **{k: as_utc(r.get(k) or r["taken_at"]) for k in times}}  # older: no as_of
        for r in records
        if r["game"] == game
    ]
    chosen = pd.DataFrame(rows, columns=list(columns))
    if since is not None:
        chosen = chosen[chosen[on] >= as_utc(since)]
    if until is not None:
        chosen = chosen[chosen[on] <= as_utc(until)]
    return chosen.sort_values([on, "id"], ignore_index=True), game


def wanted_steam_ids(accounts: Iterable[str | TradeUrl] | None) -> set[str] | None:
    if accounts is None:
        return None
    if isinstance(accounts, (str, TradeUrl)):
        accounts = [accounts]
    return {steam_id_of(account) for account in accounts}


def steam_id_of(account: str | TradeUrl) -> str:
    if isinstance(account, TradeUrl):
        return account.steam_id
    text = str(account)
    return TradeUrl.parse(text).steam_id if "://" in text else text


def only_accounts(frame: pd.DataFrame, steam_ids: set[str] | None) -> pd.DataFrame:
    if steam_ids is None:
        return frame
    kept = frame[frame["steam_id"].astype("str").isin(steam_ids)].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    return kept


def stack_history(
    frames: list[pd.DataFrame], chosen: pd.DataFrame, game: str | None
) -> pd.DataFrame:
    """Snapshots stacked oldest first, each row with its ``snapshot_id`` and ``taken_at``."""
    from ..frame import empty_frame

    sizes = [len(frame) for frame in frames]
    history = concat(frames) if frames else empty_frame()
    history["snapshot_id"] = repeated_ids(chosen["id"], sizes)
    history["taken_at"] = repeated_times(chosen["taken_at"], sizes)
    history["as_of"] = repeated_times(chosen["as_of"], sizes)
    history.attrs = {"game": game, "snapshots": chosen["id"].tolist()}
    share_attrs(history.attrs)
    return history


def repeated_ids(ids: pd.Series, sizes: Sequence[int]) -> pd.Series:
    """Each snapshot's id once per row of it, as a categorical built from codes.

    ``np.repeat`` of the ids themselves would make one Python reference per row, and
    the categorical would then be found again by hashing every one of them.
    """
    categories, codes = np.unique(ids.astype(str).to_numpy(dtype=object), return_inverse=True)
    repeated = np.repeat(codes.astype(np.int32), sizes)
    return pd.Series(pd.Categorical.from_codes(repeated, categories=pd.Index(categories)))


def repeated_times(times: pd.Series, sizes: Sequence[int]) -> pd.Series:
    """Each snapshot's time once per row of it (UTC, microseconds), repeated as int64.

    ``to_numpy()`` of a zoned column gives one ``Timestamp`` object per value, and a
    million of them take seconds to become a datetime column again.
    """
    ticks = pd.DatetimeIndex(times).tz_convert("UTC").as_unit("us").asi8
    repeated = pd.DatetimeIndex(np.repeat(ticks, sizes).view("datetime64[us]")).tz_localize("UTC")
    return pd.Series(repeated)
