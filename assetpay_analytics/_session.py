"""The HTTP session under the client: a requests-cache cache in front of a rate limiter.

``CacheMixin`` comes first so a cache hit returns before the budget is asked: hits
never spend the merchant's rate budget (requests-cache documents this order for a
limiter mixin). ``BudgetMixin`` waits for a slot of the merchant's ``RateBudget``
(``_budget``) before each request that goes out, and pauses the budget on a 429.
Retries are not here: they live in the client, above the
cache, because the retryable failures arrive inside JSON envelopes.

What is written to disk, and what is not:

- the ``api-key`` header is redacted from every stored request (requests-cache's
  default list has ``X-API-Key``, and it matches names literally);
- the ``tradeUrl`` parameter, token included, is redacted from every stored URL;
- only HTTP 200 responses whose envelope says ``success: true`` are stored;
- the cache key is ours (``_cache_key``): a one-way fingerprint of the api key, the
  account's partner id and a hash of the other query parameters and of a one-way
  fingerprint of the trade token (salted with the key's), because requests-cache
  would otherwise leave both redacted values out of the key and let two merchants,
  two accounts, or a revoked token and a valid one share entries;
- rows are written as JSON (orjson, through requests-cache's cattrs stage), never
  pickle: reading a cache file that someone else can write must not run their code.
  A row that does not decode into a response is a miss (``SafeSerializer``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit

import orjson
import requests
from requests_cache import NEVER_EXPIRE, CacheMixin
from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache
from requests_cache.models.response import CachedResponse
from requests_cache.serializers import SerializerPipeline, Stage
from requests_cache.serializers.preconf import orjson_preconf_stage

from ._arrow import ArrowPage, read_page
from ._budget import RateBudget
from ._json import read_envelope
from ._payload import shape_problem
from ._retry import retry_after
from .cache import CacheLocation
from .constants import API_KEY_HEADER

#: Query parameters that never enter the cache key: the trade URL is replaced by its
#: partner id, and ``refresh`` only decides whether the cache is read.
_UNKEYED_PARAMS = frozenset({"tradeUrl", "refresh"})
#: Stored as "REDACTED" in the cache file.
_REDACTED = (API_KEY_HEADER, "tradeUrl")
_ENVELOPE = "_assetpay_envelope"
#: Connections kept open per host: more than any sensible ``workers`` (the default is 32).
POOL_SIZE = 64
_PROBLEM = "_assetpay_data_problem"
_ARROW = "_assetpay_arrow_page"


def key_fingerprint(api_key: str) -> str:
    """A short one-way fingerprint of an api key, safe to store and show.

    Examples
    --------
    >>> key_fingerprint("ap_example")
    '7b11dca5684fdb24'
    """
    return hashlib.sha256(b"assetpay-analytics:" + api_key.encode()).hexdigest()[:16]


def _trade_params(trade_url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(trade_url).query))


def partner_of(trade_url: str) -> str:
    """The ``partner`` value of a trade URL, or "" when it has none."""
    return _trade_params(trade_url).get("partner", "")


def _token_fingerprint(fingerprint: str, trade_url: str) -> str:
    token = _trade_params(trade_url).get("token", "")
    return hashlib.sha256(f"{fingerprint}:{token}".encode()).hexdigest()[:16]


def _cache_key(request: requests.PreparedRequest, **_: Any) -> str:
    """``<key fingerprint>:<partner>:<hash of host, path, the other params, token print>``.

    requests-cache calls this with the live request, before anything is redacted.
    """
    parts = urlsplit(request.url or "")
    params = parse_qsl(parts.query, keep_blank_values=True)
    fingerprint = key_fingerprint(request.headers.get(API_KEY_HEADER, ""))
    return _key(request.method or "GET", parts, params, fingerprint)


def direct_key(url: str, params: Mapping[str, str], fingerprint: str) -> str:
    """The cache key of a GET of ``url`` with ``params``, without preparing a request.

    Equal to ``_cache_key`` of the prepared request (tested), so a hit is read from the
    backend straight away; a URL that requests would normalise differently only
    costs that shortcut (the request then goes through the session as usual).
    """
    # str(): the trade URL travels as a ``Sensitive``, whose str is what urlencode sends
    return _key("GET", urlsplit(url), [(k, str(v)) for k, v in params.items()], fingerprint)


def _key(method: str, parts: SplitResult, params: list[tuple[str, str]], fingerprint: str) -> str:
    trade_url = dict(params).get("tradeUrl", "")
    keyed = sorted((k, v) for k, v in params if k not in _UNKEYED_PARAMS)
    keyed.append(("token", _token_fingerprint(fingerprint, trade_url)))
    digest = hashlib.sha256(
        orjson.dumps([method, parts.scheme, parts.netloc, parts.path, keyed])
    ).hexdigest()[:24]
    return f"{fingerprint}:{partner_of(trade_url)}:{digest}"


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
    response = session.cache.responses.get(_cache_key(request))
    return response if isinstance(response, CachedResponse) else None


class SafeSerializer(SerializerPipeline):
    """orjson rows; a row that is not a stored success envelope is a miss (None).

    cattrs fills missing fields with defaults, so a foreign JSON object decodes into
    an empty response: what was stored is checked like a live answer (``_is_success``,
    whose parse is memoised on the response and reused by the reader).
    """

    def loads(self, value: Any) -> CachedResponse | None:  # type: ignore[override]
        try:
            response = super().loads(value)
            usable = isinstance(response, CachedResponse) and _is_success(response)
        except Exception:
            return None
        return response if usable else None

    def copy(self) -> SafeSerializer:
        # requests-cache copies the pipeline it is given; the copy must stay safe
        return SafeSerializer(
            [stage.copy() if hasattr(stage, "copy") else stage for stage in self.stages],
            name=self.name,
            is_binary=self.is_binary,
        )


#: How rows are written: requests-cache's cattrs stage (body as base64) then orjson.
SERIALIZER = SafeSerializer(
    [orjson_preconf_stage, Stage(dumps=orjson.dumps, loads=orjson.loads)],
    name="assetpay-orjson",
    is_binary=True,
)


def envelope(response: requests.Response) -> Any:
    """The response's decoded JSON body, or None when it is not JSON.

    Decoded once per response object: the cache filter and the client both need it,
    and a large inventory page costs real time to parse.
    """
    memo = response.__dict__
    if _ENVELOPE not in memo:
        try:
            memo[_ENVELOPE] = read_envelope(response.content)
        except (orjson.JSONDecodeError, requests.exceptions.RequestException):
            memo[_ENVELOPE] = None
    return memo[_ENVELOPE]


def data_problem(response: requests.Response) -> str | None:
    """``shape_problem`` of a success envelope's ``data``, checked once per response.

    The cache filter and the client both ask; a large page costs real time to walk.
    """
    memo = response.__dict__
    if _PROBLEM not in memo:
        body = envelope(response)
        memo[_PROBLEM] = shape_problem(body.get("data") if isinstance(body, Mapping) else None)
    problem: str | None = memo[_PROBLEM]
    return problem


def arrow_page(response: requests.Response) -> ArrowPage | None:
    """The body read by Arrow as a documented success (``_arrow.read_page``), once per response.

    The cache's filter and reader and the client all ask: Arrow reads the page in C++
    without a Python object per item, and the frame is built from what it read.
    """
    memo = response.__dict__
    if _ARROW not in memo:
        try:
            memo[_ARROW] = read_page(response.content)
        except requests.exceptions.RequestException:  # the body could not be read
            memo[_ARROW] = None
    page: ArrowPage | None = memo[_ARROW]
    return page


def _is_success(response: requests.Response) -> bool:
    """Cache only a 200 whose JSON envelope says ``success: true`` with well-shaped ``data``."""
    if response.status_code != 200:
        return False
    if arrow_page(response) is not None:
        return True  # Arrow read it as documented: no need to decode it in Python
    body = envelope(response)
    return isinstance(body, Mapping) and body.get("success") is True and not data_problem(response)


class BudgetMixin(requests.Session):
    """Each request that goes out first waits for a slot of the merchant's budget.

    Written here rather than taken from requests-ratelimiter: its mixin names buckets by
    host, and on a 429 it fills the bucket for the smallest interval from "now",
    ignoring ``Retry-After``; the budget's pause honours it in every thread and process.
    A cached answer never reaches this ``send`` (``CacheMixin`` comes first).
    """

    def __init__(self, *args: Any, budget: RateBudget, **kwargs: Any) -> None:
        self.budget = budget
        super().__init__(*args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.budget.acquire()
        response = super().send(request, **kwargs)
        if response.status_code == 429:
            self.budget.rate_limited(retry_after(response.headers))
        return response


class CachedBudgetSession(CacheMixin, BudgetMixin):
    """A requests Session with a disk cache first and the merchant's rate budget after it."""


