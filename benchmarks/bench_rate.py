"""Rate-limit benchmark: two processes share one merchant's budget against a real limit.

The sandbox runs in a process of its own with a per-key limit of ``--limit`` requests
in any sliding 60 s (600 by default) and answers beyond it with 429 + ``Retry-After``.
Two client processes use the same api key and the same default cache directory (so
the same budget file), each with ``requests_per_minute=--limit``, and fetch distinct
accounts (``cache=None``: every call is a request) as fast as their budget lets them
for ``--seconds`` (120). Afterwards the sandbox hands over its request log, and the
benchmark counts from the server's side:

- **busiest 60 s**: the most requests the server saw in any sliding 60 s window, as a
  share of the limit (at most 100%: above it the server refuses; the goal is >= 95%);
- **429 answers**: how many requests the server refused (the goal is 0);
- **largest burst**: the most requests in any 1 s window (an even pace at 600 a minute
  is 10 a second; the budget allows a burst of 2 after an idle spell);
- **split**: how the requests divided between the two processes (a shared budget gives
  no process a priority: each takes what it asks for).

Each repetition starts a fresh sandbox and a fresh budget. There is no baseline to
divide by: the old per-process limiter let the two processes send twice the limit
(143 requests in one 60 s window at 100 a minute, 39 of them refused), and what is
measured here is the absolute figures against the limit.

``--processes 1 --limit 100`` measures one client at the unverified limit instead.

Run: ``.venv/bin/python benchmarks/bench_rate.py [--seconds 120] [--limit 600]
[--processes 2] [--workers 8] [--repeat 1] [--json PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, make_row, report

from assetpay_analytics.sandbox import SANDBOX_API_KEY

BENCHMARK = "rate"
#: Client processes sharing the key, and the workers of each one's batches.
PROCESSES = 2
WORKERS = 8
#: Accounts each client process cycles through (distinct per process).
ACCOUNTS = 2_000

SERVER = """
import json, sys
from assetpay_analytics import sandbox
with sandbox.serve(rate_limit=({limit}, 60.0)) as box:
    print(box.url, flush=True)
    sys.stdin.readline()  # the benchmark is done
    print(json.dumps([[r.time, r.status] for r in box.requests if r.path == "/secure/inventory"]))
"""

CLIENT = """
import json, sys, time
import assetpay_analytics as apa
url, limit, seconds, first, workers = sys.argv[1], *map(float, sys.argv[2:])
limit, first, workers = int(limit), int(first), int(workers)
sys.path.insert(0, {here!r})
from _bench import partner_urls
client = apa.AssetPayClient(api_key={key!r}, base_url=url, cache=None, requests_per_minute=limit)
urls = partner_urls(first, {accounts})
sent, start, n = 0, time.monotonic(), 0
while time.monotonic() - start < seconds:
    batch = urls[n % len(urls): n % len(urls) + 2 * workers]
    n += len(batch)
    df = client.inventories(batch, progress=False, workers=workers)
    sent += len(df.attrs["request_ids"]) + len(df.assetpay.errors)
print(json.dumps({{"sent": sent}}))
"""


def most_in_window(times: Sequence[float], window: float) -> int:
    """The most events in any window of ``window`` seconds (two pointers over sorted times)."""
    ordered, most, first = sorted(times), 0, 0
    for last, when in enumerate(ordered):
        while when - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


@dataclass(frozen=True)
class Setup:
    """One benchmark's shape: the server's limit, how long, how many clients, workers."""

    limit: int
    seconds: float
    processes: int
    workers: int

    def describe(self) -> str:
        who = f"{self.processes} processes, one key" if self.processes > 1 else "one client"
        return f"{who}, {self.workers} workers, {self.limit}/min, {self.seconds:.0f} s"


def one_run(setup: Setup) -> dict[str, float]:
    """Start the sandbox and the clients; the server's counts of that run."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-c", SERVER.format(limit=setup.limit)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    try:
        found = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline())
        if not found:
            raise RuntimeError("the sandbox did not print its URL")
        sent = clients(found.group(0), setup)
        server.stdin.write("done\n")
        server.stdin.flush()
        log = json.loads(server.stdout.readline())
    finally:
        server.kill()
        server.wait()
    times = [when for when, _ in log]
    return {
        "busiest": 100 * most_in_window(times, 60.0) / setup.limit,
        "refused": sum(status == 429 for _, status in log),
        "burst": most_in_window(times, 1.0),
        "split": 100 * min(sent) / max(sum(sent), 1),
        "served": len(log),
    }


def clients(url: str, setup: Setup) -> list[int]:
    """Run the client processes to the end; how many requests each sent."""
    here = str(Path(__file__).resolve().parent)
    code = CLIENT.format(here=here, key=SANDBOX_API_KEY, accounts=ACCOUNTS)
    with tempfile.TemporaryDirectory(prefix="bench-rate-") as cache_dir:
        env = {**os.environ, "ASSETPAY_CACHE_DIR": cache_dir, "TQDM_DISABLE": "1"}
        procs = [client_process(code, url, setup, n, env) for n in range(setup.processes)]
        outputs = [proc.communicate(timeout=setup.seconds + 600)[0] for proc in procs]
    if any(proc.returncode for proc in procs):
        raise RuntimeError("a client process failed")
    return [json.loads(out.strip().splitlines()[-1])["sent"] for out in outputs]


def client_process(
    code: str, url: str, setup: Setup, n: int, env: dict[str, str]
) -> subprocess.Popen[str]:
    first = 1_000_000 + n * ACCOUNTS  # each process fetches its own accounts
    args = [url, setup.limit, setup.seconds, first, setup.workers]
    command = [sys.executable, "-c", code, *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)


def measure(setup: Setup, repeat: int) -> list[Row]:
    runs = [one_run(setup) for _ in range(repeat)]
    for run in runs:
        print(f"run: {run}", flush=True)

    def row(name: str, field: str, unit: str, note: str) -> Row:
        values = [r[field] for r in runs]
        return make_row(BENCHMARK, f"{setup.describe()}: {name}", unit, values, note=note)

    paced = setup.limit / 60
    rows = [
        row("busiest 60 s", "busiest", "% of limit", "server's sliding window; goal >= 95"),
        row("429 answers", "refused", "count", "goal 0"),
        row("largest burst", "burst", "req/s", f"most in any 1 s; even pace {paced:.1f}"),
    ]
    if setup.processes > 1:
        rows.append(row("smallest process's share", "split", "%", "of the requests all sent"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long clients fetch")
    parser.add_argument("--limit", type=int, default=600, help="requests in any 60 s")
    parser.add_argument("--processes", type=int, default=PROCESSES, help="client processes")
    parser.add_argument("--workers", type=int, default=WORKERS, help="workers per client")
    add_common_args(parser, repeat=1)
    args = parser.parse_args()
    setup = Setup(args.limit, args.seconds, args.processes, args.workers)
    report(measure(setup, args.repeat), args.json)


if __name__ == "__main__":
    main()
