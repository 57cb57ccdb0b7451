"""Sessions, search, the beneficiary's OTP and reading a record: every path."""

from __future__ import annotations

import pytest

from tests.support.registry import BASE, MockWorld, sha

pytestmark = pytest.mark.anyio
CONFIRM = f"{BASE}/vaccinator/beneficiaries/confirmOTP"


async def test_sessions_are_todays_at_the_vaccinators_centre(world: MockWorld) -> None:
    north = await world.login("demo.north1")
    south = await world.login("demo.south")
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=north)
    sessions = r.json()["sessions"]
    assert [s["vaccine"] for s in sessions] == ["COVISHIELD", "COVAXIN"]
    assert {s["date"] for s in sessions} == {"28-11-2026"}
    # Covaxin stocks two good batches of different vial sizes (20 and 10 doses).
    assert [len(s["batches"]) for s in sessions] == [2, 3]
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=south)
    assert [s["vaccine"] for s in r.json()["sessions"]] == ["CORBEVAX"]


async def test_sessions_for_another_day_and_a_bad_date(world: MockWorld) -> None:
    auth = await world.login()
    r = await world.client.get(f"{BASE}/vaccinator/sessions?date=29-11-2026", headers=auth)
    assert r.json() == {"sessions": []}
    r = await world.client.get(f"{BASE}/vaccinator/sessions?date=2026-11-28", headers=auth)
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")


async def test_search_returns_nothing_personal(world: MockWorld) -> None:
    auth = await world.login()
    r = await world.search(auth, mobile="9000000008")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"txnId", "masked_mobile", "expires_in"}
    assert (body["masked_mobile"], body["expires_in"]) == ("******0008", 180)


async def test_search_by_reference_id_covers_that_person_only(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, beneficiary_reference_id="99990000000010")
    assert [b["beneficiary_reference_id"] for b in consent["beneficiaries"]] == [  # type: ignore[attr-defined]
        "99990000000010"]


@pytest.mark.parametrize("body", [
    {}, {"mobile": "9000000001", "beneficiary_reference_id": "99990000000001"},
    {"mobile": "5000000001"}, {"mobile": "900000000"}, {"beneficiary_reference_id": "123"},
    {"aadhaar": "234567890124"},
])
async def test_search_needs_exactly_one_valid_target(world: MockWorld, body: dict[str, str]
                                                     ) -> None:
    auth = await world.login()
    r = await world.search(auth, **body)
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")


async def test_search_for_an_unregistered_mobile(world: MockWorld) -> None:
    auth = await world.login()
    r = await world.search(auth, mobile="9999999999")
    assert (r.status_code, r.json()["errorCode"]) == (400, "USRAUT0024")


async def test_search_without_a_token_is_401(world: MockWorld) -> None:
    r = await world.client.post(f"{BASE}/vaccinator/beneficiaries/search",
                                json={"mobile": "9000000001"})
    assert (r.status_code, r.text) == (401, "Unauthenticated access!")


async def test_search_rate_limit_gives_429_with_retry_after(world: MockWorld) -> None:
    auth = await world.login()
    limit = world.registry.config.search_limit
    # Different mobiles: one mobile has its own, lower cap (test_mock_abuse).
    mobiles = sorted(world.registry.state.by_mobile)[:limit + 2]
    for n in range(limit):
        assert (await world.search(auth, mobile=mobiles[n])).status_code == 200, n
    r = await world.search(auth, mobile=mobiles[limit])
    assert (r.status_code, r.json()["errorCode"]) == (429, "RATLMT0001")
    assert int(r.headers["retry-after"]) == r.json()["retry_after"] == 301
    world.clock.advance(seconds=301)
    assert (await world.search(auth, mobile=mobiles[limit + 1])).status_code == 200


async def test_consent_lists_everyone_on_the_mobile(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000008")
    people = consent["beneficiaries"]
    assert len(people) == 4  # type: ignore[arg-type]
    assert all(p["photo_id_number"].startswith("XXXXXXXX") for p in people)  # type: ignore[attr-defined, union-attr]
    assert consent["expires_in"] == 600


async def test_wrong_beneficiary_otp_counts_down_then_dies(world: MockWorld) -> None:
    auth = await world.login()
    txn = (await world.search(auth, mobile="9000000001")).json()["txnId"]
    otp = await world.inbox_otp(auth, txn)
    wrong = sha("000000" if otp != "000000" else "111111")
    for left in (2, 1, 0):
        r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": wrong}, headers=auth)
        assert (r.json()["errorCode"], r.json()["tries_left"]) == ("USRAUT0014", left)
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)}, headers=auth)
    assert r.json()["errorCode"] == "USRAUT0015"


