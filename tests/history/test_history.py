"""history: snapshots in a hive-partitioned Parquet store, read back exactly, in place.

Real parts throughout: frames fetched from the sandbox over HTTP, real Parquet files on
disk, real processes writing at once (and one killed mid-write), DuckDB and Dask
reading the same files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest

import assetpay_analytics as apa
from assetpay_analytics.frame import empty_frame, from_items
from assetpay_analytics.frame.schema import SCHEMA
from assetpay_analytics.history import SNAPSHOT_COLUMNS, SnapshotStore, snapshots

RUST = "252490"


@pytest.fixture(scope="module")
def frames(box):
    """Frames as the client returns them: a CS2 batch, one account, Rust, empty."""
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    batch = client.inventories(box.trade_urls, progress=False)  # failures included
    return {
        "batch": batch,
        "one": client.inventory(box.accounts["alice"].trade_url),
        "rust": client.inventory(box.accounts["rusty"].trade_url, game=RUST),
        "empty": client.inventory(box.accounts["empty"].trade_url),
    }


def json_attrs(df: pd.DataFrame) -> dict:
    return json.loads(json.dumps(df.attrs))


def accounts_of(df: pd.DataFrame) -> int:
    return len(df.attrs.get("steam_ids") or [df.attrs["steam_id"]])


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["batch", "one", "rust", "empty"])
def test_a_snapshot_loads_back_as_the_same_frame(frames, tmp_path, name):
    df = frames[name]
    store = SnapshotStore(tmp_path / "store")
    snapshot = store.save(df)
    loaded = store.load(snapshot)
    pd.testing.assert_frame_equal(loaded, df)  # values and dtypes, exterior order included
    assert loaded["exterior"].cat.categories.tolist() == df["exterior"].cat.categories.tolist()
    expected = {**json_attrs(df), "snapshot_id": snapshot}
    times = ("taken_at", "as_of")
    assert {k: v for k, v in loaded.attrs.items() if k not in times} == expected
    assert pd.Timestamp(loaded.attrs["taken_at"]).tz is not None
    # dated by the data: its oldest account's updated_at (when AssetPay read it)
    oldest = df["updated_at"].min() if len(df) else pd.Timestamp(df.attrs["updated_at"])
    assert pd.Timestamp(loaded.attrs["as_of"]) == oldest


def test_snapshots_lists_what_was_saved(frames, tmp_path):
    store = SnapshotStore(tmp_path)
    first = store.save(frames["batch"], taken_at="2026-06-01T09:00:00Z")
    second = store.save(frames["rust"], taken_at="2026-06-02T09:00:00")  # naive: UTC
    table = store.snapshots()
    assert table.columns.tolist() == list(SNAPSHOT_COLUMNS)
    assert table["id"].tolist() == [first, second]
    assert table["game"].tolist() == ["730", RUST]
    assert table["accounts"].tolist() == [accounts_of(frames["batch"]), 1]
    assert table["items"].tolist() == [len(frames["batch"]), len(frames["rust"])]
    assert table["taken_at"].tolist() == [
        pd.Timestamp("2026-06-01T09:00:00Z"),
        pd.Timestamp("2026-06-02T09:00:00Z"),
    ]
    assert store.snapshots(game=RUST)["id"].tolist() == [second]


def test_the_files_are_plain_hive_partitioned_parquet(frames, tmp_path):
    store = SnapshotStore(tmp_path)
    snapshot = store.save(frames["one"], taken_at="2026-06-03T23:59:00Z")
    (path,) = tmp_path.glob("*/*/*.parquet")
    day = f"{frames['one']['updated_at'].min():%Y-%m-%d}"  # the data's day, not the fetch's
    assert day != "2026-06-03"
    assert path.relative_to(tmp_path).as_posix() == f"game=730/date={day}/{snapshot}.parquet"
    plain = pd.read_parquet(path)  # pandas alone, stickers and all
    assert len(plain) == len(frames["one"]) and set(plain["snapshot_id"]) == {snapshot}


def test_earlier_snapshots_are_never_rewritten(frames, tmp_path):
    store = SnapshotStore(tmp_path)
    kept = store.save(frames["one"])
    (first,) = tmp_path.glob("*/*/*.parquet")
    before = (first.read_bytes(), first.stat().st_mtime_ns)
    assert store.save(frames["one"]) == kept  # the same data again: written once
    store.save(frames["one"], as_of="2026-06-09T00:00:00Z")  # the same items another day
    store.save(frames["batch"])
    assert (first.read_bytes(), first.stat().st_mtime_ns) == before
    assert len(store.snapshots()) == 3


# --- histories ---------------------------------------------------------------------------


def saved_days(store: SnapshotStore, df: pd.DataFrame, days: list[str]) -> list[str]:
    return [store.save(df, taken_at=f"{day}T12:00:00Z", as_of=f"{day}T12:00:00Z") for day in days]


def test_a_history_stacks_the_snapshots_in_a_range(frames, tmp_path):
    store = SnapshotStore(tmp_path)
    df = frames["batch"]
    ids = saved_days(store, df, ["2026-06-01", "2026-06-02", "2026-06-03"])
    history = store.load(since="2026-06-02", until="2026-06-03T23:00:00Z")
    assert history.attrs["snapshots"] == ids[1:]
    assert len(history) == 2 * len(df)
    assert history["snapshot_id"].tolist() == [ids[1]] * len(df) + [ids[2]] * len(df)
    assert str(history["taken_at"].dtype) == "datetime64[us, UTC]"
    assert set(history["taken_at"]) == {
        pd.Timestamp("2026-06-02T12:00Z"),
        pd.Timestamp("2026-06-03T12:00Z"),
    }
    assert history["as_of"].tolist() == history["taken_at"].tolist()  # as saved here
    plain = history.drop(columns=["snapshot_id", "taken_at", "as_of"])
    assert plain.dtypes.to_dict() == dict(SCHEMA)
    first = plain.iloc[: len(df)].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, df.reset_index(drop=True), check_categorical=False)


def test_accounts_narrow_a_load(frames, box, tmp_path):
    store = SnapshotStore(tmp_path)
    df = frames["batch"]
    snapshot = store.save(df)
    alice, bob = box.accounts["alice"].trade_url, apa.TradeUrl.parse(box.accounts["bob"].trade_url)
    wanted = {apa.TradeUrl.parse(alice).steam_id, bob.steam_id}
    narrowed = store.load(snapshot, accounts=[alice, bob])
    expected = df[df["steam_id"].isin(wanted)]
    assert len(narrowed) == len(expected) > 0
    assert set(narrowed["item_id"]) == set(expected["item_id"])
    by_id = store.load(accounts=[bob.steam_id])
    assert set(by_id["steam_id"].astype(str)) == {bob.steam_id}


def test_latest_is_the_most_recent_taken_not_the_last_saved(frames, tmp_path):
    store = SnapshotStore(tmp_path)
    newest = store.save(frames["one"], taken_at="2026-06-05T00:00:00Z")
    store.save(frames["batch"], taken_at="2026-06-04T00:00:00Z")  # saved later, taken earlier
    store.save(frames["rust"], taken_at="2026-06-09T00:00:00Z")
    assert store.latest(game="730").attrs["snapshot_id"] == newest
    assert store.latest().attrs["game"] == RUST


def test_what_cannot_be_answered_says_why(frames, tmp_path):
    store = SnapshotStore(tmp_path / "nothing-yet")
    with pytest.raises(LookupError, match=r"store\.save"):
        store.latest()
    with pytest.raises(LookupError, match=r"store\.save"):
        store.query("SELECT 1")
    store.save(frames["one"])
    store.save(frames["rust"])
    with pytest.raises(LookupError, match="snapshots\\(\\) lists"):
        store.load("20260101T000000000000Z-deadbeef")
    with pytest.raises(LookupError, match="pass game="):
        store.load()
    both = pd.concat([frames["one"], frames["rust"]])
    with pytest.raises(ValueError, match="one game"):
        store.save(both)
    with pytest.raises(ValueError, match="pass game="):
        store.save(empty_frame())
    assert store.load(store.save(empty_frame(), game=RUST)).empty


# --- crashes and concurrent writers ---------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, signal, sys
    import pyarrow.parquet as pq
    from assetpay_analytics import history
    from assetpay_analytics.frame import from_items

    def dying(table, sink, **kwargs):  # a crash in the middle of writing the file
        sink.write(b"PAR1" + b"half a row group" * 1000)
        sink.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    pq.write_table = dying  # the function the store writes with, wherever it is called
    items = [{"id": str(n), "marketPrice": n} for n in range(100)]
    history.SnapshotStore(sys.argv[1]).save(from_items(items, steam_id="76561198000000001"))
    """
)


