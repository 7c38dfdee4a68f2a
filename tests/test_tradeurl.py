"""TradeUrl: parsing, validation, SteamID64, masking; property tests with hypothesis."""

from __future__ import annotations

import contextlib
import pickle
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

import assetpay_analytics as apa
from assetpay_analytics import TradeUrl
from tests import strategies

TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-"
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=8, max_size=8)
partners = st.integers(min_value=1, max_value=2**32 - 1)


def canonical(partner: int, token: str) -> str:
    return f"https://steamcommunity.com/tradeoffer/new/?partner={partner}&token={token}"


def test_sdk_fixture_steam_id():
    # The official SDK's fixture: partner 39734273 is SteamID64 76561198000000001.
    url = TradeUrl.parse(canonical(39734273, "AbCd1234"))
    assert url.partner == 39734273
    assert url.token == "AbCd1234"
    assert url.steam_id == "76561198000000001"
    assert int(url.steam_id) == (1 << 56) | (1 << 52) | (1 << 32) | 39734273


@pytest.mark.parametrize(
    "pasted",
    [
        " https://steamcommunity.com/tradeoffer/new/?partner=7&token=AbCd1234\n",
        "http://steamcommunity.com/tradeoffer/new/?partner=7&token=AbCd1234",
        "https://www.steamcommunity.com/tradeoffer/new/?partner=7&token=AbCd1234",
        "https://steamcommunity.com/tradeoffer/new?partner=7&token=AbCd1234",
        "https://steamcommunity.com/tradeoffer/new/?token=AbCd1234&partner=7",
    ],
)
def test_harmless_variations_become_canonical(pasted):
    assert TradeUrl.parse(pasted).url == canonical(7, "AbCd1234")


@pytest.mark.parametrize(
    ("bad", "names"),
    [
        (None, "expected a string"),
        (12345, "expected a string"),
        ("", "https://steamcommunity.com"),
        ("steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234", "https://"),
        ("ftp://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234", "https://"),
        ("https://steamcommunity.co/tradeoffer/new/?partner=1&token=AbCd1234", "host"),
        ("https://evil.example/tradeoffer/new/?partner=1&token=AbCd1234", "host"),
        ("https://steamcommunity.com/id/someone/?partner=1&token=AbCd1234", "path"),
        (
            "https://steamcommunity.com/tradeoffer/new/?token=AbCd1234",
            "partner parameter is missing",
        ),
        ("https://steamcommunity.com/tradeoffer/new/?partner=1", "token parameter is missing"),
        ("https://steamcommunity.com/tradeoffer/new/?partner=x1&token=AbCd1234", "partner must be"),
        ("https://steamcommunity.com/tradeoffer/new/?partner=0&token=AbCd1234", "outside"),
        ("https://steamcommunity.com/tradeoffer/new/?partner=4294967296&token=AbCd1234", "outside"),
        ("https://steamcommunity.com/tradeoffer/new/?partner=1&token=short", "8 characters"),
        ("https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd12$4", "8 characters"),
        (
            "https://steamcommunity.com/tradeoffer/new/?partner=1&partner=2&token=AbCd1234",
            "more than once",
        ),
        ("https://steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234&x=1", "unexpected"),
    ],
)
def test_invalid_urls_name_the_problem(bad, names):
    with pytest.raises(apa.InvalidTradeUrl) as info:
        TradeUrl.parse(bad)
    assert names in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, apa.AssetPayError)
    assert info.value.key == "INVALID_TRADEURL"


def test_repr_and_str_hide_the_token():
    url = TradeUrl.parse(canonical(123, "Secr3t_x"))
    for text in (repr(url), str(url), f"{url}", url.masked, repr([url])):
        assert "Secr3t_x" not in text
    assert "123" in repr(url)


def test_masking_never_hides_the_partner_when_digits_match():
    url = TradeUrl(12345678, "12345678")
    assert (
        url.masked == "https://steamcommunity.com/tradeoffer/new/?partner=12345678&token=********"
    )


def test_from_steam_id_round_trip():
    url = TradeUrl.from_steam_id("76561198000000001", "AbCd1234")
    assert url.partner == 39734273
    with pytest.raises(apa.InvalidTradeUrl):
        TradeUrl.from_steam_id("not-a-number", "AbCd1234")


def test_value_semantics():
    a = TradeUrl.parse(canonical(5, "AbCd1234"))
    assert a == TradeUrl(5, "AbCd1234")
    assert hash(a) == hash(TradeUrl(5, "AbCd1234"))
    assert pickle.loads(pickle.dumps(a)) == a
    assert TradeUrl.parse(a) is a


@given(partners, tokens)
def test_format_parse_round_trip(partner, token):
    url = TradeUrl(partner, token)
    again = TradeUrl.parse(url.url)
    assert again == url
    assert int(again.steam_id) - 76561197960265728 == partner
    assert repr(again) == f"TradeUrl(partner={partner}, token='********')"


@given(
    st.one_of(
        strategies.text(), st.binary(), st.integers(), st.none(), st.lists(strategies.text())
    )
)
def test_garbage_raises_only_invalid_trade_url(garbage):
    with contextlib.suppress(apa.InvalidTradeUrl):
        TradeUrl.parse(garbage)


@given(partners, tokens, strategies.text(max_size=20))
def test_mutated_urls_raise_only_invalid_trade_url(partner, token, junk):
    text = canonical(partner, token)
    for mutated in (text + junk, junk + text, text.replace("partner", junk), text[: len(junk)]):
        try:
            parsed = TradeUrl.parse(mutated)
        except apa.InvalidTradeUrl:
            continue
        assert parsed.url.startswith("https://steamcommunity.com/tradeoffer/new/?partner=")
