"""Text cells a spreadsheet must not run: names come from the API, untrusted.

A CSV (or workbook) cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is read by Excel, LibreOffice and Google Sheets as a formula
(OWASP's "CSV injection"); ``csv_safe`` writes such text with a leading ``'``, which the
spreadsheet shows as plain text. Numbers are left alone (a negative price stays a
number). Used wherever the toolkit writes a table for a spreadsheet: ``fetch`` and
``prices --out x.csv``, the review document's ``tables/``.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_STARTS", "csv_safe"]

#: First characters that make a spreadsheet cell a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and index) cannot run as a spreadsheet formula.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"name": ["=1+1", "AK-47"], "price": [-1.0, 2.0]})).values.tolist()
    [["'=1+1", -1.0], ['AK-47', 2.0]]
    """
    out = df.copy()
    for name in out.columns:
        out[name] = _safe(out[name])
    if not isinstance(out.index, pd.MultiIndex):
        out.index = pd.Index(_safe(out.index.to_series()), name=out.index.name)
    return out


def _text_like(values: pd.Series) -> bool:
    dtype = values.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or (pd.api.types.is_string_dtype(dtype))
    )


def _safe(values: pd.Series) -> pd.Series:
    """``values`` with each risky text prefixed by ``'`` (untouched when none is risky)."""
    if not _text_like(values):
        return values
    text = values.astype("string")
    risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
    return values if not risky.any() else text.where(~risky, "'" + text)
