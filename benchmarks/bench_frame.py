"""Benchmark: response body -> DataFrame, the project's parser against the obvious baseline.

Baseline: ``json.loads`` + ``pandas.json_normalize`` (untyped: object columns, Python
sticker lists, no name parsing). Project: ``orjson.loads`` + ``frame.from_items``
(typed schema, name parsing, Arrow stickers). Both run in the same process on the
same bodies; the script prints times, frame memory and the ratios.

Run: ``.venv/bin/python benchmarks/bench_frame.py [--items 200000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pandas as pd

from assetpay_analytics import frame

TEMPLATES = json.loads(
    (Path(__file__).parents[1] / "tests" / "data" / "inventory_cs2.json").read_text()
)["data"]["inventory"]


def make_body(n: int, seed: int = 0) -> bytes:
    """An [S]-shaped response body with n items varied from the test templates."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        item = dict(rng.choice(TEMPLATES))
        item["id"] = f"enc_{i:08x}"
        if item.get("marketPrice") is not None:
            item["marketPrice"] = round(rng.uniform(0.05, 2000), 2)
        if isinstance(item.get("offer"), dict):
            item["offer"] = {**item["offer"], "price": round(rng.uniform(0.03, 1500), 2)}
        if "wear" in item:
            item["wear"] = f"{rng.random():.5f}"
        items.append(item)
    body = {
        "requestId": "bench",
        "success": True,
        "data": {
            "inventory": items,
            "count": n,
            "updatedAt": "2026-06-01T09:30:00Z",
            "collateral": 0,
        },
    }
    return orjson.dumps(body)


def baseline(body: bytes) -> pd.DataFrame:
    return pd.json_normalize(json.loads(body)["data"]["inventory"])


def project(body: bytes) -> pd.DataFrame:
    data = frame.read_envelope(body)["data"]
    return frame.from_pages([data], steam_id="76561198000000001")


def best_of(
    fn: Callable[[bytes], pd.DataFrame], body: bytes, repeat: int
) -> tuple[float, pd.DataFrame]:
    times = []
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    body = make_body(args.items)
    print(f"{args.items:,} items, body {len(body) / 1e6:.1f} MB, median of {args.repeat} runs")
    t_base, df_base = best_of(baseline, body, args.repeat)
    t_proj, df_proj = best_of(project, body, args.repeat)
    m_base = df_base.memory_usage(deep=True).sum()
    m_proj = df_proj.memory_usage(deep=True).sum()
    print(
        f"baseline json + json_normalize : {t_base:7.3f} s  frame {m_base / 1e6:8.1f} MB (untyped)"
    )
    print(f"project  orjson + from_items   : {t_proj:7.3f} s  frame {m_proj / 1e6:8.1f} MB (typed)")
    print(f"speed-up  {t_base / t_proj:5.2f}x   memory ratio {m_base / m_proj:5.2f}x smaller")


if __name__ == "__main__":
    main()
