"""Benchmark: what the safe cache serializer costs on a warm reload.

The cache's rows used to be pickles (requests-cache's default), which run code when
read; they are now JSON (orjson through requests-cache's cattrs stage), checked to be
a stored success envelope. Both are measured in the same run on the same accounts:
each serializer gets its own cache, filled once from a sandbox in another process,
then a new client reloads every account from it (the notebook re-run), several
times, interleaved.

Run: ``.venv/bin/python benchmarks/bench_cache.py [--accounts 200] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_client import sandbox_process, trade_urls

import assetpay_analytics as apa
from assetpay_analytics._session import SERIALIZER, build_session
from assetpay_analytics.cache import CacheLocation
from assetpay_analytics.constants import RATE_LIMIT_VERIFIED
from assetpay_analytics.sandbox import SANDBOX_API_KEY

SERIALIZERS = {"pickle (before)": "pickle", "safe json (now)": SERIALIZER}


def client(base_url: str, path: Path, serializer: object) -> apa.AssetPayClient:
    session = build_session(
        cache=CacheLocation(path, path),
        expire_after=None,
        per_minute=RATE_LIMIT_VERIFIED,
        serializer=serializer,
    )
    return apa.AssetPayClient(api_key=SANDBOX_API_KEY, base_url=base_url, session=session)


def reload(base_url: str, path: Path, serializer: object, urls: list[str]) -> float:
    with client(base_url, path, serializer) as fresh:
        start = time.perf_counter()
        df = fresh.inventories(urls, progress=False)
        seconds = time.perf_counter() - start
    assert df.attrs["from_cache"] and not df.attrs["errors"], "not a warm reload"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    urls = trade_urls(args.accounts)
    times: dict[str, list[float]] = {name: [] for name in SERIALIZERS}
    with sandbox_process(0.0) as base_url, tempfile.TemporaryDirectory() as tmp:
        paths = {name: Path(tmp) / f"{i}.sqlite" for i, name in enumerate(SERIALIZERS)}
        for name, serializer in SERIALIZERS.items():
            with client(base_url, paths[name], serializer) as filler:
                items = len(filler.inventories(urls, progress=False))
        for _ in range(args.repeat):
            for name, serializer in SERIALIZERS.items():
                times[name].append(reload(base_url, paths[name], serializer, urls))
        sizes = {name: path.stat().st_size for name, path in paths.items()}
    print(f"warm reload of {len(urls)} cached accounts ({items:,} items), {args.repeat} runs")
    base = statistics.median(times["pickle (before)"])
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"{name:16s} min {min(seconds):.3f} s  median {median:.3f} s  "
            f"({median / base:.2f}x pickle)  file {sizes[name] / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
