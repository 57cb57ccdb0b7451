"""The command line refuses what it cannot honour, says why in one line, exits 2, and never
echoes a pasted address whole (it may carry a password or a token)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.unit.test_cli import vaxterm
from vaxterm.forget import forget, username_to_forget
from vaxterm.settings import LoginSettings, Settings

SECRET_URLS = [
    "ftp://trainer:s3cret@room.example/api/v2?token=abc123#frag",
    "http://trainer:s3cret@[::1/api/v2?token=abc123",  # not even parseable
    "https://trainer:s3cret@registry.example:99999/api/v2?token=abc123",  # port out of range
]


def test_mock_and_server_together_are_refused() -> None:
    result = vaxterm("--mock", "--server", "http://127.0.0.1:8080/api/v2")
    assert result.returncode == 2
    assert "--mock" in result.stderr and "--server" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("url", SECRET_URLS)
def test_a_bad_address_on_the_command_line_is_not_echoed_whole(url: str) -> None:
    result = vaxterm("--server", url)
    assert result.returncode == 2
    assert "is not a registry address" in result.stderr
    for secret in ("s3cret", "abc123", "frag", "trainer"):
        assert secret not in result.stderr + result.stdout


@pytest.mark.parametrize("url", SECRET_URLS[:1])
def test_a_bad_address_in_the_settings_is_not_echoed_whole(url: str, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'[server]\nurl = "{url}"\n')
    result = vaxterm(env={"VAXTERM_CONFIG_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "ftp://room.example/api/v2 is not a registry address" in result.stderr
    assert "s3cret" not in result.stderr and "abc123" not in result.stderr


def test_the_log_folder_variable_does_not_stop_the_program(tmp_path: Path) -> None:
    result = vaxterm("forget", "--user", "demo.north1",
                     env={"VAXTERM_LOG_DIR": str(tmp_path / "logs"),
                          "VAXTERM_CONFIG_DIR": str(tmp_path / "config"),
                          "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert "VAXTERM_LOG_DIR" not in result.stderr
    assert "No secure keyring on this computer" in result.stderr  # it got as far as the keyring


# --- vaxterm forget without a configured username ------------------------------------------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_forget_takes_the_username_from_user_then_settings_then_the_terminal() -> None:
    configured = Settings(login=LoginSettings(username="demo.north2"))
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return " demo.south \n"

    assert username_to_forget(configured, "demo.north1", stdin=Tty(), ask=ask) == "demo.north1"
    assert username_to_forget(configured, "", stdin=Tty(), ask=ask) == "demo.north2"
    assert not asked
    assert username_to_forget(Settings(), "", stdin=Tty(), ask=ask) == "demo.south"
    assert asked and "Username" in asked[0]
    # No terminal (a script): nothing asked, and forget says what to pass.
    assert username_to_forget(Settings(), "", stdin=io.StringIO(), ask=ask) == ""
    code, line = forget(Settings(), [], username="")
    assert code == 2 and "vaxterm forget --user NAME" in line


def test_forget_with_user_runs_without_a_config_file(tmp_path: Path) -> None:
    result = vaxterm("forget", "--user", "demo.north1",
                     env={"VAXTERM_CONFIG_DIR": str(tmp_path),
                          "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert "no username" not in result.stderr
    assert "No secure keyring on this computer" in result.stderr
    assert "keyring.backends" not in result.stderr
