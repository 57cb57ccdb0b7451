"""TLS settings: verification always on, an optional CA bundle, an optional key pin.

The pin is checked through httpcore's `trace` extension on `connection.start_tls.complete`,
which fires after the handshake and before any request byte is written, so a connection to
the wrong key carries neither token nor body.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from collections.abc import Awaitable, Callable
from typing import Any


class PinMismatch(Exception):
    """The server's public key is not the pinned one."""


def ssl_context(ca_bundle: str = "") -> ssl.SSLContext:
    """The system's trust store, or only the given bundle. Never unverified."""
    context = ssl.create_default_context(cafile=ca_bundle or None)
    if not ca_bundle:
        import certifi

        context.load_verify_locations(certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def spki_sha256(der_certificate: bytes) -> str:
    """Base64 SHA-256 of a certificate's SubjectPublicKeyInfo (the HPKP pin format)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = x509.load_der_x509_certificate(der_certificate).public_key()
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def pin_checker(pin: str) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """An httpcore trace callback that refuses a TLS connection whose key is not `pin`."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event != "connection.start_tls.complete" or "return_value" not in info:
            return
        ssl_object = info["return_value"].get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        if not der or spki_sha256(der) != pin:
            raise PinMismatch

    return trace
