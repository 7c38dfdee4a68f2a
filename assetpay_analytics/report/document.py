"""The pricing-review document: one folder a pricing team can send.

``write_report(df, out)`` writes, from an inventory frame:

- ``report.html``: self-contained (charts embedded as images, no script, font or
  stylesheet from elsewhere), it opens offline in any browser: the headline numbers,
  the tables with dollars and percentages, the charts, the accounts by label, the
  failures, the data's time and source, and the definition of every figure;
- ``charts/``: each chart in the formats asked for (``formats=``, default PNG and
  ``report.pdf``: the headline and tables, then a page per chart, all A4 landscape; SVG
  when asked), each rendered once;
- ``tables/``: the tables as CSV (numbers unformatted, for a spreadsheet: money rounded
  to cents, ratios to full precision);
- ``tables.xlsx``: the same tables in one workbook, a sheet each (``workbook``): dollars,
  percentages and counts formatted, the data's time and source in the first row.

Every payout ratio stands beside the two values it divides: ``offer value`` and
``market value (priced)``, the market value of the priced items only (``market value``
counts every item that has a market price).

Per-exterior tables have a "No exterior" row so they add up to the headline; a frame
without exteriors (Rust; stickers and cases only) is reviewed by item type and price
band. Given the previous snapshot (``previous=``) and a payout trend (``trend=``, e.g.
``store.payout_trend()``), a drift section compares them; given AssetPay's price book
(``prices=``, ``client.prices()``), a "Price book" section (``book``) shows its spread,
its coverage of the inventory and the offers that differ from it.

The document is written into a new folder beside ``out`` and swapped in when complete
(``folder``): nothing stays from a previous run, a symlink planted in the previous folder
is never followed, and an error or Ctrl-C leaves the previous document as it was. The
charts are drawn one at a time, under a progress bar (``figures``); scatters of more than
``plots.charts.SCATTER_LIMIT`` items show their density.

A pure function of frames: the command line (``report --out DIR``) fetches, reads the
history store and calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .. import analysis, plots
from ..analysis.formats import is_money, labelled
from ..frame.cells import csv_safe
from ..frame.records import records_frame
from ..frame.schema import ERROR_COLUMNS
from ..plots.axes import literal
from ..plots.palette import FOOTER_COLOR
from ..plots.review import footer, has_exteriors
from .book import book_figures, book_tables
from .figures import DEFAULT_FORMATS, chosen_formats, render_charts
from .folder import document_folder, staged
from .html import DEFINITIONS, page
from .pdf_pages import people_table, table_pages
from .workbook import write_workbook

__all__ = ["DEFINITIONS", "ReportFiles", "in_cents", "write_report"]

#: A chart of the document: a function drawing its figure when its turn comes.
Chart = Callable[[], Figure]

#: Columns of the group tables in the report, in order.
_COLUMNS = ["items", "priced_items", "market_value", "priced_market_value", "offer_value",
            "payout_ratio", "median_payout_ratio"]  # fmt: skip


@dataclass
class ReportFiles:
    """What ``write_report`` wrote (``pdf`` is None when no PDF was asked for)."""

    html: Path
    pdf: Path | None
    charts: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    workbook: Path | None = None


def write_report(
    df: pd.DataFrame,
    out: str | Path,
    *,
    labels: Mapping[str, str] | None = None,
    source: str = "AssetPay Merchant API",
    previous: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    prices: pd.DataFrame | None = None,
    formats: str | Iterable[str] = DEFAULT_FORMATS,
    progress: bool = True,
) -> ReportFiles:
    """Write the pricing-review document of ``df`` into the folder ``out``.

    Parameters
    ----------
    df : DataFrame
        An inventory frame (``client.inventories``), failures in its attrs.
    out : str or Path
        The folder. The document is written beside it and replaces it only when complete:
        nothing of a previous document stays, and an error or Ctrl-C leaves the previous
        one intact. It must be new, empty or a previous document (``FileExistsError``
        otherwise). A symlink ``out`` is followed: the document replaces the folder it
        points to. Symlinks inside the previous document are never followed.
    labels : mapping of str to str, optional
        SteamID -> a name shown beside it (``Sandbox.labels``, a CSV of your own).
    source : str
        Where the data comes from, on every chart and in the document.
    previous : DataFrame, optional
        The same accounts earlier (the history store's previous snapshot): adds the
        drift section (``analysis.compare`` and the two-date chart).
    trend : DataFrame, optional
        ``analysis.payout_trend`` / ``store.payout_trend`` output, charted in the
        drift section.
    prices : DataFrame, optional
        AssetPay's price book of the same game (``client.prices``): adds the "Price
        book" section (spread by exterior and by price band, coverage, the offers that
        differ from the book) and its charts.
    formats : str or iterable of str
        The chart files in ``charts/``, among ``"png"``, ``"svg"`` and ``"pdf"`` (one
        ``report.pdf``, a page per chart); default ``("png", "pdf")``. Each chart is
        rendered once per format; the page always embeds the PNG.
    progress : bool
        A progress bar over the charts while they render (only on a terminal; off with
        ``TQDM_DISABLE=1``).

    Returns
    -------
    ReportFiles
        The paths of the files in ``out`` (a symlink followed).

    Examples
    --------
    >>> import tempfile
    >>> import assetpay_analytics as apa
    >>> with apa.sandbox.serve() as box:
    ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    ...     df = client.inventories(box.trade_urls[:2], progress=False)
    >>> files = write_report(df, tempfile.mkdtemp(), labels=box.labels)
    >>> files.html.name, files.pdf.read_bytes()[:4], files.workbook.name
    ('report.html', b'%PDF', 'tables.xlsx')
    >>> sorted({path.suffix for path in files.charts})
    ['.png']
    """
    wanted = chosen_formats(formats)
    target = document_folder(out)
    tables = _tables(df, labels or {}, previous)
    charts = _charts(df, source, previous, trend)
    drawn: list[Figure] = []
    try:
        if prices is not None:
            tables |= book_tables(df, prices, labels or {})
            figures = book_figures(prices)
            drawn = list(figures.values())
            charts |= {name: partial(_with_footer, figure, df, source)
                       for name, figure in figures.items()}  # fmt: skip
        tables = {name: in_cents(table) for name, table in tables.items()}
        with staged(target) as folder:
            files = _write(df, folder, tables, charts, wanted, source=source,
                           previous=previous, book=prices is not None,
                           progress=progress)  # fmt: skip
    finally:
        for figure in drawn:  # the book's figures are drawn up front: none stays open
            plt.close(figure)
    return _moved(files, folder, target)


def _tables(
    df: pd.DataFrame, labels: Mapping[str, str], previous: pd.DataFrame | None
) -> dict[str, pd.DataFrame]:
    """The report's tables, numbers unformatted, in the order the document shows them."""
    totals = analysis.summary(df)
    tables = {"summary": pd.DataFrame({"value": list(totals.to_numpy())}, index=totals.index)}
    tables["by_account"] = analysis.by_account(df, labels)[_COLUMNS]
    if has_exteriors(df):
        tables["by_exterior"] = analysis.by_exterior(df)[[*_COLUMNS, "mean_wear"]]
    else:
        tables["by_type"] = analysis.by_group(df, "type")[_COLUMNS]
    errors = records_frame(df.attrs.get("errors"), ERROR_COLUMNS)  # no accessor needed
    if len(errors):
        shown = errors[["steam_id", "key", "status", "request_id", "message"]].copy()
        shown.insert(0, "account", labelled(errors["steam_id"], labels))
        tables["failures"] = shown.drop(columns="steam_id").set_index("account")
    if previous is not None:
        change = analysis.compare(previous, df)
        tables["drift_summary"] = change.summary().to_frame("value")
        tables["drift_by_exterior"] = change.by_exterior
        drift_accounts = change.by_account
        drift_accounts.index = pd.Index(labelled(drift_accounts.index, labels), name="account")
        tables["drift_by_account"] = drift_accounts
    return tables


