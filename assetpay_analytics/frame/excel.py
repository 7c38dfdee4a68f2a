"""Frames as Excel workbooks: ``write_excel`` for an inventory, ``add_sheet`` for any table.

A pricing team opens the file and reads it as it is:

- the first row says where the data comes from and when (``about``), the second names
  the columns, and both stay in view (frozen) as the sheet scrolls;
- Excel stores no time zone (``df.to_excel`` refuses ``updated_at``): a zoned time is
  written as its UTC wall time and its header names the zone (``updated_at (UTC)``);
- money has a ``$`` number format, ratios a ``%`` one, whole numbers stay integers,
  booleans are TRUE / FALSE, missing values are empty cells;
- Arrow lists and structs (``stickers``) are written as JSON text (an empty list as an
  empty cell);
- text from the API (names, labels, messages) is untrusted: a cell that would start
  like a formula (``cells.FORMULA_STARTS``, the rule ``csv_safe`` applies to CSV) is a
  string cell with Excel's quote prefix, so it shows its literal text and stays text
  when edited; control characters a workbook cannot hold are dropped;
- columns are as wide as their contents (within bounds).

The workbook is written in openpyxl's write-only mode (rows streamed to the file), so a
large batch does not hold a cell object per value in memory.
"""

from __future__ import annotations

import datetime as dt
import json
import numbers
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .cells import FORMULA_STARTS
from .provenance import about

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = [
    "COUNT_FORMAT",
    "INTEGER_FORMAT",
    "MONEY_FORMAT",
    "RATIO_FORMAT",
    "about",
    "add_sheet",
    "inventory_formats",
    "write_excel",
]

#: Dollars with cents and thousands separators (a loss reads -$5.00).
MONEY_FORMAT = '"$"#,##0.00'
#: A ratio as a percentage with one decimal (0.815 shows as 81.5%).
RATIO_FORMAT = "0.0%"
#: A count: a whole number with thousands separators.
COUNT_FORMAT = "#,##0"
#: A whole number that is a code, not a quantity (paint seed, paint index): no separators.
INTEGER_FORMAT = "0"
#: The money columns of an inventory and of a price book.
_MONEY_COLUMNS = frozenset(
    {"market_price", "offer_price", "deposit", "withdraw_standard", "withdraw_instant"}
)
#: The inventory's counts (other integer columns are codes).
_COUNT_COLUMNS = frozenset({"sticker_count", "amount"})
#: Column width bounds, in characters.
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_HEADER_ROWS = 2

#: A number format for a whole column, or one per row (a column of named values).
Formats = Mapping[str, str | Sequence[str | None]]


def write_excel(
    df: pd.DataFrame,
    path: str | Path,
    *,
    source: str = "AssetPay Merchant API",
    sheet: str = "inventory",
) -> Path:
    """Write an inventory frame as an Excel workbook a pricing team can open.

    One sheet: a first row naming the source and the data's time, the column names
    (zoned times say ``(UTC)``), then one row per item. Prices have a ``$`` number
    format, counts are integers, stickers are JSON text, both header rows are frozen
    and text that a spreadsheet would run as a formula is kept as plain text.

    Parameters
    ----------
    df : DataFrame
        An inventory frame (``client.inventory``, ``client.inventories``, a snapshot);
        any other frame is written by the same rules.
    path : str or Path
        The ``.xlsx`` file to write (replaced if it exists; its folder must exist).
    source : str
        Where the data comes from, named in the first row.
    sheet : str
        The sheet's name (at most 31 characters, none of ``[]:*?/\\``).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> import openpyxl
    >>> from assetpay_analytics.frame import from_pages
    >>> page = {"inventory": [{"id": "a1", "name": "AK-47 | Redline", "marketPrice": 20.5}],
    ...         "count": 1, "updatedAt": "2026-06-01T09:30:00Z"}
    >>> df = from_pages([page])
    >>> out = write_excel(df, Path(tempfile.mkdtemp()) / "inventory.xlsx")
    >>> rows = openpyxl.load_workbook(out)["inventory"]
    >>> rows["A1"].value
    'Source: AssetPay Merchant API · data as of 2026-06-01 09:30 UTC · made with assetpay-analytics'
    >>> header = [cell.value for cell in rows[2]]
    >>> price = rows.cell(3, header.index("market_price") + 1)
    >>> price.value, price.number_format, "updated_at (UTC)" in header
    (20.5, '"$"#,##0.00', True)
    """
    out = Path(path)
    book = Workbook(write_only=True)
    add_sheet(book, sheet, df, about=about(df, source), formats=inventory_formats(df))
    book.save(out)
    return out


def inventory_formats(df: pd.DataFrame) -> dict[str, str]:
    """The number format of each of an inventory's number columns, by column.

    Examples
    --------
    >>> inventory_formats(pd.DataFrame({"offer_price": [1.5], "amount": [2], "name": ["x"]}))
    {'offer_price': '"$"#,##0.00', 'amount': '#,##0'}
    """
    formats = {}
    for column in df.columns:
        dtype = df[column].dtype
        if column in _MONEY_COLUMNS:
            formats[str(column)] = MONEY_FORMAT
        elif pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            formats[str(column)] = COUNT_FORMAT if column in _COUNT_COLUMNS else INTEGER_FORMAT
    return formats


