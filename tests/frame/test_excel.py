"""frame.excel: an inventory frame as a workbook, read back with openpyxl.

Every expected value is taken from the frame the workbook was written from (or from the
saved API body it was built from): the cells must hold numbers with the right number
format, naive UTC times under a header that names the zone, stickers as JSON text, and
the literal text of names that a spreadsheet would otherwise run as formulas.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

import assetpay_analytics as apa
from assetpay_analytics.frame import empty_frame, from_body, write_excel
from assetpay_analytics.frame.excel import MONEY_FORMAT

RISKY = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list, as the CSVs apply it

DATA = Path(__file__).resolve().parents[1] / "data" / "inventory_cs2.json"
#: Names a spreadsheet would run (OWASP's CSV injection: = + - @ tab CR first).
DANGEROUS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
             "\t=1+1", "\r=1+1"]  # fmt: skip


def body_with_names(names: list[str]) -> bytes:
    body = json.loads(DATA.read_text(encoding="utf-8"))
    for item, name in zip(body["data"]["inventory"], names, strict=False):
        item["name"] = name
    return json.dumps(body).encode()


@pytest.fixture
def dangerous():
    """The saved CS2 body, its items renamed to formulas."""
    return from_body(body_with_names(DANGEROUS))


def read(path: Path, sheet: str = "inventory"):
    """The sheet, its column names (row 2) and its rows of cells (row 3 on)."""
    ws = openpyxl.load_workbook(path)[sheet]
    header = [cell.value for cell in ws[2]]
    rows = list(ws.iter_rows(min_row=3))
    return ws, header, rows


def column(header, rows, name):
    return [row[header.index(name)] for row in rows]


def test_to_excel_cannot_write_the_frame_and_write_excel_can(dangerous, tmp_path):
    with pytest.raises(ValueError, match="timezones"):
        dangerous.to_excel(tmp_path / "plain.xlsx")
    out = write_excel(dangerous, tmp_path / "inventory.xlsx")
    assert out == tmp_path / "inventory.xlsx"
    ws, _, rows = read(out)
    assert len(rows) == len(dangerous)
    assert ws.freeze_panes == "A3"  # both header rows stay in view


def test_the_first_row_names_the_source_and_the_data_time(dangerous, tmp_path):
    ws, _, _ = read(write_excel(dangerous, tmp_path / "x.xlsx", source="AssetPay sandbox"))
    stamp = pd.Timestamp(dangerous.attrs["updated_at"]).tz_convert("UTC")
    about = ws["A1"].value
    assert about.startswith("Source: AssetPay sandbox")
    assert f"{stamp:%Y-%m-%d %H:%M} UTC" in about


def test_times_are_naive_utc_under_a_header_that_names_the_zone(tmp_path):
    df = from_body(DATA.read_bytes())
    df["updated_at"] = df["updated_at"] + pd.to_timedelta(range(len(df)), unit="min")
    _, header, rows = read(write_excel(df, tmp_path / "x.xlsx"))
    assert "updated_at (UTC)" in header and "updated_at" not in header
    cells = column(header, rows, "updated_at (UTC)")
    expected = [t.tz_convert("UTC").replace(tzinfo=None).to_pydatetime() for t in df["updated_at"]]
    assert [c.value for c in cells] == expected
    assert all(isinstance(c.value, dt.datetime) and c.value.tzinfo is None for c in cells)
    assert all(c.is_date for c in cells)


def test_a_zone_other_than_utc_is_written_as_utc(tmp_path):
    df = from_body(DATA.read_bytes())
    df["updated_at"] = df["updated_at"].dt.tz_convert("Europe/Berlin")
    _, header, rows = read(write_excel(df, tmp_path / "x.xlsx"))
    utc = pd.Timestamp(df.attrs["updated_at"]).tz_convert("UTC").replace(tzinfo=None)
    assert {c.value for c in column(header, rows, "updated_at (UTC)")} == {utc}


def test_money_is_a_number_with_a_dollar_format(dangerous, tmp_path):
    _, header, rows = read(write_excel(dangerous, tmp_path / "x.xlsx"))
    for name in ("market_price", "offer_price"):
        cells = column(header, rows, name)
        for cell, value in zip(cells, dangerous[name], strict=True):
            if pd.isna(value):
                assert cell.value is None
            else:
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                assert cell.value == pytest.approx(float(value))
                assert "$" in cell.number_format and cell.number_format == MONEY_FORMAT
        assert any(cell.value is not None for cell in cells)


def test_counts_are_integers_and_flags_are_booleans(dangerous, tmp_path):
    _, header, rows = read(write_excel(dangerous, tmp_path / "x.xlsx"))
    for name in ("sticker_count", "amount", "paint_seed"):
        for cell, value in zip(column(header, rows, name), dangerous[name], strict=True):
            if pd.isna(value):
                assert cell.value is None
            else:
                assert type(cell.value) is int and cell.value == int(value)
                assert cell.number_format in ("#,##0", "0")
    for name in ("stattrak", "souvenir", "tradable"):
        for cell, value in zip(column(header, rows, name), dangerous[name], strict=True):
            assert cell.value is (None if pd.isna(value) else bool(value))
    wear = column(header, rows, "wear")
    assert [c.value for c in wear] == [None if pd.isna(v) else float(v) for v in dangerous["wear"]]


def test_stickers_are_json_text(dangerous, tmp_path):
    _, header, rows = read(write_excel(dangerous, tmp_path / "x.xlsx"))
    cells = column(header, rows, "stickers")
    stickers = dangerous["stickers"].tolist()
    assert any(stickers)  # the saved body has items with stickers
    for cell, value in zip(cells, stickers, strict=True):
        if value is None or len(value) == 0:
            assert cell.value is None
        else:
            assert cell.data_type == "s"
            assert json.loads(cell.value) == [dict(sticker) for sticker in value]


def test_text_that_looks_like_a_formula_stays_literal_text(dangerous, tmp_path):
    out = write_excel(dangerous, tmp_path / "x.xlsx")
    _, header, rows = read(out)
    cells = column(header, rows, "name")
    assert len(cells) == len(DANGEROUS)
    for cell, name in zip(cells, DANGEROUS, strict=True):
        assert cell.data_type != "f" and cell.data_type == "s"
        assert cell.quotePrefix  # Excel keeps it text when the cell is edited
        # XML reads a carriage return as a line feed; the cell is text either way
        assert cell.value == name.replace("\r", "\n")
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere in the file
    # every text cell equals the frame's text, whatever it starts with
    for name in ("market_hash_name", "item_id", "icon_url"):
        got = [c.value for c in column(header, rows, name)]
        assert got == [None if pd.isna(v) else str(v) for v in dangerous[name]]


def test_only_risky_text_gets_a_quote_prefix(tmp_path):
    df = from_body(DATA.read_bytes())
    _, header, rows = read(write_excel(df, tmp_path / "x.xlsx"))
    for name in ("name", "icon_url"):
        for cell, value in zip(column(header, rows, name), df[name], strict=True):
            assert cell.value == (None if pd.isna(value) else str(value))
            assert cell.quotePrefix == (cell.value is not None and cell.value.startswith(RISKY))


def test_columns_are_wide_enough_to_read(dangerous, tmp_path):
    ws, header, _ = read(write_excel(dangerous, tmp_path / "x.xlsx"))
    longest = int(dangerous["market_hash_name"].astype(str).str.len().max())
    letter = get_column_letter(header.index("market_hash_name") + 1)
    assert longest <= ws.column_dimensions[letter].width <= 60 + 2
    for index, name in enumerate(header, start=1):
        assert ws.column_dimensions[get_column_letter(index)].width >= min(len(name), 60)


def test_a_batch_from_the_sandbox(box, tmp_path):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories(box.trade_urls, progress=False)
    _, header, rows = read(write_excel(df, tmp_path / "batch.xlsx"))
    assert len(rows) == len(df)
    assert header == [f"{c} (UTC)" if c == "updated_at" else c for c in df.columns]
    assert [c.value for c in column(header, rows, "steam_id")] == df["steam_id"].astype(
        str
    ).tolist()
    offers = [c.value for c in column(header, rows, "offer_price")]
    expected = df["offer_price"].astype(float)
    assert sum(v for v in offers if v is not None) == pytest.approx(expected.sum())


def test_an_empty_inventory_is_a_header_only_sheet(tmp_path):
    df = empty_frame()
    ws, header, rows = read(write_excel(df, tmp_path / "empty.xlsx"))
    assert rows == [] and len(header) == len(df.columns)
    assert ws["A1"].value.startswith("Source: AssetPay Merchant API")


def test_fetch_writes_a_workbook(box, tmp_path, capsys):
    # the command line's --out .xlsx (its own sandbox serves the same demo data as ``box``)
    from assetpay_analytics.cli import main

    out = tmp_path / "deep" / "inventory.xlsx"
    assert main(["fetch", "--sandbox", "--no-progress", "--out", str(out)]) == 0
    assert "written to" in capsys.readouterr().out
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories(box.trade_urls, progress=False)
    ws, header, rows = read(out)
    assert sorted(c.value for c in column(header, rows, "item_id")) == sorted(df["item_id"])
    assert ws["A1"].value.startswith("Source: AssetPay sandbox")
    assert "updated_at (UTC)" in header
