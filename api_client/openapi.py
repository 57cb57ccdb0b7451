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


# The abuse rules a registry must keep (DESIGN.md §3), in the words a real registry can be
# held to; the mock keeps them and tests/contract/test_mock_abuse.py proves each one.
ABUSE_RULES = (
    "Abuse rules. (1) Wrong login codes: 5 wrong codes for one account, counted across "
    "login transactions, lock it for 15 minutes; a right password does not clear the count, "
    "only a completed login does. (2) Lockout: 5 wrong passwords lock the account for 15 "
    "minutes, never for good. An unknown username, a wrong password and a wrong password "
    "on a locked account get one answer, 401 USRAUT0001; only the right password on a "
    "locked account hears 403 USRAUT0002, which tells nothing to someone without it. Any "
    "text is a wrong password, never a server error. (3) OTP caps: at most 5 OTP SMS per "
    "mobile per hour, whoever asks (RATLMT0002; an unregistered target counts alike), and "
    "60 per vaccinator per hour (RATLMT0003), besides 30 searches per vaccinator per 5 "
    "minutes (RATLMT0001); each 429 carries Retry-After and retry_after. (4) A dose's "
    "Idempotency-Key is replayed only for the vaccinator who sent it, with a live consent "
    "for that person, and returns the first answer as it was; otherwise the retry is "
    "refused like a first request. (5) Vaccination ids are random (uuid4); another "
    "vaccinator's dose and an unknown id get one 404 VACCIN0001, and 10 such misses per 5 "
    "minutes are answered 429. (6) Request bodies over 64 KiB are refused with 413 "
    "REQVAL0002 while streaming, or at once from Content-Length; a body not in within 10 s "
    "gets 408 REQVAL0003; idle or slow connections are closed by the server. (7) Login and "
    "beneficiary transactions older than the OTP's 3 minutes are purged. (8) A 405 lists "
    "the path's methods in Allow. (9) Every refusal is audited: wrong passwords and codes, "
    "lockouts, OTP caps, consent refusals, replays and refused probes; searching 20 "
    "different people within 5 minutes or 40 within any hour raises an alert.")


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
    if endpoint.trainer:
        params.append({"name": "X-Room-Key", "in": "header", "required": False,
                       "description": "The trainer's room key, printed by `vaxterm "
                                      "mock-server`; a room server refuses the call without "
                                      "it (TRAIN0002). A login token, if sent, names the "
                                      "trainer in the room's log.",
                       "schema": {"type": "string"}})
    if params:
        op["parameters"] = params
    if endpoint.request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": _REF.format(name=endpoint.request.__name__)}}}}
    responses: dict[str, Any] = {
        str(endpoint.status): _json(endpoint.response.__name__, "Success")}
    by_status: dict[int, list[str]] = {}
    # Every body is read against a size and a time limit.
    body_codes = ("REQVAL0002", "REQVAL0003") if endpoint.request is not None else ()
    for code in (*endpoint.errors, *body_codes):
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
    # Exactly one of the two, as a string (msgspec cannot say so itself).
    components["SearchRequest"]["oneOf"] = [
        {"required": [name], "properties": {name: {"type": "string"}}}
        for name in ("mobile", "beneficiary_reference_id")]
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
                "Paths tagged 'training' exist only when /meta says environment 'training'."
                "\n\n" + ABUSE_RULES),
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
