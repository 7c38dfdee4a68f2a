"""The sandbox's HTTP side: the request handler, the wire faults and the server.

A stdlib ``ThreadingHTTPServer`` is enough here: three endpoints, loopback only, and no
dependency a notebook user would have to install for a demo server.

- A POST's body (``Content-Length`` bytes) is read and parsed as JSON (``app.read_body``);
  the route gets it, and the request log keeps it (``RequestRecord.body``). Another
  method's body is read and dropped, so a keep-alive connection stays in step.
- ``Content-Length`` is not trusted (``body_length``): a value that is not a plain decimal
  number (``-1``, ``1e11``, ``+5``, two different values) is answered 400 at once, one over
  ``MAX_BODY_BYTES`` (1 MiB) 413, and so is a ``Transfer-Encoding`` (400: the sandbox
  reads no chunked bodies); each with the dialect's VALIDATION_FAILED envelope naming the
  header (``app.framing_error``), before the api key is looked at, without reading the
  body (nor a ``100 Continue`` inviting it), and the connection is closed. A body shorter
  than its ``Content-Length`` waits for the rest until ``idle_timeout``, as any half-sent
  request does.
- Every method is answered as JSON (``app.respond``): ``HEAD`` as ``GET`` without the
  body (its ``Content-Length`` that of the body it would have), ``OPTIONS`` 204 with
  ``Allow``, and any other method (PUT, DELETE, or one the stdlib does not know, which it
  would answer 501 HTML) goes through the api key and then 404 NOT_FOUND.

- Every response carries ``x-request-id``: the client's own, when it sent one, else the
  envelope's ``requestId``. The client's header is kept in the request log.
- The wire faults are acted out here: ``reset`` (close with SO_LINGER 0, no response),
  ``truncate`` (full ``Content-Length``, half the body, close), ``html`` (a proxy's 502
  page) and ``drip`` (one byte every ``drip_interval`` seconds).
- A connection idle (or half-sent) for ``idle_timeout`` seconds is closed, and the server
  tracks the connections it accepted so that ``close_connections`` (on stop) ends the
  keep-alive ones too.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from ..constants import API_KEY_HEADER, REQUEST_ID_HEADER
from .app import Answer, framing_error, read_body, respond
from .state import RequestRecord, SandboxState

__all__ = ["IDLE_TIMEOUT", "MAX_BODY_BYTES", "BadFraming", "body_length", "make_server"]

#: Seconds a connection may stay silent (idle, or with a request half sent) before it
#: is closed.
IDLE_TIMEOUT = 30.0
#: The largest request body the sandbox reads (its largest real one is a few hundred bytes).
MAX_BODY_BYTES = 1 << 20
_DECIMAL = re.compile(r"[0-9]+")  # ASCII digits only: int() also takes "+5", "1_0", "٣"
_JSON = "application/json; charset=utf-8"
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class BadFraming(Exception):
    """A request whose body cannot be framed: the status, the header, and why."""

    def __init__(self, status: int, header: str, reason: str) -> None:
        super().__init__(f"{header}: {reason}")
        self.status, self.header, self.reason = status, header, reason


def body_length(headers: Message) -> int:
    """The number of body bytes a request announces (0 for none), checked before reading.

    Raises
    ------
    BadFraming
        400 for a ``Content-Length`` that is not one plain decimal number (several equal
        values are one) or for any ``Transfer-Encoding``; 413 for more than
        ``MAX_BODY_BYTES``.

    Examples
    --------
    >>> from email.message import Message
    >>> headers = Message()
    >>> headers["Content-Length"] = "42"
    >>> body_length(headers)
    42
    >>> headers.replace_header("Content-Length", "1e11")
    >>> body_length(headers)
    Traceback (most recent call last):
    ...
    assetpay_analytics.sandbox.server.BadFraming: Content-Length: must be a whole number of bytes
    """
    if headers.get("Transfer-Encoding") is not None:
        raise BadFraming(400, "Transfer-Encoding", "is not supported: send Content-Length")
    values = [value.strip(" \t") for value in headers.get_all("Content-Length") or ()]
    if not all(_DECIMAL.fullmatch(value) for value in values):
        raise BadFraming(400, "Content-Length", "must be a whole number of bytes")
    numbers = {value.lstrip("0") or "0" for value in values}
    if len(numbers) > 1:
        raise BadFraming(400, "Content-Length", "must be a whole number of bytes")
    digits = numbers.pop() if numbers else "0"
    if len(digits) > len(str(MAX_BODY_BYTES)) or int(digits) > MAX_BODY_BYTES:
        raise BadFraming(413, "Content-Length", f"must be at most {MAX_BODY_BYTES} bytes")
    return int(digits)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # a dripped byte leaves at once
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # idle or half-sent: closed

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def handle_expect_100(self) -> bool:
        """No ``100 Continue`` for a body that will be refused (``_handle`` refuses it)."""
        try:
            body_length(self.headers)
        except BadFraming:
            return True
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A method without a ``do_`` handler (the stdlib's 501) is answered as JSON by
        ``respond``, like any other request; the stdlib's other refusals (a malformed
        request line, headers too long) are left as they are."""
        if code == HTTPStatus.NOT_IMPLEMENTED and self.command and self.path:
            self._handle(self.command)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the request log is ``Sandbox.requests``."""

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        key = self.headers.get(API_KEY_HEADER)
        client_id = self.headers.get(REQUEST_ID_HEADER)
        try:
            length = body_length(self.headers)
        except BadFraming as bad:
            self.close_connection = True
            answer = framing_error(state, bad.status, bad.header, bad.reason)
            self._answer(method, parts.path, params, key, client_id, answer, None)
            return
        if state.faults is not None and state.faults.latency:
            time.sleep(state.faults.latency)
        raw = self.rfile.read(length) if length else None  # a short body: the idle timeout
        body = read_body(raw) if method == "POST" else None
        answer = respond(state, method, parts.path, params, key, body)
        self._answer(method, parts.path, params, key, client_id, answer, body)

    def _answer(
        self, method: str, path: str, params: dict[str, str], key: str | None,
        client_id: str | None, answer: Answer, body: object,
    ) -> None:  # fmt: skip
        """Log the request, then act the answer out."""
        self.server.state.record(RequestRecord(
            method, path, params, key is not None, answer.status, answer.key, time.monotonic(),
            client_id, answer.fault, body if isinstance(body, dict) else None))  # fmt: skip
        headers = {**answer.headers, REQUEST_ID_HEADER: client_id or answer.request_id}
        self._act(answer, headers, head=method == "HEAD")

    def _act(self, answer: Answer, headers: Mapping[str, str], head: bool = False) -> None:
        if answer.fault == "reset":
            self._reset()
            return
        if answer.fault == "html":
            self._send(502, _HTML_502, headers, "text/html", head=head)
            return
        if answer.body is None:  # OPTIONS: 204, no body and no Content-Length
            self.send_response(answer.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        payload = orjson.dumps(answer.body)
        if head:
            self._send(answer.status, payload, headers, head=True)
        elif answer.fault == "truncate":
            self._headers(answer.status, len(payload), headers, _JSON)
            self._write(payload[: len(payload) // 2])
            self.close_connection = True
        elif answer.fault == "drip":
            self._drip(answer.status, payload, headers)
        else:
            self._send(answer.status, payload, headers)

    def _headers(self, status: int, length: int, headers: Mapping[str, str], kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send(
        self, status: int, payload: bytes, headers: Mapping[str, str], kind: str = _JSON,
        head: bool = False,
    ) -> None:  # fmt: skip
        """Headers (``Content-Length`` that of ``payload``), then the payload unless HEAD."""
        self._headers(status, len(payload), headers, kind)
        if not head:
            self._write(payload)

    def _write(self, chunk: bytes) -> bool:
        """Write; on a client that hung up, stop quietly and close. True when written."""
        try:
            self.wfile.write(chunk)
        except OSError:  # BrokenPipe, ConnectionReset, or a socket shut by stop()
            self.close_connection = True
            return False
        return True

    def _reset(self) -> None:
        """Abort the connection: no response; SO_LINGER 0 makes the close a reset."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _drip(self, status: int, payload: bytes, headers: Mapping[str, str]) -> None:
        interval = self.server.state.faults.drip_interval if self.server.state.faults else 0.0
        self._headers(status, len(payload), headers, _JSON)
        for n in range(len(payload)):
            if n and self.server.closing.wait(interval):
                self.close_connection = True
                return
            if not self._write(payload[n : n + 1]):
                return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: 32 workers connecting at once then wait
    # about a second in SYN retries, which a real API's listener never makes them do
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState, idle_timeout: float):
        super().__init__(address, _Handler)
        self.state = state
        self.idle_timeout = idle_timeout
        self.closing = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            if self.closing.is_set():
                self.shutdown_request(request)
                return
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is no error; anything else is reported as usual."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Refuse new connections and shut every open one (keep-alive ones included)."""
        with self._open_lock:
            self.closing.set()
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def make_server(
    host: str, port: int, state: SandboxState, idle_timeout: float = IDLE_TIMEOUT
) -> _Server:
    """A bound (not yet serving) sandbox HTTP server.

    Parameters
    ----------
    host, port : str, int
        Where to listen (port 0 picks a free one).
    state : SandboxState
        The options, faults and request log it answers with.
    idle_timeout : float
        Seconds before a silent or half-sent connection is closed.
    """
    if idle_timeout <= 0:
        raise ValueError("idle_timeout must be positive")
    return _Server((host, port), state, idle_timeout)
