"""Walk-in registration, screening answers with a dose, and an encounter that ended without
a dose: every path of the three, and every refusal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client.photo_ids import verhoeff_valid
from tests.support.registry import BASE, MockWorld, sha

pytestmark = pytest.mark.anyio
OTP = f"{BASE}/vaccinator/beneficiaries/new/otp"
NEW = f"{BASE}/vaccinator/beneficiaries/new"
CONFIRM = f"{BASE}/vaccinator/beneficiaries/confirmOTP"
WALK_IN = "9000000012"  # nobody registered


def aadhaar(prefix: str) -> str:
    """A synthetic 12-digit number with a right Verhoeff check digit."""
    return next(prefix + d for d in "0123456789" if verhoeff_valid(prefix + d))


def person(**overrides: Any) -> dict[str, Any]:
    return {"name": "Zeta Canary", "birth_year": "1990", "gender": "Female",
            "photo_id_type": "Aadhaar Card", "photo_id_number": aadhaar("98765432101"),
            **overrides}


class WalkIn:
    """A vaccinator at a walk-in: signed in, and (after `consent`) holding the mobile's."""

    def __init__(self, world: MockWorld, auth: dict[str, str]) -> None:
        self.world, self.auth = world, auth
        self.consent = ""

    async def otp(self, mobile: str = WALK_IN) -> httpx.Response:
        return await self.world.client.post(OTP, json={"mobile": mobile}, headers=self.auth)

    async def confirm(self, mobile: str = WALK_IN) -> dict[str, Any]:
        r = await self.otp(mobile)
        assert r.status_code == 200, r.text
        txn = r.json()["txnId"]
        code = await self.world.inbox_otp(self.auth, txn)
        r = await self.world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)},
                                         headers=self.auth)
        assert r.status_code == 200, r.text
        self.consent = r.json()["consent_token"]
        body: dict[str, Any] = r.json()
        return body

    async def register(self, key: str = "walkin-0001", consent: str | None = None,
                       **fields: Any) -> httpx.Response:
        headers = {**self.auth, "X-Consent-Token": self.consent if consent is None else consent,
                   "Idempotency-Key": key}
        return await self.world.client.post(NEW, json=person(**fields), headers=headers)

    async def session(self, vaccine: str = "COVISHIELD") -> str:
        return await self.world.session_id(self.auth, vaccine)

    async def not_vaccinated(self, ref: str, key: str = "notvac-0001", **body: Any
                             ) -> httpx.Response:
        payload = {"session_id": await self.session(), "reason": "refused", **body}
        headers = {**self.auth, "X-Consent-Token": self.consent, "Idempotency-Key": key}
        return await self.world.client.post(
            f"{BASE}/vaccinator/beneficiaries/{ref}/not-vaccinated", json=payload,
            headers=headers)

    async def vaccinate(self, ref: str, key: str = "dose-00000001", **body: Any
                        ) -> httpx.Response:
        payload = {"session_id": await self.session(), "vaccine": "COVISHIELD",
                   "vaccine_batch": "SYN-CS-0425", "dose": 1, "id_verified": True, **body}
        headers = {**self.auth, "X-Consent-Token": self.consent, "Idempotency-Key": key}
        return await self.world.client.post(f"{BASE}/vaccinator/beneficiaries/{ref}/vaccinate",
                                            json=payload, headers=headers)


@pytest.fixture
async def desk(world: MockWorld) -> WalkIn:
    return WalkIn(world, await world.login())


def code_of(r: httpx.Response) -> tuple[int, str]:
    return r.status_code, r.json()["errorCode"]


# --- registration -------------------------------------------------------------------------


async def test_a_walk_in_is_registered_after_the_code_and_covered_by_it(desk: WalkIn) -> None:
    consent = await desk.confirm()
    assert consent["beneficiaries"] == []
    number = person()["photo_id_number"]
    r = await desk.register()
    assert r.status_code == 201, r.text
    body = r.json()
    ref = body["beneficiary_reference_id"]
    assert body["beneficiary"] == {
        "beneficiary_reference_id": ref, "name": "Zeta Canary", "birth_year": "1990",
        "gender": "Female", "photo_id_type": "Aadhaar Card",
        "photo_id_number": "XXXXXXXX" + number[-4:], "vaccination_status": "Not Vaccinated"}
    assert number not in r.text, "the ID number is never sent back"
    stored = desk.world.registry.state.people[ref]
    assert (stored.photo_id_last4, stored.mobile) == (number[-4:], WALK_IN)
    assert number not in repr(stored), "only the last 4 are kept"
    # The same consent opens the new record and records the dose: one visit.
    r = await desk.world.client.get(f"{BASE}/vaccinator/beneficiaries/{ref}",
                                    headers={**desk.auth, "X-Consent-Token": desk.consent})
    assert r.status_code == 200 and r.json()["eligibility"]["due_dose"] == 1
    r = await desk.vaccinate(ref, screening=["NONE"])
    assert r.status_code == 201, r.text
    assert stored.doses[-1].screening == ("NONE",)
    actions = [(e.action, e.detail) for e in desk.world.registry.state.audit[-3:]]
    assert actions == [("register", "walk-in"), ("view", ""), ("vaccinate", "dose 1 NONE")]


