"""Doctor's checks that need no server: settings, address form, DNS failures, keyring,
log folder, terminal, versions; and that one root cause is named once."""

from __future__ import annotations

import io
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.loopback import free_port
from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from vaxterm import doctor, doctor_local, supportlog
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialStore
from vaxterm.doctor_model import Context, Status
from vaxterm.settings import Settings

IDS = [step.id for step in doctor.STEPS]
X = "\u00d7"  # the multiplication sign, as in 80 by 24


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"VAXTERM_CONFIG_DIR": str(tmp_path / "config"),
            "VAXTERM_LOG_DIR": str(tmp_path / "logs"), "TERM": "xterm-256color",
            "COLUMNS": "100", "LINES": "30", **extra}


def keyring() -> CredentialStore:
    return CredentialStore("", ENCRYPTED_BACKENDS | {MEMORY_BACKEND}, MemoryKeyring())


def run(env: dict[str, str], server: str | None = None, **kw: Any
        ) -> tuple[int, dict[str, dict[str, Any]]]:
    out = io.StringIO()
    code = doctor.main(server=server, as_json=True, environ=env, out=out,
                       credentials=kw.pop("credentials", None) or keyring(), **kw)
    report = json.loads(out.getvalue())
    assert [c["id"] for c in report["checks"]] == IDS
    return code, {c["id"]: c for c in report["checks"]}


def write_config(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "config.toml").write_text(text)
    return folder / "config.toml"


# --- settings: exit 2, one ✗, the rest skipped or still useful -----------------------------------


@pytest.mark.parametrize(("text", "said"), [
    ("[login]\nusernme = 'x'\n", ":2: unknown key login.usernme"),
    ("[server]\nurl = = 'https://registry.example/api/v2'\n", ":2: server.url: invalid value"),
    ("[security]\nidle_lock_minutes = 0\n", "security.idle_lock_minutes must be 1 to 30"),
], ids=["unknown-key", "syntax", "value"])
def test_a_broken_settings_file_is_exit_2_and_named_once(tmp_path: Path, text: str, said: str
                                                         ) -> None:
    file = write_config(tmp_path, text)
    out = io.StringIO()
    code = doctor.main(server="http://127.0.0.1:9/api/v2", environ=environ(tmp_path), out=out,
                       credentials=keyring())
    assert code == 2
    lines = out.getvalue().splitlines()
    settings = next(line for line in lines if " settings " in line)
    assert settings.startswith("✗ settings")
    assert said in settings and (str(file) in settings or said.startswith("security"))
    assert settings.endswith("→ " + doctor_local.SETTINGS_FIX)
    assert sum(line.startswith("✗") for line in lines) == 1
    for name in ("server address", "DNS", "TCP", "TLS", "GET /meta", "clock"):
        skipped = next(line for line in lines if line[2:].startswith(name))
        assert skipped.endswith("skipped: settings failed"), skipped
    keyring_line = next(line for line in lines if line[2:].startswith("keyring"))
    assert keyring_line.startswith("✓") and "settings could not be read" in keyring_line
    assert any(line.startswith("✓ log folder") for line in lines)


def test_an_unknown_environment_variable_is_a_settings_error(tmp_path: Path) -> None:
    code, found = run(environ(tmp_path, VAXTERM_SERVER__URLL="x"))
    assert code == 2
    assert "unknown key server.urll" in found["settings"]["detail"]


def test_the_log_folder_variable_is_not_a_settings_key(tmp_path: Path) -> None:
    from vaxterm.settings import load

    assert load(environ(tmp_path)) == Settings()  # VAXTERM_LOG_DIR is in there


@pytest.mark.parametrize(("key", "value", "said"), [
    ("VAXTERM_SERVER__CA_BUNDLE", "/nonexistent/ca.pem", "cannot be read (FileNotFoundError)"),
    ("VAXTERM_SERVER__PIN_SHA256", "not-a-pin", "is not a base64 SHA-256"),
], ids=["ca-bundle-missing", "pin-malformed"])
def test_tls_settings_are_checked_as_settings(tmp_path: Path, key: str, value: str, said: str
                                              ) -> None:
    code, found = run(environ(tmp_path, **{key: value}), "https://127.0.0.1:9/api/v2")
    assert code == 2
    assert said in found["settings"]["detail"]
    assert found["tls"]["skipped_because"] == "settings"


