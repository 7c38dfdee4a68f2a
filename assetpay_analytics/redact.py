"""Masking secrets in text: trade tokens, with or without ``token=``, and the api keys in use.

Two kinds of secret pass through the toolkit. A trade token travels inside a trade URL
(``token=AbCd1234``), often URL-encoded as the ``tradeUrl`` query parameter
(``token%3DAbCd1234``), so a pattern finds it in any text: an API message that echoes
the URL, a urllib3 request line, a requests-cache debug message. Everything after
``token=`` up to the URL's next delimiter is masked, so a mistyped token
(``AbCd.1234``, ``Äbcd1234``) is hidden whole.

A message may also name the token bare (``"account AbCd1234 is private"``), which no
pattern can tell from a word. So every token the toolkit sees is registered
(``register_token``: ``TradeUrl`` does it for every URL it validates) and ``mask``
hides a registered token that stands as a word of its own: between characters outside
``[A-Za-z0-9_-]``, beside a ``-`` or ``_``, or right after a ``%XX`` or backslash
escape (``%22AbCd1234%22``, ``%253AAbCd1234``, ``\\nAbCd1234``); once found so, every
occurrence of it in the text is masked. A token only ever glued to other letters or
digits (``xAbCd1234``) is not looked for: masking inside longer words would blank the
digits of a SteamID64 for a token such as ``00000001``. URL encoding leaves a valid
token as it is (its characters are all unreserved), so one spelling covers all.

Tokens are remembered in memory only, for the life of the process, at most
``_MAX_TOKENS`` of them: past that the oldest are forgotten (see there).

An api key has no shape to recognise, so the client registers each key it is given
(``register_key``) and ``mask`` replaces it, raw or URL-encoded, wherever it appears.

``RedactingFilter`` applies ``mask`` to log records; ``install_log_redaction`` puts it
on the loggers of the libraries under the client (urllib3, requests, requests-cache,
the rate limiter, tenacity) and our own. Logging is process-wide, so the registries
are too, and thread-safe: the keys are a tuple of the most recent ones swapped under a
lock; the tokens are sets changed and read under a lock of their own (``_Registry``).
``mask`` stays fast with any number of tokens: one regex finds the runs of token
characters and the sets are asked about them all at once, never a loop over the
tokens (10^5 short messages with 10^5 tokens registered: about half a second).
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
    "register_token",
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
#: ``token=`` raw, URL-encoded once (``%3D``) or twice (``%253D``), then everything up
#: to the URL's next delimiter: ``&`` (raw, ``%26``, ``%2526``), whitespace, a quote,
#: ``<``, ``>``, ``#``, a backslash (a JSON or repr escape: ``\uXXXX`` is read as part
#: of the token), or the end. A mistyped token is still a secret, whatever its
#: characters and number.
_TOKEN = re.compile(
    r"(token(?:=|%3D|%253D))(?:\\u[0-9A-F]{4}|(?!%26|%2526)[^&\s\"'<>#\\])+", re.IGNORECASE
)
#: A trade token's length and characters (``TradeUrl`` validates the same).
_TOKEN_LENGTH = 8
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8}")
#: A run of token characters long enough to be or hold a token.
_RUN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{8,}")
#: The rest of a run that starts with an escape's code: URL-encoded (``%3A``, and
#: ``%253A`` encoded twice) or a backslash escape (``\n``, ``\x41``, ``\u00e9``,
#: ``\U0001f600``): ``%22AbCd1234%22`` holds the word ``AbCd1234``.
_AFTER_ESCAPE = re.compile(
    r"(?:%(?:25)*[0-9A-F]{2}|\\(?:x[0-9A-F]{2}|u[0-9A-F]{4}|U[0-9A-F]{8}|[A-Z]))"
    r"([A-Za-z0-9_-]{8,})",
    re.IGNORECASE,
)
#: Inside a longer run, a token may start or end beside these.
_SEPARATOR = re.compile(r"[-_]")
#: Above this many characters searched (tokens found times the text's length), the
#: found tokens are looked for in one pass over the text instead of a search each.
_SEARCH_BUDGET = 1_000_000
#: Tokens remembered: two generations of up to ``_MAX_TOKENS // 2`` each. When the
#: current one is full it becomes the previous one and the oldest generation is
#: forgotten, so the most recent ``_MAX_TOKENS // 2`` distinct tokens (131,072; more
#: than a batch's 100,000 accounts) are always remembered, at most ``_MAX_TOKENS``
#: (about 25 MB). A forgotten token is no longer masked when bare (after ``token=`` it
#: still is). The client registers a batch's tokens again whenever it parses them, so
#: a call's tokens are forgotten only once 131,072 other distinct tokens came after.
_MAX_TOKENS = 2**18
#: Shorter strings are not masked as keys: they would blank ordinary words and digits.
_MIN_KEY_LENGTH = 10
#: Keys remembered at most (the most recent ones): a long session may try many.
_MAX_KEYS = 16


class _Registry:
    """The trade tokens seen, in two generations (``_MAX_TOKENS``).

    With each token that has a ``-`` or ``_`` goes its longest piece between them
    (``pieces``): a token that stands between separators inside a longer run has that
    piece as a whole piece of the run, so only a text whose runs have a piece known
    here needs the closer look of ``_between``. Changed and read under ``lock``.
    """

    def __init__(self, limit: int = _MAX_TOKENS) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.pieces: set[str] = set()
        self.old_tokens: set[str] = set()
        self.old_pieces: set[str] = set()

    def add(self, token: str) -> None:
        with self.lock:
            if token in self.tokens:
                return
            if len(self.tokens) >= self.limit // 2:  # a new generation; the oldest goes
                self.old_tokens, self.old_pieces = self.tokens, self.pieces
                self.tokens, self.pieces = set(), set()
            self.tokens.add(token)
            if "-" in token or "_" in token:
                piece = max(_SEPARATOR.split(token), key=len)
                if piece:  # a token of separators only is looked for as a whole run only
                    self.pieces.add(piece)


_lock = threading.Lock()
_keys: tuple[str, ...] = ()
_registry = _Registry()
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


def register_token(token: str) -> None:
    """Remember a trade token so that ``mask`` hides it bare too, without ``token=``.

    Process-wide and thread-safe; the most recent 131,072 distinct tokens at least are
    remembered (``_MAX_TOKENS``). ``TradeUrl`` registers the token of every URL it
    validates, so a caller needs this only for a token that never was in a ``TradeUrl``.

    Parameters
    ----------
    token : str
        A trade token: 8 characters of A-Z, a-z, 0-9, ``_`` or ``-``.

    Raises
    ------
    ValueError
        For anything else (the message does not quote it).

    Examples
    --------
    >>> register_token("Xy7_Qw3e")
    >>> mask("the account Xy7_Qw3e is private; Xy7_Qw3f is not a token")
    'the account ******** is private; Xy7_Qw3f is not a token'
    """
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        raise ValueError("a trade token is 8 characters of A-Z, a-z, 0-9, '_' or '-'")
    _registry.add(token)


def mask(text: str) -> str:
    """``text`` with every trade token and registered api key replaced by ``MASK``.

    A token is masked after ``token=`` (raw or URL-encoded, whatever its characters, up
    to the URL's next delimiter), and a registered one (``register_token``) wherever it
    stands as a word of its own.

    Examples
    --------
    >>> mask("https://steamcommunity.com/tradeoffer/new/?partner=7&token=AbCd1234")
    'https://steamcommunity.com/tradeoffer/new/?partner=7&token=********'
    >>> mask("tradeUrl=https%3A%2F%2Fsteamcommunity.com%2F%3Fpartner%3D7%26token%3DAbCd1234")
    'tradeUrl=https%3A%2F%2Fsteamcommunity.com%2F%3Fpartner%3D7%26token%3D********'

    A mistyped token is masked whole, up to the next delimiter, raw or URL-encoded:

    >>> mask("?partner=7&token=AbCd.1234&x=1 ?partner=7&token=Äbcd1234#top")
    '?partner=7&token=********&x=1 ?partner=7&token=********#top'
    >>> mask("partner%3D7%26token%3D%C3%84bcd1234%26x")
    'partner%3D7%26token%3D********%26x'

    A token the toolkit has seen is masked bare, raw or inside URL-encoded text:

    >>> from assetpay_analytics.tradeurl import TradeUrl
    >>> url = TradeUrl.parse("https://steamcommunity.com/tradeoffer/new/?partner=7&token=Qz9-kL2x")
    >>> mask("account Qz9-kL2x: private (%22Qz9-kL2x%22)")
    'account ********: private (%22********%22)'
    """
    masked = text
    for key in _keys:
        if key in masked:
            masked = masked.replace(key, MASK)
    lowered = masked.lower()
    if "token=" in lowered or "token%3d" in lowered or "token%253d" in lowered:
        masked = _TOKEN.sub(_mask_after_token, masked)
    return _mask_registered(masked)


def _mask_after_token(match: re.Match[str]) -> str:
    return match.group(1) + MASK


def _mask_registered(text: str) -> str:
    """``text`` with every registered token that stands as a word in it replaced by ``MASK``.

    One regex finds the runs of token characters (a second one, in text with ``%`` or
    a backslash, the runs that follow an escape's code), and the registry is asked
    about them all at once: a run of 8 may be a token. A longer run with a ``-`` or
    ``_`` may hold one between them: its pieces are asked about, and only if one is
    known (a token's, or a token's longest piece) does ``_between`` look closer. A
    token found is masked wherever it occurs in ``text``.
    """
    runs = _RUN.findall(text)
    if "%" in text or "\\" in text:
        runs += _AFTER_ESCAPE.findall(text)
    if not runs:
        return text
    joined = []  # a run of 8 holds no other word of 8 than itself
    if "-" in text or "_" in text:
        joined = [run for run in runs if len(run) > _TOKEN_LENGTH and ("-" in run or "_" in run)]
    pieces = [piece for run in joined for piece in _SEPARATOR.split(run)]
    registry = _registry
    with registry.lock:
        closer = bool(pieces) and not (
            registry.tokens.isdisjoint(pieces)
            and registry.pieces.isdisjoint(pieces)
            and registry.old_tokens.isdisjoint(pieces)
            and registry.old_pieces.isdisjoint(pieces)
        )
        if not closer and registry.tokens.isdisjoint(runs) and registry.old_tokens.isdisjoint(runs):
            return text  # the common case: no token here
        found = registry.tokens.intersection(runs) | registry.old_tokens.intersection(runs)
        if closer:  # a token may stand between separators in a longer run
            words = [word for run in joined for word in _between(run)]
            found |= registry.tokens.intersection(words) | registry.old_tokens.intersection(words)
    if not found:
        return text
    parts, end = [], 0
    for at in sorted(_occurrences(text, found)):
        if at >= end:  # else it overlaps the token before: hidden with it
            parts += [text[end:at], MASK]
        end = max(end, at + _TOKEN_LENGTH)
    parts.append(text[end:])
    return "".join(parts)


def _between(run: str) -> list[str]:
    """The 8-character words of ``run`` that start and end beside a ``-`` or ``_`` (or at
    the run's ends): where a token may stand in a longer word (``x-AbCd1234_y``)."""
    bounds = {0, len(run)}
    for separator in _SEPARATOR.finditer(run):
        bounds.update(separator.span())
    return [run[at : at + _TOKEN_LENGTH] for at in bounds if at + _TOKEN_LENGTH in bounds]


def _occurrences(text: str, found: set[str]) -> list[int]:
    """Where each of the ``found`` tokens occurs in ``text``, overlaps included."""
    if len(found) * len(text) > _SEARCH_BUDGET:  # one pass over every 8 characters
        last = len(text) - _TOKEN_LENGTH
        return [at for at in range(last + 1) if text[at : at + _TOKEN_LENGTH] in found]
    starts = []
    for token in found:  # a search per token
        at = text.find(token)
        while at >= 0:
            starts.append(at)
            at = text.find(token, at + 1)
    return starts


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
