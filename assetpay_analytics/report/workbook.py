"""The review document's workbook, ``tables.xlsx``: every table of ``tables/``, a sheet each.

The numbers are the CSVs' numbers, formatted as the page shows them (``analysis.formats``):
money with a ``$`` number format, ratios with a ``%`` one, counts as integers. A column
of named values (the headline, the drift summary, the book's coverage) is formatted row
by row, by each value's name. Each sheet opens with the data's source and time, then the
column names (as the page reads them), both frozen with the row names' column; the text
of names, labels and messages cannot run as a formula (``frame.excel``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from ..analysis.formats import header, value_text
from ..frame.excel import COUNT_FORMAT, MONEY_FORMAT, RATIO_FORMAT, add_sheet

__all__ = ["number_format", "sheet_names", "write_workbook"]

#: What Excel refuses in a sheet's name, and its longest name.
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31
#: The mean float of a group: a number between 0 and 1 read to three decimals.
_WEAR_FORMAT = "0.000"


def write_workbook(tables: Mapping[str, pd.DataFrame], path: Path, *, about: str) -> Path:
    """Write ``tables`` (name -> table, numbers unformatted) as one sheet each in ``path``.

    Examples
    --------
    >>> import tempfile
    >>> import openpyxl
    >>> table = pd.DataFrame({"items": [3.0], "payout_ratio": [0.8]}, index=["alice"])
    >>> out = write_workbook({"by_account": table}, Path(tempfile.mkdtemp()) / "t.xlsx",
    ...                      about="Source: demo")
    >>> cell = openpyxl.load_workbook(out)["by_account"]["C3"]
    >>> cell.value, cell.number_format
    (0.8, '0.0%')
    """
    book = Workbook(write_only=True)
    for title, table in zip(sheet_names(tables), tables.values(), strict=True):
        shown = table.reset_index()
        index = [str(c) for c in shown.columns[: table.index.nlevels]]
        shown.columns = [str(c) for c in shown.columns]
        formats: dict[str, str | list[str | None]] = {}
        headers = {c: header(c) for c in map(str, table.columns)}
        if list(table.columns) == ["value"]:  # one named value a row, of any kind
            formats["value"] = [number_format(str(key)) for key in table.index]
            headers["value"] = "value"
        else:
            formats = {c: f for c in map(str, table.columns) if (f := number_format(c))}
        headers |= {c: "" if c in ("index", "level_0") else c for c in index}
        add_sheet(book, title, shown, about=about, formats=formats, headers=headers,
                  frozen_columns=len(index))  # fmt: skip
    book.save(path)
    return path


def number_format(name: str) -> str | None:
    """The Excel number format of a column (or named value), as the page formats it.

    Examples
    --------
    >>> number_format("market_value"), number_format("payout_ratio"), number_format("items")
    ('"$"#,##0.00', '0.0%', '#,##0')
    >>> number_format("key") is None
    True
    """
    # ``value_text`` is the page's rule; how it shows 1000 says which style it applies.
    shown = value_text(name, 1000)
    if shown.startswith("$"):
        return MONEY_FORMAT
    if shown.endswith("%"):
        return RATIO_FORMAT
    if shown == "1,000":
        return COUNT_FORMAT
    if shown == "1000.000":
        return _WEAR_FORMAT
    return None


def sheet_names(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """A valid, distinct sheet name for each table: at most 31 characters, none of
    ``[]:*?/\\``.

    Examples
    --------
    >>> sheet_names({"a/b": pd.DataFrame(), "a:b": pd.DataFrame(), "x" * 40: pd.DataFrame()})
    ['a_b', 'a_b 2', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    names: list[str] = []
    for name in tables:
        base = _NOT_IN_SHEET_NAMES.sub("_", str(name)).strip("'") or "table"
        candidate, n = base[:_SHEET_NAME_MAX], 1
        while candidate.lower() in {taken.lower() for taken in names}:
            n += 1
            suffix = f" {n}"
            candidate = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        names.append(candidate)
    return names
