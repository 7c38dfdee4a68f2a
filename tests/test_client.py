"""AssetPayClient over real HTTP against the sandbox on 127.0.0.1 (no mocks of requests).

Each test that uses the sandbox runs twice, once per dialect ("gg": validation 422,
INVENTORY_FETCH_FAILED 424; "co": 400 and 500). A few answers the sandbox never gives
(a 200 carrying an error envelope, a redirect) are served by a tiny local HTTP server
in this file. The sandbox's own faults are exercised in test_integrity, test_retry and
test_batch.
"""

from __future__ import annotations

import pandas as pd
import pytest
import requests

import assetpay_analytics as apa
from assetpay_analytics import frame
from assetpay_analytics.client import RetryPolicy
from assetpay_analytics.endpoints.inventory import INVENTORY
from tests.raw_server import raw_server
from tests.strategies import dtype_kinds

FAST = RetryPolicy(attempts=4, backoff=0.01, backoff_max=0.05)


@pytest.fixture(scope="module", params=["gg", "co"])
def box(request):
    """Every test here runs against both documentations' statuses (the sandbox dialects)."""
    with apa.sandbox.serve(dialect=request.param) as server:
        yield server


def make_client(box, cache=None, **kwargs) -> apa.AssetPayClient:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("api_key", box.api_key)
    return apa.AssetPayClient(base_url=box.url, cache=cache, **kwargs)


def inventory_requests(box, account=None):
    records = box.requests_for(account) if account else box.requests
    return [r for r in records if r.path == "/secure/inventory"]


# --- whole inventories --------------------------------------------------------------


