"""The report's HTML page: one self-contained file (inline style, images as data URIs).

Nothing in it asks the network for anything: no script, no web font, no stylesheet or
image from elsewhere (``tests/report/test_report.py`` opens it in headless Chromium and checks
every request). ``report.write_report`` hands it the formatted tables and the charts.

The drift section (given the earlier frame and the drift tables) names what it compares:
each snapshot's id (``attrs["snapshot_id"]``, or "this fetch") and the time of its data
(its ``updated_at`` range), and says so when the earlier one holds newer data. Ratio
changes read in signed percentage points; its by-account table keeps the seven columns a
reviewer reads, so it fits the page (every column is in the CSV and the workbook).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from string import Template
from typing import Any

import pandas as pd

from ..analysis.definitions import plain
from ..analysis.formats import MISSING, formatted, value_text
from ..plots.palette import PAGE_COLORS

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
    "earlier / later snapshot": "the two frames the drift section compares, each named by "
    "its history-store id ('this fetch' when it came straight from the API) and the time "
    "of its data (its updatedAt range); every change is later minus earlier",
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

_STYLE = Template("""
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; color: $text; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid $rule; }
.meta { color: $meta; font-size: 0.9rem; }
table.table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
table.table th, table.table td { padding: 0.25rem 0.6rem; border-bottom: 1px solid $line;
       text-align: right; }
table.table th:first-child, table.table tbody th { text-align: left; }
.warning { color: $warning; background: $warning_background; padding: 0.4rem 0.6rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid $line; }
dl { font-size: 0.9rem; } dt { font-weight: 600; margin-top: 0.4rem; }
""").substitute(PAGE_COLORS)  # every colour from the palette


def page(
    df: pd.DataFrame,
    sections: Mapping[str, str],
    images: Sequence[str],
    *,
    footer: str,
    drift: bool,
    book: bool = False,
    previous: pd.DataFrame | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> str:
    """The whole HTML document.

    Parameters
    ----------
    df : DataFrame
        The inventory frame the document reviews (the later one of a drift section).
    sections : mapping of str to str
        Each table as HTML, by name (``_TITLES``).
    images : sequence of str
        The charts as data URIs.
    footer : str
        The data's time and source.
    drift : bool
        Whether to show the drift section.
    book : bool
        Whether to show the price book's section.
    previous : DataFrame, optional
        The earlier frame of the drift section. With ``tables`` (holding
        ``drift_summary``, ``drift_by_exterior`` and ``drift_by_account`` unformatted),
        the section is made here: it names both snapshots, reads ratio changes in
        points and shows the by-account columns that fit; without, from ``sections``.
    tables : mapping of str to DataFrame, optional
        The report's tables, numbers unformatted.

    Returns
    -------
    str

    Examples
    --------
    >>> from assetpay_analytics.analysis import compare
    >>> from assetpay_analytics.frame import from_items
    >>> a = from_items([{"id": "1", "marketPrice": 10, "offer": {"price": 7}}], steam_id="7")
    >>> b = from_items([{"id": "1", "marketPrice": 10, "offer": {"price": 6}}], steam_id="7")
    >>> change = compare(a, b)
    >>> tables = {"drift_summary": change.summary().to_frame("value"),
    ...           "drift_by_exterior": change.by_exterior, "drift_by_account": change.by_account}
    >>> text = page(b, {}, [], footer="", drift=True, previous=a, tables=tables)
    >>> "-10.0 pt" in text, "Later: this fetch" in text
    (True, True)
    """
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
    if drift and previous is not None and tables is not None:
        body += _drift(previous, df, tables)
    elif drift:
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


#: The drift section's by-account columns and their headers: what a reviewer reads (the
#: CSV and the workbook keep every column of ``Comparison.by_account``).
_DRIFT_ACCOUNT_COLUMNS = {
    "items_before": "items before",
    "items_after": "items after",
    "payout_ratio_before": "payout ratio before",
    "payout_ratio_after": "payout ratio after",
    "payout_ratio_change": "payout ratio change",
    "priced_market_value_before": "market value (priced) before",
    "priced_market_value_after": "market value (priced) after",
}


def _drift(
    earlier: pd.DataFrame, later: pd.DataFrame, tables: Mapping[str, pd.DataFrame]
) -> list[str]:
    """The drift section: what it compares, then its three tables."""
    accounts = tables["drift_by_account"]
    shown = accounts[[c for c in _DRIFT_ACCOUNT_COLUMNS if c in accounts.columns]]
    return [
        f"<h2>{_TITLES['drift_summary']}</h2>",
        *_compared(earlier, later),
        _drift_table(tables["drift_summary"]),
        f"<h2>{_TITLES['drift_by_exterior']}</h2>",
        _drift_table(tables["drift_by_exterior"]),
        f"<h2>{_TITLES['drift_by_account']}</h2>",
        _drift_table(shown, headers=_DRIFT_ACCOUNT_COLUMNS),
        f"<p class='meta'>{len(accounts.columns)} columns in tables/drift_by_account.csv "
        "and the workbook (added, removed, kept, market, offer and priced market values "
        "before, after and their change).</p>",
    ]


def _compared(earlier: pd.DataFrame, later: pd.DataFrame) -> list[str]:
    """Which two snapshots the section compares, and a warning when it runs backwards."""
    (first, first_at), (second, second_at) = _snapshot(earlier), _snapshot(later)
    shown = [
        f"<p class='meta'>Earlier: {first}.<br>Later: {second}.<br>"
        "Each change is later minus earlier.</p>"
    ]
    if first_at is not None and second_at is not None and first_at > second_at:
        shown.append(
            "<p class='warning'><strong>Warning: compared backwards in time: the earlier "
            "snapshot is newer</strong> (its data starts "
            f"{first_at:%Y-%m-%d %H:%M} UTC, the later one's {second_at:%Y-%m-%d %H:%M} "
            "UTC), so every change below runs from newer data to older.</p>"
        )
    return shown


def _snapshot(df: pd.DataFrame) -> tuple[str, pd.Timestamp | None]:
    """A frame as the section names it (id, data time, when taken) and its data's start.

    The data's time is its ``updated_at`` range (``attrs["updated_at"]`` for a frame
    without rows); a frame without either is placed by ``attrs["taken_at"]``.
    """
    snapshot_id = df.attrs.get("snapshot_id")
    name = f"snapshot <code>{html.escape(str(snapshot_id))}</code>" if snapshot_id else "this fetch"
    times = _data_times(df)
    about = []
    if times is not None:
        start, end = (f"{t:%Y-%m-%d %H:%M}" for t in times)
        about.append(f"data of {start} UTC" if start == end else f"data of {start} – {end} UTC")
    for key, verb in (("taken_at", "taken"), ("fetched_at", "fetched")):
        if df.attrs.get(key):
            about.append(f"{verb} {html.escape(str(df.attrs[key]))}")
            break
    text = f"{name} ({', '.join(about)})" if about else name
    taken = _utc(df.attrs.get("taken_at"))
    return text, times[0] if times is not None else taken


def _data_times(df: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The oldest and newest ``updated_at`` of a frame (UTC), or None."""
    if "updated_at" in df.columns:
        stamps = pd.to_datetime(plain(df)["updated_at"], utc=True).dropna()
        if len(stamps):
            return stamps.min(), stamps.max()
    single = _utc(df.attrs.get("updated_at"))
    return None if single is None else (single, single)


