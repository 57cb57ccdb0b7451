"""Contract of the vaccinator login endpoints, every success and error path."""

from __future__ import annotations

import pytest

from api_client.mock.accounts import MAX_FAILED_LOGINS
from tests.support.registry import BASE, MockWorld, sha

pytestmark = pytest.mark.anyio
LOGIN = f"{BASE}/auth/vaccinator/login"
CONFIRM = f"{BASE}/auth/vaccinator/confirmOTP"


async def start_login(world: MockWorld, username: str = "demo.north1") -> str:
    r = await world.client.post(LOGIN, json={"username": username, "password": "Train@2026"})
    assert r.status_code == 200
    txn: str = r.json()["txnId"]
    return txn


async def test_login_with_password_and_totp_gives_a_15_minute_token(world: MockWorld) -> None:
    txn = await start_login(world)
    code = world.registry.current_code("demo.north1")
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    assert r.status_code == 200
    body = r.json()
    assert body["expires_in"] == 900
    assert body["user"] == {"username": "demo.north1", "name": "Demo Vaccinator North One",
                            "centre_id": 100001, "centre_name": "Demo PHC North (training)"}
    assert r.headers["x-request-id"]


@pytest.mark.parametrize(("username", "password", "status", "code"), [
    ("demo.north1", "wrong", 401, "USRAUT0001"),
    ("nobody", "Train@2026", 401, "USRAUT0001"),
    ("demo.locked", "Locked@2026", 403, "USRAUT0002"),
])
async def test_wrong_password_and_locked_account_are_distinct(
        world: MockWorld, username: str, password: str, status: int, code: str) -> None:
    r = await world.client.post(LOGIN, json={"username": username, "password": password})
    assert (r.status_code, r.json()["errorCode"]) == (status, code)


async def test_repeated_wrong_passwords_lock_the_account(world: MockWorld) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        r = await world.client.post(LOGIN, json={"username": "demo.north2", "password": "x"})
        assert r.json()["errorCode"] == "USRAUT0001"
    r = await world.client.post(LOGIN, json={"username": "demo.north2",
                                             "password": "Train@2026"})
    assert r.json()["errorCode"] == "USRAUT0002"


@pytest.mark.parametrize("body", [
    {}, {"username": "demo.north1"}, {"username": "", "password": "x"},
    {"username": "demo.north1", "password": "Train@2026", "role": "admin"},
    {"username": 7, "password": "x"},
])
async def test_malformed_login_is_400_with_error_code(world: MockWorld, body: object) -> None:
    r = await world.client.post(LOGIN, json=body)
    assert (r.status_code, r.json()["errorCode"]) == (400, "REQVAL0001")


async def test_wrong_code_counts_down_then_kills_the_transaction(world: MockWorld) -> None:
    txn = await start_login(world)
    for left in (2, 1, 0):
        r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha("000000")})
        assert (r.status_code, r.json()["errorCode"], r.json()["tries_left"]) == (
            400, "USRAUT0014", left)
    code = world.registry.current_code("demo.north1")
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    assert r.json()["errorCode"] == "USRAUT0015"


async def test_login_code_expires_after_3_minutes(world: MockWorld) -> None:
    txn = await start_login(world)
    world.clock.advance(minutes=3, seconds=1)
    code = world.registry.current_code("demo.north1")
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    assert r.json()["errorCode"] == "USRAUT0015"


async def test_a_totp_code_works_once(world: MockWorld) -> None:
    code = world.registry.current_code("demo.north1")
    first = await start_login(world)
    assert (await world.client.post(CONFIRM, json={"txnId": first, "otp": sha(code)})
            ).status_code == 200
    second = await start_login(world)
    r = await world.client.post(CONFIRM, json={"txnId": second, "otp": sha(code)})
    assert r.json()["errorCode"] == "USRAUT0014"


async def test_a_plain_otp_is_refused_it_must_be_hashed(world: MockWorld) -> None:
    txn = await start_login(world)
    code = world.registry.current_code("demo.north1")
    r = await world.client.post(CONFIRM, json={"txnId": txn, "otp": code})
    assert r.json()["errorCode"] == "REQVAL0001"


async def test_token_expires_after_15_minutes_with_bare_text_401(world: MockWorld) -> None:
    auth = await world.login()
    world.clock.advance(minutes=15)
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    assert (r.status_code, r.text) == (401, "Unauthenticated access!")


async def test_renew_replaces_the_token(world: MockWorld) -> None:
    auth = await world.login()
    world.clock.advance(minutes=10)
    r = await world.client.post(f"{BASE}/auth/vaccinator/renew", headers=auth)
    assert r.status_code == 200 and r.json()["expires_in"] == 900
    old = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    new = await world.client.get(f"{BASE}/vaccinator/sessions",
                                 headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert (old.status_code, new.status_code) == (401, 200)


async def test_renewal_never_reaches_past_12_hours(world: MockWorld) -> None:
    auth = await world.login()  # moves the clock 30 s past the login
    renewals = 0
    while True:
        world.clock.advance(minutes=14)
        r = await world.client.post(f"{BASE}/auth/vaccinator/renew", headers=auth)
        if r.status_code != 200:
            break
        renewals += 1
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        assert renewals < 100, "renewal must stop at the 12-hour limit"
    assert (r.status_code, r.json()["errorCode"]) == (403, "USRAUT0031")
    assert renewals == 50  # 51 x 14 min + 15 min > 12 h


async def test_logout_kills_the_token(world: MockWorld) -> None:
    auth = await world.login()
    r = await world.client.post(f"{BASE}/auth/vaccinator/logout", headers=auth)
    assert r.json() == {"status": "logged out"}
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    assert r.status_code == 401


@pytest.mark.parametrize("path", ["/auth/vaccinator/renew", "/auth/vaccinator/logout"])
async def test_renew_and_logout_need_a_token(world: MockWorld, path: str) -> None:
    r = await world.client.post(BASE + path, headers={"Authorization": "Bearer nonsense"})
    assert (r.status_code, r.text) == (401, "Unauthenticated access!")


async def test_the_same_code_sent_again_recovers_a_lost_answer(world: MockWorld) -> None:
    """A code's answer lost on the way: the same code for the same transaction, within the
    code's life, gets the same token; any other code, a later time or a logout does not."""
    txn = await start_login(world)
    code = world.registry.current_code("demo.north1")
    first = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    again = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    assert again.status_code == 200 and again.json() == first.json()
    other = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha("000000")})
    assert other.json()["errorCode"] == "USRAUT0015"
    world.clock.advance(minutes=3, seconds=1)
    late = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    assert late.json()["errorCode"] == "USRAUT0015"


async def test_no_token_comes_back_for_a_code_after_logout(world: MockWorld) -> None:
    txn = await start_login(world)
    code = world.registry.current_code("demo.north1")
    token = (await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
             ).json()["token"]
    await world.client.post(f"{BASE}/auth/vaccinator/logout",
                            headers={"Authorization": f"Bearer {token}"})
    again = await world.client.post(CONFIRM, json={"txnId": txn, "otp": sha(code)})
    assert again.json()["errorCode"] == "USRAUT0015"
