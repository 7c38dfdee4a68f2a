"""An AssetPay-compatible local server: the embedded default for notebooks, CLI and tests.

It answers ``GET /secure/inventory`` to the letter of the contract (envelope and
``requestId``, the ``api-key`` check, trade URL validation, ``game``, ``search``,
``sort``, ``minPrice``/``maxPrice`` on the offer price, ``page``/``limit`` with ``-1``,
``count``, ``updatedAt``, ``collateral: 0``, the documented errors with their HTTP
statuses, and a per-merchant rate limit answered with 429 + ``Retry-After``) from
deterministic demo inventories (``data``), optionally with injected faults. It also
answers ``GET /secure/prices`` (the price book every demo offer is priced by, ``book``;
``Sandbox.price_book``; the seeded disagreements are ``Sandbox.off_book``) and
``POST /secure/check-tradeurl`` (each account's screening ``state``, cached an hour
upstream unless ``forceRefresh``; ``screening``). Each endpoint's rate family
(inventory, prices, check-tradeurl) has its own window per api key.

- The api key is checked before the route: any method on any path without the right key
  is 401 (MISSING_API_KEY, INVALID_API_KEY); only then is an unknown path, or a method
  the path does not take, 404 NOT_FOUND (with ``Allow`` for a known path). Every method
  is answered as JSON: ``HEAD`` as ``GET`` without the body, ``OPTIONS`` 204 with
  ``Allow`` (see ``app``).
- ``null`` or an empty value in a parameter the OpenAPI types as nullable (``minPrice``,
  ``maxPrice``, ``limit``) is the parameter left out (``query.NULLABLE_PARAMS``).
- ``Content-Length`` is not trusted: one that is not a plain number, or over 1 MiB
  (``server.MAX_BODY_BYTES``), is answered 400 or 413 at once and the connection closed
  (see ``server``).
- ``faults=Faults(...)``: seeded transient faults (503/429 refusals, 403
  API_KEY_SCOPE_DENIED, STEAM_RATE_LIMITED, SERVER_ERROR, SYSTEM_MAINTENANCE, connection
  resets, truncated bodies, HTML 502 pages, slow-drip bodies) and per-account integrity
  faults (duplicated pages, shifting or endless inventories, a wrong ``count``,
  malformed payloads, out-of-range values); see ``faults``.
- ``dialect="gg"`` (default), ``"co"`` or ``"openapi"``: the codes and HTTP statuses of
  either documentation or of the OpenAPI 0.8.3 document (validation 422, 400 or 400;
  INVENTORY_FETCH_FAILED 424, 500 or 424; ``constants.ERRORS_BY_DIALECT``). "gg" stays
  the default: .gg numbers every code, while the OpenAPI gives no codes and no 503 (the
  API notes, ``assetpay-api.md`` section 2, give the whole reasoning).
- ``as_of="2026-06-20"`` (or a ``date``): the demo inventories aged to that day, with
  drifting prices, dated events, items traded away and received (see ``aging``);
  ``Sandbox.set_as_of`` moves a running sandbox to another day.
- ``rate_limit=(n, seconds)`` sets the inventory family's window, ``rate_limits=`` any
  family's (``{"prices": (n, seconds)}``); by default those of ``constants.RATE_FAMILIES``
  for a verified merchant or not.
- Every response echoes the client's ``x-request-id`` (kept in ``Sandbox.requests``, with
  a POST's JSON body).
- The request log keeps the latest ``log_limit`` requests (10,000 by default); a
  connection silent for ``idle_timeout`` seconds (30 by default) is closed; ``stop()``
  closes the open keep-alive connections too.

Its modules: ``app`` (one answer for any request: the key, the rate limit, the transient
faults, the ``Route`` of each endpoint), ``state`` (options, the request log, counters, the
demo data served, the screening cache), ``inventory`` (the ``/secure/inventory`` route),
``query`` (reading an inventory request: validation, filters, sorts, pages), ``prices``
(the ``/secure/prices`` route), ``screening`` (the ``/secure/check-tradeurl`` route),
``integrity`` (the per-account faults' effects), ``server`` (HTTP and the wire faults),
``data``, ``extras`` and ``catalogue`` (the demo accounts and items, from
``catalogue.json``), ``book`` (the price book), ``aging`` (the demo data and the book as
of a day), ``faults`` (``Faults``).

Examples
--------
>>> import requests
>>> with serve() as box:
...     body = requests.get(f"{box.url}/secure/inventory",
...                         params={"tradeUrl": box.trade_urls[0], "limit": -1},
...                         headers={"api-key": box.api_key}, timeout=10).json()
>>> body["success"], body["data"]["count"] == len(body["data"]["inventory"])
(True, True)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from types import MappingProxyType
from typing import Any

from ..constants import GAME_CS2, RATE_FAMILIES
from ..tradeurl import TradeUrl
from . import data
from .aging import as_of_date
from .data import Account
from .faults import MALFORMED_KINDS, Faults
from .server import IDLE_TIMEOUT, make_server
from .state import DIALECTS, LOG_LIMIT, SANDBOX_API_KEY, RequestRecord, SandboxState, _RateLimiter

__all__ = [
    "DIALECTS",
    "IDLE_TIMEOUT",
    "LABELS",
    "LOG_LIMIT",
    "MALFORMED_KINDS",
    "SANDBOX_API_KEY",
    "Account",
    "Faults",
    "RequestRecord",
    "Sandbox",
    "run",
    "serve",
    "start",
]


#: SteamID -> the demo account's name (alice, bob, ...), also ``Sandbox.labels``.
LABELS: Mapping[str, str] = MappingProxyType(
    {TradeUrl.parse(account.trade_url).steam_id: account.name for account in data.ACCOUNTS}
)


class Sandbox:
    """A running sandbox server on 127.0.0.1.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:<port>``, the ``base_url`` to give the client.
    api_key : str
        The sandbox's public demo key.
    trade_urls : list of str
        The normal demo accounts' trade URLs, in a fixed order.
    accounts : mapping of str to Account
        Every named account, the special ones included: private, fetch_failed, empty,
        flaky, steam_down, throttled (their inventories fail or are empty, see
        ``inventory``), and the screened ones (``screening``): escrow (screened 1
        Normal, canTrade false, 7 days of escrow; a readable inventory), vac_banned (2
        CS2Banned; readable), ghost (7 UserNotFound; its inventory answers
        INVENTORY_FETCH_FAILED), untradeable (9 UserNotTradeable; USER_NOT_TRADEABLE)
        and screen_flip (10 SteamUnavailable on its first lookup, 1 Normal after).
    labels : mapping of str to str
        SteamID -> the account's name (``alice``...), for ``labels=`` in the explorer
        and the reports.
    """

    def __init__(self, server: Any, state: SandboxState) -> None:
        self._server = server
        self._state = state
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.api_key = state.api_key
        self.accounts: Mapping[str, Account] = MappingProxyType(
            {account.name: account for account in data.ACCOUNTS}
        )
        self.trade_urls = [a.trade_url for a in data.ACCOUNTS if a.kind == "normal"]
        self.labels: Mapping[str, str] = LABELS
        self._thread = threading.Thread(
            target=server.serve_forever, name="assetpay-sandbox", daemon=True
        )
        self._thread.start()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, accounts={len(self.accounts)})"

    @property
    def requests(self) -> list[RequestRecord]:
        """The requests since the last ``reset()``, oldest first (the latest ``log_limit``)."""
        with self._state.lock:
            return list(self._state.log)

    def _partner(self, account: str) -> int:
        if account in self.accounts:
            return self.accounts[account].partner
        return TradeUrl.parse(account).partner

    @property
    def as_of(self) -> date | None:
        """The day the inventories are served as of (None: the demo data as generated)."""
        return self._state.current_as_of()

    def set_as_of(self, value: date | str | None) -> None:
        """Serve the inventories as of another day from the next request on (thread-safe).

        Parameters
        ----------
        value : date, str or None
            As ``serve(as_of=...)``; None goes back to the demo data as generated.

        Raises
        ------
        ValueError
            For a bad day (the day served is then unchanged).
        """
        self._state.set_as_of(value)

    def items(self, account: str, game: str = GAME_CS2) -> list[dict[str, Any]]:
        """An account's full raw inventory (before filters), exactly as served now.

        Out-of-range values and the items a shifting inventory has gained so far are
        included, and the inventory is that of ``as_of``, so expectations can be
        computed from it.

        Parameters
        ----------
        account : str
            An account name or a trade URL.
        game : str
            ``"730"`` or ``"252490"``.

        Raises
        ------
        ValueError
            For an account with an endless inventory (``Faults.endless``).
        """
        return self._state.items(self._partner(account), str(game))

    @property
    def faults(self) -> Faults | None:
        """The injected faults, if any."""
        return self._state.faults

    @property
    def page_cap(self) -> int | None:
        """The most items a page holds, whatever ``limit`` asks (None: no cap)."""
        return self._state.page_cap

    @property
    def dialect(self) -> str:
        """``"gg"``, ``"co"`` or ``"openapi"``: whose error codes and statuses it answers with."""
        return self._state.dialect

    @property
    def idle_timeout(self) -> float:
        """Seconds before a silent or half-sent connection is closed."""
        return float(self._server.idle_timeout)

    @property
    def log_limit(self) -> int:
        """How many requests ``requests`` keeps (the oldest are dropped first)."""
        return self._state.log_limit

    def off_book(self, account: str, game: str = GAME_CS2) -> frozenset[str]:
        """The ids of an account's items whose offer differs from the price book, now.

        Every other item of ``items(account, game)`` with an offer is offered exactly the
        book's ``deposit`` for its ``marketHashName`` (and ``doppler.name`` phase) in
        ``price_book(game)``, on the day served. These are the seeded disagreements
        (about 1.2% of the items): an offer far under the book, or above the market
        price. The out-of-range offer of ``Faults.out_of_range`` is not counted.

        Parameters
        ----------
        account : str
            An account name or a trade URL.
        game : str
            ``"730"`` or ``"252490"``.

        Raises
        ------
        ValueError
            For an account with an endless inventory (``Faults.endless``).

        Examples
        --------
        >>> with serve() as box:
        ...     off = box.off_book("dave")
        ...     ids = {item["id"] for item in box.items("dave")}
        >>> 0 < len(off) < 30 and off <= ids
        True
        """
        return self._state.off_book(self._partner(account), str(game))

    def price_book(self, game: str = GAME_CS2) -> list[dict[str, Any]]:
        """The ``data`` of ``GET /secure/prices?game=``, exactly as served now (``as_of``).

        Parameters
        ----------
        game : str
            ``"730"`` or ``"252490"``.

        Examples
        --------
        >>> with serve() as box:
        ...     book = box.price_book("252490")
        >>> book[0]["marketHashName"], sorted(book[0])
        ('Tempered AK47', ['accepted', 'deposit', 'marketHashName', 'withdraw'])
        """
        return self._state.price_book(str(game))

    def requests_for(self, account: str) -> list[RequestRecord]:
        """The requests about one account (name or trade URL): in the query or the body."""
        partner = self._partner(account)
        marker = f"partner={partner}&"

        def about(record: RequestRecord) -> bool:
            sent = (record.body or {}).get("tradeurl")
            return marker in record.params.get("tradeUrl", "") or (
                isinstance(sent, str) and marker in sent
            )

        return [r for r in self.requests if about(r)]

    @property
    def rate_limits(self) -> Mapping[str, tuple[int, float]]:
        """Rate family -> (requests, window seconds): each family's window per api key."""
        return MappingProxyType(dict(self._state.limiter.limits))

    def reset(self) -> None:
        """Clear the request log, the counters, the shifted inventories, the rate windows
        and the screening cache (and its lookup counts).

        The faults' decision sequence starts again too.
        """
        self._state.reset()

    def stop(self) -> None:
        """Shut the server down and close its open connections (also done by ``serve()``).

        A client holding a keep-alive connection gets no further answer.
        """
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)


