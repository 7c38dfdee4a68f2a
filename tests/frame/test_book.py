"""frame.book: a /secure/prices answer -> the price book frame, by Arrow and by Python alike.

Expected values are written out by hand from the small books below; the Arrow reading
of a body and the Python reading of the same JSON are held to the same frame by a
hypothesis test.
"""

from __future__ import annotations

import orjson
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetpay_analytics.frame.book import (
    BOOK_SCHEMA,
    book_entries,
    book_frame,
    book_problem,
    read_book,
)

DOPPLER = "★ Karambit | Doppler (Factory New)"


def _withdraw(standard, instant=None):
    return {"standard": standard, "instant": instant}


def cs2_book():
    return [
        {"itemId": "it-1", "marketHashName": "AK-47 | Redline (Field-Tested)", "accepted": True,
         "deposit": 30.0, "withdraw": _withdraw(40.0, 41.5)},
        {"itemId": None, "marketHashName": "P250 | Sand Dune (Battle-Scarred)", "accepted": False,
         "deposit": 0, "withdraw": _withdraw(None, None)},
        {"itemId": "it-3", "marketHashName": DOPPLER, "accepted": True, "deposit": 900.0,
         "withdraw": _withdraw(1100.0), "extra": "ignored",
         "phases": [
             {"phase": "Phase 2", "accepted": True, "deposit": 950.0,
              "withdraw": _withdraw(1150.0)},
             {"phase": "Ruby", "accepted": True, "deposit": 2900.0,
              "withdraw": _withdraw(3500.0)},
         ]},
        {"itemId": "it-4", "marketHashName": "StatTrak™ AWP | Asiimov (Well-Worn)",
         "accepted": True, "deposit": -1.0, "withdraw": _withdraw(-2.0, 90.0)},
    ]  # fmt: skip


def body_of(data, request_id="req-1"):
    return orjson.dumps({"requestId": request_id, "success": True, "data": data})


def test_rows_are_entries_each_followed_by_its_phases():
    df = book_frame(book_entries(cs2_book()), game="730")
    assert list(df.columns) == list(BOOK_SCHEMA)
    assert df["market_hash_name"].astype(str).tolist() == [
        "AK-47 | Redline (Field-Tested)", "P250 | Sand Dune (Battle-Scarred)",
        DOPPLER, DOPPLER, DOPPLER, "StatTrak™ AWP | Asiimov (Well-Worn)",
    ]  # fmt: skip
    assert df["phase"].astype(object).where(df["phase"].notna(), None).tolist() == [
        None, None, None, "Phase 2", "Ruby", None,
    ]  # fmt: skip
    # a phase row keeps its entry's itemId; the null itemId stays NA
    assert df["item_id"].astype(object).where(df["item_id"].notna(), None).tolist() == [
        "it-1", None, "it-3", "it-3", "it-3", "it-4",
    ]  # fmt: skip
    assert df["deposit"].tolist()[:5] == [30.0, 0.0, 900.0, 950.0, 2900.0]
    assert df["withdraw_standard"].isna().tolist() == [False, True, False, False, False, True]
    assert df["withdraw_instant"].isna().tolist() == [False, True, True, True, True, False]
    assert df["accepted"].tolist() == [True, False, True, True, True, True]


def test_names_are_parsed_as_in_the_inventory_frame():
    df = book_frame(book_entries(cs2_book()), game="730")
    assert df["weapon"].astype(object).tolist() == ["AK-47", "P250", "Karambit", "Karambit",
                                                     "Karambit", "AWP"]  # fmt: skip
    assert df["skin"].astype(str).tolist()[2] == "Doppler"
    assert df["exterior"].astype(str).tolist() == [
        "Field-Tested", "Battle-Scarred", "Factory New", "Factory New", "Factory New", "Well-Worn",
    ]  # fmt: skip
    assert df["star"].tolist() == [False, False, True, True, True, False]
    assert df["stattrak"].tolist() == [False] * 5 + [True]
    assert df["exterior"].dtype == BOOK_SCHEMA["exterior"]


def test_negative_prices_are_set_aside_as_anomalies():
    df = book_frame(book_entries(cs2_book()), game="730")
    last = df.iloc[-1]
    assert pd.isna(last["deposit"]) and pd.isna(last["withdraw_standard"])
    assert last["withdraw_instant"] == 90.0
    assert [(a["item_id"], a["field"], a["value"]) for a in df.attrs["anomalies"]] == [
        ("StatTrak™ AWP | Asiimov (Well-Worn)", "deposit", "-1.0"),
        ("StatTrak™ AWP | Asiimov (Well-Worn)", "withdraw.standard", "-2.0"),
    ]


