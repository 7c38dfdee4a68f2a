"""Benchmark: a response body -> DataFrame, the project's builder against three baselines.

The bodies are sandbox inventories (the demo generator: skins, stickers, plain items,
nulls and extra keys as the API sends them), renumbered to N items. Measured in the
same run, repetitions interleaved in a shuffled order (fixed seed):

- floor: ``orjson.loads`` + one Python list per column + ``pd.DataFrame`` (the least
  a Python parser does; untyped: no name parsing, stickers as Python lists), with the
  cyclic garbage collector paused as the project pauses it (``frame.bodies.gc_paused``);
- json_normalize: ``json.loads`` + ``pd.json_normalize`` (what users write; untyped;
  left out above 200,000 items, where it takes minutes);
- pyarrow.json: an expert's pyarrow version of the item frame: ``pyarrow.json.read_json``
  against an explicit schema of the envelope and its items (``ITEM_SCHEMA``, unknown
  fields ignored), the ``inventory`` list flattened to one row per item and its structs
  (``offer``) to columns, ``wear`` cast from text to float64, then
  ``to_pandas(types_mapper=pd.ArrowDtype)`` (Arrow-backed dtypes, stickers an Arrow
  list of struct); no name parsing, no anomaly checks;
- project: ``frame.from_body`` (typed schema, names parsed, anomalies set aside).

Rows: every builder at every size, ratio = floor median / builder median (above 1:
faster than the floor); the project's row is compared with json_normalize instead
where that ran, and its note gives the other ratios.

Memory (``--memory``): each builder runs in a fresh process, on one body of
``--memory-items`` items (1M) and on the same items as a batch of bodies of
``--batch-items`` (1,000) each, given to ``frame.from_body`` as a list (the floor
decodes each body and concatenates the items, GC paused). Reported: the frame's own size, what
the process keeps after the build (bodies freed) and the peak above the process as it
was before the build (``VmHWM``, reset after the bodies are read from a file, so that
neither their generation nor their reading sets the peak). Ratio = floor / project
(above 1: the project takes less).

Run: ``.venv/bin/python benchmarks/bench_frame.py [--sizes 10000 100000 1000000]
[--repeat 3] [--memory] [--memory-items 1000000] [--batch-items 1000] [--json PATH]``
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import gc
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, interleaved, make_row, report, stopwatch

from assetpay_analytics import frame
from assetpay_analytics.frame.bodies import gc_paused  # the floors pause the GC as the package does
from assetpay_analytics.sandbox import data as sandbox_data

BENCHMARK = "frame"
STEAM_ID = "76561198000000001"
FIELDS = ("id", "assetId", "name", "marketHashName", "exterior", "wear", "paintSeed", "rarity",
          "type", "color", "tradable", "amount", "marketPrice", "iconUrl")  # fmt: skip
#: json_normalize is left out above this size (minutes per run, and not the question).
NORMALIZE_LIMIT = 200_000
MEMORY_BUILDERS = ("floor", "project")
#: The pyarrow baseline's schema of an inventory item, written from the API's documentation
#: (not the project's schema): the fields a pricing frame keeps, typed as the API sends them.
ITEM_SCHEMA = pa.struct(
    [
        ("id", pa.string()),
        ("assetId", pa.string()),
        ("appid", pa.int64()),
        ("name", pa.string()),
        ("marketHashName", pa.string()),
        ("exterior", pa.string()),
        ("wear", pa.string()),
        ("paintSeed", pa.int64()),
        ("rarity", pa.string()),
        ("type", pa.string()),
        ("color", pa.string()),
        ("tradable", pa.bool_()),
        ("amount", pa.int64()),
        ("marketPrice", pa.float64()),
        ("iconUrl", pa.string()),
        ("accepted", pa.bool_()),
        (
            "offer",
            pa.struct(
                [("price", pa.float64()), ("accepted", pa.bool_()), ("reference", pa.string())]
            ),
        ),
        (
            "stickers",
            pa.list_(
                pa.struct([("name", pa.string()), ("slot", pa.int64()), ("wear", pa.float64())])
            ),
        ),
    ]
)
ENVELOPE_SCHEMA = pa.schema(
    [
        ("requestId", pa.string()),
        ("success", pa.bool_()),
        (
            "data",
            pa.struct(
                [
                    ("inventory", pa.list_(ITEM_SCHEMA)),
                    ("count", pa.int64()),
                    ("updatedAt", pa.string()),
                ]
            ),
        ),
    ]
)
METRICS = ("frame", "kept", "peak")


# --- inputs ---------------------------------------------------------------------------
def make_items(n: int) -> list[dict[str, Any]]:
    """``n`` sandbox items with unique ids."""
    items: list[dict[str, Any]] = []
    partner = 1000
    while len(items) < n:
        items += sandbox_data.inventory(partner, "730")
        partner += 1
    del items[n:]
    for i, item in enumerate(items):
        item["id"] = f"enc_{i:012x}"
    return items


def envelope(items: list[dict[str, Any]], count: int, request_id: str = "bench") -> bytes:
    """A success envelope holding ``items`` out of ``count``."""
    data = {
        "inventory": items,
        "count": count,
        "updatedAt": "2026-06-01T09:30:00Z",
        "collateral": 0,
    }
    return orjson.dumps({"requestId": request_id, "success": True, "data": data})


def make_body(n: int) -> bytes:
    """A success envelope of ``n`` sandbox items with unique ids."""
    return envelope(make_items(n), n)


def batch_bodies(items: list[dict[str, Any]], per_body: int) -> list[bytes]:
    """The items as consecutive pages of ``per_body`` items (one ``requestId`` each)."""
    return [
        envelope(items[start : start + per_body], len(items), f"bench-{start // per_body}")
        for start in range(0, len(items), per_body)
    ]


def write_bodies(path: Path, bodies: Sequence[bytes]) -> None:
    """One body a line, no newline after the last (orjson never writes a raw newline)."""
    with path.open("wb") as out:
        for i, body in enumerate(bodies):
            out.write(b"\n" + body if i else body)


def read_bodies(path: Path) -> list[bytes]:
    """The bodies ``write_bodies`` wrote, a line at a time (no transient full copy)."""
    with path.open("rb") as lines:
        return [line.removesuffix(b"\n") for line in lines]


def read_body(path: Path) -> bytes:
    """The one body of a file of one body, read into a buffer of its size (no copy)."""
    return path.read_bytes()


# --- builders -------------------------------------------------------------------------
def floor_items(items: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One Python list per column, then ``pd.DataFrame``: the least a Python parser does."""
    columns = {name: [item.get(name) for item in items] for name in FIELDS}
    offers = [item.get("offer") or {} for item in items]
    for name in ("price", "accepted", "reference"):
        columns[f"offer_{name}"] = [offer.get(name) for offer in offers]
    columns["stickers"] = [item.get("stickers") for item in items]
    return pd.DataFrame(columns)


