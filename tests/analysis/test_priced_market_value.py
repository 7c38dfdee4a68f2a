"""Issue 22: every payout ratio can be derived from the two values printed beside it.

``payout_ratio`` divides the offer value by the market value of the *priced* items, so
each table and the summary carry ``priced_market_value`` right after ``market_value``.
For every row of every table: ``offer_value / priced_market_value == payout_ratio``
(within 1e-9; NaN where ``priced_market_value`` is 0), computed from those columns
only, and ``priced_market_value`` equals a sum made here from the frame's own columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics import analysis
from assetpay_analytics.analysis.catalogue import book_band
from assetpay_analytics.constants import NO_EXTERIOR
from assetpay_analytics.frame import from_items

RUST = "252490"


def reconciles(table: pd.DataFrame) -> None:
    """Each row's ratio is its offer value over its priced market value, and nothing else."""
    columns = list(table.columns)
    assert columns.index("priced_market_value") == columns.index("market_value") + 1
    offer = table["offer_value"].astype("float64").to_numpy()
    market = table["priced_market_value"].astype("float64").to_numpy()
    ratio = table["payout_ratio"].astype("float64").to_numpy()
    assert not np.isnan(market).any() and (market >= 0).all()
    none = market == 0
    assert np.isnan(ratio[none]).all()
    np.testing.assert_allclose(ratio[~none], offer[~none] / market[~none], rtol=0, atol=1e-9)


def summary_reconciles(totals: pd.Series) -> None:
    keys = list(totals.index)
    assert keys.index("priced_market_value") == keys.index("market_value") + 1
    market, offer = float(totals["priced_market_value"]), float(totals["offer_value"])
    if market == 0:
        assert np.isnan(float(totals["payout_ratio"]))
    else:
        assert abs(offer / market - float(totals["payout_ratio"])) <= 1e-9


def priced_values(df: pd.DataFrame) -> pd.Series:
    """Per row, market price × units where the row is priced, else 0 (by the definition)."""
    market = df["market_price"].astype("float64")
    accepted = df["offer_accepted"].astype("boolean").fillna(True).astype(bool)
    ok = market.gt(0) & df["offer_price"].notna() & accepted
    units = df["amount"].astype("float64").fillna(1).clip(lower=1) if "amount" in df else 1.0
    return (market * units).where(ok, 0.0)


