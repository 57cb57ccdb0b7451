"""Which registry addresses may be used: https anywhere, plain http only to this machine.
Light on purpose (no httpx), so the CLI can refuse a bad address before anything loads."""

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
    """https anywhere; http only to this machine. Returns the URL without a trailing slash."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise e.InsecureConnection(
            f"{base_url!r} is not a registry address; it must look like "
            f"https://registry.example/api/v2.", code="CONFIG")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise e.InsecureConnection(code="CONFIG")
    return base_url.rstrip("/")