def test_multi_page_inventory_equals_the_sandbox_item_by_item():
    with apa.sandbox.serve(page_cap=37) as box:
        name = max(
            (a for a in box.accounts.values() if a.kind == "normal" and "730" in a.games),
            key=lambda a: len(box.items(a.name)),
        ).name
        raw = box.items(name)
        assert len(raw) > 37 * 2, "need an account spanning several pages"
        df = make_client(box).inventory(box.accounts[name].trade_url)
        sent = inventory_requests(box, name)
    assert len(sent) == -(-len(raw) // 37)  # ceil: one request per page
    assert [r.params["page"] for r in sent] == [str(i + 1) for i in range(len(sent))]
    assert sent[0].params["limit"] == "-1"
    assert df["item_id"].tolist() == [item["id"] for item in raw]
    expected = frame.from_items(raw, steam_id=box.accounts[name].steam_id)
    columns = [c for c in frame.SCHEMA if c != "updated_at"]
    pd.testing.assert_frame_equal(df[columns], expected[columns])
    assert df.attrs["count"] == len(raw)
    assert len(df.attrs["request_ids"]) == len(sent)


def test_unlimited_page_is_one_request(sandbox):
    url = sandbox.trade_urls[0]
    df = make_client(sandbox).inventory(url)
    sent = inventory_requests(sandbox, url)
    assert len(sent) == 1 and sent[0].params["limit"] == "-1"
    assert len(df) == len(sandbox.items(url)) == df.attrs["count"]
    assert df.attrs["steam_id"] == apa.TradeUrl.parse(url).steam_id


def test_trade_url_is_parsed_once_per_call(sandbox, monkeypatch):
    # A spy around the real parser (it still parses): main parsed twice per call.
    calls = []
    real = apa.TradeUrl.parse.__func__

    def counting(cls, value):
        calls.append(value)
        return real(cls, value)

    monkeypatch.setattr(apa.TradeUrl, "parse", classmethod(counting))
    with apa.sandbox.serve(page_cap=10) as box:
        df = make_client(box).inventory(box.trade_urls[0])
    assert len(inventory_requests(box)) > 1, "several pages, still one parse"
    assert calls == [box.trade_urls[0]]
    assert len(df) == df.attrs["count"]


def test_documented_query_names_are_sent(sandbox):
    url = sandbox.trade_urls[1]
    make_client(sandbox).inventory(
        url, "730", search="a", sort="priceDesc", min_price=1, max_price=500.5, accepted_only=True
    )
    params = inventory_requests(sandbox, url)[0].params
    assert params["tradeUrl"] == apa.TradeUrl.parse(url).url
    assert params["game"] == "730"
    assert params["search"] == "a" and params["sort"] == "priceDesc"
    assert params["minPrice"] == "1" and params["maxPrice"] == "500.5"
    assert params["acceptedOnly"] == "true"
    assert "refresh" not in params


def test_filters_match_the_raw_items(sandbox):
    url = sandbox.trade_urls[1]
    df = make_client(sandbox).inventory(url, min_price=5, max_price=50, sort="priceAsc")
    raw = sandbox.items(url)
    expected = sorted(
        (
            item
            for item in raw
            if item.get("offer")
            and item["offer"].get("price") is not None
            and 5 <= item["offer"]["price"] <= 50
        ),
        key=lambda item: item["offer"]["price"],
    )
    assert df["offer_price"].tolist() == [item["offer"]["price"] for item in expected]


def test_rust_and_empty_inventories_are_typed_like_the_rest(sandbox):
    client = make_client(sandbox)
    rust_account = next(a for a in sandbox.accounts.values() if a.games == ("252490",))
    rust = client.inventory(rust_account.trade_url, game="252490")
    empty = client.inventory(sandbox.accounts["empty"].trade_url)
    cs2 = client.inventory(sandbox.trade_urls[0])
    for df in (rust, empty):
        assert list(df.columns) == list(cs2.columns)
        assert dtype_kinds(df) == dtype_kinds(cs2)
    assert len(empty) == 0 and empty.attrs["count"] == 0
    assert len(rust) == len(sandbox.items(rust_account.name, game="252490"))
    assert rust["exterior"].isna().all() and (rust["game"] == "252490").all()
    assert (rust["amount"] > 1).any()


# --- the disk cache -----------------------------------------------------------------


def test_second_call_is_served_from_disk_with_no_request(sandbox, cache_path):
    url = sandbox.trade_urls[0]
    first = make_client(sandbox, cache=cache_path).inventory(url)
    assert first.attrs["from_cache"] is False
    assert len(inventory_requests(sandbox)) == 1
    again = make_client(sandbox, cache=cache_path)
    second = again.inventory(url)  # a new client on the same file
    third = again.inventory(url)
    assert len(inventory_requests(sandbox)) == 1
    assert second.attrs["from_cache"] is True and third.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(first, second)
    assert again.cache_info().entries == 1


def test_refresh_reaches_the_server_with_refresh_true(sandbox, cache_path):
    url = sandbox.trade_urls[0]
    client = make_client(sandbox, cache=cache_path)
    client.inventory(url)
    refreshed = client.inventory(url, refresh=True)
    sent = inventory_requests(sandbox)
    assert len(sent) == 2
    assert sent[1].params.get("refresh") == "true"
    assert refreshed.attrs["from_cache"] is False
    assert client.inventory(url).attrs["from_cache"] is True  # the refreshed copy is cached


def test_different_filters_and_accounts_are_different_entries(sandbox, cache_path):
    client = make_client(sandbox, cache=cache_path)
    a, b = sandbox.trade_urls[:2]
    client.inventory(a)
    client.inventory(b)
    client.inventory(a, search="AK")
    assert len(inventory_requests(sandbox)) == 3
    assert client.inventory(b)["steam_id"].iloc[0] == apa.TradeUrl.parse(b).steam_id


def test_two_api_keys_never_share_entries(sandbox, cache_path):
    url = sandbox.trade_urls[0]
    make_client(sandbox, cache=cache_path).inventory(url)
    other = make_client(sandbox, cache=cache_path, api_key="ap_sandbox_someone_else")
    with pytest.raises(apa.AuthenticationError):
        other.inventory(url)  # not served the first merchant's cached copy
    assert len(inventory_requests(sandbox)) == 2


def test_errors_are_never_cached(sandbox, cache_path):
    client = make_client(sandbox, cache=cache_path)
    for _ in range(2):
        with pytest.raises(apa.InventoryUnavailable):
            client.inventory(sandbox.accounts["private"].trade_url)
    assert len(inventory_requests(sandbox)) == 2
    assert client.cache_info().entries == 0


def test_secrets_never_reach_the_cache_file(sandbox, cache_path):
    url = sandbox.accounts["flaky"].trade_url
    client = make_client(sandbox, cache=cache_path)
    client.inventory(sandbox.trade_urls[0])
    client.inventory(url)
    client.close()
    blob = b"".join(p.read_bytes() for p in cache_path.parent.iterdir())
    assert sandbox.api_key.encode() not in blob
    for trade_url in (sandbox.trade_urls[0], url):
        assert apa.TradeUrl.parse(trade_url).token.encode() not in blob


def test_cache_info_and_clear_cache(sandbox, cache_path):
    client = make_client(sandbox, cache=cache_path)
    a, b = sandbox.trade_urls[:2]
    client.inventory(a)
    client.inventory(b)
    info = client.cache_info()
    assert info.entries == 2 and info.size_bytes > 0 and info.path == cache_path
    assert info.oldest <= info.newest
    assert client.clear_cache(a) == 1
    assert client.cache_info().entries == 1
    assert client.inventory(b).attrs["from_cache"] is True
    assert client.inventory(a).attrs["from_cache"] is False
    assert client.clear_cache() == 2
    assert client.cache_info().entries == 0


def test_cache_dir_environment_variable(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSETPAY_CACHE_DIR", str(tmp_path / "moved"))
    client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url)
    client.inventory(sandbox.trade_urls[0])
    assert client.cache_path == tmp_path / "moved" / "http-cache.sqlite"
    assert client.cache_path.exists()


def test_cache_hits_do_not_spend_the_rate_budget(sandbox, cache_path):
    # Unverified: 100 requests a minute, one slot every ~0.6 s. Each request that goes
    # out moves the budget's next slot on; 150 cache hits must leave it where it was.
    client = make_client(sandbox, cache=cache_path, verified=False)
    budget = client._budgets.budget(INVENTORY.family)
    url = sandbox.trade_urls[0]
    client.inventory(url)
    after_miss = budget.state()
    for _ in range(150):
        client.inventory(url)
    assert budget.state() == after_miss
    assert len(inventory_requests(sandbox)) == 1


def test_injected_session_is_used(sandbox):
    session = requests.Session()
    seen = []
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r.status_code))
    client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, session=session)
    client.inventory(sandbox.trade_urls[0])
    assert seen == [200]
    assert client.cache_info().entries == 0


