"""The disk cache: it cannot run code, it heals or explains, offline and stale modes.

Real sqlite files, real HTTP to the sandbox. Damage is done to the files with
``sqlite3`` and plain file writes, as a crash, a full disk or a stranger would.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import sqlite3
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.fetch.cache import CacheWarning

FAST = apa.RetryPolicy(attempts=2, backoff=0.01, backoff_max=0.02, deadline=10)


def make_client(box, cache, **kwargs) -> apa.AssetPayClient:
    kwargs.setdefault("api_key", box.api_key)
    kwargs.setdefault("retry", FAST)
    return apa.AssetPayClient(base_url=box.url, cache=cache, **kwargs)


def item_ids(box, url) -> list[str]:
    return [item["id"] for item in box.items(url)]


def sent_for(box, url) -> int:
    return len(box.requests_for(str(apa.TradeUrl.parse(url).url)))


def rows(path: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT key, value FROM responses").fetchall()


def set_every_row(path: Path, value: bytes) -> None:
    with sqlite3.connect(path) as con:
        con.execute("UPDATE responses SET value = ?", (value,))
    con.close()


class _Plant:
    """A pickle that, when loaded, creates a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


# --- the cache cannot run code ---------------------------------------------------------


def test_a_planted_pickle_does_not_run_and_is_a_miss(sandbox, cache_path, tmp_path):
    url = sandbox.trade_urls[0]
    make_client(sandbox, cache_path).inventory(url)
    marker = tmp_path / "code-ran"
    planted = pickle.dumps(_Plant(marker))
    pickle.loads(planted)  # proof that the planted row runs code when unpickled
    assert marker.exists()
    marker.unlink()
    set_every_row(cache_path, planted)
    before = sent_for(sandbox, url)
    client = make_client(sandbox, cache_path)
    df = client.inventory(url)
    assert not marker.exists()
    assert df["item_id"].tolist() == item_ids(sandbox, url) and not df.attrs["from_cache"]
    assert sent_for(sandbox, url) == before + 1  # a miss: fetched again, the row replaced
    assert client.inventory(url).attrs["from_cache"]


@pytest.mark.parametrize("junk", [b"\x80\x04K\x01.", b'{"not": "a response"}', b"\xff" * 50])
def test_undecodable_or_wrong_type_rows_are_misses_and_counted(sandbox, cache_path, junk):
    url = sandbox.trade_urls[0]
    client = make_client(sandbox, cache_path)
    client.inventory(url)
    set_every_row(cache_path, junk)
    info = client.cache_info()
    assert (info.entries, info.unreadable) == (0, len(rows(cache_path)))
    df = client.inventory(url)
    assert df["item_id"].tolist() == item_ids(sandbox, url) and not df.attrs["from_cache"]
    assert client.cache_info().unreadable == 0


def test_a_new_client_reads_what_an_earlier_one_stored_before_any_request(sandbox, cache_path):
    """cache_info() and offline answers of a fresh client count and serve the stored rows.

    The rows are checked against the shape of their endpoint's answer; a client knows
    its endpoints from the start, not only once it has sent a request.
    """
    urls = sandbox.trade_urls[:3]
    make_client(sandbox, cache_path).inventories(urls, progress=False)
    stored = len(rows(cache_path))
    fresh = make_client(sandbox, cache_path)
    info = fresh.cache_info()
    assert (info.entries, info.unreadable) == (stored, 0)


# --- the cache heals or explains -------------------------------------------------------


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is a text file, not sqlite\n" * 100)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _malformed(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page : page + 64] = b"\xa5" * 64  # page 2's b-tree header: garbage
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE responses (id INTEGER, body TEXT)")
    con.close()


