"""The report's HTML page: one self-contained file (inline style, images as data URIs).

Nothing in it asks the network for anything: no script, no web font, no stylesheet or
image from elsewhere (``tests/report/test_report.py`` opens it in headless Chromium and checks
every request). ``report.write_report`` hands it the formatted tables and the charts.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["DEFINITIONS", "page"]

#: What every figure in the report means (shown at its end).
DEFINITIONS: Mapping[str, str] = {
    "priced item": "an item with a market price above 0 and an offer price, whose offer "
    "is not refused (offer_accepted False; unknown counts as priced)",
    "market value": "the sum of the market prices present (every item that has one, priced or not)",
    "market value (priced)": "the sum of the market prices of the priced items only: "
    "what the payout ratio divides by",
    "offer value": "the sum of AssetPay's offer prices over the priced items",
    "payout ratio": "offer value / market value (priced), both over the priced items "
    "(value-weighted: a $1,000 knife weighs more than a $1 sticker)",
    "median payout ratio": "the median of the priced items' own offer / market ratios",
    "accepted share": "among items with an offer price, the share whose offer is not refused",
    "No exterior": "items without an exterior (stickers, cases, agents, Rust items): the "
    "row that makes the per-exterior table add up to the headline",
    "price band": "the market price range an item falls in (< $1, $1-10, $10-100, $100-1k, ≥ $1k)",
    "added / removed / kept": "items matched by account and item id between two "
    "snapshots: in the later one only, in the earlier one only, in both",
    "like-for-like": "per exterior, the payout ratio of the kept items priced on both "
    "dates, so a change is the offer moving, not the inventory's mix",
    "pt": "percentage points: 82.0% -> 80.5% is -1.5 pt",
    "units": "copies: a stacked Rust row is one item and amount units, worth its unit "
    "price × amount (as /secure/sell prices each unit)",
    "deposit": "what AssetPay's price book (/secure/prices) pays for an item",
    "standard withdraw": "the book's fee-inclusive price to buy the item from AssetPay "
    "(standard delivery)",
    "deposit ratio": "Σ deposit / Σ standard withdraw over the accepted book entries that "
    "have both prices (value-weighted); the median ratio is the entries' own median",
    "offer minus deposit": "an inventory offer less the book's deposit for the same item "
    "(and Doppler phase); /secure/sell says its prices must match the latest book",
}

_TITLES = {
    "summary": "Headline",
    "by_account": "By account",
    "by_exterior": "By exterior",
    "by_type": "By item type (no exteriors here)",
    "failures": "Accounts that failed",
    "drift_summary": "Since the previous snapshot",
    "drift_by_exterior": "Since the previous snapshot, by exterior (like-for-like)",
    "drift_by_account": "Since the previous snapshot, by account",
    "book_coverage": "Price book: coverage",
    "book_by_exterior": "Price book: deposit against withdraw, by exterior",
    "book_by_band": "Price book: deposit against withdraw, by withdraw price band",
    "book_off_book": "Price book: offers that differ from the book",
}

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 0.9rem; }
table.table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
table.table th, table.table td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee;
       text-align: right; }
table.table th:first-child, table.table tbody th { text-align: left; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
dl { font-size: 0.9rem; } dt { font-weight: 600; margin-top: 0.4rem; }
"""


def page(
    df: pd.DataFrame,
    sections: Mapping[str, str],
    images: Sequence[str],
    *,
    footer: str,
    drift: bool,
    book: bool = False,
) -> str:
    """The whole HTML document."""
    body = [
        "<h1>AssetPay pricing review</h1>",
        f"<p class='meta'>{html.escape(footer)}{_fetched(df)}</p>",
    ]
    for name in ("summary", "by_account", "by_exterior", "by_type"):
        if name in sections:
            body += [f"<h2>{_TITLES[name]}</h2>", sections[name]]
    body += ["<h2>Charts</h2>"]
    body += [f"<figure><img src='{image}' alt='chart {n + 1}'></figure>"
             for n, image in enumerate(images)]  # fmt: skip
    body += [f"<h2>{_TITLES['failures']}</h2>"]
    body += [sections.get("failures", "<p>Every account loaded.</p>")]
    if drift:
        for name in ("drift_summary", "drift_by_exterior", "drift_by_account"):
            body += [f"<h2>{_TITLES[name]}</h2>", sections[name]]
    if book:
        body += _book(sections)
    body += ["<h2>Definitions</h2>", _definitions()]
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>AssetPay pricing review</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _book(sections: Mapping[str, str]) -> list[str]:
    """The price book's tables (their charts are among the document's charts)."""
    shown = []
    for name in ("book_coverage", "book_by_exterior", "book_by_band", "book_off_book"):
        if name in sections:
            shown += [f"<h2>{_TITLES[name]}</h2>", sections[name]]
    if "book_off_book" in sections and "<td>" not in sections["book_off_book"]:
        shown[-1] = "<p>Every offer is the book's deposit.</p>"
    return shown


def _fetched(df: pd.DataFrame) -> str:
    fetched = df.attrs.get("fetched_at")
    return f" · fetched {html.escape(str(fetched))}" if fetched else ""


def _definitions() -> str:
    items = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>"
        for term, text in DEFINITIONS.items()
    )
    return f"<dl>{items}</dl>"