async def test_the_same_key_registers_once(desk: WalkIn) -> None:
    await desk.confirm()
    first = await desk.register("walkin-retry")
    again = await desk.register("walkin-retry")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert len(desk.world.registry.state.by_mobile[WALK_IN]) == 1
    other = await desk.register("walkin-retry", name="Other Canary")
    assert code_of(other) == (422, "IDEMPT0001")
    assert code_of(await desk.register("short")) == (400, "IDEMPT0002")


async def test_a_wrong_or_expired_otp_creates_nothing(desk: WalkIn) -> None:
    r = await desk.otp()
    txn = r.json()["txnId"]
    r = await desk.world.client.post(CONFIRM, json={"txnId": txn, "otp": sha("000000")},
                                     headers=desk.auth)
    assert code_of(r) == (400, "USRAUT0014")
    desk.world.clock.advance(minutes=3, seconds=1)
    code = await desk.world.inbox_otp(desk.auth, txn)
    r = await desk.world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)},
                                     headers=desk.auth)
    assert code_of(r) == (400, "USRAUT0015")
    # Without the code there is no consent, and without one nothing is registered.
    assert code_of(await desk.register(consent="x" * 43)) == (403, "CONSNT0001")
    assert code_of(await desk.register(consent="")) == (403, "CONSNT0001")
    assert WALK_IN not in desk.world.registry.state.by_mobile


async def test_an_expired_consent_registers_nothing(desk: WalkIn) -> None:
    await desk.confirm()
    desk.world.clock.advance(minutes=10)
    assert code_of(await desk.register()) == (403, "CONSNT0001")
    assert WALK_IN not in desk.world.registry.state.by_mobile


async def test_another_vaccinators_consent_registers_nothing(desk: WalkIn) -> None:
    await desk.confirm()
    other = await desk.world.login("demo.north2")
    r = await desk.world.client.post(NEW, json=person(), headers={
        **other, "X-Consent-Token": desk.consent, "Idempotency-Key": "walkin-0002"})
    assert code_of(r) == (403, "CONSNT0001")


async def test_the_mobile_is_the_consents(desk: WalkIn) -> None:
    await desk.confirm()
    assert code_of(await desk.register(mobile_number="9000000013")) == (403, "CONSNT0002")
    r = await desk.register(mobile_number=WALK_IN)
    assert r.status_code == 201


async def test_a_fifth_person_on_a_mobile_is_refused(desk: WalkIn) -> None:
    await desk.confirm()
    names = ["Anu Canary", "Bela Canary", "Chandra Canary", "Devi Canary"]
    for i, name in enumerate(names):
        r = await desk.register(f"walkin-000{i}", name=name,
                                photo_id_number=aadhaar(f"9876543210{i}"))
        assert r.status_code == 201, r.text
    r = await desk.register("walkin-0009", name="Esha Canary")
    assert code_of(r) == (409, "REGIST0001")
    assert len(desk.world.registry.state.by_mobile[WALK_IN]) == 4
    # ... and the family of four cannot even ask for a walk-in OTP: no SMS goes.
    sent = len(desk.world.registry.state.sms)
    assert code_of(await desk.otp("9000000008")) == (409, "REGIST0001")
    assert len(desk.world.registry.state.sms) == sent


async def test_a_duplicate_is_refused_with_the_masked_reference(desk: WalkIn) -> None:
    await desk.confirm()
    first = (await desk.register()).json()["beneficiary_reference_id"]
    r = await desk.register("walkin-0002", name="zeta  CANARY",
                            photo_id_number=aadhaar("98765432102"))
    assert code_of(r) == (409, "REGIST0002")
    assert r.json()["existing_reference"] == "*" * 10 + first[-4:]
    assert first not in r.text
    # Another year of birth is another person.
    r = await desk.register("walkin-0003", birth_year="1991")
    assert r.status_code == 201


