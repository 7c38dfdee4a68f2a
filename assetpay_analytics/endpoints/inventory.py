"""``GET /secure/inventory``: one account's items: its arguments, its paging, its frame.

- **Arguments.** ``InventoryQuery.build`` turns the public arguments of one inventory
  call into a validated, immutable query before any request: the trade URL parsed once,
  the game, the filters (``search``, ``sort``, ``min_price``/``max_price`` on the offer
  price, ``accepted_only``) spelled as the API's query parameters, and ``refresh``.
- **The endpoint.** ``INVENTORY`` declares it for ``fetch``: the inventory rate family
  (10,000 a minute verified, 100 not), the client's cache expiry, the documented shape
  of ``data`` (``frame.payload``), the Arrow reading of a body (``frame.arrow``), and its
  counted pages (``fetch.paging``: ``limit=-1`` first, then pages of the size the server
  used, exact or read again, with a ``count`` beyond ``MAX_INVENTORY_COUNT`` refused);
  ``FramedEndpoint.frame`` is its frame (``frame.from_responses``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pandas as pd

from ..constants import INVENTORY_PATH, MAX_INVENTORY_COUNT, SEARCH_MAX_LEN, SORTS
from ..errors import InvalidRequest
from ..fetch.budget import RateFamily
from ..fetch.page import Page
from ..fetch.paging import CountedPaging
from ..fetch.settings import check_game, check_refresh, real_number
from ..frame import arrow, from_responses
from ..frame.payload import shape_problem
from ..redact import Sensitive
from ..tradeurl import TradeUrl, brief
from .base import FramedEndpoint

__all__ = [
    "FILTER_DEFAULTS",
    "INVENTORY",
    "PAGING",
    "InventoryQuery",
    "check_filters",
    "filter_params",
]

#: The optional filters of ``inventory()`` / ``inventories()`` and their defaults.
FILTER_DEFAULTS: Mapping[str, Any] = {
    "search": None,
    "sort": None,
    "min_price": None,
    "max_price": None,
    "accepted_only": False,
}


def check_filters(filters: Mapping[str, Any]) -> dict[str, str]:
    """Validate filter keyword arguments (names and values) into query parameters."""
    unknown = sorted(set(filters) - set(FILTER_DEFAULTS))
    if unknown:
        known = ", ".join(FILTER_DEFAULTS)
        names = ", ".join(map(brief, unknown[:5]))
        raise InvalidRequest(f"unknown argument(s) {names}; filters are {known}")
    return filter_params(**{**FILTER_DEFAULTS, **filters})


def _check_price(name: str, value: Any) -> float | None:
    if value is None:
        return None
    number = real_number(value)
    if number is None:
        raise InvalidRequest(
            f"{name} must be a finite number of USD that a float holds (int, float, "
            f"Decimal), got {brief(value)}"
        )
    if number < 0:
        raise InvalidRequest(f"{name} must be 0 or more, got {brief(value)}")
    return number + 0.0  # -0.0 is 0


def _spell(price: float) -> str:
    """A price in plain digits, as exactly as the float reads (no exponent, no rounding)."""
    return format(Decimal(repr(price)).normalize(), "f")


def _search_param(search: Any) -> dict[str, str]:
    if search is None:
        return {}
    if not isinstance(search, str):
        raise InvalidRequest(f"search must be a string, got {type(search).__name__}")
    if len(search) > SEARCH_MAX_LEN:
        raise InvalidRequest(
            f"search is {len(search)} characters; the API accepts at most {SEARCH_MAX_LEN}"
        )
    try:
        search.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InvalidRequest(
            f"search must be text UTF-8 can encode, but character {err.start} is a lone "
            f"surrogate ({brief(search[err.start])}), as left by decoding with "
            "errors='surrogateescape': decode with errors='replace', or drop it"
        ) from None
    return {"search": search} if search else {}


def _sort_param(sort: Any) -> dict[str, str]:
    if sort is None:
        return {}
    if not isinstance(sort, str) or sort not in SORTS:
        raise InvalidRequest(f"sort must be one of {', '.join(SORTS)}, got {brief(sort)}")
    return {"sort": sort}


def _price_params(min_price: Any, max_price: Any) -> dict[str, str]:
    low, high = _check_price("min_price", min_price), _check_price("max_price", max_price)
    params = {}
    if low is not None:
        params["minPrice"] = _spell(low)
    if high is not None:
        params["maxPrice"] = _spell(high)
    if low is not None and high is not None and low > high:
        raise InvalidRequest(
            f"min_price ({params['minPrice']}) is above max_price ({params['maxPrice']}); swap them"
        )
    return params


def filter_params(
    *,
    search: str | None,
    sort: str | None,
    min_price: float | None,
    max_price: float | None,
    accepted_only: bool,
) -> dict[str, str]:
    """Validate the optional filters and spell them as the API's query parameters."""
    params = {
        **_search_param(search),
        **_sort_param(sort),
        **_price_params(min_price, max_price),
    }
    if not isinstance(accepted_only, bool):
        raise InvalidRequest(f"accepted_only must be True or False, got {brief(accepted_only)}")
    if accepted_only:
        params["acceptedOnly"] = "true"
    return params


@dataclass(frozen=True)
class InventoryQuery:
    """One validated inventory request: the account, the game, the filters, ``refresh``.

    ``params`` (the query parameters every page shares; ``page``/``limit`` are the
    pager's) and ``context`` (how errors name the account, never the trade token) are
    spelled once, when the query is built, and read by ``fetch`` as plain attributes.
    """

    url: TradeUrl
    game: str
    filters: Mapping[str, str] = field(default_factory=dict)
    refresh: bool = False
    params: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    context: str = field(init=False, repr=False, compare=False)
    #: The inventory is a GET: no body.
    body: None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        params = {"tradeUrl": Sensitive(self.url.url), "game": self.game, **self.filters}
        object.__setattr__(self, "params", MappingProxyType(params))
        object.__setattr__(self, "context", f"steam_id {self.url.steam_id}")

    @classmethod
    def build(
        cls, trade_url: str | TradeUrl, game: Any, *, refresh: Any = False, **filters: Any
    ) -> InventoryQuery:
        """Check every argument (trade URL, refresh, game, filters) before any request."""
        url = TradeUrl.parse(trade_url)
        check_refresh(refresh)
        game = check_game(game)
        return cls(url=url, game=game, filters=check_filters(filters), refresh=refresh)


def _frame(pages: Sequence[Page], query: InventoryQuery) -> pd.DataFrame:
    return from_responses(pages, game=query.game, steam_id=query.url.steam_id)


#: How an inventory pages: ``limit=-1`` first, then counted pages, at most 100,000 items.
PAGING = CountedPaging("inventory", ceiling=MAX_INVENTORY_COUNT, noun="inventory")

#: ``GET /secure/inventory``, declared for ``fetch``.
INVENTORY = FramedEndpoint(
    name="inventory",
    path=INVENTORY_PATH,
    family=RateFamily.named("inventory"),
    data_problem=shape_problem,
    read_body=arrow.read_page,
    read_bodies=arrow.read_pages,
    paging=PAGING,
    frame=_frame,
)
