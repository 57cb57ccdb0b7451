"""Slow clients are cut off: headers and bodies dripped a byte at a time, over loopback."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from api_client.mock import FixedClock, MockConfig, create_app
from api_client.mock.serving import guarded_h11
from tests.support.loopback import serve

pytestmark = pytest.mark.loopback
LIMIT_S = 2.0  # the header and body limits of these servers


def drip(url: str, head: bytes, body: bytes, *, most_s: float = 12.0) -> tuple[bytes, float]:
    """Send `head` at once then `body` a byte a second (or, with no body, `head` a byte a
    second); what the server answered, and when it answered or hung up."""
    host, port = url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=most_s) as sock:
        sock.settimeout(1.0)
        slow = body or head
        if body:
            sock.sendall(head)
        answer = b""
        for byte in slow:  # at most len(slow) seconds
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break  # the server hung up
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:  # a reset: the server hung up before we closed (seen under load)
                break
            answer += chunk
            if not chunk or b"\r\n\r\n" in answer:
                break
            if time.monotonic() - start > most_s:
                break
        return answer, time.monotonic() - start


def test_headers_dripped_a_byte_a_second_are_cut_off() -> None:
    app = create_app(FixedClock())
    with serve(app, http=guarded_h11(LIMIT_S), timeout_keep_alive=1) as url:
        head = b"GET /api/v2/meta HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
        answer, took = drip(url, head, b"")
        assert b"200" not in answer.split(b"\r\n")[0]
        assert took < LIMIT_S + 6, took  # cut off, not the client's own 12 s
        # An ordinary client still gets its answer.
        assert httpx.get(f"{url}/api/v2/meta", trust_env=False).status_code == 200


def test_a_body_dripped_a_byte_a_second_gets_408() -> None:
    app = create_app(FixedClock(), MockConfig(body_timeout_s=LIMIT_S))
    with serve(app, http=guarded_h11(LIMIT_S), timeout_keep_alive=1) as url:
        body = b'{"username": "demo.north1", "password": "Train@2026"}'
        head = (b"POST /api/v2/auth/vaccinator/login HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n")
        answer, took = drip(url, head, body)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:40]
        assert took < LIMIT_S + 6, took  # cut off, not the client's own 12 s
