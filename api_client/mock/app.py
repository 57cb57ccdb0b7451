"""The mock registry as an ASGI app (Starlette), routed from the contract table.

All state is built in `create_app`, not in lifespan handlers: `httpx.ASGITransport` sends no
lifespan events. Injected latency is awaited, never slept, because in `--mock` the server
shares the UI's event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api_client import models as m
from api_client.codes import CODES, UNAUTHENTICATED_TEXT
from api_client.contract import BASE_PATH, BY_OPERATION, ENDPOINTS, Endpoint
from api_client.dates import DATE_PATTERN, parse_ddmmyyyy
from api_client.mock.clock import Clock, SystemClock
from api_client.mock.registry import HANDLES, MockConfig, Refusal, Registry, Unauthenticated
from api_client.openapi import build as build_openapi

MAX_BODY = 64 * 1024
BODY_TIMEOUT = 10.0  # seconds for a whole request body to arrive (slow clients)
_PATH_PATTERNS = {"beneficiary_reference_id": re.compile(m.REFERENCE_ID_PATTERN)}
_OPAQUE_ID = re.compile(m.OPAQUE_ID_PATTERN)

# How a handler's arguments are read from a request, by the parameter's name. A parameter
# named after a path parameter (`{session_id}`) gets it, checked; `account` makes the
# endpoint authenticate; `body` is the decoded request model.
Reader = Callable[[Request], Any]


_DATE = re.compile(DATE_PATTERN)


def _day(request: Request) -> date | None:
    raw = request.query_params.get("date")
    if raw is None:
        return None
    if not _DATE.match(raw):
        raise Refusal("REQVAL0001", "The date must be DD-MM-YYYY.")
    # Well formed but no such day (00-00-0000, 31-02-2026): no sessions on it.
    return parse_ddmmyyyy(raw) or date.min


_HEADERS = {"authorization": "authorization", "consent_token": "x-consent-token",
            "idempotency_key": "idempotency-key", "room_key": "x-room-key",
            # A login token on a call that needs none: only to name who acted, in the log.
            "caller": "authorization"}
_QUERIES: dict[str, Reader] = {"day": _day}


def _path_reader(name: str) -> Reader:
    pattern = _PATH_PATTERNS.get(name, _OPAQUE_ID)

    def read(request: Request) -> str:
        value = str(request.path_params[name])
        if not pattern.match(value):
            raise Refusal("REQVAL0001", f"The path parameter {name} is not valid.")
        return value

    return read


def _header_reader(header: str) -> Reader:
    return lambda request: request.headers.get(header)


def _readers(endpoint: Endpoint, handler: Callable[..., Any]) -> dict[str, Reader]:
    """The reader of each of the handler's arguments but `account` and `body` (the HTTP
    layer reads those first); a handler that does not fit its contract row fails here, when
    the app is built, not on a request."""
    names = list(inspect.signature(handler).parameters)
    where = f"{handler.__qualname__} for {endpoint.operation!r}"
    if ("body" in names) != (endpoint.request is not None):
        raise TypeError(f"{where}: takes a body exactly when the contract has a request model")
    if endpoint.auth != ("account" in names or "authorization" in names):
        raise TypeError(f"{where}: takes `account` (or `authorization`) exactly when the "
                        f"contract says auth")
    readers: dict[str, Reader] = {}
    for name in names:
        if name in ("account", "body"):
            continue
        if "{" + name + "}" in endpoint.path:
            readers[name] = _path_reader(name)
        elif name in _HEADERS:
            readers[name] = _header_reader(_HEADERS[name])
        elif name in _QUERIES:
            readers[name] = _QUERIES[name]
        else:
            raise TypeError(f"{where}: no request part is called {name!r}")
    return readers


def handlers(registry: Registry) -> dict[str, Callable[..., Any]]:
    """The registry's methods marked `@handles`, by operation; every endpoint has one."""
    found: dict[str, Callable[..., Any]] = {}
    for name, member in inspect.getmembers(type(registry), inspect.isfunction):
        operation = getattr(member, HANDLES, None)
        if operation is not None:
            if operation not in BY_OPERATION or operation in found:
                raise TypeError(f"Registry.{name}: {operation!r} is not in the contract, or "
                                f"is handled twice")
            found[operation] = getattr(registry, name)
    missing = set(BY_OPERATION) - set(found)
    if missing:
        raise TypeError(f"no Registry method handles {sorted(missing)}")
    return found


def error_response(registry: Registry, code: str, message: str = "", *,
                   headers: dict[str, str] | None = None, **details: Any) -> Response:
    body = m.ErrorBody(errorCode=code, error=message or CODES[code].message, **details)
    return Response(m.encode(body), status_code=CODES[code].status, media_type="application/json",
                    headers={"X-Request-Id": registry.request_id(), **(headers or {})})


def _unauthenticated(registry: Registry) -> Response:
    return PlainTextResponse(UNAUTHENTICATED_TEXT, status_code=401,
                             headers={"X-Request-Id": registry.request_id()})


class Faults:
    """Training fault injection, applied before any handler runs."""

    def __init__(self, registry: Registry, seed: int) -> None:
        self.registry = registry
        self.rng = random.Random(seed)

    async def apply(self) -> Response | None:
        faults = self.registry.state.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.down:
            return error_response(self.registry, "GERR002", headers={"Retry-After": "30"})
        if faults.error_rate and self.rng.random() < faults.error_rate:
            return error_response(self.registry, "GERR001")
        return None


