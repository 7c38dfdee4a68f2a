"""The sandbox's ``POST /secure/check-tradeurl`` over real HTTP: states, body checks, cache.

The expectations are the contract's (``shared/assetpay-api.md`` §3, §4b) and the states
each special account documents, written out here.
"""

from __future__ import annotations

import pytest
import requests

from assetpay_analytics.constants import STEAM_ID64_BASE
from assetpay_analytics.sandbox import serve
from tests.sandbox.calls import check, screened
from tests.sandbox_http import get

CLEAN = {"vacBanned": False, "gameBans": 0, "economyBan": "none"}
URL = "https://steamcommunity.com/tradeoffer/new/?partner={}&token={}"

#: account -> (state, canTrade (None: absent), reason (None: absent), bans (None: absent)).
EXPECTED = {
    "alice": (1, True, None, CLEAN),
    "rusty": (1, True, None, CLEAN),
    "empty": (1, True, None, CLEAN),
    "flaky": (1, True, None, CLEAN),
    "throttled": (1, True, None, CLEAN),
    "escrow": (1, False, {"escrowDays": 7, "probation": False}, CLEAN),
    "vac_banned": (2, True, None, {"vacBanned": True, "gameBans": 1, "economyBan": "none"}),
    "fetch_failed": (4, False, {"escrowDays": 0, "probation": False},
                     {"vacBanned": False, "gameBans": 0, "economyBan": "banned"}),
    "private": (5, None, None, CLEAN),
    "ghost": (7, None, None, None),
    "untradeable": (9, None, None, CLEAN),
    "steam_down": (10, None, None, None),
    "screen_flip": (10, None, None, None),  # its first lookup
}  # fmt: skip


def error_fields(response, status=422):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["key"]) == (1001, "VALIDATION_FAILED")
    return error["fields"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_account_has_its_state(sandbox, name):
    account = sandbox.accounts[name]
    data = screened(sandbox, account.trade_url)
    state, can_trade, reason, bans = EXPECTED[name]
    assert data["state"] == state and data["steamid"] == account.steam_id
    assert isinstance(data["message"], str) and data["message"]
    assert data.get("canTrade") == can_trade and ("canTrade" in data) is (can_trade is not None)
    assert data.get("reason") == reason and data.get("bans") == bans
    if data.get("canTrade") is False:
        assert "reason" in data
    if "canTrade" in data:
        assert 1 <= data["state"] <= 4


def test_every_named_account_is_screened(sandbox):
    normal = {a.name for a in sandbox.accounts.values() if a.kind == "normal"}
    assert set(sandbox.accounts) - set(EXPECTED) <= normal
    for name in normal:
        assert screened(sandbox, sandbox.accounts[name].trade_url)["state"] == 1


def test_the_screened_accounts_inventories(sandbox):
    accounts = sandbox.accounts
    for name in ("escrow", "vac_banned", "screen_flip"):
        response = get(sandbox, tradeUrl=accounts[name].trade_url, limit=-1)
        assert response.status_code == 200 and response.json()["data"]["count"] > 0
    ghost = get(sandbox, tradeUrl=accounts["ghost"].trade_url)
    assert (ghost.status_code, ghost.json()["error"]["key"]) == (424, "INVENTORY_FETCH_FAILED")
    untradeable = get(sandbox, tradeUrl=accounts["untradeable"].trade_url)
    assert untradeable.json()["error"]["key"] == "USER_NOT_TRADEABLE"
    assert set(sandbox.trade_urls) == {a.trade_url for a in accounts.values() if a.kind == "normal"}


def test_an_unnamed_partner_is_normal(sandbox):
    data = screened(sandbox, URL.format(12345, "ABCDEFGH"))
    assert data == {"state": 1, "steamid": str(12345 + STEAM_ID64_BASE),
                    "message": data["message"], "canTrade": True, "bans": CLEAN}  # fmt: skip


def test_a_known_partner_with_another_token_is_an_invalid_trade_url(sandbox):
    alice = sandbox.accounts["alice"]
    data = screened(sandbox, URL.format(alice.partner, "Wr0ngTok"))
    assert data["state"] == 6 and data["steamid"] == alice.steam_id
    assert "canTrade" not in data and "bans" not in data


@pytest.mark.parametrize("partner", ["0", "4294967296", "9999999999"])
def test_a_partner_out_of_range_is_an_invalid_trade_url(sandbox, partner):
    data = screened(sandbox, URL.format(partner, "AbCd1234"))
    assert data["state"] == 6 and "steamid" not in data


# --- the body -------------------------------------------------------------------------------

ALICE = "https://steamcommunity.com/tradeoffer/new/?partner=103582791&token=aL1ce_01"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"tradeurl": ALICE, "extra": 1}, {"extra"}),
        ({}, {"tradeurl"}),
        ({"forceRefresh": True}, {"tradeurl"}),
        ({"tradeUrl": ALICE}, {"tradeUrl", "tradeurl"}),  # the key is lowercase
        ({"tradeurl": ALICE + "\n"}, {"tradeurl"}),  # a full match: no trailing newline
        ({"tradeurl": ALICE + "&x=1"}, {"tradeurl"}),
        ({"tradeurl": ALICE.replace("https", "http")}, {"tradeurl"}),
        ({"tradeurl": 103582791}, {"tradeurl"}),
        ({"tradeurl": None}, {"tradeurl"}),
        ({"tradeurl": ALICE, "forceRefresh": "true"}, {"forceRefresh"}),
        ({"tradeurl": ALICE, "forceRefresh": 1}, {"forceRefresh"}),
        ([ALICE], {"body"}),
        ("tradeurl", {"body"}),
    ],
)
def test_body_validation_names_the_key(sandbox, body, fields):
    assert set(error_fields(check(sandbox, body))) == fields


