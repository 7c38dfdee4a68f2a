"""TradeUrl: parsing, validation, SteamID64, masking; property tests with hypothesis."""

from __future__ import annotations

import contextlib
import copy
import pickle
import string
from decimal import Decimal
from fractions import Fraction
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import assetpay_analytics as apa
from assetpay_analytics import TradeUrl, redact
from assetpay_analytics.redact import MASK, mask
from tests import strategies

TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-"
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=8, max_size=8)
partners = st.integers(min_value=1, max_value=2**32 - 1)
FIRST_ID, LAST_ID = 76561197960265729, 76561197960265728 + 2**32 - 1
steam_ids = st.integers(min_value=FIRST_ID, max_value=LAST_ID)
#: No message quoting a bad value is longer than this, however long the value.
SHORT = 600


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
    st.one_of(strategies.text(), st.binary(), st.integers(), st.none(), st.lists(strategies.text()))
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


# --- strict inputs: ASCII digits, no float ids, bounded messages -----------------------


@pytest.mark.parametrize("digits", ["١٢٣", "１２３", "१२३", "12３"])
def test_partner_must_be_ascii_digits(digits):
    # Python's \d matches every Unicode digit, and int() reads them: "١٢٣" was partner 123.
    with pytest.raises(apa.InvalidTradeUrl, match="ASCII digits"):
        TradeUrl.parse(canonical(1, "AbCd1234").replace("partner=1", f"partner={digits}"))


@pytest.mark.parametrize(
    "bad",
    [
        "https://[steamcommunity.com/tradeoffer/new/?partner=1&token=AbCd1234",
        "https://steamcommunity.com]/tradeoffer/new/?partner=1&token=AbCd1234",
        "https://steamcommunity.com\uff03x/tradeoffer/new/?partner=1&token=AbCd1234",
    ],
)
def test_urls_urlsplit_refuses_are_invalid_trade_urls(bad):
    # urlsplit raises a bare ValueError for unbalanced brackets and NFKC look-alikes.
    with pytest.raises(apa.InvalidTradeUrl, match="host"):
        TradeUrl.parse(bad)


def test_messages_quote_a_huge_value_briefly():
    for bad in (
        "https://" + "h" * 10**7 + "/tradeoffer/new/?partner=1&token=AbCd1234",
        "https://steamcommunity.com/" + "p" * 10**7 + "?partner=1&token=AbCd1234",
    ):
        with pytest.raises(apa.InvalidTradeUrl) as info:
            TradeUrl.parse(bad)
        assert len(str(info.value)) < SHORT
    with pytest.raises(apa.InvalidTradeUrl) as info:
        TradeUrl(10**5000, "AbCd1234")  # too long for str(): Python refuses 4,300+ digits
    assert "outside" in str(info.value) and len(str(info.value)) < SHORT


def test_partner_may_be_any_integral_and_is_stored_as_int():
    url = TradeUrl(np.int64(7), "AbCd1234")
    assert type(url.partner) is int and url == TradeUrl(7, "AbCd1234")
    with pytest.raises(apa.InvalidTradeUrl, match="integer"):
        TradeUrl(7.0, "AbCd1234")  # type: ignore[arg-type]


def test_from_steam_id_rejects_a_float_even_an_integral_one():
    # What pandas makes of an id column with a gap: 76561198000000001.0 is ...000.
    assert float(76561198000000001) == 76561198000000000
    with pytest.raises(apa.InvalidTradeUrl) as info:
        TradeUrl.from_steam_id(76561198000000001.0, "AbCd1234")  # type: ignore[arg-type]
    message = str(info.value)
    assert "string or int" in message and "float" in message and "17 digits" in message


@pytest.mark.parametrize(
    ("bad", "names"),
    [
        (Decimal("Infinity"), "string or int"),
        (Decimal("NaN"), "string or int"),
        (Decimal("76561198000000001"), "string or int"),
        (Fraction(76561198000000001), "string or int"),
        (np.float64(76561198000000001), "string or int"),
        (True, "string or int"),
        (None, "string or int"),
        (b"76561198000000001", "string or int"),
        ("7656_1198000000001", "ASCII digits"),
        ("+76561198000000001", "ASCII digits"),
        ("-76561198000000001", "ASCII digits"),
        ("76561198000000001.0", "ASCII digits"),
        ("7.6561198000000001e16", "ASCII digits"),
        ("٧٦٥٦١١٩٨٠٠٠٠٠٠٠٠١", "ASCII digits"),
        ("７６５６１１９８０００００００００１", "ASCII digits"),
        ("", "ASCII digits"),
        pytest.param("0" * 5000, "76561197960265729..76561202255233023", id="5000-zeros"),
        ("not-a-number", "ASCII digits"),
        ("76561197960265728", "76561197960265729..76561202255233023"),
        ("76561202255233024", "76561197960265729..76561202255233023"),
        (76561197960265728, "76561197960265729..76561202255233023"),
        (-1, "76561197960265729..76561202255233023"),
        pytest.param(10**5000, "76561197960265729..76561202255233023", id="5000-digit-int"),
        pytest.param("9" * 5000, "76561197960265729..76561202255233023", id="5000-digit-str"),
    ],
)
def test_from_steam_id_rejects(bad, names):
    with pytest.raises(apa.InvalidTradeUrl) as info:
        TradeUrl.from_steam_id(bad, "AbCd1234")
    assert names in str(info.value)
    assert len(str(info.value)) < SHORT
    assert info.value.key == "INVALID_TRADEURL"


