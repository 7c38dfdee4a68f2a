"""The Arrow frame builder (``arrow``) against the Python row path (``rows``).

Two implementations of one contract: for any payload, the frame built through Arrow
is the frame the forgiving Python path builds, values, dtypes and attrs alike. The
payloads are generated: documented items, and items whose fields hold any other JSON
value (prices as strings, ids as numbers, nulls, objects where text belongs, unknown
fields, unicode names, Rust stacks, stickers with nulls). Arrow refuses what it
cannot type as documented and the Python path builds those; a second property holds
Arrow to accepting every documented payload, so the comparison is not vacuous.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assetpay_analytics import frame
from assetpay_analytics.constants import EXTERIOR_SHORT, EXTERIORS
from assetpay_analytics.frame import arrow as _arrow
from assetpay_analytics.frame import rows as _rows
from assetpay_analytics.frame.assemble import Run, assemble, frame_attrs
from assetpay_analytics.frame.coerce import to_timestamp
from assetpay_analytics.frame.payload import shape_problem
from assetpay_analytics.sandbox import data as sandbox_data
from tests.strategies import text

DATA = Path(__file__).parents[1] / "data"
STEAM_ID = "76561198000000001"
_INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
_NAMES = st.sampled_from(
    [
        "AK-47 | Redline",
        "★ Karambit | Doppler",
        "★ Karambit",
        "StatTrak™ AWP | Asiimov",
        "Souvenir M4A1-S | Hot Rod",
        "Sticker | Crown (Foil)",
        "Operation Bravo Case",
        "Wood Storage Box",
        "",
    ]
)
_MHN_SUFFIX = st.sampled_from(["", *(f" ({e})" for e in EXTERIORS)])
_WEAR_TEXT = st.one_of(
    _FLOATS.map(repr),
    st.floats(min_value=0, max_value=1).map(lambda w: f"{w:.8f}"),
    st.sampled_from(["nan", "inf", " 0.5", "0.5 ", "1_0", "0x1p-3", "1.", ".5", "+.5", "-0"]),
    text(max_size=6),
)


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value (what a field may hold when the API breaks its own docs)."""
    scalars = st.one_of(st.none(), st.booleans(), _INT64, _FLOATS, text(max_size=8))
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text(max_size=4), inner),
        max_leaves=5,
    )


def _sticker(odd: bool) -> st.SearchStrategy[Any]:
    documented = st.fixed_dictionaries(
        {},
        optional={
            "name": text(max_size=10),
            "slot": st.integers(0, 4),
            "wear": st.one_of(_FLOATS, st.integers(0, 1)),
            "iconUrl": text(max_size=5),
            "marketHashName": text(max_size=10),
        },
    )
    return st.one_of(documented, json_values()) if odd else documented


_CHARM = {
    "name": text(max_size=8),
    "marketHashName": text(max_size=8),
    "iconUrl": text(max_size=4),
}


