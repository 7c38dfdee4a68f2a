"""The command line, end to end on the embedded sandbox (real HTTP, real files)."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.cli import checks
from assetpay_analytics.cli.main import _parser, _report, main
from assetpay_analytics.fetch.budget import Pace
from assetpay_analytics.frame import from_items
from assetpay_analytics.frame.parquet import read_parquet
from assetpay_analytics.history import SnapshotStore
from tests.strategies import dtype_kinds


def one_error_line(err):
    """True when stderr is exactly one ``error: ...`` line (no traceback, no usage block)."""
    lines = err.splitlines()
    return len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err


def raw_totals(box):
    """Items and market value of the sandbox's demo accounts, from the raw JSON."""
    items = [item for url in box.trade_urls for item in box.items(url)]
    market = sum(item["marketPrice"] for item in items if item.get("marketPrice") is not None)
    return len(items), market


def raw_items(box, game):
    """The demo accounts' raw items of one game."""
    return [item for url in box.trade_urls for item in box.items(url, game)]


def test_report_on_the_sandbox(box, capsys):
    assert main(["report", "--sandbox", "--no-progress"]) == 0
    out = capsys.readouterr().out
    n_items, market = raw_totals(box)  # the CLI starts its own sandbox: same deterministic data
    assert f"{len(box.trade_urls)} account(s)" in out
    assert f"items {n_items}," in out
    assert f"market value ${market:,.2f}" in out
    for url in box.trade_urls:  # each account by its name (on main: SteamIDs only)
        steam_id = apa.TradeUrl.parse(url).steam_id
        assert f"{box.labels[steam_id]} ({steam_id})" in out
    for exterior in apa.constants.EXTERIORS:
        assert exterior in out
    # the by-exterior table reconciles with the headline: a row for items without one
    lines = out.split("By exterior")[1].splitlines()
    labels = [*apa.constants.EXTERIORS, apa.constants.NO_EXTERIOR]
    counted = [int(line[len(label) :].split()[0]) for label in labels for line in lines
               if line.startswith(label)]  # fmt: skip
    assert len(counted) == 6 and sum(counted) == n_items


def test_fetch_counts_the_accounts_as_the_report_does(box, tmp_path, capsys):
    # on main: "5 account(s)" in fetch and the review figure, 6 in report (one is empty)
    out = tmp_path / "inv.csv"
    assert main(["fetch", "--sandbox", "--no-progress", "--out", str(out)]) == 0
    assert f"from {len(box.trade_urls)} account(s) written" in capsys.readouterr().out


def test_a_rust_report_shows_what_applies_to_rust(box, capsys):
    # on main: five CS2 exterior rows of zeros
    assert main(["report", "--sandbox", "--no-progress", "--game", "rust"]) == 0
    out = capsys.readouterr().out
    assert "By exterior" not in out and "Field-Tested" not in out
    rust = raw_items(box, "252490")
    assert f"items {len(rust)}," in out
    by_type = out.split("By item type")[1]
    for kind in {item["type"] for item in rust if item.get("type")}:
        assert kind in by_type


def test_report_lists_failed_accounts(box, capsys):
    urls = [box.trade_urls[0], box.accounts["private"].trade_url]
    assert main(["report", "--sandbox", "--no-progress", *urls]) == 1  # one account failed
    out, err = capsys.readouterr()
    assert "Accounts that failed" in out and "USER_NOT_TRADEABLE" in out
    assert apa.TradeUrl.parse(urls[0]).steam_id in out.split("Accounts that failed")[0]
    assert "anomal" not in out  # the demo accounts have no out-of-range values
    assert err.strip() == "error: 1 of 2 account(s) failed (see the table)"


def test_fetch_writes_parquet_that_reads_back(box, tmp_path, capsys):
    out = tmp_path / "inv.parquet"
    assert main(["fetch", "--sandbox", "--no-progress", "--out", str(out), box.trade_urls[0]]) == 0
    df = apa.frame.read_parquet(out)
    raw = box.items(box.trade_urls[0])
    assert df["item_id"].tolist() == [item["id"] for item in raw]
    assert dtype_kinds(df) == dtype_kinds(apa.frame.empty_frame())
    assert "written to" in capsys.readouterr().out
    plain = pd.read_parquet(out)  # plain pandas reads what the toolkit writes
    assert plain["item_id"].tolist() == [item["id"] for item in raw]
    assert plain.attrs == df.attrs and plain.attrs["count"] == len(raw)


