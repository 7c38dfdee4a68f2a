"""The sandbox's HTTP side: routing, the envelope, validation, filters, paging, limits.

A stdlib ``ThreadingHTTPServer`` is enough here: one endpoint, loopback only, and no
dependency a notebook user would have to install for a demo server.
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from ..constants import (
    API_KEY_HEADER,
    DEFAULT_PAGE_SIZE,
    ERRORS_GG,
    GAME_CS2,
    GAMES,
    INVENTORY_PATH,
    MAX_ACCOUNT_ID,
    SEARCH_MAX_LEN,
    SORTS,
    UNLIMITED,
)
from . import data
from .faults import Faults

__all__ = ["SANDBOX_API_KEY", "RequestRecord", "SandboxState", "make_server"]

#: The sandbox's fixed, public demo key (not a secret: it opens only the sandbox).
SANDBOX_API_KEY = "ap_sandbox_demo_4f2a9c"
#: The OpenAPI pattern the real API validates trade URLs with.
TRADE_URL_PATTERN = re.compile(
    r"^https://steamcommunity\.com/tradeoffer/new/\?partner=(\d{1,10})&token=[A-Za-z0-9_-]{8}$"
)
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
    """One request the sandbox received (the api key's value is never kept)."""

    method: str
    path: str
    params: dict[str, str]
    has_api_key: bool
    status: int
    key: str | None
    time: float


class _ApiError(Exception):
    def __init__(self, key: str, fields: Mapping[str, str] | None = None, retry_after: int = 0):
        super().__init__(key)
        self.key = key
        self.fields = dict(fields or {})
        self.retry_after = retry_after


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
    """What a running sandbox remembers: its options, request log and counters."""

    api_key: str
    limiter: _RateLimiter
    faults: Faults | None = None
    page_cap: int | None = None
    log: list[RequestRecord] = field(default_factory=list)
    hits: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, record: RequestRecord) -> None:
        with self.lock:
            self.log.append(record)

    def count_hit(self, partner: int) -> int:
        """How many inventory requests this account has had, this one included."""
        with self.lock:
            self.hits[partner] = self.hits.get(partner, 0) + 1
            return self.hits[partner]

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.hits.clear()
        self.limiter.reset()
        if self.faults is not None:
            self.faults.reset()


# --- validation --------------------------------------------------------------------


def _bool_param(params: Mapping[str, str], name: str, fields: dict[str, str]) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        fields[name] = "must be true or false"
    return value == "true"


def _number_param(params: Mapping[str, str], name: str, fields: dict[str, str]) -> float | None:
    if name not in params or params[name] in ("", "null"):
        return None
    try:
        value = float(params[name])
    except ValueError:
        fields[name] = "must be a number"
        return None
    if not math.isfinite(value) or value < 0:
        fields[name] = "must be a number >= 0"
        return None
    return value


def _int_param(params: Mapping[str, str], name: str, default: int, fields: dict[str, str]) -> int:
    try:
        return int(params.get(name, default))
    except ValueError:
        fields[name] = "must be an integer"
        return default


@dataclass(frozen=True)
class _Query:
    partner: int
    game: str
    search: str | None
    sort: str
    min_price: float | None
    max_price: float | None
    page: int
    limit: int
    accepted_only: bool
    refresh: bool


def _parse_query(params: Mapping[str, str]) -> _Query:
    match = TRADE_URL_PATTERN.match(params.get("tradeUrl", ""))
    if not match or not 0 < int(match.group(1)) <= MAX_ACCOUNT_ID:
        raise _ApiError("INVALID_TRADEURL")
    fields: dict[str, str] = {}
    game = params.get("game", GAME_CS2).strip()
    if game not in GAMES:
        fields["game"] = f"must be one of {', '.join(GAMES)}"
    sort = params.get("sort", "relevance")
    if sort not in SORTS:
        fields["sort"] = f"must be one of {', '.join(SORTS)}"
    search = params.get("search") or None
    if search is not None and len(search) > SEARCH_MAX_LEN:
        fields["search"] = f"must be at most {SEARCH_MAX_LEN} characters"
    low, high = _number_param(params, "minPrice", fields), _number_param(params, "maxPrice", fields)
    if low is not None and high is not None and low > high:
        fields["minPrice"] = "must not be greater than maxPrice"
    page = _int_param(params, "page", 1, fields)
    if page < 1:
        fields["page"] = "must be >= 1"
    limit = _int_param(params, "limit", DEFAULT_PAGE_SIZE, fields)
    if limit < 1 and limit != UNLIMITED:
        fields["limit"] = "must be >= 1, or -1 for everything"
    accepted_only = _bool_param(params, "acceptedOnly", fields)
    refresh = _bool_param(params, "refresh", fields)
    if fields:
        raise _ApiError("VALIDATION_FAILED", fields)
    return _Query(int(match.group(1)), game, search, sort, low, high, page, limit,
                  accepted_only, refresh)  # fmt: skip


# --- the inventory answer ------------------------------------------------------------


def _offer_price(item: Mapping[str, Any]) -> float | None:
    offer = item.get("offer")
    return offer.get("price") if isinstance(offer, Mapping) else None