class BudgetSession(BudgetMixin):
    """A requests Session with the merchant's rate budget and no cache (``cache=None``)."""


def build_session(
    *,
    cache: CacheLocation | None,
    expire_after: timedelta | None,
    budget: RateBudget,
    serializer: Any = SERIALIZER,
) -> requests.Session:
    """Create the session the client sends through.

    Parameters
    ----------
    cache : CacheLocation or None
        Where the cache is opened (``cache.prepare_cache``); None for no cache.
    expire_after : timedelta or None
        How long a stored response is served as fresh; None: never expires.
    budget : RateBudget
        The merchant's rate budget, spent by every request that is not a cache hit.
    serializer
        How rows are written (the benchmarks pass ``"pickle"`` for their baseline).

    Returns
    -------
    requests.Session
    """
    session: requests.Session
    if cache is None:
        session = BudgetSession(budget=budget)
    else:
        session = _cached_session(cache, expire_after, serializer, budget)
    _size_pool(session)
    return session


def _size_pool(session: requests.Session) -> None:
    """Keep a connection per worker: requests' default pool keeps 10 and discards the rest.

    Beyond ten threads urllib3 logged "Connection pool is full, discarding connection"
    and every batch reopened connections; ``POOL_SIZE`` covers any sensible ``workers``.
    ``max_retries=0``: retries are the client's (``_retry``), as with the default adapter.
    """
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def _cached_session(
    cache: CacheLocation, expire_after: timedelta | None, serializer: Any, budget: RateBudget
) -> requests.Session:
    return CachedBudgetSession(
        backend=_backend(cache, serializer),
        read_only=cache.read_only,
        expire_after=NEVER_EXPIRE if expire_after is None else expire_after,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        cache_control=False,
        key_fn=_cache_key,
        filter_fn=_is_success,
        ignored_parameters=_REDACTED,
        budget=budget,
    )


def _backend(cache: CacheLocation, serializer: Any) -> BaseCache:
    if cache.open_path is None:
        return BaseCache()  # requests-cache's in-memory backend (``cache_fallback="memory"``)
    # WAL lets readers and one writer work at once; a read-only copy needs no journal
    return SQLiteCache(cache.open_path, wal=not cache.read_only, serializer=serializer)
