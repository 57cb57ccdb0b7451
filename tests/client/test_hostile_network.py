"""The client against a hostile network on loopback: proxies from the environment, an
intercepting proxy, a pin checked inside a CONNECT tunnel, decompression bombs, cookies."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from api_client import errors as e
from api_client.client import MAX_ANSWER_BYTES, ApiClient, Timeouts
from api_client.retry import RetryPolicy
from api_client.tls import spki_sha256
from tests.support.bombs import stacked_bomb
from tests.support.connect_proxy import connect_proxy
from tests.support.hostile import Received, answer, hostile_server

pytestmark = pytest.mark.anyio
FAST = Timeouts(connect=1, read=1, write=1, pool=1, total=3)
ONCE = RetryPolicy(attempts=1)
META = b'{"server_time":"t","version":"v","environment":"training"}'
PASSWORD = "Synthetic-Pass-4711"
TOKEN = "T" * 24 + "synthetic"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Pki:
    """A registry's CA and certificate, and an interceptor's CA and certificate."""

    ca_file: Path
    server: ssl.SSLContext
    pin: str
    interceptor_ca_file: Path
    interceptor: ssl.SSLContext


def _server_context(ca: trustme.CA) -> tuple[ssl.SSLContext, str]:
    cert = ca.issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return context, spki_sha256(der)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    registry_ca, interceptor_ca = trustme.CA(), trustme.CA()
    registry_ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    interceptor_ca.cert_pem.write_to_path(str(folder / "interceptor-ca.pem"))
    server, pin = _server_context(registry_ca)
    interceptor, _ = _server_context(interceptor_ca)
    return Pki(folder / "ca.pem", server, pin, folder / "interceptor-ca.pem", interceptor)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE",
                 "SSL_CERT_DIR", "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


async def meta_server(_: Received, writer: object) -> None:
    writer.write(answer(200, META))  # type: ignore[attr-defined]
    await writer.drain()  # type: ignore[attr-defined]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


WRONG_PIN = base64.b64encode(hashlib.sha256(b"another key").digest()).decode()


# --- the pin through a CONNECT tunnel ----------------------------------------------------------


async def test_a_wrong_pin_through_a_configured_proxy_sends_nothing(
        pki: Pki, clean_env: pytest.MonkeyPatch) -> None:
    async with hostile_server(meta_server, tls=pki.server) as server, connect_proxy() as proxy:
        client = ApiClient(server.base_url, ca_bundle=str(pki.ca_file), pin_sha256=WRONG_PIN,
                           proxy=proxy.url, timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.TlsFailure) as refused:
                await client.sessions()
    assert refused.value.code == "PIN"
    assert proxy.connects, "the call went through the tunnel"
    assert server.requests == [], "not one request byte reached the server"


async def test_the_right_pin_through_a_configured_proxy_works(
        pki: Pki, clean_env: pytest.MonkeyPatch) -> None:
    async with (hostile_server(meta_server, tls=pki.server) as server,
                connect_proxy() as proxy,
                ApiClient(server.base_url, ca_bundle=str(pki.ca_file), pin_sha256=pki.pin,
                          proxy=proxy.url, timeouts=FAST, retry=ONCE) as client):
        assert (await client.meta()).environment == "training"
    assert len(proxy.connects) == 1 and len(server.requests) == 1


async def test_a_proxy_from_the_environment_neither_skips_the_pin_nor_is_used(
        pki: Pki, clean_env: pytest.MonkeyPatch) -> None:
    async with hostile_server(meta_server, tls=pki.server) as server, connect_proxy() as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        clean_env.setenv("ALL_PROXY", proxy.url)
        client = ApiClient(server.base_url, ca_bundle=str(pki.ca_file), pin_sha256=WRONG_PIN,
                           timeouts=FAST, retry=ONCE)
        client._auth.keep(TOKEN, 900)
        async with client:
            with pytest.raises(e.TlsFailure):
                await client.sessions()
    assert proxy.connects == [] and server.requests == []


# --- an intercepting proxy with its CA in the environment ---------------------------------------


async def test_an_intercepting_proxy_from_the_environment_sees_no_secret(
        pki: Pki, clean_env: pytest.MonkeyPatch) -> None:
    """What malware would set: HTTPS_PROXY and the proxy's CA in SSL_CERT_FILE."""
    async with connect_proxy(intercept=pki.interceptor) as proxy:
        clean_env.setenv("HTTPS_PROXY", proxy.url)
        clean_env.setenv("SSL_CERT_FILE", str(pki.interceptor_ca_file))
        clean_env.setenv("SSL_CERT_DIR", str(pki.interceptor_ca_file.parent))
        async with ApiClient(f"https://127.0.0.1:{closed_port()}/api/v2", timeouts=FAST,
                             retry=ONCE) as client:
            with pytest.raises(e.ApiError):
                await client.login("demo.north1", PASSWORD)
    assert PASSWORD.encode() not in proxy.seen
    assert proxy.connects == []


