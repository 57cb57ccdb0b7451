"""The mock's codes and references are new on every start, so a class cannot learn them and
two laptops do not share them; a fixed seed (tests, snapshots) repeats them, only when asked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api_client.mock import MockConfig
from api_client.mock.registry import SEED_ENV, chosen_seed
from tests.support.loopback import free_port
from tests.support.registry import BASE, MockWorld, mock_world

pytestmark = pytest.mark.anyio


async def first_start(config: MockConfig | None = None) -> tuple[str, str, str, str]:
    """What a class sees first on a fresh mock: the first OTP, the certificate number and
    vaccination id of the first dose, and the first support reference."""
    async with mock_world(config) as world:
        auth = await world.login()
        reference = (await world.client.get(f"{BASE}/meta")).headers["x-request-id"]
        consent = await world.consent(auth, mobile="9000000002")
        otp = world.registry.state.sms[0][1].otp
        dose = await record(world, auth, consent)
        link = world.registry.state.certificates[-1][1].link  # the number, in the SMS link
        return otp, link, dose["vaccination_id"], reference


async def record(world: MockWorld, auth: dict[str, str], consent: dict[str, object]
                 ) -> dict[str, str]:
    session = await world.session_id(auth, "COVISHIELD")
    r = await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)
    batch = next(s for s in r.json()["sessions"] if s["session_id"] == session)["batches"]
    reference = "99990000000002"
    r = await world.client.post(
        f"{BASE}/vaccinator/beneficiaries/{reference}/vaccinate",
        headers={**auth, "X-Consent-Token": str(consent["consent_token"]),
                 "Idempotency-Key": "00000000-0000-4000-8000-000000000001"},
        json={"session_id": session, "vaccine": "COVISHIELD", "dose": 2, "id_verified": True,
              "vaccine_batch": next(b["vaccine_batch"] for b in batch
                                    if b["vaccine_batch"] == "SYN-CS-0425")})
    assert r.status_code == 201, r.text
    answer: dict[str, str] = r.json()
    return answer


async def test_two_starts_without_a_seed_draw_different_codes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SEED_ENV)
    one, two = await first_start(), await first_start()
    otp, certificate, vaccination, reference = (a != b for a, b in zip(one, two, strict=True))
    assert otp, "the first OTP repeated across starts"
    assert certificate and vaccination and reference


async def test_the_same_seed_repeats_them(monkeypatch: pytest.MonkeyPatch) -> None:
    def seeded(start: tuple[str, str, str, str]) -> tuple[str, str, str]:
        otp, certificate, _vaccination_id, reference = start  # ids are uuid4: never seeded
        return otp, certificate, reference

    assert seeded(await first_start(MockConfig(seed=7))) == seeded(
        await first_start(MockConfig(seed=7)))
    assert seeded(await first_start(MockConfig(seed=7))) != seeded(
        await first_start(MockConfig(seed=8)))
    monkeypatch.setenv(SEED_ENV, "7")  # how the test suite and snapshots ask
    assert (await first_start())[0] == (await first_start(MockConfig(seed=7)))[0]


async def test_a_reset_draws_new_codes_too(world: MockWorld) -> None:
    """Within one run, a reset restores the people but does not restart the codes."""
    auth = await world.login()
    await world.consent(auth, mobile="9000000002")
    before = world.registry.state.sms[-1][1].otp
    last4 = world.registry.state.people["99990000000002"].photo_id_last4
    world.registry.reset()
    auth = await world.login()
    await world.consent(auth, mobile="9000000002")
    assert world.registry.state.sms[-1][1].otp != before
    assert world.registry.state.people["99990000000002"].photo_id_last4 == last4


def test_a_seed_that_is_not_a_number_is_named() -> None:
    with pytest.raises(ValueError, match="VAXTERM_MOCK_SEED must be a whole number"):
        chosen_seed(None, {SEED_ENV: "seven"})
    assert chosen_seed(None, {SEED_ENV: " 42 "}) == 42
    assert chosen_seed(3, {SEED_ENV: "42"}) == 3
    assert chosen_seed(None, {}) != chosen_seed(None, {})


@pytest.mark.loopback
def test_mock_server_refuses_a_bad_seed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vaxterm", "mock-server", "--port", str(free_port())],
        capture_output=True, text=True, timeout=30, env={**os.environ, SEED_ENV: "seven"})
    assert done.returncode == 2
    assert "VAXTERM_MOCK_SEED must be a whole number" in done.stderr
