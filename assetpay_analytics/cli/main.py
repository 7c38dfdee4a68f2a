"""The ``assetpay-analytics`` command: ``report``, ``fetch``, ``prices``, ``screen``, ``sandbox``.

::

    assetpay-analytics report --sandbox                  # pricing report on the demo accounts
    assetpay-analytics report URL [URL ...] --chart review.pdf --screen
    assetpay-analytics fetch URL [URL ...] --out inventory.parquet   # or .csv, .xlsx
    assetpay-analytics prices --game rust --out book.csv # AssetPay's price book
    assetpay-analytics screen URL [URL ...]              # which accounts can be read
    assetpay-analytics sandbox --port 8080               # the local AssetPay-compatible server

``prices`` and ``screen`` live in ``catalogue``; the client and file writing in ``source``;
the ``--file`` and ``--labels`` files are read by ``inputs``.

Without ``--sandbox`` the real API is used with the key in ``ASSETPAY_API_KEY``;
``--offline`` answers from the disk cache only. pandas and the client are imported
inside the commands so ``--help`` and the usage checks answer at once.

Exit status, as a Unix tool:

- 0: every account loaded (``sandbox``: stopped with Ctrl-C);
- 1: some or all accounts failed: what loaded is still reported or written, and the
  failures are listed in a table (account, key, request id, message): beyond a
  screenful, its first rows, a count by error key and the full table in a CSV file
  (``failures``); also an output file that could not be written after the fetch;
- 2: a usage error (unknown option or game, invalid trade URL, ``--dpi`` out of range,
  output path that cannot be written, port out of range or in use) or an authentication
  error (missing or wrong key): the run stops before anything is fetched, or at once,
  with one ``error: ...`` line on stderr and no traceback;
- 130: interrupted (Ctrl-C).

Neither the api key nor a trade token ever appears in what the command prints or writes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..constants import DEFAULT_BASE_URL
from ..errors import AssetPayError
from ..redact import mask
from . import catalogue, checks, failures, inputs, source
from . import text as fmt
from .report import add_document_args, labels_of, source_of, write_document

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["main"]


_EXAMPLE_URL = "'https://steamcommunity.com/tradeoffer/new/?partner=12345678&token=AbCd1234'"
_ENVIRONMENT = """\
environment:
  ASSETPAY_API_KEY    your AssetPay merchant api key (not needed with --sandbox)
  ASSETPAY_CACHE_DIR  where responses are cached (default: the user cache folder)"""
_EXIT = """\
exit status:
  0 every account loaded, 1 some or all accounts failed (listed in a table),
  2 usage or authentication error (one line on stderr, nothing fetched), 130 Ctrl-C"""
_EXAMPLES = {
    "": "assetpay-analytics report --sandbox\n"
    "  export ASSETPAY_API_KEY=...   # your merchant key\n"
    f"  assetpay-analytics report --chart review.pdf \\\n      {_EXAMPLE_URL}",
    "report": "assetpay-analytics report --sandbox --game rust\n"
    "  export ASSETPAY_API_KEY=...   # your merchant key\n"
    f"  assetpay-analytics report --game cs2 --chart review.pdf \\\n      {_EXAMPLE_URL}",
    "fetch": "export ASSETPAY_API_KEY=...   # your merchant key\n"
    f"  assetpay-analytics fetch --out inventory.parquet \\\n      {_EXAMPLE_URL}\n"
    f"  assetpay-analytics fetch --offline --game 730 --out inventory.csv \\\n      {_EXAMPLE_URL}",
    "prices": "assetpay-analytics prices --sandbox --out book.parquet\n"
    "  export ASSETPAY_API_KEY=...   # your merchant key\n"
    "  assetpay-analytics prices --game rust --out rust-book.csv",
    "screen": "assetpay-analytics screen --sandbox\n"
    "  export ASSETPAY_API_KEY=...   # your merchant key\n"
    f"  assetpay-analytics screen --file urls.txt {_EXAMPLE_URL}",
    "sandbox": "assetpay-analytics sandbox --port 8080\n"
    "  ASSETPAY_API_KEY=<the demo key it prints> assetpay-analytics report \\\n"
    "      --base-url http://127.0.0.1:8080 <a demo trade URL it prints>",
}


def _epilog(command: str) -> str:
    example = "examples:\n  " + _EXAMPLES[command]
    games = "games (--game takes either name, any case):\n" + checks.games_help()
    return "\n\n".join([games, _ENVIRONMENT, _EXIT, example])


def _parser() -> argparse.ArgumentParser:
    style: dict[str, Any] = {"formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = checks.Parser(
        prog="assetpay-analytics",
        description="AssetPay inventories, price book and screening as typed DataFrames, "
        "pricing reports and a sandbox.",
        epilog=_epilog(""),
        **style,
    )
    parser.add_argument("--version", action="version", version=f"assetpay-analytics {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser("report", help="print a pricing report for some accounts",
                                 epilog=_epilog("report"), **style)  # fmt: skip
    _add_source_args(report)
    report.add_argument("--chart", type=checks.chart_path, metavar="FILE",
                        help="also save the review figure (.png, .svg or .pdf)")  # fmt: skip
    lo, hi = checks.DPI_RANGE
    report.add_argument("--dpi", type=checks.dpi, default=300,
                        help=f"PNG resolution, {lo} to {hi} (default 300)")  # fmt: skip
    add_document_args(report)
    report.add_argument("--prices", action="store_true",
                        help="also fetch AssetPay's price book: spread, coverage and the "
                             "offers that differ from it")  # fmt: skip

    fetch = commands.add_parser("fetch", help="fetch inventories into a Parquet, CSV or Excel file",
                                epilog=_epilog("fetch"), **style)  # fmt: skip
    _add_source_args(fetch)
    fetch.add_argument("--out", type=checks.out_path, required=True, metavar="FILE",
                       help="output file (.parquet, .csv or .xlsx)")  # fmt: skip
    fetch.add_argument("--snapshot", type=checks.store_path, metavar="STORE",
                       help="also save a snapshot in this history store (a folder)")  # fmt: skip

    catalogue.add_commands(commands, _add_source_args, _epilog, style)

    box = commands.add_parser("sandbox", help="run the AssetPay-compatible local server",
                              epilog=_epilog("sandbox"), **style)  # fmt: skip
    box.add_argument("--port", type=checks.port, default=8080,
                     help="on 127.0.0.1, 0 to 65535 (0: any free port; default 8080)")  # fmt: skip
    box.add_argument("--unverified", action="store_true", help="apply the 100/min limit")
    box.add_argument("--as-of", type=checks.as_of, metavar="DATE",
                     help="serve the demo inventories as of this day (YYYY-MM-DD)")  # fmt: skip
    return parser


def _add_source_args(command: argparse.ArgumentParser, *, accounts: bool = True) -> None:
    if accounts:
        command.add_argument("trade_urls", nargs="*", metavar="TRADE_URL",
                             help="Steam trade URLs")  # fmt: skip
        command.add_argument(
            "--file", type=inputs.url_file, metavar="FILE",
            help="also the trade URLs in FILE, one per line (# comments)",
        )  # fmt: skip
        command.add_argument(
            "--failures", type=checks.failures_path, metavar="CSV",
            help=f"beyond {failures.SCREENFUL} failed accounts, write their full table here "
                 "(default: failures-<time>.csv beside --out, else in the current folder)",
        )  # fmt: skip
    command.add_argument(
        "--sandbox",
        action="store_true",
        help="use the embedded sandbox (no key, no network); its demo accounts by default",
    )
    command.add_argument(
        "--as-of", type=checks.as_of, metavar="DATE",
        help="with --sandbox: its demo inventories as of this day (YYYY-MM-DD)",
    )  # fmt: skip
    command.add_argument("--game", default="730", type=checks.game, metavar="GAME",
                         help="cs2 or 730 (default), rust or 252490")  # fmt: skip
    command.add_argument(
        "--base-url", metavar="URL",
        help=f"API host (default {DEFAULT_BASE_URL}; not with --sandbox)",
    )  # fmt: skip
    command.add_argument("--refresh", action="store_true", help="bypass the caches")
    command.add_argument("--requests-per-minute", type=checks.per_minute, metavar="N",
                         help="the merchant's limit (default 10000: verified)")  # fmt: skip
    command.add_argument(
        "--offline", action="store_true",
        help="answer from the disk cache only (an account not cached fails with CACHE_MISS)",
    )  # fmt: skip
    command.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    if accounts and command.prog.split()[-1] in ("report", "fetch"):
        command.add_argument(
            "--screen", action="store_true",
            help="check the accounts first and skip those that cannot be read",
        )  # fmt: skip


def _load(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The accounts' frame, and the price book when ``--prices`` asks for it (else None)."""
    checks.check_source(args)
    store = None
    if getattr(args, "snapshot", None) is not None:
        from ..history import SnapshotStore

        store = SnapshotStore(args.snapshot)
    with source.client(args) as (client, urls):
        df = client.inventories(
            urls, args.game, progress=not args.no_progress, refresh=args.refresh, snapshot=store,
            screen=args.screen,
        )  # fmt: skip
        failures.share_records(df)
        book = catalogue.book_for(client, args) if getattr(args, "prices", False) else None
    return df, book


