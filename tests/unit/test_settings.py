from __future__ import annotations

from pathlib import Path

import pytest

from vaxterm.settings import Settings, SettingsError, from_environment, from_file, load


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    assert load({}, tmp_path / "missing.toml") == Settings()


def test_file_then_environment_override(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://file.example/api/v2"\nread_timeout = 20\n'
                           '[login]\nusername = "demo.north1"\n')
    settings = load({"VAXTERM_SERVER__URL": "https://env.example/api/v2",
                     "VAXTERM_SECURITY__IDLE_LOCK_MINUTES": "10"}, path)
    assert settings.server.url == "https://env.example/api/v2"
    assert settings.server.read_timeout == 20.0
    assert settings.login.username == "demo.north1"
    assert settings.security.idle_lock_minutes == 10


def test_unknown_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://x.example"\n\n[login]\nusernme = "a"\n')
    with pytest.raises(SettingsError) as err:
        from_file(path, Settings())
    assert str(err.value).startswith(f"{path}:5: unknown key login.usernme")


def test_wrong_type_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[security]\nidle_lock_minutes = "soon"\n')
    with pytest.raises(SettingsError,
                       match=r":2: security\.idle_lock_minutes: expected a whole number"):
        from_file(path, Settings())


def test_broken_toml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "unterminated\n')
    with pytest.raises(SettingsError, match=rf"^{path}:2: "):
        from_file(path, Settings())


def test_unknown_section(tmp_path: Path) -> None:
    path = write(tmp_path, '[printer]\nname = "x"\n')
    with pytest.raises(SettingsError, match=r":1: unknown section \[printer\]"):
        from_file(path, Settings())


@pytest.mark.parametrize("minutes", ["0", "31", "120"])
def test_idle_lock_is_capped_at_30_minutes(minutes: str) -> None:
    with pytest.raises(SettingsError, match="idle_lock_minutes must be 1 to 30"):
        from_environment({"VAXTERM_SECURITY__IDLE_LOCK_MINUTES": minutes}, Settings())


def test_bad_environment_variable_is_named() -> None:
    with pytest.raises(SettingsError, match="VAXTERM_LOGIN__REMEMBER_PASSWORD"):
        from_environment({"VAXTERM_LOGIN__REMEMBER_PASSWORD": "maybe"}, Settings())
    with pytest.raises(SettingsError, match="VAXTERM_SERVERURL: use VAXTERM_<SECTION>__<KEY>"):
        from_environment({"VAXTERM_SERVERURL": "x"}, Settings())
