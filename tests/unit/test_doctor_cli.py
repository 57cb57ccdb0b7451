"""`vaxterm doctor`, `vaxterm support-bundle` and the mock-server's new options, run as a
user runs them: separate processes, exit codes, what is printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.loopback import free_port
from tests.support.mock_process import mock_server
from vaxterm.doctor_local import CA_VARS, PROXY_VARS


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This machine's environment without its proxy and CA variables, with folders of the
    test's own, no keyring and a terminal of known size."""
    kept = {k: v for k, v in os.environ.items() if k.upper() not in PROXY_VARS + CA_VARS}
    return {**kept, "VAXTERM_CONFIG_DIR": str(tmp_path / "config"),
            "VAXTERM_LOG_DIR": str(tmp_path / "logs"), "TERM": "xterm-256color",
            "COLUMNS": "100", "LINES": "30",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **extra}


ROOT = Path(__file__).resolve().parents[2]


def vaxterm(*args: str, env: dict[str, str], cwd: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    """In another folder too, this source tree's vaxterm, not an installed one."""
    return subprocess.run([sys.executable, "-m", "vaxterm", *args], capture_output=True,
                          text=True, timeout=60, env={**env, "PYTHONPATH": str(ROOT)}, cwd=cwd)


@pytest.mark.loopback
def test_doctor_against_a_running_mock_server(tmp_path: Path) -> None:
    with mock_server() as server:
        result = vaxterm("doctor", "--server", server.base, env=env_for(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    reference = re.fullmatch(r"vaxterm doctor · support reference ([B-Z]{4}-[B-Z]{4})",
                             lines[0])
    assert reference is not None
    symbols = {line[2:].split("  ")[0].strip(): line[0] for line in lines[1:-1]}
    assert symbols == {"settings": "✓", "server address": "✓", "DNS": "✓", "TCP": "✓",
                       "TLS": "-", "proxy and CA": "✓", "GET /meta": "✓", "clock": "✓",
                       "keyring": "!", "log folder": "✓", "terminal": "✓", "versions": "✓"}
    keyring = next(line for line in lines if line.startswith("! keyring"))
    assert "no keyring is available" in keyring and "→ To have vaxterm remember" in keyring
    assert lines[-1].startswith(f"0 problem(s) ✗, 1 warning(s) ! · support reference "
                                f"{reference.group(1)} · log ")
    [log] = (tmp_path / "logs").iterdir()
    assert log.read_text().startswith(
        f"# vaxterm support log · reference {reference.group(1)}\n")
    assert result.stderr == ""


def test_doctor_json_nothing_listening_is_exit_1(tmp_path: Path) -> None:
    port = free_port()
    result = vaxterm("--server", f"http://127.0.0.1:{port}/api/v2", "doctor", "--json",
                     env=env_for(tmp_path))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    found = {c["id"]: c for c in report["checks"]}
    assert report["exit_code"] == 1
    assert found["tcp"]["status"] == "fail" and found["meta"]["skipped_because"] == "tcp"
    assert found["keyring"]["status"] == "warn"
    assert found["keyring"]["data"]["backend"] == "keyring.backends.fail.Keyring"


def test_doctor_with_a_broken_settings_file_is_exit_2_and_still_reports(tmp_path: Path
                                                                        ) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[login]\nusernme = 'x'\n")
    result = vaxterm("doctor", env=env_for(tmp_path))
    assert result.returncode == 2
    settings = next(line for line in result.stdout.splitlines() if "settings" in line)
    assert settings.startswith("✗ settings")
    assert f"{tmp_path / 'config' / 'config.toml'}:2: unknown key login.usernme" in settings
    assert "✓ versions" in result.stdout


def test_doctor_usage_error_is_exit_2(tmp_path: Path) -> None:
    result = vaxterm("doctor", "--bogus", env=env_for(tmp_path))
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr


def test_the_log_folder_variable_does_not_stop_the_app(tmp_path: Path) -> None:
    """VAXTERM_LOG_DIR, which the README documents, is a folder, not a settings key."""
    result = vaxterm("--server", "ftp://registry.example/api/v2",
                     env=env_for(tmp_path, VAXTERM_LOG_DIR=str(tmp_path / "elsewhere")))
    assert "VAXTERM_LOG_DIR" not in result.stderr
    assert "is not a registry address" in result.stderr  # got past the settings


def test_support_bundle_writes_an_owner_only_zip_and_prints_its_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = vaxterm("support-bundle", "--server", f"http://127.0.0.1:{free_port()}/api/v2",
                     env=env_for(tmp_path), cwd=out)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()[-1]
    assert printed.startswith("support bundle (redacted, readable by you only): ")
    zipped = Path(printed.split(": ", 1)[1])
    assert zipped.parent == out and (zipped.stat().st_mode & 0o777) == 0o600
    with zipfile.ZipFile(zipped) as archive:
        assert archive.testzip() is None
        report = json.loads(archive.read("doctor.json"))
    assert zipped.name.endswith(f"-{report['reference']}.zip")


@pytest.mark.parametrize(("args", "said"), [
    (("--tls-key", "key.pem"), "--tls-key needs --tls-cert"),
    (("--clock-offset", "100000"), "--clock-offset must be within a day"),
], ids=["key-without-cert", "offset-too-large"])
def test_mock_server_refuses_inconsistent_options(tmp_path: Path, args: tuple[str, ...],
                                                  said: str) -> None:
    result = vaxterm("mock-server", "--port", str(free_port()), *args, env=env_for(tmp_path))
    assert result.returncode == 2
    assert said in result.stderr


def test_help_names_the_support_commands_and_the_clock_option(tmp_path: Path) -> None:
    assert "support-bundle" in vaxterm("--help", env=env_for(tmp_path)).stdout
    serve = vaxterm("mock-server", "--help", env=env_for(tmp_path)).stdout
    assert "--clock-offset" in serve and "--tls-cert" in serve
    doctor = vaxterm("doctor", "--help", env=env_for(tmp_path)).stdout
    assert "--json" in doctor and "Exit 0" in doctor


def test_doctor_does_not_load_textual(tmp_path: Path) -> None:
    """Doctor must work where the app's UI cannot start; it reads Textual's version from
    its metadata."""
    code = ("import io, sys\nfrom vaxterm.cli import main\n"
            "sys.stdout = io.StringIO()\nmain(['doctor', '--json'])\n"
            "sys.stdout = sys.__stdout__\nprint('textual' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env={**env_for(tmp_path), "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "False", result.stdout + result.stderr
