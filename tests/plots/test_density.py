"""The two scatters above ``SCATTER_LIMIT`` priced items: a density of every item, said so.

Below the limit the charts are pinned by the baseline images of ``test_plots.py``; here a
frame of 22,500 priced items (the 16 rows of ``known`` tiled) is drawn as hexagons, and
the limit itself is moved to check which side of it draws which.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import LogNorm

from assetpay_analytics import plots
from assetpay_analytics.plots import charts
from tests.plots.test_plots import FN, known, no_warnings  # noqa: F401  (the fixture)

COPIES = 1_500  # 15 priced rows each: 22,500 priced items


@pytest.fixture
def many(known):  # noqa: F811  (the fixture imported above)
    return pd.concat([known] * COPIES, ignore_index=True)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def hexagons(ax):
    [cells] = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return cells


def counted(cells) -> int:
    """Items in the hexagons (each holds its count; the colour is log-scaled)."""
    assert isinstance(cells.norm, LogNorm)
    return int(np.sum(np.asarray(cells.get_array())))


def test_payout_vs_market_above_the_limit_shows_the_density_of_every_item(many):
    ax = no_warnings(plots.payout_vs_market, many)
    assert counted(hexagons(ax)) == 15 * COPIES
    assert not [c for c in ax.collections if isinstance(c, PathCollection)]  # no points
    assert ax.get_title() == "Payout ratio against market price (density of 22,500 priced items)"
    assert ax.get_xscale() == "log"
    legend = [t.get_text() for t in ax.get_legend().texts]
    assert f"{FN} (n=4,500, median 82%)" in legend  # each exterior's median line stays
    assert "100%: offer = market price" in legend
    colorbar = ax.figure.axes[-1]
    assert colorbar.get_ylabel() == "priced items per hexagon (log scale)"


def test_market_vs_offer_above_the_limit_shows_the_density_and_the_outliers(many):
    ax = no_warnings(plots.market_vs_offer, many)
    assert counted(hexagons(ax)) == 15 * COPIES
    assert ax.get_title() == "Market price vs AssetPay offer (density of 22,500 priced items)"
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    [rings] = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert rings.get_label() == f"outliers (n={COPIES:,})"  # still ringed, each one


@pytest.mark.parametrize("chart", [plots.payout_vs_market, plots.market_vs_offer])
def test_points_up_to_the_limit_and_density_above_it(known, monkeypatch, chart):  # noqa: F811
    monkeypatch.setattr(charts, "SCATTER_LIMIT", 15)  # ``known`` has 15 priced items
    ax = chart(known)
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert "density" not in ax.get_title()
    plt.close("all")
    monkeypatch.setattr(charts, "SCATTER_LIMIT", 14)
    ax = chart(known)
    assert counted(hexagons(ax)) == 15
    assert "(density of 15 priced items)" in ax.get_title()


def test_the_review_figure_shows_the_density_panel(many):
    figure = plots.pricing_review(many)
    titles = [ax.get_title() for ax in figure.axes]
    assert "Payout ratio against market price (density of 22,500 priced items)" in titles