def floor(body: bytes) -> pd.DataFrame:
    """The floor on one body, GC paused (as ``frame`` pauses it while building)."""
    with gc_paused():
        return floor_items(orjson.loads(body)["data"]["inventory"])


def floor_many(bodies: Sequence[bytes]) -> pd.DataFrame:
    """The floor over every body's items, concatenated, GC paused."""
    with gc_paused():
        return floor_items(
            [item for body in bodies for item in orjson.loads(body)["data"]["inventory"]]
        )


def json_normalize(body: bytes) -> pd.DataFrame:
    df: pd.DataFrame = pd.json_normalize(json.loads(body)["data"]["inventory"])
    return df


def pyarrow_json(body: bytes) -> pd.DataFrame:
    """Typed item frame with pyarrow alone: explicit schema, flattened, Arrow-backed dtypes."""
    table = pa_json.read_json(
        io.BytesIO(body),
        read_options=pa_json.ReadOptions(block_size=len(body) + 1),
        parse_options=pa_json.ParseOptions(
            explicit_schema=ENVELOPE_SCHEMA, unexpected_field_behavior="ignore"
        ),
    )
    inventory = pc.struct_field(table.column("data"), "inventory")
    items = pa.Table.from_struct_array(pc.list_flatten(inventory)).flatten()
    wear = items.schema.get_field_index("wear")  # the API sends it as text
    items = items.set_column(wear, "wear", pc.cast(items.column(wear), pa.float64()))
    df: pd.DataFrame = items.to_pandas(types_mapper=pd.ArrowDtype)
    return df


