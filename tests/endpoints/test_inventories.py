"""A batch's ``attrs``: one entry per page and per failed account, kept small to copy."""

from __future__ import annotations

import copy
import json

import assetpay_analytics as apa
from assetpay_analytics import sandbox
from assetpay_analytics.frame.records import REPR_ITEMS
from assetpay_analytics.sandbox import Faults

TRADE = "https://steamcommunity.com/tradeoffer/new/?partner={p}&token=Tok{i:05d}"
ACCOUNTS = 1_000
BROKEN = 300  # answered with a malformed success envelope: a MalformedResponse each


def test_a_1000_account_batch_keeps_attrs_small_and_shared(tmp_path):
    partners = [80_000 + i for i in range(ACCOUNTS)]
    broken = {p: "string_items" for p in partners[::3][:BROKEN]}
    urls = [TRADE.format(p=p, i=i) for i, p in enumerate(partners)]
    with sandbox.serve(faults=Faults(malformed=broken)) as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        df = client.inventories(urls, progress=False, workers=8)
        client.close()

    errors, request_ids = df.attrs["errors"], df.attrs["request_ids"]
    assert len(errors) == BROKEN
    assert df["steam_id"].nunique() == ACCOUNTS - BROKEN
    assert len(request_ids) >= ACCOUNTS - BROKEN  # one per page at least
    # the records are all there, as JSON, and the typed view reads them
    written = json.loads(json.dumps(df.attrs))
    assert len(written["errors"]) == BROKEN and written["request_ids"] == list(request_ids)
    assert df.assetpay.errors["input"].tolist() == sorted(
        urls.index(TRADE.format(p=p, i=partners.index(p))) for p in broken
    )
    # the repr does not grow with the batch: a screenful of each list at most
    assert len(repr(df.attrs)) < 2_000, repr(df.attrs)[:500]
    # pandas' copies of attrs share the lists instead of copying them
    for derived in (df[["market_price"]], df[df["market_price"] > 0], copy.deepcopy(df)):
        assert derived.attrs["errors"] is errors
        assert derived.attrs["request_ids"] is request_ids
    assert len(errors) > REPR_ITEMS  # the case the short repr is for
