"""Many failed accounts: a screenful on the terminal, a summary, the full table in a CSV file."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from assetpay_analytics.cli.failures import failure_lines, write_failures
from assetpay_analytics.cli.main import main
from assetpay_analytics.frame.records import records_frame
from assetpay_analytics.frame.schema import ERROR_COLUMNS

#: SteamID64 of partner (account id) 0; partner N is this plus N.
STEAM_ID64_OF_PARTNER_0 = 76561197960265728
#: At most this many failures are printed as table rows (the failures module's screenful).
SCREENFUL = 20
WRITTEN = re.compile(r"the full table of ([\d,]+) failed account\(s\) is in (\S+\.csv)$")


def url(partner):
    token = f"T{partner:07d}"[-8:]
    return f"https://steamcommunity.com/tradeoffer/new/?partner={partner}&token={token}"


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """A key (never used: offline) and an empty cache: every account is a CACHE_MISS."""
    monkeypatch.setenv("ASSETPAY_API_KEY", "offline-key-0123456789")
    monkeypatch.setenv("ASSETPAY_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def url_file(folder, partners):
    path = folder / "urls.txt"
    path.write_text("\n".join(url(p) for p in partners) + "\n", encoding="utf-8")
    return str(path)


def account_rows(lines):
    """The table rows (not the wrapped message lines) among printed lines."""
    return [line for line in lines if re.match(r"7656\d{13}\s", line)]


def written_csv(lines):
    (match,) = [m for m in map(WRITTEN.search, lines) if m]
    return int(match[1].replace(",", "")), match[2]


def test_a_large_offline_batch_prints_a_screenful_and_writes_every_failure(offline, capsys):
    partners = range(1001, 3001)  # 2,000 accounts, none cached
    expected = [str(STEAM_ID64_OF_PARTNER_0 + p) for p in partners]
    argv = ["report", "--offline", "--no-progress", "--file", url_file(offline, partners)]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    failed = out.split("Accounts that failed\n", 1)[1].splitlines()
    assert 0 < len(account_rows(failed)) <= SCREENFUL
    assert len(lines) < 100  # the report, a screenful of failures and the summary
    assert f"... and {len(expected) - SCREENFUL:,} more" in out
    summary = out.split("Failures by key\n", 1)[1].splitlines()
    assert summary[0].split() == ["CACHE_MISS", f"{len(expected):,}"]
    count, path = written_csv(lines)
    assert count == len(expected)
    assert path.startswith(str(offline)) and path.endswith(".csv")  # the current folder
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert table["account"].tolist() == expected  # each failed account once, in input order
    assert set(table["key"]) == {"CACHE_MISS"}
    assert (
        err.strip()
        == f"error: {len(expected)} of {len(expected)} account(s) failed (see the table)"
    )
    tokens = [url(p).rsplit("=", 1)[1] for p in partners]
    text = out + err + Path(path).read_text(encoding="utf-8")
    assert not [token for token in tokens if token in text]


def test_the_failure_table_goes_beside_fetch_out(offline, capsys):
    partners = range(1, SCREENFUL + 6)
    out_file = offline / "data" / "inv.parquet"
    argv = ["fetch", "--offline", "--no-progress", "--out", str(out_file),
            "--file", url_file(offline, partners)]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    count, path = written_csv(err.splitlines())
    assert count == len(partners)
    assert re.fullmatch(r"failures-\d{8}-\d{6}(-\d+)?\.csv", path.rsplit("/", 1)[1])
    assert path.startswith(str(out_file.parent))
    assert len(account_rows(err.splitlines())) == SCREENFUL


def test_failures_option_names_the_file(offline, capsys):
    chosen = offline / "out" / "missed.csv"
    partners = range(1, SCREENFUL + 2)
    argv = ["report", "--offline", "--no-progress", "--failures", str(chosen),
            "--file", url_file(offline, partners)]  # fmt: skip
    assert main(argv) == 1
    assert written_csv(capsys.readouterr().out.splitlines()) == (len(partners), str(chosen))
    assert len(pd.read_csv(chosen)) == len(partners)


def test_a_screenful_or_fewer_is_printed_whole_and_no_file_is_written(offline, capsys):
    partners = range(1, SCREENFUL + 1)
    argv = ["report", "--offline", "--no-progress", "--file", url_file(offline, partners)]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert len(account_rows(out.splitlines())) == len(partners)
    assert "Failures by key" not in out and "full table" not in out
    assert sorted(p.name for p in offline.iterdir()) == ["empty-cache", "urls.txt"]


def test_failures_must_be_a_writable_csv(offline, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--offline", "--failures", str(offline / "f.txt"), url(1)])
    assert exc.value.code == 2
    assert "argument --failures" in capsys.readouterr().err


def errors_frame(records):
    return records_frame(records, ERROR_COLUMNS)


def test_the_csv_is_formula_safe_and_masked(tmp_path):
    records = [
        {
            "steam_id": None,
            "input": 6,
            "key": "=cmd|' /C calc'!A0",
            "status": 400,
            "message": "@SUM(1) see ?partner=5&token=AbCd1234",
            "request_id": "+r1",
        }
    ]
    path = write_failures(errors_frame(records * 3), tmp_path / "f.csv", explicit=True)
    text = path.read_text(encoding="utf-8")
    assert "AbCd1234" not in text and "token=********" in text
    table = pd.read_csv(path, dtype=str)
    assert table["account"].tolist() == ["TRADE_URL #7"] * 3
    for column in ("key", "message", "request_id"):
        assert table[column].str.startswith("'").all(), column
    assert table["status"].tolist() == ["400"] * 3


def test_the_summary_counts_each_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    keys = ["CACHE_MISS"] * 30 + ["USER_NOT_TRADEABLE"] * 7 + [None] * 2
    records = [{"steam_id": str(STEAM_ID64_OF_PARTNER_0 + i), "key": key, "message": "no"}
               for i, key in enumerate(keys)]  # fmt: skip
    lines = failure_lines(errors_frame(records))
    summary = lines[lines.index("Failures by key") + 1 :]
    assert [line.split() for line in summary[:3]] == [
        ["CACHE_MISS", "30"], ["USER_NOT_TRADEABLE", "7"], ["(no", "key)", "2"]
    ]  # fmt: skip
    count, path = written_csv(lines)
    assert count == len(keys) and path.startswith(str(tmp_path))
    again = failure_lines(errors_frame(records))  # the same second: a new file, numbered
    assert written_csv(again)[1] != path
