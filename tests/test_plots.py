"""plots.py: what each chart draws, no warnings under Agg, and pinned baseline images.

Baselines live in tests/baseline/ and are compared with pytest-mpl (``--mpl`` is in
the pytest addopts). After an intended visual change, regenerate them with

    .venv/bin/pytest tests/test_plots.py --mpl-generate-path=tests/baseline

and look at every PNG before committing it.
"""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex

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
    assert [t.get_text() for t in ax.texts] == ["n=3", "n=2", "n=4", "n=2", "n=3"]
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
     plots.exterior_ladder_heatmap],
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


@pytest.mark.mpl_image_compare(filename="pricing_review.png", **MPL)
def test_baseline_pricing_review(known):
    return plots.pricing_review(known)