def test_a_writer_killed_mid_write_leaves_the_store_unchanged(frames, tmp_path):
    store = SnapshotStore(tmp_path)
    store.save(frames["batch"], taken_at="2026-06-01T00:00:00Z")
    before = store.snapshots()
    done = subprocess.run([sys.executable, "-c", WRITER, str(tmp_path)], check=False)
    assert done.returncode == -9  # really killed
    leftovers = [p.name for p in tmp_path.rglob(".*.tmp")]
    assert leftovers  # the half-written file is there, under its hidden name
    pd.testing.assert_frame_equal(store.snapshots(), before)
    assert len(store.load()) == len(frames["batch"])
    assert ds.dataset(tmp_path, partitioning="hive").count_rows() == len(frames["batch"])
    assert store.query("SELECT COUNT(*) AS n FROM items")["n"].iloc[0] == len(frames["batch"])


SAVER = textwrap.dedent(
    """
    import sys
    from assetpay_analytics.frame import from_items
    from assetpay_analytics.history import SnapshotStore

    store, tag = SnapshotStore(sys.argv[1]), sys.argv[2]
    for n in range(15):
        items = [{"id": f"{tag}-{n}-{k}", "marketPrice": k} for k in range(n + 1)]
        store.save(from_items(items, steam_id="76561198000000001"))
    """
)


