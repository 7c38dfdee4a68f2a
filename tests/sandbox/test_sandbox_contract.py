"""The sandbox's contract edges over real HTTP: the api key before the route, HEAD and
OPTIONS, other methods, ``null`` parameters, the "openapi" dialect, the refusals
``Faults`` can add, and an untrusted ``Content-Length`` (raw sockets)."""

from __future__ import annotations

import socket
import uuid
from urllib.parse import urlencode

import orjson
import pytest
import requests

from assetpay_analytics.constants import ERRORS_OPENAPI, PRICES_PATH
from assetpay_analytics.sandbox import SANDBOX_API_KEY, Faults, serve
from assetpay_analytics.sandbox.server import MAX_BODY_BYTES
from tests.sandbox.calls import check, prices
from tests.sandbox_http import ENDPOINT, get, ok

CHECK = "/secure/check-tradeurl"
KEY = {"api-key": SANDBOX_API_KEY}


def refused(response, status, key, code=None):
    """The error envelope's ``error`` (asserting status, key and, if given, code)."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and body["error"]["key"] == key
    uuid.UUID(body["requestId"])
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# --- the api key before the route -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/secure/market"), ("GET", "/"), ("POST", "/secure/sell"),
     ("POST", ENDPOINT), ("GET", CHECK), ("DELETE", ENDPOINT), ("HEAD", "/nope"),
     ("OPTIONS", "/nope"), ("OPTIONS", ENDPOINT)],
)  # fmt: skip
def test_the_api_key_is_checked_before_the_route(sandbox, method, path):
    url = f"{sandbox.url}{path}"
    missing = requests.request(method, url, timeout=10)
    wrong = requests.request(method, url, headers={"api-key": "ap_wrong"}, timeout=10)
    assert (missing.status_code, wrong.status_code) == (401, 401)
    if method != "HEAD":
        refused(missing, 401, "MISSING_API_KEY", 1900)
        refused(wrong, 401, "INVALID_API_KEY", 1901)
    assert [r.key for r in sandbox.requests] == ["MISSING_API_KEY", "INVALID_API_KEY"]


def test_an_unknown_path_is_not_found_only_with_a_good_key(sandbox):
    response = requests.get(f"{sandbox.url}/secure/market", headers=KEY, timeout=10)
    refused(response, 404, "NOT_FOUND", 1003)
    assert "Allow" not in response.headers


# --- methods: HEAD, OPTIONS, and the ones a route does not take -----------------------


@pytest.mark.parametrize(
    ("path", "allow"),
    [(ENDPOINT, "GET, HEAD, OPTIONS"), (PRICES_PATH, "GET, HEAD, OPTIONS"),
     (CHECK, "OPTIONS, POST"), (CHECK + "/", "OPTIONS, POST")],
)  # fmt: skip
def test_options_is_204_with_allow(sandbox, path, allow):
    response = requests.options(f"{sandbox.url}{path}", headers=KEY, timeout=10)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["Allow"] == allow
    assert response.headers["x-request-id"]
    assert sandbox.requests[-1].method == "OPTIONS" and sandbox.requests[-1].status == 204


def test_options_of_an_unknown_path_is_not_found(sandbox):
    response = requests.options(f"{sandbox.url}/secure/market", headers=KEY, timeout=10)
    refused(response, 404, "NOT_FOUND")


def test_options_counts_in_no_rate_window():
    with serve(rate_limit=(1, 3600)) as box:
        for _ in range(3):
            assert requests.options(f"{box.url}{ENDPOINT}", headers=KEY, timeout=10).ok
        assert get(box, tradeUrl=box.trade_urls[0]).status_code == 200


def test_head_is_get_without_the_body(sandbox):
    params = {"tradeUrl": sandbox.trade_urls[0], "limit": -1}
    head = requests.head(f"{sandbox.url}{ENDPOINT}", params=params, headers=KEY, timeout=10)
    got = get(sandbox, **params)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(got.content)
    assert [(r.method, r.status) for r in sandbox.requests] == [("HEAD", 200), ("GET", 200)]


def test_head_of_a_refusal_keeps_its_status_and_headers(sandbox):
    url = f"{sandbox.url}{ENDPOINT}"
    invalid = requests.head(url, params={"tradeUrl": "x"}, headers=KEY, timeout=10)
    assert (invalid.status_code, invalid.content) == (400, b"")
    throttled = sandbox.accounts["throttled"].trade_url
    limited = requests.head(url, params={"tradeUrl": throttled}, headers=KEY, timeout=10)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert requests.head(f"{sandbox.url}{CHECK}", headers=KEY, timeout=10).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("POST", ENDPOINT, "GET, HEAD, OPTIONS"), ("GET", CHECK, "OPTIONS, POST"),
     ("PUT", PRICES_PATH, "GET, HEAD, OPTIONS"), ("DELETE", CHECK, "OPTIONS, POST"),
     ("PATCH", ENDPOINT, "GET, HEAD, OPTIONS"), ("BREW", ENDPOINT, "GET, HEAD, OPTIONS")],
)  # fmt: skip
def test_a_method_the_route_does_not_take_is_a_json_not_found(sandbox, method, path, allow):
    response = requests.request(method, f"{sandbox.url}{path}", headers=KEY, json={}, timeout=10)
    refused(response, 404, "NOT_FOUND", 1003)
    assert response.headers["Allow"] == allow


def test_a_body_sent_with_get_keeps_the_connection_in_step(sandbox):
    target = f"{ENDPOINT}?{urlencode({'tradeUrl': sandbox.trade_urls[0], 'limit': 1})}"
    one = (f"GET {target} HTTP/1.1\r\nHost: x\r\napi-key: {SANDBOX_API_KEY}\r\n"
           "Content-Length: 5\r\n\r\nhello").encode()  # fmt: skip
    answers = exchange(sandbox, one + one.replace(b"hello", b"world"), answers=2)
    assert [status for status, _, _ in answers] == [200, 200]


# --- null in the nullable parameters ---------------------------------------------------


@pytest.mark.parametrize("name", ["limit", "minPrice", "maxPrice"])
@pytest.mark.parametrize("value", ["null", ""])
def test_null_or_empty_in_a_nullable_parameter_is_absent(sandbox, name, value):
    url = sandbox.trade_urls[1]
    assert ok(sandbox, tradeUrl=url, **{name: value}) == ok(sandbox, tradeUrl=url)


def test_null_limit_pages_with_the_default_size(sandbox):
    url = sandbox.trade_urls[1]
    data = ok(sandbox, tradeUrl=url, limit="null", minPrice="null", maxPrice="null", page=2)
    assert data["inventory"] == sandbox.items(url)[50:100]


@pytest.mark.parametrize("name", ["page", "sort", "game", "refresh", "acceptedOnly"])
def test_null_in_a_parameter_that_is_not_nullable_is_refused(sandbox, name):
    response = get(sandbox, tradeUrl=sandbox.trade_urls[0], **{name: "null"})
    assert name in refused(response, 422, "VALIDATION_FAILED")["fields"]


# --- the "openapi" dialect -------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi():
    with serve(dialect="openapi") as box:
        yield box


def test_openapi_dialect_validation_is_400_with_fields(openapi):
    openapi.reset()
    bad = get(openapi, tradeUrl=openapi.trade_urls[0], page=0)
    assert refused(bad, 400, "VALIDATION_FAILED", 1001)["fields"] == {"page": "must be >= 1"}
    body = refused(check(openapi, {"tradeUrl": "x"}), 400, "VALIDATION_FAILED", 1001)
    assert set(body["fields"]) == {"tradeUrl", "tradeurl"}
    assert "game" in refused(prices(openapi, game="0"), 400, "VALIDATION_FAILED")["fields"]


def test_openapi_dialect_steam_side_failures_are_424(openapi):
    openapi.reset()
    accounts = openapi.accounts
    refused(get(openapi, tradeUrl=accounts["fetch_failed"].trade_url), 424,
            "INVENTORY_FETCH_FAILED", 3)  # fmt: skip
    refused(get(openapi, tradeUrl=accounts["steam_down"].trade_url), 424, "STEAM_UNAVAILABLE", 31)
    refused(get(openapi, tradeUrl=accounts["throttled"].trade_url), 429, "RATE_LIMITED", 1005)
    refused(get(openapi, tradeUrl="x"), 400, "INVALID_TRADEURL", 13)
    refused(get(openapi, key=None, tradeUrl="x"), 401, "MISSING_API_KEY", 1900)


def test_openapi_table_has_the_openapi_statuses():
    statuses = {key: status for key, (_, status) in ERRORS_OPENAPI.items()}
    assert statuses["VALIDATION_FAILED"] == statuses["INVALID_TRADEURL"] == 400
    assert {statuses[k] for k in ("INVENTORY_FETCH_FAILED", "STEAM_UNAVAILABLE",
                                  "STEAM_RATE_LIMITED")} == {424}  # fmt: skip
    assert (statuses["RATE_LIMITED"], statuses["API_KEY_SCOPE_DENIED"]) == (429, 403)
    assert statuses["SERVER_ERROR"] == 500


# --- the refusals Faults can add -------------------------------------------------------

REFUSALS = [
    ("scope_denied_rate", 403, "API_KEY_SCOPE_DENIED", {"gg": 1903, "co": 1903}),
    ("steam_rate_limit_rate", 424, "STEAM_RATE_LIMITED", {"gg": 33, "co": 33}),
    ("server_error_rate", 500, "SERVER_ERROR", {"gg": 1006, "co": 1000}),
    ("maintenance_rate", 503, "SYSTEM_MAINTENANCE", {"gg": 1007, "co": 1009}),
]


@pytest.mark.parametrize("dialect", ["gg", "co"])
@pytest.mark.parametrize(("rate", "status", "key", "codes"), REFUSALS)
def test_faults_refuse_with_the_new_keys_on_every_route(dialect, rate, status, key, codes):
    faults = Faults(**{rate: 1.0}, retry_after=2.5, unavailable_retry_after=7)
    with serve(dialect=dialect, faults=faults) as box:
        answers = [get(box, tradeUrl=box.trade_urls[0]), prices(box),
                   check(box, {"tradeurl": box.trade_urls[0]})]  # fmt: skip
    for response in answers:
        refused(response, status, key, codes[dialect])
        expected = {"STEAM_RATE_LIMITED": "3", "SYSTEM_MAINTENANCE": "7"}.get(key)
        assert response.headers.get("Retry-After") == expected


def test_maintenance_without_unavailable_retry_after_has_no_retry_after():
    with serve(faults=Faults(maintenance_rate=1.0)) as box:
        response = get(box, tradeUrl=box.trade_urls[0])
    refused(response, 503, "SYSTEM_MAINTENANCE")
    assert "Retry-After" not in response.headers


def test_the_new_rates_share_the_roll_and_leave_older_sequences_alone():
    old = Faults(error_rate=0.2, reset_rate=0.2, seed=3).decide_all(200)
    mixed = Faults(error_rate=0.2, reset_rate=0.2, server_error_rate=0.3, seed=3)
    decided = mixed.decide_all(200)
    assert [d for d, o in zip(decided, old, strict=True) if o is not None] == [
        o for o in old if o is not None
    ]  # the older bands keep their rolls
    assert {d for d, o in zip(decided, old, strict=True) if o is None} == {"SERVER_ERROR", None}
    with pytest.raises(ValueError, match="add up"):
        Faults(error_rate=0.5, maintenance_rate=0.6)
    with pytest.raises(ValueError, match="scope_denied_rate"):
        Faults(scope_denied_rate=-0.1)


def test_refusals_come_after_the_api_key_and_the_route():
    with serve(faults=Faults(scope_denied_rate=1.0)) as box:
        refused(get(box, key=None, tradeUrl=box.trade_urls[0]), 401, "MISSING_API_KEY")
        refused(requests.get(f"{box.url}/secure/market", headers=KEY, timeout=10), 404,
                "NOT_FOUND")  # fmt: skip
        refused(get(box, tradeUrl="x"), 400, "INVALID_TRADEURL")


# --- Content-Length is not trusted (raw sockets) ---------------------------------------


def exchange(box, request: bytes, answers: int = 1) -> list[tuple[int, dict[str, str], bytes]]:
    """Send raw bytes; read ``answers`` responses, then assert the server closed or not.

    Returns (status, headers with lower-case names, body) of each response.
    """
    host, port = box.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        reader = conn.makefile("rb")
        return [read_response(reader) for _ in range(answers)]


def read_response(reader) -> tuple[int, dict[str, str], bytes]:
    status = int(reader.readline().split()[1])
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, reader.read(int(headers.get("content-length", 0)))


def post_with(box, length: str | None, extra: str = "", body: bytes = b"") -> bytes:
    header = "" if length is None else f"Content-Length: {length}\r\n"
    return (f"POST {CHECK} HTTP/1.1\r\nHost: x\r\napi-key: {SANDBOX_API_KEY}\r\n"
            f"{header}{extra}\r\n").encode() + body  # fmt: skip


def closed_after_one_answer(box, request: bytes) -> tuple[int, dict[str, str], dict]:
    host, port = box.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        reader = conn.makefile("rb")
        status, headers, body = read_response(reader)
        assert reader.read() == b""  # closed at once: no waiting for the announced body
    return status, headers, orjson.loads(body)


@pytest.mark.parametrize(
    ("length", "status"),
    [("-1", 400), ("abc", 400), ("1e11", 400), ("+5", 400), ("5x", 400), ("0x10", 400),
     ("1_0", 400), ("", 400), ("100000000000", 413), (str(MAX_BODY_BYTES + 1), 413),
     ("9" * 5000, 413)],
)  # fmt: skip
def test_a_bad_content_length_is_refused_at_once_and_closed(sandbox, length, status):
    answer, headers, body = closed_after_one_answer(sandbox, post_with(sandbox, length))
    assert (answer, body["error"]["key"]) == (status, "VALIDATION_FAILED")
    assert body["success"] is False and "Content-Length" in body["error"]["fields"]
    assert headers["connection"] == "close" and headers["content-type"].startswith("application")
    assert sandbox.requests[-1].status == status


def test_no_100_continue_invites_a_refused_body(sandbox):
    request = post_with(sandbox, "100000000000", "Expect: 100-continue\r\n")
    assert closed_after_one_answer(sandbox, request)[0] == 413  # the first answer, not a 100
    body = orjson.dumps({"tradeurl": sandbox.trade_urls[0]})
    request = post_with(sandbox, str(len(body)), "Expect: 100-continue\r\n")
    [(status, _, _)] = exchange(sandbox, request)
    assert status == 100  # a body that will be read is still invited


def test_two_different_content_lengths_are_refused(sandbox):
    request = post_with(sandbox, "2", "Content-Length: 3\r\n", b"{}")
    assert closed_after_one_answer(sandbox, request)[0] == 400


def test_chunked_bodies_are_refused(sandbox):
    request = post_with(sandbox, None, "Transfer-Encoding: chunked\r\n", b"2\r\n{}\r\n0\r\n\r\n")
    status, _, body = closed_after_one_answer(sandbox, request)
    assert status == 400 and "Transfer-Encoding" in body["error"]["fields"]


def test_a_bad_content_length_is_refused_before_the_api_key(sandbox):
    request = post_with(sandbox, "-1").replace(f"api-key: {SANDBOX_API_KEY}\r\n".encode(), b"")
    assert closed_after_one_answer(sandbox, request)[0] == 400


def test_the_framing_refusal_uses_the_dialect_code():
    with serve(dialect="co") as box:
        assert closed_after_one_answer(box, post_with(box, "-1"))[2]["error"]["code"] == 1001


def test_a_body_of_the_cap_is_read(sandbox):
    body = b" " * (MAX_BODY_BYTES - 2) + b"{}"
    [(status, _, answer)] = exchange(sandbox, post_with(sandbox, str(len(body)), "", body))
    assert status == 422 and orjson.loads(answer)["error"]["fields"] == {
        "tradeurl": "is required"}  # fmt: skip


def test_leading_zeros_and_repeats_of_one_length_are_fine(sandbox):
    body = orjson.dumps({"tradeurl": sandbox.trade_urls[0]})
    length = f"00{len(body)}"
    request = post_with(sandbox, length, f"Content-Length: {len(body)}\r\n", body)
    [(status, _, _)] = exchange(sandbox, request)
    assert status == 200


def test_a_body_shorter_than_its_length_times_out_without_an_answer():
    with serve(idle_timeout=0.3) as box:
        host, port = box.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(post_with(box, "50", "", b"{}"))
            assert conn.recv(1024) == b""  # closed by the server at the idle timeout
        assert box.requests == []
