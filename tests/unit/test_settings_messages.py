"""A mistake in the settings names the file, the line and the key; a value of the wrong type
is refused, not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaxterm.settings import Settings, SettingsError, from_file, load


def error_for(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        from_file(path, Settings())
    return str(raised.value)


@pytest.mark.parametrize(("text", "said"), [
    # TOML itself refuses a bare word: its message names only the line.
    ('[server]\nread_timeout = fifteen\n', ":2: server.read_timeout: invalid value"),
    ('[server]\nread_timeout = "fifteen"\n', ":2: server.read_timeout: expected a number"),
    ('[security]\nidle_lock_minutes = 0\n', ":2: security.idle_lock_minutes must be 1 to 30"),
    ('[security]\n\nidle_lock_minutes = 31\n', ":3: security.idle_lock_minutes must be 1 to 30"),
    ('[server]\nconnect_timeout = 0\n', ":2: server.connect_timeout must be more than 0"),
    ('[login]\nremember_password = "yes"\n',
     ":2: login.remember_password: must be true or false (a boolean, without quotes)"),
    ('[login]\nremember_password = 1\n', ":2: login.remember_password: must be true or false"),
])
def test_the_file_line_and_key_are_named(tmp_path: Path, text: str, said: str) -> None:
    message = error_for(tmp_path, text)
    assert message.startswith(str(tmp_path / "config.toml")), message
    assert said in message, message


def test_a_boolean_in_the_file_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[login]\nremember_password = true\n", encoding="utf-8")
    assert from_file(path, Settings()).login.remember_password is True


def test_a_variable_is_text_by_nature_so_yes_is_true_there(tmp_path: Path) -> None:
    settings = load({"VAXTERM_LOGIN__REMEMBER_PASSWORD": "yes"}, tmp_path / "none.toml")
    assert settings.login.remember_password is True
    with pytest.raises(SettingsError, match=r"VAXTERM_SECURITY__IDLE_LOCK_MINUTES: "
                                            r"security\.idle_lock_minutes must be 1 to 30"):
        load({"VAXTERM_SECURITY__IDLE_LOCK_MINUTES": "0"}, tmp_path / "none.toml")


def test_the_log_folder_variable_is_not_a_setting(tmp_path: Path) -> None:
    """VAXTERM_LOG_DIR (and VAXTERM_CONFIG_DIR) say where files go; they are not
    VAXTERM_<SECTION>__<KEY> settings and must not stop the program."""
    environ = {"VAXTERM_LOG_DIR": str(tmp_path / "logs"),
               "VAXTERM_CONFIG_DIR": str(tmp_path / "config")}
    assert load(environ) == Settings()
