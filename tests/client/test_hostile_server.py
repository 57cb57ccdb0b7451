"""A server that misbehaves on loopback: every answer becomes its typed error, promptly."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from api_client import errors as e
from api_client import models as m
from api_client.client import ApiClient, Consent, Timeouts
from api_client.mock import FixedClock, MockConfig, create_app
from api_client.retry import RetryPolicy
from api_client.sensitive import Secret
from tests.support.hostile import Received, answer, hostile_server

pytestmark = pytest.mark.anyio
FAST = Timeouts(connect=1, read=0.3, write=1, pool=1)
ONCE = RetryPolicy(attempts=1)


def replying(payload: bytes) -> object:
    async def behaviour(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(payload)
        await writer.drain()
    return behaviour


async def stall(_: Received, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(5)


async def drop(_: Received, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def truncate(_: Received, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 200\r\n\r\n{\"server_time\": \"2026")
    await writer.drain()
    writer.close()


async def huge(_: Received, writer: asyncio.StreamWriter) -> None:
    size = 30 * 1024 * 1024
    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {size}\r\n\r\n".encode())
    for _ in range(size // 65536):
        writer.write(b" " * 65536)
        await writer.drain()


async def huge_chunked(_: Received, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    for _ in range(30 * 16):  # 30 MB
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


CASES = [
    ("malformed JSON", replying(answer(200, b'{"server_time": ')), e.ProtocolError),
    ("truncated body", truncate, e.ProtocolError),
    ("HTML from a proxy", replying(answer(200, b"<html>login portal</html>", "text/html")),
     e.ProtocolError),
    ("200 with the wrong shape", replying(answer(200, b'{"server_time": 5}')), e.ProtocolError),
    ("500", replying(answer(500, b'{"errorCode":"GERR001","error":"x"}')), e.ServerError),
    ("500 as text", replying(answer(500, b"Internal Server Error", "text/plain")),
     e.ServerError),
    ("502 HTML from a proxy", replying(answer(502, b"<html>Bad Gateway</html>", "text/html")),
     e.ServerUnavailable),
    ("503 with Retry-After", replying(answer(503, b"", "text/plain", "Retry-After: 0\r\n")),
     e.ServerUnavailable),
    ("401 as bare text", replying(answer(401, b"Unauthenticated access!", "text/plain")),
     e.LoginExpired),
    ("401 as HTML", replying(answer(401, b"<html>denied</html>", "text/html")),
     e.ProtocolError),
    ("418 with no error body", replying(answer(418, b"teapot", "text/plain")),
     e.ProtocolError),
    ("slow answer past the read timeout", stall, e.TimedOut),
    ("dropped connection after the request", drop, e.ConnectionDropped),
    ("30 MB body", huge, e.ProtocolError),
    ("30 MB chunked body", huge_chunked, e.ProtocolError),
]


@pytest.mark.parametrize(("behaviour", "error"), [(c[1], c[2]) for c in CASES],
                         ids=[c[0] for c in CASES])
async def test_each_misbehaviour_gives_its_typed_error_promptly(
        behaviour: object, error: type[e.ApiError]) -> None:
    async with hostile_server(behaviour) as server:  # type: ignore[arg-type]
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep("t" * 32, 900)  # so that 401 handling is exercised
        started = time.monotonic()
        async with client:
            with pytest.raises(e.ApiError) as raised:
                await client.sessions()
        assert type(raised.value) is error, raised.value
        assert time.monotonic() - started < 4  # given up: the stalling server waits 5 s
        assert raised.value.message and raised.value.reference


async def test_server_unreachable() -> None:
    async with hostile_server(drop) as server:
        url = server.base_url
    async with ApiClient(url, timeouts=FAST, retry=ONCE) as client:
        with pytest.raises(e.ServerUnreachable):
            await client.meta()


async def test_reads_are_retried_honouring_retry_after() -> None:
    async def flaky(request: Received, writer: asyncio.StreamWriter) -> None:
        if len(server.requests) < 3:
            writer.write(answer(503, b"", "text/plain", "Retry-After: 0.2\r\n"))
        else:
            writer.write(answer(200, b'{"server_time":"t","version":"v",'
                                     b'"environment":"training"}'))
        await writer.drain()

    async with (hostile_server(flaky) as server,
                ApiClient(server.base_url, timeouts=FAST) as client):
        started = time.monotonic()
        meta = await client.meta()
        assert meta.environment == "training"
        assert len(server.requests) == 3
        assert time.monotonic() - started >= 0.4, "waited Retry-After twice"


async def test_retries_are_bounded_in_count() -> None:
    async with hostile_server(replying(answer(503, b"", "text/plain"))) as server:
        async with ApiClient(server.base_url, timeouts=FAST,
                             retry=RetryPolicy(attempts=4, base_delay=0.01)) as client:
            with pytest.raises(e.ServerUnavailable):
                await client.meta()
        assert len(server.requests) == 4


async def test_retries_are_bounded_in_time() -> None:
    slow_retry = "Retry-After: 30\r\n"
    async with hostile_server(replying(answer(503, b"", "text/plain", slow_retry))) as server:
        async with ApiClient(server.base_url, timeouts=FAST,
                             retry=RetryPolicy(attempts=5, total=5)) as client:
            started = time.monotonic()
            with pytest.raises(e.ServerUnavailable):
                await client.meta()
        assert len(server.requests) == 1, "a 30 s wait does not fit in a 5 s budget"
        assert time.monotonic() - started < 3  # no waiting at all, let alone 30 s


async def test_a_write_without_a_key_is_never_retried() -> None:
    async with hostile_server(drop) as server:
        client = ApiClient(server.base_url, timeouts=FAST,
                           retry=RetryPolicy(attempts=5, base_delay=0.01))
        client._auth.keep("t" * 32, 900)
        async with client:
            with pytest.raises(e.ConnectionDropped):
                await client.search(mobile="9000000001")
        assert len(server.requests) == 1


async def test_a_dose_is_retried_with_its_key_after_a_dropped_connection() -> None:
    """The server stores the dose, then the connection drops before the answer. The
    client's retry carries the same Idempotency-Key and gets the stored record back."""
    clock = FixedClock()
    app = create_app(clock)
    registry = app.state.registry
    upstream = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://mock")
    dropped: list[str] = []

    async def proxy_then_drop_first_dose(request: Received, writer: asyncio.StreamWriter
                                         ) -> None:
        r = await upstream.request(request.method, request.path, content=request.body,
                                   headers={k: v for k, v in request.headers.items()
                                            if k not in ("host", "content-length")})
        if request.path.endswith("/vaccinate") and not dropped:
            dropped.append(request.headers["idempotency-key"])
            writer.close()  # stored on the server, answer lost on the way
            return
        writer.write(answer(r.status_code, r.content,
                            r.headers.get("content-type", "text/plain")))
        await writer.drain()

    retry = RetryPolicy(attempts=3, base_delay=0.01)
    async with (hostile_server(proxy_then_drop_first_dose) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=retry,
                          clock=lambda: clock.now().timestamp()) as client):
        txn = await client.login("demo.north1", "Train@2026")
        await client.confirm_login(txn, registry.current_code("demo.north1"))
        session = next(s for s in await client.sessions() if s.vaccine == "COVISHIELD")
        found = await client.search(mobile="9000000002")
        otp = next(s.otp for s in await client.sms_inbox() if s.txnId == found.txnId)
        consent = await client.confirm_beneficiary(found.txnId, otp)
        key = str(uuid.uuid4())
        done = await client.record_dose("99990000000002", consent, m.VaccinateRequest(
            session_id=session.session_id, vaccine="COVISHIELD",
            vaccine_batch="SYN-CS-0425", dose=2, id_verified=True), idempotency_key=key)
    await upstream.aclose()
    assert dropped == [key]
    sent_keys = [r.headers["idempotency-key"] for r in server.requests
                 if r.path.endswith("/vaccinate")]
    assert sent_keys == [key, key]
    person = registry.state.people["99990000000002"]
    recorded = [d for d in person.doses if d.dose == 2]
    assert len(recorded) == 1 and recorded[0].vaccination_id == done.vaccination_id


