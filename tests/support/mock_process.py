"""`vaxterm mock-server` as a separate process on a free loopback port, as a trainer runs it;
and certificates made for it with trustme."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import trustme

from api_client.tls import spki_sha256
from tests.support.loopback import free_port


@dataclass(frozen=True)
class Certificate:
    ca: Path  # the CA bundle that trusts it
    cert: Path
    key: Path
    pin: str


def certificate(folder: Path, *, days: float = 365, name: str = "127.0.0.1") -> Certificate:
    """A leaf for `name` signed by a fresh CA, valid for `days` from now (negative: expired)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    now = datetime.now(UTC)
    leaf = ca.issue_cert(name, not_before=now - timedelta(days=max(1, -days + 1)),
                         not_after=now + timedelta(days=days))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    leaf.private_key_pem.write_to_path(str(folder / "key.pem"))
    leaf.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    return Certificate(folder / "ca.pem", folder / "cert.pem", folder / "key.pem",
                       spki_sha256(der))


@dataclass(frozen=True)
class MockServer:
    origin: str  # scheme://127.0.0.1:port, without the API's path
    port: int

    @property
    def base(self) -> str:
        return f"{self.origin}/api/v2"


@contextmanager
def mock_server(*args: str, tls: Certificate | None = None,
                startup_s: float = 20) -> Iterator[MockServer]:
    """Start `python -m vaxterm mock-server` with `args`; stop it (kill) afterwards."""
    port = free_port()
    extra = ["--tls-cert", str(tls.cert), "--tls-key", str(tls.key)] if tls else []
    process = subprocess.Popen(
        [sys.executable, "-m", "vaxterm", "mock-server", "--port", str(port), *extra, *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    origin = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:  # answering (its certificate may be expired on purpose: not checked)
            if process.poll() is not None:
                raise RuntimeError(f"mock-server ended: {process.stderr.read()[-500:]}"  # type: ignore[union-attr]
                                   )
            try:
                httpx.get(f"{origin}/api/v2/meta", timeout=1, verify=False, trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield MockServer(origin, port)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