def project(body: bytes) -> pd.DataFrame:
    return frame.from_body(body, steam_id=STEAM_ID)


def project_many(bodies: Sequence[bytes]) -> pd.DataFrame:
    return frame.from_body(list(bodies), steam_id=STEAM_ID)


BUILDERS: dict[str, Callable[[bytes], pd.DataFrame]] = {
    "floor": floor,
    "json_normalize": json_normalize,
    "pyarrow.json": pyarrow_json,
    "project": project,
}
BATCH_BUILDERS: dict[str, Callable[[Sequence[bytes]], pd.DataFrame]] = {
    "floor": floor_many,
    "project": project_many,
}


# --- speed ----------------------------------------------------------------------------
#: Bodies smaller than this (bytes, ~150k items) are warmed up on themselves.
WARM_ON_BODY_BELOW = 80_000_000


def timings(body: bytes, names: list[str], repeat: int, seed: int) -> dict[str, list[float]]:
    """Seconds per run of each builder, runs interleaved in a shuffled order."""
    # first calls pay for imports, caches and pools, more so at a new size: one
    # untimed run of each builder on the measured body (a small one above 100k items)
    warm = body if len(body) < WARM_ON_BODY_BELOW else make_body(100)
    for name in names:
        BUILDERS[name](warm)
    tasks = {name: stopwatch(functools.partial(BUILDERS[name], body)) for name in names}
    return interleaved(tasks, repeat, seed)


def speed_rows(n: int, times: dict[str, list[float]]) -> list[Row]:
    """A row per builder at ``n`` items (see the module docstring for the baselines)."""
    medians = {name: statistics.median(t) for name, t in times.items()}
    rows = []
    for name, values in times.items():
        base = "json_normalize" if name == "project" and "json_normalize" in times else "floor"
        note = ""
        if name == "project":
            others = [
                f"{other}/project {medians[other] / medians['project']:.2f}x"
                for other in times
                if other != "project"
            ]
            note = ", ".join(others)
        rows.append(
            make_row(
                BENCHMARK,
                f"{n:,} items: {name}",
                "s",
                values,
                baseline=None if name == "floor" else (base, times[base]),
                note=note,
            )
        )
    return rows