@pytest.mark.parametrize("damage", [_not_a_database, _truncated, _malformed, _foreign])
def test_a_damaged_file_is_moved_aside_with_one_warning(sandbox, cache_path, damage):
    url = sandbox.trade_urls[1]
    first = make_client(sandbox, cache_path)
    first.inventory(url)
    first.close()
    damage(cache_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = make_client(sandbox, cache_path)
    moved = [w for w in caught if issubclass(w.category, CacheWarning)]
    assert len(moved) == 1
    aside = [p for p in cache_path.parent.glob(f"{cache_path.name}.corrupt-*")
             if not p.name.endswith(("-wal", "-shm"))]  # fmt: skip
    assert len(aside) == 1
    assert str(cache_path) in str(moved[0].message) and str(aside[0]) in str(moved[0].message)
    df = client.inventory(url)
    assert df["item_id"].tolist() == item_ids(sandbox, url) and not df.attrs["from_cache"]
    assert client.inventory(url).attrs["from_cache"]  # the fresh cache works


def test_a_read_only_cache_is_read_and_never_written(sandbox, cache_path, monkeypatch):
    url, other = sandbox.trade_urls[0], sandbox.trade_urls[1]
    warm = make_client(sandbox, cache_path)
    warm.inventory(url)
    warm.close()
    files = {p: p.read_bytes() for p in cache_path.parent.iterdir()}
    # The suite runs as root, for whom no file is read-only: os.access is the one thing
    # faked here (the cache's own check), so the code takes its read-only path for real.
    real_access = os.access

    def access(path, mode, **kwargs):
        locked = mode == os.W_OK and Path(path) in (cache_path, cache_path.parent)
        return False if locked else real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = make_client(sandbox, cache_path)
    ours = [str(w.message) for w in caught if w.category is CacheWarning]
    assert len(ours) == 1 and "read-only" in ours[0]
    gc.collect()  # the private copy lives as long as the client, not as long as __init__
    copy = client._location.open_path
    assert copy is not None and copy.exists() and copy != cache_path
    before = len(sandbox.requests)
    assert client.inventory(url).attrs["from_cache"] and len(sandbox.requests) == before
    assert client.inventory(other)["item_id"].tolist() == item_ids(sandbox, other)
    client.close()
    assert {p: p.read_bytes() for p in cache_path.parent.iterdir()} == files


def test_a_damaged_pages_warning_is_brief_and_names_the_file(sandbox, cache_path):
    """One damaged page makes sqlite report every page it orphaned (thousands of
    characters): the warning quotes the first problem and counts the rest."""
    first = make_client(sandbox, cache_path)
    first.inventories(sandbox.trade_urls[:6], progress=False)  # a file of many pages
    first.close()
    _malformed(cache_path)
    with closing(sqlite3.connect(cache_path)) as con:
        report = "\n".join(row[0] for row in con.execute("PRAGMA quick_check"))
    assert len(report) > 1000  # what the warning used to embed whole
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_client(sandbox, cache_path)
    (message,) = [str(w.message) for w in caught if w.category is CacheWarning]
    (aside,) = cache_path.parent.glob(f"{cache_path.name}.corrupt-*[0-9]Z")
    assert str(cache_path) in message and str(aside) in message  # the file, what was done
    assert "fresh cache" in message and "more problems" in message
    assert len(message) <= 2 * len(str(aside)) + 400  # sqlite's words: one line at most
    assert "\n" not in message


def _chattr(flag: str, *paths: Path) -> bool:
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    done = subprocess.run([chattr, flag, *map(str, paths)], capture_output=True, check=False)
    return done.returncode == 0


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` and its directory read-only for real, for root too.

    ``chmod`` stops every user but root; for root (the suite's user in CI) the
    immutable attribute does it (``chattr +i``: ``os.access`` and ``open`` refuse to
    write, whoever asks). Where that cannot be set (no ``chattr``, no
    CAP_LINUX_IMMUTABLE, a filesystem without the attribute) root cannot be stopped
    from writing a file at all, and the test is skipped saying so.
    """
    modes = {p: p.stat().st_mode & 0o7777 for p in (path, path.parent)}
    path.chmod(0o444)
    path.parent.chmod(0o555)
    immutable = os.geteuid() == 0 and _chattr("+i", path, path.parent)
    try:
        if os.geteuid() == 0 and not immutable:
            pytest.skip("running as root where chattr +i is unavailable: nothing is read-only")
        yield
    finally:
        if immutable:
            _chattr("-i", path, path.parent)
        for p, mode in modes.items():
            p.chmod(mode)


def test_clear_cache_of_a_read_only_file_raises_and_the_rows_stay(sandbox, cache_path):
    urls = sandbox.trade_urls[:3]
    warm = make_client(sandbox, cache_path)
    warm.inventories(urls, progress=False)
    warm.close()
    del warm
    gc.collect()
    stored = rows(cache_path)
    assert len(stored) == 3
    with read_only(cache_path):
        with pytest.warns(CacheWarning, match="read-only"):
            client = make_client(sandbox, cache_path)
        for target in (None, urls[0]):
            with pytest.raises(apa.CacheError) as info:
                client.clear_cache(target)
            message = str(info.value)
            assert str(cache_path) in message and "read-only" in message
            assert "nothing was removed" in message and "permissions" in message
            assert info.value.key == "CACHE_READ_ONLY"
            assert info.value.details["path"] == str(cache_path)
        uri = f"{cache_path.as_uri()}?mode=ro&immutable=1"
        with closing(sqlite3.connect(uri, uri=True)) as con:
            assert con.execute("SELECT key, value FROM responses").fetchall() == stored
        assert client.cache_info().entries == 3  # and the client still serves them
        assert client.inventory(urls[0]).attrs["from_cache"]
        client.close()
    writable = make_client(sandbox, cache_path)  # once writable, clear_cache clears
    assert writable.clear_cache() == 3 and rows(cache_path) == []


def test_clear_cache_of_a_file_broken_in_use_is_a_cache_error(sandbox, cache_path):
    client = make_client(sandbox, cache_path)
    client.inventory(sandbox.trade_urls[0])
    for path in cache_path.parent.iterdir():  # the file, its -wal and -shm
        path.write_bytes(b"overwritten by something else " * 1000)
    with pytest.raises(apa.CacheError, match="nothing was removed") as info:
        client.clear_cache()
    assert str(cache_path) in str(info.value) and info.value.__context__ is None
    assert len(str(info.value)) < 1000


def test_a_location_that_cannot_be_created_names_path_and_variable(sandbox, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    with pytest.raises(apa.CacheError) as info:
        make_client(sandbox, blocker / "cache" / "c.sqlite")
    assert str(blocker / "cache" / "c.sqlite") in str(info.value)
    assert "ASSETPAY_CACHE_DIR" in str(info.value) and info.value.key == "CACHE_UNUSABLE"
    with pytest.warns(CacheWarning, match="memory"):
        client = make_client(sandbox, blocker / "c.sqlite", cache_fallback="memory")
    url = sandbox.trade_urls[0]
    assert client.inventory(url)["item_id"].tolist() == item_ids(sandbox, url)
    assert client.inventory(url).attrs["from_cache"]  # the memory cache serves hits


def _empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _orphan_junk_wal(path: Path) -> Path:
    Path(f"{path}-wal").write_bytes(b"junk" * 100)
    return path


def _junk_shm(path: Path) -> Path:
    Path(f"{path}-shm").write_bytes(b"junk" * 100)
    return path


def _old_schema(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB)")
        con.commit()
    return path


def _directory_named_like_the_file(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize("odd", [_empty_file, _orphan_junk_wal, _junk_shm, _old_schema,
                                 _directory_named_like_the_file])  # fmt: skip
def test_odd_but_usable_cache_files_work(sandbox, tmp_path, odd):
    path = tmp_path / "cache" / "c.sqlite"
    path.parent.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CacheWarning)  # the old schema is moved aside
        client = make_client(sandbox, odd(path))
    url = sandbox.trade_urls[0]
    assert client.inventory(url)["item_id"].tolist() == item_ids(sandbox, url)
    assert client.inventory(url).attrs["from_cache"]


def _dangling_file_link(tmp_path: Path) -> Path:
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "c.sqlite"
    link.symlink_to(tmp_path / "gone" / "c.sqlite")
    return link


def _dangling_directory_link(tmp_path: Path) -> Path:
    (tmp_path / "cachedir").symlink_to(tmp_path / "gone")
    return tmp_path / "cachedir" / "c.sqlite"


def _under_proc(tmp_path: Path) -> Path:
    return Path("/proc/assetpay-analytics/c.sqlite")  # no directory can be created there


@pytest.mark.parametrize("where", [_dangling_file_link, _dangling_directory_link, _under_proc])
def test_unusable_locations_are_cache_errors(sandbox, tmp_path, where):
    path = where(tmp_path)
    before = len(sandbox.requests)
    with pytest.raises(apa.CacheError) as info:
        make_client(sandbox, path)
    assert str(path) in str(info.value) and "ASSETPAY_CACHE_DIR" in str(info.value)
    assert len(sandbox.requests) == before


def test_a_cache_damaged_while_in_use_is_a_cache_error(sandbox, cache_path):
    client = make_client(sandbox, cache_path)
    client.inventory(sandbox.trade_urls[0])
    for path in cache_path.parent.iterdir():  # the file, its -wal and -shm
        path.write_bytes(b"overwritten by something else " * 1000)
    with pytest.raises(apa.CacheError, match="disk cache failed") as info:
        client.inventory(sandbox.trade_urls[1])
    assert info.value.__context__ is None and info.value.__cause__ is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        healed = make_client(sandbox, cache_path)  # the next client moves it aside
    assert [w.category for w in caught].count(CacheWarning) == 1
    url = sandbox.trade_urls[1]
    assert healed.inventory(url)["item_id"].tolist() == item_ids(sandbox, url)


def test_cache_fallback_is_checked():
    with pytest.raises(apa.InvalidRequest, match="cache_fallback"):
        apa.AssetPayClient(api_key="ap_whatever_1", cache=None, cache_fallback="disk")


# --- the trade token is part of the key ------------------------------------------------


def test_another_token_for_a_cached_partner_is_not_served_the_cache(sandbox, cache_path):
    url = apa.TradeUrl.parse(sandbox.trade_urls[0])
    client = make_client(sandbox, cache_path)
    client.inventory(url)
    other = apa.TradeUrl(url.partner, "Wr0ng_tk")
    before = len(sandbox.requests)
    df = client.inventory(other)  # the sandbox does not check tokens; the real API would
    assert not df.attrs["from_cache"] and len(sandbox.requests) == before + 1
    assert client.clear_cache(url) == 2  # both entries are the partner's


# --- offline and stale -------------------------------------------------------------------


def test_offline_serves_the_cache_and_a_miss_sends_nothing(sandbox, cache_path):
    cached, never = sandbox.trade_urls[0], sandbox.trade_urls[1]
    online = make_client(sandbox, cache_path)
    expected = online.inventory(cached)
    offline = make_client(sandbox, cache_path, offline=True)
    before = len(sandbox.requests)
    df = offline.inventory(cached)
    assert df["item_id"].tolist() == expected["item_id"].tolist()
    assert df.attrs["from_cache"] and df.attrs["stale"] is False
    assert pd.Timestamp(df.attrs["fetched_at"]) == online.cache_info().newest
    with pytest.raises(apa.CacheMiss) as info:
        offline.inventory(never)
    assert apa.TradeUrl.parse(never).steam_id in str(info.value)
    batch = offline.inventories([cached, never], progress=False)
    assert batch.attrs["steam_ids"] == [apa.TradeUrl.parse(cached).steam_id]
    assert batch.assetpay.errors["key"].tolist() == ["CACHE_MISS"]
    assert len(sandbox.requests) == before  # offline: nothing was sent
    with pytest.raises(apa.CacheMiss):
        online.inventory(never, offline=True)  # per call
    with pytest.raises(apa.InvalidRequest, match="contradict"):
        online.inventory(cached, offline=True, refresh=True)


def test_offline_serves_expired_entries_marked_stale(sandbox, cache_path):
    url = sandbox.trade_urls[0]
    make_client(sandbox, cache_path, expire_after=0).inventory(url)
    df = make_client(sandbox, cache_path, offline=True).inventory(url)
    assert df.attrs["stale"] is True and df.attrs["from_cache"]
    assert df["item_id"].tolist() == item_ids(sandbox, url)


def test_expire_after_zero_always_fetches_none_never_expires(sandbox, cache_path):
    url = sandbox.trade_urls[0]
    always = make_client(sandbox, cache_path, expire_after=0)
    assert not always.inventory(url).attrs["from_cache"]
    assert not always.inventory(url).attrs["from_cache"]
    never = make_client(sandbox, cache_path.with_name("other.sqlite"), expire_after=None)
    never.inventory(url)
    assert never.inventory(url).attrs["from_cache"]


def test_stale_if_error_serves_an_expired_entry_when_the_upstream_is_down(cache_path):
    with apa.sandbox.serve() as box:
        url = box.trade_urls[0]
        expected = item_ids(box, url)
        make_client(box, cache_path, expire_after=0).inventory(url)
        base_url = box.url
    # the sandbox is gone: connection refused, as a dead upstream
    plain = apa.AssetPayClient(api_key=box.api_key, base_url=base_url, cache=cache_path,
                               retry=FAST, expire_after=0)  # fmt: skip
    with pytest.raises(apa.ServiceUnavailable):
        plain.inventory(url)
    tolerant = apa.AssetPayClient(api_key=box.api_key, base_url=base_url, cache=cache_path,
                                  retry=FAST, expire_after=0,
                                  stale_if_error=timedelta(hours=1))  # fmt: skip
    df = tolerant.inventory(url)
    assert df["item_id"].tolist() == expected
    assert df.attrs["stale"] is True and df.attrs["fetched_at"].endswith("Z")
    too_old = apa.AssetPayClient(api_key=box.api_key, base_url=base_url, cache=cache_path,
                                 retry=FAST, expire_after=0, stale_if_error=0)  # fmt: skip
    with pytest.raises(apa.ServiceUnavailable):
        too_old.inventory(url)
