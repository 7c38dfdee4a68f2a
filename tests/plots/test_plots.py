"""plots: what each chart draws, no warnings under Agg, and pinned baseline images.

Baselines live in tests/plots/baseline/ and are compared with pytest-mpl (``--mpl`` is in
the pytest addopts). After an intended visual change, regenerate them with

    .venv/bin/pytest tests/plots/test_plots.py --mpl-generate-path=tests/plots/baseline

and look at every PNG before committing it.
"""

from __future__ import annotations

import itertools
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgb

from assetpay_analytics import plots
from assetpay_analytics.frame import from_items

matplotlib.use("Agg")

FN, MW, FT, WW, BS = "Factory New", "Minimal Wear", "Field-Tested", "Well-Worn", "Battle-Scarred"
MPL = {"baseline_dir": "baseline", "tolerance": 2, "style": "default",
       "savefig_kwargs": {"dpi": 60}}  # fmt: skip


def row(name, exterior, market, offer, wear, accepted=True):
    return {"name": name, "marketHashName": f"{name} ({exterior})" if exterior else name,
            "exterior": exterior, "wear": str(wear) if wear is not None else None,
            "marketPrice": market, "offer": {"price": offer, "accepted": accepted},
            "tradable": True}  # fmt: skip


@pytest.fixture
def known():
    """14 priced rows (one an outlier), one refused, one case without exterior."""
    rows = [
        row("AK-47 | Redline", FN, 100.0, 82.0, 0.02),
        row("AK-47 | Redline", MW, 60.0, 48.0, 0.10),
        row("AK-47 | Redline", FT, 40.0, 30.0, 0.20),
        row("AK-47 | Redline", FT, 38.0, 28.5, 0.30),
        row("AK-47 | Redline", WW, 33.0, 23.0, 0.40),
        row("AK-47 | Redline", BS, 28.0, 18.5, 0.60),
        row("AWP | Asiimov", FT, 120.0, 92.0, 0.25),
        row("AWP | Asiimov", WW, 95.0, 70.0, 0.42),
        row("AWP | Asiimov", BS, 85.0, 59.0, 0.70),
        row("AWP | Asiimov", BS, 80.0, 55.0, 0.90),
        row("★ Karambit | Fade", FN, 1650.0, 1350.0, 0.01),
        row("★ Karambit | Fade", FN, 1700.0, 1390.0, 0.03),
        row("P250 | Sand Dune", FT, 0.05, 0.03, 0.33),
        row("M4A1-S | Nitro", MW, 3.5, 0.9, 0.11),  # the outlier
        row("M4A1-S | Nitro", FT, 2.0, 1.5, 0.2, accepted=False),  # refused: not priced
        row("Kilowatt Case", None, 0.6, 0.4, None),
    ]
    return from_items(rows, steam_id="76561198000000001")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fn(*args, **kwargs)
        (result if hasattr(result, "savefig") else result.figure).canvas.draw()
    return result


