from __future__ import annotations

import os
import subprocess
import sys

from keyring.backends import fail

from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialStore
from vaxterm.forget import forget, stores_to_forget
from vaxterm.settings import LoginSettings, ServerSettings, Settings

SETTINGS = Settings(server=ServerSettings(url="https://registry.example/api/v2"),
                    login=LoginSettings(username="demo.north1"))


def test_forget_removes_the_stored_password() -> None:
    keyring = MemoryKeyring()
    store = CredentialStore("registry.example", ENCRYPTED_BACKENDS | {MEMORY_BACKEND}, keyring)
    store.set("demo.north1", "Train@2026")
    assert forget(SETTINGS, [store]) == (
        0, "the password stored for demo.north1 on this workstation was removed")
    assert keyring.store == {}
    assert forget(SETTINGS, [store]) == (
        0, "no password was stored for demo.north1 on this workstation")


def test_forget_explains_an_unusable_keyring_and_a_missing_username() -> None:
    code, line = forget(SETTINGS, [CredentialStore("registry.example", backend=fail.Keyring())])
    assert code == 2 and "No secure keyring on this computer" in line
    code, line = forget(Settings())
    assert code == 2 and "vaxterm forget --user NAME" in line


def test_forget_covers_the_stores_a_mock_run_and_a_server_run_save_to() -> None:
    keyring = MemoryKeyring()
    options = {"allowed": ENCRYPTED_BACKENDS | {MEMORY_BACKEND}, "backend": keyring}
    for mock in (True, False):  # the stores `vaxterm --mock` and `vaxterm --server` use
        CredentialStore.for_server(SETTINGS.server.url, mock=mock, **options).set(
            "demo.north1", "Train@2026")
    assert len(keyring.store) == 2
    assert forget(SETTINGS, stores_to_forget(SETTINGS, **options))[0] == 0
    assert keyring.store == {}


def test_the_command_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vaxterm", "forget"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "VAXTERM_LOGIN__USERNAME": "demo.north1",
             "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 2
    assert "No secure keyring on this computer" in result.stderr
    assert "keyring.backends" not in result.stderr
