"""Counted pages: how a paged answer is asked for, when to stop, and whether it adds up.

An endpoint whose answer is a list with a ``count`` (the inventory) declares a
``CountedPaging``; ``reader`` reads its pages with ``read_counted``. The first request
asks for everything at once (``limit=-1``); if the server sends fewer items than its
``count``, the rest is paged with the page size it used. A read is exact or it is read
again: item ids are unique, the items number ``count``, ``count`` does not move between
pages, and no more pages are asked for than ``count`` and the page size allow (plus one).
A ``count`` beyond the endpoint's ``ceiling`` is reported after the first page. When a
read does not add up, it is read again from page 1, bypassing the disk cache,
``rereads`` times; then ``InconsistentInventory`` says what did not add up. The pager is
handed a function that fetches one page (with retries) and knows nothing of HTTP.

A page is read through its fast reading when it has one (``page.arrow``: the items as an
Arrow struct array with an ``id`` field, ``declared_count``), else through its decoded
``data`` (the list named ``items``, ``count``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..constants import UNLIMITED
from ..errors import InconsistentInventory
from ..frame.payload import count_of
from .page import Page

__all__ = ["CountedPaging", "GetPage", "first_page_params", "read_counted"]

#: Fetches one page: ``get(params, bypass_cache)``, retries included.
GetPage = Callable[[Mapping[str, Any], bool], Page]


@dataclass(frozen=True)
class CountedPaging:
    """How an endpoint's counted answer pages.

    Parameters
    ----------
    items : str
        The list in ``data`` (``"inventory"``).
    ceiling : int
        The largest ``count`` believed; beyond it the answer is inconsistent at once.
    noun : str
        How messages name the whole (``"inventory"``).

    Examples
    --------
    >>> from assetpay_analytics.fetch.page import Page
    >>> paging = CountedPaging("inventory", ceiling=100_000, noun="inventory")
    >>> page = Page({"inventory": [{"id": 7}, {"id": 8}], "count": 2}, "r1", False)
    >>> paging.size(page), paging.count(page), paging.item_ids(page)
    (2, 2, ['7', '8'])
    """

    items: str
    ceiling: int
    noun: str

    def size(self, page: Page) -> int:
        """How many items the page holds."""
        if page.arrow is not None:
            return len(page.arrow.items)
        return len(page.data[self.items])

    def count(self, page: Page) -> int | None:
        """The page's ``count`` (the whole answer's), None when not a whole number >= 0."""
        if page.arrow is not None:
            declared: int | None = page.arrow.declared_count
            return declared
        return count_of(page.data)

    def item_ids(self, page: Page) -> list[str | None]:
        """Each item's id as text (None when it has none)."""
        if page.arrow is not None:
            ids: list[str | None] = page.arrow.items.field("id").to_pylist()
            return ids
        return [
            None if (item_id := item.get("id")) is None else str(item_id)
            for item in page.data[self.items]
        ]


#: Duplicate ids quoted in an error's details (the rest are counted).
_QUOTED_IDS = 5


