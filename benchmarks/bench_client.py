"""Benchmark: fetching many accounts, the project's client against a plain baseline.

Both talk real HTTP to a sandbox on 127.0.0.1 that adds a fixed latency to every
answer (as a remote API would), in the same run:

- baseline: a plain ``requests`` loop, one account after the other, no cache;
- project, cold: ``client.inventories(workers=8)`` on an empty disk cache;
- project, warm: the same call again (a notebook re-run): served from the cache.

Run: ``.venv/bin/python benchmarks/bench_client.py [--latency 0.15] [--accounts 40]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import requests

import assetpay_analytics as apa
from assetpay_analytics.sandbox import Faults


def trade_urls(box, n: int) -> list[str]:
    """The demo accounts, then generated ones (any valid URL has a sandbox inventory)."""
    extra = [
        f"https://steamcommunity.com/tradeoffer/new/?partner={1000 + i}&token=Bench{i:03d}"
        for i in range(max(0, n - len(box.trade_urls)))
    ]
    return (list(box.trade_urls) + extra)[:n]


def baseline(box, urls: list[str]) -> int:
    items = 0
    with requests.Session() as session:
        for url in urls:
            body = session.get(
                f"{box.url}/secure/inventory",
                params={"tradeUrl": url, "game": "730", "limit": "-1"},
                headers={"api-key": box.api_key},
                timeout=30,
            ).json()
            items += len(body["data"]["inventory"])
    return items


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per answer")
    parser.add_argument("--accounts", type=int, default=40)
    args = parser.parse_args()
    with (
        apa.sandbox.serve(faults=Faults(latency=args.latency)) as box,
        tempfile.TemporaryDirectory() as tmp,
    ):
        urls = trade_urls(box, args.accounts)
        client = apa.AssetPayClient(
            api_key=box.api_key, base_url=box.url, cache=Path(tmp) / "bench.sqlite"
        )
        t_base, n_base = timed(baseline, box, urls)
        t_cold, cold = timed(lambda: client.inventories(urls, workers=8, progress=False))
        t_warm, warm = timed(lambda: client.inventories(urls, workers=8, progress=False))
    assert n_base == len(cold) == len(warm), (n_base, len(cold), len(warm))
    assert warm.attrs["from_cache"]
    print(
        f"{len(urls)} accounts, {n_base:,} items, {args.latency * 1000:.0f} ms latency per answer"
    )
    print(f"baseline  sequential requests, no cache : {t_base:6.2f} s")
    for label, seconds in (("cold", t_cold), ("warm", t_warm)):
        ratio = t_base / seconds
        print(f"project   inventories(workers=8), {label}  : {seconds:6.2f} s  ({ratio:.1f}x)")


if __name__ == "__main__":
    main()
