"""The failed accounts of a run: a screenful on the terminal, the full table in a CSV file.

Up to ``SCREENFUL`` failures are printed as a table (account, key, request id,
message). Beyond that the table stops after ``SCREENFUL`` rows, a summary counts the
failures by error key, and the full table (account, key, status, request id, message;
every failed account once, in input order) is written to a CSV file, whose path the
printed lines give:

- ``--failures FILE`` when given;
- else ``failures-<YYYYmmdd-HHMMSS>.csv`` beside the output: in the folder of
  ``fetch --out FILE``, in ``report --out DIR``;
- else that name in the current folder (the temporary folder when the current one
  cannot be written).

Its cells are masked (``redact.mask``) and formula-safe (``frame.cells.csv_safe``): they
come from the API and from the user's files, untrusted.

``share_records`` keeps a batch of many failures quick to report: pandas deep-copies a
frame's ``attrs`` into every frame derived from it, and a list of 100,000 failure
records made each of the report's few hundred pandas operations cost seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import checks
from . import text as fmt

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SCREENFUL", "failure_lines", "failures_file", "share_records", "write_failures"]

#: Failures printed at most; beyond, the summary and the CSV file.
SCREENFUL = 20
#: Error keys the summary names at most (keys come from the API: their number is untrusted).
_KEYS_SHOWN = 10
_NO_KEY = "(no key)"


def share_records(df: pd.DataFrame) -> None:
    """Make ``df.attrs``' lists shared, not deep-copied (``frame.records.share_attrs``).

    Frames from the client already share them; this covers a frame built otherwise
    (``pd.read_parquet``, a frame whose ``attrs`` a notebook assigned).

    Parameters
    ----------
    df : DataFrame
        A batch's frame (``client.inventories``, ``check_trade_urls``), changed in place;
        ``df.assetpay.errors`` and the Parquet ``attrs`` read the same records as before.
    """
    from ..frame.records import share_attrs  # pandas: loaded by the commands that need it

    share_attrs(df.attrs)


def failures_file(args: argparse.Namespace | None = None) -> Path:
    """Where the full failure table goes for this run (nothing is created here).

    Parameters
    ----------
    args : argparse.Namespace, optional
        The parsed command line: ``failures``, ``out`` and ``command`` are read; None:
        the current folder.

    Returns
    -------
    Path
        ``--failures``, else ``failures-<timestamp>.csv`` beside ``--out``, else in the
        current folder.
    """
    chosen = getattr(args, "failures", None)
    if chosen is not None:
        return Path(chosen)
    name = f"failures-{datetime.now():%Y%m%d-%H%M%S}.csv"
    out = getattr(args, "out", None)
    if args is None or out is None:
        return Path.cwd() / name
    return (Path(out) if args.command == "report" else Path(out).parent) / name


def _free(path: Path, explicit: bool) -> Path:
    """``path``, or the temporary folder when it cannot be written; numbered if taken."""
    if not explicit and checks.unwritable(path):
        path = Path(tempfile.gettempdir()) / path.name
    if explicit:
        return path
    stem, number = path.stem, 1
    while path.exists():
        number += 1
        path = path.with_name(f"{stem}-{number}.csv")
    return path


def write_failures(
    errors: pd.DataFrame,
    path: Path,
    *,
    explicit: bool = False,
    cells: pd.DataFrame | None = None,
) -> Path:
    """The full failure table, one row per failed account, as a formula-safe CSV.

    Parameters
    ----------
    errors : DataFrame
        ``df.assetpay.errors``.
    path : Path
        Where to write (``failures_file``).
    explicit : bool
        ``path`` was asked for (``--failures``): written there, replacing a file. Else a
        default, moved to the temporary folder when its folder cannot be written, and
        numbered rather than replacing a file.
    cells : DataFrame, optional
        ``text.failure_cells(errors)``, when already made.

    Returns
    -------
    Path
        Where the table was written.

    Raises
    ------
    OSError
        The file could not be written.
    """
    from ..frame.cells import csv_safe

    cells = fmt.failure_cells(errors) if cells is None else cells.copy()
    status = errors["status"] if "status" in errors.columns else None
    cells.insert(2, "status", status)
    path = _free(path, explicit)
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_safe(cells).to_csv(path, index=False)
    return path


def _summary(keys: pd.Series) -> list[str]:
    """The failures counted by error key, most first, at most ``_KEYS_SHOWN`` keys."""
    counts = keys.where(keys != "", _NO_KEY).value_counts()
    shown = counts.head(_KEYS_SHOWN)
    width = max(len(_NO_KEY), *(len(key) for key in shown.index.map(str)))
    lines = ["Failures by key"]
    lines += [f"  {str(key)[:60]:<{min(width, 60)}}  {count:>9,}" for key, count in shown.items()]
    if len(counts) > len(shown):
        rest = counts.iloc[len(shown) :]
        lines.append(f"  ... {len(rest):,} other key(s): {int(rest.sum()):,} account(s)")
    return lines


def failure_lines(errors: pd.DataFrame, args: argparse.Namespace | None = None) -> list[str]:
    """The failed accounts for the terminal: a table of ``SCREENFUL`` rows at most.

    Beyond a screenful: the first rows, how many more, the summary by key, and the line
    naming the CSV file the full table was written to (``write_failures``, at
    ``failures_file(args)``); a file that cannot be written is one ``warning:`` line on
    stderr instead.

    Parameters
    ----------
    errors : DataFrame
        ``df.assetpay.errors``.
    args : argparse.Namespace, optional
        The parsed command line (``--failures``, ``--out``); None: the current folder.

    Returns
    -------
    list of str
        The lines, the table's header first.
    """
    lines = [fmt.failure_table(errors.head(SCREENFUL))]
    if len(errors) <= SCREENFUL:
        return lines
    total = len(errors)
    lines.append(f"... and {total - SCREENFUL:,} more (the first {SCREENFUL} of {total:,} shown)")
    cells = fmt.failure_cells(errors)
    lines += ["", *_summary(cells["key"])]
    path, explicit = failures_file(args), getattr(args, "failures", None) is not None
    try:
        written = write_failures(errors, path, explicit=explicit, cells=cells)
    except OSError as err:
        print(f"warning: cannot write the full failure table to {path}: "
              f"{checks.one_line(err.strerror or err)}", file=sys.stderr)  # fmt: skip
        return lines
    return [*lines, f"the full table of {total:,} failed account(s) is in {written}"]
