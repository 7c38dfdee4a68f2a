"""analysis.drift: compare two frames item by item, and the payout ratio over time.

Expected numbers are worked out by hand in the comments from the small frames built
here; the store tests check that DuckDB and pandas give the same trend.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.analysis import compare, payout_trend
from assetpay_analytics.frame import from_items
from assetpay_analytics.frame.schema import concat
from assetpay_analytics.history import SnapshotStore
from assetpay_analytics.sandbox import aging

A, B = "76561198000000001", "76561198000000002"


def item(item_id, skin, exterior, market, offer, **extra):
    return {
        "id": item_id,
        "name": f"{skin} ({exterior})",
        "marketHashName": f"{skin} ({exterior})",
        "exterior": exterior,
        "marketPrice": market,
        "offer": {"price": offer, **extra},
    }


def frame(accounts: dict[str, list[dict]]) -> pd.DataFrame:
    frames = [from_items(items, steam_id=steam_id) for steam_id, items in accounts.items()]
    out = concat(frames)
    out.attrs = {"game": "730", "steam_ids": list(accounts)}
    return out


@pytest.fixture
def week():
    before = frame({
        A: [item("1", "AWP | Asiimov", "Field-Tested", 100, 70),
            item("2", "AK-47 | Redline", "Minimal Wear", 20, 15),
            item("3", "AK-47 | Redline", "Field-Tested", 10, 7)],
        B: [item("4", "M4A4 | Howl", "Factory New", 1000, 800)],
    })  # fmt: skip
    after = frame({
        A: [item("1", "AWP | Asiimov", "Field-Tested", 110, 66),  # offer cut: 0.70 -> 0.60
            item("2", "AK-47 | Redline", "Minimal Wear", 20, 15),
            item("5", "AWP | Asiimov", "Battle-Scarred", 40, 20)],  # new; 3 traded away
        B: [item("4", "M4A4 | Howl", "Factory New", 1000, 800)],
    })  # fmt: skip
    return before, after


def test_items_are_added_removed_and_kept_by_account_and_id(week):
    change = compare(*week)
    assert change.added["item_id"].tolist() == ["5"]
    assert change.removed["item_id"].tolist() == ["3"]
    kept = change.kept.set_index("item_id")
    assert sorted(kept.index) == ["1", "2", "4"]
    assert kept.loc["1", "market_price_change"] == 10.0  # 110 - 100
    assert kept.loc["1", "offer_price_change"] == -4.0  # 66 - 70
    assert kept.loc["1", "payout_ratio_before"] == pytest.approx(0.70)
    assert kept.loc["1", "payout_ratio_change"] == pytest.approx(0.60 - 0.70)
    assert kept.loc["2", ["market_price_change", "offer_price_change"]].tolist() == [0.0, 0.0]


def test_the_same_id_in_two_accounts_is_two_items(week):
    before, after = week
    moved = frame({B: [item("1", "AWP | Asiimov", "Field-Tested", 100, 70)]})
    change = compare(before, concat([after, moved]))
    assert change.added["item_id"].tolist() == ["5", "1"]  # item 1 of B is new


def test_by_exterior_is_like_for_like_over_kept_priced_items(week):
    table = compare(*week).by_exterior
    assert table.index.tolist() == [
        "Factory New", "Minimal Wear", "Field-Tested", "Well-Worn", "Battle-Scarred",
    ]  # fmt: skip
    ft = table.loc["Field-Tested"]
    # only item 1 is kept in Field-Tested: 70/100 -> 66/110; item 3 left
    assert ft["payout_ratio_before"] == pytest.approx(0.70)
    assert ft["payout_ratio_after"] == pytest.approx(0.60)
    assert ft["payout_ratio_change"] == pytest.approx(-0.10)
    assert ft["offer_value_change"] == pytest.approx(-4.0)
    assert (ft["kept_priced"], ft["added"], ft["removed"]) == (1, 0, 1)
    bs = table.loc["Battle-Scarred"]  # only an added item: no like-for-like ratio
    assert (bs["kept_priced"], bs["added"]) == (0, 1) and math.isnan(bs["payout_ratio_before"])
    assert table.loc["Minimal Wear", "payout_ratio_change"] == pytest.approx(0.0)


def test_by_skin_groups_the_kept_items_by_skin(week):
    table = compare(*week).by_skin
    assert table.loc["AWP | Asiimov", "payout_ratio_change"] == pytest.approx(-0.10)
    assert table.loc["AWP | Asiimov", "added"] == 1
    assert table.loc["AK-47 | Redline", "removed"] == 1
    assert table.loc["AK-47 | Redline", "payout_ratio_after"] == pytest.approx(0.75)  # 15/20


def test_by_account_and_summary_are_over_whole_frames(week):
    change = compare(*week)
    a = change.by_account.loc[A]
    assert (a["items_before"], a["items_after"], a["added"], a["removed"], a["kept"]) == (
        3, 3, 1, 1, 2,
    )  # fmt: skip
    assert a["market_value_before"] == 130.0 and a["market_value_after"] == 170.0
    assert a["offer_value_change"] == pytest.approx((66 + 15 + 20) - (70 + 15 + 7))
    assert a["payout_ratio_after"] == pytest.approx(101 / 170)
    assert change.by_account.loc[B, "market_value_change"] == 0.0
    total = change.summary()
    assert total["accounts_before"] == total["accounts_after"] == 2
    assert (total["added"], total["removed"], total["kept"]) == (1, 1, 3)
    assert total["market_value_change"] == pytest.approx(1170 - 1130)
    assert total["payout_ratio_before"] == pytest.approx(892 / 1130)
    assert total["payout_ratio_after"] == pytest.approx(901 / 1170)
    # like-for-like: items 1, 2 and 4
    assert total["kept_payout_ratio_before"] == pytest.approx((70 + 15 + 800) / 1120)
    assert total["kept_payout_ratio_after"] == pytest.approx((66 + 15 + 800) / 1130)


def test_an_item_refused_on_either_day_stays_out_of_the_like_for_like_ratio(week):
    before, _ = week
    refused = frame({
        A: [item("1", "AWP | Asiimov", "Field-Tested", 110, 66, accepted=False),
            item("2", "AK-47 | Redline", "Minimal Wear", 20, 15)],
        B: [item("4", "M4A4 | Howl", "Factory New", 1000, 800)],
    })  # fmt: skip
    change = compare(before, refused)
    assert "1" in change.kept["item_id"].tolist()
    assert change.by_exterior.loc["Field-Tested", "kept_priced"] == 0


def test_compare_is_also_on_the_accessor(week):
    before, after = week
    assert before.assetpay.compare(after).summary().equals(compare(before, after).summary())


def test_an_item_twice_in_one_account_is_refused(week):
    before, after = week
    twice = concat([after, after.iloc[:1]])
    with pytest.raises(ValueError, match="twice in after"):
        compare(before, twice)


# --- the trend -------------------------------------------------------------------------------


def stamped(df: pd.DataFrame, when: str) -> pd.DataFrame:
    return df.assign(taken_at=pd.Timestamp(when))


@pytest.fixture
def history():
    day1_morning = frame({A: [item("1", "AWP | Asiimov", "Field-Tested", 10, 7)]})
    day1_evening = frame({A: [item("1", "AWP | Asiimov", "Field-Tested", 10, 6)]})
    day2 = frame({A: [item("1", "AWP | Asiimov", "Field-Tested", 10, 8),
                      item("2", "AK-47 | Redline", "Minimal Wear", 40, 30)]})  # fmt: skip
    parts = [stamped(day1_morning, "2026-06-01T08:00Z"), stamped(day1_evening, "2026-06-01T20:00Z"),
             stamped(day2, "2026-06-02T08:00Z")]  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def test_payout_trend_weights_by_value_within_each_period(history):
    trend = payout_trend(history, by="exterior", freq="D")
    assert trend.columns.tolist() == ["Minimal Wear", "Field-Tested"]  # exterior order
    assert trend.index.tolist() == [
        pd.Timestamp("2026-06-01T00:00Z"),
        pd.Timestamp("2026-06-02T00:00Z"),
    ]
    # day 1: (7 + 6) / (10 + 10); day 2: 8 / 10; Minimal Wear only on day 2: 30 / 40
    assert trend["Field-Tested"].tolist() == pytest.approx([0.65, 0.80])
    assert math.isnan(trend.loc["2026-06-01", "Minimal Wear"])
    assert trend.loc["2026-06-02", "Minimal Wear"] == pytest.approx(0.75)


def test_payout_trend_over_everything_and_by_week(history):
    overall = payout_trend(history, by=None, freq="D")
    assert overall["all"].tolist() == pytest.approx([13 / 20, 38 / 50])
    weekly = history.assetpay.payout_trend(by="weapon", freq="W")
    assert len(weekly) == 1  # both days fall in the week ending Sunday 7 June
    assert weekly.loc[:, "AWP"].tolist() == pytest.approx([21 / 30])


def test_payout_trend_needs_a_history(week):
    with pytest.raises(ValueError, match=r"store\.load"):
        payout_trend(week[0])


# --- the same trend in DuckDB -----------------------------------------------------------------


@pytest.fixture
def store(tmp_path, week):
    """A week of daily snapshots whose offers drift, in a store on disk."""
    before, _ = week
    rng = np.random.default_rng(7)
    store = SnapshotStore(tmp_path)
    for day in range(1, 8):
        moved = before.copy()
        moved["offer_price"] = (before["offer_price"] * rng.uniform(0.9, 1.1, len(before))).round(2)
        moved.attrs = dict(before.attrs)
        for when, frame in (
            (f"2026-06-0{day}T09:00:00Z", moved),
            (f"2026-06-0{day}T21:00:00Z", before),
        ):
            store.save(frame, taken_at=when, as_of=when)
    return store


@pytest.mark.parametrize("by", ["exterior", "weapon", "stattrak", "steam_id", None])
@pytest.mark.parametrize("freq", ["D", "W", "12h"])
def test_duckdb_and_pandas_give_the_same_trend(store, by, freq):
    in_memory = store.payout_trend(by, freq, engine="pandas")
    in_place = store.payout_trend(by, freq, engine="duckdb")
    assert (in_memory.attrs["engine"], in_place.attrs["engine"]) == ("pandas", "duckdb")
    pd.testing.assert_frame_equal(in_place, in_memory, check_exact=False, rtol=1e-12)
    assert in_memory.notna().any().any()


def test_auto_takes_duckdb_for_many_snapshots_or_a_history_that_would_not_fit(store):
    from assetpay_analytics.history.snapshots import AUTO_DUCKDB_SNAPSHOTS

    assert len(store.snapshots()) > AUTO_DUCKDB_SNAPSHOTS
    assert store.payout_trend(engine="auto").attrs["engine"] == "duckdb"
    few = {"since": "2026-06-03", "until": "2026-06-03T23:00Z"}
    assert len(store.load(**few).attrs["snapshots"]) <= AUTO_DUCKDB_SNAPSHOTS
    assert store.payout_trend(engine="auto", **few).attrs["engine"] == "pandas"
    assert store.payout_trend(engine="auto", memory=1_000, **few).attrs["engine"] == "duckdb"


def test_a_range_of_the_history_on_either_engine(store):
    for engine in ("pandas", "duckdb"):
        trend = store.payout_trend(since="2026-06-03", until="2026-06-04T23:00Z", engine=engine)
        assert trend.index.tolist() == [
            pd.Timestamp("2026-06-03T00:00Z"),
            pd.Timestamp("2026-06-04T00:00Z"),
        ]


def test_the_trend_refuses_what_it_cannot_group_by(store):
    with pytest.raises(ValueError, match="by must be one of"):
        store.payout_trend(by="wear")
    with pytest.raises(ValueError, match="engine must be"):
        store.payout_trend(engine="spark")


# --- on sandbox days whose differences are known -----------------------------------------------

HOLDERS = ("alice", "bob", "carol", "dave", "erin")  # the normal accounts holding CS2


@pytest.fixture(scope="module")
def sandbox_days():
    """The holders' CS2 frames on a few days around the sandbox's two events."""
    days = ("2026-06-10", "2026-06-11", "2026-06-18", "2026-06-19", "2026-06-25")
    with apa.sandbox.serve(as_of=days[0]) as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        urls = [box.accounts[name].trade_url for name in HOLDERS]
        frames, raw = {}, {}
        for day in days:
            box.set_as_of(day)
            frames[day] = client.inventories(urls, progress=False)
            raw[day] = {(box.accounts[n].trade_url, i["id"]) for n in HOLDERS for i in box.items(n)}
    return frames, raw, urls


def test_compare_finds_the_offer_cut_of_day_ten(sandbox_days):
    frames, _, _ = sandbox_days
    (cut,) = [event for event in aging.EVENTS if event.kind == "offer"]
    assert cut.date.isoformat() == "2026-06-11"
    table = compare(frames["2026-06-10"], frames["2026-06-11"]).by_skin
    table = table[table["kept_priced"] > 0]
    moved = table["payout_ratio_after"] / table["payout_ratio_before"]
    hit = table.index.str.contains(cut.match, regex=False)
    assert hit.any() and (~hit).sum() > 20
    # the cut (x 0.85) on top of a day's payout drift (about 0.4%)
    assert moved[hit].between(cut.factor * 0.97, cut.factor * 1.03).all()
    assert (moved[~hit] - 1).abs().max() < 0.03


def test_the_trend_shows_the_market_spike_of_day_eighteen(sandbox_days, tmp_path):
    frames, _, _ = sandbox_days
    (spike,) = [event for event in aging.EVENTS if event.kind == "market"]
    store = SnapshotStore(tmp_path)
    for day in ("2026-06-18", "2026-06-19"):
        store.save(frames[day], taken_at=f"{day}T09:00:00Z")
    history = store.load()
    spiked = history[history["name"].astype("string").str.contains(spike.match, regex=False)]
    trend = payout_trend(spiked, by=None)["all"]
    # the market price rose 40%, the offer did not: the ratio falls to about 1 / 1.4
    assert trend.iloc[1] / trend.iloc[0] == pytest.approx(1 / spike.factor, rel=0.03)
    calm = payout_trend(history.drop(spiked.index), by=None)["all"]
    assert calm.iloc[1] / calm.iloc[0] == pytest.approx(1.0, abs=0.02)
    same = store.payout_trend(by=None, engine="duckdb")["all"]
    np.testing.assert_allclose(same, payout_trend(history, by=None)["all"], rtol=1e-12)


def test_compare_counts_the_trades_the_raw_answers_show(sandbox_days):
    frames, raw, urls = sandbox_days
    steam_of = {url: apa.TradeUrl.parse(url).steam_id for url in urls}
    before, after = raw["2026-06-10"], raw["2026-06-25"]
    change = compare(frames["2026-06-10"], frames["2026-06-25"])

    def keyed(rows):
        return {(str(s), str(i)) for s, i in zip(rows["steam_id"], rows["item_id"], strict=True)}

    assert keyed(change.added) == {(steam_of[u], i) for u, i in after - before}
    assert keyed(change.removed) == {(steam_of[u], i) for u, i in before - after}
    assert len(change.kept) == len(before & after) > 0
