"""Follow one trade URL from ``client.inventory`` to its frame: the files and wings it enters.

Runs one ``client.inventory(url)`` against an in-process sandbox (no cache, so the whole
wire path is taken) with a profiling hook that records every call from one package file
into another (the caller is the nearest package frame up the stack; the sandbox's own
files, which answer in another thread, are not counted). It prints:

- the files entered and how many times each was entered (a call into it from another
  file: a second entry is the flow coming back to it);
- the calls between wings (a root module is its own wing; ``tradeurl``, ``redact``,
  ``errors`` and ``constants`` are the ground floor), in the order each pair first
  happened, and every upcall: a call from a lower wing into a higher one, in the order
  client > endpoints > fetch > frame > ground floor (the wings' import order).

The modules of the layout before the wings (``_reader``, ``_arrow``...) are counted in the
wing they moved to (``OLD_LAYOUT``), so the same script compares the two trees.

Run: ``.venv/bin/python tools/trace_flow.py [--verbose]`` (``--verbose``: every call)
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import assetpay_analytics as apa

PACKAGE = Path(apa.__file__).resolve().parent
GROUND = {"tradeurl", "redact", "errors", "constants"}
#: Higher first: a call may go down this list, never up.
ORDER = ["client", "endpoints", "fetch", "frame", "ground"]
#: The layout before the wings: module -> the wing it moved to.
OLD_LAYOUT = {
    **dict.fromkeys(
        ["_session", "_http", "_retry", "_budget", "cache", "_offline", "_hits", "_fanout",
         "_reader", "_params"], "fetch",
    ),
    **dict.fromkeys(["_paging", "batch"], "endpoints"),
    **dict.fromkeys(
        ["frame", "_arrow", "_rows", "_assemble", "_coerce", "_json", "_payload", "_anomalies",
         "schema", "names", "parquet"], "frame",
    ),
    "_redact": "ground",
}  # fmt: skip


def module_of(filename: str) -> str | None:
    """The package module a file is (``fetch.reader``), None outside it or in the sandbox."""
    try:
        rel = Path(filename).resolve().relative_to(PACKAGE)
    except (ValueError, OSError):
        return None
    if rel.parts[0] == "sandbox":
        return None
    return ".".join(rel.with_suffix("").parts).removesuffix(".__init__")


def wing_of(module: str) -> str:
    """The wing a module is in (the ground floor's modules are ``ground``)."""
    first = module.split(".")[0]
    if "." not in module and module in OLD_LAYOUT:
        return OLD_LAYOUT[module]
    return "ground" if first in GROUND else first


def _caller(frame: FrameType | None) -> str | None:
    while frame is not None:
        module = module_of(frame.f_code.co_filename)
        if module is not None:
            return module
        frame = frame.f_back
    return None


def trace(call: Callable[[], Any]) -> list[tuple[str, str]]:
    """Every (caller module, callee module) call between two package files, in order."""
    edges: list[tuple[str, str]] = []
    main = threading.get_ident()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call" or threading.get_ident() != main:
            return
        callee = module_of(frame.f_code.co_filename)
        caller = _caller(frame.f_back)
        if callee is not None and caller is not None and caller != callee:
            edges.append((caller, callee))

    sys.setprofile(hook)
    try:
        call()
    finally:
        sys.setprofile(None)
    return edges


def report(edges: list[tuple[str, str]], *, verbose: bool) -> None:
    entered = Counter(callee for _, callee in edges)
    print(f"files entered: {len(entered) + 1} (client included), calls between files: {len(edges)}")
    print("entries per file: " + ", ".join(f"{m} {n}" for m, n in entered.most_common()))
    wings = Counter((wing_of(a), wing_of(b)) for a, b in edges if wing_of(a) != wing_of(b))
    print("calls between wings: " + ", ".join(f"{a} -> {b} {n}" for (a, b), n in wings.items()))
    rank = {wing: i for i, wing in enumerate(ORDER)}
    up = [(a, b) for a, b in edges if rank.get(wing_of(b), 0) < rank.get(wing_of(a), 0)]
    print(f"upcalls (a lower wing calling a higher one): {len(up)}")
    for a, b in dict.fromkeys(up):
        print(f"  {a} -> {b}")
    if verbose:
        print("\n".join(f"{a} -> {b}" for a, b in edges))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every call")
    args = parser.parse_args()
    with apa.sandbox.serve() as box:
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
        url = box.trade_urls[0]
        client.inventory(url)  # warm: imports and first-use work are not the flow
        edges = trace(lambda: client.inventory(url))
        client.close()
    report(edges, verbose=args.verbose)


if __name__ == "__main__":
    main()
