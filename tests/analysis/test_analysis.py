"""analysis.tables on hand-built frames whose answers are computed by hand in each test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetpay_analytics import analysis
from assetpay_analytics.analysis import (
    by_account,
    by_exterior,
    by_group,
    exterior_ladder,
    outliers,
    price_gap,
    priced,
    sticker_effect,
    summary,
    wear_bands,
)
from assetpay_analytics.frame import from_items

FN, MW, FT, WW, BS = "Factory New", "Minimal Wear", "Field-Tested", "Well-Worn", "Battle-Scarred"


def item(name="AK-47 | Redline", market=None, offer=None, accepted=None, exterior=None,
         wear=None, stattrak=False, stickers=0, tradable=True, top_accepted=None):  # fmt: skip
    body = {"name": name, "tradable": tradable, "marketPrice": market}
    mark = "StatTrak™ " if stattrak else ""
    body["marketHashName"] = f"{mark}{name}" + (f" ({exterior})" if exterior else "")
    if offer is not None:
        body["offer"] = {"price": offer}
        if accepted is not None:
            body["offer"]["accepted"] = accepted
    if top_accepted is not None:
        body["accepted"] = top_accepted
    if exterior:
        body["exterior"] = exterior
    if wear is not None:
        body["wear"] = str(wear)
    body["stickers"] = [{"name": f"s{i}", "slot": i, "wear": 0.0} for i in range(stickers)]
    return body


@pytest.fixture
def mixed():
    """Six rows covering every pricing rule."""
    return from_items(
        [
            item(market=10.0, offer=8.0, accepted=True, exterior=FN, wear=0.01),  # priced 0.8
            item(market=20.0, offer=12.0, exterior=FT, wear=0.20),  # unknown acceptance: priced 0.6
            item(market=30.0, offer=15.0, accepted=False, exterior=FT, wear=0.30),  # refused
            item(market=0.0, offer=1.0, exterior=BS, wear=0.5),  # zero market price
            item(market=None, offer=5.0, exterior=MW, wear=0.1),  # no market price
            item(market=40.0, offer=None, exterior=FT, wear=0.25, tradable=False),  # no offer
        ],
        steam_id="1",
    )


def test_priced_rule(mixed):
    assert priced(mixed).tolist() == [True, True, False, False, False, False]


def test_price_gap(mixed):
    before = mixed.copy()
    gap = price_gap(mixed)
    pd.testing.assert_frame_equal(mixed, before)  # input untouched
    assert gap["spread"].tolist()[:2] == [10.0 - 8.0, 20.0 - 12.0]
    assert gap["payout_ratio"].tolist()[:2] == [8.0 / 10.0, 12.0 / 20.0]
    assert gap["discount_pct"].tolist()[:2] == pytest.approx([1 - 0.8, 1 - 0.6])
    for column in ("spread", "payout_ratio", "discount_pct"):
        assert gap[column].iloc[2:].isna().all()


def test_summary_by_hand(mixed):
    s = summary(mixed)
    assert s["items"] == 6
    assert s["tradable_items"] == 5
    assert s["priced_items"] == 2
    assert s["market_value"] == 10 + 20 + 30 + 0 + 40  # every row with a market price
    assert s["offer_value"] == 8 + 12  # priced rows only
    assert s["payout_ratio"] == pytest.approx((8 + 12) / (10 + 20))
    assert s["median_payout_ratio"] == pytest.approx((0.8 + 0.6) / 2)
    # rows with an offer price: 5; refused: 1
    assert s["accepted_share"] == pytest.approx(4 / 5)


def test_summary_reads_well_and_keeps_its_numbers():
    # 1,692 items and a market value past a million: pandas printed 1.692000e+03 on main
    rows = [item(market=1000.0 + n, offer=800.0, exterior="Field-Tested") for n in range(1692)]
    s = summary(from_items(rows))
    market = sum(1000.0 + n for n in range(1692))  # 3,123,486
    shown = repr(s) + s._repr_html_()
    assert "e+0" not in shown
    assert "1,692" in repr(s) and f"${market:,.2f}" in repr(s)
    assert f"{800 * 1692 / market:.1%}" in repr(s)  # the payout ratio as a percentage
    assert f"${market:,.2f}" in s._repr_html_()
    # the numbers themselves are unchanged: code that indexes the summary is not affected
    assert s["items"] == 1692 and isinstance(s["items"], int)
    assert s["market_value"] == market and isinstance(s["market_value"], float)
    assert s["payout_ratio"] == pytest.approx(800 * 1692 / market)
    assert type(s.round(2)) is pd.Series  # arithmetic gives plain Series


def test_top_level_accepted_false_makes_a_row_unpriced():
    df = from_items(
        [
            item(market=10.0, offer=7.0, top_accepted=False),
            item(market=10.0, offer=7.0, top_accepted=True),
        ]
    )
    assert priced(df).tolist() == [False, True]


def test_by_exterior_by_hand(mixed):
    table = by_exterior(mixed, no_exterior=False)
    assert list(table.index) == [FN, MW, FT, WW, BS]
    assert table.index.dtype.ordered
    assert table["items"].tolist() == [1, 1, 3, 0, 1]
    assert table["priced_items"].tolist() == [1, 0, 1, 0, 0]
    assert table["market_value"].tolist() == [10.0, 0.0, 20 + 30 + 40, 0.0, 0.0]
    assert table["offer_value"].tolist() == [8.0, 0.0, 12.0, 0.0, 0.0]
    assert table.loc[FN, "payout_ratio"] == pytest.approx(0.8)
    assert table.loc[FT, "payout_ratio"] == pytest.approx(12 / 20)
    assert np.isnan(table.loc[MW, "payout_ratio"]) and np.isnan(table.loc[WW, "payout_ratio"])
    assert table.loc[FT, "mean_wear"] == pytest.approx((0.20 + 0.30 + 0.25) / 3)
    assert list(table.columns) == list(analysis.GROUP_COLUMNS)


def test_by_exterior_has_a_row_for_items_without_one_so_totals_add_up():
    # on main the table covered only the items with an exterior (1,447 of 1,692)
    df = from_items([item(market=10, offer=7, exterior=FT), item(market=99, offer=50)])
    table = by_exterior(df)
    assert table.index.tolist()[-1] == "No exterior"
    assert table.loc["No exterior", ["items", "market_value", "offer_value"]].tolist() == [
        1, 99.0, 50.0,
    ]  # fmt: skip
    total = summary(df)
    assert table["items"].sum() == total["items"] == 2
    assert table["market_value"].sum() == total["market_value"]
    assert by_exterior(df, no_exterior=False)["items"].tolist() == [0, 0, 1, 0, 0]


def test_frame_with_no_exterior_at_all():
    df = from_items([item(name="Kilowatt Case", market=1, offer=0.6)])
    table = by_exterior(df)
    assert table["items"].tolist() == [0] * 5 + [1]
    assert table["payout_ratio"].iloc[:5].isna().all()
    assert table.loc["No exterior", "payout_ratio"] == pytest.approx(0.6)
    assert exterior_ladder(df).empty
    assert wear_bands(df).empty


def test_empty_frame_everywhere():
    empty = from_items([])
    s = summary(empty)
    assert s["items"] == 0 and math.isnan(s["payout_ratio"]) and math.isnan(s["accepted_share"])
    assert by_exterior(empty)["items"].tolist() == [0] * 6
    assert by_group(empty, "weapon").empty
    assert outliers(empty).empty
    assert sticker_effect(empty)["items"].tolist() == [0, 0]


def test_by_group_sorted_by_market_value_and_keeps_na_keys():
    df = from_items([
        item(name="AK-47 | Redline", market=10, offer=7),
        item(name="AWP | Asiimov", market=100, offer=80),
        item(name="AK-47 | Slate", market=5, offer=3),
        item(name="Kilowatt Case", market=1, offer=0.5),
    ])  # fmt: skip
    table = by_group(df, "weapon")
    assert table.index.tolist()[:2] == ["AWP", "AK-47"]
    assert table.loc["AK-47", "items"] == 2
    assert table.loc["AK-47", "payout_ratio"] == pytest.approx((7 + 3) / (10 + 5))
    assert table.loc["AK-47", "median_payout_ratio"] == pytest.approx((0.7 + 0.6) / 2)
    assert table["items"].sum() == 4  # the case forms its own (NA) group
    with pytest.raises(KeyError, match="no column"):
        by_group(df, "colour")


def test_by_group_multi_account_and_several_keys():
    a = from_items(
        [item(market=10, offer=8, stattrak=True), item(market=10, offer=6)], steam_id="A"
    )
    b = from_items([item(market=50, offer=40)], steam_id="B")
    both = pd.concat([a, b], ignore_index=True)
    per_account = by_group(both, "steam_id")
    assert per_account.index.tolist() == ["B", "A"]
    assert per_account.loc["A", "payout_ratio"] == pytest.approx((8 + 6) / 20)
    per_both = by_group(both, ["steam_id", "stattrak"])
    assert per_both.loc[("A", True), "offer_value"] == 8
    assert per_both.loc[("A", False), "offer_value"] == 6


def test_exterior_ladder_medians_and_stattrak_apart():
    df = from_items([
        item(market=10, offer=7, exterior=FT),
        item(market=10, offer=8, exterior=FT),
        item(market=20, offer=17, exterior=FN),
        item(market=30, offer=24, exterior=FT, stattrak=True),
        item(market=10, offer=9, accepted=False, exterior=BS),  # not priced
    ])  # fmt: skip
    ladder = exterior_ladder(df)
    assert list(ladder.columns) == [FN, MW, FT, WW, BS]
    assert set(ladder.index) == {"AK-47 | Redline", "StatTrak™ AK-47 | Redline"}
    assert ladder.loc["AK-47 | Redline", FT] == pytest.approx(0.75)  # median of 0.7, 0.8
    assert ladder.loc["AK-47 | Redline", FN] == pytest.approx(0.85)
    assert np.isnan(ladder.loc["AK-47 | Redline", BS])
    assert ladder.loc["StatTrak™ AK-47 | Redline", FT] == pytest.approx(0.8)
    prices = exterior_ladder(df, value="market_price")
    assert prices.loc["AK-47 | Redline", BS] == 10  # market prices need no priced offer
    with pytest.raises(ValueError, match="value must be one of"):
        exterior_ladder(df, value="spread")


def test_outliers_robust_deviation_by_hand():
    ratios = [0.70, 0.72, 0.74, 0.76, 0.78, 0.70, 0.72, 0.74, 0.30]  # 9 FT rows
    df = from_items([item(market=100, offer=r * 100, exterior=FT) for r in ratios])
    found = outliers(df)
    median = 0.72  # sorted: .30 .70 .70 .72 .72 .74 .74 .76 .78
    deviations = sorted(abs(r - median) for r in ratios)  # .00 .00 .02 .02 .02 .02 .04 .06 .42
    mad = deviations[4]
    assert found["offer_price"].tolist() == [30.0]
    assert found["reference_median"].iloc[0] == pytest.approx(median)
    assert found["deviation"].iloc[0] == pytest.approx((0.30 - median) / (1.4826 * mad))
    assert outliers(df, threshold=1000).empty


def test_outliers_small_exterior_uses_all_rows():
    df = from_items(
        [item(market=100, offer=p, exterior=FT) for p in (70, 71, 72, 73, 74, 75, 76, 77)]
        + [item(market=100, offer=20, exterior=BS)]
    )
    found = outliers(df)
    assert found["exterior"].tolist() == [BS]
    all_ratios = [0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.20]
    assert found["reference_median"].iloc[0] == pytest.approx(float(np.median(all_ratios)))


def test_wear_bands_position_inside_the_exterior():
    # FT spans 0.15-0.38: 0.16 is 4% in (band 0), 0.37 is 96% in (band 9)
    df = from_items([
        item(market=10, offer=8, exterior=FT, wear=0.16),
        item(market=10, offer=7, exterior=FT, wear=0.37),
        item(market=10, offer=6, exterior=FT, wear=0.3735),
        item(market=10, offer=9, exterior=FN, wear=0.0349),  # FN 0-0.07: 49.9% -> band 4
    ])  # fmt: skip
    bands = wear_bands(df)
    assert bands.index.tolist() == [(FN, "40–50%"), (FT, "0–10%"), (FT, "90–100%")]
    assert bands.loc[(FT, "90–100%"), "payout_ratio"] == pytest.approx((7 + 6) / 20)
    assert bands.loc[(FT, "0–10%"), "items"] == 1
    assert wear_bands(df, bins=2).index.tolist() == [(FN, "0–50%"), (FT, "0–50%"), (FT, "50–100%")]
    with pytest.raises(ValueError):
        wear_bands(df, bins=0)


def test_sticker_effect_by_hand():
    df = from_items([
        item(market=10, offer=7, stickers=0),
        item(market=10, offer=8, stickers=1),
        item(market=20, offer=18, stickers=2),
        item(name="★ Karambit | Fade", market=1000, offer=800, stickers=0),  # cannot hold any
        item(name="Kilowatt Case", market=1, offer=0.5),  # not a weapon
    ])  # fmt: skip
    table = sticker_effect(df)
    assert table.index.tolist() == ["without stickers", "with stickers", "1 sticker", "2 stickers"]
    assert table["items"].tolist() == [1, 2, 1, 1]
    assert table.loc["with stickers", "payout_ratio"] == pytest.approx((8 + 18) / (10 + 20))
    assert table.loc["without stickers", "offer_value"] == 7


def test_rust_frame():
    rust = from_items(
        [{"name": "Tempered AK47", "marketHashName": "Tempered AK47", "marketPrice": 40,
          "offer": {"price": 30}, "amount": 1},
         {"name": "Cloth Bundle", "marketHashName": "Cloth Bundle", "marketPrice": 0.1,
          "offer": {"price": 0.05}, "amount": 300}],
        game="252490",
    )  # fmt: skip
    s = summary(rust)
    assert (s["items"], s["units"]) == (2, 301)  # rows, and the copies they hold
    # prices are per unit (/secure/sell prices each unit of items[].amount)
    assert s["market_value"] == pytest.approx(40 + 0.1 * 300)
    assert s["offer_value"] == pytest.approx(30 + 0.05 * 300)
    assert s["payout_ratio"] == pytest.approx((30 + 0.05 * 300) / (40 + 0.1 * 300))
    table = by_exterior(rust)
    assert table["items"].tolist() == [0] * 5 + [2]  # all without an exterior
    assert table["units"].tolist() == [0] * 5 + [301]
    assert table.loc["No exterior", "market_value"] == pytest.approx(70.0)
    assert sticker_effect(rust)["items"].tolist() == [0, 0]


def test_no_function_mutates_its_input(mixed):
    before = mixed.copy()
    for fn in (price_gap, summary, by_exterior, exterior_ladder, outliers, wear_bands,
               sticker_effect, lambda d: by_group(d, "weapon")):  # fmt: skip
        fn(mixed)
    pd.testing.assert_frame_equal(mixed, before)


prices = st.one_of(st.none(), st.floats(min_value=0, max_value=1e5, allow_nan=False))
rows = st.builds(
    item,
    name=st.sampled_from(["AK-47 | Redline", "AWP | Asiimov", "Kilowatt Case"]),
    market=prices,
    offer=prices,
    accepted=st.sampled_from([None, True, False]),
    exterior=st.sampled_from([None, FN, MW, FT, WW, BS]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(rows, max_size=25))
def test_groups_add_up_to_the_summary(items):
    df = from_items(items)
    total = summary(df)
    groups = by_group(df, "weapon")
    assert groups["items"].sum() == total["items"]
    assert groups["priced_items"].sum() == total["priced_items"]
    assert groups["market_value"].sum() == pytest.approx(total["market_value"])
    assert groups["offer_value"].sum() == pytest.approx(total["offer_value"])
    ratios = price_gap(df)["payout_ratio"].dropna()
    assert (ratios >= 0).all()
    assert len(ratios) == total["priced_items"]


def test_by_account_lists_every_account_fetched_with_its_label():
    df = from_items([item(market=10, offer=7), item(market=30, offer=20)],
                    steam_id="76561198000000001")  # fmt: skip
    df.attrs["steam_ids"] = ["76561198000000001", "76561198000000002"]  # the second: empty
    table = by_account(df, labels={"76561198000000001": "alice"})
    assert table.index.tolist() == ["alice (76561198000000001)", "76561198000000002"]
    assert table["items"].tolist() == [2, 0]
    assert table["market_value"].tolist() == [40.0, 0.0]
    assert table.loc["alice (76561198000000001)", "payout_ratio"] == pytest.approx(27 / 40)
    assert math.isnan(table.loc["76561198000000002", "payout_ratio"])
    assert table["items"].sum() == summary(df)["items"]


def test_rust_stacks_are_valued_per_unit_on_the_sandbox(box):
    """rusty: $937.50 summed as listed, $1,329.56 weighted by amount (from the raw JSON)."""
    import assetpay_analytics as apa

    rusty = box.accounts["rusty"].trade_url
    raw = box.items(rusty, "252490")
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    s = summary(client.inventory(rusty, game="252490"))
    listed = sum(i["marketPrice"] for i in raw if i.get("marketPrice") is not None)
    weighted = sum(i["marketPrice"] * i.get("amount", 1) for i in raw
                   if i.get("marketPrice") is not None)  # fmt: skip
    assert round(listed, 2) == 937.50 and round(weighted, 2) == 1329.56
    assert s["market_value"] == pytest.approx(weighted)
    assert s["units"] == sum(i.get("amount", 1) for i in raw) > s["items"] == len(raw)