async def test_a_registered_mobile_adds_a_person_under_the_search_consent(
        desk: WalkIn) -> None:
    consent = await desk.world.consent(desk.auth, mobile="9000000001")
    desk.consent = str(consent["consent_token"])
    r = await desk.register()
    assert r.status_code == 201
    assert len(desk.world.registry.state.by_mobile["9000000001"]) == 2
    existing = desk.world.registry.state.people["99990000000001"]
    r = await desk.register("walkin-0002", name=existing.name,
                            birth_year=str(existing.birth_year))
    assert code_of(r) == (409, "REGIST0002")
    assert r.json()["existing_reference"].endswith("0001")


@pytest.mark.parametrize(("year", "code"), [
    ("2015", (422, "REGIST0003")),  # 11 this year: under the minimum age of 12
    ("2030", (422, "REGIST0005")),  # not born yet
    ("1899", (422, "REGIST0005")),  # older than anyone
])
async def test_impossible_or_too_young_birth_years_are_refused(
        desk: WalkIn, year: str, code: tuple[int, str]) -> None:
    await desk.confirm()
    assert code_of(await desk.register(birth_year=year)) == code
    assert WALK_IN not in desk.world.registry.state.by_mobile


async def test_a_pan_is_kept_as_its_last_4_digits(desk: WalkIn) -> None:
    await desk.confirm()
    r = await desk.register(photo_id_type="PAN Card", photo_id_number="ABCDE1234F")
    assert r.json()["beneficiary"]["photo_id_number"] == "XXXXXXXX1234"


async def test_twelve_this_year_may_register(desk: WalkIn) -> None:
    await desk.confirm()
    r = await desk.register(birth_year="2014", photo_id_type="Student photo ID",
                            photo_id_number="STU1234")
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(("id_type", "number"), [
    ("Aadhaar Card", "999999990018"),  # §3.2: fails the checksum
    ("Aadhaar Card", "123412341234"),  # passes it, but starts with 1
    ("PAN Card", "ABCDE1234"),
    ("Passport", "K12345"),
])
async def test_photo_id_numbers_must_fit_their_type(desk: WalkIn, id_type: str, number: str
                                                    ) -> None:
    await desk.confirm()
    r = await desk.register(photo_id_type=id_type, photo_id_number=number)
    assert code_of(r) == (422, "REGIST0004")
    assert number not in r.text


@pytest.mark.parametrize("fields", [
    {"name": "Z"}, {"name": "Zeta 9"}, {"name": "<b>Zeta</b>"}, {"birth_year": "01-01-1990"},
    {"gender": "M"}, {"photo_id_type": "Library card"}, {"photo_id_number": "12 34"},
    {"address": "1 Canary Road"}, {"date_of_birth": "01-01-1990"},
])
async def test_registration_takes_only_its_fields_well_formed(desk: WalkIn,
                                                              fields: dict[str, str]) -> None:
    await desk.confirm()
    before = desk.world.registry.fingerprint()
    assert code_of(await desk.register(**fields)) == (400, "REQVAL0001")
    assert desk.world.registry.fingerprint() == before


async def test_walk_in_otps_count_against_the_caps(world: MockWorld) -> None:
    from api_client.mock import MockConfig
    from tests.support.registry import mock_world

    async with mock_world(MockConfig(otp_per_vaccinator_hour=1)) as capped:
        desk = WalkIn(capped, await capped.login())
        assert (await desk.otp()).status_code == 200
        assert code_of(await desk.otp("9000000013")) == (429, "RATLMT0003")


# --- screening answers with a dose ----------------------------------------------------------


async def _walked_in(desk: WalkIn) -> str:
    await desk.confirm()
    return str((await desk.register()).json()["beneficiary_reference_id"])


@pytest.mark.parametrize("answers", [["ALLERGY"], ["ACUTE_ILLNESS"], ["RECENT_COVID"],
                                     ["BLEEDING", "RECENT_COVID"]])
async def test_a_dose_with_an_answer_that_stops_it_is_refused(desk: WalkIn,
                                                              answers: list[str]) -> None:
    ref = await _walked_in(desk)
    assert code_of(await desk.vaccinate(ref, screening=answers)) == (422, "SCREEN0001")
    assert desk.world.registry.state.people[ref].doses == []


@pytest.mark.parametrize("answers", [["NONE", "BLEEDING"], ["BLEEDING", "BLEEDING"]])
async def test_screening_answers_must_make_sense(desk: WalkIn, answers: list[str]) -> None:
    ref = await _walked_in(desk)
    assert code_of(await desk.vaccinate(ref, screening=answers)) == (422, "SCREEN0002")


async def test_screening_answers_are_codes_from_the_list(desk: WalkIn) -> None:
    ref = await _walked_in(desk)
    r = await desk.vaccinate(ref, screening=["felt dizzy last week"])
    assert code_of(r) == (400, "REQVAL0001")


