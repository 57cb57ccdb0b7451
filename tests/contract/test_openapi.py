"""The committed OpenAPI document is what the mock serves, and the mock keeps to it."""

from __future__ import annotations

import json
import secrets

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api_client.codes import CODES
from api_client.contract import ENDPOINTS
from api_client.mock import FixedClock, create_app
from api_client.mock.registry import Token
from api_client.openapi import COMMITTED, build
from tests.support.registry import BASE, MockWorld

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.mark.anyio
async def test_served_document_equals_the_committed_one(world: MockWorld) -> None:
    served = (await world.client.get(f"{BASE}/openapi.json")).json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "run: python -m api_client.openapi > api_client/openapi.json"


def test_every_endpoint_and_error_code_is_documented() -> None:
    document = build()
    operations = {op["operationId"]: op for path in document["paths"].values()
                  for op in path.values()}
    assert set(operations) == {e.operation for e in ENDPOINTS}
    text = json.dumps(document)
    for code in CODES:
        assert code in text, f"{code} is not described in the document"
    vaccinate = operations["vaccinate"]
    headers = {p["name"] for p in vaccinate["parameters"] if p["in"] == "header"}
    assert headers == {"Idempotency-Key", "X-Consent-Token"}
    assert vaccinate["security"] == [{"bearer": []}]


# --- schemathesis: generated requests, with and without a valid login ---------------------

_clock = FixedClock()
_app = create_app(_clock)
_registry = _app.state.registry
_TOKEN = secrets.token_urlsafe(32)
schema = schemathesis.openapi.from_asgi(f"{BASE}/openapi.json", _app).exclude(
    # Fault injection would make later cases slow or down on purpose; it has its own tests.
    operation_id="setFaults")


def _keep_logged_in() -> None:
    """Reset between cases may drop the token; put it back, valid for the test's clock."""
    _registry.state.tokens[_TOKEN] = Token("demo.north1", _clock.now().replace(year=2100),
                                           _clock.now())
    _registry.state.searches.clear()
    _registry.state.search_targets.clear()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_mock_keeps_its_contract_without_login(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_mock_keeps_its_contract_when_logged_in(case: schemathesis.Case) -> None:
    _keep_logged_in()
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {_TOKEN}"})
