"""ApiClient search round trip against a raw httpx call to the same in-process mock.

    python benchmarks/client_overhead.py [--requests 2000] [--rounds 5]

Both sides send the same request (POST search with a bearer token) through the same
`httpx.ASGITransport` to one mock; rounds alternate so drift in the machine hits both.
Prints the median time per request for each and the ratio (goal: <= 1.2x).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from api_client.client import ApiClient
from api_client.mock import FixedClock, MockConfig, create_app

BODY = {"mobile": "9000000002"}


async def timed(n: int, call: object) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await call()  # type: ignore[operator]
    return (time.perf_counter() - started) / n


async def run(requests: int, rounds: int) -> None:
    clock = FixedClock()
    app = create_app(clock, MockConfig(search_limit=10**9, bulk_alert_distinct=10**9))
    registry = app.state.registry
    transport = httpx.ASGITransport(app=app)
    client = ApiClient("http://mock.invalid/api/v2", transport=transport,
                       clock=lambda: clock.now().timestamp())
    txn = await client.login("demo.north1", "Train@2026")
    await client.confirm_login(txn, registry.current_code("demo.north1"))
    token = client._token.reveal() if client._token else ""
    raw = httpx.AsyncClient(transport=transport, base_url="http://mock.invalid/api/v2",
                            headers={"Authorization": f"Bearer {token}"})

    async def with_client() -> None:
        await client.search(mobile=BODY["mobile"])

    async def with_raw_httpx() -> None:
        r = await raw.post("/vaccinator/beneficiaries/search", json=BODY)
        r.raise_for_status()
        r.json()

    for call in (with_client, with_raw_httpx):  # warm up both paths
        await timed(200, call)
    client_times, raw_times = [], []
    for _ in range(rounds):
        client_times.append(await timed(requests, with_client))
        raw_times.append(await timed(requests, with_raw_httpx))
        registry.state.sms.clear()  # keep the mock's inbox from growing between rounds
    c, r = statistics.median(client_times), statistics.median(raw_times)
    print(f"search round trip, in-process mock, {rounds} rounds x {requests} requests")
    print(f"  ApiClient.search   {c * 1e6:8.1f} us")
    print(f"  raw httpx post     {r * 1e6:8.1f} us")
    print(f"  ratio              {c / r:8.2f}x  (goal <= 1.2x)")
    await raw.aclose()
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(min(args.requests, 20_000), min(args.rounds, 20)))


if __name__ == "__main__":
    main()
