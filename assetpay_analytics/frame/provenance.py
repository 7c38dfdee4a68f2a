"""Where and when a frame's data is from, in the words every output uses.

``data_time`` is the data's time (its accounts' ``updated_at``, oldest to newest) as
people read it, and
``about`` the one line naming the source and that time: the charts' footer
(``plots.footer``), the workbooks' first row (``frame.excel``) and the command line all
say it the same way, from here. No matplotlib, so a text command stays light.
"""

from __future__ import annotations

import pandas as pd

from .coerce import to_timestamp

__all__ = ["about", "data_range", "data_time"]


def data_time(df: pd.DataFrame) -> str | None:
    """When the data is from, oldest to newest account, as people read it; None if unknown.

    Each account's ``updated_at`` (when AssetPay last read it from Steam) is a column of
    the frame; a batch spans a range, and a reader should see all of it, not only its
    newest end. ``YYYY-MM-DD HH:MM UTC`` for one time, ``YYYY-MM-DD HH:MM–HH:MM UTC``
    within a day, else both dates. A frame without rows falls back on
    ``attrs["updated_at"]``.

    Examples
    --------
    >>> df = pd.DataFrame({"updated_at": pd.to_datetime(
    ...     ["2026-06-01T09:57Z", "2026-06-01T09:30Z"], utc=True)})
    >>> data_time(df)
    '2026-06-01 09:30–09:57 UTC'
    >>> data_time(df.assign(updated_at=pd.Timestamp("2026-06-01T09:30Z")))
    '2026-06-01 09:30 UTC'
    >>> empty = pd.DataFrame()
    >>> empty.attrs["updated_at"] = "2026-06-01T09:30:00Z"
    >>> data_time(empty)
    '2026-06-01 09:30 UTC'
    """
    oldest, newest = data_range(df)
    if oldest is None or newest is None:
        return None
    if f"{oldest:%Y-%m-%d %H:%M}" == f"{newest:%Y-%m-%d %H:%M}":
        return f"{oldest:%Y-%m-%d %H:%M} UTC"
    if oldest.date() == newest.date():
        return f"{oldest:%Y-%m-%d %H:%M}–{newest:%H:%M} UTC"
    return f"{oldest:%Y-%m-%d %H:%M} – {newest:%Y-%m-%d %H:%M} UTC"


def data_range(df: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The oldest and newest ``updated_at`` of the frame's rows (UTC), else of its attrs.

    Examples
    --------
    >>> data_range(pd.DataFrame())
    (None, None)
    """
    if "updated_at" in df.columns and len(df):
        stamps = pd.to_datetime(df["updated_at"], utc=True, errors="coerce").dropna()
        if len(stamps):
            return stamps.min(), stamps.max()
    stamp = to_timestamp(df.attrs.get("updated_at"))
    return stamp, stamp


def about(df: pd.DataFrame, source: str) -> str:
    """``Source: ... · data as of YYYY-MM-DD HH:MM UTC · made with assetpay-analytics``.

    ``source`` is shown on one line (a line break in it becomes a space).

    Examples
    --------
    >>> about(pd.DataFrame(), "AssetPay sandbox")
    'Source: AssetPay sandbox · data time unknown · made with assetpay-analytics'
    """
    stamp = data_time(df)
    when = "time unknown" if stamp is None else f"as of {stamp}"
    return (
        f"Source: {' '.join(str(source).splitlines())} · data {when} · made with assetpay-analytics"
    )
