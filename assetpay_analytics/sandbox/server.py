"""The sandbox's HTTP side: the request handler, the wire faults and the server.

A stdlib ``ThreadingHTTPServer`` is enough here: three endpoints, loopback only, and no
dependency a notebook user would have to install for a demo server.

- A POST's body (``Content-Length`` bytes) is read and parsed as JSON (``app.read_body``);
  the route gets it, and the request log keeps it (``RequestRecord.body``).

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
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from ..constants import API_KEY_HEADER, REQUEST_ID_HEADER
from .app import Answer, read_body, respond
from .state import RequestRecord, SandboxState

__all__ = ["IDLE_TIMEOUT", "make_server"]

#: Seconds a connection may stay silent (idle, or with a request half sent) before it
#: is closed.
IDLE_TIMEOUT = 30.0
_JSON = "application/json; charset=utf-8"
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


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

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the request log is ``Sandbox.requests``."""

    def _handle(self, method: str) -> None:
        state = self.server.state
        if state.faults is not None and state.faults.latency:
            time.sleep(state.faults.latency)
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        key = self.headers.get(API_KEY_HEADER)
        client_id = self.headers.get(REQUEST_ID_HEADER)
        length = int(self.headers.get("Content-Length") or 0)
        body = read_body(self.rfile.read(length) if method == "POST" else None)
        answer = respond(state, method, parts.path, params, key, body)
        state.record(RequestRecord(method, parts.path, params, key is not None, answer.status,
                                   answer.key, time.monotonic(), client_id, answer.fault,
                                   body if isinstance(body, dict) else None))  # fmt: skip
        headers = {**answer.headers, REQUEST_ID_HEADER: client_id or answer.request_id}
        self._act(answer, headers)

    def _act(self, answer: Answer, headers: Mapping[str, str]) -> None:
        if answer.fault == "reset":
            self._reset()
            return
        if answer.fault == "html":
            self._send(502, _HTML_502, headers, "text/html")
            return
        payload = orjson.dumps(answer.body)
        if answer.fault == "truncate":
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
        self, status: int, payload: bytes, headers: Mapping[str, str], kind: str = _JSON
    ) -> None:
        self._headers(status, len(payload), headers, kind)
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
