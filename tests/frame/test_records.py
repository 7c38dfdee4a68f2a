"""Shared ``attrs`` lists: read-only, never deep-copied, still lists for JSON and equality."""

from __future__ import annotations

import copy
import json
import pickle

import orjson
import pandas as pd
import pytest

from assetpay_analytics.frame.records import Record, SharedList, records_frame, share_attrs
from assetpay_analytics.frame.schema import ERROR_COLUMNS


def _errors(n: int) -> list[dict[str, object]]:
    return [{"steam_id": f"7656119800{i:07d}", "input": i, "code": 2001} for i in range(n)]


def test_derived_frames_hold_the_same_lists_not_copies():
    df = pd.DataFrame({"x": range(5)})
    df.attrs = {"errors": _errors(3), "request_ids": ["a", "b"], "game": "730"}
    share_attrs(df.attrs)
    derived = [df[["x"]], df.copy(), df[df["x"] > 1], df.sort_values("x"), df.head(2)]
    for other in derived:
        assert other.attrs["errors"] is df.attrs["errors"]
        assert other.attrs["request_ids"] is df.attrs["request_ids"]
    assert copy.deepcopy(df.attrs)["errors"] is df.attrs["errors"]


def test_they_compare_serialise_and_pickle_as_the_lists_they_were():
    raw = _errors(4)
    attrs = share_attrs({"errors": list(raw), "request_ids": ("r1", "r2")})
    assert attrs["errors"] == raw and attrs["request_ids"] == ["r1", "r2"]
    assert isinstance(attrs["errors"], list) and isinstance(attrs["errors"][0], dict)
    assert json.loads(json.dumps(attrs)) == {"errors": raw, "request_ids": ["r1", "r2"]}
    assert orjson.loads(orjson.dumps(attrs)) == json.loads(json.dumps(attrs))
    back = pickle.loads(pickle.dumps(attrs))
    assert back == attrs and isinstance(back["errors"], SharedList)
    assert records_frame(attrs["errors"], ERROR_COLUMNS)["input"].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "change",
    [
        lambda errors: errors.append({}),
        lambda errors: errors.extend([{}]),
        lambda errors: errors.__setitem__(0, {}),
        lambda errors: errors.__delitem__(0),
        lambda errors: errors.pop(),
        lambda errors: errors.sort(key=str),
        lambda errors: errors.clear(),
        lambda errors: errors[0].__setitem__("code", 1),
        lambda errors: errors[0].update(code=1),
        lambda errors: errors[0].pop("code"),
    ],
)
def test_a_change_in_place_is_refused_with_the_way_to_do_it(change):
    df = pd.DataFrame({"x": [1]})
    df.attrs = share_attrs({"errors": _errors(2)})
    derived = df[["x"]]
    with pytest.raises(TypeError, match="read-only: copy first"):
        change(df.attrs["errors"])
    assert derived.attrs["errors"] == _errors(2)


def test_in_place_operators_are_refused_too():
    errors = SharedList(_errors(1))
    with pytest.raises(TypeError, match="read-only"):
        errors += [{}]
    record = Record({"code": 1})
    with pytest.raises(TypeError, match="read-only"):
        record |= {"code": 2}


def test_a_copy_can_be_changed_and_assigned_back():
    df = pd.DataFrame({"x": [1]})
    df.attrs = share_attrs({"errors": _errors(2)})
    changed = [dict(row) for row in df.attrs["errors"]]
    changed[0]["code"] = 9999
    df.attrs["errors"] = changed
    share_attrs(df.attrs)
    assert [row["code"] for row in df.attrs["errors"]] == [9999, 2001]


def test_the_repr_is_short_past_a_screenful():
    short = SharedList(["a", "b"])
    assert repr(short) == repr(["a", "b"])
    long = SharedList(f"req-{i}" for i in range(100_000))
    assert len(repr(long)) < 100
    assert repr(long).startswith("['req-0', 'req-1'") and "(100000 items)" in repr(long)


def test_other_values_are_left_alone():
    attrs = share_attrs({"game": "730", "count": 3, "collateral": {"a": 1}, "errors": None})
    assert attrs == {"game": "730", "count": 3, "collateral": {"a": 1}, "errors": None}
    assert type(attrs["collateral"]) is dict
