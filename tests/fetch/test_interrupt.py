"""Ctrl-C for real: a child process batching accounts gets SIGINT while its workers wait.

The sandbox runs in this process (a free port) and answers every inventory request 429
with ``Retry-After: 20``; a child Python process fetches six accounts with four workers
at six requests a minute, so two workers send and are paused by the 429 (waiting in
their retry loop), and the others wait in the rate budget for their slot. The child
says when every worker is waiting (a marker file, written once each worker's stack
shows it parked in the budget's or the retry loop's wait), then gets SIGINT.

The defect of issue 23 this guards against: Ctrl-C re-raised at once, but the workers
waiting in the budget slept out the pause and then sent their requests (the process
could not exit until they had). The one bound on time below (10 s from SIGINT to exit)
is a liveness check, half the 20 s pause the workers would otherwise sleep out; every
other wait polls for a condition under a generous timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

import assetpay_analytics as apa

#: The pause the 429s ask for: far longer than any bound below.
RETRY_AFTER = 20.0
#: Threads fetching at once in the child.
WORKERS = 4
#: Seconds allowed from SIGINT to the child's exit (a liveness bound, not a timing claim).
EXIT_WITHIN = 10.0
#: Seconds allowed for the child to start and reach its waits (slow CI, cold imports).
READY_WITHIN = 60.0

#: Where a thread is parked, from its innermost frame (run in the child, and checked here).
WHERE = """
def where(frame):
    # "budget" or "retry" when the thread is parked in a wait that honours the batch's
    # cancel event (RateBudget._wait, or the retry loop's sleep); None otherwise
    if frame is None or not frame.f_code.co_filename.endswith("threading.py"):
        return None
    while frame is not None:
        code = frame.f_code
        if code.co_filename.endswith("budget.py") and code.co_name == "_wait":
            return "budget"
        if code.co_filename.endswith("retry.py") and code.co_name == "sleep":
            return "retry"
        frame = frame.f_back
    return None
"""

CHILD = (
    """
import json, sys, threading, time
from pathlib import Path

import assetpay_analytics as apa

url, key, marker, workers = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
urls = json.loads(sys.argv[5])
"""
    + WHERE
    + """

def watch():
    while True:
        frames = sys._current_frames()
        places = [where(frames.get(t.ident)) for t in threading.enumerate()
                  if t.name.startswith("assetpay_")]
        if len(places) == workers and None not in places:
            counts = {name: places.count(name) for name in ("budget", "retry")}
            marker.with_suffix(".tmp").write_text(json.dumps(counts))
            marker.with_suffix(".tmp").replace(marker)
            return
        time.sleep(0.02)


threading.Thread(target=watch, daemon=True).start()
client = apa.AssetPayClient(
    api_key=key, base_url=url, cache=None, requests_per_minute=6,
    retry=apa.RetryPolicy(attempts=5, retry_after_max=60.0, deadline=120.0),
)
client.inventories(urls, workers=workers, progress=False)
print("the batch finished: it was never interrupted", flush=True)
"""
)


def poll(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait until ``condition()`` holds, checking every 20 ms, failing after ``timeout``."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)


@pytest.fixture
def refusing() -> Iterator[apa.sandbox.Sandbox]:
    """A sandbox of its own (a free port) answering every request 429, Retry-After 20."""
    faults = apa.sandbox.Faults(rate_limit_rate=1.0, retry_after=RETRY_AFTER)
    with apa.sandbox.serve(faults=faults) as box:
        yield box


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX signals")
def test_ctrl_c_wakes_every_waiting_worker_and_nothing_is_sent_after_it(refusing, tmp_path):
    box = refusing
    marker = tmp_path / "waiting.json"
    env = {**os.environ, "ASSETPAY_CACHE_DIR": str(tmp_path / "child-cache"),
           "TQDM_DISABLE": "1", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    args = [box.url, box.api_key, str(marker), str(WORKERS), json.dumps(box.trade_urls)]
    assert len(box.trade_urls) > WORKERS  # accounts queued behind the busy workers too
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        poll(
            lambda: marker.exists() or child.poll() is not None,
            READY_WITHIN,
            "the child's workers waiting",
        )
        assert child.poll() is None, child.communicate()
        waiting = json.loads(marker.read_text())
        assert waiting["budget"] + waiting["retry"] == WORKERS
        assert waiting["budget"] >= 1  # some workers are waiting in the rate budget
        refused = box.requests
        assert refused and all(r.status == 429 for r in refused)  # the pause is on
        interrupted = time.monotonic()
        child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate(timeout=EXIT_WITHIN)
        except subprocess.TimeoutExpired:
            out = err = None
        if out is None or err is None:
            pytest.fail(f"the child slept on after SIGINT (more than {EXIT_WITHIN:g} s)")
        exited = time.monotonic()
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode in (-signal.SIGINT, 128 + signal.SIGINT), err
    assert "KeyboardInterrupt" in err and "the batch finished" not in out
    assert exited - interrupted < EXIT_WITHIN
    after = box.requests
    assert after == refused  # not one request after Ctrl-C...
    assert all(r.time <= interrupted for r in after)  # ...nor answered after it


def test_the_marker_logic_sees_a_thread_parked_in_the_budget(tmp_path):
    """The child's watcher, checked in process: it tells a budget wait from a busy thread.

    Guards the test above against a watcher that would never fire (or fire too early).
    """
    import threading

    from assetpay_analytics.fetch.budget import RateBudget, waiting
    from assetpay_analytics.fetch.retry import Cancelled

    namespace: dict[str, object] = {}
    exec(compile(WHERE, "child", "exec"), namespace)  # defines where()
    where = namespace["where"]
    assert callable(where)
    budget = RateBudget(None, "k", 600, max_pause=60.0)
    budget.pause(60.0)
    cancel = threading.Event()

    def parked() -> None:
        with waiting(deadline=None, cancel=cancel), contextlib.suppress(Cancelled):
            budget.acquire()

    thread = threading.Thread(target=parked)
    thread.start()
    try:
        poll(lambda: where(sys._current_frames().get(thread.ident)) == "budget", 30.0,
             "a thread parked in the budget")  # fmt: skip
        assert where(sys._current_frames()[threading.get_ident()]) is None  # busy: this one
    finally:
        cancel.set()
        thread.join(timeout=30.0)
    assert not thread.is_alive()
