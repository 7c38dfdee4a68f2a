"""The exceptions the toolkit raises, named for what the caller does next.

::

    AssetPayError                  code, key, status, request_id, message
     ├── InvalidRequest (ValueError)      fix the arguments (raised locally where it can be)
     │    └── InvalidTradeUrl              fix the trade URL (always raised before any request)
     ├── AuthenticationError               fix the api key or its scope
     ├── InventoryUnavailable              skip this account (private, banned, not tradeable)
     ├── RateLimited                       wait ``retry_after`` seconds (retried first);
     │                                      ``limit`` says whose: "merchant" or "steam"
     ├── ServiceUnavailable                try again later (retried first)
     ├── InconsistentInventory             pages that do not add up (re-read first)
     ├── MalformedResponse                 a success envelope of the wrong shape: report it
     ├── CacheError                        the cache cannot be used: fix its path or permissions
     └── CacheMiss                         offline, and this account is not cached: go online

An API error is mapped by its ``key``, then by its ``code`` where every doc version
agrees on it, then by the HTTP status. ``RateLimited`` and ``ServiceUnavailable``
and ``InconsistentInventory`` are the retryable ones; the client raises them only
after its retries (or re-reads) are spent. Every error the client raises carries
``attempts`` (requests made for the failing call) and ``elapsed`` (seconds spent).
No message, ``args``, ``details``, ``key`` or ``request_id`` ever contains the api key or
a trade token: the base class masks both (``redact.mask``) in whatever it is given, API
messages included, and a token the client has seen even where no ``token=`` precedes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .constants import ERROR_KEYS_BY_CLASS, KEY_BY_CODE
from .redact import mask, mask_value

__all__ = [
    "AssetPayError",
    "AuthenticationError",
    "CacheError",
    "CacheMiss",
    "InconsistentInventory",
    "InvalidRequest",
    "InvalidTradeUrl",
    "InventoryUnavailable",
    "MalformedResponse",
    "RateLimited",
    "ServiceUnavailable",
    "error_from_response",
]


class AssetPayError(Exception):
    """Base class of every error the toolkit raises.

    Parameters
    ----------
    message : str
        What happened and what to do about it.
    code : int, optional
        The API's numeric error code, when the API sent one.
    key : str, optional
        The API's error key (``"USER_NOT_TRADEABLE"``...), the thing to branch on.
    status : int, optional
        The HTTP status of the response.
    request_id : str, optional
        The API's ``requestId``: quote it to AssetPay support.
    details : mapping, optional
        Extra structured context (``fields`` of a validation error, ``steam_id``...).

    Attributes
    ----------
    attempts : int or None
        Requests made for the call that failed (set by the client's retry loop).
    elapsed : float or None
        Seconds the failing call took, waits included (set by the retry loop).

    Examples
    --------
    >>> try:
    ...     raise InventoryUnavailable("private", code=7, key="USER_NOT_TRADEABLE", status=400)
    ... except AssetPayError as err:
    ...     (err.key, err.status, err.retryable)
    ('USER_NOT_TRADEABLE', 400, False)
    """

    #: Whether the client retries this kind of error before raising it.
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        key: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        message = mask(message)
        super().__init__(message)
        self.message = message
        self.code = code
        self.key = _masked_key(key)
        self.status = status
        self.request_id = mask(request_id) if isinstance(request_id, str) else request_id
        self.details: dict[str, Any] = mask_value(dict(details or {}))
        self.attempts: int | None = None
        self.elapsed: float | None = None

    def __str__(self) -> str:
        parts = [f"{name}={value}" for name, value in self._labels() if value is not None]
        return f"{self.message} [{', '.join(parts)}]" if parts else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, key={self.key!r}, code={self.code!r})"

    def _labels(self) -> tuple[tuple[str, Any], ...]:
        return (
            ("key", self.key),
            ("code", self.code),
            ("status", self.status),
            ("request_id", self.request_id),
        )


class InvalidRequest(AssetPayError, ValueError):
    """The request is malformed: fix the arguments (raised before any request where possible)."""


class InvalidTradeUrl(InvalidRequest):
    """The trade URL is not a valid Steam trade offer URL; nothing was sent."""


class AuthenticationError(AssetPayError):
    """The api key is missing, wrong, revoked or lacks the CORE_ACCESS scope."""


class InventoryUnavailable(AssetPayError):
    """This account's inventory cannot be read (private, banned or not tradeable)."""


class RateLimited(AssetPayError):
    """A rate limit was hit; ``retry_after`` says how long to wait (seconds).

    ``limit`` tells whose limit it is: ``"merchant"`` (AssetPay's per-key budget,
    RATE_LIMITED, HTTP 429: the client's limit is above the merchant's, see
    ``verified=`` and ``requests_per_minute=``) or ``"steam"`` (Steam limiting
    AssetPay's reads of this account, STEAM_RATE_LIMITED, code 33 or HTTP 424: not the
    merchant's budget, only waiting helps).
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        limit: str = "merchant",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.limit = limit


class ServiceUnavailable(AssetPayError):
    """AssetPay or Steam is temporarily unavailable (also network errors and timeouts)."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InconsistentInventory(AssetPayError):
    """The pages of one inventory did not add up, even after re-reading it from page 1.

    Duplicate item ids, fewer or more items than ``count``, a ``count`` that moved
    between pages or one beyond any real inventory. ``details`` says what (``reason``,
    ``count``, ``received``, ``duplicates``...). Retryable: the inventory may settle.
    """

    retryable = True


class MalformedResponse(AssetPayError):
    """A ``success: true`` envelope whose ``data`` does not have the documented shape.

    The message names the field (``data.inventory[3]``...); quote ``request_id`` to
    AssetPay support. Not retried: the same request gets the same answer.
    """


class CacheError(AssetPayError):
    """The disk cache cannot be used: its location cannot be created, read or written.

    The message names the path and ``ASSETPAY_CACHE_DIR``; ``details["path"]`` holds it.
    Fix the permissions, point ``ASSETPAY_CACHE_DIR`` (or ``cache=``) elsewhere, or pass
    ``cache_fallback="memory"`` to continue with a cache that lives only in memory.
    """


class CacheMiss(AssetPayError):
    """Offline (``offline=True``), and the cache holds no answer for this request.

    Nothing was sent. Fetch the account once online (or drop ``offline=``).
    """


_CLASSES: dict[str, type[AssetPayError]] = {
    cls.__name__: cls
    for cls in (
        InvalidRequest,
        InvalidTradeUrl,
        AuthenticationError,
        InventoryUnavailable,
        RateLimited,
        ServiceUnavailable,
    )
}
_CLASS_BY_KEY: dict[str, type[AssetPayError]] = {
    key: _CLASSES[name] for name, keys in ERROR_KEYS_BY_CLASS.items() for key in keys
}

_ADVICE: dict[type[AssetPayError], str] = {
    InvalidRequest: "Check the arguments against the API contract.",
    InvalidTradeUrl: "Copy the trade URL again from Steam (Inventory > Trade Offers > "
    "Who can send me trade offers?).",
    AuthenticationError: "Check ASSETPAY_API_KEY (or api_key=): it must be a valid merchant key "
    "with the CORE_ACCESS scope.",
    InventoryUnavailable: "The account must make its inventory public and be able to trade; "
    "other accounts are unaffected.",
    RateLimited: "Wait and retry; if it repeats, the merchant's limit is below the client's: "
    "pass verified=False (100 a minute) or requests_per_minute=.",
    InconsistentInventory: "The inventory changed while it was read: try again shortly.",
    MalformedResponse: "Report it to AssetPay support with the request id.",
    ServiceUnavailable: "A temporary failure on AssetPay's or Steam's side: try again later.",
}


def _masked_key(key: str | None) -> str | None:
    """An error key as shown: a documented one as it is, any other masked (it is API text)."""
    return mask(key) if isinstance(key, str) and key not in _CLASS_BY_KEY else key


def _class_for(key: str | None, code: int | None, status: int | None) -> type[AssetPayError]:
    if key in _CLASS_BY_KEY:
        return _CLASS_BY_KEY[key]
    if code is not None and code in KEY_BY_CODE:
        return _CLASS_BY_KEY[KEY_BY_CODE[code]]
    return _class_for_status(status)


def _class_for_status(status: int | None) -> type[AssetPayError]:
    if status in (401, 403):
        return AuthenticationError
    if status == 429:
        return RateLimited
    if status is None or status >= 500 or status == 424:
        return ServiceUnavailable
    if status in (400, 404, 409, 422):
        return InvalidRequest
    return AssetPayError


def error_from_response(
    *,
    status: int | None,
    error: Mapping[str, Any] | None,
    request_id: str | None = None,
    retry_after: float | None = None,
    context: str = "",
) -> AssetPayError:
    """Build the exception for an error envelope (or a body that was not one).

    Parameters
    ----------
    status : int or None
        HTTP status (None for a network failure).
    error : mapping or None
        The envelope's ``error`` object (``code``, ``key``, ``message``, ``fields``...).
    request_id : str, optional
        The envelope's ``requestId``.
    retry_after : float, optional
        Seconds from a ``Retry-After`` header.
    context : str
        Who or what the request was about (``"steam_id 7656..."``), for the message.

    Returns
    -------
    AssetPayError
        An instance of the subclass the key, code or status maps to.

    Examples
    --------
    >>> err = error_from_response(status=400, error={"code": 7, "key": "USER_NOT_TRADEABLE",
    ...                           "message": "User cannot trade"}, request_id="r1")
    >>> type(err).__name__, err.request_id
    ('InventoryUnavailable', 'r1')
    """
    error = error or {}
    code = _as_int(error.get("code"))
    key = error.get("key") if isinstance(error.get("key"), str) else None
    if key is None and code is not None:
        key = KEY_BY_CODE.get(code)
    cls = _class_for(key, code, status)
    text = _api_message(error.get("message")) or (f"HTTP {status}" if status else "no response")
    prefix = f"{context}: " if context else ""
    message = f"{prefix}{text}. {_ADVICE.get(cls, '')}".strip()
    details = {name: error[name] for name in ("fields", "details") if name in error}
    kwargs: dict[str, Any] = {
        "code": code,
        "key": key,
        "status": status,
        "request_id": request_id,
        "details": details,
    }
    if cls is RateLimited and _is_steam_limit(key, code):
        kwargs["limit"] = "steam"
        message = f"{prefix}{text}. {_STEAM_LIMIT_ADVICE}"
    if cls in (RateLimited, ServiceUnavailable):
        kwargs["retry_after"] = retry_after
    return cls(message, **kwargs)


_STEAM_LIMIT_ADVICE = (
    "Steam is limiting AssetPay's reads of this account; this is not the merchant's "
    "rate budget, so a lower requests_per_minute= does not help: wait and retry."
)


def _is_steam_limit(key: str | None, code: int | None) -> bool:
    return key == "STEAM_RATE_LIMITED" or code == 33


def _api_message(message: Any) -> str:
    if isinstance(message, list):
        return "; ".join(str(part) for part in message)
    return str(message).rstrip(".") if message else ""


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
