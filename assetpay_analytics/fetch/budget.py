"""A merchant's rate budgets: one per rate family, paced evenly, shared by threads and processes.

AssetPay limits requests per merchant (per api key), whoever sends them, and each family
of endpoints has its own limit and window (``RateFamily``; the facts are
``constants.RATE_FAMILIES``: inventory 10,000 a minute, prices 1,000 an hour,
check-tradeurl 100,000 an hour, 100 each when unverified). So a budget is named by the
key's fingerprint and the family, not by a host or a client (``BudgetBook`` makes a key's
budgets), and it lives in a small sqlite file beside the cache (``BUDGET_FILE``): every
client in a process and every process or notebook on the machine that uses the same key
and cache directory paces itself against the same row. sqlite's own write lock
(``BEGIN IMMEDIATE``) makes each reservation atomic across processes; no extra lock file
is needed.

The pacing is a leaky bucket in its "virtual scheduling" form (GCRA): each request
reserves the next free slot, ``interval`` after the one before, with a small ``burst``
allowed when the budget has been idle, and sleeps until its slot. The rate leaves a
margin below the limit (``RATE_MARGIN``, for clock skew and latency jitter between our
slots and the server's window), so at most ``limit * (1 - RATE_MARGIN)`` requests fall
in any window. A 429 pauses the family's budget: its ``Retry-After`` moves every
thread's and process's next slot past the pause. Repeated 429s while this process sends
well below its limit log one line suggesting ``verified=False``.

Why by hand rather than pyrate-limiter's ``SQLiteBucket`` (measured on this 2-core
machine, 32 threads sharing one file-backed budget of 9,783 a minute for 10 s): its
blocking waiters poll the shared log, all waking at the same slot and querying the file
again, and delivered 8,216 a minute (84%) for 1.56 s of CPU; a reservation is one short
transaction per request and no wait but the request's own, and delivered the full pace
for 0.29 s of CPU. pyrate-limiter also has no way to push every waiter past a server's
``Retry-After``.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..constants import RATE_FAMILIES
from .cache import CacheLocation, CacheWarning, default_cache_path

__all__ = [
    "BUDGET_FILE",
    "BudgetBook",
    "BudgetState",
    "Pace",
    "RateBudget",
    "RateFamily",
    "budget_path",
    "shared_budget",
]

logger = logging.getLogger("assetpay_analytics")

#: The budget's file, beside the cache file (or in the default cache directory).
BUDGET_FILE = "rate-budget.sqlite"
#: Share of the limit left unused, for clock skew and latency jitter between our slots
#: and the server's window.
RATE_MARGIN = 0.02
#: Requests allowed back to back after an idle spell: this many seconds' worth, at least 2.
BURST_SECONDS = 0.1
#: How long a 429 without ``Retry-After`` pauses the budget (the API documents no header).
PAUSE_WITHOUT_RETRY_AFTER = 1.0
#: 429s within a minute, while this process sends under ``WELL_BELOW`` of its limit,
#: that make the budget suggest ``verified=False`` (logged once per budget).
REPEATED_429 = 3
WELL_BELOW = 0.5
#: The window the 429s are counted in, and the inventory family's.
_MINUTE = 60.0
#: Seconds opening the budget file waits for another process holding it.
OPEN_PATIENCE = 30.0

_SCHEMA = """CREATE TABLE IF NOT EXISTS budget (
    name TEXT PRIMARY KEY, next_slot REAL NOT NULL, paused_until REAL NOT NULL,
    updated REAL NOT NULL)"""
_READ = "SELECT next_slot, paused_until, updated FROM budget WHERE name = ?"
_WRITE = "INSERT OR REPLACE INTO budget VALUES (?, ?, ?, ?)"
#: sqlite's names for a file that is not a sound database.
_DAMAGED = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})


@dataclass(frozen=True)
class RateFamily:
    """A family of endpoints that share one limit: its name, window and two limits.

    Examples
    --------
    >>> prices = RateFamily.named("prices")
    >>> prices.window, prices.limit(verified=True), prices.limit(verified=False)
    (3600.0, 1000, 100)
    """

    name: str
    window: float
    verified: int
    unverified: int

    @classmethod
    def named(cls, name: str) -> RateFamily:
        """The documented family called ``name`` (``constants.RATE_FAMILIES``)."""
        window, verified, unverified = RATE_FAMILIES[name]
        return cls(name, window, verified, unverified)

    def limit(self, *, verified: bool) -> int:
        """Requests allowed per window for a verified merchant, or an unverified one."""
        return self.verified if verified else self.unverified


@dataclass(frozen=True)
class BudgetState:
    """A budget's shared row: the next free slot and the end of a pause (clock seconds)."""

    next_slot: float
    paused_until: float


