"""Which registry addresses may be used: https anywhere; plain http to this machine; plain
http to another machine only when that server declares itself a training server (a
classroom), which `ApiClient` checks before sending anything else. Light on purpose (no
httpx), so the CLI can refuse a malformed address before anything loads."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from api_client import errors as e


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """A well-formed http(s) address, without its trailing slash."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise e.InsecureConnection(
            f"{base_url!r} is not a registry address; it must look like "
            f"https://registry.example/api/v2.", code="CONFIG")
    return base_url.rstrip("/")


def needs_training_proof(base_url: str) -> bool:
    """Plain http to another machine: usable only with a server that says it is training."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")


def check_proxy(proxy: str, base_url: str) -> str | None:
    """The configured proxy, or None. Only a plain http:// proxy (it sees a CONNECT line and
    TLS it cannot read; the registry's pin is checked inside the tunnel), and only for an
    https:// registry: plain http never goes through a proxy."""
    if not proxy:
        return None
    parts = urlsplit(proxy)
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
        raise e.InsecureConnection(
            "server.proxy must look like http://proxy.example:3128 (a CONNECT proxy).",
            code="CONFIG")
    if urlsplit(base_url).scheme != "https":
        raise e.InsecureConnection(
            "server.proxy is only for an https:// registry: plain http:// traffic never goes "
            "through a proxy. Remove server.proxy or use the registry's https:// address.",
            code="CONFIG")
    return proxy