async def test_a_configured_interceptor_is_not_trusted_through_the_environment_ca(
        pki: Pki, clean_env: pytest.MonkeyPatch) -> None:
    async with connect_proxy(intercept=pki.interceptor) as proxy:
        clean_env.setenv("SSL_CERT_FILE", str(pki.interceptor_ca_file))
        async with ApiClient(f"https://127.0.0.1:{closed_port()}/api/v2", proxy=proxy.url,
                             timeouts=FAST, retry=ONCE) as client:
            with pytest.raises(e.TlsFailure):
                await client.login("demo.north1", PASSWORD)
    assert len(proxy.connects) == 1, "the configured proxy was asked"
    assert PASSWORD.encode() not in proxy.seen


async def test_plain_http_ignores_proxy_variables_even_socks(
        clean_env: pytest.MonkeyPatch) -> None:
    async with connect_proxy() as proxy, hostile_server(meta_server) as server:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        clean_env.setenv("ALL_PROXY", "socks5://127.0.0.1:1")  # was an ImportError
        async with ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client:
            assert (await client.meta()).environment == "training"
    assert proxy.connects == [] and len(server.requests) == 1


@pytest.mark.parametrize(("base", "proxy"), [
    ("http://127.0.0.1:8000/api/v2", "http://127.0.0.1:3128"),
    ("http://10.0.0.5/api/v2", "http://127.0.0.1:3128"),
    ("https://registry.example/api/v2", "https://proxy.example:3128"),
    ("https://registry.example/api/v2", "socks5://127.0.0.1:1080"),
    ("https://registry.example/api/v2", "proxy.example:3128"),
])
def test_a_proxy_only_for_https_and_only_a_plain_connect_proxy(base: str, proxy: str) -> None:
    with pytest.raises(e.InsecureConnection) as refused:
        ApiClient(base, proxy=proxy)
    assert refused.value.code == "CONFIG" and "server.proxy" in refused.value.message


# --- bounded answers ---------------------------------------------------------------------------

_BOMB_CHILD = """
import asyncio, json, resource, sys
from api_client import errors as e
from api_client.client import ApiClient, Timeouts
from api_client.retry import RetryPolicy
from tests.support.hostile import answer, hostile_server

payload = open(sys.argv[1], "rb").read()
encoding = sys.argv[2]

async def bomb(_, writer):
    writer.write(answer(200, payload, extra=f"Content-Encoding: {encoding}\\r\\n"))
    await writer.drain()

async def main():
    async with hostile_server(bomb) as server:
        async with ApiClient(server.base_url, retry=RetryPolicy(attempts=1),
                             timeouts=Timeouts(total=20)) as client:
            try:
                await client.meta()
                return "none", ""
            except e.ApiError as error:
                return type(error).__name__, error.code

kind, code = asyncio.run(main())
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a large pytest
# process would report the parent's size.
try:
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"error": kind, "code": code, "peak": peak}))
"""


@pytest.mark.parametrize(("layers", "encoding"), [(3, "gzip, gzip, gzip"), (2, "gzip, gzip"),
                                                  (2, "gzip,gzip")])
