"""Bad input to the server never gives a 500 and never changes stored data."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_client.contract import BASE_PATH, ENDPOINTS
from api_client.mock import FixedClock, create_app
from api_client.mock.registry import Token

_clock = FixedClock()
_app = create_app(_clock)
_registry = _app.state.registry
_TOKEN = "t" * 43
_AUTH = {"Authorization": f"Bearer {_TOKEN}", "X-Consent-Token": "c" * 43,
         "Idempotency-Key": "fuzz-key-0001"}

# Training tools change state by design (reset, faults); everything else must refuse garbage.
TARGETS = [e for e in ENDPOINTS if e.request is not None and not e.training]
PATH_VALUES = {"beneficiary_reference_id": "99990000000002", "vaccination_id": "v-1",
               "session_id": "s-1"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)


def _path(template: str) -> str:
    path = template
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return BASE_PATH + path


def _send(method: str, path: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=_app)  # raises any server exception in the test
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.request(method, path, content=content, headers=headers)

    return asyncio.run(go())


def _logged_in() -> None:
    _registry.state.tokens[_TOKEN] = Token("demo.north1", _clock.now().replace(year=2100),
                                           _clock.now())
    _registry.state.searches.clear()
    _registry.state.search_targets.clear()


@pytest.mark.parametrize("endpoint", TARGETS, ids=lambda e: e.operation)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=json_values, raw=st.binary(max_size=64), use_raw=st.booleans())
def test_garbage_is_refused_and_stores_nothing(endpoint: Any, body: Any, raw: bytes,
                                               use_raw: bool) -> None:
    _logged_in()
    before = _registry.fingerprint()
    content = raw if use_raw else json.dumps(body).encode()
    r = _send(endpoint.method, _path(endpoint.path), content,
              {**_AUTH, "Content-Type": "application/json"})
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert r.json()["errorCode"]
        assert _registry.fingerprint() == before


def test_oversized_body_is_refused() -> None:
    _logged_in()
    r = _send("POST", f"{BASE_PATH}/auth/vaccinator/login", b"{" + b" " * 70_000 + b"}", {})
    assert (r.status_code, r.json()["errorCode"]) == (413, "REQVAL0002")
