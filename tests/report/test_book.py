"""report.book: the document's "Price book" section, from sandbox frames over HTTP.

The offers expected to differ from the book are the sandbox's seeded disagreements
(``Sandbox.off_book``), not a recomputation of the section's own join.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.report import write_report

RUST = "252490"


@pytest.fixture(scope="module")
def fetched(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    return {
        "cs2": (client.inventories(box.trade_urls, progress=False), client.prices()),
        "rust": (client.inventories(box.trade_urls, RUST, progress=False), client.prices(RUST)),
    }


def test_the_price_book_section_of_a_cs2_batch(fetched, box, tmp_path):
    df, book = fetched["cs2"]
    files = write_report(df, tmp_path, labels=box.labels, prices=book, formats="png,svg,pdf")
    html = files.html.read_text(encoding="utf-8")
    for title in ("Price book: coverage", "by exterior", "by withdraw price band",
                  "offers that differ from the book"):  # fmt: skip
        assert title in html
    names = {path.name for path in files.charts}
    assert {"deposit_ratio_by_exterior.png", "deposit_ratio_by_band.svg"} <= names
    off = pd.read_csv(tmp_path / "tables" / "book_off_book.csv")
    seeded = set().union(*(box.off_book(url) for url in box.trade_urls))
    assert len(off) == len(seeded) > 0
    assert off["offer_minus_deposit"].abs().is_monotonic_decreasing
    assert off["account"].str.contains(r"^\w+ \(7656\d{13}\)$").all()  # labelled
    coverage = pd.read_csv(tmp_path / "tables" / "book_coverage.csv", index_col=0)["value"]
    raw = box.price_book("730")
    assert coverage["entries"] == len(raw)
    assert coverage["accepted_entries"] == sum(entry["accepted"] for entry in raw)
    assert coverage["items"] == len(df) and coverage["off_book_items"] == len(seeded)
    by_exterior = pd.read_csv(tmp_path / "tables" / "book_by_exterior.csv", index_col=0)
    accepted = [e for e in raw if e["accepted"] and e["withdraw"]["standard"]
                and e["marketHashName"].endswith("(Field-Tested)")]  # fmt: skip
    deposit = sum(e["deposit"] for e in accepted)
    withdraw = sum(e["withdraw"]["standard"] for e in accepted)
    assert by_exterior.loc["Field-Tested", "deposit_ratio"] == pytest.approx(deposit / withdraw)


def test_a_rust_book_has_bands_and_no_exteriors(fetched, tmp_path):
    df, book = fetched["rust"]
    files = write_report(df, tmp_path, prices=book)
    names = {path.name for path in files.tables}
    assert "book_by_band.csv" in names and "book_by_exterior.csv" not in names
    assert "deposit_ratio_by_exterior.png" not in {path.name for path in files.charts}


def test_without_a_book_there_is_no_section(fetched, tmp_path):
    df, _ = fetched["cs2"]
    files = write_report(df, tmp_path)
    assert "Price book" not in files.html.read_text(encoding="utf-8")


def test_report_prices_from_the_command_line(tmp_path):
    out = tmp_path / "doc"
    run = subprocess.run(
        [sys.executable, "-m", "assetpay_analytics.cli", "report", "--sandbox", "--no-progress",
         "--prices", "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "offer(s) differ from its deposit" in run.stdout
    assert "Offers that differ from the book" in run.stdout
    assert (out / "tables" / "book_off_book.csv").exists()


def test_names_from_the_api_never_become_formulas_in_the_tables(tmp_path):
    """Also: a frame built by ``apa.frame`` in a fresh process needs no accessor here."""
    from assetpay_analytics.frame import from_items, from_price_book

    name = '=HYPERLINK("http://x")'
    df = from_items([{"id": "1", "marketHashName": name, "name": name, "marketPrice": 10.0,
                      "offer": {"price": 7.0}}], steam_id="76561198000000001")  # fmt: skip
    withdraw = {"standard": 9.0, "instant": None}
    book = from_price_book([{"itemId": "a", "marketHashName": name, "accepted": True,
                             "deposit": 6.0, "withdraw": withdraw}])  # fmt: skip
    write_report(df, tmp_path, prices=book)
    text = (tmp_path / "tables" / "book_off_book.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
