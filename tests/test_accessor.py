"""accessor.py: ``df.assetpay`` gives the analysis functions and charts of any frame and
typed views of its attrs (errors, anomalies, updated_at), and it is registered by the
modules that hand frames to users, not by ``frame``. Expected views are written by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from assetpay_analytics import analysis, plots
from assetpay_analytics.accessor import AssetPayAccessor
from assetpay_analytics.frame import from_items, from_pages

DATA = Path(__file__).parent / "data"

matplotlib.use("Agg")


@pytest.fixture
def df():
    rows = []
    for i, (exterior, market, offer) in enumerate(
        [("Factory New", 10.0, 8.0), ("Field-Tested", 20.0, 12.0), ("Field-Tested", 30.0, 21.0),
         ("Battle-Scarred", 5.0, 3.0), (None, 2.0, 1.0)]
    ):  # fmt: skip
        suffix = f" ({exterior})" if exterior else ""
        rows.append({"id": f"i{i}", "name": "AK-47 | Redline", "exterior": exterior,
                     "marketHashName": f"AK-47 | Redline{suffix}", "wear": "0.2",
                     "marketPrice": market, "offer": {"price": offer}})  # fmt: skip
    return from_items(rows)


TABLES = [
    ("price_gap", ()),
    ("summary", ()),
    ("by_exterior", ()),
    ("by_group", ("weapon",)),
    ("exterior_ladder", ("offer_price",)),
    ("outliers", (2.0,)),
    ("wear_bands", (5,)),
    ("sticker_effect", ()),
]


@pytest.mark.parametrize(("name", "args"), TABLES)
def test_every_table_method_is_the_analysis_function(df, name, args):
    got = getattr(df.assetpay, name)(*args)
    expected = getattr(analysis, name)(df, *args)
    if isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected)
    else:
        pd.testing.assert_frame_equal(got, expected)


def test_priced_mask_matches(df):
    pd.testing.assert_series_equal(df.assetpay.priced(), analysis.priced(df))


@pytest.mark.parametrize(
    "name", ["payout_by_exterior", "market_vs_offer", "payout_distribution",
             "exterior_ladder_heatmap", "payout_vs_market"]
)  # fmt: skip
def test_chart_methods_draw_on_the_given_axes(df, name):
    _, ax = plt.subplots()
    assert getattr(df.assetpay, name)(ax=ax) is ax
    _fresh, ax2 = plt.subplots()
    assert getattr(plots, name)(df, ax=ax2) is ax2
    assert len(ax.get_children()) == len(ax2.get_children())
    plt.close("all")


def test_pricing_review_is_a_figure(df):
    figure = df.assetpay.pricing_review()
    assert len(figure.axes) >= 4
    plt.close(figure)


def test_accessor_class_is_what_pandas_returns(df):
    assert isinstance(df.assetpay, AssetPayAccessor)


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _registered_after(statement: str) -> bool:
    return (
        _run(f"{statement}\nimport pandas as pd\nprint(hasattr(pd.DataFrame(), 'assetpay'))")
        == "True"
    )


def test_the_frame_wing_loads_nothing_above_it_until_df_assetpay_is_used():
    code = (
        "import sys, pandas as pd\nimport assetpay_analytics.frame\n"
        "above = ('assetpay_analytics.accessor', 'assetpay_analytics.analysis', 'matplotlib')\n"
        "print(sorted(m for m in above if m in sys.modules))\n"
        "print(type(pd.DataFrame().assetpay).__name__)\n"
        "print('assetpay_analytics.accessor' in sys.modules)"
    )
    assert _run(code).splitlines() == ["[]", "AssetPayAccessor", "True"]


@pytest.mark.parametrize(
    "module", ["assetpay_analytics.accessor", "assetpay_analytics.client",
               "assetpay_analytics.frame", "assetpay_analytics.frame.parquet",
               "assetpay_analytics.history", "assetpay_analytics.widgets"]
)  # fmt: skip
def test_modules_that_hand_frames_to_users_register_it(module):
    assert _registered_after(f"import {module}")


BUILT = {
    "from_body": "df = from_body(BODY)",
    "read_parquet": "write_parquet(from_body(BODY), TMP / 'x.parquet')\n"
    "df = read_parquet(TMP / 'x.parquet')",
    "SnapshotStore.load": "store = SnapshotStore(TMP / 'store')\n"
    "df = store.load(store.save(from_body(BODY)))",
}


@pytest.mark.parametrize("how", sorted(BUILT))
def test_any_frame_has_df_assetpay_in_a_fresh_process(how, tmp_path):
    # each in a fresh interpreter: nothing imported before but the one entry point
    entry = {
        "from_body": "from assetpay_analytics.frame import from_body",
        "read_parquet": "from assetpay_analytics.frame import from_body\n"
        "from assetpay_analytics.frame.parquet import read_parquet, write_parquet",
        "SnapshotStore.load": "from assetpay_analytics.frame import from_body\n"
        "from assetpay_analytics.history import SnapshotStore",
    }[how]
    body = (DATA / "inventory_cs2.json").read_bytes()
    code = (
        f"import pathlib\n{entry}\nBODY = {body!r}\nTMP = pathlib.Path({str(tmp_path)!r})\n"
        f"{BUILT[how]}\nprint(len(df), df.assetpay.summary()['items'])"
    )
    rows, items = _run(code).split()
    assert rows == items and int(rows) > 0


# --- typed views of attrs: errors, anomalies, updated_at --------------------------------

ERROR_DTYPES = {
    "steam_id": "string", "input": "Int64", "trade_url": "string", "code": "Int64",
    "key": "string", "status": "Int64", "message": "string", "request_id": "string",
    "attempts": "Int64", "elapsed": "Float64",
}  # fmt: skip
ANOMALY_NAMES = ["steam_id", "item_id", "field", "value", "reason"]
MASKED = "https://steamcommunity.com/tradeoffer/new/?partner=249999990&token=********"


def test_errors_view_types_the_records(df):
    df.attrs["errors"] = [
        {"steam_id": None, "input": 0, "trade_url": None, "code": None, "status": None,
         "key": "INVALID_TRADEURL", "message": "Invalid trade URL", "request_id": None,
         "attempts": None, "elapsed": None},
        {"steam_id": "76561198210265718", "input": 2, "trade_url": MASKED, "code": 7,
         "key": "USER_NOT_TRADEABLE", "status": 400, "message": "private",
         "request_id": "r-1", "attempts": 1, "elapsed": 0.25},
    ]  # fmt: skip
    errors = df.assetpay.errors
    assert errors.columns.tolist() == list(ERROR_DTYPES)
    assert {name: str(dtype) for name, dtype in errors.dtypes.items()} == ERROR_DTYPES
    assert errors["input"].tolist() == [0, 2]
    assert errors["key"].tolist() == ["INVALID_TRADEURL", "USER_NOT_TRADEABLE"]
    assert errors["steam_id"].isna().tolist() == [True, False]
    assert errors.loc[1, "trade_url"] == MASKED and "token=********" in errors.loc[1, "trade_url"]
    assert errors.loc[1, "status"] == 400 and errors.loc[1, "attempts"] == 1
    assert errors.loc[1, "elapsed"] == 0.25
    assert errors.loc[0, ["code", "status", "attempts", "elapsed"]].isna().all()
    assert errors.index.tolist() == [0, 1]


def test_errors_view_fills_missing_keys_and_ignores_extra_ones(df):
    df.attrs["errors"] = [{"key": "SERVICE_UNAVAILABLE", "reason": "not attempted"}]
    errors = df.assetpay.errors
    assert errors.columns.tolist() == list(ERROR_DTYPES)
    assert errors.loc[0, "key"] == "SERVICE_UNAVAILABLE"
    assert errors.drop(columns="key").isna().all(axis=None)


@pytest.mark.parametrize("stored", [None, [], "absent"])
def test_errors_view_is_empty_with_every_column(df, stored):
    if stored != "absent":
        df.attrs["errors"] = stored
    errors = df.assetpay.errors
    assert len(errors) == 0
    assert {name: str(dtype) for name, dtype in errors.dtypes.items()} == ERROR_DTYPES


def test_errors_view_accepts_a_legacy_frame(df):
    legacy = pd.DataFrame(
        {"steam_id": pd.array(["7656"], dtype="string"), "code": pd.array([7], dtype="Int64"),
         "key": pd.array(["USER_NOT_TRADEABLE"], dtype="string"),
         "message": pd.array(["private"], dtype="string"),
         "request_id": pd.array(["r-1"], dtype="string")},
        index=[5],
    )  # fmt: skip
    df.attrs["errors"] = legacy
    errors = df.assetpay.errors
    assert {name: str(dtype) for name, dtype in errors.dtypes.items()} == ERROR_DTYPES
    assert errors.index.tolist() == [0]
    assert errors.loc[0, ["steam_id", "code", "key"]].tolist() == ["7656", 7, "USER_NOT_TRADEABLE"]
    assert errors.loc[0, ["input", "trade_url", "status", "attempts"]].isna().all()


def test_anomalies_view(df):
    records = [
        {"steam_id": "1", "item_id": "i1", "field": "wear", "value": "1.7",
         "reason": "wear outside [0, 1]"},
        {"steam_id": "1", "item_id": None, "field": "id", "value": None, "reason": "no id"},
        {"steam_id": "1", "item_id": "i3", "field": "market_price", "value": -5.0,
         "reason": "negative price"},
    ]  # fmt: skip
    df.attrs["anomalies"] = records
    anomalies = df.assetpay.anomalies
    assert anomalies.columns.tolist() == ANOMALY_NAMES
    assert all(isinstance(dtype, pd.StringDtype) for dtype in anomalies.dtypes)
    assert anomalies["field"].tolist() == ["wear", "id", "market_price"]
    assert anomalies.loc[0, "value"] == "1.7" and pd.isna(anomalies.loc[1, "value"])
    assert anomalies.loc[2, "value"] == "-5.0"  # a number sent as is is shown as text
    assert pd.isna(anomalies.loc[1, "item_id"])


def test_anomalies_view_is_empty_with_every_column(df):
    assert df.attrs.get("anomalies", []) == []
    anomalies = df.assetpay.anomalies
    assert len(anomalies) == 0 and anomalies.columns.tolist() == ANOMALY_NAMES
    assert all(isinstance(dtype, pd.StringDtype) for dtype in anomalies.dtypes)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-06-01T09:30:00Z", pd.Timestamp(2026, 6, 1, 9, 30, tz="UTC")),
        ("2026-06-01T11:30:00+02:00", pd.Timestamp(2026, 6, 1, 9, 30, tz="UTC")),
        (pd.Timestamp(2026, 6, 1, 9, 30, tz="UTC"), pd.Timestamp(2026, 6, 1, 9, 30, tz="UTC")),
        (None, None),
    ],
)
def test_updated_at_view_is_a_utc_timestamp(df, stored, expected):
    df.attrs["updated_at"] = stored
    got = df.assetpay.updated_at
    if expected is None:
        assert got is None
    else:
        assert got == expected and str(got.tz) == "UTC"


def test_views_of_a_frame_from_pages():
    page = {"inventory": [{"id": "a", "marketPrice": 1}], "count": 1,
            "updatedAt": "2026-06-01T09:30:00.000Z", "collateral": 0}  # fmt: skip
    df = from_pages([page], steam_id="76561198000000001")
    assert df.assetpay.updated_at == df.loc[0, "updated_at"]
    assert len(df.assetpay.errors) == 0 and len(df.assetpay.anomalies) == 0