#: One change of the shared row: (now, state) -> (new state, what the caller gets back).
_Step = Callable[[float, BudgetState], tuple[BudgetState, float]]


@dataclass(frozen=True)
class Pace:
    """How ``limit`` requests per ``window`` seconds are paced: one every ``interval`` seconds.

    Examples
    --------
    >>> pace = Pace.for_limit(600)
    >>> pace.burst, round(pace.interval, 4), pace.most_per_window
    (2, 0.1024, 588)
    >>> hourly = Pace.for_limit(1000, window=3600)
    >>> hourly.burst, round(hourly.interval, 3), hourly.most_per_window
    (2, 3.681, 980)
    """

    limit: int
    interval: float
    burst: int
    window: float = _MINUTE

    @classmethod
    def for_limit(cls, limit: int, *, window: float = _MINUTE) -> Pace:
        """The pace that keeps any ``window`` under ``limit * (1 - RATE_MARGIN)`` (at least 1)."""
        allowed = max(1, limit - math.ceil(round(limit * RATE_MARGIN, 6)))
        wanted = max(2, math.ceil(limit / window * BURST_SECONDS))
        burst = min(wanted, max(1, allowed // 2))
        slots = allowed - burst  # a full burst, then a window's slots, fill the allowance
        # no slot at all: the next request waits a little over a window
        return cls(limit, window / slots if slots else window * (1 + 1e-6), burst, window)

    @property
    def tolerance(self) -> float:
        """How far ahead of the schedule a request may go (the burst, in seconds)."""
        return (self.burst - 1) * self.interval

    @property
    def most_per_window(self) -> int:
        """The most requests this pace lets into any ``window`` seconds."""
        return self.burst + math.floor(self.window / self.interval + 1e-9)


class RateBudget:
    """One rate family's budget for a merchant: ``acquire()`` before each request that goes out.

    Parameters
    ----------
    path : Path or None
        The sqlite file shared by processes; None keeps the budget in this process.
    name : str
        The row's name: the api key's fingerprint and the family (``BudgetBook``).
    limit : int
        The merchant's limit per ``window``; the budget paces below it (``Pace.for_limit``).
    window : float
        The limit's window in seconds (default 60: a limit per minute).
    clock, sleep : callable
        Wall-clock seconds (shared by processes) and how to wait; tests pass fakes.

    Examples
    --------
    A budget of 600 a minute lets two requests go at once, then one every 0.102 s
    (a fake clock here, so the example does not wait):

    >>> now = [0.0]
    >>> def wait(seconds): now[0] += seconds
    >>> budget = RateBudget(None, "doc", 600, clock=lambda: now[0], sleep=wait)
    >>> [round(budget.acquire(), 3) for _ in range(4)]
    [0.0, 0.0, 0.102, 0.205]
    """

    def __init__(
        self,
        path: Path | None,
        name: str,
        limit: int,
        *,
        window: float = _MINUTE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name, self.pace = name, Pace.for_limit(limit, window=window)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()  # one connection, shared by this process's threads
        self.path, self._conn = _connect(path)
        self._log_lock = threading.Lock()  # this process's last minute of sends and 429s
        self._sent: deque[float] = deque()
        self._refused: deque[float] = deque()
        self._suggested = False

    def __repr__(self) -> str:
        where = self.path or "this process"
        return f"RateBudget({self.pace.limit} per {self.pace.window:g} s, {self.name}, {where})"

    def acquire(self) -> float:
        """Wait for this request's slot and return it (clock seconds)."""
        while True:
            slot = self._reserve()
            wait = slot - self._clock()
            if wait <= 0 or self._wait(wait, slot):
                self._note(self._sent, slot, self.pace.window)
                return slot

    def pause(self, seconds: float) -> None:
        """Hold every request on this budget, in every process, for ``seconds``."""

        def step(now: float, state: BudgetState) -> tuple[BudgetState, float]:
            until = max(state.paused_until, now + seconds)
            # the first slot after the pause starts the pace afresh, without a burst
            return BudgetState(max(state.next_slot, until + self.pace.tolerance), until), until

        self._update(step)

    def rate_limited(self, retry_after: float | None) -> None:
        """The server answered 429: pause the budget and, if it repeats, say why."""
        self.pause(PAUSE_WITHOUT_RETRY_AFTER if retry_after is None else retry_after)
        self._note(self._refused, self._clock(), _MINUTE)
        with self._log_lock:
            refused, sent = len(self._refused), len(self._sent)
            suggest = not self._suggested and refused >= REPEATED_429
            suggest = suggest and sent < self.pace.limit * WELL_BELOW
            self._suggested = self._suggested or suggest
        if suggest:
            logger.warning(
                "AssetPay refused %d requests with 429 (rate limited) within a minute while "
                "this process sent %d, well below its limit of %d per %g s (%s): if the "
                "merchant is not verified, pass verified=False (100 a minute), or set "
                "requests_per_minute= to the limit AssetPay gave you",
                refused, sent, self.pace.limit, self.pace.window, self.name,
            )  # fmt: skip

    def state(self) -> BudgetState:
        """The shared row as it stands (a budget never used reads as free now)."""
        return self._update(lambda now, state: (state, 0.0), write=False)[0]

    def close(self) -> None:
        """Close the budget's connection (the shared row stays in the file)."""
        with self._lock:
            self._conn.close()

    def _reserve(self) -> float:
        def step(now: float, state: BudgetState) -> tuple[BudgetState, float]:
            start = max(now, state.paused_until)
            slot = max(start, state.next_slot - self.pace.tolerance)
            next_slot = max(slot, state.next_slot) + self.pace.interval
            return BudgetState(next_slot, state.paused_until), slot

        return self._update(step)[1]

    def _wait(self, seconds: float, slot: float) -> bool:
        """Sleep until ``slot``; False if a pause began meanwhile (the slot is void)."""
        self._sleep(seconds)
        return self.state().paused_until <= slot

    def _update(self, step: _Step, *, write: bool = True) -> tuple[BudgetState, float]:
        """``step(now, state) -> (new state, result)`` on the shared row, atomically.

        A budget file found damaged is made anew, once per call (its content is only a
        schedule): the merchant's requests must not fail for it.
        """
        with self._lock:
            try:
                return self._transaction(step, write)
            except sqlite3.DatabaseError as exc:
                if self.path is None or getattr(exc, "sqlite_errorname", "") not in _DAMAGED:
                    raise
                self._conn.close()
                self.path, self._conn = _connect(self.path, damaged=exc)
                return self._transaction(step, write)

    def _transaction(self, step: _Step, write: bool) -> tuple[BudgetState, float]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            now = self._clock()
            row = conn.execute(_READ, (self.name,)).fetchone()
            # a row from the future means the wall clock went back: start afresh
            fresh = row is None or row[2] > now
            state, result = step(now, BudgetState(now, 0.0) if fresh else BudgetState(*row[:2]))
            if write:
                conn.execute(_WRITE, (self.name, state.next_slot, state.paused_until, now))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return state, result

    def _note(self, times: deque[float], when: float, window: float) -> None:
        with self._log_lock:
            times.append(when)
            while times[0] <= when - window:
                times.popleft()


def budget_path(cache: CacheLocation | None) -> Path:
    """Beside the cache file; in the default cache directory when there is no writable one.

    A read-only cache (served from a private copy) or one in memory shares the
    default directory's budget, as does ``cache=None``: the budget belongs to the
    merchant, not to a cache.
    """
    if cache is None or cache.read_only or cache.open_path is None:
        return default_cache_path().with_name(BUDGET_FILE)
    return cache.path.with_name(BUDGET_FILE)


def _connect(
    path: Path | None, *, damaged: sqlite3.Error | None = None
) -> tuple[Path | None, sqlite3.Connection]:
    """The budget's database: ``path``, or memory (with a warning) if it cannot be used.

    A file that is not a sound database is replaced (with its ``-wal`` and ``-shm``),
    with a warning: it only held a schedule, which starts afresh.
    """
    if path is None:
        return None, _open(":memory:")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if damaged is None:
            damaged = _damage(path)
        if damaged is not None:
            _warn(f"The rate budget file {path} was damaged ({damaged}); it is made anew.")
            for end in ("", "-wal", "-shm"):
                path.with_name(path.name + end).unlink(missing_ok=True)
        return path, _open(str(path))
    except (OSError, sqlite3.Error) as exc:
        _warn(
            f"The rate budget file {path} cannot be used ({exc}); the budget is kept in "
            "this process only, so other processes using this api key are not counted."
        )
        return None, _open(":memory:")


def _damage(path: Path) -> sqlite3.Error | None:
    """The error that shows ``path`` is not a sound database, else None (it opens)."""
    try:
        _open(str(path)).close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") in _DAMAGED:
            return exc
        raise
    return None


def _warn(message: str) -> None:
    # _warn, _connect, RateBudget, shared_budget, BudgetBook.budget, the client, its caller
    warnings.warn(message, CacheWarning, stacklevel=7)


def _open(database: str) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
    conn = sqlite3.connect(database, timeout=60.0, isolation_level=None, check_same_thread=False)
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
    conn.execute(_SCHEMA)


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


_SHARED: weakref.WeakValueDictionary[tuple[str, str, int, float], RateBudget] = (
    weakref.WeakValueDictionary()
)
_SHARED_LOCK = threading.Lock()


def shared_budget(
    path: Path | None, name: str, limit: int, *, window: float = _MINUTE
) -> RateBudget:
    """The process's budget for this file, row name, limit and window (made on first use).

    Clients in one process share the object (one connection, one 429 count); processes
    share the file's row.
    """
    key = (str(path) if path else "", name, limit, window)
    with _SHARED_LOCK:
        budget = _SHARED.get(key)
        if budget is None:
            budget = _SHARED[key] = RateBudget(path, name, limit, window=window)
        return budget


class BudgetBook:
    """One api key's budgets, one per rate family, each made on first use.

    Parameters
    ----------
    path : Path or None
        The budget file (``budget_path``); None keeps the budgets in this process.
    fingerprint : str
        The api key's one-way fingerprint; a family's row is ``<fingerprint>:<family>``.
    verified : bool
        Which of a family's two limits applies.
    limits : mapping, optional
        Family name -> a limit the merchant was given, overriding the documented one
        (the client's ``requests_per_minute=`` sets the inventory family's).

    Examples
    --------
    >>> book = BudgetBook(None, "7b11dca5684fdb24", verified=False)
    >>> budget = book.budget(RateFamily.named("prices"))
    >>> budget.name, budget.pace.limit, budget.pace.window
    ('7b11dca5684fdb24:prices', 100, 3600.0)
    """

    def __init__(
        self,
        path: Path | None,
        fingerprint: str,
        *,
        verified: bool,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.path, self.fingerprint, self.verified = path, fingerprint, verified
        self._limits = dict(limits or {})
        self._budgets: dict[str, RateBudget] = {}  # holds the shared objects alive
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BudgetBook(key {self.fingerprint}, {sorted(self._budgets)})"

    def budget(self, family: RateFamily) -> RateBudget:
        """The budget ``family``'s requests spend, shared by every client using the key."""
        with self._lock:
            if family.name not in self._budgets:
                limit = self._limits.get(family.name, family.limit(verified=self.verified))
                name = f"{self.fingerprint}:{family.name}"
                self._budgets[family.name] = shared_budget(
                    self.path, name, limit, window=family.window
                )
            return self._budgets[family.name]