# --- errors and retries -------------------------------------------------------------


def test_private_account_is_inventory_unavailable_after_one_request(sandbox):
    url = sandbox.accounts["private"].trade_url
    with pytest.raises(apa.InventoryUnavailable) as info:
        make_client(sandbox).inventory(url)
    err = info.value
    assert (err.code, err.key, err.status) == (7, "USER_NOT_TRADEABLE", 400)
    assert err.request_id and len(err.request_id) >= 8
    assert len(inventory_requests(sandbox)) == 1


@pytest.mark.parametrize(("dialect", "status"), [("co", 500), ("gg", 424)])
def test_fetch_failed_is_permanent_despite_a_retryable_status(dialect, status):
    with apa.sandbox.serve(dialect=dialect) as box:
        with pytest.raises(apa.InventoryUnavailable) as info:
            make_client(box).inventory(box.accounts["fetch_failed"].trade_url)
        assert (info.value.code, info.value.status) == (3, status)
        assert len(inventory_requests(box)) == 1


def test_wrong_key_is_authentication_error_not_retried(sandbox):
    with pytest.raises(apa.AuthenticationError) as info:
        make_client(sandbox, api_key="ap_wrong_key_123").inventory(sandbox.trade_urls[0])
    assert info.value.key == "INVALID_API_KEY" and info.value.status == 401
    assert len(inventory_requests(sandbox)) == 1


