"""accessor.py: ``df.assetpay`` gives the analysis functions and charts of any frame,
and it is registered by the modules that hand frames to users, not by ``frame``."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from assetpay_analytics import analysis, plots
from assetpay_analytics.accessor import AssetPayAccessor
from assetpay_analytics.frame import from_items

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
             "exterior_ladder_heatmap"]
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


def _registered_after(statement: str) -> bool:
    code = f"{statement}\nimport pandas as pd\nprint(hasattr(pd.DataFrame(), 'assetpay'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def test_frame_layer_does_not_register_the_accessor():
    assert not _registered_after("import assetpay_analytics.frame")
    assert not _registered_after("import assetpay_analytics.analysis")


@pytest.mark.parametrize(
    "module", ["assetpay_analytics.accessor", "assetpay_analytics.client",
               "assetpay_analytics.parquet", "assetpay_analytics.widgets"]
)  # fmt: skip
def test_modules_that_hand_frames_to_users_register_it(module):
    assert _registered_after(f"import {module}")