def test_payout_by_exterior_draws_one_bar_per_exterior(known):
    ax = no_warnings(plots.payout_by_exterior, known)
    assert len(ax.patches) == 5
    heights = [bar.get_height() for bar in ax.patches]
    # by hand: FN (82+1350+1390)/(100+1650+1700); MW (48+0.9)/(60+3.5); WW (23+70)/(33+95)
    assert heights[0] == pytest.approx((82 + 1350 + 1390) / (100 + 1650 + 1700))
    assert heights[1] == pytest.approx((48 + 0.9) / (60 + 3.5))
    assert heights[3] == pytest.approx((23 + 70) / (33 + 95))
    colours = [to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert colours == [plots.EXTERIOR_COLORS[e] for e in (FN, MW, FT, WW, BS)]
    # each bar says its value, then its count
    shown = [f"{h:.0%}" for h in heights]
    counts = ["n=3", "n=2", "n=4", "n=2", "n=3"]
    assert [t.get_text() for t in ax.texts] == [
        f"{v}\n{n}" for v, n in zip(shown, counts, strict=True)
    ]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["FN", "MW", "FT", "WW", "BS"]
    assert ax.yaxis.get_major_formatter()(0.8, 0) == "80%"
    assert ax.get_title() == "AssetPay payout by exterior"


def test_market_vs_offer_points_colours_and_log_scale(known):
    ax = no_warnings(plots.market_vs_offer, known)
    scatters = {c.get_label(): c for c in ax.collections}
    assert len(scatters[f"{FN} (n=3)"].get_offsets()) == 3
    assert len(scatters["no exterior (n=1)"].get_offsets()) == 1
    priced_points = sum(len(c.get_offsets()) for label, c in scatters.items()
                        if not label.startswith("outliers"))  # fmt: skip
    assert priced_points == 15  # 16 rows minus the refused one
    assert to_hex(scatters[f"{BS} (n=3)"].get_facecolor()[0]) == plots.EXTERIOR_COLORS[BS]
    assert "outliers (n=1)" in scatters
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"  # $0.03 .. $1,700
    assert ax.xaxis.get_major_formatter()(1000, 0) == "$1,000"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["parity (100%)", "75% payout", "50% payout"]


def test_every_exterior_has_its_own_marker_so_colour_is_not_the_only_cue(known):
    ax = no_warnings(plots.market_vs_offer, known)
    shapes = {
        c.get_label(): tuple(np.round(c.get_paths()[0].vertices, 3).ravel())
        for c in ax.collections if not c.get_label().startswith("outliers")
    }  # fmt: skip
    assert len(shapes) == 6 and len(set(shapes.values())) == 6


def test_payout_vs_market_draws_ratios_medians_and_the_100_line(known):
    ax = no_warnings(plots.payout_vs_market, known)
    assert ax.get_xscale() == "log"
    points = {c.get_label().split(" (")[0]: c for c in ax.collections}
    assert sum(len(c.get_offsets()) for c in points.values()) == 15  # the priced rows
    fn = points[FN].get_offsets()
    assert sorted(fn[:, 1]) == pytest.approx(sorted([0.82, 1350 / 1650, 1390 / 1700]))
    lines = [float(line.get_ydata()[0]) for line in ax.get_lines()]
    assert lines[0] == 1.0  # 100%: offer = market
    # then one dashed median per group drawn, in exterior order, computed by hand
    medians = [
        np.median([0.82, 1350 / 1650, 1390 / 1700]),  # FN
        np.median([48 / 60, 0.9 / 3.5]),  # MW
        np.median([30 / 40, 28.5 / 38, 92 / 120, 0.03 / 0.05]),  # FT
        np.median([23 / 33, 70 / 95]),  # WW
        np.median([18.5 / 28, 59 / 85, 55 / 80]),  # BS
        0.4 / 0.6,  # the case, no exterior
    ]
    assert lines[1:] == pytest.approx(medians)
    assert ax.yaxis.get_major_formatter()(0.8, 0) == "80%"


def test_the_exterior_palette_survives_red_green_colour_blindness():
    """Simulated deuteranopia and protanopia (Machado et al. 2009, full severity) in
    linear RGB; every pair of exterior colours (and the no-exterior grey) must stay at
    least 15 CIELAB units apart. On main the palette fell to 4.6 under protanopia."""
    colours = [*plots.EXTERIOR_COLORS.values(), plots.NO_EXTERIOR_COLOR]
    for name, matrix in SIMULATIONS.items():
        seen = [lab(matrix @ linear_rgb(colour)) for colour in colours]
        closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(seen, 2))
        assert closest >= 15, f"{name}: two colours {closest:.1f} apart"


SIMULATIONS = {
    "normal": np.eye(3),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}  # fmt: skip


