"""The error tree and the mapping of every documented code (both doc versions) to a class.

The expected classes are written out here by hand from shared/assetpay-api.md §2,
not read from constants.py, so a wrong table in the package fails these tests.
"""

from __future__ import annotations

import pytest

import assetpay_analytics as apa
from assetpay_analytics.errors import error_from_response

# (key, code, HTTP status as documented) -> class the caller acts on
DOCUMENTED = [
    ("INVENTORY_FETCH_FAILED", 3, 500, apa.InventoryUnavailable),
    ("INVENTORY_FETCH_FAILED", 3, 424, apa.InventoryUnavailable),
    ("USER_NOT_TRADEABLE", 7, 400, apa.InventoryUnavailable),
    # the official SDK's key for a private inventory (its mock sends code 1000)
    ("INVENTORY_PRIVATE", 1000, 400, apa.InventoryUnavailable),
    ("INVALID_TRADEURL", 13, 400, apa.InvalidTradeUrl),
    ("INVALID_TRADEURL", 14, 400, apa.InvalidTradeUrl),
    ("STEAM_UNAVAILABLE", 31, 424, apa.ServiceUnavailable),
    ("STEAM_RATE_LIMITED", 33, 424, apa.RateLimited),
    ("NO_BOTS_AVAILABLE", 1010, 503, apa.ServiceUnavailable),
    ("FLEET_DEGRADED", 1011, 503, apa.ServiceUnavailable),
    ("TOO_MANY_ACTIVE_TRADES", 6, 429, apa.InventoryUnavailable),
    ("DEPOSIT_IN_PROGRESS", 21, 429, apa.InventoryUnavailable),
    ("INSUFFICIENT_ITEM_AMOUNT", 19, 400, apa.InvalidRequest),
    ("EXCEEDS_MAX_AMOUNT", 20, 400, apa.InvalidRequest),
    # .gg general codes
    ("VALIDATION_FAILED", 1001, 422, apa.InvalidRequest),
    ("NOT_FOUND", 1003, 404, apa.InvalidRequest),
    ("CONFLICT", 1004, 409, apa.InvalidRequest),
    ("RATE_LIMITED", 1005, 429, apa.RateLimited),
    ("SERVER_ERROR", 1006, 500, apa.ServiceUnavailable),
    ("SYSTEM_MAINTENANCE", 1007, 503, apa.ServiceUnavailable),
    ("UNPROCESSABLE", 1008, 422, apa.InvalidRequest),
    ("SERVICE_UNAVAILABLE", 1009, 503, apa.ServiceUnavailable),
    # .co general codes
    ("SERVER_ERROR", 1000, 500, apa.ServiceUnavailable),
    ("VALIDATION_FAILED", 1001, 400, apa.InvalidRequest),
    ("UNAUTHORIZED", 1002, 401, apa.AuthenticationError),
    ("FORBIDDEN", 1003, 403, apa.AuthenticationError),
    ("NOT_FOUND", 1004, 404, apa.InvalidRequest),
    ("CONFLICT", 1005, 409, apa.InvalidRequest),
    ("UNPROCESSABLE", 1006, 422, apa.InvalidRequest),
    ("RATE_LIMITED", 1007, 429, apa.RateLimited),
    ("SERVICE_UNAVAILABLE", 1008, 503, apa.ServiceUnavailable),
    ("SYSTEM_MAINTENANCE", 1009, 503, apa.ServiceUnavailable),
    # .gg only
    *[("TOKEN_ERROR_" + str(c), c, 401, apa.AuthenticationError) for c in (1100, 1105, 1111)],
    ("FORBIDDEN", 1300, 403, apa.AuthenticationError),
    ("ACCOUNT_DISABLED", 1301, 403, apa.AuthenticationError),
    ("MISSING_API_KEY", 1900, 401, apa.AuthenticationError),
    ("INVALID_API_KEY", 1901, 401, apa.AuthenticationError),
    ("API_KEY_REVOKED", 1902, 401, apa.AuthenticationError),
    ("API_KEY_SCOPE_DENIED", 1903, 403, apa.AuthenticationError),
]


