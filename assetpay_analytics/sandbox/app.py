"""The sandbox's answers: what it replies to any request, and the route of each endpoint.

``respond`` turns one request (method, path, query, api key, the parsed JSON body of a
POST: ``read_body``) into an ``Answer``: the envelope, the HTTP status and headers, and
which wire fault (if any) the HTTP side (``server``) must act out. Each endpoint is a
``Route`` of ``ROUTES`` (its module reads the parameters and gives the ``data``:
``inventory``, ``prices``, ``screening``) with its rate family; the api key, the rate
limit of the route's family (``constants.RATE_FAMILIES``) and the transient faults
(``faults.Faults``) are decided here for every route.

The order, for any method and path: the api key first (401 MISSING_API_KEY or
INVALID_API_KEY, whatever the path), then the route (404 NOT_FOUND for an unknown path,
and for a method the path does not take: the contract documents no 405 key, so that is
NOT_FOUND too, with an ``Allow`` header naming the path's methods), then the rate
limit, the parameters and the faults. ``HEAD`` is answered as ``GET`` is (the server
sends no body); ``OPTIONS`` on a known path is 204 with ``Allow`` and no body, counted in
no rate window and struck by no fault. ``framing_error`` is the answer to a request the
server cannot frame (a bad ``Content-Length``), given before any of this.

The state it answers from (options, the request log, counters) is ``state``'s.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from ..constants import CHECK_TRADEURL_PATH, INVENTORY_PATH, PRICES_PATH
from . import inventory, prices, screening
from .faults import Faults
from .query import ApiError
from .state import SandboxState

__all__ = ["NOT_JSON", "ROUTES", "Answer", "Route", "allowed_methods", "framing_error",
           "read_body", "respond"]  # fmt: skip

#: What ``read_body`` gives for a body that is not JSON (a route reading bodies refuses it).
NOT_JSON: Final = object()

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
    "API_KEY_SCOPE_DENIED": "The api key's scope does not cover this endpoint",
    "STEAM_RATE_LIMITED": "Steam is rate limiting requests, try again shortly",
    "SERVER_ERROR": "Internal server error",
    "SYSTEM_MAINTENANCE": "The system is under maintenance, try again later",
}
#: The refusals of ``Faults.decide`` and where their ``Retry-After`` comes from:
#: ``retry_after`` (always sent), ``unavailable_retry_after`` (sent when set) or none.
_RETRY_AFTER = {"RATE_LIMITED": "retry_after", "STEAM_RATE_LIMITED": "retry_after",
                "FLEET_DEGRADED": "unavailable_retry_after",
                "NO_BOTS_AVAILABLE": "unavailable_retry_after",
                "SYSTEM_MAINTENANCE": "unavailable_retry_after",
                "API_KEY_SCOPE_DENIED": None, "SERVER_ERROR": None}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """What to send back: status (0: nothing, reset), JSON body, headers, wire fault."""

    request_id: str
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str]
    key: str | None = None
    fault: str | None = None


@dataclass(frozen=True)
class Route:
    """One endpoint the sandbox serves: how its request is read, what it answers, and the
    rate family (``constants.RATE_FAMILIES``) whose window it counts in.

    ``parse(query, body)`` gets the query string and the parsed body (None for none,
    ``NOT_JSON`` for a body that is not JSON).
    """

    parse: Callable[[Mapping[str, str], object], Any]
    answer: Callable[[SandboxState, Any], Any]
    family: str


#: The endpoints served, by method and path; any other request is NOT_FOUND.
ROUTES: Mapping[tuple[str, str], Route] = {
    ("GET", INVENTORY_PATH): Route(inventory.parse, inventory.answer, "inventory"),
    ("GET", PRICES_PATH): Route(prices.parse, prices.answer, "prices"),
    ("POST", CHECK_TRADEURL_PATH): Route(screening.parse, screening.answer, "check-tradeurl"),
}


def read_body(raw: bytes | None) -> object:
    """A request body parsed as JSON: None when empty or absent, ``NOT_JSON`` if invalid.

    Examples
    --------
    >>> read_body(b'{"tradeurl": "x"}'), read_body(b""), read_body(b"{") is NOT_JSON
    ({'tradeurl': 'x'}, None, True)
    """
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return NOT_JSON


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods a path answers (HEAD with GET, OPTIONS with any), sorted; () if unknown.

    Examples
    --------
    >>> allowed_methods("/secure/inventory"), allowed_methods("/secure/check-tradeurl/")
    (('GET', 'HEAD', 'OPTIONS'), ('OPTIONS', 'POST'))
    >>> allowed_methods("/secure/market")
    ()
    """
    served = {method for method, known in ROUTES if known == path.rstrip("/")}
    if not served:
        return ()
    return tuple(sorted(served | {"OPTIONS"} | ({"HEAD"} if "GET" in served else set())))


def _check_key(state: SandboxState, key: str | None) -> str:
    if not key:
        raise ApiError("MISSING_API_KEY")
    if key != state.api_key:
        raise ApiError("INVALID_API_KEY")
    return key