def _rate_limits(
    verified: bool,
    rate_limit: tuple[int, float] | None,
    rate_limits: Mapping[str, tuple[int, float]] | None,
) -> dict[str, tuple[int, float]]:
    """Each rate family's (requests, window): the merchant's, then the overrides."""
    limits = {name: (verified_limit if verified else unverified, window)
              for name, (window, verified_limit, unverified) in RATE_FAMILIES.items()}  # fmt: skip
    if rate_limit is not None:
        limits["inventory"] = rate_limit
    unknown = sorted(set(rate_limits or {}) - set(limits))
    if unknown:
        raise ValueError(f"unknown rate famil(ies) {unknown}: use {', '.join(limits)}")
    limits.update(rate_limits or {})
    for name, (count, window) in limits.items():
        if count < 1 or not window > 0:
            raise ValueError(f"rate limit of {name!r}: at least 1 request in a positive window")
    return {name: (int(count), float(window)) for name, (count, window) in limits.items()}


def start(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    verified: bool = True,
    faults: Faults | None = None,
    page_cap: int | None = None,
    rate_limit: tuple[int, float] | None = None,
    rate_limits: Mapping[str, tuple[int, float]] | None = None,
    dialect: str = "gg",
    idle_timeout: float = IDLE_TIMEOUT,
    log_limit: int = LOG_LIMIT,
    as_of: date | str | None = None,
) -> Sandbox:
    """Start a sandbox in a background thread; call ``.stop()`` when done.

    Parameters are those of ``serve()``, which is the same thing as a context manager.

    Examples
    --------
    >>> box = start(dialect="co")
    >>> box.url.startswith("http://127.0.0.1:"), box.dialect
    (True, 'co')
    >>> box.stop()
    """
    if page_cap is not None and page_cap < 1:
        raise ValueError("page_cap must be at least 1")
    day = as_of_date(as_of)
    limits = _rate_limits(verified, rate_limit, rate_limits)
    state = SandboxState(api_key=SANDBOX_API_KEY, limiter=_RateLimiter(limits), faults=faults,
                         page_cap=page_cap, dialect=dialect, log_limit=log_limit,
                         as_of=day)  # fmt: skip
    return Sandbox(make_server(host, port, state, idle_timeout), state)


