"""The sandbox's answers: its state (options, request log, counters) and what it replies.

``respond`` turns one request (method, path, query, api key) into an ``Answer``: the
envelope, the HTTP status and headers, and which wire fault (if any) the HTTP side
(``_server``) must act out. Validation, filters and paging are in ``_query``; the
integrity faults' effects in ``_integrity``; the decisions in ``faults.Faults``.

The request log (``SandboxState.log``) is bounded: it keeps the latest ``log_limit``
records (``LOG_LIMIT``, 10,000, by default), so a long-running sandbox does not grow.

With ``SandboxState.as_of`` set, successful inventories and their ``updatedAt`` are
those of that day (``aging``); it can change while the server runs (``set_as_of``).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ..constants import ERRORS_BY_DIALECT, GAME_CS2, INVENTORY_PATH
from . import data
from ._integrity import ENDLESS_COUNT, endless_page, endless_page_size, malform, shift_item, spoil
from ._query import ApiError, Query, page_of, page_size, parse_query, select
from .aging import as_of_date, inventory_as_of, updated_at_as_of
from .faults import Faults

__all__ = [
    "DIALECTS",
    "LOG_LIMIT",
    "SANDBOX_API_KEY",
    "Answer",
    "RequestRecord",
    "SandboxState",
    "respond",
]

#: The sandbox's fixed, public demo key (not a secret: it opens only the sandbox).
SANDBOX_API_KEY = "ap_sandbox_demo_4f2a9c"
#: The documentation versions whose codes and statuses the sandbox can answer with.
DIALECTS: tuple[str, ...] = tuple(ERRORS_BY_DIALECT)
#: How many requests the log keeps by default (the oldest are dropped first).
LOG_LIMIT = 10_000
_MESSAGES = {
    "INVENTORY_FETCH_FAILED": "Failed to fetch inventory: the profile is private or banned",
    "USER_NOT_TRADEABLE": "User cannot trade: the inventory is private or trading is restricted",
    "INVALID_TRADEURL": "Invalid trade URL",
    "STEAM_UNAVAILABLE": "Steam is temporarily unavailable",
    "VALIDATION_FAILED": "Validation failed",
    "NOT_FOUND": "Not found",
    "RATE_LIMITED": "Too many requests",
    "NO_BOTS_AVAILABLE": "No bots available",
    "FLEET_DEGRADED": "Bot fleet degraded, try again shortly",
    "MISSING_API_KEY": "Missing api key",
    "INVALID_API_KEY": "Invalid api key",
}


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


class _RateLimiter:
    """A sliding-window log per api key.

    Written by hand because the server must answer *how long* to wait (Retry-After)
    without blocking, which is the one thing a client-side limiter library hides.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str, now: float) -> float:
        """0 when the request may pass (and is counted), else seconds until a slot frees."""
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                return 0.0
            return hits[0] + self.window - now

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

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.hits.clear()
            self.shifts.clear()
        self.limiter.reset()
        if self.faults is not None:
            self.faults.reset()


# --- the inventory answer ------------------------------------------------------------


def _now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _updated_at(partner: int, as_of: date | None, refresh: bool) -> str:
    if refresh:
        return _now_iso()
    return data.updated_at(partner) if as_of is None else updated_at_as_of(partner, as_of)


def _check_account(state: SandboxState, partner: int) -> None:
    account = data.account_by_partner(partner)
    kind = account.kind if account else "normal"
    hit = state.count_hit(partner)
    if kind == "private":
        raise ApiError("USER_NOT_TRADEABLE")
    if kind == "fetch_failed":
        raise ApiError("INVENTORY_FETCH_FAILED")
    if kind == "steam_down":
        raise ApiError("STEAM_UNAVAILABLE")
    if kind == "flaky" and hit <= 2:
        raise ApiError("FLEET_DEGRADED")
    if kind == "throttled" and hit <= 1:
        raise ApiError("RATE_LIMITED", retry_after=1)


