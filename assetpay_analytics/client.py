"""``AssetPayClient``: inventories, the price book and screening as typed DataFrames.

One short method per endpoint call: ``inventory``/``pages``/``inventories``
(``GET /secure/inventory``), ``prices`` (``GET /secure/prices``) and
``check_trade_urls`` (``POST /secure/check-tradeurl``). A thin façade that reads like the
data flow: each method checks its arguments into the endpoint's query
(``endpoints.inventory.InventoryQuery``, ``endpoints.prices.PricesQuery``,
``endpoints.check_tradeurl.ScreenQuery``), hands the endpoint and the
query to the reader (``fetch.reader``: the endpoint's pager, retries, one request
through the cached, rate-budgeted session), and has the endpoint's frame builder turn
the pages into one typed DataFrame. Many accounts go through ``fetch.fanout`` and
``endpoints.inventories``; the disk cache's location and administration live in
``fetch.cache``. Those wings never import this module: the client composes them and
hands each the object or function it needs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import pandas as pd
import requests

from . import accessor as _accessor  # noqa: F401  (registers df.assetpay on every frame)
from .constants import DEFAULT_BASE_URL, GAME_CS2
from .endpoints import inventories as _inventories
from .endpoints.check_tradeurl import CHECK_TRADEURL, ScreenQuery, screen_batch, split_screened
from .endpoints.inventory import INVENTORY, InventoryQuery
from .endpoints.prices import PRICES, PricesQuery
from .fetch import cache as _cache
from .fetch import jobs as _jobs
from .fetch.budget import BudgetBook, budget_path
from .fetch.cache import (
    DEFAULT_CACHE,
    DEFAULT_EXPIRE_AFTER,
    CacheInfo,
    FallbackMode,
    default_cache_path,
)
from .fetch.fanout import DEFAULT_GIVE_UP_AFTER, DEFAULT_WORKERS, fetch_many
from .fetch.keys import key_fingerprint
from .fetch.page import Page
from .fetch.reader import PageReader
from .fetch.request import ApiKeyAuth
from .fetch.retry import RetryPolicy
from .fetch.session import Routes, build_session
from .fetch.settings import (
    Secret,
    check_base_url,
    check_expire_after,
    check_flag,
    check_game,
    check_rate,
    check_retry,
    check_session,
    check_stale_if_error,
    check_timeout,
    resolve_key,
    resolve_offline,
)
from .redact import install_log_redaction
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
    """A client for the AssetPay Merchant API: inventories, the price book, screening.

    Parameters
    ----------
    api_key : str, optional
        The merchant api key; default ``$ASSETPAY_API_KEY``. Sent only in the ``api-key``
        header; never printed, logged (library logs are masked too) or cached.
    base_url : str
        The API host (default ``https://api.assetpay.gg``); ``http://`` is accepted
        only for a loopback sandbox.
    cache : path, None or DEFAULT_CACHE
        The sqlite cache file (a directory gets ``http-cache.sqlite`` inside it);
        ``None`` disables the cache; default: the user cache dir, movable with
        ``$ASSETPAY_CACHE_DIR``.
    expire_after : timedelta, seconds or None
        How long a cached answer is fresh (default 15 minutes, the upstream window);
        None: forever; 0: always fetched, still stored for offline and stale use.
    verified : bool
        Merchant status, which sets the rate limits: for inventories 10,000 requests a
        minute when verified (default), 100 when not (each endpoint family has its own:
        ``constants.RATE_FAMILIES``).
    requests_per_minute : int, optional
        The merchant's inventory limit, overriding ``verified``. One budget per api key
        and rate family, paced evenly a little under the limit, is shared by every client
        and process using the key (a file beside the cache); cache hits do not spend it.
    session : requests.Session, optional
        Bring your own session; it is used as is (no cache or limiter is added).
    timeout : float
        Seconds to wait for one response (default 30); a finite number above 0.
    retry : RetryPolicy
        How many times, and how patiently, retryable failures are retried.
    offline : bool
        Serve only from the cache, expired answers too; a miss is a ``CacheMiss`` and
        nothing is sent. ``inventory()`` and ``inventories()`` override it per call.
    stale_if_error : timedelta or seconds, optional
        If AssetPay stays unavailable, serve a cached answer that expired less than
        this long ago (``attrs["stale"]``, ``attrs["fetched_at"]``); default: raise.
    cache_fallback : {"error", "memory"}
        An unusable cache location raises ``CacheError``, or with "memory" the cache
        lives in memory (one warning).

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
        requests_per_minute: int | None = None,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        offline: bool = False,
        stale_if_error: timedelta | float | None = None,
        cache_fallback: FallbackMode = "error",
    ) -> None:
        given, api_key = Secret(api_key), None  # no plain local holds the key from here
        install_log_redaction()
        self._key = resolve_key(given)
        self.base_url = check_base_url(base_url)
        self.verified = check_flag("verified", verified)
        self.requests_per_minute = check_rate(requests_per_minute, verified)
        self.offline = check_flag("offline", offline)
        self.timeout = check_timeout(timeout)
        self.retry = check_retry(retry)
        session = check_session(session)
        self.cache_path = None if session is not None else _cache.cache_file(cache)
        self._location = _cache.open_cache(self.cache_path, cache_fallback)  # keeps copies alive
        self._budgets = BudgetBook(
            budget_path(self._location), self.key_fingerprint, verified=self.verified,
            limits={INVENTORY.family.name: self.requests_per_minute},
            max_pause=self.retry.retry_after_max,
        )  # fmt: skip
        # opened now, not at the first request: a budget file that cannot be used is said
        # where the client is made (the other families' are opened on first use)
        self._budgets.budget(INVENTORY.family)
        self._session = session or build_session(
            cache=self._location,
            expire_after=check_expire_after(expire_after),
            routes=Routes(self._budgets),
        )
        self._reader = PageReader(
            self._session,
            # a session built by build_session brings the routes its budgets and filter read
            getattr(self._session, "routes", None) or Routes(self._budgets),
            self.base_url,
            ApiKeyAuth(self._key),
            timeout=self.timeout,
            retry=self.retry,
            stale_if_error=check_stale_if_error(stale_if_error),
        )
        for endpoint in (INVENTORY, PRICES, CHECK_TRADEURL):
            self._reader.serve(endpoint)

    # --- lifecycle --------------------------------------------------------------------

    def __repr__(self) -> str:
        # getattr: a traceback rendered with locals may show a client __init__ left half-made
        path, url = getattr(self, "cache_path", None), getattr(self, "base_url", None)
        return f"AssetPayClient(base_url={url!r}, cache={path and str(path)!r}, api_key='***')"

    def close(self) -> None:
        """Close the HTTP session and the cache, once no request is in flight (up to 10 s)."""
        if self._reader.wait_idle(timeout=10.0):
            self._session.close()  # else left to the garbage collector: never under a reader

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
        offline: bool | None = None,
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
        offline : bool, optional
            Serve from the cache only (default: the client's ``offline``).

        Returns
        -------
        DataFrame
            One row per item (schema in ``assetpay_analytics.frame.SCHEMA``), exact:
            unique item ids, ``count`` items (less any id-less item set aside).
            ``attrs`` (JSON-friendly): count, updated_at (ISO string), collateral,
            game, steam_id, request_ids, from_cache (True only when every page came
            from the cache), fetched_at (when AssetPay answered, ISO string), stale
            (an expired cache entry was served), anomalies (values set aside as NA:
            ``df.assetpay.anomalies``).

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
        CacheMiss
            Offline, and the cache holds no answer (nothing was sent).

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
            trade_url, game, refresh=refresh, search=search, sort=sort, min_price=min_price,
            max_price=max_price, accepted_only=accepted_only,
        )  # fmt: skip
        del trade_url  # a traceback rendered with its locals must not show the token
        return self._inventory(query, self._offline(offline, query.refresh))

    def _offline(self, offline: Any, refresh: bool) -> bool:
        return resolve_offline(self.offline if offline is None else offline, refresh)

    def _inventory(
        self, query: InventoryQuery, offline: bool, cancel: threading.Event | None = None
    ) -> pd.DataFrame:
        pages = self._reader.read(INVENTORY, query, offline=offline, cancel=cancel)
        return INVENTORY.frame(pages, query)

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
            trade_url, game, refresh=refresh, search=search, sort=sort, min_price=min_price,
            max_price=max_price, accepted_only=accepted_only,
        )  # fmt: skip
        return self._lazy_pages(query)

    def _lazy_pages(self, query: InventoryQuery) -> Iterator[Page]:
        yield from self._reader.read(INVENTORY, query, offline=self._offline(None, query.refresh))

    # --- many inventories -------------------------------------------------------------

    def inventories(
        self,
        trade_urls: Iterable[str | TradeUrl],
        game: str = GAME_CS2,
        *,
        workers: int = DEFAULT_WORKERS,
        progress: bool = True,
        errors: _jobs.ErrorsMode = "collect",
        refresh: bool = False,
        give_up_after: int = DEFAULT_GIVE_UP_AFTER,
        offline: bool | None = None,
        snapshot: Any = None,
        screen: bool = False,
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
            Requests in flight at once (default 32, sized for latency); all share the
            rate limit, which is what bounds a batch. Cached accounts take no thread.
        progress : bool
            Show a tqdm progress bar (notebook or terminal); ``TQDM_DISABLE=1`` hides it.
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
        offline : bool, optional
            Serve from the cache only (default: the client's ``offline``); an account
            not cached is a ``CACHE_MISS`` error record.
        snapshot : SnapshotStore, optional
            Also save the frame there (``store.save(df)``, id in ``attrs["snapshot_id"]``).
        screen : bool
            Screen the accounts first (``check_trade_urls``) and do not request those
            whose state says the inventory cannot be read (InventoryPrivate,
            TradeUrlInvalid, UserNotFound, Banned): each is listed in the errors with
            its state name as ``key`` and ``attempts`` 0. An account whose check fails
            is requested anyway. Default False.
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
        _jobs.check_batch_args(
            errors=errors, workers=workers, give_up_after=give_up_after, progress=progress,
            refresh=refresh,
        )  # fmt: skip
        _inventories.check_inventory_batch(filters=filters, snapshot=snapshot)
        game = check_game(game)
        screen = check_flag("screen", screen)
        offline = self._offline(offline, refresh)
        jobs, failures = _jobs.parse_all(trade_urls, raise_invalid=errors == "raise")
        del trade_urls  # a traceback rendered with its locals must not show the tokens
        if screen:
            checked, _ = self._check_many(
                jobs, force_refresh=False, offline=offline, workers=workers, progress=progress,
                errors="collect",
            )  # fmt: skip
            jobs, skipped = split_screened(jobs, checked)
            failures += skipped

        def query(url: TradeUrl) -> InventoryQuery:
            return InventoryQuery.build(url, game, refresh=refresh, **filters)

        def fetch(url: TradeUrl, cancel: threading.Event) -> list[Page]:
            return self._reader.read(INVENTORY, query(url), offline=offline, cancel=cancel)

        def cached(urls: Sequence[TradeUrl]) -> list[list[Page] | None]:  # in this thread
            queries = [query(url) for url in urls]
            return [None] * len(urls) if offline else self._reader.read_cached(INVENTORY, queries)

        pages, fetch_failures = fetch_many(
            jobs, fetch, workers=workers, progress=progress, errors=errors,
            give_up_after=give_up_after, cached=cached,
        )  # fmt: skip
        df = _inventories.combine([job.url for job in jobs], pages, failures + fetch_failures, game)
        return df if snapshot is None else _inventories.save_snapshot(df, snapshot)

    # --- the price book ---------------------------------------------------------------

    def prices(
        self, game: str = GAME_CS2, *, refresh: bool = False, offline: bool | None = None
    ) -> pd.DataFrame:
        """AssetPay's price book for one game (``GET /secure/prices``) as a typed frame.

        Parameters
        ----------
        game : str
            ``"730"`` (CS2, default) or ``"252490"`` (Rust).
        refresh : bool
            Bypass the disk cache.
        offline : bool, optional
            Serve from the cache only (default: the client's ``offline``).

        Returns
        -------
        DataFrame
            One row per catalogue entry (``phase`` NA: the entry's own values, for a
            Doppler entry the floor), each followed by one row per element of its
            ``phases[]``. Columns ``frame.book.BOOK_SCHEMA``: game, market_hash_name,
            phase, item_id, accepted, deposit, withdraw_standard, withdraw_instant and
            the parsed name columns (weapon, skin, exterior, stattrak, souvenir, star).
            ``attrs``: game, fetched_at, request_id, from_cache, stale, anomalies
            (negative prices set aside as NA).

        Notes
        -----
        Answers are fresh in the disk cache for an hour (AssetPay's own window),
        whatever the client's ``expire_after``; a request spends the prices rate family
        (1,000 an hour verified, 100 not), shared by every process using the key.

        Raises
        ------
        InvalidRequest
            A bad ``game`` or ``refresh``, before any request.
        MalformedResponse
            An ill-typed book (a price sent as text, a missing required key...).
        RateLimited, ServiceUnavailable, CacheMiss
            As for ``inventory``.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     book = client.prices()
        ...     bool((book["withdraw_standard"] > book["deposit"]).any())
        True
        """
        query = PricesQuery.build(game, refresh=refresh)
        pages = self._reader.read(PRICES, query, offline=self._offline(offline, query.refresh))
        return PRICES.frame(pages, query)

    # --- screening --------------------------------------------------------------------

    def check_trade_urls(
        self,
        trade_urls: Iterable[str | TradeUrl],
        *,
        force_refresh: bool = False,
        workers: int = DEFAULT_WORKERS,
        progress: bool = True,
        errors: _jobs.ErrorsMode = "collect",
        offline: bool | None = None,
    ) -> pd.DataFrame:
        """Screen accounts (``POST /secure/check-tradeurl``): which can be read, and why not.

        Parameters
        ----------
        trade_urls : iterable of str or TradeUrl
            The accounts. Each is validated locally first: a malformed one is never
            sent, its row has NA values and its failure is in ``df.assetpay.errors``.
            A repeated account is checked once (with the first trade URL given).
        force_refresh : bool
            Ask AssetPay for a fresh check (``forceRefresh``) and bypass the disk cache.
        workers : int
            Checks in flight at once (default 32).
        progress : bool
            Show a tqdm progress bar.
        errors : {"collect", "raise"}
            As in ``inventories``.
        offline : bool, optional
            Serve from the cache only (default: the client's ``offline``).

        Returns
        -------
        DataFrame
            One row per input, in input order (``frame.screening.SCREEN_SCHEMA``):
            input (the position), steam_id, state, state_name (categorical of the ten
            documented states), can_trade, escrow_days, probation, vac_banned,
            game_bans, economy_ban, message. ``attrs``: request_ids, from_cache,
            fetched_at, stale, errors.

        Notes
        -----
        Answers are fresh in the disk cache for an hour, keyed by the account and a
        one-way fingerprint of its token (never the token). Checks spend the
        check-tradeurl rate family (100,000 an hour verified, 100 not).

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     urls = [box.trade_urls[0], box.accounts["private"].trade_url, "not a url"]
        ...     df = client.check_trade_urls(urls, progress=False)
        ...     df["state_name"].astype(object).tolist()
        ['Normal', 'InventoryPrivate', nan]
        """
        _jobs.check_batch_args(
            errors=errors, workers=workers, give_up_after=DEFAULT_GIVE_UP_AFTER,
            progress=progress, refresh=force_refresh,
        )  # fmt: skip
        force_refresh = check_flag("force_refresh", force_refresh)
        offline = self._offline(offline, force_refresh)
        parsed, failures = _jobs.parse_each(trade_urls, raise_invalid=errors == "raise")
        del trade_urls  # a traceback rendered with its locals must not show the tokens
        answers, fetch_failures = self._check_many(
            _jobs.distinct_jobs(parsed), force_refresh=force_refresh, offline=offline,
            workers=workers, progress=progress, errors=errors,
        )  # fmt: skip
        return screen_batch(parsed, answers, failures + fetch_failures)

    def _check_many(
        self,
        jobs: Sequence[_jobs.Job],
        *,
        force_refresh: bool,
        offline: bool,
        workers: int,
        progress: bool,
        errors: _jobs.ErrorsMode,
    ) -> tuple[dict[int, list[Page]], list[dict[str, Any]]]:
        def fetch(url: TradeUrl, cancel: threading.Event) -> list[Page]:
            query = ScreenQuery(url=url, refresh=force_refresh)
            return self._reader.read(CHECK_TRADEURL, query, offline=offline, cancel=cancel)

        def cached(urls: Sequence[TradeUrl]) -> list[list[Page] | None]:  # in this thread
            if offline:
                return [None] * len(urls)
            queries = [ScreenQuery(url=url, refresh=force_refresh) for url in urls]
            return self._reader.read_cached(CHECK_TRADEURL, queries)

        return fetch_many(
            jobs, fetch, workers=workers, progress=progress, errors=errors, cached=cached,
            desc="screening",
        )  # fmt: skip