def _utc(value: Any) -> pd.Timestamp | None:
    """An attrs time (ISO-8601 text) as a UTC Timestamp; None when absent or unreadable."""
    if not value:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _points(value: Any) -> str:
    """A ratio change in signed percentage points: ``+0.3 pt``, ``-1.5 pt``, ``0.0 pt``.

    Examples
    --------
    >>> _points(0.003), _points(-0.015), _points(-0.0001), _points(float("nan"))
    ('+0.3 pt', '-1.5 pt', '0.0 pt', '—')
    """
    if value is None or pd.isna(value):
        return MISSING
    shown = f"{float(value) * 100:+.1f} pt"
    return "0.0 pt" if shown in ("+0.0 pt", "-0.0 pt") else shown


def _drift_table(table: pd.DataFrame, headers: Mapping[str, str] | None = None) -> str:
    """A drift table as HTML: as ``formats`` shows it, ratio changes in points."""
    if list(table.columns) == ["value"]:
        values = [_points(value) if str(key).endswith("ratio_change")
                  else value_text(str(key), value)
                  for key, value in table["value"].items()]  # fmt: skip
        shown = pd.DataFrame({"value": values}, index=table.index)
    else:
        shown = formatted(table)
        for at, column in enumerate(table.columns):
            if str(column).endswith("ratio_change"):
                shown.iloc[:, at] = [_points(value) for value in table[column]]
        if headers is not None:
            shown.columns = [headers.get(str(c), str(c)) for c in table.columns]
    return str(shown.to_html(border=0, classes="table", na_rep=MISSING, escape=True))


def _fetched(df: pd.DataFrame) -> str:
    fetched = df.attrs.get("fetched_at")
    return f" · fetched {html.escape(str(fetched))}" if fetched else ""


def _definitions() -> str:
    items = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>"
        for term, text in DEFINITIONS.items()
    )
    return f"<dl>{items}</dl>"
