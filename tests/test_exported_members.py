"""The public surface is pinned: adding or removing a name is a deliberate change here."""

from __future__ import annotations

import assetpay_analytics as apa

PUBLIC = [
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


def test_all_is_sorted_and_pinned():
    assert apa.__all__ == sorted(apa.__all__)
    assert apa.__all__ == PUBLIC


def test_every_exported_name_resolves():
    for name in apa.__all__:
        assert getattr(apa, name) is not None, name


def test_exceptions_come_from_the_errors_module():
    for name in PUBLIC:
        member = getattr(apa, name)
        if isinstance(member, type) and issubclass(member, BaseException):
            assert member.__module__ == "assetpay_analytics.errors", name


def test_unknown_attribute_is_an_attribute_error():
    try:
        apa.does_not_exist  # noqa: B018
    except AttributeError as err:
        assert "does_not_exist" in str(err)
    else:
        raise AssertionError("expected AttributeError")
