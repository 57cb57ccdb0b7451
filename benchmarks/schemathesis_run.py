"""Schemathesis against the mock registry over loopback, logged out and logged in.

    python -m benchmarks.schemathesis_run [--examples 300] [--workers 1] [--real-limits]
        [--only OPERATION ...]

Serves the mock (`api_client.mock.serving`, the slow-client limits included) on 127.0.0.1,
logs in `demo.north1` for real (password, then its TOTP code) and runs the schemathesis CLI
twice on the served OpenAPI document, all phases and all checks, with --examples per
operation: without a token, then with `Authorization: Bearer <that token>`. Prints each
run's cases per operation and its failures; exits 1 when any run failed.

So that generated requests reach the handlers rather than the abuse limits, the searches,
OTP caps and probe limits are raised (not with --real-limits), and `setFaults` is left out
(downtime or latency would stall the run; it has its own tests). The token's life is
stretched to the 12-hour session limit and the token is put back before each request (a
generated logout, renew or reset would end it), so the logged-in run stays logged in.
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api_client.contract import BASE_PATH
from api_client.mock import MockConfig, create_app
from api_client.mock.clock import SystemClock
from api_client.mock.registry import SESSION_LIMIT
from api_client.mock.serving import server_config

HIGH = 10**6
CONFIG = Path(__file__).with_name("schemathesis.toml")


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    config = server_config(app, "127.0.0.1", 0, log_level="error", access_log=False,
                           lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def _login(url: str, app: Any) -> str:
    registry = app.state.registry
    with httpx.Client(base_url=url + BASE_PATH, trust_env=False) as client:
        r = client.post("/auth/vaccinator/login",
                        json={"username": "demo.north1", "password": "Train@2026"})
        r.raise_for_status()
        code = registry.current_code("demo.north1")
        r = client.post("/auth/vaccinator/confirmOTP", json={
            "txnId": r.json()["txnId"], "otp": hashlib.sha256(code.encode()).hexdigest()})
        r.raise_for_status()
        token: str = r.json()["token"]
    entry = registry.state.tokens[token]
    entry.expires = entry.login_at + SESSION_LIMIT  # the longest a login may last
    return token


def _consent(url: str, app: Any, token: str, mobile: str = "9000000012") -> str:
    """A beneficiary's consent for a walk-in mobile (nobody on it), for the whole run: so
    that generated registrations and encounters reach the registry's rules, not only its
    consent check."""
    registry = app.state.registry
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url + BASE_PATH, trust_env=False, headers=auth) as client:
        r = client.post("/vaccinator/beneficiaries/new/otp", json={"mobile": mobile})
        r.raise_for_status()
        txn = r.json()["txnId"]
        otp = next(s.otp for _, s in registry.state.sms if s.txnId == txn)
        r = client.post("/vaccinator/beneficiaries/confirmOTP", json={
            "txnId": txn, "otp": hashlib.sha256(otp.encode()).hexdigest()})
        r.raise_for_status()
        consent: str = r.json()["consent_token"]
    registry.state.consents[consent].expires += SESSION_LIMIT
    return consent


def _keeping_login(app: Any, token: str) -> Any:
    """The app, with `token` put back before each request: generated calls to logout,
    renew and reset end logins, and the logged-in run must stay logged in."""
    registry = app.state.registry
    entry = registry.state.tokens[token]
    consents: dict[str, Any] = {}  # the run's consent, once there is one

    async def keep(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            registry.state.tokens.setdefault(token, entry)
            for key, consent in consents.items():
                registry.state.consents.setdefault(key, consent)
        await app(scope, receive, send)

    keep.consents = consents  # type: ignore[attr-defined]

    return keep


def _run(url: str, examples: int, workers: int, headers: list[str], exclude: list[str],
         report: Path, only: list[str] | None = None) -> tuple[int, Counter[str], str]:
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
               f"{url}{BASE_PATH}/openapi.json", "--checks", "all", "--max-examples",
               str(examples), "--workers", str(workers), "--seed", "20261129",
               "--no-color", "--report", "ndjson", "--report-ndjson-path", str(report),
               "--suppress-health-check", "all", "--max-failures", "1000",
               "--generation-database", "none"]
    for header in headers:
        command += ["--header", header]
    for operation in exclude:
        command += ["--exclude-operation-id", operation]
    for operation in only or []:
        command += ["--include-operation-id", operation]
    # Run in the report's folder: schemathesis keeps a cache there, not in the work tree.
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          cwd=report.parent)
    cases: Counter[str] = Counter()
    for line in report.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if scenario and scenario.get("recorder"):
            label = scenario["recorder"].get("label", "?")
            cases[label] += len(scenario["recorder"].get("cases", {}))
    return done.returncode, cases, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--real-limits", action="store_true")
    parser.add_argument("--only", action="append", metavar="OPERATION",
                        help="run only this operationId (repeatable)")
    parser.add_argument("--consent", action="store_true",
                        help="a third run holding a beneficiary's consent (a walk-in mobile)")
    args = parser.parse_args()
    config = MockConfig() if args.real_limits else MockConfig(
        search_limit=HIGH, search_window=timedelta(minutes=5), otp_per_mobile_hour=HIGH,
        otp_per_vaccinator_hour=HIGH, probes_per_window=HIGH)
    app = create_app(SystemClock(), config)
    holder: dict[str, Any] = {"app": app}

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await holder["app"](scope, receive, send)

    server, thread, url = _serve(asgi)
    failed = False
    try:
        token = _login(url, app)
        holder["app"] = _keeping_login(app, token)
        runs = [("logged out", [], ["setFaults"]),
                ("logged in", [f"Authorization: Bearer {token}"], ["setFaults"])]
        secrets = [token]
        if args.consent:
            consent = _consent(url, app, token)
            holder["app"].consents[consent] = app.state.registry.state.consents[consent]
            secrets.append(consent)
            runs.append(("logged in with a consent", [f"Authorization: Bearer {token}",
                                                      f"X-Consent-Token: {consent}"],
                         ["setFaults", "reset"]))
        with tempfile.TemporaryDirectory() as tmp:
            for name, headers, exclude in runs:
                started = time.monotonic()
                code, cases, output = _run(url, args.examples, args.workers, headers, exclude,
                                           Path(tmp) / "events.ndjson", args.only)
                took = time.monotonic() - started
                failed |= code != 0
                print(f"== {name}: exit {code}, {sum(cases.values())} cases in {took:.0f} s")
                for label, count in sorted(cases.items()):
                    print(f"   {count:7d}  {label}")
                start = next((output.find(h) for h in ("FAILURES", "= WARNINGS", "= SUMMARY")
                              if h in output), 0)
                tail = output[start:]
                for secret in secrets:
                    tail = tail.replace(secret, "<token>")
                print(tail[-6000:])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
