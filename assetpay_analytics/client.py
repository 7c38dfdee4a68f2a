"""``AssetPayClient``: inventories from ``GET /secure/inventory`` as typed DataFrames.

The client owns the arguments (validated locally, before any request), the pages of
one inventory (``pages()``, a generator), retries (above the cache, because the
retryable failures arrive inside JSON envelopes, sometimes on HTTP 200) and the
batch fetch of many accounts (``inventories()``). The session below it (``_session``)
owns the disk cache and the rate limiter; ``frame`` turns pages into a DataFrame.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from numbers import Real
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

import pandas as pd
import platformdirs
import requests
import tenacity
from requests_cache import CacheMixin

from . import frame as _frame
from ._session import build_session, envelope, key_fingerprint
from .constants import (
    API_KEY_ENV,
    API_KEY_HEADER,
    CACHE_DIR_ENV,
    CACHE_WINDOW_SECONDS,
    DEFAULT_BASE_URL,
    GAME_CS2,
    GAMES,
    INVENTORY_PATH,
    RATE_LIMIT_UNVERIFIED,
    RATE_LIMIT_VERIFIED,
    REQUEST_ID_HEADER,
    SEARCH_MAX_LEN,
    SORTS,
    UNLIMITED,
)
from .errors import (
    AssetPayError,
    AuthenticationError,
    InvalidRequest,
    ServiceUnavailable,
    error_from_response,
)
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

logger = logging.getLogger("assetpay_analytics")


class _DefaultCache:
    def __repr__(self) -> str:
        return "DEFAULT_CACHE"


#: Sentinel for ``cache=``: the sqlite file in the user cache directory.
DEFAULT_CACHE: Any = _DefaultCache()
#: How long a stored response is served: the upstream cache window (15 minutes).
DEFAULT_EXPIRE_AFTER = timedelta(seconds=CACHE_WINDOW_SECONDS)
#: Seconds to wait for the server to answer one request.
DEFAULT_TIMEOUT = 30.0
_CACHE_FILE = "http-cache.sqlite"
_USER_AGENT = "assetpay-analytics/0.1"
_ERROR_COLUMNS = {
    "steam_id": "string",
    "code": "Int64",
    "key": "string",
    "message": "string",
    "request_id": "string",
}


@dataclass(frozen=True)
class RetryPolicy:
    """How retryable failures (``RateLimited``, ``ServiceUnavailable``) are retried.

    Parameters
    ----------
    attempts : int
        Tries in all, the first included (default 5).
    backoff : float
        First backoff in seconds; doubles each try, plus up to ``backoff`` of jitter.
    backoff_max : float
        Longest backoff in seconds.
    retry_after_max : float
        Longest ``Retry-After`` the client waits for; a longer one is raised at once.

    Examples
    --------
    >>> RetryPolicy(attempts=3, backoff=0.1).attempts
    3
    """

    attempts: int = 5
    backoff: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidRequest("RetryPolicy.attempts must be at least 1")
        if min(self.backoff, self.backoff_max, self.retry_after_max) < 0:
            raise InvalidRequest("RetryPolicy waits must not be negative")


class Page(NamedTuple):
    """One response page: its ``data`` object, ``requestId`` and whether it came from the cache."""

    data: Mapping[str, Any]
    request_id: str | None
    from_cache: bool


@dataclass(frozen=True)
class CacheInfo:
    """What the disk cache holds: its file, entry count, size and age range."""

    path: Path | None
    entries: int
    size_bytes: int
    oldest: pd.Timestamp | None
    newest: pd.Timestamp | None


class _Secret:
    """Holds the api key so that no repr, vars() dump or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"


def default_cache_path() -> Path:
    """The cache file: ``$ASSETPAY_CACHE_DIR`` or the user cache dir, + ``http-cache.sqlite``.

    Examples
    --------
    >>> default_cache_path().name
    'http-cache.sqlite'
    """
    root = os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir(
        "assetpay-analytics", appauthor=False
    )
    return Path(root).expanduser() / _CACHE_FILE


