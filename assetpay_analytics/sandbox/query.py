"""The sandbox's reading of an inventory request: validation, filters, sorts and paging.

``parse_query`` turns the query string into a ``Query`` or raises ``ApiError``
(INVALID_TRADEURL, or VALIDATION_FAILED with the offending ``fields``); ``select``
applies the filters and the sort; ``page_size`` and ``page_of`` cut a page.

The parameters [OA] 0.8.3 types as nullable (``NULLABLE_PARAMS``: ``minPrice``,
``maxPrice`` and ``limit``) take ``null`` or an empty value as absent, all alike. The
others are not nullable there: ``null`` in ``page``, ``sort``, ``game``, ``refresh`` or
``acceptedOnly`` is VALIDATION_FAILED, and ``search=null`` searches for "null" (an empty
``search`` is no filter, as before).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..constants import (
    DEFAULT_PAGE_SIZE,
    GAME_CS2,
    GAMES,
    MAX_ACCOUNT_ID,
    SEARCH_MAX_LEN,
    SORTS,
    UNLIMITED,
)

__all__ = ["NULLABLE_PARAMS", "TRADE_URL_PATTERN", "ApiError", "Query", "is_null", "page_of",
           "page_size", "parse_query", "select", "trade_url_parts"]  # fmt: skip

#: The inventory parameters [OA] 0.8.3 types as nullable: ``null`` or empty is absent.
NULLABLE_PARAMS: tuple[str, ...] = ("minPrice", "maxPrice", "limit")

#: The OpenAPI pattern the real API validates trade URLs with, anchored by ``\A`` and
#: ``\Z`` (not ``$``, which lets a trailing newline through) and applied with
#: ``fullmatch`` (``trade_url_parts``). Groups: the partner, the token.
TRADE_URL_PATTERN = re.compile(
    r"\Ahttps://steamcommunity\.com/tradeoffer/new/"
    r"\?partner=(\d{1,10})&token=([A-Za-z0-9_-]{8})\Z"
)


class ApiError(Exception):
    """A documented error answer: its key, the invalid fields and an optional Retry-After."""

    def __init__(
        self, key: str, fields: Mapping[str, str] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(key)
        self.key = key
        self.fields = dict(fields or {})
        self.retry_after = retry_after


def _bool_param(params: Mapping[str, str], name: str, fields: dict[str, str]) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        fields[name] = "must be true or false"
    return value == "true"


def is_null(params: Mapping[str, str], name: str) -> bool:
    """Whether a parameter counts as absent: not sent, empty, or ``null``.

    Only ``NULLABLE_PARAMS`` are read this way.

    Examples
    --------
    >>> is_null({"limit": "null"}, "limit"), is_null({"limit": ""}, "limit"), is_null({}, "limit")
    (True, True, True)
    >>> is_null({"limit": "5"}, "limit")
    False
    """
    return params.get(name, "") in ("", "null")


def _number_param(params: Mapping[str, str], name: str, fields: dict[str, str]) -> float | None:
    if is_null(params, name):
        return None
    try:
        value = float(params[name])
    except ValueError:
        fields[name] = "must be a number"
        return None
    if not math.isfinite(value) or value < 0:
        fields[name] = "must be a number >= 0"
        return None
    return value


def _int_param(params: Mapping[str, str], name: str, default: int, fields: dict[str, str]) -> int:
    if name in NULLABLE_PARAMS and is_null(params, name):
        return default
    try:
        return int(params.get(name, default))
    except ValueError:
        fields[name] = "must be an integer"
        return default


@dataclass(frozen=True)
class Query:
    """A validated inventory request."""

    partner: int
    game: str
    search: str | None
    sort: str
    min_price: float | None
    max_price: float | None
    page: int
    limit: int
    accepted_only: bool
    refresh: bool


def trade_url_parts(text: object) -> tuple[int, str] | None:
    """(partner, token) of a trade URL matching ``TRADE_URL_PATTERN`` in full, else None.

    The partner is not range-checked here (see ``MAX_ACCOUNT_ID``).

    Examples
    --------
    >>> url = "https://steamcommunity.com/tradeoffer/new/?partner=42&token=AbCd1234"
    >>> trade_url_parts(url), trade_url_parts(url + "\\n"), trade_url_parts(url + "&x=1")
    ((42, 'AbCd1234'), None, None)
    """
    match = TRADE_URL_PATTERN.fullmatch(text) if isinstance(text, str) else None
    return None if match is None else (int(match.group(1)), match.group(2))


def parse_query(params: Mapping[str, str], body: object = None) -> Query:
    """Validate the query string of ``GET /secure/inventory`` (a body is ignored).

    Raises
    ------
    ApiError
        INVALID_TRADEURL first, else VALIDATION_FAILED naming every bad field.
    """
    parts = trade_url_parts(params.get("tradeUrl", ""))
    if parts is None or not 0 < parts[0] <= MAX_ACCOUNT_ID:
        raise ApiError("INVALID_TRADEURL")
    fields: dict[str, str] = {}
    game = params.get("game", GAME_CS2).strip()
    if game not in GAMES:
        fields["game"] = f"must be one of {', '.join(GAMES)}"
    sort = params.get("sort", "relevance")
    if sort not in SORTS:
        fields["sort"] = f"must be one of {', '.join(SORTS)}"
    search = params.get("search") or None
    if search is not None and len(search) > SEARCH_MAX_LEN:
        fields["search"] = f"must be at most {SEARCH_MAX_LEN} characters"
    low, high = _number_param(params, "minPrice", fields), _number_param(params, "maxPrice", fields)
    if low is not None and high is not None and low > high:
        fields["minPrice"] = "must not be greater than maxPrice"
    page = _int_param(params, "page", 1, fields)
    if page < 1:
        fields["page"] = "must be >= 1"
    limit = _int_param(params, "limit", DEFAULT_PAGE_SIZE, fields)
    if limit < 1 and limit != UNLIMITED:
        fields["limit"] = "must be >= 1, or -1 for everything"
    accepted_only = _bool_param(params, "acceptedOnly", fields)
    refresh = _bool_param(params, "refresh", fields)
    if fields:
        raise ApiError("VALIDATION_FAILED", fields)
    return Query(parts[0], game, search, sort, low, high, page, limit,
                 accepted_only, refresh)  # fmt: skip


# --- filters, sorts, pages ------------------------------------------------------------


def _offer_price(item: Mapping[str, Any]) -> float | None:
    offer = item.get("offer")
    return offer.get("price") if isinstance(offer, Mapping) else None


def _accepted(item: Mapping[str, Any]) -> bool:
    offer = item.get("offer")
    if isinstance(offer, Mapping) and "accepted" in offer:
        return offer["accepted"] is True
    return item.get("accepted") is True


def _matches(item: Mapping[str, Any], query: Query) -> bool:
    if query.search:
        needle = query.search.lower()
        names = f"{item.get('name') or ''}\n{item.get('marketHashName') or ''}".lower()
        if needle not in names:
            return False
    if query.min_price is not None or query.max_price is not None:
        price = _offer_price(item)
        if price is None:
            return False
        if query.min_price is not None and price < query.min_price:
            return False
        if query.max_price is not None and price > query.max_price:
            return False
    return not query.accepted_only or _accepted(item)


_SORT_KEYS: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "priceAsc": lambda item: (_offer_price(item) is None, _offer_price(item) or 0.0),
    "priceDesc": lambda item: (_offer_price(item) is None, -(_offer_price(item) or 0.0)),
    "nameAsc": lambda item: item.get("marketHashName") or "",
}


def select(items: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The items matching the query's filters, in the order of its sort."""
    matching = [item for item in items if _matches(item, query)]
    if query.sort == "nameDesc":
        return sorted(matching, key=_SORT_KEYS["nameAsc"], reverse=True)
    if query.sort in _SORT_KEYS:
        return sorted(matching, key=_SORT_KEYS[query.sort])
    return matching


def page_size(query: Query, page_cap: int | None, total: int) -> int:
    """Items a page holds: ``limit``, or everything (``total``) for -1, capped by page_cap."""
    if page_cap is not None:
        return min(page_cap, query.limit if query.limit != UNLIMITED else page_cap)
    return total if query.limit == UNLIMITED else query.limit


def page_of(items: list[dict[str, Any]], page: int, size: int) -> list[dict[str, Any]]:
    """Page ``page`` (from 1) of ``items`` cut in pages of ``size``."""
    if size <= 0:
        return []
    start = (page - 1) * size
    return items[start : start + size]