def test_transient_1011_twice_then_success(sandbox):
    url = sandbox.accounts["flaky"].trade_url
    df = make_client(sandbox).inventory(url)
    sent = inventory_requests(sandbox, url)
    assert [r.status for r in sent] == [503, 503, 200]
    assert [r.key for r in sent][:2] == ["FLEET_DEGRADED", "FLEET_DEGRADED"]
    assert len(df) == len(sandbox.items(url)) > 0


def test_retry_after_is_honoured(sandbox):
    url = sandbox.accounts["throttled"].trade_url
    df = make_client(sandbox).inventory(url)
    sent = inventory_requests(sandbox, url)
    assert [r.status for r in sent] == [429, 200]
    # The sandbox says Retry-After: 1; our backoff alone would wait ~0.01 s.
    assert sent[1].time - sent[0].time >= 0.95
    assert len(df) > 0


def test_persistent_31_gives_service_unavailable_after_bounded_tries(sandbox):
    policy = RetryPolicy(attempts=3, backoff=0.01, backoff_max=0.02)
    with pytest.raises(apa.ServiceUnavailable) as info:
        make_client(sandbox, retry=policy).inventory(sandbox.accounts["steam_down"].trade_url)
    assert info.value.code == 31 and info.value.key == "STEAM_UNAVAILABLE"
    assert "3 attempts" in str(info.value)
    assert len(inventory_requests(sandbox)) == 3


def test_long_retry_after_is_not_waited_for():
    with apa.sandbox.serve(rate_limit=(1, 3600)) as box:
        client = make_client(box, retry=RetryPolicy(attempts=5, retry_after_max=10))
        client.inventory(box.trade_urls[0])
        with pytest.raises(apa.RateLimited) as info:
            client.inventory(box.trade_urls[1])
        assert info.value.retry_after > 10
        assert len(inventory_requests(box)) == 2


def test_connection_refused_is_service_unavailable_without_the_key():
    client = apa.AssetPayClient(
        api_key="ap_secret_value_1",
        base_url="http://127.0.0.1:9",
        cache=None,
        retry=RetryPolicy(attempts=2, backoff=0.01),
    )
    with pytest.raises(apa.ServiceUnavailable) as info:
        client.inventory("https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234")
    assert "ap_secret_value_1" not in str(info.value)
    assert "AbCd1234" not in str(info.value)


# --- local validation, before any request --------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"trade_url": "https://example.com/tradeoffer/new/?partner=1&token=AbCd1234"}, "host"),
        ({"game": "440"}, "game must be one of"),
        ({"game": None}, "game must be one of"),
        ({"sort": "cheapest"}, "sort must be one of"),
        ({"search": "x" * 101}, "at most 100"),
        ({"search": 5}, "search must be a string"),
        ({"min_price": -1}, "0 or more"),
        ({"min_price": float("nan")}, "finite"),
        ({"max_price": "10"}, "finite number"),
        ({"min_price": 10, "max_price": 5}, "above max_price"),
        ({"refresh": "yes"}, "refresh must be"),
        ({"accepted_only": 1}, "accepted_only must be"),
    ],
)
def test_bad_arguments_are_rejected_before_any_request(sandbox, kwargs, names):
    kwargs = {"trade_url": sandbox.trade_urls[0], **kwargs}
    with pytest.raises(apa.InvalidRequest) as info:
        make_client(sandbox).inventory(**kwargs)
    assert names in str(info.value)
    assert isinstance(info.value, ValueError)
    assert sandbox.requests == []


