"""The mock over a real loopback socket, as `vaxterm mock-server` serves it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api_client.mock import FixedClock, create_app
from tests.support.loopback import serve
from tests.support.registry import sha

pytestmark = pytest.mark.loopback


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, object]]:
    app = create_app(FixedClock())
    with serve(app) as url:
        yield url + "/api/v2", app.state.registry


def test_meta_over_loopback_says_training(served: tuple[str, object]) -> None:
    base, _ = served
    r = httpx.get(f"{base}/meta", timeout=5)
    assert r.status_code == 200 and r.json()["environment"] == "training"
    assert r.headers["content-type"] == "application/json"


def test_search_without_token_is_401(served: tuple[str, object]) -> None:
    base, _ = served
    r = httpx.post(f"{base}/vaccinator/beneficiaries/search", json={"mobile": "9000000001"},
                   timeout=5)
    assert (r.status_code, r.text) == (401, "Unauthenticated access!")


def test_malformed_body_is_400_with_error_code(served: tuple[str, object]) -> None:
    base, _ = served
    r = httpx.post(f"{base}/auth/vaccinator/login", content=b'{"username": ',
                   headers={"Content-Type": "application/json"}, timeout=5)
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")


def test_search_with_token_returns_nothing_personal(served: tuple[str, object]) -> None:
    base, registry = served
    with httpx.Client(base_url=base, timeout=5) as client:
        txn = client.post("/auth/vaccinator/login",
                          json={"username": "demo.south", "password": "Train@2026"}).json()
        code = registry.current_code("demo.south")  # type: ignore[attr-defined]
        login = client.post("/auth/vaccinator/confirmOTP",
                            json={"txnId": txn["txnId"], "otp": sha(code)}).json()
        r = client.post("/vaccinator/beneficiaries/search", json={"mobile": "9000000008"},
                        headers={"Authorization": f"Bearer {login['token']}"})
    assert r.status_code == 200
    assert set(r.json()) == {"txnId", "masked_mobile", "expires_in"}
    people = registry.state.people  # type: ignore[attr-defined]
    for ref in registry.state.by_mobile["9000000008"]:  # type: ignore[attr-defined]
        assert people[ref].name not in r.text and ref not in r.text
    assert "9000000008" not in r.text
