"""The ``assetpay-analytics`` command: ``report``, ``fetch`` and ``sandbox``.

::

    assetpay-analytics report --sandbox                  # pricing report on the demo accounts
    assetpay-analytics report URL [URL ...] --chart review.png
    assetpay-analytics fetch URL [URL ...] --out inventory.parquet
    assetpay-analytics sandbox --port 8080               # the local AssetPay-compatible server

Without ``--sandbox`` the real API is used with the key in ``ASSETPAY_API_KEY``.
pandas and the client are imported inside the commands so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .constants import DEFAULT_BASE_URL, GAMES
from .errors import AssetPayError

if TYPE_CHECKING:
    import pandas as pd

    from .client import AssetPayClient

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetpay-analytics",
        description="AssetPay inventories as typed DataFrames, pricing reports and a sandbox.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    report = commands.add_parser("report", help="print a pricing report for some accounts")
    _add_source_args(report)
    report.add_argument("--chart", type=Path, help="also save the review figure (.png or .svg)")
    report.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")

    fetch = commands.add_parser("fetch", help="fetch inventories into a Parquet or CSV file")
    _add_source_args(fetch)
    fetch.add_argument("--out", type=Path, required=True, help="output file (.parquet or .csv)")

    box = commands.add_parser("sandbox", help="run the AssetPay-compatible local server")
    box.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080)")
    box.add_argument("--unverified", action="store_true", help="apply the 100/min limit")
    return parser


def _add_source_args(command: argparse.ArgumentParser) -> None:
    command.add_argument("trade_urls", nargs="*", metavar="TRADE_URL", help="Steam trade URLs")
    command.add_argument(
        "--sandbox",
        action="store_true",
        help="use the embedded sandbox (no key, no network); its demo accounts by default",
    )
    command.add_argument("--game", default="730", choices=sorted(GAMES), help="app id")
    command.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API host")
    command.add_argument("--refresh", action="store_true", help="bypass the caches")
    command.add_argument("--no-progress", action="store_true", help="hide the progress bar")


@contextmanager
def _client(args: argparse.Namespace) -> Iterator[tuple[AssetPayClient, list[str]]]:
    """The client and the trade URLs to use: the real API, or a sandbox started here."""
    from . import sandbox
    from .client import AssetPayClient

    if not args.sandbox:
        if not args.trade_urls:
            raise SystemExit("error: give at least one TRADE_URL (or --sandbox for the demo)")
        with AssetPayClient(base_url=args.base_url) as client:
            yield client, list(args.trade_urls)
        return
    with sandbox.serve() as box, tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        with AssetPayClient(api_key=box.api_key, base_url=box.url, cache=cache) as client:
            yield client, list(args.trade_urls) or list(box.trade_urls)


def _load(args: argparse.Namespace) -> pd.DataFrame:
    with _client(args) as (client, urls):
        return client.inventories(
            urls, args.game, progress=not args.no_progress, refresh=args.refresh
        )


#: Columns of ``df.assetpay.errors`` the report prints (``input``: position in the list).
_ERROR_SHOWN = ["input", "steam_id", "key", "code", "status", "attempts", "request_id", "message"]


def _usd(value: float) -> str:
    return "—" if value != value else f"${value:,.2f}"


def _pct(value: float) -> str:
    return "—" if value != value else f"{value:.1%}"


def _table(frame: pd.DataFrame) -> str:
    """Money and ratio columns formatted for a terminal."""
    shown = frame.astype(object).copy()
    for column in shown.columns:
        if column.endswith("_value"):
            shown[column] = [_usd(float(v)) for v in frame[column].fillna(float("nan"))]
        elif "ratio" in column:
            shown[column] = [_pct(float(v)) for v in frame[column].fillna(float("nan"))]
        elif column == "mean_wear":
            shown[column] = [
                "—" if v != v else f"{v:.3f}" for v in frame[column].fillna(float("nan"))
            ]
    return shown.to_string()


def _anomaly_lines(df: pd.DataFrame) -> list[str]:
    """``N anomalies set aside (see df.assetpay.anomalies)``, or no line when there are none."""
    n = len(df.assetpay.anomalies)
    noun = "anomaly" if n == 1 else "anomalies"
    return [f"{n} {noun} set aside (see df.assetpay.anomalies)"] if n else []


def _report(df: pd.DataFrame) -> str:
    from . import accessor as _accessor  # noqa: F401  (df.assetpay on any frame)
    from . import analysis

    totals = analysis.summary(df)
    fetched = df.attrs.get("steam_ids", [])
    per_account = analysis.by_group(df, "steam_id").reindex(fetched)  # accounts with 0 items too
    counts = ["items", "priced_items"]
    per_account[counts] = per_account[counts].fillna(0).astype("int64")
    per_account[["market_value", "offer_value"]] = per_account[
        ["market_value", "offer_value"]
    ].fillna(0.0)
    per_exterior = analysis.by_exterior(df)
    columns = ["items", "priced_items", "market_value", "offer_value", "payout_ratio"]
    lines = [
        f"AssetPay pricing report: {len(fetched)} account(s), game {df.attrs.get('game')}",
        "",
        f"items {int(totals['items'])}, priced {int(totals['priced_items'])}, "
        f"market value {_usd(totals['market_value'])}, offer value {_usd(totals['offer_value'])}, "
        f"payout ratio {_pct(totals['payout_ratio'])} "
        f"(median {_pct(totals['median_payout_ratio'])})",
        *_anomaly_lines(df),
        "",
        "By account",
        _table(per_account[columns]),
        "",
        "By exterior",
        _table(per_exterior[[*columns, "median_payout_ratio", "mean_wear"]]),
    ]
    errors = df.assetpay.errors
    if len(errors):
        lines += ["", "Accounts that failed", errors[_ERROR_SHOWN].to_string(index=False)]
    return "\n".join(lines)


def _cmd_report(args: argparse.Namespace) -> int:
    df = _load(args)
    print(_report(df))
    if args.chart:
        from . import plots

        figure = plots.pricing_review(df)
        plots.save_figure(figure, args.chart, dpi=args.dpi)
        print(f"\nreview figure saved to {args.chart}")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .parquet import write_parquet

    suffix = args.out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise SystemExit(f"error: --out must end in .parquet or .csv, not {suffix or 'nothing'}")
    df = _load(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        write_parquet(df, args.out)
    else:
        df.drop(columns=["stickers"]).to_csv(args.out, index=False)
    print(f"{len(df)} items from {df['steam_id'].nunique()} account(s) written to {args.out}")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from . import sandbox

    sandbox.run(args.port, verified=not args.unverified)
    return 0


_COMMANDS = {"report": _cmd_report, "fetch": _cmd_fetch, "sandbox": _cmd_sandbox}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples
    --------
    >>> main(["sandbox", "--help"])  # doctest: +SKIP
    """
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except AssetPayError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
