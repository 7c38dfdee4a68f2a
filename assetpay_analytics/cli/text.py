"""The command line's text: money and ratios for a terminal, the failed accounts' table.

Kept apart from ``cli`` (which parses, fetches and decides the exit status) so each
stays one concern. Nothing here imports pandas: ``--help`` loads this module too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..analysis.formats import formatted, pct, usd
from ..redact import mask
from . import checks

if TYPE_CHECKING:  # pandas is imported by the commands that fetch, not by --help
    import pandas as pd

__all__ = ["failure_table", "pct", "table", "usd"]


def table(frame: pd.DataFrame) -> str:
    """A table for a terminal: dollars, percentages, whole counts, readable headers."""
    return str(formatted(frame).to_string())


#: The failure table: no line longer than this; the columns before the message are capped.
_TABLE_WIDTH = 120
_FAILURE_COLUMNS = (("account", 20), ("key", 26), ("request id", 36))


def _cell(value: Any) -> str:
    """A failure record's value as shown: blank when missing, masked, on one line."""
    if value is None or value != value or str(value) == "<NA>":
        return ""
    return mask(checks.one_line(value))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _account(row: Mapping[Any, Any]) -> str:
    """Who failed: the steam id, else the position of the TRADE_URL, else the masked URL."""
    if _cell(row.get("steam_id")):
        return _cell(row["steam_id"])
    if _cell(row.get("input")):
        return f"TRADE_URL #{int(row['input']) + 1}"
    return _cell(row.get("trade_url"))


def failure_table(errors: pd.DataFrame) -> str:
    """The failed accounts as a table at most ``_TABLE_WIDTH`` wide, messages wrapped."""
    rows = [
        [_account(row), *(_cell(row.get(name)) for name in ("key", "request_id", "message"))]
        for row in errors.to_dict("records")
    ]
    widths = [
        min(cap, max(len(title), *(len(row[i]) for row in rows)))
        for i, (title, cap) in enumerate(_FAILURE_COLUMNS)
    ]
    room = _TABLE_WIDTH - sum(widths) - 2 * len(widths)

    def line(cells: Sequence[str], message: str) -> str:
        fixed = [_clip(cell, width).ljust(width) for cell, width in zip(cells, widths, strict=True)]
        return "  ".join([*fixed, message]).rstrip()

    lines = [line([title for title, _ in _FAILURE_COLUMNS], "message")]
    for *cells, message in rows:
        wrapped = textwrap.wrap(message, room) or [""]
        lines.append(line(cells, wrapped[0]))
        lines += [line([""] * len(cells), more) for more in wrapped[1:]]
    return "\n".join(lines)
