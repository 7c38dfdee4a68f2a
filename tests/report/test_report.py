"""report: the pricing-review document, its files, and report.html in a real browser.

Frames come from the sandbox over HTTP; the document is written to disk and read back:
CSV tables checked against the frame's own numbers, the PDF's pages counted, the HTML
opened in headless Chromium (Debian's, as in ``test_browser.py``) with every request
it makes recorded. The command line runs as a real subprocess.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.history import SnapshotStore
from assetpay_analytics.report import DEFINITIONS, write_report

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "report"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RUST = "252490"


@pytest.fixture(scope="module")
def frames(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    urls = [*box.trade_urls, box.accounts["private"].trade_url]
    return {
        "cs2": client.inventories(urls, progress=False),
        "rust": client.inventories(box.trade_urls, RUST, progress=False),
    }


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def table_pages(files) -> int:
    """The PDF's pages before the charts: each table, ROWS_PER_PAGE rows a page (from the
    document's own CSVs)."""
    from assetpay_analytics.report.pdf_pages import ROWS_PER_PAGE

    rows = [len(pd.read_csv(path)) for path in files.tables]
    return sum(max(1, -(-n // ROWS_PER_PAGE)) for n in rows)


def test_the_document_of_a_cs2_batch(frames, box, tmp_path):
    df = frames["cs2"]
    files = write_report(df, tmp_path, labels=box.labels, source="AssetPay sandbox (demo data)",
                         formats=("png", "svg", "pdf"))  # fmt: skip
    assert files.html == tmp_path / "report.html"
    assert files.pdf.read_bytes()[:4] == b"%PDF"
    charts = sorted({path.stem for path in files.charts})
    assert charts == sorted(["pricing_review", "payout_by_exterior", "payout_vs_market",
                             "payout_distribution", "exterior_ladder_heatmap"])  # fmt: skip
    assert {path.suffix for path in files.charts} == {".png", ".svg"}
    assert pdf_pages(files.pdf) == table_pages(files) + len(charts)  # tables, then a chart a page
    tables = {path.stem: pd.read_csv(path, index_col=0) for path in files.tables}
    total = df.assetpay.summary()
    # the per-exterior table reconciles with the headline (a "No exterior" row)
    assert tables["by_exterior"]["items"].sum() == total["items"] == len(df)
    assert tables["by_exterior"]["market_value"].sum() == pytest.approx(total["market_value"])
    assert tables["by_account"]["items"].sum() == len(df)
    assert len(tables["by_account"]) == len(box.trade_urls)  # an account with 0 CS2 items too
    assert tables["failures"]["key"].tolist() == ["USER_NOT_TRADEABLE"]
    page = files.html.read_text(encoding="utf-8")
    for name in ("alice", "bob", "private"):  # accounts by label, failures included
        assert f"{name} (" in page
    assert f"${total['market_value']:,.2f}" in page and f"{total['payout_ratio']:.1%}" in page
    assert "Source: AssetPay sandbox (demo data)" in page and "2026-06-01" in page
    assert all(term in page for term in DEFINITIONS)
    assert page.count("<img src='data:image/png;base64,") == len(charts)


def test_the_document_of_a_rust_inventory(frames, tmp_path):
    files = write_report(frames["rust"], tmp_path)
    names = {path.stem for path in files.tables}
    assert "by_type" in names and "by_exterior" not in names
    assert {path.stem for path in files.charts} == {
        "pricing_review", "payout_by_type", "payout_by_price_band", "payout_vs_market",
    }  # fmt: skip
    page = files.html.read_text(encoding="utf-8")
    assert "Field-Tested" not in page and "no priced items" not in page


def test_the_drift_section_with_a_history(tmp_path):
    with apa.sandbox.serve(as_of="2026-06-10") as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        store = SnapshotStore(tmp_path / "history")
        for day in ("2026-06-08", "2026-06-09", "2026-06-10"):
            box.set_as_of(day)
            store.save(client.inventories(box.trade_urls, progress=False), taken_at=day)
        box.set_as_of("2026-06-11")  # the AWP | Asiimov offer cut
        today = client.inventories(box.trade_urls, progress=False)
    files = write_report(today, tmp_path / "doc", previous=store.latest(),
                         trend=store.payout_trend())  # fmt: skip
    assert {"payout_change_by_exterior", "payout_trend"} <= {p.stem for p in files.charts}
    drift = pd.read_csv(tmp_path / "doc" / "tables" / "drift_summary.csv", index_col=0)
    expected = apa.analysis.compare(store.latest(), today).summary()
    assert float(drift.loc["kept", "value"]) == expected["kept"]
    assert "Since the previous snapshot" in files.html.read_text(encoding="utf-8")


def test_report_html_opens_offline_in_a_browser(frames, box, tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (bash .ci/install-browser installs Debian's)")
    pytest.importorskip("playwright.sync_api", reason="playwright for Python is not installed")
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_ARGS

    files = write_report(frames["cs2"], tmp_path, labels=box.labels)
    requested: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.goto(files.html.as_uri(), wait_until="load")
        shown = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"
        )
        tables = page.eval_on_selector_all("table", "ts => ts.length")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert shown and all(shown)  # every chart drawn
    assert tables >= 4  # headline, accounts, exteriors, failures
    outside = [url for url in requested if not url.startswith(("file:", "data:"))]
    assert outside == []  # nothing leaves the file


def run_cli(argv, **env):
    merged = {**os.environ, "TQDM_DISABLE": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "assetpay_analytics.cli", *argv], capture_output=True,
        text=True, timeout=300, check=False,
        env={name: value for name, value in merged.items() if value is not None},
    )  # fmt: skip


@pytest.mark.parametrize(("game", "table"), [("cs2", "by_exterior"), ("rust", "by_type")])
def test_report_out_from_the_command_line(tmp_path, game, table):
    done = run_cli(["report", "--sandbox", "--game", game, "--out", str(tmp_path / "doc")])
    assert done.returncode == 0, done.stderr
    assert f"review document written to {tmp_path / 'doc' / 'report.html'}" in done.stdout
    assert (tmp_path / "doc" / "tables" / f"{table}.csv").exists()
    assert (tmp_path / "doc" / "charts" / "report.pdf").read_bytes()[:4] == b"%PDF"
    assert "alice (" in (tmp_path / "doc" / "report.html").read_text(encoding="utf-8")


def test_trade_urls_from_a_file_and_labels_from_a_csv(sandbox, tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# our accounts\n{sandbox.trade_urls[0]}\n\n{sandbox.trade_urls[1]}  # bob\n")
    first = apa.TradeUrl.parse(sandbox.trade_urls[0]).steam_id
    labels = tmp_path / "labels.csv"
    labels.write_text(f"steam_id,label\n{first},Team Alpha\n")
    done = run_cli(["report", "--base-url", sandbox.url, "--file", str(urls), "--labels",
                    str(labels), "--out", str(tmp_path / "doc")],
                   ASSETPAY_API_KEY=sandbox.api_key,
                   ASSETPAY_CACHE_DIR=str(tmp_path / "cache"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 account(s)" in done.stdout
    page = (tmp_path / "doc" / "report.html").read_text(encoding="utf-8")
    assert f"Team Alpha ({first})" in page


def test_a_drift_report_from_the_command_line(tmp_path):
    store = tmp_path / "history"
    fetched = run_cli(["fetch", "--sandbox", "--out", str(tmp_path / "inv.parquet"),
                       "--snapshot", str(store)])  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    done = run_cli(["report", "--sandbox", "--out", str(tmp_path / "doc"), "--store",
                    str(store), "--since", "2026-01-01"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "doc" / "tables" / "drift_summary.csv").exists()
    assert (tmp_path / "doc" / "charts" / "payout_trend.png").exists()


def test_since_without_a_store_is_a_usage_error(tmp_path):
    done = run_cli(["report", "--sandbox", "--since", "2026-06-01"])
    assert done.returncode == 2 and "add --store STORE" in done.stderr
