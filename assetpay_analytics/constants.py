"""Facts about the AssetPay Merchant API and Steam items, kept in one place.

Every number here comes from ``shared/assetpay-api.md`` (the API contract);
the client, the frame builder, the analysis and the sandbox all read them from
this module so that one fact never has two spellings.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

#: Production host of the Merchant API (the ``.gg`` documentation).
DEFAULT_BASE_URL: Final = "https://api.assetpay.gg"
#: The inventory endpoint, relative to the base URL.
INVENTORY_PATH: Final = "/secure/inventory"
#: The price-book endpoint (``GET``), relative to the base URL.
PRICES_PATH: Final = "/secure/prices"
#: The trade-URL screening endpoint (``POST``), relative to the base URL.
CHECK_TRADEURL_PATH: Final = "/secure/check-tradeurl"
#: Header that carries the merchant's api key (spelled exactly as sent).
API_KEY_HEADER: Final = "api-key"
#: Environment variable the client reads the api key from.
API_KEY_ENV: Final = "ASSETPAY_API_KEY"
#: Environment variable that moves the disk cache.
CACHE_DIR_ENV: Final = "ASSETPAY_CACHE_DIR"
#: Header the client sends with a fresh UUID4 per request (as the official SDK does).
REQUEST_ID_HEADER: Final = "x-request-id"

#: Steam app ids the inventory endpoint serves.
GAME_CS2: Final = "730"
GAME_RUST: Final = "252490"
GAMES: Final = MappingProxyType({GAME_CS2: "Counter-Strike 2", GAME_RUST: "Rust"})

#: ``sort`` values the endpoint documents.
SORTS: Final = ("relevance", "priceAsc", "priceDesc", "nameAsc", "nameDesc")
#: Longest ``search`` string the endpoint accepts.
SEARCH_MAX_LEN: Final = 100
#: Default page size, and the ``limit`` value that turns paging off.
DEFAULT_PAGE_SIZE: Final = 50
UNLIMITED: Final = -1

#: The upstream cache window (``refresh=true`` bypasses it); also our default expiry.
CACHE_WINDOW_SECONDS: Final = 15 * 60

#: The most items one inventory can plausibly hold: a CS2 inventory holds a few thousand
#: at most, so a larger ``count`` is itself an inconsistency (reported after page 1).
MAX_INVENTORY_COUNT: Final = 100_000

#: Requests per minute on /secure/inventory, per merchant: verified, unverified.
RATE_LIMIT_VERIFIED: Final = 10_000
RATE_LIMIT_UNVERIFIED: Final = 100

#: Rate families: each is a budget of its own per merchant (api key), shared by every
#: caller using the key: name -> (window in seconds, limit verified, limit unverified).
#: From [gg]'s rate-limit table (``shared/assetpay-api.md`` §2).
RATE_FAMILIES: Final = MappingProxyType(
    {
        "inventory": (60.0, RATE_LIMIT_VERIFIED, RATE_LIMIT_UNVERIFIED),
        "prices": (3600.0, 1_000, 100),
        "check-tradeurl": (3600.0, 100_000, 100),
    }
)

#: How long AssetPay caches a price book or a screening answer upstream; our default
#: expiry for both (§4, §4b).
HOUR_WINDOW_SECONDS: Final = 60 * 60

#: The states that say an account's inventory cannot be read: a screened batch does not
#: request them (``inventories(..., screen=True)``).
UNREADABLE_STATES: Final = ("Banned", "InventoryPrivate", "TradeUrlInvalid", "UserNotFound")

#: check-tradeurl's answer ``state`` -> its name ([OA] 0.8.3, ``shared/assetpay-api.md`` §4b).
SCREENING_STATES: Final = MappingProxyType(
    {
        1: "Normal",
        2: "CS2Banned",
        3: "RustBanned",
        4: "Banned",
        5: "InventoryPrivate",
        6: "TradeUrlInvalid",
        7: "UserNotFound",
        8: "UnknownError",
        9: "UserNotTradeable",
        10: "SteamUnavailable",
    }
)
#: The states whose check-tradeurl answer carries ``canTrade`` ([co]: states 1-4).
SCREENING_CAN_TRADE_STATES: Final = (1, 2, 3, 4)
#: check-tradeurl's ``bans.economyBan`` values.
ECONOMY_BANS: Final = ("none", "probation", "banned")

#: Doppler phases as the price book's ``phases[].phase`` spells them (the phase is not in
#: the hash name; an inventory item carries it as ``doppler.name``).
DOPPLER_PHASES: Final = (
    "Phase 1",
    "Phase 2",
    "Phase 3",
    "Phase 4",
    "Ruby",
    "Sapphire",
    "Black Pearl",
    "Emerald",
)
#: Each Doppler phase's paint index (an item's ``doppler.paintIndex``); Emerald is the
#: Gamma Doppler's.
DOPPLER_PAINT_INDEX: Final = MappingProxyType(
    {
        "Phase 1": 418,
        "Phase 2": 419,
        "Phase 3": 420,
        "Phase 4": 421,
        "Ruby": 415,
        "Sapphire": 416,
        "Black Pearl": 417,
        "Emerald": 568,
    }
)

#: SteamID64 = trade-URL partner (32-bit account id) + this offset.
STEAM_ID64_BASE: Final = 76561197960265728
MAX_ACCOUNT_ID: Final = 2**32 - 1

#: CS2 exteriors, best to worst (the API's full names), and their float ranges.
EXTERIORS: Final = (
    "Factory New",
    "Minimal Wear",
    "Field-Tested",
    "Well-Worn",
    "Battle-Scarred",
)
#: The row of per-exterior tables for items without an exterior (stickers, cases, Rust).
NO_EXTERIOR: Final = "No exterior"
EXTERIOR_SHORT: Final = MappingProxyType(
    dict(zip(EXTERIORS, ("FN", "MW", "FT", "WW", "BS"), strict=True))
)
EXTERIOR_FLOAT_RANGES: Final = MappingProxyType(
    {
        "Factory New": (0.00, 0.07),
        "Minimal Wear": (0.07, 0.15),
        "Field-Tested": (0.15, 0.38),
        "Well-Worn": (0.38, 0.45),
        "Battle-Scarred": (0.45, 1.00),
    }
)

#: Name prefixes in ``marketHashName`` (``™`` is U+2122).
STAR_PREFIX: Final = "★ "
STATTRAK_PREFIX: Final = "StatTrak™ "
SOUVENIR_PREFIX: Final = "Souvenir "
#: ``name`` prefixes of CS2 items that are not weapon skins (no weapon/skin split).
NON_SKIN_PREFIXES: Final = (
    "Sticker | ",
    "Patch | ",
    "Graffiti | ",
    "Sealed Graffiti | ",
    "Charm | ",
    "Music Kit | ",
    "StatTrak™ Music Kit | ",
)

# --- errors ---------------------------------------------------------------------------
# Keys are what the client branches on; codes differ between the .gg and .co doc versions
# (see assetpay-api.md §2), so a code alone is only trusted where both versions agree.

#: Error keys by the exception class that represents them (class names in errors.py).
ERROR_KEYS_BY_CLASS: Final = MappingProxyType(
    {
        "InvalidTradeUrl": ("INVALID_TRADEURL",),
        "InvalidRequest": (
            "VALIDATION_FAILED",
            "UNPROCESSABLE",
            "NOT_FOUND",
            "CONFLICT",
            "INSUFFICIENT_ITEM_AMOUNT",
            "EXCEEDS_MAX_AMOUNT",
        ),
        "AuthenticationError": (
            "UNAUTHORIZED",
            "FORBIDDEN",
            "ACCOUNT_DISABLED",
            "MISSING_API_KEY",
            "INVALID_API_KEY",
            "API_KEY_REVOKED",
            "API_KEY_SCOPE_DENIED",
        ),
        "InventoryUnavailable": (
            "INVENTORY_PRIVATE",  # the official SDK's key (HTTP 400; its mock sends code 1000)
            "INVENTORY_FETCH_FAILED",
            "USER_NOT_TRADEABLE",
            "TOO_MANY_ACTIVE_TRADES",
            "DEPOSIT_IN_PROGRESS",
        ),
        "RateLimited": ("RATE_LIMITED", "STEAM_RATE_LIMITED"),
        "ServiceUnavailable": (
            "STEAM_UNAVAILABLE",
            "NO_BOTS_AVAILABLE",
            "FLEET_DEGRADED",
            "SERVER_ERROR",
            "SERVICE_UNAVAILABLE",
            "SYSTEM_MAINTENANCE",
        ),
    }
)

#: Codes that mean the same key in every doc version (used when a body has no key).
#: 1003-1009 are left out on purpose: .gg and .co number them differently.
KEY_BY_CODE: Final = MappingProxyType(
    {
        3: "INVENTORY_FETCH_FAILED",
        6: "TOO_MANY_ACTIVE_TRADES",
        7: "USER_NOT_TRADEABLE",
        13: "INVALID_TRADEURL",
        14: "INVALID_TRADEURL",  # the .co numbering
        19: "INSUFFICIENT_ITEM_AMOUNT",
        20: "EXCEEDS_MAX_AMOUNT",
        21: "DEPOSIT_IN_PROGRESS",
        31: "STEAM_UNAVAILABLE",
        33: "STEAM_RATE_LIMITED",
        1001: "VALIDATION_FAILED",
        1010: "NO_BOTS_AVAILABLE",
        1011: "FLEET_DEGRADED",
        1300: "FORBIDDEN",
        1301: "ACCOUNT_DISABLED",
        1900: "MISSING_API_KEY",
        1901: "INVALID_API_KEY",
        1902: "API_KEY_REVOKED",
        1903: "API_KEY_SCOPE_DENIED",
        **{code: "UNAUTHORIZED" for code in range(1100, 1112)},  # .gg token errors
    }
)

#: The .gg numbering and HTTP status of every error the sandbox answers with.
ERRORS_GG: Final = MappingProxyType(
    {
        "INVENTORY_FETCH_FAILED": (3, 500),
        "USER_NOT_TRADEABLE": (7, 400),
        "INVALID_TRADEURL": (13, 400),
        "STEAM_UNAVAILABLE": (31, 424),
        "STEAM_RATE_LIMITED": (33, 424),
        "VALIDATION_FAILED": (1001, 422),
        "NOT_FOUND": (1003, 404),
        "RATE_LIMITED": (1005, 429),
        "SERVER_ERROR": (1006, 500),
        "SYSTEM_MAINTENANCE": (1007, 503),
        "SERVICE_UNAVAILABLE": (1009, 503),
        "NO_BOTS_AVAILABLE": (1010, 503),
        "FLEET_DEGRADED": (1011, 503),
        "MISSING_API_KEY": (1900, 401),
        "INVALID_API_KEY": (1901, 401),
        "API_KEY_SCOPE_DENIED": (1903, 403),
    }
)

#: The .co numbering and HTTP status of the same errors, where it differs from .gg:
#: validation is 400 (not 422), INVENTORY_FETCH_FAILED 500 (the .gg/OpenAPI status is
#: 424), INVALID_TRADEURL 14, and the general codes 1000-1009 are numbered differently.
ERRORS_CO: Final = MappingProxyType(
    {
        **ERRORS_GG,
        "INVENTORY_FETCH_FAILED": (3, 500),
        "INVALID_TRADEURL": (14, 400),
        "SERVER_ERROR": (1000, 500),
        "VALIDATION_FAILED": (1001, 400),
        "NOT_FOUND": (1004, 404),
        "RATE_LIMITED": (1007, 429),
        "SERVICE_UNAVAILABLE": (1008, 503),
        "SYSTEM_MAINTENANCE": (1009, 503),
    }
)
#: The .gg dialect as the OpenAPI document gives it: INVENTORY_FETCH_FAILED is 424.
ERRORS_GG_OPENAPI: Final = MappingProxyType({**ERRORS_GG, "INVENTORY_FETCH_FAILED": (3, 424)})
#: The OpenAPI 0.8.3 statuses exactly: validation 400 (with ``fields``), every Steam-side
#: failure 424 (INVENTORY_FETCH_FAILED, STEAM_UNAVAILABLE, STEAM_RATE_LIMITED), 429, 401,
#: 403, 500. The codes are the .gg numbering (the OpenAPI gives none), and so are the
#: statuses it leaves out: NOT_FOUND 404, and 503 for 1007 and 1009-1011 (the OpenAPI lists
#: no 503, but .gg documents 503 for NO_BOTS_AVAILABLE and FLEET_DEGRADED).
ERRORS_OPENAPI: Final = MappingProxyType({**ERRORS_GG_OPENAPI, "VALIDATION_FAILED": (1001, 400)})
#: Error tables by sandbox dialect: "gg" (validation 422, fetch failure 424), "co"
#: (validation 400, fetch failure 500) or "openapi" (validation 400, fetch failure 424).
ERRORS_BY_DIALECT: Final = MappingProxyType(
    {"gg": ERRORS_GG_OPENAPI, "co": ERRORS_CO, "openapi": ERRORS_OPENAPI}
)
