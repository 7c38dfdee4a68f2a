"""The inventory frame's builders: JSON -> DataFrame, one row per item (no HTTP here).

The columns and dtypes are fixed (``SCHEMA``, defined in ``schema``); optional API
fields the response leaves out become NA; unknown fields are ignored.

Two builders, one result. The Arrow path (``arrow``) reads a body with
``pyarrow.json`` against the documented item schema and derives the columns with
``pyarrow.compute``: no Python object per item. ``from_items`` hands parsed items to it
too (orjson writes them back to JSON in C, far faster than a row loop). Payloads Arrow
cannot type as documented (a price sent as text...) go through the Python row path
(``rows``), whose forgiving conversions give the same frame. Text that repeats is a
categorical; stickers are an Arrow ``list<struct<name, slot, wear>>`` column, never
Python lists.

``assemble`` turns either path's columns into the frame and its ``attrs``; the wing's
``__init__`` re-exports the public names. Every frame built here has ``df.assetpay``:
``accessor_hook`` loads the accessor on its first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import orjson
import pandas as pd

from ..constants import GAME_CS2
from .arrow import ArrowPage, read_page
from .assemble import frame_attrs, from_arrow_pages, items_frame, pages_frame
from .bodies import read_envelope
from .payload import shape_problem
from .schema import concat

__all__ = [
    "PageLike",
    "empty_frame",
    "from_accounts",
    "from_body",
    "from_items",
    "from_pages",
    "from_responses",
]


def empty_frame() -> pd.DataFrame:
    """An inventory frame with no rows: every column, every dtype.

    Examples
    --------
    >>> empty_frame().shape[0], str(empty_frame()["exterior"].dtype)
    (0, 'category')
    """
    return from_items([])


def from_items(
    items: Sequence[Mapping[str, Any]],
    *,
    game: str = GAME_CS2,
    steam_id: str | None = None,
    updated_at: Any = None,
    drop_missing_ids: bool = False,
) -> pd.DataFrame:
    """Turn the API's ``inventory`` items into the typed inventory frame.

    Parameters
    ----------
    items : sequence of mappings
        Items exactly as the API sends them (missing or null fields are fine;
        unknown fields are ignored).
    game : str
        The app id the items were requested for (``"730"`` or ``"252490"``).
    steam_id : str, optional
        The SteamID64 of the account, repeated on every row.
    updated_at : str or Timestamp, optional
        The response's ``updatedAt``, repeated on every row as a UTC timestamp.
    drop_missing_ids : bool
        Drop items without an id (``from_pages`` does, for what the API sent); by
        default a hand-made item list keeps them.

    Returns
    -------
    DataFrame
        One row per item with the columns and dtypes of ``SCHEMA``. Values out of
        range (a negative price, a wear outside [0, 1], an unknown exterior) are NA
        (and items without an id dropped, with ``drop_missing_ids``), each recorded
        in ``attrs["anomalies"]``.

    Examples
    --------
    >>> df = from_items([{"id": "a1", "name": "AK-47 | Redline", "appid": 730, "tradable": True,
    ...                   "marketHashName": "AK-47 | Redline (Field-Tested)",
    ...                   "exterior": "Field-Tested", "wear": "0.25", "marketPrice": 20.0,
    ...                   "offer": {"price": 15.0, "accepted": True}}])
    >>> df.loc[0, ["weapon", "skin", "exterior"]].tolist()
    ['AK-47', 'Redline', 'Field-Tested']
    >>> float(df.loc[0, "wear"]), float(df.loc[0, "offer_price"])
    (0.25, 15.0)
    """
    return items_frame(items, game, steam_id, updated_at, drop_missing_ids, arrow=True)


def from_pages(
    pages: Iterable[Mapping[str, Any]],
    *,
    game: str = GAME_CS2,
    steam_id: str | None = None,
    request_ids: Sequence[str] = (),
    from_cache: bool = False,
    fetched_at: str | None = None,
    stale: bool = False,
) -> pd.DataFrame:
    """Build one frame from the ``data`` objects of every page of a response.

    Parameters
    ----------
    pages : iterable of mappings
        Each page's ``data`` (``inventory``, ``count``, ``updatedAt``, ``collateral``).
    game, steam_id : str
        What was requested; written on every row and into ``attrs``.
    request_ids : sequence of str
        The pages' ``requestId`` values, kept in ``attrs["request_ids"]``.
    from_cache : bool
        True when every page came from the disk cache.
    fetched_at : str, optional
        When AssetPay answered (ISO-8601 UTC), kept in ``attrs["fetched_at"]``.
    stale : bool
        True when an expired cache entry was served (offline or ``stale_if_error``).

    Returns
    -------
    DataFrame
        The inventory frame; ``attrs`` carries ``count``, ``updated_at``, ``collateral``,
        ``game``, ``steam_id``, ``request_ids``, ``from_cache``, ``fetched_at``,
        ``stale``, every value JSON-friendly
        (pandas writes attrs into Parquet with ``json.dumps``). ``updated_at`` is an
        ISO-8601 UTC string ending in ``Z`` (``Timestamp.isoformat()`` of the UTC time,
        ``+00:00`` written ``Z``; fractional seconds only when there are some), or None;
        ``df.assetpay.updated_at`` gives it back as a UTC Timestamp. The ``updated_at``
        column stays ``datetime64[ns, UTC]``.

    Examples
    --------
    >>> page = {"inventory": [], "count": 0, "updatedAt": "2026-06-01T11:30:00+02:00",
    ...         "collateral": 0}
    >>> df = from_pages([page], steam_id="76561197960278073")
    >>> df.attrs["count"], df.attrs["updated_at"]
    (0, '2026-06-01T09:30:00Z')
    """
    return pages_frame(
        list(pages), game, steam_id, arrow=True, request_ids=request_ids,
        from_cache=from_cache, fetched_at=fetched_at, stale=stale,
    )  # fmt: skip


def from_body(
    body: bytes | Sequence[bytes],
    *,
    game: str = GAME_CS2,
    steam_id: str | None = None,
    from_cache: bool = False,
    fetched_at: str | None = None,
    stale: bool = False,
) -> pd.DataFrame:
    """Build the frame straight from raw ``/secure/inventory`` response bodies.

    The fast path: Arrow reads the JSON against the item schema in C++, with no
    Python object per item; a body Arrow cannot type as documented (a price sent as
    text, say) is read by the forgiving Python path, with the same result.

    Parameters
    ----------
    body : bytes or sequence of bytes
        One success envelope, or every page of one inventory in order.
    game, steam_id, from_cache, fetched_at, stale
        As in ``from_pages``; ``request_ids`` are read from the bodies.

    Returns
    -------
    DataFrame
        The same frame and ``attrs`` as ``from_pages`` on the decoded ``data``.

    Raises
    ------
    ValueError
        A body that is not a success envelope with the documented ``data``.

    Examples
    --------
    >>> body = (b'{"requestId": "r1", "success": true, "data": {"inventory": '
    ...         b'[{"id": "a1", "name": "AK-47 | Redline", "marketPrice": 20.5}], "count": 1}}')
    >>> df = from_body(body, steam_id="76561197960278073")
    >>> df.loc[0, "weapon"], float(df.loc[0, "market_price"]), df.attrs["request_ids"]
    ('AK-47', 20.5, ['r1'])
    """
    bodies = [body] if isinstance(body, (bytes, bytearray, memoryview)) else list(body)
    pages = [read_page(bytes(one)) for one in bodies]
    arrow = [page for page in pages if page is not None]
    frame = from_arrow_pages([(steam_id, arrow)], game) if len(arrow) == len(bodies) else None
    if frame is None:
        return _from_decoded(bodies, game, steam_id, from_cache, fetched_at, stale)
    first = arrow[0]
    frame.attrs = frame_attrs(
        frame, first.declared_count, first.updated_at, first.collateral, game=game,
        steam_id=steam_id, request_ids=[p.request_id for p in arrow if p.request_id],
        from_cache=from_cache, fetched_at=fetched_at, stale=stale,
    )  # fmt: skip
    return frame


class PageLike(Protocol):
    """What the builders read of a response page (the client's ``Page``)."""

    @property
    def arrow(self) -> ArrowPage | None: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def from_cache(self) -> bool: ...
    @property
    def fetched_at(self) -> str | None: ...
    @property
    def stale(self) -> bool: ...


def from_responses(
    pages: Sequence[PageLike], *, game: str = GAME_CS2, steam_id: str | None = None
) -> pd.DataFrame:
    """One account's frame from its response pages (``AssetPayClient.pages``).

    Pages Arrow read are built without decoding them into Python objects; the others
    go through ``from_pages``. ``attrs`` as in ``from_pages``.

    Examples
    --------
    >>> import assetpay_analytics as apa
    >>> with apa.sandbox.serve(page_cap=10) as box:
    ...     client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    ...     pages = list(client.pages(box.trade_urls[0]))
    >>> df = from_responses(pages, steam_id=apa.TradeUrl.parse(box.trade_urls[0]).steam_id)
    >>> len(df) == df.attrs["count"] and len(df.attrs["request_ids"]) == len(pages)
    True
    """
    meta = _meta(pages)
    arrow = [page.arrow for page in pages]
    built = None
    if pages and all(page is not None for page in arrow):
        built = from_arrow_pages([(steam_id, [p for p in arrow if p is not None])], game)
    if built is None:
        # Arrow refused a page (or its values): decode and build in Python, not retry
        return pages_frame([p.data for p in pages], game, steam_id, arrow=False, **meta)
    first = arrow[0]
    assert first is not None
    built.attrs = frame_attrs(
        built, first.declared_count, first.updated_at, first.collateral, game=game,
        steam_id=steam_id, **meta,
    )  # fmt: skip
    return built


def from_accounts(
    accounts: Sequence[tuple[str | None, Sequence[PageLike]]], *, game: str = GAME_CS2
) -> pd.DataFrame:
    """One frame of many accounts' pages, built in one pass (no frame per account).

    ``accounts`` holds (steam_id, pages) in row order. ``attrs`` holds ``anomalies``
    only: the batch's other attrs are the caller's.
    """
    arrow = [(sid, [page.arrow for page in pages]) for sid, pages in accounts]
    if all(page is not None for _, pages in arrow for page in pages):
        built = from_arrow_pages(
            [(sid, [p for p in ps if p is not None]) for sid, ps in arrow], game
        )
        if built is not None:
            return built
    if not accounts:
        return empty_frame()
    frames = [from_responses(pages, game=game, steam_id=sid) for sid, pages in accounts]
    stacked = concat(frames)
    stacked.attrs = {"anomalies": [a for f in frames for a in f.attrs["anomalies"]]}
    return stacked


def _meta(pages: Sequence[PageLike]) -> dict[str, Any]:
    """Where the pages came from: request ids, cache, the oldest answer, staleness."""
    return {
        "request_ids": [page.request_id for page in pages if page.request_id],
        "from_cache": all(page.from_cache for page in pages),
        "fetched_at": min((p.fetched_at for p in pages if p.fetched_at), default=None),
        "stale": any(page.stale for page in pages),
    }


def _from_decoded(
    bodies: Sequence[bytes | bytearray | memoryview],
    game: str,
    steam_id: str | None,
    from_cache: bool,
    fetched_at: str | None,
    stale: bool,
) -> pd.DataFrame:
    """``from_body`` through the Python path: decode, check the shape, ``from_pages``."""
    data: list[Mapping[str, Any]] = []
    request_ids: list[str] = []
    for i, body in enumerate(bodies):
        try:
            envelope = read_envelope(bytes(body))
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"body {i + 1} is not one JSON document ({exc})") from None
        page = envelope.get("data") if envelope.get("success") is True else None
        problem = shape_problem(page) if page is not None else "not a success envelope"
        if problem is not None or page is None:
            raise ValueError(f"body {i + 1}: {problem}")
        data.append(page)
        if isinstance(envelope.get("requestId"), str):
            request_ids.append(envelope["requestId"])
    return pages_frame(
        data, game, steam_id, arrow=False, request_ids=request_ids,
        from_cache=from_cache, fetched_at=fetched_at, stale=stale,
    )  # fmt: skip
