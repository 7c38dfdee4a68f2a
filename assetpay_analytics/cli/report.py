"""``report --out DIR``: the pricing-review document from the command line's options.

The options (``add_document_args``), the account labels (the sandbox's names, then a
``--labels`` CSV, read by ``inputs.labels_file``; masked, so a label holding a trade URL
never shows its token), the history for the drift section (``--store``: the latest snapshot
of the game and the payout trend, from ``--since``), and ``report.write_report``.

A store holding foreign or damaged files still gives its drift section from the good
snapshots: each skipped file is one ``warning: ...`` line on stderr. A store that cannot
be read at all is one ``error: ...`` line naming it, and status 1 (no document).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TYPE_CHECKING

from ..redact import mask
from . import checks, inputs

if TYPE_CHECKING:  # pandas is imported by the commands that fetch, not by --help
    import pandas as pd

__all__ = ["add_document_args", "chart_formats", "labels_of", "source_of", "write_document"]


#: The chart formats ``--formats`` takes, and its default (as ``write_report``'s).
CHART_FORMATS, DEFAULT_FORMATS = ("png", "svg", "pdf"), "png,pdf"


def add_document_args(report: argparse.ArgumentParser) -> None:
    """``--out``, ``--formats``, ``--labels``, ``--store`` and ``--since`` on ``report``."""
    report.add_argument("--out", type=checks.out_dir, metavar="DIR",
                        help="also write the review document there (replacing a previous "
                             "one once the new one is complete): report.html, charts and "
                             "tables (CSV)")  # fmt: skip
    report.add_argument("--formats", type=chart_formats, metavar="LIST",
                        help="with --out: the chart files, comma-separated among png, svg "
                             "and pdf (one PDF: the tables, then a page per chart; "
                             f"default {DEFAULT_FORMATS})"
                        )  # fmt: skip
    report.add_argument("--labels", type=inputs.labels_file, metavar="CSV",
                        help="account names: rows of steam_id,label")  # fmt: skip
    report.add_argument("--store", type=checks.store_path, metavar="STORE",
                        help="a history store (fetch --snapshot): the drift section")  # fmt: skip
    report.add_argument("--since", type=checks.day, metavar="DATE",
                        help="with --store: the payout trend from this YYYY-MM-DD")  # fmt: skip


def chart_formats(text: str) -> tuple[str, ...]:
    """``--formats``: ``png,svg,pdf`` or part of it, checked (without loading matplotlib).

    Examples
    --------
    >>> chart_formats("PDF, png")
    ('png', 'pdf')
    """
    names = {name.strip().lower() for name in text.split(",")} - {""}
    unknown = sorted(names - set(CHART_FORMATS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"{unknown[0]!r} is not a chart format: choose from {', '.join(CHART_FORMATS)}"
        )
    if not names:
        raise argparse.ArgumentTypeError(f"name a chart format: {', '.join(CHART_FORMATS)}")
    return tuple(name for name in CHART_FORMATS if name in names)


def source_of(args: argparse.Namespace) -> str:
    """What the charts and the document name as the data's source."""
    return "AssetPay sandbox (demo data)" if args.sandbox else "AssetPay Merchant API"


def labels_of(args: argparse.Namespace) -> dict[str, str]:
    """Account names: the sandbox's demo names, then those of ``--labels``, each masked.

    Every label the report prints, draws or writes comes from here: ``inputs.labels_file``
    masks them as it reads them, and they are masked again so that no other source of
    labels can bring a trade token in.
    """
    from ..sandbox import LABELS

    labels = {**(LABELS if args.sandbox else {}), **(args.labels or {})}
    return {steam_id: mask(checks.one_line(label)) for steam_id, label in labels.items()}


def write_document(
    args: argparse.Namespace, df: pd.DataFrame, book: pd.DataFrame | None = None
) -> int:
    """Write the document into ``args.out`` (a "Price book" section with ``book``); 0, or 1
    when it cannot be written."""
    from ..report import write_report

    labels = labels_of(args)
    history = _history(args, df)
    if history is None:
        return 1
    previous, trend = history
    try:
        files = write_report(df, args.out, labels=labels, source=source_of(args),
                             previous=previous, trend=trend, prices=book,
                             formats=args.formats or chart_formats(DEFAULT_FORMATS))  # fmt: skip
    except OSError as err:
        print(f"error: cannot write {args.out}: {checks.one_line(err.strerror or err)}",
              file=sys.stderr)  # fmt: skip
        return 1
    charts = len({path.stem for path in files.charts} or files.charts)
    pdf = f", {files.pdf.name}" if files.pdf is not None else ""
    print(f"\nreview document written to {files.html} ({charts} charts{pdf}, "
          f"{len(files.tables)} tables)")  # fmt: skip
    return 0


def _history(
    args: argparse.Namespace, df: pd.DataFrame
) -> tuple[pd.DataFrame | None, pd.DataFrame | None] | None:
    """The store's latest snapshot of the game and its payout trend, (None, None) without
    a store or a snapshot, or None (said in one ``error:`` line) when it cannot be read."""
    if args.store is None:
        return None, None
    from ..history import SnapshotWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SnapshotWarning)
        try:
            found = _read_history(args, df)
        except (OSError, ValueError, LookupError) as err:
            print(f"error: cannot read the history store {args.store}: {checks.one_line(err)}",
                  file=sys.stderr)  # fmt: skip
            found = None
    for warning in caught:  # each skipped file on one line; any other warning as it was
        if issubclass(warning.category, SnapshotWarning):
            print(f"warning: {checks.one_line(warning.message)}", file=sys.stderr)
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)  # fmt: skip
    return found


def _read_history(
    args: argparse.Namespace, df: pd.DataFrame
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    from ..history import SnapshotStore

    store, game = SnapshotStore(args.store), str(df.attrs.get("game"))
    if store.snapshots(game).empty:
        print(f"\nno snapshot of game {game} in {args.store} yet: no drift section")
        return None, None
    return store.latest(game), store.payout_trend(game=game, since=args.since)
