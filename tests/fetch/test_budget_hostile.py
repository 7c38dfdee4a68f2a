"""fetch.budget against hostile input: a server's Retry-After, another process's rows,
a budget file that is not the budget's own, and Ctrl-C while requests wait for a slot.

Each test reproduces a defect of issue 23 as it stood on main (said in its docstring).
A hostile server is a tiny local one (``tests/raw_server.py``): the sandbox never sends
``Retry-After: inf``. No assertion is about how long anything took, except two generous
bounds on a wait that is 30-60 times longer (said where they are).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import warnings

import orjson
import pytest

import assetpay_analytics as apa
from assetpay_analytics.endpoints.inventory import INVENTORY
from assetpay_analytics.fetch import budget_file
from assetpay_analytics.fetch.budget import (
    BUDGET_FILE,
    RateBudget,
    RateBudgetWarning,
    waiting,
)
from assetpay_analytics.fetch.retry import LONGEST_RETRY_AFTER, Cancelled, retry_after
from tests.raw_server import raw_server

_ERROR = {"code": 1005, "key": "RATE_LIMITED", "message": "slow down"}
REFUSED = orjson.dumps({"requestId": "r-429", "success": False, "error": _ERROR})


@pytest.mark.parametrize(
    ("sent", "read"),
    [("inf", LONGEST_RETRY_AFTER), ("Infinity", LONGEST_RETRY_AFTER),
     ("1e308", LONGEST_RETRY_AFTER), ("86400", 86400.0), ("nan", None), ("-3", None),
     ("soon", None), ("", None), ("2.5", 2.5),
     ("Fri, 31 Dec 9999 23:59:59 GMT", LONGEST_RETRY_AFTER),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_is_parsed_safely(sent, read):
    assert retry_after({"Retry-After": sent}) == read


@pytest.mark.parametrize("header", ["inf", "86400"])
def test_a_huge_retry_after_pauses_the_shared_budget_no_longer_than_max_pause(
    header, tmp_path, box
):
    """On main, ``inf`` made every later call for the key raise a raw OverflowError, and
    ``86400`` paused every process using the key for a day."""
    retry = apa.RetryPolicy(attempts=2, retry_after_max=1.0)
    cache = tmp_path / "c.sqlite"
    with raw_server(429, REFUSED, {"Retry-After": header}) as (server, hits):
        url = f"http://127.0.0.1:{server.server_address[1]}"
        hostile = apa.AssetPayClient(api_key=box.api_key, base_url=url, cache=cache, retry=retry)
        with pytest.raises(apa.RateLimited) as caught:
            hostile.inventory(box.trade_urls[0])
        assert len(hits) == 1  # over retry_after_max: raised at once, not retried
        assert (
            caught.value.retry_after == float(header) if header != "inf" else (LONGEST_RETRY_AFTER)
        )
        budget = hostile._budgets.budget(INVENTORY.family)
        assert budget.state().paused_until <= time.monotonic() + 1.0 + 1e-6
        hostile.close()
    # the same key and cache directory against a sound server: the pause was capped
    sound = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=cache, retry=retry)
    assert len(sound.inventory(box.trade_urls[0])) > 0
    sound.close()


def _poison(path, name, next_slot, paused_until):
    """The row as another writer left it: the budget's columns, without NOT NULL."""
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE budget")
        con.execute("CREATE TABLE budget (name TEXT PRIMARY KEY, next_slot, paused_until, "
                    "updated)")  # fmt: skip
        con.execute("INSERT INTO budget VALUES (?, ?, ?, ?)", (name, next_slot, paused_until, 0.0))


@pytest.mark.parametrize(
    ("next_slot", "paused_until", "what"),
    [("soon", 0.0, "not finite numbers"), (None, 0.0, "not finite numbers"),
     (1e308, 0.0, "more than two windows ahead"), (0.0, float("inf"), "not finite numbers"),
     (0.0, "later", "not finite numbers")],
)  # fmt: skip
def test_rows_that_cannot_be_believed_are_repaired_with_one_warning(
    tmp_path, next_slot, paused_until, what
):
    """On main text or NULL raised TypeError and 1e308 an OverflowError, on every call."""
    path = tmp_path / BUDGET_FILE
    RateBudget(path, "k", 600).acquire()  # creates the file and the row
    _poison(path, "k", next_slot, paused_until)
    budget = RateBudget(path, "k", 600)
    with pytest.warns(RateBudgetWarning, match=what) as caught:
        slots = [budget.acquire() for _ in range(3)]
    assert len(caught) == 1
    assert slots[0] <= time.monotonic()  # no wait: the schedule started afresh