def test_pages_validates_eagerly(sandbox):
    with pytest.raises(apa.InvalidRequest):
        make_client(sandbox).pages(sandbox.trade_urls[0], sort="bad")  # not iterated
    assert sandbox.requests == []


def test_missing_key_names_the_variable_and_the_sandbox(monkeypatch):
    monkeypatch.delenv("ASSETPAY_API_KEY", raising=False)
    with pytest.raises(apa.AuthenticationError) as info:
        apa.AssetPayClient()
    assert "ASSETPAY_API_KEY" in str(info.value) and "sandbox" in str(info.value)


def test_key_from_environment(sandbox, monkeypatch):
    monkeypatch.setenv("ASSETPAY_API_KEY", sandbox.api_key)
    df = apa.AssetPayClient(base_url=sandbox.url, cache=None).inventory(sandbox.trade_urls[0])
    assert len(df) > 0


def test_plain_http_only_for_loopback():
    with pytest.raises(apa.InvalidRequest, match="https"):
        apa.AssetPayClient(api_key="k", base_url="http://api.assetpay.gg", cache=None)


def test_key_is_absent_from_repr_vars_and_errors(sandbox, cache_path):
    secret = "ap_sandbox_not_the_key_42"
    client = make_client(sandbox, cache=cache_path, api_key=secret)
    texts = [repr(client), str(vars(client))]
    for call in (
        lambda: client.inventory(sandbox.trade_urls[0]),
        lambda: client.inventory("bad url"),
        lambda: client.inventory(sandbox.trade_urls[0], game="1"),
    ):
        with pytest.raises(apa.AssetPayError) as info:
            call()
        texts += [str(info.value), repr(info.value), str(info.value.args)]
    assert all(secret not in text for text in texts)


# --- many accounts ------------------------------------------------------------------


def test_batch_with_a_private_account_keeps_the_others(sandbox):
    good = sandbox.trade_urls[:2]
    private = sandbox.accounts["private"]
    df = make_client(sandbox).inventories([good[0], private.trade_url, good[1]], progress=False)
    expected_ids = [apa.TradeUrl.parse(u).steam_id for u in good]
    assert df["steam_id"].unique().tolist() == expected_ids
    assert len(df) == sum(len(sandbox.items(u)) for u in good)
    errors = df.assetpay.errors
    assert errors.columns.tolist() == [
        "steam_id", "input", "trade_url", "code", "key", "status", "message", "request_id",
        "attempts", "elapsed",
    ]  # fmt: skip
    assert errors["steam_id"].tolist() == [private.steam_id]
    assert errors["input"].tolist() == [1]  # its position in the list given
    assert errors["key"].tolist() == ["USER_NOT_TRADEABLE"] and errors["code"].tolist() == [7]
    assert errors["status"].tolist() == [400] and errors["attempts"].tolist() == [1]
    assert errors["request_id"].notna().all()
    # the trade URL is traceable but its token is masked
    token = private.trade_url.split("token=")[1]
    assert errors["trade_url"].str.contains(f"partner={private.partner}").all()
    assert token not in errors["trade_url"].iloc[0]


def test_batch_collects_invalid_urls_without_a_request(sandbox):
    df = make_client(sandbox).inventories(["not a url", sandbox.trade_urls[0]], progress=False)
    errors = df.assetpay.errors
    assert errors["key"].tolist() == ["INVALID_TRADEURL"] and errors["input"].tolist() == [0]
    assert len(inventory_requests(sandbox)) == 1


def test_batch_raise_mode(sandbox):
    with pytest.raises(apa.InvalidTradeUrl):
        make_client(sandbox).inventories(["nope", sandbox.trade_urls[0]], errors="raise")
    assert sandbox.requests == []
    with pytest.raises(apa.InventoryUnavailable):
        make_client(sandbox).inventories(
            [sandbox.accounts["private"].trade_url], errors="raise", progress=False
        )