def add_sheet(
    book: Workbook,
    title: str,
    table: pd.DataFrame,
    *,
    about: str,
    formats: Formats,
    headers: Mapping[str, str] | None = None,
    frozen_columns: int = 0,
) -> None:
    """Append one sheet holding ``table`` (its columns, not its index) to ``book``.

    Parameters
    ----------
    book : openpyxl.Workbook
        A write-only workbook (``Workbook(write_only=True)``).
    title : str
        The sheet's name, already valid for Excel.
    table : DataFrame
        The rows to write (reset the index first to write it).
    about : str
        The first row: the data's source and time.
    formats : mapping
        Column -> a number format for the whole column, or a sequence with one format
        (or None) per row.
    headers : mapping of str to str, optional
        Column -> the name shown (default: the column's name); zoned times add ``(UTC)``.
    frozen_columns : int
        Leading columns kept in view as the sheet scrolls right (the header rows always).

    Examples
    --------
    >>> import io
    >>> import openpyxl
    >>> book = Workbook(write_only=True)
    >>> add_sheet(book, "t", pd.DataFrame({"ratio": [0.5]}), about="x",
    ...           formats={"ratio": RATIO_FORMAT})
    >>> book.save(saved := io.BytesIO())
    >>> cell = openpyxl.load_workbook(saved)["t"]["A3"]
    >>> cell.value, cell.number_format
    (0.5, '0.0%')
    """
    sheet = book.create_sheet(title)
    names = [str(c) for c in table.columns]
    shown = dict(headers or {})
    columns = []
    for name, (_, values) in zip(names, table.items(), strict=True):
        cells, suffix = _values(values)
        columns.append(cells)
        shown[name] = shown.get(name, name) + suffix
    per_row = [_per_row(formats.get(name), len(table)) for name in names]
    heads = [shown[name] for name in names]
    for index, width in enumerate(_widths(heads, columns, per_row), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{_HEADER_ROWS + 1}"
    sheet.append([_styled(sheet, about, Font(italic=True, color="555555"))])
    sheet.append([_styled(sheet, head, Font(bold=True)) if head else None for head in heads])
    for row, line in enumerate(zip(*columns, strict=True)):
        sheet.append([_cell(sheet, value, per_row[n][row]) for n, value in enumerate(line)])


def _per_row(formats: str | Sequence[str | None] | None, rows: int) -> Sequence[str | None]:
    if formats is None or isinstance(formats, str):
        return [formats] * rows
    if len(formats) != rows:
        raise ValueError(f"{len(formats)} number formats for {rows} rows")
    return formats


def _values(values: pd.Series) -> tuple[list[Any], str]:
    """A column's cells as the Python values a workbook holds, and its header's suffix."""
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        wall = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return [None if pd.isna(v) else v.to_pydatetime() for v in wall], " (UTC)"
    if isinstance(dtype, pd.ArrowDtype) and dtype.type in (list, dict):
        return [_json(v) for v in values.tolist()], ""  # an Arrow list or struct
    return [_plain(v) for v in values.astype(object)], ""


def _plain(value: Any) -> Any:
    """One value as a cell holds it: text, a bool, an int, a float, a time or None."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | numbers.Integral):
        return bool(value) if isinstance(value, bool) else int(value)
    if isinstance(value, numbers.Real):
        return None if value != value else float(value)  # NaN
    if isinstance(value, pd.Timestamp):
        naive = value.tz_convert("UTC").tz_localize(None) if value.tzinfo else value
        return naive.to_pydatetime()
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, list | tuple | dict):
        return _json(value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _json(value: Any) -> str | None:
    """A list or struct as JSON text; an empty or missing one as an empty cell."""
    if value is None or (isinstance(value, list | tuple | dict) and not value):
        return None
    return ILLEGAL_CHARACTERS_RE.sub("", json.dumps(value, ensure_ascii=False, default=str))


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None) -> Any:
    """``value`` as appended: plain where openpyxl's defaults do, else a styled cell."""
    if isinstance(value, str):
        return _text(sheet, value) if value.startswith(FORMULA_STARTS) else value or None
    if number_format is None or value is None or isinstance(value, bool):
        return value
    if number_format in (COUNT_FORMAT, INTEGER_FORMAT) and float(value).is_integer():
        value = int(value)
    cell = WriteOnlyCell(sheet, value)
    cell.number_format = number_format
    return cell


def _text(sheet: WriteOnlyWorksheet, text: str) -> Cell:
    """A text cell that cannot run as a formula, whatever it starts with."""
    cell = WriteOnlyCell(sheet, text)
    if text.startswith(FORMULA_STARTS):
        # openpyxl takes any text that starts with "=" for a formula: keep it a string,
        # with the quote prefix that Excel keeps when the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _styled(sheet: WriteOnlyWorksheet, text: str, font: Font) -> Cell:
    cell = _text(sheet, ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.font = font
    return cell


def _widths(
    heads: Sequence[str], columns: Sequence[Sequence[Any]], formats: Sequence[Sequence[str | None]]
) -> Iterator[float]:
    """Each column's width in characters: its longest value as shown, within bounds."""
    for head, values, column_formats in zip(heads, columns, formats, strict=True):
        longest = max(
            (_shown_length(v, f) for v, f in zip(values, column_formats, strict=True)),
            default=0,
        )
        yield float(min(max(longest, len(head), _MIN_WIDTH) + 2, _MAX_WIDTH))


def _shown_length(value: Any, number_format: str | None) -> int:
    """About how many characters Excel shows for ``value``."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.splitlines() or [""])
    if isinstance(value, bool):
        return 5
    if isinstance(value, dt.datetime):
        return 19
    if number_format == MONEY_FORMAT:
        return len(f"${value:,.2f}")
    if number_format == RATIO_FORMAT:
        return len(f"{value:.1%}")
    if number_format == COUNT_FORMAT:
        return len(f"{value:,.0f}")
    return len(str(value))
