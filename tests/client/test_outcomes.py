"""Did a write land? Each failure says it truthfully: nothing sent, or outcome unknown.

Real sockets on 127.0.0.1 where a socket is the point (refused, dropped, trickled); the
ladder itself is checked with httpx's own exception types.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from api_client import errors as e
from api_client import models as m
from api_client.client import ApiClient, Timeouts
from api_client.failures import LADDER, failure_for
from api_client.mock import FixedClock, create_app
from api_client.retry import RetryPolicy
from tests.support.hostile import Received, answer, hostile_server
from tests.support.loopback import free_port

pytestmark = pytest.mark.anyio
ONCE = RetryPolicy(attempts=1)
NOTHING_SENT = "nothing was sent"


def says_nothing_sent(error: e.ApiError) -> bool:
    return NOTHING_SENT in error.message.lower()


# --- the classes ------------------------------------------------------------------------------


def _all_errors() -> list[type[e.ApiError]]:
    found, todo = [], [e.ApiError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", [c for c in _all_errors() if issubclass(c, e.OutcomeUnknown)],
                         ids=lambda c: c.__name__)
def test_no_outcome_unknown_error_claims_nothing_was_sent(cls: type[e.OutcomeUnknown]) -> None:
    assert NOTHING_SENT not in cls.default_message.lower()
    assert "not known" in cls.default_message or "Try again" in cls.default_message


def test_the_errors_after_which_a_write_may_have_landed() -> None:
    unknown = {c.__name__ for c in _all_errors() if issubclass(c, e.OutcomeUnknown)}
    assert unknown == {"OutcomeUnknown", "TimedOut", "ConnectionDropped", "ServerError",
                       "ServerUnavailable", "ProtocolError"}
    for sure in (e.ServerUnreachable, e.TlsFailure):  # no connection: nothing left
        assert not issubclass(sure, e.OutcomeUnknown)
        assert NOTHING_SENT in sure.default_message.lower()


_REQUEST = httpx.Request("POST", "http://127.0.0.1/api/v2/x")


@pytest.mark.parametrize(("exc", "error", "code"), [
    (httpx.ConnectError("refused", request=_REQUEST), e.ServerUnreachable, "CONNECT"),
    (httpx.ConnectTimeout("slow", request=_REQUEST), e.ServerUnreachable, "TIMEOUT-CONNECT"),
    (httpx.PoolTimeout("busy", request=_REQUEST), e.ServerUnreachable, "TIMEOUT-POOL"),
    (httpx.ReadTimeout("late", request=_REQUEST), e.TimedOut, "TIMEOUT-READ"),
    (httpx.WriteTimeout("late", request=_REQUEST), e.TimedOut, "TIMEOUT-WRITE"),
    (httpx.ReadError("reset", request=_REQUEST), e.ConnectionDropped, "DROPPED"),
    (httpx.WriteError("reset", request=_REQUEST), e.ConnectionDropped, "DROPPED"),
    (httpx.RemoteProtocolError("closed", request=_REQUEST), e.ConnectionDropped, "DROPPED"),
    (httpx.DecodingError("gzip", request=_REQUEST), e.ProtocolError, "DECODING"),
    # httpx errors that cannot say how far the request got: never "nothing was sent".
    (httpx.LocalProtocolError("h11", request=_REQUEST), e.ConnectionDropped, "HTTP"),
    (httpx.ProxyError("proxy", request=_REQUEST), e.ConnectionDropped, "HTTP"),
    (httpx.TooManyRedirects("loop", request=_REQUEST), e.ConnectionDropped, "HTTP"),
], ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None)
def test_the_ladder(exc: Exception, error: type[e.ApiError], code: str) -> None:
    failure = failure_for(exc)
    assert type(failure) is error and failure.code == code
    assert says_nothing_sent(failure) == (error is e.ServerUnreachable)


def test_a_broken_body_after_the_status_line_is_an_answer_cut_short() -> None:
    failure = failure_for(httpx.ReadError("reset", request=_REQUEST), answered=True,
                          request_id="r1")
    assert type(failure) is e.ProtocolError and failure.reference == "TRUNCATED / r1"
    assert failure_for(ValueError("not a transport failure")) is None


def test_every_rung_is_reachable() -> None:
    """No rung hides behind an earlier, wider one (TLS before connect, connect timeout
    before the generic timeout, ...)."""
    for index, rung in enumerate(LADDER):
        for earlier in LADDER[:index]:
            assert not (issubclass(rung.kind, earlier.kind) and earlier.when is None), rung


# --- over a socket ------------------------------------------------------------------------------


async def test_connect_refused_says_nothing_was_sent() -> None:
    url = f"http://127.0.0.1:{free_port()}/api/v2"  # nothing listens there
    async with ApiClient(url, retry=ONCE) as client:
        with pytest.raises(e.ServerUnreachable) as refused:
            await client.meta()
    assert refused.value.code == "CONNECT" and says_nothing_sent(refused.value)
    assert not isinstance(refused.value, e.OutcomeUnknown)


async def test_a_dose_whose_answer_is_lost_is_outcome_unknown_and_did_land() -> None:
    """The registry stores the dose, then the connection drops before the answer: the
    error is an OutcomeUnknown, and that is the truth — the dose is recorded."""
    clock = FixedClock()
    app = create_app(clock)
    registry = app.state.registry
    upstream = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock")

    async def proxy_then_drop_doses(request: Received, writer: asyncio.StreamWriter) -> None:
        r = await upstream.request(request.method, request.path, content=request.body,
                                   headers={k: v for k, v in request.headers.items()
                                            if k not in ("host", "content-length")})
        if request.path.endswith("/vaccinate"):
            writer.close()  # stored on the server, answer lost on the way
            return
        writer.write(answer(r.status_code, r.content,
                            r.headers.get("content-type", "text/plain")))
        await writer.drain()

    async with (hostile_server(proxy_then_drop_doses) as server,
                ApiClient(server.base_url, retry=ONCE,
                          clock=lambda: clock.now().timestamp()) as client):
        txn = await client.login("demo.north1", "Train@2026")
        await client.confirm_login(txn, registry.current_code("demo.north1"))
        session = next(s for s in await client.sessions() if s.vaccine == "COVISHIELD")
        found = await client.search(mobile="9000000002")
        otp = next(s.otp for s in await client.sms_inbox() if s.txnId == found.txnId)
        consent = await client.confirm_beneficiary(found.txnId, otp)
        with pytest.raises(e.OutcomeUnknown) as unknown:
            await client.record_dose("99990000000002", consent, m.VaccinateRequest(
                session_id=session.session_id, vaccine="COVISHIELD",
                vaccine_batch="SYN-CS-0425", dose=2, id_verified=True),
                idempotency_key=str(uuid.uuid4()))
    await upstream.aclose()
    assert not says_nothing_sent(unknown.value)
    person = registry.state.people["99990000000002"]
    assert [d.dose for d in person.doses] == [1, 2], "the dose did land"


async def test_an_unreadable_answer_to_a_write_is_outcome_unknown() -> None:
    async def garbled(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(answer(201, b"<html>proxy says hi</html>", "text/html"))
        await writer.drain()

    async with hostile_server(garbled) as server:
        client = ApiClient(server.base_url, retry=ONCE)
        client._auth.keep("t" * 32, 900)
        async with client:
            with pytest.raises(e.OutcomeUnknown) as unknown:
                await client.search(mobile="9000000001")
    assert type(unknown.value) is e.ProtocolError


# --- the total deadline ---------------------------------------------------------------------------


async def drip(_: Received, writer: asyncio.StreamWriter) -> None:
    """A 200 whose body comes one byte every 0.05 s (50 s in all): each byte restarts httpx's
    read timeout, so only a deadline on the whole exchange ends it."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n")
    await writer.drain()
    for _byte in range(1000):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.05)


