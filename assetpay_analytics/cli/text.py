"""The command line's text: money and ratios for a terminal, the failed accounts' table.

Kept apart from ``cli`` (which parses, fetches and decides the exit status) so each
stays one concern. pandas is imported inside the functions only: ``--help`` loads this module too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..analysis.formats import formatted, pct, usd
from ..redact import mask

if TYPE_CHECKING:  # pandas is imported by the commands that fetch, not by --help
    import pandas as pd

__all__ = ["failure_cells", "failure_table", "pct", "table", "usd"]


def table(frame: pd.DataFrame) -> str:
    """A table for a terminal: dollars, percentages, whole counts, readable headers."""
    return str(formatted(frame).to_string())


#: The failure table: no line longer than this; the columns before the message are capped.
_TABLE_WIDTH = 120
_FAILURE_COLUMNS = (("account", 20), ("key", 26), ("request id", 36))


def _one_line(value: str) -> str:
    """``checks.one_line``, with the common case (nothing to change) tested in C first."""
    plain = value.isascii() and value.isprintable() and "  " not in value
    return value if plain and value == value.strip() else " ".join(value.split())


def _text(errors: pd.DataFrame, name: str) -> pd.Series:
    """A column of the failure records as shown: on one line, masked, "" when missing.

    Linear: one pass over the values, and ``mask`` once per distinct value (a key is one
    value for thousands of rows).
    """
    import pandas as pd

    if name not in errors.columns:
        return pd.Series("", index=errors.index, dtype=object)
    values = errors[name].astype("string").to_numpy(dtype=object, na_value="")
    lines = [_one_line(value) for value in values]
    masked = {value: mask(value) for value in set(lines)}
    return pd.Series([masked[value] for value in lines], index=errors.index, dtype=object)


def failure_cells(errors: pd.DataFrame) -> pd.DataFrame:
    """The failed accounts' cells as shown: account, key, request id, message (all text).

    The account is the steam id, else the position of the TRADE_URL (``TRADE_URL #3``),
    else the masked URL. Every cell is masked (``redact.mask``), on one line, and blank
    when missing; built column by column, so 100,000 failures take well under a second.

    Parameters
    ----------
    errors : DataFrame
        ``df.assetpay.errors`` (or any frame of some of its columns).

    Returns
    -------
    DataFrame
        Columns ``account``, ``key``, ``request_id``, ``message``, on ``errors``' index.
    """
    import pandas as pd

    account = _text(errors, "steam_id")
    if "input" in errors.columns:
        position = pd.to_numeric(errors["input"], errors="coerce").astype("Float64") + 1
        numbered = "TRADE_URL #" + position.astype("Int64").astype("string")
        account = account.where(account != "", numbered.fillna("").astype(object))
    missing = account == ""
    if missing.any():  # the masked URL, for the rows with neither (one pass over them only)
        account[missing] = _text(errors[missing], "trade_url")
    shown = {name: _text(errors, name) for name in ("key", "request_id", "message")}
    return pd.DataFrame({"account": account, **shown})


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def failure_table(errors: pd.DataFrame) -> str:
    """The failed accounts as a table at most ``_TABLE_WIDTH`` wide, messages wrapped.

    Every row of ``errors`` is shown: ``failures.failure_lines`` passes a screenful.
    """
    rows = failure_cells(errors).to_numpy().tolist()
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
