"""The command line, end to end on the embedded sandbox (real HTTP, real files)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.cli import _report, main
from assetpay_analytics.frame import from_items


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
    assert "anomal" not in out  # the demo accounts have no out-of-range values


def test_fetch_writes_parquet_that_reads_back(box, tmp_path, capsys):
    out = tmp_path / "inv.parquet"
    assert main(["fetch", "--sandbox", "--no-progress", "--out", str(out), box.trade_urls[0]]) == 0
    df = apa.frame.read_parquet(out)
    raw = box.items(box.trade_urls[0])
    assert df["item_id"].tolist() == [item["id"] for item in raw]
    assert df.dtypes.equals(apa.frame.empty_frame().dtypes)
    assert "written to" in capsys.readouterr().out
    plain = pd.read_parquet(out)  # plain pandas reads what the toolkit writes
    assert plain["item_id"].tolist() == [item["id"] for item in raw]
    assert plain.attrs == df.attrs and plain.attrs["count"] == len(raw)


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


def hand_frame(**attrs):
    """Two items of one account, attrs set by hand (as a batch would carry them)."""
    df = from_items(
        [{"id": "a1", "name": "AK-47 | Redline", "exterior": "Field-Tested",
          "marketPrice": 20.0, "offer": {"price": 15.0}},
         {"id": "a2", "name": "AWP | Asiimov", "exterior": "Battle-Scarred", "marketPrice": 10.0}],
        steam_id="76561198000000001",
    )  # fmt: skip
    df.attrs = {"game": "730", "steam_ids": ["76561198000000001"], **attrs}
    return df


ANOMALY = {"steam_id": "76561198000000001", "item_id": "a2", "field": "wear", "value": "1.7",
           "reason": "wear outside [0, 1]"}  # fmt: skip


@pytest.mark.parametrize(("n", "line"), [
    (1, "1 anomaly set aside (see df.assetpay.anomalies)"),
    (3, "3 anomalies set aside (see df.assetpay.anomalies)"),
])  # fmt: skip
def test_report_counts_the_anomalies(n, line):
    out = _report(hand_frame(anomalies=[dict(ANOMALY, item_id=f"a{i}") for i in range(n)]))
    assert line in out.splitlines()
    assert "items 2," in out


def test_report_without_anomalies_says_nothing_of_them():
    assert "anomal" not in _report(hand_frame(anomalies=[]))
    assert "anomal" not in _report(hand_frame())


def test_report_reads_the_errors_records():
    masked = "https://steamcommunity.com/tradeoffer/new/?partner=5&token=********"
    errors = [{"steam_id": "76561197960265733", "input": 3, "trade_url": masked, "code": 7,
               "key": "USER_NOT_TRADEABLE", "status": 400, "message": "private",
               "request_id": "req-9", "attempts": 1, "elapsed": 0.1}]  # fmt: skip
    out = _report(hand_frame(errors=errors))
    table = out.split("Accounts that failed\n", 1)[1].splitlines()
    assert table[0].split() == ["input", "steam_id", "key", "code", "status", "attempts",
                                "request_id", "message"]  # fmt: skip
    assert table[1].split() == ["3", "76561197960265733", "USER_NOT_TRADEABLE", "7", "400", "1",
                                "req-9", "private"]  # fmt: skip
    assert "Accounts that failed" not in _report(hand_frame(errors=[]))