@pytest.fixture(scope="module")
def frames(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    urls = [*box.trade_urls, box.accounts["private"].trade_url]
    mixed = from_items(
        [
            {"name": "AK-47 | Redline", "exterior": "Field-Tested", "wear": "0.2",
             "marketPrice": 10, "offer": {"price": 8}},
            {"name": "AK-47 | Redline", "exterior": "Field-Tested", "wear": "0.3",
             "marketPrice": 30, "offer": {"price": 18, "accepted": False}},
            {"name": "AWP | Asiimov", "exterior": "Well-Worn", "wear": "0.4",
             "marketPrice": 90, "offer": None},
            {"name": "AWP | Asiimov", "exterior": "Minimal Wear", "wear": "0.1",
             "marketPrice": 0, "offer": {"price": 5}},
            {"name": "Sticker | Crown (Foil)", "marketPrice": None, "offer": {"price": 1}},
        ],
        steam_id="1",
    )  # fmt: skip
    mixed.attrs["steam_ids"] = ["1", "2"]  # an empty account: zeros and a NaN ratio
    return {
        "cs2": client.inventories(urls, progress=False),
        "rust": client.inventories(box.trade_urls, RUST, progress=False),
        "mixed": mixed,
    }


@pytest.mark.parametrize("name", ["cs2", "rust", "mixed"])
def test_the_summary_divides(frames, name):
    df = frames[name]
    totals = analysis.summary(df)
    summary_reconciles(totals)
    assert totals["priced_market_value"] == pytest.approx(priced_values(df).sum(), rel=1e-12)
    # shown as money, as market_value is
    assert "$" in repr(totals).split("priced_market_value")[1].splitlines()[0]


@pytest.mark.parametrize("name", ["cs2", "rust", "mixed"])
def test_every_group_table_divides(frames, name):
    df = frames[name]
    tables = {
        "by_exterior": analysis.by_exterior(df),
        "by_account": analysis.by_account(df),
        "by_group": analysis.by_group(df, ["weapon", "skin"]),
        "by_type": analysis.by_group(df, "type") if "type" in df else None,
        "wear_bands": analysis.wear_bands(df),
        "sticker_effect": analysis.sticker_effect(df),
    }
    for table_name, table in tables.items():
        if table is not None:
            assert len(table.columns) == len(analysis.GROUP_COLUMNS), table_name
            reconciles(table)


@pytest.mark.parametrize("name", ["cs2", "rust", "mixed"])
def test_priced_market_value_is_the_priced_rows_sum(frames, name):
    df = frames[name]
    value = priced_values(df)
    exterior = df["exterior"].astype("string").fillna(NO_EXTERIOR)
    want = value.groupby(exterior).sum()
    got = analysis.by_exterior(df)["priced_market_value"]
    for label, amount in got.items():
        assert amount == pytest.approx(want.get(str(label), 0.0), rel=1e-12, abs=1e-9), label
    accounts = value.groupby(df["steam_id"].astype(str)).sum()
    by_account = analysis.by_account(df)["priced_market_value"]
    for label, amount in by_account.items():
        steam_id = str(label).rsplit("(", 1)[-1].rstrip(")")
        assert amount == pytest.approx(accounts.get(steam_id, 0.0), rel=1e-12, abs=1e-9)
    keys = [df["weapon"].astype(object), df["skin"].astype(object)]
    groups = value.groupby(keys, dropna=False).sum()
    table = analysis.by_group(df, ["weapon", "skin"])
    assert table["priced_market_value"].sum() == pytest.approx(groups.sum(), rel=1e-12)
    assert sorted(table["priced_market_value"].round(6)) == sorted(groups.round(6))


def test_no_existing_number_changes(frames):
    """The ratio is unchanged: Σ offer over priced rows / Σ market over priced rows."""
    df = frames["cs2"]
    value = priced_values(df)
    accepted = df["offer_accepted"].astype("boolean").fillna(True).astype(bool)
    ok = df["market_price"].astype("float64").gt(0) & df["offer_price"].notna() & accepted
    offer = df["offer_price"].astype("float64").where(ok, 0.0).sum()
    totals = analysis.summary(df)
    assert totals["offer_value"] == pytest.approx(offer, rel=1e-12)
    assert totals["payout_ratio"] == pytest.approx(offer / value.sum(), rel=1e-12)
    assert totals["market_value"] == pytest.approx(df["market_price"].astype(float).sum())
    # market value counts the items that are not priced too: the two differ here
    assert totals["market_value"] > totals["priced_market_value"]


def test_the_header_reads_as_a_market_value(frames):
    shown = analysis.formatted(analysis.by_exterior(frames["mixed"]))
    assert "market value (priced, USD)" in shown.columns
    assert shown.loc["Field-Tested", "market value (priced, USD)"] == "$10.00"
    assert shown.loc["Field-Tested", "market value (USD)"] == "$40.00"


def test_the_book_tables_already_divide(box):
    """The price book's ratios divide the sums beside them (they needed no new column)."""
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    for game in ("730", RUST):
        book = client.prices(game)
        groups = ["exterior", "weapon"] if game == "730" else ["stattrak"]
        for by in [*groups, book_band(book)]:
            table = analysis.catalogue_spread(book, by=by)
            assert len(table), game
            np.testing.assert_allclose(
                table["deposit_ratio"], table["deposit"] / table["withdraw_standard"],
                rtol=0, atol=1e-9,
            )  # fmt: skip
        change = analysis.compare_prices(book, book).by(groups[0])
        kept = change["entries"] > 0
        np.testing.assert_allclose(
            change.loc[kept, "deposit_pct"],
            change.loc[kept, "deposit_after"] / change.loc[kept, "deposit_before"] - 1,
            rtol=0, atol=1e-9,
        )  # fmt: skip
