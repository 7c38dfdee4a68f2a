"""compare: each payout ratio beside the two values it divides (issue 22, drift).

``by_account`` and ``summary()`` carry ``priced_market_value_before``, ``_after`` and
``_change``, so ``offer_value_X / priced_market_value_X == payout_ratio_X`` on every row
(NaN where nothing is priced), computed here from those cells only; the sums themselves
are worked out by hand in the comments from the small frames built here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import assetpay_analytics as apa
from assetpay_analytics.analysis import compare
from assetpay_analytics.frame import from_items
from assetpay_analytics.frame.schema import concat

A, B, C = "76561198000000001", "76561198000000002", "76561198000000003"
WHEN = ("before", "after")


def item(item_id, market, offer=None, accepted=None):
    out = {"id": item_id, "name": f"item {item_id}", "marketPrice": market}
    if offer is not None:
        out["offer"] = (
            {"price": offer} if accepted is None else {"price": offer, "accepted": accepted}
        )
    return out


def frame(accounts):
    out = concat([from_items(items, steam_id=steam_id) for steam_id, items in accounts.items()])
    out.attrs = {"game": "730", "steam_ids": list(accounts)}
    return out


@pytest.fixture
def change():
    before = frame({
        A: [item("1", 100, 70), item("2", 20, 15, accepted=False), item("6", 50)],
        B: [item("4", 1000, 800)],
    })  # fmt: skip
    after = frame({
        A: [item("1", 110, 66), item("2", 20, 15), item("5", 40, 20)],
        B: [item("4", 1000, 800)],
        C: [item("8", 30)],
    })  # fmt: skip
    return compare(before, after)


def divides(offer, market, ratio, where):
    assert market >= 0, where
    if market == 0:
        assert math.isnan(ratio), where
    else:
        assert abs(offer / market - ratio) <= 1e-9, where


def test_by_account_carries_the_priced_market_value_each_ratio_divides(change):
    table = change.by_account
    # A before: 1 priced (100); 2 refused, 6 without an offer: market 170, priced 100
    # A after: 1, 2, 5 priced: 110 + 20 + 40 = 170; C: 30 on the market, nothing priced
    expected = {A: (100.0, 170.0), B: (1000.0, 1000.0), C: (0.0, 0.0)}
    for account, (before, after) in expected.items():
        row = table.loc[account]
        assert row["priced_market_value_before"] == before
        assert row["priced_market_value_after"] == after
        assert row["priced_market_value_change"] == after - before
    assert table.loc[A, "market_value_before"] == 170.0  # every market price: 100 + 20 + 50
    for account, row in table.iterrows():
        for when in WHEN:
            divides(row[f"offer_value_{when}"], row[f"priced_market_value_{when}"],
                    row[f"payout_ratio_{when}"], (account, when))  # fmt: skip


def test_the_priced_market_value_stands_beside_the_market_value(change):
    columns = list(change.by_account.columns)
    for when in (*WHEN, "change"):
        at = columns.index(f"market_value_{when}")
        assert columns.index(f"priced_market_value_{when}") == at + 3
    assert change.by_account["priced_market_value_before"].dtype == np.float64


def test_the_summary_carries_it_too(change):
    total = change.summary()
    # before: 100 + 1000 priced of 1170; after: 170 + 1000 priced of 1200
    assert total["priced_market_value_before"] == 1100.0
    assert total["priced_market_value_after"] == 1170.0
    assert total["priced_market_value_change"] == 70.0
    assert (total["market_value_before"], total["market_value_after"]) == (1170.0, 1200.0)
    keys = list(total.index)
    assert keys.index("priced_market_value_before") == keys.index("market_value_before") + 1
    assert keys.index("priced_market_value_after") == keys.index("market_value_after") + 1
    for when in WHEN:
        divides(total[f"offer_value_{when}"], total[f"priced_market_value_{when}"],
                total[f"payout_ratio_{when}"], when)  # fmt: skip


def test_every_row_divides_on_sandbox_days():
    with apa.sandbox.serve(as_of="2026-06-10") as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        before = client.inventories(box.trade_urls, progress=False)
        box.set_as_of("2026-06-11")
        after = client.inventories(box.trade_urls, progress=False)
    change = compare(before, after)
    assert len(change.by_account) == len(box.trade_urls)
    for account, row in change.by_account.iterrows():
        for when in WHEN:
            divides(row[f"offer_value_{when}"], row[f"priced_market_value_{when}"],
                    row[f"payout_ratio_{when}"], (account, when))  # fmt: skip
    total = change.summary()
    for when, df in zip(WHEN, (before, after), strict=True):
        priced = df[df.assetpay.priced()]
        assert total[f"priced_market_value_{when}"] == pytest.approx(
            float(priced["market_price"].sum()), abs=1e-6
        )
        divides(total[f"offer_value_{when}"], total[f"priced_market_value_{when}"],
                total[f"payout_ratio_{when}"], when)  # fmt: skip
