"""Masking secrets in text: trade tokens in every URL spelling, and the api keys in use.

Two kinds of secret pass through the toolkit. A trade token always travels inside a
trade URL (``token=AbCd1234``), often URL-encoded as the ``tradeUrl`` query parameter
(``token%3DAbCd1234``), so a pattern finds it in any text: an API message that echoes
the URL, a urllib3 request line, a requests-cache debug message. An api key has no
shape to recognise, so the client registers each key it is given (``register_key``)
and ``mask`` replaces it, raw or URL-encoded, wherever it appears.

``RedactingFilter`` applies ``mask`` to log records; ``install_log_redaction`` puts it
on the loggers of the libraries under the client (urllib3, requests, requests-cache,
the rate limiter, tenacity) and our own. Logging is process-wide, so the registry of
keys is too: a tuple of the most recent keys swapped under a lock, read without one
(thread-safe).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "LOGGERS",
    "MASK",
    "RedactingFilter",
    "Secret",
    "Sensitive",
    "install_log_redaction",
    "mask",
    "mask_value",
    "register_key",
]

#: What a secret is replaced by.
MASK = "********"
#: Loggers (and their children) the redacting filter is attached to.
LOGGERS = (
    "assetpay_analytics",
    "urllib3",
    "requests",
    "requests_cache",
    "tenacity",
)
#: ``token=`` raw, URL-encoded once (``%3D``) or twice (``%253D``), then the token's
#: characters, whatever their number (a mistyped token is still a secret).
_TOKEN = re.compile(r"(token(?:=|%3D|%253D))[A-Za-z0-9_-]+", re.IGNORECASE)
#: Shorter strings are not masked as keys: they would blank ordinary words and digits.
_MIN_KEY_LENGTH = 10
#: Keys remembered at most (the most recent ones): a long session may try many.
_MAX_KEYS = 16

_lock = threading.Lock()
_keys: tuple[str, ...] = ()
_filter_installed: set[str] = set()


def register_key(key: str) -> None:
    """Remember an api key (and its URL-encoded spellings) so ``mask`` hides it."""
    global _keys
    if len(key) < _MIN_KEY_LENGTH:
        return
    spellings = [key, quote(key, safe=""), quote_plus(key, safe="")]
    with _lock:
        recent = [k for k in _keys if k not in spellings] + list(dict.fromkeys(spellings))
        _keys = tuple(recent[-3 * _MAX_KEYS :])


def mask(text: str) -> str:
    """``text`` with every trade token and registered api key replaced by ``MASK``.

    Examples
    --------
    >>> mask("https://steamcommunity.com/tradeoffer/new/?partner=7&token=AbCd1234")
    'https://steamcommunity.com/tradeoffer/new/?partner=7&token=********'
    >>> mask("tradeUrl=https%3A%2F%2Fsteamcommunity.com%2F%3Fpartner%3D7%26token%3DAbCd1234")
    'tradeUrl=https%3A%2F%2Fsteamcommunity.com%2F%3Fpartner%3D7%26token%3D********'
    """
    masked = _TOKEN.sub(lambda match: match.group(1) + MASK, text)
    for key in _keys:
        if key in masked:
            masked = masked.replace(key, MASK)
    return masked


def mask_value(value: Any) -> Any:
    """``mask`` applied to every string inside nested mappings, lists and tuples."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {mask_value(name): mask_value(item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(item) for item in value]
    return value


class Secret:
    """Holds a secret (the api key) so that no repr, vars() dump or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def reveal(self) -> Any:
        """The secret itself, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"


class Sensitive(Secret):
    """A trade URL: its repr masks the token, and ``str()`` gives the URL itself.

    Deliberately not a ``str``: error reporters that walk a traceback's locals read
    strings by value (Sentry does) but render other objects with ``repr``. ``str()`` is
    how ``urlencode`` (and so requests) spells a non-string query value.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return str(self._value)

    def __repr__(self) -> str:
        return repr(mask(str(self._value)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, exception text and stack before any handler.

    The message is rendered once (``getMessage``) and stored back without its
    arguments, so no handler or formatter can render the unmasked arguments again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to every logger under ``LOGGERS`` (idempotent).

    A filter on a logger applies to the records created on that logger only, so it is
    attached to each existing child too; the client calls this whenever it is created,
    after the libraries it uses have created their loggers.
    """
    with _lock:
        names = [
            name
            for name, logger in list(logging.root.manager.loggerDict.items())
            if isinstance(logger, logging.Logger) and name.split(".")[0] in LOGGERS
        ]
        for name in {*LOGGERS, *names} - _filter_installed:
            logging.getLogger(name).addFilter(_FILTER)
            _filter_installed.add(name)
