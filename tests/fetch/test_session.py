"""fetch.session and fetch.keys: the cache key, the success filter and the cache/budget order."""

from __future__ import annotations

import pandas as pd
import requests
from requests_cache import CacheMixin

from assetpay_analytics.endpoints.inventory import INVENTORY
from assetpay_analytics.fetch.answers import stored_success
from assetpay_analytics.fetch.keys import cache_key as _cache_key
from assetpay_analytics.fetch.keys import key_fingerprint
from assetpay_analytics.fetch.session import BudgetMixin, CachedBudgetSession


def _is_success(response):
    """The filter as the session applies it to an answer of the inventory endpoint."""
    return stored_success(response, INVENTORY)


TRADE = "https://steamcommunity.com/tradeoffer/new/?partner={p}&token={t}"


def prepared(partner=1, token="AbCd1234", key="ap_a", **params):
    request = requests.Request(
        "GET",
        "https://api.assetpay.gg/secure/inventory",
        params={"tradeUrl": TRADE.format(p=partner, t=token), "game": "730", **params},
        headers={"api-key": key},
    )
    return request.prepare()


def test_cache_comes_before_the_budget():
    mro = CachedBudgetSession.__mro__
    assert mro.index(CacheMixin) < mro.index(BudgetMixin) < mro.index(requests.Session)


def test_key_holds_fingerprint_and_partner_but_not_secrets():
    key = _cache_key(prepared(partner=42, token="Secr3t_x", key="ap_secret"))
    fingerprint, partner, _ = key.split(":")
    assert fingerprint == key_fingerprint("ap_secret") and partner == "42"
    assert "Secr3t_x" not in key and "ap_secret" not in key


def test_key_separates_what_must_not_share_entries():
    base = _cache_key(prepared())
    assert _cache_key(prepared(key="ap_b")) != base  # another merchant
    assert _cache_key(prepared(partner=2)) != base  # another account
    assert _cache_key(prepared(search="AK")) != base  # another filter
    assert _cache_key(prepared(page="2")) != base


def test_key_ignores_refresh():
    assert _cache_key(prepared(refresh="true")) == _cache_key(prepared())


def test_key_fingerprints_the_token_without_storing_it():
    # a wrong or revoked token for a cached partner must not be served the cached answer
    base = _cache_key(prepared(token="AbCd1234"))
    other = _cache_key(prepared(token="Other_12"))
    assert other != base
    assert other.split(":")[:2] == base.split(":")[:2]  # same merchant, same partner
    assert "AbCd1234" not in base and "Other_12" not in other


def response(status, body):
    r = requests.Response()
    r.status_code = status
    r._content = body
    return r


def test_only_successful_envelopes_pass_the_filter():
    good = b'{"success": true, "data": {"inventory": [], "count": 0}}'
    assert _is_success(response(200, good))
    # a success envelope of the wrong shape is never cached (it would be served again)
    assert not _is_success(response(200, b'{"success": true, "data": {}}'))
    wrong = b'{"success": true, "data": {"inventory": {}, "count": 0}}'
    assert not _is_success(response(200, wrong))
    assert not _is_success(response(200, b'{"success": false, "error": {"code": 1011}}'))
    assert not _is_success(response(200, b'{"success": "true"}'))
    assert not _is_success(response(200, b'{"success": true, "da'))
    assert not _is_success(response(503, b'{"success": true}'))
    assert not _is_success(response(200, b"[1, 2]"))


def test_a_wide_batch_keeps_every_connection(caplog):
    """16 workers (more than requests' default pool of 10) reuse their connections.

    With the default pool urllib3 logs "Connection pool is full, discarding connection"
    for each connection beyond ten and the next request opens a new one.
    """
    import logging

    import assetpay_analytics as apa
    from assetpay_analytics.sandbox import Faults

    urls = [f"https://steamcommunity.com/tradeoffer/new/?partner={70000 + i}&token=Tok{i:05d}"
            for i in range(48)]  # fmt: skip
    with apa.sandbox.serve(faults=Faults(latency=0.05)) as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        with caplog.at_level(logging.WARNING, logger="urllib3"):
            df = client.inventories(urls, workers=16, progress=False)
        client.close()
    assert df.attrs["errors"] == [] and len(df.attrs["steam_ids"]) == len(urls)
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]


def test_direct_key_equals_the_key_of_the_prepared_request():
    """A hit read by key (no request prepared) finds what requests-cache stored."""
    from assetpay_analytics.fetch.keys import direct_key
    from assetpay_analytics.redact import Sensitive

    url = TRADE.format(p=42, t="Secr3t_x")
    params = {"tradeUrl": Sensitive(url), "game": "730", "page": "1", "limit": "-1",
              "search": "AK-47 | Red line & co"}  # fmt: skip
    request = requests.Request(
        "GET", "https://api.assetpay.gg/secure/inventory", params=params,
        headers={"api-key": "ap_secret"},
    ).prepare()  # fmt: skip
    direct = direct_key(
        "https://api.assetpay.gg/secure/inventory", params, key_fingerprint("ap_secret")
    )
    assert direct == _cache_key(request)


def test_a_post_is_keyed_by_its_json_body_the_token_by_fingerprint_only():
    """check-tradeurl sends its trade URL in the body: the key tells accounts and tokens
    apart, ignores ``forceRefresh``, holds neither token, and ``direct_key`` agrees."""
    from assetpay_analytics.fetch.keys import direct_key
    from assetpay_analytics.fetch.request import json_body
    from assetpay_analytics.redact import Sensitive

    endpoint = "https://api.assetpay.gg/secure/check-tradeurl"

    def prepared(body):
        return requests.Request(
            "POST", endpoint, data=json_body(body), headers={"api-key": "ap_secret",
            "Content-Type": "application/json"},
        ).prepare()  # fmt: skip

    def keys(partner, token, force):
        body = {"tradeurl": Sensitive(TRADE.format(p=partner, t=token)), "forceRefresh": force}
        direct = direct_key(endpoint, {}, key_fingerprint("ap_secret"), method="POST", body=body)
        return direct, _cache_key(prepared(body))

    direct, stored = keys(42, "Secr3t_x", False)
    assert direct == stored and direct.split(":")[1] == "42"
    assert "Secr3t_x" not in direct
    assert keys(42, "Secr3t_x", True)[0] == direct  # forceRefresh only bypasses the cache
    assert keys(42, "Other_t0", False)[0] != direct  # another token: another answer
    assert keys(43, "Secr3t_x", False)[0] != direct
    get = direct_key(endpoint, {}, key_fingerprint("ap_secret"))
    assert get != direct  # a GET of the same URL is another request


def test_a_warm_batch_never_touches_the_http_stack(box, tmp_path, monkeypatch):
    """Cached accounts are read from the backend by key, in the calling thread."""
    import threading

    import assetpay_analytics as apa

    path = tmp_path / "c.sqlite"
    urls = list(box.trade_urls)
    cold = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=path)
    first = cold.inventories(urls, progress=False)
    cold.close()
    warm = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=path)
    sent, threads = [], set()

    def spy(*args, **kwargs):  # a spy, not a fake: records the call and lets it through
        sent.append(args)
        return requests.Session.request(warm._session, *args, **kwargs)

    monkeypatch.setattr(warm._session, "request", spy)
    real_read = warm._reader.read_cached
    monkeypatch.setattr(
        warm._reader, "read_cached",
        lambda *args: (threads.add(threading.current_thread().name), real_read(*args))[1],
    )  # fmt: skip
    again = warm.inventories(urls, progress=False)
    assert sent == [] and threads == {threading.current_thread().name}
    assert again.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(again, first)