class _Mismatch(Exception):
    """One read did not add up: its ``pages``, and ``details`` saying how."""

    def __init__(self, reason: str, pages: list[Page], **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pages = pages
        self.details = {"reason": reason, **details}


def read_counted(
    paging: CountedPaging,
    get: GetPage,
    params: Mapping[str, Any],
    *,
    refresh: bool,
    rereads: int,
    context: str = "",
) -> list[Page]:
    """Every page of one counted answer, checked to add up (re-read up to ``rereads`` times).

    Parameters
    ----------
    paging : CountedPaging
        How the pages are read (the list, the ceiling, the name of the whole).
    get : callable
        ``get(params, force_refresh) -> Page``: one page, retries included.
    params : mapping
        The query parameters every page shares (trade URL, game, filters).
    refresh : bool
        Bypass the disk cache for every page, and ask AssetPay to refresh its own
        cache with the first page.
    rereads : int
        How many times a read that does not add up is read again from page 1.
    context : str
        Who the inventory belongs to, for the error message.

    Raises
    ------
    InconsistentInventory
        The pages still did not add up after the re-reads, or ``count`` is beyond
        ``paging.ceiling`` (raised after the first page, without re-reading).
    """
    last: _Mismatch | None = None
    pages: list[Page] = []
    requests = 0
    for read in range(1 + rereads):
        try:
            # a re-read bypasses the disk cache: the cached pages may be what disagrees
            return _read_once(paging, get, params, refresh=refresh, bypass=refresh or read > 0)
        except _Mismatch as mismatch:
            last, pages = mismatch, mismatch.pages
            requests += len(pages)
    assert last is not None
    err = _inconsistent(paging, last, pages, reads=1 + rereads, context=context)
    err.attempts = requests
    raise err


def _inconsistent(
    paging: CountedPaging, mismatch: _Mismatch, pages: Sequence[Page], *, reads: int, context: str
) -> InconsistentInventory:
    request_id = next((p.request_id for p in reversed(pages) if p.request_id), None)
    return InconsistentInventory(
        f"{context}: the {paging.noun}'s pages do not add up ({mismatch.reason}) after "
        f"{reads} read(s) from page 1. The {paging.noun} changed while it was read: try "
        "again shortly.",
        request_id=request_id,
        details={**mismatch.details, "reads": reads},
    )


def _read_once(
    paging: CountedPaging, get: GetPage, params: Mapping[str, Any], *, refresh: bool, bypass: bool
) -> list[Page]:
    first_params = first_page_params(params)
    if refresh:
        # AssetPay's own cache is refreshed once, by the first page; later pages
        # read the refreshed copy.
        first_params["refresh"] = "true"
    pages = [get(first_params, bypass)]
    count = _first_count(paging, pages[0])
    size = paging.size(pages[0])
    most_pages = 1 + (math.ceil(count / size) if size else 0)  # the bound, plus one
    received = size
    while received < count:
        if size == 0 or len(pages) >= most_pages:
            raise _mismatch_short(pages, count, received)
        page = get({**params, "page": str(len(pages) + 1), "limit": str(size)}, bypass)
        pages.append(page)
        got = paging.size(page)
        moved = paging.count(page)
        if moved != count:
            raise _Mismatch(f"count moved from {count} to {moved} at page {len(pages)}", pages)
        if got == 0:
            raise _mismatch_short(pages, count, received)
        received += got
    _check_items(paging, pages, count, received)
    return pages


def first_page_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The first request of a read: page 1, everything at once (``limit=-1``)."""
    return {**params, "page": "1", "limit": str(UNLIMITED)}


def _first_count(paging: CountedPaging, first: Page) -> int:
    count = paging.count(first)
    assert count is not None  # the page's shape was checked when it was read
    if count > paging.ceiling:
        raise InconsistentInventory(
            f"the server says the {paging.noun} holds {count:,} items, beyond any real "
            f"{paging.noun} (at most {paging.ceiling:,} are believed); not paged further",
            request_id=first.request_id,
            details={"reason": "count beyond the ceiling", "count": count},
        )
    return count


def _mismatch_short(pages: list[Page], count: int, received: int) -> _Mismatch:
    return _Mismatch(
        f"{received} items arrived in {len(pages)} page(s) but count says {count}",
        pages,
        count=count,
        received=received,
    )


def _check_items(paging: CountedPaging, pages: list[Page], count: int, received: int) -> None:
    if received != count:
        raise _Mismatch(
            f"{received} items arrived but count says {count}",
            pages,
            count=count,
            received=received,
        )
    seen: set[str] = set()
    duplicates: list[str] = []
    for page in pages:
        for key in paging.item_ids(page):
            if key is None:
                continue  # the frame sets it aside as an anomaly
            if key in seen:
                duplicates.append(key)
            seen.add(key)
    if duplicates:
        raise _Mismatch(
            f"{len(duplicates)} item id(s) arrived twice, e.g. {duplicates[0]!r}",
            pages,
            count=count,
            received=received,
            duplicates=duplicates[:_QUOTED_IDS],
        )
