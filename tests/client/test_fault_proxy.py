"""The fault proxy between the real ApiClient and the real mock on loopback: each fault gives
the client the error it meets on a real network, and a dose whose answer is lost is stored
once however often it is retried under its key."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import httpx
import pytest

from api_client import errors as e
from api_client import models as m
from api_client.client import ApiClient, Consent, Timeouts
from api_client.mock import FixedClock, Registry, create_app
from api_client.retry import RetryPolicy
from tests.support.fault_proxy import Fault, FaultProxy, canned, mock_server_process
from tests.support.hostile import Received, hostile_server
from tests.support.loopback import free_port, serve

pytestmark = [pytest.mark.anyio, pytest.mark.loopback]

FAST = Timeouts(connect=1.0, read=0.4, write=1.0, pool=1.0, total=1.5)
ONCE = RetryPolicy(attempts=1)
RETRYING = RetryPolicy(attempts=3, base_delay=0.01)
MOBILE, REFERENCE = "9000000002", "99990000000002"  # synthetic: due for dose 2 of COVISHIELD


@dataclass
class Rig:
    client: ApiClient
    registry: Registry
    clock: FixedClock
    proxy: FaultProxy

    async def login(self) -> None:
        txn = await self.client.login("demo.north1", "Train@2026")
        await self.client.confirm_login(txn, self.registry.current_code("demo.north1"))
        self.clock.advance(seconds=30)  # the next login needs the next code

    async def consent(self) -> Consent:
        found = await self.client.search(mobile=MOBILE)
        otp = next(s.otp for s in await self.client.sms_inbox() if s.txnId == found.txnId)
        return await self.client.confirm_beneficiary(found.txnId, otp)

    async def dose(self) -> m.VaccinateRequest:
        session = next(s for s in await self.client.sessions() if s.vaccine == "COVISHIELD")
        return m.VaccinateRequest(session_id=session.session_id, vaccine="COVISHIELD",
                                  vaccine_batch="SYN-CS-0425", dose=2, id_verified=True)

    def doses_stored(self) -> int:
        return len(self.registry.state.people[REFERENCE].doses)


@pytest.fixture(scope="module")
def registry_server() -> Iterator[tuple[str, FixedClock, Registry]]:
    clock = FixedClock()
    app = create_app(clock)
    with serve(app) as url:
        yield url + "/api/v2", clock, app.state.registry


@pytest.fixture
def proxy(registry_server: tuple[str, FixedClock, Registry]) -> Iterator[FaultProxy]:
    registry_server[2].reset()
    with FaultProxy(registry_server[0], max_fault_seconds=5) as running:
        yield running
    assert not any(t.name == "fault-proxy" for t in threading.enumerate())


def client_for(proxy: FaultProxy, clock: FixedClock, retry: RetryPolicy = ONCE,
               timeouts: Timeouts = FAST) -> ApiClient:
    return ApiClient(proxy.base_url, timeouts=timeouts, retry=retry,
                     clock=lambda: clock.now().timestamp())


@asynccontextmanager
async def signed_in(proxy: FaultProxy, server: tuple[str, FixedClock, Registry],
                    retry: RetryPolicy = ONCE, timeouts: Timeouts = FAST
                    ) -> AsyncIterator[Rig]:
    _, clock, registry = server
    async with client_for(proxy, clock, retry, timeouts) as client:
        r = Rig(client, registry, clock, proxy)
        await r.login()
        yield r


@pytest.fixture
async def rig(proxy: FaultProxy, registry_server: tuple[str, FixedClock, Registry]
              ) -> AsyncIterator[Rig]:
    async with signed_in(proxy, registry_server) as r:
        yield r


# --- no fault -------------------------------------------------------------------------------


async def test_without_a_fault_every_call_passes_on_one_kept_alive_connection(rig: Rig) -> None:
    consent = await rig.consent()
    dose = await rig.dose()
    person = await rig.client.beneficiary(REFERENCE, consent)
    assert person.due_dose == 2
    done = await rig.client.record_dose(REFERENCE, consent, dose, str(uuid.uuid4()))
    assert done.beneficiary.vaccination_status == "Vaccinated"
    seen = rig.proxy.requests
    assert len(seen) == 8  # login, code, search, inbox, OTP, sessions, record, vaccinate
    assert all(s.fault is Fault.NONE and s.forwarded for s in seen)
    assert [s.upstream_status for s in seen] == [200] * 7 + [201]
    assert rig.proxy.count(method="POST", path=r"/vaccinate$") == 1
    assert rig.proxy.accepted == 1  # keep-alive: several requests per client connection


async def _raw_exchange(url: str, request: bytes, until: bytes | None = None) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port.split("/")[0]))
    try:
        writer.write(request)
        await writer.drain()
        with anyio.fail_after(2):
            if until is None:
                return await reader.read(-1)
            return await reader.readuntil(until)
    finally:
        writer.close()
        await writer.wait_closed()


CHUNKED = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n"
           b"5\r\n{\"a\":\r\n3;x=y\r\n1}\n\r\n0\r\nX-Trailer: t\r\n\r\n")
UNTIL_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nall of it"


@pytest.mark.parametrize("answer", [CHUNKED, UNTIL_CLOSE], ids=["chunked", "until-close"])
async def test_an_answer_passes_byte_for_byte_whatever_its_framing(answer: bytes) -> None:
    async def reply(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(answer)
        await writer.drain()
        if b"Connection: close" in answer:
            writer.close()

    async with hostile_server(reply) as upstream:
        with FaultProxy(upstream.base_url) as proxy:
            got = await _raw_exchange(
                proxy.url, b"GET /api/v2/x HTTP/1.1\r\nHost: p\r\n\r\n",
                until=None if b"close" in answer else b"X-Trailer: t\r\n\r\n")
            assert got == answer
            assert [(s.method, s.path, s.upstream_status) for s in proxy.requests] == [
                ("GET", "/api/v2/x", 200)]


async def test_a_registry_that_is_gone_is_a_bad_gateway(registry_server: tuple[
        str, FixedClock, Registry]) -> None:
    with FaultProxy(f"http://127.0.0.1:{free_port()}/api/v2") as proxy:
        async with client_for(proxy, registry_server[1]) as client:
            with pytest.raises(e.ServerUnavailable):
                await client.meta()
        assert proxy.count(forwarded=True) == 1 and proxy.requests[0].upstream_status is None


# --- each fault gives the client its error --------------------------------------------------


async def test_refuse_is_a_closed_port_so_nothing_is_sent(rig: Rig) -> None:
    before = len(rig.proxy.requests)
    rig.proxy.set_fault(Fault.REFUSE)  # the login's kept-alive connection is closed too
    with pytest.raises(e.ServerUnreachable):
        await rig.client.sessions()
    assert len(rig.proxy.requests) == before  # not one request reached the proxy
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", rig.proxy.port), timeout=1).close()
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", rig.proxy.port))  # the port stays the proxy's
    rig.proxy.set_fault(Fault.STALL)  # another fault for every request: still refused
    with pytest.raises(e.ServerUnreachable):
        await rig.client.sessions()
    rig.proxy.clear()
    assert await rig.client.sessions()
    with pytest.raises(ValueError, match="every request"):
        rig.proxy.set_fault(Fault.REFUSE, path="/sessions")


async def test_stall_ends_at_the_read_timeout_and_reaches_nobody(rig: Rig) -> None:
    rig.proxy.set_fault(Fault.STALL, method="GET", path=r"/sessions$", times=1)
    started = time.monotonic()
    with pytest.raises(e.TimedOut) as raised:
        await rig.client.sessions()
    assert type(raised.value) is e.TimedOut
    assert FAST.read <= time.monotonic() - started < 4  # not the proxy's own 5 s bound
    assert rig.proxy.count(path=r"/sessions$", fault=Fault.STALL, forwarded=False) == 1
    assert await rig.client.sessions()  # times=1: the next one passes


async def test_clear_and_stop_end_a_stall(proxy: FaultProxy) -> None:
    proxy.set_fault(Fault.STALL)
    host, port = "127.0.0.1", proxy.port
    request = b"GET /api/v2/meta HTTP/1.1\r\nHost: p\r\n\r\n"
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request)
    await writer.drain()
    await asyncio.sleep(0.2)
    assert not reader.at_eof()
    proxy.clear()
    with anyio.fail_after(4):
        assert await reader.read() == b""  # closed without an answer
    writer.close()
    await writer.wait_closed()
    assert time.monotonic() - started < 4.5  # not the proxy's own 5 s bound


async def test_drop_before_forward_loses_the_request(rig: Rig) -> None:
    consent, dose, key = await rig.consent(), await rig.dose(), str(uuid.uuid4())
    rig.proxy.set_fault(Fault.DROP_BEFORE_FORWARD, path=r"/vaccinate$", times=1)
    with pytest.raises(e.ConnectionDropped):
        await rig.client.record_dose(REFERENCE, consent, dose, key)
    assert rig.doses_stored() == 1  # dose 1 from the population; dose 2 never arrived
    await rig.client.record_dose(REFERENCE, consent, dose, key)
    assert rig.doses_stored() == 2
    assert rig.proxy.count(path=r"/vaccinate$", forwarded=True) == 1


async def test_drop_after_forward_then_a_retry_with_the_same_key_records_once(rig: Rig) -> None:
    consent, dose, key = await rig.consent(), await rig.dose(), str(uuid.uuid4())
    assert rig.doses_stored() == 1
    rig.proxy.set_fault(Fault.DROP_AFTER_FORWARD, method="POST", path=r"/vaccinate$", times=1)
    with pytest.raises(e.ConnectionDropped):
        await rig.client.record_dose(REFERENCE, consent, dose, key)
    assert rig.doses_stored() == 2  # the registry stored it; the answer was lost
    stored = rig.registry.state.people[REFERENCE].doses[-1].vaccination_id
    again = await rig.client.record_dose(REFERENCE, consent, dose, key)
    assert again.vaccination_id == stored
    assert rig.doses_stored() == 2
    assert rig.proxy.count(path=r"/vaccinate$", forwarded=True) == 2
    assert rig.proxy.applied(Fault.DROP_AFTER_FORWARD) == 1


async def test_drop_after_forward_is_retried_by_the_client_under_its_key(
        proxy: FaultProxy, registry_server: tuple[str, FixedClock, Registry]) -> None:
    async with signed_in(proxy, registry_server, RETRYING) as rig:
        consent, dose = await rig.consent(), await rig.dose()
        proxy.set_fault(Fault.DROP_AFTER_FORWARD, path=r"/vaccinate$", times=1)
        await rig.client.record_dose(REFERENCE, consent, dose, str(uuid.uuid4()))
        assert rig.doses_stored() == 2
    assert proxy.count(path=r"/vaccinate$", forwarded=True) == 2


@pytest.mark.parametrize(("fault", "error"), [
    (Fault.STATUS_500, e.ServerError),
    (Fault.STATUS_502, e.ServerUnavailable),
    (Fault.STATUS_503, e.ServerUnavailable),
], ids=lambda v: getattr(v, "name", None))
async def test_a_status_fault_is_its_server_error(rig: Rig, fault: Fault,
                                                  error: type[e.ApiError]) -> None:
    rig.proxy.set_fault(fault, method="GET", path=r"/sessions$")
    with pytest.raises(e.ApiError) as raised:
        await rig.client.sessions()
    assert type(raised.value) is error
    assert raised.value.request_id == f"fault-{fault.value}"
    assert rig.proxy.count(path=r"/sessions$", fault=fault, forwarded=False) == 1
    assert await rig.client.meta()  # other paths pass


async def test_the_canned_answers_as_sent() -> None:
    assert canned(503).startswith(b"HTTP/1.1 503 ") and b"\r\nRetry-After: 1\r\n" in canned(503)
    assert b"Retry-After" not in canned(500) + canned(502)
    assert b"text/plain" in canned(502) and b"GERR001" in canned(500)
    head, _, body = canned(503, 0.25).partition(b"\r\n\r\n")
    assert b"Retry-After: 0.25" in head and f"Content-Length: {len(body)}".encode() in head


async def test_503_retry_after_is_honoured_by_the_client(
        proxy: FaultProxy, registry_server: tuple[str, FixedClock, Registry]) -> None:
    async with signed_in(proxy, registry_server, RETRYING) as rig:
        proxy.set_fault(Fault.STATUS_503, path=r"/sessions$", times=1, retry_after=0.3)
        started = time.monotonic()
        assert await rig.client.sessions()
        assert time.monotonic() - started >= 0.3  # not the 0.01 s backoff: Retry-After
    assert proxy.count(path=r"/sessions$") == 2


async def test_a_502_after_forward_stored_the_dose_once(rig: Rig) -> None:
    consent, dose, key = await rig.consent(), await rig.dose(), str(uuid.uuid4())
    rig.proxy.set_fault(Fault.STATUS_502, path=r"/vaccinate$", times=1, forward=True)
    with pytest.raises(e.ServerUnavailable):
        await rig.client.record_dose(REFERENCE, consent, dose, key)
    assert rig.doses_stored() == 2
    await rig.client.record_dose(REFERENCE, consent, dose, key)
    assert rig.doses_stored() == 2
    with pytest.raises(ValueError, match="forward"):
        rig.proxy.set_fault(Fault.DROP_BEFORE_FORWARD, forward=True)


async def test_stall_after_forward_stored_the_dose_while_the_call_still_waits(
        proxy: FaultProxy, registry_server: tuple[str, FixedClock, Registry]) -> None:
    # A read timeout long enough that the stored dose is seen before the call gives up, even
    # when a loaded machine is slow to carry the request through the proxy to the registry.
    patient = Timeouts(connect=1, read=3, write=1, pool=1, total=3.5)
    async with signed_in(proxy, registry_server, timeouts=patient) as rig:
        consent, dose, key = await rig.consent(), await rig.dose(), str(uuid.uuid4())
        rig.proxy.set_fault(Fault.STALL, path=r"/vaccinate$", forward=True)
        call = asyncio.create_task(rig.client.record_dose(REFERENCE, consent, dose, key))
        await rig.proxy.wait_for(path=r"/vaccinate$", fault=Fault.STALL, within=3)
        assert not call.done() and rig.doses_stored() == 2  # stored; the answer held back
        with pytest.raises(e.TimedOut):
            await call
        rig.proxy.clear()
        await rig.client.record_dose(REFERENCE, consent, dose, key)
        assert rig.doses_stored() == 2


async def test_reset_mid_answer_cuts_the_body(rig: Rig) -> None:
    consent = await rig.consent()
    rig.proxy.set_fault(Fault.RESET_MID_ANSWER, method="GET", path=r"/beneficiaries/\d+$")
    with pytest.raises(e.ProtocolError):
        await rig.client.beneficiary(REFERENCE, consent)
    # What went over the wire: the status and headers, then part of the body, then RST.
    async with httpx.AsyncClient(timeout=2) as raw:
        request = raw.build_request("GET", rig.proxy.base_url + "/meta")
        rig.proxy.set_fault(Fault.RESET_MID_ANSWER, path=r"/meta$")
        response = await raw.send(request, stream=True)
        assert response.status_code == 200
        with pytest.raises(httpx.ReadError):
            await response.aread()
        await response.aclose()
    assert rig.proxy.applied(Fault.RESET_MID_ANSWER) == 2


async def test_trickle_sends_four_bytes_a_second(proxy: FaultProxy) -> None:
    proxy.set_fault(Fault.TRICKLE)
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"GET /api/v2/meta HTTP/1.1\r\nHost: p\r\n\r\n")
    await writer.drain()
    with anyio.fail_after(5):  # the registry's answer reaches the proxy, then trickles
        got = await reader.read(100)
    started = time.monotonic()
    while len(got) < 5:  # four more bytes: a second at four a second, never sooner
        with anyio.fail_after(5):
            got += await reader.read(100)
    took = time.monotonic() - started
    writer.close()
    await writer.wait_closed()
    # Bytes 2 to 5 leave 0.25 s apart, so at least 1 s after the first; its own arrival may
    # have been late, hence 0.5.
    assert b"HTTP/1.1 200".startswith(got) and 0.5 <= took < 5, took


async def test_trickle_outlasts_a_read_timeout(rig: Rig) -> None:
    # A byte every 0.05 s against a 1 s read timeout: on time even on a loaded machine.
    steps_only = Timeouts(connect=1, read=1, write=1, pool=1)
    rig.proxy.set_fault(Fault.TRICKLE, method="GET", path=r"/meta$", rate=20)
    async with client_for(rig.proxy, rig.clock, timeouts=steps_only) as slow:
        with anyio.move_on_after(3.0) as waited:  # three read timeouts and still going
            await slow.meta()
    assert waited.cancelled_caught


async def test_trickle_ends_at_the_total_deadline(
        proxy: FaultProxy, registry_server: tuple[str, FixedClock, Registry]) -> None:
    # A byte every 0.05 s never lets the 1 s read timeout fire: only the total deadline ends it.
    timeouts = Timeouts(connect=1, read=1, write=1, pool=1, total=1.5)
    async with signed_in(proxy, registry_server, timeouts=timeouts) as rig:
        rig.proxy.set_fault(Fault.TRICKLE, method="GET", path=r"/sessions$", rate=20)
        started = time.monotonic()
        with pytest.raises(e.TimedOut) as late:
            await rig.client.sessions()
        took = time.monotonic() - started
    assert late.value.code == "TIMEOUT-TOTAL"
    assert timeouts.total <= took < timeouts.total + 2, took


# --- rules, counts, teardown ----------------------------------------------------------------


async def test_rules_select_by_method_and_path_replace_and_expire(rig: Rig) -> None:
    rig.proxy.set_fault(Fault.STATUS_500, method="POST", path=r"/search$", times=5)
    rule = rig.proxy.set_fault(Fault.STATUS_503, method="POST", path=r"/search$", times=2)
    assert await rig.client.sessions()  # GET: no rule
    for _ in range(2):
        with pytest.raises(e.ServerUnavailable):  # the newer rule replaced the 500s
            await rig.client.search(mobile=MOBILE)
    assert rule.times == 0 and rule.hits == 2
    assert (await rig.client.search(mobile=MOBILE)).txnId
    assert rig.proxy.count(method="POST", path="search") == 3
    assert rig.proxy.count(path="search", fault=Fault.STATUS_503) == 2
    assert rig.proxy.count(path="search", forwarded=True) == 1


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_stop_ends_every_connection_and_leaks_nothing(
        registry_server: tuple[str, FixedClock, Registry]) -> None:
    fds = _open_fds()
    clients: list[socket.socket] = []
    with FaultProxy(registry_server[0]) as proxy:
        proxy.set_fault(Fault.STALL, path="meta$")
        proxy.set_fault(Fault.TRICKLE, path="sessions$")
        for path in ("meta", "sessions", "meta"):
            client = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
            client.sendall(f"GET /api/v2/{path} HTTP/1.1\r\nHost: p\r\n\r\n".encode())
            clients.append(client)
        idle = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        clients.append(idle)
        deadline = time.monotonic() + 10
        while len(proxy.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(proxy.requests) == 3
        started = time.monotonic()
    assert time.monotonic() - started < 5  # not held by the stall (its bound is 30 s)
    assert not any(t.name == "fault-proxy" for t in threading.enumerate())
    for client in clients:  # each was closed by the proxy: a read ends at once
        client.settimeout(1)
        try:
            while client.recv(4096):
                pass
        except ConnectionResetError:
            pass  # the trickle may be reset
        client.close()
    # The server side of each upstream connection lives in this process too (uvicorn in a
    # thread) and closes a moment later.
    deadline = time.monotonic() + 10
    while _open_fds() > fds and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _open_fds() <= fds


# --- a real `vaxterm mock-server` process ----------------------------------------------------


async def test_in_front_of_a_real_mock_server_process() -> None:
    with mock_server_process() as upstream, FaultProxy(upstream) as proxy:
        async with ApiClient(proxy.base_url, timeouts=FAST, retry=ONCE) as client:
            code = next(a.current_code for a in await client.demo_accounts()
                        if a.username == "demo.north1")
            await client.confirm_login(await client.login("demo.north1", "Train@2026"), code)
            session = next(s for s in await client.sessions() if s.vaccine == "COVISHIELD")
            found = await client.search(mobile=MOBILE)
            otp = next(s.otp for s in await client.sms_inbox() if s.txnId == found.txnId)
            consent = await client.confirm_beneficiary(found.txnId, otp)
            dose = m.VaccinateRequest(session_id=session.session_id, vaccine="COVISHIELD",
                                      vaccine_batch="SYN-CS-0425", dose=2, id_verified=True)
            key = str(uuid.uuid4())
            proxy.set_fault(Fault.DROP_AFTER_FORWARD, path=r"/vaccinate$", times=1)
            with pytest.raises(e.ConnectionDropped):
                await client.record_dose(REFERENCE, consent, dose, key)
            await client.record_dose(REFERENCE, consent, dose, key)
            summary = await client.session_summary(session.session_id)
            assert len(summary.my_records) == 1  # stored once, over a real process
            assert proxy.count(path=r"/vaccinate$", forwarded=True) == 2
