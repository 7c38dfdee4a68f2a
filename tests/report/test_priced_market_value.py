"""Issue 22 in the document: each payout ratio divides the two values printed beside it.

The document is written to disk and read back: its CSVs (with the standard ``csv`` module
and pandas) and its workbook (openpyxl). For every row of every table holding a payout
ratio, ``offer_value / priced_market_value == payout_ratio`` (within 1e-9; empty where
``priced_market_value`` is 0), computed from those three cells only. Money in the CSVs
is written in cents; ratios keep every digit.
"""

from __future__ import annotations

import csv
import math
import re

import openpyxl
import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.analysis.formats import header
from assetpay_analytics.report import DEFINITIONS, write_report

RUST = "252490"
#: Columns holding dollars in the document's tables (named here, not by the code under test).
MONEY = re.compile(r"(value|price|deposit|withdraw_standard|withdraw_instant|spread)")
CENTS = re.compile(r"-?\d+(\.\d{1,2})?")


@pytest.fixture(scope="module", params=["cs2", "rust"])
def document(request, box, tmp_path_factory):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    if request.param == "cs2":
        urls = [*box.trade_urls, box.accounts["private"].trade_url]
        df = client.inventories(urls, progress=False)
        book = client.prices()
    else:
        df = client.inventories(box.trade_urls, RUST, progress=False)
        book = client.prices(RUST)
    folder = tmp_path_factory.mktemp(f"document-{request.param}")
    files = write_report(df, folder, labels=box.labels, previous=df, prices=book)
    return df, files


def divides(offer, market, ratio, where):
    """``ratio`` is ``offer / market`` (NaN, or an empty cell, where ``market`` is 0)."""
    assert market is not None and market >= 0, where
    if market == 0:
        assert ratio is None or math.isnan(ratio), where
    else:
        assert abs(offer / market - ratio) <= 1e-9, where


def ratio_tables(files):
    tables = {path.stem: pd.read_csv(path, index_col=0) for path in files.tables}
    return {name: t for name, t in tables.items() if "payout_ratio" in t.columns}


def test_every_csv_row_divides(document):
    df, files = document
    tables = ratio_tables(files)
    expected = (
        {"by_account", "by_exterior"} if df.attrs["game"] != RUST else {"by_account", "by_type"}
    )
    assert expected <= set(tables)
    for name, table in tables.items():
        columns = list(table.columns)
        assert columns.index("priced_market_value") == columns.index("market_value") + 1
        for label, row in table.iterrows():
            divides(row["offer_value"], row["priced_market_value"], row["payout_ratio"],
                    (name, label))  # fmt: skip
    headline = pd.read_csv(files.html.parent / "tables" / "summary.csv", index_col=0)["value"]
    keys = list(headline.index)
    assert keys.index("priced_market_value") == keys.index("market_value") + 1
    values = headline.astype(float)
    divides(values["offer_value"], values["priced_market_value"], values["payout_ratio"],
            "summary")  # fmt: skip


def test_the_book_sections_ratios_divide_their_sums(document):
    _, files = document
    folder = files.html.parent / "tables"
    names = [n for n in ("book_by_exterior", "book_by_band") if (folder / f"{n}.csv").exists()]
    assert "book_by_band" in names
    for name in names:
        table = pd.read_csv(folder / f"{name}.csv", index_col=0)
        for label, row in table.iterrows():
            divides(row["deposit"], row["withdraw_standard"], row["deposit_ratio"], (name, label))


def test_every_workbook_row_divides(document):
    _, files = document
    book = openpyxl.load_workbook(files.workbook)
    for name in ratio_tables(files):
        ws = book[name]
        head = [cell.value for cell in ws[2]]
        at = {c: head.index(header(c)) for c in ("offer_value", "priced_market_value",
                                                 "payout_ratio")}  # fmt: skip
        assert at["priced_market_value"] == head.index(header("market_value")) + 1
        for row in ws.iter_rows(min_row=3, values_only=True):
            divides(row[at["offer_value"]], row[at["priced_market_value"]],
                    row[at["payout_ratio"]], (name, row[0]))  # fmt: skip
    cells = {row[0].value: row[1] for row in book["summary"].iter_rows(min_row=3)}
    assert "$" in cells["priced_market_value"].number_format
    divides(cells["offer_value"].value, cells["priced_market_value"].value,
            cells["payout_ratio"].value, "summary")  # fmt: skip


def test_money_in_the_csvs_is_in_cents_and_ratios_keep_every_digit(document):
    df, files = document
    for path in files.tables:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        names = rows[0]
        for row in rows[1:]:
            for column, cell in zip(names, row, strict=True):
                money = MONEY.search(column) and "ratio" not in column and "pct" not in column
                if names[1:] == ["value"]:  # one named value a row: money by its name
                    money = MONEY.search(row[0]) and "ratio" not in row[0] and column == "value"
                if money and cell:
                    assert CENTS.fullmatch(cell), (path.stem, column, row[0], cell)
    # the ratios are the analysis' own floats, not rounded
    table = pd.read_csv(files.html.parent / "tables" / "by_account.csv", index_col=0)
    want = apa.analysis.by_account(df).set_axis(table.index)["payout_ratio"]
    pd.testing.assert_series_equal(table["payout_ratio"], want, check_exact=True)
    assert (want.dropna().round(6) != want.dropna()).any()  # some ratio has more digits


def test_the_page_shows_the_priced_market_value_and_defines_it(document):
    df, files = document
    page = files.html.read_text(encoding="utf-8")
    totals = apa.analysis.summary(df)
    assert f"${totals['priced_market_value']:,.2f}" in page
    assert "market value (priced, USD)" in page
    assert "market value (priced)" in DEFINITIONS
    assert "market value (priced)" in DEFINITIONS["payout ratio"]
