"""One request: the headers, the GET, and the response read into a ``Page`` or an error.

``fetch_page`` makes exactly one attempt (retries are the caller's, see ``_retry``)
within a wall-clock limit, and never follows a redirect (requests would forward the
``api-key`` header to the other host). ``read_page`` turns any response into a
``Page`` or the typed error its envelope, code or HTTP status maps to; a success
envelope of the wrong shape is a ``MalformedResponse``. Network failures become
``ServiceUnavailable`` raised outside the ``except`` block, so neither ``__cause__``
nor ``__context__`` holds the requests exception (its text holds the trade URL).

The api key reaches the request through ``ApiKeyAuth``, a requests auth object with
a masked repr: no frame here holds the key in a plain local, so a traceback rendered
with its locals (pytest ``--showlocals``, IPython ``%xmode Verbose``, rich, Sentry)
cannot show it. Errors are built in helpers and raised by a frame whose locals hold
no response body (an API message may echo the trade URL).
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any, NamedTuple

import requests
from requests_cache import CacheMixin

from ._params import Secret
from ._retry import retry_after
from ._session import data_problem, envelope
from .constants import API_KEY_HEADER, INVENTORY_PATH, REQUEST_ID_HEADER
from .errors import (
    AssetPayError,
    CacheError,
    MalformedResponse,
    ServiceUnavailable,
    error_from_response,
)

__all__ = ["USER_AGENT", "ApiKeyAuth", "Page", "cache_failure", "fetch_page", "read_page"]

USER_AGENT = "assetpay-analytics/0.1"
_NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class ApiKeyAuth(requests.auth.AuthBase):
    """Puts the api key in the ``api-key`` header of each request; its repr is masked."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[API_KEY_HEADER] = self._key.reveal()
        return request

    def __repr__(self) -> str:
        return "ApiKeyAuth('***')"


class Page(NamedTuple):
    """One response page: its ``data``, ``requestId``, and where and when it came from.

    ``fetched_at`` is when AssetPay answered (ISO-8601 UTC; for a cache hit, when the
    answer was stored); ``stale`` is True for an expired cache entry served anyway
    (offline, or ``stale_if_error``).
    """

    data: Mapping[str, Any]
    request_id: str | None
    from_cache: bool
    fetched_at: str | None = None
    stale: bool = False


