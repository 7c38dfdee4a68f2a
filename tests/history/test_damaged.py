"""history: a store that holds damaged and foreign files, copies, odd ids and odd paths.

Real Parquet files in ``tmp_path``: snapshots saved by the store from frames built with
``frame.from_items`` (and price books with ``frame.from_price_book``), foreign files
written by plain ``DataFrame.to_parquet``, damaged ones made by truncating, overwriting
or rewriting a real snapshot file. Each case reproduces a defect of issue 23 (4, 5, 7
and the store's bullet of 10).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from assetpay_analytics.frame import from_items, from_price_book
from assetpay_analytics.history import SnapshotStore, SnapshotWarning

STEAM_ID = "76561198000000001"
PROBLEM_COLUMNS = ["path", "kind", "reason"]


def frame(n: int, price: float = 1.0) -> pd.DataFrame:
    items = [{"id": f"{n}-{k}", "marketPrice": price + k, "offer": {"price": price}}
             for k in range(n)]  # fmt: skip
    return from_items(items, steam_id=STEAM_ID)


def book(deposit: float) -> pd.DataFrame:
    entry = {"marketHashName": "Scrap", "accepted": True, "deposit": deposit, "withdraw": 1.1}
    return from_price_book([entry], game="252490")


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    """Three good snapshots of CS2 (2, 3 and 4 rows) on three days."""
    good = SnapshotStore(tmp_path / "store")
    for day, n in ((1, 2), (2, 3), (3, 4)):
        good.save(frame(n), taken_at=f"2026-06-0{day}T12:00:00Z")
    return good


def file_of(store: SnapshotStore, snapshot: str) -> Path:
    (path,) = store.path.glob(f"game=*/date=*/{snapshot}.parquet")
    return path


def foreign(store: SnapshotStore, where: str = "game=730/date=2026-06-02/notes.parquet") -> Path:
    path = store.path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"market_price": [1000.0] * 7, "item_id": list("abcdefg")}).to_parquet(path)
    return path


def truncated(store: SnapshotStore) -> Path:
    """A fourth snapshot, cut in half as a full disk or a bad copy leaves it."""
    path = file_of(store, store.save(frame(5), taken_at="2026-06-04T12:00:00Z"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def quietly(call, *args, **kwargs):
    """``call(...)`` and the SnapshotWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args, **kwargs)
    return result, [w for w in caught if issubclass(w.category, SnapshotWarning)]


def rewrite_footer(path: Path, change) -> None:
    """Rewrite a real snapshot with its footer record changed by ``change(bytes)``."""
    table = pq.read_table(path)
    metadata = dict(table.schema.metadata)
    metadata[b"assetpay_snapshot"] = change(metadata[b"assetpay_snapshot"])
    pq.write_table(table.replace_schema_metadata(metadata), path)


# --- only the store's files are snapshots -------------------------------------------------


def test_foreign_and_damaged_files_are_skipped_with_one_warning_each(store):
    strange, cut = foreign(store), truncated(store)
    table, caught = quietly(store.snapshots)
    assert table["items"].tolist() == [2, 3, 4]
    assert len(caught) == 2
    assert {str(strange), str(cut)} == {
        next(p for p in (str(strange), str(cut)) if p in str(w.message)) for w in caught
    }
    assert issubclass(SnapshotWarning, UserWarning)
    problems = store.problems()
    assert problems.columns.tolist() == PROBLEM_COLUMNS
    kinds = dict(zip(problems["path"], problems["kind"], strict=True))
    assert kinds == {str(strange): "foreign", str(cut): "damaged"}
    assert problems["reason"].str.len().gt(0).all()


