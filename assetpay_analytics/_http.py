"""One request: the headers, the GET, and the response read into a ``Page`` or an error.

``fetch_page`` makes exactly one attempt (retries are the caller's, see ``_retry``)
and never follows a redirect (requests would forward the ``api-key`` header to the
other host). ``read_page`` turns any response into a ``Page`` or the typed error its
envelope, code or HTTP status maps to. Network failures become ``ServiceUnavailable``
without their requests exception attached (its text would hold the trade URL).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

import requests
from requests_cache import CacheMixin

from ._params import Secret
from ._retry import retry_after
from ._session import envelope
from .constants import API_KEY_HEADER, INVENTORY_PATH, REQUEST_ID_HEADER
from .errors import AssetPayError, ServiceUnavailable, error_from_response

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
    timeout: float,
    force_refresh: bool,
    context: str,
) -> Page:
    """Send one GET to the inventory endpoint and read the answer (one attempt)."""
    headers = {
        API_KEY_HEADER: api_key.reveal(),
        REQUEST_ID_HEADER: str(uuid.uuid4()),
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    extra: dict[str, Any] = {}
    if force_refresh and isinstance(session, CacheMixin):
        extra["force_refresh"] = True  # requests-cache's per-request switch
    try:
        response = session.get(
            base_url + INVENTORY_PATH,
            params=params,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,  # requests would forward the api-key header
            **extra,
        )
    except _NETWORK_ERRORS as exc:
        raise ServiceUnavailable(
            f"{context}: network failure talking to {base_url} ({type(exc).__name__}). "
            "Check the connection and base_url; retried automatically."
        ) from None
    return read_page(response, context)


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
    if body.get("success") is True and isinstance(data, Mapping):
        return Page(data, request_id, bool(getattr(response, "from_cache", False)))
    error = body.get("error") if isinstance(body.get("error"), Mapping) else None
    raise error_from_response(
        status=status,
        error=error,
        request_id=request_id,
        retry_after=retry_after(response.headers),
        context=context,
    )