@contextmanager
def serve(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    verified: bool = True,
    faults: Faults | None = None,
    page_cap: int | None = None,
    rate_limit: tuple[int, float] | None = None,
    rate_limits: Mapping[str, tuple[int, float]] | None = None,
    dialect: str = "gg",
    idle_timeout: float = IDLE_TIMEOUT,
    log_limit: int = LOG_LIMIT,
    as_of: date | str | None = None,
) -> Iterator[Sandbox]:
    """Run an AssetPay-compatible server on 127.0.0.1 for the duration of a ``with``.

    Parameters
    ----------
    port : int
        0 (default) picks a free port.
    host : str
        The address to bind; keep it on loopback.
    verified : bool
        The merchant's status: the verified or unverified limit of each rate family
        (inventory: 10,000 requests a minute when verified, else 100).
    faults : Faults, optional
        Injected failures, broken answers and latency (see ``Faults``).
    page_cap : int, optional
        Ignore ``limit=-1`` and never send more than this many items a page.
    rate_limit : (int, float), optional
        ``(requests, window seconds)`` of the inventory family instead of the per-minute
        merchant limit.
    rate_limits : mapping of str to (int, float), optional
        Rate family (``"inventory"``, ``"prices"``, ``"check-tradeurl"``) -> ``(requests,
        window seconds)``, overriding the merchant's limits of ``constants.RATE_FAMILIES``
        (inventory 10,000 a minute, prices 1,000 an hour, check-tradeurl 100,000 an
        hour; 100 of each when unverified) and ``rate_limit``. Each family is a window
        of its own per api key, answered 429 RATE_LIMITED with ``Retry-After``.
    dialect : {"gg", "co", "openapi"}
        Whose documented codes and statuses to answer with: ``"gg"`` (validation 422,
        INVENTORY_FETCH_FAILED 424, RATE_LIMITED 1005, INVALID_TRADEURL 13), ``"co"``
        (validation 400, INVENTORY_FETCH_FAILED 500, RATE_LIMITED 1007,
        INVALID_TRADEURL 14) or ``"openapi"`` (the OpenAPI 0.8.3 statuses: validation
        400 with ``fields``, every Steam-side failure 424, 429, 401, 403, 500; the .gg
        codes, and .gg's 404 and 503s where the OpenAPI lists none).
    idle_timeout : float
        Seconds after which a connection that sends nothing (or half a request) is
        closed (default 30).
    log_limit : int
        How many requests ``Sandbox.requests`` keeps (default 10,000, oldest dropped).
    as_of : date or str, optional
        Serve the demo inventories as of this day (``"YYYY-MM-DD"`` or a ``date``, from
        ``aging.BASE_DATE``, 2026-06-01, on): prices drifted, dated ``aging.EVENTS``
        applied, items traded away and received, ``updatedAt`` on that date. None
        (default) serves them as generated; ``Sandbox.set_as_of`` changes it later.

    Yields
    ------
    Sandbox

    Raises
    ------
    ValueError
        For an unknown dialect, a ``page_cap``/``log_limit`` below 1, a non-positive
        ``idle_timeout``, a bad ``as_of`` (not a day, or before ``aging.BASE_DATE``), an
        unknown rate family or a rate limit below one request.

    Examples
    --------
    >>> with serve(page_cap=10) as box:
    ...     sorted(box.accounts)[:3]
    ['alice', 'bob', 'carol']
    """
    box = start(port, host=host, verified=verified, faults=faults, page_cap=page_cap,
                rate_limit=rate_limit, rate_limits=rate_limits, dialect=dialect,
                idle_timeout=idle_timeout, log_limit=log_limit, as_of=as_of)  # fmt: skip
    try:
        yield box
    finally:
        box.stop()


def run(
    port: int = 8080,
    *,
    host: str = "127.0.0.1",
    verified: bool = True,
    faults: Faults | None = None,
    page_cap: int | None = None,
    rate_limit: tuple[int, float] | None = None,
    rate_limits: Mapping[str, tuple[int, float]] | None = None,
    dialect: str = "gg",
    idle_timeout: float = IDLE_TIMEOUT,
    log_limit: int = LOG_LIMIT,
    as_of: date | str | None = None,
) -> None:
    """Serve until Ctrl-C, printing the URL, the demo key and the demo trade URLs.

    The options are those of ``serve()`` (``as_of`` included).
    """
    box = start(port, host=host, verified=verified, faults=faults, page_cap=page_cap,
                rate_limit=rate_limit, rate_limits=rate_limits, dialect=dialect,
                idle_timeout=idle_timeout, log_limit=log_limit, as_of=as_of)  # fmt: skip
    print(f"AssetPay sandbox on {box.url}  (api key: {box.api_key}, dialect: {box.dialect})")
    if box.as_of is not None:
        print(f"  inventories as of {box.as_of.isoformat()}")
    for name, account in box.accounts.items():
        print(f"  {name:<13} {account.kind:<13} {account.trade_url}")
    print("Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
