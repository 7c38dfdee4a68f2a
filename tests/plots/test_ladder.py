"""The ladder heatmap's colours: symmetric about the median, blank cells keyed, labels legible.

Worked on small hand-made ladders: three skins in one exterior, 7 points below, at and
3 points above the median (70%), so the expected limits are 63% and 77%.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb, to_rgba

from assetpay_analytics import plots
from assetpay_analytics.frame import from_items
from assetpay_analytics.plots import palette

matplotlib.use("Agg")

FT, MW = "Field-Tested", "Minimal Wear"


def item(name, exterior, market, offer):
    return {"name": name, "marketHashName": f"{name} ({exterior})", "exterior": exterior,
            "marketPrice": market, "offer": {"price": offer, "accepted": True}}  # fmt: skip


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def three():
    """Payout ratios 63% (-7 pt), 70% (the median) and 73% (+3 pt), all Field-Tested."""
    return from_items([
        item("AK-47 | Low", FT, 300.0, 189.0),
        item("AK-47 | Mid", FT, 200.0, 140.0),
        item("AK-47 | High", FT, 100.0, 73.0),
    ])  # fmt: skip


def cells(ax):
    """Each cell label's text -> the label."""
    return {t.get_text(): t for t in ax.texts}


def test_the_limits_are_symmetric_about_the_median(three):
    ax = plots.exterior_ladder_heatmap(three)
    (image,) = ax.images
    norm = image.norm
    # the median is 0.70; the furthest cell is 0.07 below it, so 0.70 ± 0.07
    assert norm.vmin == pytest.approx(0.63)
    assert norm.vmax == pytest.approx(0.77)
    assert norm.vmax - 0.70 == pytest.approx(0.70 - norm.vmin)
    # +3 pt sits 3/7 of the way from the centre to the top; -7 pt at the bottom
    assert norm(0.73) == pytest.approx(0.5 + 0.5 * 3 / 7)
    assert norm(0.63) == pytest.approx(0.0)
    (bar,) = [a for a in ax.figure.axes if a is not ax]
    assert bar.get_ylabel() == "payout ratio (median 70% ± 7 pt)"


def test_a_small_gap_is_paler_than_a_large_one(three):
    ax = plots.exterior_ladder_heatmap(three)
    (image,) = ax.images
    centre = np.array(to_rgb(image.cmap(0.5)))

    def strength(value):
        return float(np.linalg.norm(np.array(to_rgb(image.to_rgba(value))) - centre))

    assert strength(0.73) < strength(0.63)


def test_one_cell_gets_the_least_span_either_way():
    ax = plots.exterior_ladder_heatmap(from_items([item("AK-47 | One", FT, 10.0, 7.0)]))
    norm = ax.images[0].norm
    half = palette.RATIO_MIN_HALFRANGE
    assert (norm.vmin, norm.vmax) == pytest.approx((0.7 - half, 0.7 + half))


def test_the_median_and_limits_of_a_wider_ladder():
    # FT column: 50%, 80%; MW column: 60%, blank. Median of 50, 60, 80 is 60; span 20
    df = from_items([
        item("AWP | A", FT, 10.0, 5.0), item("AWP | A", MW, 10.0, 6.0),
        item("AWP | B", FT, 10.0, 8.0),
    ])  # fmt: skip
    norm = plots.exterior_ladder_heatmap(df).images[0].norm
    assert (norm.vmin, norm.vcenter, norm.vmax) == pytest.approx((0.4, 0.6, 0.8))


def test_blank_cells_are_keyed_no_items(three):
    ax = plots.exterior_ladder_heatmap(three)
    (image,) = ax.images
    blank = to_rgba(palette.NO_ITEMS_COLOR)
    assert image.cmap.get_bad() == pytest.approx(blank)
    assert int(np.ma.count_masked(image.get_array())) == 3 * 4  # only FT has items
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.texts] == ["no items"]
    (patch,) = legend.get_patches()
    assert patch.get_facecolor() == pytest.approx(blank)


def test_a_full_ladder_has_no_key():
    df = from_items([item("AK-47 | Full", e, 10.0, 7.0) for e in plots.EXTERIOR_COLORS])
    assert plots.exterior_ladder_heatmap(df).get_legend() is None


def test_labels_on_dark_cells_are_light_and_on_light_cells_dark(three):
    ax = plots.exterior_ladder_heatmap(three)
    shown = cells(ax)
    # 63% is the bottom of the scale: the darkest red; 70% the pale centre
    assert to_hex(shown["63%"].get_color()) == "#ffffff"
    assert to_hex(shown["70%"].get_color()) == "#000000"


def luminance(colour):
    """WCAG 2 relative luminance."""
    srgb = np.array(to_rgb(colour))
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("where", np.linspace(0, 1, 21))
def test_every_label_colour_is_the_one_that_contrasts_more(where):
    background = plt.get_cmap(palette.RATIO_CMAP)(where)
    chosen = palette.text_on(background)
    other = palette.LIGHT_TEXT if chosen == palette.DARK_TEXT else palette.DARK_TEXT
    assert contrast(chosen, background) >= contrast(other, background)
