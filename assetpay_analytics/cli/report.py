"""``report --out DIR``: the pricing-review document from the command line's options.

The options (``add_document_args``), the account labels (the sandbox's names, then a
``--labels`` CSV), the history for the drift section (``--store``: the latest snapshot
of the game and the payout trend, from ``--since``), and ``report.write_report``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from . import checks

if TYPE_CHECKING:  # pandas is imported by the commands that fetch, not by --help
    import pandas as pd

__all__ = ["add_document_args", "labels_of", "source_of", "write_document"]


def add_document_args(report: argparse.ArgumentParser) -> None:
    """``--out``, ``--labels``, ``--store`` and ``--since`` on the ``report`` command."""
    report.add_argument("--out", type=checks.out_dir, metavar="DIR",
                        help="also write the review document there: report.html, charts "
                             "(PNG, SVG, one PDF) and tables (CSV)")  # fmt: skip
    report.add_argument("--labels", type=checks.labels_file, metavar="CSV",
                        help="account names: rows of steam_id,label")  # fmt: skip
    report.add_argument("--store", type=checks.store_path, metavar="STORE",
                        help="a history store (fetch --snapshot): the drift section")  # fmt: skip
    report.add_argument("--since", type=checks.day, metavar="DATE",
                        help="with --store: the payout trend from this YYYY-MM-DD")  # fmt: skip


def source_of(args: argparse.Namespace) -> str:
    """What the charts and the document name as the data's source."""
    return "AssetPay sandbox (demo data)" if args.sandbox else "AssetPay Merchant API"


def labels_of(args: argparse.Namespace) -> dict[str, str]:
    """Account names: the sandbox's demo names, then those of ``--labels``."""
    from ..sandbox import LABELS

    return {**(LABELS if args.sandbox else {}), **(args.labels or {})}


def write_document(
    args: argparse.Namespace, df: pd.DataFrame, book: pd.DataFrame | None = None
) -> int:
    """Write the document into ``args.out`` (a "Price book" section with ``book``); 0, or 1
    when it cannot be written."""
    from ..report import write_report

    labels = labels_of(args)
    previous, trend = _history(args, df)
    try:
        files = write_report(df, args.out, labels=labels, source=source_of(args),
                             previous=previous, trend=trend, prices=book)  # fmt: skip
    except OSError as err:
        print(f"error: cannot write {args.out}: {checks.one_line(err.strerror or err)}",
              file=sys.stderr)  # fmt: skip
        return 1
    print(f"\nreview document written to {files.html} ({len(files.charts) // 2} charts, "
          f"{files.pdf.name}, {len(files.tables)} tables)")  # fmt: skip
    return 0


def _history(args: argparse.Namespace, df: pd.DataFrame) -> tuple[pd.DataFrame | None, ...]:
    """The store's latest snapshot of the game and its payout trend, or (None, None)."""
    if args.store is None:
        return None, None
    from ..history import SnapshotStore

    store, game = SnapshotStore(args.store), str(df.attrs.get("game"))
    if store.snapshots(game).empty:
        print(f"\nno snapshot of game {game} in {args.store} yet: no drift section")
        return None, None
    return store.latest(game), store.payout_trend(game=game, since=args.since)
