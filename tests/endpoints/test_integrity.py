"""Every inventory is exact or a typed error, over real HTTP against the sandbox's faults.

Promises 1-3 of the integrity issue: pages that do not add up are re-read a bounded
number of times and then raise ``InconsistentInventory``; success envelopes of the
wrong shape raise ``MalformedResponse``; out-of-range values become NA and are
listed in ``attrs["anomalies"]``. Expectations come from the raw JSON the sandbox
serves (``box.items``), never from the client's own code.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.client import RetryPolicy
from assetpay_analytics.constants import EXTERIORS
from assetpay_analytics.sandbox import MALFORMED_KINDS, Faults

FAST = RetryPolicy(attempts=4, backoff=0.01, backoff_max=0.05, rereads=2)
PAGE = 10


def client_for(box, **kwargs):
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("cache", None)
    return apa.AssetPayClient(api_key=box.api_key, base_url=box.url, **kwargs)


def partner(url):
    return apa.TradeUrl.parse(url).partner


def inventory_requests(box, url):
    return [r for r in box.requests_for(url) if r.path == "/secure/inventory"]


def page_bound(count, size=PAGE, reads=1 + FAST.rereads):
    """Most page requests a client may send: ceil(count / size) + 1 per read."""
    return reads * (math.ceil(count / size) + 1)


@pytest.fixture(scope="module")
def bob():
    """A demo account with 150 items: 15 pages of 10."""
    with apa.sandbox.serve() as box:
        url = box.accounts["bob"].trade_url
        assert len(box.items(url)) == 150
        return url


def test_duplicated_pages_raise_after_bounded_rereads(bob):
    with apa.sandbox.serve(faults=Faults(duplicate_pages=frozenset({partner(bob)})),
                           page_cap=PAGE) as box:  # fmt: skip
        with pytest.raises(apa.InconsistentInventory) as caught:
            client_for(box).inventory(bob)
        sent = inventory_requests(box, bob)
    err = caught.value
    assert err.retryable and err.details["reads"] == 3
    assert "arrived twice" in str(err)
    assert len(sent) <= page_bound(150)
    assert sum(r.params["page"] == "1" for r in sent) == 3  # first read + 2 re-reads


def test_an_inventory_that_changed_once_is_reread_exactly(bob):
    faults = Faults(shifting={partner(bob): 1})
    with apa.sandbox.serve(faults=faults, page_cap=PAGE) as box:
        df = client_for(box).inventory(bob)
        raw = box.items(bob)  # the inventory as it stands after the change
        sent = inventory_requests(box, bob)
    assert len(raw) == 151
    assert df["item_id"].tolist() == [str(item["id"]) for item in raw]
    assert df["item_id"].is_unique and df.attrs["count"] == 151
    assert sum(r.params["page"] == "1" for r in sent) == 2  # one re-read was enough


def test_an_inventory_that_keeps_changing_raises(bob):
    with apa.sandbox.serve(faults=Faults(shifting={partner(bob): 10_000}), page_cap=PAGE) as box:
        with pytest.raises(apa.InconsistentInventory) as caught:
            client_for(box).inventory(bob)
        sent = inventory_requests(box, bob)
    assert caught.value.details["reason"]
    assert len(sent) <= page_bound(160)


def test_endless_count_is_refused_after_the_first_page(bob):
    with apa.sandbox.serve(faults=Faults(endless=frozenset({partner(bob)})), page_cap=PAGE) as box:
        with pytest.raises(apa.InconsistentInventory, match="beyond any real inventory"):
            client_for(box).inventory(bob)
        assert len(inventory_requests(box, bob)) == 1


def test_count_larger_than_the_items_is_missing_items(bob):
    with apa.sandbox.serve(faults=Faults(wrong_count={partner(bob): 240}), page_cap=PAGE) as box:
        with pytest.raises(apa.InconsistentInventory) as caught:
            client_for(box).inventory(bob)
        sent = inventory_requests(box, bob)
    assert caught.value.details["count"] == 240
    assert caught.value.details["received"] == 150
    assert len(sent) <= page_bound(240)


def test_count_smaller_than_the_items_is_inconsistent(bob):
    too_many = "150 items arrived but count says 100"
    with (
        apa.sandbox.serve(faults=Faults(wrong_count={partner(bob): 100})) as box,
        pytest.raises(apa.InconsistentInventory, match=too_many),
    ):
        client_for(box).inventory(bob)


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("inventory_object", "data.inventory is an object"),
        ("string_items", "data.inventory[0] is str"),
        ("count_text", "data.count is str 'lots'"),
        ("data_list", "data is a list"),
        ("no_inventory", "data.inventory is missing"),
        ("item_list", "is a list, expected an item object"),
    ],
)
def test_malformed_answers_are_typed_errors_and_never_cached(bob, kind, field, tmp_path):
    assert kind in MALFORMED_KINDS
    with apa.sandbox.serve(faults=Faults(malformed={partner(bob): kind})) as box:
        client = client_for(box, cache=tmp_path / "c.sqlite")
        for _ in range(2):
            with pytest.raises(apa.MalformedResponse) as caught:
                client.inventory(bob)
            assert field in caught.value.message
            assert caught.value.request_id  # the envelope's requestId, for support
            assert caught.value.attempts == 1  # not retried
        assert len(inventory_requests(box, bob)) == 2  # the second call was not a cache hit
        assert client.cache_info().entries == 0


def _expected_anomalies(raw):
    """The values the promise says to set aside, read straight from the JSON."""
    found = set()
    for item in raw:
        ident = item.get("id")
        if ident is None:
            found.add((None, "id"))
            continue
        if isinstance(item.get("marketPrice"), (int, float)) and item["marketPrice"] < 0:
            found.add((str(ident), "marketPrice"))
        offer = item.get("offer") or {}
        if isinstance(offer.get("price"), (int, float)) and offer["price"] < 0:
            found.add((str(ident), "offer.price"))
        if item.get("wear") is not None and not 0 <= float(item["wear"]) <= 1:
            found.add((str(ident), "wear"))
        if item.get("exterior") is not None and item["exterior"] not in EXTERIORS:
            found.add((str(ident), "exterior"))
    return found


def test_out_of_range_values_are_set_aside_and_listed(bob):
    with apa.sandbox.serve(faults=Faults(out_of_range=frozenset({partner(bob)}))) as box:
        df = client_for(box).inventory(bob)
        raw = box.items(bob)
    expected = _expected_anomalies(raw)
    assert len(expected) == 6  # the sandbox's six planted values
    anomalies = df.assetpay.anomalies
    assert set(zip(anomalies["item_id"].astype(object).where(anomalies["item_id"].notna(), None),
                   anomalies["field"], strict=True)) == expected  # fmt: skip
    assert (anomalies["steam_id"] == apa.TradeUrl.parse(bob).steam_id).all()
    assert len(df) == len(raw) - 1  # the item with no id is dropped
    flagged = df.set_index("item_id")
    for item_id, field in expected - {(None, "id")}:
        column = {"marketPrice": "market_price", "offer.price": "offer_price",
                  "wear": "wear", "exterior": "exterior"}[field]  # fmt: skip
        assert pd.isna(flagged.loc[item_id, column]), (item_id, field)
    # analysis never uses a flagged value: the payout ratios of the set-aside rows are NA
    gap = df.assetpay.price_gap().set_index("item_id")
    for item_id, field in expected:
        if field in ("marketPrice", "offer.price"):
            assert pd.isna(gap.loc[item_id, "payout_ratio"])


@pytest.mark.parametrize("page_cap", [None, 7, 25])
def test_the_frame_is_the_same_whatever_the_page_size_and_workers(page_cap):
    with apa.sandbox.serve() as box:
        urls = box.trade_urls
        reference = client_for(box).inventories(urls, workers=1, progress=False)
    with apa.sandbox.serve(page_cap=page_cap) as box:
        for workers in (1, 4):
            df = client_for(box).inventories(urls, workers=workers, progress=False)
            pd.testing.assert_frame_equal(df, reference)
            assert df["item_id"].is_unique