def test_a_ca_bundle_without_certificates_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    code, found = run(environ(tmp_path, VAXTERM_SERVER__CA_BUNDLE=str(bundle)))
    assert code == 2 and "holds no PEM certificate" in found["settings"]["detail"]


# --- address and DNS -----------------------------------------------------------------------------


def test_no_server_configured_is_one_failure(tmp_path: Path) -> None:
    code, found = run(environ(tmp_path))
    assert code == 1
    assert found["address"]["detail"] == "no registry address is configured"
    assert "--server https://" in found["address"]["fix"]
    for later in ("dns", "tcp", "tls", "meta", "clock"):
        assert found[later]["skipped_because"] == "address"
        assert found[later]["detail"] == "skipped: server address failed"


def test_a_malformed_address_is_refused_without_echoing_it(tmp_path: Path) -> None:
    code, found = run(environ(tmp_path), "ftp://agent:s3cret@registry.example/api/v2?t=abc")
    assert code == 1
    assert found["address"]["detail"] == ("ftp://registry.example/api/v2: not an http(s) "
                                          "address")


def test_an_address_with_credentials_is_a_warning_that_does_not_show_them(tmp_path: Path
                                                                            ) -> None:
    port = free_port()
    _, found = run(environ(tmp_path), f"http://agent:s3cret@127.0.0.1:{port}/api/v2?k=v")
    assert found["address"]["status"] == "warn"
    assert "s3cret" not in json.dumps(found) and "k=v" not in json.dumps(found)
    assert found["tcp"]["status"] == "fail"  # the checks go on: it is only a warning


def test_a_name_dns_does_not_know(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown(*_: object, **__: object) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    code, found = run(environ(tmp_path), "https://registry.example/api/v2")
    assert code == 1
    assert found["dns"]["detail"] == ("registry.example is not known to DNS (Name or service "
                                      "not known)")
    assert [found[k]["skipped_because"] for k in ("tcp", "tls", "meta", "clock")] == ["dns"] * 4


def test_a_dns_that_never_answers_is_given_up(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_, **__: time.sleep(5))
    begun = time.monotonic()
    code, found = run(environ(tmp_path), "https://registry.example/api/v2", timeout=0.5)
    assert time.monotonic() - begun < 4.5  # not the 5 s the lookup would take
    assert found["dns"]["detail"] == "no answer from DNS for registry.example in 0.5 s"
    assert code == 1


# --- keyring -------------------------------------------------------------------------------------


def test_no_keyring_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    store = CredentialStore("")
    _, found = run(environ(tmp_path), credentials=store)
    assert found["keyring"]["status"] == "warn"
    assert found["keyring"]["detail"] == ("no keyring is available: vaxterm will not keep the "
                                          "password here")
    assert found["keyring"]["data"]["encrypted"] is False


class Hanging(MemoryKeyring):
    """A keyring waiting on an unlock prompt nobody answers."""

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(10)
        return None


def test_a_keyring_that_hangs_is_given_up(tmp_path: Path) -> None:
    store = CredentialStore("", ENCRYPTED_BACKENDS | {f"{__name__}.Hanging"}, Hanging())
    begun = time.monotonic()
    _, found = run(environ(tmp_path, VAXTERM_LOGIN__USERNAME="demo.north1"),
                   credentials=store, timeout=0.5)
    assert time.monotonic() - begun < 9  # not the 10 s the keyring would take
    assert found["keyring"]["status"] == "warn"
    assert found["keyring"]["detail"].startswith("the keyring did not answer in ")


# --- log folder ----------------------------------------------------------------------------------


def test_a_log_folder_others_can_read_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    _, found = run(environ(tmp_path))
    assert found["logs"]["status"] == "warn"
    assert found["logs"]["detail"] == f"{folder} is mode 0755: others can list it"
    assert found["logs"]["fix"] == f"Run: chmod 700 {folder}"
    assert (folder.stat().st_mode & 0o777) == 0o755  # reported, never changed


def test_a_log_file_others_can_read_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o700)
    old = folder / "vaxterm-20260101T000000000000Z-BCDF-GHJK.log"
    old.write_text("# an older session\n")
    old.chmod(0o644)
    _, found = run(environ(tmp_path))
    assert found["logs"]["status"] == "warn"
    assert "1 log file(s) readable by others" in found["logs"]["detail"]


