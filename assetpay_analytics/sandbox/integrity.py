"""The integrity faults' effect on an answer: pure functions over items and ``data``.

What lives here: the out-of-range values (``spoil``), the items a shifting inventory
gains (``shift_item``), an endless inventory's pages (``endless_page``) and the
malformed shapes of ``data`` (``malform``). Which account gets which is decided by
``Faults``; the state they persist in (the shifts so far) is ``app.SandboxState``.
"""

from __future__ import annotations

from typing import Any

from ..constants import UNLIMITED
from . import data

__all__ = [
    "ENDLESS_COUNT",
    "ENDLESS_PAGE_MAX",
    "endless_page",
    "endless_page_size",
    "malform",
    "shift_item",
    "shift_seed",
    "spoil",
]

#: The ``count`` an endless inventory reports.
ENDLESS_COUNT = 1_000_000_000
#: The most items one page of an endless inventory brings, whatever ``limit`` asks.
ENDLESS_PAGE_MAX = 1_000
#: The page size of an endless inventory asked for ``limit=-1`` with no page cap.
ENDLESS_UNLIMITED_PAGE = 10


def spoil(items: list[dict[str, Any]]) -> None:
    """Put the documented out-of-range values into the first six items (in place).

    Examples
    --------
    >>> items = [{"id": f"i{n}", "wear": "0.5"} for n in range(6)]
    >>> spoil(items)
    >>> items[0]["marketPrice"], items[1]["offer"], items[4]["exterior"], items[5]["id"]
    (-12.5, {'price': -3.0}, 'Brand New', None)
    """
    edits: list[tuple[str, Any]] = [
        ("marketPrice", -12.5),
        ("offer.price", -3.0),
        ("wear", "1.7"),
        ("wear", "-0.2"),
        ("exterior", "Brand New"),
        ("id", None),
    ]
    for item, (name, value) in zip(items, edits, strict=False):
        if name == "offer.price":
            offer = item.get("offer")
            item["offer"] = {**(offer if isinstance(offer, dict) else {}), "price": value}
        else:
            item[name] = value


def shift_seed(partner: int, game: str, n: int) -> tuple[str, str]:
    """(seed, id) of the n-th item (from 1) a shifting inventory gains."""
    return f"shift:{partner}:{n}", f"enc_shift_{partner}_{game}_{n:04d}"


def shift_item(partner: int, game: str, n: int) -> dict[str, Any]:
    """The n-th item (from 1) a shifting inventory gains: fresh id, deterministic."""
    seed, item_id = shift_seed(partner, game, n)
    return data.fresh_item(seed, game, item_id)


def endless_page_size(limit: int, page_cap: int | None) -> int:
    """How many items one page of an endless inventory brings (at least 1)."""
    size = limit if limit != UNLIMITED else (page_cap or ENDLESS_UNLIMITED_PAGE)
    if page_cap is not None:
        size = min(size, page_cap)
    return max(1, min(size, ENDLESS_PAGE_MAX))


def endless_page(partner: int, game: str, page: int, size: int) -> list[dict[str, Any]]:
    """Page ``page`` of an endless inventory: ``size`` new items, ids from the page number.

    Examples
    --------
    >>> [item["id"] for item in endless_page(7, "730", 3, 2)]
    ['enc_endless_7_p3_0', 'enc_endless_7_p3_1']
    """
    return [
        data.fresh_item(f"endless:{partner}:{page}:{n}", game, f"enc_endless_{partner}_p{page}_{n}")
        for n in range(size)
    ]


def malform(kind: str, answer: dict[str, Any]) -> Any:
    """``data`` of a success answer given the malformed shape ``kind`` (see ``Faults``).

    Examples
    --------
    >>> malform("count_text", {"inventory": [], "count": 0})
    {'inventory': [], 'count': 'lots'}
    >>> malform("data_list", {"inventory": [{"id": "a"}], "count": 1})
    [{'id': 'a'}]
    """
    items: list[Any] = answer["inventory"]
    if kind == "data_list":
        return items
    shaped = dict(answer)
    if kind == "inventory_object":
        shaped["inventory"] = {str(n): item for n, item in enumerate(items)}
    elif kind == "string_items":
        shaped["inventory"] = [str(item.get("id")) for item in items]
    elif kind == "count_text":
        shaped["count"] = "lots"
    elif kind == "no_inventory":
        del shaped["inventory"]
    elif kind == "item_list":
        first = [[key, value] for key, value in items[0].items()] if items else []
        shaped["inventory"] = [first, *items[1:]]
    else:
        raise ValueError(f"unknown malformed kind {kind!r}")
    return shaped
