"""One request of any endpoint: the headers, the request, the response as a ``Page`` or an error.

``fetch_page`` makes exactly one attempt (retries are the caller's, see ``retry``)
within a wall-clock limit, and never follows a redirect (requests would forward the
``api-key`` header to the other host). ``read_page`` turns any response into a
``Page`` or the typed error its envelope, code or HTTP status maps to; a success
envelope whose ``data`` is not the endpoint's documented shape is a
``MalformedResponse``. A 200 is first read by the endpoint's fast reading
(``answers.reading``, Arrow for the inventory): a documented success becomes a page
without a Python object per item; anything else is decoded by orjson and checked by the
endpoint's ``data_problem``. Network failures become
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
from typing import Any

import orjson
import requests
from requests_cache import CacheMixin

from ..constants import API_KEY_HEADER, REQUEST_ID_HEADER
from ..errors import (
    AssetPayError,
    CacheError,
    MalformedResponse,
    ServiceUnavailable,
    error_from_response,
)
from ..redact import Secret
from .answers import data_problem, envelope, reading
from .endpoint import Endpoint
from .keys import key_fingerprint
from .page import Page
from .retry import retry_after

__all__ = [
    "USER_AGENT",
    "ApiKeyAuth",
    "Page",
    "cache_failure",
    "fetch_page",
    "json_body",
    "read_page",
]

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

    def fingerprint(self) -> str:
        """The key's one-way fingerprint (it names the key's cache entries)."""
        return key_fingerprint(self._key.reveal())


def fetch_page(
    session: requests.Session,
    endpoint: Endpoint,
    base_url: str,
    params: Mapping[str, Any],
    *,
    auth: ApiKeyAuth,
    request_id: str,
    timeout: float,
    wall_clock: float,
    force_refresh: bool,
    context: str,
    body: Mapping[str, Any] | None = None,
) -> Page:
    """Send one request to ``endpoint`` and read the answer (one attempt).

    ``params`` go in the query string and ``body``, if any, as JSON. ``request_id`` goes
    out as ``x-request-id`` (the same on every attempt of a call); ``timeout`` bounds
    each socket read and ``wall_clock`` the whole attempt.
    """
    headers = {
        REQUEST_ID_HEADER: request_id,
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    extra: dict[str, Any] = {}
    if body is not None:
        headers["Content-Type"] = "application/json"
        extra["data"] = json_body(body)
    if force_refresh and isinstance(session, CacheMixin):
        extra["force_refresh"] = True  # requests-cache's per-request switch
    failure: AssetPayError | None = None
    with _watchdog(wall_clock) as (arm, fired):
        try:
            response = session.request(
                endpoint.method,
                base_url + endpoint.path,
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
    return read_page(response, endpoint, context)


class SentBody(bytes):
    """A POST's JSON body as bytes whose repr tells only its size.

    The body carries a trade URL, token included. It is held by this module's frame and
    by requests' and urllib3's while it is sent, and a traceback rendered with locals
    (IPython's verbose mode, ``rich``, ``traceback.TracebackException(capture_locals=True)``)
    prints every local's repr: this one shows no text.
    """

    def __repr__(self) -> str:
        return f"<JSON body, {len(self)} bytes>"

    __str__ = __repr__


def json_body(body: Mapping[str, Any]) -> SentBody:
    """A POST's JSON body as sent: a ``Sensitive`` trade URL as its text.

    Serialised here rather than by requests' ``json=``, which cannot spell a
    ``Sensitive`` (and the body must travel masked until it is sent).
    """
    return SentBody(orjson.dumps(dict(body), default=str))


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


def read_page(response: requests.Response, endpoint: Endpoint, context: str) -> Page:
    """The response as one of ``endpoint``'s pages, or the typed error it carries (raised here)."""
    outcome = _outcome(response, endpoint, context)
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


def _outcome(response: requests.Response, endpoint: Endpoint, context: str) -> Page | AssetPayError:
    status = response.status_code
    if 300 <= status < 400:
        return AssetPayError(
            f"{context}: the server answered with a redirect (HTTP {status}) that was not "
            "followed, so the api key is not sent to another host. Check base_url.",
            status=status,
        )
    page = _fast_success(response, endpoint)
    if page is not None:
        return page
    body = envelope(response)
    header_id = _header_request_id(response)
    if not isinstance(body, Mapping):
        if status == 200:
            return ServiceUnavailable(
                f"{context}: the response body is not a JSON envelope (truncated?)",
                status=status, request_id=header_id,
            )  # fmt: skip
        return error_from_response(
            status=status, error=None, request_id=header_id,
            retry_after=retry_after(response.headers), context=context,
        )  # fmt: skip
    if body.get("success") is True:
        return _success(response, endpoint, body, context)
    request_id = body.get("requestId") if isinstance(body.get("requestId"), str) else header_id
    error = body.get("error") if isinstance(body.get("error"), Mapping) else None
    return error_from_response(
        status=status,
        error=error,
        request_id=request_id,
        retry_after=retry_after(response.headers),
        context=context,
    )


def _header_request_id(response: requests.Response) -> str | None:
    """The ``x-request-id`` response header (as the official SDK reads it without an
    envelope: a proxy's HTML 502 still names the request), else None."""
    value = response.headers.get(REQUEST_ID_HEADER)
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None


def _fast_success(response: requests.Response, endpoint: Endpoint) -> Page | None:
    """A 200 the endpoint read fast as a documented success (no Python object per item)."""
    fast = reading(response, endpoint) if response.status_code == 200 else None
    if fast is None:
        return None
    from_cache = bool(getattr(response, "from_cache", False))
    return Page(
        None, fast.request_id, from_cache, _fetched_at(response), arrow=fast,
        body=response.content,
    )  # fmt: skip


def _success(
    response: requests.Response, endpoint: Endpoint, body: Mapping[str, Any], context: str
) -> Page | AssetPayError:
    """A success envelope decoded by orjson: checked for the endpoint's documented shape."""
    request_id = body.get("requestId")
    problem = data_problem(response, endpoint)
    if problem is not None:
        return MalformedResponse(
            f"{context}: the answer does not have the documented shape: {problem}. "
            "Report it to AssetPay support with the request id.",
            status=response.status_code,
            request_id=request_id if isinstance(request_id, str) else None,
            details={"problem": problem},
        )
    data = body.get("data")  # of the shape data_problem checked (an object, a list...)
    from_cache = bool(getattr(response, "from_cache", False))
    return Page(data, request_id, from_cache, _fetched_at(response))
