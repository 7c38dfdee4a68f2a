"""One seam for every endpoint: a throwaway endpoint gets the whole machinery of ``fetch``.

The test declares ``GET /secure/echo`` (an endpoint AssetPay does not have) with an
``Endpoint`` of its own, serves it from its own handler on 127.0.0.1, and runs it
through the client's reader, with nothing in ``fetch/`` written for it. It gets:
caching with its own expiry, its own rate family's budget, retries that honour
``Retry-After`` (and pause that family only), masked trade tokens, typed errors and
offline answers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import assetpay_analytics as apa
from assetpay_analytics.constants import ERRORS_GG
from assetpay_analytics.endpoints.inventory import INVENTORY
from assetpay_analytics.fetch.budget import BUDGET_FILE, RateFamily
from assetpay_analytics.fetch.endpoint import Endpoint
from assetpay_analytics.redact import Sensitive

KEY = "ap_echo_test_key_123"
TOKEN = "EchoTok1"
TRADE_URL = f"https://steamcommunity.com/tradeoffer/new/?partner=4242&token={TOKEN}"


def _echo_shape(data: Any) -> str | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("echo"), str):
        return "data.echo is not text"
    return None


#: The throwaway endpoint: a family of its own (50 an hour), answers fresh for an hour.
ECHO = Endpoint(
    name="echo",
    path="/secure/echo",
    family=RateFamily("echo", window=3600.0, verified=50, unverified=5),
    expire_after=timedelta(hours=1),
    data_problem=_echo_shape,
)


@dataclass(frozen=True)
class EchoQuery:
    """What the echo endpoint is asked: ``say`` and, for some, a trade URL."""

    say: str
    trade_url: str | None = None
    refresh: bool = False

    @property
    def params(self) -> dict[str, Any]:
        url = {} if self.trade_url is None else {"tradeUrl": Sensitive(self.trade_url)}
        return {"say": self.say, **url}

    @property
    def body(self) -> None:
        return None

    @property
    def context(self) -> str:
        return f"echo {self.say}"


class _Echo(BaseHTTPRequestHandler):
    """``GET /secure/echo?say=...``: hello, busy (429 once), leak, shape; else 404."""

    seen: Counter[str]

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query))
        say = params.get("say", "")
        self.seen[say] += 1
        if parts.path != "/secure/echo":
            return self._error("NOT_FOUND")
        if self.headers.get("api-key") != KEY:
            return self._error("INVALID_API_KEY")
        if say == "busy" and self.seen[say] == 1:
            return self._error("RATE_LIMITED", headers={"Retry-After": "1"})
        if say == "leak":  # an error that quotes the trade URL, as some APIs do
            return self._error("VALIDATION_FAILED", message=f"bad {params.get('tradeUrl')}")
        echo: Any = 5 if say == "shape" else say
        self._send(200, {"requestId": "r-ok", "success": True, "data": {"echo": echo}})

    def _error(self, key: str, *, message: str = "", headers: Mapping[str, str] = {}) -> None:
        code, status = ERRORS_GG[key]
        error = {"code": code, "key": key, "message": message or key}
        self._send(status, {"requestId": "r-err", "success": False, "error": error}, headers)

    def _send(self, status: int, body: Any, headers: Mapping[str, str] = {}) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[tuple[str, Counter[str]]]:
    seen: Counter[str] = Counter()
    handler = type("Echo", (_Echo,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def client(echo_server, tmp_path):
    url, _ = echo_server
    with apa.AssetPayClient(api_key=KEY, base_url=url, cache=tmp_path / "c.sqlite") as made:
        yield made


def read(client, query, *, offline=False):
    # the reader is the seam every endpoint goes through (the client's methods call it)
    return client._reader.read(ECHO, query, offline=offline)


def test_answers_are_cached_with_the_endpoints_own_expiry(client, echo_server):
    _, seen = echo_server
    [first] = read(client, EchoQuery("hello"))
    [again] = read(client, EchoQuery("hello"))
    assert (first.data["echo"], first.from_cache) == ("hello", False)
    assert (again.data["echo"], again.from_cache) == ("hello", True)
    assert seen["hello"] == 1
    [stored] = list(client._session.cache.responses.values())
    lifetime = stored.expires - stored.created_at.replace(tzinfo=stored.expires.tzinfo)
    assert abs(lifetime - timedelta(hours=1)) < timedelta(seconds=5)  # not the client's 15 min


def test_requests_spend_the_endpoints_own_rate_family(client, tmp_path):
    before = time.monotonic()  # the budget clock
    read(client, EchoQuery("hello"))
    after = time.monotonic()
    read(client, EchoQuery("hello"))  # a hit spends nothing
    budget = client._budgets.budget(ECHO.family)
    assert (budget.pace.limit, budget.pace.window) == (50, 3600.0)
    with sqlite3.connect(tmp_path / BUDGET_FILE) as db:
        rows = dict(db.execute("SELECT name, next_slot FROM budget").fetchall())
    assert list(rows) == [f"{client.key_fingerprint}:echo"]  # no inventory row: none spent
    # one request went out: the next free slot is one of the family's intervals after it
    # (72 s at 50 an hour, less the 2% margin), not the inventory family's 6 ms
    interval = budget.pace.interval
    assert interval == pytest.approx(3600 / (49 - 2))
    assert before + interval <= rows[budget.name] <= after + interval


def test_a_429_is_retried_after_retry_after_and_pauses_that_family_only(client, echo_server):
    _, seen = echo_server
    [page] = read(client, EchoQuery("busy"))
    assert page.data["echo"] == "busy" and seen["busy"] == 2
    echo_budget = client._budgets.budget(ECHO.family)
    inventory_budget = client._budgets.budget(INVENTORY.family)
    assert echo_budget.state().paused_until > 0  # the 429 paused the echo family
    assert inventory_budget.state().paused_until == 0  # and not the inventory's


def test_errors_are_typed_and_mask_the_trade_token(client, tmp_path):
    with pytest.raises(apa.InvalidRequest) as caught:
        read(client, EchoQuery("leak", trade_url=TRADE_URL))
    assert "partner=4242" in str(caught.value) and TOKEN not in str(caught.value)
    read(client, EchoQuery("hello", trade_url=TRADE_URL))
    assert TOKEN.encode() not in (tmp_path / "c.sqlite").read_bytes()


def test_a_wrong_key_is_an_authentication_error(echo_server):
    url, seen = echo_server
    wrong = apa.AssetPayClient(api_key="ap_wrong_key_0000", base_url=url, cache=None)
    with wrong, pytest.raises(apa.AuthenticationError):
        read(wrong, EchoQuery("hello"))
    assert seen["hello"] == 1  # not retried


def test_an_answer_of_the_wrong_shape_is_malformed_and_never_cached(client, echo_server):
    _, seen = echo_server
    for _ in range(2):
        with pytest.raises(apa.MalformedResponse, match=r"data\.echo is not text"):
            read(client, EchoQuery("shape"))
    assert seen["shape"] == 2


def test_offline_answers_from_the_cache_or_raises_cache_miss(client, echo_server):
    _, seen = echo_server
    read(client, EchoQuery("hello"))
    [page] = read(client, EchoQuery("hello"), offline=True)
    assert page.data["echo"] == "hello" and page.from_cache
    with pytest.raises(apa.CacheMiss):
        read(client, EchoQuery("never asked"), offline=True)
    assert seen["never asked"] == 0


def test_a_base_url_spelled_otherwise_than_requests_sends_it_still_routes(echo_server, tmp_path):
    """``HTTP://127.0.0.1:PORT/``: requests sends ``http://...``; the path finds the endpoint."""
    url, seen = echo_server
    spelled = url.replace("http://", "HTTP://") + "/"
    with apa.AssetPayClient(api_key=KEY, base_url=spelled, cache=tmp_path / "c.sqlite") as c:
        [first] = read(c, EchoQuery("hello"))
        [again] = read(c, EchoQuery("hello"))
        [stored] = list(c._session.cache.responses.values())
    assert (first.from_cache, again.from_cache, seen["hello"]) == (False, True, 1)
    lifetime = stored.expires - stored.created_at.replace(tzinfo=stored.expires.tzinfo)
    assert abs(lifetime - timedelta(hours=1)) < timedelta(seconds=5)  # the endpoint's expiry