def test_a_store_warns_once_per_file_however_often_it_is_read(store):
    foreign(store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.snapshots()
        store.latest()
        store.load()
        store.payout_trend(engine="pandas")
    assert len([w for w in caught if issubclass(w.category, SnapshotWarning)]) == 1


@pytest.mark.parametrize(
    "damage",
    ["truncated", "not parquet", "empty", "footer json broken", "footer not a record",
     "footer without id", "schema wrong", "items miscounted"],
)  # fmt: skip
def test_a_damaged_snapshot_never_stops_the_others(store, damage):
    path = file_of(store, store.save(frame(5), taken_at="2026-06-04T12:00:00Z"))
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "not parquet":
        path.write_text("this is not a parquet file\n" * 50)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "footer json broken":
        rewrite_footer(path, lambda raw: raw[:-5])
    elif damage == "footer not a record":
        rewrite_footer(path, lambda raw: b"[1, 2, 3]")
    elif damage == "footer without id":
        rewrite_footer(path, lambda raw: json.dumps({"game": "730"}).encode())
    elif damage == "schema wrong":
        pq.write_table(pq.read_table(path).drop_columns(["snapshot_id", "taken_at"]), path)
    else:
        rewrite_footer(path, lambda raw: raw.replace(b'"items": 5', b'"items": 50'))
    (table, caught) = quietly(store.snapshots)
    assert table["items"].tolist() == [2, 3, 4]
    assert len(caught) == 1 and str(path) in str(caught[0].message)
    (history, _) = quietly(store.load)
    assert len(history) == 9
    (latest, _) = quietly(store.latest)
    assert len(latest) == 4
    for engine in ("pandas", "duckdb"):
        (trend, _) = quietly(store.payout_trend, by=None, engine=engine)
        assert len(trend) == 3
    (counted, _) = quietly(store.query, "SELECT count(*) AS n FROM items")
    assert counted["n"].iloc[0] == 9
    assert store.problems()["kind"].tolist() == ["damaged"]


def test_query_reads_exactly_the_files_snapshots_lists(store):
    foreign(store)
    foreign(store, "game=730/date=2026-06-09/other.parquet")
    truncated(store)
    listed, _ = quietly(store.snapshots)
    counted, _ = quietly(store.query, "SELECT count(*) AS n FROM items")
    assert counted["n"].iloc[0] == listed["items"].sum() == 9
    ids, _ = quietly(store.query, "SELECT DISTINCT snapshot_id FROM items ORDER BY 1")
    assert ids["snapshot_id"].tolist() == sorted(listed["id"])


def test_a_store_of_foreign_files_only_holds_no_snapshot(tmp_path):
    store = SnapshotStore(tmp_path)
    foreign(store)
    table, caught = quietly(store.snapshots)
    assert table.empty and len(caught) == 1
    with pytest.raises(LookupError, match=r"store\.save"):
        quietly(store.latest)
    with pytest.raises(LookupError, match=r"store\.save"):
        quietly(store.query, "SELECT 1")


def test_a_damaged_row_group_costs_that_snapshot_only(store):
    """The footer reads, the rows do not: the history loads without that snapshot."""
    path = file_of(store, store.save(frame(5), taken_at="2026-06-04T12:00:00Z"))
    data = bytearray(path.read_bytes())
    data[4:200] = b"\xff" * 196  # the first column chunk, past the magic bytes
    path.write_bytes(bytes(data))
    history, caught = quietly(store.load)
    assert history.attrs["snapshots"] == store.snapshots()["id"].tolist()[:3]
    assert len(history) == 9
    assert len(caught) == 1 and str(path) in str(caught[0].message)
    assert store.problems()["kind"].tolist() == ["damaged"]


def corrupt_rows(path: Path, where: str) -> None:
    """Overwrite 100 bytes inside ``market_price``'s pages; the footer stays intact."""
    chunk = (
        pq.ParquetFile(path)
        .metadata.row_group(0)
        .column(pq.ParquetFile(path).schema_arrow.names.index("market_price"))
    )
    start = chunk.data_page_offset if where == "data page" else chunk.dictionary_page_offset
    data = bytearray(path.read_bytes())
    footer = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    lo = start + 20
    assert lo + 100 < chunk.data_page_offset + chunk.total_compressed_size < footer
    data[lo : lo + 100] = b"\xff" * 100
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["data page", "dictionary page"])
def test_query_skips_a_snapshot_whose_rows_are_corrupt_under_a_good_footer(store, where):
    """DuckDB meets the damage only when it decodes the rows; the store's scan, which
    reads footers, cannot see it: the query skips that file as load() does."""
    path = file_of(store, store.save(frame(50), taken_at="2026-06-04T12:00:00Z"))
    corrupt_rows(path, where)
    listed, caught = quietly(store.snapshots)
    assert listed["items"].tolist() == [2, 3, 4, 50] and not caught  # the footer is fine
    sql = "SELECT count(*) AS n, sum(market_price) AS value FROM items"
    (counted, caught) = quietly(store.query, sql)
    assert counted["n"].iloc[0] == 9  # the three good snapshots, and only those
    assert counted["value"].iloc[0] == sum(1.0 + k for n in (2, 3, 4) for k in range(n))
    (warning,) = caught
    assert str(path) in str(warning.message) and "damaged" in str(warning.message)
    assert len(str(warning.message)) < len(str(path)) + 400
    problems = store.problems()
    assert problems[["path", "kind"]].values.tolist() == [[str(path), "damaged"]]
    assert "DuckDB" in problems["reason"].iloc[0]
    (again, caught) = quietly(store.query, sql)
    assert again.equals(counted) and not caught  # once per store
    (listed, _) = quietly(store.snapshots)
    assert listed["items"].tolist() == [2, 3, 4]  # every reader skips it from now on
    fresh = SnapshotStore(store.path)
    (trend, caught) = quietly(fresh.payout_trend, by=None, engine="duckdb")
    assert len(trend) == 3 and len(caught) == 1 and str(path) in str(caught[0].message)
    assert fresh.problems()["kind"].tolist() == ["damaged"]


