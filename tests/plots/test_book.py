"""plots.book: the price book's deposit ratio bars, worked by hand on a small book."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from assetpay_analytics import plots
from assetpay_analytics.frame import from_price_book

matplotlib.use("Agg")


def entry(name, deposit, standard, accepted=True):
    return {"itemId": name, "marketHashName": name, "accepted": accepted, "deposit": deposit,
            "withdraw": {"standard": standard, "instant": None}}  # fmt: skip


@pytest.fixture
def book():
    return from_price_book([
        entry("AK-47 | Redline (Field-Tested)", 30.0, 40.0),
        entry("AWP | Asiimov (Field-Tested)", 60.0, 100.0),
        entry("AK-47 | Redline (Factory New)", 900.0, 1000.0),
        entry("P250 | Sand Dune (Battle-Scarred)", 0.0, 0.05, accepted=False),  # refused
        entry("Kilowatt Case", 0.5, 0.8),
    ])  # fmt: skip


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_by_exterior_is_value_weighted_over_accepted_entries(book):
    ax = plots.deposit_ratio_by_exterior(book)
    heights = [bar.get_height() for bar in ax.patches]
    # FN: 900/1000; FT: (30 + 60) / (40 + 100); BS: only a refused entry
    assert heights == pytest.approx([0.9, 0.0, 90 / 140, 0.0, 0.0])
    assert [t.get_text().split("\n")[1] for t in ax.texts] == ["n=1", "n=0", "n=2", "n=0", "n=0"]


def test_by_band_of_the_withdraw_price(book):
    ax = plots.deposit_ratio_by_band(book)
    heights = [bar.get_height() for bar in ax.patches]
    # < $1: the case; $10-100: Redline FT (40); $100-1k: Asiimov (100); ≥ $1k: Redline FN
    assert heights == pytest.approx([0.5 / 0.8, 0.0, 0.75, 0.6, 0.9])


def test_an_empty_book_draws_a_labelled_empty_chart():
    ax = plots.deposit_ratio_by_exterior(from_price_book([]))
    assert [t.get_text() for t in ax.texts] == ["no priced items"]
