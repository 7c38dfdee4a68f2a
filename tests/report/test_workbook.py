"""report: ``tables.xlsx``, the document's tables a sheet each, read back with openpyxl.

Frames come from the sandbox over HTTP. Each sheet is checked against the CSV the document
writes beside it and against the analysis of the frame itself: numbers stay numbers with a
``$``, ``%`` or integer format, the first row names the source and the data's time, and a
label that starts like a formula is shown as text.
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.analysis.formats import header, labelled
from assetpay_analytics.report import write_report
from assetpay_analytics.report.workbook import sheet_names, write_workbook

MONEY = ("market_value", "priced_market_value", "offer_value")
RATIOS = ("payout_ratio", "median_payout_ratio")
COUNTS = ("items", "priced_items")
EVIL_LABEL = '@SUM(1+1)*cmd|"/C calc"!A0'


@pytest.fixture(scope="module")
def document(box, tmp_path_factory):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories([*box.trade_urls, box.accounts["private"].trade_url], progress=False)
    labels = dict(box.labels)
    first = sorted(df["steam_id"].astype(str).unique())[0]
    labels[first] = EVIL_LABEL
    folder = tmp_path_factory.mktemp("document")
    files = write_report(df, folder, labels=labels, source="AssetPay sandbox (demo data)",
                         previous=df, prices=client.prices())  # fmt: skip
    return df, labels, files


def sheet(files, name):
    """The sheet, its column names (row 2) and its rows of cells (row 3 on)."""
    ws = openpyxl.load_workbook(files.workbook)[name]
    return ws, [cell.value for cell in ws[2]], list(ws.iter_rows(min_row=3))


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_the_workbook_holds_a_sheet_per_csv_table(document):
    _, _, files = document
    assert files.workbook == files.html.parent / "tables.xlsx"
    book = openpyxl.load_workbook(files.workbook)
    assert book.sheetnames == [path.stem for path in files.tables]
    for name in book.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)


def test_every_sheet_names_the_source_and_time_and_freezes_its_header(document):
    df, _, files = document
    # the accounts' times, oldest to newest (the newest is attrs["updated_at"])
    oldest = df["updated_at"].min().tz_convert("UTC")
    newest = pd.Timestamp(df.attrs["updated_at"]).tz_convert("UTC")
    for ws in openpyxl.load_workbook(files.workbook):
        about = ws["A1"].value
        assert about.startswith("Source: AssetPay sandbox (demo data)"), ws.title
        assert f"{oldest:%Y-%m-%d %H:%M}–{newest:%H:%M} UTC" in about, ws.title
        assert ws.freeze_panes == "B3", ws.title  # the header rows and the row names


def test_by_account_numbers_are_formatted_numbers_equal_to_the_analysis(document):
    df, labels, files = document
    _, head, rows = sheet(files, "by_account")
    expected = apa.analysis.by_account(df, labels)
    assert head == ["account", *[header(c) for c in (*COUNTS, *MONEY, *RATIOS)]]
    assert [row[0].value for row in rows] == list(expected.index)
    for name in (*MONEY, *RATIOS, *COUNTS):
        cells = [row[head.index(header(name))] for row in rows]
        for cell, value in zip(cells, expected[name], strict=True):
            if pd.isna(value):
                assert cell.value is None
                continue
            assert is_number(cell.value), (name, cell.value)
            assert cell.value == pytest.approx(float(value))
            if name in MONEY:
                assert "$" in cell.number_format
            elif name in RATIOS:
                assert cell.number_format.endswith("%")
            else:
                assert type(cell.value) is int and cell.number_format == "#,##0"


def test_the_headline_is_formatted_row_by_row(document):
    df, _, files = document
    _, _, rows = sheet(files, "summary")
    totals = apa.analysis.summary(df)
    cells = {row[0].value: row[1] for row in rows}
    assert list(cells) == list(totals.index)
    assert type(cells["items"].value) is int and cells["items"].value == len(df)
    assert cells["market_value"].value == pytest.approx(totals["market_value"])
    assert "$" in cells["market_value"].number_format
    assert cells["payout_ratio"].value == pytest.approx(totals["payout_ratio"])
    assert cells["payout_ratio"].number_format.endswith("%")


def test_each_sheet_holds_the_numbers_of_its_csv(document):
    _, _, files = document
    for path in files.tables:
        csv = pd.read_csv(path, index_col=0)
        _, head, rows = sheet(files, path.stem)
        assert len(rows) == len(csv), path.stem
        for position, name in enumerate(csv.columns, start=1):
            assert head[position] in (header(name), name), (path.stem, name)
            numbers = pd.to_numeric(csv[name], errors="coerce")
            for row, value in zip(rows, numbers, strict=True):
                cell = row[position].value
                if pd.isna(value):
                    assert cell is None or not is_number(cell), (path.stem, name)
                else:
                    assert is_number(cell), (path.stem, name, cell)
                    assert cell == pytest.approx(float(value)), (path.stem, name)


def test_a_label_that_starts_like_a_formula_stays_text(document):
    df, labels, files = document
    _, _, rows = sheet(files, "by_account")
    shown = labelled(sorted(df["steam_id"].astype(str).unique()), labels)
    evil = [row[0] for row in rows if row[0].value == shown[0]]
    assert shown[0].startswith("@") and len(evil) == 1
    assert evil[0].data_type == "s" and evil[0].data_type != "f"
    assert evil[0].quotePrefix
    with zipfile.ZipFile(files.workbook) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in book.read(name).decode(), name  # no formula anywhere
    # the CSV beside it quotes the same cell the same way (``csv_safe``)
    csv = pd.read_csv(files.html.parent / "tables" / "by_account.csv", index_col=0)
    assert f"'{shown[0]}" in csv.index


def test_failures_and_book_text_are_the_tables_text(document):
    _, _, files = document
    _, head, rows = sheet(files, "failures")
    assert [row[head.index("key")].value for row in rows] == ["USER_NOT_TRADEABLE"]
    csv = pd.read_csv(files.html.parent / "tables" / "book_off_book.csv", index_col=0)
    _, head, rows = sheet(files, "book_off_book")
    items = [row[head.index("item")].value for row in rows]
    assert items == [s.removeprefix("'") for s in csv["item"].astype(str)]


def test_columns_are_wide_enough_to_read(document):
    _, _, files = document
    ws, head, rows = sheet(files, "by_account")
    longest = max(len(str(row[0].value)) for row in rows)
    assert min(longest, 60) <= ws.column_dimensions["A"].width <= 62
    for letter, name in zip("BCDEFG", head[1:], strict=False):
        assert ws.column_dimensions[letter].width >= len(name)


def test_sheet_names_are_valid_and_distinct(tmp_path):
    tables = {name: pd.DataFrame({"items": [1]}) for name in
              ["a/b", "a:b", "a[b]", "x" * 40, "x" * 40 + "y", "what?*\\"]}  # fmt: skip
    names = sheet_names(tables)
    assert len(set(map(str.lower, names))) == len(names)
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    out = write_workbook(tables, tmp_path / "t.xlsx", about="Source: test")
    assert openpyxl.load_workbook(out).sheetnames == names
