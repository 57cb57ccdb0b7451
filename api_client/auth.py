"""The login token as an `httpx.Auth`: attached to every authenticated request, renewed
while the vaccinator is active and little of it is left, dropped when the registry answers
401 to it (httpx docs, "Custom authentication schemes").

Only a 401 to a request that carried the token says the token is dead. Login step 1 carries
none, so its 401 (a wrong password, say at the lock screen) leaves a live login alone.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

import anyio
import httpx

from api_client import errors as e
from api_client.sensitive import Secret

RENEW_WHEN_LEFT = 120.0  # seconds of token life under which an active user is renewed
# A token goes into a header: visible ASCII only. httpx raises on anything else, and its
# exception would carry the whole token in its text.
HEADER_SAFE = re.compile(r"[!-~]{16,4096}\Z")


def check_header_value(value: str) -> None:
    """Refuse a token or consent token that cannot travel in a header, without showing it."""
    if not HEADER_SAFE.match(value):
        raise e.ProtocolError(code="TOKEN-SHAPE")

# Asks the registry for a new token in exchange for `token`: (new token, seconds it lives).
Renew = Callable[[Secret], Awaitable[tuple[str, float]]]


def _attach(request: httpx.Request, token: Secret) -> httpx.Request:
    request.headers["Authorization"] = f"Bearer {token.reveal()}"
    return request


class BearerAuth(httpx.Auth):
    """Holds the token in memory only, wrapped in `Secret`."""

    def __init__(self, renew: Renew, clock: Callable[[], float]) -> None:
        self._renew = renew
        self._clock = clock
        self._token: Secret | None = None
        self._expires_at = 0.0
        self._renewing = anyio.Lock()  # concurrent calls near expiry renew once

    @property
    def token(self) -> Secret | None:
        return self._token

    @property
    def live(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at

    @property
    def seconds_left(self) -> float:
        return max(self._expires_at - self._clock(), 0.0) if self._token else 0.0

    def keep(self, token: str, expires_in: float) -> None:
        check_header_value(token)
        self._token = Secret(token)
        self._expires_at = self._clock() + expires_in

    def forget(self) -> None:
        self._token = None
        self._expires_at = 0.0

    def require(self) -> Secret:
        """The token, if it still lives; a dead one is forgotten, never sent."""
        if self._token is None or self._clock() >= self._expires_at:
            self.forget()
            raise e.LoginExpired(code="EXPIRED")
        return self._token

    async def renew(self) -> None:
        """Exchange the live token for a fresh one; raises what the registry answers."""
        token = self.require()
        async with self._renewing:
            if self._token is not token:
                return  # renewed (or signed out) while this call waited
            new, expires_in = await self._renew(token)
            if self._token is token:  # not signed out or replaced meanwhile
                self.keep(new, expires_in)

    def exact(self, token: Secret) -> httpx.Auth:
        """`token` as it is, for the calls that act on the token itself (renew, logout)."""
        return _ExactToken(self, token)

    def answered(self, response: httpx.Response, token: Secret) -> None:
        if response.status_code == 401 and self._token is token:
            self.forget()  # never send that token again

    async def async_auth_flow(self, request: httpx.Request
                              ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self.require()
        if self.seconds_left < RENEW_WHEN_LEFT:
            # At the 12-hour limit the current token still works until it expires.
            with contextlib.suppress(e.SessionLimitReached):
                await self.renew()
            token = self.require()
        response = yield _attach(request, token)
        self.answered(response, token)

    def sync_auth_flow(self, request: httpx.Request
                       ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("the login token is for httpx.AsyncClient only")


class _ExactToken(httpx.Auth):
    def __init__(self, owner: BearerAuth, token: Secret) -> None:
        self._owner = owner
        self._token = token

    async def async_auth_flow(self, request: httpx.Request
                              ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        response = yield _attach(request, self._token)
        self._owner.answered(response, self._token)

    def sync_auth_flow(self, request: httpx.Request
                       ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("the login token is for httpx.AsyncClient only")
