"""analysis.book_drift: two price books compared, and the deposit ratio over time.

Tiny hand-made books (``frame.from_price_book``) with every expectation worked by hand,
then the sandbox's raw books of two days (``Sandbox.price_book``), whose day-10 event
cuts AssetPay's deposit for every AWP | Asiimov by 15%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import assetpay_analytics as apa
import assetpay_analytics.client  # registers df.assetpay
from assetpay_analytics.analysis import (
    BookComparison,
    catalogue_spread,
    compare_prices,
    deposit_trend,
)
from assetpay_analytics.analysis.book_drift import BY_COLUMNS, KEPT_COLUMNS
from assetpay_analytics.frame import from_price_book

REDLINE = "AK-47 | Redline (Field-Tested)"
ASIIMOV = "AWP | Asiimov (Field-Tested)"
BASILISK = "M4A1-S | Basilisk (Well-Worn)"
CORTEX = "USP-S | Cortex (Well-Worn)"
FADE = "Glock-18 | Fade (Factory New)"
DOPPLER = "★ Karambit | Doppler (Factory New)"


def entry(name, deposit, withdraw=None, *, accepted=True, phases=()):
    """A CS2 entry of /secure/prices as the API spells it; phases (name, deposit, withdraw)."""
    return {
        "itemId": None, "marketHashName": name, "accepted": accepted, "deposit": deposit,
        "withdraw": {"standard": withdraw, "instant": None},
        "phases": [
            {"phase": phase, "accepted": True, "deposit": d,
             "withdraw": {"standard": w, "instant": None}}
            for phase, d, w in phases
        ],
    }  # fmt: skip


@pytest.fixture
def pair():
    before = from_price_book([
        entry(REDLINE, 10.0, 12.5),
        entry(ASIIMOV, 40.0, 50.0),
        entry(BASILISK, 3.0, 4.0),
        entry(FADE, 100.0, 120.0, accepted=False),
        entry(DOPPLER, 900.0, 1100.0, phases=[("Ruby", 2900.0, 3500.0),
                                              ("Sapphire", 2500.0, 3000.0)]),
    ])  # fmt: skip
    after = from_price_book([
        entry(REDLINE, 11.0, 12.5),  # +10%
        entry(ASIIMOV, 34.0, 50.0),  # -15%
        entry(CORTEX, 2.0, 3.0),  # added; Basilisk removed
        entry(FADE, 90.0, 120.0, accepted=False),  # moved, but not accepted
        entry(DOPPLER, 900.0, 1100.0, phases=[("Ruby", 3000.0, 3500.0),
                                              ("Emerald", 2000.0, 2400.0)]),
    ])  # fmt: skip
    return before, after


def keys(rows: pd.DataFrame) -> list[tuple]:
    phases = [None if pd.isna(p) else p for p in rows["phase"].astype(object)]
    return list(zip(rows["market_hash_name"].astype(str), phases, strict=True))


# --- compare_prices ---------------------------------------------------------------------------


def test_rows_are_matched_by_game_name_and_phase(pair):
    change = compare_prices(*pair)
    assert isinstance(change, BookComparison)
    assert keys(change.added) == [(CORTEX, None), (DOPPLER, "Emerald")]
    assert keys(change.removed) == [(BASILISK, None), (DOPPLER, "Sapphire")]
    assert change.added.columns.tolist() == pair[1].columns.tolist()
    kept = change.kept
    assert kept.columns.tolist() == list(KEPT_COLUMNS)
    assert keys(kept) == [
        (REDLINE, None),
        (ASIIMOV, None),
        (FADE, None),
        (DOPPLER, None),
        (DOPPLER, "Ruby"),
    ]  # fmt: skip  (in before's order)
    assert kept["deposit_before"].tolist() == [10.0, 40.0, 100.0, 900.0, 2900.0]
    assert kept["deposit_after"].tolist() == [11.0, 34.0, 90.0, 900.0, 3000.0]
    assert kept["deposit_change"].tolist() == [1.0, -6.0, -10.0, 0.0, 100.0]
    np.testing.assert_allclose(kept["deposit_pct"], [0.1, -0.15, -0.1, 0.0, 100 / 2900])
    # accepted entry rows with a deposit both times; not the refused Fade, not a phase
    assert kept["like_for_like"].tolist() == [True, True, False, True, False]
    assert kept["exterior"].astype(str).tolist()[:2] == ["Field-Tested", "Field-Tested"]
    assert kept["accepted_after"].tolist() == [True, True, False, True, True]


def test_the_summary_by_hand(pair):
    summary = compare_prices(*pair).summary()
    assert summary.to_dict() == {
        "rows_before": 7, "rows_after": 7, "entries_before": 5, "entries_after": 5,
        "added": 2, "removed": 2, "kept": 5, "changed": 4, "like_for_like": 3,
        "deposit_before": 950.0, "deposit_after": 945.0, "deposit_change": -5.0,
        "deposit_pct": pytest.approx(-5 / 950),
    }  # fmt: skip
    assert isinstance(summary["added"], int)


def test_the_change_by_exterior_is_value_weighted_by_hand(pair):
    table = compare_prices(*pair).by("exterior")
    assert table.columns.tolist() == list(BY_COLUMNS)
    assert table.index.astype(str).tolist() == ["Factory New", "Field-Tested", "Well-Worn"]
    factory, field, worn = (table.iloc[n] for n in range(3))
    # Field-Tested: 10 + 40 -> 11 + 34, i.e. 50 -> 45: -10% (the rows' own: +10%, -15%)
    assert field[["entries", "changed", "deposit_before", "deposit_after"]].tolist() == [
        2, 2, 50.0, 45.0,
    ]  # fmt: skip
    assert field["deposit_change"] == -5.0
    assert field["deposit_pct"] == pytest.approx(-0.1)
    # Factory New: the Karambit's own row only (the refused Fade and the phases weigh not)
    assert factory[["entries", "changed", "deposit_before", "deposit_pct"]].tolist() == [
        1, 0, 900.0, 0.0,
    ]  # fmt: skip
    assert (factory["added"], factory["removed"]) == (0, 0)  # Emerald, Sapphire: phases
    # Well-Worn: nothing kept, one entry added (Cortex) and one removed (Basilisk)
    assert worn[["entries", "added", "removed"]].tolist() == [0, 1, 1]
    assert np.isnan(worn["deposit_pct"]) and np.isnan(worn["deposit_change"])


def test_the_change_by_several_columns(pair):
    table = compare_prices(*pair).by(["weapon", "exterior"])
    assert table.index.names == ["weapon", "exterior"]
    assert table.loc[("AWP", "Field-Tested"), "deposit_pct"] == pytest.approx(-0.15)
    assert table.loc[("AK-47", "Field-Tested"), "deposit_pct"] == pytest.approx(0.1)
    assert table.loc[("USP-S", "Well-Worn"), "added"] == 1
    with pytest.raises(KeyError, match="no column"):
        compare_prices(*pair).by("colour")


def test_books_of_two_games_match_within_their_game():
    cs2 = from_price_book([entry("Kilowatt Case", 0.5, 0.7)])
    rust = from_price_book(
        [{"marketHashName": "Kilowatt Case", "accepted": True, "deposit": 0.4, "withdraw": 0.6}],
        game="252490",
    )
    change = compare_prices(cs2, rust)
    assert len(change.kept) == 0 and len(change.added) == len(change.removed) == 1
    assert change.by("exterior").empty  # no exterior: nothing to group


def test_a_key_twice_is_refused_and_a_missing_column_named(pair):
    before, after = pair
    twice = pd.concat([before, before.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"AK-47 \| Redline .* twice in before"):
        compare_prices(twice, after)
    with pytest.raises(KeyError, match="deposit"):
        compare_prices(before, after.drop(columns="deposit"))


def test_an_empty_book_against_a_book_adds_everything(pair):
    before, after = pair
    change = compare_prices(before.iloc[:0], after)
    assert len(change.added) == len(after) and change.kept.empty
    assert change.summary()["like_for_like"] == 0 and np.isnan(change.summary()["deposit_pct"])
    assert change.by("exterior")["added"].sum() == 5


def test_the_accessor_reads_as_the_functions(pair):
    before, after = pair
    via = before.assetpay.compare_prices(after)
    pd.testing.assert_frame_equal(via.kept, compare_prices(before, after).kept)
    history = pd.concat([before.assign(date=pd.Timestamp("2026-06-10")),
                         after.assign(date=pd.Timestamp("2026-06-11"))])  # fmt: skip
    pd.testing.assert_frame_equal(
        history.assetpay.deposit_trend(by=None), deposit_trend(history, by=None)
    )


# --- deposit_trend ----------------------------------------------------------------------------


def history_of(*books: tuple[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(
        [book.assign(date=pd.Timestamp(day)) for day, book in books], ignore_index=True
    )


def test_the_deposit_trend_by_hand(pair):
    before, after = pair
    trend = deposit_trend(history_of(("2026-06-10", before), ("2026-06-11", after)))
    assert trend.index.name == "date" and trend.columns.name == "exterior"
    assert trend.columns.tolist() == ["Factory New", "Field-Tested", "Well-Worn"]
    by_hand = {
        # the refused Fade and the phase rows are left out
        "Factory New": [900 / 1100, 900 / 1100],
        "Field-Tested": [50 / 62.5, 45 / 62.5],
        "Well-Worn": [3 / 4, 2 / 3],
    }
    for exterior, values in by_hand.items():
        np.testing.assert_allclose(trend[exterior], values, rtol=1e-12)
    overall = deposit_trend(history_of(("2026-06-10", before)), by=None)
    assert overall.columns.tolist() == ["all"]
    assert overall["all"].tolist() == pytest.approx([(50 + 3 + 900) / (62.5 + 4 + 1100)])


def test_a_period_pools_its_books(pair):
    before, after = pair
    history = history_of(("2026-06-10", before), ("2026-06-11", after), ("2026-06-15", after))
    weekly = deposit_trend(history, by="weapon", freq="W")
    # weeks end on Sunday: 10-11 June (Wed, Thu) in the week to the 14th, the 15th alone
    assert weekly.index.strftime("%Y-%m-%d").tolist() == ["2026-06-14", "2026-06-21"]
    assert weekly.loc["2026-06-14", "AWP"] == pytest.approx((40 + 34) / (50 + 50))
    assert np.isnan(weekly.loc["2026-06-14", "Glock-18"])  # refused both times
    daily = deposit_trend(history, by="weapon")  # a period without a book has no row
    assert daily.index.strftime("%Y-%m-%d").tolist() == ["2026-06-10", "2026-06-11", "2026-06-15"]


def test_entries_without_both_prices_weigh_nothing():
    book = from_price_book([
        entry("A (Field-Tested)", 6.0, 10.0),
        entry("B (Field-Tested)", 5.0, None),  # no withdraw price
        entry("C (Field-Tested)", 5.0, 0.0),  # a withdraw price of 0
    ])  # fmt: skip
    trend = deposit_trend(history_of(("2026-06-10", book)))
    assert trend["Field-Tested"].tolist() == [0.6]
    spread = catalogue_spread(book, by="exterior")["deposit_ratio"]
    assert trend["Field-Tested"].iloc[0] == spread.loc["Field-Tested"]


def test_what_the_trend_needs_is_named(pair):
    with pytest.raises(KeyError, match="date"):
        deposit_trend(pair[0])  # a book, not a history
    with pytest.raises(KeyError, match="colour"):
        deposit_trend(history_of(("2026-06-10", pair[0])), by="colour")
    empty = deposit_trend(history_of(("2026-06-10", pair[0])).iloc[:0])
    assert empty.empty and empty.index.name == "date"


# --- the sandbox's books ----------------------------------------------------------------------


def test_the_asiimov_cut_between_the_sandbox_books_of_two_days():
    with apa.sandbox.serve(as_of="2026-06-10") as box:
        raw_before = box.price_book()
        box.set_as_of("2026-06-11")  # day 10: AssetPay cuts every AWP | Asiimov by 15%
        raw_after = box.price_book()
    change = compare_prices(from_price_book(raw_before), from_price_book(raw_after))
    asiimov = {
        e["marketHashName"]: (e["deposit"], later["deposit"])
        for e, later in zip(raw_before, raw_after, strict=True)
        if "AWP | Asiimov" in e["marketHashName"] and e["accepted"] and later["accepted"]
    }
    assert len(asiimov) >= 2
    kept = change.kept.set_index(change.kept["market_hash_name"].astype(str))
    for name, (old, new) in asiimov.items():
        assert kept.loc[name, "deposit_change"] == pytest.approx(new - old, abs=0.005)
        assert kept.loc[name, "deposit_pct"] == pytest.approx(new / old - 1)
        assert -0.20 < new / old - 1 < -0.10
    group = change.by(["weapon", "skin"]).loc[("AWP", "Asiimov")]
    old, new = (sum(prices[i] for prices in asiimov.values()) for i in (0, 1))
    assert group["entries"] == len(asiimov)
    assert group["deposit_pct"] == pytest.approx(new / old - 1)
    assert change.summary()["added"] == change.summary()["removed"] == 0
