"""Shared fixtures: one embedded sandbox server per session, a temporary cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assetpay_analytics import sandbox as _sandbox


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


@pytest.fixture
def cache_path(tmp_path):
    """A fresh sqlite cache file path (not created until the client writes)."""
    return tmp_path / "cache" / "assetpay.sqlite"
