"""The public surface is pinned: adding or removing a name is a deliberate change here."""

from __future__ import annotations

import pytest

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


#: Each public wing's surface, pinned: notebooks, docs and tests use these names.
WING_PUBLIC = {
    "frame": [
        "BOOK_SCHEMA", "EXTERIOR_DTYPE", "SCHEMA", "SCREEN_SCHEMA", "STICKER_TYPE",
        "ParsedName", "concat", "conform", "empty_frame", "from_accounts", "from_body",
        "from_items", "from_pages", "from_price_book", "from_responses", "parse_name",
        "read_envelope", "read_parquet", "write_excel", "write_parquet",
    ],
    "analysis": [
        "GROUP_COLUMNS", "BookComparison", "Comparison", "by_account", "by_exterior",
        "by_group", "catalogue_spread", "compare", "compare_prices", "deposit_trend",
        "exterior_ladder", "formatted", "offer_vs_catalogue", "outliers", "payout_trend",
        "price_gap", "priced", "sticker_effect", "summary", "wear_bands",
    ],
    "plots": [
        "EXTERIOR_COLORS", "NO_EXTERIOR_COLOR", "OUTLIER_COLOR", "deposit_ratio_by_band",
        "deposit_ratio_by_exterior", "exterior_ladder_heatmap",
        "footer", "market_vs_offer", "payout_by_exterior", "payout_by_price_band",
        "payout_by_type", "payout_change_by_exterior", "payout_distribution",
        "payout_vs_market", "pricing_review", "save_figure", "to_image",
    ],
    "report": ["DEFINITIONS", "ReportFiles", "write_report"],
    "history": [
        "BYTES_PER_ROW", "SNAPSHOT_COLUMNS", "TREND_GROUPS", "SnapshotStore", "SnapshotWarning",
    ],
    "sandbox": [
        "DIALECTS", "IDLE_TIMEOUT", "LABELS", "LOG_LIMIT", "MALFORMED_KINDS",
        "SANDBOX_API_KEY", "Account", "Faults", "RequestRecord", "Sandbox", "run", "serve",
        "start",
    ],
}  # fmt: skip


@pytest.mark.parametrize("wing", sorted(WING_PUBLIC))
def test_each_wing_pins_its_public_names(wing):
    module = getattr(apa, wing)
    assert sorted(module.__all__) == sorted(WING_PUBLIC[wing])
    for name in module.__all__:
        assert getattr(module, name) is not None, f"apa.{wing}.{name}"
    assert set(WING_PUBLIC[wing]) <= set(dir(module))


def test_the_console_script_and_python_m_reach_the_same_main():
    from importlib.metadata import entry_points

    from assetpay_analytics.cli import main
    from assetpay_analytics.cli.main import main as the_main

    [script] = [e for e in entry_points(group="console_scripts") if e.name == "assetpay-analytics"]
    assert script.value == "assetpay_analytics.cli:main"
    assert script.load() is main is the_main


def test_the_accessor_is_registered_by_the_client():
    import pandas as pd

    import assetpay_analytics.client  # noqa: F401  (registers df.assetpay)

    assert hasattr(pd.DataFrame(), "assetpay")
