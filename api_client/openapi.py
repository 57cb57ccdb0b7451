"""Writes the OpenAPI 3.1 document of the contract from `contract.ENDPOINTS` and the models.

`python -m api_client.openapi > api_client/openapi.json` refreshes the committed copy; a test
fails when the two differ.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from api_client import models as m
from api_client.codes import CODES, UNAUTHENTICATED_TEXT
from api_client.contract import BASE_PATH, ENDPOINTS, Endpoint
from api_client.dates import DATE_PATTERN

COMMITTED = Path(__file__).with_name("openapi.json")
_REF = "#/components/schemas/{name}"

_REQUEST_ID = {"X-Request-Id": {
    "description": "Quote it to support.", "schema": {"type": "string"}}}
_OPAQUE_ID = {"type": "string", "minLength": 1, "maxLength": 64,
              "pattern": m.OPAQUE_ID_PATTERN}
_PATH_PARAMS = {
    "beneficiary_reference_id": {"type": "string", "pattern": m.REFERENCE_ID_PATTERN},
    "vaccination_id": _OPAQUE_ID,
    "session_id": _OPAQUE_ID,
}
_QUERY_PARAMS = {"date": {"type": "string", "pattern": DATE_PATTERN}}


def _json(ref: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "headers": {**_REQUEST_ID, **(headers or {})},
            "content": {"application/json": {"schema": {"$ref": _REF.format(name=ref)}}}}


def _error_description(codes: list[str]) -> str:
    return "; ".join(f"{c}: {CODES[c].message}" for c in codes)


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": endpoint.operation, "summary": endpoint.summary,
                          "tags": ["training" if endpoint.training else "vaccinator"]}
    params: list[dict[str, Any]] = []
    for name in _PATH_PARAMS:
        if "{" + name + "}" in endpoint.path:
            params.append({"name": name, "in": "path", "required": True,
                           "schema": _PATH_PARAMS[name]})
    params += [{"name": q, "in": "query", "required": False, "schema": _QUERY_PARAMS[q]}
               for q in endpoint.query]
    if endpoint.consent:
        params.append({"name": "X-Consent-Token", "in": "header", "required": True,
                       "description": "From confirming the beneficiary's OTP.",
                       "schema": {"type": "string"}})
    if endpoint.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": True,
                       "description": "One per dose form; every retry reuses it.",
                       "schema": {"type": "string", "pattern": m.IDEMPOTENCY_KEY_PATTERN}})
    if params:
        op["parameters"] = params
    if endpoint.request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": _REF.format(name=endpoint.request.__name__)}}}}
    responses: dict[str, Any] = {
        str(endpoint.status): _json(endpoint.response.__name__, "Success")}
    by_status: dict[int, list[str]] = {}
    for code in endpoint.errors:
        by_status.setdefault(CODES[code].status, []).append(code)
    for status, codes in sorted(by_status.items()):
        headers = ({"Retry-After": {"description": "Seconds to wait.",
                                    "schema": {"type": "string"}}} if status == 429 else None)
        responses[str(status)] = _json("ErrorBody", _error_description(codes), headers)
    if endpoint.auth:
        responses["401"] = {
            "description": f"Login token missing, expired or revoked: the bare text "
                           f"{UNAUTHENTICATED_TEXT!r}, as Co-WIN answers.",
            "headers": _REQUEST_ID,
            "content": {"text/plain": {"schema": {"type": "string"}}}}
    responses["default"] = _json(
        "ErrorBody", "Any other failure: " + _error_description(
            ["GERR001", "GERR002", "NOTFND0001", "METHOD0001"]))
    op["responses"] = responses
    if endpoint.auth:
        op["security"] = [{"bearer": []}]
    return op


def build() -> dict[str, Any]:
    models: set[type] = {m.ErrorBody}
    for endpoint in ENDPOINTS:
        models.add(endpoint.response)
        if endpoint.request is not None:
            models.add(endpoint.request)
    _, components = msgspec.json.schema_components(
        sorted(models, key=lambda t: t.__name__), ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(BASE_PATH + endpoint.path, {})[endpoint.method.lower()] = (
            _operation(endpoint))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "vaxterm authorized-user API",
            "version": "2.0.0",
            "description": (
                "The vaccinator API that vaxterm speaks, modelled on Co-WIN v2. OTPs travel "
                "as the lowercase hex SHA-256 of the digits with their txnId; dates are "
                "DD-MM-YYYY. Nothing personal is returned before the beneficiary's OTP. "
                "Paths tagged 'training' exist only when /meta says environment 'training'."),
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dumps(build()))