def _write(
    df: pd.DataFrame,
    folder: Path,
    tables: Mapping[str, pd.DataFrame],
    charts: Mapping[str, Chart],
    formats: tuple[str, ...],
    *,
    source: str,
    previous: pd.DataFrame | None,
    book: bool,
    progress: bool,
) -> ReportFiles:
    """Every file of the document into the new, empty ``folder``: tables, charts, page."""
    (folder / "charts").mkdir()
    (folder / "tables").mkdir()
    about = footer(df, source)
    written = [_csv(table, folder / "tables" / f"{name}.csv") for name, table in tables.items()]
    workbook = write_workbook(tables, folder / "tables.xlsx", about=about)
    chart_files, pdf, images = render_charts(
        charts, folder / "charts", formats, progress=progress,
        first_pages=lambda: table_pages(tables, about),
    )  # fmt: skip
    sections = {name: _shown(table) for name, table in tables.items()}
    html = folder / "report.html"
    text = page(df, sections, images, footer=about, drift=previous is not None, book=book,
                previous=previous, tables=tables)  # fmt: skip
    html.write_text(text, encoding="utf-8")
    return ReportFiles(html=html, pdf=pdf, charts=chart_files, tables=written, workbook=workbook)


def _moved(files: ReportFiles, stage: Path, target: Path) -> ReportFiles:
    """``files`` written in ``stage``, named where they are now: in ``target``."""

    def there(path: Path) -> Path:
        return target / path.relative_to(stage)

    return ReportFiles(
        html=there(files.html),
        pdf=None if files.pdf is None else there(files.pdf),
        charts=[there(path) for path in files.charts],
        tables=[there(path) for path in files.tables],
        workbook=None if files.workbook is None else there(files.workbook),
    )