def fetch_page(
    session: requests.Session,
    base_url: str,
    params: Mapping[str, str],
    *,
    auth: ApiKeyAuth,
    request_id: str,
    timeout: float,
    wall_clock: float,
    force_refresh: bool,
    context: str,
) -> Page:
    """Send one GET to the inventory endpoint and read the answer (one attempt).

    ``request_id`` goes out as ``x-request-id`` (the same on every attempt of a call);
    ``timeout`` bounds each socket read and ``wall_clock`` the whole attempt.
    """
    headers = {
        REQUEST_ID_HEADER: request_id,
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    extra: dict[str, Any] = {}
    if force_refresh and isinstance(session, CacheMixin):
        extra["force_refresh"] = True  # requests-cache's per-request switch
    failure: AssetPayError | None = None
    with _watchdog(wall_clock) as (arm, fired):
        try:
            response = session.get(
                base_url + INVENTORY_PATH,
                params=params,
                headers=headers,
                auth=auth,
                timeout=min(timeout, wall_clock),
                allow_redirects=False,  # requests would forward the api-key header
                # a request's hooks replace the session's: keep the session's first
                hooks={"response": [*session.hooks.get("response", ()), arm]},
                **extra,
            )
        except _NETWORK_ERRORS as exc:
            failure = _network_error(exc, fired.is_set(), wall_clock, base_url, context)
        except sqlite3.Error as exc:  # the cache file broke while in use (deleted, disk full)
            failure = cache_failure(exc, context)
    if failure is not None:
        raise failure  # outside the except block: no __context__ holding the URL
    return read_page(response, context)


def cache_failure(exc: sqlite3.Error, context: str) -> CacheError:
    """A cache that failed while in use, as a ``CacheError`` (raised without the sqlite error)."""
    return CacheError(
        f"{context}: the disk cache failed while in use ({type(exc).__name__}: {exc}). "
        "Run again (a damaged file is moved aside when the client starts), or pass cache=None.",
        key="CACHE_UNUSABLE",
    )


def _network_error(
    exc: Exception, timed_out: bool, wall_clock: float, base_url: str, context: str
) -> ServiceUnavailable:
    what = f"took longer than {wall_clock:g} s" if timed_out else type(exc).__name__
    return ServiceUnavailable(
        f"{context}: network failure talking to {base_url} ({what}). "
        "Check the connection and base_url; retried automatically."
    )


@contextmanager
def _watchdog(
    seconds: float,
) -> Iterator[tuple[Callable[..., requests.Response], threading.Event]]:
    """A response hook that bounds the body read in wall-clock time.

    requests' ``timeout`` bounds each socket read, so a server sending a byte every
    half second holds an attempt forever; neither requests nor urllib3 has a total
    timeout. The hook runs once the headers are in, before the body is read, and
    arms a timer that shuts the socket down when the attempt's time is up, which
    ends the blocked read with an error.
    """
    fired = threading.Event()
    timers: list[threading.Timer] = []

    def abort(sock: socket.socket) -> None:
        fired.set()
        with suppress(OSError):  # already closed: the read has ended anyway
            sock.shutdown(socket.SHUT_RDWR)

    def arm(response: requests.Response, **_: Any) -> requests.Response:
        sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
        if isinstance(sock, socket.socket):  # a cached response has no socket
            timer = threading.Timer(seconds, abort, (sock,))
            timer.daemon = True
            timers.append(timer)
            timer.start()
        return response

    try:
        yield arm, fired
    finally:
        for timer in timers:
            timer.cancel()


def read_page(response: requests.Response, context: str) -> Page:
    """The response as a ``Page``, or the typed error it carries (raised here)."""
    outcome = _outcome(response, context)
    if isinstance(outcome, AssetPayError):
        raise outcome
    return outcome


def _fetched_at(response: requests.Response) -> str:
    """When the answer was made: requests-cache's ``created_at`` (UTC), else now."""
    stamp = getattr(response, "created_at", None)
    if not isinstance(stamp, datetime):
        stamp = datetime.now(UTC)
    elif stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _outcome(response: requests.Response, context: str) -> Page | AssetPayError:
    status = response.status_code
    if 300 <= status < 400:
        return AssetPayError(
            f"{context}: the server answered with a redirect (HTTP {status}) that was not "
            "followed, so the api key is not sent to another host. Check base_url.",
            status=status,
        )
    body = envelope(response)
    if not isinstance(body, Mapping):
        if status == 200:
            return ServiceUnavailable(
                f"{context}: the response body is not a JSON envelope (truncated?)",
                status=status,
            )
        return error_from_response(
            status=status, error=None, retry_after=retry_after(response.headers), context=context
        )
    request_id = body.get("requestId")
    data = body.get("data")
    if body.get("success") is True:
        problem = data_problem(response)
        if problem is not None:
            return MalformedResponse(
                f"{context}: the answer does not have the documented shape: {problem}. "
                "Report it to AssetPay support with the request id.",
                status=status,
                request_id=request_id if isinstance(request_id, str) else None,
                details={"problem": problem},
            )
        assert isinstance(data, Mapping)  # data_problem checked it
        from_cache = bool(getattr(response, "from_cache", False))
        return Page(data, request_id, from_cache, _fetched_at(response))
    error = body.get("error") if isinstance(body.get("error"), Mapping) else None
    return error_from_response(
        status=status,
        error=error,
        request_id=request_id,
        retry_after=retry_after(response.headers),
        context=context,
    )
