"""Server facts, training-only tools, fault injection, the audit log and the population."""

from __future__ import annotations

import time

import pytest

from api_client.contract import ENDPOINTS
from api_client.mock import MockConfig
from api_client.mock.population import DEMO, SITUATIONS
from tests.support.registry import BASE, MockWorld, mock_world

pytestmark = pytest.mark.anyio


async def test_meta_says_training(world: MockWorld) -> None:
    r = await world.client.get(f"{BASE}/meta")
    assert r.json() == {"server_time": "2026-11-28T10:00:00+05:30", "version": "2.0.0-mock",
                        "environment": "training", "time_zone": "Asia/Kolkata"}


async def test_unknown_path_and_method_are_json_errors(world: MockWorld) -> None:
    r = await world.client.get(f"{BASE}/nowhere")
    assert (r.status_code, r.json()["errorCode"]) == (404, "NOTFND0001")
    r = await world.client.delete(f"{BASE}/meta")
    assert (r.status_code, r.json()["errorCode"]) == (405, "METHOD0001")


async def test_demo_accounts_show_current_codes(world: MockWorld) -> None:
    r = await world.client.get(f"{BASE}/training/accounts")
    accounts = {a["username"]: a for a in r.json()["accounts"]}
    assert len(accounts) >= 3 + 1 + 40
    assert accounts["demo.north1"]["current_code"] == world.registry.current_code("demo.north1")
    assert accounts["demo.locked"]["locked"] is True


async def test_sms_inbox_is_per_vaccinator(world: MockWorld) -> None:
    north = await world.login("demo.north1")
    other = await world.login("demo.north2")
    txn = (await world.search(north, mobile="9000000001")).json()["txnId"]
    mine = (await world.client.get(f"{BASE}/training/sms-inbox", headers=north)).json()
    theirs = (await world.client.get(f"{BASE}/training/sms-inbox", headers=other)).json()
    assert [m["txnId"] for m in mine["messages"]] == [txn]
    assert mine["messages"][0]["masked_mobile"] == "******0001"
    assert theirs == {"messages": [], "certificates": []}


async def test_audit_records_every_access_with_its_consent(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000002")
    await world.client.get(f"{BASE}/vaccinator/beneficiaries/99990000000002",
                           headers={**auth, "X-Consent-Token": str(consent["consent_token"])})
    r = await world.client.get(f"{BASE}/training/audit", headers=auth)
    entries = r.json()["entries"]
    assert [e["action"] for e in entries] == ["login", "search", "consent", "view"]
    view = entries[-1]
    assert view["vaccinator"] == "demo.north1"
    assert view["beneficiary_reference_id"] == "**********0002"
    assert view["consent"] and view["consent"] == entries[-2]["consent"]


async def test_bulk_lookup_raises_an_alert(world: MockWorld) -> None:
    auth = await world.login()
    threshold = world.registry.config.bulk_alert_distinct
    for n in range(threshold):
        await world.search(auth, mobile=f"90000000{n + 1:02d}")
    entries = (await world.client.get(f"{BASE}/training/audit", headers=auth)).json()["entries"]
    alerts = [e for e in entries if e["action"] == "alert"]
    assert len(alerts) == 1 and "different beneficiaries" in alerts[0]["detail"]


async def test_fault_down_then_back(world: MockWorld) -> None:
    r = await world.client.put(f"{BASE}/training/faults", json={"down": True})
    assert r.json()["down"] is True
    r = await world.client.get(f"{BASE}/meta")
    assert (r.status_code, r.json()["errorCode"]) == (503, "GERR002")
    await world.client.put(f"{BASE}/training/faults", json={})
    assert (await world.client.get(f"{BASE}/meta")).status_code == 200


async def test_fault_error_rate(world: MockWorld) -> None:
    await world.client.put(f"{BASE}/training/faults", json={"error_rate": 1.0})
    r = await world.client.get(f"{BASE}/meta")
    assert (r.status_code, r.json()["errorCode"]) == (500, "GERR001")


async def test_fault_latency_is_awaited(world: MockWorld) -> None:
    await world.client.put(f"{BASE}/training/faults", json={"latency_ms": 200})
    started = time.monotonic()
    await world.client.get(f"{BASE}/meta")
    assert time.monotonic() - started >= 0.2


async def test_fault_short_tokens_and_forced_rate_limit(world: MockWorld) -> None:
    await world.client.put(f"{BASE}/training/faults",
                           json={"token_lifetime_s": 60, "rate_limited": True})
    auth = await world.login()
    r = await world.search(auth, mobile="9000000001")
    assert (r.status_code, r.json()["errorCode"]) == (429, "RATLMT0001")
    world.clock.advance(seconds=31)  # login() already moved it 30 s
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    assert r.status_code == 401


async def test_faults_reject_nonsense(world: MockWorld) -> None:
    r = await world.client.put(f"{BASE}/training/faults", json={"error_rate": 2})
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")


async def test_reset_restores_the_population(world: MockWorld) -> None:
    pristine = world.registry.fingerprint()
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000002")
    await world.client.post(
        f"{BASE}/vaccinator/beneficiaries/99990000000002/vaccinate",
        headers={**auth, "X-Consent-Token": str(consent["consent_token"]),
                 "Idempotency-Key": "reset-test-1"},
        json={"session_id": await world.session_id(auth, "COVISHIELD"), "vaccine": "COVISHIELD",
              "vaccine_batch": "SYN-CS-0425", "dose": 2, "id_verified": True})
    assert world.registry.fingerprint() != pristine
    assert (await world.client.post(f"{BASE}/training/reset")).json() == {"status": "reset"}
    assert world.registry.fingerprint() == pristine
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    assert r.status_code == 401, "reset ends every login"


async def test_demo_mobiles_are_the_documented_situations(world: MockWorld) -> None:
    r = await world.client.get(f"{BASE}/training/mobiles")
    assert r.status_code == 200
    served = [(d["mobile"], d["shows"]) for d in r.json()["mobiles"]]
    assert served == [(s.mobile, s.shows) for s in SITUATIONS]
    assert ("9000000002", "Covishield dose 2 due") in served


@pytest.mark.parametrize(("method", "path"),
                         [(e.method, e.path) for e in ENDPOINTS if e.training])
async def test_training_tools_do_not_exist_in_production(method: str, path: str) -> None:
    async with mock_world(MockConfig(environment="production")) as world:
        r = await world.client.request(method, BASE + path, json={})
        assert (r.status_code, r.json()["errorCode"]) == (404, "TRAIN0001")
        assert (await world.client.get(f"{BASE}/meta")).json()["environment"] == "production"


async def test_population_size_and_situations(world: MockWorld) -> None:
    state = world.registry.state
    assert len(state.people) >= 2000
    assert len(state.by_mobile) >= 800
    assert max(len(refs) for refs in state.by_mobile.values()) >= 4
    # Every demo mobile has its people, but the walk-in ones, which have nobody yet.
    assert all((mobile in state.by_mobile) == bool(people) for mobile, _, people in DEMO)
    years = {p.birth_year for p in state.people.values()}
    assert {2026 - 16, 2026 - 13, 2026 - 10} <= years


async def test_population_is_deterministic() -> None:
    async with mock_world() as a, mock_world() as b:
        assert a.registry.fingerprint() == b.registry.fingerprint()
        names = [p.name for p in a.registry.state.people.values()]
        assert names == [p.name for p in b.registry.state.people.values()]
