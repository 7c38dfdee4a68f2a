"""redact.mask: tokens after ``token=`` whatever their characters, registered tokens bare.

Expectations are built here from the pieces of each text (``str.replace``, ``quote``),
never taken from ``mask`` itself. Tokens registered by these tests are unique to them;
the registry is process-wide, so a test that needs it empty or small swaps in its own.
"""

from __future__ import annotations

import json
import random
import string
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, quote_plus

import pytest

from assetpay_analytics import TradeUrl, redact
from assetpay_analytics.redact import MASK, mask, register_token

URL = "https://steamcommunity.com/tradeoffer/new/?partner=7&token="
#: Tokens seen by the client in these tests (one with each separator character).
SEEN = ("Rd4Bare9", "q9-Zecho", "Tk_8s1xW")


@pytest.fixture(scope="module", autouse=True)
def seen() -> None:
    for token in SEEN:
        TradeUrl.parse(URL + token)  # how the client sees a token


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry of its own for the test (the process-wide one is restored after)."""
    monkeypatch.setattr(redact, "_registry", redact._Registry())


# --- token=: everything up to the URL's next delimiter -------------------------------

MISTYPED = ["AbCd.1234", "Äbcd1234", "ÄbCd", "AbCd12", "AbCd1234567", "Ab%2ECd12", "x,y;z)(!"]


@pytest.mark.parametrize("typo", MISTYPED)
@pytest.mark.parametrize("after", ["", "&x=1", "#top", " and more", '"', "'", "<br>"])
def test_a_mistyped_token_is_masked_whole(typo, after):
    assert mask(URL + typo + after) == URL + MASK + after


@pytest.mark.parametrize("typo", MISTYPED)
def test_a_mistyped_token_is_masked_whole_url_encoded(typo):
    for encode in (lambda s: quote(s, safe=""), lambda s: quote(quote(s, safe=""), safe="")):
        shown = f"GET /secure/inventory?tradeUrl={encode(URL + typo + '&x=1')}&appId=730"
        expected = f"GET /secure/inventory?tradeUrl={encode(URL)}{MASK}{encode('&x=1')}&appId=730"
        assert mask(shown) == expected
    plus = quote_plus(URL + typo)  # a space-free token: quote_plus is quote with '/' encoded
    assert mask(plus) == quote_plus(URL) + MASK


def test_token_equals_is_found_in_any_case_and_inside_longer_names():
    for name in ("token", "TOKEN", "tradeToken"):
        assert mask(f"{name}=AbCd.1234&x") == f"{name}={MASK}&x"


def test_a_json_text_stays_json():
    text = json.dumps({"url": URL + "AbCd1234", "note": URL + "Äbcd1234"})
    assert json.loads(mask(text)) == {"url": URL + MASK, "note": URL + MASK}


# --- registered tokens, bare --------------------------------------------------------


def contexts(token: str) -> list[str]:
    """Texts an API, a log line or a file might name a token in, without ``token=``."""
    return [
        f"the account {token} cannot trade",
        f"{token}",
        f"Trade token '{token}' is invalid.",
        f'{{"token": "{token}", "state": 3}}',
        repr({"token": token}),
        f"({token})",
        f"cache-{token}_v2",
        f"line one\\n{token}",
        json.dumps("é" + token),  # \u00e9 glued to the token
        quote(f'the token "{token}" is wrong', safe=""),
        quote(quote(f":{token}:", safe=""), safe=""),
        f"<td>{token}</td>",
        f"«{token}»",
        f"{token}, {token}",
    ]


@pytest.mark.parametrize("token", SEEN)
def test_a_token_the_client_has_seen_is_masked_bare(token):
    for text in contexts(token):
        assert token in text
        assert mask(text) == text.replace(token, MASK), text


def test_two_seen_tokens_in_one_text():
    first, second = SEEN[:2]
    text = f"{first} and {second}"
    assert mask(text) == f"{MASK} and {MASK}"


def test_words_of_eight_that_were_never_seen_are_left_alone():
    words = ["password", "accounts", "steam_id", "tradeUrl", "inventor", "ABCDEFGZ"]
    near = [SEEN[0][:-1] + "8", SEEN[1].upper(), SEEN[2][1:] + "x"]  # a character off
    near += [f"foo-{piece}-bar_baz" for piece in SEEN[1].split("-")]  # a seen token's piece
    text = " ".join(words + near) + " 76561198000000001 7f0c2b1e-5d2a-4c53-9a43-1b2f3e4d5c6b"
    assert mask(text) == text


def test_a_seen_token_glued_to_letters_or_digits_is_not_looked_for(empty_registry):
    register_token("90817263")
    register_token(SEEN[0])
    steam_id = "7656" + "90817263" + "12345"  # 17 digits holding the token
    assert mask(f"steam_id {steam_id}: x{SEEN[0]}y") == f"steam_id {steam_id}: x{SEEN[0]}y"
    # once it stands as a word, every occurrence goes
    assert mask(f"{steam_id} 90817263") == f"7656{MASK}12345 {MASK}"


@pytest.mark.parametrize("bad", ["short", "AbCd.123", "Äbcd1234", "AbCd12345", 12345678, None])
def test_register_token_refuses_what_is_not_a_token_without_quoting_it(bad):
    with pytest.raises(ValueError) as info:
        register_token(bad)
    assert str(bad) not in str(info.value)


def test_the_registry_remembers_the_most_recent_tokens_and_at_most_its_bound(monkeypatch):
    monkeypatch.setattr(redact, "_registry", redact._Registry(limit=4))
    tokens = [f"Bound{n:03d}" for n in range(10)]
    for token in tokens:
        register_token(token)
    remembered = [token for token in tokens if mask(token) == MASK]
    assert 2 <= len(remembered) <= 4  # at least the bound's half, at most the bound
    assert remembered == tokens[-len(remembered) :]  # the most recent ones
    register_token(tokens[0])  # seen again: remembered again
    assert mask(tokens[0]) == MASK and mask(tokens[-1]) == MASK


def test_registering_again_keeps_a_token_through_the_next_turn(monkeypatch):
    monkeypatch.setattr(redact, "_registry", redact._Registry(limit=4))
    register_token("KeepMe01")
    for n in range(20):  # a long batch that sees KeepMe01 again now and then
        register_token(f"Other{n:03d}")
        if n % 2:
            register_token("KeepMe01")
        assert mask("KeepMe01") == MASK


def test_registering_and_masking_from_many_threads(empty_registry):
    start = threading.Barrier(8)

    def work(worker: int) -> list[str]:
        start.wait()
        leaked = []
        for n in range(300):
            token = f"T{worker}x{n:05d}"
            register_token(token)
            if token in mask(f"account {token} is private"):
                leaked.append(token)
        return leaked

    with ThreadPoolExecutor(8) as pool:
        leaked = [token for found in pool.map(work, range(8)) for token in found]
    assert leaked == []
    assert mask("T3x00007 T7x00299") == f"{MASK} {MASK}"


def test_a_huge_text_with_many_seen_tokens(empty_registry):
    tokens = [f"Huge{n:04d}" for n in range(2000)]
    for token in tokens:
        register_token(token)
    text = "x" * 100_000 + " " + " ".join(tokens) + " end"
    assert mask(text) == "x" * 100_000 + " " + " ".join([MASK] * len(tokens)) + " end"


def speed_check(count: int = 100_000) -> None:
    """Time ``mask`` over ``count`` short messages with ``count`` tokens registered.

    Not a test (timings on a shared machine are noise): run it by hand with
    ``python -m tests.test_redact``.
    """
    rng = random.Random(23)
    alphabet = string.ascii_letters + string.digits + "_-"
    tokens = ["".join(rng.choices(alphabet, k=8)) for _ in range(count)]
    started = time.perf_counter()
    for token in tokens:
        register_token(token)
    print(f"register {count:,} tokens: {time.perf_counter() - started:.2f} s")
    encoded = "GET /secure/inventory?tradeUrl=https%3A%2F%2Fsteamcommunity.com%2F%3F"
    batches = {
        "no token": [f"steam_id 765611980{n:08d}: Steam is down, try later" for n in range(count)],
        "its token bare": [f"steam_id 765611980{n:08d}: token {t} cannot trade" for n, t in
                           enumerate(tokens)],
        "a request uuid": [f"request {n:08x}-5d2a-4c53-9a43-1b2f3e4d5c6b" for n in range(count)],
        "an encoded URL": [f"{encoded}partner%3D7%26token%3D{t} 200" for t in tokens],
    }  # fmt: skip
    for name, texts in batches.items():
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            masked = [mask(text) for text in texts]
            best = min(best, time.perf_counter() - started)
        left = sum(token in text for token, text in zip(tokens, masked, strict=True))
        print(f"mask {count:,} messages, {name}: {best:.2f} s (tokens left: {left})")


if __name__ == "__main__":
    speed_check()
