"""The registry's abuse rules (DESIGN.md §3): each attack of the security review, stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api_client.mock import MockConfig
from api_client.mock.accounts import LOCKOUT, MAX_FAILED_LOGINS, MAX_WRONG_CODES
from tests.contract.test_mock_recording import desk_for, eie
from tests.support.registry import BASE, MockWorld, mock_world, sha

pytestmark = pytest.mark.anyio
LOGIN = f"{BASE}/auth/vaccinator/login"
CONFIRM = f"{BASE}/auth/vaccinator/confirmOTP"
SEARCH = f"{BASE}/vaccinator/beneficiaries/search"
RIGHT = {"username": "demo.north1", "password": "Train@2026"}


def actions(world: MockWorld, username: str) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in world.registry.state.audit if e.vaccinator == username]


def wrong_code(world: MockWorld, username: str = "demo.north1") -> str:
    right = {sha(world.registry.current_code(username))}
    return next(sha(f"{n:06d}") for n in range(10) if sha(f"{n:06d}") not in right)


# --- 1. wrong login codes ---------------------------------------------------------------------


async def test_a_brute_force_of_login_codes_is_stopped_after_n_wrong_codes(
        world: MockWorld) -> None:
    """With the password known, fresh transactions (each after a right password) do not
    buy more guesses: after N wrong codes in all, the account is locked."""
    answers = []
    for _ in range(MAX_WRONG_CODES):
        txn = (await world.client.post(LOGIN, json=RIGHT)).json()["txnId"]
        r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": wrong_code(world)})
        answers.append(r.json()["errorCode"])
    assert answers == ["USRAUT0014"] * (MAX_WRONG_CODES - 1) + ["USRAUT0002"]
    # Locked: even the right password and the right code get nowhere now.
    r = await world.client.post(LOGIN, json=RIGHT)
    assert (r.status_code, r.json()["errorCode"]) == (403, "USRAUT0002")
    log = actions(world, "demo.north1")
    assert log.count(("login code refused", "wrong code (1)")) == 1
    assert any(a == "account locked" and "wrong login codes" in d for a, d in log)


async def test_pending_login_transactions_die_with_the_lockout(world: MockWorld) -> None:
    spare = (await world.client.post(LOGIN, json=RIGHT)).json()["txnId"]
    for _ in range(MAX_WRONG_CODES):
        txn = (await world.client.post(LOGIN, json=RIGHT)).json()["txnId"]
        await world.client.post(CONFIRM, json={"txnId": txn, "otp": wrong_code(world)})
    r = await world.client.post(CONFIRM, json={
        "txnId": spare, "otp": sha(world.registry.current_code("demo.north1"))})
    assert r.status_code != 200


async def test_the_code_lockout_ends_and_a_full_login_clears_the_count(
        world: MockWorld) -> None:
    for _ in range(MAX_WRONG_CODES):
        txn = (await world.client.post(LOGIN, json=RIGHT)).json()["txnId"]
        await world.client.post(CONFIRM, json={"txnId": txn, "otp": wrong_code(world)})
    world.clock.advance(seconds=LOCKOUT.total_seconds())
    await world.login()  # works again
    account = world.registry.state.accounts["demo.north1"]
    assert (account.failed_codes, account.failed_logins) == (0, 0)


# --- 2. wrong passwords: bounded lockout, no username oracle ----------------------------------


async def test_the_password_lockout_is_bounded(world: MockWorld) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        await world.client.post(LOGIN, json={"username": "demo.north2", "password": "x"})
    r = await world.client.post(LOGIN, json={"username": "demo.north2",
                                             "password": "Train@2026"})
    assert r.json()["errorCode"] == "USRAUT0002"
    world.clock.advance(seconds=LOCKOUT.total_seconds() - 1)
    r = await world.client.post(LOGIN, json={"username": "demo.north2",
                                             "password": "Train@2026"})
    assert r.json()["errorCode"] == "USRAUT0002"
    world.clock.advance(seconds=1)
    await world.login("demo.north2")


@pytest.mark.parametrize("username", ["nobody", "demo.north1", "demo.locked"])
async def test_without_the_password_every_username_gets_the_same_answer(
        world: MockWorld, username: str) -> None:
    """Unknown, existing, locked by a supervisor or locked out: one answer, also after the
    lockout has been triggered."""
    seen = set()
    for _ in range(MAX_FAILED_LOGINS + 2):
        r = await world.client.post(LOGIN, json={"username": username, "password": "guess"})
        seen.add((r.status_code, r.json()["errorCode"], r.json()["error"],
                  tuple(sorted(set(r.headers) - {"x-request-id"}))))
    assert len(seen) == 1
    assert next(iter(seen))[:2] == (401, "USRAUT0001")


@pytest.mark.parametrize("password", ["Tráin@2026", "пароль", "密码🔑", "\x00"])
async def test_a_non_ascii_password_is_a_wrong_password(world: MockWorld, password: str
                                                        ) -> None:
    r = await world.client.post(LOGIN, json={"username": "demo.north1", "password": password})
    assert (r.status_code, r.json()["errorCode"]) == (401, "USRAUT0001")


async def test_wrong_passwords_and_lockouts_are_audited(world: MockWorld) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        await world.client.post(LOGIN, json={"username": "demo.south", "password": "x"})
    log = actions(world, "demo.south")
    assert log[0] == ("login refused", "wrong password (1)")
    assert log[-1][0] == "account locked"


# --- 3. OTP caps ------------------------------------------------------------------------------


@pytest.fixture
async def production() -> AsyncIterator[MockWorld]:
    async with mock_world(MockConfig(environment="production")) as w:
        yield w


async def test_one_mobile_gets_at_most_5_otps_an_hour_whoever_asks(production: MockWorld
                                                                  ) -> None:
    world = production
    answers = []
    for n in range(8):  # eight different vaccinators, one mobile
        auth = await world.login(f"trainee{n + 1:02d}")
        r = await world.client.post(SEARCH, json={"mobile": "9000000002"}, headers=auth)
        answers.append(r.status_code)
    assert answers == [200] * 5 + [429] * 3
    assert r.json()["errorCode"] == "RATLMT0002"
    assert 0 < int(r.headers["retry-after"]) <= 3600
    assert ("search refused", "OTP cap per mobile") in actions(world, "trainee08")
    world.clock.advance(hours=1)
    auth = await world.login("trainee08")
    r = await world.client.post(SEARCH, json={"mobile": "9000000002"}, headers=auth)
    assert r.status_code == 200


async def test_in_a_training_room_each_trainee_counts_their_own_otps_to_a_demo_mobile(
        world: MockWorld) -> None:
    """A room of trainees shares the demo mobiles: one trainee's practice does not spend the
    others' cap (each still meets it alone)."""
    for n in range(8):
        auth = await world.login(f"trainee{n + 1:02d}")
        r = await world.client.post(SEARCH, json={"mobile": "9000000002"}, headers=auth)
        assert r.status_code == 200, r.text
    codes = [(await world.client.post(SEARCH, json={"mobile": "9000000002"}, headers=auth)
              ).status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]


