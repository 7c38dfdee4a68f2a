"""client.prices(): GET /secure/prices over real HTTP to the sandbox, as a typed frame.

Expected rows are computed from the sandbox's raw book (``Sandbox.price_book``, the JSON
it serves), not from the frame builder. A book the sandbox never sends (ill-typed) comes
from a tiny local HTTP server in this file.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta

import orjson
import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.constants import GAME_RUST
from assetpay_analytics.fetch.budget import BUDGET_FILE
from assetpay_analytics.frame.book import BOOK_SCHEMA
from tests.raw_server import raw_server


def client_for(box, **kwargs):
    kwargs.setdefault("cache", None)
    return apa.AssetPayClient(api_key=box.api_key, base_url=box.url, **kwargs)


def price_requests(box):
    return [r for r in box.requests if r.path == "/secure/prices"]


def _na_none(values):
    return [None if pd.isna(v) else v for v in values]


def expected_rows(book):
    """(name, phase, item_id, accepted, deposit, standard, instant) per row, by hand."""
    rows = []
    for entry in book:
        withdraw = entry["withdraw"]
        if isinstance(withdraw, dict):
            standard, instant = withdraw["standard"], withdraw["instant"]
        else:
            standard, instant = withdraw, None
        item_id = entry.get("itemId")
        rows.append((entry["marketHashName"], None, item_id, entry["accepted"],
                     entry["deposit"], standard, instant))  # fmt: skip
        for phase in entry.get("phases") or []:
            rows.append((entry["marketHashName"], phase["phase"], item_id, phase["accepted"],
                         phase["deposit"], phase["withdraw"]["standard"],
                         phase["withdraw"]["instant"]))  # fmt: skip
    return rows


def frame_rows(df):
    columns = ["market_hash_name", "phase", "item_id", "accepted", "deposit",
               "withdraw_standard", "withdraw_instant"]  # fmt: skip
    return list(zip(*(_na_none(df[c].astype(object)) for c in columns), strict=True))


@pytest.mark.parametrize("game", ["730", GAME_RUST])
def test_the_book_is_the_sandbox_book_row_by_row(sandbox, game):
    book = client_for(sandbox).prices(game)
    raw = sandbox.price_book(game)
    assert frame_rows(book) == expected_rows(raw)
    assert {c: str(t) for c, t in book.dtypes.items()} == {
        c: str(t) for c, t in BOOK_SCHEMA.items()
    }
    (sent,) = price_requests(sandbox)
    assert sent.params == {"game": game}
    assert book.attrs["game"] == game and book.attrs["from_cache"] is False
    assert book.attrs["request_id"] and book.attrs["anomalies"] == []


def test_doppler_phases_follow_their_entry_and_the_floor_is_the_cheapest(sandbox):
    book = client_for(sandbox).prices()
    doppler = book[book["skin"] == "Doppler"]
    assert doppler["phase"].notna().any()
    for name, rows in doppler.groupby("market_hash_name", observed=True):
        own, phases = rows[rows["phase"].isna()], rows[rows["phase"].notna()]
        assert len(own) == 1 and own.index[0] < phases.index.min(), name
        assert own["deposit"].iloc[0] == phases["deposit"].min()
        by_phase = phases.set_index(phases["phase"].astype(str))["deposit"]
        if {"Ruby", "Phase 1"} <= set(by_phase.index):
            assert by_phase["Ruby"] > by_phase["Phase 1"]


def test_the_book_is_cached_for_an_hour_whatever_the_client_expiry(sandbox, cache_path):
    """expire_after=0 refetches inventories every time; the book keeps its own hour."""
    client = client_for(sandbox, cache=cache_path, expire_after=0)
    first = client.prices()
    second = client.prices()
    assert len(price_requests(sandbox)) == 1
    assert (
        second.attrs["from_cache"] is True
        and second.attrs["request_id"] == (first.attrs["request_id"])
    )
    pd.testing.assert_frame_equal(first, second)
    client.inventory(sandbox.trade_urls[0])
    client.inventory(sandbox.trade_urls[0])
    assert len([r for r in sandbox.requests if r.path == "/secure/inventory"]) == 2
    client.close()
    (row,) = [r for r in stored_rows(cache_path) if "/secure/prices" in r["url"]]
    lifetime = datetime.fromisoformat(row["expires"]) - datetime.fromisoformat(row["created_at"])
    assert abs(lifetime - timedelta(hours=1)) < timedelta(seconds=5)


def stored_rows(path):
    with sqlite3.connect(path) as con:
        return [orjson.loads(value) for (value,) in con.execute("SELECT value FROM responses")]


def test_refresh_bypasses_the_cache_and_offline_reads_it(sandbox, cache_path):
    client = client_for(sandbox, cache=cache_path)
    with pytest.raises(apa.CacheMiss):
        client.prices(offline=True)
    assert price_requests(sandbox) == []  # nothing sent offline
    client.prices()
    again = client.prices(refresh=True)
    assert len(price_requests(sandbox)) == 2 and again.attrs["from_cache"] is False
    client.close()


def test_an_offline_client_reads_the_cached_book_without_a_request(sandbox, cache_path):
    online = client_for(sandbox, cache=cache_path)
    expected = online.prices(GAME_RUST)
    online.close()
    sandbox.reset()
    offline = client_for(sandbox, cache=cache_path, offline=True)
    got = offline.prices(GAME_RUST)
    assert price_requests(sandbox) == [] and got.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(got, expected)
    with pytest.raises(apa.CacheMiss, match="/secure/prices"):
        offline.prices("730")  # only the Rust book was fetched


def test_the_book_spends_the_prices_family_not_the_inventory_one(default_cache_dir):
    with apa.sandbox.serve(rate_limits={"prices": (1, 3600.0)}) as box:
        retry = apa.RetryPolicy(attempts=2, retry_after_max=1)
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None, retry=retry)
        client.prices()
        with pytest.raises(apa.RateLimited) as caught:
            client.prices(refresh=True)
        assert caught.value.status == 429
        assert len(client.inventory(box.trade_urls[0])) > 0  # another family: not paused
        assert [r.status for r in box.requests if r.path == "/secure/prices"][:2] == [200, 429]
        client.close()
    with sqlite3.connect(default_cache_dir / BUDGET_FILE) as con:
        names = {row[0].split(":", 1)[1] for row in con.execute("SELECT name FROM budget")}
    assert {"prices", "inventory"} <= names


# --- a book the sandbox never sends ---------------------------------------------------


def _book_body(data):
    return orjson.dumps({"requestId": "req-bad", "success": True, "data": data})


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([{"itemId": "x", "marketHashName": "AK-47 | Redline (Field-Tested)", "accepted": True,
           "deposit": "30.0", "withdraw": {"standard": 40, "instant": None}}],
         "data[0].deposit must be a number"),
        ({"items": []}, "data is an object, not a list of entries"),
        ([{"marketHashName": "Scrap Pile", "accepted": True, "deposit": 1.0, "withdraw": 2.0}],
         "rust shape"),
    ],
)  # fmt: skip
def test_an_ill_typed_book_is_malformed_and_never_cached(cache_path, data, named):
    with raw_server(200, _book_body(data)) as (server, paths):
        url = f"http://127.0.0.1:{server.server_address[1]}"
        client = apa.AssetPayClient(api_key="ap_test_key", base_url=url, cache=cache_path)
        for _ in range(2):
            with pytest.raises(apa.MalformedResponse, match=re.escape(named)) as caught:
                client.prices()
            assert caught.value.request_id == "req-bad"
        if named != "rust shape":
            assert len(paths) == 2  # not stored: asked again
        client.close()


def test_negative_prices_are_anomalies_not_values(cache_path):
    data = [{"itemId": "x", "marketHashName": "AK-47 | Redline (Field-Tested)", "accepted": True,
             "deposit": -3.0, "withdraw": {"standard": 40.0, "instant": -1.0}}]  # fmt: skip
    with raw_server(200, _book_body(data)) as (server, _):
        url = f"http://127.0.0.1:{server.server_address[1]}"
        book = apa.AssetPayClient(api_key="ap_test_key", base_url=url, cache=None).prices()
    assert pd.isna(book["deposit"].iloc[0]) and pd.isna(book["withdraw_instant"].iloc[0])
    assert book["withdraw_standard"].iloc[0] == 40.0
    assert [(a["field"], a["value"]) for a in book.assetpay.anomalies.to_dict("records")] == [
        ("deposit", "-3.0"), ("withdraw.instant", "-1.0"),
    ]  # fmt: skip


def test_bad_arguments_are_refused_before_any_request(sandbox):
    client = client_for(sandbox)
    for kwargs in ({"game": "440"}, {"refresh": "yes"}):
        with pytest.raises(apa.InvalidRequest):
            client.prices(**kwargs)
    assert price_requests(sandbox) == []


def test_stale_if_error_serves_the_stored_book_when_the_upstream_is_down(cache_path):
    fast = apa.RetryPolicy(attempts=2, backoff=0.01, backoff_max=0.02)
    with apa.sandbox.serve() as box:
        expected = client_for(box, cache=cache_path, retry=fast).prices()
        base_url, key = box.url, box.api_key
    # the sandbox is gone: connection refused, as a dead upstream; refresh asks anyway
    plain = apa.AssetPayClient(api_key=key, base_url=base_url, cache=cache_path, retry=fast)
    with pytest.raises(apa.ServiceUnavailable):
        plain.prices(refresh=True)
    tolerant = apa.AssetPayClient(api_key=key, base_url=base_url, cache=cache_path, retry=fast,
                                  stale_if_error=timedelta(hours=1))  # fmt: skip
    got = tolerant.prices(refresh=True)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["request_id"] == expected.attrs["request_id"]
