"""Answers from the cache alone: fresh hits by key, offline mode, stale entries when down.

Both read the cache's entry for a request directly (``session.stored_response``),
expired or not, without the HTTP stack: nothing is sent and no rate budget is spent.
``offline_page`` raises ``CacheMiss`` when there is no entry; ``stale_page`` gives
None when there is none young enough, so the caller raises the upstream's error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests_cache.models.response import CachedResponse

from ..errors import CacheMiss
from .endpoint import Endpoint
from .keys import direct_key
from .request import ApiKeyAuth, Page, cache_failure, json_body, read_page
from .session import fresh_response, stored_response

__all__ = ["fresh_page", "offline_page", "stale_page"]


def _stored_page(
    session: requests.Session,
    endpoint: Endpoint,
    base_url: str,
    params: Mapping[str, Any],
    *,
    auth: ApiKeyAuth,
    context: str,
    max_stale: timedelta | None,
    body: Mapping[str, Any] | None,
) -> Page | None:
    url = base_url + endpoint.path
    request = requests.Request(
        endpoint.method, url, params=dict(params), auth=auth, **_sent_body(body)
    ).prepare()
    response = _read(lambda: stored_response(session, request), context)
    if response is None:
        return None
    expired = response.is_expired
    if expired and max_stale is not None and _expired_for(response.expires) > max_stale:
        return None
    return read_page(response, endpoint, context).replace(stale=expired)


def _sent_body(body: Mapping[str, Any] | None) -> dict[str, Any]:
    """A POST's JSON body as ``fetch_page`` sends it (so the prepared request keys alike)."""
    if body is None:
        return {}
    return {"data": json_body(body), "headers": {"Content-Type": "application/json"}}


def _read(read: Callable[[], CachedResponse | None], context: str) -> CachedResponse | None:
    """One backend read; a failing sqlite file is a ``CacheError``."""
    failure = None
    try:
        return read()
    except sqlite3.Error as exc:
        failure = cache_failure(exc, context)
    raise failure  # outside the except block: the sqlite error is not attached


def _expired_for(expires: datetime | None) -> timedelta:
    """How long ago an entry expired (requests-cache keeps ``expires`` UTC-aware)."""
    return timedelta(0) if expires is None else datetime.now(UTC) - expires


def fresh_page(
    session: requests.Session,
    endpoint: Endpoint,
    base_url: str,
    params: Mapping[str, Any],
    *,
    fingerprint: str,
    context: str,
    body: Mapping[str, Any] | None = None,
) -> Page | None:
    """The cache's unexpired page for ``params``, read by key (no request is prepared).

    A hit costs a backend read and the page's check, not the HTTP stack's work per
    request (environment proxies, request preparation, hooks); None on a miss.
    """
    url = base_url + endpoint.path
    key = direct_key(url, params, fingerprint, method=endpoint.method, body=body)
    response = _read(lambda: fresh_response(session, key), context)
    return None if response is None else read_page(response, endpoint, context)


def offline_page(
    session: requests.Session,
    endpoint: Endpoint,
    base_url: str,
    params: Mapping[str, Any],
    *,
    auth: ApiKeyAuth,
    context: str,
    body: Mapping[str, Any] | None = None,
) -> Page:
    """The cached page for ``params``, expired or not; ``CacheMiss`` when none is stored."""
    page = _stored_page(
        session, endpoint, base_url, params, auth=auth, context=context, max_stale=None,
        body=body,
    )  # fmt: skip
    if page is None:
        raise CacheMiss(
            f"{context}: offline, and the cache holds no answer for this request "
            f"({_which(endpoint, params)}). Nothing was sent: fetch it once online, "
            "or drop offline=.",
            key="CACHE_MISS",
        )
    return page


def _which(endpoint: Endpoint, params: Mapping[str, Any]) -> str:
    """Which answer was missed: the page of a paged endpoint, else the endpoint."""
    if endpoint.paging is None:
        return f"{endpoint.method} {endpoint.path}"
    return f"page {params.get('page', '1')}"


def stale_page(
    session: requests.Session,
    endpoint: Endpoint,
    base_url: str,
    params: Mapping[str, Any],
    *,
    auth: ApiKeyAuth,
    context: str,
    max_stale: timedelta,
    body: Mapping[str, Any] | None = None,
) -> Page | None:
    """The cached page for ``params`` if it expired less than ``max_stale`` ago, else None."""
    return _stored_page(
        session, endpoint, base_url, params, auth=auth, context=context, max_stale=max_stale,
        body=body,
    )  # fmt: skip
