"""The command line's checks, all made before anything is fetched.

``Parser`` reports argparse's usage errors on one line. The argparse ``type=``
functions (``game``, ``dpi``, ``port``, ``out_path``, ``chart_path``) turn a bad value
into a usage error naming the option; the output paths are probed without creating
anything (``unwritable``); ``check_source`` checks the accounts and source options and
validates every trade URL (``check_trade_urls``). A usage error is a ``UsageError``:
exit status 2, one ``error: ...`` line on stderr, never a traceback. Nothing here
imports pandas, so these checks answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from ..constants import API_KEY_ENV, GAME_CS2, GAME_RUST, GAMES
from ..errors import InvalidTradeUrl
from ..redact import mask
from ..tradeurl import TradeUrl

__all__ = [
    "CHART_SUFFIXES",
    "DPI_RANGE",
    "GAME_NAMES",
    "OUT_SUFFIXES",
    "Parser",
    "UsageError",
    "chart_path",
    "check_source",
    "check_trade_urls",
    "dpi",
    "failures_path",
    "game",
    "games_help",
    "one_line",
    "out_path",
    "port",
    "unwritable",
    "usage_error",
]

#: What ``--game`` accepts (lower-cased) -> the app id the API is sent.
GAME_NAMES = {"cs2": GAME_CS2, GAME_CS2: GAME_CS2, "rust": GAME_RUST, GAME_RUST: GAME_RUST}
#: The figure formats ``--chart`` writes (``plots.save_figure``).
CHART_SUFFIXES = (".png", ".svg", ".pdf")
#: The table formats ``fetch --out`` writes.
OUT_SUFFIXES = (".parquet", ".csv", ".xlsx")
#: ``--dpi`` bounds, inclusive.
DPI_RANGE = (10, 2400)


class UsageError(SystemExit):
    """A usage error: exit status 2, ``str()`` is the message (already printed)."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def one_line(text: object) -> str:
    """``text`` on one line (inner line breaks and runs of spaces become one space)."""
    return " ".join(str(text).split())


