"""The pricing-review document: one folder a pricing team can send.

``write_report(df, out)`` writes, from an inventory frame:

- ``report.html``: self-contained (charts embedded as images, no script, font or
  stylesheet from elsewhere), it opens offline in any browser: the headline numbers,
  the tables with dollars and percentages, the charts, the accounts by label, the
  failures, the data's time and source, and the definition of every figure;
- ``charts/``: each chart as PNG and SVG, and ``report.pdf`` with one page per chart;
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

A pure function of frames: the command line (``report --out DIR``) fetches, reads the
history store and calls it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .. import analysis, plots
from ..analysis.formats import formatted, is_money, labelled, value_text
from ..frame.cells import csv_safe
from ..frame.records import records_frame
from ..frame.schema import ERROR_COLUMNS
from ..plots.palette import FOOTER_COLOR
from ..plots.review import footer, has_exteriors
from .book import book_figures, book_tables
from .html import DEFINITIONS, page
from .workbook import write_workbook

__all__ = ["DEFINITIONS", "ReportFiles", "in_cents", "write_report"]

#: Columns of the group tables in the report, in order.
_COLUMNS = ["items", "priced_items", "market_value", "priced_market_value", "offer_value",
            "payout_ratio", "median_payout_ratio"]  # fmt: skip


@dataclass
class ReportFiles:
    """What ``write_report`` wrote."""

    html: Path
    pdf: Path
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
) -> ReportFiles:
    """Write the pricing-review document of ``df`` into the folder ``out``.

    Parameters
    ----------
    df : DataFrame
        An inventory frame (``client.inventories``), failures in its attrs.
    out : str or Path
        The folder (created); existing report files in it are replaced.
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

    Returns
    -------
    ReportFiles

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
    """
    folder = Path(out)
    (folder / "charts").mkdir(parents=True, exist_ok=True)
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    tables = _tables(df, labels or {}, previous)
    figures = _figures(df, source, previous, trend)
    if prices is not None:
        tables |= book_tables(df, prices, labels or {})
        figures |= {name: _with_footer(figure, df, source)
                    for name, figure in book_figures(prices).items()}  # fmt: skip
    tables = {name: in_cents(table) for name, table in tables.items()}
    files = ReportFiles(html=folder / "report.html", pdf=folder / "charts" / "report.pdf")
    files.tables = [
        _csv(table, folder / "tables" / f"{name}.csv") for name, table in tables.items()
    ]
    files.workbook = write_workbook(tables, folder / "tables.xlsx", about=footer(df, source))
    images = _save_charts(figures, folder / "charts", files)
    sections = {name: _shown(table) for name, table in tables.items()}
    drift, book = previous is not None, prices is not None
    html = page(df, sections, images, footer=footer(df, source), drift=drift, book=book)
    files.html.write_text(html, encoding="utf-8")
    return files


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


def _figures(
    df: pd.DataFrame, source: str, previous: pd.DataFrame | None, trend: pd.DataFrame | None
) -> dict[str, Figure]:
    """Every chart of the report, by file name: the review figure first."""
    charts = {"pricing_review": plots.pricing_review(df, source=source)}
    if has_exteriors(df):
        drawn = [plots.payout_by_exterior, plots.payout_vs_market, plots.payout_distribution,
                 plots.exterior_ladder_heatmap]  # fmt: skip
    else:
        drawn = [plots.payout_by_type, plots.payout_by_price_band, plots.payout_vs_market]
    for chart in drawn:
        charts[chart.__name__] = _with_footer(chart(df).get_figure(root=True), df, source)
    if previous is not None:
        ax = plots.payout_change_by_exterior(previous, df)
        charts["payout_change_by_exterior"] = _with_footer(ax.get_figure(root=True), df, source)
    if trend is not None and not trend.empty:
        charts["payout_trend"] = _with_footer(_trend_figure(trend), df, source)
    return charts


def _trend_figure(trend: pd.DataFrame) -> Figure:
    figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    colours = [plots.EXTERIOR_COLORS.get(str(c), plots.NO_EXTERIOR_COLOR) for c in trend]
    trend.plot(ax=ax, color=colours, marker="o", markersize=3)
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


def _save_charts(figures: Mapping[str, Figure], folder: Path, files: ReportFiles) -> list[str]:
    """PNG and SVG of each chart, one PDF page each; the PNGs as data URIs for the page."""
    images = []
    metadata = {"Creator": None, "Producer": None, "CreationDate": None}
    with PdfPages(files.pdf, metadata=metadata) as pdf:
        for name, figure in figures.items():
            png = plots.save_figure(figure, folder / f"{name}.png", dpi=110)
            files.charts += [png, plots.save_figure(figure, folder / f"{name}.svg")]
            pdf.savefig(figure, bbox_inches="tight")
            images.append("data:image/png;base64," + base64.b64encode(png.read_bytes()).decode())
            plt.close(figure)
    return images


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
    if list(table.columns) == ["value"]:
        values = [value_text(str(key), value) for key, value in table["value"].items()]
        shown = pd.DataFrame({"value": values}, index=table.index)
    else:
        shown = formatted(table)
    return str(shown.to_html(border=0, classes="table", na_rep="—", escape=True))
