"""Batches that stop and explain, over real HTTP against the sandbox's faults.

Promise 5 of the integrity issue (an outage budget, Ctrl-C that cancels the queue,
errors traced to their input) and the issue's acceptance batch: 50 accounts under a
mix of transient faults, one shifting and one duplicating inventory.
"""

from __future__ import annotations

import _thread
import math
import threading
import time

import pandas as pd
import pytest

import assetpay_analytics as apa
from assetpay_analytics.client import RetryPolicy
from assetpay_analytics.sandbox import Faults


def client_for(box, **kwargs):
    kwargs.setdefault("retry", RetryPolicy(attempts=2, backoff=0.01, backoff_max=0.02))
    kwargs.setdefault("cache", None)
    return apa.AssetPayClient(api_key=box.api_key, base_url=box.url, **kwargs)


def accounts(n, first=10_000):
    """n distinct trade URLs the sandbox serves deterministic inventories for."""
    return [apa.TradeUrl(first + i, "Tok_en-1").url for i in range(n)]


def inventory_requests(box):
    return [r for r in box.requests if r.path == "/secure/inventory"]


def test_a_dead_upstream_stops_the_batch_and_lists_the_rest():
    urls = accounts(300)
    policy = RetryPolicy(attempts=2, backoff=0.01, backoff_max=0.02)
    with apa.sandbox.serve(faults=Faults(error_rate=1.0)) as box:
        df = client_for(box, retry=policy).inventories(
            urls, workers=4, give_up_after=5, progress=False
        )
        sent = len(inventory_requests(box))
    # at most the run that proved the outage, plus the accounts then in flight
    assert sent <= (5 + 4) * policy.attempts
    errors = df.assetpay.errors
    assert len(df) == 0 and len(errors) == 300
    assert errors["input"].tolist() == list(range(300))
    skipped = errors[errors["attempts"] == 0]
    assert len(skipped) >= 300 - (5 + 4)
    assert skipped["message"].str.startswith("not attempted").all()
    tried = errors[errors["attempts"] > 0]
    assert (tried["key"].isin(["FLEET_DEGRADED", "NO_BOTS_AVAILABLE"])).all()


def test_a_recovering_upstream_does_not_trip_the_budget(sandbox):
    # flaky fails twice then serves: a run of failures never builds up
    urls = [sandbox.accounts["flaky"].trade_url, *sandbox.trade_urls]
    df = client_for(sandbox, retry=RetryPolicy(attempts=3, backoff=0.01)).inventories(
        urls, give_up_after=1, progress=False
    )
    assert df.attrs["errors"] == []


def _interrupt_after(box, n):
    """Ctrl-C (a real KeyboardInterrupt in the main thread) after n requests."""

    def watch():
        while len(box.requests) < n:
            time.sleep(0.005)
        _thread.interrupt_main()

    threading.Thread(target=watch, daemon=True).start()


def _settled(box):
    """The request log once the requests in flight at Ctrl-C have finished.

    The batch's worker threads (named ``assetpay_*``) finish their current request and
    write it to the cache; joining them makes the re-run see every finished account.
    """
    for thread in threading.enumerate():
        if thread.name.startswith("assetpay_"):
            thread.join(timeout=60)
    return box.requests


def test_ctrl_c_cancels_the_queue_and_a_rerun_resumes_from_the_cache(tmp_path):
    urls = accounts(160)
    with apa.sandbox.serve(faults=Faults(latency=0.05)) as box:
        client = client_for(box, cache=tmp_path / "c.sqlite")
        _interrupt_after(box, 10)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.inventories(urls, workers=4, progress=False)
        waited = time.monotonic() - started
        first = _settled(box)
        assert len(first) <= 10 + 4  # nothing beyond the requests in flight
        assert waited < 30  # not the 160 accounts' worth of requests
        fetched = sum(r.status == 200 for r in first)
        box.reset()
        df = client.inventories(urls, workers=4, progress=False)
        assert len(inventory_requests(box)) == 160 - fetched  # the rest came from the cache
    assert df.attrs["errors"] == [] and df["steam_id"].nunique() == 160


def test_acceptance_fifty_accounts_under_a_fault_mix():
    urls = accounts(50, first=20_000)
    shifting, duplicating = (apa.TradeUrl.parse(u).partner for u in urls[7:9])
    with apa.sandbox.serve(page_cap=25) as box:
        clean = client_for(box).inventories(urls, progress=False)
        counts = {u: len(box.items(u)) for u in urls}
    faults = Faults(
        error_rate=0.30, reset_rate=0.05, truncate_rate=0.02,
        shifting={shifting: 10_000}, duplicate_pages=frozenset({duplicating}), seed=3,
    )  # fmt: skip
    policy = RetryPolicy(attempts=12, backoff=0.01, backoff_max=0.02, rereads=2)
    with apa.sandbox.serve(page_cap=25, faults=faults) as box:
        df = client_for(box, retry=policy).inventories(urls, workers=4, progress=False)
        sent = len(inventory_requests(box))
    odd = {urls[7], urls[8]}
    odd_ids = {apa.TradeUrl.parse(u).steam_id for u in odd}
    # every other account is exactly its fault-free frame
    keep = lambda frame: frame[~frame["steam_id"].isin(odd_ids)].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(keep(df), keep(clean), check_categorical=False)
    # the shifting and duplicating accounts are exact or listed
    errors = df.assetpay.errors
    listed = set(errors["steam_id"])
    assert listed <= odd_ids
    for steam_id in odd_ids - listed:
        got = df[df["steam_id"] == steam_id]
        assert got["item_id"].is_unique
    # no request beyond the bounds: every page call within its attempts, every read
    # within ceil(count / page) + 1 pages, at most 1 + rereads reads
    bound = sum(
        policy.attempts * (1 + policy.rereads) * (math.ceil((counts[u] + 20) / 25) + 1)
        for u in urls
    )
    assert sent <= bound


def test_a_wrong_key_stops_the_batch_and_close_waits_for_requests_in_flight(sandbox, tmp_path):
    # the key is every account's problem: raised at once, not one row per account
    urls = accounts(24)
    client = apa.AssetPayClient(api_key="ap_sandbox_wrong_key", base_url=sandbox.url,
                                cache=tmp_path / "c.sqlite")  # fmt: skip
    with pytest.raises(apa.AuthenticationError):
        client.inventories(urls, workers=8, progress=False)
    assert len(inventory_requests(sandbox)) < len(urls)  # the queue was cancelled
    # requests may still be in flight in the pool's threads; closing the cache's sqlite
    # connection under them could crash the process, so close() waits until none is
    client.close()
    assert client._reader.wait_idle(timeout=0)
