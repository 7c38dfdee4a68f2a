"""The pager on its own: reads that add up, reads that do not, and the page bound.

The pager is handed a function that returns one page; here that function serves
hand-written pages (the HTTP side is covered over real HTTP in test_integrity.py).
"""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

import assetpay_analytics as apa
from assetpay_analytics.constants import MAX_INVENTORY_COUNT
from assetpay_analytics.endpoints.inventory import PAGING
from assetpay_analytics.fetch.page import Page
from assetpay_analytics.fetch.paging import read_counted

read_pages = partial(read_counted, PAGING)  # the inventory's pager


def items(*ids):
    return [{"id": i} for i in ids]


class Server:
    """Serves pages from a function of (read number, page, limit); logs every call."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []
        self.reads = 0

    def __call__(self, params, bypass):
        page, limit = int(params["page"]), int(params["limit"])
        if page == 1:
            self.reads += 1
        self.calls.append((self.reads, page, limit, bypass))
        inventory, count = self.answer(self.reads, page, limit)
        return Page({"inventory": inventory, "count": count}, f"r{len(self.calls)}", False)


def paged(all_ids, size, count=None):
    """A well-behaved server with pages of ``size`` (limit=-1 still gets ``size``)."""

    def answer(read, page, limit):
        start = (page - 1) * size
        return items(*all_ids[start : start + size]), len(all_ids) if count is None else count

    return answer


def ids_of(pages):
    return [item["id"] for page in pages for item in page.data["inventory"]]


def test_a_consistent_read_is_returned_once_with_every_item():
    server = Server(paged(list(range(25)), size=10))
    pages = read_pages(server, {}, refresh=False, rereads=2)
    assert ids_of(pages) == list(range(25))
    assert [(p, limit) for _, p, limit, _ in server.calls] == [(1, -1), (2, 10), (3, 10)]
    assert not any(bypass for *_, bypass in server.calls)


def test_duplicated_page_is_reread_then_raised():
    # page 2 repeats page 1 on every read: 30 items arrive, 10 of them twice
    def answer(read, page, limit):
        start = 0 if page == 2 else (page - 1) * 10
        return items(*range(start, start + 10)), 30

    server = Server(answer)
    with pytest.raises(apa.InconsistentInventory) as caught:
        read_pages(server, {}, refresh=False, rereads=2, context="steam_id 1")
    err = caught.value
    assert err.retryable
    assert "arrived twice" in err.message and "steam_id 1" in err.message
    # ten ids arrive twice (page 2 = page 1); the first five are quoted
    assert err.details["duplicates"] == ["0", "1", "2", "3", "4"]
    assert "10 item id(s)" in err.message
    assert server.reads == 3  # the first read and two re-reads
    assert err.attempts == len(server.calls) == 9
    # re-reads bypass the disk cache; the first read does not
    assert [bypass for read, page, _, bypass in server.calls if page == 1] == [False, True, True]


def test_a_reread_that_adds_up_is_returned():
    # the first read sees an item inserted between pages; the second read is clean
    base = list(range(20))

    def answer(read, page, limit):
        now = ["new", *base] if (read > 1 or page > 1) else base
        start = (page - 1) * 10
        return items(*now[start : start + 10]), len(now)

    server = Server(answer)
    pages = read_pages(server, {}, refresh=False, rereads=2)
    assert ids_of(pages) == ["new", *base]
    assert server.reads == 2


def test_count_moving_between_pages_is_named():
    def answer(read, page, limit):
        return items(*range((page - 1) * 10 + read * 100, page * 10 + read * 100)), 20 + page

    with pytest.raises(apa.InconsistentInventory, match="count moved from 21 to 22"):
        read_pages(Server(answer), {}, refresh=False, rereads=0)


def test_empty_page_before_count_is_reached_is_missing_items():
    server = Server(paged(list(range(10)), size=10, count=100))
    with pytest.raises(apa.InconsistentInventory) as caught:
        read_pages(server, {}, refresh=False, rereads=1)
    assert caught.value.details["count"] == 100
    assert caught.value.details["received"] == 10
    assert len(server.calls) == 4  # two reads of two pages: page 2 comes back empty


def test_more_items_than_count_is_inconsistent():
    server = Server(paged(list(range(12)), size=50, count=10))
    with pytest.raises(apa.InconsistentInventory, match="12 items arrived but count says 10"):
        read_pages(server, {}, refresh=False, rereads=0)


def test_count_beyond_the_ceiling_stops_after_the_first_page():
    def answer(read, page, limit):
        return items(*range((page - 1) * 10, page * 10)), 10**9

    server = Server(answer)
    with pytest.raises(apa.InconsistentInventory, match="beyond any real inventory"):
        read_pages(server, {}, refresh=False, rereads=2)
    assert len(server.calls) == 1
    assert MAX_INVENTORY_COUNT < 10**9


@pytest.mark.parametrize("count", [25, 1000])
def test_page_requests_are_bounded_by_count_and_page_size(count):
    # every page brings fewer items than the page size: the loop must stop at the bound
    def answer(read, page, limit):
        size = 10 if page == 1 else 3
        start = 0 if page == 1 else 10 + (page - 2) * 3
        return items(*(f"{read}-{i}" for i in range(start, start + size))), count

    server = Server(answer)
    with pytest.raises(apa.InconsistentInventory):
        read_pages(server, {}, refresh=False, rereads=0)
    bound = -(-count // 10) + 1  # ceil(count / page size), plus one
    assert len(server.calls) <= bound


def test_items_without_id_are_not_duplicates():
    def answer(read, page, limit):
        return [{"id": None}, {"id": None}, {"id": "a"}], 3

    pages = read_pages(Server(answer), {}, refresh=False, rereads=0)
    assert len(ids_of(pages)) == 3


def test_refresh_bypasses_the_cache_and_refreshes_upstream_once():
    server = Server(paged(list(range(15)), size=10))
    seen = []

    def get(params, bypass):
        seen.append(params.get("refresh"))
        return server(params, bypass)

    read_pages(get, {"tradeUrl": "x"}, refresh=True, rereads=0)
    assert seen == ["true", None]
    assert all(bypass for *_, bypass in server.calls)


# --- any server, any fault: the pager returns exactly the inventory or raises -----------

FAULTS = ["none", "repeat_page", "drop_item", "insert_item", "count_up", "count_down"]


@given(
    n=st.integers(0, 60),
    size=st.integers(1, 25),
    fault=st.sampled_from(FAULTS),
    at=st.integers(1, 4),
    reads_faulty=st.integers(0, 4),
)
def test_the_pager_returns_the_inventory_exactly_or_raises(n, size, fault, at, reads_faulty):
    truth = [f"id{i}" for i in range(n)]

    def answer(read, page, limit):
        now, count = list(truth), len(truth)
        broken = read <= reads_faulty and page >= at
        if broken and fault == "insert_item":
            now.insert(0, f"new{read}")
            count += 1
        if broken and fault == "drop_item" and now:
            now.pop(0)
        if broken and fault == "count_up":
            count += 3
        if broken and fault == "count_down":
            count = max(0, count - 3)
        start = (page - 1) * size
        if broken and fault == "repeat_page" and page > 1:
            start -= size
        return items(*now[start : start + size]), count

    server = Server(answer)
    try:
        pages = read_pages(server, {}, refresh=False, rereads=2)
    except apa.InconsistentInventory:
        assert reads_faulty >= 1 and fault != "none"  # only a fault ever raises
    else:
        got = ids_of(pages)
        assert len(got) == len(set(got))  # never a duplicate
        assert len(got) == pages[0].data["count"]  # as many items as the count says
        if at > 1 or fault in ("none", "repeat_page", "count_up"):
            # pages that disagree are never returned: this is the truth
            assert got == truth
        # else: the change came before page 1 and every page agreed with it, which no
        # client can tell from a real change of the inventory
    # bounded: at most three reads of ceil(count / size) + 1 pages each
    assert len(server.calls) <= 3 * (-(-(n + 3) // size) + 1)
