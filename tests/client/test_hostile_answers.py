"""Hostile answers from a loopback server: each one an `ApiError`, with no httpx chain,
no token in sight, server text cleaned, and server ids never steering the request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import msgspec
import pytest

from api_client import errors as e
from api_client.client import ApiClient, Consent, Timeouts
from api_client.retry import RetryPolicy
from api_client.sensitive import Secret
from tests.support.hostile import Received, answer, hostile_server

pytestmark = pytest.mark.anyio
FAST = Timeouts(connect=1, read=0.5, write=1, pool=1, total=3)
ONCE = RetryPolicy(attempts=1)
TOKEN = "tok-" + "s" * 28
REFERENCE = "99990000000002"
USER = (b'"user":{"username":"demo.north1","name":"Synthetic","role":"vaccinator",'
        b'"centre_id":1,"centre_name":"Demo"}')


def replying(payload: bytes) -> Callable[[Received, asyncio.StreamWriter], Awaitable[None]]:
    async def behaviour(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(payload)
        await writer.drain()
    return behaviour


def limited(header: str) -> bytes:
    return answer(429, b'{"errorCode":"RATLMT0001","error":"Too many"}',
                  extra=f"Retry-After: {header}\r\n")


def deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def assert_bare(error: BaseException) -> None:
    assert error.__context__ is None and error.__cause__ is None
    assert not any(isinstance(x, httpx.HTTPError) for x in chain(error))


@pytest.mark.parametrize("header", ["nan", "inf", "1e400", "-5", "-inf", "99999999999"])
async def test_a_hostile_retry_after_is_a_bounded_rate_limit(header: str) -> None:
    async with hostile_server(replying(limited(header))) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.RateLimited) as raised:
                await client.search(mobile="9000000001")
    assert 0 <= raised.value.retry_after <= e.MAX_RETRY_AFTER
    assert_bare(raised.value)


async def test_a_huge_retry_after_in_the_body_is_clamped() -> None:
    body = b'{"errorCode":"RATLMT0001","error":"Too many","retry_after":1000000000000000}'
    async with hostile_server(replying(answer(429, body))) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.RateLimited) as raised:
                await client.search(mobile="9000000001")
    assert raised.value.retry_after == e.MAX_RETRY_AFTER


@pytest.mark.parametrize("payload", [
    answer(200, deep(990)), answer(200, b"[" * 990 + b"]" * 990),
    answer(400, deep(990)), answer(200, deep(5000)),
], ids=["object-990", "array-990", "error-990", "object-5000"])
async def test_deeply_nested_json_is_a_protocol_error(payload: bytes) -> None:
    async with (hostile_server(replying(payload)) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client):
        with pytest.raises(e.ProtocolError) as raised:
            await client.meta()
    assert_bare(raised.value)


async def test_memory_error_while_decoding_is_a_protocol_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*_: object, **__: object) -> object:
        raise MemoryError

    meta = b'{"server_time":"t","version":"v","environment":"training"}'
    async with (hostile_server(replying(answer(200, meta))) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client):
        monkeypatch.setattr(msgspec.json, "decode", exhausted)
        with pytest.raises(e.ProtocolError) as raised:
            await client.meta()
    assert_bare(raised.value)


@pytest.mark.parametrize("token", ["tökén-" + "x" * 20, "abc\ndef" + "x" * 20, "x" * 10 + " y" * 5])
async def test_a_token_that_cannot_travel_in_a_header_is_refused_unseen(token: str) -> None:
    body = b'{"token":' + msgspec.json.encode(token) + b',"expires_in":900,' + USER + b"}"
    async with (hostile_server(replying(answer(200, body))) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client):
        with pytest.raises(e.ProtocolError) as raised:
            await client.confirm_login("txn-12345678", "123456")
        assert not client.logged_in
    error = raised.value
    assert token not in repr(error) and token not in str(error) and token not in error.message
    assert token not in repr(error.args)
    assert_bare(error)


async def test_a_dropped_connection_keeps_no_request_with_the_token() -> None:
    async def drop(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with hostile_server(drop) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.ConnectionDropped) as raised:
                await client.sessions()
    assert_bare(raised.value)
    # Even the frames of the traceback hold no request that still carries the token.
    tb = raised.value.__traceback__
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, httpx.Request):
                assert "authorization" not in value.headers
        tb = tb.tb_next


async def test_server_text_is_cleaned_and_cut() -> None:
    text = "\x1b[31mRED\x1b[0m\u202eevil\r\nline two " + "A" * 450
    body = msgspec.json.encode({"errorCode": "XYZ\x1b9", "error": text})
    async with hostile_server(replying(answer(400, body, extra="X-Request-Id: r\x1bq\r\n"))
                              ) as server:
        seen: list[object] = []
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE, trace=seen.append)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.Refused) as raised:
                await client.sessions()
    error = raised.value
    for shown in (error.message, error.code, error.reference, repr(seen)):
        assert "\x1b" not in shown and "\u202e" not in shown and "\n" not in shown
    assert len(error.message) <= 200
    assert error.message.startswith("[31mRED [0m evil line two A")



HOSTILE_IDS = ["../../auth/vaccinator/logout?x=", "99990000000002\n", "v-1/../../x",
               "a%2F..", "id#frag", "", "x" * 65, "ïd"]


@pytest.mark.parametrize("vaccination_id", HOSTILE_IDS)
async def test_a_hostile_vaccination_id_never_leaves_the_path(vaccination_id: str) -> None:
    async with hostile_server(replying(answer(200, b"{}"))) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.InvalidIdentifier):
                await client.entered_in_error(vaccination_id, "wrong_person")  # type: ignore[arg-type]
    assert server.requests == [], [r.path for r in server.requests]


@pytest.mark.parametrize("reference", ["99990000000002\n", "9999000000000/", "../99990000000"])
async def test_a_hostile_reference_is_refused_before_sending(reference: str) -> None:
    consent = Consent(Secret("c" * 32), frozenset({reference}), time.monotonic() + 600, ())
    async with hostile_server(replying(answer(200, b"{}"))) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.InvalidIdentifier) as raised:
                await client.beneficiary(reference, consent)
    assert server.requests == []
    assert_bare(raised.value)


async def test_a_valid_id_reaches_its_own_path() -> None:
    async with hostile_server(replying(answer(404, b'{"errorCode":"X","error":"no"}'))) as server:
        client = ApiClient(server.base_url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.Refused):
                await client.entered_in_error("v-99990000000002-1", "wrong_person")  # type: ignore[arg-type]
    assert [r.path for r in server.requests] == [
        "/api/v2/vaccinator/vaccinations/v-99990000000002-1/entered-in-error"]