def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(tmp_path), tag]) for tag in "ab"]
    assert [proc.wait(timeout=300) for proc in procs] == [0, 0]
    table = SnapshotStore(tmp_path).snapshots()
    assert len(table) == 30 and table["id"].is_unique
    assert sorted(table["items"]) == sorted(list(range(1, 16)) * 2)
    history = SnapshotStore(tmp_path).load()
    assert history["item_id"].is_unique and len(history) == 2 * sum(range(1, 16))


# --- other readers on the same files -----------------------------------------------------------


@pytest.fixture
def month(frames, tmp_path):
    """Three days of two snapshots of the CS2 batch, prices moved a little each day."""
    store = SnapshotStore(tmp_path)
    df = frames["batch"]
    for day in (1, 2, 3):
        moved = df.copy()
        moved["market_price"] = (df["market_price"] * (1 + day / 100)).round(2)
        moved.attrs = dict(df.attrs)
        for when, frame in (
            (f"2026-06-0{day}T08:00:00Z", moved),
            (f"2026-06-0{day}T20:00:00Z", df),
        ):
            store.save(frame, taken_at=when, as_of=when)
    return store


def test_duckdb_reads_the_same_rows_as_the_pandas_path(month):
    history = month.load()
    expected = (
        history.groupby("snapshot_id", observed=True)
        .agg(rows=("item_id", "size"), value=("market_price", "sum"))
        .sort_index()
    )
    got = month.query(
        "SELECT snapshot_id, COUNT(*) AS rows, SUM(market_price) AS value, "
        "ANY_VALUE(game) AS game, MIN(date) AS day "
        "FROM items GROUP BY snapshot_id ORDER BY snapshot_id"
    ).set_index("snapshot_id")
    assert got.index.tolist() == expected.index.astype(str).tolist()
    assert got["rows"].tolist() == expected["rows"].tolist()
    np.testing.assert_allclose(got["value"], expected["value"].astype(float))
    assert set(got["game"]) == {"730"}  # text, not the number 730
    assert sorted(set(got["day"].astype(str))) == ["2026-06-01", "2026-06-02", "2026-06-03"]


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")  # inside dask
def test_dask_reads_the_same_rows(month):
    dd = pytest.importorskip("dask.dataframe")
    history = month.load()
    lazy = dd.read_parquet(str(month.path), columns=["snapshot_id", "item_id", "market_price"])
    got = lazy.compute()
    assert len(got) == len(history)
    pairs = set(zip(got["snapshot_id"].astype(str), got["item_id"].astype(str), strict=True))
    assert pairs == set(
        zip(history["snapshot_id"].astype(str), history["item_id"].astype(str), strict=True)
    )
    assert got["market_price"].sum() == pytest.approx(history["market_price"].sum())


