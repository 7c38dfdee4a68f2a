"""How numbers read: dollars, percentages and counts, the same in every room.

Used by ``summary``'s display, the explorer, the command line and the charts' labels;
a missing value (None or NaN) reads as a dash.

Examples
--------
>>> usd(1234.5), pct(0.8202), count(1692.0), usd(float("nan"))
('$1,234.50', '82.0%', '1,692', '—')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "MISSING",
    "count",
    "formatted",
    "header",
    "is_money",
    "labelled",
    "pct",
    "usd",
    "value_text",
]

#: Column names as a person reads them (others: underscores become spaces).
_HEADERS = {
    "priced_items": "priced",
    "priced_market_value": "market value (priced, USD)",
    "median_payout_ratio": "median payout ratio",
    "mean_wear": "mean float",
    "kept_priced": "kept, priced both times",
}
_COUNTS = frozenset({"items", "priced_items", "kept_priced", "added", "removed", "kept",
                     "items_before", "items_after", "tradable_items", "units", "entries",
                     "accepted_entries", "phase_rows", "items_in_book", "refused_in_book",
                     "off_book_items"})  # fmt: skip
#: The price book's money columns (their names say neither "value" nor "price").
_MONEY = frozenset({"deposit", "withdraw_standard", "withdraw_instant", "spread",
                    "offer_minus_deposit"})  # fmt: skip

#: What a missing value reads as.
MISSING = "—"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN
    except TypeError:  # pd.NA has no truth value
        return True


def usd(value: Any) -> str:
    """Dollars with cents and thousands separators (a loss reads ``-$5.00``)."""
    if _missing(value):
        return MISSING
    amount = float(value)
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def pct(value: Any) -> str:
    """A ratio as a percentage with one decimal."""
    return MISSING if _missing(value) else f"{float(value):.1%}"


def count(value: Any) -> str:
    """A whole number with thousands separators."""
    return MISSING if _missing(value) else f"{int(value):,}"


def header(column: str) -> str:
    """A column's name as a person reads it; money columns say their currency.

    Examples
    --------
    >>> header("market_value"), header("priced_market_value"), header("payout_ratio_change")
    ('market value (USD)', 'market value (priced, USD)', 'payout ratio change')
    """
    if column in _HEADERS:
        return _HEADERS[column]
    money = column in _MONEY or (("value" in column or "price" in column) and "ratio" not in column)
    return column.replace("_", " ") + (" (USD)" if money else "")


def formatted(frame: Any) -> Any:
    """A copy of a table for people: dollars, percentages, whole counts, readable headers.

    For a notebook or a document (``analysis.formatted``); the numbers of ``frame`` are
    untouched, so keep computing (and writing CSV) from the table itself.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"items": [1692], "market_value": [1762265.56],
    ...                       "payout_ratio": [0.815]}, index=["all"])
    >>> formatted(table).iloc[0].tolist()
    ['1,692', '$1,762,265.56', '81.5%']
    >>> formatted(table).columns.tolist()
    ['items', 'market value (USD)', 'payout ratio']
    """
    shown = frame.astype(object).copy()
    for column in frame.columns:
        style = _style(str(column))
        if style is not None:
            shown[column] = [style(value) for value in frame[column]]
    shown.columns = [header(str(column)) for column in frame.columns]
    return shown


def _style(column: str) -> Any:
    if column in _COUNTS or column.startswith("accounts"):
        return count
    if "ratio" in column or column.endswith("_share"):
        return pct
    if column in _MONEY or "value" in column or "price" in column:
        return usd
    if column == "mean_wear":
        return lambda value: MISSING if _missing(value) else f"{float(value):.3f}"
    return None


def is_money(name: str) -> bool:
    """Whether a column (or named value) is dollars, as ``formatted`` shows it.

    Examples
    --------
    >>> is_money("priced_market_value"), is_money("deposit"), is_money("payout_ratio")
    (True, True, False)
    """
    return _style(name) is usd


def value_text(key: str, value: Any) -> str:
    """One named number as it reads: counts whole, money in dollars, ratios in percent.

    Examples
    --------
    >>> value_text("items", 1692), value_text("market_value_change", -5), value_text("x", "y")
    ('1,692', '-$5.00', 'y')
    """
    style = _style(key)
    return str(value) if style is None else str(style(value))


def labelled(steam_ids: Any, labels: Mapping[str, str]) -> list[str]:
    """Each SteamID as ``"alice (7656...)"`` where a label is known, else as it is.

    Examples
    --------
    >>> labelled(["1", 2], {"1": "alice"})
    ['alice (1)', '2']
    """
    return [f"{labels[s]} ({s})" if s in labels else s for s in map(str, steam_ids)]
