"""The sandbox over real HTTP: the contract, the special accounts, faults and the data."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
import requests

import assetpay_analytics as apa
from assetpay_analytics.constants import DOPPLER_PAINT_INDEX, EXTERIOR_FLOAT_RANGES, EXTERIORS
from assetpay_analytics.sandbox import SANDBOX_API_KEY, Faults, data, serve
from tests.sandbox_http import get, in_another_process, ok

ROOT = Path(__file__).resolve().parents[2]


def error(response, status, code, key):
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert (body["error"]["code"], body["error"]["key"]) == (code, key)
    assert body["error"]["message"]
    uuid.UUID(body["requestId"])
    return body


def test_envelope(sandbox):
    response = get(sandbox, tradeUrl=sandbox.trade_urls[0], limit=-1)
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"requestId", "success", "data"}
    uuid.UUID(body["requestId"])
    data = body["data"]
    assert set(data) == {"inventory", "count", "updatedAt", "collateral"}
    assert data["collateral"] == 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["updatedAt"])
    assert data["count"] == len(data["inventory"]) == len(sandbox.items(sandbox.trade_urls[0]))


def test_auth(sandbox):
    url = sandbox.trade_urls[0]
    error(get(sandbox, key=None, tradeUrl=url), 401, 1900, "MISSING_API_KEY")
    error(get(sandbox, key="ap_wrong", tradeUrl=url), 401, 1901, "INVALID_API_KEY")
    record = sandbox.requests[-1]
    assert record.has_api_key and "ap_wrong" not in repr(record)


@pytest.mark.parametrize(
    "url",
    [
        "http://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234",
        "https://steamcommunity.com/tradeoffer/new/?token=AbCd1234&partner=1",
        "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd12",
        "https://steamcommunity.com/tradeoffer/new/?partner=4294967296&token=AbCd1234",
        "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234&x=1",
        # a full match: ``$`` once let a trailing newline through
        "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234\n",
        "https://steamcommunity.com/tradeoffer/new/?partner=103582791&token=aL1ce_01\n",
        "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234 ",
        "\nhttps://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234",
        "",
    ],
)
def test_invalid_trade_url(sandbox, url):
    error(get(sandbox, tradeUrl=url), 400, 13, "INVALID_TRADEURL")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"game": "440"}, "game"),
        ({"sort": "cheapest"}, "sort"),
        ({"search": "x" * 101}, "search"),
        ({"minPrice": "abc"}, "minPrice"),
        ({"minPrice": "-1"}, "minPrice"),
        ({"minPrice": "10", "maxPrice": "5"}, "minPrice"),
        ({"page": "0"}, "page"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-2"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"acceptedOnly": "maybe"}, "acceptedOnly"),
        ({"refresh": "yes"}, "refresh"),
    ],
)
def test_validation(sandbox, params, field):
    body = error(get(sandbox, tradeUrl=sandbox.trade_urls[0], **params), 422, 1001,
                 "VALIDATION_FAILED")  # fmt: skip
    assert field in body["error"]["fields"]


def offer(item):
    return (item.get("offer") or {}).get("price")


def test_filters_against_the_raw_items(sandbox):
    url = sandbox.trade_urls[2]
    raw = sandbox.items(url)
    data = ok(sandbox, tradeUrl=url, limit=-1, search="ak-47")
    expected = [i for i in raw if "ak-47" in f"{i.get('name')}\n{i.get('marketHashName')}".lower()]
    assert [i["id"] for i in data["inventory"]] == [i["id"] for i in expected]
    assert data["count"] == len(expected) > 0
    data = ok(sandbox, tradeUrl=url, limit=-1, minPrice=10, maxPrice=100)
    expected = [i for i in raw if offer(i) is not None and 10 <= offer(i) <= 100]
    assert [i["id"] for i in data["inventory"]] == [i["id"] for i in expected]
    data = ok(sandbox, tradeUrl=url, limit=-1, acceptedOnly="true")
    accepted = [i for i in raw
                if ((i.get("offer") or {}).get("accepted", i.get("accepted"))) is True]  # fmt: skip
    assert [i["id"] for i in data["inventory"]] == [i["id"] for i in accepted]


def test_sorts(sandbox):
    url = sandbox.trade_urls[1]
    raw = sandbox.items(url)
    asc = ok(sandbox, tradeUrl=url, limit=-1, sort="priceAsc")["inventory"]
    prices = [offer(i) for i in asc]
    with_offer = [p for p in prices if p is not None]
    assert with_offer == sorted(offer(i) for i in raw if offer(i) is not None)
    assert prices[len(with_offer) :] == [None] * (len(prices) - len(with_offer))  # none last
    desc = ok(sandbox, tradeUrl=url, limit=-1, sort="priceDesc")["inventory"]
    assert [offer(i) for i in desc if offer(i) is not None] == sorted(with_offer, reverse=True)
    names = [
        i["marketHashName"]
        for i in ok(sandbox, tradeUrl=url, limit=-1, sort="nameAsc")["inventory"]
    ]
    assert names == sorted(i["marketHashName"] for i in raw)
    relevance = ok(sandbox, tradeUrl=url, limit=-1, sort="relevance")["inventory"]
    assert [i["id"] for i in relevance] == [i["id"] for i in raw]


def test_paging_and_count(sandbox):
    url = sandbox.trade_urls[1]
    raw = sandbox.items(url)
    first = ok(sandbox, tradeUrl=url)  # default page 1, limit 50
    assert len(first["inventory"]) == 50 and first["count"] == len(raw)
    pages = [ok(sandbox, tradeUrl=url, page=p, limit=40)["inventory"] for p in range(1, 6)]
    assert [i["id"] for page in pages for i in page] == [i["id"] for i in raw]
    assert ok(sandbox, tradeUrl=url, page=99, limit=40)["inventory"] == []


def test_page_cap_ignores_unlimited():
    with serve(page_cap=25) as box:
        url = box.trade_urls[1]
        data = ok(box, tradeUrl=url, limit=-1)
        assert len(data["inventory"]) == 25 and data["count"] == len(box.items(url))
        assert len(ok(box, tradeUrl=url, limit=10)["inventory"]) == 10


def test_games(sandbox):
    rust = sandbox.accounts["rusty"]
    assert ok(sandbox, tradeUrl=rust.trade_url, game="252490", limit=-1)["count"] == 60
    assert ok(sandbox, tradeUrl=rust.trade_url, limit=-1)["count"] == 0  # no CS2 items
    both = sandbox.accounts["erin"]
    assert ok(sandbox, tradeUrl=both.trade_url, game="252490", limit=-1)["count"] > 0
    assert ok(sandbox, tradeUrl=both.trade_url, game="730", limit=-1)["count"] > 0


def test_special_accounts(sandbox):
    accounts = sandbox.accounts
    error(get(sandbox, tradeUrl=accounts["private"].trade_url), 400, 7, "USER_NOT_TRADEABLE")
    # the default "gg" dialect answers as the OpenAPI document does (the "co" one: 500)
    error(get(sandbox, tradeUrl=accounts["fetch_failed"].trade_url), 424, 3,
          "INVENTORY_FETCH_FAILED")  # fmt: skip
    error(get(sandbox, tradeUrl=accounts["steam_down"].trade_url), 424, 31, "STEAM_UNAVAILABLE")
    assert ok(sandbox, tradeUrl=accounts["empty"].trade_url, limit=-1) | {"updatedAt": 0} == {
        "inventory": [], "count": 0, "updatedAt": 0, "collateral": 0}  # fmt: skip


def test_flaky_and_throttled_counters_and_reset(sandbox):
    flaky = sandbox.accounts["flaky"].trade_url
    for _ in range(2):
        error(get(sandbox, tradeUrl=flaky), 503, 1011, "FLEET_DEGRADED")
    assert ok(sandbox, tradeUrl=flaky, limit=-1)["count"] == 24
    throttled = sandbox.accounts["throttled"].trade_url
    response = error(get(sandbox, tradeUrl=throttled), 429, 1005, "RATE_LIMITED")
    assert response and get(sandbox, tradeUrl=throttled).status_code == 200
    sandbox.reset()
    assert sandbox.requests == []
    assert get(sandbox, tradeUrl=flaky).status_code == 503
    first = get(sandbox, tradeUrl=throttled)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"


def test_rate_limit_with_retry_after():
    with serve(rate_limit=(3, 30)) as box:
        url = box.trade_urls[0]
        assert [get(box, tradeUrl=url).status_code for _ in range(3)] == [200] * 3
        limited = get(box, tradeUrl=url)
        error(limited, 429, 1005, "RATE_LIMITED")
        assert 1 <= int(limited.headers["Retry-After"]) <= 30


def test_unverified_merchant_limit_is_100_a_minute():
    with serve(verified=False) as box:
        url = box.trade_urls[0]
        codes = [get(box, tradeUrl=url, limit=1).status_code for _ in range(101)]
        assert codes[:100] == [200] * 100 and codes[100] == 429


def test_faults_are_deterministic_for_a_seed():
    def statuses(seed):
        with serve(faults=Faults(error_rate=0.3, rate_limit_rate=0.2, seed=seed)) as box:
            return [get(box, tradeUrl=box.trade_urls[0], limit=1).status_code for _ in range(40)]

    first = statuses(7)
    assert first == statuses(7)
    assert {200, 429, 503} <= set(first)
    assert statuses(8) != first


def test_faults_reject_bad_shares():
    with pytest.raises(ValueError):
        Faults(error_rate=1.5)


def test_unknown_path_and_method(sandbox):
    # the api key is checked before the route: an unknown path without a key is a 401
    error(requests.get(f"{sandbox.url}/secure/nothing", timeout=5), 401, 1900, "MISSING_API_KEY")
    response = requests.get(f"{sandbox.url}/secure/nothing", timeout=5,
                            headers={"api-key": SANDBOX_API_KEY})  # fmt: skip
    error(response, 404, 1003, "NOT_FOUND")
    response = requests.post(f"{sandbox.url}/secure/inventory", json={}, timeout=5,
                             headers={"api-key": SANDBOX_API_KEY})  # fmt: skip
    error(response, 404, 1003, "NOT_FOUND")


def test_any_valid_trade_url_has_a_generated_inventory(sandbox):
    url = "https://steamcommunity.com/tradeoffer/new/?partner=12345&token=ABCDEFGH"
    data = ok(sandbox, tradeUrl=url, limit=-1)
    assert 20 <= data["count"] <= 200
    assert data["inventory"] == sandbox.items(url)


def test_refresh_moves_updated_at(sandbox):
    url = sandbox.trade_urls[0]
    fixed = ok(sandbox, tradeUrl=url)["updatedAt"]
    assert fixed.startswith("2026-06-01T09:")
    assert ok(sandbox, tradeUrl=url, refresh="true")["updatedAt"] != fixed


def _all_inventories() -> list:
    return [data.inventory(a.partner, g) for a in data.ACCOUNTS for g in a.games] + [
        data.inventory(12345, "730")
    ]


def test_two_processes_serve_identical_inventories():
    other = in_another_process("sandbox.test_sandbox", "_all_inventories")
    assert other == json.loads(json.dumps(_all_inventories()))


# --- realism of the demo data -------------------------------------------------------


def all_cs2(box):
    return [i for url in box.trade_urls for i in box.items(url)]


def test_wear_inside_exterior_range_and_every_exterior_present(box):
    items = all_cs2(box)
    worn = [i for i in items if "exterior" in i]
    for item in worn:
        low, high = EXTERIOR_FLOAT_RANGES[item["exterior"]]
        assert isinstance(item["wear"], str)
        assert low < float(item["wear"]) < high, item
        assert item["marketHashName"].endswith(f"({item['exterior']})")
    assert {i["exterior"] for i in worn} == set(EXTERIORS)
    biggest = max(box.trade_urls, key=lambda u: len(box.items(u)))
    assert {i["exterior"] for i in box.items(biggest) if "exterior" in i} == set(EXTERIORS)


def test_marks_and_item_kinds_present(box):
    names = [i["marketHashName"] for i in all_cs2(box)]
    assert any(n.startswith("StatTrak™ ") for n in names)
    assert any(n.startswith("Souvenir ") for n in names)
    assert any(n.startswith("★ StatTrak™ ") for n in names)
    assert any(n.startswith("★ ") and "Gloves" in n for n in names)
    assert any(n.startswith("Sticker | ") for n in names)
    assert any(i.get("stickers") for i in all_cs2(box))
    assert any("doppler" in i for i in all_cs2(box))
    assert all(not i["name"].startswith(("StatTrak", "Souvenir")) for i in all_cs2(box))


def test_documented_quirks_present(box):
    items = all_cs2(box)
    assert any("marketPrice" not in i or i["marketPrice"] is None for i in items)
    assert any(i.get("offer") is None for i in items)
    assert any("accepted" in i for i in items)  # the .co top-level spelling
    assert any("botInfo" in i or "previewToken" in i for i in items)
    assert len({i["id"] for i in items}) == len(items)


def test_rust_items(box):
    rust = box.items("rusty", game="252490")
    assert all("exterior" not in i and "wear" not in i and "stickers" not in i for i in rust)
    assert all(i["name"] == i["marketHashName"] and i["appid"] == 252490 for i in rust)
    assert any(i["amount"] > 1 for i in rust)


def test_payout_ratio_falls_with_wear(box):
    ratios = {e: [] for e in EXTERIORS}
    for item in all_cs2(box):
        price, market = offer(item), item.get("marketPrice")
        if "exterior" in item and price and market and 0.5 < price / market < 1:
            ratios[item["exterior"]].append(price / market)
    means = [sum(r) / len(r) for r in ratios.values()]
    assert means[0] > means[2] > means[4]  # FN pays more than FT, FT more than BS


def test_the_accounts_carry_their_names_by_steam_id(box):
    assert len(box.labels) == len(box.accounts)
    for name, account in box.accounts.items():
        assert box.labels[apa.TradeUrl.parse(account.trade_url).steam_id] == name


def test_payout_ratio_falls_with_the_float_inside_an_exterior(box):
    # offers are per name, the market pays a low-float premium: inside Field-Tested the
    # cleanest floats are paid the smallest share of their market price
    bands = {"low": [], "high": []}
    for item in all_cs2(box):
        price, market = offer(item), item.get("marketPrice")
        if item.get("exterior") == "Field-Tested" and price and market and 0.5 < price / market < 1:
            band = "low" if float(item["wear"]) < 0.265 else "high"
            bands[band].append(price / market)
    assert sum(bands["low"]) / len(bands["low"]) < sum(bands["high"]) / len(bands["high"])


def test_extra_fields(box):
    items = all_cs2(box)
    for item in items:
        name = item["name"]
        assert ("fade" in item) is name.endswith("| Fade")
        assert ("hardened" in item) is name.endswith("| Case Hardened")
        if "fade" in item:
            assert set(item["fade"]) == {"percentage"} and 80 <= item["fade"]["percentage"] <= 100
        if "hardened" in item:
            assert type(item["hardened"]["status"]) is int
            assert isinstance(item["hardened"]["name"], str)
        if "charm" in item:
            assert "exterior" in item and not name.startswith("★ ")
            assert set(item["charm"]) == {"name", "marketHashName", "iconUrl"}
            assert item["charm"]["marketHashName"] == f"Charm | {item['charm']['name']}"
        if "doppler" in item:
            doppler = item["doppler"]
            assert doppler == {"name": doppler["name"],
                               "paintIndex": DOPPLER_PAINT_INDEX[doppler["name"]]}  # fmt: skip
    assert any("fade" in i for i in items) and any("hardened" in i for i in items)
    assert any(i["hardened"]["name"].startswith("Blue Gem") for i in items if "hardened" in i)
    skins = [i for i in items if "exterior" in i and not i["name"].startswith("★ ")]
    assert 0.02 < sum("charm" in i for i in skins) / len(skins) < 0.09


def test_offer_delivery_and_max_amount(box):
    offers = [i["offer"] for i in all_cs2(box) if isinstance(i.get("offer"), dict)]
    delivered = [o["delivery"] for o in offers if "delivery" in o]
    assert set(delivered) == {"standard", "instant"}
    assert 0.4 < len(delivered) / len(offers) < 0.6
    capped = [o["maxAmount"] for o in offers if "maxAmount" in o]
    assert set(capped) == {1} and 0.1 < len(capped) / len(offers) < 0.4
    rust = [i for url in box.trade_urls for i in box.items(url, game="252490")]
    for item in rust:
        if isinstance(item.get("offer"), dict):
            assert "delivery" not in item["offer"]
            assert item["offer"].get("maxAmount") == (
                item["amount"] if item["amount"] > 1 else None
            )
    assert any("maxAmount" in (i.get("offer") or {}) for i in rust)