def test_a_pause_or_slot_far_ahead_written_elsewhere_is_bounded(tmp_path):
    """On main a slot or pause an hour ahead made every call wait an hour, uncapped."""
    path = tmp_path / BUDGET_FILE
    first = RateBudget(path, "k", 600, max_pause=2.0)
    first.acquire()
    now = time.monotonic()
    _poison(path, "k", now + 3600.0, now + 3600.0)
    budget = RateBudget(path, "k", 600, max_pause=2.0)
    with pytest.warns(RateBudgetWarning, match="beyond max_pause"):
        state = budget.state()
    assert state.paused_until <= time.monotonic() + 2.0 + 1e-6


def test_a_slot_past_the_calls_deadline_is_not_waited_for_nor_reserved():
    budget = RateBudget(None, "k", 1, window=3600.0)  # one request an hour
    budget.acquire()
    before = budget.state()
    deadline = time.monotonic() + 5.0
    with waiting(deadline=deadline, cancel=None), pytest.raises(apa.RateLimited) as caught:
        budget.acquire()
    assert caught.value.limit == "budget" and caught.value.key == "RATE_BUDGET"
    assert caught.value.retry_after == pytest.approx(3600.0, abs=5.0)
    assert budget.state() == before  # nothing reserved


def test_a_client_call_raises_rate_limited_instead_of_waiting_past_its_deadline(box, tmp_path):
    """One request a minute, a deadline of 5 s: the second call is refused, not slept."""
    client = apa.AssetPayClient(
        api_key=box.api_key, base_url=box.url, cache=None, requests_per_minute=1,
        retry=apa.RetryPolicy(deadline=5.0, attempts=2, retry_after_max=1.0),
    )  # fmt: skip
    client.inventory(box.trade_urls[0])
    sent = len(box.requests)
    with pytest.raises(apa.RateLimited, match="past this call's deadline") as caught:
        client.inventory(box.trade_urls[1])
    assert caught.value.limit == "budget" and len(box.requests) == sent  # nothing sent


def test_a_cancel_wakes_every_request_waiting_in_the_budget_and_none_is_sent():
    """On main Ctrl-C re-raised at once but the waiting workers slept out the pause and
    then sent their requests. The bound below is 30x shorter than the pause."""
    budget = RateBudget(None, "k", 600, max_pause=60.0)
    budget.pause(60.0)
    cancel, outcomes = threading.Event(), []

    def worker():
        with waiting(deadline=None, cancel=cancel):
            try:
                outcomes.append(budget.acquire())
            except Cancelled:
                outcomes.append("cancelled")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # let them start waiting (a wait, not an assertion)
    cancel.set()
    for thread in threads:
        thread.join(timeout=30.0)
    assert not any(thread.is_alive() for thread in threads)
    assert outcomes == ["cancelled"] * 4


def test_a_foreign_budget_table_keeps_the_budget_in_the_process_with_one_warning(tmp_path):
    """On main every call failed with a CacheError ("the disk cache failed")."""
    path = tmp_path / BUDGET_FILE
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE budget (name TEXT, something_else INTEGER)")
    budget = RateBudget(path, "k", 600)
    with pytest.warns(RateBudgetWarning, match=f"{BUDGET_FILE} cannot be used") as caught:
        budget.acquire()
        budget.acquire()
    assert len(caught) == 1 and budget.path is None


def test_a_budget_file_held_locked_is_left_after_busy_patience(tmp_path, monkeypatch):
    """On main a call waited 60 s, then failed with a misleading CacheError."""
    monkeypatch.setattr(budget_file, "BUSY_PATIENCE", 0.2)
    path = tmp_path / BUDGET_FILE
    budget = RateBudget(path, "k", 600)
    budget.acquire()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process keeps the file locked
    try:
        with pytest.warns(RateBudgetWarning, match="cannot be used"):
            budget.acquire()
        assert budget.path is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        budget.acquire()  # in the process from now on: no second warning
