"""A reaction by seriousness: its fields, every refusal, and the supervisor's flag."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.test_mock_recording import Desk, desk_for
from tests.support.registry import BASE, MockWorld

pytestmark = pytest.mark.anyio

SERIOUS = {"reaction": "severe allergic reaction", "seriousness": "serious", "onset": 5,
           "onset_unit": "minutes", "outcome": "referred or hospitalised"}


async def report(desk: Desk, vaccination_id: str, **body: Any) -> httpx.Response:
    return await desk.world.client.post(
        f"{BASE}/vaccinator/vaccinations/{vaccination_id}/aefi",
        json={**SERIOUS, **body}, headers=desk.auth)


async def dose_given(world: MockWorld) -> tuple[Desk, str]:
    desk = await desk_for(world, "9000000002")
    r = await desk.vaccinate("99990000000002")
    assert r.status_code == 201, r.text
    world.clock.advance(minutes=10)
    return desk, str(r.json()["vaccination_id"])


async def flags(desk: Desk) -> list[dict[str, Any]]:
    r = await desk.world.client.get(f"{BASE}/training/flagged-reactions", headers=desk.auth)
    assert r.status_code == 200, r.text
    return list(r.json()["reports"])


async def test_a_serious_reaction_is_kept_and_flagged_for_the_supervisor(
        world: MockWorld) -> None:
    desk, vaccination = await dose_given(world)
    r = await report(desk, vaccination)
    assert r.status_code == 201, r.text
    assert (r.json()["seriousness"], r.json()["flagged"]) == ("serious", True)
    listed = await flags(desk)
    assert [(f["seriousness"], f["outcome"], f["onset"], f["onset_unit"]) for f in listed] == [
        ("serious", "referred or hospitalised", 5, "minutes")]
    assert listed[0]["beneficiary_reference_id"].endswith("0002")
    assert listed[0]["beneficiary_reference_id"].startswith("*")  # masked: no name, no full id
    audit = [e for e in world.registry.state.audit if e.action == "aefi"]
    assert audit and "flagged for the supervisor" in audit[-1].detail
    # Another centre's supervisor does not see it.
    south = await desk_for(world, "9000000001", "demo.south")
    assert await flags(south) == []


async def test_a_minor_reaction_is_not_flagged_and_needs_no_outcome(world: MockWorld) -> None:
    desk, vaccination = await dose_given(world)
    r = await report(desk, vaccination, reaction="fever", seriousness="minor", outcome="")
    assert r.status_code == 201, r.text
    assert r.json()["flagged"] is False
    r = await report(desk, vaccination, reaction="fainting", seriousness="severe",
                     outcome="recovered")
    assert (r.status_code, r.json()["flagged"]) == (201, True)
    assert [f["seriousness"] for f in await flags(desk)] == ["severe"]


@pytest.mark.parametrize(("change", "code"), [
    ({"seriousness": "moderate"}, "REQVAL0001"),  # not one of the three
    ({"outcome": "fine"}, "REQVAL0001"),  # not one of the five
    ({"onset_unit": "weeks"}, "REQVAL0001"),
    ({"onset": -1}, "REQVAL0001"),
    ({"onset": 60}, "REQVAL0001"),  # minutes stop at 59: then hours
    ({"onset": "5"}, "REQVAL0001"),
    ({"reaction": "I felt dizzy and my neighbour said"}, "REQVAL0001"),  # no free text
    ({"note": "free text"}, "REQVAL0001"),  # no field of one's own
    ({"onset": 0, "onset_unit": "hours"}, "AEFI0001"),  # 0 hours is minutes
    ({"onset": 24, "onset_unit": "hours"}, "AEFI0001"),  # 24 hours is a day
    ({"onset": 29, "onset_unit": "days"}, "AEFI0001"),  # beyond the 28 days
    ({"onset": 30, "onset_unit": "minutes"}, "AEFI0001"),  # after now: the dose was 10 min ago
    ({"onset": 2, "onset_unit": "hours"}, "AEFI0001"),
    ({"onset": 1, "onset_unit": "days"}, "AEFI0001"),
    ({"outcome": ""}, "AEFI0002"),  # serious without an outcome
    ({"seriousness": "severe", "outcome": ""}, "AEFI0002"),
    ({"seriousness": "severe", "outcome": "died"}, "AEFI0003"),
    ({"seriousness": "minor", "outcome": "referred or hospitalised"}, "AEFI0003"),
])
async def test_every_refusal(world: MockWorld, change: dict[str, Any], code: str) -> None:
    desk, vaccination = await dose_given(world)
    before = world.registry.fingerprint()
    body = {**SERIOUS, **change}
    r = await desk.world.client.post(
        f"{BASE}/vaccinator/vaccinations/{vaccination}/aefi", json=body, headers=desk.auth)
    assert (r.status_code, r.json()["errorCode"]) == (400 if code == "REQVAL0001" else 422, code)
    assert world.registry.fingerprint() == before
    assert await flags(desk) == []


async def test_days_after_a_dose_within_28_days(world: MockWorld) -> None:
    desk, vaccination = await dose_given(world)
    world.clock.advance(days=3)
    desk.auth = await world.login()
    r = await report(desk, vaccination, onset=2, onset_unit="days", outcome="recovering")
    assert r.status_code == 201, r.text
    r = await report(desk, vaccination, onset=4, onset_unit="days")
    assert r.json()["errorCode"] == "AEFI0001"  # day 4 has not come


async def test_the_session_summary_counts_reactions_by_seriousness(world: MockWorld) -> None:
    desk, vaccination = await dose_given(world)
    await report(desk, vaccination)
    await report(desk, vaccination, reaction="fever", seriousness="minor", outcome="")
    session = desk.sessions["COVISHIELD"]
    r = await world.client.get(f"{BASE}/vaccinator/sessions/{session}/summary",
                               headers=desk.auth)
    assert r.json()["aefi"] == {"serious": 1, "minor": 1}