def _documented(odd: bool) -> dict[str, st.SearchStrategy[Any]]:
    """Field -> strategy for its documented values (with ``odd``: any JSON value too)."""
    offer = st.fixed_dictionaries(
        {},
        optional={
            "price": _FLOATS,
            "accepted": st.booleans(),
            "reference": text(max_size=8),
            "delivery": st.one_of(st.sampled_from(["standard", "instant"]), text(max_size=4)),
            "maxAmount": st.one_of(_FLOATS, st.integers(0, 10_000)),
        },
    )
    fields: dict[str, st.SearchStrategy[Any]] = {
        "id": text(max_size=12),
        "assetId": st.integers(0, 10**11).map(str),
        "name": st.one_of(_NAMES, text(max_size=12)),
        "marketHashName": st.builds(lambda n, s: n + s, _NAMES, _MHN_SUFFIX),
        "exterior": st.sampled_from([*EXTERIORS, *EXTERIOR_SHORT.values(), "Mint", ""]),
        "wear": _WEAR_TEXT,
        "doppler": st.fixed_dictionaries(
            {}, optional={"name": text(max_size=6), "paintIndex": st.integers(0, 1000)}
        ),
        "fade": st.fixed_dictionaries({}, optional={"percentage": _FLOATS}),
        "hardened": st.fixed_dictionaries(
            {}, optional={"status": st.integers(0, 3), "name": text(max_size=8)}
        ),
        "charm": st.fixed_dictionaries({}, optional=_CHARM),
        "paintSeed": _INT64,
        "rarity": text(max_size=6),
        "type": text(max_size=6),
        "color": text(max_size=7),
        "tradable": st.booleans(),
        "amount": _INT64,
        "marketPrice": _FLOATS,
        "offer": offer,
        "accepted": st.booleans(),
        "stickers": st.lists(_sticker(odd), max_size=4),
        "iconUrl": text(max_size=12),
        "appid": st.sampled_from([730, 252490]),
        "botInfo": json_values(),
    }
    nullable = {name: st.one_of(st.none(), values) for name, values in fields.items()}
    if not odd:
        return nullable
    return {name: st.one_of(values, json_values()) for name, values in nullable.items()}


def items(*, odd: bool) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(st.fixed_dictionaries({}, optional=_documented(odd)), max_size=6)


def _body(items: list[dict[str, Any]], **data: Any) -> bytes:
    envelope = {"requestId": "r-1", "success": True, "data": {"inventory": items, **data}}
    return orjson.dumps(envelope)


def _python_frame(items: list[dict[str, Any]], game: str = "730", **data: Any) -> pd.DataFrame:
    """The frame built by the Python row path alone (what the Arrow path must match)."""
    stamp = to_timestamp(data.get("updatedAt"))
    columns = _rows.item_columns(items)
    run = Run(STEAM_ID, len(columns["item_id"]), stamp)
    built = assemble(columns, [run], game, drop_missing_ids=True)
    built.attrs = frame_attrs(
        built, data.get("count", len(items)), data.get("updatedAt"), data.get("collateral"),
        game=game, steam_id=STEAM_ID, request_ids=["r-1"], from_cache=False,
        fetched_at=None, stale=False,
    )  # fmt: skip
    return built


