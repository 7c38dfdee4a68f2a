"""The document's drift section (issue 22): what it compares, in points, on the page.

Two sandbox days: the earlier saved in a ``SnapshotStore`` and read back (so it has a
snapshot id and a ``taken_at``), the later a fresh fetch. The page is built by
``report.html.page`` from the drift tables as ``write_report`` makes them, and read
back with the standard library's HTML parser: the section names both snapshots and
their data dates, says so when it compares backwards in time, prints ratio changes in
signed percentage points (worked out here from the ratios before and after), and its
by-account table fits the page (measured in headless Chromium when there is one).
"""

from __future__ import annotations

import math
import re
import shutil
from html.parser import HTMLParser

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.history import SnapshotStore
from assetpay_analytics.report import write_report
from assetpay_analytics.report.html import DEFINITIONS, page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BACKWARDS = "compared backwards in time: the earlier snapshot is newer"
#: The by-account columns a reviewer needs, as the page heads them.
ACCOUNT_HEADERS = [
    "items before", "items after", "payout ratio before", "payout ratio after",
    "payout ratio change", "market value (priced) before", "market value (priced) after",
]  # fmt: skip


class Tables(HTMLParser):
    """Every <table> of a page under its section's <h2>: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.heading: str | None = None
        self._text: list[str] | None = None
        self._row: list[str] | None = None
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._in_h2, self.heading = True, ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._text = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
            self.sections[self.heading] = []
        elif tag in ("td", "th") and self._row is not None and self._text is not None:
            self._row.append("".join(self._text).strip())
            self._text = None
        elif tag == "tr" and self._row is not None:
            self.sections[self.heading].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_h2:
            self.heading += data
        elif self._text is not None:
            self._text.append(data)


def tables_of(text: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(text)
    return parser.sections


def points(change: float) -> str:
    """A ratio change as the page should print it: signed points, never "-0.0"."""
    shown = f"{change * 100:+.1f} pt"
    return "0.0 pt" if shown in ("+0.0 pt", "-0.0 pt") else shown


@pytest.fixture(scope="module")
def days(tmp_path_factory):
    store = SnapshotStore(tmp_path_factory.mktemp("history"))
    with apa.sandbox.serve(as_of="2026-06-10") as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        snapshot_id = store.save(client.inventories(box.trade_urls, progress=False),
                                 taken_at="2026-06-10T12:00:00Z")  # fmt: skip
        box.set_as_of("2026-06-11")  # the AWP | Asiimov offer cut
        today = client.inventories(box.trade_urls, progress=False)
    return store.load(snapshot_id), today, snapshot_id


def drift_tables(earlier: pd.DataFrame, later: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The drift tables as ``write_report`` builds them (``document._tables``)."""
    change = apa.analysis.compare(earlier, later)
    return {
        "drift_summary": change.summary().to_frame("value"),
        "drift_by_exterior": change.by_exterior,
        "drift_by_account": change.by_account,
    }


def drift_page(earlier: pd.DataFrame, later: pd.DataFrame) -> str:
    tables = drift_tables(earlier, later)
    return page(later, {}, [], footer="Source: test", drift=True, previous=earlier,
                tables=tables)  # fmt: skip


def drift_part(text: str) -> str:
    start = text.index("<h2>Since the previous snapshot</h2>")
    return text[start : text.index("<h2>Definitions</h2>")]


def test_it_names_both_snapshots_and_their_data_dates(days):
    earlier, today, snapshot_id = days
    part = drift_part(drift_page(earlier, today))
    assert snapshot_id in part and "this fetch" in part
    # the data's own dates (updatedAt) and when the earlier snapshot was taken
    for stamp in (earlier["updated_at"].min(), today["updated_at"].max()):
        assert f"{stamp:%Y-%m-%d %H:%M}" in part
    assert "2026-06-10T12:00:00Z" in part
    assert part.index(snapshot_id) < part.index("this fetch")  # the earlier first
    assert BACKWARDS not in part


def test_it_says_so_when_it_compares_backwards_in_time(days):
    earlier, today, snapshot_id = days
    part = drift_part(drift_page(today, earlier))
    assert BACKWARDS in part
    assert part.index("this fetch") < part.index(snapshot_id)  # as given: today is "earlier"


