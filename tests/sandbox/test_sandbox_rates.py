"""The sandbox's rate families over real HTTP: one window per (api key, family).

inventory 10,000/min (100 unverified), prices 1,000/h (100), check-tradeurl 100,000/h
(100), each answered 429 RATE_LIMITED with ``Retry-After`` (``shared/assetpay-api.md`` §2).
"""

from __future__ import annotations

import pytest
import requests

from assetpay_analytics.sandbox import serve, start
from tests.sandbox.calls import check, prices
from tests.sandbox_http import get

ALICE = "https://steamcommunity.com/tradeoffer/new/?partner=103582791&token=aL1ce_01"


def limited(response, window):
    assert response.status_code == 429, response.text
    assert response.json()["error"]["key"] == "RATE_LIMITED"
    assert 1 <= int(response.headers["Retry-After"]) <= window
    return True


def inventory_call(box):
    return get(box, tradeUrl=ALICE, limit=1)


def prices_call(box):
    return prices(box, game="252490")


def check_call(box):
    return check(box, {"tradeurl": ALICE})


CALLS = {"inventory": inventory_call, "prices": prices_call, "check-tradeurl": check_call}


def test_default_limits_are_the_merchants():
    with serve() as verified, serve(verified=False) as unverified:
        assert dict(verified.rate_limits) == {
            "inventory": (10_000, 60.0), "prices": (1_000, 3600.0),
            "check-tradeurl": (100_000, 3600.0)}  # fmt: skip
        assert dict(unverified.rate_limits) == {
            "inventory": (100, 60.0), "prices": (100, 3600.0),
            "check-tradeurl": (100, 3600.0)}  # fmt: skip


def test_each_family_has_its_own_window():
    limits = {"prices": (2, 3600), "check-tradeurl": (3, 3600)}
    with serve(rate_limit=(4, 60), rate_limits=limits) as box:
        assert dict(box.rate_limits) == {"inventory": (4, 60.0), "prices": (2, 3600.0),
                                         "check-tradeurl": (3, 3600.0)}  # fmt: skip
        assert [inventory_call(box).status_code for _ in range(4)] == [200] * 4
        assert limited(inventory_call(box), 60)
        # the inventory window is spent; the other families are untouched
        assert [prices_call(box).status_code for _ in range(2)] == [200] * 2
        assert limited(prices_call(box), 3600)
        assert [check_call(box).status_code for _ in range(3)] == [200] * 3
        assert limited(check_call(box), 3600)
        assert limited(inventory_call(box), 60)
        box.reset()  # the windows start again
        assert all(CALLS[name](box).status_code == 200 for name in CALLS)


@pytest.mark.parametrize("family", ["prices", "check-tradeurl"])
def test_an_unverified_merchant_has_100_an_hour(family):
    with serve(verified=False) as box:
        codes = [CALLS[family](box).status_code for _ in range(101)]
        assert codes[:100] == [200] * 100 and limited(CALLS[family](box), 3600)
        assert inventory_call(box).status_code == 200


def test_rate_limits_overrides_rate_limit_for_the_inventory():
    with serve(rate_limit=(5, 60), rate_limits={"inventory": (1, 30)}) as box:
        assert inventory_call(box).status_code == 200 and limited(inventory_call(box), 30)


def test_refused_requests_count_too_and_unknown_paths_stay_not_found():
    with serve(rate_limits={"prices": (1, 3600)}) as box:
        assert prices(box, game="nope").status_code == 422  # counted: it passed the limiter
        assert limited(prices_call(box), 3600)
        unknown = requests.get(f"{box.url}/secure/market", headers={"api-key": box.api_key},
                               timeout=10)  # fmt: skip
        assert unknown.status_code == 404 and unknown.json()["error"]["key"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "options",
    [{"rate_limits": {"sell": (1, 60)}}, {"rate_limits": {"prices": (0, 60)}},
     {"rate_limits": {"prices": (1, 0)}}, {"rate_limit": (0, 60)}],
)  # fmt: skip
def test_bad_rate_limits_raise_before_the_server_starts(options):
    with pytest.raises(ValueError):
        start(**options)
