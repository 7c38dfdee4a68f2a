"""A week of history made with the command line alone: one snapshot and one point per day."""

from __future__ import annotations

import warnings

import pandas as pd

from assetpay_analytics.cli import main
from assetpay_analytics.history import SnapshotStore

DAYS = [f"2026-06-0{day}" for day in range(1, 8)]


def test_a_week_of_sandbox_days_makes_one_point_per_day(tmp_path, capsys):
    store = tmp_path / "store"
    for day in DAYS:
        argv = ["fetch", "--sandbox", "--as-of", day, "--no-progress",
                "--snapshot", str(store), "--out", str(tmp_path / f"{day}.csv")]  # fmt: skip
        assert main(argv) in (0, 1)  # 1: the demo's failing accounts
    # the last day again: the same data, so no second snapshot
    again = ["fetch", "--sandbox", "--as-of", DAYS[-1], "--no-progress",
             "--snapshot", str(store), "--out", str(tmp_path / "again.csv")]  # fmt: skip
    assert main(again) in (0, 1)
    capsys.readouterr()
    saved = SnapshotStore(store).snapshots()
    assert len(saved) == len(DAYS)
    # dated by the data (the sandbox's day), although every one was fetched just now
    assert [f"{t:%Y-%m-%d}" for t in saved["as_of"]] == DAYS
    assert saved["taken_at"].dt.date.nunique() <= 2  # fetched today (midnight aside)
    partitions = sorted({p.parent.name for p in store.glob("game=730/date=*/*.parquet")})
    assert partitions == [f"date={day}" for day in DAYS]
    for engine in ("pandas", "duckdb"):
        trend = SnapshotStore(store).payout_trend(engine=engine, since=DAYS[1])
        assert [f"{t:%Y-%m-%d}" for t in trend.index] == DAYS[1:], engine
    doc = tmp_path / "doc"
    argv = ["report", "--sandbox", "--as-of", "2026-06-08", "--no-progress",
            "--store", str(store), "--since", DAYS[0], "--out", str(doc)]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(argv) in (0, 1)
    assert (doc / "report.html").is_file()
    # no pandas or matplotlib warning reaches the terminal (a one-point trend used to warn)
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning)] == []
    err = capsys.readouterr().err
    assert "Warning" not in err and "warning:" not in err, err


def test_as_of_needs_the_sandbox(capsys):
    url = "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234"
    try:
        main(["report", url, "--as-of", "2026-06-03"])
    except SystemExit as exited:
        assert exited.code == 2
    err = capsys.readouterr().err
    assert "--as-of dates the sandbox's demo data: add --sandbox" in err
    assert pd.Timestamp("2026-06-03")  # the day itself was valid


def test_a_one_day_history_reports_without_a_warning(tmp_path, capsys):
    store, doc = tmp_path / "store", tmp_path / "doc"
    fetch = ["fetch", "--sandbox", "--as-of", DAYS[0], "--no-progress",
             "--snapshot", str(store), "--out", str(tmp_path / "day.csv")]  # fmt: skip
    assert main(fetch) in (0, 1)
    report = ["report", "--sandbox", "--as-of", DAYS[1], "--no-progress",
              "--store", str(store), "--out", str(doc)]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(report) in (0, 1)
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning)] == []
    assert (doc / "charts" / "payout_trend.png").is_file()
    assert "warning" not in capsys.readouterr().err.lower()