def _cache_file(cache: Any) -> Path | None:
    if cache is None:
        return None
    if cache is DEFAULT_CACHE:
        return default_cache_path()
    if not isinstance(cache, (str, os.PathLike)):
        raise InvalidRequest(f"cache must be a path, None or left out, got {type(cache).__name__}")
    path = Path(cache).expanduser()
    return path / _CACHE_FILE if path.is_dir() or not path.suffix else path


def _resolve_key(api_key: str | None) -> _Secret:
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    if key is None or not str(key).strip():
        raise AuthenticationError(
            f"No AssetPay api key: pass api_key=... or set the {API_KEY_ENV} environment "
            "variable. To try the toolkit without a key, use the embedded sandbox: "
            "`with apa.sandbox.serve() as box: "
            "apa.AssetPayClient(api_key=box.api_key, base_url=box.url)`.",
            key="MISSING_API_KEY",
        )
    if not isinstance(key, str):
        raise AuthenticationError(f"api_key must be a string, got {type(key).__name__}")
    return _Secret(key.strip())


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(str(base_url))
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return str(base_url).rstrip("/")
    raise InvalidRequest(
        f"base_url must be an https:// URL (http:// only for a local sandbox), got {base_url!r}: "
        "the api key must not travel unencrypted"
    )


def _check_game(game: Any) -> str:
    text = str(game).strip() if isinstance(game, (str, int)) and not isinstance(game, bool) else ""
    if text not in GAMES:
        choices = ", ".join(f"{code!r} ({name})" for code, name in GAMES.items())
        raise InvalidRequest(
            f"game must be one of {choices}, got {game!r}", key="VALIDATION_FAILED"
        )
    return text