def _endpoint_handler(registry: Registry, endpoint: Endpoint, handler: Callable[..., Any],
                      faults: Faults) -> Callable[[Request], Awaitable[Response]]:
    wants_account = "account" in inspect.signature(handler).parameters
    readers = _readers(endpoint, handler)

    async def handle(request: Request) -> Response:
        if endpoint.training and not registry.training:
            return error_response(registry, "TRAIN0001")
        if not endpoint.training:
            injected = await faults.apply()
            if injected is not None:
                return injected
        audited = len(registry.state.audit)
        arguments: dict[str, Any] = {}
        try:
            if wants_account:
                arguments["account"] = registry.authenticate(
                    request.headers.get("authorization"))
            if endpoint.request is not None:
                arguments["body"] = await _decoded_body(request, endpoint.request,
                                                        registry.config.body_timeout_s)
            for name, read in readers.items():
                arguments[name] = read(request)
            result = handler(**arguments)
        except Unauthenticated:
            registry.refused("", endpoint.operation, "no valid login token")
            return _unauthenticated(registry)
        except Refusal as refusal:
            # Every refusal is audited: here, when the handler has not done so with more
            # to say (which reference, which consent).
            if len(registry.state.audit) == audited:
                account = arguments.get("account")
                registry.refused(account.username if account else "", endpoint.operation,
                                 refusal.code)
            return error_response(registry, refusal.code, refusal.message, headers=refusal.headers,
                                  **refusal.details)
        return Response(m.encode(result), status_code=endpoint.status,
                        media_type="application/json",
                        headers={"X-Request-Id": registry.request_id()})

    return handle


async def read_body(request: Request, limit: int = MAX_BODY,
                    within_s: float = BODY_TIMEOUT) -> bytes:
    """The body, read chunk by chunk: refused (413) as soon as it passes `limit` or when
    Content-Length says it will, and (408) when it has not all arrived within `within_s`
    seconds, so neither a large nor a slow body holds the server."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise Refusal("REQVAL0002")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(within_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise Refusal("REQVAL0002")
                chunks.append(chunk)
    except TimeoutError:
        raise Refusal("REQVAL0003") from None
    return b"".join(chunks)


def _whole_numbers(value: Any) -> Any:
    """`value` with every float that is a whole number made an int: in JSON, 1.0 is the
    number 1, which the document's `integer` allows."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


async def _decoded_body(request: Request, model: type, within_s: float) -> Any:
    raw = await read_body(request, MAX_BODY, within_s)
    try:
        try:
            return msgspec.json.decode(raw, type=model)
        except msgspec.ValidationError:
            # Strict again after the whole-number floats are ints: "1" stays no number.
            return msgspec.convert(_whole_numbers(msgspec.json.decode(raw)), model)
    except msgspec.ValidationError as exc:
        raise Refusal("REQVAL0001", f"The request is not valid: {exc}") from None
    except msgspec.DecodeError:
        raise Refusal("REQVAL0001", "The request body is not valid JSON.") from None


def _fixed_siblings() -> str:
    """The fixed segments beside `{beneficiary_reference_id}` (search, confirmOTP)."""
    prefix = "/vaccinator/beneficiaries/"
    return "|".join(sorted({re.escape(e.path[len(prefix):].split("/")[0]) for e in ENDPOINTS
                            if e.path.startswith(prefix) and "{" not in e.path}))


class _NotFixed(Convertor[str]):
    regex = rf"(?!(?:{_fixed_siblings()})(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("not_fixed", _NotFixed())


def _dispatch(methods: dict[str, Callable[[Request], Awaitable[Response]]]
              ) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        # HEAD, which Starlette adds beside GET, is served by GET.
        method = "GET" if request.method == "HEAD" else request.method
        return await methods[method](request)

    return dispatch


def create_app(clock: Clock | None = None, config: MockConfig | None = None) -> Starlette:
    """Build the mock registry. `app.state.registry` exposes its state to tests and tools."""
    registry = Registry(clock or SystemClock(), config)
    faults = Faults(registry, registry.seed)
    document = m.encode(build_openapi())
    served = handlers(registry)
    # One route per path, dispatching on the method, so that a 405 lists in `Allow` every
    # method the path has (two routes for one path would each claim only their own).
    by_path: dict[str, dict[str, Callable[[Request], Awaitable[Response]]]] = {}
    for e in ENDPOINTS:
        # `GET .../beneficiaries/search` is a 405 on the search path, not a malformed
        # reference: a path parameter never matches a fixed sibling segment.
        path = e.path.replace("{beneficiary_reference_id}",
                              "{beneficiary_reference_id:not_fixed}")
        by_path.setdefault(BASE_PATH + path, {})[e.method] = _endpoint_handler(
            registry, e, served[e.operation], faults)
    routes = [Route(path, _dispatch(methods), methods=list(methods))
              for path, methods in by_path.items()]

    async def openapi(_: Request) -> Response:
        return Response(document, media_type="application/json")

    routes.append(Route(BASE_PATH + "/openapi.json", openapi, methods=["GET"]))

    async def http_error(_: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "NOTFND0001", 405: "METHOD0001"}.get(status, "GERR001")
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
        return error_response(registry, code, headers=headers)  # `Allow` on a 405

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error,
                                                       Exception: http_error})
    app.state.registry = registry
    return app
