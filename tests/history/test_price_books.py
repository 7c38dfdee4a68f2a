"""history: price-book snapshots, a dataset of their own beside the inventories.

Real parts throughout: books fetched over HTTP from a sandbox aged to several days
(``serve(as_of=...)``, ``set_as_of``), real Parquet files in ``tmp_path``, DuckDB, pyarrow
and Dask reading them in place. Expectations come from the sandbox's raw books
(``Sandbox.price_book``, the JSON it serves) or are worked by hand.
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
from assetpay_analytics.analysis import catalogue_spread, compare_prices, deposit_trend
from assetpay_analytics.constants import EXTERIORS
from assetpay_analytics.frame import from_price_book
from assetpay_analytics.frame.book import BOOK_SCHEMA
from assetpay_analytics.history import SnapshotStore
from assetpay_analytics.history.store import PRICE_SNAPSHOT_COLUMNS

RUST = "252490"
DAYS = ("2026-06-10", "2026-06-11", "2026-06-12")
HISTORY_COLUMNS = ["snapshot_id", "as_of", "taken_at", "date"]


def fetch_book(box, tmp_path_factory, game="730"):
    """``client.prices(game)`` over HTTP, with a rate budget of its own.

    The prices family paces one request per 3.7 s after a burst of two, per budget file
    (beside the default cache); these requests go to a local sandbox.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSETPAY_CACHE_DIR", str(tmp_path_factory.mktemp("budget")))
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        try:
            return client.prices(game)
        finally:
            client.close()


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The CS2 book of each of DAYS (fetched and raw), a second fetch of the last, Rust."""
    fetched, raw = {}, {}
    with apa.sandbox.serve(as_of=DAYS[0]) as box:
        for day in DAYS:
            box.set_as_of(day)
            fetched[day] = fetch_book(box, tmp_path_factory)
            raw[day] = box.price_book()
        again = fetch_book(box, tmp_path_factory)
        rust = fetch_book(box, tmp_path_factory, RUST)
        raw_rust = box.price_book(RUST)
    return {"fetched": fetched, "raw": raw, "again": again, "rust": rust, "raw_rust": raw_rust}


def json_attrs(df: pd.DataFrame) -> dict:
    return json.loads(json.dumps(df.attrs))


def noon(day: str) -> str:
    return f"{day}T12:00:00Z"


def entry(name, deposit, withdraw=None, *, accepted=True, phases=()):
    """A CS2 entry of /secure/prices, as the API spells it."""
    return {
        "itemId": None, "marketHashName": name, "accepted": accepted, "deposit": deposit,
        "withdraw": {"standard": withdraw, "instant": None},
        "phases": [
            {"phase": phase, "accepted": True, "deposit": d,
             "withdraw": {"standard": w, "instant": None}}
            for phase, d, w in phases
        ],
    }  # fmt: skip


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["cs2", "rust", "empty"])
def test_a_price_snapshot_loads_back_as_the_same_book(books, tmp_path, which):
    book = {
        "cs2": books["fetched"][DAYS[1]],
        "rust": books["rust"],
        "empty": from_price_book([], game=RUST),
    }[which]
    store = SnapshotStore(tmp_path / "store")
    snapshot = store.save_prices(book, as_of=noon(DAYS[1]))
    loaded = store.load_prices(snapshot)
    pd.testing.assert_frame_equal(loaded, book)  # values and dtypes, categories' order too
    assert {c: str(t) for c, t in loaded.dtypes.items()} == {
        c: str(t) for c, t in BOOK_SCHEMA.items()
    }
    assert loaded["exterior"].cat.ordered
    assert loaded["exterior"].cat.categories.tolist() == book["exterior"].cat.categories.tolist()
    expected = {**json_attrs(book), "snapshot_id": snapshot, "as_of": noon(DAYS[1])}
    assert {k: v for k, v in loaded.attrs.items() if k != "taken_at"} == expected


def test_the_book_is_dated_by_its_data_and_lies_apart_from_the_inventories(books, tmp_path):
    book = books["fetched"][DAYS[0]].copy()
    book.attrs = {**book.attrs, "fetched_at": "2026-06-10T23:30:00-02:00"}  # 01:30 UTC on the 11th
    store = SnapshotStore(tmp_path)
    before = pd.Timestamp.now(tz="UTC")
    snapshot = store.save_prices(book)
    after = pd.Timestamp.now(tz="UTC")
    (path,) = tmp_path.rglob("*.parquet")
    assert path.relative_to(tmp_path).as_posix() == (
        f"_prices/game=730/date=2026-06-11/{snapshot}.parquet"
    )
    assert snapshot.startswith("20260611T013000000000Z-")  # sortable by the data's time
    plain = pd.read_parquet(path)  # pandas alone
    assert len(plain) == len(book) and set(plain["snapshot_id"]) == {snapshot}
    (listed,) = store.price_snapshots().itertuples(index=False)
    assert listed.as_of == pd.Timestamp("2026-06-11T01:30:00Z")
    assert listed.date == pd.Timestamp("2026-06-11")
    assert before <= listed.taken_at <= after  # when it was saved, not when it was fetched


def test_price_snapshots_lists_what_was_saved(books, tmp_path):
    store = SnapshotStore(tmp_path)
    first = store.save_prices(books["fetched"][DAYS[0]], as_of=noon(DAYS[0]))
    second = store.save_prices(books["rust"], as_of="2026-06-10T08:00:00")  # naive: UTC
    table = store.price_snapshots()
    assert table.columns.tolist() == list(PRICE_SNAPSHOT_COLUMNS)
    assert table["id"].tolist() == [second, first]  # in data order
    assert table["game"].tolist() == [RUST, "730"]
    raw = books["raw"][DAYS[0]]
    phases = sum(len(e.get("phases") or []) for e in raw)
    assert table["entries"].tolist() == [len(books["raw_rust"]), len(raw)]
    assert table["rows"].tolist() == [len(books["raw_rust"]), len(raw) + phases]
    assert phases > 0  # the Doppler phases are rows of their own
    assert table["as_of"].tolist() == [
        pd.Timestamp("2026-06-10T08:00:00Z"),
        pd.Timestamp(noon(DAYS[0])),
    ]
    assert table["date"].astype(str).tolist() == ["2026-06-10", "2026-06-10"]
    assert store.price_snapshots(game=RUST)["id"].tolist() == [second]
    assert store.snapshots().empty  # no inventory snapshot


# --- one snapshot per identical book ----------------------------------------------------------


def test_identical_book_data_saved_twice_keeps_one_snapshot(books, tmp_path):
    store = SnapshotStore(tmp_path)
    book, again = books["fetched"][DAYS[2]], books["again"]
    assert again.attrs["request_id"] != book.attrs["request_id"]  # a second answer...
    pd.testing.assert_frame_equal(again, book)  # ...of the same rows
    first = store.save_prices(book, as_of=noon(DAYS[2]))
    assert store.save_prices(again, as_of=f"{DAYS[2]}T13:00:00Z") == first
    assert store.save_prices(store.load_prices(first), as_of=f"{DAYS[2]}T14:00:00Z") == first
    shuffled = book.iloc[::-1].reset_index(drop=True)
    shuffled.attrs = dict(book.attrs)
    assert store.save_prices(shuffled, as_of=f"{DAYS[2]}T15:00:00Z") == first  # same rows
    assert len(list(tmp_path.rglob("*.parquet"))) == 1
    (listed,) = store.price_snapshots().itertuples(index=False)
    assert listed.id == first and listed.as_of == pd.Timestamp(noon(DAYS[2]))


def test_a_book_that_went_back_to_earlier_prices_is_a_new_snapshot(tmp_path):
    store = SnapshotStore(tmp_path)
    a = from_price_book([entry("A (Field-Tested)", 10.0, 12.0)])
    b = from_price_book([entry("A (Field-Tested)", 9.0, 12.0)])
    ids = [store.save_prices(book, as_of=day) for book, day in ((a, DAYS[0]), (b, DAYS[1]))]
    back = store.save_prices(a, as_of=DAYS[2])  # the day-1 prices again, after day 2's
    assert back not in ids
    assert store.save_prices(a, as_of=f"{DAYS[2]}T06:00:00Z") == back
    assert store.save_prices(b, as_of=f"{DAYS[1]}T06:00:00Z") == ids[1]  # still day 2's book
    history = store.load_prices()
    assert history["deposit"].tolist() == [10.0, 9.0, 10.0]
    rust = {"marketHashName": "A (Field-Tested)", "accepted": True, "deposit": 10.0,
            "withdraw": 12.0}  # fmt: skip
    other_game = from_price_book([rust], game=RUST)  # a's rows, but Rust's
    assert store.save_prices(other_game, as_of=DAYS[2]) not in [*ids, back]


def test_what_cannot_be_saved_or_found_says_why(books, tmp_path):
    store = SnapshotStore(tmp_path)
    with pytest.raises(ValueError, match="pass as_of="):
        store.save_prices(from_price_book([entry("A", 1.0, 2.0)]))  # no fetched_at
    inventory = apa.frame.from_items([{"id": "1", "marketPrice": 2.0}], steam_id="7")
    with pytest.raises(ValueError, match="not a price book"):
        store.save_prices(inventory, as_of=DAYS[0])
    both = pd.concat([books["fetched"][DAYS[0]], books["rust"]])
    with pytest.raises(ValueError, match="one game"):
        store.save_prices(both, as_of=DAYS[0])
    with pytest.raises(LookupError, match=r"price_snapshots\(\) lists"):
        store.load_prices("20260101T000000000000Z-deadbeef")
    store.save_prices(books["fetched"][DAYS[0]], as_of=DAYS[0])
    store.save_prices(books["rust"], as_of=DAYS[0])
    with pytest.raises(LookupError, match="pass game="):
        store.load_prices()
    assert store.load_prices(game=RUST)["game"].astype(str).unique().tolist() == [RUST]


# --- histories --------------------------------------------------------------------------------


@pytest.fixture
def days(books, tmp_path):
    """A store holding the CS2 book of each of DAYS, saved at noon, and their ids."""
    store = SnapshotStore(tmp_path / "store")
    ids = [store.save_prices(books["fetched"][day], as_of=noon(day)) for day in DAYS]
    return store, ids


def test_a_history_stacks_the_books_in_a_range(books, days):
    store, ids = days
    history = store.load_prices(since="2026-06-11", until="2026-06-12T12:00:00Z")
    assert history.attrs == {"game": "730", "snapshots": ids[1:]}
    assert history.columns.tolist() == [*BOOK_SCHEMA, *HISTORY_COLUMNS]
    assert {c: str(history[c].dtype) for c in HISTORY_COLUMNS} == {
        "snapshot_id": "category",
        "as_of": "datetime64[us, UTC]",
        "taken_at": "datetime64[us, UTC]",
        "date": "datetime64[us]",
    }
    sizes = [len(books["fetched"][day]) for day in DAYS[1:]]
    assert history["snapshot_id"].tolist() == [ids[1]] * sizes[0] + [ids[2]] * sizes[1]
    assert history["date"].astype(str).unique().tolist() == list(DAYS[1:])
    plain = history.drop(columns=HISTORY_COLUMNS)
    assert plain["exterior"].cat.ordered
    first = plain.iloc[: sizes[0]].reset_index(drop=True)
    last = plain.iloc[sizes[0] :].reset_index(drop=True)
    for day, part in zip(DAYS[1:], (first, last), strict=True):
        pd.testing.assert_frame_equal(part, books["fetched"][day], check_categorical=False)
    assert store.load_prices(until="2026-06-09").empty
    assert store.load_prices(until="2026-06-09").columns.tolist() == history.columns.tolist()


def test_the_deposit_trend_of_a_stored_history_is_the_raw_books_ratio(books, days):
    store, _ = days
    trend = deposit_trend(store.load_prices(), by="exterior")
    assert trend.index.strftime("%Y-%m-%d").tolist() == list(DAYS)
    assert trend.columns.tolist() == list(EXTERIORS)
    for day in DAYS:  # by hand: accepted entries (no phase) with both prices, per suffix
        sums: dict[str, list[float]] = {}
        for e in books["raw"][day]:
            standard = e["withdraw"]["standard"]
            exterior = e["marketHashName"].rsplit("(", 1)[-1].rstrip(")")
            if e["accepted"] and standard and standard > 0 and exterior in EXTERIORS:
                pair = sums.setdefault(exterior, [0.0, 0.0])
                pair[0] += e["deposit"]
                pair[1] += standard
        for exterior, (deposit, withdraw) in sums.items():
            assert trend.loc[day, exterior] == pytest.approx(deposit / withdraw, rel=1e-12)
        spread = catalogue_spread(books["fetched"][day], by="exterior")["deposit_ratio"]
        spread = spread[spread.index.astype(str).isin(EXTERIORS)]  # the trend leaves NA out
        np.testing.assert_allclose(trend.loc[day, spread.index.astype(str)], spread, rtol=1e-12)
    overall = deposit_trend(store.load_prices(), by=None)
    assert overall.columns.tolist() == ["all"] and len(overall) == len(DAYS)


def test_the_asiimov_cut_shows_between_the_stored_books(books, days):
    """The sandbox's day-10 event: AssetPay's deposit for every AWP | Asiimov cut by 15%."""
    store, ids = days
    change = compare_prices(store.load_prices(ids[0]), store.load_prices(ids[1]))
    before, after = books["raw"][DAYS[0]], books["raw"][DAYS[1]]
    awp = ("AWP | Asiimov", "StatTrak™ AWP | Asiimov")
    deposits = {
        e["marketHashName"]: (e["deposit"], later["deposit"])
        for e, later in zip(before, after, strict=True)
        if e["marketHashName"].startswith(awp)
    }
    assert deposits
    kept = change.kept.set_index(change.kept["market_hash_name"].astype(str))
    for name, (old, new) in deposits.items():
        assert kept.loc[name, ["deposit_before", "deposit_after"]].tolist() == [old, new]
        assert kept.loc[name, "deposit_pct"] == pytest.approx(new / old - 1)
    by_skin = change.by(["weapon", "skin"])
    asiimov = by_skin.loc[("AWP", "Asiimov")]
    old, new = (sum(pair[i] for pair in deposits.values()) for i in (0, 1))
    assert asiimov["deposit_pct"] == pytest.approx(new / old - 1)
    assert -0.20 < asiimov["deposit_pct"] < -0.10  # the 15% cut, give or take a day's drift
    others = by_skin.drop(index=("AWP", "Asiimov"))
    assert (others["deposit_pct"] > -0.10).all()  # no other skin moved like it
    assert by_skin["deposit_pct"].idxmin() == ("AWP", "Asiimov")


# --- beside the inventories -------------------------------------------------------------------


@pytest.fixture(scope="module")
def inventory(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    return client.inventories(box.trade_urls[:4], progress=False)


def inventory_views(store: SnapshotStore) -> dict:
    return {
        "snapshots": store.snapshots(),
        "load": store.load(),
        "latest": store.latest(),
        "items": store.query(
            "SELECT snapshot_id, COUNT(*) AS n, SUM(market_price) AS v FROM items "
            "GROUP BY ALL ORDER BY ALL"
        ),
        "pandas": store.payout_trend(engine="pandas"),
        "duckdb": store.payout_trend(engine="duckdb"),
    }


def test_the_inventory_side_never_sees_price_files(books, inventory, tmp_path):
    alone, beside = SnapshotStore(tmp_path / "alone"), SnapshotStore(tmp_path / "beside")
    for store in (alone, beside):
        for day in DAYS[:2]:
            store.save(inventory, taken_at=noon(day), as_of=noon(day))
    for day in DAYS:
        beside.save_prices(books["fetched"][day], as_of=noon(day))
    beside.save_prices(books["rust"], as_of=noon(DAYS[0]))
    expected, got = inventory_views(alone), inventory_views(beside)
    for name, frame in expected.items():
        frame, other = frame.drop(columns="id", errors="ignore"), got[name]
        other = other.drop(columns="id", errors="ignore")
        if name in ("load", "latest", "items"):
            frame = frame.drop(columns=["snapshot_id"], errors="ignore")
            other = other.drop(columns=["snapshot_id"], errors="ignore")
            frame.attrs = other.attrs = {}
        pd.testing.assert_frame_equal(other, frame, check_categorical=False, obj=name)
    rows = 2 * len(inventory)
    assert ds.dataset(beside.path, partitioning="hive").count_rows() == rows  # _prices skipped
    priced = ds.dataset(beside.path / "_prices", partitioning="hive")
    assert priced.count_rows() == sum(len(b) for b in books["fetched"].values()) + len(
        books["rust"]
    )
    with pytest.raises(LookupError, match="no snapshot"):
        SnapshotStore(tmp_path / "prices-only").latest()


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")  # inside dask
def test_dask_reads_the_inventories_and_the_books_apart(books, inventory, tmp_path):
    """Dask lists every ``*.parquet`` below a folder: the inventories are read by a glob."""
    dd = pytest.importorskip("dask.dataframe")
    store = SnapshotStore(tmp_path)
    store.save(inventory)
    store.save_prices(books["fetched"][DAYS[0]], as_of=noon(DAYS[0]))
    items = dd.read_parquet(f"{tmp_path}/game=*/date=*/*.parquet", columns=["item_id", "game"])
    items = items.compute()
    assert len(items) == len(inventory) and set(items["game"].astype(str)) == {"730"}
    prices = dd.read_parquet(str(tmp_path / "_prices"), columns=["deposit", "date"]).compute()
    assert prices["deposit"].sum() == pytest.approx(books["fetched"][DAYS[0]]["deposit"].sum())
    assert set(prices["date"].astype(str)) == {DAYS[0]}


# --- DuckDB -----------------------------------------------------------------------------------


def test_the_prices_view_reads_the_same_rows_as_load_prices(days):
    store, ids = days
    history = store.load_prices()
    got = store.query(
        "SELECT date, snapshot_id, ANY_VALUE(game) AS game, COUNT(*) AS n, "
        "AVG(deposit) AS deposit FROM prices GROUP BY ALL ORDER BY date"
    )
    expected = history.groupby("date").agg(n=("deposit", "size"), deposit=("deposit", "mean"))
    assert got["date"].astype(str).tolist() == list(DAYS)
    assert got["snapshot_id"].tolist() == ids
    assert set(got["game"]) == {"730"}  # text, not the number 730
    assert got["n"].tolist() == expected["n"].tolist()
    np.testing.assert_allclose(got["deposit"], expected["deposit"].astype(float))
    with pytest.raises(Exception, match="items"):  # no inventory saved: no view items
        store.query("SELECT COUNT(*) FROM items")


def test_a_store_folder_named_like_a_pattern_reads_its_own_files_only(books, inventory, tmp_path):
    """DuckDB reads paths as globs: ``team[1]`` would match ``team1``."""
    pattern, plain = SnapshotStore(tmp_path / "team[1]"), SnapshotStore(tmp_path / "team1")
    pattern.save(inventory.head(3))
    pattern.save_prices(books["rust"], as_of=noon(DAYS[0]))
    plain.save(inventory)
    plain.save_prices(books["fetched"][DAYS[0]], as_of=noon(DAYS[0]))
    counts = "SELECT (SELECT COUNT(*) FROM items) AS items, (SELECT COUNT(*) FROM prices) AS rows"
    assert pattern.query(counts).iloc[0].tolist() == [3, len(books["rust"])]
    assert plain.query(counts).iloc[0].tolist() == [len(inventory), len(books["fetched"][DAYS[0]])]
    trend = pattern.payout_trend(by=None, engine="duckdb")
    assert trend.equals(pattern.payout_trend(by=None, engine="pandas"))


# --- a crash mid-write ------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, signal, sys
    import pyarrow.parquet as pq
    from assetpay_analytics import history
    from assetpay_analytics.frame import from_price_book

    def dying(table, sink, **kwargs):  # a crash in the middle of writing the file
        sink.write(b"PAR1" + b"half a row group" * 1000)
        sink.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    pq.write_table = dying
    book = from_price_book([{"marketHashName": "Scrap", "accepted": True, "deposit": 0.8,
                             "withdraw": 1.1}], game="252490")
    history.SnapshotStore(sys.argv[1]).save_prices(book, as_of="2026-06-12")
    """
)


def test_a_writer_killed_mid_write_leaves_the_books_unchanged(books, tmp_path):
    store = SnapshotStore(tmp_path)
    store.save_prices(books["rust"], as_of=noon(DAYS[0]))
    before = store.price_snapshots()
    done = subprocess.run([sys.executable, "-c", WRITER, str(tmp_path)], check=False)
    assert done.returncode == -9  # really killed
    assert list(tmp_path.rglob(".*.tmp"))  # the half-written file, under its hidden name
    pd.testing.assert_frame_equal(store.price_snapshots(), before)
    assert len(store.load_prices()) == len(books["rust"])
    assert store.query("SELECT COUNT(*) AS n FROM prices")["n"].iloc[0] == len(books["rust"])
