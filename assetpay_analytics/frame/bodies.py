"""Response bodies -> Python objects: ``read_envelope`` and the GC pause around big parses.

orjson decodes a page; a large page allocates millions of small objects, which the
cyclic garbage collector would rescan over and over while they are being built, so
the collector is paused for the duration of a parse (and of the frame's row pass).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

__all__ = ["gc_paused", "read_envelope"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (restored on exit)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_envelope(source: bytes | str | Path) -> Mapping[str, Any]:
    """Parse a saved ``/secure/inventory`` response body (bytes, JSON text or a file path).

    Parameters
    ----------
    source : bytes, str or Path
        The body itself, or the path of a file holding it.

    Returns
    -------
    mapping
        The decoded envelope (``requestId``, ``success``, ``data`` or ``error``).

    Examples
    --------
    >>> read_envelope(b'{"success": true, "data": {"inventory": []}}')["success"]
    True
    """
    is_text = isinstance(source, str) and source.lstrip().startswith("{")
    if isinstance(source, Path) or (isinstance(source, str) and not is_text):
        source = Path(source).read_bytes()
    with gc_paused():
        body: Mapping[str, Any] = orjson.loads(source)
    return body
