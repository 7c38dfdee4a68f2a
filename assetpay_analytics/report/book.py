"""The review document's "Price book" section: AssetPay's catalogue beside the inventory.

Given the price book (``write_report(..., prices=book)``), the section shows:

- **coverage**: the book's entries and accepted share, and how many of the inventory's
  items the book lists (and refuses);
- **spread**: the value-weighted deposit / standard withdraw ratio by exterior (when the
  book has exteriors) and by withdraw price band, with their charts;
- **offers that differ from the book**: ``/secure/sell`` says its prices must match the
  latest ``/secure/prices`` snapshot, so every inventory offer whose price is not the
  book's deposit is listed (account, item, phase, offer, deposit, difference), largest
  difference first.

Pure functions of frames; ``document`` adds the tables and charts to the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from .. import analysis
from ..analysis.catalogue import book_band
from ..analysis.formats import labelled

if TYPE_CHECKING:  # the tables need no matplotlib (the command line prints them)
    from matplotlib.figure import Figure

__all__ = ["book_figures", "book_tables", "off_book"]

#: Columns of the table of offers that differ from the book.
_OFF_BOOK_COLUMNS = ["item", "phase", "offer_price", "deposit", "offer_minus_deposit"]


def off_book(joined: pd.DataFrame) -> pd.Series:
    """Rows of ``analysis.offer_vs_catalogue`` whose offer is not the book's deposit."""
    difference = joined["offer_minus_deposit"].astype("Float64")
    return difference.ne(0).fillna(False).astype(bool)


def _coverage(book: pd.DataFrame, joined: pd.DataFrame) -> pd.DataFrame:
    entries = book["phase"].isna()
    in_book = joined["in_catalogue"].astype(bool)
    refused = in_book & joined["deposit"].astype("Float64").eq(0).fillna(False)
    values: dict[str, float] = {
        "entries": int(entries.sum()),
        "accepted_entries": int((entries & book["accepted"].fillna(False)).sum()),
        "phase_rows": int((~entries).sum()),
        "items": len(joined),
        "items_in_book": int(in_book.sum()),
        "refused_in_book": int(refused.sum()),
        "off_book_items": int(off_book(joined).sum()),
    }
    accepted, total = values["accepted_entries"], values["entries"]
    values["accepted_share"] = accepted / total if total else float("nan")
    return pd.DataFrame({"value": list(values.values())}, index=list(values))


def _disagreements(joined: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    rows = joined[off_book(joined)]
    table = pd.DataFrame(
        {
            "account": labelled(rows["steam_id"].astype(str), labels),
            "item": rows["market_hash_name"].astype(str).to_numpy(),
            "phase": rows["phase"].astype(object).where(rows["phase"].notna(), "").to_numpy(),
            "offer_price": rows["offer_price"].astype(float).to_numpy(),
            "deposit": rows["deposit"].astype(float).to_numpy(),
            "offer_minus_deposit": rows["offer_minus_deposit"].astype(float).to_numpy(),
        }
    )
    order = table["offer_minus_deposit"].abs().sort_values(ascending=False, kind="stable")
    return table.loc[order.index].set_index("account")[_OFF_BOOK_COLUMNS]


def book_tables(
    df: pd.DataFrame, book: pd.DataFrame, labels: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """The section's tables, numbers unformatted, in the order the document shows them."""
    joined = analysis.offer_vs_catalogue(df, book)
    tables = {"book_coverage": _coverage(book, joined)}
    if book["exterior"].notna().any():
        tables["book_by_exterior"] = analysis.catalogue_spread(book, by="exterior")
    tables["book_by_band"] = analysis.catalogue_spread(book, by=book_band(book))
    tables["book_off_book"] = _disagreements(joined, labels)
    return tables


def book_figures(book: pd.DataFrame) -> dict[str, Figure]:
    """The section's charts, by file name."""
    from .. import plots

    drawn = [plots.deposit_ratio_by_band]
    if book["exterior"].notna().any():
        drawn.insert(0, plots.deposit_ratio_by_exterior)
    figures = {}
    for chart in drawn:
        figure = chart(book).get_figure(root=True)
        assert figure is not None, "a chart drawn on a new Axes always has a figure"
        figures[chart.__name__] = figure
    return figures
