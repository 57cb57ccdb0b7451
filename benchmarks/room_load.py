"""A training room under load: 40 terminals against `vaxterm mock-server` on loopback.

    python benchmarks/room_load.py [--terminals 40] [--seconds 30] [--every 3]

Starts the real `vaxterm mock-server` on 127.0.0.1. Each simulated terminal signs in as its
own trainee, then every --every seconds records a dose as the app does it: search, read the
OTP from the training inbox, confirm it, open the record, record the dose. The run is bounded
by --seconds (at most 120); terminals start spread over the first interval and vary their
pace, as a room of people does. Prints requests per second, p50/p99 latency per call and
errors (goal: no errors, p99 well under the 100 ms a person notices).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid

import httpx

from api_client.mock.accounts import CENTRES
from api_client.mock.clock import SystemClock
from api_client.mock.population import Person, build_population
from api_client.rules import GivenDose, check_dose, next_due

SESSION_VACCINE = {100001: "COVISHIELD", 100002: "CORBEVAX"}
SEED = 20210116  # asked of the server, so this script knows its people


def sha(digits: str) -> str:
    return hashlib.sha256(digits.encode()).hexdigest()


def due_here(person: Person, vaccine: str) -> int | None:
    """The dose number this centre's session may give this person today, if any."""
    today = SystemClock().now().date()
    history = [GivenDose(d.dose, d.vaccine, d.given_on, d.is_precaution) for d in person.doses]
    due = next_due(history, person.birth_year, today)
    if due.dose and check_dose(history, person.birth_year, vaccine, due.dose, today).allowed:
        return due.dose
    return None


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.by_call: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.doses = 0

    async def call(self, client: httpx.AsyncClient, method: str, path: str,
                   expect: int = 200, **kw: object) -> httpx.Response:
        started = time.perf_counter()
        r = await client.request(method, path, **kw)  # type: ignore[arg-type]
        took = time.perf_counter() - started
        self.latencies.append(took)
        name = f"{method} {path.rsplit('/', 1)[-1] if '/beneficiaries/9' not in path else 'ref'}"
        self.by_call.setdefault(name, []).append(took)
        if r.status_code != expect:
            self.errors.append(f"{method} {path.split('/')[2]} -> {r.status_code}")
        return r


async def terminal(client: httpx.AsyncClient, username: str, code: str,
                   work: list[tuple[Person, int]], stats: Stats, until: float, every: float,
                   rng: random.Random) -> None:
    # People do not act in lockstep: each terminal starts somewhere in the first interval
    # and its pace varies by a fifth either way.
    await asyncio.sleep(rng.uniform(0, every))
    async with client:
        txn = (await stats.call(client, "POST", "/auth/vaccinator/login",
                                json={"username": username, "password": "Train@2026"})).json()
        login = await stats.call(client, "POST", "/auth/vaccinator/confirmOTP",
                                 json={"txnId": txn["txnId"], "otp": sha(code)})
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        sessions = (await stats.call(client, "GET", "/vaccinator/sessions")).json()["sessions"]
        session = sessions[0]
        for person, dose in work:
            started = time.monotonic()
            if started >= until:
                break
            found = (await stats.call(client, "POST", "/vaccinator/beneficiaries/search",
                                      json={"mobile": person.mobile})).json()
            inbox = (await stats.call(client, "GET", "/training/sms-inbox")).json()
            otp = next(s["otp"] for s in inbox["messages"] if s["txnId"] == found["txnId"])
            consent = (await stats.call(client, "POST", "/vaccinator/beneficiaries/confirmOTP",
                                        json={"txnId": found["txnId"], "otp": sha(otp)})).json()
            headers = {"X-Consent-Token": consent["consent_token"]}
            ref = person.reference_id
            await stats.call(client, "GET", f"/vaccinator/beneficiaries/{ref}", headers=headers)
            await stats.call(client, "POST", f"/vaccinator/beneficiaries/{ref}/vaccinate",
                             expect=201, headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                             json={"session_id": session["session_id"],
                                   "vaccine": session["vaccine"],
                                   "vaccine_batch": session["batches"][0]["vaccine_batch"],
                                   "dose": dose, "id_verified": True})
            stats.doses += 1
            pace = every * rng.uniform(0.8, 1.2)
            await asyncio.sleep(max(0.0, pace - (time.monotonic() - started)))


async def run(base: str, terminals: int, seconds: float, every: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for _ in range(200):
            try:
                accounts = (await client.get("/training/accounts")).json()["accounts"]
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        else:
            raise SystemExit("the mock server did not start")
    codes = {a["username"]: a["current_code"] for a in accounts}
    names = [f"trainee{n:02d}" for n in range(1, terminals + 1)]
    centre_of = {f"trainee{n:02d}": CENTRES[(n - 1) % len(CENTRES)].centre_id
                 for n in range(1, terminals + 1)}
    people = build_population(SEED, SystemClock().now().date())
    queues: dict[int, list[tuple[Person, int]]] = {}
    taken: set[str] = set()  # a person due at both centres is served at the first only
    for centre, vaccine in SESSION_VACCINE.items():
        queues[centre] = [(p, d) for p in people.values() if p.reference_id not in taken
                          and (d := due_here(p, vaccine)) is not None]
        taken.update(p.reference_id for p, _ in queues[centre])
    work: dict[str, list[tuple[Person, int]]] = {}
    for centre in SESSION_VACCINE:
        mine = [n for n in names if centre_of[n] == centre]
        for i, name in enumerate(mine):
            work[name] = queues[centre][i::len(mine)]
    stats = Stats()
    # Built before the clock starts: each client loads a TLS context (tens of ms of CPU on
    # this process's event loop), which would otherwise stall every request being timed.
    clients = [httpx.AsyncClient(base_url=base, timeout=10) for _ in names]
    started = time.monotonic()
    until = started + seconds
    rng = random.Random(7)
    await asyncio.gather(*(terminal(c, n, codes[n], work[n], stats, until, every, rng)
                           for c, n in zip(clients, names, strict=True)))
    elapsed = time.monotonic() - started
    ms = sorted(x * 1000 for x in stats.latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"training room: {terminals} terminals, a dose every {every:g} s each, "
          f"{elapsed:.0f} s, vaxterm mock-server on 127.0.0.1")
    print(f"  requests {len(ms)}  ({len(ms) / elapsed:.0f} req/s), doses recorded {stats.doses}")
    print(f"  latency p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms")
    print(f"  errors {len(stats.errors)}" + (f": {sorted(set(stats.errors))[:5]}"
                                            if stats.errors else ""))
    for name, times in sorted(stats.by_call.items()):
        t = sorted(x * 1000 for x in times)
        print(f"    {name:<28} n={len(t):<5} p50 {statistics.median(t):6.1f} ms  "
              f"p99 {t[min(len(t) - 1, int(len(t) * 0.99))]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=3.0)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The server's people are known here because both use the same seed.
    server = subprocess.Popen([sys.executable, "-m", "vaxterm", "mock-server", "--port",
                               str(port), "--seed", str(SEED)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ})
    try:
        asyncio.run(run(f"http://127.0.0.1:{port}/api/v2", min(args.terminals, 40),
                        min(args.seconds, 120.0), max(args.every, 0.5)))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
