"""Closing a session: the count, its refusals, and no dose after it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.test_mock_recording import desk_for
from tests.support.registry import BASE, MockWorld

pytestmark = pytest.mark.anyio


async def close(world: MockWorld, auth: dict[str, str], session_id: str, **body: Any
                ) -> httpx.Response:
    return await world.client.post(f"{BASE}/vaccinator/sessions/{session_id}/close",
                                   json={"vials": [], **body}, headers=auth)


async def test_a_session_closed_with_wastage_counts_from_the_batch_vial_size(
        world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    assert (await desk.vaccinate("99990000000002")).status_code == 201
    session = desk.sessions["COVISHIELD"]
    r = await close(world, desk.auth, session,
                    vials=[{"vaccine_batch": "SYN-CS-0425", "vials_opened": 1}])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["doses_in_vials"], body["doses_recorded"], body["wasted"],
            body["wastage_percent"], body["beyond_allowance"]) == (10, 1, 9, 90.0, False)
    # The registry keeps it: the summary and the session list say so.
    summary = (await world.client.get(f"{BASE}/vaccinator/sessions/{session}/summary",
                                      headers=desk.auth)).json()
    assert summary["closure"]["wasted"] == 9
    sessions = (await world.client.get(f"{BASE}/vaccinator/sessions", headers=desk.auth)).json()
    assert [s["closed"] for s in sessions["sessions"] if s["session_id"] == session] == [True]
    actions = [e.action for e in world.registry.state.audit]
    assert "close session" in actions


async def test_covaxin_batches_hold_20_and_10_doses_a_vial(world: MockWorld) -> None:
    auth = await world.login()
    sessions = (await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)).json()
    covaxin = next(s for s in sessions["sessions"] if s["vaccine"] == "COVAXIN")
    sizes = {b["vaccine_batch"]: b["doses_per_vial"] for b in covaxin["batches"]}
    assert sizes["SYN-CX-0311"] == 20 and sizes["SYN-CX-0512"] == 10
    r = await close(world, auth, covaxin["session_id"],
                    vials=[{"vaccine_batch": "SYN-CX-0311", "vials_opened": 1},
                           {"vaccine_batch": "SYN-CX-0512", "vials_opened": 2}],
                    wastage_reasons=["vial broken or damaged"])
    assert r.status_code == 200, r.text
    assert r.json()["doses_in_vials"] == 40


async def test_a_second_close_is_refused(world: MockWorld) -> None:
    auth = await world.login()
    session = await world.session_id(auth, "COVISHIELD")
    assert (await close(world, auth, session)).status_code == 200
    r = await close(world, auth, session)
    assert (r.status_code, r.json()["errorCode"]) == (409, "SESSN0005")


@pytest.mark.parametrize("vials", [-1, 1001, 1.5, "2"])
async def test_a_vial_count_that_is_not_a_count_is_refused(world: MockWorld, vials: Any
                                                            ) -> None:
    auth = await world.login()
    session = await world.session_id(auth, "COVISHIELD")
    before = world.registry.fingerprint()
    r = await close(world, auth, session,
                    vials=[{"vaccine_batch": "SYN-CS-0425", "vials_opened": vials}])
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")
    assert world.registry.fingerprint() == before


async def test_vials_that_held_fewer_doses_than_recorded_are_refused(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    assert (await desk.vaccinate("99990000000002")).status_code == 201
    session = desk.sessions["COVISHIELD"]
    r = await close(world, desk.auth, session,
                    vials=[{"vaccine_batch": "SYN-CS-0425", "vials_opened": 0}])
    assert (r.status_code, r.json()["errorCode"]) == (422, "SESSN0006")
    r = await close(world, desk.auth, session)  # left out: no vial opened
    assert (r.status_code, r.json()["errorCode"]) == (422, "SESSN0006")
    assert world.registry.state.sessions[session].closure is None


async def test_a_batch_not_stocked_or_named_twice_is_refused(world: MockWorld) -> None:
    auth = await world.login()
    session = await world.session_id(auth, "COVISHIELD")
    for vials in ([{"vaccine_batch": "SYN-CX-0311", "vials_opened": 1}],
                  [{"vaccine_batch": "SYN-CS-0425", "vials_opened": 1}] * 2):
        r = await close(world, auth, session, vials=vials, wastage_reasons=["cold chain failure"])
        assert (r.status_code, r.json()["errorCode"]) == (422, "SESSN0002")


async def test_wastage_beyond_the_allowance_needs_a_reason(world: MockWorld) -> None:
    auth = await world.login()
    session = await world.session_id(auth, "COVISHIELD")
    vials = [{"vaccine_batch": "SYN-CS-0425", "vials_opened": 2}]  # 20 held, none given
    r = await close(world, auth, session, vials=vials)
    assert (r.status_code, r.json()["errorCode"]) == (422, "SESSN0007")
    r = await close(world, auth, session, vials=vials, wastage_reasons=["free text"])
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")
    r = await close(world, auth, session, vials=vials,
                    wastage_reasons=["cold chain failure"])
    assert r.status_code == 200
    assert (r.json()["beyond_allowance"], r.json()["wastage_reasons"]) == (
        True, ["cold chain failure"])


async def test_no_dose_after_close(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    session = desk.sessions["COVISHIELD"]
    assert (await close(world, desk.auth, session)).status_code == 200
    r = await desk.vaccinate("99990000000002")
    assert (r.status_code, r.json()["errorCode"]) == (409, "SESSN0004")
    assert [d.dose for d in world.registry.state.people["99990000000002"].doses] == [1]
    assert world.registry.state.audit[-1].detail == "session closed"


async def test_another_centre_cannot_close_the_session(world: MockWorld) -> None:
    north = await world.login()
    session = await world.session_id(north, "COVISHIELD")
    south = await world.login("demo.south")
    r = await close(world, south, session)
    assert (r.status_code, r.json()["errorCode"]) == (404, "SESSN0001")


async def test_no_could_not_vaccinate_after_close(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    session = desk.sessions["COVISHIELD"]
    assert (await close(world, desk.auth, session)).status_code == 200
    r = await world.client.post(
        f"{BASE}/vaccinator/beneficiaries/99990000000002/not-vaccinated",
        json={"session_id": session, "reason": "refused"},
        headers={**desk.auth, "X-Consent-Token": desk.consent,
                 "Idempotency-Key": "key-closed-1"})
    assert (r.status_code, r.json()["errorCode"]) == (409, "SESSN0008")
    assert world.registry.state.encounters == []
    assert world.registry.state.audit[-1].detail == "session closed"