def _listed(state: SandboxState, query: Query) -> dict[str, Any]:
    faults, partner, as_of = state.faults, query.partner, state.current_as_of()
    if query.page >= 2:
        state.shift(partner, query.game)
    matching = select(state.items_as_of(partner, query.game, as_of), query)
    page = query.page
    if faults is not None and partner in faults.duplicate_pages and page >= 2:
        page -= 1
    count = faults.wrong_count.get(partner, len(matching)) if faults else len(matching)
    return {
        "inventory": page_of(matching, page, page_size(query, state.page_cap, len(matching))),
        "count": count,
        "updatedAt": _updated_at(partner, as_of, query.refresh),
        "collateral": 0,
    }


def _endless(state: SandboxState, query: Query) -> dict[str, Any]:
    size = endless_page_size(query.limit, state.page_cap)
    return {
        "inventory": endless_page(query.partner, query.game, query.page, size),
        "count": ENDLESS_COUNT,
        "updatedAt": _updated_at(query.partner, state.current_as_of(), query.refresh),
        "collateral": 0,
    }


def _inventory(state: SandboxState, query: Query) -> Any:
    _check_account(state, query.partner)
    faults = state.faults
    if faults is not None and query.partner in faults.endless:
        answer = _endless(state, query)
    else:
        answer = _listed(state, query)
    kind = faults.malformed.get(query.partner) if faults is not None else None
    return answer if kind is None else malform(kind, answer)


# --- one request -------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What to send back: status (0: nothing, reset), JSON body, headers, wire fault."""

    request_id: str
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str]
    key: str | None = None
    fault: str | None = None


def _admit(
    state: SandboxState, method: str, path: str, params: Mapping[str, str], key: str | None
) -> Query:
    if path.rstrip("/") != INVENTORY_PATH or method != "GET":
        raise ApiError("NOT_FOUND")
    if not key:
        raise ApiError("MISSING_API_KEY")
    if key != state.api_key:
        raise ApiError("INVALID_API_KEY")
    wait = state.limiter.wait_for(key, time.monotonic())
    if wait > 0:
        raise ApiError("RATE_LIMITED", retry_after=max(1, math.ceil(wait)))
    return parse_query(params)


def _decide(faults: Faults | None) -> str | None:
    """The wire fault for this request; a refusal is raised as ``ApiError``."""
    fault = faults.decide() if faults is not None else None
    if faults is None or fault is None:
        return None
    if fault == "RATE_LIMITED":
        raise ApiError(fault, retry_after=max(1, math.ceil(faults.retry_after)))
    if fault in ("FLEET_DEGRADED", "NO_BOTS_AVAILABLE"):
        wait = faults.unavailable_retry_after
        raise ApiError(fault, retry_after=None if wait is None else math.ceil(wait))
    return fault


def _error_body(
    error: ApiError, request_id: str, table: Mapping[str, tuple[int, int]], echo: str | None
) -> tuple[int, dict[str, Any]]:
    code, status = table[error.key]
    body: dict[str, Any] = {"code": code, "key": error.key,
                            "message": _MESSAGES.get(error.key, error.key)}  # fmt: skip
    fields = {**error.fields, **({"tradeUrl": echo} if echo else {})}
    if echo:
        body["message"] += f" (tradeUrl {echo})"
    if fields:
        body["fields"] = fields
    return status, {"requestId": request_id, "success": False, "error": body}


def respond(
    state: SandboxState, method: str, path: str, params: Mapping[str, str], key: str | None
) -> Answer:
    """The answer to one request; ``Answer.fault`` names a wire fault to act out."""
    request_id = str(uuid.uuid4())
    fault = None
    try:
        query = _admit(state, method, path, params, key)
        fault = _decide(state.faults)
        if fault == "reset":
            return Answer(request_id, 0, None, {}, fault=fault)
        if fault == "html":
            return Answer(request_id, 502, None, {}, fault=fault)
        body = {"requestId": request_id, "success": True, "data": _inventory(state, query)}
        return Answer(request_id, 200, body, {}, fault=fault)
    except ApiError as error:
        echo = params.get("tradeUrl") if state.faults and state.faults.echo_trade_url else None
        status, body = _error_body(error, request_id, state.errors, echo)
        headers = {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
        return Answer(request_id, status, body, headers, error.key, fault)
