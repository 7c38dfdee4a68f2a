"""Where and when a frame's data is from, in the words every output uses.

``data_time`` is the data's time (``attrs["updated_at"]``) as people read it, and
``about`` the one line naming the source and that time: the charts' footer
(``plots.footer``), the workbooks' first row (``frame.excel``) and the command line all
say it the same way, from here. No matplotlib, so a text command stays light.
"""

from __future__ import annotations

import pandas as pd

from .coerce import to_timestamp

__all__ = ["about", "data_time"]


def data_time(df: pd.DataFrame) -> str | None:
    """When the data is from (``attrs["updated_at"]``) as ``YYYY-MM-DD HH:MM UTC``, or None.

    Examples
    --------
    >>> df = pd.DataFrame()
    >>> df.attrs["updated_at"] = "2026-06-01T09:30:00Z"
    >>> data_time(df)
    '2026-06-01 09:30 UTC'
    """
    stamp = to_timestamp(df.attrs.get("updated_at"))
    return None if stamp is None else f"{stamp:%Y-%m-%d %H:%M} UTC"


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