def test_a_fresh_frame_saves_without_attrs(tmp_path):
    df = from_items([{"id": "7", "marketPrice": 3.25}], steam_id="76561198000000009")
    store = SnapshotStore(tmp_path)
    loaded = store.load(store.save(df))
    pd.testing.assert_frame_equal(loaded, df)
    assert store.snapshots()["accounts"].tolist() == [1]


# --- saving as the client fetches ------------------------------------------------------------


def test_the_client_saves_a_snapshot_as_it_fetches(box, tmp_path):
    store = SnapshotStore(tmp_path / "store")
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories(box.trade_urls[:3], progress=False, snapshot=store)
    (snapshot,) = store.snapshots()["id"]
    assert df.attrs["snapshot_id"] == snapshot
    loaded = store.load(snapshot)
    pd.testing.assert_frame_equal(loaded, df)
    # taken when AssetPay answered
    assert pd.Timestamp(loaded.attrs["taken_at"]) == pd.Timestamp(df.attrs["fetched_at"])


def test_a_bad_snapshot_argument_is_refused_before_any_request(sandbox, tmp_path):
    client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=None)
    with pytest.raises(apa.InvalidRequest, match="SnapshotStore"):
        client.inventories(sandbox.trade_urls[:2], progress=False, snapshot=str(tmp_path))
    assert not sandbox.requests


def test_a_store_that_cannot_be_written_costs_the_snapshot_not_the_data(box, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    with pytest.warns(RuntimeWarning, match="not saved"):
        store = SnapshotStore(blocker / "store")  # under a file: cannot be made
        df = client.inventories(box.trade_urls[:2], progress=False, snapshot=store)
    assert len(df) > 0 and "snapshot_id" not in df.attrs
    assert not df.assetpay.errors.shape[0]


# --- the engine "auto" picks -------------------------------------------------------------


def test_auto_takes_duckdb_beyond_a_few_snapshots_with_the_same_numbers(month):
    # ``month`` holds six snapshots: more than AUTO_DUCKDB_SNAPSHOTS
    assert len(month.snapshots()) > snapshots.AUTO_DUCKDB_SNAPSHOTS
    auto = month.payout_trend(by="exterior")
    assert auto.attrs["engine"] == "duckdb"
    by_pandas = month.payout_trend(by="exterior", engine="pandas")
    pd.testing.assert_frame_equal(auto, by_pandas, check_like=True, check_exact=False)
    few = month.payout_trend(by="exterior", until="2026-06-01T23:00:00Z")  # two snapshots
    assert few.attrs["engine"] == "pandas"
    assert month.payout_trend(until="2026-06-01T23:00:00Z", memory=1).attrs["engine"] == "duckdb"


def test_the_memory_budget_counts_memory_available_not_free(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(
        "MemTotal:       24576000 kB\nMemFree:          512000 kB\n"
        "MemAvailable:   20480000 kB\nCached:         19000000 kB\n",
        encoding="ascii",
    )
    assert snapshots.memory_budget(meminfo) == 20480000 * 1024 // 4
    meminfo.write_text("MemTotal: 1 kB\n", encoding="ascii")  # no MemAvailable: sysconf's
    assert snapshots.memory_budget(meminfo) > 0
    assert snapshots.memory_budget(tmp_path / "missing") > 0


def test_a_history_read_in_one_go_is_the_history_read_file_by_file(month):
    # load() reads the chosen files as one Arrow table; the file-by-file path (taken when
    # a file is damaged) must give the very same frame
    fast = month.load()
    chosen, game = month._select(None, None, None)
    chosen, frames = month._read_all(chosen, snapshots.KIND)
    slow = snapshots.stack_history(frames, chosen, game)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.attrs == slow.attrs
    alice = fast["steam_id"].iloc[0]
    narrowed = month.load(accounts=[alice])
    assert set(narrowed["steam_id"].astype(str)) == {alice}
    assert len(narrowed) == int((fast["steam_id"] == alice).sum())
