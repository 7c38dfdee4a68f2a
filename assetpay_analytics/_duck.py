"""DuckDB over a snapshot store, in place: the view ``items`` and one query.

Kept apart from ``history`` because duckdb is optional (the ``[history]`` extra):
importing this module is what needs it. DuckDB reads the hive-partitioned Parquet
files directly (out-of-core, only the columns and row groups a query needs), so a
history larger than memory is queried without loading it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["run_query"]

_MISSING = (
    'store.query needs duckdb: pip install "assetpay-analytics[history]" (or pip install duckdb)'
)


def run_query(root: Path, glob: str, sql: str) -> pd.DataFrame:
    """Run ``sql`` with a view ``items`` over ``root/glob``; the result as a DataFrame.

    The partition keys come back typed: ``game`` as text (``"730"``, not a number)
    and ``date`` as a date.
    """
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - the test extra installs duckdb
        raise ImportError(_MISSING) from exc
    pattern = str(root / glob).replace("'", "''")
    with duckdb.connect() as con:
        con.execute(
            "CREATE VIEW items AS SELECT * FROM read_parquet("
            f"'{pattern}', hive_partitioning = true, union_by_name = true, "
            "hive_types = {'game': VARCHAR, 'date': DATE})"
        )
        result: pd.DataFrame = con.sql(sql).df()
    return result
