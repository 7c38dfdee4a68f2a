"""One inventory's pages: the pager, the retry loop and the cache-only answers composed.

``PageReader`` holds what every page request needs (the session, the host, the auth
object, the timeout, the retry policy, ``stale_if_error``) and reads a query's pages:
``_paging`` asks for them and checks they add up, each page is retried by ``_retry``
around one ``_http`` attempt, and ``_offline`` answers from the cache alone when the
client is offline or AssetPay stays unavailable. The client builds one reader and
hands it queries; this module never imports the client.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import requests

from ._hits import bulk_hits
from ._http import ApiKeyAuth, Page, fetch_page
from ._offline import fresh_page, offline_page, stale_page
from ._paging import first_page_params, read_pages
from ._params import InventoryQuery
from ._retry import RetryPolicy, call_with_retries
from ._session import direct_key
from .constants import INVENTORY_PATH
from .errors import CacheError, InconsistentInventory, ServiceUnavailable

__all__ = ["PageReader"]


class _NotCached(Exception):
    """A page the cache holds no fresh entry for."""


@dataclass
class PageReader:
    """Reads the pages of inventory queries through one session."""

    session: requests.Session
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

    def read(
        self, query: InventoryQuery, *, offline: bool, cancel: threading.Event | None = None
    ) -> list[Page]:
        """Every page of ``query``, checked to add up (re-read as ``retry`` allows)."""
        with self._in_flight():
            return read_pages(
                partial(self._page, query, cancel=cancel, offline=offline),
                query.params,
                refresh=query.refresh,
                rereads=self.retry.rereads,
                context=query.context,
            )

    def _page(
        self,
        query: InventoryQuery,
        params: Mapping[str, str],
        force_refresh: bool,
        *,
        cancel: threading.Event | None,
        offline: bool,
    ) -> Page:
        """One page, retried as ``retry`` allows, one request id throughout.

        Offline, the cache's entry (or ``CacheMiss``); when AssetPay stays unavailable,
        the cache's entry if it expired within ``stale_if_error``.
        """
        where = (self.session, self.base_url, params)
        if offline:
            return offline_page(*where, auth=self.auth, context=query.context)
        hit = None if force_refresh else self._fresh(params, query.context)
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
        )
        try:
            return call_with_retries(
                lambda seconds: attempt(wall_clock=seconds), self.retry, cancel=cancel
            )
        except ServiceUnavailable:
            page = self._stale(where, query.context)
            if page is None:
                raise
            return page

    def _fresh(self, params: Mapping[str, str], context: str) -> Page | None:
        return fresh_page(
            self.session, self.base_url, params, fingerprint=self._fingerprint, context=context
        )

    def read_cached(self, queries: Sequence[InventoryQuery]) -> list[list[Page] | None]:
        """Each query's pages from the cache's fresh entries, or None (nothing is sent).

        A batch reads its cached accounts this way, in the calling thread: the first
        pages in bulk (``_hits``), any later page by key; only the rest go to the
        thread pool. Pages that do not add up are None too: the full read (with its
        re-reads) then decides.
        """
        if any(query.refresh for query in queries):
            return [None] * len(queries)  # refresh: the cache is not read
        url = self.base_url + INVENTORY_PATH
        keys = [direct_key(url, first_page_params(q.params), self._fingerprint) for q in queries]
        firsts = bulk_hits(self.session, keys)
        return [
            self._cached_pages(query, firsts.get(key))
            for query, key in zip(queries, keys, strict=True)
        ]

    def _cached_pages(self, query: InventoryQuery, first: Page | None) -> list[Page] | None:
        def get(params: Mapping[str, str], bypass: bool) -> Page:
            if first is not None and not bypass and params.get("page") == "1":
                return first
            page = None if bypass else self._fresh(params, query.context)
            if page is None:
                raise _NotCached
            return page

        try:
            return read_pages(get, query.params, refresh=False, rereads=0, context=query.context)
        except (_NotCached, InconsistentInventory, CacheError):
            return None

    def _stale(
        self, where: tuple[requests.Session, str, Mapping[str, str]], context: str
    ) -> Page | None:
        if self.stale_if_error is None:
            return None
        return stale_page(*where, auth=self.auth, context=context, max_stale=self.stale_if_error)
