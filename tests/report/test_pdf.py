"""report.pdf opens as the page does: the headline and the tables first, one page size."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

import assetpay_analytics as apa
from assetpay_analytics.report import write_report
from assetpay_analytics.report.pdf_pages import PAGE_SIZE, ROWS_PER_PAGE, table_pages

POINTS = tuple(round(inches * 72) for inches in PAGE_SIZE)


@pytest.fixture(scope="module")
def batch(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories(box.trade_urls, progress=False)
    client.close()
    return df


def _media_boxes(pdf: bytes) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def test_every_page_is_one_size_and_the_tables_come_first(batch, tmp_path):
    files = write_report(batch, tmp_path / "doc", progress=False)
    assert files.pdf is not None
    boxes = _media_boxes(files.pdf.read_bytes())
    charts = len({path.stem for path in files.charts})
    tables = {path.stem: path for path in files.tables}
    assert len(boxes) >= charts + len(tables)  # a page per table at least, then the charts
    assert set(boxes) == {POINTS}


def _texts(page):
    """Every text of a page, its table cells included (a cell keeps its text to itself)."""
    cells = [c.get_text() for ax in page.axes for t in ax.tables for c in t.get_celld().values()]
    return [text.get_text() for text in [*page.findobj(plt.Text), *cells]]


def test_the_first_page_is_the_headline_with_the_source_and_time(batch):
    tables = {"headline": apa.analysis.summary(batch).to_frame("value"),
              "by_account": apa.analysis.by_account(batch)}  # fmt: skip
    pages = list(table_pages(tables, "Source: AssetPay sandbox · data as of 2026-06-01"))
    try:
        texts = [_texts(page) for page in pages]
        assert len(pages) == 2
        first = " ".join(texts[0])
        assert "AssetPay pricing review" in first and "data as of 2026-06-01" in first
        shown_items = f"{int(apa.analysis.summary(batch)['items']):,}"
        assert shown_items in texts[0]  # the headline's item count, as the page shows it
        assert all(tuple(page.get_size_inches()) == PAGE_SIZE for page in pages)
    finally:
        for page in pages:
            plt.close(page)


def test_a_long_table_continues_and_names_are_drawn_literally(batch):
    by_item = batch.head(ROWS_PER_PAGE + 5)[["market_price"]].copy()
    by_item.index = ["AK-47 | $\\frac$ Money"] * len(by_item)
    pages = list(table_pages({"items": by_item}, "x"))
    try:
        assert len(pages) == 2
        titles = [t.get_text() for t in pages[1].texts]
        assert any("(continued)" in title for title in titles)
        for page in pages:
            page.canvas.draw()  # a $ in a name would be read as mathtext and raise
    finally:
        for page in pages:
            plt.close(page)
