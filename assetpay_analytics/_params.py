"""Arguments -> query parameters: every local check, made before any request.

``InventoryQuery.build`` turns the public arguments of one inventory call into a
validated, immutable query (the trade URL parsed once, the game, the filters spelled
as the API's query parameters, ``refresh``). The api key (``Secret``, ``resolve_key``)
and ``base_url`` are checked here too. Every failure is an ``InvalidRequest`` (or an
``InvalidTradeUrl`` / ``AuthenticationError``) whose message names the fix and quotes
the bad value with ``brief`` (short however large the value; never the api key).
A number may be any real number that fits a float (int, float, Decimal, Fraction,
numpy's); never a bool, nan, an infinity or an int too large for a float.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from numbers import Integral, Real
from typing import Any
from urllib.parse import urlsplit

import requests

from ._redact import Secret, Sensitive, register_key
from ._retry import RetryPolicy
from .constants import (
    API_KEY_ENV,
    GAMES,
    RATE_LIMIT_UNVERIFIED,
    RATE_LIMIT_VERIFIED,
    SEARCH_MAX_LEN,
    SORTS,
)
from .errors import AuthenticationError, InvalidRequest
from .tradeurl import TradeUrl, brief

__all__ = [
    "FILTER_DEFAULTS",
    "MAX_EXPIRE_AFTER",
    "InventoryQuery",
    "Secret",
    "check_base_url",
    "check_expire_after",
    "check_filters",
    "check_flag",
    "check_game",
    "check_refresh",
    "check_retry",
    "check_session",
    "check_stale_if_error",
    "check_timeout",
    "filter_params",
    "resolve_key",
    "resolve_offline",
]

#: The optional filters of ``inventory()`` / ``inventories()`` and their defaults.
FILTER_DEFAULTS: Mapping[str, Any] = {
    "search": None,
    "sort": None,
    "min_price": None,
    "max_price": None,
    "accepted_only": False,
}
#: The longest ``expire_after``: beyond it, requests-cache's ``now + expire_after``
#: would soon leave the datetime range (use None to never expire).
MAX_EXPIRE_AFTER = timedelta(days=36_500)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: What a base URL may hold: visible ASCII, no spaces (requests cannot send the rest).
_URL_TEXT = re.compile(r"[\x21-\x7e]+")
#: What an HTTP header value can carry: visible ASCII, inner spaces allowed.
_HEADER_SAFE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


def resolve_key(given: Secret) -> Secret:
    """The api key from the argument, else ``$ASSETPAY_API_KEY``; a clear error if neither.

    The key is only ever read through ``Secret.reveal()`` and never bound to a plain
    local, so a traceback rendered with its locals cannot show it.
    """
    secret = given if given.reveal() is not None else Secret(os.environ.get(API_KEY_ENV))
    if secret.reveal() is not None and not isinstance(secret.reveal(), str):
        raise AuthenticationError(f"api_key must be a string, got {type(secret.reveal()).__name__}")
    if secret.reveal() is None or not secret.reveal().strip():
        raise AuthenticationError(
            f"No AssetPay api key: pass api_key=... or set the {API_KEY_ENV} environment "
            "variable. To try the toolkit without a key, use the embedded sandbox: "
            "`with apa.sandbox.serve() as box: "
            "apa.AssetPayClient(api_key=box.api_key, base_url=box.url)`.",
            key="MISSING_API_KEY",
        )
    if not _HEADER_SAFE.fullmatch(secret.reveal().strip()):
        # the message must not quote the key: it is still a secret, however mangled
        raise AuthenticationError(
            "The api key contains characters an HTTP header cannot carry (a line break, a "
            "control character or non-ASCII text): copy it again from the AssetPay dashboard.",
            key="INVALID_API_KEY",
        )
    register_key(secret.reveal().strip())  # log records and messages mask it from now on
    return Secret(secret.reveal().strip())


def _real(value: Any) -> float | None:
    """``value`` as a finite float, or None (bools, non-numbers, nan, inf, too large)."""
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    return number if math.isfinite(number) else None


def check_timeout(timeout: Any) -> float:
    """``timeout``: seconds to wait for a response, a finite number above 0."""
    seconds = _real(timeout)
    if seconds is None or seconds <= 0:
        raise InvalidRequest(
            f"timeout must be a finite number of seconds above 0, got {brief(timeout)}"
        )
    return seconds


def check_expire_after(expire_after: Any) -> timedelta | None:
    """``expire_after``: a timedelta or seconds, 0 to ``MAX_EXPIRE_AFTER``; None: never.

    0 keeps responses in the cache (for ``offline`` and ``stale_if_error``) but never
    serves them as fresh.
    """
    if expire_after is None:
        return None
    if isinstance(expire_after, timedelta):
        delta: timedelta | None = expire_after
    else:
        seconds = _real(expire_after)
        in_range = seconds is not None and abs(seconds) <= MAX_EXPIRE_AFTER.total_seconds()
        delta = timedelta(seconds=seconds) if seconds is not None and in_range else None
    if delta is None or not timedelta(0) <= delta <= MAX_EXPIRE_AFTER:
        raise InvalidRequest(
            "expire_after must be a timedelta or a number of seconds, from 0 to "
            f"{MAX_EXPIRE_AFTER.days} days (None: never expire), got {brief(expire_after)}"
        )
    return delta


def check_base_url(base_url: Any) -> str:
    """``base_url`` without its trailing slash; https only (http for a loopback sandbox).

    A string of visible ASCII (surrounding spaces dropped) that requests can send to:
    a host, a valid port if any, no user, query or fragment.
    """
    text = base_url.strip() if isinstance(base_url, str) else ""
    problem = _base_url_problem(text) if text else "must be a non-empty string"
    if problem:
        raise InvalidRequest(
            f"base_url {problem}, got {brief(base_url)}; expected the API's root, such as "
            "https://api.assetpay.gg (or a loopback sandbox's http://127.0.0.1:<port>)"
        )
    return text.rstrip("/")


def _base_url_problem(text: str) -> str | None:
    if not _URL_TEXT.fullmatch(text):
        return "must be visible ASCII without spaces (punycode for a non-ASCII host)"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError for a port that is not one)
    except ValueError:
        return "cannot be parsed (a bad port or unbalanced [ ])"
    if parts.username is not None or "?" in text or "#" in text:
        return "must not carry a user, a query or a fragment"
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)):
        return (
            "must be an https:// URL (http:// only for a local sandbox): the api key must "
            "not travel unencrypted"
        )
    return None if parts.hostname else "has no host"


def check_game(game: Any) -> str:
    """The app id as the API spells it (``"730"`` or ``"252490"``)."""
    text = ""
    if isinstance(game, str):
        text = game.strip()
    elif isinstance(game, Integral) and not isinstance(game, bool) and 0 < int(game) < 10**9:
        text = str(int(game))  # a bounded int: str() refuses 4,300+ digits
    if text not in GAMES:
        choices = ", ".join(f"{code!r} ({name})" for code, name in GAMES.items())
        raise InvalidRequest(
            f"game must be one of {choices}, got {brief(game)}", key="VALIDATION_FAILED"
        )
    return text


def check_refresh(refresh: Any) -> bool:
    """``refresh`` must be a real bool (a string "false" would be truthy)."""
    if not isinstance(refresh, bool):
        raise InvalidRequest(f"refresh must be True or False, got {brief(refresh)}")
    return refresh


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
    number = _real(value)
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
    def params(self) -> dict[str, Any]:
        """The query parameters every page shares (``page``/``limit`` are the pager's)."""
        return {"tradeUrl": Sensitive(self.url.url), "game": self.game, **self.filters}

    @property
    def context(self) -> str:
        """How errors name the account (never the trade token)."""
        return f"steam_id {self.url.steam_id}"


def check_flag(name: str, value: Any) -> bool:
    """A True/False argument must be a real bool (a string "false" would be truthy)."""
    if not isinstance(value, bool):
        raise InvalidRequest(f"{name} must be True or False, got {brief(value)}")
    return value


def check_rate(requests_per_minute: Any, verified: bool) -> int:
    """The merchant's limit: ``requests_per_minute`` if given, else the one ``verified`` implies.

    Examples
    --------
    >>> check_rate(None, True), check_rate(None, False), check_rate(600, True)
    (10000, 100, 600)
    """
    if requests_per_minute is None:
        return RATE_LIMIT_VERIFIED if verified else RATE_LIMIT_UNVERIFIED
    if isinstance(requests_per_minute, bool) or not isinstance(requests_per_minute, Integral):
        raise InvalidRequest(
            "requests_per_minute must be a whole number of requests a minute (or None for "
            f"the limit verified= implies), got {brief(requests_per_minute)}"
        )
    if requests_per_minute < 1:
        raise InvalidRequest(
            f"requests_per_minute must be at least 1, got {requests_per_minute}: "
            "pass offline=True to send nothing"
        )
    return int(requests_per_minute)


def check_session(session: Any) -> requests.Session | None:
    """``session``: None (the client builds its own) or a ``requests.Session``."""
    if session is None or isinstance(session, requests.Session):
        return session
    kind = type(session).__name__
    raise InvalidRequest(f"session must be a requests.Session or None, got {kind}")


def check_retry(retry: Any) -> RetryPolicy:
    """``retry``: a ``RetryPolicy``; None means the default one."""
    if retry is None or isinstance(retry, RetryPolicy):
        return RetryPolicy() if retry is None else retry
    kind = type(retry).__name__
    raise InvalidRequest(f"retry must be a RetryPolicy(attempts=..., ...) or None, got {kind}")


def check_stale_if_error(value: Any) -> timedelta | None:
    """``stale_if_error``: None (off), or how long past expiry an entry may still be served."""
    if value is None:
        return None
    try:
        delta = check_expire_after(value)
    except InvalidRequest:
        delta = None
    if delta is None:
        raise InvalidRequest(
            "stale_if_error must be None, a timedelta or a number of seconds, from 0 to "
            f"{MAX_EXPIRE_AFTER.days} days, got {brief(value)}"
        )
    return delta


def resolve_offline(offline: Any, refresh: Any) -> bool:
    """``offline`` checked, and not combined with ``refresh`` (they contradict)."""
    if check_flag("offline", offline) and refresh is True:
        raise InvalidRequest("offline=True and refresh=True contradict each other: drop one")
    return bool(offline)
