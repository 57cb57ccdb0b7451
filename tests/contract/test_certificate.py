"""The certificate goes to the beneficiary's mobile: sent after a dose, sent again under the
beneficiary's consent, at most 3 times an hour; its number never reaches the vaccinator."""

from __future__ import annotations

import httpx
import pytest

from tests.contract.test_mock_recording import Desk, desk_for
from tests.support.registry import BASE, MockWorld

pytestmark = pytest.mark.anyio
REF = "99990000000002"


async def resend(desk: Desk, vaccination_id: str, consent: str | None = None
                 ) -> httpx.Response:
    headers = dict(desk.auth)
    if consent != "":
        headers["X-Consent-Token"] = consent or desk.consent
    return await desk.world.client.post(
        f"{BASE}/vaccinator/vaccinations/{vaccination_id}/certificate/resend", headers=headers)


async def dose(world: MockWorld) -> tuple[Desk, str]:
    desk = await desk_for(world, "9000000002")
    r = await desk.vaccinate(REF)
    assert r.status_code == 201, r.text
    return desk, str(r.json()["vaccination_id"])


async def inbox(desk: Desk) -> list[dict[str, object]]:
    r = await desk.world.client.get(f"{BASE}/training/sms-inbox", headers=desk.auth)
    return list(r.json()["certificates"])


async def test_sent_after_the_dose_and_again_three_times_an_hour(world: MockWorld) -> None:
    desk, vaccination = await dose(world)
    [first] = await inbox(desk)
    assert first["masked_mobile"] == "******0002" and first["again"] is False
    assert str(first["link"]).startswith("https://certificate.training.invalid/c/CERT")
    left = []
    for _ in range(3):
        r = await resend(desk, vaccination)
        assert r.status_code == 200, r.text
        assert "CERT" not in r.text  # the answer names the mobile, never the certificate
        assert r.json()["sent_to"] == "******0002"
        left.append(r.json()["sends_left"])
    assert left == [2, 1, 0]
    r = await resend(desk, vaccination)
    assert (r.status_code, r.json()["errorCode"]) == (429, "RATLMT0004")
    assert 0 < int(r.headers["Retry-After"]) <= 3601  # whole seconds, rounded up
    assert len(await inbox(desk)) == 4  # the refused one sent nothing
    assert [e.detail for e in world.registry.state.audit
            if e.action == "resend certificate refused"] == ["rate limit"]
    # The limit is per beneficiary and per hour: an hour on, it may be sent again.
    world.clock.advance(minutes=61)
    desk.auth = await world.login()
    desk.consent = str((await world.consent(desk.auth, mobile="9000000002"))["consent_token"])
    assert (await resend(desk, vaccination)).status_code == 200


async def test_no_consent_no_resend(world: MockWorld) -> None:
    desk, vaccination = await dose(world)
    for consent in ("", "not-a-live-consent-token"):
        r = await resend(desk, vaccination, consent)
        assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0001")
    world.clock.advance(minutes=11)  # the consent's 10 minutes are over
    desk.auth = await world.login()
    r = await resend(desk, vaccination)
    assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0001")
    assert len(await inbox(desk)) == 1


async def test_a_consent_for_someone_else_does_not_cover_it(world: MockWorld) -> None:
    desk, vaccination = await dose(world)
    other = await world.consent(desk.auth, mobile="9000000001")
    r = await resend(desk, vaccination, str(other["consent_token"]))
    assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0002")


async def test_another_vaccinators_dose_and_an_unknown_id_are_one_answer(
        world: MockWorld) -> None:
    _desk, vaccination = await dose(world)
    other = await desk_for(world, "9000000002", "demo.north2")
    answers = {((r := await resend(other, v)).status_code, r.json()["errorCode"])
               for v in (vaccination, "00000000-0000-4000-8000-000000000000")}
    assert answers == {(404, "VACCIN0001")}


async def test_no_certificate_for_a_dose_entered_in_error(world: MockWorld) -> None:
    desk, vaccination = await dose(world)
    r = await world.client.post(
        f"{BASE}/vaccinator/vaccinations/{vaccination}/entered-in-error",
        json={"reason": "wrong batch"}, headers=desk.auth)
    assert r.status_code == 200
    r = await resend(desk, vaccination)
    assert (r.status_code, r.json()["errorCode"]) == (422, "CERT0001")
