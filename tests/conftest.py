"""Shared fixtures: one embedded sandbox server per session, a temporary cache.

Also the hypothesis profile of the whole suite, chosen so that a fresh clone on a
loaded 2-core machine behaves exactly like a warm one:

- ``derandomize=True``: the examples are a function of the test alone, so every run
  tries the same inputs and a failure reproduces without a seed;
- ``database=None``: nothing is read from or written to ``.hypothesis/``, so no run
  leans on what an earlier run left behind;
- ``deadline=None`` and the ``too_slow`` health check off: both time examples against
  the wall clock, which a loaded CI machine makes noisy. Generation is kept cheap by
  the strategies themselves (bounded sizes, fixed alphabets in ``tests/strategies.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from assetpay_analytics import sandbox as _sandbox

settings.register_profile(
    "assetpay",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("assetpay")


@pytest.fixture(scope="session")
def box() -> Iterator[_sandbox.Sandbox]:
    """An AssetPay-compatible server on 127.0.0.1 for the whole session."""
    with _sandbox.serve() as server:
        yield server


@pytest.fixture
def sandbox(box: _sandbox.Sandbox) -> _sandbox.Sandbox:
    """The session sandbox with its request log and fault counters reset."""
    box.reset()
    return box


@pytest.fixture(autouse=True)
def default_cache_dir(tmp_path_factory, monkeypatch):
    """A fresh default cache directory per test (``$ASSETPAY_CACHE_DIR``).

    A client with ``cache=None`` keeps the merchant's rate budget beside the default
    cache; every test gets its own, so none inherits another's pace or 429 pause, nor
    what an earlier run left in the user's cache directory.
    """
    path = tmp_path_factory.mktemp("default-cache")
    monkeypatch.setenv("ASSETPAY_CACHE_DIR", str(path))
    return path


@pytest.fixture
def cache_path(tmp_path):
    """A fresh sqlite cache file path (not created until the client writes)."""
    return tmp_path / "cache" / "assetpay.sqlite"
