"""What names an answer in the disk cache: one-way fingerprints of the key and the token.

requests-cache would leave redacted values (the ``api-key`` header, the ``tradeUrl``
parameter) out of its key and let two merchants, two accounts, or a revoked token and a
valid one share entries. So the key is ours: ``<key fingerprint>:<partner>:<digest>``,
the digest over the method, host, path, the other query parameters, the keys of a JSON
body (a POST's: ``/secure/check-tradeurl`` sends its trade URL as ``tradeurl``) and a
fingerprint of the trade token salted with the key's. ``refresh`` and ``forceRefresh``
are not keyed: they only decide whether the cache is read. ``direct_key`` computes the
same key without preparing a request, so a hit is read from the backend by key
(``offline``, ``hits``, ``reader``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit

import orjson
import requests

from ..constants import API_KEY_HEADER

__all__ = ["cache_key", "direct_key", "key_fingerprint", "partner_of"]

#: Query parameters that never enter the cache key: the trade URL is replaced by its
#: partner id, and ``refresh`` only decides whether the cache is read.
_UNKEYED_PARAMS = frozenset({"tradeUrl", "refresh"})
#: The same for the keys of a JSON body (``/secure/check-tradeurl`` spells them so).
_UNKEYED_BODY = frozenset({"tradeurl", "forceRefresh"})
#: Where a JSON body's keys go among the parameters keyed: a prefix no query name has.
_BODY = "body:"


def key_fingerprint(api_key: str) -> str:
    """A short one-way fingerprint of an api key, safe to store and show.

    Examples
    --------
    >>> key_fingerprint("ap_example")
    '7b11dca5684fdb24'
    """
    return hashlib.sha256(b"assetpay-analytics:" + api_key.encode()).hexdigest()[:16]


def _trade_params(trade_url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(trade_url).query))


def partner_of(trade_url: str) -> str:
    """The ``partner`` value of a trade URL, or "" when it has none."""
    return _trade_params(trade_url).get("partner", "")


def _token_fingerprint(fingerprint: str, trade_url: str) -> str:
    token = _trade_params(trade_url).get("token", "")
    return hashlib.sha256(f"{fingerprint}:{token}".encode()).hexdigest()[:16]


def cache_key(request: requests.PreparedRequest, **_: Any) -> str:
    """``<key fingerprint>:<partner>:<hash of host, path, the other params, token print>``.

    requests-cache calls this with the live request, before anything is redacted.
    """
    parts = urlsplit(request.url or "")
    params = parse_qsl(parts.query, keep_blank_values=True)
    fingerprint = key_fingerprint(request.headers.get(API_KEY_HEADER, ""))
    body = _json_body(request)
    return _key(request.method or "GET", parts, params + _body_params(body), fingerprint)


def _json_body(request: requests.PreparedRequest) -> Mapping[str, Any] | None:
    """A request's JSON object body, None for none (or one that is not a JSON object)."""
    if not request.body or "json" not in request.headers.get("Content-Type", ""):
        return None
    sent = request.body
    try:  # orjson reads exact bytes only, and ours are a subclass (fetch.request.SentBody)
        body = orjson.loads(memoryview(sent) if isinstance(sent, bytes) else sent)
    except orjson.JSONDecodeError:
        return None
    return body if isinstance(body, Mapping) else None


def _body_params(body: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """A JSON body's keys as parameters to key (values as sent, JSON-spelled)."""
    if not body:
        return []
    return [
        (_BODY + name, value if isinstance(value, str) else orjson.dumps(value).decode())
        for name, value in body.items()
    ]


def direct_key(
    url: str,
    params: Mapping[str, Any],
    fingerprint: str,
    *,
    method: str = "GET",
    body: Mapping[str, Any] | None = None,
) -> str:
    """The cache key of a request of ``url`` with ``params``, without preparing a request.

    Equal to ``cache_key`` of the prepared request (tested), so a hit is read from the
    backend straight away; a URL that requests would normalise differently only
    costs that shortcut (the request then goes through the session as usual). ``body``
    is a POST's JSON body (a trade URL in it as a ``Sensitive``).
    """
    # str(): the trade URL travels as a ``Sensitive``, whose str is what urlencode sends
    spelled = [(k, str(v)) for k, v in params.items()]
    sent = None if body is None else {k: _plain(v) for k, v in body.items()}
    return _key(method, urlsplit(url), spelled + _body_params(sent), fingerprint)


def _plain(value: Any) -> Any:
    """A body value as JSON sends it (a ``Sensitive`` trade URL as its text)."""
    return value if isinstance(value, str | bool | int | float | None) else str(value)


def _key(method: str, parts: SplitResult, params: list[tuple[str, str]], fingerprint: str) -> str:
    named = dict(params)
    trade_url = named.get("tradeUrl") or named.get(_BODY + "tradeurl", "")
    unkeyed = _UNKEYED_PARAMS | {_BODY + name for name in _UNKEYED_BODY}
    keyed = sorted((k, v) for k, v in params if k not in unkeyed)
    keyed.append(("token", _token_fingerprint(fingerprint, trade_url)))
    digest = hashlib.sha256(
        orjson.dumps([method, parts.scheme, parts.netloc, parts.path, keyed])
    ).hexdigest()[:24]
    return f"{fingerprint}:{partner_of(trade_url)}:{digest}"