def test_fetch_rejects_unknown_suffix(tmp_path):
    with pytest.raises(SystemExit, match=r"\.parquet, \.csv or \.xlsx"):
        main(["fetch", "--sandbox", "--out", str(tmp_path / "x.xls")])


def test_real_api_without_key_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.delenv("ASSETPAY_API_KEY", raising=False)
    url = "https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234"
    for argv in (["report", url], ["fetch", url, "--out", "x.csv"], ["prices", "--out", "b.csv"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        out, err = capsys.readouterr()
        assert out == "" and "set ASSETPAY_API_KEY=" in err and "add --sandbox" in err
        assert one_error_line(err) and "apa." not in err  # a hint for the shell, not Python


def test_base_url_with_the_sandbox_is_refused_not_ignored(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["report", "--sandbox", "--base-url", "https://api.example.com"])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and one_error_line(err)
    assert "drop --base-url" in err


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
    assert table[0].split() == ["account", "key", "request", "id", "message"]
    assert table[1].split() == ["76561197960265733", "USER_NOT_TRADEABLE", "req-9", "private"]
    assert "Accounts that failed" not in _report(hand_frame(errors=[]))


# --- failing like a Unix tool ---------------------------------------------------------

BAD_URL = "https://steamcommunity.com/tradeoffer/new/?partner=1&token=Typo123"  # 7 characters


@pytest.fixture
def api(sandbox, monkeypatch, tmp_path):
    """The session sandbox as "the real API": its key in the environment, a fresh cache."""
    monkeypatch.setenv("ASSETPAY_API_KEY", sandbox.api_key)
    monkeypatch.setenv("ASSETPAY_CACHE_DIR", str(tmp_path / "cache"))
    return sandbox


def usage_error(capsys, argv):
    """Run ``main``, expecting a usage error: exit status 2 and its one stderr line."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and one_error_line(err), err
    return err


def test_every_account_failing_on_the_network_exits_1(api, monkeypatch, capsys):
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        code = main(["report", "--no-progress", "--base-url", base_url, api.trade_urls[0]])
    assert code == 1
    out, err = capsys.readouterr()
    assert "0 account(s)" in out
    table = out.split("Accounts that failed\n", 1)[1].splitlines()
    assert table[0].split()[:2] == ["account", "key"]
    assert table[1].startswith(apa.TradeUrl.parse(api.trade_urls[0]).steam_id)
    assert "network failure" in out and "nan" not in out.split("Accounts that failed")[1]
    assert err.strip() == "error: 1 of 1 account(s) failed (see the table)"


def test_failure_table_is_readable():
    long = "steam_id 76561197960265733: " + "the upstream said no, " * 20 + "token=AbCd1234 end"
    errors = [
        {"steam_id": "76561197960265733", "key": "USER_NOT_TRADEABLE", "message": long,
         "request_id": "0b7d6e1c-1111-2222-3333-444455556666"},
        {"steam_id": None, "input": 4, "key": None, "message": "bad", "request_id": None},
    ]  # fmt: skip
    table = _report(hand_frame(errors=errors)).split("Accounts that failed\n", 1)[1]
    lines = table.splitlines()
    assert max(map(len, lines)) <= 120
    assert not {"nan", "NaN", "<NA>", "None"} & set(table.split())
    assert "AbCd1234" not in table and "token=********" in table  # never the token
    assert lines[-1].split() == ["TRADE_URL", "#5", "bad"]  # no steam id: its position
    message_at = lines[0].index("message")
    wrapped = " ".join(line[message_at:].strip() for line in lines[1:-1])
    assert wrapped.split() == long.replace("AbCd1234", "********").split()


def test_fetch_writes_nothing_when_no_account_loaded(api, tmp_path, capsys):
    out = tmp_path / "new" / "inv.csv"
    private = api.accounts["private"].trade_url
    assert main(["fetch", "--no-progress", "--base-url", api.url, "--out", str(out), private]) == 1
    assert api.requests  # it was asked ...
    assert not (tmp_path / "new").exists()  # ... and no file, no folder was left behind
    err = capsys.readouterr().err
    assert "USER_NOT_TRADEABLE" in err and "nothing written" in err


def test_wrong_key_stops_the_run(api, monkeypatch, capsys, tmp_path):
    # one account: a batch stopped by the key leaves no request in flight for the next test
    # (many accounts: test_secrets_never_appear_in_output_or_files, in a subprocess)
    monkeypatch.setenv("ASSETPAY_API_KEY", "wrong-key-0123456789")
    out = tmp_path / "new" / "inv.csv"
    argv = ["fetch", "--no-progress", "--base-url", api.url, "--out", str(out), api.trade_urls[0]]
    assert main(argv) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and one_error_line(err)
    assert "INVALID_API_KEY" in err and "wrong-key-0123456789" not in err
    assert not (tmp_path / "new").exists()


def test_invalid_trade_urls_are_usage_errors(api, capsys):
    err = usage_error(capsys, ["report", "--base-url", api.url, api.trade_urls[0], BAD_URL,
                               BAD_URL.replace("partner=1", "partner=x")])  # fmt: skip
    assert "TRADE_URL #2" in err and "token must be exactly 8 characters" in err
    assert "also invalid: TRADE_URL #3" in err
    assert "Typo123" not in err  # the argument is echoed with its token masked
    assert api.requests == []  # validated before anything was fetched


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--out", "{file}/inv.csv"], "is a file, not a folder"),
        (["--out", "{tmp}/inv.xls"], "must end in .parquet, .csv or .xlsx"),
        (["--out", "{tmp}"], "must end in .parquet, .csv or .xlsx"),
        (["--chart", "{file}/review.png"], "is a file, not a folder"),
        (["--chart", "{tmp}/review.gif"], "must end in .png, .svg or .pdf"),
        (["--chart", "/proc/assetpay/review.pdf"], "create files in /proc"),
        (["--chart", "{tmp}/review.png", "--dpi", "0"], "from 10 to 2400"),
        (["--dpi", "2401"], "from 10 to 2400"),
        (["--dpi", "high"], "from 10 to 2400"),
        (["--game", "csgo"], "unknown game 'csgo'"),
        (["--requests-per-minute", "0"], "from 1 to"),
        (["--requests-per-minute", "fast"], "from 1 to"),
    ],
)  # fmt: skip
def test_options_are_checked_before_anything_is_fetched(api, tmp_path, capsys, options, says):
    file = tmp_path / "a-file"
    file.write_text("")
    options = [o.format(file=file, tmp=tmp_path) for o in options]
    command = "fetch" if "--out" in options else "report"
    err = usage_error(capsys, [command, "--base-url", api.url, *options, api.trade_urls[0]])
    assert says in err and "--help" in err
    assert api.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # nothing left behind


def test_report_saves_a_pdf_chart(box, tmp_path, capsys):
    chart = tmp_path / "deck" / "review.pdf"
    argv = ["report", "--sandbox", "--no-progress", "--chart", str(chart), box.trade_urls[0]]
    assert main(argv) == 0
    assert chart.read_bytes()[:5] == b"%PDF-"
    assert f"review figure saved to {chart}" in capsys.readouterr().out


@pytest.mark.parametrize(("given", "app_id"), [
    ("cs2", "730"), ("CS2", "730"), ("730", "730"),
    ("rust", "252490"), ("Rust", "252490"), ("252490", "252490"),
])  # fmt: skip
def test_game_takes_names_and_app_ids(given, app_id):
    assert _parser().parse_args(["report", "--sandbox", "--game", given]).game == app_id
    assert _parser().parse_args(["fetch", "--out", "x.csv", "--sandbox"]).game == "730"


@pytest.mark.parametrize(("dpi", "ok"), [("10", True), ("2400", True), ("9", False),
                                         ("1.5", False), ("-300", False)])  # fmt: skip
def test_dpi_range(capsys, dpi, ok):
    if ok:
        assert _parser().parse_args(["report", "--sandbox", "--dpi", dpi]).dpi == int(dpi)
    else:
        assert "argument --dpi" in usage_error(capsys, ["report", "--sandbox", "--dpi", dpi])


@pytest.mark.parametrize(("port", "ok"), [
    ("0", True), ("65535", True), ("65536", False), ("-1", False), ("99999", False), ("x", False),
])  # fmt: skip
def test_port_range(capsys, port, ok):
    if ok:
        assert _parser().parse_args(["sandbox", "--port", port]).port == int(port)
    else:
        assert "argument --port" in usage_error(capsys, ["sandbox", "--port", port])


@pytest.mark.parametrize(("day", "ok"), [
    ("2026-06-01", True), ("2026-07-15", True), ("2026-05-31", False), ("yesterday", False),
    ("2026-13-01", False),
])  # fmt: skip
def test_sandbox_as_of_is_a_day_from_the_demo_data_on(capsys, day, ok):
    if ok:
        parsed = _parser().parse_args(["sandbox", "--as-of", day]).as_of
        assert parsed.isoformat() == day
    else:
        assert "argument --as-of" in usage_error(capsys, ["sandbox", "--as-of", day])


def test_the_sandbox_command_serves_the_day_it_is_given():
    command = [sys.executable, "-m", "assetpay_analytics.cli", "sandbox", "--port", "0",
               "--as-of", "2026-06-20"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "AssetPay sandbox on http://127.0.0.1:" in first
    assert second.strip() == "inventories as of 2026-06-20"


@pytest.mark.parametrize("command", [[], ["report"], ["fetch"], ["sandbox"]])
def test_help_says_which_game_is_which_and_names_the_key(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "cs2   = app id 730" in text and "rust  = app id 252490" in text
    assert "ASSETPAY_API_KEY" in text and "examples:" in text
    assert "assetpay-analytics " + (command[0] if command else "report") in text


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"assetpay-analytics {apa.__version__}"


def test_requests_per_minute_sets_the_budget_of_the_key(api, tmp_path):
    out = tmp_path / "inv.csv"
    argv = ["fetch", "--no-progress", "--base-url", api.url, "--requests-per-minute", "120",
            "--out", str(out), api.trade_urls[0]]  # fmt: skip
    assert main(argv) == 0 and out.exists()
    budget = tmp_path / "cache" / "rate-budget.sqlite"  # beside the default cache
    with contextlib.closing(sqlite3.connect(budget)) as db:
        rows = db.execute("SELECT next_slot - updated FROM budget").fetchall()
    # one request spent: the next slot is one interval of a 120-a-minute pace after it
    assert rows == [(pytest.approx(Pace.for_limit(120).interval),)]


def test_fetch_saves_a_snapshot_in_a_history_store(api, tmp_path, capsys):
    out, store = tmp_path / "inv.parquet", tmp_path / "history"
    argv = ["fetch", "--no-progress", "--base-url", api.url, "--out", str(out),
            "--snapshot", str(store), *api.trade_urls[:2]]  # fmt: skip
    assert main(argv) == 0
    (snapshot,) = SnapshotStore(store).snapshots()["id"]
    assert f"snapshot {snapshot} saved in {store}" in capsys.readouterr().out
    saved = SnapshotStore(store).load(snapshot)
    pd.testing.assert_frame_equal(saved, read_parquet(out), check_categorical=False)


def test_a_snapshot_store_must_be_a_folder(api, tmp_path, capsys):
    argv = ["fetch", "--base-url", api.url, "--out", str(tmp_path / "inv.csv"),
            "--snapshot", str(tmp_path / "history.parquet"), api.trade_urls[0]]  # fmt: skip
    assert "must be a folder" in usage_error(capsys, argv)
    assert api.requests == []


def test_offline_answers_from_the_cache_only(api, tmp_path, capsys):
    online, offline = tmp_path / "online.parquet", tmp_path / "offline.parquet"
    common = ["fetch", "--no-progress", "--base-url", api.url, api.trade_urls[0]]
    assert main([*common, "--out", str(online)]) == 0
    asked = len(api.requests)
    assert asked
    assert main([*common, "--offline", "--out", str(offline)]) == 0
    assert len(api.requests) == asked  # nothing sent
    pd.testing.assert_frame_equal(pd.read_parquet(offline), pd.read_parquet(online))
    capsys.readouterr()
    never = api.trade_urls[1]
    code = main(["report", "--no-progress", "--offline", "--base-url", api.url, never])
    assert code == 1 and len(api.requests) == asked
    assert "CACHE_MISS" in capsys.readouterr().out


def run_cli(argv, **env):
    """The command as a real subprocess; ``env`` on top of ours (None: unset)."""
    merged = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "assetpay_analytics.cli", *argv], capture_output=True,
        text=True, timeout=120, check=False,
        env={name: value for name, value in merged.items() if value is not None},
    )  # fmt: skip


@pytest.fixture
def port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield str(taken.getsockname()[1])


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["report", BAD_URL], "TRADE_URL #1"),
        (["report", "--sandbox", "--dpi", "0"], "argument --dpi"),
        (["report", "--sandbox", "--chart", "{file}/review.pdf"], "argument --chart"),
        (["fetch", "--sandbox", "--out", "{file}/inv.parquet"], "argument --out"),
        (["report", "--sandbox", "--game", "csgo"], "argument --game"),
        (["sandbox", "--port", "99999"], "argument --port"),
        (["sandbox", "--port", "{port}"], "Address already in use"),
        (["report", BAD_URL.replace("Typo123", "AbCd1234")], "ASSETPAY_API_KEY"),  # no key
        (["prices", "--out", "{file}.csv"], "or add --sandbox"),  # no key, said for the shell
        (["report", "--sandbox", "--base-url", "https://api.example.com"], "drop --base-url"),
        (["report", "--sandbox", "--formats", "svg"], "add --out DIR"),
        (["report", "--sandbox", "--formats", "gif", "--out", "{file}.d"], "argument --formats"),
        (["fetch", BAD_URL.replace("Typo123", "AbCd1234"), "--as-of", "2026-06-02",
          "--out", "{file}.csv"], "add --sandbox"),
        (["report", "--sandbox", "--labels", "{file}"], "label"),  # an empty labels file
    ],
)  # fmt: skip
def test_mistakes_give_one_line_and_no_traceback(argv, says, tmp_path, port_in_use):
    file = tmp_path / "a-file"
    file.write_text("")
    argv = [a.format(file=file, port=port_in_use) for a in argv]
    done = run_cli(argv, ASSETPAY_API_KEY=None, ASSETPAY_CACHE_DIR=str(tmp_path / "cache"))
    assert done.returncode == 2, done.stderr
    assert one_error_line(done.stderr), done.stderr
    assert says in done.stderr and done.stdout == ""


def test_secrets_never_appear_in_output_or_files(api, tmp_path):
    urls = [api.trade_urls[0], api.accounts["private"].trade_url, api.accounts["empty"].trade_url]
    out = tmp_path / "inv.csv"
    done = run_cli(["fetch", "--base-url", api.url, "--out", str(out), *urls],
                   ASSETPAY_API_KEY=api.api_key, ASSETPAY_CACHE_DIR=str(tmp_path / "cache"),
                   TQDM_DISABLE="0")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "USER_NOT_TRADEABLE" in done.stderr and "written to" in done.stdout
    secrets = [api.api_key, *(apa.TradeUrl.parse(url).token for url in urls)]
    for text in (done.stdout, done.stderr, out.read_text()):
        assert not [secret for secret in secrets if secret in text]
    # a wrong key stops a batch of every account at once: exit 2, one line, and no crash
    # from requests still in flight (the process waits for them, so none outlives it)
    wrong = "wrong-key-0123456789"
    many = [*api.trade_urls, *(account.trade_url for account in api.accounts.values())]
    done = run_cli(["report", "--base-url", api.url, *many],
                   ASSETPAY_API_KEY=wrong, ASSETPAY_CACHE_DIR=str(tmp_path / "cache2"))  # fmt: skip
    assert done.returncode == 2 and one_error_line(done.stderr), done.stderr
    assert done.stdout == "" and wrong not in done.stderr
    assert not [secret for secret in secrets[1:] if secret in done.stderr]


def test_fetch_and_report_say_how_many_accounts_came_from_the_cache(api, capsys, tmp_path):
    urls = api.trade_urls[:3]
    base = ["--base-url", api.url, "--no-progress"]
    assert main(["fetch", *urls, *base, "--out", str(tmp_path / "a.csv")]) == 0
    first = capsys.readouterr().out
    assert "no account from the disk cache: every one fetched" in first
    requests_before = len(api.requests)
    assert main(["fetch", *urls, *base, "--out", str(tmp_path / "b.csv")]) == 0
    second = capsys.readouterr().out
    assert len(api.requests) == requests_before  # the cache answered: nothing was sent
    assert f"3 of {len(urls)} account(s) from the disk cache, answered by AssetPay from " in second
    assert "min ago); --refresh asks again" in second
    assert main(["report", *urls, *base]) == 0
    assert "3 of 3 account(s) from the disk cache" in capsys.readouterr().out
    assert main(["report", *urls, *base, "--refresh"]) == 0
    assert "from the disk cache" not in capsys.readouterr().out


def test_formats_without_out_is_refused(capsys):
    err = usage_error(capsys, ["report", "--sandbox", "--formats", "svg"])
    assert "--formats picks the document's chart files: add --out DIR" in err


def test_the_out_check_looks_at_the_parent_not_inside_the_folder(tmp_path):
    # the document is built beside --out and swapped in, so what was planted inside (here
    # report.html -> a folder, which a check opening DIR/report.html refused) is not looked at
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "review"
    out.mkdir()
    (out / "report.html").symlink_to(elsewhere)
    assert checks.out_dir(str(out)) == out
    assert list(elsewhere.iterdir()) == []
