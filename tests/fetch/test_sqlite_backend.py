"""fetch.sqlite_backend: one sqlite connection per thread, every row kept, all closed.

Real sqlite files and real threads; a ``threading.Barrier`` makes the threads hold
their connections at the same moment (no sleeps, no timing assertions). The batch test
talks real HTTP to the session sandbox.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import assetpay_analytics as apa
from assetpay_analytics.fetch.cache import CacheWarning
from assetpay_analytics.fetch.sqlite_backend import ThreadedSQLiteCache, ThreadedSQLiteDict

THREADS = 32
KEYS_PER_THREAD = 25


def value_of(key: str) -> bytes:
    return f"the row of {key}".encode()


def run_threads(target: Callable[[int], None], n: int) -> list[BaseException]:
    """Run ``target(i)`` in ``n`` threads to the end; the exceptions they raised."""
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:
            errors.append(exc)
            raise

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def is_closed(connection: sqlite3.Connection) -> bool:
    try:
        connection.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_threads_write_and_read_on_their_own_connections_and_lose_no_row(tmp_path):
    path = tmp_path / "cache.sqlite"
    table = ThreadedSQLiteDict(path, table_name="responses", serializer=None, wal=True)
    barrier = threading.Barrier(THREADS)
    used: dict[int, sqlite3.Connection] = {}

    def work(t: int) -> None:
        with table.connection() as con:
            used[t] = con
        barrier.wait()  # every thread holds its connection now
        for i in range(KEYS_PER_THREAD):
            key = f"{t}:{i}"
            table[key] = value_of(key)
            assert table[key] == value_of(key)  # its own write, read back at once
        barrier.wait()  # every write is committed: each thread reads them all
        for u in range(THREADS):
            for i in range(KEYS_PER_THREAD):
                assert table[f"{u}:{i}"] == value_of(f"{u}:{i}")

    assert run_threads(work, THREADS) == []
    assert len({id(con) for con in used.values()}) == THREADS  # all alive at once: distinct
    assert len(table.connections) >= THREADS
    with sqlite3.connect(path) as check:
        stored = dict(check.execute("SELECT key, value FROM responses").fetchall())
    check.close()
    expected = {f"{t}:{i}" for t in range(THREADS) for i in range(KEYS_PER_THREAD)}
    assert set(stored) == expected
    assert all(stored[key] == value_of(key) for key in expected)
    table.close()
    assert len(table.connections) == 0
    assert all(is_closed(con) for con in used.values())


def test_an_ended_threads_connection_is_closed_when_the_next_one_opens(tmp_path):
    table = ThreadedSQLiteDict(tmp_path / "cache.sqlite", table_name="t", serializer=None)
    used: list[sqlite3.Connection] = []

    def write(i: int) -> None:
        table[f"k{len(used)}"] = b"v"
        with table.connection() as con:
            used.append(con)

    assert run_threads(write, 1) == []
    assert not is_closed(used[0])  # its thread ended, nothing opened since
    assert run_threads(write, 1) == []
    assert is_closed(used[0]) and not is_closed(used[1])
    assert sorted(table.keys()) == ["k0", "k1"]
    table.close()
    assert is_closed(used[1])


def test_the_two_tables_share_one_connection_per_thread(tmp_path):
    cache = ThreadedSQLiteCache(tmp_path / "cache.sqlite", wal=True)
    assert cache.redirects.connections is cache.responses.connections
    with cache.responses.connection() as a, cache.redirects.connection() as b:
        assert a is b
    with cache.responses.bulk_commit():  # a write inside a bulk commit: one transaction
        cache.redirects["alias"] = "key"
    assert cache.redirects["alias"] == "key"
    cache.close()
    assert is_closed(a)


def test_a_wide_cached_batch_stores_every_account_and_closes_every_connection(sandbox, cache_path):
    urls = [apa.TradeUrl(80_000 + i, "Tok_en-1").url for i in range(64)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=cache_path)
        cold = client.inventories(urls, workers=32, progress=False)
        connections = client._session.cache.responses.connections
        client.close()
        assert len(connections) == 0
        gc.collect()
    assert cold.attrs["errors"] == [] and not cold.attrs["from_cache"]
    with sqlite3.connect(cache_path) as check:
        (stored,) = check.execute("SELECT COUNT(*) FROM responses").fetchone()
    check.close()
    assert stored == len(urls)
    sent = len(sandbox.requests)
    with apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=cache_path) as c:
        warm = c.inventories(urls, workers=32, progress=False)
    assert warm.attrs["from_cache"] and len(sandbox.requests) == sent
    assert warm["item_id"].tolist() == cold["item_id"].tolist()


@pytest.mark.parametrize("threads", [1, 8])
def test_a_closed_table_opens_again_on_use(tmp_path, threads):
    table = ThreadedSQLiteDict(tmp_path / "cache.sqlite", table_name="t", serializer=None)
    table.close()

    def write(i: int) -> None:
        table[f"k{i}"] = b"v"

    assert run_threads(write, threads) == []
    assert sorted(table.keys()) == sorted(f"k{i}" for i in range(threads))
    table.close()
    assert len(table.connections) == 0


def test_closing_a_client_on_a_read_only_cache_deletes_its_private_copy(
    sandbox, cache_path, monkeypatch
):
    url = sandbox.trade_urls[0]
    with apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=cache_path) as c:
        c.inventory(url)
    real_access = os.access  # as in test_cache: root can write anything, so W_OK is faked

    def access(path, mode, **kwargs):
        locked = mode == os.W_OK and Path(path) in (cache_path, cache_path.parent)
        return False if locked else real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CacheWarning)  # "read-only": test_cache checks it
        client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=cache_path)
    copy = client._location.open_path
    assert copy is not None and copy.exists() and copy != cache_path
    assert client.inventory(url).attrs["from_cache"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        client.close()
        del client
        gc.collect()
    assert not copy.exists() and not copy.parent.exists()


def test_a_write_waits_for_another_connections_write_lock_and_is_kept(tmp_path):
    path = tmp_path / "cache.sqlite"
    table = ThreadedSQLiteDict(path, table_name="t", serializer=None, wal=True)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process's writer, as far as sqlite knows
    blocker.execute("INSERT INTO t (key, value) VALUES ('theirs', x'00')")
    started = threading.Event()

    def write(i: int) -> None:
        started.set()
        table["ours"] = b"kept"  # waits in sqlite's busy handler until the commit below

    thread = threading.Thread(target=write, args=(0,))
    thread.start()
    started.wait()
    blocker.execute("COMMIT")
    blocker.close()
    thread.join()
    assert table["ours"] == b"kept" and sorted(table.keys()) == ["ours", "theirs"]
    table.close()
