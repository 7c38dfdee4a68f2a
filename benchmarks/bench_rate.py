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

Run: ``.venv/bin/python benchmarks/bench_rate.py [--seconds 120] [--limit 600]
[--repeat 1] [--json PATH]``
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import Row, add_common_args, make_row, report

from assetpay_analytics.sandbox import SANDBOX_API_KEY

BENCHMARK = "rate"
PROCESSES = 2
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
url, limit, seconds, first = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, {here!r})
from _bench import partner_urls
client = apa.AssetPayClient(api_key={key!r}, base_url=url, cache=None, requests_per_minute=limit)
urls = partner_urls(first, {accounts})
sent, start, n = 0, time.monotonic(), 0
while time.monotonic() - start < seconds:
    batch = urls[n % len(urls): n % len(urls) + 16]
    n += len(batch)
    df = client.inventories(batch, progress=False)
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


def one_run(limit: int, seconds: float) -> dict[str, float]:
    """Start the sandbox and two clients; the server's counts of that run."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-c", SERVER.format(limit=limit)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdin is not None and server.stdout is not None
    try:
        found = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline())
        if not found:
            raise RuntimeError("the sandbox did not print its URL")
        sent = clients(found.group(0), limit, seconds)
        server.stdin.write("done\n")
        server.stdin.flush()
        log = json.loads(server.stdout.readline())
    finally:
        server.kill()
        server.wait()
    times = [when for when, _ in log]
    return {
        "busiest": 100 * most_in_window(times, 60.0) / limit,
        "refused": sum(status == 429 for _, status in log),
        "burst": most_in_window(times, 1.0),
        "split": 100 * min(sent) / max(sum(sent), 1),
        "served": len(log),
    }


def clients(url: str, limit: int, seconds: float) -> list[int]:
    """Run the client processes to the end; how many requests each sent."""
    here = str(Path(__file__).resolve().parent)
    code = CLIENT.format(here=here, key=SANDBOX_API_KEY, accounts=ACCOUNTS)
    with tempfile.TemporaryDirectory(prefix="bench-rate-") as cache_dir:
        env = {**os.environ, "ASSETPAY_CACHE_DIR": cache_dir, "TQDM_DISABLE": "1"}
        procs = [client_process(code, url, limit, seconds, n, env) for n in range(PROCESSES)]
        outputs = [proc.communicate(timeout=seconds + 600)[0] for proc in procs]
    if any(proc.returncode for proc in procs):
        raise RuntimeError("a client process failed")
    return [json.loads(out.strip().splitlines()[-1])["sent"] for out in outputs]


def client_process(
    code: str, url: str, limit: int, seconds: float, n: int, env: dict[str, str]
) -> subprocess.Popen[str]:
    first = str(1_000_000 + n * ACCOUNTS)  # each process fetches its own accounts
    args = [sys.executable, "-c", code, url, str(limit), str(seconds), first]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)


def measure(limit: int, seconds: float, repeat: int) -> list[Row]:
    runs = [one_run(limit, seconds) for _ in range(repeat)]
    for run in runs:
        print(f"run: {run}", flush=True)
    case = f"{PROCESSES} processes, one key, {limit}/min, {seconds:.0f} s"

    def row(name: str, field: str, unit: str, note: str) -> Row:
        return make_row(BENCHMARK, f"{case}: {name}", unit, [r[field] for r in runs], note=note)

    paced = limit / 60
    return [
        row("busiest 60 s", "busiest", "% of limit", "server's sliding window; goal >= 95"),
        row("429 answers", "refused", "count", "goal 0"),
        row("largest burst", "burst", "req/s", f"most in any 1 s; even pace {paced:.0f}"),
        row("smaller process's share", "split", "%", "of the requests both sent"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long clients fetch")
    parser.add_argument("--limit", type=int, default=600, help="requests in any 60 s")
    add_common_args(parser, repeat=1)
    args = parser.parse_args()
    report(measure(args.limit, args.seconds, args.repeat), args.json)


if __name__ == "__main__":
    main()
