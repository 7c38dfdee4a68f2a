"""DuckDB over a snapshot store, in place: the views ``items`` and ``prices``, the trend's sums.

Kept apart from ``history`` because duckdb is optional (the ``[history]`` extra):
importing this module is what needs it. DuckDB reads the hive-partitioned Parquet
files directly (out-of-core, only the columns and row groups a query needs), so a
history larger than memory is queried without loading it. DuckDB is always given the
store's list of snapshot files (``files.Scan``), never a pattern: it reads what
``snapshots()`` lists, nothing else.

A file whose footer reads but whose rows do not (a data page overwritten) passes the
store's scan and fails only here: a query that fails while reading is checked file by
file (those DuckDB's error names first, else all it was given), and the files that
cannot be read are raised as ``DamagedFiles`` for the store to skip and report. Any
other error (the SQL's own) propagates as DuckDB raised it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..frame.schema import SCHEMA

__all__ = ["DamagedFiles", "run_query", "trend_sums_sql"]

_MISSING = (
    'store.query needs duckdb: pip install "assetpay-analytics[history]" (or pip install duckdb)'
)
#: The rows ``analysis.priced`` keeps, in SQL.
_PRICED = "(market_price > 0 AND offer_price IS NOT NULL AND COALESCE(offer_accepted, TRUE))"


class DamagedFiles(Exception):
    """Files whose rows DuckDB cannot read (their footers read): skip them and run again.

    Parameters
    ----------
    files : mapping of Path to Exception
        Each damaged file and why (DuckDB's error, its path shortened to its name).
    """

    def __init__(self, files: Mapping[Path, Exception]) -> None:
        self.files = dict(files)
        super().__init__("; ".join(f"{path}: {err}" for path, err in self.files.items()))


def run_query(views: Mapping[str, Sequence[Path]], sql: str) -> pd.DataFrame:
    """Run ``sql`` with a view per name of ``views`` over exactly its files; a frame back.

    The partition keys come back typed: ``game`` as text (``"730"``, not a number)
    and ``date`` as a date. Each path is taken literally (DuckDB would read a folder
    ``team[1]`` as a pattern matching ``team1``): no pattern is ever expanded.

    Raises
    ------
    DamagedFiles
        The query failed reading files whose rows cannot be read.
    """
    try:
        with _connect() as con:
            for name, files in views.items():
                _view(con, [_literal(str(path)) for path in files], name=name)
            result: pd.DataFrame = con.sql(sql).df()
    except Exception as err:
        _raise_damaged(err, (path for files in views.values() for path in files))
        raise
    return result


def _literal(path: str) -> str:
    """``path`` as a DuckDB glob matching itself only (each wildcard in brackets)."""
    return "".join(f"[{char}]" if char in "*?[" else char for char in path)


def trend_sums_sql(files: Sequence[Path], by: str | None, *, dated: bool = True) -> pd.DataFrame:
    """``_drift.trend_sums`` computed by DuckDB over ``files``: per snapshot and group,
    the sums of offer and market price over the priced rows.

    ``dated``: some file has the ``as_of`` column (the data's time, written since
    snapshots are dated by their data); older files' rows count at their ``taken_at``.

    Only these sums (snapshots x groups rows) reach pandas, whatever the history's size.
    """
    group = "'all'" if by is None else _as_text(by)
    where = "" if by is None else f'WHERE "{by}" IS NOT NULL'
    sql = (
        f"SELECT {'COALESCE(as_of, taken_at)' if dated else 'taken_at'} AS taken_at, "
        f'{group} AS "group", '
        f"SUM(CASE WHEN {_PRICED} THEN offer_price ELSE 0 END)::DOUBLE AS offer, "
        f"SUM(CASE WHEN {_PRICED} THEN market_price ELSE 0 END)::DOUBLE AS market "
        f"FROM items {where} GROUP BY ALL ORDER BY ALL"
    )
    columns = ["taken_at", "group", "offer", "market"]
    if not files:
        return pd.DataFrame({name: pd.Series(dtype=_EMPTY[name]) for name in columns})
    try:
        with _connect() as con:
            _view(con, [_literal(str(path)) for path in files])
            result: pd.DataFrame = con.sql(sql).df()
    except Exception as err:
        _raise_damaged(err, files)
        raise
    return result[columns]


_EMPTY = {
    "taken_at": "datetime64[us, UTC]",
    "group": "string",
    "offer": "float64",
    "market": "float64",
}


def _as_text(column: str) -> str:
    """The column as pandas' ``astype("string")`` spells it (booleans as True/False)."""
    if column not in SCHEMA:
        raise ValueError(f"no column {column!r} in an inventory frame")
    if str(SCHEMA[column]) in ("bool", "boolean"):
        return f"CASE WHEN \"{column}\" THEN 'True' WHEN NOT \"{column}\" THEN 'False' END"
    return f'CAST("{column}" AS VARCHAR)'


def _connect() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - the test extra installs duckdb
        raise ImportError(_MISSING) from exc
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _view(con: Any, sources: list[str], name: str = "items") -> None:
    listed = ", ".join("'" + source.replace("'", "''") + "'" for source in sources)
    con.execute(
        f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listed}], "
        "hive_partitioning = true, union_by_name = true, "
        "hive_types = {'game': VARCHAR, 'date': DATE})"
    )


def _raise_damaged(err: BaseException, paths: Iterable[Path]) -> None:
    """Raise ``DamagedFiles`` when DuckDB's ``err`` came from files it cannot read.

    The files ``err`` names are checked; when it names none, every file is, unless
    ``err`` is one a query makes by itself (its SQL, its values, an interrupt).
    Returns (the caller re-raises ``err``) when no file is found damaged.
    """
    duckdb = sys.modules.get("duckdb")
    if duckdb is None or not isinstance(err, duckdb.Error):
        return
    own = (
        duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException,
        duckdb.DataError, duckdb.OutOfMemoryException,
    )  # fmt: skip
    if isinstance(err, duckdb.InterruptException):
        return
    paths = list(paths)
    named = [path for path in paths if str(path) in str(err)]
    suspects = named or ([] if isinstance(err, own) else paths)
    damaged = {path: problem for path in suspects if (problem := _unreadable(path)) is not None}
    if damaged:
        raise DamagedFiles(damaged) from None


def _unreadable(path: Path) -> Exception | None:
    """Why DuckDB cannot read every row of ``path`` (each column decoded), or None."""
    import duckdb

    source = _literal(str(path)).replace("'", "''")
    with _connect() as con:
        try:  # hash() needs every value: each page of each column is decoded
            con.sql(f"SELECT max(hash(COLUMNS(*))) FROM read_parquet('{source}')").fetchall()
        except duckdb.Error as err:
            text = " ".join(str(err).replace(str(path), path.name).split())
            return ValueError(f"DuckDB {type(err).__name__}: {text}")
    return None
