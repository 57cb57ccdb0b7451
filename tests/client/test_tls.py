"""TLS against uvicorn on loopback with a certificate made in the test."""

from __future__ import annotations

import base64
import hashlib
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from api_client import errors as e
from api_client.client import ApiClient
from api_client.mock import FixedClock, create_app
from api_client.retry import RetryPolicy
from api_client.tls import spki_sha256
from tests.support.loopback import serve

pytestmark = [pytest.mark.anyio, pytest.mark.loopback]
ONCE = RetryPolicy(attempts=1)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    """(base URL, CA bundle path, the server key's pin)."""
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.private_key_pem.write_to_path(str(folder / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    with serve(create_app(FixedClock()), ssl_certfile=str(folder / "cert.pem"),
               ssl_keyfile=str(folder / "key.pem")) as url:
        yield url + "/api/v2", folder / "ca.pem", spki_sha256(der)


async def test_self_signed_is_refused_by_default(tls_server: tuple[str, Path, str]) -> None:
    url, _, _ = tls_server
    async with ApiClient(url, retry=ONCE) as client:
        with pytest.raises(e.TlsFailure) as refused:
            await client.meta()
    assert refused.value.code == "TLS"


async def test_accepted_with_its_ca_bundle(tls_server: tuple[str, Path, str]) -> None:
    url, ca, _ = tls_server
    async with ApiClient(url, ca_bundle=str(ca), retry=ONCE) as client:
        assert (await client.meta()).environment == "training"


async def test_accepted_with_the_right_pin(tls_server: tuple[str, Path, str]) -> None:
    url, ca, pin = tls_server
    async with ApiClient(url, ca_bundle=str(ca), pin_sha256=pin, retry=ONCE) as client:
        assert (await client.meta()).environment == "training"


async def test_refused_with_a_wrong_pin_before_anything_is_sent(
        tls_server: tuple[str, Path, str]) -> None:
    url, ca, _ = tls_server
    wrong = base64.b64encode(hashlib.sha256(b"another key").digest()).decode()
    async with ApiClient(url, ca_bundle=str(ca), pin_sha256=wrong, retry=ONCE) as client:
        client._auth.keep("t" * 32, 900)
        with pytest.raises(e.TlsFailure) as refused:
            await client.sessions()
    assert refused.value.code == "PIN"


async def test_wrong_hostname_is_refused(tls_server: tuple[str, Path, str]) -> None:
    url, ca, _ = tls_server
    async with ApiClient(url.replace("127.0.0.1", "localhost"), ca_bundle=str(ca),
                         retry=ONCE) as client:
        with pytest.raises(e.TlsFailure):
            await client.meta()
