"""fetch.hits: a warm batch reads its cache hits in bulk, and anything odd goes the usual way.

Real sqlite caches written by a real client against the sandbox; the spies below
record calls and let them through.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import requests

import assetpay_analytics as apa
from assetpay_analytics.fetch import session as _session
from tests.test_client import inventory_requests


def _filled(box, path, **kwargs):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=path, **kwargs)
    frame = client.inventories(list(box.trade_urls), progress=False)
    client.close()
    return frame


def _client(box, path, **kwargs):
    return apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=path, **kwargs)


def test_a_warm_batch_reads_rows_without_requests_cache(sandbox, tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite"
    cold = _filled(sandbox, path)
    loads = []
    real = _session.SafeSerializer.loads
    monkeypatch.setattr(
        _session.SafeSerializer, "loads", lambda self, v: (loads.append(1), real(self, v))[1]
    )
    before = len(inventory_requests(sandbox))
    warm = _client(sandbox, path).inventories(list(sandbox.trade_urls), progress=False)
    assert loads == [] and len(inventory_requests(sandbox)) == before
    assert warm.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(warm, cold)
    assert warm.attrs["count"] == cold.attrs["count"]
    # when AssetPay answered: the stored time (the live answer read the clock just after)
    answered = pd.Timestamp(warm.attrs["fetched_at"]) - pd.Timestamp(cold.attrs["fetched_at"])
    assert abs(answered) < pd.Timedelta(seconds=1)


def test_a_row_that_is_not_ours_is_fetched_again(sandbox, tmp_path):
    """A planted row under a real key is not a bulk hit; the usual path decides."""
    path = tmp_path / "c.sqlite"
    _filled(sandbox, path)
    with sqlite3.connect(path) as con:
        key = con.execute("SELECT key FROM responses LIMIT 1").fetchone()[0]
        con.execute("UPDATE responses SET value = ? WHERE key = ?", (b'{"a": 1}', key))
    before = len(inventory_requests(sandbox))
    warm = _client(sandbox, path).inventories(list(sandbox.trade_urls), progress=False)
    assert len(inventory_requests(sandbox)) == before + 1  # only that account
    assert warm.attrs["errors"] == []


def test_expired_rows_are_not_hits(sandbox, tmp_path):
    path = tmp_path / "c.sqlite"
    _filled(sandbox, path, expire_after=0)
    before = len(inventory_requests(sandbox))
    warm = _client(sandbox, path, expire_after=0)
    warm.inventories(list(sandbox.trade_urls), progress=False)
    fetched = [r for r in inventory_requests(sandbox)[before:]]
    assert len(fetched) >= len(sandbox.trade_urls) - 1  # every account with items, again


def test_no_bulk_hits_without_a_sqlite_cache(sandbox):
    from assetpay_analytics.endpoints.inventory import INVENTORY
    from assetpay_analytics.fetch.hits import bulk_hits

    assert bulk_hits(requests.Session(), INVENTORY, ["k"]) == {}
    client = apa.AssetPayClient(api_key=sandbox.api_key, base_url=sandbox.url, cache=None)
    assert bulk_hits(client._session, INVENTORY, ["k"]) == {}