async def test_a_trickling_answer_ends_at_the_total_deadline() -> None:
    # The read timeout is 20 drips long: a loaded machine does not fire it first.
    timeouts = Timeouts(connect=1, read=1, write=1, pool=1, total=1.2)
    async with hostile_server(drip) as server:
        client = ApiClient(server.base_url, timeouts=timeouts, retry=ONCE)
        client._auth.keep("t" * 32, 900)
        async with client:
            started = time.monotonic()
            with pytest.raises(e.TimedOut) as late:
                await client.search(mobile="9000000001")
            took = time.monotonic() - started
    assert late.value.code == "TIMEOUT-TOTAL"
    assert isinstance(late.value, e.OutcomeUnknown) and not says_nothing_sent(late.value)
    assert 1.1 <= took < 4, took  # the deadline, far from the drip's 50 s


async def test_a_read_is_retried_after_the_deadline_within_its_budget() -> None:
    async with hostile_server(drip) as server:
        async with ApiClient(server.base_url, retry=RetryPolicy(attempts=2, base_delay=0.01),
                             timeouts=Timeouts(read=1, total=0.5)) as client:
            started = time.monotonic()
            with pytest.raises(e.TimedOut):
                await client.meta()
            assert time.monotonic() - started < 4  # two deadlines, far from the drip's 50 s
        assert len(server.requests) == 2


async def test_timeouts_have_one_set_of_defaults() -> None:
    t = Timeouts()
    assert (t.connect, t.read, t.write, t.pool, t.total) == (5.0, 15.0, 10.0, 5.0, 30.0)
    async with ApiClient("http://127.0.0.1:9/api/v2") as client:
        assert client.timeouts == t
        assert client._http.timeout == httpx.Timeout(connect=5.0, read=15.0, write=10.0,
                                                     pool=5.0)