async def test_beneficiary_otp_expires_after_3_minutes(world: MockWorld) -> None:
    auth = await world.login()
    txn = (await world.search(auth, mobile="9000000001")).json()["txnId"]
    otp = await world.inbox_otp(auth, txn)
    world.clock.advance(seconds=181)
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)}, headers=auth)
    assert r.json()["errorCode"] == "USRAUT0015"


async def test_another_vaccinator_cannot_use_the_transaction(world: MockWorld) -> None:
    north = await world.login("demo.north1")
    other = await world.login("demo.north2")
    txn = (await world.search(north, mobile="9000000001")).json()["txnId"]
    otp = await world.inbox_otp(north, txn)
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)}, headers=other)
    assert r.json()["errorCode"] == "USRAUT0015"
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)}, headers=north)
    assert r.status_code == 200, "the rightful vaccinator's transaction is untouched"


async def read(world: MockWorld, auth: dict[str, str], ref: str, consent: str | None
               ) -> tuple[int, dict[str, object]]:
    headers = {**auth, **({"X-Consent-Token": consent} if consent else {})}
    r = await world.client.get(f"{BASE}/vaccinator/beneficiaries/{ref}", headers=headers)
    return r.status_code, r.json()


async def test_record_read_after_consent(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000002")
    status, body = await read(world, auth, "99990000000002", str(consent["consent_token"]))
    assert status == 200
    assert body["mobile_number"] == "0002"
    assert (body["due_dose"], body["vaccine"]) == (2, "COVISHIELD")
    assert body["eligibility"]["eligible"] is True  # type: ignore[index]
    assert "date_of_birth" not in body and "address" not in body


async def test_no_record_without_consent(world: MockWorld) -> None:
    auth = await world.login()
    status, body = await read(world, auth, "99990000000002", None)
    assert (status, body["errorCode"]) == (403, "CONSNT0001")


async def test_consent_does_not_cover_another_mobile(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000002")
    status, body = await read(world, auth, "99990000000001", str(consent["consent_token"]))
    assert (status, body["errorCode"]) == (403, "CONSNT0002")


async def test_consent_expires_after_10_minutes(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000002")
    world.clock.advance(minutes=10)
    auth = await world.login()
    status, body = await read(world, auth, "99990000000002", str(consent["consent_token"]))
    assert (status, body["errorCode"]) == (403, "CONSNT0001")


async def test_consent_is_bound_to_the_vaccinator_who_got_it(world: MockWorld) -> None:
    north = await world.login("demo.north1")
    other = await world.login("demo.north2")
    consent = await world.consent(north, mobile="9000000002")
    status, body = await read(world, other, "99990000000002", str(consent["consent_token"]))
    assert (status, body["errorCode"]) == (403, "CONSNT0001")


async def test_consent_dies_with_logout(world: MockWorld) -> None:
    auth = await world.login()
    consent = await world.consent(auth, mobile="9000000002")
    await world.client.post(f"{BASE}/auth/vaccinator/logout", headers=auth)
    auth = await world.login()
    status, _ = await read(world, auth, "99990000000002", str(consent["consent_token"]))
    assert status == 403


async def test_malformed_reference_in_path(world: MockWorld) -> None:
    auth = await world.login()
    status, body = await read(world, auth, "12ab", "x")
    assert (status, body["errorCode"]) == (400, "REQVAL0001")


async def test_the_same_otp_sent_again_recovers_a_lost_consent(world: MockWorld) -> None:
    """Only for the vaccinator who searched, only with the same OTP, while it lives."""
    north = await world.login("demo.north1")
    south = await world.login("demo.south")
    r = await world.search(north, mobile="9000000002")
    txn = r.json()["txnId"]
    otp = await world.inbox_otp(north, txn)
    first = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)},
                                    headers=north)
    again = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)},
                                    headers=north)
    assert again.status_code == 200 and again.json() == first.json()
    theirs = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)},
                                     headers=south)
    assert theirs.json()["errorCode"] == "USRAUT0015"
    world.clock.advance(minutes=3, seconds=1)
    late = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(otp)},
                                   headers=north)
    assert late.json()["errorCode"] == "USRAUT0015"