@pytest.mark.parametrize(
    "good",
    [
        "76561198000000001",
        " 76561198000000001\n",
        "076561198000000001",
        pytest.param("0" * 10_000 + "76561198000000001", id="10000-leading-zeros"),
        76561198000000001,
        np.int64(76561198000000001),
        np.uint64(76561198000000001),
    ],
)
def test_from_steam_id_accepts_ints_and_digit_strings(good):
    url = TradeUrl.from_steam_id(good, "AbCd1234")
    assert url.partner == 39734273 and type(url.partner) is int


@given(steam_ids, tokens)
def test_from_steam_id_round_trips_every_valid_id(steam_id, token):
    assert TradeUrl.from_steam_id(str(steam_id), token).steam_id == str(steam_id)
    assert TradeUrl.from_steam_id(steam_id, token) == TradeUrl.from_steam_id(str(steam_id), token)


@given(st.one_of(st.floats(), st.floats().map(np.float64), steam_ids.map(float)), tokens)
def test_from_steam_id_rejects_every_float(value, token):
    with pytest.raises(apa.InvalidTradeUrl, match="float"):
        TradeUrl.from_steam_id(value, token)


@given(strategies.anything(), st.one_of(tokens, strategies.anything()))
def test_from_steam_id_raises_only_invalid_trade_url(value, token):
    try:
        url = TradeUrl.from_steam_id(value, token)  # type: ignore[arg-type]
    except apa.InvalidTradeUrl as err:
        assert len(str(err)) < SHORT
        str(err).encode("utf-8")  # printable and loggable: no lone surrogate quoted raw
        return
    assert isinstance(value, (int, str)) and not isinstance(value, bool)
    assert FIRST_ID <= int(url.steam_id) <= LAST_ID


@given(strategies.anything())
def test_anything_parses_or_raises_only_a_short_invalid_trade_url(value):
    try:
        TradeUrl.parse(value)  # type: ignore[arg-type]
    except apa.InvalidTradeUrl as err:
        assert len(str(err)) < SHORT
        str(err).encode("utf-8")


# --- every token seen is registered with the redactor ---------------------------------


@pytest.fixture
def empty_registry(monkeypatch):
    """A token registry of the test's own (the process-wide one is restored after)."""
    monkeypatch.setattr(redact, "_registry", redact._Registry())


def shown_bare(token: str) -> str:
    return mask(f"the account {token} cannot trade")


def test_every_way_to_make_a_trade_url_registers_its_token(empty_registry):
    made = {
        "Pa5e-Tok": lambda: TradeUrl.parse(" " + canonical(5, "Pa5e-Tok").replace("https", "http")),
        "In1t_Tok": lambda: TradeUrl(5, "In1t_Tok"),
        "Fr0mSt3m": lambda: TradeUrl.from_steam_id("76561198000000001", "Fr0mSt3m"),
    }
    for token, make in made.items():
        assert shown_bare(token) == f"the account {token} cannot trade"  # not seen yet
        make()
        assert shown_bare(token) == f"the account {MASK} cannot trade"


@pytest.mark.parametrize("again", [lambda url: pickle.loads(pickle.dumps(url)), copy.deepcopy])
def test_an_unpickled_or_copied_trade_url_is_validated_and_registered(again, monkeypatch):
    url = TradeUrl(5, "C0py-Me1")
    monkeypatch.setattr(redact, "_registry", redact._Registry())  # e.g. another process
    assert again(url) == url
    assert shown_bare("C0py-Me1") == f"the account {MASK} cannot trade"


def test_an_invalid_trade_url_registers_nothing_and_never_quotes_its_token(empty_registry):
    bad = {
        "N0tSeen1": canonical(5, "N0tSeen1").replace("partner=5", "partner=x"),  # the partner
        "Sh0rt12": canonical(5, "Sh0rt12"),
        "Typo.123": canonical(5, "Typo.123"),
    }
    for token, url in bad.items():
        with pytest.raises(apa.InvalidTradeUrl) as info:
            TradeUrl.parse(url)
        assert token not in str(info.value)
    assert shown_bare("N0tSeen1") == "the account N0tSeen1 cannot trade"


@given(partners, tokens)
def test_any_token_seen_is_masked_bare_in_any_spelling(partner, token):
    TradeUrl(partner, token)
    for text in (f"account {token} is private", f"'{token}'", quote(f'"{token}"', safe="")):
        assert token not in mask(text)
