"""Arguments -> query parameters: every local check, made before any request.

``InventoryQuery.build`` turns the public arguments of one inventory call into a
validated, immutable query (the trade URL parsed once, the game, the filters spelled
as the API's query parameters, ``refresh``). The api key (``Secret``, ``resolve_key``)
and ``base_url`` are checked here too. Every failure is an ``InvalidRequest`` (or an
``InvalidTradeUrl`` / ``AuthenticationError``) whose message names the fix.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from typing import Any
from urllib.parse import urlsplit

from .constants import API_KEY_ENV, GAMES, SEARCH_MAX_LEN, SORTS
from .errors import AuthenticationError, InvalidRequest
from .tradeurl import TradeUrl

__all__ = [
    "FILTER_DEFAULTS",
    "InventoryQuery",
    "Secret",
    "check_base_url",
    "check_filters",
    "check_game",
    "check_refresh",
    "filter_params",
    "resolve_key",
]

#: The optional filters of ``inventory()`` / ``inventories()`` and their defaults.
FILTER_DEFAULTS: Mapping[str, Any] = {
    "search": None,
    "sort": None,
    "min_price": None,
    "max_price": None,
    "accepted_only": False,
}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Secret:
    """Holds the api key so that no repr, vars() dump or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The key itself, for the one header that carries it."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"


def resolve_key(api_key: str | None) -> Secret:
    """The api key from the argument, else ``$ASSETPAY_API_KEY``; a clear error if neither."""
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
    return Secret(key.strip())


def check_base_url(base_url: str) -> str:
    """``base_url`` without its trailing slash; https only (http for a loopback sandbox)."""
    parts = urlsplit(str(base_url))
    loopback = parts.hostname in _LOOPBACK
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return str(base_url).rstrip("/")
    raise InvalidRequest(
        f"base_url must be an https:// URL (http:// only for a local sandbox), got {base_url!r}: "
        "the api key must not travel unencrypted"
    )


def check_game(game: Any) -> str:
    """The app id as the API spells it (``"730"`` or ``"252490"``)."""
    text = str(game).strip() if isinstance(game, (str, int)) and not isinstance(game, bool) else ""
    if text not in GAMES:
        choices = ", ".join(f"{code!r} ({name})" for code, name in GAMES.items())
        raise InvalidRequest(
            f"game must be one of {choices}, got {game!r}", key="VALIDATION_FAILED"
        )
    return text


def check_refresh(refresh: Any) -> bool:
    """``refresh`` must be a real bool (a string "false" would be truthy)."""
    if not isinstance(refresh, bool):
        raise InvalidRequest(f"refresh must be True or False, got {refresh!r}")
    return refresh


def check_filters(filters: Mapping[str, Any]) -> dict[str, str]:
    """Validate filter keyword arguments (names and values) into query parameters."""
    unknown = sorted(set(filters) - set(FILTER_DEFAULTS))
    if unknown:
        known = ", ".join(FILTER_DEFAULTS)
        raise InvalidRequest(f"unknown argument(s) {', '.join(unknown)}; filters are {known}")
    return filter_params(**{**FILTER_DEFAULTS, **filters})


def _check_price(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise InvalidRequest(f"{name} must be a finite number of USD, got {value!r}")
    if value < 0:
        raise InvalidRequest(f"{name} must be 0 or more, got {value!r}")
    return float(value)


def _search_param(search: Any) -> dict[str, str]:
    if search is None:
        return {}
    if not isinstance(search, str):
        raise InvalidRequest(f"search must be a string, got {type(search).__name__}")
    if len(search) > SEARCH_MAX_LEN:
        raise InvalidRequest(
            f"search is {len(search)} characters; the API accepts at most {SEARCH_MAX_LEN}"
        )
    return {"search": search} if search else {}


def _sort_param(sort: Any) -> dict[str, str]:
    if sort is None:
        return {}
    if sort not in SORTS:
        raise InvalidRequest(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    return {"sort": sort}


def _price_params(min_price: Any, max_price: Any) -> dict[str, str]:
    low, high = _check_price("min_price", min_price), _check_price("max_price", max_price)
    if low is not None and high is not None and low > high:
        raise InvalidRequest(f"min_price ({low:g}) is above max_price ({high:g}); swap them")
    params = {}
    if low is not None:
        params["minPrice"] = f"{low:g}"
    if high is not None:
        params["maxPrice"] = f"{high:g}"
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
        raise InvalidRequest(f"accepted_only must be True or False, got {accepted_only!r}")
    if accepted_only:
        params["acceptedOnly"] = "true"
    return params


@dataclass(frozen=True)
class InventoryQuery:
    """One validated inventory request: the account, the game, the filters, ``refresh``."""

    url: TradeUrl
    game: str
    filters: Mapping[str, str] = field(default_factory=dict)
    refresh: bool = False

    @classmethod
    def build(
        cls, trade_url: str | TradeUrl, game: Any, *, refresh: Any = False, **filters: Any
    ) -> InventoryQuery:
        """Check every argument (trade URL, refresh, game, filters) before any request."""
        url = TradeUrl.parse(trade_url)
        check_refresh(refresh)
        game = check_game(game)
        return cls(url=url, game=game, filters=check_filters(filters), refresh=refresh)

    @property
    def params(self) -> dict[str, str]:
        """The query parameters every page shares (``page``/``limit`` are the pager's)."""
        return {"tradeUrl": self.url.url, "game": self.game, **self.filters}

    @property
    def context(self) -> str:
        """How errors name the account (never the trade token)."""
        return f"steam_id {self.url.steam_id}"
