"""The disk cache: where it lives, what it holds (``CacheInfo``), and clearing it.

The cached session itself is built in ``_session`` (requests-cache in front of the
rate limiter); this module decides the file (``$ASSETPAY_CACHE_DIR`` or the user
cache dir, via platformdirs) and administers a cache it is handed. The cache's keys
are ``<key fingerprint>:<partner>:<digest>`` (see ``_session``), which is how one
account's entries are found without the trade token ever being stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import requests
from requests_cache import CacheMixin
from requests_cache.backends.base import BaseCache

from .constants import CACHE_DIR_ENV, CACHE_WINDOW_SECONDS
from .errors import InvalidRequest
from .tradeurl import TradeUrl

__all__ = [
    "CACHE_FILE",
    "DEFAULT_CACHE",
    "DEFAULT_EXPIRE_AFTER",
    "CacheAdmin",
    "CacheInfo",
    "cache_file",
    "cache_info",
    "clear_cache",
    "default_cache_path",
]


class _DefaultCache:
    def __repr__(self) -> str:
        return "DEFAULT_CACHE"


#: Sentinel for ``cache=``: the sqlite file in the user cache directory.
DEFAULT_CACHE: Any = _DefaultCache()
#: How long a stored response is served: the upstream cache window (15 minutes).
DEFAULT_EXPIRE_AFTER = timedelta(seconds=CACHE_WINDOW_SECONDS)
#: The cache file's name inside a cache directory.
CACHE_FILE = "http-cache.sqlite"


@dataclass(frozen=True)
class CacheInfo:
    """What the disk cache holds: its file, entry count, size and age range."""

    path: Path | None
    entries: int
    size_bytes: int
    oldest: pd.Timestamp | None
    newest: pd.Timestamp | None


def default_cache_path() -> Path:
    """The cache file: ``$ASSETPAY_CACHE_DIR`` or the user cache dir, + ``http-cache.sqlite``.

    Examples
    --------
    >>> default_cache_path().name
    'http-cache.sqlite'
    """
    root = os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir(
        "assetpay-analytics", appauthor=False
    )
    return Path(root).expanduser() / CACHE_FILE


def cache_file(cache: Any) -> Path | None:
    """The sqlite file for a ``cache=`` argument (a directory gets ``CACHE_FILE`` inside)."""
    if cache is None:
        return None
    if cache is DEFAULT_CACHE:
        return default_cache_path()
    if not isinstance(cache, (str, os.PathLike)):
        raise InvalidRequest(f"cache must be a path, None or left out, got {type(cache).__name__}")
    path = Path(cache).expanduser()
    return path / CACHE_FILE if path.is_dir() or not path.suffix else path


def _utc(stamp: Any) -> pd.Timestamp:
    value = pd.Timestamp(stamp)
    return value.tz_localize("UTC") if value.tzinfo is None else value


def _size_on_disk(path: Path | None) -> int:
    if path is None:
        return 0
    files = (path, Path(f"{path}-wal"))
    return sum(p.stat().st_size for p in files if p.exists())


def cache_info(cache: BaseCache | None, path: Path | None) -> CacheInfo:
    """Entries, size on disk and the age range of a requests-cache cache (None: no cache)."""
    if cache is None:
        return CacheInfo(path, 0, 0, None, None)
    stamps = [_utc(response.created_at) for response in cache.responses.values()]
    return CacheInfo(
        path,
        len(stamps),
        _size_on_disk(path),
        min(stamps, default=None),
        max(stamps, default=None),
    )


def clear_cache(cache: BaseCache | None, trade_url: str | TradeUrl | None = None) -> int:
    """Delete every entry, or one account's (for every api key); how many were removed."""
    if cache is None:
        return 0
    keys = list(cache.responses.keys())
    if trade_url is not None:
        partner = TradeUrl.parse(trade_url).partner
        keys = [key for key in keys if key.split(":")[1:2] == [str(partner)]]
    cache.delete(*keys)
    return len(keys)


class CacheAdmin:
    """The client's disk-cache methods: ``cache_info()`` and ``clear_cache()``.

    A base class of ``AssetPayClient`` (kept here, beside what it administers); it
    reads the client's ``_session`` and ``cache_path`` and never imports the client.
    """

    _session: requests.Session
    cache_path: Path | None

    @property
    def _cache_backend(self) -> BaseCache | None:
        return self._session.cache if isinstance(self._session, CacheMixin) else None

    def cache_info(self) -> CacheInfo:
        """What the disk cache holds: file, entries, size in bytes, oldest and newest entry.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None).cache_info()
        CacheInfo(path=None, entries=0, size_bytes=0, oldest=None, newest=None)
        """
        return cache_info(self._cache_backend, self.cache_path)

    def clear_cache(self, trade_url: str | TradeUrl | None = None) -> int:
        """Remove cached responses: all of them, or one account's (for every api key).

        Parameters
        ----------
        trade_url : str or TradeUrl, optional
            Only this account's entries; default: the whole cache.

        Returns
        -------
        int
            How many entries were removed.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None).clear_cache()
        0
        """
        return clear_cache(self._cache_backend, trade_url)
