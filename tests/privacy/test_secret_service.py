"""The password in the real Secret Service (gnome-keyring on a private D-Bus session): stored
on opt-in, encrypted on disk, removed by `vaxterm forget`.

`.ci/run` installs gnome-keyring; on a machine without it the test is skipped, except in CI,
where a missing keyring daemon is a failure rather than a silent skip."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.leaks import find_leaks

pytestmark = pytest.mark.secret_service

PASSWORD = "Kx7-synthetic-Passw0rd!"  # synthetic, like every value in the tests
UNLOCK = "unlock-the-test-keyring"  # the login keyring's own password, also synthetic
USERNAME = "demo.north1"


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is missing: install gnome-keyring and dbus (see .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _session(home: Path, steps: list[list[str]]) -> list[tuple[str, int]]:
    """Start a private D-Bus session, unlock a fresh gnome-keyring in it, run each step and
    return each step's output and exit code. Everything the keyring writes lands under `home`."""
    _need("gnome-keyring-daemon")
    runtime = home / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_RUNTIME_DIR": str(runtime), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "LANG": "C.UTF-8", "UNLOCK": UNLOCK,
           "PYTHONPATH": str(Path(__file__).parents[2]),
           "VAXTERM_CONFIG_DIR": str(home / "vaxterm"),
           "VAXTERM_LOGIN__USERNAME": USERNAME,
           "VAXTERM_SERVER__URL": "https://registry.example/api/v2"}
    script = ['printf %s "$UNLOCK" | gnome-keyring-daemon --unlock --components=secrets '
              '>/dev/null || exit 90']
    for step in steps:
        script.append(" ".join(f"'{part}'" for part in step) + "; echo \"<<$?>>\"")
    done = subprocess.run([_need("dbus-run-session"), "--", "sh", "-c", "\n".join(script)],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    results, lines = [], []
    for line in done.stdout.splitlines():
        marker = re.fullmatch(r"<<(\d+)>>", line)
        if marker:
            results.append(("\n".join(lines), int(marker.group(1))))
            lines = []
        else:
            lines.append(line)
    return results


def probe(step: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "tests.support.keyring_probe", step, USERNAME, *args]


def forget() -> list[str]:
    return [sys.executable, "-m", "vaxterm", "forget"]


def test_the_password_round_trips_encrypted_and_forget_removes_it(tmp_path: Path) -> None:
    results = _session(tmp_path, [
        probe("store", PASSWORD),  # the vaccinator ticked "remember"
        probe("read"),             # a later start of the app, in a new process
        forget(),
        probe("read"),
        forget(),
    ])
    assert [code for _, code in results] == [0] * 5
    stored, read_again, forgot, after, forgot_again = (output for output, _ in results)
    assert json.loads(stored) == {"usable": True, "read": PASSWORD,
                                  "backend": "keyring.backends.SecretService.Keyring"}
    assert json.loads(read_again)["read"] == PASSWORD
    assert forgot == f"vaxterm: the password stored for {USERNAME} on this workstation was removed"
    assert json.loads(after) == {"usable": True, "read": None,
                                 "backend": "keyring.backends.SecretService.Keyring"}
    assert forgot_again == f"vaxterm: no password was stored for {USERNAME} on this workstation"


def test_forget_removes_what_a_mock_run_and_a_server_run_saved(tmp_path: Path) -> None:
    results = _session(tmp_path, [
        probe("store", PASSWORD, "--mock"),  # saved while training on `vaxterm --mock`
        probe("store", PASSWORD),            # saved against the configured registry
        forget(),
        probe("read", "", "--mock"),
        probe("read"),
    ])
    assert [code for _, code in results] == [0] * 5
    assert results[2][0] == (f"vaxterm: the password stored for {USERNAME} on this "
                             "workstation was removed")
    assert json.loads(results[3][0])["read"] is None
    assert json.loads(results[4][0])["read"] is None


def test_the_keyring_file_never_holds_the_password_in_clear(tmp_path: Path) -> None:
    [(stored, code)] = _session(tmp_path, [probe("store", PASSWORD)])
    assert code == 0 and json.loads(stored)["read"] == PASSWORD
    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.suffix == ".keyring" for p in written), written  # the keyring did write
    assert find_leaks([tmp_path], [PASSWORD]) == []
