"""The disk cache: where it lives, its health, what it holds (``CacheInfo``), clearing it.

The cached session itself is built in ``session`` (requests-cache in front of the
rate budgets); this module decides the file (``$ASSETPAY_CACHE_DIR`` or the user
cache dir, via platformdirs), checks it before it is opened (``prepare_cache``) and
administers a cache it is handed. The cache's keys are
``<key fingerprint>:<partner>:<digest>`` (see ``keys``), which is how one
account's entries are found without the trade token ever being stored.

A cache heals or explains (each case warns once with a ``CacheWarning``):

- a file that is not a database, is truncated or malformed, or holds a foreign schema
  is moved aside to ``<name>.corrupt-<UTC time>`` and a fresh cache is started;
- a cache that cannot be written is read from a private copy (hits are served,
  nothing is written to it, and ``clear_cache`` raises ``CacheError`` rather than
  clear the copy);
- a location that cannot be created raises ``CacheError`` naming the path and
  ``ASSETPAY_CACHE_DIR``, or with ``cache_fallback="memory"`` the cache lives in memory.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import warnings
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import platformdirs
import requests
from requests_cache import CacheMixin
from requests_cache.backends.base import BaseCache
from requests_cache.models.response import CachedResponse

from ..constants import CACHE_DIR_ENV, CACHE_WINDOW_SECONDS
from ..errors import CacheError, InvalidRequest
from ..tradeurl import TradeUrl, brief

__all__ = [
    "CACHE_FILE",
    "DEFAULT_CACHE",
    "DEFAULT_EXPIRE_AFTER",
    "CacheAdmin",
    "CacheInfo",
    "CacheLocation",
    "CacheWarning",
    "FallbackMode",
    "cache_file",
    "cache_info",
    "clear_cache",
    "default_cache_path",
    "open_cache",
    "prepare_cache",
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


#: What to do when the cache location cannot be used: raise ``CacheError``, or use memory.
FallbackMode = Literal["error", "memory"]
#: The tables (and their columns) requests-cache's sqlite backend keeps.
_SCHEMA = {"responses": {"key", "value", "expires"}, "redirects": {"key", "value", "expires"}}


class CacheWarning(UserWarning):
    """The cache was moved aside, is read-only, or fell back to memory (the message says)."""


@dataclass(frozen=True)
class CacheInfo:
    """What the disk cache holds: its file, entry count, size, age range, unreadable rows."""

    path: Path | None
    entries: int
    size_bytes: int
    oldest: pd.Timestamp | None
    newest: pd.Timestamp | None
    unreadable: int = 0


@dataclass(frozen=True)
class CacheLocation:
    """Where a cache is opened: the user's file, the file actually opened, read-only or not.

    ``open_path`` is the file itself, a private copy of it (``read_only``), or None
    for a cache in memory.
    """

    path: Path
    open_path: Path | None
    read_only: bool = False
    _copy: Any = field(default=None, repr=False, compare=False)  # keeps the copy's dir alive

    def discard_copy(self) -> None:
        """Delete the private copy of a read-only cache, once closed (no-op without one).

        Left to its finaliser, the copy's ``TemporaryDirectory`` warned "Implicitly
        cleaning up" (a ``ResourceWarning``) when the client was collected.
        """
        if self._copy is not None:
            self._copy.cleanup()


def open_cache(path: Path | None, fallback: Any = "error") -> CacheLocation | None:
    """``prepare_cache`` for a ``cache=`` file (None: no cache), ``fallback`` checked first."""
    if fallback not in ("error", "memory"):
        raise InvalidRequest(f"cache_fallback must be 'error' or 'memory', got {brief(fallback)}")
    return None if path is None else prepare_cache(path, fallback=fallback)


def prepare_cache(path: Path, *, fallback: FallbackMode = "error") -> CacheLocation:
    """Check a cache file before it is opened: heal it, copy it if read-only, or explain.

    Raises
    ------
    CacheError
        The location cannot be created or read (with ``fallback="error"``).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writable = _writable(path)
        problem = _problem(path, _uri(path, writable))
        if problem is not None and not writable:
            raise sqlite3.DatabaseError(f"{problem}; and it is read-only")
        if problem is not None:
            _move_aside(path, problem)
        if not writable:
            return _read_only_copy(path)
        with closing(sqlite3.connect(path)) as con:  # e.g. a dangling symlink fails here
            con.execute("PRAGMA schema_version")
        return CacheLocation(path, path)
    except (OSError, sqlite3.Error) as exc:
        failure = _unusable(path, exc)
    if fallback != "memory":
        raise failure
    _warn(f"{failure.message} Continuing with a cache in memory (cache_fallback='memory').")
    return CacheLocation(path, None)


