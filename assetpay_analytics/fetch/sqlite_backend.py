"""requests-cache's SQLite backend with one connection per thread (``ThreadedSQLiteCache``).

requests-cache's ``SQLiteDict`` shares one ``sqlite3`` connection between all threads.
Its ``RLock`` is taken by every read (to check the connection is open) and held by a
write from ``BEGIN IMMEDIATE`` to ``COMMIT``, and sqlite serialises the statements of
one connection besides. A fan-out of 32 workers reads the cache twice and writes it
once a request, so the workers queued on that lock: profiled at 200 accounts (200 ms
latency, cold), about 40% of their samples that were neither waiting for the network
nor idle were waiting for it. Here every thread has its own connection to the file:
readers never wait for each other or for a writer (WAL). Writers, which sqlite
serialises anyway, take turns on one lock of this process and store a row in one
autocommit statement (``_write``); another process's writer they wait for inside
sqlite (the GIL released), for up to ``BUSY_TIMEOUT_MS``. In wall time a cold fan-out
of 200 accounts was as fast as on requests-cache's backend (interleaved, 1.00-1.01x): the
waits were off its critical path, which is the network and the CPU of each write.

A thread's connection stays open while the thread lives. ``close()`` (the session's,
on ``client.close()``) closes every one, whichever thread opened it; the connection of
a thread that has ended is closed when the next connection is opened, so a client
that runs batch after batch (a new thread pool each) does not pile them up.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache, SQLiteDict

__all__ = ["BUSY_TIMEOUT_MS", "ThreadConnections", "ThreadedSQLiteCache", "ThreadedSQLiteDict"]

#: How long a writer waits for sqlite's write lock (another thread's or process's write).
BUSY_TIMEOUT_MS = 30_000


@dataclass
class _Slot:
    """One thread's connection, and whether it is inside a write transaction."""

    connection: sqlite3.Connection
    thread: threading.Thread
    in_transaction: bool = False


class ThreadConnections:
    """The connections to one sqlite file, one per thread, opened on first use.

    Parameters
    ----------
    connect : callable
        Opens a new connection (called in the thread that will use it).
    """

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        #: Held by this process's writer from ``BEGIN IMMEDIATE`` to ``COMMIT`` (never by
        #: readers): see ``ThreadedSQLiteDict._acquire_sqlite_lock``.
        self.writing = threading.Lock()
        self._slots: dict[int | None, _Slot] = {}

    def __len__(self) -> int:
        """How many connections are open."""
        return len(self._slots)

    def slot(self) -> _Slot:
        """The calling thread's connection, opened if it has none."""
        thread = threading.current_thread()
        slot = self._slots.get(thread.ident)
        # a thread id is reused once its thread has ended: the slot must be this thread's
        if slot is not None and slot.thread is thread:
            return slot
        return self._open(thread)

    def _open(self, thread: threading.Thread) -> _Slot:
        slot = _Slot(self._connect(), thread)
        with self._lock:
            ended = [old for old in self._slots.values() if not old.thread.is_alive()]
            for old in ended:
                del self._slots[old.thread.ident]
            self._slots[thread.ident] = slot
        for old in ended:
            old.connection.close()
        return slot

    def close(self) -> None:
        """Close every connection, whichever thread opened it (a later use opens anew)."""
        with self._lock:
            slots, self._slots = list(self._slots.values()), {}
        for slot in slots:
            slot.connection.close()