def _charts(
    df: pd.DataFrame, source: str, previous: pd.DataFrame | None, trend: pd.DataFrame | None
) -> dict[str, Chart]:
    """Every chart of the report, by file name, the review figure first: each drawn (and
    closed) in its turn, so one figure is open at a time."""
    charts: dict[str, Chart] = {"pricing_review": partial(plots.pricing_review, df, source=source)}
    if has_exteriors(df):
        drawn = [plots.payout_by_exterior, plots.payout_vs_market, plots.payout_distribution,
                 plots.exterior_ladder_heatmap]  # fmt: skip
    else:
        drawn = [plots.payout_by_type, plots.payout_by_price_band, plots.payout_vs_market]
    for chart in drawn:
        charts[chart.__name__] = partial(_footed, chart, df, source)
    if previous is not None:
        charts["payout_change_by_exterior"] = partial(_footed, partial(
            plots.payout_change_by_exterior, previous), df, source)  # fmt: skip
    if trend is not None and not trend.empty:
        charts["payout_trend"] = lambda: _with_footer(_trend_figure(trend), df, source)
    return charts


def _footed(chart: Callable[[pd.DataFrame], Axes], df: pd.DataFrame, source: str) -> Figure:
    """The figure of ``chart(df)`` with the document's footer."""
    return _with_footer(chart(df).get_figure(root=True), df, source)


def _trend_figure(trend: pd.DataFrame) -> Figure:
    figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for column in trend.columns:
        colour = plots.EXTERIOR_COLORS.get(str(column), plots.NO_EXTERIOR_COLOR)
        ax.plot(trend.index, trend[column], color=colour, marker="o", markersize=3,
                label=literal(column))  # fmt: skip
    if len(trend.index) == 1:  # one period: a day either side, not a singular axis
        ax.set_xlim(trend.index[0] - pd.Timedelta(days=1), trend.index[0] + pd.Timedelta(days=1))
    ax.legend(title=literal(trend.columns.name or ""), fontsize=8)
    days = max(1, (trend.index.max() - trend.index.min()).days) if len(trend.index) else 1
    # whole days on the axis (matplotlib.dates has no type hints)
    every = max(1, -(-days // 8))
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=every))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("offer / market price (value-weighted)")
    ax.set_xlabel("")
    ax.set_title("Payout ratio over time")
    ax.grid(alpha=0.3)
    return figure


def _with_footer(figure: Figure | None, df: pd.DataFrame, source: str) -> Figure:
    assert figure is not None, "a chart drawn on a new Axes always has a figure"
    figure.supxlabel(footer(df, source), fontsize=7, color=FOOTER_COLOR, x=0.01, ha="left",
                     parse_math=False)  # fmt: skip
    return figure


def in_cents(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with its money rounded to cents (``formats.is_money``).

    A sum of cent prices carries float noise (19401.879999999997); rounded, the CSV and
    the workbook hold 19401.88. A column of named values (the headline) is rounded row by
    row, by each value's name. Ratios, counts and text are left as they are.

    Examples
    --------
    >>> table = pd.DataFrame({"market_value": [19401.879999999997], "payout_ratio": [2 / 3]})
    >>> in_cents(table).iloc[0].tolist()
    [19401.88, 0.6666666666666666]
    >>> headline = pd.DataFrame({"value": [3, 0.1 + 0.2]}, index=["items", "offer_value"],
    ...                         dtype=object)
    >>> in_cents(headline)["value"].tolist()
    [3, 0.3]
    """
    out = table.copy()
    if list(table.columns) == ["value"]:
        values = [_cents(value) if is_money(str(key)) else value
                  for key, value in table["value"].items()]  # fmt: skip
        out["value"] = pd.Series(values, index=table.index, dtype=table["value"].dtype)
        return out
    for column in table.columns:
        if is_money(str(column)) and pd.api.types.is_float_dtype(table[column].dtype):
            out[column] = table[column].round(2) + 0.0  # + 0.0: no "-0.0" in a CSV
    return out


def _cents(value: object) -> object:
    """A float rounded to cents; anything else (a count, NaN, text) as it is."""
    if isinstance(value, float):
        return round(value, 2) + 0.0
    return value


def _csv(table: pd.DataFrame, path: Path) -> Path:
    csv_safe(table).to_csv(path)  # names come from the API: no cell may run as a formula
    return path


def _shown(table: pd.DataFrame) -> str:
    """A table as HTML for people: a column of named values (the headline, the drift
    summary) by each row's name, any other table by its columns (``formats``)."""
    shown = people_table(table)
    return str(shown.to_html(border=0, classes="table", na_rep="—", escape=True))