def test_a_log_folder_that_cannot_be_written_is_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    code, found = run(environ(tmp_path))
    assert code == 1
    assert found["logs"]["status"] == "fail"
    assert "VAXTERM_LOG_DIR" in found["logs"]["fix"]


def test_a_good_log_folder(tmp_path: Path) -> None:
    _, found = run(environ(tmp_path))
    logs = found["logs"]
    assert logs["status"] == "ok"
    assert logs["data"]["mode"] == "0700" and logs["data"]["sessions"] == 1
    assert Path(logs["data"]["current"]).name.endswith(
        f"-{Path(logs['data']['current']).name[-13:-4]}.log")


# --- terminal and versions -----------------------------------------------------------------------


def terminal(**env: str) -> tuple[Status, str, str]:
    check = doctor_local.terminal_check(Context(env, Settings()))
    return check.status, check.detail, check.fix


def test_terminal_good() -> None:
    status, detail, _ = terminal(TERM="xterm-256color", COLORTERM="truecolor", COLUMNS="120",
                                 LINES="40")
    assert status is Status.OK
    assert detail == (f"120{X}40, TERM=xterm-256color, true colour; if an F-key does nothing, "
                      "Ctrl+P has every action")


@pytest.mark.parametrize(("env", "said", "fix"), [
    ({"TERM": "xterm", "COLUMNS": "70", "LINES": "20"}, f"smaller than 80{X}24",
     f"at least 80{X}24"),
    ({"COLUMNS": "100", "LINES": "30"}, "TERM=(not set)", "terminal emulator"),
    ({"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30", "VTE_VERSION": "7600"},
     "GNOME Terminal and other VTE terminals take F1 and F10", "Ctrl+P"),
    ({"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30", "TERM_PROGRAM": "vscode"},
     "VS Code's terminal takes F1", "Ctrl+P"),
], ids=["too-small", "no-term", "vte", "vscode"])
def test_terminal_warnings(env: dict[str, str], said: str, fix: str) -> None:
    status, detail, hint = terminal(**env)
    assert status is Status.WARN
    assert said in detail and fix in hint


def test_versions_read_textual_without_importing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.delitem(sys.modules, "textual", raising=False)
    check = doctor_local.versions_check(Context({}, Settings()))
    assert "textual" not in sys.modules
    assert check.data["textual"] == supportlog.textual_version() != "not installed"
    assert check.detail.startswith("vaxterm 0.1.0 · Python 3.")


def test_a_textual_other_than_the_pinned_one_is_a_warning(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(doctor_local, "pinned_textual", lambda: "0.0.1")
    check = doctor_local.versions_check(Context({}, Settings()))
    assert check.status is Status.WARN
    assert "vaxterm was built for Textual 0.0.1" in check.detail


# --- the runner ----------------------------------------------------------------------------------


def test_a_bug_in_one_check_is_its_own_failure_line(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: Context) -> Any:
        raise KeyError("oops")

    steps = tuple(doctor.Step(s.id, s.name, broken if s.id == "terminal" else s.run, s.needs)
                  for s in doctor.STEPS)
    monkeypatch.setattr(doctor, "STEPS", steps)
    code, found = run(environ(tmp_path))
    assert found["terminal"]["detail"] == "the check itself failed (KeyError)"
    assert found["versions"]["status"] == "ok"  # the checks after it still ran
    assert code == 1


def test_doctor_leaves_no_log_handler_behind(tmp_path: Path) -> None:
    import logging

    run(environ(tmp_path))
    handlers = logging.getLogger("vaxterm").handlers
    assert all(isinstance(h, logging.NullHandler) for h in handlers)
    assert supportlog.path() is None
    assert os.listdir(tmp_path / "logs")  # ... but its session file stays