def _check_price(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise InvalidRequest(f"{name} must be a finite number of USD, got {value!r}")
    if value < 0:
        raise InvalidRequest(f"{name} must be 0 or more, got {value!r}")
    return float(value)


def _filter_params(
    *,
    search: str | None,
    sort: str | None,
    min_price: float | None,
    max_price: float | None,
    accepted_only: bool,
) -> dict[str, str]:
    """Validate the optional filters and spell them as the API's query parameters."""
    params: dict[str, str] = {}
    if search is not None:
        if not isinstance(search, str):
            raise InvalidRequest(f"search must be a string, got {type(search).__name__}")
        if len(search) > SEARCH_MAX_LEN:
            raise InvalidRequest(
                f"search is {len(search)} characters; the API accepts at most {SEARCH_MAX_LEN}"
            )
        if search:
            params["search"] = search
    if sort is not None:
        if sort not in SORTS:
            raise InvalidRequest(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        params["sort"] = sort
    low, high = _check_price("min_price", min_price), _check_price("max_price", max_price)
    if low is not None and high is not None and low > high:
        raise InvalidRequest(f"min_price ({low:g}) is above max_price ({high:g}); swap them")
    if low is not None:
        params["minPrice"] = f"{low:g}"
    if high is not None:
        params["maxPrice"] = f"{high:g}"
    if not isinstance(accepted_only, bool):
        raise InvalidRequest(f"accepted_only must be True or False, got {accepted_only!r}")
    if accepted_only:
        params["acceptedOnly"] = "true"
    return params


_FILTER_DEFAULTS: Mapping[str, Any] = {
    "search": None,
    "sort": None,
    "min_price": None,
    "max_price": None,
    "accepted_only": False,
}


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), else None."""
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _error_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    data = {
        name: pd.array([row.get(name) for row in rows], dtype=dtype)
        for name, dtype in _ERROR_COLUMNS.items()
    }
    return pd.DataFrame(data)


def _error_row(steam_id: str | None, err: AssetPayError) -> dict[str, Any]:
    return {
        "steam_id": steam_id,
        "code": err.code,
        "key": err.key,
        "message": err.message,
        "request_id": err.request_id,
    }


class AssetPayClient:
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
        self._key = _resolve_key(api_key)
        self.base_url = _check_base_url(base_url)
        self.verified = bool(verified)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.cache_path = None if session is not None else _cache_file(cache)
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
            One row per item (schema in ``assetpay_analytics.frame.SCHEMA``);
            ``attrs``: count, updated_at, collateral, game, steam_id, request_ids,
            from_cache (True only when every page came from the cache).

        Raises
        ------
        InvalidTradeUrl, InvalidRequest
            Bad arguments, before any request.
        AuthenticationError, InventoryUnavailable
            At once, not retried.
        RateLimited, ServiceUnavailable
            After the retries of ``retry`` are spent.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     rust = client.inventory(box.accounts["rusty"].trade_url, game="252490")
        ...     bool(rust["exterior"].isna().all())
        True
        """
        url = TradeUrl.parse(trade_url)
        pages = list(
            self.pages(
                url,
                game,
                search=search,
                sort=sort,
                min_price=min_price,
                max_price=max_price,
                accepted_only=accepted_only,
                refresh=refresh,
            )
        )
        return _frame.from_pages(
            [page.data for page in pages],
            game=_check_game(game),
            steam_id=url.steam_id,
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
        """The response pages of one inventory, lazily (arguments as in ``inventory``).

        The first request asks for everything at once (``limit=-1``); if the server
        sends fewer items than its ``count``, the rest is paged with the page size it
        used, until ``count`` items have arrived or a page comes back empty. Arguments
        are validated now, before the first page is requested.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve(page_cap=10) as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     sizes = [len(p.data["inventory"]) for p in client.pages(box.trade_urls[0])]
        ...     max(sizes)
        10
        """
        url = TradeUrl.parse(trade_url)
        if not isinstance(refresh, bool):
            raise InvalidRequest(f"refresh must be True or False, got {refresh!r}")
        params = {
            "tradeUrl": url.url,
            "game": _check_game(game),
            **_filter_params(
                search=search,
                sort=sort,
                min_price=min_price,
                max_price=max_price,
                accepted_only=accepted_only,
            ),
        }
        return self._pages(url, params, refresh=refresh)

    def _pages(self, url: TradeUrl, params: dict[str, str], *, refresh: bool) -> Iterator[Page]:
        first_params = {**params, "page": "1", "limit": str(UNLIMITED)}
        if refresh:
            # AssetPay's own cache is refreshed once, by the first page; later pages
            # read the refreshed copy. The disk cache is bypassed for every page.
            first_params["refresh"] = "true"
        first = self._get(first_params, force_refresh=refresh, url=url)
        yield first
        count = _frame._int(first.data.get("count")) or 0
        size = received = len(first.data.get("inventory") or [])
        page = 1
        while size > 0 and received < count:
            page += 1
            nxt = self._get(
                {**params, "page": str(page), "limit": str(size)}, force_refresh=refresh, url=url
            )
            got = len(nxt.data.get("inventory") or [])
            if got == 0:
                break
            received += got
            yield nxt

    # --- one request, with retries ----------------------------------------------------

    def _get(self, params: Mapping[str, str], *, force_refresh: bool, url: TradeUrl) -> Page:
        context = f"steam_id {url.steam_id}"
        attempts = 0
        try:
            for attempt in tenacity.Retrying(
                stop=tenacity.stop_after_attempt(self.retry.attempts),
                wait=self._wait,
                retry=tenacity.retry_if_exception(self._should_retry),
                before_sleep=self._log_retry,
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    return self._attempt(params, force_refresh=force_refresh, context=context)
        except AssetPayError as err:
            if err.retryable and attempts > 1:
                err.message = f"{err.message} Gave up after {attempts} attempts."
                err.args = (err.message,)
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _should_retry(self, exc: BaseException) -> bool:
        if not isinstance(exc, AssetPayError) or not exc.retryable:
            return False
        wait_for = getattr(exc, "retry_after", None)
        return wait_for is None or wait_for <= self.retry.retry_after_max

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        wait_for = getattr(exc, "retry_after", None)
        if wait_for is not None:
            return float(wait_for)
        backoff = tenacity.wait_exponential_jitter(
            multiplier=self.retry.backoff, max=self.retry.backoff_max, jitter=self.retry.backoff
        )
        return backoff(state)

    @staticmethod
    def _log_retry(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.info(
            "retrying after %s (attempt %d, waiting %.2fs)",
            getattr(exc, "key", None) or type(exc).__name__,
            state.attempt_number,
            state.upcoming_sleep,
        )

    def _attempt(self, params: Mapping[str, str], *, force_refresh: bool, context: str) -> Page:
        headers = {
            API_KEY_HEADER: self._key.reveal(),
            REQUEST_ID_HEADER: str(uuid.uuid4()),
            "Accept": "application/json",
            "User-Agent": _USER_AGENT,
        }
        extra = {"force_refresh": True} if force_refresh and self._caches else {}
        try:
            response = self._session.get(
                self.base_url + INVENTORY_PATH,
                params=params,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,  # requests would forward the api-key header
                **extra,
            )
        except (
            requests.Timeout,
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            raise ServiceUnavailable(
                f"{context}: network failure talking to {self.base_url} ({type(exc).__name__}). "
                "Check the connection and base_url; retried automatically."
            ) from None
        return self._page(response, context)

    @property
    def _caches(self) -> bool:
        return isinstance(self._session, CacheMixin)

    def _page(self, response: requests.Response, context: str) -> Page:
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
                status=status,
                error=None,
                retry_after=_retry_after(response.headers),
                context=context,
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
            retry_after=_retry_after(response.headers),
            context=context,
        )

    # --- many inventories -------------------------------------------------------------

    def inventories(
        self,
        trade_urls: Iterable[str | TradeUrl],
        game: str = GAME_CS2,
        *,
        workers: int = 8,
        progress: bool = True,
        errors: Literal["collect", "raise"] = "collect",
        refresh: bool = False,
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
            in ``attrs["errors"]`` (steam_id, code, key, message, request_id); an
            invalid trade URL is listed there too, without a request. ``"raise"``:
            invalid URLs raise before any request; the first API failure is raised.
        refresh : bool
            As in ``inventory``.
        **filters
            ``search``, ``sort``, ``min_price``, ``max_price``, ``accepted_only``.

        Returns
        -------
        DataFrame
            The accounts' rows in input order with their ``steam_id``; ``attrs``:
            game, steam_ids (those fetched), count, request_ids, from_cache, errors.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        ...     urls = [box.trade_urls[0], box.accounts["private"].trade_url]
        ...     df = client.inventories(urls, progress=False)
        ...     df.attrs["errors"]["key"].tolist()
        ['USER_NOT_TRADEABLE']
        """
        if errors not in ("collect", "raise"):
            raise InvalidRequest(f"errors must be 'collect' or 'raise', got {errors!r}")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InvalidRequest(f"workers must be a whole number of 1 or more, got {workers!r}")
        game = _check_game(game)
        unknown = sorted(set(filters) - set(_FILTER_DEFAULTS))
        if unknown:
            known = ", ".join(_FILTER_DEFAULTS)
            raise InvalidRequest(f"unknown argument(s) {', '.join(unknown)}; filters are {known}")
        _filter_params(**{**_FILTER_DEFAULTS, **filters})
        urls, failures = self._parse_all(trade_urls, raise_invalid=errors == "raise")
        fetch = self._fetcher(game, refresh, filters)
        frames, fetch_failures = self._run(urls, fetch, workers, progress, errors)
        return self._combine(urls, frames, failures + fetch_failures, game)

    def _parse_all(
        self, trade_urls: Iterable[str | TradeUrl], *, raise_invalid: bool
    ) -> tuple[list[TradeUrl], list[dict[str, Any]]]:
        if isinstance(trade_urls, (str, TradeUrl)):
            raise InvalidRequest("trade_urls must be a list of trade URLs; use inventory() for one")
        urls: dict[int, TradeUrl] = {}
        failures = []
        for raw in trade_urls:
            try:
                url = TradeUrl.parse(raw)
            except InvalidRequest as err:
                if raise_invalid:
                    raise
                failures.append(_error_row(None, err))
                continue
            urls.setdefault(url.partner, url)
        return list(urls.values()), failures

    def _fetcher(
        self, game: str, refresh: bool, filters: Mapping[str, Any]
    ) -> Callable[[TradeUrl], pd.DataFrame]:
        def fetch(url: TradeUrl) -> pd.DataFrame:
            return self.inventory(url, game, refresh=refresh, **filters)

        return fetch

    def _run(
        self,
        urls: Sequence[TradeUrl],
        fetch: Callable[[TradeUrl], pd.DataFrame],
        workers: int,
        progress: bool,
        errors: str,
    ) -> tuple[dict[int, pd.DataFrame], list[dict[str, Any]]]:
        from tqdm.auto import tqdm

        frames: dict[int, pd.DataFrame] = {}
        failures: list[dict[str, Any]] = []
        # TQDM_DISABLE=1 turns every bar off (tqdm.notebook ignores it, so it is read here)
        quiet = not progress or os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true")
        hide = {"disable": True} if quiet else {}
        with (
            ThreadPoolExecutor(max_workers=workers) as pool,
            tqdm(total=len(urls), desc="inventories", unit="account", **hide) as bar,
        ):
            futures: dict[Future[pd.DataFrame], TradeUrl] = {
                pool.submit(fetch, url): url for url in urls
            }
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    url = futures[future]
                    bar.update(1)
                    err = future.exception()
                    if err is None:
                        frames[url.partner] = future.result()
                    elif isinstance(err, AssetPayError) and errors == "collect":
                        failures.append(_error_row(url.steam_id, err))
                    else:
                        for other in pending:
                            other.cancel()
                        raise err
        return frames, failures

    @staticmethod
    def _combine(
        urls: Sequence[TradeUrl],
        frames: Mapping[int, pd.DataFrame],
        failures: Sequence[Mapping[str, Any]],
        game: str,
    ) -> pd.DataFrame:
        ordered = [frames[url.partner] for url in urls if url.partner in frames]
        combined = pd.concat(ordered, ignore_index=True) if ordered else _frame.empty_frame()
        order = {url.steam_id: i for i, url in enumerate(urls)}
        errors = _error_frame(sorted(failures, key=lambda row: order.get(row["steam_id"], -1)))
        combined.attrs = {
            "game": game,
            "steam_ids": [f.attrs["steam_id"] for f in ordered],
            "count": sum(f.attrs["count"] for f in ordered),
            "request_ids": [rid for f in ordered for rid in f.attrs["request_ids"]],
            "from_cache": bool(ordered) and all(f.attrs["from_cache"] for f in ordered),
            "updated_at": max(
                (f.attrs["updated_at"] for f in ordered if f.attrs["updated_at"] is not None),
                default=None,
            ),
            "errors": errors,
        }
        return combined

    # --- the disk cache ---------------------------------------------------------------

    def cache_info(self) -> CacheInfo:
        """What the disk cache holds: file, entries, size in bytes, oldest and newest entry.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None).cache_info()
        CacheInfo(path=None, entries=0, size_bytes=0, oldest=None, newest=None)
        """
        if not self._caches:
            return CacheInfo(self.cache_path, 0, 0, None, None)
        cache = self._session.cache  # type: ignore[attr-defined]
        created = [response.created_at for response in cache.responses.values()]
        stamps = [
            pd.Timestamp(t).tz_localize("UTC")
            if pd.Timestamp(t).tzinfo is None
            else pd.Timestamp(t)
            for t in created
        ]
        size = sum(
            p.stat().st_size
            for p in (self.cache_path, Path(f"{self.cache_path}-wal"))
            if p is not None and p.exists()
        )
        return CacheInfo(
            self.cache_path, len(stamps), size, min(stamps, default=None), max(stamps, default=None)
        )

    def clear_cache(self, trade_url: str | TradeUrl | None = None) -> int:
        """Remove cached responses: all of them, or one account's (for every api key).

        Parameters
        ----------
        trade_url : str or TradeUrl, optional
            Only this account's entries; default: the whole cache.

        Returns
        -------
        int
            How many entries were removed.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None).clear_cache()
        0
        """
        if not self._caches:
            return 0
        cache = self._session.cache  # type: ignore[attr-defined]
        keys = list(cache.responses.keys())
        if trade_url is not None:
            partner = TradeUrl.parse(trade_url).partner
            keys = [key for key in keys if key.split(":")[1:2] == [str(partner)]]
        cache.delete(*keys)
        return len(keys)