def test_a_query_error_of_its_own_is_duckdbs_and_blames_no_file(store):
    duckdb = pytest.importorskip("duckdb")
    with pytest.raises(duckdb.Error) as info:
        quietly(store.query, "SELECT CAST(snapshot_id AS INTEGER) FROM items")
    assert "snapshot_id" in str(info.value) or "INT" in str(info.value)
    with pytest.raises(duckdb.ParserException):
        quietly(store.query, "SELEKT 1")
    assert store.problems().empty


# --- copies ----------------------------------------------------------------------------------


def test_a_snapshot_copied_into_a_second_partition_counts_once(store):
    first = store.snapshots()["id"].iloc[0]
    original = file_of(store, first)
    copy = store.path / "game=730" / "date=2026-06-09" / original.name
    copy.parent.mkdir()
    shutil.copy(original, copy)
    table, caught = quietly(store.snapshots)
    assert table["id"].tolist().count(first) == 1 and len(table) == 3
    assert len(caught) == 1 and str(copy) in str(caught[0].message)
    counted, _ = quietly(store.query, "SELECT count(*) AS n FROM items")
    assert counted["n"].iloc[0] == table["items"].sum()
    loaded, _ = quietly(store.load, first)
    assert len(loaded) == 2
    history, _ = quietly(store.load)
    assert len(history) == 9
    problems = store.problems()
    assert problems[["path", "kind"]].values.tolist() == [[str(copy), "duplicate"]]
    assert str(original) in problems["reason"].iloc[0]


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["../../../outside", "*", "a/b", "/etc/passwd", "", "2026*", "x.parquet"]
)
def test_load_takes_only_the_stores_id_form(store, tmp_path, bad):
    outside = tmp_path / "outside.parquet"
    shutil.copy(file_of(store, store.snapshots()["id"].iloc[0]), outside)
    with pytest.raises(ValueError, match="YYYYMMDDTHHMMSSffffffZ-"):
        store.load(bad)
    with pytest.raises(ValueError, match="YYYYMMDDTHHMMSSffffffZ-"):
        store.load_prices(bad)


