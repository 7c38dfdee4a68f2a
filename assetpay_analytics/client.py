"""``AssetPayClient``: inventories from ``GET /secure/inventory`` as typed DataFrames.

A thin façade that reads like the data flow: arguments are checked into an
``InventoryQuery`` (``_params``), its pages are fetched (``_paging`` asks for them,
``_retry`` retries each, ``_http`` makes one request through the cached,
rate-limited session of ``_session``), and ``frame`` turns the pages into one typed
DataFrame. Many accounts go through ``batch``; the disk cache's location and
administration live in ``cache``. Those rooms never import this module: the client
composes them and hands each the function or object it needs.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from functools import partial
from typing import Any

import pandas as pd
import requests

from . import accessor as _accessor  # noqa: F401  (registers df.assetpay on every frame)
from . import batch as _batch
from . import cache as _cache
from ._fanout import DEFAULT_GIVE_UP_AFTER, fetch_many
from ._http import Page, fetch_page
from ._paging import read_pages
from ._params import (
    InventoryQuery,
    check_base_url,
    check_filters,
    check_game,
    check_refresh,
    resolve_key,
)
from ._retry import RetryPolicy, call_with_retries
from ._session import build_session, key_fingerprint
from .cache import DEFAULT_CACHE, DEFAULT_EXPIRE_AFTER, CacheInfo, default_cache_path
from .constants import DEFAULT_BASE_URL, GAME_CS2, RATE_LIMIT_UNVERIFIED, RATE_LIMIT_VERIFIED
from .frame import from_pages
from .tradeurl import TradeUrl

__all__ = [
    "DEFAULT_CACHE",
    "DEFAULT_EXPIRE_AFTER",
    "DEFAULT_TIMEOUT",
    "AssetPayClient",
    "CacheInfo",
    "Page",
    "RetryPolicy",
    "default_cache_path",
]

#: Seconds to wait for the server to answer one request.
DEFAULT_TIMEOUT = 30.0


class AssetPayClient(_cache.CacheAdmin):
    """A client for the AssetPay Merchant API's inventory endpoint.

    Parameters
    ----------
    api_key : str, optional
        The merchant api key; default ``$ASSETPAY_API_KEY``. It is sent only in the
        ``api-key`` header and never printed, logged or written to the cache.
    base_url : str
        The API host (default ``https://api.assetpay.gg``); ``http://`` is accepted
        only for a loopback sandbox.
    cache : path, None or DEFAULT_CACHE
        The sqlite cache file (a directory gets ``http-cache.sqlite`` inside it);
        ``None`` disables the cache; default: the user cache dir, movable with
        ``$ASSETPAY_CACHE_DIR``.
    expire_after : timedelta or seconds
        How long a cached response is served (default 15 minutes, the upstream cache
        window).
    verified : bool
        Merchant status, which sets the client-side rate limit: 10,000 requests a
        minute when verified, 100 when not. Cache hits do not count.
    session : requests.Session, optional
        Bring your own session; it is used as is (no cache or limiter is added).
    timeout : float
        Seconds to wait for one response (default 30).
    retry : RetryPolicy
        How many times, and how patiently, retryable failures are retried.

    Examples
    --------
    >>> import assetpay_analytics as apa
    >>> with apa.sandbox.serve() as box:
    ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    ...     df = client.inventory(box.trade_urls[0])
    ...     (len(df) == df.attrs["count"], df.attrs["from_cache"])
    (True, False)
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        cache: Any = DEFAULT_CACHE,
        expire_after: timedelta | float = DEFAULT_EXPIRE_AFTER,
        verified: bool = True,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._key = resolve_key(api_key)
        self.base_url = check_base_url(base_url)
        self.verified = bool(verified)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.cache_path = None if session is not None else _cache.cache_file(cache)
        self._session = session or build_session(
            cache_path=self.cache_path,
            expire_after=expire_after,
            per_minute=RATE_LIMIT_VERIFIED if verified else RATE_LIMIT_UNVERIFIED,
        )

    # --- lifecycle --------------------------------------------------------------------

    def __repr__(self) -> str:
        cache = str(self.cache_path) if self.cache_path else None
        return (
            f"AssetPayClient(base_url={self.base_url!r}, cache={cache!r}, "
            f"verified={self.verified}, api_key='***')"
        )

    def close(self) -> None:
        """Close the HTTP session (and the cache's database connection)."""
        self._session.close()

    def __enter__(self) -> AssetPayClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def key_fingerprint(self) -> str:
        """A one-way fingerprint of the api key (it namespaces the cache)."""
        return key_fingerprint(self._key.reveal())

    # --- one inventory ----------------------------------------------------------------

    def inventory(
        self,
        trade_url: str | TradeUrl,
        game: str = GAME_CS2,
        *,
        search: str | None = None,
        sort: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        accepted_only: bool = False,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """One account's whole inventory as a typed DataFrame, every page included.

        Parameters
        ----------
        trade_url : str or TradeUrl
            The account's Steam trade URL (validated before any request).
        game : str
            ``"730"`` (CS2, default) or ``"252490"`` (Rust).
        search : str, optional
            Name filter, at most 100 characters.
        sort : str, optional
            One of relevance, priceAsc, priceDesc, nameAsc, nameDesc.
        min_price, max_price : float, optional
            USD bounds on the **offer** price, ``0 <= min_price <= max_price``.
        accepted_only : bool
            Only rows whose offer is accepted (``acceptedOnly``).
        refresh : bool
            Bypass the disk cache and ask AssetPay to refresh its own (``refresh=true``).

        Returns
        -------
        DataFrame
            One row per item (schema in ``assetpay_analytics.frame.SCHEMA``), exact:
            unique item ids, ``count`` items (less any id-less item set aside).
            ``attrs`` (JSON-friendly): count, updated_at (ISO string), collateral,
            game, steam_id, request_ids, from_cache (True only when every page came
            from the cache), anomalies (values set aside as NA: ``df.assetpay.anomalies``).

        Raises
        ------
        InvalidTradeUrl, InvalidRequest
            Bad arguments, before any request.
        AuthenticationError, InventoryUnavailable, MalformedResponse
            At once, not retried.
        RateLimited, ServiceUnavailable
            After the retries of ``retry`` are spent (bounded in attempts and time).
        InconsistentInventory
            The pages did not add up, even after ``retry.rereads`` re-reads.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     rust = client.inventory(box.accounts["rusty"].trade_url, game="252490")
        ...     bool(rust["exterior"].isna().all())
        True
        """
        query = InventoryQuery.build(
            trade_url,
            game,
            refresh=refresh,
            search=search,
            sort=sort,
            min_price=min_price,
            max_price=max_price,
            accepted_only=accepted_only,
        )
        return self._inventory(query)

    def _inventory(
        self, query: InventoryQuery, cancel: threading.Event | None = None
    ) -> pd.DataFrame:
        pages = self._read(query, cancel)
        return from_pages(
            [page.data for page in pages],
            game=query.game,
            steam_id=query.url.steam_id,
            request_ids=[page.request_id for page in pages if page.request_id],
            from_cache=all(page.from_cache for page in pages),
        )

    def pages(
        self,
        trade_url: str | TradeUrl,
        game: str = GAME_CS2,
        *,
        search: str | None = None,
        sort: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        accepted_only: bool = False,
        refresh: bool = False,
    ) -> Iterator[Page]:
        """The response pages of one inventory, checked to add up (arguments as in ``inventory``).

        The first request asks for everything at once (``limit=-1``); if the server
        sends fewer items than its ``count``, the rest is paged with the page size it
        used. Arguments are validated now; the pages are fetched on the first
        ``next()``, all of them, because they are only handed out once they add up
        (unique ids, ``count`` items; see ``inventory``).

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve(page_cap=10) as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     sizes = [len(p.data["inventory"]) for p in client.pages(box.trade_urls[0])]
        ...     max(sizes)
        10
        """
        query = InventoryQuery.build(
            trade_url,
            game,
            refresh=refresh,
            search=search,
            sort=sort,
            min_price=min_price,
            max_price=max_price,
            accepted_only=accepted_only,
        )
        return self._lazy_pages(query)

    def _lazy_pages(self, query: InventoryQuery) -> Iterator[Page]:
        yield from self._read(query)

    def _read(self, query: InventoryQuery, cancel: threading.Event | None = None) -> list[Page]:
        """Every page of ``query``, checked to add up (re-read as ``self.retry`` allows)."""
        return read_pages(
            partial(self._page, query, cancel=cancel),
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
        cancel: threading.Event | None = None,
    ) -> Page:
        """One page of ``query``, retried as ``self.retry`` allows, one request id throughout."""
        attempt = partial(
            fetch_page,
            self._session,
            self.base_url,
            params,
            api_key=self._key,
            request_id=str(uuid.uuid4()),
            timeout=self.timeout,
            force_refresh=force_refresh,
            context=query.context,
        )
        return call_with_retries(
            lambda seconds: attempt(wall_clock=seconds), self.retry, cancel=cancel
        )

    # --- many inventories -------------------------------------------------------------

    def inventories(
        self,
        trade_urls: Iterable[str | TradeUrl],
        game: str = GAME_CS2,
        *,
        workers: int = 8,
        progress: bool = True,
        errors: _batch.ErrorsMode = "collect",
        refresh: bool = False,
        give_up_after: int = DEFAULT_GIVE_UP_AFTER,
        **filters: Any,
    ) -> pd.DataFrame:
        """Many accounts' inventories, fetched concurrently, as one frame.

        Parameters
        ----------
        trade_urls : iterable of str or TradeUrl
            The accounts; a repeated account is fetched once.
        game : str
            ``"730"`` or ``"252490"``.
        workers : int
            Requests in flight at once (default 8); all share the rate limit.
        progress : bool
            Show a tqdm progress bar (notebook or terminal). The environment variable
            ``TQDM_DISABLE=1`` turns it off everywhere (the test suite sets it).
        errors : {"collect", "raise"}
            ``"collect"`` (default): a failed account costs only itself and is listed
            in ``df.assetpay.errors`` (its ``input`` position, masked trade_url, key,
            status, attempts...); an invalid trade URL is listed there too, without a
            request. ``"raise"``: invalid URLs raise before any request; the first
            API failure is raised.
        refresh : bool
            As in ``inventory``.
        give_up_after : int
            Once this many accounts in a row fail with ``ServiceUnavailable`` (default
            10), the upstream is taken to be down: the accounts not yet requested are
            listed in the errors as not attempted (``attempts`` 0), not requested.
        **filters
            ``search``, ``sort``, ``min_price``, ``max_price``, ``accepted_only``.

        Returns
        -------
        DataFrame
            The accounts' rows in input order with their ``steam_id``; ``attrs``:
            game, steam_ids (those fetched), count, request_ids, from_cache, errors,
            anomalies. Ctrl-C cancels every queued account at once and re-raises; the
            accounts already fetched stay in the cache, so a re-run resumes from it.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     urls = [box.trade_urls[0], box.accounts["private"].trade_url]
        ...     df = client.inventories(urls, progress=False)
        ...     df.assetpay.errors[["input", "key", "status"]].values.tolist()
        [[1, 'USER_NOT_TRADEABLE', 400]]
        """
        _batch.check_batch_args(errors=errors, workers=workers, give_up_after=give_up_after)
        game = check_game(game)
        check_refresh(refresh)
        check_filters(filters)
        jobs, failures = _batch.parse_all(trade_urls, raise_invalid=errors == "raise")

        def fetch(url: TradeUrl, cancel: threading.Event) -> pd.DataFrame:
            query = InventoryQuery.build(url, game, refresh=refresh, **filters)
            return self._inventory(query, cancel)

        frames, fetch_failures = fetch_many(
            jobs, fetch, workers=workers, progress=progress, errors=errors,
            give_up_after=give_up_after,
        )  # fmt: skip
        return _batch.combine([job.url for job in jobs], frames, failures + fetch_failures, game)
