"""The command line, end to end on the embedded sandbox (real HTTP, real files)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import assetpay_analytics as apa
from assetpay_analytics.cli import main


def raw_totals(box):
    """Items and market value of the sandbox's demo accounts, from the raw JSON."""
    items = [item for url in box.trade_urls for item in box.items(url)]
    market = sum(item["marketPrice"] for item in items if item.get("marketPrice") is not None)
    return len(items), market


def test_report_on_the_sandbox(box, capsys):
    assert main(["report", "--sandbox", "--no-progress"]) == 0
    out = capsys.readouterr().out
    n_items, market = raw_totals(box)  # the CLI starts its own sandbox: same deterministic data
    assert f"{len(box.trade_urls)} account(s)" in out
    assert f"items {n_items}," in out
    assert f"market value ${market:,.2f}" in out
    for url in box.trade_urls:
        assert apa.TradeUrl.parse(url).steam_id in out
    for exterior in apa.constants.EXTERIORS:
        assert exterior in out


def test_report_lists_failed_accounts(box, capsys):
    urls = [box.trade_urls[0], box.accounts["private"].trade_url]
    assert main(["report", "--sandbox", "--no-progress", *urls]) == 0
    out = capsys.readouterr().out
    assert "Accounts that failed" in out and "USER_NOT_TRADEABLE" in out


def test_fetch_writes_parquet_that_reads_back(box, tmp_path, capsys):
    out = tmp_path / "inv.parquet"
    assert main(["fetch", "--sandbox", "--no-progress", "--out", str(out), box.trade_urls[0]]) == 0
    df = apa.frame.read_parquet(out)
    raw = box.items(box.trade_urls[0])
    assert df["item_id"].tolist() == [item["id"] for item in raw]
    assert df.dtypes.equals(apa.frame.empty_frame().dtypes)
    assert "written to" in capsys.readouterr().out


def test_fetch_rejects_unknown_suffix(tmp_path):
    with pytest.raises(SystemExit, match=r"parquet or \.csv"):
        main(["fetch", "--sandbox", "--out", str(tmp_path / "x.xlsx")])


def test_real_api_without_key_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.delenv("ASSETPAY_API_KEY", raising=False)
    url = "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234"
    assert main(["report", url]) == 2
    assert "ASSETPAY_API_KEY" in capsys.readouterr().err


def test_console_script_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "assetpay_analytics.cli", "report", "--sandbox", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "By exterior" in done.stdout
