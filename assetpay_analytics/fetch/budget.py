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

What the budget trusts, and what it does not:

- **Its clock is monotonic** (``time.monotonic``: one clock for every process on the
  machine, never stepped back by NTP or a user), so a wall clock set back can neither
  shorten a pause nor break the pace.
- **Pauses are bounded**: a pause never exceeds ``max_pause`` (the client's
  ``RetryPolicy.retry_after_max``), whatever ``Retry-After`` said (``inf``, a day).
- **Rows are checked on read**: a value that is not a finite number (text, NULL,
  ``1e308``), a pause beyond ``max_pause`` or a slot two windows ahead (another
  process's bug, an older version's wall-clock row, a row from before a reboot) is
  repaired, with one ``RateBudgetWarning`` per budget.
- **A request never waits past its call's deadline**: under ``waiting(deadline=...)``
  (the reader sets it for each call), a slot further away than the deadline is not
  reserved and ``RateLimited`` is raised with the wait (``limit="budget"``).
- **Ctrl-C reaches the waiters**: under ``waiting(cancel=...)`` a request waits on the
  batch's cancel event, so setting it wakes every waiting thread at once, and a woken
  request raises ``Cancelled`` instead of being sent.
- **The file is the budget's own**: a file another process keeps locked (past
  ``BUSY_PATIENCE``) or a foreign ``budget`` table makes the budget per-process, with one
  warning naming the file, never a cache error.

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
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..constants import RATE_FAMILIES
from ..errors import RateLimited
from .budget_file import (
    BUDGET_FILE,
    DAMAGED,
    READ,
    WRITE,
    RateBudgetWarning,
    budget_path,
    connect,
    open_database,
    unusable,
    warn,
)
from .retry import Cancelled

__all__ = [
    "BUDGET_FILE",
    "MAX_PAUSE",
    "BudgetBook",
    "BudgetState",
    "Pace",
    "RateBudget",
    "RateBudgetWarning",
    "RateFamily",
    "Waiting",
    "budget_path",
    "shared_budget",
    "waiting",
]

logger = logging.getLogger("assetpay_analytics")

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
#: The longest a 429 pauses a budget (``RetryPolicy.retry_after_max``'s default).
MAX_PAUSE = 60.0


@dataclass(frozen=True)
class Waiting:
    """What a request waiting for its slot respects: its call's deadline and cancel event.

    ``deadline`` is a ``time.monotonic()`` time; None: no deadline, no cancel.
    """

    deadline: float | None = None
    cancel: threading.Event | None = None

    def longest_wait(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())


_WAITING: ContextVar[Waiting | None] = ContextVar("assetpay_budget_waiting", default=None)


