"""The data's time as every output says it: a range over the accounts, oldest first."""

from __future__ import annotations

import pandas as pd

import assetpay_analytics as apa
from assetpay_analytics.frame.provenance import about, data_time
from assetpay_analytics.sandbox import data


def test_a_batch_shows_its_oldest_and_newest_account(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    df = client.inventories(box.trade_urls, progress=False)
    client.close()
    held = {str(sid) for sid in df["steam_id"].unique()}
    # from the sandbox's own demo data, not from the frame
    stamps = sorted(
        pd.Timestamp(data.updated_at(account.partner))
        for account in box.accounts.values()
        if account.steam_id in held
    )
    oldest, newest = stamps[0], stamps[-1]
    assert oldest < newest  # the demo accounts were read at different minutes
    shown = data_time(df)
    assert shown == f"{oldest:%Y-%m-%d %H:%M}–{newest:%H:%M} UTC"
    assert f"data as of {shown}" in about(df, "AssetPay sandbox")


def test_days_apart_show_both_dates():
    df = pd.DataFrame(
        {"updated_at": pd.to_datetime(["2026-06-02T08:00Z", "2026-05-31T23:59Z"], utc=True)}
    )
    assert data_time(df) == "2026-05-31 23:59 – 2026-06-02 08:00 UTC"
    assert data_time(pd.DataFrame()) is None
    assert "data time unknown" in about(pd.DataFrame(), "x")