def _accepted(item: Mapping[str, Any]) -> bool:
    offer = item.get("offer")
    if isinstance(offer, Mapping) and "accepted" in offer:
        return offer["accepted"] is True
    return item.get("accepted") is True


def _matches(item: Mapping[str, Any], query: _Query) -> bool:
    if query.search:
        needle = query.search.lower()
        names = f"{item.get('name') or ''}\n{item.get('marketHashName') or ''}".lower()
        if needle not in names:
            return False
    if query.min_price is not None or query.max_price is not None:
        price = _offer_price(item)
        if price is None:
            return False
        if query.min_price is not None and price < query.min_price:
            return False
        if query.max_price is not None and price > query.max_price:
            return False
    return not query.accepted_only or _accepted(item)


_SORT_KEYS: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "priceAsc": lambda item: (_offer_price(item) is None, _offer_price(item) or 0.0),
    "priceDesc": lambda item: (_offer_price(item) is None, -(_offer_price(item) or 0.0)),
    "nameAsc": lambda item: item.get("marketHashName") or "",
}


def _sorted(items: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "nameDesc":
        return sorted(items, key=_SORT_KEYS["nameAsc"], reverse=True)
    if sort in _SORT_KEYS:
        return sorted(items, key=_SORT_KEYS[sort])
    return items


def _page_of(
    items: list[dict[str, Any]], query: _Query, page_cap: int | None
) -> list[dict[str, Any]]:
    size = len(items) if query.limit == UNLIMITED else query.limit
    if page_cap is not None:
        size = min(page_cap, query.limit if query.limit != UNLIMITED else page_cap)
    if size <= 0:
        return []
    start = (query.page - 1) * size
    return items[start : start + size]


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{datetime.now(UTC).microsecond // 1000:03d}Z"
    )


def _inventory(state: SandboxState, query: _Query) -> dict[str, Any]:
    account = data.account_by_partner(query.partner)
    kind = account.kind if account else "normal"
    hit = state.count_hit(query.partner)
    if kind == "private":
        raise _ApiError("USER_NOT_TRADEABLE")
    if kind == "fetch_failed":
        raise _ApiError("INVENTORY_FETCH_FAILED")
    if kind == "steam_down":
        raise _ApiError("STEAM_UNAVAILABLE")
    if kind == "flaky" and hit <= 2:
        raise _ApiError("FLEET_DEGRADED")
    if kind == "throttled" and hit <= 1:
        raise _ApiError("RATE_LIMITED", retry_after=1)
    items = [] if kind == "empty" else data.inventory(query.partner, query.game)
    matching = _sorted([item for item in items if _matches(item, query)], query.sort)
    return {
        "inventory": _page_of(matching, query, state.page_cap),
        "count": len(matching),
        "updatedAt": _now_iso() if query.refresh else data.updated_at(query.partner),
        "collateral": 0,
    }


# --- HTTP ----------------------------------------------------------------------------


def _error_body(error: _ApiError, request_id: str) -> tuple[int, dict[str, Any]]:
    code, status = ERRORS_GG[error.key]
    body: dict[str, Any] = {"code": code, "key": error.key,
                            "message": _MESSAGES.get(error.key, error.key)}  # fmt: skip
    if error.fields:
        body["fields"] = error.fields
    return status, {"requestId": request_id, "success": False, "error": body}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the request log is ``Sandbox.requests``."""

    def _handle(self, method: str) -> None:
        state = self.server.state
        if state.faults is not None and state.faults.latency:
            time.sleep(state.faults.latency)
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        key = self.headers.get(API_KEY_HEADER)
        request_id = str(uuid.uuid4())
        headers: dict[str, str] = {}
        try:
            data_ = self._answer(state, method, parts.path, params, key)
            status, body, error_key = 200, {"requestId": request_id, "success": True,
                                            "data": data_}, None  # fmt: skip
        except _ApiError as error:
            status, body = _error_body(error, request_id)
            error_key = error.key
            if error.retry_after:
                headers["Retry-After"] = str(error.retry_after)
        if method == "POST":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
        state.record(RequestRecord(method, parts.path, params, key is not None, status,
                                   error_key, time.monotonic()))  # fmt: skip
        self._send(status, orjson.dumps(body), headers)

    def _answer(
        self, state: SandboxState, method: str, path: str, params: dict[str, str], key: str | None
    ) -> dict[str, Any]:
        if path.rstrip("/") != INVENTORY_PATH or method != "GET":
            raise _ApiError("NOT_FOUND")
        if not key:
            raise _ApiError("MISSING_API_KEY")
        if key != state.api_key:
            raise _ApiError("INVALID_API_KEY")
        wait = state.limiter.wait_for(key, time.monotonic())
        if wait > 0:
            raise _ApiError("RATE_LIMITED", retry_after=max(1, math.ceil(wait)))
        query = _parse_query(params)
        if state.faults is not None and (fault := state.faults.decide()) is not None:
            wait = max(1, math.ceil(state.faults.retry_after))
            raise _ApiError(fault, retry_after=wait if fault == "RATE_LIMITED" else 0)
        return _inventory(state, query)

    def _send(self, status: int, payload: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        super().__init__(address, _Handler)
        self.state = state


def make_server(host: str, port: int, state: SandboxState) -> _Server:
    """A bound (not yet serving) sandbox HTTP server."""
    return _Server((host, port), state)
