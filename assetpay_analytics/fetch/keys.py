"""What names an answer in the disk cache: one-way fingerprints of the key and the token.

requests-cache would leave redacted values (the ``api-key`` header, the ``tradeUrl``
parameter) out of its key and let two merchants, two accounts, or a revoked token and a
valid one share entries. So the key is ours: ``<key fingerprint>:<partner>:<digest>``,
the digest over the method, host, path, the other query parameters and a fingerprint of
the trade token salted with the key's. ``refresh`` is not keyed: it only decides whether
the cache is read. ``direct_key`` computes the same key without preparing a request, so
a hit is read from the backend by key (``offline``, ``hits``, ``reader``).
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
    return _key(request.method or "GET", parts, params, fingerprint)


def direct_key(
    url: str, params: Mapping[str, Any], fingerprint: str, *, method: str = "GET"
) -> str:
    """The cache key of a request of ``url`` with ``params``, without preparing a request.

    Equal to ``cache_key`` of the prepared request (tested), so a hit is read from the
    backend straight away; a URL that requests would normalise differently only
    costs that shortcut (the request then goes through the session as usual).
    """
    # str(): the trade URL travels as a ``Sensitive``, whose str is what urlencode sends
    return _key(method, urlsplit(url), [(k, str(v)) for k, v in params.items()], fingerprint)


def _key(method: str, parts: SplitResult, params: list[tuple[str, str]], fingerprint: str) -> str:
    trade_url = dict(params).get("tradeUrl", "")
    keyed = sorted((k, v) for k, v in params if k not in _UNKEYED_PARAMS)
    keyed.append(("token", _token_fingerprint(fingerprint, trade_url)))
    digest = hashlib.sha256(
        orjson.dumps([method, parts.scheme, parts.netloc, parts.path, keyed])
    ).hexdigest()[:24]
    return f"{fingerprint}:{partner_of(trade_url)}:{digest}"
