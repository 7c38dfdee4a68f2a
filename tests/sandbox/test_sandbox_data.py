"""The sandbox's demo data: pinned inventories and the packaged catalogue behind them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from importlib import resources

import orjson
import pytest

from assetpay_analytics.constants import DOPPLER_PHASES, EXTERIOR_FLOAT_RANGES, GAME_CS2, GAME_RUST
from assetpay_analytics.sandbox import catalogue, data
from assetpay_analytics.sandbox.catalogue import Catalogue, PlainItem, RustItem, Skin

# --- regression pin: the generated inventories ------------------------------------------

# sha256 of orjson.dumps(data.inventory(partner, game)) for CS2 and Rust, then updated_at.
# First recorded from the pre-refactor Python catalogue (commit aff26b2, the catalogue still
# as literals in data.py): moving it to catalogue.json had to leave every draw, float, type
# and key order unchanged. A deliberate catalogue edit changes them: update them here in
# the same change (print them with the loop in test_inventories_match_the_pinned_digests).
#
# Moved by the price book (sandbox/book.py): an offer is now the book's deposit for the
# item's name and Doppler phase (the outliers off it), a refused name is offered 0, a
# Doppler's market price follows its phase and its ``doppler`` gained ``paintIndex``, and
# some items gained ``fade``, ``hardened``, ``charm``, ``offer.delivery`` and
# ``offer.maxAmount`` (drawn from their ids). Every draw stayed where it was: DRAWS pins
# what did not move, with a digest recorded from the code before the price book. The new
# accounts (escrow ... screen_flip) are screened ones.
PINNED: dict[str, tuple[str, str, str]] = {
    "alice": (
        "312cd726ba6722e39c72a1721e2324af1d32bf08074f8f2e561ae9784af7bd5e",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "bob": (
        "e4851fd055f518790671ff81d944ef7961dcacff88d972b6590ef4f765bdd002",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:34:00.000Z",
    ),
    "carol": (
        "bac2a7505c48c65e41413766bddac9ed81b361592a37dfb7ff216e05ecc06236",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:39:00.000Z",
    ),
    "dave": (
        "8ba3dffbb9c299c51d4f9718d14eb1723f360677e66d8393231e919caa38125e",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:43:00.000Z",
    ),
    "rusty": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "ffafe055e341aa4822c1c60dd3b770d676a28dd2c8711f7851588ec6b918f3c1",
        "2026-06-01T09:51:00.000Z",
    ),
    "erin": (
        "3a1450806d0dac7253860fb6e76236607e78d69ba30c0c44a2f67902d5085727",
        "fbefec93c0784ea6d31935d317728ec144cbb9054e2b2bb7cc6044065bfbf832",
        "2026-06-01T09:57:00.000Z",
    ),
    "private": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "fetch_failed": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "empty": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "flaky": (
        "96d059fe180fdf1751c59a489bc20ef9ad62cfa00e05453231499674a372f74e",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:33:00.000Z",
    ),
    "steam_down": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "throttled": (
        "2aa3f28c1216b76e45e802acb30468602c99211e3f4618da2a6f359d1db809bd",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:38:00.000Z",
    ),
    "escrow": (
        "8b3246bac1824dd9ef56440dcf4a5e204e6e9ed69884de7bf35abb775910c1e2",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:41:00.000Z",
    ),
    "vac_banned": (
        "3d0b19980cea5f0d0c1641d39595f383dc09299ddb7f0612c2e41f91d2549df4",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:44:00.000Z",
    ),
    "ghost": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "untradeable": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "screen_flip": (
        "0ef72df3a6d69d12af00aed9814899218a70575aad01d71f2a68c685dd5e71e2",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:47:00.000Z",
    ),
}
#: A partner that is not a named account gets a generated CS2 inventory (same origin).
UNNAMED = (
    12345,
    "3f80d18d50bfc0ace133200e53ee993c3d8536e373f5988ff34a20ec10eee452",
    "2026-06-01T09:45:00.000Z",
)


def _digest(partner: int, game: str) -> str:
    return hashlib.sha256(orjson.dumps(data.inventory(partner, game))).hexdigest()


def test_inventories_match_the_pinned_digests():
    actual = {
        account.name: (
            _digest(account.partner, GAME_CS2),
            _digest(account.partner, GAME_RUST),
            data.updated_at(account.partner),
        )
        for account in data.ACCOUNTS
    }
    assert actual == PINNED


#: sha256 of every inventory above (those of the accounts before the price book, and the
#: unnamed partner's) without what the price book and the extras changed: recorded from
#: the code before them (commit e69452e), so ids, wears, market prices, stickers, the
#: quirks and every other draw are as they were.
DRAWS = "7f30e493748993151e8e45b4c3738c6ff7177d84384749b1048f372fb107108e"
_BEFORE_THE_BOOK = ("alice", "bob", "carol", "dave", "rusty", "erin", "private",
                    "fetch_failed", "empty", "flaky", "steam_down", "throttled")  # fmt: skip


def _draws(item: dict) -> dict:
    """An item without its offer's price and acceptance (both spellings), a Doppler's
    market price and paint index, and the extras."""
    item = {k: v for k, v in item.items() if k not in ("fade", "hardened", "charm", "accepted")}
    if isinstance(item.get("offer"), dict):
        moved = ("price", "accepted", "delivery", "maxAmount")
        item["offer"] = {k: v for k, v in item["offer"].items() if k not in moved}
    if "doppler" in item:
        item["doppler"] = {"name": item["doppler"]["name"]}
        item.pop("marketPrice", None)
    return item


def test_the_price_book_moved_no_draw():
    accounts = [a for a in data.ACCOUNTS if a.name in _BEFORE_THE_BOOK]
    parts = [[_draws(i) for i in data.inventory(a.partner, g)]
             for a in accounts for g in (GAME_CS2, GAME_RUST)]  # fmt: skip
    parts.append([_draws(i) for i in data.inventory(UNNAMED[0], GAME_CS2)])
    assert len(accounts) == len(_BEFORE_THE_BOOK)
    assert hashlib.sha256(orjson.dumps(parts)).hexdigest() == DRAWS


def test_unnamed_partner_inventory_matches_the_pinned_digest():
    partner, digest, updated = UNNAMED
    assert data.account_by_partner(partner) is None
    assert (_digest(partner, GAME_CS2), data.updated_at(partner)) == (digest, updated)


def test_data_public_names_unchanged():
    assert data.__all__ == ["ACCOUNTS", "Account", "account_by_partner", "inventory", "updated_at"]
    # the catalogue tables are still reachable under their old names
    cat = catalogue.load()
    assert data.SKINS is cat.skins and data.Skin is Skin
    assert data.RARITY_COLORS is cat.rarity_colors and data.RUST_ITEMS is cat.rust_items


# --- the data file -----------------------------------------------------------------------


def _text() -> str:
    return (
        resources.files("assetpay_analytics.sandbox")
        .joinpath("catalogue.json")
        .read_text(encoding="utf-8")
    )


def test_data_file_reachable_through_importlib_resources():
    resource = resources.files("assetpay_analytics.sandbox").joinpath(catalogue.DATA_FILE)
    assert resource.is_file()
    assert catalogue.from_json(resource.read_text(encoding="utf-8")) == catalogue.load()


def test_data_file_is_valid_json_in_the_known_format():
    doc = json.loads(_text())
    assert doc["format"] == catalogue.FORMAT
    assert isinstance(catalogue.from_json(_text()), Catalogue)


def test_load_reads_once():
    assert catalogue.load() is catalogue.load()


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return catalogue.load()


def test_tables_are_populated(cat):
    assert len(cat.skins) > 50 and cat.plain_items and cat.sticker_names and cat.rust_items
    assert all(item.price > 0 for item in (*cat.skins, *cat.plain_items, *cat.rust_items))


def test_float_ranges_and_exteriors_consistent(cat):
    for skin in cat.skins:
        assert 0.0 <= skin.min_float < skin.max_float <= 1.0, skin
        assert skin.exteriors, skin
        assert set(skin.exteriors) <= set(EXTERIOR_FLOAT_RANGES), skin
        for exterior in skin.exteriors:  # the float range overlaps every exterior it lists
            low, high = EXTERIOR_FLOAT_RANGES[exterior]
            assert max(low, skin.min_float) < min(high, skin.max_float), (skin, exterior)


def test_exterior_tables_cover_every_exterior(cat):
    for table in (cat.exterior_factor, cat.exterior_payout, cat.exterior_share):
        assert list(table) == list(EXTERIOR_FLOAT_RANGES)
    assert all(share > 0 for share in cat.exterior_share.values())
    assert cat.exterior_factor["Field-Tested"] == 1.0


def test_every_rarity_has_a_colour(cat):
    used = {s.rarity for s in cat.skins} | {p.rarity for p in cat.plain_items}
    used |= set(cat.rarity_payout) | {"Covert"}  # the generator's plain "★ Karambit"
    assert used <= set(cat.rarity_colors), used - set(cat.rarity_colors)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in cat.rarity_colors.values())


def _unique(names: list) -> bool:
    return len(names) == len(set(names))


def test_no_duplicate_names(cat):
    assert _unique([(s.weapon, s.skin) for s in cat.skins])
    assert _unique([p.name for p in cat.plain_items])
    assert _unique(list(cat.sticker_names))
    assert _unique([r.name for r in cat.rust_items])
    assert all(_unique(list(s.phases)) for s in cat.skins)


def test_every_phase_has_a_price_factor(cat):
    phases = {phase for skin in cat.skins for phase in skin.phases}
    assert phases <= set(cat.phase_factor) <= set(DOPPLER_PHASES)
    gems = min(cat.phase_factor[p] for p in ("Ruby", "Sapphire"))
    assert gems > 2 * max(cat.phase_factor[f"Phase {n}"] for n in range(1, 5))
    assert _unique(list(cat.charm_names))
    with pytest.raises(ValueError, match="phase_factor: missing phase"):
        catalogue.from_json(_doc(phase_factor={"Phase 1": 1.0}))


def test_only_knives_and_gloves_are_starred_and_have_phases(cat):
    for skin in cat.skins:
        assert skin.star == (skin.type in ("Knife", "Gloves")), skin
        assert not (skin.phases and not skin.star), skin


# --- the loader ----------------------------------------------------------------------------


def test_loader_returns_immutable_objects(cat):
    assert isinstance(cat.skins, tuple) and isinstance(cat.sticker_names, tuple)
    assert all(isinstance(s.phases, tuple) for s in cat.skins)
    assert all(type(p) is PlainItem for p in cat.plain_items)
    assert all(type(r) is RustItem for r in cat.rust_items)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.skins = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.skins[0].price = 1.0
    with pytest.raises(AttributeError):
        cat.plain_items[0].price = 1.0
    for table in (cat.rarity_colors, cat.exterior_factor, cat.exterior_payout,
                  cat.exterior_share, cat.rarity_payout, cat.phase_factor):  # fmt: skip
        with pytest.raises(TypeError):
            table["Factory New"] = 0


def test_loader_types_are_exact(cat):
    numbers = [s.price for s in cat.skins] + [s.min_float for s in cat.skins]
    numbers += [p.price for p in cat.plain_items] + [r.price for r in cat.rust_items]
    numbers += [*cat.exterior_factor.values(), *cat.rarity_payout.values()]
    assert all(type(n) is float for n in numbers)
    assert all(type(r.stackable) is bool for r in cat.rust_items)


def _doc(**changes) -> str:
    doc = json.loads(_text())
    doc.update(changes)
    return json.dumps(doc)


MINIMAL_SKIN = {"weapon": "AK-47", "skin": "X", "type": "Rifle", "rarity": "Covert", "price": 3}


def test_optional_skin_fields_take_the_dataclass_defaults():
    parsed = catalogue.from_json(_doc(skins=[MINIMAL_SKIN])).skins
    assert parsed == (Skin("AK-47", "X", "Rifle", "Covert", 3.0),)
    assert type(parsed[0].price) is float  # an integer price is read as a float


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": 2}, "catalogue.format: expected 1"),
        ({"extra": 1}, "catalogue: unknown key(s) extra"),
        ({"skins": {}}, "skins: expected a list"),
        ({"skins": [{**MINIMAL_SKIN, "price": "3"}]}, "skins[0].price: expected a number"),
        ({"skins": [{**MINIMAL_SKIN, "price": True}]}, "skins[0].price: expected a number"),
        ({"skins": [{**MINIMAL_SKIN, "colour": "red"}]}, "skins[0]: unknown key(s) colour"),
        ({"skins": [{"weapon": "AK-47"}]}, "skins[0]: missing key(s) skin, type"),
        ({"rust_items": [["Scrap", "Resource", 0.1, True]]}, "rust_items[0]: expected an object"),
        ({"rarity_colors": {"Covert": ""}}, "rarity_colors.Covert: expected a non-empty"),
        ({"sticker_names": ["ok", 3]}, "sticker_names[1]: expected a non-empty string"),
    ],
)
def test_from_json_says_where_the_document_is_malformed(changes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        catalogue.from_json(_doc(**changes))


def test_comment_keys_are_ignored():
    assert catalogue.from_json(_doc(_note="x")) == catalogue.load()
