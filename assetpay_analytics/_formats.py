"""How numbers read: dollars, percentages and counts, the same in every room.

Used by ``summary``'s display, the explorer, the command line and the charts' labels;
a missing value (None or NaN) reads as a dash.

Examples
--------
>>> usd(1234.5), pct(0.8202), count(1692.0), usd(float("nan"))
('$1,234.50', '82.0%', '1,692', '—')
"""

from __future__ import annotations

from typing import Any

__all__ = ["MISSING", "count", "pct", "usd"]

#: What a missing value reads as.
MISSING = "—"


def _missing(value: Any) -> bool:
    return value is None or value != value


def usd(value: Any) -> str:
    """Dollars with cents and thousands separators."""
    return MISSING if _missing(value) else f"${float(value):,.2f}"


def pct(value: Any) -> str:
    """A ratio as a percentage with one decimal."""
    return MISSING if _missing(value) else f"{float(value):.1%}"


def count(value: Any) -> str:
    """A whole number with thousands separators."""
    return MISSING if _missing(value) else f"{int(value):,}"