@contextmanager
def waiting(*, deadline: float | None, cancel: threading.Event | None) -> Iterator[None]:
    """Within the block, this thread's requests wait for a slot no longer than ``deadline``
    (a ``time.monotonic()`` time) and stop waiting once ``cancel`` is set.

    Set by the reader around each call: the budget is reached through requests and
    requests-cache, which carry no such argument to the session's ``send``.

    Examples
    --------
    >>> budget = RateBudget(None, "doc", 1, window=3600)  # one request an hour
    >>> first = budget.acquire()
    >>> try:
    ...     with waiting(deadline=time.monotonic() + 1.0, cancel=None):
    ...         budget.acquire()
    ... except RateLimited as err:
    ...     print(err.key, err.limit, round(err.retry_after))
    RATE_BUDGET budget 3600
    """
    token = _WAITING.set(Waiting(deadline, cancel))
    try:
        yield
    finally:
        _WAITING.reset(token)


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
_Step = Callable[[float, BudgetState], tuple[BudgetState, Any]]


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
    max_pause : float
        The longest a 429 pauses the budget (default ``MAX_PAUSE``, 60 s), and the
        longest pause a row from another process is believed to hold.
    clock, sleep : callable
        Seconds on a clock every process on the machine shares (default
        ``time.monotonic``) and how to wait; tests pass fakes.

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
        max_pause: float = MAX_PAUSE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name, self.pace = name, Pace.for_limit(limit, window=window)
        self.max_pause = max_pause
        self._clock, self._sleep = clock, sleep
        self._repaired = False  # one warning per budget for the rows it had to repair
        self._lock = threading.Lock()  # one connection, shared by this process's threads
        self.path, self._conn = connect(path)
        self._log_lock = threading.Lock()  # this process's last minute of sends and 429s
        self._sent: deque[float] = deque()
        self._refused: deque[float] = deque()
        self._suggested = False

    def __repr__(self) -> str:
        where = self.path or "this process"
        return f"RateBudget({self.pace.limit} per {self.pace.window:g} s, {self.name}, {where})"

    def acquire(self) -> float:
        """Wait for this request's slot and return it (clock seconds).

        Raises
        ------
        RateLimited
            Under ``waiting(deadline=...)``, when the next free slot is further away
            than the deadline (nothing is reserved): ``retry_after`` is the wait.
        Cancelled
            Under ``waiting(cancel=...)``, when the event is set while waiting.
        """
        waits = _WAITING.get() or Waiting()
        while True:
            slot, wait = self._reserve(waits.longest_wait())
            if slot is None:
                raise self._too_far(wait)
            if wait <= 0 or self._wait(wait, slot, waits.cancel):
                self._note(self._sent, slot, self.pace.window)
                return float(slot)

    def _too_far(self, wait: float) -> RateLimited:
        return RateLimited(
            f"the {self.name} rate budget's next free slot is {wait:.0f} s away, past this "
            "call's deadline (RetryPolicy.deadline): not sent. Wait, or raise "
            "requests_per_minute= if AssetPay gave you more.",
            retry_after=wait, limit="budget", key="RATE_BUDGET",
        )  # fmt: skip

    def pause(self, seconds: float) -> None:
        """Hold every request on this budget, in every process, for ``seconds``.

        At most ``max_pause`` (a ``nan`` or negative pause is none).
        """
        seconds = min(seconds, self.max_pause) if seconds > 0 else 0.0

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

    def _reserve(self, longest: float | None) -> tuple[float | None, float]:
        """(the slot reserved, its wait); (None, the wait) when it is beyond ``longest``."""

        def step(now: float, state: BudgetState) -> tuple[BudgetState, tuple[float | None, float]]:
            start = max(now, state.paused_until)
            slot = max(start, state.next_slot - self.pace.tolerance)
            if longest is not None and slot - now > longest:
                return state, (None, slot - now)  # nothing reserved: the call will not wait
            next_slot = max(slot, state.next_slot) + self.pace.interval
            return BudgetState(next_slot, state.paused_until), (slot, slot - now)

        reserved: tuple[float | None, float] = self._update(step)[1]
        return reserved

    def _wait(self, seconds: float, slot: float, cancel: threading.Event | None) -> bool:
        """Sleep until ``slot``; False if a pause began meanwhile (the slot is void).

        With ``cancel``, the wait ends as soon as it is set, and ``Cancelled`` is raised:
        a request woken by Ctrl-C is never sent.
        """
        if cancel is None:
            self._sleep(seconds)
        elif cancel.wait(seconds):
            raise Cancelled()
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        return self.state().paused_until <= slot

    def _update(self, step: _Step, *, write: bool = True) -> tuple[BudgetState, Any]:
        """``step(now, state) -> (new state, result)`` on the shared row, atomically.

        A budget file found damaged is made anew, once per call (its content is only a
        schedule): the merchant's requests must not fail for it.
        """
        with self._lock:
            try:
                return self._transaction(step, write)
            except sqlite3.DatabaseError as exc:
                if self.path is None:
                    raise
                self._conn.close()
                if getattr(exc, "sqlite_errorname", "") in DAMAGED:
                    self.path, self._conn = connect(self.path, damaged=exc)
                else:  # locked past BUSY_PATIENCE, or a foreign ``budget`` table
                    warn(unusable(self.path, exc))
                    self.path, self._conn = None, open_database(":memory:")
                return self._transaction(step, write)

    def _transaction(self, step: _Step, write: bool) -> tuple[BudgetState, Any]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            now = self._clock()
            row = conn.execute(READ, (self.name,)).fetchone()
            state, result = step(now, self._checked(row, now))
            if write:
                conn.execute(WRITE, (self.name, state.next_slot, state.paused_until, now))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return state, result

    def _checked(self, row: Any, now: float) -> BudgetState:
        """The row as a state, repaired when it cannot be believed (one warning per budget).

        Text, NULL or non-finite values start the schedule afresh; a pause longer than
        ``max_pause`` is cut to it; a next slot more than two windows past the pause is
        dropped (no sane schedule reaches that far: it holds a window's slots at most).
        """
        if row is None:
            return BudgetState(now, 0.0)
        next_slot, paused_until = row[0], row[1]
        if not (_finite(next_slot) and _finite(paused_until)):
            return self._repair(BudgetState(now, 0.0), "values that are not finite numbers")
        state = BudgetState(float(next_slot), float(paused_until))
        if state.paused_until > now + self.max_pause + 1e-6:
            state = self._repair(BudgetState(state.next_slot, now + self.max_pause),
                                 f"a pause beyond max_pause ({self.max_pause:g} s)")  # fmt: skip
        # two windows: a full window of reserved slots, and the interval after the last
        horizon = max(now, state.paused_until) + 2 * self.pace.window + self.pace.interval
        if state.next_slot > horizon + 1e-6:
            state = self._repair(BudgetState(max(now, state.paused_until), state.paused_until),
                                 "a slot more than two windows ahead")  # fmt: skip
        return state

    def _repair(self, state: BudgetState, what: str) -> BudgetState:
        if not self._repaired:
            self._repaired = True
            where = self.path or "this process"
            warn(f"The rate budget {self.name} in {where} held {what}; it was repaired.")
        return state

    def _note(self, times: deque[float], when: float, window: float) -> None:
        with self._log_lock:
            times.append(when)
            while times[0] <= when - window:
                times.popleft()


def _finite(value: Any) -> bool:
    """A number sqlite gave back that a schedule can hold (not text, NULL, a bool, inf)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_SHARED: weakref.WeakValueDictionary[tuple[str, str, int, float, float], RateBudget] = (
    weakref.WeakValueDictionary()
)
_SHARED_LOCK = threading.Lock()


def shared_budget(
    path: Path | None,
    name: str,
    limit: int,
    *,
    window: float = _MINUTE,
    max_pause: float = MAX_PAUSE,
) -> RateBudget:
    """The process's budget for this file, row name, limit, window and longest pause
    (made on first use).

    Clients in one process share the object (one connection, one 429 count); processes
    share the file's row.
    """
    key = (str(path) if path else "", name, limit, window, max_pause)
    with _SHARED_LOCK:
        budget = _SHARED.get(key)
        if budget is None:
            budget = _SHARED[key] = RateBudget(
                path, name, limit, window=window, max_pause=max_pause
            )
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
    max_pause : float
        The longest a 429 pauses a budget (the client's ``RetryPolicy.retry_after_max``).

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
        max_pause: float = MAX_PAUSE,
    ) -> None:
        self.path, self.fingerprint, self.verified = path, fingerprint, verified
        self.max_pause = max_pause
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
                    self.path, name, limit, window=family.window, max_pause=self.max_pause
                )
            return self._budgets[family.name]
