"""Fault injection for tests and benchmarks: what the sandbox gets wrong, and how often.

Two families, both deterministic for a ``seed`` (see ``Faults``):

**Transient faults** strike a share of the valid requests (an api key that opens the
sandbox and a known endpoint: the inventory, the price book and check-tradeurl alike).
One seeded roll per request picks at most one of them, so the rates are exclusive and add
up (their sum must be at most 1):

- ``error_rate``: 503 FLEET_DEGRADED (1011) or NO_BOTS_AVAILABLE (1010), with a
  ``Retry-After`` header when ``unavailable_retry_after`` is set;
- ``rate_limit_rate``: 429 RATE_LIMITED with ``Retry-After: retry_after``;
- ``reset_rate``: the connection is closed (SO_LINGER 0) without any response;
- ``truncate_rate``: the answer's status and headers with the full ``Content-Length``,
  then only the first half of the body, then the connection is closed;
- ``html_rate``: 502 ``text/html``, a proxy's "502 Bad Gateway" page, no JSON;
- ``drip_rate``: the answer, its body written one byte every ``drip_interval`` seconds;
- ``scope_denied_rate``: 403 API_KEY_SCOPE_DENIED (1903), the key lacks the route's scope;
- ``steam_rate_limit_rate``: STEAM_RATE_LIMITED (33; 424) with ``Retry-After: retry_after``;
- ``server_error_rate``: SERVER_ERROR (500), an envelope with the dialect's code;
- ``maintenance_rate``: 503 SYSTEM_MAINTENANCE, with a ``Retry-After`` header when
  ``unavailable_retry_after`` is set.

The bands are laid on the roll in that order (``ERROR_FAULTS`` after the wire faults), so a
seed's sequence of the older faults is unchanged by the newer rates left at 0.

**Integrity faults** belong to accounts (keyed by the trade URL's partner id) and hit
every request about them: ``duplicate_pages``, ``shifting``, ``endless``,
``wrong_count``, ``malformed`` (kinds in ``MALFORMED_KINDS``) and ``out_of_range``.

``latency`` adds a delay before every response.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["ERROR_FAULTS", "MALFORMED_KINDS", "WIRE_FAULTS", "Faults"]

#: The shapes ``Faults.malformed`` can give an account's ``success: true`` answers.
MALFORMED_KINDS: tuple[str, ...] = (
    "inventory_object",
    "string_items",
    "count_text",
    "data_list",
    "no_inventory",
    "item_list",
)
#: What ``Faults.decide`` returns for the faults that break the HTTP exchange itself.
WIRE_FAULTS: tuple[str, ...] = ("reset", "truncate", "html", "drip")
#: Rate field -> the error key ``Faults.decide`` returns for it (the bands after the wire
#: faults'; each key's code and status are the dialect's).
ERROR_FAULTS: Mapping[str, str] = MappingProxyType(
    {
        "scope_denied_rate": "API_KEY_SCOPE_DENIED",
        "steam_rate_limit_rate": "STEAM_RATE_LIMITED",
        "server_error_rate": "SERVER_ERROR",
        "maintenance_rate": "SYSTEM_MAINTENANCE",
    }
)
#: The transient rates in the order their bands are laid on the roll.
_RATES = ("error_rate", "rate_limit_rate", "reset_rate", "truncate_rate", "html_rate",
          "drip_rate", *ERROR_FAULTS)  # fmt: skip


def _frozen_map(value: Mapping[int, int] | Mapping[int, str]) -> Mapping[int, object]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class Faults:
    """Failures the sandbox injects: transient ones into any request, per-account ones into
    inventory requests.

    Parameters
    ----------
    error_rate : float
        Share of requests answered 503 FLEET_DEGRADED (1011) or NO_BOTS_AVAILABLE (1010).
    rate_limit_rate : float
        Share answered 429 RATE_LIMITED (1005) with a ``Retry-After`` header.
    latency : float
        Seconds added before every response.
    retry_after : float
        The 429's ``Retry-After`` value (whole seconds in the header, rounded up, >= 1).
    seed : int
        The decisions are deterministic for a seed and a request sequence.
    reset_rate : float
        Share of requests whose connection is closed with no response at all (SO_LINGER
        0): the client sees a connection reset or ``RemoteDisconnected``.
    truncate_rate : float
        Share answered with the real status and a ``Content-Length`` of the whole JSON
        body, of which only the first half is sent before the connection is closed.
    html_rate : float
        Share answered 502 with ``Content-Type: text/html`` and a small "502 Bad Gateway"
        page, as a reverse proxy would: no JSON envelope.
    drip_rate : float
        Share whose (complete, correct) body is written one byte every ``drip_interval``
        seconds; the server stops quietly when the client hangs up.
    drip_interval : float
        Seconds between two dripped bytes (default 0.5).
    unavailable_retry_after : float, optional
        When set, the 503s of ``error_rate`` and ``maintenance_rate`` carry
        ``Retry-After`` (whole seconds, rounded up). Unset (the default), only the 429s
        and STEAM_RATE_LIMITED carry it.
    scope_denied_rate : float
        Share answered 403 API_KEY_SCOPE_DENIED (1903): the key opens the sandbox but
        lacks the endpoint's scope.
    steam_rate_limit_rate : float
        Share answered STEAM_RATE_LIMITED (33, HTTP 424) with ``Retry-After:
        retry_after``: Steam, not the merchant's budget, throttles.
    server_error_rate : float
        Share answered SERVER_ERROR (HTTP 500; code 1006, or 1000 in the "co" dialect)
        as a JSON envelope (``html_rate`` is the envelope-less 502).
    maintenance_rate : float
        Share answered 503 SYSTEM_MAINTENANCE (1007, or 1009 in "co").
    duplicate_pages : frozenset of int
        Partner ids whose page n >= 2 repeats the items of page n - 1; ``count`` stays
        true.
    shifting : mapping of int to int
        Partner id -> number of changes. Each request for a page >= 2, while changes
        remain, first adds one new item (a fresh, deterministic id) at the front of the
        inventory, so the pages shift and ``count`` grows by one. The grown inventory
        persists until ``Sandbox.reset()``; once the changes are spent it stays put.
    endless : frozenset of int
        Partner ids whose ``count`` is 1,000,000,000 and whose every page (any number)
        brings new, unique items (ids derived from the page number): ``limit`` items, or
        ``page_cap`` (else 10) with ``limit=-1``, at most 1,000. Filters are ignored.
    wrong_count : mapping of int to int
        Partner id -> the ``count`` to report; the items and paging stay true (pages
        past the real end are empty).
    malformed : mapping of int to str
        Partner id -> the shape its ``success: true`` answers take:
        ``"inventory_object"`` (``inventory`` is an object keyed "0", "1", ...),
        ``"string_items"`` (the list holds the item ids as strings), ``"count_text"``
        (``count`` is ``"lots"``), ``"data_list"`` (``data`` is the bare item list),
        ``"no_inventory"`` (``data`` lacks ``inventory``) or ``"item_list"`` (the first
        item is a list of ``[key, value]`` pairs; an empty page gets one ``[]``).
    out_of_range : frozenset of int
        Partner ids whose CS2 inventory (before filters, so in every page) has item 0's
        ``marketPrice`` -12.5, item 1's ``offer.price`` -3.0, item 2's ``wear`` "1.7",
        item 3's ``wear`` "-0.2", item 4's ``exterior`` "Brand New" and item 5's ``id``
        null.
    echo_trade_url : bool
        Error answers echo the request's ``tradeUrl`` (token included) in their
        ``message`` and ``fields``, as some APIs do: the client must mask it.

    Notes
    -----
    An account in ``endless`` ignores ``shifting``, ``duplicate_pages`` and
    ``wrong_count``; ``malformed`` applies on top of every other fault.

    Examples
    --------
    >>> Faults(error_rate=0.1, seed=1).decide_all(5) == Faults(error_rate=0.1, seed=1).decide_all(5)
    True
    >>> Faults(reset_rate=1.0).decide(), Faults(maintenance_rate=1.0).decide()
    ('reset', 'SYSTEM_MAINTENANCE')
    >>> Faults(html_rate=0.7, drip_rate=0.7)
    Traceback (most recent call last):
    ...
    ValueError: the transient rates add up to 1.4, more than 1
    """

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    latency: float = 0.0
    retry_after: float = 1.0
    seed: int = 0
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    html_rate: float = 0.0
    drip_rate: float = 0.0
    drip_interval: float = 0.5
    unavailable_retry_after: float | None = None
    scope_denied_rate: float = 0.0
    steam_rate_limit_rate: float = 0.0
    server_error_rate: float = 0.0
    maintenance_rate: float = 0.0
    duplicate_pages: frozenset[int] = frozenset()
    shifting: Mapping[int, int] = field(default_factory=dict, hash=False)
    endless: frozenset[int] = frozenset()
    wrong_count: Mapping[int, int] = field(default_factory=dict, hash=False)
    malformed: Mapping[int, str] = field(default_factory=dict, hash=False)
    out_of_range: frozenset[int] = frozenset()
    echo_trade_url: bool = False
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_rates()
        if self.latency < 0 or self.retry_after < 0 or self.drip_interval < 0:
            raise ValueError("latency, retry_after and drip_interval must not be negative")
        if self.unavailable_retry_after is not None and self.unavailable_retry_after < 0:
            raise ValueError("unavailable_retry_after must not be negative")
        self._check_accounts()
        object.__setattr__(self, "_rng", random.Random(self.seed))
        object.__setattr__(self, "_lock", threading.Lock())

    def _check_rates(self) -> None:
        for name in _RATES:
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        total = sum(getattr(self, name) for name in _RATES)
        if total > 1 + 1e-9:
            raise ValueError(f"the transient rates add up to {total:g}, more than 1")

    def _check_accounts(self) -> None:
        for name in ("duplicate_pages", "endless", "out_of_range"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        for name in ("shifting", "wrong_count", "malformed"):
            object.__setattr__(self, name, _frozen_map(getattr(self, name)))
        for name in ("shifting", "wrong_count"):
            if any(not isinstance(n, int) or n < 0 for n in getattr(self, name).values()):
                raise ValueError(f"{name} values must be integers >= 0")
        unknown = sorted(set(self.malformed.values()) - set(MALFORMED_KINDS))
        if unknown:
            raise ValueError(
                f"unknown malformed kind(s) {unknown}: use one of {', '.join(MALFORMED_KINDS)}"
            )

    def decide(self) -> str | None:
        """The transient fault for the next request, or None.

        Returns
        -------
        str or None
            An error key (``"FLEET_DEGRADED"``, ``"NO_BOTS_AVAILABLE"``,
            ``"RATE_LIMITED"``, or one of ``ERROR_FAULTS``), a wire fault (``"reset"``,
            ``"truncate"``, ``"html"``, ``"drip"``) or None for a normal answer.
        """
        with self._lock:
            roll = self._rng.random()
            pick = self._rng.random()
        if roll < self.error_rate:
            return "FLEET_DEGRADED" if pick < 0.5 else "NO_BOTS_AVAILABLE"
        edge = self.error_rate + self.rate_limit_rate
        if roll < edge:
            return "RATE_LIMITED"
        for fault in WIRE_FAULTS:
            edge += getattr(self, f"{fault}_rate")
            if roll < edge:
                return fault
        for name, key in ERROR_FAULTS.items():
            edge += getattr(self, name)
            if roll < edge:
                return key
        return None

    def decide_all(self, n: int) -> list[str | None]:
        """The next n decisions (for tests)."""
        return [self.decide() for _ in range(n)]

    def reset(self) -> None:
        """Start the decision sequence again."""
        with self._lock:
            self._rng.seed(self.seed)
