"""TLS settings: verification always on, an optional CA bundle, an optional key pin.

Trust comes only from what is configured: the bundle named in the settings, else the CA
files compiled into OpenSSL plus certifi's. `SSL_CERT_FILE` and `SSL_CERT_DIR` are never read
(malware that sets them and a proxy would otherwise read every request).

The pin is checked through httpcore's `trace` extension when the TLS handshake with the
registry completes: `connection.start_tls.complete` on a direct connection,
`proxy.start_tls.complete` inside a CONNECT tunnel. Both fire after the handshake and before
any request byte is written, so a connection to the wrong key carries neither token nor body.
"""

from __future__ import annotations

import base64
import hashlib
import os
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

# The handshake with the registry itself, direct or through a proxy's tunnel.
REGISTRY_HANDSHAKES = ("connection.start_tls.complete", "proxy.start_tls.complete")


class PinMismatch(Exception):
    """The server's public key is not the pinned one."""


def ssl_context(ca_bundle: str = "") -> ssl.SSLContext:
    """Only the given bundle, or the system's compiled-in store and certifi. Never
    unverified, never from the environment."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificate and hostname
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    else:
        import certifi

        # Not load_default_certs(): it honours SSL_CERT_FILE / SSL_CERT_DIR.
        paths = ssl.get_default_verify_paths()
        if paths.openssl_cafile and os.path.isfile(paths.openssl_cafile):
            context.load_verify_locations(cafile=paths.openssl_cafile)
        if paths.openssl_capath and os.path.isdir(paths.openssl_capath):
            context.load_verify_locations(capath=paths.openssl_capath)
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
    """An httpcore trace callback that refuses a TLS connection whose key is not `pin`.
    Proxies are plain http (see `check_proxy`), so every TLS handshake is the registry's."""

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event not in REGISTRY_HANDSHAKES or "return_value" not in info:
            return
        ssl_object = info["return_value"].get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        if not der or spki_sha256(der) != pin:
            raise PinMismatch

    return trace
