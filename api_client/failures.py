"""What a failed exchange means: httpx's exceptions to typed errors, as one table.

The order of the table is the order of the checks (the first row that matches wins), and
each row says whether the request can have left this computer. Only a failure to connect
proves that nothing was sent (`ServerUnreachable`, `TlsFailure`); after that point the
registry may have the request, so the error is an `OutcomeUnknown`.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from api_client import errors as e
from api_client.tls import PinMismatch


def _is_tls_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class Rung:
    kind: type[BaseException]
    error: type[e.ApiError]
    code: str
    when: Callable[[BaseException], bool] | None = None


LADDER: tuple[Rung, ...] = (
    # Before the request: the connection was never made, so nothing was sent.
    Rung(PinMismatch, e.TlsFailure, "PIN"),  # checked after the handshake, before any byte
    Rung(httpx.ConnectError, e.TlsFailure, "TLS", when=_is_tls_error),
    Rung(httpx.ConnectError, e.ServerUnreachable, "CONNECT"),
    Rung(httpx.ConnectTimeout, e.ServerUnreachable, "TIMEOUT-CONNECT"),
    Rung(httpx.PoolTimeout, e.ServerUnreachable, "TIMEOUT-POOL"),
    # After the request (or part of it) went out: the outcome is unknown.
    Rung(httpx.WriteTimeout, e.TimedOut, "TIMEOUT-WRITE"),
    Rung(httpx.ReadTimeout, e.TimedOut, "TIMEOUT-READ"),
    Rung(httpx.TimeoutException, e.TimedOut, "TIMEOUT"),
    Rung(httpx.DecodingError, e.ProtocolError, "DECODING"),
    Rung(httpx.RemoteProtocolError, e.ConnectionDropped, "DROPPED"),
    Rung(httpx.NetworkError, e.ConnectionDropped, "DROPPED"),
    # Anything else httpx raises cannot say how far the request got.
    Rung(httpx.HTTPError, e.ConnectionDropped, "HTTP"),
)


def failure_for(exc: BaseException, *, answered: bool = False, request_id: str = ""
                ) -> e.ApiError | None:
    """The typed error for `exc`, or None when it is not a transport failure. Once the
    answer's status line has come (`answered`), a broken body is an answer cut short."""
    if answered and isinstance(exc, httpx.HTTPError) and not isinstance(
            exc, httpx.TimeoutException):
        return e.ProtocolError(code="TRUNCATED", request_id=request_id)
    for rung in LADDER:
        if isinstance(exc, rung.kind) and (rung.when is None or rung.when(exc)):
            return rung.error(code=rung.code, request_id=request_id)
    return None