def test_an_absolute_path_to_a_snapshot_is_not_an_id(store):
    path = file_of(store, store.snapshots()["id"].iloc[0])
    for bad in (str(path), str(path.with_suffix(""))):
        with pytest.raises(ValueError, match="snapshot id"):
            store.load(bad)


def test_a_well_formed_unknown_id_is_still_a_lookup_error(store):
    with pytest.raises(LookupError, match=r"snapshots\(\) lists"):
        store.load("20260101T000000000000Z-deadbeef")
    with pytest.raises(LookupError, match=r"price_snapshots\(\) lists"):
        store.load_prices("20260101T000000000000Z-deadbeef")


# --- the price books -------------------------------------------------------------------------


def test_the_price_books_skip_foreign_damaged_and_copied_files(tmp_path):
    store = SnapshotStore(tmp_path)
    first = store.save_prices(book(0.8), as_of="2026-06-10T09:00:00Z")
    store.save_prices(book(0.7), as_of="2026-06-11T09:00:00Z")
    (original,) = tmp_path.glob(f"_prices/game=*/date=*/{first}.parquet")
    strange = foreign(store, "_prices/game=252490/date=2026-06-10/notes.parquet")
    copy = tmp_path / "_prices" / "game=252490" / "date=2026-06-12" / original.name
    copy.parent.mkdir()
    shutil.copy(original, copy)
    cut = tmp_path / "_prices" / "game=252490" / "date=2026-06-13" / "x.parquet"
    cut.parent.mkdir()
    cut.write_bytes(original.read_bytes()[:300])
    listed, caught = quietly(store.price_snapshots)
    assert listed["rows"].tolist() == [1, 1]
    assert len(caught) == 3
    history, _ = quietly(store.load_prices)
    assert history["deposit"].tolist() == [0.8, 0.7]
    counted, _ = quietly(store.query, "SELECT count(*) AS n FROM prices")
    assert counted["n"].iloc[0] == listed["rows"].sum()
    kinds = dict(zip(store.problems()["path"], store.problems()["kind"], strict=True))
    assert kinds == {str(strange): "foreign", str(copy): "duplicate", str(cut): "damaged"}
    assert quietly(store.snapshots)[0].empty  # the books are not inventories


def test_a_price_file_in_the_inventories_is_foreign(store):
    other = SnapshotStore(store.path.parent / "books")
    snapshot = other.save_prices(book(0.8), as_of="2026-06-10T09:00:00Z")
    (path,) = other.path.glob(f"_prices/*/*/{snapshot}.parquet")
    moved = store.path / "game=730" / "date=2026-06-10" / path.name
    moved.parent.mkdir()
    shutil.copy(path, moved)
    table, caught = quietly(store.snapshots)
    assert len(table) == 3 and len(caught) == 1
    assert store.problems()["kind"].tolist() == ["foreign"]


# --- odd paths and leftovers -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["team[1]", "a*b", "it's", "sp ace?"])
def test_a_store_path_is_never_a_pattern(tmp_path, name):
    real = SnapshotStore(tmp_path / name)
    real.save(frame(2), taken_at="2026-06-01T00:00:00Z")
    real.save_prices(book(0.8), as_of="2026-06-10T09:00:00Z")
    decoy = SnapshotStore(tmp_path / "team1")  # what team[1] matches as a glob
    decoy.save(frame(7), taken_at="2026-06-01T00:00:00Z")
    decoy.save_prices(book(0.5), as_of="2026-06-10T09:00:00Z")
    decoy.save_prices(book(0.4), as_of="2026-06-11T09:00:00Z")
    assert real.query("SELECT count(*) AS n FROM items")["n"].iloc[0] == 2
    assert real.query("SELECT count(*) AS n FROM prices")["n"].iloc[0] == 1
    assert len(real.snapshots()) == 1 and len(real.price_snapshots()) == 1


