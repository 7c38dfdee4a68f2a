"""The pages of one inventory: which page to ask for next, when to stop, and whether they add up.

The first request asks for everything at once (``limit=-1``); if the server sends
fewer items than its ``count``, the rest is paged with the page size it used. A read
is exact or it is read again: item ids are unique, the items number ``count``,
``count`` does not move between pages, and no more pages are asked for than
``count`` and the page size allow (plus one). A ``count`` beyond any real inventory
(``MAX_INVENTORY_COUNT``) is reported after the first page. When a read does not add
up, the account is read again from page 1, bypassing the disk cache, ``rereads``
times; then ``InconsistentInventory`` says what did not add up. The pager is handed
a function that fetches one page (with retries) and knows nothing of HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._http import Page
from .constants import MAX_INVENTORY_COUNT, UNLIMITED
from .errors import InconsistentInventory

__all__ = ["GetPage", "first_page_params", "read_pages"]

#: Fetches one page: ``get(params, force_refresh)``.
GetPage = Callable[[Mapping[str, str], bool], Page]
#: Duplicate ids quoted in an error's details (the rest are counted).
_QUOTED_IDS = 5


class _Mismatch(Exception):
    """One read did not add up: its ``pages``, and ``details`` saying how."""

    def __init__(self, reason: str, pages: list[Page], **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pages = pages
        self.details = {"reason": reason, **details}


def read_pages(
    get: GetPage, params: Mapping[str, str], *, refresh: bool, rereads: int, context: str = ""
) -> list[Page]:
    """Every page of one inventory, checked to add up (re-read up to ``rereads`` times).

    Parameters
    ----------
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
        ``MAX_INVENTORY_COUNT`` (raised after the first page, without re-reading).
    """
    last: _Mismatch | None = None
    pages: list[Page] = []
    requests = 0
    for read in range(1 + rereads):
        try:
            # a re-read bypasses the disk cache: the cached pages may be what disagrees
            return _read_once(get, params, refresh=refresh, bypass=refresh or read > 0)
        except _Mismatch as mismatch:
            last, pages = mismatch, mismatch.pages
            requests += len(pages)
    assert last is not None
    err = _inconsistent(last, pages, reads=1 + rereads, context=context)
    err.attempts = requests
    raise err


def _inconsistent(
    mismatch: _Mismatch, pages: Sequence[Page], *, reads: int, context: str
) -> InconsistentInventory:
    request_id = next((p.request_id for p in reversed(pages) if p.request_id), None)
    return InconsistentInventory(
        f"{context}: the inventory's pages do not add up ({mismatch.reason}) after "
        f"{reads} read(s) from page 1. The inventory changed while it was read: try "
        "again shortly.",
        request_id=request_id,
        details={**mismatch.details, "reads": reads},
    )


def _read_once(
    get: GetPage, params: Mapping[str, str], *, refresh: bool, bypass: bool
) -> list[Page]:
    first_params = first_page_params(params)
    if refresh:
        # AssetPay's own cache is refreshed once, by the first page; later pages
        # read the refreshed copy.
        first_params["refresh"] = "true"
    pages = [get(first_params, bypass)]
    count = _first_count(pages[0])
    size = pages[0].size
    most_pages = 1 + (math.ceil(count / size) if size else 0)  # the bound, plus one
    received = size
    while received < count:
        if size == 0 or len(pages) >= most_pages:
            raise _mismatch_short(pages, count, received)
        page = get({**params, "page": str(len(pages) + 1), "limit": str(size)}, bypass)
        pages.append(page)
        got = page.size
        moved = page.count
        if moved != count:
            raise _Mismatch(f"count moved from {count} to {moved} at page {len(pages)}", pages)
        if got == 0:
            raise _mismatch_short(pages, count, received)
        received += got
    _check_items(pages, count, received)
    return pages


def first_page_params(params: Mapping[str, str]) -> dict[str, str]:
    """The first request of a read: page 1, everything at once (``limit=-1``)."""
    return {**params, "page": "1", "limit": str(UNLIMITED)}


def _first_count(first: Page) -> int:
    count = first.count
    assert count is not None  # the page's shape was checked when it was read
    if count > MAX_INVENTORY_COUNT:
        raise InconsistentInventory(
            f"the server says the inventory holds {count:,} items, beyond any real "
            f"inventory (at most {MAX_INVENTORY_COUNT:,} are believed); not paged further",
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


def _check_items(pages: list[Page], count: int, received: int) -> None:
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
        for key in page.item_ids():
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
