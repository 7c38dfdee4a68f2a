"""The sandbox's demo data: pinned inventories and the packaged catalogue behind them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from importlib import resources

import orjson
import pytest

from assetpay_analytics.constants import EXTERIOR_FLOAT_RANGES, GAME_CS2, GAME_RUST
from assetpay_analytics.sandbox import catalogue, data
from assetpay_analytics.sandbox.catalogue import Catalogue, PlainItem, RustItem, Skin

# --- regression pin: the generated inventories ------------------------------------------

# sha256 of orjson.dumps(data.inventory(partner, game)) for CS2 and Rust, then updated_at.
# Recorded from the pre-refactor Python catalogue (commit aff26b2, the catalogue still as
# literals in data.py): moving it to catalogue.json had to leave every draw, float, type
# and key order unchanged. A deliberate catalogue edit changes them: update them here in
# the same change (print them with the loop in test_inventories_match_the_pinned_digests).
PINNED: dict[str, tuple[str, str, str]] = {
    "alice": (
        "91907a4eaed728933a166740c5b3920e5c1b5b6c3d9c32c75704e391150cc439",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "bob": (
        "d22e1d0f62abc409eaba0f5bed44e9e4ef1c775a0147b02ad5c2069bc2ea6412",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:34:00.000Z",
    ),
    "carol": (
        "8a405bd921bf74fb17230bc1ac294a12ceea0a137a76926e07e129cdf4f28ee4",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:39:00.000Z",
    ),
    "dave": (
        "1bdda4d2f19daf31dc208ca6238aa2129810bd6947c0668398c83926f94a8d4f",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:43:00.000Z",
    ),
    "rusty": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4af929df256afb0cb729525b58577138c7b7fffda2fcf265afeda5925e41e36a",
        "2026-06-01T09:51:00.000Z",
    ),
    "erin": (
        "e332f1789b78edba23f65b464780e49ce22f3e8d11dd3dbd8aabac692de5068b",
        "09baec77aa01020e3c0f14249e3f8670c4e5e0b8dcfb46f67768a97756a89447",
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
        "da41936fb4207166b15750c12f32cb524c1c01e2b7650d88cb4154af442e70d1",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:33:00.000Z",
    ),
    "steam_down": (
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:30:00.000Z",
    ),
    "throttled": (
        "e114ff8e6ea353e5e4513d20eececa8a5785adca1111f9b19cebfc4b67f3a469",
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        "2026-06-01T09:38:00.000Z",
    ),
}
#: A partner that is not a named account gets a generated CS2 inventory (same origin).
UNNAMED = (
    12345,
    "40698e72447fb316edbbfcadd48274622f02d8edfcf3b3885b7603b169684e03",
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
                  cat.exterior_share, cat.rarity_payout):  # fmt: skip
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
