"""One query's pages, for any endpoint: the pager, the retry loop and the cache-only answers.

``PageReader`` holds what every request needs (the session and its routes, the host,
the auth object, the timeout, the retry policy, ``stale_if_error``) and reads the pages
of one query of an ``Endpoint``: one request, or the counted pages ``paging`` asks for
and checks when the endpoint pages; each page is retried by ``retry`` around one
``request`` attempt, and
``offline`` answers from the cache alone when the client is offline or AssetPay stays
unavailable. A batch's cache hits are read in bulk first (``hits``). The client builds
one reader and hands it endpoints and queries; this module knows no particular endpoint
and never imports the client.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import requests

from ..errors import CacheError, InconsistentInventory, ServiceUnavailable
from .budget import waiting
from .endpoint import Endpoint, Query
from .hits import bulk_hits
from .keys import direct_key
from .offline import fresh_page, offline_page, stale_page
from .paging import GetPage, read_counted
from .request import ApiKeyAuth, Page, fetch_page
from .retry import RetryPolicy, call_with_retries
from .session import Routes

__all__ = ["PageReader"]


class _NotCached(Exception):
    """A page the cache holds no fresh entry for."""


@dataclass
class PageReader:
    """Reads the pages of any endpoint's queries through one session."""

    session: requests.Session
    routes: Routes
    base_url: str
    auth: ApiKeyAuth
    timeout: float
    retry: RetryPolicy
    stale_if_error: timedelta | None = None
    _busy: int = field(default=0, init=False, repr=False)
    _fingerprint: str = field(default="", init=False, repr=False)
    _idle: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def __post_init__(self) -> None:
        self._fingerprint = self.auth.fingerprint()  # one-way: safe to keep

    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is in flight (a batch stopped early leaves some behind).

        Closing the session under a request in flight closes the cache's sqlite
        connection under it, which can crash the process; the client waits first.
        """
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def serve(self, endpoint: Endpoint) -> None:
        """Tell the session's routes about ``endpoint`` (its budget, expiry, stored rows).

        ``read`` does it too; a client serves its endpoints from the start, so a cache
        it did not write is read (``cache_info``, offline answers) before any request.
        """
        self.routes.add(self.base_url + endpoint.path, endpoint)

    def read(
        self,
        endpoint: Endpoint,
        query: Query,
        *,
        offline: bool,
        cancel: threading.Event | None = None,
    ) -> list[Page]:
        """Every page of ``query``: one, or the counted pages when ``endpoint`` pages."""
        self.serve(endpoint)
        with self._in_flight():
            get = partial(self._page, endpoint, query, cancel=cancel, offline=offline)
            return self._pages(endpoint, get, query, rereads=self.retry.rereads)

    @staticmethod
    def _pages(endpoint: Endpoint, get: GetPage, query: Query, *, rereads: int) -> list[Page]:
        if endpoint.paging is None:
            return [get(query.params, query.refresh)]
        return read_counted(
            endpoint.paging, get, query.params, refresh=query.refresh, rereads=rereads,
            context=query.context,
        )  # fmt: skip

    def _page(
        self,
        endpoint: Endpoint,
        query: Query,
        params: Mapping[str, Any],
        force_refresh: bool,
        *,
        cancel: threading.Event | None,
        offline: bool,
    ) -> Page:
        """One page, retried as ``retry`` allows, one request id throughout.

        Offline, the cache's entry (or ``CacheMiss``); when AssetPay stays unavailable,
        the cache's entry if it expired within ``stale_if_error``.
        """
        where = (self.session, endpoint, self.base_url, params)
        if offline:
            return offline_page(*where, auth=self.auth, context=query.context, body=query.body)
        hit = None if force_refresh else self._fresh(endpoint, params, query)
        if hit is not None:
            return hit
        attempt = partial(
            fetch_page,
            *where,
            auth=self.auth,
            request_id=str(uuid.uuid4()),
            timeout=self.timeout,
            force_refresh=force_refresh,
            context=query.context,
            body=query.body,
        )
        # the rate budget, reached through requests, waits no longer than the call may
        deadline = time.monotonic() + self.retry.deadline
        try:
            with waiting(deadline=deadline, cancel=cancel):
                return call_with_retries(
                    lambda seconds: attempt(wall_clock=seconds), self.retry, cancel=cancel
                )
        except ServiceUnavailable:
            page = self._stale(where, query)
            if page is None:
                raise
            return page

    def _fresh(self, endpoint: Endpoint, params: Mapping[str, Any], query: Query) -> Page | None:
        return fresh_page(
            self.session, endpoint, self.base_url, params,
            fingerprint=self._fingerprint, context=query.context, body=query.body,
        )  # fmt: skip

    def read_cached(self, endpoint: Endpoint, queries: Sequence[Query]) -> list[list[Page] | None]:
        """Each query's pages from the cache's fresh entries, or None (nothing is sent).

        A batch reads its cached accounts this way, in the calling thread: the first
        pages in bulk (``hits``), any later page by key; only the rest go to the
        thread pool. Pages that do not add up are None too: the full read (with its
        re-reads) then decides.
        """
        if any(query.refresh for query in queries):
            return [None] * len(queries)  # refresh: the cache is not read
        self.serve(endpoint)
        url = self.base_url + endpoint.path
        keys = [
            direct_key(
                url,
                endpoint.first_params(q),
                self._fingerprint,
                method=endpoint.method,
                body=q.body,
            )
            for q in queries
        ]
        firsts = bulk_hits(self.session, endpoint, keys)
        return [
            self._cached_pages(endpoint, query, firsts.get(key))
            for query, key in zip(queries, keys, strict=True)
        ]

    def _cached_pages(
        self, endpoint: Endpoint, query: Query, first: Page | None
    ) -> list[Page] | None:
        first_params = _spelled(endpoint.first_params(query))

        def get(params: Mapping[str, Any], bypass: bool) -> Page:
            if first is not None and not bypass and _spelled(params) == first_params:
                return first
            page = None if bypass else self._fresh(endpoint, params, query)
            if page is None:
                raise _NotCached
            return page

        try:
            return self._pages(endpoint, get, query, rereads=0)
        except (_NotCached, InconsistentInventory, CacheError):
            return None

    def _stale(
        self, where: tuple[requests.Session, Endpoint, str, Mapping[str, Any]], query: Query
    ) -> Page | None:
        if self.stale_if_error is None:
            return None
        return stale_page(
            *where, auth=self.auth, context=query.context, max_stale=self.stale_if_error,
            body=query.body,
        )  # fmt: skip


def _spelled(params: Mapping[str, Any]) -> dict[str, str]:
    """Parameters as they are sent (a ``Sensitive`` trade URL as its text), to compare two."""
    return {name: str(value) for name, value in params.items()}
