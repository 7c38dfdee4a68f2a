"""The HTTP session under every endpoint: a requests-cache cache in front of the rate budgets.

``CacheMixin`` comes first so a cache hit returns before a budget is asked: hits never
spend the merchant's rate budget (requests-cache documents this order for a limiter
mixin). ``BudgetMixin`` waits for a slot of the budget of the request's rate family
before each request that goes out, and pauses that budget on a 429. Which endpoint a URL
belongs to, and so which budget it spends, how long its answers stay fresh and what a
storable answer of it is, the session learns from its ``Routes`` (the reader adds each
endpoint before its first request). Retries are not here: they live above the cache, in
the reader, because the retryable failures arrive inside JSON envelopes.

What is written to disk, and what is not:

- the ``api-key`` header is redacted from every stored request (requests-cache's
  default list has ``X-API-Key``, and it matches names literally);
- the ``tradeUrl`` parameter, token included, is redacted from every stored URL, and
  the ``tradeurl`` key from every stored JSON body (requests-cache redacts JSON bodies
  by the same list);
- only HTTP 200 responses whose envelope says ``success: true`` with the endpoint's
  documented ``data`` are stored (``answers.stored_success``);
- the cache key is ours (``keys``): one-way fingerprints of the api key and the trade
  token, never the values;
- rows are written as JSON (orjson, through requests-cache's cattrs stage), never
  pickle: reading a cache file that someone else can write must not run their code.
  A row that does not decode into a storable answer is a miss (``SafeSerializer``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from requests_cache import NEVER_EXPIRE, CacheMixin
from requests_cache.backends.base import BaseCache
from requests_cache.models.response import CachedResponse
from requests_cache.serializers import SerializerPipeline, Stage
from requests_cache.serializers.preconf import orjson_preconf_stage

from ..constants import API_KEY_HEADER
from .answers import stored_success
from .budget import BudgetBook, RateBudget
from .cache import CacheLocation
from .endpoint import SESSION_EXPIRY, Endpoint
from .keys import cache_key
from .retry import retry_after
from .sqlite_backend import ThreadedSQLiteCache

__all__ = [
    "POOL_SIZE",
    "SERIALIZER",
    "BudgetMixin",
    "Routes",
    "SafeSerializer",
    "build_session",
    "fresh_response",
    "stored_response",
]

#: Stored as "REDACTED" in the cache file: the header, the query parameter, and the key of
#: a JSON body (``/secure/check-tradeurl`` sends the trade URL as ``tradeurl``).
_REDACTED = (API_KEY_HEADER, "tradeUrl", "tradeurl")
#: Connections kept open per host: more than any sensible ``workers`` (the default is 32).
POOL_SIZE = 64


class Routes:
    """The endpoints a session serves, by URL path: the budget each spends, what it may store.

    Parameters
    ----------
    budgets : BudgetBook
        The api key's budgets; an endpoint's requests spend its family's.

    A session talks to one host, so an endpoint is found by the path of a URL: requests
    may spell the scheme, host or port of a prepared URL otherwise than the base URL
    was given (``HTTP://Host:443`` goes out as ``http://host:443``), never its path.
    ``expiries`` is the ``urls_expire_after`` table requests-cache reads (an endpoint
    whose ``expire_after`` is not the session's gets an entry); it is replaced, never
    changed in place, when an endpoint is added, so a request reading it is never
    disturbed.
    """

    def __init__(self, budgets: BudgetBook) -> None:
        self.budgets = budgets
        self.expiries: dict[str | re.Pattern[Any], Any] = {}
        self._by_path: dict[str, Endpoint] = {}
        self._lock = threading.Lock()
        self._on_change: Callable[[dict[str | re.Pattern[Any], Any]], None] | None = None

    def __repr__(self) -> str:
        return f"Routes({sorted(self._by_path)})"

    def add(self, url: str, endpoint: Endpoint) -> None:
        """Serve ``endpoint`` at ``url`` (its base URL and path); a second add is a no-op."""
        path = _path(url)
        if self._by_path.get(path) is endpoint:
            return
        with self._lock:
            self._by_path = {**self._by_path, path: endpoint}
            if endpoint.expire_after != SESSION_EXPIRY:
                expiry = NEVER_EXPIRE if endpoint.expire_after is None else endpoint.expire_after
                pattern = re.compile("^[^:/?#]+://[^/?#]*" + re.escape(path) + r"(?:\?|$)")
                self.expiries = {**self.expiries, pattern: expiry}
                if self._on_change is not None:
                    self._on_change(self.expiries)

    def follow(self, on_change: Callable[[dict[str | re.Pattern[Any], Any]], None]) -> None:
        """Call ``on_change(expiries)`` whenever an endpoint adds an expiry (the session's)."""
        self._on_change = on_change

    def endpoint(self, url: str | None) -> Endpoint | None:
        """The endpoint served at ``url``'s path, None for an unknown one."""
        return self._by_path.get(_path(url or ""))

    def budget(self, url: str | None) -> RateBudget:
        """The budget a request of ``url`` spends: its endpoint's family's."""
        endpoint = self.endpoint(url)
        if endpoint is None:
            raise ValueError(
                "a request to a URL no endpoint serves: the reader adds an endpoint to the "
                "session's routes before its first request"
            )
        return self.budgets.budget(endpoint.family)

    def accepts(self, response: requests.Response) -> bool:
        """Whether ``response`` is a storable success of the endpoint its URL belongs to."""
        endpoint = self.endpoint(response.url)
        return endpoint is not None and endpoint.cached and stored_success(response, endpoint)


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def fresh_response(session: requests.Session, key: str) -> CachedResponse | None:
    """The cache's unexpired entry under ``key``, read from the backend (no HTTP stack)."""
    if not isinstance(session, CacheMixin):
        return None
    response = session.cache.responses.get(key)
    if not isinstance(response, CachedResponse) or response.is_expired:
        return None
    return response


def stored_response(
    session: requests.Session, request: requests.PreparedRequest
) -> CachedResponse | None:
    """The cache's entry for ``request``, expired or not, read without sending anything."""
    if not isinstance(session, CacheMixin):
        return None
    response = session.cache.responses.get(cache_key(request))
    return response if isinstance(response, CachedResponse) else None


class SafeSerializer(SerializerPipeline):
    """orjson rows; a row that is not a storable answer is a miss (None).

    cattrs fills missing fields with defaults, so a foreign JSON object decodes into
    an empty response: what was stored is checked like a live answer (``accept``, the
    session's ``Routes.accepts``, whose parse is memoised on the response and reused by
    the reader). Without ``accept`` (the module's ``SERIALIZER``) only the decoding is
    checked; ``build_session`` binds the session's routes.
    """

    def __init__(
        self, *args: Any, accept: Callable[[requests.Response], bool] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.accept = accept

    def loads(self, value: Any) -> CachedResponse | None:  # type: ignore[override]
        try:
            response = super().loads(value)
            usable = isinstance(response, CachedResponse) and (
                self.accept is None or self.accept(response)
            )
        except Exception:
            return None
        return response if usable else None

    def accepting(self, accept: Callable[[requests.Response], bool]) -> SafeSerializer:
        """A copy that keeps only the rows ``accept`` takes."""
        copy = self.copy()
        copy.accept = accept
        return copy

    def copy(self) -> SafeSerializer:
        # requests-cache copies the pipeline it is given; the copy must stay safe
        return SafeSerializer(
            [stage.copy() if hasattr(stage, "copy") else stage for stage in self.stages],
            name=self.name,
            is_binary=self.is_binary,
            accept=self.accept,
        )


#: How rows are written: requests-cache's cattrs stage (body as base64) then orjson.
SERIALIZER = SafeSerializer(
    [orjson_preconf_stage, Stage(dumps=orjson.dumps, loads=orjson.loads)],
    name="assetpay-orjson",
    is_binary=True,
)


class BudgetMixin(requests.Session):
    """Each request that goes out first waits for a slot of its rate family's budget.

    Written here rather than taken from requests-ratelimiter: its mixin names buckets by
    host, and on a 429 it fills the bucket for the smallest interval from "now",
    ignoring ``Retry-After``; the budget's pause honours it in every thread and process.
    A cached answer never reaches this ``send`` (``CacheMixin`` comes first).
    """

    def __init__(self, *args: Any, routes: Routes, **kwargs: Any) -> None:
        self.routes = routes
        super().__init__(*args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        budget = self.routes.budget(request.url)
        budget.acquire()
        response = super().send(request, **kwargs)
        if response.status_code == 429:
            budget.rate_limited(retry_after(response.headers))
        return response


class CachedBudgetSession(CacheMixin, BudgetMixin):
    """A requests Session with a disk cache first and the merchant's rate budgets after it."""


class BudgetSession(BudgetMixin):
    """A requests Session with the merchant's rate budgets and no cache (``cache=None``)."""


def build_session(
    *,
    cache: CacheLocation | None,
    expire_after: timedelta | None,
    routes: Routes,
    serializer: Any = SERIALIZER,
) -> requests.Session:
    """Create the session every endpoint's requests go through.

    Parameters
    ----------
    cache : CacheLocation or None
        Where the cache is opened (``cache.prepare_cache``); None for no cache.
    expire_after : timedelta or None
        How long a stored response is served as fresh (unless its endpoint says
        otherwise); None: never expires.
    routes : Routes
        The endpoints served: the budget each request spends, what may be stored.
    serializer
        How rows are written (the benchmarks pass ``"pickle"`` for their baseline).

    Returns
    -------
    requests.Session
    """
    session: requests.Session
    if cache is None:
        session = BudgetSession(routes=routes)
    else:
        cached = _cached_session(cache, expire_after, serializer, routes)
        routes.follow(lambda expiries: setattr(cached.settings, "urls_expire_after", expiries))
        session = cached
    _size_pool(session)
    return session


def _size_pool(session: requests.Session) -> None:
    """Keep a connection per worker: requests' default pool keeps 10 and discards the rest.

    Beyond ten threads urllib3 logged "Connection pool is full, discarding connection"
    and every batch reopened connections; ``POOL_SIZE`` covers any sensible ``workers``.
    ``max_retries=0``: retries are the client's (``retry``), as with the default adapter.
    """
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def _cached_session(
    cache: CacheLocation, expire_after: timedelta | None, serializer: Any, routes: Routes
) -> CachedBudgetSession:
    if isinstance(serializer, SafeSerializer):
        serializer = serializer.accepting(routes.accepts)
    return CachedBudgetSession(
        backend=_backend(cache, serializer),
        read_only=cache.read_only,
        expire_after=NEVER_EXPIRE if expire_after is None else expire_after,
        urls_expire_after=routes.expiries,
        allowable_codes=(200,),
        # a POST is cached only for an endpoint that reads (``Endpoint.cached``, the filter)
        allowable_methods=("GET", "POST"),
        cache_control=False,
        key_fn=cache_key,
        filter_fn=routes.accepts,
        ignored_parameters=_REDACTED,
        routes=routes,
    )


def _backend(cache: CacheLocation, serializer: Any) -> BaseCache:
    if cache.open_path is None:
        return BaseCache()  # requests-cache's in-memory backend (``cache_fallback="memory"``)
    # WAL lets readers and one writer work at once; a read-only copy needs no journal.
    # One connection per thread: requests-cache's one shared connection serialised fan-out.
    return ThreadedSQLiteCache(
        cache.open_path,
        wal=not cache.read_only,
        serializer=serializer,
        on_close=cache.discard_copy,
    )