def repetitions(n: int, repeat: int) -> int:
    """More runs for small bodies (cheap): their first runs after a heavy phase are slow
    for every builder (measured: 2-3x for two rounds at 10k items), which three runs
    cannot outvote."""
    return max(repeat, min(15, 500_000 // n))


def measure_speed(sizes: list[int], repeat: int, seed: int, inputs: dict[int, Path]) -> list[Row]:
    """Every builder at every size (a body file in ``inputs`` is read, not regenerated)."""
    rows: list[Row] = []
    for n in sizes:
        body = read_body(inputs[n]) if n in inputs else make_body(n)
        names = [b for b in BUILDERS if b != "json_normalize" or n <= NORMALIZE_LIMIT]
        rows += speed_rows(n, timings(body, names, repetitions(n, repeat), seed + n))
        del body
    return rows


# --- memory ---------------------------------------------------------------------------
def _rss() -> int:
    """This process's resident memory in bytes (Linux ``/proc``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _reset_peak() -> None:
    """Forget the peak so far (Linux: ``clear_refs`` 5 resets ``VmHWM``), where allowed."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _trim() -> None:
    """Hand freed memory back to the system (glibc's heap, Arrow's pool), for every builder.

    Without it, "kept" counted the freed input bodies that glibc holds on to in its heap
    (hundreds of MiB for 1,000 bodies), not what the build keeps alive.
    """
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _peak() -> int:
    """The process's peak resident memory in bytes (``VmHWM``)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def memory_child(name: str, path: Path, batch: bool) -> None:
    """In a fresh process: build once, print the frame size, what is kept and the peak."""
    warm = make_body(100)  # the first build pays for lazy imports: not counted
    _ = BATCH_BUILDERS[name]([warm]) if batch else BUILDERS[name](warm)
    del warm, _
    gc.collect()
    _trim()
    empty = _rss()  # before the input: "kept" is what the build leaves alive
    bodies = read_bodies(path) if batch else [read_body(path)]
    gc.collect()
    _reset_peak()  # reading the input must not count (else the peak is the input's)
    before, peak_before = _rss(), _peak()
    start = time.perf_counter()
    df = BATCH_BUILDERS[name](bodies) if batch else BUILDERS[name](bodies[0])
    seconds = time.perf_counter() - start
    peak = _peak()
    del bodies
    gc.collect()
    _trim()
    kept = _rss() - empty
    size = int(df.memory_usage(deep=True).sum())
    got = {
        "frame": size,
        "kept": kept,
        "peak": max(peak, peak_before) - before,
        "seconds": seconds,
        "rows": len(df),
    }
    print(json.dumps(got))


def run_child(name: str, path: Path, batch: bool) -> dict[str, float]:
    command = [sys.executable, __file__, "--memory-child", name, "--input", str(path)]
    out = subprocess.run(
        command + (["--batch"] if batch else []), check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def memory_rows(label: str, path: Path, batch: bool) -> list[Row]:
    """Frame, kept and peak of the floor and the project on one input, in MiB."""
    got = {name: run_child(name, path, batch) for name in MEMORY_BUILDERS}
    rows = []
    for name in MEMORY_BUILDERS:
        for metric in METRICS:
            value = [got[name][metric] / 2**20]
            base = ("floor", [got["floor"][metric] / 2**20]) if name != "floor" else None
            note = (
                f"one fresh process; build {got[name]['seconds']:.2f} s, {got[name]['rows']:,} rows"
            )
            rows.append(
                make_row(
                    BENCHMARK, f"{label}: {name} {metric}", "MiB", value, baseline=base, note=note
                )
            )
    return rows


def write_memory_inputs(n: int, per_body: int, directory: Path) -> tuple[Path, Path]:
    """One body of ``n`` items and the same items as bodies of ``per_body``: two files."""
    items = make_items(n)
    single, batch = directory / f"single-{n}.jsonl", directory / f"batch-{n}-{per_body}.jsonl"
    write_bodies(single, [envelope(items, n)])
    write_bodies(batch, batch_bodies(items, per_body))
    return single, batch


def measure_memory(n: int, per_body: int, single: Path, batch: Path) -> list[Row]:
    rows = memory_rows(f"memory, 1 body of {n:,} items", single, batch=False)
    bodies = -(-n // per_body)
    rows += memory_rows(f"memory, {bodies:,} bodies of {per_body:,} items", batch, batch=True)
    return rows


# --- command line ---------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    add_common_args(parser, repeat=3)
    parser.add_argument("--memory", action="store_true", help="also measure memory")
    parser.add_argument("--memory-items", type=int, default=1_000_000)
    parser.add_argument("--batch-items", type=int, default=1_000, help="items a batch body")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--batch", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.input, args.batch)
        return
    with tempfile.TemporaryDirectory(prefix="bench-frame-") as tmp:
        inputs: dict[int, Path] = {}
        if args.memory:  # generated once (35 s at 1M), read again by the speed runs
            single, batch = write_memory_inputs(args.memory_items, args.batch_items, Path(tmp))
            inputs[args.memory_items] = single
        rows = measure_speed(args.sizes, args.repeat, args.seed, inputs)
        if args.memory:
            rows += measure_memory(args.memory_items, args.batch_items, single, batch)
    report(rows, args.json)


if __name__ == "__main__":
    main()
