"""Inventory frames on disk as Parquet, read back with the exact schema dtypes.

Frames read here are handed to users, so this module registers the ``df.assetpay``
accessor (by importing ``accessor``), as the client does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import accessor as _accessor  # noqa: F401  (registers df.assetpay)
from .schema import conform

__all__ = ["read_parquet", "write_parquet"]


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write an inventory frame to Parquet (stickers stay an Arrow list column).

    ``attrs`` are not written (Parquet metadata cannot hold the errors frame).

    Parameters
    ----------
    df : DataFrame
        An inventory frame.
    path : str or Path
        The file to write; missing parent directories are created.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from assetpay_analytics.frame import empty_frame
    >>> path = write_parquet(empty_frame(), Path(tempfile.mkdtemp()) / "inv.parquet")
    >>> read_parquet(path).dtypes.equals(empty_frame().dtypes)
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = df.copy()
    plain.attrs = {}
    plain.to_parquet(path, index=False)
    return path


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read a frame written by ``write_parquet`` back with the exact schema dtypes.

    pandas cannot rebuild an Arrow list dtype from its own Parquet metadata, so the
    table is read without it and conformed to ``SCHEMA``.

    Parameters
    ----------
    path : str or Path
        A file written by ``write_parquet``.

    Returns
    -------
    DataFrame
        The inventory frame, dtypes exactly as ``SCHEMA``.
    """
    table = pq.read_table(path)
    return conform(table.to_pandas(ignore_metadata=True, types_mapper=_arrow_lists))


def _arrow_lists(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(arrow_type) if pa.types.is_list(arrow_type) else None
