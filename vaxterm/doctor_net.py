"""Doctor's checks of the way to the registry: DNS, TCP, TLS, GET /meta, clock skew.

Each step has its own timeout of a few seconds. Nothing here uses a proxy variable: the
environment check reports them. Nothing is sent but GET /meta: no login, no personal data.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import time
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from vaxterm import supportlog
from vaxterm.doctor_model import (
    Check,
    Context,
    TookTooLong,
    bounded,
    fail,
    not_applicable,
    ok,
    warn,
)

if TYPE_CHECKING:
    from api_client.models import ServerMeta

EXPIRY_WARN_DAYS = 30
SKEW_WARN_S, SKEW_FAIL_S = 30, 90
# X509 verification codes (OpenSSL) with their own explanation.
NOT_YET_VALID, EXPIRED, HOSTNAME_MISMATCH = 9, 10, 62
INTERCEPTED = ("otherwise the connection may be intercepted: call IT before using vaxterm")


def _where(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _proxy_set(ctx: Context) -> bool:
    return any(n.upper() in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY") for n in ctx.environ)


# --- DNS and TCP --------------------------------------------------------------------------------


def dns_check(ctx: Context) -> Check:
    try:
        ipaddress.ip_address(ctx.host)
    except ValueError:
        pass
    else:
        ctx.addresses = [ctx.host]
        return ok(f"{ctx.host} is an address: no lookup needed", addresses=[ctx.host])
    try:
        infos = bounded(lambda: socket.getaddrinfo(ctx.host, ctx.port, type=socket.SOCK_STREAM),
                        ctx.timeout)
    except TookTooLong:
        return fail(f"no answer from DNS for {ctx.host} in {ctx.timeout:g} s",
                    "The network's name server does not answer: check the network, then ask "
                    "IT.")
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return fail(f"{ctx.host} is not known to DNS ({reason})",
                    "Check the spelling of the address; if it is right, ask IT why this "
                    "network cannot find it.")
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    ctx.addresses = addresses
    return ok(f"{ctx.host} → {', '.join(addresses[:4])}", addresses=addresses)


def tcp_check(ctx: Context) -> Check:
    problems: list[tuple[str, str]] = []
    for address in ctx.addresses[:4]:
        begun = time.perf_counter()
        try:
            with socket.create_connection((address, ctx.port), timeout=ctx.timeout):
                pass
        except ConnectionRefusedError:
            problems.append((address, "refused"))
        except TimeoutError:
            problems.append((address, "timeout"))
        except OSError as exc:
            problems.append((address, exc.strerror or type(exc).__name__))
        else:
            ctx.connected = address
            ms = (time.perf_counter() - begun) * 1000
            return ok(f"connected to {_where(address, ctx.port)} in {ms:.0f} ms",
                      address=address, port=ctx.port, ms=round(ms, 1))
    where = ", ".join(_where(a, ctx.port) for a, _ in problems)
    kinds = {kind for _, kind in problems}
    hint = " (a proxy variable is set: this network may allow only the proxy)" if _proxy_set(
        ctx) else ""
    data = {"tried": [a for a, _ in problems], "port": ctx.port,
            "errors": [k for _, k in problems]}
    if kinds == {"refused"}:
        return fail(f"nothing listening at {where} (connection refused)",
                    "Check the port in the address; if it is right, the registry (or the "
                    "trainer's mock-server) is not running there." + hint, **data)
    if "timeout" in kinds:
        return fail(f"no answer from {where} in {ctx.timeout:g} s",
                    "A firewall or the network drops the connection: ask IT whether this "
                    "computer may reach the registry" + hint + ".", **data)
    return fail(f"cannot connect to {where} ({', '.join(sorted(kinds))})",
                "Check the network connection (cable, Wi-Fi), then ask IT" + hint + ".", **data)


# --- TLS ----------------------------------------------------------------------------------------


def _handshake(ctx: Context, context: ssl.SSLContext) -> tuple[bytes, str]:
    with (socket.create_connection((ctx.connected, ctx.port), timeout=ctx.timeout) as raw,
          context.wrap_socket(raw, server_hostname=ctx.host) as tls):
        der = tls.getpeercert(binary_form=True)
        return der or b"", tls.version() or "TLS"


def _peek(ctx: Context) -> Any:
    """The certificate the server shows, unverified: only to explain a refusal."""
    from cryptography import x509

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        der, _ = _handshake(ctx, context)
        return x509.load_der_x509_certificate(der)
    except (OSError, ValueError):
        return None


def _names(certificate: Any) -> str:
    from cryptography import x509

    try:
        names = certificate.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, AttributeError):
        return "no names"
    shown = [str(n) for n in names.get_values_for_type(x509.DNSName)]
    shown += [str(n) for n in names.get_values_for_type(x509.IPAddress)]
    return ", ".join(shown) or "no names"


def _refused(ctx: Context, exc: ssl.SSLCertVerificationError, trust: str) -> Check:
    peer = _peek(ctx)
    code = exc.verify_code
    if code == HOSTNAME_MISMATCH:
        return fail(f"the certificate is not for {ctx.host}: it names {_names(peer)}",
                    "Use the address the certificate names, or ask the registry's operators "
                    "for a certificate with this name.", verify_code=code)
    if code == EXPIRED and peer is not None:
        return fail(f"the certificate expired on {peer.not_valid_after_utc:%Y-%m-%d}",
                    "The registry's operators must renew it; if that date is wrong, check this "
                    "computer's date and clock.", verify_code=code)
    if code == NOT_YET_VALID and peer is not None:
        return fail(f"the certificate is not valid before {peer.not_valid_before_utc:%Y-%m-%d}",
                    "Check this computer's date and clock.", verify_code=code)
    issuer = peer.issuer.rfc4514_string() if peer is not None else "unknown"
    return fail(f"the certificate is not trusted by {trust} ({exc.verify_message}; issued "
                f"by {issuer})",
                f"If this is the registry's own CA, set server.ca_bundle to its PEM file; "
                f"{INTERCEPTED}.", verify_code=code, issuer=issuer)


def tls_check(ctx: Context) -> Check:
    if ctx.scheme != "https":
        return not_applicable("plain http: no TLS to check")
    from cryptography import x509

    from api_client.tls import spki_sha256, ssl_context

    assert ctx.settings is not None
    server = ctx.settings.server
    trust = f"the CA bundle {server.ca_bundle}" if server.ca_bundle else "the system's CAs"
    try:
        context = ssl_context(server.ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        return fail(f"{trust} cannot be loaded ({type(exc).__name__})",
                    "Point server.ca_bundle at a readable PEM file of CA certificates.")
    try:
        der, version = _handshake(ctx, context)
    except ssl.SSLCertVerificationError as exc:
        return _refused(ctx, exc, trust)
    except ssl.SSLError as exc:
        return fail(f"the TLS handshake with {ctx.host} failed ({exc.reason or exc})",
                    "Check that the address's port serves https (TLS 1.2 or newer); if it "
                    "does, ask IT whether something on the network interferes.")
    except TimeoutError:
        return fail(f"no TLS answer from {ctx.host} in {ctx.timeout:g} s",
                    "The port accepts connections but does not speak TLS: check the address's "
                    "port and scheme.")
    except OSError as exc:
        return fail(f"the connection broke during the TLS handshake ({type(exc).__name__})",
                    f"A firewall or proxy may be interfering: ask IT; {INTERCEPTED}.")
    certificate = x509.load_der_x509_certificate(der)
    until = certificate.not_valid_after_utc
    days = (until - datetime.now(UTC)).total_seconds() / 86400
    pin = spki_sha256(der)
    data = {"protocol": version, "trust": trust, "not_after": until.isoformat(),
            "days_left": int(days), "pin_sha256": pin, "pinned": bool(server.pin_sha256)}
    if server.pin_sha256 and pin != server.pin_sha256:
        return fail(f"the server's key is not the pinned one (server {pin}, pinned "
                    f"{server.pin_sha256})",
                    f"If the registry changed its key, get the new pin from its operators and "
                    f"set server.pin_sha256; {INTERCEPTED}.", **data)
    if days < EXPIRY_WARN_DAYS:
        return warn(f"the certificate expires in {days:.0f} day(s), on {until:%Y-%m-%d}",
                    f"Tell the registry's operators: the certificate must be renewed before "
                    f"{until:%Y-%m-%d}.", **data)
    pinned = "the pin matches" if server.pin_sha256 else "no pin configured"
    return ok(f"{version}, trusted by {trust}, valid for {ctx.host} until {until:%Y-%m-%d} "
              f"({days:.0f} days), {pinned}", **data)


# --- GET /meta and the clock ---------------------------------------------------------------------


async def _get_meta(ctx: Context, base: str) -> tuple[ServerMeta, float]:
    import httpx

    from api_client.client import ApiClient, Timeouts
    from api_client.retry import NO_RETRY
    from api_client.tls import ssl_context

    assert ctx.settings is not None
    server = ctx.settings.server
    verify: Any = ssl_context(server.ca_bundle) if base.startswith("https:") else False
    # An explicit transport: httpx then ignores the proxy variables (reported, not used).
    transport = httpx.AsyncHTTPTransport(verify=verify, trust_env=False)
    t = ctx.timeout
    async with ApiClient(base, transport=transport, pin_sha256=server.pin_sha256,
                         timeouts=Timeouts(connect=t, read=t + 2, write=t, pool=t),
                         retry=NO_RETRY, trace=supportlog.log_trace) as client:
        begun = time.time()
        meta = await client.meta()
        return meta, (begun + time.time()) / 2


def meta_check(ctx: Context) -> Check:
    from api_client import errors as e
    from api_client.addresses import candidate_bases, is_not_there

    bases = candidate_bases(ctx.url)
    missing: list[str] = []
    for base in bases:
        # The trace shows the contract's path (/api/v2/meta); this line, the one asked.
        logging.getLogger(f"{supportlog.LOGGER}.doctor").info(
            "asking GET %s/meta", supportlog.safe_url(base))
        try:
            # In a thread of its own: doctor may be called from a running event loop, and
            # the whole exchange gets one more bound.
            meta, local = bounded(partial(asyncio.run, _get_meta(ctx, base)),
                                  ctx.timeout * 3 + 2)
        except TookTooLong:
            return fail(f"no answer to GET /meta in {ctx.timeout * 3 + 2:g} s",
                        "The server accepted the connection but did not answer: try later, "
                        "or tell its operators.")
        except e.ApiError as problem:
            if is_not_there(problem.code):
                missing.append(problem.code)
                continue
            return _meta_failure(ctx, problem)
        ctx.base_used, ctx.server_time, ctx.local_time = base, meta.server_time, local
        ctx.environment = meta.environment
        supportlog.server_facts(meta.environment, meta.version)
        data = {"base_used": supportlog.safe_url(base), "version": meta.version,
                "environment": meta.environment, "server_time": meta.server_time}
        said = f"version {meta.version}, environment {meta.environment}"
        if base != ctx.url:
            return warn(f"{said}, found at {supportlog.safe_url(base)}, not at the address "
                        f"configured", f"Set server.url (or --server) to "
                        f"{supportlog.safe_url(base)}.", **data)
        return ok(f"{said} (at {supportlog.safe_url(base)})", **data)
    return fail(f"no registry API at {supportlog.safe_url(ctx.url)} ({', '.join(missing)})",
                "Check the address: the registry's API ends in /api/v2, e.g. "
                "https://registry.example/api/v2.", codes=missing)


def _meta_failure(ctx: Context, problem: Any) -> Check:
    from api_client import errors as e

    code = problem.code or type(problem).__name__
    data = {"code": code}
    if isinstance(problem, e.InsecureConnection):
        return fail("plain http to a server that is not a training server: refused",
                    "Use the registry's https:// address.", **data)
    if isinstance(problem, e.TimedOut):
        return fail(f"no complete answer to GET /meta ({code})",
                    "The server accepted the connection but did not answer in time: try later, "
                    "or tell its operators.", **data)
    if isinstance(problem, e.ServerError):
        return fail(f"the server answered GET /meta with an error ({code})",
                    "The registry has a problem: try again later, or tell its operators.",
                    **data)
    if isinstance(problem, e.TlsFailure):
        return fail(f"the secure connection was refused at GET /meta ({code})",
                    f"See the TLS line; {INTERCEPTED}.", **data)
    if isinstance(problem, e.ServerUnreachable):
        return fail(f"the server could not be reached for GET /meta ({code})",
                    "Check the network, then run doctor again.", **data)
    return fail(f"an unexpected answer to GET /meta ({code})",
                "Check that the address is the registry's API; if it is, tell its operators.",
                **data)


def clock_check(ctx: Context) -> Check:
    try:
        server = datetime.fromisoformat(ctx.server_time)
    except ValueError:
        return fail(f"the server's time {ctx.server_time!r} cannot be read",
                    "Tell the registry's operators: /meta's server_time is not ISO 8601.")
    if server.tzinfo is None:
        return fail("the server's time has no UTC offset",
                    "Tell the registry's operators: /meta's server_time needs its offset.")
    skew = server.timestamp() - ctx.local_time  # > 0: this computer is behind
    offset = f"{server:%z}"
    zone = (f"this computer's zone {supportlog.zone_text()}, the server's "
            f"UTC{offset[:3]}:{offset[3:]}")
    data = {"skew_seconds": round(skew, 1), "server_time": ctx.server_time,
            "local_time": datetime.fromtimestamp(ctx.local_time, UTC).isoformat(
                timespec="seconds")}
    side = "behind" if skew > 0 else "ahead of"
    detail = f"this computer is {abs(skew):.0f} s {side} the server ({zone})"
    fix = ("Turn on automatic time (NTP) on this computer; if its clock is already right, "
           "the server's is wrong: tell the registry's operators.")
    if abs(skew) > SKEW_FAIL_S:
        return fail(detail + ": login codes and OTPs will be refused", fix, **data)
    if abs(skew) > SKEW_WARN_S:
        return warn(detail + ": login codes may be refused", fix, **data)
    return ok(f"within {abs(skew):.0f} s of the server ({zone})", **data)
