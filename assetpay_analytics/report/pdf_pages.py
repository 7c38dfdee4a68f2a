"""The PDF's own pages: the headline and the tables first, every page one size.

``report.pdf`` is what gets attached to an e-mail, so it opens as the page does: the
title, where and when the data is from, the headline numbers, then each table (as the
page shows it: dollars, percent, counts), then the charts. Every page is A4 landscape
(``PAGE_SIZE``); a chart is laid out again at that size for its page. Text from the data
goes through ``plots.axes.literal``: a name is drawn as sent, never as mathtext.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.formats import formatted, header, value_text
from ..plots.axes import literal
from ..plots.palette import FOOTER_COLOR

__all__ = ["PAGE_SIZE", "ROWS_PER_PAGE", "people_table", "table_pages"]

#: A4 landscape, in inches: every page of ``report.pdf``.
PAGE_SIZE = (11.69, 8.27)
#: Table rows on one page (a longer table continues on the next).
ROWS_PER_PAGE = 24
_TITLE = "AssetPay pricing review"


def people_table(table: pd.DataFrame) -> pd.DataFrame:
    """A table as people read it: a column of named values (the headline, the drift
    summary) by each row's name, any other table by its columns (``formats``).

    Examples
    --------
    >>> people_table(pd.DataFrame({"value": [1692, 0.8]}, index=["items", "payout_ratio"]))
                  value
    items         1,692
    payout_ratio  80.0%
    """
    if list(table.columns) == ["value"]:
        values = [value_text(str(key), value) for key, value in table["value"].items()]
        return pd.DataFrame({"value": values}, index=table.index)
    shown: pd.DataFrame = formatted(table)
    return shown


def table_pages(tables: Mapping[str, pd.DataFrame], about: str) -> Iterator[Figure]:
    """The PDF's first pages: the title and ``about`` over the first table, then the rest.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The document's tables by name, numbers unformatted, in the page's order.
    about : str
        The line naming the source and the data's time (``frame.provenance.about``).

    Yields
    ------
    Figure
        One page each, ``PAGE_SIZE``; the caller saves and closes it.
    """
    first = True
    for name, table in tables.items():
        shown = people_table(table)
        for start in range(0, max(len(shown), 1), ROWS_PER_PAGE):
            chunk = shown.iloc[start : start + ROWS_PER_PAGE]
            title = _heading(name) + (" (continued)" if start else "")
            yield _page(chunk, title, about if first else None)
            first = False


def _heading(name: str) -> str:
    return header(name).replace("_", " ").capitalize()


def _page(table: pd.DataFrame, title: str, about: str | None) -> Figure:
    figure = plt.figure(figsize=PAGE_SIZE)
    top = 0.95
    if about is not None:
        figure.text(0.05, top, _TITLE, fontsize=18, weight="bold", va="top")
        figure.text(0.05, top - 0.05, literal(about), fontsize=9, color=FOOTER_COLOR, va="top")
        top -= 0.1
    figure.text(0.05, top, literal(title), fontsize=13, weight="bold", va="top")
    ax = figure.add_axes((0.05, 0.05, 0.9, top - 0.1))
    ax.axis("off")
    if table.empty:
        ax.text(0, 1, "no rows", va="top", fontsize=10)
        return figure
    named = list(table.columns) == ["value"]  # a column of named values: name them as read
    labels = [literal(header(str(label)) if named else label) for label in table.index]
    values = [[literal("—" if pd.isna(v) else v) for v in row] for row in table.to_numpy()]
    drawn = ax.table(
        cellText=[[label, *row] for label, row in zip(labels, values, strict=True)],
        # the columns are named as people read them already (``people_table``)
        colLabels=[literal(table.index.name or ""), *(literal(c) for c in table.columns)],
        loc="upper center",
        cellLoc="right",
    )
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(8)
    drawn.auto_set_column_width(list(range(len(table.columns) + 1)))
    drawn.scale(1, 1.3)
    for (row, column), cell in drawn.get_celld().items():
        if row == 0:
            cell.get_text().set_fontweight("bold")
        if column == 0:
            cell.get_text().set_horizontalalignment("left")
    return figure
