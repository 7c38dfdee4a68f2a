"""analysis.catalogue: inventory offers against the price book, and the book's spread.

Worked by hand on small frames (every expected number is written out), then on the
sandbox, whose seeded disagreements (``Sandbox.off_book``) must be exactly the rows
``offer_vs_catalogue`` flags.
"""

from __future__ import annotations

import pandas as pd
import pytest

import assetpay_analytics as apa
import assetpay_analytics.accessor
from assetpay_analytics.analysis import catalogue_spread, offer_vs_catalogue
from assetpay_analytics.frame import from_items, from_price_book

FT = "AK-47 | Redline (Field-Tested)"
DOPPLER = "★ Karambit | Doppler (Factory New)"


def entry(name, deposit, standard, instant=None, accepted=True, phases=None):
    made = {"itemId": f"id-{name}", "marketHashName": name, "accepted": accepted,
            "deposit": deposit, "withdraw": {"standard": standard, "instant": instant}}  # fmt: skip
    if phases:
        made["phases"] = [
            {"phase": p, "accepted": True, "deposit": d, "withdraw": {"standard": w,
             "instant": None}} for p, d, w in phases
        ]  # fmt: skip
    return made


@pytest.fixture
def book():
    return from_price_book(
        [
            entry(FT, 30.0, 40.0, 41.0),
            entry(DOPPLER, 900.0, 1200.0, phases=[("Phase 2", 950.0, 1250.0),
                                                   ("Ruby", 2900.0, 3600.0)]),
            entry("Kilowatt Case", 0.45, 0.60),
            entry("P250 | Sand Dune (Battle-Scarred)", 0.0, 0.05, accepted=False),
            entry("AWP | Asiimov (Well-Worn)", 70.0, None),
        ]
    )  # fmt: skip


def item(id_, name, offer, phase=None):
    made = {"id": id_, "marketHashName": name, "name": name.split(" (")[0],
            "offer": {"price": offer}, "marketPrice": offer * 1.3}  # fmt: skip
    if phase:
        made["doppler"] = {"name": phase}
    return made


@pytest.fixture
def inventory():
    return from_items(
        [
            item("a", FT, 30.0),  # agrees
            item("b", FT, 27.5),  # 2.50 below the book
            item("c", DOPPLER, 2900.0, phase="Ruby"),  # the Ruby row
            item("d", DOPPLER, 905.0, phase="Phase 4"),  # a phase the book lacks: the floor
            item("e", "Recoil Case", 0.40),  # not in the book
            item("f", "Kilowatt Case", 0.45),
        ]
    )


def test_each_row_gets_the_book_price_of_its_name_and_phase(inventory, book):
    joined = offer_vs_catalogue(inventory, book)
    assert joined["item_id"].tolist() == list("abcdef")  # same rows, same order
    plain = joined.astype(object).where(joined.notna(), None)
    assert plain["deposit"].tolist() == [30.0, 30.0, 2900.0, 900.0, None, 0.45]
    assert plain["withdraw_standard"].tolist() == [40.0, 40.0, 3600.0, 1200.0, None, 0.60]
    assert plain["withdraw_instant"].tolist() == [41.0, 41.0, None, None, None, None]
    assert plain["in_catalogue"].tolist() == [True, True, True, True, False, True]
    assert plain["offer_minus_deposit"].tolist() == [0.0, -2.5, 0.0, 5.0, None, 0.0]
    assert str(joined["in_catalogue"].dtype) == "boolean"
    pd.testing.assert_frame_equal(joined[inventory.columns], inventory)


def test_the_inventory_is_not_modified_and_the_accessor_agrees(inventory, book):
    before = inventory.copy()
    via_accessor = inventory.assetpay.offer_vs_catalogue(book)
    pd.testing.assert_frame_equal(inventory, before)
    pd.testing.assert_frame_equal(via_accessor, offer_vs_catalogue(inventory, book))


def test_another_games_book_matches_nothing(inventory, book):
    rust_items = from_items([item("r", "Kilowatt Case", 0.45)], game="252490")
    assert offer_vs_catalogue(rust_items, book)["in_catalogue"].tolist() == [False]


def test_the_spread_per_row_by_hand(book):
    rows = catalogue_spread(book)
    plain = rows.astype(object).where(rows.notna(), None)
    # rows: FT, Doppler floor, Phase 2, Ruby, Kilowatt, Sand Dune (refused), Asiimov
    assert plain["spread"].tolist() == [10.0, 300.0, 300.0, 700.0, pytest.approx(0.15),
                                        0.05, None]  # fmt: skip
    assert plain["deposit_ratio"].tolist()[:5] == [0.75, 0.75, 0.76, pytest.approx(2900 / 3600),
                                                   pytest.approx(0.75)]  # fmt: skip
    assert plain["deposit_ratio"].tolist()[5:] == [0.0, None]


def test_the_spread_by_group_takes_accepted_entries_with_both_prices(book):
    table = catalogue_spread(book, by="exterior")
    # Field-Tested: the Redline only; Factory New: the Doppler's floor (not its phases);
    # Battle-Scarred: only the refused Sand Dune; Well-Worn: Asiimov has no withdraw;
    # the Kilowatt Case has no exterior: its own row, so the groups add up to the book
    assert table.index.astype(str).tolist() == ["Factory New", "Field-Tested", "No exterior"]
    assert table["entries"].tolist() == [1, 1, 1]
    assert table.loc["Factory New", "deposit_ratio"] == pytest.approx(900 / 1200)
    assert table.loc["No exterior", "deposit_ratio"] == pytest.approx(0.45 / 0.60)
    band = pd.cut(book["withdraw_standard"].astype(float), [0, 1, 100, 10_000],
                  labels=["< $1", "$1-100", "$100+"])  # fmt: skip
    by_band = catalogue_spread(book, by=band)
    assert by_band["entries"].tolist() == [1, 1, 1]
    assert by_band.loc["< $1", "deposit"] == pytest.approx(0.45)
    assert by_band.loc["$1-100", "deposit_ratio"] == pytest.approx(30 / 40)


def test_sandbox_disagreements_are_exactly_the_rows_flagged(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    inventory = client.inventories(box.trade_urls, progress=False)
    joined = offer_vs_catalogue(inventory, client.prices())
    flagged = set(joined.loc[joined["offer_minus_deposit"].fillna(0).ne(0), "item_id"])
    seeded = set().union(*(box.off_book(url) for url in box.trade_urls))
    assert seeded and flagged == seeded
    assert joined["in_catalogue"].all()  # the book is built from the same catalogue