@pytest.mark.parametrize("raw", [b"not json", b"{", b"", b"null"])
def test_a_body_that_is_no_json_object_is_refused(sandbox, raw):
    assert set(error_fields(check(sandbox, raw=raw))) == {"body"}
    assert sandbox.requests[-1].body is None


def test_validation_status_follows_the_dialect():
    with serve(dialect="co") as box:
        assert set(error_fields(check(box, {"tradeUrl": ALICE}), 400)) == {"tradeUrl", "tradeurl"}


def test_the_request_log_keeps_the_exact_body(sandbox):
    sent = {"tradeurl": ALICE, "forceRefresh": False}
    screened(sandbox, ALICE, forceRefresh=False)
    check(sandbox, {"tradeurl": ALICE, "x": [1, {"y": None}]})
    get(sandbox, tradeUrl=ALICE)
    records = sandbox.requests
    assert [(r.method, r.path) for r in records] == [
        ("POST", "/secure/check-tradeurl"), ("POST", "/secure/check-tradeurl"),
        ("GET", "/secure/inventory")]  # fmt: skip
    assert records[0].body == sent and records[0].status == 200
    assert records[1].body == {"tradeurl": ALICE, "x": [1, {"y": None}]}
    assert records[1].key == "VALIDATION_FAILED" and records[2].body is None
    assert sandbox.requests_for("alice") == records


def test_check_tradeurl_needs_the_api_key(sandbox):
    assert check(sandbox, {"tradeurl": ALICE}, key=None).json()["error"]["key"] == (
        "MISSING_API_KEY")  # fmt: skip
    assert check(sandbox, {"tradeurl": ALICE}, key="ap_wrong").status_code == 401


def test_only_post_is_served(sandbox):
    response = get(sandbox, tradeUrl=ALICE)  # the inventory path answers GET
    assert response.status_code == 200
    wrong = requests.get(f"{sandbox.url}/secure/check-tradeurl", timeout=10,
                         headers={"api-key": sandbox.api_key})  # fmt: skip
    assert wrong.status_code == 404 and wrong.json()["error"]["key"] == "NOT_FOUND"


# --- the upstream cache -------------------------------------------------------------------


def test_a_cached_answer_stays_until_force_refresh(sandbox):
    url = sandbox.accounts["screen_flip"].trade_url
    assert screened(sandbox, url)["state"] == 10  # the upstream's first lookup fails
    assert screened(sandbox, url)["state"] == 10  # ... and is remembered
    assert screened(sandbox, url, forceRefresh=False)["state"] == 10
    fresh = screened(sandbox, url, forceRefresh=True)
    assert fresh["state"] == 1 and fresh["canTrade"] is True
    assert screened(sandbox, url)["state"] == 1  # the refreshed answer is remembered
    sandbox.reset()  # forgets the cache and the lookups
    assert screened(sandbox, url)["state"] == 10


def test_the_cache_is_per_trade_url(sandbox):
    account = sandbox.accounts["screen_flip"]
    assert screened(sandbox, account.trade_url)["state"] == 10
    assert screened(sandbox, URL.format(account.partner, "Other_01"))["state"] == 6
    assert screened(sandbox, account.trade_url)["state"] == 10
