"""Recording a dose, correcting it, reporting a reaction and the session tally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.registry import BASE, MockWorld

pytestmark = pytest.mark.anyio


@dataclass
class Desk:
    """A vaccinator with consent for one mobile, ready to record."""

    world: MockWorld
    auth: dict[str, str]
    consent: str
    sessions: dict[str, str]

    async def vaccinate(self, ref: str, key: str = "key-00000001", *, consent: str | None = None,
                        **overrides: Any) -> httpx.Response:
        body = {"session_id": self.sessions.get("COVISHIELD", ""), "vaccine": "COVISHIELD",
                "vaccine_batch": "SYN-CS-0425", "dose": 2, "id_verified": True, **overrides}
        headers = {**self.auth, "X-Consent-Token": consent or self.consent,
                   "Idempotency-Key": key}
        return await self.world.client.post(
            f"{BASE}/vaccinator/beneficiaries/{ref}/vaccinate", json=body, headers=headers)


async def desk_for(world: MockWorld, mobile: str, username: str = "demo.north1") -> Desk:
    auth = await world.login(username)
    consent = await world.consent(auth, mobile=mobile)
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    sessions = {s["vaccine"]: s["session_id"] for s in r.json()["sessions"]}
    return Desk(world, auth, str(consent["consent_token"]), sessions)


async def test_record_dose_2(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    r = await desk.vaccinate("99990000000002")
    assert r.status_code == 201
    body = r.json()
    assert "certificate_id" not in body  # the certificate goes to the mobile, not the screen
    assert body["certificate_sent_to"].endswith("0002")
    [(_, sms)] = world.registry.state.certificates
    assert sms.masked_mobile == body["certificate_sent_to"] and "CERT" in sms.link
    assert body["beneficiary"]["vaccination_status"] == "Vaccinated"
    assert body["beneficiary"]["dose2_date"] == "28-11-2026"


async def test_same_key_same_answer_one_record(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    first = await desk.vaccinate("99990000000002", "key-retry-1")
    again = await desk.vaccinate("99990000000002", "key-retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    person = world.registry.state.people["99990000000002"]
    assert [d.dose for d in person.doses] == [1, 2]


async def test_same_key_for_a_different_request_is_refused(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    await desk.vaccinate("99990000000002", "key-retry-2")
    r = await desk.vaccinate("99990000000002", "key-retry-2", vaccine_batch="SYN-CS-0119")
    assert (r.status_code, r.json()["errorCode"]) == (422, "IDEMPT0001")


async def test_a_new_key_for_a_dose_already_given_is_409(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    await desk.vaccinate("99990000000002", "key-first-1")
    r = await desk.vaccinate("99990000000002", "key-second")
    assert (r.status_code, r.json()["errorCode"]) == (409, "DOSE0009")


@pytest.mark.parametrize("key", [None, "short", "has spaces in it", "x" * 65])
async def test_idempotency_key_is_required(world: MockWorld, key: str | None) -> None:
    desk = await desk_for(world, "9000000002")
    headers = {**desk.auth, "X-Consent-Token": desk.consent,
               **({"Idempotency-Key": key} if key else {})}
    r = await world.client.post(
        f"{BASE}/vaccinator/beneficiaries/99990000000002/vaccinate", headers=headers,
        json={"session_id": desk.sessions["COVISHIELD"], "vaccine": "COVISHIELD",
              "vaccine_batch": "SYN-CS-0425", "dose": 2, "id_verified": True})
    assert (r.status_code, r.json()["errorCode"]) == (400, "IDEMPT0002")


@pytest.mark.parametrize(("mobile", "ref", "overrides", "status", "code"), [
    ("9000000002", "99990000000002", {"session_id": "00000000-0000-0000-0000-000000000000"},
     404, "SESSN0001"),
    ("9000000002", "99990000000002", {"vaccine_batch": "SYN-CX-0311"}, 422, "SESSN0002"),
    ("9000000002", "99990000000002", {"vaccine": "COVAXIN"}, 422, "SESSN0003"),
    ("9000000002", "99990000000002", {"id_verified": False}, 422, "IDCHK0001"),
    ("9000000009", "99990000000012", {"dose": 1}, 422, "DOSE0001"),
    ("9000000006", "99990000000006", {"dose": 1}, 422, "DOSE0002"),
    ("9000000003", "99990000000003", {}, 422, "DOSE0003"),
    ("9000000005", "99990000000005", {"dose": 4}, 422, "DOSE0005"),
    ("9000000002", "99990000000002", {"dose": 3}, 422, "DOSE0006"),
    ("9000000002", "99990000000002", {"vaccine_batch": "SYN-CS-0119"}, 422, "DOSE0007"),
    ("9000000001", "99990000000001", {"dose": 1, "vaccine_batch": "SYN-CS-0119"}, 422,
     "DOSE0007"),
])
async def test_refusals_carry_their_reason_code(world: MockWorld, mobile: str, ref: str,
                                                overrides: dict[str, Any], status: int,
                                                code: str) -> None:
    desk = await desk_for(world, mobile)
    before = world.registry.fingerprint()
    r = await desk.vaccinate(ref, **overrides)
    assert (r.status_code, r.json()["errorCode"]) == (status, code), r.text
    assert r.json()["error"]
    assert world.registry.fingerprint() == before, "a refusal stores nothing"


async def test_too_early_says_from_when(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000003")
    r = await desk.vaccinate("99990000000003")
    assert r.json()["earliest_date"] == "21-01-2027"  # dose 1 on 29-10-2026 + 84 days


async def test_vaccinated_today_is_refused(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000010")
    r = await desk.vaccinate("99990000000013", vaccine="COVAXIN",
                             session_id=desk.sessions["COVAXIN"], vaccine_batch="SYN-CX-0311")
    assert (r.status_code, r.json()["errorCode"]) == (422, "DOSE0008")


async def test_precaution_dose_with_heterologous_corbevax_at_the_south_centre(
        world: MockWorld) -> None:
    desk = await desk_for(world, "9000000004", "demo.south")
    r = await desk.vaccinate("99990000000004", vaccine="CORBEVAX",
                             session_id=desk.sessions["CORBEVAX"], vaccine_batch="SYN-CB-0710",
                             dose=3)
    assert r.status_code == 201, r.text
    assert r.json()["beneficiary"]["precaution_dose_one_date"] == "28-11-2026"


async def test_dose_needs_consent_for_that_person(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    r = await desk.vaccinate("99990000000001", dose=1)
    assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0002")
    r = await desk.vaccinate("99990000000002", consent="not-a-consent-token")
    assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0001")


async def test_a_dose_carries_the_recording_vaccinators_identity(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002", "demo.north2")
    vaccination = (await desk.vaccinate("99990000000002")).json()["vaccination_id"]
    person = world.registry.state.people["99990000000002"]
    assert next(d for d in person.doses if d.vaccination_id == vaccination
                ).vaccinator == "demo.north2"


async def eie(desk: Desk, vaccination_id: str, reason: str = "wrong batch") -> httpx.Response:
    return await desk.world.client.post(
        f"{BASE}/vaccinator/vaccinations/{vaccination_id}/entered-in-error",
        json={"reason": reason}, headers=desk.auth)


async def test_entered_in_error_same_day_same_vaccinator(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    vaccination = (await desk.vaccinate("99990000000002")).json()["vaccination_id"]
    r = await eie(desk, vaccination)
    assert r.json() == {"vaccination_id": vaccination, "status": "entered-in-error"}
    person = world.registry.state.people["99990000000002"]
    assert [d.status for d in person.doses] == ["completed", "entered-in-error"], "kept, marked"
    r = await eie(desk, vaccination)
    assert (r.status_code, r.json()["errorCode"]) == (409, "VACCIN0003")
    # The dose is due again once the wrong record is out of the way.
    r = await desk.vaccinate("99990000000002", "key-after-eie")
    assert r.status_code == 201


async def test_entered_in_error_refusals(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    vaccination = (await desk.vaccinate("99990000000002")).json()["vaccination_id"]
    other = await desk_for(world, "9000000001", "demo.north2")
    r = await eie(other, vaccination)  # not theirs: the same answer as no such record
    assert (r.status_code, r.json()["errorCode"]) == (404, "VACCIN0001")
    r = await eie(desk, "no-such-vaccination")
    assert (r.status_code, r.json()["errorCode"]) == (404, "VACCIN0001")
    r = await eie(desk, vaccination, reason="I felt like it")
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")
    world.clock.advance(days=1)
    desk.auth = await world.login()
    r = await eie(desk, vaccination)
    assert (r.status_code, r.json()["errorCode"]) == (403, "VACCIN0002")


async def aefi(desk: Desk, vaccination_id: str, **body: Any) -> httpx.Response:
    return await desk.world.client.post(
        f"{BASE}/vaccinator/vaccinations/{vaccination_id}/aefi",
        json={"reaction": "fever", "seriousness": "minor", "onset": 0, "onset_unit": "minutes",
              **body}, headers=desk.auth)


async def test_aefi_for_a_dose_given_today(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    vaccination = (await desk.vaccinate("99990000000002")).json()["vaccination_id"]
    r = await aefi(desk, vaccination)
    assert r.status_code == 201 and r.json()["vaccination_id"] == vaccination
    r = await aefi(desk, vaccination, onset=60)
    assert r.json()["errorCode"] == "REQVAL0001"
    r = await aefi(desk, "nothing")
    assert (r.status_code, r.json()["errorCode"]) == (404, "VACCIN0001")
    world.clock.advance(days=29)  # beyond the 28 days after the dose, at this centre
    desk.auth = await world.login()
    r = await aefi(desk, vaccination, onset=2, onset_unit="days")
    assert (r.status_code, r.json()["errorCode"]) == (422, "VACCIN0004")


async def test_session_tally(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000008")
    await desk.vaccinate("99990000000008", "key-family-1", dose=1)
    await desk.vaccinate("99990000000009", "key-family-2", vaccine="COVAXIN",
                         session_id=desk.sessions["COVAXIN"], vaccine_batch="SYN-CX-0311")
    sid = desk.sessions["COVISHIELD"]
    r = await world.client.get(f"{BASE}/vaccinator/sessions/{sid}/summary", headers=desk.auth)
    body = r.json()
    assert (body["total"], body["by_dose"], body["by_batch"]) == (
        1, {"1": 1}, {"SYN-CS-0425": 1})
    assert [rec["beneficiary_reference_id"] for rec in body["my_records"]] == [
        "**********0008"]
    south = await world.login("demo.south")
    r = await world.client.get(f"{BASE}/vaccinator/sessions/{sid}/summary", headers=south)
    assert (r.status_code, r.json()["errorCode"]) == (404, "SESSN0001")