def test_rust_withdraw_is_the_standard_one_and_instant_is_na():
    data = [
        {"marketHashName": "Scrap Pile", "accepted": True, "deposit": 0.9, "withdraw": 1.2},
        {"marketHashName": "Tempered AK47", "accepted": True, "deposit": 30, "withdraw": None},
    ]
    reading = read_book(body_of(data))
    assert reading is not None and reading.shape == "rust"
    df = book_frame(reading, game="252490")
    assert df["withdraw_standard"].astype(object).where(df["withdraw_standard"].notna(), None
                                                        ).tolist() == [1.2, None]  # fmt: skip
    assert df["withdraw_instant"].isna().all() and df["phase"].isna().all()
    assert df["exterior"].isna().all() and df["game"].astype(str).unique().tolist() == ["252490"]
    with pytest.raises(ValueError, match="rust shape"):
        book_frame(reading, game="730")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"deposit": "30.0"}, "data[0].deposit must be a number"),
        ({"deposit": True}, "data[0].deposit must be a number"),
        ({"accepted": None}, "data[0].accepted must be true or false"),
        ({"withdraw": {"standard": "1.0"}}, "data[0].withdraw.standard must be a number or null"),
        ({"withdraw": 40.0}, "data[0].withdraw must be an object {standard, instant}"),
        ({"itemId": 7}, "data[0].itemId must be a string or null"),
        ({"phases": [{"phase": "Ruby", "accepted": True, "deposit": 1}]},
         "data[0].phases[0].withdraw must be an object {standard, instant}"),
    ],
)  # fmt: skip
def test_an_ill_typed_book_is_named_and_not_read_by_arrow(entry, problem):
    data = [{**cs2_book()[0], **entry}]
    assert book_problem(data) == problem
    assert read_book(body_of(data)) is None


def test_a_book_of_mixed_shapes_is_refused():
    rust = {"marketHashName": "Scrap Pile", "accepted": True, "deposit": 0.9, "withdraw": 1.2}
    assert book_problem([cs2_book()[0], rust]) == "data mixes CS2 and Rust entries"
    assert book_problem(cs2_book()) is None


def test_an_empty_book_is_an_empty_frame_with_the_schema():
    df = book_frame(read_book(body_of([])), game="730")
    assert len(df) == 0 and list(df.columns) == list(BOOK_SCHEMA)


_price = st.floats(-5, 5000, allow_nan=False).map(lambda x: round(x, 2))
_prices = st.one_of(st.none(), _price)
_names = st.sampled_from(["AK-47 | Redline (Field-Tested)", DOPPLER, "Kilowatt Case",
                          "Souvenir P250 | Sand Dune (Minimal Wear)", "★ Karambit"])  # fmt: skip
_phase = st.fixed_dictionaries(
    {"phase": st.sampled_from(["Phase 1", "Ruby", "Emerald"]), "accepted": st.booleans(),
     "deposit": _price,
     "withdraw": st.fixed_dictionaries({"standard": _prices, "instant": _prices})}
)  # fmt: skip
_entry = st.fixed_dictionaries(
    {"itemId": st.one_of(st.none(), st.text("abc-123", min_size=1, max_size=8)),
     "marketHashName": _names, "accepted": st.booleans(),
     "deposit": _price,
     "withdraw": st.fixed_dictionaries({"standard": _prices, "instant": _prices})},
    optional={"phases": st.lists(_phase, max_size=3)},
)  # fmt: skip


@given(st.lists(_entry, max_size=12))
def test_the_arrow_and_python_readings_give_the_same_frame(data):
    body = body_of(data)
    arrow = read_book(body)
    assert arrow is not None and book_problem(orjson.loads(body)["data"]) is None
    fast = book_frame(arrow, game="730")
    slow = book_frame(book_entries(orjson.loads(body)["data"]), game="730")
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.attrs == slow.attrs
    rows = len(data) + sum(len(entry.get("phases") or []) for entry in data)
    assert len(fast) == rows
    own = fast[fast["phase"].isna()]["deposit"].astype(object)
    assert own.where(own.notna(), None).tolist() == [
        entry["deposit"] if entry["deposit"] >= 0 else None for entry in data
    ]
