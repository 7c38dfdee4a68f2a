"""assetpay-analytics: AssetPay Merchant API inventories as typed pandas DataFrames.

Quick tour::

    import assetpay_analytics as apa

    with apa.sandbox.serve() as box:                       # no key, no network
        client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url)
        df = client.inventory(box.trade_urls[0])
    df.assetpay.by_exterior()                              # pricing by exterior

With a key in ``ASSETPAY_API_KEY``, ``apa.AssetPayClient()`` talks to the real API.
The submodules ``analysis``, ``plots``, ``widgets``, ``sandbox``, ``frame``, ``history``,
``report`` and ``constants`` are loaded on first use, so ``import assetpay_analytics`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    AssetPayError,
    AuthenticationError,
    CacheError,
    CacheMiss,
    InconsistentInventory,
    InvalidRequest,
    InvalidTradeUrl,
    InventoryUnavailable,
    MalformedResponse,
    RateLimited,
    ServiceUnavailable,
)
from .tradeurl import TradeUrl

if TYPE_CHECKING:
    from . import analysis, constants, frame, history, plots, report, sandbox, widgets
    from .client import AssetPayClient, CacheInfo, Page, RetryPolicy
    from .history import SnapshotStore

__version__ = "0.1.0"

_LAZY_MODULES = (
    "analysis", "constants", "frame", "history", "plots", "report", "sandbox", "widgets",
)  # fmt: skip
# The client pulls in pandas and requests-cache: loaded on first use so the CLI starts fast.
_LAZY_NAMES = {name: "client" for name in ("AssetPayClient", "CacheInfo", "Page", "RetryPolicy")}
_LAZY_NAMES["SnapshotStore"] = "history"

__all__ = [
    "AssetPayClient",
    "AssetPayError",
    "AuthenticationError",
    "CacheError",
    "CacheInfo",
    "CacheMiss",
    "InconsistentInventory",
    "InvalidRequest",
    "InvalidTradeUrl",
    "InventoryUnavailable",
    "MalformedResponse",
    "Page",
    "RateLimited",
    "RetryPolicy",
    "ServiceUnavailable",
    "SnapshotStore",
    "TradeUrl",
    "__version__",
    "analysis",
    "constants",
    "frame",
    "history",
    "plots",
    "report",
    "sandbox",
    "widgets",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
