"""The trainer's authority over a training room: resetting it and switching its scenarios
need the room key `vaxterm mock-server` prints; without it the server refuses, changes
nothing and its live log says who tried. The room's log names who reset it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from api_client.mock import MockConfig
from tests.contract.test_mock_server_command import Server
from tests.support.loopback import free_port
from tests.support.registry import BASE, MockWorld, mock_world, sha
from vaxterm.mock_server import live_line, new_room_key
from vaxterm.scenarios import room_key_problem

pytestmark = pytest.mark.anyio
KEY = "room-key-for-tests"


@pytest.fixture
async def room() -> Iterator[MockWorld]:
    async with mock_world(MockConfig(room_key=KEY)) as w:
        yield w


async def test_a_trainee_cannot_reset_the_room(room: MockWorld) -> None:
    trainee = await room.login("trainee03")
    await room.consent(trainee, mobile="9000000002")
    before = room.registry.fingerprint()
    for headers in ({}, {"X-Room-Key": "guessed-key"}, {**trainee},
                    {**trainee, "X-Room-Key": KEY.upper()}):
        r = await room.client.post(f"{BASE}/training/reset", headers=headers)
        assert r.status_code == 403, headers
        assert r.json()["errorCode"] == "TRAIN0002"
        assert "room key" in r.json()["error"]
    assert room.registry.fingerprint() == before
    refused = [e for e in room.registry.state.audit if e.action == "trainer refused"]
    assert [e.vaccinator for e in refused] == ["not signed in", "not signed in",
                                               "trainee03", "trainee03"]
    assert refused[0].detail == "reset: no room key"
    assert refused[1].detail == "reset: wrong room key"


async def test_a_trainee_cannot_switch_the_scenario(room: MockWorld) -> None:
    r = await room.client.put(f"{BASE}/training/faults", json={"down": True})
    assert (r.status_code, r.json()["errorCode"]) == (403, "TRAIN0002")
    assert room.registry.state.faults.down is False
    r = await room.client.get(f"{BASE}/meta")
    assert r.status_code == 200  # the room still works


async def test_the_trainer_with_the_key_resets_and_the_log_names_them(room: MockWorld) -> None:
    pristine = room.registry.fingerprint()
    trainee = await room.login("trainee03")
    await room.consent(trainee, mobile="9000000002")
    r = await room.client.post(f"{BASE}/training/reset", headers={"X-Room-Key": KEY})
    assert r.status_code == 200 and r.json() == {"status": "reset"}
    assert room.registry.fingerprint() == pristine
    assert [(e.vaccinator, e.action) for e in room.registry.state.audit] == [
        ("trainer", "room reset")]
    # Signed in with the key: the log names the account, not a person.
    trainer = await room.login("demo.north2")
    r = await room.client.put(f"{BASE}/training/faults", json={"down": True},
                              headers={**trainer, "X-Room-Key": KEY})
    assert r.status_code == 200 and room.registry.state.faults.down
    entry = room.registry.state.audit[-1]
    assert (entry.vaccinator, entry.action, entry.detail) == (
        "demo.north2", "scenario", "server down")
    line = live_line(entry)
    assert line is not None and "demo.north2" in line and "set the scenario" in line


async def test_the_mock_of_one_laptop_asks_no_key(world: MockWorld) -> None:
    """`--mock`: no one else can reach it, the person at the keyboard is the trainer."""
    r = await world.client.post(f"{BASE}/training/reset")
    assert r.status_code == 200
    assert world.registry.state.audit[-1].action == "room reset"


def test_room_keys_are_new_each_start_and_typeable() -> None:
    keys = {new_room_key() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", key)
        assert not set(key) & set("01ilo")
        assert room_key_problem(key) == ""
    assert room_key_problem("short") and room_key_problem("has a space")
    assert room_key_problem("ключ-комнаты")


# --- the real `vaxterm mock-server`, as a trainer runs it -------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[Server, str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vaxterm", "mock-server", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server = Server(process, f"http://127.0.0.1:{port}/api/v2")
    try:
        key = server.wait_for("Room key").split()[-1]
        server.wait_for("Live log:")
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{server.base}/meta", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield server, key
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.mark.loopback
def test_mock_server_prints_a_key_and_only_its_holder_resets(
        served: tuple[Server, str]) -> None:
    server, key = served
    assert room_key_problem(key) == ""
    with httpx.Client(base_url=server.base, timeout=5) as client:
        codes = {a["username"]: a["current_code"]
                 for a in client.get("/training/accounts").json()["accounts"]}
        txn = client.post("/auth/vaccinator/login",
                          json={"username": "trainee05", "password": "Train@2026"}).json()
        token = client.post("/auth/vaccinator/confirmOTP", json={
            "txnId": txn["txnId"], "otp": sha(codes["trainee05"])}).json()["token"]
        trainee = {"Authorization": f"Bearer {token}"}
        r = client.post("/training/reset", headers=trainee)
        assert (r.status_code, r.json()["errorCode"]) == (403, "TRAIN0002")
        line = server.wait_for("refused, trainer only")
        assert "trainee05" in line and "reset: no room key" in line
        r = client.put("/training/faults", json={"rate_limited": True}, headers=trainee)
        assert r.status_code == 403
        r = client.post("/training/reset", headers={**trainee, "X-Room-Key": key})
        assert r.status_code == 200
        line = server.wait_for("RESET THE ROOM")
        assert "trainee05" in line
        assert key not in line and token not in line
        r = client.put("/training/faults", json={"rate_limited": True},
                       headers={"X-Room-Key": key})
        assert r.status_code == 200
        line = server.wait_for("set the scenario")
        assert "trainer" in line and "searches rate limited" in line


@pytest.mark.loopback
def test_mock_server_takes_the_trainers_own_key() -> None:
    too_short = subprocess.run(
        [sys.executable, "-m", "vaxterm", "mock-server", "--port", str(free_port()),
         "--room-key", "abc"], capture_output=True, text=True, timeout=30)
    assert too_short.returncode == 2
    assert "--room-key must have at least 8 characters" in too_short.stderr
