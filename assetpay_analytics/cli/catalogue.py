"""The ``prices`` and ``screen`` commands: AssetPay's price book, and which accounts can be read.

::

    assetpay-analytics prices --sandbox --out book.parquet      # the CS2 book (or .csv)
    assetpay-analytics prices --game rust --out rust-book.csv
    assetpay-analytics screen --sandbox                         # every demo account
    assetpay-analytics screen URL [URL ...] --file urls.txt

``prices`` prints the book's size and AssetPay's spread by exterior (CS2) and writes the
frame; ``screen`` prints one line per account (state, trade hold, bans, message) and exits
1 when any account cannot be read (InventoryPrivate, TradeUrlInvalid, UserNotFound,
Banned) or could not be checked. pandas and the client load inside the commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..constants import UNREADABLE_STATES
from ..errors import AssetPayError, AuthenticationError
from ..redact import mask
from . import checks, failures, source
from . import text as fmt

if TYPE_CHECKING:
    import pandas as pd

    from ..client import AssetPayClient

__all__ = ["add_commands", "book_for", "book_report", "cmd_prices", "cmd_screen"]

_SCREEN_COLUMNS = ("state_name", "can_trade", "escrow_days", "vac_banned", "game_bans",
                   "economy_ban", "message")  # fmt: skip


def add_commands(commands: Any, add_source: Any, epilog: Any, style: dict[str, Any]) -> None:
    """Add ``prices`` and ``screen`` to the parser's sub-commands."""
    prices = commands.add_parser("prices", help="fetch AssetPay's price book into a file",
                                 epilog=epilog("prices"), **style)  # fmt: skip
    add_source(prices, accounts=False)
    prices.add_argument("--out", type=checks.out_path, required=True, metavar="FILE",
                        help="output file (.parquet, .csv or .xlsx)")  # fmt: skip
    screen = commands.add_parser("screen", help="check which accounts can be read",
                                 epilog=epilog("screen"), **style)  # fmt: skip
    add_source(screen)
    screen.add_argument(
        "--force-refresh", action="store_true",
        help="ask AssetPay for a fresh check (and bypass the disk cache)",
    )  # fmt: skip


def _failed_call(err: AssetPayError) -> int:
    if isinstance(err, AuthenticationError):
        raise err  # the key: main reports it with status 2
    print(f"error: {checks.one_line(mask(str(err)))}", file=sys.stderr)
    return 1


def _book_lines(book: pd.DataFrame, game: str) -> list[str]:
    from .. import analysis
    from ..constants import GAME_RUST

    entries = book[book["phase"].isna()]
    accepted = int(entries["accepted"].fillna(False).sum())
    lines = [
        f"price book, game {game}: {len(entries)} entries ({accepted} accepted), "
        f"{len(book) - len(entries)} phase rows{_source(book)}",
    ]
    if game != GAME_RUST and len(entries):
        table = analysis.catalogue_spread(book, by="exterior")
        lines += ["", "Deposit against standard withdraw, by exterior", fmt.table(table)]
    return lines


def _source(book: pd.DataFrame) -> str:
    return " (from the cache)" if book.attrs.get("from_cache") else ""


def cmd_prices(args: argparse.Namespace) -> int:
    """``prices``: the book written to ``--out``; 1 when it could not be fetched or written."""
    checks.check_source(args, accounts=False)
    with source.client(args) as (client, _):
        try:
            book = client.prices(args.game, refresh=args.refresh)
        except AssetPayError as err:
            return _failed_call(err)
    print("\n".join(_book_lines(book, args.game)))
    try:
        source.write_table(book, args.out)
    except OSError as err:
        return source.cannot_write(args.out, err)
    print(f"\n{len(book)} rows written to {args.out}")
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    """``screen``: one line per account; 1 when any cannot be read or was not checked."""
    checks.check_source(args)
    with source.client(args, every_account=True) as (client, urls):
        df = client.check_trade_urls(
            urls, force_refresh=args.force_refresh, progress=not args.no_progress
        )
    failures.share_records(df)
    shown = df.set_index(df["steam_id"].fillna("(invalid)").rename("account"))
    print(fmt.table(shown[list(_SCREEN_COLUMNS)]))
    unreadable = int(df["state_name"].isin(UNREADABLE_STATES).sum())
    errors = df.assetpay.errors
    if len(errors):
        print("\n".join(["", "Accounts not checked", *failures.failure_lines(errors, args)]))
    if unreadable or len(errors):
        print(f"error: {unreadable} account(s) cannot be read, {len(errors)} not checked "
              f"(of {len(df)})", file=sys.stderr)  # fmt: skip
        return 1
    return 0


def book_for(client: AssetPayClient, args: argparse.Namespace) -> pd.DataFrame | None:
    """``report --prices``: the game's price book, or None (said on stderr) if it failed."""
    try:
        return client.prices(args.game, refresh=args.refresh)
    except AssetPayError as err:
        _failed_call(err)
        return None


def book_report(df: pd.DataFrame, book: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """The report's "Price book" lines: coverage, the spread, the offers off the book."""
    from ..report.book import book_tables

    tables = book_tables(df, book, labels)
    coverage = tables["book_coverage"]["value"]
    lines = [
        f"Price book: {int(coverage['entries'])} entries "
        f"({fmt.pct(coverage['accepted_share'])} accepted); "
        f"{int(coverage['items_in_book'])} of {int(coverage['items'])} items are in it, "
        f"{int(coverage['off_book_items'])} offer(s) differ from its deposit",
    ]
    if "book_by_exterior" in tables:
        lines += ["", "Deposit against standard withdraw, by exterior",
                  fmt.table(tables["book_by_exterior"])]  # fmt: skip
    off = tables["book_off_book"]
    if len(off):
        lines += ["", "Offers that differ from the book (largest first)", fmt.table(off.head(10))]
    return "\n".join(lines)