@pytest.mark.parametrize(("key", "code", "status", "cls"), DOCUMENTED)
def test_every_documented_error_maps_to_its_class(key, code, status, cls):
    err = error_from_response(
        status=status, error={"code": code, "key": key, "message": "m"}, request_id="rid-1"
    )
    assert type(err) is cls
    assert (err.code, err.status, err.request_id) == (code, status, "rid-1")
    assert err.retryable == (cls in (apa.RateLimited, apa.ServiceUnavailable))


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        (3, 500, apa.InventoryUnavailable),  # 500, yet permanent: the code wins over the status
        (7, 400, apa.InventoryUnavailable),
        (13, 400, apa.InvalidTradeUrl),
        (14, 400, apa.InvalidTradeUrl),
        (31, 424, apa.ServiceUnavailable),
        (1011, 503, apa.ServiceUnavailable),
        (1901, 401, apa.AuthenticationError),
        # codes numbered differently by the two doc versions fall back on the status
        (1005, 429, apa.RateLimited),
        (1005, 409, apa.InvalidRequest),
        (1007, 429, apa.RateLimited),
        (1007, 503, apa.ServiceUnavailable),
    ],
)
def test_code_without_key(code, status, cls):
    err = error_from_response(status=status, error={"code": code, "message": "m"})
    assert type(err) is cls


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, apa.AuthenticationError),
        (403, apa.AuthenticationError),
        (429, apa.RateLimited),
        (500, apa.ServiceUnavailable),
        (502, apa.ServiceUnavailable),
        (504, apa.ServiceUnavailable),
        (424, apa.ServiceUnavailable),
        (400, apa.InvalidRequest),
        (422, apa.InvalidRequest),
        (418, apa.AssetPayError),
    ],
)
def test_unknown_code_or_no_body_falls_back_on_status(status, cls):
    assert type(error_from_response(status=status, error=None)) is cls
    unknown = error_from_response(status=status, error={"code": 99999, "key": "NEW_THING"})
    assert type(unknown) is cls


def test_message_says_what_happened_and_what_to_do():
    err = error_from_response(
        status=400,
        error={"code": 7, "key": "USER_NOT_TRADEABLE", "message": "User cannot trade"},
        request_id="abc",
        context="steam_id 76561198000000001",
    )
    text = str(err)
    assert text.startswith("steam_id 76561198000000001: User cannot trade.")
    assert "public" in text  # the advice
    assert "request_id=abc" in text and "key=USER_NOT_TRADEABLE" in text


def test_message_list_and_fields_are_kept():
    err = error_from_response(
        status=422,
        error={
            "code": 1001,
            "key": "VALIDATION_FAILED",
            "message": ["a", "b"],
            "fields": {"limit": "must be positive"},
        },
    )
    assert "a; b" in str(err)
    assert err.details["fields"] == {"limit": "must be positive"}


def test_retry_after_carried_by_retryable_errors():
    err = error_from_response(status=429, error={"key": "RATE_LIMITED"}, retry_after=3.0)
    assert isinstance(err, apa.RateLimited) and err.retry_after == 3.0


def test_tree():
    assert issubclass(apa.InvalidTradeUrl, apa.InvalidRequest)
    assert issubclass(apa.InvalidRequest, ValueError)
    for cls in (
        apa.AuthenticationError,
        apa.InventoryUnavailable,
        apa.RateLimited,
        apa.ServiceUnavailable,
        apa.InvalidRequest,
    ):
        assert issubclass(cls, apa.AssetPayError)


@pytest.mark.parametrize(
    ("error", "status", "limit"),
    [
        ({"code": 33, "key": "STEAM_RATE_LIMITED"}, 424, "steam"),
        ({"code": 33}, 424, "steam"),
        ({"code": 1005, "key": "RATE_LIMITED"}, 429, "merchant"),
        ({"code": 1007, "key": "RATE_LIMITED"}, 429, "merchant"),
        (None, 429, "merchant"),
    ],
)
def test_steam_and_merchant_rate_limits_are_told_apart(error, status, limit):
    err = error_from_response(status=status, error=error, retry_after=2.0)
    assert isinstance(err, apa.RateLimited)
    assert err.limit == limit
    assert err.retry_after == 2.0
    # only the merchant's limit is the merchant's budget (and its setting can help)
    assert ("verified=False" in err.message) == (limit == "merchant")
    assert ("not the merchant's" in err.message) == (limit == "steam")


def test_new_error_classes_are_asset_pay_errors():
    assert issubclass(apa.InconsistentInventory, apa.AssetPayError)
    assert apa.InconsistentInventory("x").retryable
    assert issubclass(apa.MalformedResponse, apa.AssetPayError)
    assert not apa.MalformedResponse("x").retryable
    err = apa.AssetPayError("x")
    assert (err.attempts, err.elapsed) == (None, None)