class ThreadedSQLiteDict(SQLiteDict):
    """A ``SQLiteDict`` whose every thread reads and writes on its own connection.

    Parameters
    ----------
    db_path : str or Path
        The sqlite file.
    connections : ThreadConnections, optional
        Connections to share (the cache's two tables share them); default: its own.
    **kwargs
        As ``SQLiteDict`` (``table_name``, ``serializer``, ``wal``, ``busy_timeout``...).
    """

    def __init__(
        self, db_path: Any, *, connections: ThreadConnections | None = None, **kwargs: Any
    ) -> None:
        # set before SQLiteDict.__init__, which opens the table through ``connection``
        self.connections = (
            ThreadConnections(self._new_connection) if connections is None else connections
        )
        kwargs.setdefault("busy_timeout", BUSY_TIMEOUT_MS)
        super().__init__(db_path, **kwargs)

    def _new_connection(self) -> sqlite3.Connection:
        """A connection set up as requests-cache sets up its one."""
        con = sqlite3.connect(self.db_path, isolation_level=None, **self.connection_kwargs)
        if self.busy_timeout is not None:
            con.execute(f"PRAGMA busy_timeout={int(self.busy_timeout)}")
        if self.fast_save:
            con.execute("PRAGMA synchronous=OFF")
        if self.wal:
            con.execute("PRAGMA journal_mode=WAL")
            if not self.fast_save:
                con.execute("PRAGMA synchronous=NORMAL")
        return con

    @contextmanager
    def connection(self, commit: bool = False) -> Iterator[sqlite3.Connection]:
        """The calling thread's connection; with ``commit``, inside a write transaction."""
        slot = self.connections.slot()
        if commit and not slot.in_transaction:
            with self._acquire_sqlite_lock():
                yield slot.connection
        else:
            yield slot.connection

    @contextmanager
    def _acquire_sqlite_lock(self) -> Iterator[None]:
        """A write transaction on the calling thread's connection (``bulk_commit`` too).

        The threads of this process take turns on ``connections.writing`` first: sqlite's
        busy handler polls a held lock with growing sleeps (1, 2, 5, 10 ms...), which
        profiled at 11-21% of a cold fan-out's active samples, where a Python lock hands
        over at once. ``BEGIN IMMEDIATE`` then takes sqlite's write lock, waiting up to
        the busy timeout for another process's writer. As in requests-cache, an
        ``OperationalError`` inside the transaction rolls it back and is not raised (a
        cache write that fails is lost, the answer is still returned); a failure to
        begin, or any other error, is raised.
        """
        slot = self.connections.slot()
        if slot.in_transaction:  # nested (a write inside ``bulk_commit``): one transaction
            yield
            return
        with self.connections.writing:
            slot.connection.execute("BEGIN IMMEDIATE")
            slot.in_transaction = True
            try:
                yield
                slot.connection.commit()
            except sqlite3.OperationalError:
                with suppress(sqlite3.Error):
                    slot.connection.rollback()
            except BaseException:
                with suppress(sqlite3.Error):
                    slot.connection.rollback()
                raise
            finally:
                slot.in_transaction = False

    def _write(self, key: str, value: Any) -> None:
        """Store one row: requests-cache's ``_write``, as one autocommit statement.

        requests-cache wraps the ``INSERT`` in ``BEGIN IMMEDIATE`` ... ``COMMIT``: three
        calls into sqlite, each giving up the GIL and waiting to take it back from up to
        31 other workers while the write lock is held, so the writers queued behind it.
        One statement is its own transaction (it waits for another process's writer in
        the busy handler), under ``connections.writing``; inside ``bulk_commit`` it joins
        that transaction. A failing ``OperationalError`` is dropped as in requests-cache.
        """
        expires = getattr(value, "expires_unix", None)
        row = (key, self.serialize(value), expires)
        statement = f"INSERT OR REPLACE INTO {self.table_name} (key,value,expires) VALUES (?,?,?)"
        slot = self.connections.slot()
        if slot.in_transaction:
            slot.connection.execute(statement, row)
            return
        with self.connections.writing, suppress(sqlite3.OperationalError):
            slot.connection.execute(statement, row)

    def vacuum(self) -> None:
        """``VACUUM`` on the calling thread's connection (outside a transaction)."""
        slot = self.connections.slot()
        if slot.in_transaction:
            slot.connection.commit()
            slot.in_transaction = False
        slot.connection.execute("VACUUM")

    def close(self) -> None:
        """Close every thread's connection (a later use opens anew)."""
        connections = getattr(self, "connections", None)  # None: __init__ failed early
        if connections is not None:
            connections.close()


class ThreadedSQLiteCache(SQLiteCache):
    """requests-cache's ``SQLiteCache`` on ``ThreadedSQLiteDict`` tables sharing connections.

    Parameters
    ----------
    db_path : str or Path
        The sqlite file.
    serializer
        How responses are stored (requests-cache's serializer argument).
    on_close : callable, optional
        Called once the connections are closed (e.g. to delete a private copy of the file).
    **kwargs
        As ``SQLiteCache`` (``wal``, ``busy_timeout``...).
    """

    def __init__(
        self,
        db_path: Any,
        serializer: Any = None,
        *,
        on_close: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self._on_close = on_close
        # SQLiteCache.__init__ builds plain SQLiteDict tables; this is its body on ours
        BaseCache.__init__(self, cache_name=str(db_path), **kwargs)
        table_kwargs = {"serializer": serializer, **kwargs} if serializer else kwargs
        responses = ThreadedSQLiteDict(db_path, table_name="responses", **table_kwargs)
        self._connections = responses.connections
        self.responses = responses
        self.redirects = ThreadedSQLiteDict(
            db_path,
            table_name="redirects",
            connections=self._connections,
            serializer=None,
            **kwargs,
        )

    def close(self) -> None:
        """Close every thread's connection (both tables share them), then call ``on_close``."""
        self._connections.close()
        if self._on_close is not None:
            self._on_close()