async def test_a_confirmed_precaution_goes_with_the_dose(desk: WalkIn) -> None:
    ref = await _walked_in(desk)
    r = await desk.vaccinate(ref, screening=["BLEEDING", "BREASTFEEDING"])
    assert r.status_code == 201
    assert desk.world.registry.state.people[ref].doses[-1].screening == (
        "BLEEDING", "BREASTFEEDING")


# --- could not vaccinate ---------------------------------------------------------------------


REASONS = [("refused", ""), ("unwell and deferred", "05-12-2026"), ("contraindicated", ""),
           ("vaccine not available", "29-11-2026"), ("vaccine not available", ""),
           ("already vaccinated elsewhere", "")]


@pytest.mark.parametrize(("reason", "come_back"), REASONS)
async def test_each_reason_is_recorded_audited_and_counted(desk: WalkIn, reason: str,
                                                           come_back: str) -> None:
    ref = await _walked_in(desk)
    body = {"reason": reason, **({"come_back_date": come_back} if come_back else {})}
    r = await desk.not_vaccinated(ref, **body)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert (answer["status"], answer["reason"], answer["come_back_date"]) == (
        "not-done", reason, come_back)
    entry = desk.world.registry.state.audit[-1]
    assert (entry.action, entry.detail) == ("not vaccinated", reason)
    session = await desk.session()
    r = await desk.world.client.get(f"{BASE}/vaccinator/sessions/{session}/summary",
                                    headers=desk.auth)
    assert r.json()["not_vaccinated"] == {reason: 1}
    assert r.json()["total"] == 0, "no dose counted"


async def test_the_same_key_records_the_encounter_once(desk: WalkIn) -> None:
    ref = await _walked_in(desk)
    first = await desk.not_vaccinated(ref, "notvac-same")
    again = await desk.not_vaccinated(ref, "notvac-same")
    assert first.json() == again.json()
    assert len(desk.world.registry.state.encounters) == 1
    other = await desk.not_vaccinated(ref, "notvac-same", reason="contraindicated")
    assert code_of(other) == (422, "IDEMPT0001")


@pytest.mark.parametrize("reason", ["felt unwell", "", "Refused", "no-show"])
async def test_a_reason_outside_the_list_is_refused(desk: WalkIn, reason: str) -> None:
    ref = await _walked_in(desk)
    assert code_of(await desk.not_vaccinated(ref, reason=reason)) == (400, "REQVAL0001")
    assert desk.world.registry.state.encounters == []


@pytest.mark.parametrize(("reason", "come_back"), [
    ("unwell and deferred", ""),  # a deferral says until when
    ("unwell and deferred", "28-11-2026"),  # today is no deferral
    ("unwell and deferred", "01-01-2028"),  # more than a year away
    ("refused", "05-12-2026"),  # no date for a refusal
    ("contraindicated", "05-12-2026"),
    ("unwell and deferred", "31-02-2027"),  # no such day
])
async def test_come_back_dates_fit_the_reason(desk: WalkIn, reason: str, come_back: str
                                              ) -> None:
    ref = await _walked_in(desk)
    body = {"reason": reason, **({"come_back_date": come_back} if come_back else {})}
    assert code_of(await desk.not_vaccinated(ref, **body)) == (422, "NOTVAC0001")


async def test_screening_answers_go_with_the_encounter(desk: WalkIn) -> None:
    ref = await _walked_in(desk)
    r = await desk.not_vaccinated(ref, reason="contraindicated", screening=["ALLERGY"])
    assert r.status_code == 201
    assert desk.world.registry.state.encounters[-1].screening == ("ALLERGY",)
    r = await desk.not_vaccinated(ref, "notvac-0002", screening=["NONE", "ALLERGY"])
    assert code_of(r) == (422, "SCREEN0002")


async def test_no_consent_no_encounter(desk: WalkIn) -> None:
    ref = await _walked_in(desk)
    desk.world.clock.advance(minutes=10)
    assert code_of(await desk.not_vaccinated(ref)) == (403, "CONSNT0001")
    assert code_of(await desk.not_vaccinated("99990000000002", "notvac-0002")) == (
        403, "CONSNT0001")
    consent = await desk.world.consent(desk.auth, mobile="9000000001")
    desk.consent = str(consent["consent_token"])
    r = await desk.not_vaccinated("99990000000002", "notvac-0003")
    assert code_of(r) == (403, "CONSNT0002"), "outside the consent"
    assert desk.world.registry.state.encounters == []
    refusals = [e for e in desk.world.registry.state.audit if e.action == "access refused"]
    assert [e.detail for e in refusals] == ["no live consent", "no live consent",
                                            "outside consent"]
