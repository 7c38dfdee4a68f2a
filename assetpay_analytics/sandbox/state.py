"""The sandbox's state: its options, the request log, the counters and the demo data it serves.

The request log (``SandboxState.log``) is bounded: it keeps the latest ``log_limit``
records (``LOG_LIMIT``, 10,000, by default), so a long-running sandbox does not grow.
With ``SandboxState.as_of`` set, successful inventories, their ``updatedAt`` and the
price book are those of that day (``aging``); it can change while the server runs
(``set_as_of``). The rate limit is one window per (api key, rate family)
(``_RateLimiter``); the upstream's check-tradeurl answers are remembered for
``HOUR_WINDOW_SECONDS`` (``SandboxState.screen``).
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..constants import ERRORS_BY_DIALECT, GAME_CS2, HOUR_WINDOW_SECONDS
from . import data
from .aging import as_of_date, book_as_of, inventory_as_of, off_book_as_of
from .faults import Faults
from .integrity import shift_item, shift_seed, spoil

__all__ = ["DIALECTS", "LOG_LIMIT", "SANDBOX_API_KEY", "RequestRecord", "SandboxState"]

#: The sandbox's fixed, public demo key (not a secret: it opens only the sandbox).
SANDBOX_API_KEY = "ap_sandbox_demo_4f2a9c"
#: The documentation versions whose codes and statuses the sandbox can answer with.
DIALECTS: tuple[str, ...] = tuple(ERRORS_BY_DIALECT)
#: How many requests the log keeps by default (the oldest are dropped first).
LOG_LIMIT = 10_000


@dataclass(frozen=True)
class RequestRecord:
    """One request the sandbox received (the api key's value is never kept).

    Attributes
    ----------
    method, path : str
        The request line.
    params : dict of str to str
        The query string.
    has_api_key : bool
        Whether an ``api-key`` header was sent.
    status : int
        The HTTP status answered; 0 when the connection was reset without an answer.
    key : str or None
        The error key answered, if any.
    time : float
        ``time.monotonic()`` when it was answered.
    client_request_id : str or None
        The client's ``x-request-id`` header, if sent.
    fault : str or None
        The wire fault acted out: ``"reset"``, ``"truncate"``, ``"html"`` or ``"drip"``.
    body : dict or None
        The JSON object a POST sent (None for a GET, an empty body, or one that is not a
        JSON object), exactly as parsed.
    """

    method: str
    path: str
    params: dict[str, str]
    has_api_key: bool
    status: int
    key: str | None
    time: float
    client_request_id: str | None = None
    fault: str | None = None
    body: dict[str, Any] | None = None


class _RateLimiter:
    """A sliding-window log per (api key, rate family), each family with its own limit.

    Written by hand because the server must answer *how long* to wait (Retry-After)
    without blocking, which is the one thing a client-side limiter library hides.

    Parameters
    ----------
    limits : mapping of str to (int, float)
        Rate family -> (requests, window seconds).
    """

    def __init__(self, limits: Mapping[str, tuple[int, float]]) -> None:
        self.limits = dict(limits)
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str, family: str, now: float) -> float:
        """0 when the request may pass (and is counted), else seconds until a slot frees."""
        limit, window = self.limits[family]
        with self._lock:
            hits = self._hits.setdefault((key, family), deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) < limit:
                hits.append(now)
                return 0.0
            return hits[0] + window - now

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


@dataclass
class SandboxState:
    """What a running sandbox remembers: its options, request log and counters.

    Raises
    ------
    ValueError
        For an unknown ``dialect`` (``DIALECTS``), a ``log_limit`` below 1 or a bad
        ``as_of`` (see ``aging.as_of_date``).
    """

    api_key: str
    limiter: _RateLimiter
    faults: Faults | None = None
    page_cap: int | None = None
    dialect: str = "gg"
    log_limit: int = LOG_LIMIT
    #: The day the inventories are served as of (None: the demo data as generated).
    as_of: date | None = None
    log: deque[RequestRecord] = field(init=False)
    hits: dict[int, int] = field(default_factory=dict)
    #: partner -> the game of each change a shifting inventory has had, in order.
    shifts: dict[int, list[str]] = field(default_factory=dict)
    #: (partner, token) -> (monotonic time, answer): the upstream's check-tradeurl cache.
    screenings: dict[tuple[int, str], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    #: partner -> how many times the upstream has looked the account up.
    lookups: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.dialect not in ERRORS_BY_DIALECT:
            allowed = " or ".join(repr(d) for d in DIALECTS)
            raise ValueError(f"unknown dialect {self.dialect!r}: use {allowed}")
        if self.log_limit < 1:
            raise ValueError("log_limit must be at least 1")
        self.log = deque(maxlen=self.log_limit)
        self.as_of = as_of_date(self.as_of)

    def set_as_of(self, value: date | str | None) -> None:
        """Serve the inventories as of another day from now on (validated first)."""
        day = as_of_date(value)
        with self.lock:
            self.as_of = day

    def current_as_of(self) -> date | None:
        """The day served now (read under the lock: another thread may change it)."""
        with self.lock:
            return self.as_of

    @property
    def errors(self) -> Mapping[str, tuple[int, int]]:
        """Error key -> (code, HTTP status) in this sandbox's dialect."""
        return ERRORS_BY_DIALECT[self.dialect]

    def record(self, record: RequestRecord) -> None:
        with self.lock:
            self.log.append(record)

    def count_hit(self, partner: int) -> int:
        """How many inventory requests this account has had, this one included."""
        with self.lock:
            self.hits[partner] = self.hits.get(partner, 0) + 1
            return self.hits[partner]

    def shift(self, partner: int, game: str) -> None:
        """Spend one of a shifting account's changes (if any remain) on ``game``."""
        budget = self.faults.shifting.get(partner, 0) if self.faults else 0
        with self.lock:
            done = self.shifts.setdefault(partner, [])
            if len(done) < budget:
                done.append(game)

    def items(self, partner: int, game: str) -> list[dict[str, Any]]:
        """An account's whole inventory as served now (out-of-range values and shifts in)."""
        return self.items_as_of(partner, game, self.current_as_of())

    def items_as_of(self, partner: int, game: str, as_of: date | None) -> list[dict[str, Any]]:
        """An account's whole inventory as served on ``as_of`` (None: the demo data)."""
        faults = self.faults
        if faults is not None and partner in faults.endless:
            raise ValueError(f"partner {partner} has an endless inventory: it has no whole")
        account = data.account_by_partner(partner)
        items = [] if account and account.kind == "empty" else data.inventory(partner, game)
        if as_of is not None:
            items = inventory_as_of(partner, game, as_of, items)
        if faults is not None and partner in faults.out_of_range and game == GAME_CS2:
            spoil(items)
        with self.lock:
            games = list(self.shifts.get(partner, ()))
        added = [shift_item(partner, game, n) for n, g in enumerate(games, 1) if g == game]
        return [*reversed(added), *items]

    def off_book(self, partner: int, game: str) -> frozenset[str]:
        """The ids of the items served now whose offer is off the price book (seeded)."""
        items = self.items(partner, game)  # raises for an endless inventory
        as_of = self.current_as_of()
        account = data.account_by_partner(partner)
        if account is not None and account.kind == "empty":
            return frozenset()
        seeded = (off_book_as_of(partner, game, as_of) if as_of is not None
                  else data.off_book(partner, game))  # fmt: skip
        with self.lock:
            games = list(self.shifts.get(partner, ()))
        for n, shifted in enumerate(games, 1):
            if shifted == game:
                seed, item_id = shift_seed(partner, game, n)
                if data.fresh_drawn(seed, game, item_id)[1]:
                    seeded |= {item_id}
        return frozenset(seeded) & {item.get("id") for item in items}

    def price_book(self, game: str) -> list[dict[str, Any]]:
        """The price book of ``game`` as served now (that of ``as_of``)."""
        return book_as_of(game, self.current_as_of())

    def screen(
        self, key: tuple[int, str], force: bool, look_up: Callable[[int], dict[str, Any]]
    ) -> dict[str, Any]:
        """The check-tradeurl answer for (partner, token): the cached one when fresh.

        ``look_up(n)`` asks the upstream (its n-th lookup of that partner) when there is
        no answer younger than ``HOUR_WINDOW_SECONDS`` (monotonic clock) or when
        ``force`` is set; its answer is then remembered.
        """
        now = time.monotonic()
        with self.lock:
            cached = self.screenings.get(key)
            if not force and cached is not None and now - cached[0] < HOUR_WINDOW_SECONDS:
                return copy.deepcopy(cached[1])
            lookup = self.lookups[key[0]] = self.lookups.get(key[0], 0) + 1
        answer = look_up(lookup)
        with self.lock:
            self.screenings[key] = (now, answer)
        return copy.deepcopy(answer)

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.hits.clear()
            self.shifts.clear()
            self.screenings.clear()
            self.lookups.clear()
        self.limiter.reset()
        if self.faults is not None:
            self.faults.reset()


# --- one request -------------------------------------------------------------------
