"""`vaxterm mock-server` as a trainer runs it: on loopback, a live redacted log of the room,
stopped cleanly with Ctrl+C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.loopback import free_port
from tests.support.registry import sha

pytestmark = pytest.mark.loopback


class Server:
    def __init__(self, process: subprocess.Popen[str], base: str) -> None:
        self.process, self.base = process, base
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if text in line:
                return line
        raise AssertionError(f"{text!r} never printed")


@pytest.fixture
def server() -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vaxterm", "mock-server", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    srv = Server(process, f"http://127.0.0.1:{port}/api/v2")
    try:
        srv.wait_for("Live log:")
        deadline = time.monotonic() + 15
        while True:  # answering, as when the trainer sees it running
            try:
                httpx.get(f"{srv.base}/meta", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield srv
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_live_log_follows_the_room_without_personal_data(server: Server) -> None:
    with httpx.Client(base_url=server.base, timeout=5) as client:
        codes = {a["username"]: a["current_code"]
                 for a in client.get("/training/accounts").json()["accounts"]}
        txn = client.post("/auth/vaccinator/login",
                          json={"username": "trainee07", "password": "Train@2026"}).json()
        token = client.post("/auth/vaccinator/confirmOTP", json={
            "txnId": txn["txnId"], "otp": sha(codes["trainee07"])}).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        assert "trainee07" in server.wait_for("signed in")
        found = client.post("/vaccinator/beneficiaries/search",
                            json={"mobile": "9000000002"}).json()
        otp = next(s["otp"] for s in client.get("/training/sms-inbox").json()["messages"]
                   if s["txnId"] == found["txnId"])
        sent = server.wait_for("OTP sent")
        consent = client.post("/vaccinator/beneficiaries/confirmOTP",
                              json={"txnId": found["txnId"], "otp": sha(otp)}).json()
        session = next(s for s in client.get("/vaccinator/sessions").json()["sessions"])
        name = consent["beneficiaries"][0]["name"]
        r = client.post("/vaccinator/beneficiaries/99990000000002/vaccinate",
                        headers={"X-Consent-Token": consent["consent_token"],
                                 "Idempotency-Key": "room-test-0001"},
                        json={"session_id": session["session_id"], "vaccine": session["vaccine"],
                              "vaccine_batch": session["batches"][0]["vaccine_batch"],
                              "dose": 2, "id_verified": True})
    recorded = server.wait_for("recorded" if r.status_code == 201 else "refused")
    assert "ref 0002" in recorded
    for line in (sent, recorded):
        for secret in ("9000000002", "99990000000002", name, otp, token[:12]):
            assert secret not in line


def test_ctrl_c_stops_the_server_cleanly(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    assert server.wait_for("mock registry stopped.")
