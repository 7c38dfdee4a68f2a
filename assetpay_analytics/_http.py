"""One request: the headers, the GET, and the response read into a ``Page`` or an error.

``fetch_page`` makes exactly one attempt (retries are the caller's, see ``_retry``)
within a wall-clock limit, and never follows a redirect (requests would forward the
``api-key`` header to the other host). ``read_page`` turns any response into a
``Page`` or the typed error its envelope, code or HTTP status maps to; a success
envelope of the wrong shape is a ``MalformedResponse``. Network failures become
``ServiceUnavailable`` without their requests exception attached (its text would
hold the trade URL).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple

import requests
from requests_cache import CacheMixin

from ._params import Secret
from ._retry import retry_after
from ._session import data_problem, envelope
from .constants import API_KEY_HEADER, INVENTORY_PATH, REQUEST_ID_HEADER
from .errors import AssetPayError, MalformedResponse, ServiceUnavailable, error_from_response

__all__ = ["USER_AGENT", "Page", "fetch_page", "read_page"]

USER_AGENT = "assetpay-analytics/0.1"
_NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class Page(NamedTuple):
    """One response page: its ``data`` object, ``requestId`` and whether it came from the cache."""

    data: Mapping[str, Any]
    request_id: str | None
    from_cache: bool


def fetch_page(
    session: requests.Session,
    base_url: str,
    params: Mapping[str, str],
    *,
    api_key: Secret,
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
        API_KEY_HEADER: api_key.reveal(),
        REQUEST_ID_HEADER: request_id,
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    extra: dict[str, Any] = {}
    if force_refresh and isinstance(session, CacheMixin):
        extra["force_refresh"] = True  # requests-cache's per-request switch
    with _watchdog(wall_clock) as (arm, fired):
        try:
            response = session.get(
                base_url + INVENTORY_PATH,
                params=params,
                headers=headers,
                timeout=min(timeout, wall_clock),
                allow_redirects=False,  # requests would forward the api-key header
                # a request's hooks replace the session's: keep the session's first
                hooks={"response": [*session.hooks.get("response", ()), arm]},
                **extra,
            )
        except _NETWORK_ERRORS as exc:
            raise _network_error(exc, fired.is_set(), wall_clock, base_url, context) from None
    return read_page(response, context)


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
    """The response as a ``Page``, or the typed error it carries."""
    status = response.status_code
    if 300 <= status < 400:
        raise AssetPayError(
            f"{context}: the server answered with a redirect (HTTP {status}) that was not "
            "followed, so the api key is not sent to another host. Check base_url.",
            status=status,
        )
    body = envelope(response)
    if not isinstance(body, Mapping):
        if status == 200:
            raise ServiceUnavailable(
                f"{context}: the response body is not a JSON envelope (truncated?)",
                status=status,
            )
        raise error_from_response(
            status=status, error=None, retry_after=retry_after(response.headers), context=context
        )
    request_id = body.get("requestId")
    data = body.get("data")
    if body.get("success") is True:
        problem = data_problem(response)
        if problem is not None:
            raise MalformedResponse(
                f"{context}: the answer does not have the documented shape: {problem}. "
                "Report it to AssetPay support with the request id.",
                status=status,
                request_id=request_id if isinstance(request_id, str) else None,
                details={"problem": problem},
            )
        assert isinstance(data, Mapping)  # data_problem checked it
        return Page(data, request_id, bool(getattr(response, "from_cache", False)))
    error = body.get("error") if isinstance(body.get("error"), Mapping) else None
    raise error_from_response(
        status=status,
        error=error,
        request_id=request_id,
        retry_after=retry_after(response.headers),
        context=context,
    )
