"""A batch's cache hits in bulk: one sqlite query for the rows, one Arrow read for the bodies.

A warm batch (a notebook re-run) asks the cache for hundreds of first pages. Going
through requests-cache for each costs more than the data: its deserialisation builds
the whole stored response with cattrs (headers, the request, ~0.4 ms a row), and the
HTTP stack around a hit costs ~1.7 ms more. This module reads the rows it needs by
key straight from the sqlite table (``key, value, expires``), unexpired ones only,
takes the three fields it uses (the body, the status, when it was stored) from rows
this package's own serializer wrote (``session.SERIALIZER``: requests-cache's cattrs
stage, body in base64, then orjson), and has the endpoint's bulk reading
(``Endpoint.read_bodies``: Arrow for the inventory) read all bodies at once. A row it
cannot read this way is simply not a bulk hit: the account then goes the usual way,
which validates it as before. Nothing here sends a request or spends rate budget.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import orjson
import requests
from requests_cache import CacheMixin
from requests_cache.backends.sqlite import SQLiteDict

from .endpoint import Endpoint
from .page import Page
from .session import SafeSerializer

__all__ = ["bulk_hits"]

#: Keys per query: far below sqlite's limit on bound parameters.
_CHUNK = 500


def _table(session: requests.Session) -> SQLiteDict | None:
    """The session's sqlite responses table, when its rows are this package's JSON."""
    responses = getattr(getattr(session, "cache", None), "responses", None)
    if not isinstance(session, CacheMixin) or not isinstance(responses, SQLiteDict):
        return None
    return responses if isinstance(responses.serializer, SafeSerializer) else None


def _rows(table: SQLiteDict, keys: Sequence[str]) -> dict[str, bytes]:
    """The unexpired rows under ``keys`` (a key with no fresh row is left out)."""
    now = int(time.time())
    found: dict[str, bytes] = {}
    with table.connection() as con:
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            query = (
                f"SELECT key, value FROM {table.table_name} WHERE key IN ({marks}) "
                "AND (expires IS NULL OR expires >= ?)"  # whole seconds: a coarse filter
            )
            found.update(con.execute(query, [*chunk, now]).fetchall())
    return found


def _utc(text: str) -> datetime:
    stamp = datetime.fromisoformat(text)
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _stored(row: bytes, now: datetime) -> tuple[bytes, str] | None:
    """(body, when it was stored as ISO-8601 UTC) of an unexpired stored 200, or None.

    Expired as requests-cache decides (``CachedResponse.is_expired``): ``now >= expires``.
    """
    try:
        fields = orjson.loads(row)
        if not isinstance(fields, Mapping) or fields.get("status_code") != 200:
            return None
        expires = fields.get("expires")
        if expires is not None and now >= _utc(expires):
            return None
        body = base64.b64decode(fields["_content"], validate=True)
        stored = _utc(fields["created_at"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error):
        return None
    return body, stored.isoformat().replace("+00:00", "Z")


def bulk_hits(
    session: requests.Session, endpoint: Endpoint, keys: Sequence[str]
) -> dict[str, Page]:
    """The fresh cached pages under ``keys`` that ``endpoint`` reads as documented successes.

    Parameters
    ----------
    session : requests.Session
        The client's session; without a sqlite cache written by this package there
        are no bulk hits (an empty dict).
    endpoint : Endpoint
        Whose answers they are; without ``read_bodies`` there are no bulk hits.
    keys : sequence of str
        Cache keys (``keys.direct_key``).

    Returns
    -------
    dict
        Key -> page (``from_cache`` True, ``fetched_at`` when it was stored).
    """
    table = _table(session)
    if table is None or not keys or endpoint.read_bodies is None:
        return {}
    try:
        rows = _rows(table, keys)
    except sqlite3.Error:
        return {}  # the usual way reports a broken cache properly
    now = datetime.now(UTC)
    stored = {key: got for key, row in rows.items() if (got := _stored(row, now)) is not None}
    order = list(stored)
    readings = endpoint.read_bodies([stored[key][0] for key in order])
    return {
        key: Page(None, fast.request_id, True, stored[key][1], arrow=fast, body=stored[key][0])
        for key, fast in zip(order, readings, strict=True)
        if fast is not None
    }
