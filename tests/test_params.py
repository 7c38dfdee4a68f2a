"""Every public argument is checked, with the documented exception, before any request.

Examples first (each a defect reproduced on main), then properties: one valid call
with ONE argument replaced by anything raises the documented exception (``InvalidRequest``,
``AuthenticationError`` for ``api_key``) before any request, or (a valid value) succeeds.
The session ``box`` is shared: each example resets its request log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

import assetpay_analytics as apa
from assetpay_analytics.client import RetryPolicy
from assetpay_analytics.fetch import settings as _params
from assetpay_analytics.sandbox import Sandbox
from tests import strategies

FAST = RetryPolicy(attempts=2, backoff=0.01, backoff_max=0.02)
#: Has both games and a small inventory, so every valid call is quick.
ACCOUNT = "erin"
#: No message quoting a bad value is longer than this, however long the value.
SHORT = 600
INVALID = (apa.InvalidRequest,)
#: Prefixes the arbitrary api keys the properties try (see test_client_checks_every_argument).
UNIQUE_KEY = "zz-params-test-"
anything = strategies.anything()


@pytest.fixture(scope="module")
def client(box: Sandbox) -> Iterator[apa.AssetPayClient]:
    with apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None, retry=FAST) as c:
        yield c


@pytest.fixture(scope="module")
def url(box: Sandbox) -> str:
    return box.accounts[ACCOUNT].trade_url


def attempt(
    box: Sandbox, call: Callable[[], Any], allowed: tuple[type[Exception], ...] = INVALID
) -> tuple[bool, Any]:
    """``(True, result)``, or ``(False, error)`` once ``call`` raised an allowed error.

    An allowed error must come before any request, with a short, printable message.
    """
    box.reset()
    try:
        return True, call()
    except allowed as err:
        assert box.requests == [], f"{err!r} raised after a request"
        assert len(str(err)) < SHORT, f"a {len(str(err))}-character message"
        str(err).encode("utf-8")  # no lone surrogate quoted raw: the message can be printed
        return False, err


def rejected(box: Sandbox, call: Callable[[], Any], **kwargs: Any) -> str:
    """The message of the allowed error ``call`` must raise before any request."""
    ok, err = attempt(box, call, **kwargs)
    assert not ok, "accepted"
    return str(err)


# --- the defects, one example each -----------------------------------------------------


@pytest.mark.parametrize(
    "price",
    [
        pytest.param(10**400, id="400-digit-int"),
        pytest.param(10**5000, id="5000-digit-int"),
        pytest.param(Fraction(10**400, 3), id="huge-fraction"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("1E+400"),
        float("inf"),
        np.float64("nan"),
    ],
)
def test_prices_that_no_float_holds_are_invalid_requests(box, client, url, price):
    for name in ("min_price", "max_price"):
        message = rejected(box, lambda name=name: client.inventory(url, **{name: price}))
        assert f"{name} must be a finite number" in message


@pytest.mark.parametrize(
    ("price", "spelled"),
    [
        (10, "10"),
        (2.5, "2.5"),
        (Decimal("12.25"), "12.25"),
        (Fraction(1, 4), "0.25"),
        (np.float64(0.1), "0.1"),
        (1234567.89, "1234567.89"),  # f"{x:g}" sent 1.23457e+06
        (0.123456789, "0.123456789"),
        (1e20, "100000000000000000000"),
        (-0.0, "0"),
    ],
)
def test_prices_are_sent_exactly_as_given(box, client, url, price, spelled):
    box.reset()
    client.inventory(url, min_price=price)
    assert box.requests[0].params["minPrice"] == spelled


def test_search_must_be_encodable_text(box, client, url):
    message = rejected(box, lambda: client.inventory(url, search="ak\ud800"))
    assert "search" in message and "UTF-8" in message and "\\ud800" in message


def test_a_ten_megabyte_value_makes_a_short_message(box, client, url):
    huge = "x" * 10**7
    for kwargs in ({"sort": huge}, {"min_price": huge}, {"game": huge}, {"search": huge}):
        rejected(box, lambda kwargs=kwargs: client.inventory(url, **kwargs))
    rejected(box, lambda: client.inventory(huge))
    rejected(box, lambda: apa.AssetPayClient(api_key=box.api_key, base_url=huge, cache=None))
    rejected(box, lambda: client.inventories([url], progress=False, sort=huge))
    assert "unknown argument" in rejected(box, lambda: client.inventories([url], **{huge: 1}))


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"workers": "x" * 10**7}, id="10MB-workers"),
        pytest.param({"errors": "x" * 10**7}, id="10MB-errors"),
        pytest.param({"workers": -(10**5000)}, id="5000-digit-negative-workers"),
    ],
)
def test_batch_arguments_are_quoted_briefly(box, client, url, kwargs):
    rejected(box, lambda: client.inventories([url], progress=False, **kwargs))


@pytest.mark.parametrize(
    "key",
    ["ap\nkey", "ap\x00key", "ap_key_é", "ap\ud800key", 10**5000, b"ap_key", ["ap_key"]],
    ids=["newline", "nul", "non-ascii", "surrogate", "huge-int", "bytes", "list"],
)
def test_keys_no_header_carries_are_authentication_errors(box, key):
    message = rejected(
        box,
        lambda: apa.AssetPayClient(api_key=key, base_url=box.url, cache=None),
        allowed=(apa.AuthenticationError,),
    )
    assert "ap_key" not in message and "apkey" not in message and "ap\nkey" not in message


@pytest.mark.parametrize("key", ["", " ", "\u00a0\t"])
def test_empty_keys_are_missing_keys(box, key):
    message = rejected(
        box,
        lambda: apa.AssetPayClient(api_key=key, base_url=box.url, cache=None),
        allowed=(apa.AuthenticationError,),
    )
    assert "No AssetPay api key" in message


def test_surrounding_spaces_are_dropped_from_the_key(box, url):
    with apa.AssetPayClient(api_key=f" {box.api_key}\n", base_url=box.url, cache=None) as c:
        assert len(c.inventory(url)) > 0


@pytest.mark.parametrize(
    ("base_url", "names"),
    [
        ("http://[::1", "cannot be parsed"),
        ("http://127.0.0.1:999999", "cannot be parsed"),
        ("http://127.0.0.1:port", "cannot be parsed"),
        ("http://127.0.0.1:80\n80", "visible ASCII"),
        ("http://127.0.0.1 :8080", "visible ASCII"),
        ("https://bücher.example", "visible ASCII"),
        ("http://127.0.0.1:8080/?x=1", "query"),
        ("http://127.0.0.1:8080/#x", "query"),
        ("https://user:pw@api.assetpay.gg", "user"),
        ("http://127.0.0.1@evil.example", "user"),
        ("http://127.0.0.1.evil.example", "https"),
        ("https://", "host"),
        ("ftp://api.assetpay.gg", "https"),
        (b"https://api.assetpay.gg", "a non-empty string"),
        (None, "a non-empty string"),
        ("", "a non-empty string"),
    ],
)
def test_base_urls_requests_cannot_use_are_invalid_requests(box, base_url, names):
    message = rejected(
        box, lambda: apa.AssetPayClient(api_key=box.api_key, base_url=base_url, cache=None)
    )
    assert names in message


@pytest.mark.parametrize(
    ("base_url", "kept"),
    [
        (" https://api.assetpay.gg/\n", "https://api.assetpay.gg"),
        ("https://proxy.example/assetpay/", "https://proxy.example/assetpay"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
    ],
)
def test_base_urls_that_are_kept(base_url, kept):
    assert _params.check_base_url(base_url) == kept


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (0, timedelta(0)),
        (1.5, timedelta(seconds=1.5)),
        (Decimal(60), timedelta(minutes=1)),
        (timedelta(days=36_500), timedelta(days=36_500)),
    ],
)
def test_expire_after_accepted(value, expected):
    assert _params.check_expire_after(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        -1,
        timedelta(-1),
        timedelta.max,  # requests-cache adds it to now(): OverflowError on the first store
        timedelta(days=36_501),
        timedelta.max.total_seconds(),  # timedelta(seconds=...) of it overflowed
        1e300,
        pytest.param(10**5000, id="5000-digit-int"),
        float("nan"),
        Decimal("sNaN"),
        "15",
        True,
    ],
)
def test_expire_after_rejected_names_none(value):
    with pytest.raises(apa.InvalidRequest, match="None: never expire") as info:
        _params.check_expire_after(value)
    assert len(str(info.value)) < SHORT


@pytest.mark.parametrize(
    "value", [0, -1, float("nan"), float("inf"), "30", True, None, 10**400, Decimal("sNaN")]
)
def test_timeout_rejected(value):
    with pytest.raises(apa.InvalidRequest, match="timeout must be"):
        _params.check_timeout(value)


@pytest.mark.parametrize("game", [pytest.param(10**5000, id="5000-digit-int"), 730.0, True])
def test_game_rejected_but_any_integral_accepted(game):
    with pytest.raises(apa.InvalidRequest, match="game must be one of"):
        _params.check_game(game)
    assert _params.check_game(np.int64(252490)) == "252490"


def test_flags_sessions_and_policies():
    assert _params.check_flag("verified", False) is False
    for bad in (1, "no", None, np.bool_(True)):
        with pytest.raises(apa.InvalidRequest, match="verified must be True or False"):
            _params.check_flag("verified", bad)
    session = requests.Session()
    assert _params.check_session(session) is session and _params.check_session(None) is None
    with pytest.raises(apa.InvalidRequest, match=r"requests\.Session"):
        _params.check_session("session")
    assert _params.check_retry(None) == RetryPolicy() and _params.check_retry(FAST) is FAST
    with pytest.raises(apa.InvalidRequest, match="RetryPolicy"):
        _params.check_retry(5)


# --- properties: one argument replaced by anything ------------------------------------

FILTERS = ("search", "sort", "min_price", "max_price", "accepted_only")
INVENTORY_ARGS = ("trade_url", "game", "refresh", *FILTERS)
BATCH_ARGS = ("trade_urls", "game", "workers", "errors", "refresh", "give_up_after", *FILTERS)
#: offline=True on a client without a cache: a CacheMiss, with nothing sent.
OFFLINE = (*INVALID, apa.CacheMiss)


@pytest.mark.parametrize("name", (*INVENTORY_ARGS, "offline"))
@settings(max_examples=60)
@given(value=anything)
def test_inventory_checks_every_argument(box, client, url, name, value):
    call = lambda: client.inventory(**{"trade_url": url, name: value})  # noqa: E731
    attempt(box, call, OFFLINE if name == "offline" else INVALID)


@pytest.mark.parametrize("name", INVENTORY_ARGS)
@settings(max_examples=40)
@given(value=anything)
def test_pages_checks_every_argument_when_called(box, client, url, name, value):
    ok, pages = attempt(box, lambda: client.pages(**{"trade_url": url, name: value}))
    if ok:
        assert box.requests == []  # lazy: nothing is sent before the first next()
        assert list(pages)


@pytest.mark.parametrize("name", (*BATCH_ARGS, "offline"))
@settings(max_examples=40)
@given(value=anything)
def test_inventories_checks_every_argument(box, client, url, name, value):
    kwargs = {"trade_urls": [url], "progress": False, name: value}
    attempt(box, lambda: client.inventories(**kwargs))


@settings(max_examples=60)
@given(value=st.lists(st.one_of(anything, st.just("URL")), max_size=3))
def test_inventories_raise_mode_checks_every_trade_url_first(box, client, url, value):
    urls = [url if item == "URL" else item for item in value]
    attempt(box, lambda: client.inventories(urls, errors="raise", progress=False))


def _construct(box: Sandbox, **kwargs: Any) -> Callable[[], apa.AssetPayClient]:
    base = {"api_key": box.api_key, "base_url": box.url, "cache": None, "retry": FAST}
    return lambda: apa.AssetPayClient(**{**base, **kwargs})


#: The constructor's arguments (cache and base_url have their own properties) and,
#: for the strict ones, the only types they accept.
CLIENT_ARGS = {
    "api_key": object, "timeout": object, "expire_after": object, "stale_if_error": object,
    "cache_fallback": str, "verified": bool, "offline": bool,
    "session": (type(None), requests.Session), "retry": (type(None), RetryPolicy),
}  # fmt: skip


@pytest.mark.parametrize("name", CLIENT_ARGS)
@settings(max_examples=50)
@given(value=anything)
def test_client_checks_every_argument(box, url, tmp_path_factory, name, value):
    cache = tmp_path_factory.getbasetemp() / "params-cache" / "c.sqlite"
    allowed = (apa.AuthenticationError,) if name == "api_key" else INVALID
    if name == "api_key" and isinstance(value, str):
        # an accepted key is masked in every later message of the process: keep it unique
        value = f"{UNIQUE_KEY}{value}"
    ok, client = attempt(box, _construct(box, cache=cache, **{name: value}), allowed)
    if not ok:
        return
    assert isinstance(value, CLIENT_ARGS[name])
    tolerated: Any = {"api_key": apa.AuthenticationError, "offline": apa.CacheMiss}.get(name, ())
    if name == "timeout" and value < 5:
        tolerated = apa.ServiceUnavailable  # a valid timeout too short to get an answer
    with client, contextlib.suppress(tolerated):  # refresh: store, so expiry is computed
        assert len(client.inventory(url, refresh=name != "offline")) > 0


@settings(max_examples=60)
@given(value=st.one_of(anything.filter(lambda v: not isinstance(v, str)), st.just("DIR")))
def test_client_checks_the_cache_argument(box, url, tmp_path_factory, value):
    root: Path = tmp_path_factory.getbasetemp()
    cache = root / "cache-dir" if isinstance(value, str) else value
    ok, client = attempt(box, _construct(box, cache=cache))
    if ok:
        with client:
            assert len(client.inventory(url)) > 0


@settings(max_examples=80)
@given(junk=strategies.any_text(max_size=8), where=st.sampled_from(["suffix", "prefix", "mid"]))
def test_client_checks_the_base_url(box, url, junk, where):
    scheme, rest = box.url.split("://")
    base_url = {
        "suffix": box.url + junk,
        "prefix": junk + box.url,
        "mid": f"{scheme}://{junk}{rest}",
    }[where]
    ok, client = attempt(box, _construct(box, base_url=base_url, timeout=2))
    if ok:
        with client, contextlib.suppress(apa.AssetPayError):  # a 404 for a path prefix...
            client.inventory(url)  # ...but never a raw requests/urllib3 exception


@settings(max_examples=30)
@given(value=anything)
def test_inventories_checks_progress(box, url, value):
    ok, _ = attempt(box, lambda: _construct(box)().inventories([url], progress=value))
    assert not ok or isinstance(value, bool)
