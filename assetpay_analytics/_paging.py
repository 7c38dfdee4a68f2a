"""The pages of one inventory: which page to ask for next, and when to stop.

The first request asks for everything at once (``limit=-1``); if the server sends
fewer items than its ``count``, the rest is paged with the page size it used, until
``count`` items have arrived or a page comes back empty. The pager is handed a
function that fetches one page (with retries) and knows nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ._coerce import to_int
from ._http import Page
from .constants import UNLIMITED

__all__ = ["GetPage", "iter_pages"]

#: Fetches one page: ``get(params, force_refresh)``.
GetPage = Callable[[Mapping[str, str], bool], Page]


def iter_pages(get: GetPage, params: Mapping[str, str], *, refresh: bool) -> Iterator[Page]:
    """Yield every page of one inventory, lazily.

    Parameters
    ----------
    get : callable
        ``get(params, force_refresh) -> Page``: one page, retries included.
    params : mapping
        The query parameters every page shares (trade URL, game, filters).
    refresh : bool
        Bypass the disk cache for every page, and ask AssetPay to refresh its own
        cache with the first page.
    """
    first_params = {**params, "page": "1", "limit": str(UNLIMITED)}
    if refresh:
        # AssetPay's own cache is refreshed once, by the first page; later pages
        # read the refreshed copy. The disk cache is bypassed for every page.
        first_params["refresh"] = "true"
    first = get(first_params, refresh)
    yield first
    count = to_int(first.data.get("count")) or 0
    size = received = len(first.data.get("inventory") or [])
    page = 1
    while size > 0 and received < count:
        page += 1
        nxt = get({**params, "page": str(page), "limit": str(size)}, refresh)
        got = len(nxt.data.get("inventory") or [])
        if got == 0:
            break
        received += got
        yield nxt