def _anomaly_lines(df: pd.DataFrame) -> list[str]:
    """``N anomalies set aside (see df.assetpay.anomalies)``, or no line when there are none."""
    n = len(df.assetpay.anomalies)
    noun = "anomaly" if n == 1 else "anomalies"
    return [f"{n} {noun} set aside (see df.assetpay.anomalies)"] if n else []


def _cache_lines(df: pd.DataFrame, now: datetime | None = None) -> list[str]:
    """``N of M account(s) from the disk cache, ...``, or no line when none came from it.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame()
    >>> df.attrs = {"steam_ids": ["1", "2"], "cached_accounts": 1,
    ...             "cached_fetched_at": "2026-06-01T09:30:00Z"}
    >>> [line] = _cache_lines(df, now=datetime(2026, 6, 1, 9, 42, tzinfo=UTC))
    >>> line.split(", answered by AssetPay from ")[1]
    '2026-06-01 09:30 UTC (12 min ago); --refresh asks again'
    """
    cached = int(df.attrs.get("cached_accounts") or 0)
    if not cached:
        return []
    line = f"{cached} of {len(df.attrs.get('steam_ids', []))} account(s) from the disk cache"
    stamp = df.attrs.get("cached_fetched_at")
    if isinstance(stamp, str) and stamp:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
        minutes = max(0, int(((now or datetime.now(UTC)) - when).total_seconds() // 60))
        line += f", answered by AssetPay from {when:%Y-%m-%d %H:%M} UTC ({minutes} min ago)"
    return [f"{line}; --refresh asks again"]


def _as_of(df: pd.DataFrame) -> str:
    from ..frame.provenance import data_time  # not plots: a text report loads no matplotlib

    stamp = data_time(df)
    return "" if stamp is None else f", data as of {stamp}"


def _report(
    df: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    args: argparse.Namespace | None = None,
) -> str:
    from .. import accessor as _accessor  # noqa: F401  (df.assetpay on any frame)
    from .. import analysis

    totals = analysis.summary(df)
    fetched = df.attrs.get("steam_ids", [])
    per_account = analysis.by_account(df, labels)  # accounts with 0 items too
    columns = ["items", "priced_items", "market_value", "priced_market_value", "offer_value",
               "payout_ratio"]  # fmt: skip
    lines = [
        f"AssetPay pricing report: {len(fetched)} account(s), game {df.attrs.get('game')}"
        f"{_as_of(df)}",
        *_cache_lines(df),
        "",
        f"items {int(totals['items'])}, priced {int(totals['priced_items'])}, "
        f"market value {fmt.usd(totals['market_value'])} "
        f"(priced {fmt.usd(totals['priced_market_value'])}), "
        f"offer value {fmt.usd(totals['offer_value'])}, "
        f"payout ratio {fmt.pct(totals['payout_ratio'])} "
        f"(median {fmt.pct(totals['median_payout_ratio'])})",
        *_anomaly_lines(df),
        "",
        "By account",
        fmt.table(per_account[columns]),
        "",
        *_by_kind(df, columns),
    ]
    errors = df.assetpay.errors
    if len(errors):
        lines += ["", "Accounts that failed", *failures.failure_lines(errors, args)]
    return "\n".join(lines)


def _by_kind(df: pd.DataFrame, columns: list[str]) -> list[str]:
    """By exterior (a row for items without one, so totals add up); Rust has no exteriors,
    so its items go by type."""
    from .. import analysis
    from ..constants import GAME_RUST

    if df.attrs.get("game") == GAME_RUST:
        by_type = analysis.by_group(df, "type")
        return ["By item type", fmt.table(by_type[[*columns, "median_payout_ratio"]])]
    table = analysis.by_exterior(df)
    return ["By exterior", fmt.table(table[[*columns, "median_payout_ratio", "mean_wear"]])]


def _failed(df: pd.DataFrame) -> int:
    """0 when every account loaded; else one ``error:`` line on stderr and 1."""
    failed = len(df.assetpay.errors)
    if not failed:
        return 0
    total = failed + len(df.attrs.get("steam_ids", []))
    print(f"error: {failed} of {total} account(s) failed (see the table)", file=sys.stderr)
    return 1


def _cmd_report(args: argparse.Namespace) -> int:
    df, book = _load(args)
    print(_report(df, labels_of(args), args))
    if book is not None:
        print("\n" + catalogue.book_report(df, book, labels_of(args)))
    if args.chart and df.attrs.get("steam_ids"):
        from .. import plots

        figure = plots.pricing_review(df, source=source_of(args))
        try:
            plots.save_figure(figure, args.chart, dpi=args.dpi)
        except OSError as err:
            return source.cannot_write(args.chart, err)
        finally:
            import matplotlib.pyplot as plt

            plt.close(figure)
        print(f"\nreview figure saved to {args.chart}")
    elif args.chart:
        print(f"\nno account loaded: no figure saved to {args.chart}")
    if args.out and write_document(args, df, book):
        return 1
    if getattr(args, "prices", False) and book is None:
        return 1  # the book could not be fetched (said on stderr)
    return _failed(df)


def _cmd_fetch(args: argparse.Namespace) -> int:
    df, _ = _load(args)
    if len(df.assetpay.errors):
        print("\n".join(failures.failure_lines(df.assetpay.errors, args)), file=sys.stderr)
    if not df.attrs.get("steam_ids"):
        print(f"no account loaded: nothing written to {args.out}", file=sys.stderr)
        return _failed(df)
    try:
        source.write_table(df, args.out, source=source_of(args))
    except OSError as err:
        return source.cannot_write(args.out, err)
    accounts = len(df.attrs["steam_ids"])  # empty inventories count: as in the report
    print(f"{len(df)} items from {accounts} account(s) written to {args.out}")
    print("\n".join(_cache_lines(df)) or "no account from the disk cache: every one fetched")
    if df.attrs.get("snapshot_id"):
        print(f"snapshot {df.attrs['snapshot_id']} saved in {args.snapshot}")
    return _failed(df)


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from .. import sandbox

    try:
        sandbox.run(args.port, verified=not args.unverified, as_of=args.as_of)
    except OSError as err:
        reason = checks.one_line(err.strerror or err)
        checks.usage_error(f"the sandbox cannot listen on 127.0.0.1:{args.port}: {reason} "
                           "(another server may use it: try another --port, or 0)")  # fmt: skip
    return 0


_COMMANDS = {
    "report": _cmd_report,
    "fetch": _cmd_fetch,
    "prices": catalogue.cmd_prices,
    "screen": catalogue.cmd_screen,
    "sandbox": _cmd_sandbox,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 when every account loaded, 1 when some or all failed (the
        report or file still holds what loaded, and the failures are listed), 2 for an
        authentication error or a client that cannot be set up (one ``error:`` line on
        stderr), 130 after Ctrl-C.

    Raises
    ------
    SystemExit
        With status 2 for a usage error, after printing one ``error: ...`` line on
        stderr (as argparse does; nothing has been fetched), and with status 0 after
        ``--help`` or ``--version``.

    Examples
    --------
    >>> main(["sandbox", "--help"])  # doctest: +SKIP
    """
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except AssetPayError as err:  # the key (every account would fail) or the client's setup
        print(f"error: {checks.one_line(mask(str(err)))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
