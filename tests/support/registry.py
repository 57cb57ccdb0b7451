"""Drive the mock registry through its HTTP contract, as a client would."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from api_client.mock import FixedClock, MockConfig, Registry, create_app

BASE = "/api/v2"


def sha(digits: str) -> str:
    return hashlib.sha256(digits.encode()).hexdigest()


@dataclass
class MockWorld:
    """An in-process mock with its clock and an httpx client talking to it."""

    client: httpx.AsyncClient
    registry: Registry
    clock: FixedClock

    async def login(self, username: str = "demo.north1", password: str = "Train@2026"
                    ) -> dict[str, str]:
        r = await self.client.post(f"{BASE}/auth/vaccinator/login",
                                   json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        code = self.registry.current_code(username)
        r = await self.client.post(f"{BASE}/auth/vaccinator/confirmOTP",
                                   json={"txnId": r.json()["txnId"], "otp": sha(code)})
        assert r.status_code == 200, r.text
        # The next login in the same 30 s step needs a fresh code: move the clock on.
        self.clock.advance(seconds=30)
        return {"Authorization": f"Bearer {r.json()['token']}"}

    async def search(self, auth: dict[str, str], **target: str) -> httpx.Response:
        return await self.client.post(f"{BASE}/vaccinator/beneficiaries/search", json=target,
                                      headers=auth)

    async def inbox_otp(self, auth: dict[str, str], txn_id: str) -> str:
        r = await self.client.get(f"{BASE}/training/sms-inbox", headers=auth)
        return next(msg["otp"] for msg in r.json()["messages"] if msg["txnId"] == txn_id)

    async def consent(self, auth: dict[str, str], **target: str) -> dict[str, object]:
        r = await self.search(auth, **target)
        assert r.status_code == 200, r.text
        txn = r.json()["txnId"]
        otp = await self.inbox_otp(auth, txn)
        r = await self.client.post(f"{BASE}/vaccinator/beneficiaries/confirmOTP",
                                   json={"txnId": txn, "otp": sha(otp)}, headers=auth)
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        return body

    async def session_id(self, auth: dict[str, str], vaccine: str) -> str:
        r = await self.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
        return next(s["session_id"] for s in r.json()["sessions"] if s["vaccine"] == vaccine)


@asynccontextmanager
async def mock_world(config: MockConfig | None = None) -> AsyncIterator[MockWorld]:
    clock = FixedClock()
    app = create_app(clock, config)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        yield MockWorld(client, app.state.registry, clock)