async def test_an_unregistered_mobile_is_capped_alike(world: MockWorld) -> None:
    """The cap is no oracle: a number nobody has is refused at the same count."""
    auth = await world.login()
    codes = [(await world.client.post(SEARCH, json={"mobile": "9876543210"}, headers=auth)
              ).json()["errorCode"] for _ in range(6)]
    assert codes == ["USRAUT0024"] * 5 + ["RATLMT0002"]


async def test_one_vaccinator_sends_a_bounded_number_of_otps_an_hour(world: MockWorld) -> None:
    cap = world.registry.config.otp_per_vaccinator_hour
    auth = await world.login()
    for n in range(cap):
        if n and n % 25 == 0:
            world.clock.advance(minutes=5)  # under the search limit, inside the hour
        r = await world.client.post(SEARCH, json={"mobile": f"98{n:08d}"}, headers=auth)
        assert r.json()["errorCode"] == "USRAUT0024", n
    r = await world.client.post(SEARCH, json={"mobile": "9000000003"}, headers=auth)
    assert (r.status_code, r.json()["errorCode"]) == (429, "RATLMT0003")
    assert int(r.headers["retry-after"]) > 0


async def test_a_steady_pace_under_the_short_window_still_raises_the_bulk_alert(
        world: MockWorld) -> None:
    short = world.registry.config.bulk_alert_distinct
    auth = await world.login()
    for n in range(world.registry.config.bulk_alert_distinct_hour):
        if n and n % (short - 1) == 0:
            world.clock.advance(minutes=5)  # 19 people per 5-minute window
        await world.client.post(SEARCH, json={"beneficiary_reference_id": f"1234{n:010d}"},
                                headers=auth)
    alerts = [d for a, d in actions(world, "demo.north1") if a == "alert"]
    assert alerts == ["40 different beneficiaries searched within an hour"]


