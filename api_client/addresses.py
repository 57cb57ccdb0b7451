"""Which registry addresses may be used: https anywhere; plain http to this machine; plain
http to another machine only when that server declares itself a training server (a
classroom), which `ApiClient` checks before sending anything else. Light on purpose (no
httpx), so the CLI can refuse a malformed address before anything loads."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from api_client import errors as e

API_PATH = "/api/v2"
# Answers that say "no registry API at this base" (an address given without /api/v2): the
# next candidate base is asked instead.
NOT_THERE = frozenset({"NOTFND0001", "METHOD0001", "HTTP-404", "HTTP-405", "SHAPE-200"})


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_url(url: str) -> str:
    """A server address as it may be shown or logged: without credentials, query or
    fragment (a pasted address may carry a password or a token)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(not a valid address)"
    if not parts.scheme or not host:
        return "(not a valid address)" if url else "(none configured)"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_base_url(base_url: str) -> str:
    """A well-formed http(s) address, without its trailing slash. The refusal shows the
    address only through `safe_url`: never its credentials, query or fragment."""
    try:
        parts = urlsplit(base_url)
        # .port raises ValueError for a port out of range.
        well_formed = (parts.scheme in ("http", "https") and bool(parts.hostname)
                       and (parts.port is None or parts.port > 0))
    except ValueError:
        well_formed = False
    if not well_formed:
        raise e.InsecureConnection(
            f"{safe_url(base_url)} is not a registry address; it must look like "
            f"https://registry.example/api/v2.", code="CONFIG")
    return base_url.rstrip("/")


def candidate_bases(base_url: str) -> list[str]:
    """Where to look for the API, in order: the address as given, then with /api/v2 added
    (what a trainer types is often only http://host:port). Doctor and the app ask the same."""
    base = base_url.rstrip("/")
    return [base] if base.endswith(API_PATH) else [base, base + API_PATH]


def is_not_there(code: str) -> bool:
    """A failure that says "no such endpoint here": try the next candidate base."""
    return code in NOT_THERE


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
