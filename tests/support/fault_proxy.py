"""A loopback HTTP/1.1 proxy that breaks the network on purpose, between the client and a real
registry (a `vaxterm mock-server` process, or the mock served by `tests.support.loopback`).

    with FaultProxy(upstream_url) as proxy:
        client = ApiClient(proxy.base_url, ...)
        proxy.set_fault(Fault.DROP_AFTER_FORWARD, method="POST", path=r"/vaccinate$", times=1)
        ...
        assert proxy.count(path=r"/vaccinate$", forwarded=True) == 2

The proxy runs in a thread with its own event loop, so sync tests and anyio tests use it
alike, and its faults can be changed between (or during) requests. A rule matches a request
by method and a regular expression searched in the path (query left out); the newest rule that
matches and has `times` left applies, else the request is forwarded unchanged. Every request
is recorded (`requests`, `count`) with the fault it met and whether it reached the registry.

What the client (httpx, as `ApiClient` uses it) sees under each fault:

- NONE: the registry's answer, byte for byte (Content-Length, chunked or until close).
- REFUSE: the port stops listening (the proxy keeps it bound) and idle keep-alive connections
  are closed, so the next connect fails with ECONNREFUSED: `httpx.ConnectError`, nothing sent.
  It holds for every request until `clear()`; method, path and times do not apply.
- STALL: the request is read and never answered: a read timeout. It ends when the client
  gives up, at `clear()`, at `stop()`, or after `max_fault_seconds` (the connection is closed).
  `forward=True` sends it to the registry first (it acted; the answer never comes).
- DROP_BEFORE_FORWARD: the request is read and the connection closed without an answer:
  `httpx.RemoteProtocolError`; the registry never saw it.
- DROP_AFTER_FORWARD: the registry gets the request and answers in full (a dose is stored),
  then the client's connection is closed without a byte: `httpx.RemoteProtocolError`.
- STATUS_500 / STATUS_502 / STATUS_503: that status instead of the registry's answer (500 and
  503 with a JSON error body, 502 with a gateway's plain text, 503 with `Retry-After`);
  `forward=True` lets the registry act first ("stored, but the gateway said 502").
- RESET_MID_ANSWER: forwarded; the status line, the headers and half the body are sent, then
  the connection is reset (RST): `httpx.ReadError` while reading the body.
- TRICKLE: forwarded; the answer is sent at `rate` bytes a second (4 by default), which never
  trips a read timeout: only a total deadline ends it (or `max_fault_seconds`, then RST).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
POLL = 0.01  # seconds between looks in wait_for
RESET_PAUSE = 0.05  # lets the client read the half answer before the RST arrives


class Fault(enum.Enum):
    NONE = "none"
    REFUSE = "refuse"
    STALL = "stall"
    DROP_BEFORE_FORWARD = "drop before forward"
    DROP_AFTER_FORWARD = "drop after forward"
    STATUS_500 = "500"
    STATUS_502 = "502"
    STATUS_503 = "503"
    RESET_MID_ANSWER = "reset mid-answer"
    TRICKLE = "trickle"


# Whether the registry gets the request: always, never, or as the rule's `forward` says.
_ALWAYS_FORWARD = {Fault.NONE, Fault.DROP_AFTER_FORWARD, Fault.RESET_MID_ANSWER, Fault.TRICKLE}
_MAY_FORWARD = {Fault.STALL, Fault.STATUS_500, Fault.STATUS_502, Fault.STATUS_503}


@dataclass
class Rule:
    fault: Fault
    method: str | None = None  # None: any method
    path: re.Pattern[str] | None = None  # searched in the path without the query
    times: int | None = None  # requests left to hit; None: until cleared
    forward: bool = False
    rate: float = 4.0  # TRICKLE: bytes a second
    retry_after: float = 1.0  # STATUS_503: the Retry-After header, in seconds
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return ((self.times is None or self.times > 0)
                and (self.method is None or self.method == method)
                and (self.path is None or self.path.search(path) is not None))


@dataclass(frozen=True)
class Seen:
    """One request as the proxy handled it."""

    method: str
    path: str  # without the query
    fault: Fault
    forwarded: bool  # the registry got it (and answered, unless `upstream_status` is None)
    upstream_status: int | None


@dataclass
class _Answer:
    status: int
    head: bytes
    body: bytes  # as framed on the wire (chunked stays chunked)
    close: bool  # no framing or "Connection: close": the connection ends after it


@dataclass
class _Request:
    method: str
    path: str
    raw: bytes


class UpstreamFailed(Exception):
    """The registry behind the proxy could not be reached or answered nonsense."""


def canned(status: int, retry_after: float = 1.0) -> bytes:
    """The answer a failing registry or gateway gives, with its framing."""
    extra = ""
    if status == 502:
        body, kind = b"502 Bad Gateway (fault proxy)", "text/plain"
    elif status == 503:
        body, kind = b'{"errorCode":"GERR002","error":"Service unavailable"}', "application/json"
        extra = f"Retry-After: {retry_after:g}\r\n"
    else:
        body, kind = b'{"errorCode":"GERR001","error":"Internal error"}', "application/json"
    head = (f"HTTP/1.1 {status} Fault\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}"
            f"\r\nX-Request-Id: fault-{status}\r\n{extra}\r\n")
    return head.encode() + body


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)
            if k}


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """The next request on a keep-alive connection, or None when the client closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    headers = _headers(head)
    if "transfer-encoding" in headers:
        raise ValueError("chunked request bodies are not supported")  # ApiClient sends none
    length = int(headers.get("content-length", "0"))
    if length > MAX_BODY:
        raise ValueError("request body too large")
    body = await reader.readexactly(length)
    return _Request(method.upper(), target.split("?", 1)[0], head + body)


