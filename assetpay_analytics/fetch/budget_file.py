"""The rate budget's sqlite file: where it lives, opening it, when it cannot be trusted.

What lives here: ``BUDGET_FILE`` and ``budget_path`` (beside the cache, or in the default
cache directory), ``connect`` (a damaged file is made anew; one that cannot be used keeps
the budget in this process, with one ``RateBudgetWarning`` naming it), ``open_database``
(WAL, a busy timeout of ``BUSY_PATIENCE``), and the table's SQL. The schedule in it is
``budget``'s; this module only keeps the file usable.
"""

from __future__ import annotations

import sqlite3
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from .cache import CacheLocation, CacheWarning, default_cache_path

__all__ = [
    "BUDGET_FILE",
    "BUSY_PATIENCE",
    "DAMAGED",
    "OPEN_PATIENCE",
    "READ",
    "WRITE",
    "RateBudgetWarning",
    "budget_path",
    "connect",
    "open_database",
    "unusable",
    "warn",
]

#: The budget's file, beside the cache file (or in the default cache directory).
BUDGET_FILE = "rate-budget.sqlite"
#: Seconds opening the budget file waits for another process holding it.
OPEN_PATIENCE = 30.0
#: Seconds a reservation waits for another process holding the file (a reservation holds
#: it for microseconds); past it, the budget is kept in this process.
BUSY_PATIENCE = 5.0


class RateBudgetWarning(CacheWarning):
    """The rate budget's file or rows could not be trusted and were repaired or left."""


SCHEMA = """CREATE TABLE IF NOT EXISTS budget (
    name TEXT PRIMARY KEY, next_slot REAL NOT NULL, paused_until REAL NOT NULL,
    updated REAL NOT NULL)"""
READ = "SELECT next_slot, paused_until, updated FROM budget WHERE name = ?"
WRITE = "INSERT OR REPLACE INTO budget VALUES (?, ?, ?, ?)"
#: sqlite's names for a file that is not a sound database.
DAMAGED = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})


def unusable(path: Path, exc: Exception) -> str:
    return (
        f"The rate budget file {path} cannot be used ({exc}); the budget is kept in this "
        "process only, so other processes using this api key are not counted."
    )


def budget_path(cache: CacheLocation | None) -> Path:
    """Beside the cache file; in the default cache directory when there is no writable one.

    A read-only cache (served from a private copy) or one in memory shares the
    default directory's budget, as does ``cache=None``: the budget belongs to the
    merchant, not to a cache.
    """
    if cache is None or cache.read_only or cache.open_path is None:
        return default_cache_path().with_name(BUDGET_FILE)
    return cache.path.with_name(BUDGET_FILE)


def connect(
    path: Path | None, *, damaged: sqlite3.Error | None = None
) -> tuple[Path | None, sqlite3.Connection]:
    """The budget's database: ``path``, or memory (with a warning) if it cannot be used.

    A file that is not a sound database is replaced (with its ``-wal`` and ``-shm``),
    with a warning: it only held a schedule, which starts afresh.
    """
    if path is None:
        return None, open_database(":memory:")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if damaged is None:
            damaged = _damage(path)
        if damaged is not None:
            warn(f"The rate budget file {path} was damaged ({damaged}); it is made anew.")
            for end in ("", "-wal", "-shm"):
                path.with_name(path.name + end).unlink(missing_ok=True)
        return path, open_database(str(path))
    except (OSError, sqlite3.Error) as exc:
        warn(unusable(path, exc))
        return None, open_database(":memory:")


def _damage(path: Path) -> sqlite3.Error | None:
    """The error that shows ``path`` is not a sound database, else None (it opens)."""
    try:
        open_database(str(path)).close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") in DAMAGED:
            return exc
        raise
    return None


def warn(message: str) -> None:
    # warn, connect, RateBudget, shared_budget, BudgetBook.budget, the client, its caller
    warnings.warn(message, RateBudgetWarning, stacklevel=7)


def open_database(database: str) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
    conn = sqlite3.connect(
        database, timeout=BUSY_PATIENCE, isolation_level=None, check_same_thread=False
    )
    try:
        _patiently(lambda: _prepare(conn))
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    conn.execute("PRAGMA synchronous=NORMAL")  # a lost slot after a power cut is harmless
    conn.execute(SCHEMA)


def _patiently(step: Callable[[], None]) -> None:
    """Run ``step``, again while another connection holds the file, up to ``OPEN_PATIENCE``.

    sqlite's busy timeout does not cover every step of opening: a process that opens the
    file while another is creating it (or switching it to WAL) gets "database is locked"
    at once. Found by two processes starting together (``tests/fetch/test_budget.py``).
    """
    deadline = time.monotonic() + OPEN_PATIENCE
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(0.02)
