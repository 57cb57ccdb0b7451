"""The mock registry as an ASGI app (Starlette), routed from the contract table.

All state is built in `create_app`, not in lifespan handlers: `httpx.ASGITransport` sends no
lifespan events. Injected latency is awaited, never slept, because in `--mock` the server
shares the UI's event loop.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api_client import models as m
from api_client.codes import CODES, UNAUTHENTICATED_TEXT
from api_client.contract import BASE_PATH, ENDPOINTS, Endpoint
from api_client.mock.accounts import Account
from api_client.mock.clock import Clock, SystemClock
from api_client.mock.registry import MockConfig, Refusal, Registry, Unauthenticated
from api_client.openapi import build as build_openapi

MAX_BODY = 64 * 1024
_REFERENCE = re.compile(r"^\d{13,14}$")
_OPAQUE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass
class Call:
    """What a handler needs from one request, already checked."""

    registry: Registry
    request: Request
    account: Account | None
    body: Any

    def param(self, name: str) -> str:
        value = str(self.request.path_params[name])
        pattern = _REFERENCE if name == "beneficiary_reference_id" else _OPAQUE_ID
        if not pattern.match(value):
            raise Refusal("REQVAL0001", f"The path parameter {name} is not valid.")
        return value

    @property
    def me(self) -> Account:
        assert self.account is not None
        return self.account


def _sessions(c: Call) -> Any:
    raw = c.request.query_params.get("date")
    day = None
    if raw is not None:
        try:
            day = datetime.strptime(raw, "%d-%m-%Y").date()
        except ValueError:
            raise Refusal("REQVAL0001", "The date must be DD-MM-YYYY.") from None
    return c.registry.sessions(c.me, day)


def _vaccinate(c: Call) -> Any:
    return c.registry.vaccinate(
        c.me, c.param("beneficiary_reference_id"), c.body,
        c.request.headers.get("x-consent-token"), c.request.headers.get("idempotency-key"))


def _set_faults(c: Call) -> Any:
    c.registry.state.faults = c.body
    return c.body


def _reset(c: Call) -> Any:
    c.registry.reset()
    return m.ResetResponse(status="reset")


HANDLERS: dict[str, Callable[[Call], Any]] = {
    "login": lambda c: c.registry.login(c.body),
    "confirmLogin": lambda c: c.registry.confirm_login(c.body),
    "renew": lambda c: c.registry.renew(c.request.headers.get("authorization")),
    "logout": lambda c: c.registry.logout(c.request.headers.get("authorization")),
    "sessions": _sessions,
    "search": lambda c: c.registry.search(c.me, c.body),
    "confirmBeneficiary": lambda c: c.registry.confirm_beneficiary(c.me, c.body),
    "beneficiary": lambda c: c.registry.get_beneficiary(
        c.me, c.param("beneficiary_reference_id"), c.request.headers.get("x-consent-token")),
    "vaccinate": _vaccinate,
    "enteredInError": lambda c: c.registry.entered_in_error(
        c.me, c.param("vaccination_id"), c.body),
    "aefi": lambda c: c.registry.report_aefi(c.me, c.param("vaccination_id"), c.body),
    "summary": lambda c: c.registry.summary(c.me, c.param("session_id")),
    "meta": lambda c: c.registry.meta(),
    "demoAccounts": lambda c: c.registry.demo_accounts(),
    "smsInbox": lambda c: c.registry.sms_inbox(c.me),
    "auditLog": lambda c: c.registry.audit_log(c.me),
    "getFaults": lambda c: c.registry.state.faults,
    "setFaults": _set_faults,
    "reset": _reset,
}


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


def _endpoint_handler(registry: Registry, endpoint: Endpoint, faults: Faults
                      ) -> Callable[[Request], Awaitable[Response]]:
    handler = HANDLERS[endpoint.operation]

    async def handle(request: Request) -> Response:
        if endpoint.training and not registry.training:
            return error_response(registry, "TRAIN0001")
        if not endpoint.training:
            injected = await faults.apply()
            if injected is not None:
                return injected
        try:
            account = None
            if endpoint.auth and endpoint.operation not in ("renew", "logout"):
                account = registry.authenticate(request.headers.get("authorization"))
            body: Any = None
            if endpoint.request is not None:
                raw = await request.body()
                if len(raw) > MAX_BODY:
                    raise Refusal("REQVAL0001", "The request body is too large.")
                try:
                    body = msgspec.json.decode(raw, type=endpoint.request)
                except msgspec.ValidationError as exc:
                    raise Refusal("REQVAL0001", f"The request is not valid: {exc}") from None
                except msgspec.DecodeError:
                    raise Refusal("REQVAL0001", "The request body is not valid JSON.") from None
            result = handler(Call(registry, request, account, body))
        except Unauthenticated:
            return _unauthenticated(registry)
        except Refusal as refusal:
            return error_response(registry, refusal.code, refusal.message, headers=refusal.headers,
                                  **refusal.details)
        return Response(m.encode(result), status_code=endpoint.status,
                        media_type="application/json",
                        headers={"X-Request-Id": registry.request_id()})

    return handle


def create_app(clock: Clock | None = None, config: MockConfig | None = None) -> Starlette:
    """Build the mock registry. `app.state.registry` exposes its state to tests and tools."""
    registry = Registry(clock or SystemClock(), config)
    faults = Faults(registry, registry.config.seed)
    document = m.encode(build_openapi())
    routes = [Route(BASE_PATH + e.path, _endpoint_handler(registry, e, faults),
                    methods=[e.method], name=e.operation) for e in ENDPOINTS]

    async def openapi(_: Request) -> Response:
        return Response(document, media_type="application/json")

    routes.append(Route(BASE_PATH + "/openapi.json", openapi, methods=["GET"]))

    async def http_error(_: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = {404: "NOTFND0001", 405: "METHOD0001"}.get(status, "GERR001")
        return error_response(registry, code)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error,
                                                       Exception: http_error})
    app.state.registry = registry
    return app