def usage_error(message: str) -> NoReturn:
    """Print ``error: <message>`` on one line of stderr and exit with status 2."""
    message = one_line(message)
    print(f"error: {message}", file=sys.stderr)
    raise UsageError(message)


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one ``error: ...`` line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print the usage error on one line of stderr and exit with status 2."""
        usage_error(f"{message} (see '{self.prog} --help')")


def game(value: str) -> str:
    """``--game``: ``cs2``/``rust`` (any case) or the app ids ``730``/``252490``."""
    app_id = GAME_NAMES.get(value.strip().lower())
    if app_id is None:
        known = ", ".join(f"{name} or {app}" for app, name in _short_names().items())
        raise argparse.ArgumentTypeError(f"unknown game {value!r}: use {known}")
    return app_id


def _short_names() -> dict[str, str]:
    return {GAME_CS2: "cs2", GAME_RUST: "rust"}


def games_help() -> str:
    """The lines of the help that say which game is which app id."""
    return "\n".join(
        f"  {_short_names()[app]:<5} = app id {app:<7} {name}" for app, name in GAMES.items()
    )


def _whole(value: str, what: str, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise argparse.ArgumentTypeError(
            f"{what} must be a whole number from {low} to {high}, got {value!r}"
        )
    return number


def dpi(value: str) -> int:
    """``--dpi``: a whole number in ``DPI_RANGE``."""
    return _whole(value, "the resolution", *DPI_RANGE)


def as_of(value: str) -> date:
    """``sandbox --as-of``: a day, from the demo data's (2026-06-01) on."""
    from ..sandbox.aging import as_of_date  # the sandbox's own check, loaded only when asked

    try:
        day = as_of_date(value.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    assert day is not None
    return day


def port(value: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    return _whole(value, "the port", 0, 65535)


def per_minute(value: str) -> int:
    """``--requests-per-minute``: the merchant's limit, 1 or more."""
    return _whole(value, "the requests per minute", 1, 10**9)


def _nearest_existing(path: Path) -> Path:
    for parent in path.parents:
        try:
            if parent.exists():
                return parent
        except OSError:
            continue
    return Path(path.anchor or ".")


def unwritable(path: Path) -> str | None:
    """Why a file cannot be written at ``path``, or None when it can.

    Nothing is left behind: a missing parent folder is not created (the commands create
    it when they write), the nearest existing folder is probed with a temporary file that
    is removed at once, and an existing file is opened for appending, not truncated.
    """
    path = path.absolute()
    try:
        if path.is_dir():
            return f"{path} is a folder, not a file"
        if path.exists():
            if not path.is_file():
                return f"{path} is not a regular file"
            with path.open("ab"):
                return None
        folder = _nearest_existing(path)
        if not folder.is_dir():
            return f"{folder} is a file, not a folder"
    except OSError as err:
        return f"cannot write {path}: {err.strerror or err}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to create files in {folder}"
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".assetpay-check-")
    except OSError as err:
        return f"cannot create files in {folder}: {err.strerror or err}"
    os.close(handle)
    os.unlink(probe)
    return None


def _output(value: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(value).expanduser()
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        allowed = ", ".join(suffixes[:-1]) + " or " + suffixes[-1]
        raise argparse.ArgumentTypeError(f"must end in {allowed}, not {suffix or repr(value)}")
    problem = unwritable(path)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return path


def out_path(value: str) -> Path:
    """``fetch --out``, ``prices --out``: a ``.parquet``, ``.csv`` or ``.xlsx`` file."""
    return _output(value, OUT_SUFFIXES)


def failures_path(value: str) -> Path:
    """``--failures``: a ``.csv`` file that can be written (the full failure table)."""
    return _output(value, (".csv",))


def store_path(value: str) -> Path:
    """``fetch --snapshot``: a history store, a folder that is not a file."""
    path = Path(value).expanduser()
    if path.is_file() or path.suffix.lower() in (*OUT_SUFFIXES, *CHART_SUFFIXES):
        raise argparse.ArgumentTypeError(
            f"{_shown(value)} must be a folder for the history store, not a file"
        )
    return path


def out_dir(value: str) -> Path:
    """``report --out``: a folder for the review document (made if missing)."""
    path = Path(value).expanduser()
    if path.is_file():
        raise argparse.ArgumentTypeError(f"{_shown(value)} is a file, not a folder")
    # the document is written into a folder beside ``path`` and swapped in: the parent must
    # take new files (nothing inside ``path`` is opened: a planted symlink is never followed)
    problem = unwritable(path.absolute().with_name(f".{path.name or 'out'}.assetpay-probe"))
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return path


def day(value: str) -> date:
    """``report --since``: a day, YYYY-MM-DD."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a day as YYYY-MM-DD, got {value!r}") from None


def chart_path(value: str) -> Path:
    """``report --chart``: a ``.png``, ``.svg`` or ``.pdf`` file that can be written."""
    return _output(value, CHART_SUFFIXES)


def _shown(argument: str, width: int = 90) -> str:
    """An argument as it may be echoed: its token masked, shortened to ``width``."""
    masked = mask(one_line(argument))
    return masked if len(masked) <= width else masked[: width - 1] + "…"


def check_trade_urls(urls: Sequence[str]) -> None:
    """Every TRADE_URL argument parsed; the first invalid one is a usage error naming it."""
    wrong: list[tuple[int, InvalidTradeUrl]] = []
    for position, url in enumerate(urls, start=1):
        try:
            TradeUrl.parse(url)
        except InvalidTradeUrl as err:
            wrong.append((position, err))
    if not wrong:
        return
    first, problem = wrong[0]
    others = ", ".join(f"#{n}" for n, _ in wrong[1:])
    also = f" (also invalid: TRADE_URL {others})" if others else ""
    usage_error(f"TRADE_URL #{first} {_shown(urls[first - 1])!r}: {problem.message}{also}")


def _api_key() -> str:
    """The key in the environment (blank: none), read here only to say it is missing."""
    return os.environ.get(API_KEY_ENV, "").strip()


def check_source(args: argparse.Namespace, *, accounts: bool = True) -> None:
    """The accounts and source options of a command, checked before anything starts.

    ``accounts=False`` for a command that takes no trade URL (``prices``).
    """
    args.trade_urls = [*getattr(args, "trade_urls", []), *(getattr(args, "file", None) or [])]
    if getattr(args, "formats", None) is not None and not getattr(args, "out", None):
        usage_error("--formats picks the document's chart files: add --out DIR")
    if getattr(args, "since", None) and not getattr(args, "store", None):
        usage_error("--since picks the payout trend of a history store: add --store STORE")
    if accounts and not args.sandbox and not args.trade_urls:
        usage_error("give at least one TRADE_URL (or --sandbox for the demo)")
    if args.sandbox and args.offline:
        usage_error("--offline reads the cache of real API runs: drop --sandbox")
    if args.as_of is not None and not args.sandbox:
        usage_error("--as-of dates the sandbox's demo data: add --sandbox")
    if args.sandbox and args.base_url is not None:
        usage_error(
            "--sandbox starts its own server on 127.0.0.1: drop --base-url (or drop "
            "--sandbox to talk to the API at --base-url)"
        )
    if args.offline and args.refresh:
        usage_error("--offline and --refresh contradict each other: choose one")
    check_trade_urls(args.trade_urls)
    if not args.sandbox and not _api_key():
        usage_error(
            f"no api key: set {API_KEY_ENV}=<your merchant key>, or add --sandbox to try "
            "the demo accounts without one"
        )
