"""Mock registry throughput over loopback: 40 concurrent clients searching, then recording.

    python benchmarks/mock_throughput.py [--clients 40] [--seconds 5]

Starts the mock with uvicorn in a child process on 127.0.0.1 (so client and server do not
share a GIL), logs in one trainee account per client, then measures:
  1. search: every client searches demo mobiles in a loop for --seconds;
  2. record-dose: every client records dose 1 for the never-vaccinated adults on its share of
     the population (consent obtained beforehand, so only `vaccinate` calls are timed).
Traffic goes to 127.0.0.1 only; both phases are bounded in time and count.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date

import httpx

from api_client.mock.clock import SystemClock
from api_client.mock.population import build_population

SERVER = """
import uvicorn
from datetime import timedelta
from api_client.mock import create_app, MockConfig
config = MockConfig(seed={seed}, trainees={trainees}, search_limit=10**9, bulk_alert_distinct=10**9)
uvicorn.run(create_app(config=config), host="127.0.0.1", port={port}, log_level="error",
            access_log=False)
"""
MAX_REQUESTS_PER_CLIENT = 5_000
SEED = 20210116  # asked of the server, so this script knows its people


def sha(digits: str) -> str:
    return hashlib.sha256(digits.encode()).hexdigest()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 20
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                await client.get(f"{base}/meta")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit("the mock did not start")


async def login(client: httpx.AsyncClient, username: str, codes: dict[str, str]) -> None:
    txn = (await client.post("/auth/vaccinator/login",
                             json={"username": username, "password": "Train@2026"})).json()
    r = await client.post("/auth/vaccinator/confirmOTP",
                          json={"txnId": txn["txnId"], "otp": sha(codes[username])})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"


async def consent_for(client: httpx.AsyncClient, mobile: str) -> tuple[str, list[str]]:
    txn = (await client.post("/vaccinator/beneficiaries/search",
                             json={"mobile": mobile})).json()["txnId"]
    inbox = (await client.get("/training/sms-inbox")).json()["messages"]
    otp = next(msg["otp"] for msg in inbox if msg["txnId"] == txn)
    r = await client.post("/vaccinator/beneficiaries/confirmOTP",
                          json={"txnId": txn, "otp": sha(otp)})
    body = r.json()
    year = date.today().year
    refs = [b["beneficiary_reference_id"] for b in body["beneficiaries"]
            if b["vaccination_status"] == "Not Vaccinated" and int(b["birth_year"]) <= year - 18]
    return body["consent_token"], refs


async def search_loop(client: httpx.AsyncClient, until: float, latencies: list[float]) -> int:
    errors = 0
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= until:
            break
        started = time.perf_counter()
        r = await client.post("/vaccinator/beneficiaries/search",
                              json={"mobile": f"90000000{n % 11 + 1:02d}"})
        latencies.append(time.perf_counter() - started)
        errors += r.status_code != 200
    return errors


async def record_all(client: httpx.AsyncClient, session_id: str,
                     work: list[tuple[str, str]], latencies: list[float]) -> int:
    errors = 0
    for consent, ref in work[:MAX_REQUESTS_PER_CLIENT]:
        started = time.perf_counter()
        r = await client.post(
            f"/vaccinator/beneficiaries/{ref}/vaccinate",
            headers={"X-Consent-Token": consent, "Idempotency-Key": str(uuid.uuid4())},
            json={"session_id": session_id, "vaccine": "COVISHIELD",
                  "vaccine_batch": "SYN-CS-0425", "dose": 1, "id_verified": True})
        latencies.append(time.perf_counter() - started)
        errors += r.status_code != 201
    return errors


def report(name: str, latencies: list[float], elapsed: float, errors: int) -> None:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<12} {len(ms):>6} requests  {len(ms) / elapsed:>8.0f} req/s  "
          f"p50 {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms  errors {errors}")


async def run(base: str, clients: int, seconds: float) -> None:
    await wait_until_up(base)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pool = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30)
            for _ in range(clients)]
    accounts = (await pool[0].get("/training/accounts")).json()["accounts"]
    codes = {a["username"]: a["current_code"] for a in accounts}
    names = [f"trainee{2 * i + 1:02d}" for i in range(clients)]
    await asyncio.gather(*(login(c, n, codes) for c, n in zip(pool, names, strict=True)))
    session_id = next(s["session_id"] for s in
                      (await pool[0].get("/vaccinator/sessions")).json()["sessions"]
                      if s["vaccine"] == "COVISHIELD")

    # Consent for every mobile, shared out between the clients (not timed).
    people = build_population(SEED, SystemClock().now().date())  # the server's seed
    mobiles = sorted({p.mobile for p in people.values()})
    work: list[list[tuple[str, str]]] = [[] for _ in range(clients)]

    async def gather_consents(i: int) -> None:
        for mobile in mobiles[i::clients]:
            consent, refs = await consent_for(pool[i], mobile)
            work[i] += [(consent, ref) for ref in refs]

    await asyncio.gather(*(gather_consents(i) for i in range(clients)))

    record_latency: list[float] = []
    started = time.monotonic()
    errors = await asyncio.gather(*(record_all(pool[i], session_id, work[i], record_latency)
                                    for i in range(clients)))
    record_elapsed = time.monotonic() - started

    search_latency: list[float] = []
    started = time.monotonic()
    until = started + seconds
    search_errors = await asyncio.gather(*(search_loop(c, until, search_latency)
                                           for c in pool))
    search_elapsed = time.monotonic() - started

    print(f"mock registry over loopback, {clients} concurrent clients, "
          f"one keep-alive connection each")
    report("search", search_latency, search_elapsed, sum(search_errors))
    report("record-dose", record_latency, record_elapsed, sum(errors))
    for c in pool:
        await c.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    port = free_port()
    # Odd trainees work at the COVISHIELD centre; the clients take every other one.
    code = SERVER.format(seed=SEED, trainees=args.clients * 2, port=port)
    server = subprocess.Popen([sys.executable, "-c", code])
    try:
        asyncio.run(run(f"http://127.0.0.1:{port}/api/v2", args.clients,
                        min(args.seconds, 60.0)))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