def _assert_same(arrow: pd.DataFrame, python: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(arrow, python, check_exact=True)
    assert arrow.attrs == python.attrs


@settings(max_examples=150, deadline=None)
@given(items(odd=True))
def test_arrow_and_python_paths_build_identical_frames(payload):
    data = {"count": len(payload), "updatedAt": "2026-06-01T09:30:00Z", "collateral": 12.5}
    problem = shape_problem({"inventory": payload, **data})
    if problem is not None:  # an id that is an object or a list: refused, as by the client
        with pytest.raises(ValueError, match=re.escape(problem)):
            frame.from_body(_body(payload, **data), steam_id=STEAM_ID)
        return
    built = frame.from_body(_body(payload, **data), steam_id=STEAM_ID)
    _assert_same(built, _python_frame(payload, **data))


@settings(max_examples=100, deadline=None)
@given(items(odd=False))
@example([{"id": "a", "exterior": ""}])  # an empty exterior is odd text, set aside
@example([{"id": "b", "amount": 2**53 + 1}])  # exact above 2**53 (a float would round)
def test_arrow_types_every_documented_payload(payload):
    body = _body(payload, count=len(payload))
    page = _arrow.read_page(body)
    assert page is not None, "Arrow refused a documented payload"
    columns = _arrow.item_columns(page.items)
    plain_wear = all(
        i.get("wear") is None or _plain_decimal(i["wear"]) for i in payload
    )  # the wear strings that are not plain decimals are read by Python on purpose
    assert (columns is not None) == plain_wear
    if columns is not None:
        built = frame.from_body(body, steam_id=STEAM_ID)
        _assert_same(built, _python_frame(payload, count=len(payload)))


def _plain_decimal(wear: str) -> bool:
    return re.fullmatch(_arrow._DECIMAL.strip("^$"), wear) is not None


@pytest.mark.parametrize(
    ("partner", "game"), [(103582791, "730"), (12345, "730"), (103582791, "252490")]
)
def test_sandbox_inventories_take_the_arrow_path(partner, game):
    payload = sandbox_data.inventory(partner, game)
    page = _arrow.read_page(_body(payload, count=len(payload)))
    assert page is not None and _arrow.item_columns(page.items) is not None
    built = frame.from_body(_body(payload, count=len(payload)), game=game, steam_id=STEAM_ID)
    _assert_same(built, _python_frame(payload, game, count=len(payload)))


def test_odd_saved_response_falls_back_and_matches():
    """The saved CS2 response holds a price as text and an unknown exterior."""
    body = (DATA / "inventory_cs2.json").read_bytes()
    assert _arrow.read_page(body) is None  # "marketPrice": "912.40"
    raw = json.loads(body)
    built = frame.from_body(body, steam_id=STEAM_ID)
    assert built["market_price"].tolist()[-1] == float("912.40")
    assert [a["field"] for a in built.attrs["anomalies"]] == ["exterior"]
    data = {k: v for k, v in raw["data"].items() if k != "inventory"}
    python = _python_frame(raw["data"]["inventory"], **data)
    python.attrs["request_ids"] = [raw["requestId"]]
    _assert_same(built, python)


def test_bodies_of_several_pages_make_one_frame():
    payload = sandbox_data.inventory(103582791, "730")
    pages = [_body(payload[:10], count=len(payload)), _body(payload[10:], count=len(payload))]
    one = frame.from_body(pages, steam_id=STEAM_ID)
    assert one["item_id"].tolist() == [item["id"] for item in payload]
    assert one.attrs["request_ids"] == ["r-1", "r-1"] and one.attrs["count"] == len(payload)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"success": false, "error": {"code": 1}}', "not a success envelope"),
        (b'{"success": true, "data": {"inventory": {}, "count": 0}}', "data.inventory"),
        (b'{"success": true, "data": {"inventory": [], "count": 0}} {}', "JSON"),
    ],
)
def test_a_body_that_is_not_a_success_envelope_is_refused(body, problem):
    with pytest.raises(ValueError, match=problem):
        frame.from_body(body)


def test_repeated_text_is_categorical_and_small():
    payload = sandbox_data.inventory(103582791, "730") * 50
    for i, item in enumerate(payload):
        item["id"] = f"enc_{i}"
    built = frame.from_body(_body(payload, count=len(payload)), steam_id=STEAM_ID)
    names = built["name"]
    assert isinstance(names.dtype, pd.CategoricalDtype)
    assert list(names.cat.categories) == sorted({item["name"] for item in payload})
    assert names.tolist() == [item["name"] for item in payload]
    # one code per row and each distinct name once: far below one string per row
    as_strings = names.astype(frame.SCHEMA["item_id"])
    assert names.memory_usage(deep=True) < as_strings.memory_usage(deep=True) / 4


def test_many_bodies_read_at_once_match_one_by_one():
    """``read_pages`` (one newline-delimited read) gives what ``read_page`` gives each body."""
    good = [_body(sandbox_data.inventory(p, "730"), count=3) for p in (12345, 23456, 34567)]
    pretty = json.dumps(json.loads(good[0]), indent=2).encode()  # raw newlines between tokens
    odd = (DATA / "inventory_cs2.json").read_bytes()  # a price as text: Arrow refuses it
    error = b'{"success": false, "error": {"code": 1, "message": "no"}}'
    bodies = [good[0], pretty, odd, good[1], error, good[2]]
    together = _arrow.read_pages(bodies)
    alone = [_arrow.read_page(body) for body in bodies]
    assert [page is None for page in together] == [False, False, True, False, True, False]
    for a, b in zip(together, alone, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.items.equals(b.items) and a[1:] == b[1:]