def test_batch_concurrent_equals_one_by_one(sandbox):
    client = make_client(sandbox)
    urls = list(sandbox.trade_urls)
    together = client.inventories(urls + urls[:1], workers=4, progress=False)  # a repeat
    alone = apa.frame.concat([client.inventory(u) for u in urls])
    pd.testing.assert_frame_equal(together, alone, check_like=False)
    assert together.attrs["steam_ids"] == [apa.TradeUrl.parse(u).steam_id for u in urls]
    assert together.attrs["errors"] == [] and together.assetpay.errors.empty


def test_batch_argument_validation(sandbox):
    client = make_client(sandbox)
    for kwargs in (
        {"workers": 0}, {"errors": "ignore"}, {"game": "1"}, {"sort": "x"},
        {"refresh": "yes"}, {"give_up_after": 0},
    ):  # fmt: skip
        with pytest.raises(apa.InvalidRequest):
            client.inventories(sandbox.trade_urls, **kwargs)
    with pytest.raises(apa.InvalidRequest, match="list"):
        client.inventories(sandbox.trade_urls[0])
    with pytest.raises(apa.InvalidRequest, match="got int"):
        client.inventories(5)
    assert sandbox.requests == []


# --- server answers the sandbox never gives ------------------------------------------


URL = "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234"


def local_client(server, cache=None):
    return apa.AssetPayClient(
        api_key="k",
        base_url=f"http://127.0.0.1:{server.server_address[1]}",
        cache=cache,
        retry=RetryPolicy(attempts=3, backoff=0.01),
    )


def test_error_envelope_on_http_200_is_retried_and_never_cached(cache_path):
    body = (
        b'{"requestId":"r","success":false,'
        b'"error":{"code":1011,"key":"FLEET_DEGRADED","message":"x"}}'
    )
    with raw_server(200, body) as (server, hits):
        client = local_client(server, cache=cache_path)
        with pytest.raises(apa.ServiceUnavailable):
            client.inventory(URL)
        assert len(hits) == 3
        assert client.cache_info().entries == 0


def test_truncated_body_is_retried(cache_path):
    with raw_server(200, b'{"requestId":"r","success":true,"data":{"inv') as (server, hits):
        with pytest.raises(apa.ServiceUnavailable, match="not a JSON envelope"):
            local_client(server, cache=cache_path).inventory(URL)
        assert len(hits) == 3


def test_non_json_502_maps_by_status():
    with raw_server(502, b"<html>Bad gateway</html>") as (server, hits):
        with pytest.raises(apa.ServiceUnavailable) as info:
            local_client(server).inventory(URL)
        assert info.value.status == 502 and len(hits) == 3


def test_an_answer_without_an_envelope_takes_its_request_id_from_the_header():
    """On main a proxy's HTML 502 gave request_id None although x-request-id named it."""
    headers = {"x-request-id": "7f0c2b1e-5d2a-4c53-9a43-1b2f3e4d5c6b"}
    page = b"<html>Bad gateway</html>"
    with (
        raw_server(502, page, headers) as (server, _),
        pytest.raises(apa.ServiceUnavailable) as info,
    ):
        local_client(server).inventory(URL)
    assert info.value.request_id == headers["x-request-id"]


def test_the_sandbox_html_502_names_the_clients_request_id():
    with apa.sandbox.serve(faults=apa.sandbox.Faults(html_rate=1.0, seed=3)) as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None,
                                    retry=apa.RetryPolicy(attempts=1))  # fmt: skip
        with pytest.raises(apa.ServiceUnavailable) as info:
            client.inventory(box.trade_urls[0])
        sent = [r.client_request_id for r in box.requests]
    assert info.value.request_id is not None and info.value.request_id in sent


def test_redirect_is_not_followed():
    with raw_server(302, b"", {"Location": "http://127.0.0.1:9/steal"}) as (server, hits):
        with pytest.raises(apa.AssetPayError, match="redirect"):
            local_client(server).inventory(URL)
        assert len(hits) == 1
