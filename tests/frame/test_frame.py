"""frame.build on saved response files: schema, dtypes, name parsing, NA rules, attrs.

Expected values are read from the raw JSON in the test (or written by hand), never
from the parser under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetpay_analytics import frame
from assetpay_analytics.frame import SCHEMA, empty_frame, from_items, from_pages, parse_name
from tests.strategies import dtype_kinds, text

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def cs2_body():
    return json.loads((DATA / "inventory_cs2.json").read_text())


@pytest.fixture
def cs2(cs2_body):
    return from_pages(
        [cs2_body["data"]], steam_id="76561198000000001", request_ids=[cs2_body["requestId"]]
    )


def assert_schema(df: pd.DataFrame) -> None:
    assert list(df.columns) == list(SCHEMA)
    for name, dtype in SCHEMA.items():
        assert str(df[name].dtype) == str(pd.api.types.pandas_dtype(dtype)), name
        if dtype == "category" and name != "exterior":  # repeated text: sorted str categories
            categories = df[name].cat.categories
            assert categories.dtype == "str" and categories.is_monotonic_increasing, name


def test_schema_and_dtypes(cs2):
    assert_schema(cs2)
    assert str(cs2["wear"].dtype) == "Float64"
    assert str(cs2["updated_at"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(cs2["stickers"].dtype, pd.ArrowDtype)
    assert list(cs2["exterior"].cat.categories) == [
        "Factory New",
        "Minimal Wear",
        "Field-Tested",
        "Well-Worn",
        "Battle-Scarred",
    ]
    assert cs2["exterior"].cat.ordered


def test_rows_follow_the_raw_json(cs2, cs2_body):
    raw = cs2_body["data"]["inventory"]
    assert len(cs2) == len(raw)
    assert cs2["item_id"].tolist() == [item["id"] for item in raw]
    assert cs2["market_hash_name"].tolist() == [item["marketHashName"] for item in raw]
    assert (cs2["steam_id"] == "76561198000000001").all()
    assert (cs2["game"] == "730").all()
    first = cs2.iloc[0]
    assert first["wear"] == float(raw[0]["wear"])
    assert first["offer_price"] == raw[0]["offer"]["price"]
    assert first["offer_reference"] == raw[0]["offer"]["reference"]
    assert first["paint_seed"] == raw[0]["paintSeed"]
    assert first["rarity"] == "Covert" and first["icon_url"] == raw[0]["iconUrl"]


def test_names_parsed(cs2):
    rows = cs2.set_index("item_id")
    assert rows.loc["enc_7f3a", ["weapon", "skin", "stattrak", "souvenir", "star"]].tolist() == [
        "AWP",
        "Asiimov",
        True,
        False,
        False,
    ]
    assert rows.loc["enc_8b21", ["weapon", "skin", "star"]].tolist() == [
        "Karambit",
        "Doppler",
        True,
    ]
    assert rows.loc["enc_9c33", ["weapon", "souvenir"]].tolist() == ["AK-47", True]
    assert pd.isna(rows.loc["enc_a001", "weapon"]) and pd.isna(rows.loc["enc_a001", "skin"])
    assert pd.isna(rows.loc["enc_a002", "weapon"])  # a case is not a skin
    vanilla = rows.loc["enc_a003"]
    assert vanilla["weapon"] == "Karambit" and pd.isna(vanilla["skin"])
    assert vanilla["star"] and vanilla["stattrak"]


def test_missing_null_and_junk_values_become_na(cs2):
    rows = cs2.set_index("item_id")
    souvenir = rows.loc["enc_9c33"]
    assert pd.isna(souvenir["market_price"])  # null marketPrice
    assert pd.isna(souvenir["offer_price"]) and pd.isna(souvenir["offer_accepted"])  # null offer
    assert souvenir["tradable"] is False or souvenir["tradable"] == False  # noqa: E712
    case = rows.loc["enc_a002"]
    assert pd.isna(case["market_price"])  # missing marketPrice
    assert pd.isna(case["offer_accepted"])  # unknown acceptance stays NA, not False
    assert pd.isna(case["exterior"]) and pd.isna(case["wear"])
    vanilla = rows.loc["enc_a003"]
    assert vanilla["market_price"] == 912.40  # numeric string accepted
    assert pd.isna(vanilla["wear"])  # junk wear
    assert pd.isna(vanilla["exterior"])  # unknown exterior name


def test_top_level_accepted_is_read(cs2):
    sticker = cs2.set_index("item_id").loc["enc_a001"]
    assert sticker["offer_accepted"] == False  # noqa: E712  (.co top-level "accepted": false)


def test_doppler_phase_and_stickers(cs2, cs2_body):
    rows = cs2.set_index("item_id")
    assert rows.loc["enc_8b21", "phase"] == "Phase 2"
    raw_stickers = cs2_body["data"]["inventory"][2]["stickers"]
    stickers = rows.loc["enc_9c33", "stickers"]
    assert [s["name"] for s in stickers] == [s["name"] for s in raw_stickers]
    assert [s["slot"] for s in stickers] == [0, 3]
    assert [s["wear"] for s in stickers] == [0.0, 0.25]
    assert cs2["sticker_count"].tolist() == [0, 0, 2, 0, 0, 0]


def test_attrs(cs2, cs2_body):
    data = cs2_body["data"]
    assert cs2.attrs["count"] == data["count"]
    assert cs2.attrs["updated_at"] == "2026-06-01T09:30:00Z"  # ISO-8601 UTC, JSON-friendly
    assert cs2.attrs["collateral"] == 0
    assert cs2.attrs["game"] == "730"
    assert cs2.attrs["steam_id"] == "76561198000000001"
    assert cs2.attrs["request_ids"] == [cs2_body["requestId"]]
    assert cs2.attrs["from_cache"] is False
    assert (cs2["updated_at"] == pd.Timestamp("2026-06-01 09:30:00", tz="UTC")).all()
    assert str(cs2["updated_at"].dtype) == "datetime64[ns, UTC]"
    json.dumps(cs2.attrs)  # every value JSON-friendly (pandas writes attrs with json.dumps)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("2026-06-01T09:30:00Z", "2026-06-01T09:30:00Z"),
        ("2026-06-01T11:30:00+02:00", "2026-06-01T09:30:00Z"),
        ("2026-06-01T09:30:00", "2026-06-01T09:30:00Z"),  # naive: taken as UTC
        ("2026-06-01T09:30:00.250Z", "2026-06-01T09:30:00.250000Z"),
        ("not a time", None),
        (None, None),
    ],
)
def test_attrs_updated_at_is_an_iso_utc_string(sent, kept):
    page = {"inventory": [{"id": "a"}], "count": 1, "updatedAt": sent, "collateral": 0}
    df = from_pages([page])
    assert df.attrs["updated_at"] == kept
    expected = pd.NaT if kept is None else pd.Timestamp(kept)
    assert df["updated_at"].tolist() == [expected]


def test_rust_frame_is_typed_like_the_rest():
    body = frame.read_envelope(DATA / "inventory_rust.json")
    rust = from_pages([body["data"]], game="252490", steam_id="76561198000000002")
    assert_schema(rust)
    assert rust["exterior"].isna().all() and rust["wear"].isna().all()
    assert rust["weapon"].isna().all()
    assert rust["amount"].tolist() == [item["amount"] for item in body["data"]["inventory"]]
    assert (rust["game"] == "252490").all()


def test_empty_frame_has_every_column_and_dtype():
    empty = empty_frame()
    assert len(empty) == 0
    assert_schema(empty)
    empty_page = from_pages([{"inventory": [], "count": 0, "updatedAt": None, "collateral": 0}])
    assert_schema(empty_page)
    assert empty_page.attrs["count"] == 0 and empty_page.attrs["updated_at"] is None


def test_multi_page_concatenates_items(cs2_body):
    data = cs2_body["data"]
    one, two = (
        dict(data, inventory=data["inventory"][:4]),
        dict(data, inventory=data["inventory"][4:]),
    )
    df = from_pages([one, two], steam_id="1")
    assert df["item_id"].tolist() == [item["id"] for item in data["inventory"]]


def test_read_envelope_accepts_bytes_text_and_paths():
    raw = (DATA / "inventory_rust.json").read_bytes()
    assert (
        frame.read_envelope(raw)
        == frame.read_envelope(raw.decode())
        == frame.read_envelope(str(DATA / "inventory_rust.json"))
    )


@pytest.mark.parametrize(
    ("name", "mhn", "expected"),
    [
        (
            "AK-47 | Redline",
            "AK-47 | Redline (Field-Tested)",
            ("AK-47", "Redline", False, False, False),
        ),
        (
            "M4A1-S | Printstream",
            "StatTrak™ M4A1-S | Printstream (Minimal Wear)",
            ("M4A1-S", "Printstream", False, True, False),
        ),
        (
            "★ Butterfly Knife | Fade",
            "★ StatTrak™ Butterfly Knife | Fade (Factory New)",
            ("Butterfly Knife", "Fade", True, True, False),
        ),
        (
            "★ Sport Gloves | Vice",
            "★ Sport Gloves | Vice (Well-Worn)",
            ("Sport Gloves", "Vice", True, False, False),
        ),
        (
            "AWP | Dragon Lore",
            "Souvenir AWP | Dragon Lore (Factory New)",
            ("AWP", "Dragon Lore", False, False, True),
        ),
        (
            "Sticker | Titan (Holo) | Katowice 2014",
            "Sticker | Titan (Holo) | Katowice 2014",
            (None, None, False, False, False),
        ),
        (
            "Operation Breakout Weapon Case",
            "Operation Breakout Weapon Case",
            (None, None, False, False, False),
        ),
        (
            None,
            "StatTrak™ AK-47 | Redline (Field-Tested)",
            ("AK-47", "Redline", False, True, False),
        ),
        (None, None, (None, None, False, False, False)),
    ],
)
def test_parse_name(name, mhn, expected):
    assert tuple(parse_name(name, mhn)) == expected


item_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=60)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "marketHashName",
                    "tradable",
                    "marketPrice",
                    "offer",
                    "exterior",
                    "wear",
                    "stickers",
                    "accepted",
                    "amount",
                    "paintSeed",
                    "doppler",
                    "unknownField",
                ]
            ),
            item_values,
            max_size=8,
        ),
        max_size=5,
    )
)
def test_any_json_shape_builds_a_typed_frame(items):
    df = from_items(items, drop_missing_ids=True)
    # an item without a usable id (missing, null, an object or a list) is set aside
    kept = [i for i in items if i.get("id") is not None and not isinstance(i["id"], (dict, list))]
    assert len(df) == len(kept)
    dropped = [a for a in df.attrs["anomalies"] if a["field"] == "id"]
    assert len(dropped) == len(items) - len(kept)
    # values out of range never survive into the frame
    assert not (df["market_price"] < 0).any() and not (df["offer_price"] < 0).any()
    assert not ((df["wear"] < 0) | (df["wear"] > 1)).any()
    assert list(df.columns) == list(SCHEMA)
    assert df["market_price"].dtype == "Float64"


def _premia_item(**extra):
    item = {"id": "p1", "appid": 730, "name": "★ Karambit | Doppler",
            "marketHashName": "★ Karambit | Doppler (Factory New)", "exterior": "Factory New",
            "doppler": {"name": "Ruby", "paintIndex": 415}, "fade": {"percentage": 93.4},
            "hardened": {"status": 1, "name": "Blue Gem Tier 1"},
            "charm": {"name": "Lil' Squirt", "marketHashName": "Charm | Lil' Squirt"},
            "offer": {"price": 10.0, "delivery": "instant", "maxAmount": 1},
            "stickers": [{"name": "Crown (Foil)", "slot": 0, "wear": 0.0,
                          "marketHashName": "Sticker | Crown (Foil)"}]}  # fmt: skip
    return {**item, **extra}


@pytest.mark.parametrize("odd", [False, True])
def test_the_fields_that_carry_premia_are_kept(odd):
    """Both paths: ``odd`` sends one price as text, so the Python row path builds it."""
    extra = {"marketPrice": "12.5"} if odd else {}
    row = from_items([_premia_item(**extra)]).iloc[0]
    assert (row["phase"], row["paint_index"], row["fade"]) == ("Ruby", 415, 93.4)
    assert (row["hardened"], row["charm"]) == ("Blue Gem Tier 1", "Lil' Squirt")
    assert (row["offer_delivery"], row["offer_max_amount"]) == ("instant", 1.0)
    assert row["stickers"][0]["market_hash_name"] == "Sticker | Crown (Foil)"


def test_game_follows_the_appid_and_a_mismatch_is_an_anomaly():
    rust = _premia_item(id="r1", appid=252490, name="Scrap", marketHashName="Scrap")
    df = from_items([_premia_item(), rust, _premia_item(id="n1", appid=None)], game="730")
    assert df["game"].astype(str).tolist() == ["730", "252490", "730"]
    assert [(a["item_id"], a["field"], a["value"]) for a in df.attrs["anomalies"]] == [
        ("r1", "appid", "252490")
    ]


def test_a_frame_saved_before_the_premia_columns_reads_them_as_na(tmp_path):
    """A snapshot of an earlier version: no new columns, stickers without market_hash_name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = from_items([_premia_item()])
    old = df.drop(columns=list(frame.schema.LATER_COLUMNS))
    old_sticker = pa.list_(pa.struct([("name", pa.string()), ("slot", pa.int64()),
                                      ("wear", pa.float64())]))  # fmt: skip
    table = pa.Table.from_pandas(old.drop(columns=["stickers"]), preserve_index=False)
    table = table.append_column(
        "stickers", pa.array([[{"name": "Crown (Foil)", "slot": 0, "wear": 0.0}]], old_sticker)
    )
    pq.write_table(table, tmp_path / "old.parquet")
    back = frame.read_parquet(tmp_path / "old.parquet")
    assert dtype_kinds(back) == dtype_kinds(empty_frame())
    assert back[list(frame.schema.LATER_COLUMNS)].isna().all().all()
    assert back["stickers"].iloc[0][0]["market_hash_name"] is None
    assert back["stickers"].iloc[0][0]["name"] == "Crown (Foil)"
