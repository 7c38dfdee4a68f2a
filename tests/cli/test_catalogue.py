"""``prices`` and ``screen`` (and ``--screen``), end to end on the embedded sandbox."""

from __future__ import annotations

import pandas as pd

from assetpay_analytics.cli.main import main
from assetpay_analytics.frame.cells import csv_safe


def test_prices_writes_the_book_that_the_sandbox_serves(box, tmp_path, capsys):
    out = tmp_path / "book.parquet"
    assert main(["prices", "--sandbox", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    book = pd.read_parquet(out)
    raw = box.price_book("730")
    phases = sum(len(entry.get("phases") or []) for entry in raw)
    assert len(book) == len(raw) + phases
    accepted = sum(entry["accepted"] for entry in raw)
    assert f"{len(raw)} entries ({accepted} accepted), {phases} phase rows" in printed
    assert "by exterior" in printed and "Field-Tested" in printed
    assert book["market_hash_name"].astype(str).tolist()[0] == raw[0]["marketHashName"]


def test_prices_for_rust_to_csv(box, tmp_path, capsys):
    out = tmp_path / "rust.csv"
    assert main(["prices", "--sandbox", "--game", "rust", "--out", str(out)]) == 0
    book = pd.read_csv(out)
    raw = box.price_book("252490")
    assert book["market_hash_name"].tolist() == [entry["marketHashName"] for entry in raw]
    assert book["withdraw_instant"].isna().all()
    assert "by exterior" not in capsys.readouterr().out


def test_prices_takes_no_trade_url(tmp_path, capsys):
    try:
        main(["prices", "--sandbox", "--out", str(tmp_path / "b.csv"), "https://x"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_screen_lists_every_account_and_exits_1_when_some_cannot_be_read(box, capsys):
    names = ["alice", "escrow", "private", "ghost"]
    urls = [box.accounts[name].trade_url for name in names]
    assert main(["screen", "--sandbox", "--no-progress", *urls]) == 1
    out, err = capsys.readouterr()
    for name, state in zip(names, ["Normal", "Normal", "InventoryPrivate", "UserNotFound"],
                           strict=True):  # fmt: skip
        line = next(line for line in out.splitlines() if box.accounts[name].steam_id in line)
        assert state in line
    assert err.strip() == "error: 2 account(s) cannot be read, 0 not checked (of 4)"
    assert all(box.accounts[name].token not in out + err for name in names)


def test_screen_of_readable_accounts_exits_0(box, capsys):
    assert main(["screen", "--sandbox", "--no-progress", box.trade_urls[0]]) == 0


def test_report_screen_skips_the_accounts_that_cannot_be_read(box, capsys):
    urls = [box.trade_urls[0], box.accounts["private"].trade_url]
    assert main(["report", "--sandbox", "--no-progress", "--screen", *urls]) == 1
    out = capsys.readouterr().out
    failed = out.split("Accounts that failed")[1]
    assert "InventoryPrivate" in failed and "not requested" in failed


def test_csv_cells_that_would_be_formulas_are_quoted():
    df = pd.DataFrame({"name": ["=HYPERLINK(1)", "AK-47", "+1", "@x", None],
                       "price": [-1.0, 2.0, 3.0, 4.0, 5.0]})  # fmt: skip
    safe = csv_safe(df)
    assert safe["name"].tolist()[:4] == ["'=HYPERLINK(1)", "AK-47", "'+1", "'@x"]
    assert safe["price"].tolist() == df["price"].tolist()  # numbers are left alone
