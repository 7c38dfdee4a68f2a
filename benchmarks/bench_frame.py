"""Benchmark: a response body -> DataFrame, the project's builder against three baselines.

The bodies are sandbox inventories (the demo generator: skins, stickers, plain items,
nulls and extra keys as the API sends them), renumbered to N items. Measured in the
same run, repetitions interleaved in a shuffled order:

- floor: ``orjson.loads`` + one Python list per column + ``pd.DataFrame`` (the least
  a Python parser does; untyped: no name parsing, stickers as Python lists);
- json_normalize: ``json.loads`` + ``pd.json_normalize`` (what users write; untyped);
- pyarrow.json: ``pyarrow.json.read_json`` of the body + ``to_pandas`` (untyped);
- project: ``frame.from_body`` (typed schema, names parsed, anomalies set aside).

Memory (``--memory``): each builder runs in a fresh process on a 1M-item body; the
frame's own size, what the process keeps after the build (body freed) and the peak
above the process as it was before the build, from ``ru_maxrss``.

Run: ``.venv/bin/python benchmarks/bench_frame.py [--sizes 10000 100000 1000000]
[--repeat 3] [--memory]``
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import orjson
import pandas as pd
import pyarrow.json as pa_json

from assetpay_analytics import frame
from assetpay_analytics.sandbox import data as sandbox_data

STEAM_ID = "76561198000000001"
FIELDS = ("id", "assetId", "name", "marketHashName", "exterior", "wear", "paintSeed", "rarity",
          "type", "color", "tradable", "amount", "marketPrice", "iconUrl")  # fmt: skip
#: json_normalize is left out above this size (minutes per run, and not the question).
NORMALIZE_LIMIT = 200_000


def make_body(n: int) -> bytes:
    """A success envelope of ``n`` sandbox items with unique ids."""
    items: list[dict[str, object]] = []
    partner = 1000
    while len(items) < n:
        items += sandbox_data.inventory(partner, "730")
        partner += 1
    del items[n:]
    for i, item in enumerate(items):
        item["id"] = f"enc_{i:012x}"
    data = {"inventory": items, "count": n, "updatedAt": "2026-06-01T09:30:00Z", "collateral": 0}
    return orjson.dumps({"requestId": "bench", "success": True, "data": data})


def floor(body: bytes) -> pd.DataFrame:
    items = orjson.loads(body)["data"]["inventory"]
    columns = {name: [item.get(name) for item in items] for name in FIELDS}
    offers = [item.get("offer") or {} for item in items]
    for name in ("price", "accepted", "reference"):
        columns[f"offer_{name}"] = [offer.get(name) for offer in offers]
    columns["stickers"] = [item.get("stickers") for item in items]
    return pd.DataFrame(columns)


def json_normalize(body: bytes) -> pd.DataFrame:
    return pd.json_normalize(json.loads(body)["data"]["inventory"])


def pyarrow_json(body: bytes) -> pd.DataFrame:
    options = pa_json.ReadOptions(block_size=len(body) + 1)
    return pa_json.read_json(io.BytesIO(body), read_options=options).to_pandas()


def project(body: bytes) -> pd.DataFrame:
    return frame.from_body(body, steam_id=STEAM_ID)


BUILDERS: dict[str, Callable[[bytes], pd.DataFrame]] = {
    "floor": floor,
    "json_normalize": json_normalize,
    "pyarrow.json": pyarrow_json,
    "project": project,
}


def timings(body: bytes, names: list[str], repeat: int, seed: int) -> dict[str, list[float]]:
    """Seconds per run of each builder, runs interleaved in a shuffled order."""
    warm = make_body(100)
    for name in names:  # first calls pay for imports and caches: not measured
        BUILDERS[name](warm)
    order = [name for _ in range(repeat) for name in names]
    random.Random(seed).shuffle(order)
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in order:
        gc.collect()
        start = time.perf_counter()
        result = BUILDERS[name](body)
        times[name].append(time.perf_counter() - start)
        del result
    return times


def report_speed(sizes: list[int], repeat: int) -> None:
    print(f"body -> frame, {repeat} interleaved runs each: min / median seconds, ratio of medians")
    header = f"{'items':>9}  {'builder':<15} {'min':>8} {'median':>8}  {'x floor':>8}"
    print(f"{header}  {'speed-up':>8}")
    for n in sizes:
        body = make_body(n)
        names = [b for b in BUILDERS if b != "json_normalize" or n <= NORMALIZE_LIMIT]
        times = timings(body, names, repeat, seed=n)
        medians = {name: statistics.median(t) for name, t in times.items()}
        for name in names:
            speedup = medians[name] / medians["project"]
            print(
                f"{n:>9,}  {name:<15} {min(times[name]):8.3f} {medians[name]:8.3f}  "
                f"{medians[name] / medians['floor']:7.2f}x  {speedup:7.2f}x"
            )
        del body


def _rss() -> int:
    """This process's resident memory in bytes (Linux ``/proc``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def memory_child(name: str, n: int) -> None:
    """In a fresh process: build once, print the frame size, what is kept and the peak."""
    body = make_body(n)
    gc.collect()
    before = _rss()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    df = BUILDERS[name](body)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    del body
    gc.collect()
    kept = _rss() - before
    size = int(df.memory_usage(deep=True).sum())
    print(json.dumps({"frame": size, "kept": kept, "peak": max(peak, peak_before) - before}))


def report_memory(n: int) -> None:
    print(f"\nmemory, {n:,} items, each builder in a fresh process (MiB)")
    print(f"{'builder':<15} {'frame':>8} {'kept':>8} {'peak':>8}")
    for name in ("floor", "project"):
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", name, "--sizes", str(n)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        got = json.loads(out.strip().splitlines()[-1])
        mib = {k: v / 2**20 for k, v in got.items()}
        print(f"{name:<15} {mib['frame']:8.1f} {mib['kept']:8.1f} {mib['peak']:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also measure memory at 1M items")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.sizes[0])
        return
    report_speed(args.sizes, args.repeat)
    if args.memory:
        report_memory(1_000_000)


if __name__ == "__main__":
    main()
