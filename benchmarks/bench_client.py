"""Benchmark: fetching many accounts, the project's client against a plain baseline.

Both talk real HTTP to a sandbox on 127.0.0.1 that adds a fixed latency to every
answer (as a remote API would), in the same run. The sandbox runs in a process of its
own, so it does not compete with the client for the GIL:

- baseline: a plain ``requests`` loop, one account after the other, no cache;
- project, cold: ``client.inventories(workers=8)`` on an empty disk cache;
- project, warm: the same call again (a notebook re-run): served from the cache.

Run: ``.venv/bin/python benchmarks/bench_client.py [--latency 0.15] [--accounts 40]``
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

import assetpay_analytics as apa
from assetpay_analytics.sandbox import SANDBOX_API_KEY, data


@contextmanager
def sandbox_process(latency: float) -> Iterator[str]:
    """A sandbox in its own process (``sandbox.run`` on a free port); yields its URL."""
    code = (
        "from assetpay_analytics import sandbox; "
        f"sandbox.run(0, faults=sandbox.Faults(latency={latency!r}))"
    )
    proc = subprocess.Popen([sys.executable, "-u", "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert found, "the sandbox did not print its URL"
        yield found.group(0)
    finally:
        proc.send_signal(signal.SIGINT)  # run() stops cleanly on Ctrl-C
        proc.wait(timeout=10)


def trade_urls(n: int) -> list[str]:
    """The demo accounts, then generated ones (any valid URL has a sandbox inventory)."""
    demo = [account.trade_url for account in data.ACCOUNTS if account.kind == "normal"]
    extra = [
        f"https://steamcommunity.com/tradeoffer/new/?partner={1000 + i}&token=Bench{i:03d}"
        for i in range(max(0, n - len(demo)))
    ]
    return (demo + extra)[:n]


def baseline(base_url: str, urls: list[str]) -> int:
    items = 0
    with requests.Session() as session:
        for url in urls:
            body = session.get(
                f"{base_url}/secure/inventory",
                params={"tradeUrl": url, "game": "730", "limit": "-1"},
                headers={"api-key": SANDBOX_API_KEY},
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
    with sandbox_process(args.latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        urls = trade_urls(args.accounts)
        client = apa.AssetPayClient(
            api_key=SANDBOX_API_KEY, base_url=base_url, cache=Path(tmp) / "bench.sqlite"
        )
        t_base, n_base = timed(baseline, base_url, urls)
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