# --- 4. idempotent replay ---------------------------------------------------------------------


async def test_a_replay_needs_a_live_consent(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    first = await desk.vaccinate("99990000000002", "key-replay-1")
    assert first.status_code == 201
    again = await desk.vaccinate("99990000000002", "key-replay-1")
    assert again.json() == first.json()
    world.clock.advance(hours=11)
    desk.auth = await world.login()
    r = await desk.vaccinate("99990000000002", "key-replay-1")
    assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0001")
    assert "beneficiary" not in r.json()
    log = actions(world, "demo.north1")
    assert ("vaccinate replayed", "same Idempotency-Key") in log
    assert ("access refused", "no live consent") in log


async def test_a_replay_after_logout_is_refused(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    await desk.vaccinate("99990000000002", "key-replay-2")
    await world.client.post(f"{BASE}/auth/vaccinator/logout", headers=desk.auth)
    desk.auth = await world.login()
    r = await desk.vaccinate("99990000000002", "key-replay-2")
    assert (r.status_code, r.json()["errorCode"]) == (403, "CONSNT0001")
    # The session summary still tells the app whether the dose was recorded.
    sid = desk.sessions["COVISHIELD"]
    r = await world.client.get(f"{BASE}/vaccinator/sessions/{sid}/summary", headers=desk.auth)
    assert len(r.json()["my_records"]) == 1


async def test_a_replay_by_another_vaccinator_records_nothing_of_the_first(
        world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    first = (await desk.vaccinate("99990000000002", "key-replay-3")).json()
    other = await desk_for(world, "9000000001", "demo.north2")
    r = await other.vaccinate("99990000000002", "key-replay-3")
    assert r.json().get("vaccination_id") != first["vaccination_id"]


# --- 5. no existence or dose-count oracle -----------------------------------------------------


async def test_vaccination_ids_say_nothing_about_the_person(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    new = (await desk.vaccinate("99990000000002")).json()["vaccination_id"]
    ids = [d.vaccination_id for d in world.registry.state.people["99990000000002"].doses]
    assert new in ids
    for vaccination_id in ids:
        assert "99990000000002" not in vaccination_id
        assert len(vaccination_id) == 36  # a uuid4


async def test_not_yours_and_does_not_exist_are_one_answer(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    theirs = (await desk.vaccinate("99990000000002")).json()["vaccination_id"]
    other = await desk_for(world, "9000000001", "demo.south")
    answers = set()
    for vaccination_id in (theirs, "00000000-0000-4000-8000-000000000000"):
        for path in ("entered-in-error", "aefi"):
            body = ({"reason": "wrong batch"} if path == "entered-in-error" else
                    {"reaction": "fever", "seriousness": "minor", "onset": 10,
                     "onset_unit": "minutes"})
            r = await world.client.post(
                f"{BASE}/vaccinator/vaccinations/{vaccination_id}/{path}", json=body,
                headers=other.auth)
            answers.add((path, r.status_code, r.json()["errorCode"]))
    assert answers == {("entered-in-error", 404, "VACCIN0001"), ("aefi", 404, "VACCIN0001")}
    assert ("entered-in-error refused", "no such vaccination") in actions(world, "demo.south")


async def test_probing_vaccination_ids_is_limited(world: MockWorld) -> None:
    desk = await desk_for(world, "9000000002")
    limit = world.registry.config.probes_per_window
    codes = [(await eie(desk, f"probe-{n:04d}")).json()["errorCode"] for n in range(limit + 1)]
    assert codes == ["VACCIN0001"] * limit + ["RATLMT0001"]


# --- 6, 8. body limits, Allow -----------------------------------------------------------------


async def test_a_streamed_body_is_cut_off_at_the_limit(world: MockWorld) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(512):  # 512 MiB if the server read it all
            sent += 1
            yield b" " * (1 << 20)

    r = await world.client.post(LOGIN, content=endless(),
                                headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["errorCode"]) == (413, "REQVAL0002")
    assert sent <= 2


async def test_a_declared_oversized_body_is_refused_before_reading(world: MockWorld) -> None:
    r = await world.client.post(LOGIN, content=b"{}",
                                headers={"Content-Length": str(10**9)})
    assert (r.status_code, r.json()["errorCode"]) == (413, "REQVAL0002")


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/training/faults", {"GET", "HEAD", "PUT"}),
    ("GET", "/auth/vaccinator/login", {"POST"}),
    ("POST", "/meta", {"GET", "HEAD"}),
])
async def test_405_says_what_is_allowed(world: MockWorld, method: str, path: str,
                                        allow: set[str]) -> None:
    r = await world.client.request(method, BASE + path)
    assert (r.status_code, r.json()["errorCode"]) == (405, "METHOD0001")
    assert {m.strip() for m in r.headers["allow"].split(",")} == allow


# --- 7. stale transactions ----------------------------------------------------------------


async def test_stale_transactions_are_purged_on_each_new_one(world: MockWorld) -> None:
    auth = await world.login()
    for _ in range(3):
        await world.client.post(LOGIN, json=RIGHT)
        await world.client.post(SEARCH, json={"mobile": "9000000002"}, headers=auth)
    world.clock.advance(minutes=4)
    await world.client.post(LOGIN, json=RIGHT)
    await world.client.post(SEARCH, json={"mobile": "9000000001"}, headers=auth)
    assert len(world.registry.state.login_txns) == 1
    assert len(world.registry.state.beneficiary_txns) == 1


# --- 9. where the document and the server disagreed (schemathesis) --------------------------


async def test_a_whole_number_written_as_a_float_is_that_number(world: MockWorld) -> None:
    """JSON has one kind of number: `"dose": 2.0` is dose 2; 2.5 and "2" are still refused."""
    desk = await desk_for(world, "9000000002")
    assert (await desk.vaccinate("99990000000002", "key-float-1", dose=2.5)).status_code == 400
    assert (await desk.vaccinate("99990000000002", "key-float-2", dose="2")).status_code == 400
    assert (await desk.vaccinate("99990000000002", "key-float-3", dose=5.0)).status_code == 400
    r = await desk.vaccinate("99990000000002", "key-float-4", dose=2.0)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("path", ["search", "confirmOTP"])
async def test_a_fixed_path_is_not_read_as_a_reference(world: MockWorld, path: str) -> None:
    auth = await world.login()
    r = await world.client.get(f"{BASE}/vaccinator/beneficiaries/{path}", headers=auth)
    assert (r.status_code, r.headers["allow"]) == (405, "POST")


async def test_a_well_formed_day_that_does_not_exist_has_no_sessions(world: MockWorld) -> None:
    auth = await world.login()
    for day, status in (("00-00-0000", 200), ("31-02-2026", 200), ("2026-11-28", 400)):
        r = await world.client.get(f"{BASE}/vaccinator/sessions", params={"date": day},
                                   headers=auth)
        assert r.status_code == status, day
        if status == 200:
            assert r.json() == {"sessions": []}


def test_the_document_says_a_search_names_exactly_one_target() -> None:
    import jsonschema_rs  # schemathesis's own validator

    from api_client.openapi import build

    schema = {"$ref": "#/components/schemas/SearchRequest",
              "components": build()["components"]}
    valid = jsonschema_rs.Draft202012Validator(schema).is_valid
    assert valid({"mobile": "9000000002"})
    assert valid({"beneficiary_reference_id": "99990000000002", "mobile": None})
    for body in ({}, {"mobile": None},
                 {"mobile": "9000000002", "beneficiary_reference_id": "99990000000002"}):
        assert not valid(body), body


async def test_every_refusal_is_audited(world: MockWorld) -> None:
    """Refusals no handler words itself still leave an entry: which call, which code."""
    desk = await desk_for(world, "9000000002")
    audit = world.registry.state.audit
    before = len(audit)
    r = await desk.vaccinate("99990000000002", vaccine_batch="SYN-CS-0119")  # expired batch
    assert r.status_code >= 400
    r = await desk.vaccinate("99990000000002", id_verified=False)
    assert r.json()["errorCode"] == "IDCHK0001"
    r = await world.client.get(f"{BASE}/vaccinator/sessions/no-such/summary", headers=desk.auth)
    assert r.json()["errorCode"] == "SESSN0001"
    r = await world.client.get(f"{BASE}/vaccinator/sessions")  # no token at all
    assert r.status_code == 401
    new = [(e.vaccinator, e.action, e.detail) for e in audit[before:]]
    assert ("demo.north1", "vaccinate refused", "IDCHK0001") in new
    assert ("demo.north1", "summary refused", "SESSN0001") in new
    assert ("", "sessions refused", "no valid login token") in new
    assert len(new) == 4