def test_ratio_changes_read_in_signed_points(days):
    earlier, today, _ = days
    tables = drift_tables(earlier, today)
    shown = tables_of(drift_part(drift_page(earlier, today)))
    exterior = shown["Since the previous snapshot, by exterior (like-for-like)"]
    head, rows = exterior[0], {row[0]: row[1:] for row in exterior[1:] if row[0]}
    at = head.index("payout ratio change") - 1
    table = tables["drift_by_exterior"]
    for name, row in table.iterrows():
        before, after = row["payout_ratio_before"], row["payout_ratio_after"]
        expected = "—" if math.isnan(before) or math.isnan(after) else points(after - before)
        assert rows[str(name)][at] == expected, name
    assert any(rows[str(name)][at].startswith("-") for name in table.index)  # the cut
    summary = {row[0]: row[1] for row in shown["Since the previous snapshot"][1:]}
    total = tables["drift_summary"]["value"]
    for key in ("payout_ratio", "kept_payout_ratio"):
        change = total[f"{key}_after"] - total[f"{key}_before"]
        assert summary[f"{key}_change"] == points(change)
    assert "%" not in summary["payout_ratio_change"] and "pt" in DEFINITIONS


def test_zero_changes_read_without_a_sign(days):
    earlier, _, _ = days
    shown = tables_of(drift_part(drift_page(earlier, earlier)))
    summary = {row[0]: row[1] for row in shown["Since the previous snapshot"][1:]}
    assert summary["payout_ratio_change"] == "0.0 pt"
    accounts = shown["Since the previous snapshot, by account"]
    at = accounts[0].index("payout ratio change")
    assert {row[at] for row in accounts[1:] if row[0] and any(row[1:])} <= {"0.0 pt", "—"}


def test_the_by_account_table_keeps_the_columns_a_reviewer_needs(days):
    earlier, today, _ = days
    tables = drift_tables(earlier, today)
    shown = tables_of(drift_part(drift_page(earlier, today)))
    accounts = shown["Since the previous snapshot, by account"]
    head = [cell for cell in accounts[0] if cell]
    assert head == ACCOUNT_HEADERS
    body = {row[0]: row[1:] for row in accounts[1:] if row[0] and any(row[1:])}
    table = tables["drift_by_account"]
    assert set(body) == set(table.index)
    for account, row in table.iterrows():
        cells = dict(zip(ACCOUNT_HEADERS, body[account], strict=True))
        assert cells["items before"] == f"{int(row['items_before']):,}"
        assert cells["market value (priced) after"] == f"${row['priced_market_value_after']:,.2f}"
        ratio = row["payout_ratio_before"]
        assert cells["payout ratio before"] == ("—" if math.isnan(ratio) else f"{ratio:.1%}")


def test_without_the_frames_the_section_is_as_before(days):
    """``write_report`` as it is today (no ``previous=`` to the page): nothing breaks."""
    _, today, _ = days
    sections = {name: f"<table><tr><td>{name}</td></tr></table>"
                for name in ("drift_summary", "drift_by_exterior", "drift_by_account")}  # fmt: skip
    text = page(today, sections, [], footer="", drift=True)
    assert "<td>drift_by_account</td>" in text


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_the_drift_section_fits_the_page_in_a_browser(days, tmp_path):
    pytest.importorskip("playwright.sync_api", reason="playwright for Python is not installed")
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_ARGS

    earlier, today, _ = days
    path = tmp_path / "report.html"
    path.write_text(drift_page(earlier, today), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            view = browser.new_page(viewport={"width": 1200, "height": 900})
            view.goto(path.as_uri(), wait_until="load")
            widths = view.evaluate(
                "() => ({body: document.body.getBoundingClientRect().right,"
                " tables: [...document.querySelectorAll('table')]"
                ".map(t => t.getBoundingClientRect().right)})"
            )
        finally:
            browser.close()
    assert widths["tables"] and max(widths["tables"]) <= widths["body"] + 0.5


def test_write_report_names_the_snapshots(days, tmp_path):
    earlier, today, snapshot_id = days
    files = write_report(today, tmp_path, previous=earlier)
    part = drift_part(files.html.read_text(encoding="utf-8"))
    assert snapshot_id in part and "this fetch" in part
    assert re.search(r"[+-]?\d+\.\d pt", part)