def linear_rgb(colour):
    srgb = np.array(to_rgb(colour))
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb):
    """Linear sRGB -> CIELAB (D65)."""
    to_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                       [0.0193, 0.1192, 0.9505]])  # fmt: skip
    t = to_xyz @ np.clip(rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_ladder_colours_are_centred_on_the_data_and_nothing_is_clipped(known):
    ax = no_warnings(plots.exterior_ladder_heatmap, known)
    (image,) = ax.images
    values = image.get_array().compressed()
    norm = image.norm
    median = np.median(values)
    assert norm.vcenter == pytest.approx(median)
    assert norm.vmin <= values.min() and norm.vmax >= values.max()  # no value clipped
    # the same span both ways: the cell furthest from the median (the Nitro, 26%) sets it
    span = max(median - values.min(), values.max() - median)
    assert (norm.vmin, norm.vmax) == pytest.approx((median - span, median + span))
    (bar_axes,) = [a for a in ax.figure.axes if a is not ax]
    assert f"median {median:.0%} ± {span * 100:.0f} pt" in bar_axes.get_ylabel()


def test_the_review_figure_names_its_source_and_time(known):
    known.attrs["updated_at"] = "2026-06-01T09:30:00Z"
    fig = no_warnings(plots.pricing_review, known, source="AssetPay sandbox (demo data)")
    footers = [fig.get_supxlabel()]
    assert any("Source: AssetPay sandbox (demo data)" in t and "2026-06-01 09:30 UTC" in t
               for t in footers)  # fmt: skip


def test_the_review_headline_counts_accounts_with_empty_inventories(known):
    known.attrs["steam_ids"] = ["76561198000000001", "76561198000000002"]  # the second: empty
    fig = no_warnings(plots.pricing_review, known)
    assert fig._suptitle.get_text().splitlines()[1].startswith("2 accounts")


def test_market_vs_offer_linear_when_prices_are_close():
    df = from_items(
        [row("AK-47 | Redline", FT, 40.0, 30.0, 0.2), row("AK-47 | Redline", FT, 50.0, 36.0, 0.3)]
    )
    ax = no_warnings(plots.market_vs_offer, df)
    assert ax.get_xscale() == "linear"


def test_payout_distribution_labels_and_colours(known):
    ax = no_warnings(plots.payout_distribution, known)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["FN\nn=3", "MW\nn=2", "FT\nn=4", "WW\nn=2", "BS\nn=3"]
    boxes = [p for p in ax.patches]
    assert [to_hex(b.get_facecolor()) for b in boxes] == list(plots.EXTERIOR_COLORS.values())


def test_ladder_heatmap_cells(known):
    ax = no_warnings(plots.exterior_ladder_heatmap, known)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[0] == "★ Karambit | Fade"  # largest market value first
    texts = [t.get_text() for t in ax.texts]
    assert f"{(1350 / 1650 + 1390 / 1700) / 2:.0%}" in texts
    assert len(texts) == 11  # one per (skin, exterior) cell with priced rows


def test_pricing_review_and_save(known, tmp_path):
    fig = no_warnings(plots.pricing_review, known)
    assert len(fig.axes) == 5  # four panels and the heatmap's colour bar
    assert "16 items" in fig._suptitle.get_text()
    png = plots.save_figure(fig, tmp_path / "deck" / "review.png", dpi=100)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plots.save_figure(fig, tmp_path / "review.svg")
    assert svg.read_text().lstrip().startswith("<?xml")
    pdf = plots.save_figure(fig, tmp_path / "review.pdf")  # a review deck wants PDF
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match=r"\.pdf"):
        plots.save_figure(fig, tmp_path / "review.gif")


@pytest.mark.parametrize(
    "chart",
    [plots.payout_by_exterior, plots.market_vs_offer, plots.payout_distribution,
     plots.exterior_ladder_heatmap, plots.payout_vs_market],
)  # fmt: skip
def test_nothing_priced_gives_a_labelled_empty_chart(chart):
    df = from_items([row("AK-47 | Redline", FT, 10.0, 7.0, 0.2, accepted=False)])
    ax = no_warnings(chart, df)
    assert [t.get_text() for t in ax.texts] == ["no priced items"]


def test_draws_on_a_given_axes(known):
    _, ax = plt.subplots()
    assert plots.payout_by_exterior(known, ax=ax) is ax


@pytest.mark.mpl_image_compare(filename="payout_by_exterior.png", **MPL)
def test_baseline_payout_by_exterior(known):
    return plots.payout_by_exterior(known).figure


@pytest.mark.mpl_image_compare(filename="market_vs_offer.png", **MPL)
def test_baseline_market_vs_offer(known):
    return plots.market_vs_offer(known).figure


@pytest.mark.mpl_image_compare(filename="payout_distribution.png", **MPL)
def test_baseline_payout_distribution(known):
    return plots.payout_distribution(known).figure


@pytest.mark.mpl_image_compare(filename="exterior_ladder_heatmap.png", **MPL)
def test_baseline_exterior_ladder_heatmap(known):
    return plots.exterior_ladder_heatmap(known).figure


@pytest.mark.mpl_image_compare(filename="payout_vs_market.png", **MPL)
def test_baseline_payout_vs_market(known):
    return plots.payout_vs_market(known).figure


@pytest.mark.mpl_image_compare(filename="pricing_review.png", **MPL)
def test_baseline_pricing_review(known):
    return plots.pricing_review(known)