async def test_data_minimisation_on_decode() -> None:
    """A server that sends more than the contract: a full date of birth, an address, an
    unmasked ID number and a full mobile. None of it survives decoding."""
    leaky = (b'{"beneficiary_reference_id":"99990000000002","name":"Synthetic Person",'
             b'"birth_year":"1985","gender":"Female","photo_id_type":"Aadhaar Card",'
             b'"photo_id_number":"234567890124","vaccination_status":"Not Vaccinated",'
             b'"mobile_number":"9000000002","comorbidity_ind":"N",'
             b'"date_of_birth":"14-02-1985","address":"12 Synthetic Lane, Demo Town",'
             b'"eligibility":{"eligible":true}}')
    async with hostile_server(replying(answer(200, leaky))) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep("t" * 32, 900)
        consent = Consent(Secret("c" * 32), frozenset({"99990000000002"}),
                          time.monotonic() + 600, ())
        async with client:
            person = await client.beneficiary("99990000000002", consent)
    kept = repr(person)
    assert person.photo_id_number == "XXXXXXXX0124"
    assert person.mobile_number == "0002"
    for leaked in ("14-02-1985", "Synthetic Lane", "234567890124", "9000000002"):
        assert leaked not in kept
    assert not hasattr(person, "date_of_birth") and not hasattr(person, "address")


@pytest.mark.parametrize("url", ["ftp://registry.example", "registry.example", "http://"])
def test_a_malformed_address_is_refused(url: str) -> None:
    with pytest.raises(e.InsecureConnection) as refused:
        ApiClient(url)
    assert "is not a registry address" in refused.value.message


@pytest.mark.parametrize("url", ["http://10.1.2.3:8080/api/v2", "http://registry.example/api/v2"])
async def test_plain_http_to_another_host_needs_a_training_server(url: str) -> None:
    """The policy is tested with the real mock answering in process: no traffic leaves."""
    for environment, allowed in (("production", False), ("training", True)):
        app = create_app(FixedClock(), MockConfig(environment=environment))
        seen: list[str] = []
        async with ApiClient(url, transport=httpx.ASGITransport(app=app),
                             trace=lambda t, seen=seen: seen.append(t.path)) as client:
            if allowed:
                assert len(await client.demo_accounts()) > 3
                assert seen == ["/api/v2/meta", "/api/v2/training/accounts"]
                assert client.environment == "training"
            else:
                with pytest.raises(e.InsecureConnection) as refused:
                    await client.login("demo.north1", "Train@2026")
                assert "not a training server" in refused.value.message
                assert seen == ["/api/v2/meta"], "nothing but the environment check was sent"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/api/v2", "http://[::1]:8080/api/v2",
                                 "http://localhost:8080/api/v2", "https://registry.example/api/v2"])
async def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    async with ApiClient(url) as client:
        assert client.base_url == url
