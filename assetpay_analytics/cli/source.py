"""Where a command's data comes from and goes: the client (real API or a sandbox), files.

``client`` yields the client and the trade URLs a command uses: the real API with the key
in ``ASSETPAY_API_KEY``, or a sandbox started for the run (its demo accounts by default,
a throwaway cache). ``write_table`` writes a frame as Parquet, a workbook or CSV; text cells
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage
return first) are written with a leading ``'`` (in a workbook, as text with Excel's quote
prefix): names come from the API, untrusted.
``cannot_write`` reports an output that failed after the fetch.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..constants import DEFAULT_BASE_URL
from . import checks

if TYPE_CHECKING:
    import pandas as pd

    from ..client import AssetPayClient

__all__ = ["cannot_write", "client", "write_table"]


@contextmanager
def client(
    args: argparse.Namespace, *, every_account: bool = False
) -> Iterator[tuple[AssetPayClient, list[str]]]:
    """The client and the trade URLs to use: the real API, or a sandbox started here.

    With the sandbox and no trade URL given, its normal demo accounts; with
    ``every_account``, its special ones too (private, banned... for screening).
    """
    from .. import sandbox
    from ..client import AssetPayClient

    urls = list(getattr(args, "trade_urls", None) or [])
    if not args.sandbox:
        made = AssetPayClient(base_url=args.base_url or DEFAULT_BASE_URL, offline=args.offline,
                              requests_per_minute=args.requests_per_minute)  # fmt: skip
        # Closed only after a batch that returned: one stopped by a wrong key or Ctrl-C may
        # leave requests in flight in its threads, and closing the session's sqlite cache
        # under them crashes the process (the threads finish before the process exits).
        yield made, urls
        made.close()
        return
    with sandbox.serve(as_of=args.as_of) as box, tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        with AssetPayClient(api_key=box.api_key, base_url=box.url, cache=cache) as made:
            demo = [a.trade_url for a in box.accounts.values()] if every_account else box.trade_urls
            yield made, urls or list(demo)


def write_table(df: pd.DataFrame, out: Path, *, source: str = "AssetPay Merchant API") -> None:
    """``df`` as Parquet (``frame.write_parquet`` for inventories), a workbook
    (``frame.write_excel``, ``source`` in its first row) or CSV (formula-safe)."""
    from ..frame.cells import csv_safe
    from ..frame.parquet import write_parquet
    from ..frame.schema import SCHEMA

    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        from ..frame.excel import write_excel

        write_excel(df, out, source=source)
    elif out.suffix.lower() == ".parquet":
        if set(SCHEMA) <= set(df.columns):
            write_parquet(df, out)
        else:
            df.to_parquet(out, index=False)
    else:
        plain = df.drop(columns=[c for c in ("stickers",) if c in df.columns])
        csv_safe(plain).to_csv(out, index=False)


def cannot_write(path: Path, err: OSError) -> int:
    """One ``error:`` line for an output that could not be written after the fetch: 1."""
    print(f"error: cannot write {path}: {checks.one_line(err.strerror or err)}", file=sys.stderr)
    return 1  # after the fetch: the accounts are in the cache, a re-run is quick