def test_a_stacked_gzip_bomb_is_refused_within_300_mb(
        tmp_path: Path, layers: int, encoding: str) -> None:
    payload = stacked_bomb(layers)
    assert len(payload) < 5000  # 281 bytes for 3 layers, all of it 2 GiB decoded
    (tmp_path / "bomb").write_bytes(payload)
    run = subprocess.run([sys.executable, "-c", _BOMB_CHILD, str(tmp_path / "bomb"), encoding],
                         cwd=ROOT, capture_output=True, text=True, timeout=90, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["peak"] < 300 * 1024 * 1024, f"peak RSS {result['peak'] / 2**20:.0f} MiB"
    assert (result["error"], result["code"]) == ("ProtocolError", "ENCODING")


async def test_one_gzip_layer_is_capped_while_decoding() -> None:
    """The first MiB of a one-layer bomb (about 1 GiB decoded, within the cap on the
    wire): refused once the decoded bytes pass the cap."""
    from tests.support.bombs import MIB, gzip_of_zeros_2gib

    payload = gzip_of_zeros_2gib()[:MIB]
    assert len(payload) < MAX_ANSWER_BYTES

    async def bomb(_: Received, writer: object) -> None:
        writer.write(answer(200, payload, extra="Content-Encoding: gzip\r\n"))  # type: ignore[attr-defined]
        await writer.drain()  # type: ignore[attr-defined]

    async with (hostile_server(bomb) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client):
        with pytest.raises(e.ProtocolError) as refused:
            await client.meta()
    assert refused.value.code == "TOO-LARGE"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "identity", ""])
async def test_an_ordinary_encoded_answer_is_read(encoding: str) -> None:
    body = {"gzip": gzip.compress, "deflate": __import__("zlib").compress}.get(
        encoding, lambda b: b)(META)
    extra = f"Content-Encoding: {encoding}\r\n" if encoding else ""

    async def encoded(_: Received, writer: object) -> None:
        writer.write(answer(200, body, extra=extra))  # type: ignore[attr-defined]
        await writer.drain()  # type: ignore[attr-defined]

    async with (hostile_server(encoded) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client):
        assert (await client.meta()).environment == "training"
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress"])
async def test_an_encoding_not_asked_for_is_refused(encoding: str) -> None:
    async def encoded(_: Received, writer: object) -> None:
        writer.write(answer(200, META, extra=f"Content-Encoding: {encoding}\r\n"))  # type: ignore[attr-defined]
        await writer.drain()  # type: ignore[attr-defined]

    async with (hostile_server(encoded) as server,
                ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client):
        with pytest.raises(e.ProtocolError) as refused:
            await client.meta()
    assert refused.value.code == "ENCODING"


# --- no cookie jar -----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_cookie_set_by_the_server_is_never_sent_back(host: str) -> None:
    async def with_cookie(_: Received, writer: object) -> None:
        writer.write(answer(200, META, extra="Set-Cookie: sid=synthetic123; Path=/\r\n"))  # type: ignore[attr-defined]
        await writer.drain()  # type: ignore[attr-defined]

    async with hostile_server(with_cookie) as server:
        url = server.base_url.replace("127.0.0.1", host)
        async with ApiClient(url, timeouts=FAST, retry=ONCE) as client:
            await client.meta()
            await client.meta()
            kept = list(client._http.cookies.jar)
    assert len(server.requests) == 2
    assert all("cookie" not in r.headers for r in server.requests)
    assert kept == []


async def test_a_ca_in_the_environment_is_not_trusted(
        pki: Pki, clean_env: pytest.MonkeyPatch) -> None:
    """SSL_CERT_FILE naming the registry's own CA: still refused; only server.ca_bundle."""
    async with hostile_server(meta_server, tls=pki.server) as server:
        clean_env.setenv("SSL_CERT_FILE", str(pki.ca_file))
        clean_env.setenv("SSL_CERT_DIR", str(pki.ca_file.parent))
        async with ApiClient(server.base_url, timeouts=FAST, retry=ONCE) as client:
            with pytest.raises(e.TlsFailure):
                await client.meta()
    assert server.requests == []


def test_server_proxy_is_a_setting_passed_to_the_client() -> None:
    from vaxterm import settings
    from vaxterm.connection import client_for

    loaded = settings.load({"VAXTERM_SERVER__URL": "http://127.0.0.1:8000/api/v2",
                            "VAXTERM_SERVER__PROXY": "http://127.0.0.1:3128"},
                           path=ROOT / "no-such-config.toml")
    assert loaded.server.proxy == "http://127.0.0.1:3128"
    with pytest.raises(e.InsecureConnection) as refused:
        client_for(loaded.server)
    assert "plain http:// traffic never goes through a proxy" in refused.value.message
