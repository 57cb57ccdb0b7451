"""Network faults in process: an httpx transport in front of the real mock that loses the
answer after the registry acted on the request, or refuses before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx


@dataclass
class FaultyNetwork(httpx.AsyncBaseTransport):
    """Forwards to `inner`; for requests whose path ends with a suffix in `lose_answer`, the
    next `times` answers are lost after the server handled the request (the dose is stored,
    the vaccinator hears nothing); for a suffix in `refuse`, nothing reaches the server."""

    inner: httpx.AsyncBaseTransport
    lose_answer: tuple[str, ...] = ()
    refuse: tuple[str, ...] = ()
    times: int = 1
    reached_server: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.times > 0 and path.endswith(self.refuse):
            self.times -= 1
            raise httpx.ConnectError("connection refused", request=request)
        response = await self.inner.handle_async_request(request)
        self.reached_server.append(path)
        if self.times > 0 and path.endswith(self.lose_answer):
            self.times -= 1
            await response.aclose()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response
