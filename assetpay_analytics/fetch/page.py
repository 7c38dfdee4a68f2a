"""What any endpoint answers: one ``Page`` (its data, request id, where and when it came from).

``fetch`` makes a page of every answer, live or cached; what a paged answer's pages hold
(their size, ``count``, item ids) is read by ``paging``.
"""

from __future__ import annotations

from typing import Any

from ..frame.bodies import read_envelope

__all__ = ["Page"]


class Page:
    """One response page: its ``data``, ``requestId``, and where and when it came from.

    ``fetched_at`` is when AssetPay answered (ISO-8601 UTC; for a cache hit, when the
    answer was stored); ``stale`` is True for an expired cache entry served anyway
    (offline, or ``stale_if_error``). A page the endpoint read fast (``arrow``: its
    ``Endpoint.read_body``, the inventory's Arrow reading) is decoded into Python objects
    only if ``data`` is asked for.
    """

    __slots__ = ("_data", "arrow", "body", "fetched_at", "from_cache", "request_id", "stale")

    def __init__(
        self,
        data: Any,
        request_id: str | None,
        from_cache: bool,
        fetched_at: str | None = None,
        stale: bool = False,
        *,
        arrow: Any = None,
        body: bytes | None = None,
    ) -> None:
        if data is None and (arrow is None or body is None):
            raise ValueError("a page needs its data, or its fast reading and its body")
        self._data, self.arrow, self.body = data, arrow, body
        self.request_id, self.from_cache = request_id, from_cache
        self.fetched_at, self.stale = fetched_at, stale

    @property
    def data(self) -> Any:
        """The page's ``data`` as Python values (decoded on first use).

        An object for most endpoints (the inventory's), a list for the price book.
        """
        if self._data is None:
            assert self.body is not None
            self._data = read_envelope(self.body)["data"]
        return self._data

    def replace(self, **changes: Any) -> Page:
        """A copy with some of ``request_id``, ``from_cache``, ``fetched_at``, ``stale`` changed."""
        fields = {
            "request_id": self.request_id, "from_cache": self.from_cache,
            "fetched_at": self.fetched_at, "stale": self.stale, **changes,
        }  # fmt: skip
        return Page(self._data, arrow=self.arrow, body=self.body, **fields)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(request_id={self.request_id!r}, "
            f"from_cache={self.from_cache}, fetched_at={self.fetched_at!r}, stale={self.stale})"
        )