def test_a_store_path_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a store")
    with pytest.raises(NotADirectoryError, match="a-file"):
        SnapshotStore(path)


def old(path: Path) -> Path:
    past = time.time() - 3600
    os.utime(path, (past, past))
    return path


def test_stale_temporary_files_are_removed_live_ones_kept(store):
    partition = file_of(store, store.snapshots()["id"].iloc[0]).parent
    stale = partition / ".20260601T120000000000Z-0a1b2c3d.parquet.4242.deadbeef.tmp"
    stale.write_bytes(b"PAR1 half")
    old(stale)
    live = partition / ".20260601T120000000001Z-0a1b2c3e.parquet.4243.feedface.tmp"
    live.write_bytes(b"PAR1 half")
    mine = partition / ".my-notes.tmp"  # not the store's pattern: never touched
    mine.write_bytes(b"")
    old(mine)
    prices = store.path / "_prices" / "game=730" / "date=2026-06-01"
    prices.mkdir(parents=True)
    stale_book = prices / ".20260601T120000000000Z-0a1b2c3f.parquet.1.00000000.tmp"
    stale_book.write_bytes(b"")
    old(stale_book)
    SnapshotStore(store.path)  # opening cleans
    assert not stale.exists() and not stale_book.exists()
    assert live.exists() and mine.exists()
    again = partition / ".20260601T120000000002Z-0a1b2c40.parquet.7.12345678.tmp"
    again.write_bytes(b"")
    old(again)
    store.snapshots()  # listing cleans
    assert not again.exists() and live.exists()


KILLED = """
import os, signal, sys
import pyarrow.parquet as pq
from assetpay_analytics import history
from assetpay_analytics.frame import from_items

def dying(table, sink, **kwargs):
    sink.write(b"PAR1" + b"half" * 1000)
    sink.flush()
    os.kill(os.getpid(), signal.SIGKILL)

pq.write_table = dying
history.SnapshotStore(sys.argv[1]).save(from_items([{"id": "1"}], steam_id="76561198000000001"))
"""


def test_what_a_killed_save_left_is_removed_once_it_is_stale(store):
    done = subprocess.run([sys.executable, "-c", KILLED, str(store.path)], check=False)
    assert done.returncode == -9
    (left,) = store.path.rglob(".*.tmp")
    store.snapshots()
    assert left.exists()  # fresh: perhaps a writer still at work
    old(left)
    store.snapshots()
    assert not left.exists()


# --- the command line ----------------------------------------------------------------------


def report(store: SnapshotStore, out: Path, capsys) -> tuple[int, str]:
    from assetpay_analytics.cli.main import main

    status = main(["report", "--sandbox", "--out", str(out), "--store", str(store.path)])
    return status, capsys.readouterr().err


def test_report_writes_the_document_from_the_good_snapshots(store, tmp_path, capsys):
    strange, cut = foreign(store), truncated(store)
    status, err = report(store, tmp_path / "doc", capsys)
    assert status == 0, err
    assert (tmp_path / "doc" / "tables" / "drift_summary.csv").exists()  # the latest good one
    lines = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(lines) == 2
    assert any(str(strange) in line for line in lines) and any(str(cut) in line for line in lines)
    assert "Traceback" not in err and "SnapshotWarning" not in err


def test_a_store_that_cannot_be_read_is_one_error_line(store, tmp_path, capsys, monkeypatch):
    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self.path))

    monkeypatch.setattr(SnapshotStore, "snapshots", refused)
    status, err = report(store, tmp_path / "doc", capsys)
    assert status == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: cannot read the history store {store.path}: ")
    assert "Permission denied" in line
    assert not (tmp_path / "doc" / "report.html").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_a_folder_that_cannot_be_listed_is_not_an_empty_store(store):
    store.path.chmod(0)
    try:
        with pytest.raises(PermissionError, match=str(store.path)):
            store.snapshots()
    finally:
        store.path.chmod(0o755)