async def _read_answer(reader: asyncio.StreamReader, method: str) -> _Answer:
    """A whole answer, framing kept, so it can be sent on exactly as it came."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = _headers(head)
    close = headers.get("connection", "").lower() == "close"
    body = bytearray()
    if method == "HEAD" or status < 200 or status in (204, 304):
        pass
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            line = await reader.readuntil(b"\r\n")
            body += line
            size = int(line.split(b";", 1)[0].strip(), 16)
            if size == 0:  # trailers, then the blank line
                while (trailer := await reader.readuntil(b"\r\n")) != b"\r\n":
                    body += trailer
                body += b"\r\n"
                break
            body += await reader.readexactly(size + 2)
            if len(body) > MAX_BODY:
                raise UpstreamFailed("answer too large")
    elif "content-length" in headers:
        body += await reader.readexactly(int(headers["content-length"]))
    else:
        while chunk := await reader.read(65536):  # delimited by the close
            body += chunk
            if len(body) > MAX_BODY:
                raise UpstreamFailed("answer too large")
        close = True
    return _Answer(status, head, bytes(body), close)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST instead of FIN: SO_LINGER 0 drops what is unsent and resets."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@dataclass
class _Connection:
    sock: socket.socket
    idle: bool = True  # waiting for the next request


class FaultProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to `upstream` (an http:// URL on
    loopback; its path becomes the path of `base_url`). Use as a context manager."""

    def __init__(self, upstream: str, *, max_fault_seconds: float = 30.0,
                 upstream_timeout: float = 10.0, idle_timeout: float = 30.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("the fault proxy only fronts a plain http server on 127.0.0.1")
        self._upstream = (parts.hostname, parts.port or 80)
        self._upstream_path = parts.path.rstrip("/")
        self.max_fault_seconds = max_fault_seconds  # no stall or trickle outlives this
        self.upstream_timeout = upstream_timeout
        self.idle_timeout = idle_timeout  # an idle keep-alive connection is closed after
        self.port = 0
        self.accepted = 0  # client connections accepted
        self._rules: list[Rule] = []
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._refusing = False

    # --- from the test's thread -----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The upstream URL with the proxy's address: hand this to the client."""
        return self.url + self._upstream_path

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._failure is not None:
            self.stop()
            raise RuntimeError("the fault proxy did not start") from self._failure

    def stop(self) -> None:
        """Ends every connection (stalls and trickles included) and the thread."""
        if self._thread is None:
            return
        if self._loop is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=10)
        if self._thread.is_alive():
            raise RuntimeError("the fault proxy did not stop within 10 s")
        self._thread = None

    def set_fault(self, fault: Fault, *, method: str | None = None, path: str | None = None,
                  times: int | None = None, forward: bool | None = None, rate: float = 4.0,
                  retry_after: float = 1.0) -> Rule:
        """Apply `fault` to the requests that match `method` and `path` (a regex searched in
        the path), for the next `times` of them or until `clear()`. A rule for the same method
        and path replaces the older one."""
        if fault is Fault.REFUSE and (method, path, times) != (None, None, None):
            raise ValueError("REFUSE closes the port: it holds for every request until "
                             "clear()")
        if forward is not None and fault not in _MAY_FORWARD and forward != (
                fault in _ALWAYS_FORWARD):
            raise ValueError(f"{fault.name} cannot be used with forward={forward}")
        if rate <= 0:
            raise ValueError("rate must be positive")
        rule = Rule(fault, method.upper() if method else None,
                    re.compile(path) if path is not None else None, times,
                    forward=fault in _ALWAYS_FORWARD or bool(forward), rate=rate,
                    retry_after=retry_after)
        if fault is Fault.REFUSE:  # the port's state, not a rule among the others
            self._refusing = True
            self._in_loop(self._stop_listening())
            return rule
        with self._lock:
            self._rules = [r for r in self._rules
                           if (r.method, r.path) != (rule.method, rule.path)]
            self._rules.insert(0, rule)
        return rule

    def clear(self) -> None:
        """No fault any more: listen again, end stalls, forward everything."""
        with self._lock:
            self._rules = []
        refusing, self._refusing = self._refusing, False
        self._in_loop(self._release(refusing))

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def count(self, *, method: str | None = None, path: str | None = None,
              fault: Fault | None = None, forwarded: bool | None = None) -> int:
        """How many requests matched all the given filters (path: a regex, searched)."""
        pattern = re.compile(path) if path is not None else None
        return sum(1 for s in self.requests
                   if (method is None or s.method == method.upper())
                   and (pattern is None or pattern.search(s.path))
                   and (fault is None or s.fault is fault)
                   and (forwarded is None or s.forwarded is forwarded))

    async def wait_for(self, count: int = 1, *, within: float = 5.0, method: str | None = None,
                       path: str | None = None, fault: Fault | None = None,
                       forwarded: bool | None = None) -> None:
        """Until `count` requests match (a forwarded one is recorded once the registry has
        answered): for a test that acts while a call is in flight. Polls, so it never blocks
        the test's event loop, where the app under test may be the one sending."""
        for _ in range(max(1, int(within / POLL))):
            if self.count(method=method, path=path, fault=fault, forwarded=forwarded) >= count:
                return
            await anyio.sleep(POLL)
        raise TimeoutError(f"fewer than {count} matching requests within {within} s")

    def applied(self, fault: Fault) -> int:
        """How many requests met `fault`."""
        return self.count(fault=fault)

    def _in_loop(self, coroutine: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None, "the proxy is not running"
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    # --- in the proxy's thread ------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start(); a thread must not die loudly
            self._failure = exc
            self._ready.set()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        self._released = asyncio.Event()
        self._connections: dict[asyncio.Task[None], _Connection] = {}
        self._loop = asyncio.get_running_loop()
        self._listener = self._bind()
        self._accepting: asyncio.Task[None] | None = None
        self._start_listening()
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            if self._accepting is not None:
                self._accepting.cancel()
                await asyncio.gather(self._accepting, return_exceptions=True)
            self._listener.close()
            self._released.set()
            tasks = list(self._connections)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _bind(self) -> socket.socket:
        # Bound to an explicit port number: Linux then keeps the port ours while REFUSE has
        # stopped listening, so nobody else can take it and the client is truly refused.
        for _ in range(20):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port: int = probe.getsockname()[1]
            listener = socket.socket()
            # Or listening again after REFUSE would clash with this port's own connections.
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.1", port))
            except OSError:
                listener.close()
                continue
            listener.setblocking(False)
            self.port = port
            return listener
        raise RuntimeError("no free port on 127.0.0.1")

    def _start_listening(self) -> None:
        self._listener.listen(16)
        self._accepting = asyncio.create_task(self._accept())

    async def _stop_listening(self) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
            await asyncio.gather(self._accepting, return_exceptions=True)
            self._accepting = None
            # A listening socket shut down stops listening and stays bound (Linux):
            # connects are refused, queued ones reset.
            self._listener.shutdown(socket.SHUT_RD)
        idle = [task for task, conn in self._connections.items() if conn.idle]
        for task in idle:  # or the client would reuse a pooled connection
            task.cancel()
        await asyncio.gather(*idle, return_exceptions=True)

    async def _release(self, listen_again: bool) -> None:
        self._released.set()
        self._released = asyncio.Event()
        if listen_again and self._accepting is None:
            self._start_listening()

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            client, _ = await loop.sock_accept(self._listener)
            self.accepted += 1
            conn = _Connection(client)
            task = asyncio.create_task(self._serve(conn))
            self._connections[task] = conn
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        conn = self._connections.pop(task)
        conn.sock.close()  # a no-op once its transport closed it; not if cancelled unstarted

    async def _serve(self, conn: _Connection) -> None:
        reader, writer = await asyncio.open_connection(sock=conn.sock, limit=MAX_HEAD)
        reset = False
        try:
            while True:
                conn.idle = True
                request = await asyncio.wait_for(_read_request(reader), self.idle_timeout)
                if request is None:
                    break
                conn.idle = False
                keep, reset = await self._handle(request, reader, writer)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError, UpstreamFailed, ValueError):
            pass  # the client went away, or sent what a test client never sends
        finally:
            if reset:
                _reset(writer)
            else:
                writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _pick(self, request: _Request) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(request.method, request.path):
                    if rule.times is not None:
                        rule.times -= 1
                    rule.hits += 1
                    return rule
        return None

    def _record(self, request: _Request, fault: Fault, answer: _Answer | None,
                forwarded: bool) -> None:
        with self._lock:
            self._seen.append(Seen(request.method, request.path, fault, forwarded,
                                   answer.status if answer else None))

    async def _forward(self, request: _Request) -> _Answer:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                *self._upstream, limit=MAX_HEAD), self.upstream_timeout)
        except (OSError, TimeoutError) as exc:
            raise UpstreamFailed("the registry cannot be reached") from exc
        try:
            # One upstream connection per request: the client's keep-alive is the proxy's.
            writer.write(request.raw)
            await writer.drain()
            return await asyncio.wait_for(_read_answer(reader, request.method),
                                          self.upstream_timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError, IndexError) as exc:
            raise UpstreamFailed("the registry's answer was broken") from exc
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _handle(self, request: _Request, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> tuple[bool, bool]:
        """Answer one request under its rule; returns (keep the connection, reset it)."""
        rule = self._pick(request)
        fault = rule.fault if rule else Fault.NONE
        answer: _Answer | None = None
        forwarded = rule.forward if rule else True
        if forwarded:
            try:
                answer = await self._forward(request)
            except UpstreamFailed:
                self._record(request, fault, None, True)
                writer.write(canned(502))  # what a gateway says when its upstream is gone
                await writer.drain()
                return False, False
        self._record(request, fault, answer, forwarded)
        if fault is Fault.NONE:
            assert answer is not None
            writer.write(answer.head + answer.body)
            await writer.drain()
            return not answer.close, False
        if fault is Fault.STALL:
            await self._stall(reader)
            return False, False
        if fault in (Fault.DROP_BEFORE_FORWARD, Fault.DROP_AFTER_FORWARD):
            return False, False
        if fault in (Fault.STATUS_500, Fault.STATUS_502, Fault.STATUS_503):
            assert rule is not None
            writer.write(canned(int(fault.value), rule.retry_after))
            await writer.drain()
            return True, False
        assert answer is not None and rule is not None
        if fault is Fault.RESET_MID_ANSWER:
            writer.transport.set_write_buffer_limits(0)  # drain() then means "in the kernel"
            writer.write(answer.head + answer.body[:len(answer.body) // 2])
            await writer.drain()
            await asyncio.sleep(RESET_PAUSE)
            return False, True
        finished = await self._trickle(answer.head + answer.body, rule.rate, writer)
        return finished and not answer.close, not finished

    async def _stall(self, reader: asyncio.StreamReader) -> None:
        """Wait for clear(), stop(), the client's close, or the bound, whichever comes first."""
        released = asyncio.create_task(self._released.wait())
        client_gone = asyncio.create_task(reader.read(1))  # a client that gives up closes
        try:
            await asyncio.wait({released, client_gone}, timeout=self.max_fault_seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (released, client_gone):
                task.cancel()
            await asyncio.gather(released, client_gone, return_exceptions=True)

    async def _trickle(self, data: bytes, rate: float, writer: asyncio.StreamWriter) -> bool:
        """Send `data` at `rate` bytes a second; False if the bound cut it short."""
        step = max(1, int(rate / 20))  # at most 20 writes a second
        pause = step / rate
        writer.transport.set_write_buffer_limits(0)
        deadline = time.monotonic() + self.max_fault_seconds
        for start in range(0, len(data), step):
            if time.monotonic() > deadline:
                return False
            writer.write(data[start:start + step])
            await writer.drain()  # raises once the client has closed
            await asyncio.sleep(pause)
        return True


@contextlib.contextmanager
def mock_server_process(*, startup_seconds: float = 20.0) -> Iterator[str]:
    """`vaxterm mock-server` as a real process on a free loopback port; yields its API base
    URL and stops it (Ctrl+C, then kill) afterwards. The registry runs on the real clock."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parents[2]  # this checkout's code, not an installed one
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "vaxterm", "mock-server", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                with contextlib.suppress(OSError), socket.create_connection(
                        ("127.0.0.1", port), timeout=0.5):
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError("vaxterm mock-server did not start: "
                                       + errors.read().decode(errors="replace")[-2000:])
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/api/v2"
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