def _warn(message: str) -> None:
    warnings.warn(message, CacheWarning, stacklevel=4)


def _unusable(path: Path, exc: BaseException) -> CacheError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return CacheError(
        f"The cache at {path} cannot be used ({type(exc).__name__}: {reason}). Set "
        f"{CACHE_DIR_ENV} (or cache=) to a directory you can write, pass cache=None, or "
        "cache_fallback='memory'.",
        key="CACHE_UNUSABLE",
        details={"path": str(path)},
    )


def _uri(path: Path, writable: bool) -> str:
    """A read-only URI of the file; without a ``-wal`` beside a file that cannot be
    written, ``immutable=1`` too (sqlite then creates no ``-shm`` or ``-wal``)."""
    immutable = not writable and not Path(f"{path}-wal").exists()
    return f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def _problem(path: Path, uri: str) -> str | None:
    """Why an existing file is not a usable cache database, or None."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(uri, uri=True)) as con:
            tables = {
                name: {row[1] for row in con.execute(f"PRAGMA table_info('{name}')")}
                for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            check = con.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return _brief(str(exc))
    if check != [("ok",)]:
        return f"integrity check failed: {_first_problem(check)}"
    foreign = {name for name in tables if name not in _SCHEMA or _SCHEMA[name] - tables[name]}
    return f"foreign tables {sorted(foreign)}" if foreign else None


#: The most of sqlite's own words a warning or error quotes (its reports run to pages).
_BRIEF = 200
#: How many problems ``PRAGMA quick_check`` reports at most (sqlite's default).
_QUICK_CHECK_MAX = 100


def _brief(text: str) -> str:
    """``text`` on one line, cut to ``_BRIEF`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= _BRIEF else f"{line[: _BRIEF - 3]}..."


def _first_problem(rows: list[tuple[Any, ...]]) -> str:
    r"""The first problem of an integrity report, and how many more it lists.

    sqlite answers ``PRAGMA quick_check`` with rows of newline-separated problems
    (``*** in database main ***`` first): one page damaged reports every page it
    orphaned, thousands of characters in all.

    Examples
    --------
    >>> _first_problem([("*** in database main ***\nPage 2: bad\nPage 7 is never used",),
    ...                 ("Page 8 is never used",)])
    'Page 2: bad (and 2 more problems)'
    """
    lines = [line.strip() for (text, *_) in rows for line in str(text).splitlines()]
    problems = [line for line in lines if line and not line.startswith("***")]
    if not problems:
        return "no report"
    more = len(problems) - 1
    least = "at least " if len(problems) >= _QUICK_CHECK_MAX else ""  # sqlite stops there
    tail = f" (and {least}{more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{_brief(problems[0])}{tail}"


def _move_aside(path: Path, problem: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return  # another process moved it first
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")
    _warn(
        f"The cache file {path} is damaged ({problem}): moved it to {target} and started a "
        "fresh cache; nothing to fix (its answers are fetched again), delete the moved file "
        "when you no longer need it."
    )


def _writable(path: Path) -> bool:
    directory_ok = os.access(path.parent, os.W_OK)
    return directory_ok and (not path.exists() or os.access(path, os.W_OK))


def _read_only_copy(path: Path) -> CacheLocation:
    """Serve a read-only cache from a private copy: sqlite cannot open it in place safely.

    A WAL database needs its ``-shm`` file writable to be read, and requests-cache opens
    its file for writing; the copy is made with sqlite's online backup (consistent even
    while another process writes) and deleted with the client.
    """
    copy_dir = tempfile.TemporaryDirectory(prefix="assetpay-cache-")
    copy = Path(copy_dir.name) / CACHE_FILE
    with (
        closing(sqlite3.connect(_uri(path, writable=False), uri=True)) as src,
        closing(sqlite3.connect(copy)) as dst,
    ):
        src.backup(dst)
    _warn(
        f"The cache file {path} is read-only: cached answers are served, nothing new is "
        "written to it."
    )
    return CacheLocation(path, copy, read_only=True, _copy=copy_dir)


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
    if "\x00" in os.fspath(cache):
        raise InvalidRequest("cache must be a path without NUL characters")
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
    """Entries, size on disk, age range and unreadable rows of a cache (None: no cache)."""
    if cache is None:
        return CacheInfo(path, 0, 0, None, None)
    keys = list(cache.responses.keys())
    responses = [cache.responses.get(key) for key in keys]
    stamps = [_utc(r.created_at) for r in responses if isinstance(r, CachedResponse)]
    return CacheInfo(
        path,
        len(stamps),
        _size_on_disk(path),
        min(stamps, default=None),
        max(stamps, default=None),
        unreadable=len(keys) - len(stamps),
    )


def clear_cache(
    cache: BaseCache | None,
    trade_url: str | TradeUrl | None = None,
    *,
    location: CacheLocation | None = None,
) -> int:
    """Delete every entry, or one account's (for every api key); how many were removed.

    Parameters
    ----------
    cache : BaseCache or None
        The cache to clear (None: no cache, nothing removed).
    trade_url : str or TradeUrl, optional
        Only this account's entries; default: all of them.
    location : CacheLocation, optional
        Where ``cache`` was opened (``prepare_cache``): a read-only cache is refused.

    Returns
    -------
    int
        How many entries were deleted, and only those.

    Raises
    ------
    CacheError
        The cache file is read-only (what is open is a private copy of it: clearing the
        copy would remove nothing from the file), or sqlite failed to delete the rows.
        Nothing was removed from the file.
    """
    if cache is None:
        return 0
    if location is not None and location.read_only:
        raise _not_cleared(location.path, "it is read-only", _PERMISSIONS, key="CACHE_READ_ONLY")
    try:
        keys = list(cache.responses.keys())
        if trade_url is not None:
            partner = TradeUrl.parse(trade_url).partner
            keys = [key for key in keys if key.split(":")[1:2] == [str(partner)]]
        cache.delete(*keys)
    except sqlite3.Error as exc:
        failure = _not_cleared(
            location.path if location is not None else None,
            f"sqlite failed: {type(exc).__name__}: {_brief(str(exc))}",
            "Run again (a damaged file is moved aside when the client starts); if it "
            f"persists, check the file's permissions and the free disk space. {_ELSEWHERE}",
            key="CACHE_UNUSABLE",
        )
    else:
        return len(keys)
    raise failure  # outside the except block: no __context__ dragged along


_ELSEWHERE = f"Or set {CACHE_DIR_ENV} (or cache=) to a directory you can write."
_PERMISSIONS = (
    "Make the file and its directory writable by this user (check their owner and "
    f"permissions, e.g. chmod u+w). {_ELSEWHERE}"
)


def _not_cleared(path: Path | None, why: str, fix: str, *, key: str) -> CacheError:
    where = f"The cache file {path}" if path is not None else "The disk cache"
    return CacheError(
        f"{where} cannot be cleared ({why}): nothing was removed. {fix}",
        key=key,
        details={"path": str(path)} if path is not None else {},
    )


class CacheAdmin:
    """The client's disk-cache methods: ``cache_info()`` and ``clear_cache()``.

    A base class of ``AssetPayClient`` (kept here, beside what it administers); it
    reads the client's ``fetch.session`` and ``cache_path`` and never imports the client.
    """

    _session: requests.Session
    cache_path: Path | None
    _location: CacheLocation | None

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
        CacheInfo(path=None, entries=0, size_bytes=0, oldest=None, newest=None, unreadable=0)
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

        Raises
        ------
        CacheError
            The cache file is read-only (the client reads a private copy of it) or
            sqlite failed: nothing was removed, the message names the file.

        Examples
        --------
        >>> import assetpay_analytics as apa
        >>> with apa.sandbox.serve() as box:
        ...     apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None).clear_cache()
        0
        """
        location = getattr(self, "_location", None)  # a client made with session= has none
        return clear_cache(self._cache_backend, trade_url, location=location)
