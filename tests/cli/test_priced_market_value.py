"""Issue 22 on the terminal: ``report`` prints the priced market value the ratio divides by.

The headline reads ``market value $X (priced $Y), offer value $Z, payout ratio R%``: the
reader divides Z by Y and gets R. Y is checked against a sum made here from the frame the
sandbox serves (the command line starts its own sandbox: the same deterministic data).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.cli.main import main

RUST = "252490"
HEADLINE = re.compile(
    r"market value \$([\d,.]+) \(priced \$([\d,.]+)\), offer value \$([\d,.]+), "
    r"payout ratio ([\d.]+)%"
)


def dollars(text: str) -> float:
    return float(text.replace(",", ""))


def priced_market(df: pd.DataFrame) -> float:
    """Σ market price × units over the priced rows, by the definition."""
    market = df["market_price"].astype("float64")
    accepted = df["offer_accepted"].astype("boolean").fillna(True).astype(bool)
    ok = market.gt(0) & df["offer_price"].notna() & accepted
    units = df["amount"].astype("float64").fillna(1).clip(lower=1) if "amount" in df else 1.0
    return float((market * units)[ok].sum())


@pytest.mark.parametrize("game", ["730", RUST])
def test_the_headline_lets_the_reader_divide(box, capsys, game):
    assert main(["report", "--sandbox", "--no-progress", "--game", game]) == 0
    out = capsys.readouterr().out
    found = HEADLINE.search(out)
    assert found, out[:400]
    market, priced, offer, ratio = found.groups()
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories(box.trade_urls, game, progress=False)
    assert dollars(priced) == pytest.approx(round(priced_market(df), 2), abs=0.005)
    assert dollars(priced) <= dollars(market)
    # the printed dollars divide to the printed percentage (to its one decimal)
    assert abs(100 * dollars(offer) / dollars(priced) - float(ratio)) <= 0.05 + 1e-9
    # the tables carry the column too, right after the market value
    for title in ("By account", "By exterior" if game != RUST else "By item type"):
        head = out.split(f"\n{title}\n", 1)[1].splitlines()[0]
        assert "market value (USD) market value (priced, USD) offer value (USD)" in head