# --- beyond the exteriors: types, price bands, two dates, Rust reviews ----------------------


@pytest.fixture
def rust():
    """Rust items: no exteriors; two types; prices in three bands."""
    rows = [
        {"name": "Tempered AK47", "type": "Skin", "marketPrice": 40.0, "offer": {"price": 30.0}},
        {"name": "Big Grin", "type": "Skin", "marketPrice": 12.0, "offer": {"price": 8.0}},
        {"name": "Wood", "type": "Resource", "marketPrice": 0.5, "offer": {"price": 0.3},
         "amount": 1000},
        {"name": "Metal Fragments", "type": "Resource", "marketPrice": 0.8,
         "offer": {"price": 0.4}},
        {"name": "Hazmat Suit", "type": "Skin", "marketPrice": 150.0, "offer": {"price": 99.0}},
    ]  # fmt: skip
    return from_items(rows, steam_id="76561198000000003", game="252490")


def test_payout_by_type_by_hand(rust):
    ax = no_warnings(plots.payout_by_type, rust)
    # by value, per unit: the stack of 1,000 wood ($500) outweighs the skins ($202)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Resource", "Skin"]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx(
        [(0.3 * 1000 + 0.4) / (0.5 * 1000 + 0.8), (30 + 8 + 99) / (40 + 12 + 150)]
    )
    assert [t.get_text().split("\n")[1] for t in ax.texts] == ["n=2", "n=3"]


def test_payout_by_price_band_by_hand(rust):
    ax = no_warnings(plots.payout_by_price_band, rust)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "< $1", "$1–10", "$10–100", "$100–1k", "≥ $1k",
    ]  # fmt: skip
    heights = [bar.get_height() for bar in ax.patches]
    # < $1: wood and metal; $10-100: the AK and the grin; $100-1k: the suit
    assert heights == pytest.approx([300.4 / 500.8, 0.0, 38 / 52, 99 / 150, 0.0])


def test_payout_change_by_exterior_by_hand():
    def frame(offer):
        return from_items([row("AWP | Asiimov", FT, 100.0, offer, 0.2) | {"id": "1"},
                           row("AK-47 | Redline", MW, 20.0, 15.0, 0.1) | {"id": "2"}],
                          steam_id="76561198000000001")  # fmt: skip

    ax = no_warnings(plots.payout_change_by_exterior, frame(70.0), frame(60.0))
    heights = [bar.get_height() for bar in ax.patches]
    # before: FN 0, MW 0.75, FT 0.70, WW 0, BS 0; after: FT 0.60
    assert heights == pytest.approx([0, 0.75, 0.70, 0, 0, 0, 0.75, 0.60, 0, 0])
    assert [t.get_text() for t in ax.texts] == ["+0.0 pt", "−10.0 pt"]


def test_a_rust_review_shows_what_applies_to_rust(rust):
    # on main three of four panels said "no priced items" under a headline with priced items
    fig = no_warnings(plots.pricing_review, rust)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no priced items" not in texts
    titles = [ax.get_title() for ax in fig.axes]
    assert "AssetPay payout by item type" in titles
    assert "AssetPay payout by market price" in titles
    assert any(title.startswith("Payout ratio against market price") for title in titles)
    assert "5 priced" in fig._suptitle.get_text()


def test_stickers_and_cases_only_get_the_type_panels():
    df = from_items([row("Kilowatt Case", None, 0.6, 0.4, None) | {"type": "Container"},
                     row("Sticker | Crown (Foil)", None, 900.0, 700.0, None)
                     | {"type": "Sticker"}])  # fmt: skip
    fig = no_warnings(plots.pricing_review, df)
    assert "no priced items" not in [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.mpl_image_compare(filename="pricing_review_rust.png", **MPL)
def test_baseline_pricing_review_rust(rust):
    return plots.pricing_review(rust)


@pytest.mark.mpl_image_compare(filename="payout_change_by_exterior.png", **MPL)
def test_baseline_payout_change_by_exterior(known):
    before = known.copy()
    ids = [f"i{n}" for n in range(len(known))]
    before["item_id"] = pd.Series(ids, dtype=known["item_id"].dtype)
    after = before.copy()
    after["offer_price"] = (before["offer_price"] * np.tile([0.9, 1.0, 1.05, 1.0], 4)).round(2)
    return plots.payout_change_by_exterior(before, after).figure
