"""The client's settings and the arguments every call shares, checked before any request.

The api key (``Secret``, ``resolve_key``), ``base_url``, ``timeout``, ``expire_after``,
``stale_if_error``, ``retry``, ``session``, the rate (``check_rate``), ``offline`` and
the flags; and what several endpoints take, ``game`` and ``refresh``. An endpoint's own
arguments are checked in its module (``endpoints.inventory``: the filters). Every
failure is an ``InvalidRequest`` (or an ``InvalidTradeUrl`` / ``AuthenticationError``)
whose message names the fix and quotes the bad value with ``brief`` (short however
large the value; never the api key).
A number may be any real number that fits a float (int, float, Decimal, Fraction,
numpy's); never a bool, nan, an infinity or an int too large for a float.
"""

from __future__ import annotations

import math
import os
import re
from datetime import timedelta
from decimal import Decimal
from numbers import Integral, Real
from typing import Any
from urllib.parse import urlsplit

import requests

from ..constants import (
    API_KEY_ENV,
    GAMES,
    RATE_LIMIT_UNVERIFIED,
    RATE_LIMIT_VERIFIED,
)
from ..errors import AuthenticationError, InvalidRequest
from ..redact import Secret, register_key
from ..tradeurl import brief
from .retry import RetryPolicy

__all__ = [
    "MAX_EXPIRE_AFTER",
    "Secret",
    "check_base_url",
    "check_expire_after",
    "check_flag",
    "check_game",
    "check_rate",
    "check_refresh",
    "check_retry",
    "check_session",
    "check_stale_if_error",
    "check_timeout",
    "real_number",
    "resolve_key",
    "resolve_offline",
]

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


def real_number(value: Any) -> float | None:
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
    seconds = real_number(timeout)
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
        seconds = real_number(expire_after)
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
