"""client.check_trade_urls(): POST /secure/check-tradeurl over real HTTP to the sandbox.

The states expected for the special accounts are the sandbox's documented ones
(``apa.sandbox`` module docstring); the body sent is read back from the sandbox's
request log, and the cache file is read as bytes to show no token reaches it.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.endpoints.check_tradeurl import ScreenQuery
from assetpay_analytics.frame.screening import SCREEN_SCHEMA

PATH = "/secure/check-tradeurl"


def client_for(box, **kwargs):
    kwargs.setdefault("cache", None)
    return apa.AssetPayClient(api_key=box.api_key, base_url=box.url, **kwargs)


def checks(box):
    return [r for r in box.requests if r.path == PATH]


def url_of(box, name):
    return box.accounts[name].trade_url


def _plain(df):
    return df.astype(object).where(df.notna(), None).to_dict("records")


def test_each_account_answers_its_documented_state(sandbox):
    names = ["alice", "private", "fetch_failed", "steam_down", "escrow", "vac_banned", "ghost"]
    urls = [url_of(sandbox, "alice" if n == "alice" else n) for n in names]
    df = client_for(sandbox).check_trade_urls(urls, progress=False)
    rows = _plain(df)
    assert [r["state_name"] for r in rows] == [
        "Normal", "InventoryPrivate", "Banned", "SteamUnavailable", "Normal", "CS2Banned",
        "UserNotFound",
    ]  # fmt: skip
    assert [r["input"] for r in rows] == list(range(len(names)))
    assert [r["steam_id"] for r in rows] == [sandbox.accounts[n].steam_id for n in names]
    escrow, vac = rows[4], rows[5]
    assert (escrow["can_trade"], escrow["escrow_days"], escrow["probation"]) == (False, 7, False)
    assert (vac["vac_banned"], vac["game_bans"]) == (True, 1)
    assert rows[0]["can_trade"] is True and rows[0]["vac_banned"] is False
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        c: str(t) for c, t in SCREEN_SCHEMA.items()
    }
    assert df.attrs["errors"] == [] and len(df.attrs["request_ids"]) == len(names)


def test_the_body_is_exactly_tradeurl_and_force_refresh(sandbox):
    client = client_for(sandbox)
    client.check_trade_urls([url_of(sandbox, "alice")], progress=False)
    client.check_trade_urls([url_of(sandbox, "bob")], force_refresh=True, progress=False)
    bodies = [r.body for r in checks(sandbox)]
    assert bodies == [
        {"tradeurl": url_of(sandbox, "alice"), "forceRefresh": False},
        {"tradeurl": url_of(sandbox, "bob"), "forceRefresh": True},
    ]
    assert all(r.method == "POST" and r.params == {} for r in checks(sandbox))


def test_malformed_trade_urls_are_collected_and_never_sent(sandbox):
    urls = ["https://steamcommunity.com/tradeoffer/new/?partner=1&token=short",
            url_of(sandbox, "bob"),
            "https://steamcommunity.com/tradeoffer/new/?partner=abc&token=12345678"]  # fmt: skip
    df = client_for(sandbox).check_trade_urls(urls, progress=False)
    assert len(checks(sandbox)) == 1
    assert df["state_name"].astype(object).where(df["state_name"].notna(), None).tolist() == [
        None, "Normal", None,
    ]  # fmt: skip
    errors = df.assetpay.errors
    assert errors["input"].tolist() == [0, 2]
    assert errors["key"].tolist() == ["INVALID_TRADEURL", "INVALID_TRADEURL"]
    with pytest.raises(apa.InvalidTradeUrl):
        client_for(sandbox).check_trade_urls(urls, errors="raise", progress=False)
    assert len(checks(sandbox)) == 1  # raise mode refuses before any request


def test_answers_are_cached_for_an_hour_and_force_refresh_asks_again(sandbox, cache_path):
    client = client_for(sandbox, cache=cache_path)
    urls = [url_of(sandbox, "alice"), url_of(sandbox, "private")]
    first = client.check_trade_urls(urls, progress=False)
    second = client.check_trade_urls(urls, progress=False)
    assert len(checks(sandbox)) == 2
    assert second.attrs["from_cache"] is True and first.attrs["from_cache"] is False
    pd.testing.assert_frame_equal(first, second)
    client.check_trade_urls(urls, force_refresh=True, progress=False)
    assert len(checks(sandbox)) == 4
    assert [r.body["forceRefresh"] for r in checks(sandbox)] == [False, False, True, True]
    client.close()
    offline = client_for(sandbox, cache=cache_path, offline=True)
    again = offline.check_trade_urls(urls, progress=False)
    assert len(checks(sandbox)) == 4 and again["state_name"].tolist() == (
        first["state_name"].tolist()
    )
    other = offline.check_trade_urls([url_of(sandbox, "bob")], progress=False)
    assert other.assetpay.errors["key"].tolist() == ["CACHE_MISS"]


def test_another_token_for_the_same_account_is_another_answer(sandbox, cache_path):
    client = client_for(sandbox, cache=cache_path)
    good = url_of(sandbox, "alice")
    wrong = good.replace(sandbox.accounts["alice"].token, "Wr0ngTok")
    client.check_trade_urls([good], progress=False)
    df = client.check_trade_urls([wrong], progress=False)
    assert len(checks(sandbox)) == 2  # not served the first token's answer
    assert df["state_name"].tolist() == ["TradeUrlInvalid"]
    client.close()


def test_no_token_or_key_reaches_the_cache_file(sandbox, cache_path):
    client = client_for(sandbox, cache=cache_path)
    client.check_trade_urls([url_of(sandbox, n) for n in ("alice", "escrow")], progress=False)
    client.close()
    raw = cache_path.read_bytes()
    for name in ("alice", "escrow"):
        assert sandbox.accounts[name].token.encode() not in raw
    assert sandbox.api_key.encode() not in raw
    with sqlite3.connect(cache_path) as con:
        assert con.execute("SELECT count(*) FROM responses").fetchone() == (2,)


def test_a_query_shows_no_token():
    url = "https://steamcommunity.com/tradeoffer/new/?partner=42&token=Secr3t_x"
    query = ScreenQuery.build(url)
    assert "Secr3t_x" not in repr(query) and "Secr3t_x" not in repr(dict(query.body))
    assert str(query.body["tradeurl"]) == url
    with pytest.raises(apa.InvalidRequest, match="force_refresh"):
        ScreenQuery.build(url, force_refresh="yes")


def test_a_screened_batch_does_not_request_unreadable_accounts(sandbox):
    names = ["alice", "private", "ghost", "bob", "fetch_failed"]
    client = client_for(sandbox)
    df = client.inventories([url_of(sandbox, n) for n in names], screen=True, progress=False)
    asked = {r.params["tradeUrl"] for r in sandbox.requests if r.path == "/secure/inventory"}
    assert asked == {url_of(sandbox, "alice"), url_of(sandbox, "bob")}
    errors = df.assetpay.errors
    assert errors["input"].tolist() == [1, 2, 4]
    assert errors["key"].tolist() == ["InventoryPrivate", "UserNotFound", "Banned"]
    assert errors["attempts"].tolist() == [0, 0, 0]
    fetched = {sandbox.accounts[n].steam_id for n in ("alice", "bob")}
    assert set(df["steam_id"].astype(str)) == fetched
    plain = client.inventories([url_of(sandbox, n) for n in names], progress=False)
    assert plain.assetpay.errors["attempts"].min() >= 1  # unscreened: every account asked


def test_a_screened_batch_asks_an_account_whose_check_failed(tmp_path):
    with apa.sandbox.serve(rate_limits={"check-tradeurl": (1, 3600.0)}) as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None,
                                    retry=apa.RetryPolicy(attempts=1))  # fmt: skip
        urls = [box.trade_urls[0], box.trade_urls[1]]
        df = client.inventories(urls, screen=True, progress=False)
        assert len(df.attrs["steam_ids"]) == 2 and df.attrs["errors"] == []
        client.close()