def _admit(
    state: SandboxState, method: str, path: str, params: Mapping[str, str], key: str | None,
    body: object,
) -> tuple[Route, Any]:  # fmt: skip
    key = _check_key(state, key)
    route = ROUTES.get(("GET" if method == "HEAD" else method, path.rstrip("/")))
    if route is None:
        raise ApiError("NOT_FOUND")
    wait = state.limiter.wait_for(key, route.family, time.monotonic())
    if wait > 0:
        raise ApiError("RATE_LIMITED", retry_after=max(1, math.ceil(wait)))
    return route, route.parse(params, body)


def _decide(faults: Faults | None) -> str | None:
    """The wire fault for this request; a refusal is raised as ``ApiError``."""
    fault = faults.decide() if faults is not None else None
    if faults is None or fault is None or fault not in _RETRY_AFTER:
        return fault
    source = _RETRY_AFTER[fault]
    if source == "retry_after":
        raise ApiError(fault, retry_after=max(1, math.ceil(faults.retry_after)))
    wait = faults.unavailable_retry_after if source is not None else None
    raise ApiError(fault, retry_after=None if wait is None else math.ceil(wait))


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


def _echo(state: SandboxState, params: Mapping[str, str], body: object) -> str | None:
    """The trade URL an error echoes (``Faults.echo_trade_url``): the query's or the body's."""
    if not (state.faults and state.faults.echo_trade_url):
        return None
    sent = body.get("tradeurl") if isinstance(body, dict) else None
    return params.get("tradeUrl") or (sent if isinstance(sent, str) else None)


def _error_answer(
    state: SandboxState, error: ApiError, request_id: str, echo: str | None,
    headers: Mapping[str, str], fault: str | None = None,
) -> Answer:  # fmt: skip
    status, envelope = _error_body(error, request_id, state.errors, echo)
    retry = {} if error.retry_after is None else {"Retry-After": str(error.retry_after)}
    return Answer(request_id, status, envelope, {**headers, **retry}, error.key, fault)


def framing_error(state: SandboxState, status: int, header: str, reason: str) -> Answer:
    """The answer to a request the server cannot frame: ``status`` (400 or 413) with the
    dialect's VALIDATION_FAILED envelope, ``fields`` naming the header, and
    ``Connection: close`` (what follows on the connection cannot be trusted).

    Examples
    --------
    >>> from assetpay_analytics.sandbox.state import SandboxState, _RateLimiter
    >>> state = SandboxState("key", _RateLimiter({}))
    >>> answer = framing_error(state, 413, "Content-Length", "must be at most 1048576")
    >>> answer.status, answer.body["error"]["fields"], answer.headers["Connection"]
    (413, {'Content-Length': 'must be at most 1048576'}, 'close')
    """
    error = ApiError("VALIDATION_FAILED", {header: reason})
    answer = _error_answer(state, error, str(uuid.uuid4()), None, {"Connection": "close"})
    return Answer(answer.request_id, status, answer.body, answer.headers, answer.key)


def _options(state: SandboxState, path: str, key: str | None, request_id: str) -> Answer:
    _check_key(state, key)
    allow = allowed_methods(path)
    if not allow:
        raise ApiError("NOT_FOUND")
    return Answer(request_id, 204, None, {"Allow": ", ".join(allow)})


def respond(
    state: SandboxState, method: str, path: str, params: Mapping[str, str], key: str | None,
    body: object = None,
) -> Answer:  # fmt: skip
    """The answer to one request; ``Answer.fault`` names a wire fault to act out.

    ``body`` is the request's body as ``read_body`` parsed it. The answer to ``HEAD`` is
    that to ``GET`` (the server drops the body); to ``OPTIONS``, 204 with ``Allow``.

    Examples
    --------
    >>> from assetpay_analytics.sandbox.state import SandboxState, _RateLimiter
    >>> state = SandboxState("key", _RateLimiter({}))
    >>> respond(state, "GET", "/secure/market", {}, None).key
    'MISSING_API_KEY'
    >>> answer = respond(state, "POST", "/secure/inventory", {}, "key")
    >>> answer.status, answer.key, answer.headers["Allow"]
    (404, 'NOT_FOUND', 'GET, HEAD, OPTIONS')
    """
    request_id = str(uuid.uuid4())
    fault = None
    try:
        if method == "OPTIONS":
            return _options(state, path, key, request_id)
        route, query = _admit(state, method, path, params, key, body)
        fault = _decide(state.faults)
        if fault == "reset":
            return Answer(request_id, 0, None, {}, fault=fault)
        if fault == "html":
            return Answer(request_id, 502, None, {}, fault=fault)
        envelope = {"requestId": request_id, "success": True, "data": route.answer(state, query)}
        return Answer(request_id, 200, envelope, {}, fault=fault)
    except ApiError as error:
        allow = allowed_methods(path) if error.key == "NOT_FOUND" else ()
        headers = {"Allow": ", ".join(allow)} if allow else {}
        echo = _echo(state, params, body)
        return _error_answer(state, error, request_id, echo, headers, fault)
